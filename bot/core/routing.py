"""Every command and button goes through here: the person is known, a refusal becomes a short
reply, and every button tap is answered, even when its handler failed."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden

from bot.core import payloads
from bot.core.capability import ButtonHandler, Capability, Command
from bot.core.guard import STALE, Refused, Toast
from bot.core.people import person_of
from bot.core.services import DDContext, services

MAX_ALERT_CHARS = 200
"""Telegram shows at most 200 characters in a callback alert."""
GROUP_NOTICE_GAP = 60.0
"""Seconds between two refusals told in a group to someone the bot cannot write to privately."""
_TAG = re.compile(r"<[^>]+>")


class ButtonRouter:
    """Button prefix -> handler, collected from the capabilities; a prefix is claimed once."""

    def __init__(self, capabilities: Iterable[Capability]) -> None:
        self._routes: dict[str, ButtonHandler] = {}
        self._owners: dict[str, str] = {}
        for capability in capabilities:
            for prefix, handler in capability.buttons.items():
                self.claim(capability.name, prefix, handler)

    def claim(self, owner: str, prefix: str, handler: ButtonHandler) -> None:
        if prefix in self._owners:
            raise ValueError(
                f"button prefix {prefix!r} of {owner} is already claimed by {self._owners[prefix]}"
            )
        self._owners[prefix] = owner
        self._routes[prefix] = handler

    async def on_button(self, update: Update, context: DDContext) -> None:
        query = update.callback_query
        assert query is not None
        alert: str | None = None
        try:
            person = await person_of(update, context)
            render = services(context).render
            payload = payloads.decode(query.data)
            handler = self._routes.get(payload.action) if payload else None
            try:
                if payload is None or handler is None:
                    raise Refused(STALE)
                alert = await handler(context, person, payload, query)
            except Refused as refused:
                text = render.text(person, refused.key, **refused.params)
                alert = Toast(text) if refused.toast else text
        finally:
            # Answered even when the handler failed, so the phone stops its spinner.
            await query.answer(
                _plain(alert)[:MAX_ALERT_CHARS] if alert else None,
                show_alert=bool(alert) and not isinstance(alert, Toast),
            )


class GroupRefusals:
    """Refusals in a group go to the person in private, so one person's refused commands never
    spend the group's 20 messages a minute (the leader's panel needs them). Someone the bot
    cannot write to privately gets at most one group notice a minute."""

    def __init__(self) -> None:
        self._last_notice: dict[int, float] = {}

    async def tell(self, update: Update, context: DDContext, text: str) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text)
            return
        try:
            await context.bot.send_message(user.id, text)
            return
        except Forbidden:  # never opened a private chat with the bot, or blocked it
            pass
        now = time.monotonic()
        if now - self._last_notice.get(user.id, -GROUP_NOTICE_GAP) >= GROUP_NOTICE_GAP:
            self._last_notice[user.id] = now
            await message.reply_text(text)


def guarded(command: Command, refusals: GroupRefusals) -> Command:
    """A command whose refusals are told to the person (see `GroupRefusals`)."""

    async def run(update: Update, context: DDContext) -> None:
        try:
            await command(update, context)
        except Refused as refused:
            person = await person_of(update, context)
            text = services(context).render.text(person, refused.key, **refused.params)
            await refusals.tell(update, context, text)

    run.__doc__ = command.__doc__
    run.__name__ = command.__name__
    return run


def _plain(text: str) -> str:
    """Alerts show no HTML: drop tags and unescape entities."""
    return html.unescape(_TAG.sub("", text))
