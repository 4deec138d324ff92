"""Everything the live-meeting code needs, built once in the composition root."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.context import DDContext, Services
from bot.follow_up.planning import FollowUpPlanner
from bot.meeting.timers import MeetingTimers
from bot.render import Screen
from bot.runner import FlowRunner

log = logging.getLogger(__name__)

KIT_KEY = "meeting_kit"


@dataclass(frozen=True)
class Kit:
    svc: Services
    bot: Bot
    timers: MeetingTimers
    runner: FlowRunner
    follow_up: FollowUpPlanner

    async def post(self, chat_id: int, screen: Screen) -> Message:
        return await self.bot.send_message(chat_id, screen.text, reply_markup=screen.markup)

    async def edit(self, chat_id: int, message_id: int, screen: Screen) -> None:
        """Edit a message to show `screen`; an unchanged or vanished message is not an error."""
        try:
            await self.bot.edit_message_text(
                screen.text, chat_id=chat_id, message_id=message_id, reply_markup=screen.markup
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.warning("could not edit message %s in %s: %s", message_id, chat_id, error)


def kit(context: DDContext) -> Kit:
    return context.application.bot_data[KIT_KEY]
