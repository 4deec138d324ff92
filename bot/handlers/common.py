"""Small helpers every handler uses: who is this person, and how to answer them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, Update

from bot.callbacks import Payload
from bot.context import DDContext, services
from bot.render import Screen
from bot.runner import FlowRunner
from storage.records import Person

RUNNER_KEY = "runner"
RECENT = timedelta(hours=12)
"""A meeting stays in /prep, /status and /pack lists this long after it started."""


class Toast(str):
    """A button's answer shown briefly at the top of the chat, not as a dialog to dismiss."""


ButtonHandler = Callable[["DDContext", Person, "Payload", CallbackQuery], Awaitable[str | None]]
"""Handles one kind of button; returns a short alert for the person, or None."""


def language_of(code: str | None, default: str) -> str:
    """English if Telegram reports an English client, else the default (Danish)."""
    if code and code.lower().startswith("en"):
        return "en"
    return default


async def person_of(update: Update, context: DDContext) -> Person:
    """The person behind the update, created on first contact."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    person = await svc.repos.people.ensure(
        user.id,
        user.full_name,
        language_of(user.language_code, svc.settings.language),
        svc.settings.time_zone,
        svc.clock(),
    )
    if not person.is_reachable:  # marked when a reminder bounced; writing again undoes it
        person = await svc.repos.people.set_reachable(person, True)
    return person


def runner(context: DDContext) -> FlowRunner:
    return context.application.bot_data[RUNNER_KEY]


async def settle_question(query: CallbackQuery, text: str) -> None:
    """Replace a question by its outcome, so its buttons cannot be tapped twice."""
    if query.message is not None:
        await query.edit_message_text(text)


async def say(context: DDContext, person: Person, key: str, **params: object) -> None:
    """Send one catalogue text to the person's private chat."""
    text = services(context).render.text(person, key, **params)
    await FlowRunner.send(context.bot, person, Screen(text))
