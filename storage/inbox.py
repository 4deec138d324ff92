"""The update inbox: an update is stored before Telegram is told it arrived, and is done once
its effects are. Which update a write completes travels with the task that handles it, so the
hot writes (an answer, a dot) mark it done in their own transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.group_commit import GroupCommitter
from storage.prepared import PreparedStatement
from storage.schema import inbox

_handling: ContextVar[int | None] = ContextVar("handling_update", default=None)

MARK_DONE = (
    update(inbox)
    .where(inbox.c.update_id == bindparam("b_update"), inbox.c.done_at.is_(None))
    .values(done_at=bindparam("b_now", type_=inbox.c.done_at.type), payload=null())
)


@contextmanager
def handling(update_id: int) -> Iterator[None]:
    """Writes made while handling this update may mark it done with their own commit."""
    token = _handling.set(update_id)
    try:
        yield
    finally:
        _handling.reset(token)


def handled_update() -> int | None:
    return _handling.get()


class InboxRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._mark_done = PreparedStatement(MARK_DONE, engine.dialect)
        self._marks: GroupCommitter[tuple[int, datetime]] = GroupCommitter(engine, self._flush)

    async def receive(
        self, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime
    ) -> set[int]:
        """Store updates fetched from Telegram; the ids that are new (a redelivered update,
        already stored, is handled from the inbox and must not be handled twice)."""
        if not updates:
            return set()
        batch = dict(updates)  # Telegram may repeat an update within one batch after a stop
        ids = list(batch)
        async with self._engine.begin() as conn:
            known = set(
                (await conn.execute(select(inbox.c.update_id).where(inbox.c.update_id.in_(ids))))
                .scalars()
                .all()
            )
            new = [
                {"update_id": update_id, "payload": payload, "received_at": now}
                for update_id, payload in batch.items()
                if update_id not in known
            ]
            if new:
                await conn.execute(inbox.insert(), new)
        return {row["update_id"] for row in new}

    def done(self, update_id: int, now: datetime) -> None:
        """Mark an update done with the next batch of marks, without waiting: an answer or a
        dot was marked in its own transaction already; for the rest, a stop before this batch
        means the update is handled again (at least once)."""
        self._marks.submit_later((update_id, now))

    async def drain(self) -> None:
        await self._marks.drain()

    async def _flush(self, conn: AsyncConnection, marks: Sequence[tuple[int, datetime]]) -> None:
        rows = [{"b_update": update_id, "b_now": now} for update_id, now in marks]
        await self._mark_done.execute_many(conn, rows)

    async def unfinished(self) -> list[dict[str, Any]]:
        """Updates stored but not done (the bot stopped while handling them), oldest first."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(inbox.c.payload).where(inbox.c.done_at.is_(None)).order_by(inbox.c.update_id)
            )
            return [payload for payload in rows.scalars() if payload is not None]

    async def forget_done(self, before: datetime) -> int:
        async with self._engine.begin() as conn:
            removed = await conn.execute(delete(inbox).where(inbox.c.done_at < before))
        return removed.rowcount
