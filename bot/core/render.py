"""Turns engine replies and catalogue keys into what Telegram shows: HTML text and buttons.

Every parameter goes through the catalogue, which escapes it; dates and numbers are formatted
for the person's language and time zone first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import format, payloads
from bot.core.payloads import Choice
from flows.engine import Message, Prompt, QuestionList, Summary, SummaryItem
from flows.i18n import Catalogue, Trusted
from flows.model import StepKind
from storage.records import Person

MAX_MESSAGE_CHARS = 4096
BLOCK_SEPARATOR = "\n\n"

# The flow runner's own buttons (see bot/core/flow_input.py).
ANSWER = "a"
SUBMIT = "d"
SKIP = "s"
EDIT = "e"
RESTART = "r"
REUSE = "u"


@dataclass(frozen=True)
class Screen:
    """One message as the person will see it."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (button labels, list items)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_blocks(blocks: Sequence[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit under `limit` each.

    Blocks are never cut, so no tag is split; each block is at most a few thousand characters
    because every answer is bounded by its flow definition.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{BLOCK_SEPARATOR}{block}" if current else block
        if len(candidate) <= limit or not current:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


class Renderer:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def text(self, person: Person, key: str, **params: Any) -> Trusted:
        """The catalogue text in the person's language, with dates in their time zone."""
        return self.catalogue.text(key, person.language, **self._format(person, params))

    def message(self, person: Person, message: Message) -> Trusted:
        return self.text(person, message.key, **message.params)

    def prompt(self, person: Person, run_id: int, prompt: Prompt) -> Screen:
        progress = self.text(
            person, "common.progress", position=prompt.position, total=prompt.total
        )
        question = self.text(person, prompt.prompt_key)
        if prompt.hint_key:
            hint = self.text(person, "common.hint_layout", hint=self.text(person, prompt.hint_key))
            text = self.text(
                person, "common.prompt_layout", progress=progress, question=question, hint=hint
            )
        else:
            text = self.text(
                person, "common.prompt_layout_no_hint", progress=progress, question=question
            )
        return Screen(text, self._prompt_buttons(person, run_id, prompt))

    def question_list(self, person: Person, questions: QuestionList) -> Trusted:
        lines = [self.text(person, "audit.list_header")]
        for position, key in enumerate(questions.prompt_keys, start=1):
            question = self.text(person, key)
            lines.append(self.text(person, "audit.list_line", position=position, question=question))
        return Trusted("\n".join(lines))

    def summary(
        self, person: Person, run_id: int, summary: Summary, *, editable: bool
    ) -> list[Screen]:
        """The answers as messages under Telegram's limit; edit buttons go on the last one."""
        blocks = [
            self.text(person, "prep.summary_header", title=self.text(person, summary.title_key))
        ]
        for item in summary.items:
            blocks.append(
                self.text(
                    person,
                    "prep.summary_line",
                    position=item.position,
                    question=self.text(person, item.prompt_key),
                    answer=self.answer_text(person, item),
                )
            )
        texts = split_blocks(blocks)
        markup = self._edit_buttons(person, run_id, summary.items) if editable else None
        return [Screen(text) for text in texts[:-1]] + [Screen(texts[-1], markup)]

    def answer_text(self, person: Person, item: SummaryItem) -> Trusted:
        """An answer as safe HTML: option labels, Ja/Nej, "4 af 5", a local date, or the text."""
        value = item.value
        if value is None:
            return self.text(person, "common.skipped")
        if item.label_keys:
            return Trusted(", ".join(self.text(person, key) for key in item.label_keys))
        if item.kind is StepKind.YES_NO:
            return self.text(person, "common.yes" if value else "common.no")
        if item.kind is StepKind.SCALE:
            return self.text(person, "common.scale_answer", value=value, max=item.scale_max)
        if item.kind is StepKind.DATETIME:
            moment = datetime.fromisoformat(str(value))
            return self.text(person, "common.plain", value=moment)
        if item.kind is StepKind.NUMBER:
            return self.text(person, "common.plain", value=float(value))
        return Trusted(html.escape(str(value), quote=False))

    def confirm(self, person: Person, prefix: str, *args: object) -> InlineKeyboardMarkup:
        """Confirm / Keep under a question that asks before something is thrown away.

        The buttons are `<prefix>:<args>:y` and `<prefix>:<args>:n`; the button that asked was
        `<prefix>:<args>`, so one handler reads all three with `Payload.choice`.
        """
        yes = payloads.encode(prefix, *args, Choice.CONFIRM.value)
        no = payloads.encode(prefix, *args, Choice.KEEP.value)
        return InlineKeyboardMarkup(
            [
                [
                    button(self.text(person, "common.confirm"), yes),
                    button(self.text(person, "common.keep"), no),
                ]
            ]
        )

    def _prompt_buttons(
        self, person: Person, run_id: int, prompt: Prompt
    ) -> InlineKeyboardMarkup | None:
        rows: list[list[InlineKeyboardButton]] = []
        choices = [
            button(
                self._option_label(person, prompt, option),
                payloads.answer(run_id, prompt.step_id, option.id),
            )
            for option in prompt.options
        ]
        if prompt.kind in (StepKind.SCALE, StepKind.YES_NO):
            rows.append(choices)
        else:
            rows.extend([choice] for choice in choices)
        if prompt.kind is StepKind.MULTI:
            submit = payloads.encode(SUBMIT, run_id, prompt.step_id)
            rows.append([button(self.text(person, "common.submit"), submit)])
        if prompt.optional:
            skip = payloads.encode(SKIP, run_id, prompt.step_id)
            rows.append([button(self.text(person, "common.skip"), skip)])
        return InlineKeyboardMarkup(rows) if rows else None

    def _option_label(self, person: Person, prompt: Prompt, option) -> str:
        label = option.id if option.label_key is None else self.text(person, option.label_key)
        if prompt.kind is StepKind.MULTI and option.id in prompt.selected:
            return f"✓ {label}"
        return label

    def _edit_buttons(
        self, person: Person, run_id: int, items: Sequence[SummaryItem]
    ) -> InlineKeyboardMarkup:
        edits = [
            button(
                self.text(person, "prep.edit_button", position=item.position),
                payloads.encode(EDIT, run_id, item.step_id),
            )
            for item in items
        ]
        rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
        restart = payloads.encode(RESTART, run_id)
        rows.append([button(self.text(person, "prep.restart_button"), restart)])
        return InlineKeyboardMarkup(rows)

    def _format(self, person: Person, params: dict[str, Any]) -> dict[str, Any]:
        formatted: dict[str, Any] = {}
        for name, value in params.items():
            if isinstance(value, datetime):
                formatted[name] = format.when(value, person.language, person.time_zone)
            elif isinstance(value, float):
                formatted[name] = format.number(value, person.language)
            else:
                formatted[name] = value
        return formatted
