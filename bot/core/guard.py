"""The one guard for "who may do this here": person, role, meeting state, stale button.

Handlers ask it and it raises `Refused`; the command and button routers turn a refusal into a
short reply (or an alert on the button) and nothing else happens. A refusal is not an error.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.core.services import Services
from storage.records import Meeting, Person, Role, Run

STALE = "error.button_expired"
DRIVERS: tuple[Role, ...] = ("leader", "referent")
"""Roles that steer a meeting: move phases, record reviews, merge themes, write the agreement."""
MEMBERS: tuple[Role, ...] = ("leader", "referent", "participant", "observer")


class Refused(Exception):
    """The person may not do this now: tell them `key` and change nothing."""

    def __init__(self, key: str = STALE, *, toast: bool = False, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.toast = toast
        self.params = params


class Toast(str):
    """A button's answer shown briefly at the top of the chat, not as a dialog to dismiss."""


def check(condition: object, key: str = STALE, **params: object) -> None:
    """Refuse with `key` unless `condition` holds (by default: the button is stale)."""
    if not condition:
        raise Refused(key, **params)


async def meeting(svc: Services, meeting_id: int) -> Meeting:
    """The meeting a button or command names; a missing one makes the button stale."""
    found = await svc.repos.meetings.get(meeting_id) if meeting_id else None
    check(found)
    assert found is not None
    return found


async def role_in(
    svc: Services,
    meeting_id: int,
    person: Person,
    allowed: Collection[Role],
    *,
    refusal: str = "dialogue.only_drivers",
) -> Role:
    """The person's role in the meeting, if it is one of `allowed`; else refuse."""
    role = await svc.repos.meetings.role_of(meeting_id, person.id) if meeting_id else None
    check(role in allowed, refusal)
    assert role is not None
    return role


async def own_run(svc: Services, person: Person, run_id: int) -> Run:
    """A current (open or finished) run of this person's; a forged or old id is stale."""
    run = await svc.repos.runs.get(run_id) if run_id else None
    check(run is not None and run.user_id == person.id and run.status in ("active", "finished"))
    assert run is not None
    return run


async def own_open_run(svc: Services, person: Person, run_id: int) -> Run:
    """An open run of this person's (answer buttons act only on the question still open)."""
    runs = await svc.repos.runs.open_for(person.id)
    found = next((run for run in runs if run.id == run_id), None)
    check(found)
    assert found is not None
    return found
