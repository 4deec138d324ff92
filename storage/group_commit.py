"""Group commit: writes from concurrent handlers share one transaction and one commit.

Each caller awaits its own write's commit, so an answer is durable before its reply is sent;
callers that arrive while a batch is committing form the next batch. With one caller at a time
this is a plain transaction per write; under load it saves a round trip and a commit per write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Flush = Callable[[AsyncConnection, Sequence[Item]], Awaitable[None]]


class GroupCommitter(Generic[Item]):
    def __init__(self, engine: AsyncEngine, flush: Flush[Item]) -> None:
        self._engine = engine
        self._flush = flush
        self._waiting: list[tuple[Item, asyncio.Future[None] | None]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> None:
        """Write `item`; returns once it is committed, raises if its transaction failed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        self._wake()
        await future

    def submit_later(self, item: Item) -> None:
        """Write `item` with the next batch, without waiting (for hints that may be lost)."""
        self._waiting.append((item, None))
        self._wake()

    async def drain(self) -> None:
        """Wait until everything submitted so far is written (used at shutdown)."""
        while self._worker is not None:
            await asyncio.shield(self._worker)

    def _wake(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._write(batch)
        finally:
            self._worker = None

    async def _write(self, batch: list[tuple[Item, asyncio.Future[None] | None]]) -> None:
        try:
            async with self._engine.begin() as conn:
                await self._flush(conn, [item for item, _ in batch])
        except Exception as batch_error:
            if len(batch) == 1:
                _settle(batch, batch_error)
                return
            # One bad write must not fail its neighbours: retry each on its own.
            for single in batch:
                await self._write([single])
            return
        _settle(batch, None)


def _settle(batch: Sequence[tuple[object, asyncio.Future[None] | None]], error) -> None:
    for _, future in batch:
        if future is None:
            if error is not None:
                log.warning("a deferred write was lost: %s", error)
        elif not future.done():
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
