"""A meeting as its group sees it: the meeting, its dialogue state, and whose words the group
reads (the leader's language, in the meeting's time zone)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core import guard
from bot.core.services import Services
from storage.records import Dialogue, Meeting, Person, Role

VOTERS: tuple[Role, ...] = ("participant",)
"""Leader and observers do not vote by default; neither does the referent, who takes notes."""
CONTRIBUTORS: tuple[Role, ...] = ("leader", "referent", "participant")


@dataclass(frozen=True)
class Live:
    meeting: Meeting
    dialogue: Dialogue
    audience: Person
    """Whose language and clock the group's texts use: the leader's, in the meeting's zone."""

    @property
    def chat_id(self) -> int:
        return self.dialogue.group_chat_id

    def with_dialogue(self, dialogue: Dialogue) -> Live:
        return replace(self, dialogue=dialogue)


async def load(svc: Services, meeting_id: int) -> Live | None:
    dialogue = await svc.repos.dialogues.get(meeting_id) if meeting_id else None
    if dialogue is None:
        return None
    return await _live(svc, dialogue)


async def linked(svc: Services, meeting_id: int) -> Live:
    """The live meeting a button names; a meeting without a group makes the button stale."""
    live = await load(svc, meeting_id)
    guard.check(live)
    assert live is not None
    return live


async def for_group(svc: Services, chat_id: int, *, started: bool = False) -> Live | None:
    dialogue = await svc.repos.dialogues.for_group(chat_id, started=started)
    if dialogue is None:
        return None
    return await _live(svc, dialogue)


async def _live(svc: Services, dialogue: Dialogue) -> Live | None:
    meeting = await svc.repos.meetings.get(dialogue.meeting_id)
    if meeting is None:
        return None
    leader = await svc.repos.people.get(meeting.created_by)
    assert leader is not None
    return Live(meeting, dialogue, replace(leader, time_zone=meeting.time_zone))
