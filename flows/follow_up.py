"""When follow-up reminders fall: local working time, Danish public holidays, DST-safe.

Pure rules, no Telegram and no database. Times are reasoned about in the person's own time zone
with zoneinfo and handed back in UTC, so a nudge planned for 09:00 stays 09:00 on the wall
clock across the switches to and from summer time.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

NUDGE_TIME = time(9, 0)
"""Nudges are planned for 09:00 local time, then moved into the person's working hours."""
PREP_OFFSETS = (timedelta(hours=24), timedelta(hours=2))
"""Preparation reminders this long before the preparation deadline."""
DEFAULT_CADENCE_DAYS = 14
DAYS_BEFORE_DEADLINE = 3
NEXT_MEETING_NOTICE = timedelta(days=7)
WEEKDAYS = frozenset(range(5))
"""Monday to Friday."""


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(8, 0)
    end: time = time(16, 0)
    days: frozenset[int] = WEEKDAYS

    @classmethod
    def parse(cls, start: str, end: str) -> WorkingHours:
        return cls(time.fromisoformat(start), time.fromisoformat(end))


@cache
def danish_holidays(year: int) -> Container[date]:
    """Danish public holidays of a year, from the maintained `holidays` package.

    Imported on first use: it takes about 0.1 s, which would otherwise add to every start."""
    import holidays

    return holidays.country_holidays("DK", years=year)


def _is_working_day(day: date, hours: WorkingHours) -> bool:
    return day.weekday() in hours.days and day not in danish_holidays(day.year)


def at_local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The instant a local wall-clock time happens on a day (zoneinfo resolves DST)."""
    return datetime.combine(day, moment, tzinfo=zone)


def next_working_moment(when: datetime, hours: WorkingHours, zone: ZoneInfo) -> datetime:
    """`when` if it falls inside working hours, else the start of the next working slot."""
    local = when.astimezone(zone)
    day = local.date()
    for _ in range(400):  # a year and a bit: enough for any calendar
        if _is_working_day(day, hours):
            start, end = at_local(day, hours.start, zone), at_local(day, hours.end, zone)
            if local < start:
                return start
            if local < end:
                return local
        day += timedelta(days=1)
        local = at_local(day, time(0, 0), zone)
    raise ValueError("no working day within a year")


def last_working_moment(limit: datetime, hours: WorkingHours, zone: ZoneInfo) -> datetime | None:
    """The latest moment inside working hours at or before `limit` (within two weeks), if any."""
    local = limit.astimezone(zone)
    day = local.date()
    for _ in range(14):
        if _is_working_day(day, hours):
            start, end = at_local(day, hours.start, zone), at_local(day, hours.end, zone)
            if local >= start:
                return min(local, end - timedelta(minutes=1))
        day -= timedelta(days=1)
        local = at_local(day, time(23, 59), zone)
    return None


def place(
    wanted: datetime, hours: WorkingHours, zone: ZoneInfo, *, not_after: datetime | None = None
) -> datetime:
    """Move a reminder into working time, but never past the moment it warns about.

    If the next working slot lies after `not_after`, the reminder goes to the last working
    moment before it; if there is none, it stays where it was wanted. Returned in UTC.
    """
    slot = next_working_moment(wanted, hours, zone)
    if not_after is not None and slot > not_after:
        earlier = last_working_moment(not_after, hours, zone)
        slot = earlier if earlier is not None else wanted
    return slot.astimezone(UTC)


def action_nudges(
    agreed_at: datetime,
    deadline: datetime,
    zone: ZoneInfo,
    hours: WorkingHours,
    *,
    cadence_days: int = DEFAULT_CADENCE_DAYS,
) -> list[datetime]:
    """Nudges for one action: every `cadence_days` at 09:00 local after it was agreed, then 3
    days before the deadline and on the deadline day (never after the deadline itself)."""
    local_deadline = deadline.astimezone(zone)
    wanted: list[datetime] = []
    day = agreed_at.astimezone(zone).date() + timedelta(days=cadence_days)
    before_deadline = local_deadline.date() - timedelta(days=DAYS_BEFORE_DEADLINE)
    while day < before_deadline:
        wanted.append(at_local(day, NUDGE_TIME, zone))
        day += timedelta(days=cadence_days)
    wanted.append(at_local(before_deadline, NUDGE_TIME, zone))
    wanted.append(min(at_local(local_deadline.date(), NUDGE_TIME, zone), local_deadline))
    placed = {place(w, hours, zone, not_after=deadline) for w in wanted if w > agreed_at}
    return sorted(moment for moment in placed if moment > agreed_at)


def prep_reminders(
    prep_deadline: datetime, now: datetime, zone: ZoneInfo, hours: WorkingHours
) -> list[datetime]:
    """Reminders to prepare, 24 h and 2 h before the deadline, inside working hours."""
    placed = {place(prep_deadline - offset, hours, zone, not_after=prep_deadline)
              for offset in PREP_OFFSETS}  # fmt: skip
    return sorted(moment for moment in placed if now < moment < prep_deadline)


def meeting_notice(
    starts_at: datetime, now: datetime, zone: ZoneInfo, hours: WorkingHours
) -> datetime | None:
    """When to remind the team of its next dialogue: a week before, at 09:00 local."""
    day = (starts_at - NEXT_MEETING_NOTICE).astimezone(zone).date()
    moment = place(at_local(day, NUDGE_TIME, zone), hours, zone, not_after=starts_at)
    return moment if now < moment < starts_at else None
