"""The error handler: log the story without what people wrote or who they are, tell the
person briefly, never show a traceback."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.error import BadRequest, Forbidden

from bot.core.people import language_of
from bot.core.services import DDContext, services

log = logging.getLogger(__name__)


async def on_error(update: object, context: DDContext) -> None:
    error = context.error
    if isinstance(error, BadRequest) and "message is not modified" in str(error).lower():
        return
    reference = secrets.token_hex(3)
    svc = services(context)
    update_id = update.update_id if isinstance(update, Update) else None
    # Never the update itself by default: it holds the person's text, name and Telegram id.
    if svc.settings.debug_logs and isinstance(update, Update):
        log.error(
            "update %s failed (reference %s): %s", update_id, reference, update.to_json(),
            exc_info=error,
        )  # fmt: skip
    else:
        log.error("update %s failed (reference %s)", update_id, reference, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return  # the person blocked the bot: there is nobody to tell
    user = update.effective_user
    person = svc.repos.people.cached(user.id) if user else None
    if person is not None:
        language = person.language
    else:
        language = language_of(user.language_code if user else None, svc.settings.language)
    text = svc.catalogue.text("common.unexpected", language, ref=reference)
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failed; the log above has the story
        log.warning("could not send the apology for %s", reference, exc_info=True)
