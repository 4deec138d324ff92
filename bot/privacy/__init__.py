"""Privacy: a person's own data (/mydata, /deletemydata) and the daily retention job."""

from __future__ import annotations

from bot.core.capability import Capability
from bot.privacy.own_data import BUTTONS, on_deletemydata, on_mydata
from bot.privacy.retention import start

CAPABILITY = Capability(
    name="privacy",
    private_commands={"mydata": on_mydata, "deletemydata": on_deletemydata},
    buttons=BUTTONS,
    menu=("mydata", "deletemydata"),
    startup=start,
)
