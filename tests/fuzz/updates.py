"""Updates the simulated people in bot.fakeapi do not send: photos, locations, stickers in a
group, edited messages. Each is built as Telegram would deliver it and fed to the Application."""

from __future__ import annotations

import time
from typing import Any

from bot.fakeapi.people import SimulatedPerson

KINDS = ("photo", "sticker", "location", "edited_text")
MAX_CAPTION_CHARS = 1024
"""Telegram delivers no longer caption."""


def _content(kind: str, text: str) -> dict[str, Any]:
    match kind:
        case "photo":
            size = {"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}
            return {"photo": [size], "caption": text[:MAX_CAPTION_CHARS]}
        case "sticker":
            sticker = {"file_id": "sticker-1", "file_unique_id": "s1", "type": "regular"}
            sticker |= {"width": 512, "height": 512, "is_animated": False, "is_video": False}
            return {"sticker": sticker}
        case "location":
            return {"location": {"latitude": 55.676, "longitude": 12.568}}
        case _:
            return {"text": text, "edit_date": int(time.time())}


async def sends_other(
    person: SimulatedPerson, kind: str, text: str, chat: dict[str, Any] | None = None
) -> None:
    """`person` sends a photo (with `text` as caption), a sticker or a location, or edits an
    earlier message of theirs to read `text` (`kind` is one of `KINDS`), in private or in
    `chat` (a group)."""
    telegram = person.telegram
    api = telegram.api
    where = chat or person.private_chat
    message_id = api.next_message_id(where["id"])
    api.note_incoming(where["id"], message_id, f"[{kind}]")
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": where,
        "from": person.user,
        **_content(kind, text),
    }
    key = "edited_message" if kind == "edited_text" else "message"
    await telegram.deliver({key: message})
