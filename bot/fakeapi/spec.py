"""Checks a Bot API call against the official specification (botapi/api.json, Bot API 10.1).

Unknown methods and fields, missing required fields, wrong types, and the documented limits
(text and caption length after HTML parsing, callback data bytes, one action per button) are
reported as problems, so a call that real Telegram would refuse fails our tests.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from bot.fakeapi.telegram_html import HtmlError, utf16_length, visible_text

SPEC_PATH = Path(__file__).parent / "botapi" / "api.json"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ALERT = 200
BUTTON_DECORATIONS = {"text", "icon_custom_emoji_id", "style"}
SENT_BY_PTB_DEFAULTS = {"editMessageReplyMarkup": {"parse_mode"}}
"""python-telegram-bot 22 adds the default parse_mode to every message edit, also to this one
that has no text; Telegram ignores the extra field, so it is not counted as a problem."""


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def problems_with(method: str, params: dict[str, Any], files: set[str]) -> list[str]:
    """Everything real Telegram would refuse about this call; empty when it is valid."""
    spec = load_spec()
    definition = spec["methods"].get(method)
    if definition is None:
        return [f"unknown method {method}"]
    tolerated = SENT_BY_PTB_DEFAULTS.get(method, set())
    checked = {name: value for name, value in params.items() if name not in tolerated}
    problems = _check_fields(method, definition.get("fields", []), checked, files)
    problems += _check_limits(method, params)
    return problems


def _check_fields(
    where: str, fields: list[dict[str, Any]], values: dict[str, Any], files: set[str] = frozenset()
) -> list[str]:
    problems = []
    known = {field["name"]: field for field in fields}
    for name in values:
        if name not in known:
            problems.append(f"{where}: unknown field {name}")
    for name, field in known.items():
        if name not in values:
            if field["required"] and name not in files:
                problems.append(f"{where}: missing required field {name}")
            continue
        if not any(_matches(values[name], kind) for kind in field["types"]):
            problems.append(
                f"{where}.{name}: {values[name]!r:.60} is not {' or '.join(field['types'])}"
            )
        else:
            problems += _deep_problems(f"{where}.{name}", values[name], field["types"])
    return problems


def _matches(value: Any, kind: str) -> bool:
    if kind.startswith("Array of "):
        inner = kind.removeprefix("Array of ")
        return isinstance(value, list) and all(_matches(item, inner) for item in value)
    match kind:
        case "Integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "Float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "String":
            return isinstance(value, str)
        case "Boolean":
            return isinstance(value, bool)
        case "InputFile":
            return isinstance(value, str)
    definition = load_spec()["types"].get(kind)
    if definition is None or not isinstance(value, dict):
        return False
    if "subtypes" in definition:
        return any(_matches(value, sub) for sub in definition["subtypes"])
    return not _check_fields(kind, definition.get("fields", []), value)


def _deep_problems(where: str, value: Any, kinds: list[str]) -> list[str]:
    """Limits inside nested objects: inline keyboards."""
    problems = []
    if isinstance(value, dict) and "inline_keyboard" in value:
        for row in value["inline_keyboard"]:
            for button in row:
                problems += _button_problems(where, button)
    return problems


def _button_problems(where: str, button: dict[str, Any]) -> list[str]:
    problems = []
    actions = [name for name in button if name not in BUTTON_DECORATIONS]
    if len(actions) != 1:
        problems.append(f"{where}: a button needs exactly one action, has {actions}")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
        problems.append(f"{where}: callback_data {data!r} is not 1-64 bytes")
    if not button.get("text"):
        problems.append(f"{where}: a button needs a label")
    return problems


def _check_limits(method: str, params: dict[str, Any]) -> list[str]:
    problems = []
    html_mode = str(params.get("parse_mode", "")).upper() == "HTML"
    for name, limit, minimum in (("text", MAX_TEXT, 1), ("caption", MAX_CAPTION, 0)):
        if not isinstance(params.get(name), str) or method == "answerCallbackQuery":
            continue  # absent, or a wrong type already reported
        try:
            shown = visible_text(params[name]) if html_mode else params[name]
        except HtmlError as error:
            problems.append(f"{method}: can't parse entities: {error}")
            continue
        length = utf16_length(shown)
        if not minimum <= length <= limit:
            problems.append(f"{method}: {name} is {length} characters, allowed {minimum}-{limit}")
    if method == "answerCallbackQuery" and len(params.get("text", "")) > MAX_ALERT:
        problems.append("answerCallbackQuery: text over 200 characters")
    return problems
