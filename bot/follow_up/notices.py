"""What each kind of reminder says when it goes out, read fresh from the database then.

A reminder whose reason has gone (the person prepared, the deadline or the meeting has passed,
the action is done, the meeting was cancelled) renders as None and is skipped, not sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup

from bot.core.links import start_link
from bot.core.payloads import encode
from bot.core.render import Screen, button
from bot.core.services import Services
from storage.records import Action, ActionUpdate, Person, Reminder

LATE_AFTER = timedelta(minutes=15)
"""A reminder sent this much after its time says it is late (the bot was down)."""
ANSWERS = {"d": "done", "i": "in_progress", "b": "blocked", "p": "postponed"}
FOLLOW_ANSWER = "fa"
WRITE_OWNER = "fw"
REASSIGN = "fr"

NoticeRenderer = Callable[[Services, Reminder, Person, datetime], Awaitable[Screen | None]]
"""Draws one kind of reminder from the database as it is now; None when its reason is gone."""


UNCHANGED = "n"
"""The answer "nothing new since my last answer", offered when that answer is still open."""
REPEATABLE = ("in_progress", "blocked")


def answer_buttons(
    svc: Services, person: Person, action_id: int, latest: ActionUpdate | None
) -> InlineKeyboardMarkup:
    """Done / In progress / Blocked / Postpone for one action (nudges and /myactions), and
    "No change" in one tap when the last answer was In progress or Blocked."""
    row = [
        button(svc.render.text(person, f"since.status.{status}"),
               encode(FOLLOW_ANSWER, action_id, code))
        for code, status in ANSWERS.items()
    ]  # fmt: skip
    rows = [row[:2], row[2:]]
    if latest is not None and latest.status in REPEATABLE:
        status = svc.render.text(person, f"since.status.{latest.status}")
        label = svc.render.text(person, "followup.button.unchanged", status=status)
        rows.append([button(label, encode(FOLLOW_ANSWER, action_id, UNCHANGED))])
    return InlineKeyboardMarkup(rows)


class Notices:
    """Follow-up draws its own kinds (nudges, escalations, owner links); other capabilities
    register theirs (preparation's reminders) at start-up."""

    def __init__(self, services: Services) -> None:
        self._svc = services
        self._renderers: dict[str, NoticeRenderer] = {}
        for kind, own in (
            ("nudge", self._nudge),
            ("escalation", self._escalation),
            ("silence", self._escalation),
            ("owner_link", self._owner_link),
        ):
            self.register(
                kind, lambda svc, reminder, person, now, own=own: own(reminder, person, now)
            )

    def register(self, kind: str, renderer: NoticeRenderer) -> None:
        if kind in self._renderers:
            raise ValueError(f"reminder kind {kind!r} is drawn twice")
        self._renderers[kind] = renderer

    async def screen(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        screen = await self._renderers[reminder.kind](self._svc, reminder, person, now)
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
        if await self._svc.repos.reminders.newer_nudge_due(reminder, now):
            return None
        text = self._svc.render.text(
            person,
            "followup.nudge",
            description=action.description,
            deadline=action.deadline_at,
            follow_up=action.follow_up_name or "–",
        )
        latest = await self._svc.repos.agreements.latest_update(action.id)
        return Screen(text, answer_buttons(self._svc, person, action.id, latest))

    async def _escalation(self, reminder: Reminder, person: Person, now: datetime) -> Screen | None:
        action = await self._open_action(reminder)
        if action is None:
            return None
        render = self._svc.render
        latest = await self._svc.repos.agreements.latest_update(action.id)
        if reminder.kind == "escalation":
            if latest is None or latest.status != "blocked":
                return None  # the owner moved on before the follow-up person was told
            reason = render.text(
                person,
                "followup.reason_blocked",
                note=(latest.note if latest and latest.note else "–"),
            )
        else:
            agreement = await self._svc.repos.agreements.agreement_of(action.meeting_id)
            since = latest.reported_at if latest else agreement.confirmed_at if agreement else None
            reason = render.text(person, "followup.reason_silent", since=since or "–")
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
                    encode(WRITE_OWNER, action.id),
                )
            ],
            [
                button(
                    render.text(person, "followup.button.reassign"),
                    encode(REASSIGN, action.id),
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
            link = start_link(self._svc.bot, invite.token)
            text = render.text(
                person, "followup.owner_pending", link=link, expires=invite.expires_at, **params
            )
        label = render.text(person, "followup.button.reassign")
        markup = InlineKeyboardMarkup([[button(label, encode(REASSIGN, action.id))]])
        return Screen(text, markup)
