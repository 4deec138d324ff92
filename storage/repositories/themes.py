"""Themes the group collects in Explore, and the dots they get in Interpret."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.records import Theme
from storage.schema import UTCDateTime, dialogues, themes, votes

CastResult = Literal["cast", "no_dots_left", "vote_closed", "unknown_theme"]


class ThemeRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
        self, meeting_id: int, theme_id: int, voter_id: int, budget: int, now: datetime
    ) -> CastResult:
        """Put one dot on a theme: one INSERT … SELECT that checks the vote is open, the theme
        is current and the voter has a dot left, so no interleaving can break the budget.

        (On SQLite the statement holds the write lock while it checks. Each person's taps are
        handled in order by bot.ordering, so on PostgreSQL too one voter never races itself.)
        """
        vote_open = exists().where(
            dialogues.c.meeting_id == meeting_id, dialogues.c.vote_status == "open"
        )
        theme_current = exists().where(
            themes.c.id == theme_id,
            themes.c.meeting_id == meeting_id,
            themes.c.merged_into.is_(None),
        )
        used = (
            select(func.count())
            .select_from(votes)
            .where(votes.c.meeting_id == meeting_id, votes.c.user_id == voter_id)
            .scalar_subquery()
        )
        source = select(
            literal(meeting_id), literal(theme_id), literal(voter_id), literal(now, UTCDateTime)
        ).where(and_(vote_open, theme_current, used < budget))
        async with self._engine.begin() as conn:
            inserted = await conn.execute(
                votes.insert().from_select(["meeting_id", "theme_id", "user_id", "cast_at"], source)
            )
            if inserted.rowcount == 1:
                return "cast"
            status = (
                await conn.execute(
                    select(dialogues.c.vote_status).where(dialogues.c.meeting_id == meeting_id)
                )
            ).scalar()
            if status != "open":
                return "vote_closed"
            current = (await conn.execute(select(literal(1)).where(theme_current))).first()
        return "no_dots_left" if current else "unknown_theme"

    async def take_back(self, meeting_id: int, voter_id: int) -> int | None:
        """Remove the voter's newest dot while the vote is open; the theme it was on, or None."""
        async with self._engine.begin() as conn:
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
