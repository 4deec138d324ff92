"""Who is behind an update, and which of their meetings are current."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.core.services import DDContext, Services, services
from storage.records import Meeting, Person, Role

RECENT = timedelta(hours=12)
"""A meeting stays in /prep, /status and /pack lists this long after it started."""


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


async def current_meetings(
    svc: Services, person: Person, *, role: Role | None = None
) -> list[tuple[Meeting, Role]]:
    """The person's meetings that have not started, or started within `RECENT`."""
    return await svc.repos.meetings.of_person(person.id, role=role, not_before=svc.clock() - RECENT)
