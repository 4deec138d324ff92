"""An in-process fake of the Telegram Bot API for tests and the demo: nothing leaves the process.

It plugs into python-telegram-bot as its HTTP client (`BaseRequest`), validates every call
against the official spec, remembers every message it "delivered" with its buttons, and answers
with the JSON real Telegram would send. Calls Telegram would refuse get Telegram's error and are
also collected in `violations`, which the test fixtures require to be empty.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.fakeapi.spec import problems_with
from bot.fakeapi.telegram_html import HtmlError, visible_text

BOT_ID = 7_000_000_001
BOT_USERNAME = "datadialog_demo_bot"
FAKE_TOKEN = f"{BOT_ID}:FAKE-TOKEN-FOR-OFFLINE-USE"


@dataclass
class Delivered:
    """A message as it stands in a chat (after any edits)."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None
    name: str | None = None
    """Who wrote or tapped, where the chat alone does not say (a group)."""
    date: int = field(default_factory=lambda: int(time.time()))

    def button_rows(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])

    def buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.button_rows() for button in row]


@dataclass(frozen=True)
class Event:
    """One line of a chat's transcript: what a person saw or did."""

    chat_id: int
    actor: str  # "bot", "user", "edit", "tap", "alert", "action"
    message_id: int | None
    text: str
    buttons: tuple[tuple[str, ...], ...] = ()
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None
    name: str | None = None
    """Who wrote or tapped, where the chat alone does not say (a group)."""


class FakeBotApi(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.messages: dict[tuple[int, int], Delivered] = {}
        self.events: list[Event] = []
        self.chat_names: dict[int, str] = {}
        self.open_queries: set[str] = set()
        self.files: dict[str, bytes] = {}
        self.waiting_updates: list[dict[str, Any]] = []
        """Updates for getUpdates to fetch (a world that polls), until a later offset acks them."""
        self.blocked_by: set[int] = set()
        """Private chats whose person has blocked the bot: sending there gets Telegram's 403."""
        self.failing: dict[int, int] = {}
        """Chat -> how many more sends there fail with 502, as when Telegram has a bad moment."""
        self._message_ids: dict[int, itertools.count] = {}
        self._update_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to connect."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    # The request side ------------------------------------------------------------------------

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download, not a method call
            content = self.files.get(url.rsplit("/", 1)[-1])
            return (200, content) if content is not None else _error(404, "Not Found")
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = (
            dict(request_data.multipart_data)
            if request_data and request_data.contains_files
            else {}
        )
        self.calls.append((endpoint, params))
        chat_id = params.get("chat_id")
        if endpoint.startswith("send") and chat_id in self.blocked_by:
            return _error(403, "Forbidden: bot was blocked by the user")
        if endpoint.startswith("send") and self.failing.get(chat_id, 0) > 0:
            self.failing[chat_id] -= 1
            return _error(502, "Bad Gateway")
        problems = problems_with(endpoint, params, set(files))
        if problems:
            self.violations.extend(problems)
            return _error(400, f"Bad Request: {problems[0]}")
        handler = getattr(self, f"_on_{endpoint}", None)
        if handler is None:
            return _ok(True)
        return handler(params, files)

    def _on_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        return _ok(self.bot_user())

    def _on_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        """Long polling as Telegram does it: `offset` acknowledges every earlier update."""
        offset = int(params.get("offset") or 0)
        self.waiting_updates = [u for u in self.waiting_updates if u["update_id"] >= offset]
        return _ok(self.waiting_updates[: int(params.get("limit") or 100)])

    def _on_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        message = self._deliver(
            params["chat_id"], text=params["text"], markup=params.get("reply_markup")
        )
        return _ok(self._message_json(message))

    def _on_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        photo = _file_bytes(files.get("photo"))
        message = self._deliver(
            params["chat_id"],
            caption=params.get("caption"),
            markup=params.get("reply_markup"),
            photo=photo,
        )
        return _ok(self._message_json(message))

    def _on_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        name, content = files["document"][0], _file_bytes(files["document"])
        message = self._deliver(
            params["chat_id"], caption=params.get("caption"), document=(name, content)
        )
        return _ok(self._message_json(message))

    def _on_sendMediaGroup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, bytes]:
        media = params["media"]
        if not 2 <= len(media) <= 10:
            self.violations.append(f"sendMediaGroup: {len(media)} items, allowed 2-10")
            return _error(400, "Bad Request: wrong number of media in the album")
        sent = []
        for item in media:
            photo = _file_bytes(files.get(item["media"].removeprefix("attach://")))
            message = self._deliver(params["chat_id"], caption=item.get("caption"), photo=photo)
            sent.append(self._message_json(message))
        return _ok(sent)

    def _on_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, bytes]:
        file_id = params["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return _ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size,
                    "file_path": file_id})  # fmt: skip

    def _on_editMessageText(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, bytes]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None or not message.from_bot:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message.text == params["text"] and message.reply_markup == markup:
            return _error(400, "Bad Request: message is not modified")
        message.text, message.reply_markup = params["text"], markup
        self._record(
            Event(message.chat_id, "edit", message.message_id, params["text"], _labels(markup))
        )
        return _ok(self._message_json(message))

    def _on_editMessageReplyMarkup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, bytes]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None or not message.from_bot:
            return _error(400, "Bad Request: message to edit not found")
        message.reply_markup = params.get("reply_markup")
        return _ok(self._message_json(message))

    def _on_answerCallbackQuery(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, bytes]:
        query_id = params["callback_query_id"]
        if query_id not in self.open_queries:
            return _error(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.open_queries.discard(query_id)
        if params.get("text"):
            chat_id = int(query_id.split("-")[0])
            self._record(Event(chat_id, "alert", None, params["text"]))
        return _ok(True)

    def _on_sendChatAction(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, bytes]:
        self._record(Event(params["chat_id"], "action", None, params["action"]))
        return _ok(True)

    # The people side -------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Datadialog", "username": BOT_USERNAME}

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def note_incoming(
        self, chat_id: int, message_id: int, text: str, name: str | None = None
    ) -> Delivered:
        """A message a person sent: stored so replies to it resolve, and logged."""
        message = Delivered(chat_id, message_id, from_bot=False, text=text)
        self.messages[(chat_id, message_id)] = message
        self._record(Event(chat_id, "user", message_id, text, name=name))
        return message

    def note_tap(self, chat_id: int, query_id: str, label: str, name: str | None = None) -> None:
        self.open_queries.add(query_id)
        self._record(Event(chat_id, "tap", None, label, name=name))

    def chat_messages(self, chat_id: int) -> list[Delivered]:
        return [m for (chat, _), m in sorted(self.messages.items()) if chat == chat_id]

    def message_json(self, message: Delivered) -> dict[str, Any]:
        return self._message_json(message)

    # Internals -------------------------------------------------------------------------------

    def _deliver(
        self,
        chat_id: int,
        *,
        text: str | None = None,
        caption: str | None = None,
        markup: dict[str, Any] | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
    ) -> Delivered:
        message = Delivered(
            chat_id,
            self.next_message_id(chat_id),
            from_bot=True,
            text=text,
            caption=caption,
            reply_markup=markup,
            photo=photo,
            document=document,
        )
        self.messages[(chat_id, message.message_id)] = message
        shown = text if text is not None else caption or (document[0] if document else "")
        self._record(
            Event(chat_id, "bot", message.message_id, shown, _labels(markup), photo, document)
        )
        return message

    def _record(self, event: Event) -> None:
        self.events.append(event)

    def _message_json(self, message: Delivered) -> dict[str, Any]:
        chat_type = "private" if message.chat_id > 0 else "supergroup"
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": {"id": message.chat_id, "type": chat_type},
        }
        if chat_type != "private":
            data["chat"]["title"] = self.chat_names.get(message.chat_id, "Group")
        if message.from_bot:
            data["from"] = self.bot_user()
        if message.text is not None:
            data["text"] = shown_text(message.text)
        if message.caption is not None:
            data["caption"] = shown_text(message.caption)
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.photo is not None:
            data["photo"] = [
                {
                    "file_id": f"photo-{message.chat_id}-{message.message_id}",
                    "file_unique_id": f"p{message.message_id}",
                    "width": 720,
                    "height": 480,
                }
            ]
        if message.document is not None:
            data["document"] = {
                "file_id": f"doc-{message.chat_id}-{message.message_id}",
                "file_unique_id": f"d{message.message_id}",
                "file_name": message.document[0],
            }
        return data


def shown_text(markup: str) -> str:
    """What a person sees of `markup` (the markup itself if Telegram could not parse it)."""
    try:
        return visible_text(markup)
    except HtmlError:
        return markup


def _labels(markup: dict[str, Any] | None) -> tuple[tuple[str, ...], ...]:
    rows = (markup or {}).get("inline_keyboard", [])
    return tuple(tuple(button["text"] for button in row) for row in rows)


def _file_bytes(part: Any) -> bytes:
    if part is None:
        return b""
    content = part[1]
    return content if isinstance(content, bytes) else content.read()


def _ok(result: Any) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _error(code: int, description: str) -> tuple[int, bytes]:
    return code, json.dumps({"ok": False, "error_code": code, "description": description}).encode()
