"""Plain value records the repositories return. No behaviour, no database handles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Role = Literal["leader", "referent", "participant", "observer"]
InviteRole = Role | Literal["owner", "follow_up"]
"""An owner or follow-up link makes someone the owner, or the follow-up person, of one action
without joining the meeting."""


@dataclass(frozen=True)
class Person:
    id: int
    telegram_id: int
    display_name: str
    language: str
    time_zone: str
    is_reachable: bool = True
    work_start: str = "08:00"
    work_end: str = "16:00"


@dataclass(frozen=True)
class Meeting:
    id: int
    team_id: int
    team_name: str
    title: str
    starts_at: datetime
    prep_deadline_at: datetime
    time_zone: str
    status: str
    prep_flow_id: str
    created_by: int


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to store: what the method decided about it (see bot/agreement/next_meeting.py)."""

    team_id: int
    title: str
    starts_at: datetime
    prep_deadline_at: datetime
    time_zone: str
    prep_flow_id: str
    created_by: int
    members_from: int | None = None
    """Give it the members, in the same roles, of this meeting."""
    group_from: int | None = None
    """Link it to the group of this meeting, with the same timeboxes and dots."""


@dataclass(frozen=True)
class Invite:
    id: int
    token: str
    meeting_id: int
    role: InviteRole
    expires_at: datetime
    max_uses: int | None
    uses: int
    revoked_at: datetime | None
    action_id: int | None = None


@dataclass(frozen=True)
class Run:
    id: int
    user_id: int
    flow_id: str
    flow_version: int
    meeting_id: int | None
    status: str
    state: dict[str, Any]
    prompted_at: datetime | None
    prompt_message_id: int | None = None


@dataclass(frozen=True)
class PrepStatus:
    """One participant's preparation for a meeting."""

    person: Person
    status: Literal["finished", "in_progress", "not_started"]


@dataclass(frozen=True)
class StoredAnswer:
    run_id: int
    user_id: int
    step_id: str
    value: Any
    answered_at: datetime
    revised_at: datetime | None


@dataclass(frozen=True)
class Dialogue:
    """Where a meeting's dialogue stands, as the group sees it."""

    meeting_id: int
    group_chat_id: int
    phase: str
    revision: int
    paused: bool
    phase_started_at: datetime | None
    phase_elapsed_s: int
    timeboxes: tuple[int, ...]
    panel_message_id: int | None
    themes_message_id: int | None
    ballot_message_id: int | None
    leader_turn: bool
    dots_per_person: int
    vote_status: str
    chosen_theme_id: int | None
    area_note: str | None
    started_at: datetime | None
    finished_at: datetime | None
    results_posted_at: datetime | None = None
    """Set once the closed vote's results were posted (a crash before is redone at start-up)."""


@dataclass(frozen=True)
class Theme:
    id: int
    meeting_id: int
    author_id: int
    text: str
    merged_into: int | None


@dataclass(frozen=True)
class Timer:
    id: int
    meeting_id: int
    kind: str
    target: str
    due_at: datetime


@dataclass(frozen=True)
class Action:
    id: int
    meeting_id: int
    description: str
    owner_id: int | None
    owner_name: str | None
    """The owner's display name: the member's, or the name given for someone outside."""
    follow_up_id: int | None
    follow_up_name: str | None
    """The follow-up person's display name: the member's, or the name given for someone outside."""
    deadline_at: datetime
    status: str


@dataclass(frozen=True)
class Agreement:
    meeting_id: int
    short_goal: str
    long_goal: str
    horizon_months: int
    data_signal: str
    next_meeting_id: int | None
    cadence_days: int
    confirmed_at: datetime
    drafted_by: int | None = None
    shared_at: datetime | None = None
    """Set once the confirmed agreement was planned and posted (else redone at start-up)."""


@dataclass(frozen=True)
class ActionUpdate:
    """An owner's follow-up answer between meetings (Done, In progress, Blocked, Postponed)."""

    status: str
    note: str | None
    reported_at: datetime


@dataclass(frozen=True)
class ActionReview:
    """What the group concluded about an action at the next meeting's Since last time."""

    outcome: str | None
    decision: str | None
    learning: str | None


@dataclass(frozen=True)
class PastAction:
    action: Action
    latest_update: ActionUpdate | None
    review: ActionReview | None


@dataclass(frozen=True)
class Reminder:
    """One message the bot owes someone at a time; the scheduler only fires what these say."""

    id: int
    kind: str
    user_id: int
    meeting_id: int | None
    action_id: int | None
    planned_at: datetime
    due_at: datetime
    status: str
    attempts: int
