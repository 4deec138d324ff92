"""/prep: a person prepares for a meeting, or sees their answers and changes them until the
deadline; participants get the meeting's charts before the questions."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.core import guard
from bot.core.payloads import Payload, encode
from bot.core.people import current_meetings, person_of
from bot.core.render import Screen, button
from bot.core.send import say, send
from bot.core.services import DDContext, Services, services
from bot.data import send_pack
from bot.preparation.planning import LEADER_FLOW
from storage.records import Meeting, Person, Role, Run

PICK_PREP = "pm"


def prep_flow_for(meeting: Meeting, role: Role) -> str | None:
    if role == "participant":
        return meeting.prep_flow_id
    if role == "leader":
        return LEADER_FLOW
    return None


async def on_prep(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    preparable = [(m, r) for m, r in await current_meetings(svc, person) if prep_flow_for(m, r)]
    if not preparable:
        await say(svc, person, "prep.none")
    elif len(preparable) == 1:
        await open_prep(svc, person, *preparable[0])
    else:
        await choose_meeting(svc, person, preparable, "prep.choose_meeting", PICK_PREP)


async def open_prep(svc: Services, person: Person, meeting: Meeting, role: Role) -> None:
    """Start the person's preparation for a meeting, or show where it stands."""
    flow_id = prep_flow_for(meeting, role)
    if flow_id is None:
        return
    run = await svc.repos.runs.latest_for(person.id, meeting.id, flow_id)
    await say(
        svc, person, "prep.for_meeting", title=meeting.title, deadline=meeting.prep_deadline_at
    )
    if run is None:
        if role == "participant":  # the charts come first: the questions are about them
            await send_pack(svc, person, meeting)
        await svc.runner.start(person, flow_id, meeting_id=meeting.id)
    else:
        editable = svc.clock() < meeting.prep_deadline_at
        await svc.runner.resume(person, run, editable=editable)


async def on_pick_prep(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """pm:<meeting>"""
    svc = services(context)
    meeting_id = payload.id_arg(0)
    role = await guard.role_in(svc, meeting_id, person, guard.MEMBERS, refusal=guard.STALE)
    meeting = await guard.meeting(svc, meeting_id)
    guard.check(meeting.status != "cancelled")  # from an old reminder
    await open_prep(svc, person, meeting, role)
    return None


async def choose_meeting(
    svc: Services, person: Person, choices: list[tuple[Meeting, Role]], key: str, prefix: str
) -> None:
    rows = [[button(m.title, encode(prefix, m.id))] for m, _ in choices]
    await send(svc.bot, person, Screen(svc.render.text(person, key), InlineKeyboardMarkup(rows)))


async def deadline_passed(svc: Services, person: Person, run: Run) -> str | None:
    """Edit rule: preparation answers may change until the meeting's preparation deadline."""
    if run.meeting_id is None:
        return None
    meeting = await svc.repos.meetings.get(run.meeting_id)
    if meeting is None or run.flow_id not in (meeting.prep_flow_id, LEADER_FLOW):
        return None
    if svc.clock() < meeting.prep_deadline_at:
        return None
    return svc.render.text(person, "prep.edit_closed", deadline=meeting.prep_deadline_at)
