"""The meeting's data: a leader sends a CSV/XLSX file; everyone gets the charts as a pack."""

from __future__ import annotations

import asyncio

from telegram import InputMediaPhoto, Update

from bot.charts import captions, draw, plans
from bot.charts.pool import draw as draw_in_pool
from bot.context import DDContext, Services, services
from bot.dataset.reader import (
    GOAL_CATEGORIES,
    MAX_FILE_BYTES,
    DataPoint,
    ImportRefused,
    read_file,
)
from bot.handlers.common import RECENT, person_of, say
from bot.render import Screen
from bot.runner import FlowRunner
from storage.records import Meeting, Person

MAX_ALBUM = 10
"""Telegram's sendMediaGroup takes 2 to 10 photos."""


def chart_labels(svc: Services, person: Person) -> dict[str, str]:
    labels = {plans.OTHERS: svc.render.text(person, "chart.others")}
    labels.update({c: svc.render.text(person, f"chart.goal.{c}") for c in GOAL_CATEGORIES})
    return labels


async def import_rows(
    svc: Services, meeting: Meeting, name: str, content: bytes
) -> tuple[int, int, list]:
    """Validate and store a file for a meeting; (rows, charts, notes). Raises ImportRefused."""
    result = read_file(name, content)
    rows = [point.model_dump() for point in result.points]
    await svc.repos.datasets.replace(meeting.id, rows, svc.clock())
    return len(rows), len(plans.plans_for(result.points)), result.notes


async def on_document(update: Update, context: DDContext) -> None:
    """A file in the private chat: the leader's data for their next meeting."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    person = await person_of(update, context)
    svc = services(context)
    led = await svc.repos.meetings.of_person(person.id, role="leader", not_before=svc.clock())
    if not led:
        await say(context, person, "import.not_leader")
        return
    meeting = led[0][0]
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await say(
            context, person, "import.error.too_big", size_mb=round(document.file_size / 2**20, 1)
        )
        return
    await context.bot.send_chat_action(person.telegram_id, "typing")
    content = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        rows, charts, notes = await import_rows(svc, meeting, document.file_name or "", content)
    except ImportRefused as refused:
        lines = [svc.render.text(person, "import.refused")]
        lines += [
            svc.render.text(person, f"import.error.{p.key}", **p.params) for p in refused.problems
        ]
        await FlowRunner.send(context.bot, person, Screen("\n".join(lines)))
        return
    for note in notes:
        await say(context, person, f"import.note.{note.key}")
    await say(context, person, "import.done", rows=rows, charts=charts, title=meeting.title)


async def on_pack(update: Update, context: DDContext) -> None:
    """/pack: the charts of my next meeting (for the leader: a preview of what people get)."""
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id, not_before=svc.clock() - RECENT)
    if not mine:
        await say(context, person, "prep.none")
        return
    if not await send_pack(context, person, mine[0][0]):
        await say(context, person, "pack.empty", title=mine[0][0].title)


async def send_pack(context: DDContext, person: Person, meeting: Meeting) -> bool:
    """Send the meeting's charts as albums with captions; False if it has no data."""
    svc = services(context)
    rows = await svc.repos.datasets.rows_for(meeting.id)
    if not rows:
        return False
    chart_plans = plans.plans_for([DataPoint.model_validate(row) for row in rows])
    await context.bot.send_chat_action(person.telegram_id, "upload_photo")
    labels = chart_labels(svc, person)
    pictures = await asyncio.gather(
        *(draw_in_pool(svc.chart_executor, draw.render_png, plan, labels, person.language)
          for plan in chart_plans)
    )  # fmt: skip
    texts = [captions.caption(plan, lambda key, **p: svc.render.text(person, key, **p))
             for plan in chart_plans]  # fmt: skip
    await say(context, person, "pack.intro", title=meeting.title, count=len(chart_plans))
    for start in range(0, len(pictures), MAX_ALBUM):
        album = list(
            zip(pictures[start : start + MAX_ALBUM], texts[start : start + MAX_ALBUM], strict=True)
        )
        if len(album) == 1:
            await context.bot.send_photo(person.telegram_id, album[0][0], caption=album[0][1])
        else:
            media = [InputMediaPhoto(png, caption=text) for png, text in album]
            await context.bot.send_media_group(person.telegram_id, media)
    return True
