"""Quick deadlines for an action: the method's usual horizons in one tap, in local time."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NOON = time(12, 0)
TWO_WEEKS = timedelta(days=14)


def quick_deadline(
    choice: str, now: datetime, time_zone: str, next_meeting_at: datetime | None
) -> datetime:
    """12:00 local in two weeks or in a month (the same day next month, or its last day), or
    the start of the next dialogue; a month when the next dialogue is not known yet."""
    local = now.astimezone(ZoneInfo(time_zone))
    if choice == "next_meeting" and next_meeting_at is not None and next_meeting_at > now:
        return next_meeting_at
    if choice == "two_weeks":
        day = local.date() + TWO_WEEKS
    else:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        day = _clamped(year, month, local.day)
    return datetime.combine(day, NOON, tzinfo=ZoneInfo(time_zone))


def _clamped(year: int, month: int, day: int) -> date:
    """The date, or the month's last day when it has fewer days (31 January -> 28 February)."""
    return date(year, month, min(day, monthrange(year, month)[1]))
