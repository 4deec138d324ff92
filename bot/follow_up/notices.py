"""What each kind of reminder says when it goes out, read fresh from the database then.

A reminder whose reason has gone (the person prepared, the deadline or the meeting has passed,
the action is done, the meeting was cancelled) renders as None and is skipped, not sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup

from bot import callbacks
from bot.context import Services
from bot.render import Screen, button
from storage.records import Action, Person, Reminder

LATE_AFTER = timedelta(minutes=15)
"""A reminder sent this much after its time says it is late (the bot was down)."""
ANSWERS = {"d": "done", "i": "in_progress", "b": "blocked", "p": "postponed"}


def answer_buttons(svc: Services, person: Person, action_id: int) -> InlineKeyboardMarkup:
    """Done / In progress / Blocked / Postpone for one action (nudges and /myactions)."""
    row = [
        button(svc.render.text(person, f"since.status.{status}"),
               callbacks.encode(callbacks.FOLLOW_ANSWER, action_id, code))
        for code, status in ANSWERS.items()
    ]  # fmt: skip
    return InlineKeyboardMarkup([row[:2], row[2:]])


class Notices:
    def __init__(self, services: Services, bot: Bot) -> None:
        self._svc = services
        self._bot = bot

    async def screen(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        renderers = {
            "nudge": self._nudge,
            "escalation": self._escalation,
            "silence": self._escalation,
            "prep": self._prep,
            "prep_summary": self._prep_summary,
            "meeting": self._meeting,
            "owner_link": self._owner_link,
        }
        screen = await renderers[reminder.kind](reminder, person, now)
        if screen is None or now - reminder.planned_at <= LATE_AFTER:
            return screen
        late = self._svc.render.text(person, "followup.late", planned=reminder.planned_at)
        return Screen(f"{late}\n\n{screen.text}", screen.markup)

    async def _open_action(self, reminder: Reminder) -> Action | None:
        repos = self._svc.repos
        action = await repos.agreements.action(reminder.action_id) if reminder.action_id else None
        if action is None or action.status != "agreed":
            return None
        latest = await repos.agreements.latest_update(action.id)
        return None if latest is not None and latest.status == "done" else action

    async def _nudge(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        action = await self._open_action(reminder)
        if action is None or action.owner_id != person.id:
            return None
        text = self._svc.render.text(
            person,
            "followup.nudge",
            description=action.description,
            deadline=action.deadline_at,
            follow_up=action.follow_up_name or "–",
        )
        return Screen(text, answer_buttons(self._svc, person, action.id))

    async def _escalation(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        action = await self._open_action(reminder)
        if action is None:
            return None
        render = self._svc.render
        latest = await self._svc.repos.agreements.latest_update(action.id)
        if reminder.kind == "escalation":
            reason = render.text(
                person,
                "followup.reason_blocked",
                note=(latest.note if latest and latest.note else "–"),
            )
        else:
            reason = render.text(person, "followup.reason_silent")
        text = render.text(
            person,
            "followup.escalation",
            owner=action.owner_name or "–",
            description=action.description,
            deadline=action.deadline_at,
            reason=reason,
        )
        rows = [
            [
                button(
                    render.text(person, "followup.button.write_owner"),
                    callbacks.encode(callbacks.WRITE_OWNER, action.id),
                )
            ],
            [
                button(
                    render.text(person, "followup.button.reassign"),
                    callbacks.encode(callbacks.REASSIGN, action.id),
                )
            ],
        ]
        return Screen(text, InlineKeyboardMarkup(rows))

    async def _owner_link(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        """The outside owner has not taken their link: send it again, or give the action away."""
        action = await self._open_action(reminder)
        if action is None or action.owner_id is not None:
            return None
        render = self._svc.render
        invite = await self._svc.repos.invites.for_action(action.id, now)
        params = {"name": action.owner_name or "–", "description": action.description}
        if invite is None:
            text = render.text(person, "followup.owner_link_expired", **params)
        else:
            link = f"https://t.me/{self._bot.username}?start={invite.token}"
            text = render.text(
                person, "followup.owner_pending", link=link, expires=invite.expires_at, **params
            )
        label = render.text(person, "followup.button.reassign")
        markup = InlineKeyboardMarkup(
            [[button(label, callbacks.encode(callbacks.REASSIGN, action.id))]]
        )
        return Screen(text, markup)

    async def _prep(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        meeting = await self._svc.repos.meetings.get(reminder.meeting_id or 0)
        if meeting is None or meeting.status != "planned" or now >= meeting.prep_deadline_at:
            return None
        statuses = await self._svc.repos.meetings.prep_status(meeting)
        mine = next((s for s in statuses if s.person.id == person.id), None)
        if mine is None or mine.status == "finished":
            return None
        text = self._svc.render.text(
            person, "followup.prep", title=meeting.title, deadline=meeting.prep_deadline_at
        )
        label = self._svc.render.text(person, "followup.button.prepare")
        markup = InlineKeyboardMarkup(
            [[button(label, callbacks.encode(callbacks.PICK_PREP, meeting.id))]]
        )
        return Screen(text, markup)

    async def _prep_summary(
        self, reminder: Reminder, person: Person, now: datetime
    ) -> Screen | None:
        meeting = await self._svc.repos.meetings.get(reminder.meeting_id or 0)
        if meeting is None or meeting.status != "planned" or now >= meeting.starts_at:
            return None
        statuses = await self._svc.repos.meetings.prep_status(meeting)
        done = sum(s.status == "finished" for s in statuses)
        missing = (
            ", ".join(s.person.display_name for s in statuses if s.status != "finished") or "–"
        )
        text = self._svc.render.text(
            person, "followup.prep_summary", title=meeting.title, done=done, total=len(statuses),
            missing=missing,
        )  # fmt: skip
        return Screen(text)

    async def _meeting(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        meeting = await self._svc.repos.meetings.get(reminder.meeting_id or 0)
        if meeting is None or meeting.status != "planned" or now >= meeting.starts_at:
            return None
        text = self._svc.render.text(
            person, "followup.meeting", title=meeting.title, starts=meeting.starts_at,
            deadline=meeting.prep_deadline_at,
        )  # fmt: skip
        label = self._svc.render.text(person, "followup.button.prepare")
        markup = InlineKeyboardMarkup(
            [[button(label, callbacks.encode(callbacks.PICK_PREP, meeting.id))]]
        )
        return Screen(text, markup)
