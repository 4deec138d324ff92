"""When reminders fall: 09:00 local across both DST switches, working hours, Danish holidays."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flows.follow_up import (
    WorkingHours,
    action_nudges,
    meeting_notice,
    next_working_moment,
    place,
    prep_reminders,
)

CPH = ZoneInfo("Europe/Copenhagen")
OFFICE = WorkingHours()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)


def test_nudges_stay_at_nine_local_across_both_summer_time_switches():
    agreed = local(2027, 3, 17, 11, 0)  # a Wednesday; summer time starts 28 March 2027
    nudges = action_nudges(agreed, local(2027, 12, 3, 12, 0), CPH, OFFICE, cadence_days=14)
    assert len(nudges) == 20  # 18 fortnightly, 3 days before, on the day
    assert all(n.astimezone(CPH).time() == time(9, 0) for n in nudges)
    utc_hours = {n.astimezone(CPH).date(): n.hour for n in nudges}
    assert utc_hours[datetime(2027, 3, 31).date()] == 7  # summer time: 09:00 is 07:00 UTC
    assert utc_hours[datetime(2027, 11, 10).date()] == 8  # winter time again (31 October)
    assert nudges[0].tzinfo == UTC


def test_a_nudge_on_a_weekend_or_holiday_moves_to_the_next_working_morning():
    # 14 days after Friday 11 Dec 2026 is Christmas Day, then a Saturday and a Sunday.
    assert place(local(2026, 12, 25, 9, 0), OFFICE, CPH) == local(2026, 12, 28, 8, 0)
    assert place(local(2027, 3, 29, 9, 0), OFFICE, CPH) == local(2027, 3, 30, 8, 0)  # Easter Mon
    assert place(local(2027, 5, 6, 9, 0), OFFICE, CPH) == local(2027, 5, 7, 8, 0)  # Ascension
    assert next_working_moment(local(2026, 12, 1, 17, 30), OFFICE, CPH) == local(2026, 12, 2, 8, 0)
    assert next_working_moment(local(2026, 12, 1, 6, 0), OFFICE, CPH) == local(2026, 12, 1, 8, 0)


def test_a_reminder_is_never_moved_past_what_it_warns_about():
    # Wanted Saturday morning, deadline Sunday noon: the last working moment is Friday 15:59.
    moved = place(local(2026, 12, 5, 9, 0), OFFICE, CPH, not_after=local(2026, 12, 6, 12, 0))
    assert moved == local(2026, 12, 4, 15, 59)


def test_deadline_nudges_come_three_days_before_and_on_the_day():
    nudges = action_nudges(local(2026, 12, 3, 11, 0), local(2027, 1, 15, 12, 0), CPH, OFFICE)
    days = [n.astimezone(CPH).strftime("%d.%m %H:%M") for n in nudges]
    # 17.12 (+14), 31.12 (+28), then 12.01 (3 days before) and the deadline day 15.01
    assert days == ["17.12 09:00", "31.12 09:00", "12.01 09:00", "15.01 09:00"]


def test_personal_working_hours_are_respected():
    late_shift = WorkingHours.parse("12:00", "20:00")
    assert place(local(2026, 12, 1, 9, 0), late_shift, CPH) == local(2026, 12, 1, 12, 0)


def test_preparation_reminders_and_the_meeting_notice():
    now = local(2026, 11, 25, 10, 0)
    deadline = local(2026, 12, 2, 12, 0)  # a Wednesday noon
    assert prep_reminders(deadline, now, CPH, OFFICE) == [
        local(2026, 12, 1, 12, 0),
        local(2026, 12, 2, 10, 0),
    ]
    early = local(2026, 12, 2, 7, 0)  # 24 h before: Tuesday 07:00 -> 08:00; 2 h before: 05:00,
    assert prep_reminders(early, now, CPH, OFFICE) == [  # whose next slot is past the deadline
        local(2026, 12, 1, 8, 0),
        local(2026, 12, 1, 15, 59),
    ]
    assert meeting_notice(local(2026, 12, 10, 10, 0), now, CPH, OFFICE) == local(2026, 12, 3, 9, 0)
