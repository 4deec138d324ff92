"""The key-based message catalogue: flows/messages/{da,en}.yaml, Danish first.

Texts may hold Telegram HTML (<b>, <i>); every parameter is HTML-escaped unless it is `Trusted`
(text the catalogue itself produced). Number, date and plural rules are injected by the caller
(bot/ uses Babel), so this module stays free of any formatting library.
"""

from __future__ import annotations

import html
import logging
import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

MESSAGES_DIR = Path(__file__).parent / "messages"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})

PluralRule = Callable[[float, str], str]
"""(count, language) -> CLDR plural form such as "one" or "other"."""


class Trusted(str):
    """A string that is already safe HTML (made from catalogue texts) and must not be escaped."""

    __slots__ = ()


def _simple_plural(count: float, language: str) -> str:
    return "one" if count == 1 else "other"


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str | dict[str, str]]:
    flat: dict[str, str | dict[str, str]] = {}
    for name, value in tree.items():
        if not isinstance(name, str):  # YAML reads a bare `yes:` as True: quote such keys
            raise ValueError(f"message key {prefix}{name!r} must be a quoted string")
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and value and set(value) <= PLURAL_FORMS:
            flat[key] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = str(value)
    return flat


def placeholders(template: str | dict[str, str]) -> set[str]:
    texts = template.values() if isinstance(template, dict) else [template]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalogue:
    """Looks up texts by key and language and fills in escaped parameters."""

    def __init__(
        self,
        texts: Mapping[str, Mapping[str, str | dict[str, str]]],
        plural_rule: PluralRule = _simple_plural,
    ) -> None:
        self._texts = texts
        self._plural_rule = plural_rule

    @classmethod
    def load(cls, directory: Path = MESSAGES_DIR, plural_rule: PluralRule = _simple_plural):
        texts = {}
        for language in LANGUAGES:
            with (directory / f"{language}.yaml").open(encoding="utf-8") as handle:
                texts[language] = _flatten(yaml.safe_load(handle))
        return cls(texts, plural_rule)

    def keys(self, language: str) -> set[str]:
        return set(self._texts[language])

    def template(self, key: str, language: str) -> str | dict[str, str]:
        return self._texts[language][key]

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LANGUAGE]

    def text(self, key: str, language: str, **params: Any) -> Trusted:
        """The text for `key` in `language`, falling back to Danish if English lacks it."""
        texts = self._texts.get(language, self._texts[DEFAULT_LANGUAGE])
        template = texts.get(key)
        if template is None:
            if language != DEFAULT_LANGUAGE:
                log.warning("message key %s missing in %s; using Danish", key, language)
            template = self._texts[DEFAULT_LANGUAGE][key]
        if isinstance(template, dict):
            form = self._plural_rule(params["count"], language)
            template = template.get(form, template["other"])
        safe = {name: _escape(value) for name, value in params.items()}
        return Trusted(template.format_map(safe))


def _escape(value: Any) -> str:
    if isinstance(value, Trusted):
        return value
    return html.escape(str(value), quote=False)
