"""Scenario steps shared by tests (planning a meeting lives with the demo in bot.fakeapi)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.fakeapi.people import SimulatedPerson
from bot.fakeapi.script import plan_meeting
from bot.fakeapi.world import OfflineWorld

__all__ = [
    "answer_three_points", "group_message", "open_ballot", "plan_meeting", "started_in_group",
]  # fmt: skip


async def answer_three_points(person: SimulatedPerson, *, skip_question: bool = False) -> None:
    await person.sends(f"Flere af {person.user['first_name']}s borgere er kommet i fritidsjob.")
    await person.sends("Fremmødet falder efter tre måneder.")
    if skip_question:
        await person.taps("Spring over")
    else:
        await person.sends("Kan vi se tallene opdelt på alder?")


MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
"""When `plan_meeting`'s meeting starts (10:00 in Copenhagen)."""


@dataclass(frozen=True)
class Ballot:
    """A meeting in its Interpret step with the dot-vote ballot posted in the group."""

    leader: SimulatedPerson
    group: dict[str, Any]
    message_id: int
    labels: list[str]
    """The vote button of each theme, in the ballot's order."""


async def started_in_group(
    world: OfflineWorld, group_id: int, participants: Sequence[SimulatedPerson]
) -> tuple[SimulatedPerson, dict[str, Any]]:
    """Mette plans a meeting, `participants` join it, she links `group_id` and starts the
    meeting at its time (Since last time); returns Mette and the group."""
    leader = world.person(101, "Mette", last_name="Holm")
    participant_token, _ = await plan_meeting(leader)
    for participant in participants:
        await participant.sends(f"/start {participant_token}")
    group = world.group(group_id, "Team Fritid")
    await leader.sends_in_group(group, "/linkmeeting")
    world.clock.now = MEETING_START
    await leader.sends_in_group(group, "/startmeeting")
    return leader, group


async def open_ballot(
    world: OfflineWorld, group_id: int, voters: Sequence[SimulatedPerson], themes: Sequence[str]
) -> Ballot:
    """A meeting started in `group_id` (see `started_in_group`), walked to Interpret with
    `themes` added (by replies in the group, in this order)."""
    leader, group = await started_in_group(world, group_id, voters)
    await leader.taps_in_group(group, "Næste ▶")  # to Explore
    theme_list = group_message(world, group_id, "Temaer (0)")
    for n, theme in enumerate(themes):
        await voters[n % len(voters)].sends_in_group(group, theme, reply_to=theme_list)
    await leader.taps_in_group(group, "Næste ▶")  # to Interpret
    ballot = group_message(world, group_id, "Prioritér med prikker")
    labels = [f"➕ {n}. {theme}" for n, theme in enumerate(themes, start=1)]
    shown = [b["text"] for b in world.api.messages[(group_id, ballot)].buttons()]
    assert shown[: len(labels)] == labels, f"themes must be short enough to show whole: {shown}"
    return Ballot(leader, group, ballot, labels)


def group_message(world: OfflineWorld, group_id: int, text_start: str) -> int:
    """The id of the newest bot message in the group whose text starts with `text_start`."""
    for message in reversed(world.api.chat_messages(group_id)):
        text = world.telegram.message_text(group_id, message.message_id)
        if message.from_bot and text.startswith(text_start):
            return message.message_id
    raise AssertionError(f"no group message starts with {text_start!r}")
