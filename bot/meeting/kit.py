"""Everything the live-meeting code needs, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, Message

from bot.context import DDContext, Services
from bot.follow_up.planning import FollowUpPlanner
from bot.meeting.live import edit_quietly
from bot.meeting.timers import MeetingTimers
from bot.render import Screen
from bot.runner import FlowRunner

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
        await edit_quietly(self.bot, chat_id, message_id, screen)


def kit(context: DDContext) -> Kit:
    return context.application.bot_data[KIT_KEY]
