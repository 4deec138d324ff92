"""Themes the group collects in Explore, and the dots they get in Interpret."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    Insert,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.inbox import MARK_DONE, handled_update
from storage.prepared import PreparedStatement
from storage.records import Theme
from storage.schema import UTCDateTime, dialogues, memberships, themes, votes

CastResult = Literal["cast", "no_dots_left", "vote_closed", "unknown_theme", "not_a_voter"]


@dataclass(frozen=True)
class Cast:
    """What a tap on a theme did, with what the voter is told about it."""

    result: CastResult
    meeting_id: int | None = None
    theme_text: str = ""
    used: int = 0
    budget: int = 0
    role: str | None = None


def _cast_statements(voter_roles: tuple[str, ...]) -> tuple[Insert, Select]:
    """The dot's guarded INSERT, and the read that says what happened, with bind parameters."""
    theme_id, voter_id = bindparam("theme_id", type_=Integer), bindparam("voter_id", type_=Integer)
    meeting = select(themes.c.meeting_id).where(themes.c.id == theme_id).scalar_subquery()
    dialogue = dialogues.c.meeting_id == meeting
    guards = and_(
        exists().where(dialogue, dialogues.c.vote_status == "open"),
        exists().where(themes.c.id == theme_id, themes.c.merged_into.is_(None)),
        exists().where(
            memberships.c.meeting_id == meeting,
            memberships.c.user_id == voter_id,
            or_(*(memberships.c.role == role for role in voter_roles)),
        ),
        _used(meeting, voter_id)
        < select(dialogues.c.dots_per_person).where(dialogue).scalar_subquery(),
    )
    source = select(meeting, theme_id, voter_id, bindparam("now", type_=UTCDateTime)).where(guards)
    insert = votes.insert().from_select(["meeting_id", "theme_id", "user_id", "cast_at"], source)
    read = (
        select(
            themes.c.meeting_id,
            themes.c.text,
            themes.c.merged_into,
            dialogues.c.vote_status,
            dialogues.c.dots_per_person,
            memberships.c.role,
            _used(themes.c.meeting_id, voter_id),
        )
        .join(dialogues, dialogues.c.meeting_id == themes.c.meeting_id)
        .outerjoin(
            memberships,
            and_(
                memberships.c.meeting_id == themes.c.meeting_id,
                memberships.c.user_id == voter_id,
            ),
        )
        .where(themes.c.id == theme_id)
    )
    return insert, read


def _used(meeting_id, voter_id):
    """How many dots the voter has placed in the meeting (a scalar subquery)."""
    return (
        select(func.count())
        .select_from(votes)
        .where(votes.c.meeting_id == meeting_id, votes.c.user_id == voter_id)
        .scalar_subquery()
    )


class ThemeRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._prepared_casts: dict[
            tuple[str, ...], tuple[PreparedStatement, PreparedStatement]
        ] = {}
        self._inbox_done = PreparedStatement(MARK_DONE, engine.dialect)
        self._dot_writes = asyncio.Lock()
        """Dots are written one at a time in this process. Without it, concurrent taps meet at
        SQLite's write lock, whose busy handler sleeps in growing steps. Measured with
        bench/vote_storm (150 taps in one second), p95 from tap to stored dot: 30-280 ms
        without this lock, 3-7 ms with it and the statements compiled once."""

    async def add(self, meeting_id: int, author_id: int, text: str, now: datetime) -> Theme:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                themes.insert().values(
                    meeting_id=meeting_id, author_id=author_id, text=text, created_at=now
                )
            )
        return Theme(result.inserted_primary_key[0], meeting_id, author_id, text, None)

    async def get(self, theme_id: int) -> Theme | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(themes).where(themes.c.id == theme_id))).first()
        return _theme(row) if row else None

    async def current(self, meeting_id: int) -> list[Theme]:
        """The meeting's themes that were not merged into another, oldest first."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(themes)
                .where(themes.c.meeting_id == meeting_id, themes.c.merged_into.is_(None))
                .order_by(themes.c.id)
            )
            return [_theme(row) for row in result]

    async def merged(self, meeting_id: int) -> list[Theme]:
        """The meeting's themes that were merged into another, oldest first."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(themes)
                .where(themes.c.meeting_id == meeting_id, themes.c.merged_into.is_not(None))
                .order_by(themes.c.id)
            )
            return [_theme(row) for row in result]

    async def authors(self, meeting_id: int) -> set[int]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(themes.c.author_id).where(themes.c.meeting_id == meeting_id).distinct()
            )
            return set(result.scalars())

    async def merge(self, duplicate: Theme, into: Theme) -> bool:
        """Fold a duplicate into another theme of the same meeting, dots included."""
        if duplicate.meeting_id != into.meeting_id or duplicate.id == into.id:
            return False
        async with self._engine.begin() as conn:
            merged = await conn.execute(
                update(themes)
                .where(themes.c.id == duplicate.id, themes.c.merged_into.is_(None))
                .values(merged_into=into.id)
            )
            if merged.rowcount == 0:
                return False
            await conn.execute(
                update(votes).where(votes.c.theme_id == duplicate.id).values(theme_id=into.id)
            )
        return True

    async def cast(
        self, theme_id: int, voter_id: int, now: datetime, *, voter_roles: tuple[str, ...]
    ) -> Cast:
        """Put one dot on a theme.

        One INSERT … SELECT checks that the vote is open, the theme current, the voter holds a
        voting role and has a dot left, so no interleaving of taps can break the budget (on
        SQLite the statement holds the write lock while it checks; each person's taps are also
        handled in order by bot.ordering, so on PostgreSQL one voter never races themself).
        A vote storm runs through here, so it is two statements compiled once, on one connection.
        """
        insert, read = self._cast_statements(voter_roles)
        values = {"theme_id": theme_id, "voter_id": voter_id, "now": now}
        update_id = handled_update()
        async with self._engine.connect() as conn:
            async with self._dot_writes:
                inserted = await insert.execute(conn, values)
                if update_id is not None:  # the tap's inbox row is done with its dot
                    await self._inbox_done.execute(conn, {"b_update": update_id, "b_now": now})
                await conn.commit()
            state = (await read.execute(conn, values)).first()
        if state is None:
            return Cast("unknown_theme")
        meeting_id, text, merged_into, status, budget, role, used = state
        if inserted.rowcount == 1:
            result: CastResult = "cast"
        elif role not in voter_roles:
            result = "not_a_voter"
        elif status != "open":
            result = "vote_closed"
        elif merged_into is not None:
            result = "unknown_theme"
        else:
            result = "no_dots_left"
        return Cast(result, meeting_id, text, used, budget, role)

    def _cast_statements(
        self, voter_roles: tuple[str, ...]
    ) -> tuple[PreparedStatement, PreparedStatement]:
        if voter_roles not in self._prepared_casts:
            insert, read = _cast_statements(voter_roles)
            dialect = self._engine.dialect
            self._prepared_casts[voter_roles] = (
                PreparedStatement(insert, dialect),
                PreparedStatement(read, dialect),
            )
        return self._prepared_casts[voter_roles]

    async def take_back(self, meeting_id: int, voter_id: int) -> int | None:
        """Remove the voter's newest dot while the vote is open; the theme it was on, or None."""
        async with self._dot_writes, self._engine.begin() as conn:
            status = (
                await conn.execute(
                    select(dialogues.c.vote_status).where(dialogues.c.meeting_id == meeting_id)
                )
            ).scalar()
            if status != "open":
                return None
            newest = (
                await conn.execute(
                    select(votes.c.id, votes.c.theme_id)
                    .where(votes.c.meeting_id == meeting_id, votes.c.user_id == voter_id)
                    .order_by(votes.c.id.desc())
                    .limit(1)
                )
            ).first()
            if newest is None:
                return None
            await conn.execute(delete(votes).where(votes.c.id == newest.id))
        return newest.theme_id

    async def votes(self, meeting_id: int) -> list[tuple[int, int]]:
        """Every stored dot as (theme, voter)."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(votes.c.theme_id, votes.c.user_id).where(votes.c.meeting_id == meeting_id)
            )
            return [(row.theme_id, row.user_id) for row in result]

    async def dots_of(self, meeting_id: int, voter_id: int) -> Counter[int]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(votes.c.theme_id).where(
                    votes.c.meeting_id == meeting_id, votes.c.user_id == voter_id
                )
            )
            return Counter(result.scalars())

    async def voter_count(self, meeting_id: int) -> int:
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    select(func.count(votes.c.user_id.distinct())).where(
                        votes.c.meeting_id == meeting_id
                    )
                )
            ).scalar_one()


def _theme(row) -> Theme:
    return Theme(row.id, row.meeting_id, row.author_id, row.text, row.merged_into)
