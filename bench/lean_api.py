"""A lean fake Bot API for benchmarks: answers like Telegram, records when each chat got a reply.

The test fake (bot.fakeapi) also checks every call against the spec, which costs more than
the handlers being measured; both sides of every ratio here use this lean one instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT = {"id": 7000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
TOKEN = "7000000001:BENCH"


class LeanApi(BaseRequest):
    def __init__(self) -> None:
        self.replies: dict[int, list[float]] = defaultdict(list)
        self.calls: Counter[str] = Counter()
        self.answered: dict[str, float] = {}
        """Callback query id -> when its answer went out."""
        self.edits: list[tuple[int, int, float]] = []
        """(chat, message, when) of every editMessageText."""
        self.sent = 0
        self._message_id = 0
        self._target = 0
        self._reached = asyncio.Event()
        self._answer_target = 0
        self._answered_all = asyncio.Event()

    async def wait_until_sent(self, count: int) -> None:
        """Return once `count` replies in all have gone out."""
        self._target = count
        self._reached.clear()
        if self.sent < count:
            await self._reached.wait()

    async def wait_until_answered(self, count: int) -> None:
        """Return once `count` button taps in all have been answered."""
        self._answer_target = count
        self._answered_all.clear()
        if len(self.answered) < count:
            await self._answered_all.wait()

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        if endpoint == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT}).encode()
        params = request_data.parameters if request_data else {}
        if endpoint == "answerCallbackQuery":
            self.answered[params["callback_query_id"]] = time.perf_counter()
            if len(self.answered) >= self._answer_target:
                self._answered_all.set()
        if endpoint not in ("sendMessage", "editMessageText"):
            return 200, b'{"ok":true,"result":true}'
        chat_id = params["chat_id"]
        if endpoint == "editMessageText":
            self.edits.append((chat_id, params["message_id"], time.perf_counter()))
        self._message_id += 1
        self.sent += 1
        self.replies[chat_id].append(time.perf_counter())
        if self.sent >= self._target:
            self._reached.set()
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "G"}
        result = {
            "message_id": self._message_id,
            "date": 0,
            "chat": chat,
            "from": BOT,
            "text": "ok",
        }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def text_update(update_id: int, user_id: int, text: str, bot) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}", "language_code": "da"}
    message = {"message_id": update_id, "date": 0, "chat": {"id": user_id, "type": "private"},
               "from": user, "text": text}  # fmt: skip
    return Update.de_json({"update_id": update_id, "message": message}, bot)
