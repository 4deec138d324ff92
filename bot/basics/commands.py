"""What anyone can do in the private chat: help by role, choose a language, cancel a command."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.core import guard
from bot.core.capability import ButtonHandler
from bot.core.payloads import Payload, encode
from bot.core.people import current_meetings, person_of
from bot.core.render import Screen, button
from bot.core.send import say, send
from bot.core.services import DDContext, services
from flows.i18n import LANGUAGES
from storage.records import Person

LANGUAGE = "lang"
HELP_ROLES = ("leader", "referent", "participant")


async def on_help(update: Update, context: DDContext) -> None:
    """What this person can do, by the roles they hold in current meetings."""
    person = await person_of(update, context)
    svc = services(context)
    roles = {role for _, role in await current_meetings(svc, person)}
    blocks = [svc.render.text(person, "help.header"), svc.render.text(person, "help.everyone")]
    blocks += [svc.render.text(person, f"help.{role}") for role in HELP_ROLES if role in roles]
    if roles & set(guard.DRIVERS):
        blocks.append(svc.render.text(person, "help.group"))
    await send(svc.bot, person, Screen("\n\n".join(blocks)))


async def on_language(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    row = [
        button(svc.render.text(person, f"language.{code}"), encode(LANGUAGE, code))
        for code in LANGUAGES
    ]
    text = svc.render.text(person, "language.prompt")
    await send(svc.bot, person, Screen(text, InlineKeyboardMarkup([row])))


async def on_language_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """lang:<code>"""
    guard.check(payload.args in ((code,) for code in LANGUAGES))
    svc = services(context)
    changed = await svc.repos.people.set_language(person, payload.args[0])
    await query.edit_message_text(svc.render.text(changed, "language.changed"))
    return None


async def on_cancel(update: Update, context: DDContext) -> None:
    """Stop a command flow such as /newmeeting. Preparation is never thrown away here."""
    person = await person_of(update, context)
    svc = services(context)
    runs = await svc.repos.runs.open_for(person.id)
    command_runs = [run for run in runs if run.meeting_id is None]
    for run in command_runs:
        await svc.repos.runs.close(run, svc.clock())
    await say(svc, person, "common.cancelled" if command_runs else "common.nothing_to_cancel")


async def on_unknown_command(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    await say(services(context), person, "error.unknown_command")


BUTTONS: dict[str, ButtonHandler] = {LANGUAGE: on_language_button}
