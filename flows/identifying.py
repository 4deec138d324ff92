"""Spot details that identify a citizen (CPR numbers, phone numbers, e-mail addresses) in free
text, so the bot can refuse to store them. Telegram is a cloud service: what is typed there
should be about patterns, not about named people.

Only the kinds found are reported, never the values. Refusing and explaining is left to the
callers (the flow engine and the group's replies).
"""

from __future__ import annotations

import re
from datetime import date

CPR = "cpr"
PHONE = "phone"
EMAIL = "email"
KINDS = (CPR, PHONE, EMAIL)
"""Every kind, in the order they are reported (and named in message keys)."""

_SPACE = "[ \u00a0]"
"""A plain or a non-breaking space (phones insert the latter)."""
_BEFORE = r"(?<![0-9])(?<![0-9][.,:/-])"
"""Not inside a longer number, a decimal, a time or a range."""
_AFTER = r"(?![0-9])(?![.,:/-][0-9])"

_DASH = "[-\u2010\u2011\u2013]"
"""A hyphen, or the dashes a phone's keyboard may turn it into."""
_CPR = re.compile(_BEFORE + rf"([0-9]{{6}})(?:{_DASH}|{_SPACE})?[0-9]{{4}}" + _AFTER)
_PHONE = re.compile(
    r"(?:(?<![0-9])(?P<prefix>(?:\+|00)45" + _SPACE + r"?)|" + _BEFORE + ")"
    + r"(?P<number>[2-9][0-9]{7}"
    + rf"|[2-9][0-9](?:{_SPACE}[0-9]{{2}}){{3}}"
    + rf"|[2-9][0-9]{{3}}{_SPACE}[0-9]{{4}})"
    + _AFTER
)  # fmt: skip
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_MONEY_AFTER = re.compile(r"\s*(?:(?:kr|kroner|dkk|eur|euro|mio|mia)\b|[€$%‰])", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:kr\.?|dkk|€|\$)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def find_identifying(text: str) -> list[str]:
    """The kinds of identifying detail in `text` ("cpr", "phone", "email"), in `KINDS` order.

    Dates (12-10-2026), years, amounts, percentages and times are not reported: a CPR number
    needs ten digits whose first six are a real date, and a phone number eight digits
    starting with 2-9, written whole or in pairs or halves.
    """
    found: set[str] = set()
    cprs = {
        match.span()
        for match in _CPR.finditer(text)
        if _is_birth_date(match.group(1)) and not _is_amount(match, text)
    }
    if cprs:
        found.add(CPR)
    # Digits read as a CPR number are not read again as half of a phone number.
    without_cpr = _CPR.sub(lambda m: " " if m.span() in cprs else m.group(), text)
    if any(_is_phone(match, without_cpr) for match in _PHONE.finditer(without_cpr)):
        found.add(PHONE)
    if _EMAIL.search(text):
        found.add(EMAIL)
    return [kind for kind in KINDS if kind in found]


def refusal_key(kinds: list[str]) -> str:
    """The catalogue key that names exactly these kinds, e.g. `identifying.found.cpr_email`:
    one whole sentence per combination, never glued from parts."""
    return "identifying.found." + "_".join(kind for kind in KINDS if kind in kinds)


def _is_birth_date(digits: str) -> bool:
    """ddmmyy is a real day in some century (29 February counts when yy is a leap year)."""
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    try:
        date(2000 + year, month, day)
    except ValueError:
        return False
    return True


def _is_phone(match: re.Match[str], text: str) -> bool:
    if match.group("prefix"):
        return True  # +45 or 0045 leaves no doubt
    number = match.group("number")
    if _is_amount(match, text):
        return False
    if len(number) == 8:
        # Written whole, it may be a date without separators or a round amount. Missing a
        # number ending in 0000 costs little: those belong to switchboards, not to citizens.
        return not (_is_date(number) or number.endswith("0000"))
    halves = number.split()
    two_years = len(halves) == 2 and all(_YEAR.fullmatch(half) for half in halves)
    return not two_years


def _is_amount(match: re.Match[str], text: str) -> bool:
    """A currency or a percent sign right before or after the number."""
    after = _MONEY_AFTER.match(text, match.end())
    return bool(after or _MONEY_BEFORE.search(text, 0, match.start()))


def _is_date(digits: str) -> bool:
    """ddmmyyyy or yyyymmdd with a year 1900-2099."""
    readings = ((digits[4:], digits[2:4], digits[:2]), (digits[:4], digits[4:6], digits[6:]))
    for year, month, day in readings:
        if _YEAR.fullmatch(year):
            try:
                date(int(year), int(month), int(day))
            except ValueError:
                continue
            return True
    return False
