"""Decides which reminders to store, in the people's own time zones and working hours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.services import Services
from flows.follow_up import (
    WorkingHours,
    action_nudges,
    meeting_notice,
    next_working_moment,
    place,
    prep_reminders,
)
from storage.records import Action, Agreement, Meeting, Person
from storage.repositories.reminders import NewReminder

SILENCE_GRACE = timedelta(days=2)
"""After the second unanswered nudge, the follow-up person hears of it this much later."""
OWNER_LINK_GRACE = timedelta(days=3)
"""If an owner outside the group has not accepted their link by then, the follow-up person hears."""
NOTE_GRACE = timedelta(minutes=10)
"""A blocked owner has this long to add a note before the follow-up person is told anyway."""

Arm = Callable[[datetime], None]


def _zone_and_hours(person: Person) -> tuple[ZoneInfo, WorkingHours]:
    return ZoneInfo(person.time_zone), WorkingHours.parse(person.work_start, person.work_end)


class FollowUpPlanner:
    """Stores reminders and wakes the sender for the earliest of them."""

    def __init__(self, services: Services, arm: Arm) -> None:
        self._svc = services
        self._arm = arm

    async def _store(self, new: Sequence[NewReminder]) -> None:
        if new:
            await self._svc.repos.reminders.schedule(new, self._svc.clock())
            self._arm(min(r.due_at for r in new))

    async def action(self, action: Action, cadence_days: int) -> None:
        """(Re)plan the owner's nudges for an action, from now until its deadline."""
        repos = self._svc.repos
        await repos.reminders.cancel(action_id=action.id, kinds=("nudge",))
        owner = await repos.people.get(action.owner_id) if action.owner_id else None
        if owner is None:
            return  # an owner outside the group gets nudges once they accept the link
        zone, hours = _zone_and_hours(owner)
        times = action_nudges(
            self._svc.clock(), action.deadline_at, zone, hours, cadence_days=cadence_days
        )
        await self._store(
            [
                NewReminder("nudge", owner.id, t, owner.time_zone, action.meeting_id, action.id)
                for t in times
            ]
        )

    async def preparation(self, meeting: Meeting, person: Person) -> None:
        zone, hours = _zone_and_hours(person)
        times = prep_reminders(meeting.prep_deadline_at, self._svc.clock(), zone, hours)
        await self._store(
            [NewReminder("prep", person.id, t, person.time_zone, meeting.id) for t in times]
        )

    async def leader_summary(self, meeting: Meeting, leader: Person) -> None:
        """'5/7 ready' for the leader when the preparation deadline has passed."""
        zone, hours = _zone_and_hours(leader)
        due = next_working_moment(meeting.prep_deadline_at, hours, zone)
        await self._store(
            [NewReminder("prep_summary", leader.id, due, leader.time_zone, meeting.id)]
        )

    async def meeting_notice(self, meeting: Meeting, members: Sequence[Person]) -> None:
        """Remind the team of its next dialogue a week before, with the way to prepare."""
        new = []
        for person in members:
            zone, hours = _zone_and_hours(person)
            due = meeting_notice(meeting.starts_at, self._svc.clock(), zone, hours)
            if due is not None:
                new.append(NewReminder("meeting", person.id, due, person.time_zone, meeting.id))
        await self._store(new)

    async def escalation(self, action: Action, kind: str, *, after: timedelta) -> None:
        """Tell the follow-up person about a blocked or silent owner (within working time)."""
        person = await self.follow_up_person(action)
        if person is None:
            return
        zone, hours = _zone_and_hours(person)
        due = place(self._svc.clock() + after, hours, zone)
        await self._store(
            [NewReminder(kind, person.id, due, person.time_zone, action.meeting_id, action.id)]
        )

    async def unaccepted_owner(self, action: Action) -> None:
        """Check in 3 days that the outside owner took the link (their nudges start then)."""
        await self._svc.repos.reminders.cancel(action_id=action.id, kinds=("owner_link",))
        await self.escalation(action, "owner_link", after=OWNER_LINK_GRACE)

    async def escalate_now(self, action: Action) -> None:
        """The blocked owner's note came: the waiting escalation goes at once (working time)."""
        repos = self._svc.repos
        person = await self.follow_up_person(action)
        if person is None:
            return
        zone, hours = _zone_and_hours(person)
        due = place(self._svc.clock(), hours, zone)
        if await repos.reminders.bring_forward(action.id, "escalation", due):
            self._arm(due)

    async def follow_up_person(self, action: Action) -> Person | None:
        """Who hears of a blocked or silent owner: the follow-up person, or the leader while a
        follow-up person outside the group has not taken their link."""
        repos = self._svc.repos
        if action.follow_up_id is not None:
            return await repos.people.get(action.follow_up_id)
        meeting = await repos.meetings.get(action.meeting_id)
        return await repos.people.get(meeting.created_by) if meeting else None

    async def agreement(self, agreement: Agreement, actions: Sequence[Action]) -> None:
        """A confirmed agreement: nudges for every owner in the group (a check on the link for
        those outside), and the next meeting's preparation reminders and notice."""
        repos = self._svc.repos
        for action in actions:
            if action.owner_id is None:
                await self.unaccepted_owner(action)
            else:
                await self.action(action, agreement.cadence_days)
        next_id = agreement.next_meeting_id
        next_meeting = await repos.meetings.get(next_id) if next_id else None
        if next_meeting is None:
            return
        # Planned afresh when an agreement's sharing is redone after a stop.
        await repos.reminders.cancel(
            meeting_id=next_meeting.id, kinds=("prep", "prep_summary", "meeting")
        )
        members = await repos.dialogues.members(next_meeting.id)
        for person, role in members:
            if role == "participant":
                await self.preparation(next_meeting, person)
            if role == "leader":
                await self.leader_summary(next_meeting, person)
        await self.meeting_notice(next_meeting, [person for person, _ in members])
