"""Sending and editing messages: the few ways every capability talks to a chat."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, Message
from telegram.error import BadRequest

from bot.core.render import Screen
from bot.core.services import Services
from storage.records import Person

log = logging.getLogger(__name__)


async def send(bot: Bot, person: Person, screen: Screen) -> Message:
    """One message to the person's private chat."""
    return await bot.send_message(person.telegram_id, screen.text, reply_markup=screen.markup)


async def say(svc: Services, person: Person, key: str, **params: object) -> Message:
    """One catalogue text to the person's private chat."""
    return await send(svc.bot, person, Screen(svc.render.text(person, key, **params)))


async def ask_first(
    svc: Services, person: Person, question: str, prefix: str, *args: object
) -> None:
    """Ask before something is thrown away: `question` with Confirm / Keep, which come back to
    the handler of `prefix` as `Choice.CONFIRM` / `Choice.KEEP` (see `Payload.choice`)."""
    markup = svc.render.confirm(person, prefix, *args)
    await send(svc.bot, person, Screen(question, markup))


async def post(bot: Bot, chat_id: int, screen: Screen) -> Message:
    """One message to a group."""
    return await bot.send_message(chat_id, screen.text, reply_markup=screen.markup)


async def settle_question(query: CallbackQuery, text: str) -> None:
    """Replace a question by its outcome, so its buttons cannot be tapped twice."""
    if query.message is not None:
        await query.edit_message_text(text)


async def edit_quietly(bot: Bot, chat_id: int, message_id: int, screen: Screen) -> None:
    """Edit a message to show `screen`; an unchanged or vanished message is not an error."""
    try:
        await bot.edit_message_text(
            screen.text, chat_id=chat_id, message_id=message_id, reply_markup=screen.markup
        )
    except BadRequest as error:  # unchanged, or deleted by someone in the group
        if "not modified" not in str(error).lower():
            log.warning("could not edit message %s: %s", message_id, error)
