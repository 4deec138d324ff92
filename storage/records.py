"""Plain value records the repositories return. No behaviour, no database handles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Role = Literal["leader", "referent", "participant", "observer"]


@dataclass(frozen=True)
class Person:
    id: int
    telegram_id: int
    display_name: str
    language: str
    time_zone: str
    is_reachable: bool = True


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
class Invite:
    id: int
    token: str
    meeting_id: int
    role: Role
    expires_at: datetime
    max_uses: int | None
    uses: int
    revoked_at: datetime | None


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
