"""The method's rule for the next dialogue an agreement plans."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.records import Meeting, NewMeeting

PREP_WINDOW = timedelta(days=1)
"""Preparation closes this long before the next meeting (or half-way there, if that is later)."""


def plan_next_meeting(current: Meeting, starts_at: datetime, now: datetime) -> NewMeeting:
    """The same team, title, people, preparation form and group as `current`, at the agreed
    time, so its preparation and its Since last time build on this agreement."""
    return NewMeeting(
        team_id=current.team_id,
        title=current.title,
        starts_at=starts_at,
        prep_deadline_at=max(starts_at - PREP_WINDOW, now + (starts_at - now) / 2),
        time_zone=current.time_zone,
        prep_flow_id=current.prep_flow_id,
        created_by=current.created_by,
        members_from=current.id,
        group_from=current.id,
    )
