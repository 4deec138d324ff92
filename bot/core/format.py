"""Babel-backed formatting of dates, numbers and plurals for the person's language and zone."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

_LOCALES = {"da": "da_DK", "en": "en_GB"}
_DATETIME_PATTERN = {"da": "EEEE d. MMMM y 'kl.' HH:mm", "en": "EEEE d MMMM y 'at' HH:mm"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_LOCALES.get(language, "da_DK"))


def when(moment: datetime, language: str, time_zone: str) -> str:
    """ "torsdag 3. december 2026 kl. 10:00" in the person's zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return format_datetime(
        local, _DATETIME_PATTERN.get(language, _DATETIME_PATTERN["da"]), locale=_locale(language)
    )


def time_of_day(moment: datetime, language: str, time_zone: str) -> str:
    """ "10:45" in the person's zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return format_datetime(local, "HH:mm", locale=_locale(language))


def number(value: float, language: str) -> str:
    """12,5 in Danish, 12.5 in English."""
    return format_decimal(value, locale=_locale(language))


def plural_form(count: float, language: str) -> str:
    return _locale(language).plural_form(count)
