"""Preparation: plan a meeting, invite people by link, /prep with editing until the deadline,
and the leader's /status. Seams: a planned meeting and a joining participant are handed to
follow-up (reminders); a participant's charts come from team data before the questions."""

from __future__ import annotations

from bot.core.capability import Capability
from bot.preparation import invites, joining, planning, prep, reminders, status

CAPABILITY = Capability(
    name="preparation",
    private_commands={
        "start": joining.on_start,
        "meetings": joining.on_meetings,
        "newmeeting": planning.on_newmeeting,
        "prep": prep.on_prep,
        "status": status.on_status,
        "invites": invites.on_invites,
    },
    buttons={
        prep.PICK_PREP: prep.on_pick_prep,
        status.PICK_STATUS: status.on_pick_status,
        invites.REVOKE: invites.on_revoke_button,
    },
    finish_hooks={planning.NEW_MEETING_FLOW: planning.meeting_planned},
    edit_rules=(prep.deadline_passed,),
    menu=("prep", "meetings", "newmeeting", "status", "invites"),
    startup=reminders.register,
)
