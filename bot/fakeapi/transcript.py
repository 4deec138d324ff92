"""Writes what each chat saw as a Markdown transcript, with photos (PNG) and files beside it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.fakeapi.server import Event, FakeBotApi

_ACTOR_PREFIX = {
    "user": "**{name}:**",
    "bot": "**Datadialog:**",
    "edit": "**Datadialog** *(retter sin besked / edits its message)*:",
    "tap": "**{name}** trykker / taps",
    "alert": "**Datadialog** *(pop-up)*:",
    "action": "*(Datadialog viser «{text}» / shows “{text}” …)*",
}


def html_to_markdown(markup: str) -> str:
    text = re.sub(r"</?(b|strong)>", "**", markup)
    text = re.sub(r"</?(i|em)>", "_", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def write_transcripts(api: FakeBotApi, out: Path) -> list[Path]:
    """One `chat-<name>.md` per chat, in the order things happened; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chat_id in dict.fromkeys(e.chat_id for e in api.events):
        name = api.chat_names.get(chat_id, str(chat_id))
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or str(chat_id)
        lines = [f"# {name}", ""]
        photos = 0
        for event in (e for e in api.events if e.chat_id == chat_id):
            lines.append(_line(event, name))
            if event.photo:
                photos += 1
                picture = out / f"{slug}-chart-{photos}.png"
                picture.write_bytes(event.photo)
                lines.append(f"\n![chart]({picture.name})")
            if event.document:
                attached = out / f"{slug}-{event.document[0]}"
                attached.write_bytes(event.document[1])
                lines.append(f"\n[{event.document[0]}]({attached.name})")
            lines.append("")
        path = out / f"chat-{slug}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written


def _line(event: Event, name: str) -> str:
    if event.actor == "action":
        return _ACTOR_PREFIX["action"].format(text=event.text)
    prefix = _ACTOR_PREFIX[event.actor].format(name=event.name or name)
    if event.actor == "tap":
        return f"{prefix} «{event.text}»"
    body = html_to_markdown(event.text).replace("\n", "  \n")
    buttons = "".join("\n" + " ".join(f"`[ {label} ]`" for label in row) for row in event.buttons)
    return f"{prefix}  \n{body}{buttons}"
