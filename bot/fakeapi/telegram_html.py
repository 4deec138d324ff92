"""Telegram's HTML parse mode as the server applies it: allowed tags, entities, visible length.

Telegram refuses a message whose HTML it cannot parse ("can't parse entities"), and counts the
4096-character limit on the visible text in UTF-16 code units. The fake uses this to refuse
exactly what Telegram would refuse, e.g. a user's "<3" that the bot forgot to escape.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
)
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class HtmlError(ValueError):
    """The text is not valid Telegram HTML."""


def visible_text(markup: str) -> str:
    """The text a person sees after Telegram parses `markup`; raises HtmlError if it cannot."""
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    for match in _TOKEN.finditer(markup):
        out.append(_plain_segment(markup[position : match.start()]))
        position = match.end()
        closing, tag, _attributes, entity = match.groups()
        if entity is not None:
            if not entity.startswith("#") and entity not in _NAMED_ENTITIES:
                raise HtmlError(f"unsupported entity &{entity};")
            out.append(html.unescape(match.group(0)))
            continue
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f"unsupported tag <{tag}>")
        if closing:
            if not open_tags or open_tags[-1] != tag:
                raise HtmlError(f"unexpected end tag </{tag}>")
            open_tags.pop()
        else:
            open_tags.append(tag)
    out.append(_plain_segment(markup[position:]))
    if open_tags:
        raise HtmlError(f"unclosed tag <{open_tags[-1]}>")
    return "".join(out)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _plain_segment(segment: str) -> str:
    if "<" in segment:
        raise HtmlError("a bare '<' must be escaped as &lt;")
    if "&" in segment:
        raise HtmlError("a bare '&' must be escaped as &amp;")
    return segment
