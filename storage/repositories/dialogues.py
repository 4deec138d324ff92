"""A meeting's dialogue: its linked group, phase and clock, reply targets and pending timers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.records import Dialogue, Person, Timer
from storage.repositories.people import person_from_row
from storage.schema import dialogues, meeting_timers, meetings, memberships, reply_targets, users


class DialogueRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def link(
        self,
        meeting_id: int,
        group_chat_id: int,
        person: Person,
        now: datetime,
        *,
        timeboxes: Sequence[int],
        dots: int,
    ) -> Dialogue:
        """Tie the meeting to a group; linking again (e.g. from another group) moves it there."""
        async with self._engine.begin() as conn:
            moved = await conn.execute(
                update(dialogues)
                .where(dialogues.c.meeting_id == meeting_id)
                .values(group_chat_id=group_chat_id, linked_by=person.id, linked_at=now)
            )
            if moved.rowcount == 0:
                await insert_dialogue(
                    conn, meeting_id, group_chat_id, person.id, now, timeboxes=timeboxes, dots=dots
                )
        dialogue = await self.get(meeting_id)
        assert dialogue is not None
        return dialogue

    async def unlink(self, meeting_id: int) -> bool:
        """Free the group of a meeting whose dialogue has not started; False if it has."""
        async with self._engine.begin() as conn:
            removed = await conn.execute(
                delete(dialogues).where(
                    dialogues.c.meeting_id == meeting_id, dialogues.c.started_at.is_(None)
                )
            )
        return removed.rowcount == 1

    async def get(self, meeting_id: int) -> Dialogue | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(dialogues).where(dialogues.c.meeting_id == meeting_id)
            )
            row = result.mappings().first()
        return _dialogue(row) if row else None

    async def for_group(self, group_chat_id: int, *, started: bool = False) -> Dialogue | None:
        """The group's current meeting: one under way, else the soonest one not finished (an
        agreement links the next meeting at once, months ahead), else the newest finished.

        With `started`, the meeting whose dialogue began most recently (for its minutes).
        """
        query = select(dialogues).where(dialogues.c.group_chat_id == group_chat_id)
        if started:
            query = query.where(dialogues.c.started_at.is_not(None)).order_by(
                dialogues.c.started_at.desc()
            )
        else:
            finished = dialogues.c.finished_at.is_not(None)
            query = (
                query.join(meetings, meetings.c.id == dialogues.c.meeting_id)
                .with_only_columns(dialogues)
                .order_by(
                    finished,
                    dialogues.c.started_at.is_(None),
                    case((finished, None), else_=meetings.c.starts_at).asc(),
                    dialogues.c.linked_at.desc(),
                )
            )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query.limit(1))).mappings().first()
        return _dialogue(row) if row else None

    async def change(
        self, meeting_id: int, *, expected_revision: int | None = None, **values: Any
    ) -> Dialogue | None:
        """Update fields; with `expected_revision`, only if nobody moved the phase meanwhile.

        Returns the new state, or None when the revision no longer matched (a double tap, or
        two leaders pressing Next at once): the second press must not skip a phase.
        """
        query = update(dialogues).where(dialogues.c.meeting_id == meeting_id)
        if expected_revision is not None:
            query = query.where(dialogues.c.revision == expected_revision)
            values["revision"] = expected_revision + 1
        async with self._engine.begin() as conn:
            changed = await conn.execute(query.values(**values))
        if changed.rowcount == 0:
            return None
        return await self.get(meeting_id)

    async def open_vote(self, meeting_id: int) -> bool:
        """Open the dot vote once; a vote that was closed stays closed."""
        async with self._engine.begin() as conn:
            opened = await conn.execute(
                update(dialogues)
                .where(dialogues.c.meeting_id == meeting_id, dialogues.c.vote_status == "not_open")
                .values(vote_status="open")
            )
        return opened.rowcount == 1

    async def unfinished_steps(self) -> list[Dialogue]:
        """Dialogues under way whose last step a crash may have left half-done: Explore or
        Interpret without their message, or a closed vote without its results."""
        query = select(dialogues).where(
            dialogues.c.started_at.is_not(None),
            dialogues.c.finished_at.is_(None),
            or_(
                and_(dialogues.c.phase == "explore", dialogues.c.themes_message_id.is_(None)),
                and_(
                    dialogues.c.phase == "interpret",
                    dialogues.c.ballot_message_id.is_(None),
                    dialogues.c.vote_status != "closed",
                ),
                and_(dialogues.c.vote_status == "closed", dialogues.c.results_posted_at.is_(None)),
            ),
        )
        async with self._engine.connect() as conn:
            return [_dialogue(row) for row in (await conn.execute(query)).mappings()]

    async def close_vote(self, meeting_id: int) -> bool:
        async with self._engine.begin() as conn:
            closed = await conn.execute(
                update(dialogues)
                .where(dialogues.c.meeting_id == meeting_id, dialogues.c.vote_status == "open")
                .values(vote_status="closed")
            )
        return closed.rowcount == 1

    async def members(self, meeting_id: int) -> list[tuple[Person, str]]:
        """Everyone in the meeting with their role, leader first, then by name."""
        order = {"leader": 0, "referent": 1, "participant": 2, "observer": 3}
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(users, memberships.c.role)
                .join(memberships, memberships.c.user_id == users.c.id)
                .where(memberships.c.meeting_id == meeting_id)
                .order_by(users.c.display_name, users.c.id)
            )
            rows = [(person_from_row(row), row["role"]) for row in result.mappings()]
        return sorted(rows, key=lambda pair: order.get(pair[1], 9))

    # Replies to the bot's group messages (privacy mode shows the bot only these) -------------

    async def remember_reply_target(
        self, chat_id: int, message_id: int, kind: str, ref_id: int
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                reply_targets.insert().values(
                    chat_id=chat_id, message_id=message_id, kind=kind, ref_id=ref_id
                )
            )

    async def reply_target(self, chat_id: int, message_id: int) -> tuple[str, int] | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(reply_targets.c.kind, reply_targets.c.ref_id).where(
                        reply_targets.c.chat_id == chat_id,
                        reply_targets.c.message_id == message_id,
                    )
                )
            ).first()
        return (row.kind, row.ref_id) if row else None

    # Timers: timebox warnings and coalesced panel edits, re-armed after a restart ------------

    async def add_timer(self, meeting_id: int, kind: str, target: str, due_at: datetime) -> Timer:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                meeting_timers.insert().values(
                    meeting_id=meeting_id, kind=kind, target=target, due_at=due_at
                )
            )
        return Timer(result.inserted_primary_key[0], meeting_id, kind, target, due_at)

    async def cancel_timers(self, meeting_id: int, kinds: Sequence[str]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(meeting_timers).where(
                    meeting_timers.c.meeting_id == meeting_id,
                    meeting_timers.c.kind.in_(kinds),
                    meeting_timers.c.done_at.is_(None),
                )
            )

    async def pending_timers(self, *, due_by: datetime | None = None) -> list[Timer]:
        query = select(meeting_timers).where(meeting_timers.c.done_at.is_(None))
        if due_by is not None:
            query = query.where(meeting_timers.c.due_at <= due_by)
        async with self._engine.connect() as conn:
            result = await conn.execute(
                query.order_by(meeting_timers.c.due_at, meeting_timers.c.id)
            )
            return [_timer(row) for row in result.mappings()]

    async def claim_timer(self, timer: Timer, now: datetime) -> bool:
        """Mark a timer done; False if another firing already did (so it acts exactly once)."""
        async with self._engine.begin() as conn:
            claimed = await conn.execute(
                update(meeting_timers)
                .where(meeting_timers.c.id == timer.id, meeting_timers.c.done_at.is_(None))
                .values(done_at=now)
            )
        return claimed.rowcount == 1

    async def release_timer(self, timer: Timer) -> None:
        """Undo a claim whose action failed, so the next firing tries again."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(meeting_timers).where(meeting_timers.c.id == timer.id).values(done_at=None)
            )


def _dialogue(row: RowMapping) -> Dialogue:
    return Dialogue(
        meeting_id=row["meeting_id"],
        group_chat_id=row["group_chat_id"],
        phase=row["phase"],
        revision=row["revision"],
        paused=row["paused"],
        phase_started_at=row["phase_started_at"],
        phase_elapsed_s=row["phase_elapsed_s"],
        timeboxes=tuple(row["timeboxes"]),
        panel_message_id=row["panel_message_id"],
        themes_message_id=row["themes_message_id"],
        ballot_message_id=row["ballot_message_id"],
        leader_turn=row["leader_turn"],
        dots_per_person=row["dots_per_person"],
        vote_status=row["vote_status"],
        chosen_theme_id=row["chosen_theme_id"],
        area_note=row["area_note"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        results_posted_at=row["results_posted_at"],
    )


def _timer(row: RowMapping) -> Timer:
    return Timer(row["id"], row["meeting_id"], row["kind"], row["target"], row["due_at"])


async def insert_dialogue(
    conn: AsyncConnection,
    meeting_id: int,
    group_chat_id: int,
    linked_by: int,
    now: datetime,
    *,
    timeboxes: Sequence[int],
    dots: int,
) -> None:
    """A meeting's dialogue as it stands before it starts, in the group it is linked to."""
    await conn.execute(
        dialogues.insert().values(
            meeting_id=meeting_id,
            group_chat_id=group_chat_id,
            linked_by=linked_by,
            linked_at=now,
            phase="not_started",
            revision=0,
            paused=False,
            phase_elapsed_s=0,
            timeboxes=list(timeboxes),
            leader_turn=False,
            dots_per_person=dots,
            vote_status="not_open",
        )
    )


async def copy_group(
    conn: AsyncConnection, from_meeting: int, to_meeting: int, now: datetime
) -> None:
    """Link `to_meeting` to the group of `from_meeting`, with its timeboxes and dots."""
    current = (
        (await conn.execute(select(dialogues).where(dialogues.c.meeting_id == from_meeting)))
        .mappings()
        .first()
    )
    if current is not None:
        await insert_dialogue(
            conn, to_meeting, current["group_chat_id"], current["linked_by"], now,
            timeboxes=current["timeboxes"], dots=current["dots_per_person"],
        )  # fmt: skip
