"""Simulated people and groups that talk to a real Application through the fake Bot API.

`person.sends("/start abc")` builds the update Telegram would deliver (with the bot_command
entity), feeds it to the Application and returns once it is handled. `person.taps("Ja")` finds
that button on a message this person was shown, as only such a button can be tapped.

Inside `async with telegram.queued():` the same calls return at once instead: their updates go
onto the Application's real update queue, as polling would put them there, and its fetcher hands
them to the update processor (per-chat order, concurrency), in the background. Leaving the block
waits until every queued update has been handled.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.fakeapi.server import Delivered, FakeBotApi, shown_text

HANDLED_WITHIN_S = 10.0
"""Queued updates must be handled within this (wall-clock) time, or `all_handled` gives up."""


class FakeTelegram:
    """The world around the bot: creates people and groups and delivers their updates."""

    def __init__(self, application: Application, api: FakeBotApi) -> None:
        self.application = application
        self.api = api
        self._query_ids = itertools.count(1)
        self._queueing = False
        self.polled = False
        """True: updates wait in the fake Bot API for the Application's long polling."""

    def person(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        language_code: str | None = "da",
    ) -> SimulatedPerson:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if language_code:
            user["language_code"] = language_code
        self.api.chat_names[user_id] = f"{first_name} {last_name or ''}".strip()
        return SimulatedPerson(self, user)

    def group(self, chat_id: int, title: str) -> dict[str, Any]:
        self.api.chat_names[chat_id] = title
        return {"id": chat_id, "type": "supergroup", "title": title}

    async def deliver(self, update: dict[str, Any]) -> None:
        update["update_id"] = self.api.next_update_id()
        if self.polled:  # Telegram holds it until the bot's long polling fetches it
            self.api.waiting_updates.append(update)
            return
        parsed = Update.de_json(update, self.application.bot)
        if self._queueing:
            await self.application.update_queue.put(parsed)
        else:
            await self.application.process_update(parsed)

    @asynccontextmanager
    async def queued(self) -> AsyncIterator[None]:
        """Deliver updates through the Application's update queue and processor while inside
        the block (people's calls return as soon as the update is queued); on leaving, wait
        until all of them are handled."""
        if not self.application.running:
            raise RuntimeError("the Application is not running: start the world first")
        self._queueing = True
        try:
            yield
        finally:
            self._queueing = False
        await self.all_handled()

    async def all_handled(self) -> None:
        """Wait until every queued update is handled: the queue drained, none in flight.

        The fetcher marks an update done only once the update processor has finished with it,
        so joining the queue waits for both. Raises TimeoutError if handling stalls."""
        async with asyncio.timeout(HANDLED_WITHIN_S):
            await self.application.update_queue.join()
        in_flight = self.application.update_processor.current_concurrent_updates
        if in_flight:
            raise RuntimeError(f"{in_flight} updates still in the processor after the queue")

    def chat_texts(self, chat_id: int) -> list[str]:
        """Every text or caption the bot sent or edited in a chat, as shown, oldest first."""
        events = [e for e in self.api.events if e.chat_id == chat_id and e.actor in ("bot", "edit")]
        return [shown_text(e.text) for e in events]

    def message_text(self, chat_id: int, message_id: int) -> str:
        """A message as it stands now, after any edits."""
        data = self.api.message_json(self.api.messages[(chat_id, message_id)])
        return data.get("text") or data.get("caption") or ""

    def unanswered_callbacks(self) -> set[str]:
        return set(self.api.open_queries)

    def next_query_id(self, chat_id: int) -> str:
        return f"{chat_id}-{next(self._query_ids)}"


@dataclass
class SimulatedPerson:
    telegram: FakeTelegram
    user: dict[str, Any]

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def private_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.user["first_name"]}

    async def sends(self, text: str, *, reply_to: int | None = None) -> None:
        """Type `text` in the private chat (a reply to message `reply_to` if given)."""
        await self.telegram.deliver({"message": self._message(self.private_chat, text, reply_to)})

    async def sends_in_group(
        self, group: dict[str, Any], text: str, *, reply_to: int | None = None
    ) -> None:
        """Type `text` in a group (a reply to the bot's message `reply_to` if given)."""
        await self.telegram.deliver({"message": self._message(group, text, reply_to)})

    async def taps_in_group(
        self, group: dict[str, Any], label: str, *, message_id: int | None = None
    ) -> None:
        """Tap a button on a message the bot posted in the group."""
        message = self._message_with_button(label, message_id, chat_id=group["id"])
        button = next(b for b in message.buttons() if b["text"] == label)
        await self._tap(message, button["callback_data"], label)

    async def sends_sticker(self) -> None:
        api = self.telegram.api
        message_id = api.next_message_id(self.id)
        api.note_incoming(self.id, message_id, "[sticker]")
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.private_chat,
            "from": self.user,
            "sticker": sticker,
        }
        await self.telegram.deliver({"message": message})

    async def sends_document(self, file_name: str, content: bytes) -> None:
        """Send a file (e.g. a CSV export) in the private chat."""
        api = self.telegram.api
        message_id = api.next_message_id(self.id)
        file_id = f"file-{self.id}-{message_id}"
        api.files[file_id] = content
        api.note_incoming(self.id, message_id, f"[{file_name}]")
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "file_size": len(content)}  # fmt: skip
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.private_chat,
                   "from": self.user, "document": document}  # fmt: skip
        await self.telegram.deliver({"message": message})

    async def taps(self, label: str, *, message_id: int | None = None) -> None:
        """Tap the button labelled `label` on the newest message showing it (or on `message_id`)."""
        message = self._message_with_button(label, message_id)
        button = next(b for b in message.buttons() if b["text"] == label)
        await self._tap(message, button["callback_data"], label)

    async def forges_tap(self, data: str, *, message_id: int, chat_id: int | None = None) -> None:
        """A manipulated client, or one still showing buttons the bot has since removed,
        sending callback data that no button on the message carries now."""
        message = self.telegram.api.messages[(chat_id or self.id, message_id)]
        await self._tap(message, data, f"[forged {data}]")

    # What this person has seen --------------------------------------------------------------

    def button_starting(self, prefix: str, *, chat_id: int | None = None) -> str:
        """The label of the newest button shown here (or in a group) that starts with `prefix`."""
        for message in reversed(self.telegram.api.chat_messages(chat_id or self.id)):
            for button in message.buttons():
                if button["text"].startswith(prefix):
                    return button["text"]
        raise AssertionError(f"{self.user['first_name']} was never shown a {prefix!r}… button")

    def bot_messages(self) -> list[Delivered]:
        return [m for m in self.telegram.api.chat_messages(self.id) if m.from_bot]

    def texts(self) -> list[str]:
        """Every text or caption the bot sent here, as shown (HTML parsed), oldest first."""
        api = self.telegram.api
        events = [e for e in api.events if e.chat_id == self.id and e.actor in ("bot", "edit")]
        return [shown_text(e.text) for e in events]

    def last_text(self) -> str:
        return self.shown(self.bot_messages()[-1])

    def shown(self, message: Delivered) -> str:
        data = self.telegram.api.message_json(message)
        return data.get("text") or data.get("caption") or ""

    def last_buttons(self) -> list[str]:
        return [b["text"] for b in self.bot_messages()[-1].buttons()]

    def photos(self) -> list[Delivered]:
        return [m for m in self.bot_messages() if m.photo is not None]

    def alerts(self) -> list[str]:
        api = self.telegram.api
        return [e.text for e in api.events if e.chat_id == self.id and e.actor == "alert"]

    # Internals ------------------------------------------------------------------------------

    def _name_in(self, chat_id: int) -> str | None:
        """Our name where the chat does not say who is talking (a group)."""
        return None if chat_id == self.id else self.telegram.api.chat_names[self.id]

    def _message(self, chat: dict[str, Any], text: str, reply_to: int | None) -> dict[str, Any]:
        api = self.telegram.api
        message_id = api.next_message_id(chat["id"])
        api.note_incoming(chat["id"], message_id, text, name=self._name_in(chat["id"]))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = api.message_json(api.messages[(chat["id"], reply_to)])
        return message

    def _message_with_button(
        self, label: str, message_id: int | None, *, chat_id: int | None = None
    ) -> Delivered:
        api = self.telegram.api
        candidates = [m for m in api.chat_messages(chat_id or self.id) if m.from_bot]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        for message in reversed(candidates):
            if any(b["text"] == label for b in message.buttons()):
                return message
        shown = [b["text"] for m in candidates for b in m.buttons()]
        raise AssertionError(
            f"{self.user['first_name']} was never shown a {label!r} button; saw {shown}"
        )

    async def _tap(self, message: Delivered, data: str, label: str) -> None:
        api = self.telegram.api
        query_id = self.telegram.next_query_id(self.id)
        api.note_tap(message.chat_id, query_id, label, name=self._name_in(message.chat_id))
        query = {
            "id": query_id,
            "from": self.user,
            "chat_instance": f"ci-{self.id}",
            "message": api.message_json(message),
            "data": data,
        }
        await self.telegram.deliver({"callback_query": query})
