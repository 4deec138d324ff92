"""A lean fake Bot API for benchmarks: answers like Telegram, records what each chat got, when.

The test fake (bot.fakeapi) also checks every call against the spec, which costs more than
the handlers being measured; both sides of every ratio here use this lean one instead.

This module imports only the standard library and python-telegram-bot, nothing of Datadialog's
(bot, flows, storage), so the bare PTB baselines can use it too; `bench.cold_start` checks that
in the baseline's own process.

A reply counts only if it is the right one: a bench says what each chat should get next with
`expect(chat, check)`, and `right[chat]` is the moment the first reply passing `check` arrived
there; replies that fail the check are counted in `wrong`. Button taps are right when their
own query id is answered once, with the text the bench expected (`expect_answer`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

BOT = {"id": 7000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
TOKEN = "7000000001:BENCH"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Check = Callable[[str], bool]
_NO_TEXT = object()


def png_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, or None if `content` is not one."""
    if not content.startswith(PNG_SIGNATURE) or content[12:16] != b"IHDR":
        return None
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")


class LeanApi(BaseRequest):
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.texts: dict[int, list[tuple[float, str]]] = defaultdict(list)
        """Chat -> (when, text) of every sendMessage and editMessageText, in order."""
        self.photos: dict[int, list[tuple[float, bytes, str | None]]] = defaultdict(list)
        """Chat -> (when, PNG bytes, caption) of every photo sent (alone or in an album)."""
        self.edits: list[tuple[int, int, float]] = []
        """(chat, message, when) of every editMessageText."""
        self.answered: dict[str, float] = {}
        """Callback query id -> when its (first) answer went out."""
        self.answer_texts: dict[str, str | None] = {}
        self.answered_twice = 0
        self.right: dict[int, float] = {}
        """Chat -> when the reply the bench expected there arrived."""
        self.wrong: Counter[int] = Counter()
        """Chat -> replies that arrived while a right one was awaited, and were not it."""
        self.wrong_samples: list[str] = []
        self.right_answers: dict[str, float] = {}
        """Query id -> when it was answered, if with the expected text."""
        self.wrong_answers: list[tuple[str, str | None]] = []
        self._expected: dict[int, Check] = {}
        self._expected_answers: dict[str, object] = {}
        self._all_right = asyncio.Event()
        self._all_answered = asyncio.Event()
        self._watchers: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._message_id = 0

    # What the bench expects ------------------------------------------------------------------

    def expect(self, chat_id: int, check: Check) -> None:
        """The next reply in `chat_id` that passes `check` is the right one."""
        self.right.pop(chat_id, None)
        self._expected[chat_id] = check
        self._all_right.clear()

    def expect_answer(self, query_id: str, text: str | None = None) -> None:
        """Tap `query_id` is right when answered once with `text` (None: no text)."""
        self._expected_answers[query_id] = text if text is not None else _NO_TEXT
        self._all_answered.clear()

    @property
    def awaited(self) -> int:
        """Chats still waiting for their right reply."""
        return len(self._expected)

    @property
    def awaited_answers(self) -> int:
        return len(self._expected_answers)

    async def all_right(self, within: float) -> bool:
        """Wait until every expected chat got its right reply; False if `within` s ran out."""
        if self._expected:
            try:
                await asyncio.wait_for(self._all_right.wait(), within)
            except TimeoutError:
                return False
        return True

    async def all_answered(self, within: float) -> bool:
        """Wait until every expected tap was answered; False if `within` s ran out."""
        if self._expected_answers:
            try:
                await asyncio.wait_for(self._all_answered.wait(), within)
            except TimeoutError:
                return False
        return True

    async def until(self, condition: Callable[[], bool], within: float) -> bool:
        """Wait until `condition()` holds, checked after each call the bot makes; False if
        `within` s ran out first."""
        if condition():
            return True
        future = asyncio.get_running_loop().create_future()
        watcher = (condition, future)
        self._watchers.append(watcher)
        try:
            await asyncio.wait_for(future, within)
        except TimeoutError:
            return False
        finally:
            if watcher in self._watchers:
                self._watchers.remove(watcher)
        return True

    def _wake(self) -> None:
        for watcher in list(self._watchers):
            condition, future = watcher
            if not future.done() and condition():
                future.set_result(None)
                self._watchers.remove(watcher)

    def _seen(self, chat_id: int, text: str, when: float) -> None:
        check = self._expected.get(chat_id)
        if check is None:
            return
        if check(text):
            del self._expected[chat_id]
            self.right[chat_id] = when
            if not self._expected:
                self._all_right.set()
        else:
            self.wrong[chat_id] += 1
            if len(self.wrong_samples) < 5:
                self.wrong_samples.append(text[:200])

    def _answer(self, query_id: str, text: str | None, when: float) -> None:
        if query_id in self.answered:
            self.answered_twice += 1
            return
        self.answered[query_id] = when
        self.answer_texts[query_id] = text
        expected = self._expected_answers.pop(query_id, None)
        if expected is None:
            return
        if (text is None and expected is _NO_TEXT) or text == expected:
            self.right_answers[query_id] = when
        else:
            self.wrong_answers.append((query_id, text))
        if not self._expected_answers:
            self._all_answered.set()

    # The Bot API side ------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        answer = self._handle(url, request_data)
        if self._watchers:
            self._wake()
        return answer

    def _handle(self, url: str, request_data: RequestData | None) -> tuple[int, bytes]:
        now = time.perf_counter()
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        if endpoint == "getMe":
            return _ok(BOT)
        params = request_data.parameters if request_data else {}
        if endpoint == "answerCallbackQuery":
            self._answer(params["callback_query_id"], params.get("text"), now)
            return _ok(True)
        if endpoint in ("sendMessage", "editMessageText"):
            chat_id = params["chat_id"]
            if endpoint == "editMessageText":
                self.edits.append((chat_id, params["message_id"], now))
            self.texts[chat_id].append((now, params["text"]))
            self._seen(chat_id, params["text"], now)
            return _ok(self._message(chat_id, text=params["text"]))
        if endpoint in ("sendPhoto", "sendMediaGroup"):
            files = request_data.multipart_data if request_data else {}
            items = params["media"] if endpoint == "sendMediaGroup" else [params]
            chat_id, sent = params["chat_id"], []
            for item in items:
                attached = item.get("media", item.get("photo"))
                content = files[attached.removeprefix("attach://")][1]
                self.photos[chat_id].append((now, content, item.get("caption")))
                sent.append(self._message(chat_id, photo=True))
            return _ok(sent if endpoint == "sendMediaGroup" else sent[0])
        return _ok(True)

    def _message(self, chat_id: int, *, text: str | None = None, photo: bool = False) -> dict:
        self._message_id += 1
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "G"}
        message: dict[str, Any] = {
            "message_id": self._message_id, "date": 0, "chat": chat, "from": BOT,
        }  # fmt: skip
        if photo:
            message["photo"] = [{"file_id": f"p{self._message_id}", "file_unique_id": "u",
                                 "width": 720, "height": 480}]  # fmt: skip
        else:
            message["text"] = text or "ok"
        return message


def _ok(result: Any) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def text_update(update_id: int, user_id: int, text: str, bot) -> Update:
    """A private message from person `user_id` (a command if it starts with /)."""
    user = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}", "language_code": "da"}
    message = {"message_id": update_id, "date": 0, "chat": {"id": user_id, "type": "private"},
               "from": user, "text": text}  # fmt: skip
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return Update.de_json({"update_id": update_id, "message": message}, bot)
