"""Nothing lost between Telegram and the database: every update fetched from Telegram is
stored before Telegram is told it arrived (long polling acknowledges a batch only when it asks
for the next one, and that happens after this request returns), handled from there, marked done
when handled (an answer or a dot in the same transaction as the update's own effect), and
handled again at start-up if the bot stopped first. A redelivered update is handled once."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from storage.inbox import InboxRepository

log = logging.getLogger(__name__)


class Inbox:
    """The bot's side of the inbox: which updates it holds, and telling the table."""

    def __init__(self) -> None:
        self._repo: InboxRepository | None = None
        self._clock: Callable[[], datetime] | None = None
        self._pending: set[int] = set()

    def attach(self, repo: InboxRepository, clock: Callable[[], datetime]) -> None:
        self._repo, self._clock = repo, clock

    def holds(self, update_id: int) -> bool:
        return update_id in self._pending

    async def receive(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store fetched updates; the ones to handle now (not those stored before)."""
        if self._repo is None or self._clock is None:
            return updates
        new = await self._repo.receive([(u["update_id"], u) for u in updates], self._clock())
        self._pending.update(new)
        fresh = {u["update_id"]: u for u in updates if u["update_id"] in new}
        return list(fresh.values())  # each once, even when Telegram repeated one in the batch

    def done(self, update_id: int) -> None:
        self._pending.discard(update_id)
        if self._repo is not None and self._clock is not None:
            self._repo.done(update_id, self._clock())

    async def replay(self, application: Application) -> int:
        """At start-up: queue again what the bot was handling when it stopped."""
        if self._repo is None:
            return 0
        unfinished = await self._repo.unfinished()
        for payload in unfinished:
            self._pending.add(payload["update_id"])
            application.update_queue.put_nowait(Update.de_json(payload, application.bot))
        if unfinished:
            log.warning("handling %d updates again that a stop left unfinished", len(unfinished))
        return len(unfinished)


class InboxRequest(BaseRequest):
    """The HTTP client for getUpdates: stores each batch in the inbox before PTB sees it."""

    def __init__(self, inner: BaseRequest, inbox: Inbox) -> None:
        self._inner = inner
        self._inbox = inbox

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await self._inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout,
        )  # fmt: skip
        if code != 200 or not url.endswith("/getUpdates"):
            return code, payload
        answer = json.loads(payload)
        if not answer.get("ok") or not answer.get("result"):
            return code, payload
        answer["result"] = await self._inbox.receive(answer["result"])
        return code, json.dumps(answer).encode()
