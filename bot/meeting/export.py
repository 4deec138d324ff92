"""/minutes: the minutes (Markdown and Word) and the actions (Excel and CSV) as files, in the
group for its meeting or in private for a meeting I lead or take notes in."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, InputFile, Update

from bot.core import guard
from bot.core.guard import DRIVERS
from bot.core.payloads import Payload, encode
from bot.core.people import person_of
from bot.core.render import Screen, button
from bot.core.send import say, send
from bot.core.services import DDContext, Services, services
from bot.meeting import minutes
from bot.meeting.steering import driven_live
from storage.records import Meeting, Person

MINUTES = "mn"
LISTED_MEETINGS = 8


async def on_minutes(update: Update, context: DDContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    if chat.type != "private":
        live = await driven_live(update, context, started=True)
        await send_minutes(svc, live.audience, live.meeting, chat.id)
        return
    person = await person_of(update, context)
    mine = [m for m, role in await svc.repos.meetings.of_person(person.id) if role in DRIVERS]
    linked = [m for m in mine if await svc.repos.dialogues.get(m.id) is not None]
    if not linked:
        await say(svc, person, "minutes.none_available")
    elif len(linked) == 1:
        await send_minutes(svc, person, linked[0], person.telegram_id)
    else:
        rows = [
            [button(f"{m.title} ({_local_day(m)})", encode(MINUTES, m.id))]
            for m in linked[-LISTED_MEETINGS:]
        ]
        text = svc.render.text(person, "minutes.choose")
        await send(svc.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


def _local_day(meeting: Meeting) -> str:
    return f"{meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)):%d.%m.%Y}"


async def on_minutes_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """mn:<meeting>"""
    svc = services(context)
    meeting = await guard.meeting(svc, payload.id_arg(0))
    await guard.role_in(svc, meeting.id, person, DRIVERS)
    await send_minutes(svc, person, meeting, person.telegram_id)
    return None


async def send_minutes(svc: Services, reader: Person, meeting: Meeting, chat_id: int) -> None:
    """Every format, the first with a caption that names the meeting.

    The files are built in a worker thread: the first Word or Excel file of a process also
    imports its library, which would otherwise hold up every other chat for a moment.
    """
    await svc.bot.send_chat_action(chat_id, "upload_document")
    data = await minutes.gather(svc.repos, meeting)
    writer = minutes.MinutesWriter(svc.catalogue, svc.flows, reader.language)
    files = await asyncio.to_thread(lambda: [writer.file(data, f) for f in minutes.FORMATS])
    caption: str | None = svc.render.text(reader, "minutes.caption", title=meeting.title)
    for file in files:
        await svc.bot.send_document(
            chat_id, InputFile(file.content, filename=file.name), caption=caption
        )
        caption = None
