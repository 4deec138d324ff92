"""Basics: /help by role, /language, /cancel, and a word for commands we do not know."""

from __future__ import annotations

from bot.basics.commands import BUTTONS, on_cancel, on_help, on_language, on_unknown_command
from bot.core.capability import Capability

CAPABILITY = Capability(
    name="basics",
    private_commands={"help": on_help, "language": on_language, "cancel": on_cancel},
    buttons=BUTTONS,
    menu=("language", "cancel", "help"),
)
UNKNOWN_COMMAND = on_unknown_command
"""Registered by the composition root after every capability's commands."""
