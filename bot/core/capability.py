"""What a capability hands the composition root: its commands, buttons, flow hooks and parts.

`app.py` only composes these. The router refuses a button prefix or a command claimed twice,
so two capabilities cannot silently answer the same tap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from telegram import CallbackQuery, Update
from telegram.ext.filters import BaseFilter

from bot.core.payloads import Payload
from bot.core.runner import EditRule, FinishHook, Suggestion
from bot.core.services import DDContext, Services
from storage.records import Person

Command = Callable[[Update, DDContext], Awaitable[None]]
ButtonHandler = Callable[[DDContext, Person, Payload, CallbackQuery], Awaitable[str | None]]
"""Handles one kind of button; returns a short alert (or a `Toast`) for the person, or None."""
Startup = Callable[[Services], Awaitable[None]]


@dataclass(frozen=True)
class Capability:
    name: str
    private_commands: Mapping[str, Command] = field(default_factory=dict)
    """Commands in the private chat."""
    group_commands: Mapping[str, Command] = field(default_factory=dict)
    """Commands in the team's group."""
    any_chat_commands: Mapping[str, Command] = field(default_factory=dict)
    buttons: Mapping[str, ButtonHandler] = field(default_factory=dict)
    """Button prefix -> handler."""
    finish_hooks: Mapping[str, FinishHook] = field(default_factory=dict)
    """Flow id -> what happens when a run of that flow is finished."""
    edit_rules: Sequence[EditRule] = ()
    """Say when a stored answer may no longer change (e.g. after a deadline)."""
    suggestions: Mapping[str, Suggestion] = field(default_factory=dict)
    """Flow id -> earlier answers offered as one tap (e.g. last agreement's goals)."""
    messages: Sequence[tuple[BaseFilter, Command]] = ()
    """Other messages this capability reads (files, replies in a group), by filter; tried after
    commands."""
    menu: Sequence[str] = ()
    group_menu: Sequence[str] = ()
    startup: Startup | None = None
    """Builds the capability's parts and re-arms its timers when the bot starts."""
