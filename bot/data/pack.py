"""The meeting's charts as a pack: albums of PNGs, each with a how-to-read caption."""

from __future__ import annotations

import asyncio

from telegram import InputMediaPhoto, Update

from bot.charts import captions, draw, plans
from bot.charts.labels import chart_labels
from bot.charts.pool import draw as draw_in_pool
from bot.core.people import current_meetings, person_of
from bot.core.send import say
from bot.core.services import DDContext, Services, services
from bot.dataset.reader import DataPoint
from storage.records import Meeting, Person

MAX_ALBUM = 10
"""Telegram's sendMediaGroup takes 2 to 10 photos."""


async def on_pack(update: Update, context: DDContext) -> None:
    """/pack: the charts of my next meeting (for the leader: a preview of what people get)."""
    person = await person_of(update, context)
    svc = services(context)
    mine = await current_meetings(svc, person)
    if not mine:
        await say(svc, person, "prep.none")
        return
    if not await send_pack(svc, person, mine[0][0]):
        await say(svc, person, "pack.empty", title=mine[0][0].title)


async def send_pack(svc: Services, person: Person, meeting: Meeting) -> bool:
    """Send the meeting's charts as albums with captions; False if it has no data."""
    rows = await svc.repos.datasets.rows_for(meeting.id)
    if not rows:
        return False
    chart_plans = plans.plans_for([DataPoint.model_validate(row) for row in rows])
    await svc.bot.send_chat_action(person.telegram_id, "upload_photo")
    labels = chart_labels(lambda key: svc.render.text(person, key))
    pictures = await asyncio.gather(
        *(draw_in_pool(svc.chart_executor, draw.render_png, plan, labels, person.language)
          for plan in chart_plans)
    )  # fmt: skip
    texts = [captions.caption(plan, lambda key, **p: svc.render.text(person, key, **p))
             for plan in chart_plans]  # fmt: skip
    await say(svc, person, "pack.intro", title=meeting.title, count=len(chart_plans))
    for start in range(0, len(pictures), MAX_ALBUM):
        album = list(
            zip(pictures[start : start + MAX_ALBUM], texts[start : start + MAX_ALBUM], strict=True)
        )
        if len(album) == 1:
            await svc.bot.send_photo(person.telegram_id, album[0][0], caption=album[0][1])
        else:
            media = [InputMediaPhoto(png, caption=text) for png, text in album]
            await svc.bot.send_media_group(person.telegram_id, media)
    return True
