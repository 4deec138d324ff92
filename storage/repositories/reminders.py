"""The reminders table: what the bot owes whom and when. The scheduler derives from this.

A reminder goes scheduled -> sending -> sent (or answered, cancelled, skipped, failed). It is
claimed ("sending") in its own commit before Telegram is called and marked "sent" right after,
so a reminder recorded as sent is never sent again, and one that was due while the bot was down
is still "scheduled" at start-up and goes out then, once. Only a crash in the instant between
Telegram accepting a message and our commit leaves a reminder "sending"; start-up sends those
again (at least once beats never: exactly once would need an idempotency key Telegram lacks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.records import Reminder
from storage.schema import action_updates, reminders

SCHEDULED, SENDING, SENT = "scheduled", "sending", "sent"
ANSWERED, CANCELLED, SKIPPED, FAILED = "answered", "cancelled", "skipped", "failed"


@dataclass(frozen=True)
class NewReminder:
    kind: str
    user_id: int
    due_at: datetime
    time_zone: str
    meeting_id: int | None = None
    action_id: int | None = None


class ReminderRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def schedule(self, new: Sequence[NewReminder], now: datetime) -> None:
        if not new:
            return
        rows = [
            {"kind": r.kind, "user_id": r.user_id, "meeting_id": r.meeting_id,
             "action_id": r.action_id, "planned_at": r.due_at, "due_at": r.due_at,
             "time_zone": r.time_zone, "status": SCHEDULED, "attempts": 0, "created_at": now}
            for r in new
        ]  # fmt: skip
        async with self._engine.begin() as conn:
            await conn.execute(reminders.insert(), rows)

    async def cancel(
        self,
        *,
        reminder_id: int | None = None,
        meeting_id: int | None = None,
        action_id: int | None = None,
        kinds: Sequence[str] | None = None,
    ) -> int:
        """Cancel what is still scheduled (one reminder, a meeting's, an action's); how many."""
        query = update(reminders).where(reminders.c.status == SCHEDULED)
        if reminder_id is not None:
            query = query.where(reminders.c.id == reminder_id)
        if meeting_id is not None:
            query = query.where(reminders.c.meeting_id == meeting_id)
        if action_id is not None:
            query = query.where(reminders.c.action_id == action_id)
        if kinds is not None:
            query = query.where(reminders.c.kind.in_(kinds))
        async with self._engine.begin() as conn:
            return (await conn.execute(query.values(status=CANCELLED))).rowcount

    async def get(self, reminder_id: int) -> Reminder | None:
        async with self._engine.connect() as conn:
            query = select(reminders).where(reminders.c.id == reminder_id)
            row = (await conn.execute(query)).mappings().first()
        return _reminder(row) if row else None

    async def due(self, now: datetime, limit: int) -> list[Reminder]:
        """The next scheduled reminders that are due, oldest first."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(reminders)
                .where(reminders.c.status == SCHEDULED, reminders.c.due_at <= now)
                .order_by(reminders.c.due_at, reminders.c.id)
                .limit(limit)
            )
            return [_reminder(row) for row in result.mappings()]

    async def next_due_at(self) -> datetime | None:
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    select(func.min(reminders.c.due_at)).where(reminders.c.status == SCHEDULED)
                )
            ).scalar()

    async def recover_in_flight(self) -> int:
        """At start-up: reminders a crash left "sending" are scheduled again (see module doc)."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(reminders).where(reminders.c.status == SENDING).values(status=SCHEDULED)
            )
        return result.rowcount

    async def claim(self, batch: Sequence[Reminder]) -> list[Reminder]:
        """Scheduled -> sending, committed before Telegram is called; those not already taken.

        A batch is claimed at once: one that is claimed but not yet sent when the bot dies is
        simply scheduled again at start-up, since it was never recorded as sent."""
        ids = [reminder.id for reminder in batch]
        async with self._engine.begin() as conn:
            claimed = await conn.execute(
                update(reminders)
                .where(reminders.c.id.in_(ids), reminders.c.status == SCHEDULED)
                .values(status=SENDING, attempts=reminders.c.attempts + 1)
                .returning(reminders.c.id)
            )
            taken = set(claimed.scalars())
        return [reminder for reminder in batch if reminder.id in taken]

    async def finish(
        self, reminder: Reminder, status: str, now: datetime, message_id: int | None = None
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(reminders)
                .where(reminders.c.id == reminder.id)
                .values(status=status, sent_at=now, message_id=message_id)
            )

    async def earlier_nudge_messages(self, newest: Reminder) -> list[tuple[int, int]]:
        """(reminder id, message id) of the nudges planned before `newest` about the same
        action, sent to the same person, whose messages may still show buttons. Only earlier
        ones: two nudges sent side by side (one late after a stop) must not strip each other."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(reminders.c.id, reminders.c.message_id).where(
                    reminders.c.action_id == newest.action_id,
                    reminders.c.user_id == newest.user_id,
                    reminders.c.kind == "nudge",
                    or_(
                        reminders.c.planned_at < newest.planned_at,
                        and_(
                            reminders.c.planned_at == newest.planned_at,
                            reminders.c.id < newest.id,
                        ),
                    ),
                    reminders.c.status.in_((SENT, ANSWERED)),
                    reminders.c.message_id.is_not(None),
                )
            )
            return [(row.id, row.message_id) for row in rows]

    async def newer_nudge_due(self, nudge: Reminder, now: datetime) -> bool:
        """Whether a later nudge about the same action is due by now too (after a stop, the
        late one is left out: one question to answer, not two)."""
        async with self._engine.connect() as conn:
            found = await conn.execute(
                select(reminders.c.id)
                .where(
                    reminders.c.action_id == nudge.action_id,
                    reminders.c.user_id == nudge.user_id,
                    reminders.c.kind == "nudge",
                    reminders.c.planned_at > nudge.planned_at,
                    reminders.c.due_at <= now,
                    reminders.c.status.in_((SCHEDULED, SENDING, SENT)),
                )
                .limit(1)
            )
            return found.first() is not None

    async def forget_message(self, reminder_id: int) -> None:
        """The reminder's message no longer carries buttons (a newer one replaced it)."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(reminders).where(reminders.c.id == reminder_id).values(message_id=None)
            )

    async def retry(self, reminder: Reminder, due_at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(reminders)
                .where(reminders.c.id == reminder.id)
                .values(status=SCHEDULED, due_at=due_at)
            )

    async def bring_forward(self, action_id: int, kind: str, due_at: datetime) -> int:
        """Move an action's scheduled reminders of a kind to `due_at` if they were later."""
        async with self._engine.begin() as conn:
            moved = await conn.execute(
                update(reminders)
                .where(
                    reminders.c.action_id == action_id,
                    reminders.c.kind == kind,
                    reminders.c.status == SCHEDULED,
                    reminders.c.due_at > due_at,
                )
                .values(due_at=due_at, planned_at=due_at)
            )
        return moved.rowcount

    async def scheduled_for(
        self, meeting_ids: Sequence[int], limit: int, offset: int = 0
    ) -> tuple[list[Reminder], int]:
        """A page of what is still to be sent for these meetings (and their actions), soonest
        first, and how many there are in all."""
        scheduled = and_(reminders.c.status == SCHEDULED, reminders.c.meeting_id.in_(meeting_ids))
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(reminders)
                .where(scheduled)
                .order_by(reminders.c.due_at, reminders.c.id)
                .limit(limit)
                .offset(offset)
            )
            page = [_reminder(row) for row in result.mappings()]
            total = (await conn.execute(select(func.count()).where(scheduled))).scalar_one()
        return page, total

    async def answered(self, action_id: int) -> None:
        """The owner answered: their sent nudges count as answered, waiting escalations go."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(reminders)
                .where(
                    reminders.c.action_id == action_id,
                    reminders.c.kind == "nudge",
                    reminders.c.status == SENT,
                )
                .values(status=ANSWERED)
            )
            await conn.execute(
                update(reminders)
                .where(
                    reminders.c.action_id == action_id,
                    reminders.c.kind.in_(("silence", "escalation")),
                    reminders.c.status == SCHEDULED,
                )
                .values(status=CANCELLED)
            )

    async def silence(self, action_id: int) -> tuple[int, bool]:
        """Since the owner last answered: how many nudges were sent, and whether the follow-up
        person has already been (or is about to be) told of the silence."""
        last_answer = (
            select(func.max(action_updates.c.reported_at))
            .where(action_updates.c.action_id == action_id)
            .scalar_subquery()
        )
        since = func.coalesce(last_answer, reminders.c.created_at)
        about = and_(reminders.c.action_id == action_id, since <= reminders.c.created_at)
        async with self._engine.connect() as conn:
            nudges = (
                await conn.execute(
                    select(func.count()).where(
                        reminders.c.action_id == action_id,
                        reminders.c.kind == "nudge",
                        reminders.c.status == SENT,
                        since <= reminders.c.sent_at,
                    )
                )
            ).scalar_one()
            told = (
                await conn.execute(
                    select(func.count()).where(
                        about,
                        reminders.c.kind == "silence",
                        reminders.c.status.in_((SCHEDULED, SENDING, SENT)),
                    )
                )
            ).scalar_one()
        return nudges, told > 0


def _reminder(row: RowMapping) -> Reminder:
    return Reminder(
        id=row["id"],
        kind=row["kind"],
        user_id=row["user_id"],
        meeting_id=row["meeting_id"],
        action_id=row["action_id"],
        planned_at=row["planned_at"],
        due_at=row["due_at"],
        status=row["status"],
        attempts=row["attempts"],
    )
