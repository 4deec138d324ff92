"""Every button tap lands here: decode the payload, route it, and always answer the query."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import DDContext, services
from bot.follow_up import answers
from bot.handlers import flow_input, meetings, people
from bot.handlers.common import ButtonHandler, Toast, person_of
from bot.meeting import agreement, commands, phases, since_last, themes, voting

ROUTES: dict[str, ButtonHandler] = {
    **flow_input.BUTTONS,
    **meetings.BUTTONS,
    **people.BUTTONS,
    **phases.BUTTONS,
    **since_last.BUTTONS,
    **themes.BUTTONS,
    **voting.BUTTONS,
    **agreement.BUTTONS,
    **commands.BUTTONS,
    **answers.BUTTONS,
}

MAX_ALERT_CHARS = 200
"""Telegram shows at most 200 characters in a callback alert."""


async def on_button(update: Update, context: DDContext) -> None:
    query = update.callback_query
    assert query is not None
    alert: str | None = None
    try:
        person = await person_of(update, context)
        payload = callbacks.decode(query.data)
        handler = ROUTES.get(payload.action) if payload else None
        if payload is None or handler is None:
            alert = services(context).render.text(person, "error.button_expired")
        else:
            alert = await handler(context, person, payload, query)
    finally:
        # Answered even when the handler failed, so the phone stops its spinner.
        await query.answer(
            _plain(alert)[:MAX_ALERT_CHARS] if alert else None,
            show_alert=bool(alert) and not isinstance(alert, Toast),
        )


def _plain(text: str) -> str:
    """Alerts show no HTML: drop tags and unescape entities."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
