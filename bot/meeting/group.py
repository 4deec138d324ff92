"""What else is said in the group: replies to the bot's messages (routed by the message they
answer, `reply_targets`), /start, and commands the group does not have.

With privacy mode on, a bot in a group sees only commands and replies to its own messages;
that is all this relies on.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core import guard
from bot.core.guard import Refused
from bot.core.links import private_chat
from bot.core.people import person_of
from bot.core.services import DDContext, services
from bot.meeting import linking, since_last, themes, voting
from bot.meeting.live import for_group, linked
from flows.identifying import find_identifying, refusal_key


async def on_group_reply(update: Update, context: DDContext) -> None:
    """A reply to one of the bot's messages: a theme, what was learned, or the area's note."""
    message = update.effective_message
    assert message is not None
    assert message.reply_to_message is not None
    person = await person_of(update, context)
    svc = services(context)
    replied = message.reply_to_message
    if replied.from_user is None or replied.from_user.id != context.bot.id:
        return  # people answering each other (a bot with admin rights sees that too)
    target = await svc.repos.dialogues.reply_target(message.chat.id, replied.message_id)
    guard.check(target, "group.reply_not_expected")
    assert target is not None
    text = (message.text or "").strip()
    guard.check(text, "group.text_only")
    found = find_identifying(text)
    if found:  # refused before any rule, so nothing of it is stored (told in private)
        raise Refused(refusal_key(found))
    kind, ref_id = target
    refusal: str | None
    if kind == since_last.REPLY_KIND:
        refusal = await since_last.on_learning_reply(svc, person, ref_id, replied.message_id, text)
        done = "since.learning_noted"
    elif kind == themes.REPLY_KIND:
        refusal = await themes.add_theme(svc, person, await linked(svc, ref_id), text)
        done = "explore.added_from_reply"
    else:
        live = await linked(svc, ref_id)
        refusal = await voting.on_area_reply(svc, person, live, replied.message_id, text)
        done = "vote.area_noted"
    if refusal is not None:
        raise Refused("common.plain", value=refusal)
    await message.reply_text(svc.render.text(person, done))


async def on_group_start(update: Update, context: DDContext) -> None:
    """/start in a group: from the startgroup link it links the group; otherwise, help."""
    if linking.is_link_start(context):
        await linking.on_linkmeeting(update, context)
    else:
        await on_group_command(update, context)


async def on_group_command(update: Update, context: DDContext) -> None:
    """Any other command in a group: what can be done here."""
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    person = await person_of(update, context)
    svc = services(context)
    if await for_group(svc, update.effective_chat.id) is not None:
        await message.reply_text(svc.render.text(person, "group.help"))
        return
    label = svc.render.text(person, "common.open_private")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, url=private_chat(svc.bot))]])
    await message.reply_text(svc.render.text(person, "error.group_unknown"), reply_markup=markup)
