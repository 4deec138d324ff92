"""The composition root refuses a button prefix or a command that two capabilities claim."""

from __future__ import annotations

import pytest
from telegram.ext import ApplicationBuilder, CommandHandler

from bot.app import CAPABILITIES, add_handlers
from bot.core.capability import Capability
from bot.core.routing import ButtonRouter
from bot.fakeapi.server import FAKE_TOKEN


async def _nothing(*args: object) -> None:
    return None


def test_router_refuses_a_prefix_claimed_twice():
    first = Capability(name="first", buttons={"x": _nothing})
    second = Capability(name="second", buttons={"x": _nothing})
    with pytest.raises(ValueError, match="'x' of second is already claimed by first"):
        ButtonRouter([first, second])


def test_shipped_capabilities_claim_each_prefix_once():
    prefixes = [prefix for capability in CAPABILITIES for prefix in capability.buttons]
    assert len(prefixes) == len(set(prefixes))
    ButtonRouter(CAPABILITIES)  # raises on a double claim


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"private_commands": {"help": _nothing}}, {"private_commands": {"help": _nothing}}),
        ({"any_chat_commands": {"minutes": _nothing}}, {"group_commands": {"minutes": _nothing}}),
    ],
)
def test_composition_refuses_a_command_claimed_twice(first, second):
    application = ApplicationBuilder().token(FAKE_TOKEN).updater(None).build()
    capabilities = [Capability(name="one", **first), Capability(name="two", **second)]
    with pytest.raises(ValueError, match="already claimed by one"):
        add_handlers(application, capabilities)


def test_private_and_group_commands_of_the_same_name_live_side_by_side():
    application = ApplicationBuilder().token(FAKE_TOKEN).updater(None).build()
    capabilities = [
        Capability(name="one", private_commands={"start": _nothing}),
        Capability(name="two", group_commands={"start": _nothing}),
    ]
    add_handlers(application, capabilities)
    handlers = [h for group in application.handlers.values() for h in group]
    names = [h.commands for h in handlers if isinstance(h, CommandHandler)]
    assert names == [frozenset({"start"}), frozenset({"start"})]
