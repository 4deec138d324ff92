"""What people type: local date-times (in their zone, across DST) and numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.parsing import parse_local_datetime, parse_number

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CPH = "Europe/Copenhagen"


@pytest.mark.parametrize(
    ("typed", "expected_utc"),
    [
        ("3.12.2026 10:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("03-12-2026 10.00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("3/12/26 kl. 10.00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("2026-12-03 10:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("3.12 10:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("1.7.2027 10:00", datetime(2027, 7, 1, 8, 0, tzinfo=UTC)),  # summer time: UTC+2
        ("2.1 9:30", datetime(2027, 1, 2, 8, 30, tzinfo=UTC)),  # no year: the next 2 January
    ],
)
def test_local_datetimes_are_read_in_the_persons_zone(typed, expected_utc):
    assert parse_local_datetime(typed, CPH, NOW) == expected_utc


@pytest.mark.parametrize("typed", ["i morgen", "3.12.2026", "31.2.2026 10:00", "25:00", ""])
def test_non_datetimes_give_none(typed):
    assert parse_local_datetime(typed, CPH, NOW) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12), ("12,5", 12.5), ("12.5", 12.5), ("1.234,5", 1234.5), ("1 234", 1234),
     ("-3", -3), ("1,234.5", 1234.5)],
)  # fmt: skip
def test_numbers_accept_danish_and_english_habits(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize("typed", ["tolv", "1.2.3", "12,", "", "1e5"])
def test_non_numbers_give_none(typed):
    assert parse_number(typed) is None
