"""/workhours and /timezone: when and in which zone a person's reminders reach them."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update

from bot.core.people import person_of
from bot.core.send import say
from bot.core.services import DDContext, services

HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_ZONE_CHARS = 64


async def on_timezone(update: Update, context: DDContext) -> None:
    """/timezone Europe/London — the zone my reminders and dates are shown in."""
    person = await person_of(update, context)
    svc = services(context)
    args = context.args or []
    if not args:
        await say(svc, person, "followup.timezone_current", zone=person.time_zone)
        return
    if len(args) != 1 or not _is_time_zone(args[0]):
        await say(svc, person, "followup.timezone_usage")
        return
    changed = await svc.repos.people.set_time_zone(person, args[0])
    await say(svc, changed, "followup.timezone_set", zone=args[0])


def _is_time_zone(name: str) -> bool:
    """A zone the tz database knows, such as Europe/Copenhagen (refusing odd or long words)."""
    if len(name) > MAX_ZONE_CHARS:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


async def on_workhours(update: Update, context: DDContext) -> None:
    """/workhours 08:00 16:00 — when reminders may reach me on weekdays."""
    person = await person_of(update, context)
    svc = services(context)
    args = context.args or []
    if not args:
        await say(svc, person, "followup.workhours_current", start=person.work_start,
                  end=person.work_end)  # fmt: skip
        return
    if len(args) != 2 or not all(HOURS.match(a) for a in args) or args[0] >= args[1]:
        await say(svc, person, "followup.workhours_usage")
        return
    changed = await svc.repos.people.set_working_hours(person, args[0], args[1])
    await say(svc, changed, "followup.workhours_set", start=args[0], end=args[1])
