"""How preparation's reminders read when they go out (follow-up's sender sends them):
"prepare before the deadline", the leader's "5/7 ready", and the next meeting's notice."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.core.payloads import encode
from bot.core.render import Screen, button
from bot.core.services import Services
from bot.follow_up.sender import ReminderSender
from bot.preparation.prep import PICK_PREP
from storage.records import Meeting, Person, Reminder


async def register(svc: Services) -> None:
    """At start-up: teach the reminder sender to draw preparation's kinds."""
    notices = svc.part(ReminderSender).notices
    notices.register("prep", prep_notice)
    notices.register("prep_summary", leader_summary_notice)
    notices.register("meeting", meeting_notice)


async def _planned(svc: Services, reminder: Reminder) -> Meeting | None:
    meeting = await svc.repos.meetings.get(reminder.meeting_id or 0)
    return meeting if meeting is not None and meeting.status == "planned" else None


def _prepare_button(svc: Services, person: Person, meeting: Meeting) -> InlineKeyboardMarkup:
    label = svc.render.text(person, "followup.button.prepare")
    return InlineKeyboardMarkup([[button(label, encode(PICK_PREP, meeting.id))]])


async def prep_notice(
    svc: Services, reminder: Reminder, person: Person, now: datetime
) -> Screen | None:
    """Before the deadline, to a participant who has not finished preparing."""
    meeting = await _planned(svc, reminder)
    if meeting is None or now >= meeting.prep_deadline_at:
        return None
    statuses = await svc.repos.meetings.prep_status(meeting)
    mine = next((s for s in statuses if s.person.id == person.id), None)
    if mine is None or mine.status == "finished":
        return None
    text = svc.render.text(
        person, "followup.prep", title=meeting.title, deadline=meeting.prep_deadline_at
    )
    return Screen(text, _prepare_button(svc, person, meeting))


async def leader_summary_notice(
    svc: Services, reminder: Reminder, person: Person, now: datetime
) -> Screen | None:
    """At the deadline, to the leader: how many are ready and who is missing."""
    meeting = await _planned(svc, reminder)
    if meeting is None or now >= meeting.starts_at:
        return None
    statuses = await svc.repos.meetings.prep_status(meeting)
    done = sum(s.status == "finished" for s in statuses)
    missing = ", ".join(s.person.display_name for s in statuses if s.status != "finished") or "–"
    text = svc.render.text(
        person, "followup.prep_summary", title=meeting.title, done=done, total=len(statuses),
        missing=missing,
    )  # fmt: skip
    return Screen(text)


async def meeting_notice(
    svc: Services, reminder: Reminder, person: Person, now: datetime
) -> Screen | None:
    """A week before the next dialogue, with the way to prepare."""
    meeting = await _planned(svc, reminder)
    if meeting is None or now >= meeting.starts_at:
        return None
    text = svc.render.text(
        person, "followup.meeting", title=meeting.title, starts=meeting.starts_at,
        deadline=meeting.prep_deadline_at,
    )  # fmt: skip
    return Screen(text, _prepare_button(svc, person, meeting))
