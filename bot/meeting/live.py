"""A meeting as its group sees it, and who may steer it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from telegram import Bot
from telegram.error import BadRequest

from bot.context import Services
from bot.render import Screen
from storage.records import Dialogue, Meeting, Person, Role

log = logging.getLogger(__name__)

DRIVERS: tuple[Role, ...] = ("leader", "referent")
"""Roles that may move phases, record reviews, merge themes and write the agreement."""
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
    dialogue = await svc.repos.dialogues.get(meeting_id)
    if dialogue is None:
        return None
    return await _live(svc, dialogue)


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


async def edit_quietly(bot: Bot, chat_id: int, message_id: int, screen: Screen) -> None:
    """Edit a message to show `screen`; an unchanged or vanished message is not an error."""
    try:
        await bot.edit_message_text(
            screen.text, chat_id=chat_id, message_id=message_id, reply_markup=screen.markup
        )
    except BadRequest as error:  # unchanged, or deleted by someone in the group
        if "not modified" not in str(error).lower():
            log.warning("could not edit message %s in %s: %s", message_id, chat_id, error)
