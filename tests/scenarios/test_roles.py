"""Who may do what: every role against every command and button, from one table.

The table below is the expected answer, written from the README's "Commands by role" and the
guard (`bot/core/guard.py`: leader and referent drive a meeting). Each state of the cycle is
built once; in it every action is tried by every role, the refused roles first (so they see the
world as it was), and all mismatches are reported together. A refused role must be told the
refusal (an alert or a private message, never the apology) and nothing may be stored; an
allowed role must not be told that refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.app import CAPABILITIES
from bot.fakeapi.people import SimulatedPerson
from flows.i18n import Catalogue
from storage.schema import memberships, users
from tests.fuzz.harness import changed
from tests.scenarios.roles_world import (
    GROUP_ID,
    ROLES,
    RolesWorld,
    first_meeting_confirmed,
)

DRIVERS = frozenset({"leader", "referent"})
LEADER = frozenset({"leader"})
EVERYONE = frozenset(ROLES)
STALE = "error.button_expired"


@dataclass(frozen=True)
class Action:
    """One thing a person can do: a command typed (`text`) in private or in the group, or a
    tap on a real button whose callback data was shown to an allowed person (`button`, a name
    in `RolesWorld.data`)."""

    name: str
    allowed: frozenset[str]
    refusal: str | None = None
    """The catalogue key a refused role is told (None: nobody is refused)."""
    text: str = ""
    in_group: bool = False
    button: str = ""


# fmt: off
CONFIRMED_AGREEMENT: tuple[Action, ...] = (
    # The group's commands: the meeting's drivers only.
    Action("/startmeeting", DRIVERS, "dialogue.only_drivers", "/startmeeting", in_group=True),
    Action("/timebox", DRIVERS, "dialogue.only_drivers", "/timebox 10 20 20 20 15", in_group=True),
    Action("/dots", DRIVERS, "dialogue.only_drivers", "/dots 3", in_group=True),
    Action("/minutes (group)", DRIVERS, "dialogue.only_drivers", "/minutes", in_group=True),
    Action("/unlinkmeeting", DRIVERS, "dialogue.only_drivers", "/unlinkmeeting", in_group=True),
    Action("/linkmeeting", DRIVERS, "link.no_meetings", "/linkmeeting", in_group=True),
    # Buttons: the minutes, an owner's nudge.
    Action("mn", DRIVERS, "dialogue.only_drivers", button="minutes"),
    Action("fa", frozenset({"outside_owner"}), STALE, button="nudge"),
    # Private commands of the leader (and referent for the minutes).
    Action("/status", LEADER, "status.not_leader", "/status"),
    Action("/invites", LEADER, "invite.none", "/invites"),
    Action("/reminders", LEADER, "status.not_leader", "/reminders"),
    Action("/cancelmeeting", LEADER, "invite.none", "/cancelmeeting"),
    Action("/minutes", DRIVERS, "minutes.none_available", "/minutes"),
    # Everyone's own commands: nobody is refused.
    *(
        Action(command, EVERYONE, None, command)
        for command in (
            "/help", "/meetings", "/myactions", "/pack", "/prep", "/language", "/mydata",
            "/workhours 08:00 16:00", "/timezone Europe/Copenhagen", "/cancel", "/start",
        )
    ),
)
# fmt: on
ALL_ACTIONS = CONFIRMED_AGREEMENT


async def _perform(roles: RolesWorld, person: SimulatedPerson, action: Action) -> None:
    if action.text and action.in_group:
        await person.sends_in_group(roles.group, action.text)
    elif action.text:
        await person.sends(action.text)
    else:
        data, chat_id, message_id = _tap_target(roles, person, action.button)
        await person.forges_tap(data, message_id=message_id, chat_id=chat_id)


def _tap_target(roles: RolesWorld, person: SimulatedPerson, name: str) -> tuple[str, int, int]:
    """The button's data and a message to tap it on: the group's, or the tapper's own newest
    private message (a button shown to someone else can only be replayed, never tapped)."""
    data = roles.data[name]
    if name in roles.group_buttons:
        return data, GROUP_ID, roles.group_buttons[name]
    own = person.bot_messages()
    assert own, f"{person.user['first_name']} has no private chat to tap in"
    return data, person.id, own[-1].message_id


async def _mismatches(
    roles: RolesWorld, actions: tuple[Action, ...], catalogue: Catalogue
) -> list[str]:
    """Every (action, role) whose answer differs from the table, as readable lines."""
    apology = catalogue.text("common.unexpected", "da", ref="X").split(".")[0]
    found: list[str] = []
    for action in actions:
        refused_first = sorted(ROLES, key=lambda role: role in action.allowed)
        for role in refused_first:
            person = roles.people[role]
            expected_refusal = (
                catalogue.text(action.refusal, "da") if action.refusal is not None else None
            )
            before = await roles.snapshot()
            since = len(roles.world.api.events)
            await _perform(roles, person, action)
            seen = roles.seen_since(person, since)
            told = [text for text in seen if text.startswith(apology)]
            if told:
                found.append(f"{action.name:<18} {role:<14} got the apology")
                continue
            refused = expected_refusal is not None and any(
                _same(text, expected_refusal) for text in seen
            )
            if role in action.allowed and refused:
                found.append(f"{action.name:<18} {role:<14} allowed, but refused")
            elif role not in action.allowed:
                if not refused:
                    found.append(f"{action.name:<18} {role:<14} not refused; saw {seen!r:.120}")
                diff = changed(before, await roles.snapshot())
                if diff:
                    found.append(f"{action.name:<18} {role:<14} refused, but stored {diff}")
    return found


def _same(shown: str, catalogue_text: str) -> bool:
    from bot.fakeapi.telegram_html import visible_text

    return shown == visible_text(catalogue_text)


async def test_every_role_against_every_action_after_the_agreement(world, catalogue):
    roles = await first_meeting_confirmed(world)
    mismatches = await _mismatches(roles, CONFIRMED_AGREEMENT, catalogue)
    assert not mismatches, "\n" + "\n".join(mismatches)


NOT_IN_THE_TABLE_YET = frozenset({"newmeeting", "deletemydata", "start (group)"})
"""Commands the table does not try yet (they open a flow or ask first; see the report)."""


def test_the_table_names_every_command_the_bot_has():
    tried = {action.text.split()[0].lstrip("/") for action in ALL_ACTIONS if action.text}
    tried |= {f"{a.text.split()[0].lstrip('/')} (group)" for a in ALL_ACTIONS if a.in_group}
    commands = {
        name
        for capability in CAPABILITIES
        for name in (*capability.private_commands, *capability.any_chat_commands)
    } | {
        f"{name} (group)"
        for capability in CAPABILITIES
        for name in (*capability.group_commands, *capability.any_chat_commands)
    }
    assert sorted(commands - tried - NOT_IN_THE_TABLE_YET) == []


async def test_a_replayed_confirm_is_refused_and_stores_nothing(world, da):
    roles = await first_meeting_confirmed(world)
    mette = roles.leader
    before = await roles.snapshot()
    message_id = mette.bot_messages()[-1].message_id
    await mette.forges_tap(roles.data["agreement_confirm"], message_id=message_id)
    assert mette.alerts()[-1] == da("agreement.already_confirmed")
    assert changed(before, await roles.snapshot()) == {}


async def test_a_removed_referent_is_refused_at_once_on_a_button_already_shown(world, da):
    roles = await first_meeting_confirmed(world)
    rikke = roles.people["referent"]
    async with world.services.engine.begin() as conn:
        rikke_id = select(users.c.id).where(users.c.telegram_id == rikke.id).scalar_subquery()
        await conn.execute(delete(memberships).where(memberships.c.user_id == rikke_id))
    before = await roles.snapshot()
    data, chat_id, message_id = _tap_target(roles, rikke, "minutes")
    await rikke.forges_tap(data, message_id=message_id, chat_id=chat_id)
    assert rikke.alerts()[-1] == da("dialogue.only_drivers")
    assert changed(before, await roles.snapshot()) == {}
