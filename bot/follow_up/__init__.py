"""Follow-up between meetings: the reminders table and its one paced sender, nudges to action
owners and their answers, escalation to the follow-up person, /myactions, /reminders,
/cancelmeeting, /workhours and /timezone. Other capabilities plan through `FollowUpPlanner`
(a part of the services) and may register how their own reminder kinds read."""

from __future__ import annotations

import logging

from bot.core.capability import Capability
from bot.core.services import Services
from bot.follow_up import answers, commands, notices, preferences
from bot.follow_up.sender import ReminderSender

log = logging.getLogger(__name__)


async def start(svc: Services) -> None:
    """Build the sender and its planner, take back what a crash left half-sent, wake for what
    is due."""
    sender = ReminderSender(svc, rate=svc.settings.reminder_rate)
    svc.add_part(sender)
    svc.add_part(sender.planner)
    recovered = await sender.start()
    if recovered:
        log.warning("%d reminders were being sent when the bot stopped; sending again", recovered)


CAPABILITY = Capability(
    name="follow_up",
    private_commands={
        "myactions": commands.on_myactions,
        "reminders": commands.on_reminders,
        "cancelmeeting": commands.on_cancelmeeting,
        "workhours": preferences.on_workhours,
        "timezone": preferences.on_timezone,
    },
    buttons={
        notices.FOLLOW_ANSWER: answers.on_answer,
        notices.WRITE_OWNER: answers.on_write_owner,
        notices.REASSIGN: answers.on_reassign,
        commands.REMINDER_CANCEL: commands.on_cancel_reminder,
        commands.REMINDERS_PAGE: commands.on_reminders_page,
        commands.MEETING_CANCEL: commands.on_cancel_meeting_button,
    },
    finish_hooks={
        answers.NOTE_FLOW: answers.note_written,
        answers.POSTPONE_FLOW: answers.postponed,
        answers.MESSAGE_FLOW: answers.message_written,
    },
    menu=("myactions", "reminders", "cancelmeeting", "workhours", "timezone"),
    startup=start,
)
