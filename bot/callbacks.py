"""Button payloads: a short prefix naming the action, then its arguments, all within 64 bytes.

Answer buttons carry the run and step they belong to, so a tap on an old message is recognised
as stale instead of answering whatever question is open now.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.registry import MAX_CALLBACK_DATA_BYTES, answer_callback_data

ANSWER = "a"
SUBMIT = "d"
SKIP = "s"
EDIT = "e"
RESTART = "r"
RESTART_CONFIRM = "rc"
RESTART_KEEP = "rk"
LANGUAGE = "lang"
PICK_PREP = "pm"
PICK_STATUS = "sm"
REVOKE = "iv"
REVOKE_CONFIRM = "ivc"
REVOKE_KEEP = "ivk"
LINK = "lk"
PHASE = "ph"
REVIEW = "rv"
THEME_ADD = "th"
THEME_SUGGEST = "ts"
LEADER_TURN = "tl"
MERGE = "tm"
MERGE_PICK = "mg"
MERGE_INTO = "mi"
VOTE = "v"
VOTE_BACK = "vb"
VOTE_MINE = "vm"
VOTE_CLOSE = "vc"
TIE_BREAK = "vt"
AGREEMENT = "ag"
ACTION_ADD = "aa"
OWNER = "ow"
FOLLOW_UP = "fu"
FOLLOW_UP_SAME = "fs"
ACTION_REMOVE = "ax"
ACTION_REMOVE_CONFIRM = "axc"
ACTION_REMOVE_KEEP = "axk"
AGREEMENT_CONFIRM = "ac"
MINUTES = "mn"
FOLLOW_ANSWER = "fa"
WRITE_OWNER = "fw"
REASSIGN = "fr"
REASSIGN_TO = "ft"
REMINDER_CANCEL = "rx"
REMINDER_CANCEL_CONFIRM = "rxc"
REMINDER_CANCEL_KEEP = "rxk"
MEETING_CANCEL = "cm"
MEETING_CANCEL_CONFIRM = "cmc"
MEETING_CANCEL_KEEP = "cmk"


@dataclass(frozen=True)
class Payload:
    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int:
        return int(self.args[index])

    def id_arg(self, index: int) -> int:
        """A numeric id argument, or 0 (which no row has) when it is missing or not a number."""
        try:
            return int(self.args[index])
        except (ValueError, IndexError):
            return 0


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
