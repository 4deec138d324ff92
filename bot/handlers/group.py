"""Groups: until a group is linked to a meeting, point people to the private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import DDContext, services
from bot.handlers.common import person_of


async def on_group_message(update: Update, context: DDContext) -> None:
    """A command or a reply to the bot in a group the bot does not know."""
    message = update.effective_message
    if message is None:
        return
    person = await person_of(update, context)
    render = services(context).render
    open_chat = InlineKeyboardButton(
        render.text(person, "common.open_private"), url=f"https://t.me/{context.bot.username}"
    )
    await message.reply_text(
        render.text(person, "error.group_unknown"),
        reply_markup=InlineKeyboardMarkup([[open_chat]]),
    )
