"""The live meeting in the team's group: linking the group, the phase panel, Since last time,
Explore (themes), Interpret (dot votes), and the minutes. The agreement capability subscribes
to `events.PhaseEntered` to open the agreement at Prepare action."""

from __future__ import annotations

import logging

from telegram.ext import filters

from bot.core.capability import Capability
from bot.core.services import Services
from bot.meeting import (
    export,
    group,
    linking,
    phases,
    repair,
    since_last,
    steering,
    themes,
    voting,
)
from bot.meeting.timers import MeetingTimers

log = logging.getLogger(__name__)


async def start(svc: Services) -> None:
    """The group's living messages and the timebox warnings: re-armed from their table."""
    timers = MeetingTimers(
        svc,
        {
            "panel": phases.panel_screen,
            "themes": themes.themes_screen,
            "ballot": voting.ballot_screen,
        },
    )
    svc.add_part(timers)
    rearmed = await timers.rearm()
    if rearmed:
        log.info("re-armed %d meeting timers", rearmed)
    await repair.finish_left_steps(svc)


GROUPS = filters.ChatType.GROUPS
CAPABILITY = Capability(
    name="meeting",
    group_commands={
        "linkmeeting": linking.on_linkmeeting,
        "unlinkmeeting": linking.on_unlinkmeeting,
        "startmeeting": steering.on_startmeeting,
        "timebox": steering.on_timebox,
        "dots": steering.on_dots,
        "start": group.on_group_start,
    },
    any_chat_commands={"minutes": export.on_minutes},
    buttons={
        linking.LINK: linking.on_link_button,
        linking.UNLINK: linking.on_unlink_button,
        export.MINUTES: export.on_minutes_button,
        phases.PHASE: phases.on_phase_button,
        since_last.REVIEW: since_last.on_review_button,
        **themes.BUTTONS,
        **voting.BUTTONS,
    },
    finish_hooks={themes.ADD_THEME_FLOW: themes.theme_written},
    messages=(
        (GROUPS & filters.REPLY & ~filters.COMMAND, group.on_group_reply),
        (GROUPS & filters.COMMAND, group.on_group_command),
    ),
    menu=("minutes",),
    group_menu=("linkmeeting", "startmeeting", "timebox", "dots", "minutes", "unlinkmeeting"),
    startup=start,
)
