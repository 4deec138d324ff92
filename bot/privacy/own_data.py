"""What a person may do with their own data: see all of it (/mydata), and have it deleted
(/deletemydata, which asks first). What is deleted and what is kept is stated in the README."""

from __future__ import annotations

import json

from telegram import CallbackQuery, InputFile, Update

from bot.core import guard
from bot.core.capability import ButtonHandler
from bot.core.payloads import Choice, Payload
from bot.core.people import person_of
from bot.core.send import ask_first, say, settle_question
from bot.core.services import DDContext, services
from storage.records import Person

FORGET = "forget"
SECTIONS = ("meetings", "answers", "themes", "votes", "actions", "action_updates", "reminders")
"""The sections of the export counted in the summary, in the summary's order."""


async def on_mydata(update: Update, context: DDContext) -> None:
    """/mydata — a short summary, then everything stored about me as one JSON file."""
    person = await person_of(update, context)
    svc = services(context)
    data = await svc.repos.privacy.everything_about(person.id)
    counts = {section: len(data[section]) for section in SECTIONS}
    await say(svc, person, "privacy.summary", name=person.display_name, **counts)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await svc.bot.send_document(
        person.telegram_id,
        InputFile(content, filename=svc.render.text(person, "privacy.file_name")),
        caption=svc.render.text(person, "privacy.file_caption"),
    )


async def on_deletemydata(update: Update, context: DDContext) -> None:
    """/deletemydata — asks first; nothing is deleted until the person confirms."""
    person = await person_of(update, context)
    svc = services(context)
    question = svc.render.text(person, "privacy.delete_question")
    await ask_first(svc, person, question, FORGET, person.id)


async def on_forget_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """forget:<person>:y deletes; forget:<person>:n keeps everything."""
    guard.check(payload.id_arg(0) == person.id)  # a button of an earlier, forgotten self
    svc = services(context)
    if payload.choice() is not Choice.CONFIRM:
        await settle_question(query, svc.render.text(person, "privacy.kept"))
        return None
    stand_in = svc.catalogue.text("privacy.former_participant", svc.settings.language)
    await svc.repos.privacy.forget(person, stand_in=stand_in)
    await settle_question(query, svc.render.text(person, "privacy.deleted"))
    return None


BUTTONS: dict[str, ButtonHandler] = {FORGET: on_forget_button}
