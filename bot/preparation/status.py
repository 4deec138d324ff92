"""/status for the leader: "5/7 prepared", who is missing, their own checklist, and a chart."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.charts import status_chart
from bot.charts.pool import draw
from bot.charts.status_chart import PrepCounts
from bot.core import guard
from bot.core.payloads import Payload
from bot.core.people import current_meetings, person_of
from bot.core.render import Screen
from bot.core.send import say, send
from bot.core.services import DDContext, Services, services
from bot.preparation.planning import LEADER_FLOW
from bot.preparation.prep import choose_meeting
from storage.records import Meeting, Person

PICK_STATUS = "sm"
CHART_LABELS = ("finished", "in_progress", "not_started", "participants", "prep_title")


async def on_status(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    led = await current_meetings(svc, person, role="leader")
    if not led:
        await say(svc, person, "status.not_leader")
    elif len(led) == 1:
        await show_status(svc, person, led[0][0])
    else:
        await choose_meeting(svc, person, led, "status.choose_meeting", PICK_STATUS)


async def on_pick_status(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """sm:<meeting>"""
    svc = services(context)
    meeting_id = payload.id_arg(0)
    await guard.role_in(svc, meeting_id, person, ("leader",), refusal="error.not_leader")
    await show_status(svc, person, await guard.meeting(svc, meeting_id))
    return None


async def show_status(svc: Services, person: Person, meeting: Meeting) -> None:
    render = svc.render
    statuses = await svc.repos.meetings.prep_status(meeting)
    counts = PrepCounts(
        finished=sum(s.status == "finished" for s in statuses),
        in_progress=sum(s.status == "in_progress" for s in statuses),
        not_started=sum(s.status == "not_started" for s in statuses),
    )
    blocks = [render.text(person, "status.header", title=meeting.title, starts=meeting.starts_at,
                          done=counts.finished, total=counts.total)]  # fmt: skip
    missing = [s.person.display_name for s in statuses if s.status != "finished"]
    if not statuses:
        blocks.append(render.text(person, "status.no_participants"))
    elif missing:
        blocks.append(render.text(person, "status.missing", names=", ".join(missing)))
    else:
        blocks.append(render.text(person, "status.everyone_done"))
    blocks.append(await _checklist(svc, person, meeting))
    await send(svc.bot, person, Screen("\n\n".join(blocks)))
    if statuses:
        await _send_status_chart(svc, person, meeting, counts)


async def _send_status_chart(
    svc: Services, person: Person, meeting: Meeting, counts: PrepCounts
) -> None:
    render = svc.render
    await svc.bot.send_chat_action(person.telegram_id, "upload_photo")
    labels = {key: render.text(person, f"chart.{key}") for key in CHART_LABELS}
    png = await draw(svc.chart_executor, status_chart.render_png, counts, labels)
    caption = render.text(person, "status.chart_caption", done=counts.finished,
                          started=counts.in_progress, not_started=counts.not_started,
                          deadline=meeting.prep_deadline_at)  # fmt: skip
    await svc.bot.send_photo(person.telegram_id, photo=png, caption=caption)


async def _checklist(svc: Services, person: Person, meeting: Meeting) -> str:
    """The leader's own checklist items not yet answered "yes"."""
    run = await svc.repos.runs.latest_for(person.id, meeting.id, LEADER_FLOW)
    answers = run.state["answers"] if run else {}
    open_items = [
        svc.render.text(
            person, "status.checklist_item", item=svc.render.text(person, f"leaderprep.item.{s.id}")
        )
        for s in svc.flows[LEADER_FLOW].steps
        if answers.get(s.id) in (None, False)
    ]
    if not open_items:
        return svc.render.text(person, "status.checklist_done")
    return svc.render.text(person, "status.checklist_open", items="\n".join(open_items))
