"""Tying the team's group to a meeting: /linkmeeting, or the startgroup link (which Telegram
turns into /start link in the group)."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.core import guard
from bot.core.guard import DRIVERS, Refused
from bot.core.links import GROUP_START_PAYLOAD
from bot.core.payloads import Choice, Payload, encode
from bot.core.people import current_meetings, person_of
from bot.core.render import Screen, button
from bot.core.send import edit_quietly, post, settle_question
from bot.core.services import DDContext, Services, services
from bot.meeting.live import for_group, linked
from bot.meeting.steering import driven_live
from flows.dialogue import DEFAULT_DOTS, DEFAULT_TIMEBOXES
from storage.records import Meeting, Person

LINK = "lk"
UNLINK = "ul"


async def on_linkmeeting(update: Update, context: DDContext) -> None:
    """/linkmeeting (or the startgroup link) in a group: tie it to one of my meetings."""
    message = update.effective_message
    assert message is not None
    person = await person_of(update, context)
    svc = services(context)
    driven = [m for m, role in await current_meetings(svc, person) if role in DRIVERS]
    guard.check(driven, "link.no_meetings")
    if len(driven) == 1:
        await _link(svc, person, driven[0], message.chat.id, message)
        return
    rows = [[button(m.title, encode(LINK, m.id))] for m in driven]
    markup = InlineKeyboardMarkup(rows)
    await message.reply_text(svc.render.text(person, "link.choose"), reply_markup=markup)


def is_link_start(context: DDContext) -> bool:
    """True for the /start link that Telegram sends when the bot is added by the startgroup link."""
    return bool(context.args) and context.args[0] == GROUP_START_PAYLOAD


async def _link(
    svc: Services, person: Person, meeting: Meeting, chat_id: int, message: Message | None
) -> None:
    await _refuse_taken_group(svc, person, meeting, chat_id)
    await svc.repos.dialogues.link(
        meeting.id, chat_id, person, svc.clock(), timeboxes=DEFAULT_TIMEBOXES, dots=DEFAULT_DOTS
    )
    text = svc.render.text(
        person, "link.linked", title=meeting.title, team=meeting.team_name, starts=meeting.starts_at
    )
    if message is not None:
        await message.reply_text(text)
    else:
        await post(svc.bot, chat_id, Screen(text))


async def _refuse_taken_group(
    svc: Services, person: Person, meeting: Meeting, chat_id: int
) -> None:
    """A group whose meeting is not over stays with it until its own leader or referent frees
    it: someone leading another meeting cannot take it over."""
    current = await for_group(svc, chat_id)
    if current is None or current.meeting.id == meeting.id or current.dialogue.finished_at:
        return
    role = await svc.repos.meetings.role_of(current.meeting.id, person.id)
    if role not in DRIVERS:
        raise Refused("link.taken", title=current.meeting.title)


async def on_unlinkmeeting(update: Update, context: DDContext) -> None:
    """/unlinkmeeting — the group's leader or referent frees it from a meeting not yet begun."""
    live = await driven_live(update, context)
    svc = services(context)
    guard.check(live.dialogue.started_at is None, "link.unlink_running")
    question = svc.render.text(live.audience, "link.unlink_confirm", title=live.meeting.title)
    markup = svc.render.confirm(live.audience, UNLINK, live.meeting.id)
    await post(svc.bot, live.chat_id, Screen(question, markup))


async def on_unlink_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ul:<meeting>:y frees the group; ul:<meeting>:n keeps it."""
    svc = services(context)
    live = await linked(svc, payload.id_arg(0))
    await guard.role_in(svc, live.meeting.id, person, DRIVERS)
    if payload.choice() is not Choice.CONFIRM:
        await settle_question(query, svc.render.text(live.audience, "common.cancelled"))
        return None
    guard.check(await svc.repos.dialogues.unlink(live.meeting.id), "link.unlink_running")
    await settle_question(query, svc.render.text(live.audience, "link.unlinked",
                                                 title=live.meeting.title))  # fmt: skip
    return None


async def on_link_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """lk:<meeting> — which of my meetings this group is for."""
    svc = services(context)
    meeting = await guard.meeting(svc, payload.id_arg(0))
    guard.check(query.message)
    assert query.message is not None
    await guard.role_in(svc, meeting.id, person, DRIVERS)
    await _link(svc, person, meeting, query.message.chat.id, None)
    chosen = Screen(svc.render.text(person, "link.chosen", title=meeting.title))
    await edit_quietly(svc.bot, query.message.chat.id, query.message.message_id, chosen)
    return None
