"""Button payloads: a short prefix naming the action, then its arguments, all within 64 bytes.

Each capability owns its prefixes (the router refuses a prefix claimed twice). Answer buttons
carry the run and step they belong to, so a tap on an old message is recognised as stale
instead of answering whatever question is open now.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flows.registry import MAX_CALLBACK_DATA_BYTES, answer_callback_data

MAX_ID = 2**63 - 1
"""The largest row id a database gives out; a longer number in a button is forged."""


class Choice(Enum):
    """Which button of an ask / confirm / keep triple was tapped."""

    ASK = ""
    CONFIRM = "y"
    KEEP = "n"


@dataclass(frozen=True)
class Payload:
    action: str
    args: tuple[str, ...]

    def id_arg(self, index: int) -> int:
        """A numeric id argument, or 0 (which no row has) when it is missing or not an id."""
        try:
            word = self.args[index]
        except IndexError:
            return 0
        if not word.isascii() or not word.isdigit() or int(word) > MAX_ID:
            return 0
        return int(word)

    def choice(self, index: int = 1) -> Choice:
        """The ask / confirm / keep part of a confirmation button (see `Renderer.confirm`)."""
        word = self.args[index] if len(self.args) > index else ""
        try:
            return Choice(word)
        except ValueError:
            return Choice.KEEP


def encode(action: str, *args: object) -> str:
    data = ":".join([action, *map(str, args)])
    if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def answer(run_id: int, step_id: str, option: str) -> str:
    return answer_callback_data(run_id, step_id, option)


def decode(data: str | None) -> Payload | None:
    """The payload, or None for data we never made (malformed or forged)."""
    if not data:
        return None
    action, *args = data.split(":")
    if not action or any(not arg for arg in args):
        return None
    return Payload(action, tuple(args))
