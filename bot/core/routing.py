"""Every command and button goes through here: the person is known, a refusal becomes a short
reply, and every button tap is answered, even when its handler failed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from telegram import Update

from bot.core import payloads
from bot.core.capability import ButtonHandler, Capability, Command
from bot.core.guard import STALE, Refused, Toast
from bot.core.people import person_of
from bot.core.services import DDContext, services

MAX_ALERT_CHARS = 200
"""Telegram shows at most 200 characters in a callback alert."""
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


def guarded(command: Command) -> Command:
    """A command whose refusals are told as a reply in the chat it was typed in."""

    async def run(update: Update, context: DDContext) -> None:
        try:
            await command(update, context)
        except Refused as refused:
            message = update.effective_message
            if message is None:
                return
            person = await person_of(update, context)
            text = services(context).render.text(person, refused.key, **refused.params)
            await message.reply_text(text)

    run.__doc__ = command.__doc__
    run.__name__ = command.__name__
    return run


def _plain(text: str) -> str:
    """Alerts show no HTML: drop tags and unescape entities."""
    return html.unescape(_TAG.sub("", text))
