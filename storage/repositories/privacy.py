"""A person's own data (everything stored about them, and forgetting it) and retention.

What is kept and for how long is decided by the caller (settings, the privacy capability):
this module stores and deletes what it is told. A forgotten person's `users` row stays, as
meetings, agreements and themes they created point to it, but it no longer identifies anyone:
its Telegram id becomes the negative of its row id (real user ids are positive, so a negative
one marks a former participant and can never match a new message) and its name a stand-in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Delete, Update

from storage.records import Person
from storage.repositories.people import PeopleRepository
from storage.repositories.runs import RunRepository
from storage.schema import (
    action_reviews,
    action_updates,
    actions,
    agreements,
    answers,
    data_points,
    dialogues,
    flow_runs,
    invites,
    meeting_timers,
    meetings,
    memberships,
    reminders,
    reply_targets,
    teams,
    themes,
    users,
    votes,
)

DONE_REMINDERS = ("sent", "answered", "cancelled", "skipped", "failed")
"""Reminders that will never be sent again: what is left of them is a log."""


@dataclass(frozen=True)
class Cutoffs:
    """Rows from before these instants go (see `PrivacyRepository.purge`)."""

    meetings: datetime
    """Meetings that started before, with everything that belongs to them."""
    answers: datetime
    """Flow runs last touched before, with their answers."""
    free_text: datetime
    """Notes written to follow-up nudges before (the status stays)."""
    logs: datetime
    """Reminders due before that are done, and meeting timers that fired before."""


class PrivacyRepository:
    def __init__(self, engine: AsyncEngine, people: PeopleRepository, runs: RunRepository) -> None:
        self._engine = engine
        self._people = people
        self._runs = runs

    async def everything_about(self, person_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the person, section by section, as plain JSON-ready values.

        Rows of other people are left out: an action shows its description and deadline, not
        who else follows it up.
        """
        sections = _export_queries(person_id)
        async with self._engine.connect() as conn:
            return {
                name: [_plain(row) for row in (await conn.execute(query)).mappings()]
                for name, query in sections.items()
            }

    async def forget(self, person: Person, *, stand_in: str) -> dict[str, int]:
        """Delete the person's answers, runs, votes, reminders and memberships; keep their
        actions, reviews and themes with `stand_in` as the name. Returns rows changed per table.
        """
        await self._runs.drain()  # no pending step write may land after the delete
        changes = _forget_statements(person, stand_in)
        async with self._engine.begin() as conn:
            counts = await _execute(conn, changes)
        self._forget_cached(person.telegram_id, person.id)
        return counts

    async def purge(self, cutoffs: Cutoffs, *, dry_run: bool) -> dict[str, int]:
        """Delete what is older than `cutoffs`; rows per table. A dry run rolls back, so its
        counts are exactly what a real purge would have deleted at this moment."""
        await self._runs.drain()
        async with self._engine.connect() as conn, conn.begin() as transaction:
            stale_users = await _users_with_old_runs(conn, cutoffs)
            counts = await _execute(conn, _purge_statements(cutoffs))
            if dry_run:
                await transaction.rollback()
                return counts
        for user_id in stale_users:
            self._forget_cached(None, user_id)
        return counts

    def _forget_cached(self, telegram_id: int | None, user_id: int) -> None:
        """An entry left in a cache would bring back a forgotten person, or a deleted run."""
        if telegram_id is not None:
            self._people.forget_cached(telegram_id)
        self._runs.forget_cached(user_id)


def _export_queries(person_id: int) -> dict[str, Select]:
    owner_or_follow_up = or_(actions.c.owner_id == person_id, actions.c.follow_up_id == person_id)
    return {
        "profile": select(
            users.c.telegram_id, users.c.display_name, users.c.language, users.c.time_zone,
            users.c.work_start, users.c.work_end, users.c.created_at,
        ).where(users.c.id == person_id),
        "meetings": select(
            meetings.c.id.label("meeting"), meetings.c.title, teams.c.name.label("team"),
            meetings.c.starts_at, memberships.c.role, memberships.c.joined_at,
        )
        .join(meetings, meetings.c.id == memberships.c.meeting_id)
        .join(teams, teams.c.id == meetings.c.team_id)
        .where(memberships.c.user_id == person_id)
        .order_by(meetings.c.starts_at),
        "answers": select(
            flow_runs.c.meeting_id.label("meeting"), flow_runs.c.flow_id.label("form"),
            answers.c.step_id.label("question"), answers.c.value, answers.c.answered_at,
            answers.c.revised_at,
        )
        .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
        .where(flow_runs.c.user_id == person_id)
        .order_by(answers.c.id),
        "themes": select(themes.c.meeting_id.label("meeting"), themes.c.text, themes.c.created_at)
        .where(themes.c.author_id == person_id)
        .order_by(themes.c.id),
        "votes": select(votes.c.meeting_id.label("meeting"), themes.c.text.label("theme"),
                        votes.c.cast_at)
        .join(themes, themes.c.id == votes.c.theme_id)
        .where(votes.c.user_id == person_id)
        .order_by(votes.c.id),
        "actions": select(
            actions.c.meeting_id.label("meeting"), actions.c.description, actions.c.deadline_at,
            actions.c.status, (actions.c.owner_id == person_id).label("is_owner"),
            (actions.c.follow_up_id == person_id).label("is_follow_up"),
        )
        .where(owner_or_follow_up)
        .order_by(actions.c.id),
        "action_updates": select(
            actions.c.description.label("action"), action_updates.c.status, action_updates.c.note,
            action_updates.c.reported_at,
        )
        .join(actions, actions.c.id == action_updates.c.action_id)
        .where(action_updates.c.reported_by == person_id)
        .order_by(action_updates.c.id),
        "action_reviews": select(
            actions.c.description.label("action"), action_reviews.c.outcome,
            action_reviews.c.decision, action_reviews.c.learning, action_reviews.c.reviewed_at,
        )
        .join(actions, actions.c.id == action_reviews.c.action_id)
        .where(action_reviews.c.reviewed_by == person_id)
        .order_by(action_reviews.c.id),
        "reminders": select(
            reminders.c.kind, reminders.c.meeting_id.label("meeting"), reminders.c.due_at,
            reminders.c.status, reminders.c.sent_at,
        )
        .where(reminders.c.user_id == person_id)
        .order_by(reminders.c.due_at),
    }  # fmt: skip


def _forget_statements(person: Person, stand_in: str) -> list[tuple[str, Delete | Update]]:
    own_runs = select(flow_runs.c.id).where(flow_runs.c.user_id == person.id)
    return [
        ("answers", delete(answers).where(answers.c.flow_run_id.in_(own_runs))),
        ("flow_runs", delete(flow_runs).where(flow_runs.c.user_id == person.id)),
        ("reply_targets",
            delete(reply_targets).where(reply_targets.c.chat_id == person.telegram_id)),
        ("votes", delete(votes).where(votes.c.user_id == person.id)),
        ("reminders", delete(reminders).where(reminders.c.user_id == person.id)),
        ("memberships", delete(memberships).where(memberships.c.user_id == person.id)),
        ("actions", update(actions).where(actions.c.owner_id == person.id)
                                   .values(owner_id=None, owner_name=stand_in)),
        ("actions", update(actions).where(actions.c.follow_up_id == person.id)
                                   .values(follow_up_id=None, follow_up_name=stand_in)),
        ("action_updates", update(action_updates).where(action_updates.c.reported_by == person.id)
                                                 .values(reported_by=None, note=None)),
        ("users", update(users).where(users.c.id == person.id)
                               .values(telegram_id=-person.id, display_name=stand_in,
                                       is_reachable=False)),
    ]  # fmt: skip


def _old_runs(cutoffs: Cutoffs) -> Select:
    """Runs of old meetings, and any run not touched since the answers' cutoff."""
    return select(flow_runs.c.id).where(
        or_(flow_runs.c.meeting_id.in_(_old_meetings(cutoffs)),
            flow_runs.c.updated_at < cutoffs.answers)
    )  # fmt: skip


def _old_meetings(cutoffs: Cutoffs) -> Select:
    return select(meetings.c.id).where(meetings.c.starts_at < cutoffs.meetings)


def _purge_statements(cutoffs: Cutoffs) -> list[tuple[str, Delete | Update]]:
    old_meetings = _old_meetings(cutoffs)
    old_actions = select(actions.c.id).where(actions.c.meeting_id.in_(old_meetings))
    old_runs = _old_runs(cutoffs)

    def of_old_meeting(table: Table) -> Delete:
        return delete(table).where(table.c.meeting_id.in_(old_meetings))

    return [
        # Old runs and their answers (those of old meetings among them).
        ("answers", delete(answers).where(answers.c.flow_run_id.in_(old_runs))),
        ("flow_runs", delete(flow_runs).where(flow_runs.c.id.in_(old_runs))),
        # An old meeting and everything hanging off it, children before parents.
        ("reminders", delete(reminders).where(or_(
            reminders.c.meeting_id.in_(old_meetings), reminders.c.action_id.in_(old_actions)))),
        ("invites", delete(invites).where(or_(
            invites.c.meeting_id.in_(old_meetings), invites.c.action_id.in_(old_actions)))),
        ("action_updates",
            delete(action_updates).where(action_updates.c.action_id.in_(old_actions))),
        ("action_reviews", delete(action_reviews).where(or_(
            action_reviews.c.action_id.in_(old_actions),
            action_reviews.c.meeting_id.in_(old_meetings)))),
        ("agreements", update(agreements).where(agreements.c.next_meeting_id.in_(old_meetings))
                                         .values(next_meeting_id=None)),
        ("agreements", of_old_meeting(agreements)),
        ("actions", of_old_meeting(actions)),
        ("votes", of_old_meeting(votes)),
        ("themes", of_old_meeting(themes)),
        ("meeting_timers", of_old_meeting(meeting_timers)),
        ("dialogues", of_old_meeting(dialogues)),
        ("data_points", of_old_meeting(data_points)),
        ("memberships", of_old_meeting(memberships)),
        ("meetings", delete(meetings).where(meetings.c.id.in_(old_meetings))),
        # Free text in follow-up notes fades sooner; the status it came with stays.
        ("action_updates.note", update(action_updates)
            .where(action_updates.c.reported_at < cutoffs.free_text,
                   action_updates.c.note.is_not(None))
            .values(note=None)),
        # Logs: reminders that are done, and timers that have fired.
        ("reminders", delete(reminders).where(
            reminders.c.status.in_(DONE_REMINDERS), reminders.c.due_at < cutoffs.logs)),
        ("meeting_timers", delete(meeting_timers).where(meeting_timers.c.done_at < cutoffs.logs)),
    ]  # fmt: skip


async def _users_with_old_runs(conn: AsyncConnection, cutoffs: Cutoffs) -> list[int]:
    """People whose runs a purge deletes (their cached open runs must go too)."""
    query = select(func.distinct(flow_runs.c.user_id)).where(flow_runs.c.id.in_(_old_runs(cutoffs)))
    return list((await conn.execute(query)).scalars())


async def _execute(
    conn: AsyncConnection, statements: Sequence[tuple[str, Delete | Update]]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table, statement in statements:
        counts[table] = counts.get(table, 0) + (await conn.execute(statement)).rowcount
    return counts


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in row.items()}  # fmt: skip
