"""Parsing what people type on a phone: local date-times and numbers, Danish habits first.

Pure functions with no clock of their own: the caller passes `now` and the person's time zone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|T)(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})$")
_DAY_FIRST = re.compile(
    r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?\.?\s*(?:kl\.?|at|,)?\s*(\d{1,2})[:.](\d{2})$",
    re.IGNORECASE,
)


def parse_local_datetime(text: str, time_zone: str, now: datetime) -> datetime | None:
    """Read "3.12.2026 10:00", "3/12 kl. 10.00" or "2026-12-03 10:00" as a time in `time_zone`.

    Without a year, the next such date from `now` is meant. Returns an aware UTC datetime, or
    None when the text is not a date with a time.
    """
    cleaned = " ".join(text.strip().split())
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    if match := _ISO.match(cleaned):
        year, month, day, hour, minute = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(cleaned):
        day, month = int(match[1]), int(match[2])
        hour, minute = int(match[4]), int(match[5])
        if match[3] is None:
            year = local_now.year
        else:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    else:
        return None
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None
    if match.re is _DAY_FIRST and match[3] is None and local < local_now - timedelta(days=1):
        local = local.replace(year=year + 1)
    return local.astimezone(ZoneInfo("UTC"))


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")


def parse_number(text: str) -> int | float | None:
    """Read "12", "12,5", "1.234,5" or "12.5".

    When both marks appear the last one is the decimal mark; a lone comma is a Danish decimal
    comma; a lone point is a decimal point. Spaces between digit groups are ignored.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        return None
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    else:
        cleaned = cleaned.replace(",", ".")
    if cleaned.count(".") > 1:
        return None
    value = float(cleaned)
    return value if "." in cleaned else int(value)
