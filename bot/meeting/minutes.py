"""The minutes of a meeting as a Markdown file and its actions as a CSV file.

Built from what is stored, for `/minutes` and `datadialog export`; no Telegram here. Themes,
prepared points and takeaways are listed without names, as the group saw them.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime

from bot.core import format
from flows.dialogue import tally
from flows.i18n import Catalogue
from flows.registry import FlowRegistry
from storage.records import (
    Action,
    Agreement,
    Dialogue,
    Meeting,
    PastAction,
    Person,
    StoredAnswer,
    Theme,
)
from storage.repositories import Repositories

TAKEAWAY_FLOW = "takeaway"
CSV_DELIMITERS = {"da": ";", "en": ","}
"""Danish Excel splits columns on semicolons, English Excel on commas."""


@dataclass(frozen=True)
class MinutesData:
    meeting: Meeting
    dialogue: Dialogue | None
    members: list[tuple[Person, str]]
    prepared: list[StoredAnswer]
    past: list[PastAction]
    themes: list[Theme]
    votes: list[tuple[int, int]]
    agreement: Agreement | None
    actions: list[Action]
    takeaways: list[StoredAnswer]


async def gather(repos: Repositories, meeting: Meeting) -> MinutesData:
    return MinutesData(
        meeting=meeting,
        dialogue=await repos.dialogues.get(meeting.id),
        members=await repos.dialogues.members(meeting.id),
        prepared=await repos.runs.answers_for_meeting(meeting.id, meeting.prep_flow_id),
        past=await repos.agreements.past_actions(meeting.id),
        themes=await repos.themes.current(meeting.id),
        votes=await repos.themes.votes(meeting.id),
        agreement=await repos.agreements.agreement_of(meeting.id),
        actions=await repos.agreements.actions_of(meeting.id, "agreed"),
        takeaways=await repos.runs.answers_for_meeting(meeting.id, TAKEAWAY_FLOW),
    )


class MinutesWriter:
    def __init__(self, catalogue: Catalogue, flows: FlowRegistry, language: str) -> None:
        self._catalogue = catalogue
        self._flows = flows
        self._language = language

    def _t(self, key: str, **params: object) -> str:
        """Catalogue text as plain text (the catalogue escapes for HTML; files want it raw)."""
        return html.unescape(self._catalogue.text(key, self._language, **params))

    def _when(self, moment: datetime, data: MinutesData) -> str:
        return format.when(moment, self._language, data.meeting.time_zone)

    def file_stem(self, data: MinutesData) -> str:
        day = data.meeting.starts_at.date().isoformat()
        team = re.sub(r"[^a-z0-9æøå]+", "-", data.meeting.team_name.lower()).strip("-") or "team"
        return f"{team}-{day}"

    def markdown(self, data: MinutesData) -> str:
        meeting = data.meeting
        lines = [
            f"# {self._t('minutes.heading', title=meeting.title)}",
            "",
            self._t(
                "minutes.meta", team=meeting.team_name, when=self._when(meeting.starts_at, data)
            ),
            "",
            f"## {self._t('minutes.people')}",
        ]
        for role in ("leader", "referent", "participant", "observer"):
            names = [p.display_name for p, r in data.members if r == role]
            if names:
                lines.append(f"- {self._t(f'minutes.role.{role}')}: {', '.join(names)}")
        lines += ["", f"## {self._t('minutes.prepared')}", *self._prepared(data)]
        lines += ["", f"## {self._t('dialogue.phase.since_last.name')}", *self._since(data)]
        lines += ["", f"## {self._t('minutes.themes')}", *self._themes(data)]
        lines += ["", f"## {self._t('minutes.agreement')}", *self._agreement(data)]
        lines += ["", f"## {self._t('minutes.takeaways')}"]
        takeaways = [a.value for a in data.takeaways if isinstance(a.value, str)]
        lines += [f"- {_one_line(t)}" for t in takeaways] or [self._t("minutes.none")]
        return "\n".join(lines) + "\n"

    def _prepared(self, data: MinutesData) -> list[str]:
        people = {a.user_id for a in data.prepared}
        total = sum(r == "participant" for _, r in data.members)
        lines = [self._t("minutes.prepared_count", done=len(people), total=total)]
        flow = self._flows[data.meeting.prep_flow_id]
        for step in flow.steps:
            texts = [
                a.value for a in data.prepared if a.step_id == step.id and isinstance(a.value, str)
            ]
            if texts:
                lines += ["", f"**{self._t(step.prompt)}**", *(f"- {_one_line(t)}" for t in texts)]
        return lines

    def _since(self, data: MinutesData) -> list[str]:
        if not data.past:
            return [self._t("minutes.no_previous")]
        lines = []
        for number, item in enumerate(data.past, start=1):
            review = item.review
            status = (
                self._t(f"since.status.{item.latest_update.status}") if item.latest_update else "–"
            )
            outcome = (
                self._t(f"since.choice.{review.outcome}") if review and review.outcome else "–"
            )
            decision = (
                self._t(f"since.choice.{review.decision}") if review and review.decision else "–"
            )
            learning = _one_line(review.learning) if review and review.learning else "–"
            description = _one_line(item.action.description)
            lines.append(
                self._t("minutes.review_line", number=number, description=description,
                        status=status, outcome=outcome, decision=decision, learning=learning)
            )  # fmt: skip
        return lines

    def _themes(self, data: MinutesData) -> list[str]:
        if not data.themes:
            return [self._t("minutes.none")]
        numbers = {t.id: n for n, t in enumerate(data.themes, start=1)}
        texts = {t.id: t.text for t in data.themes}
        header = ["#", self._t("minutes.theme"), self._t("minutes.dots"), self._t("minutes.voters")]
        rows = [
            [numbers[s.theme_id], texts[s.theme_id], s.dots, s.voters]
            for s in tally(data.votes, [t.id for t in data.themes])
        ]
        lines = _table(header, rows)
        chosen = data.dialogue.chosen_theme_id if data.dialogue else None
        if chosen in texts:
            lines += ["", self._t("minutes.chosen", theme=_one_line(texts[chosen]))]
            if data.dialogue and data.dialogue.area_note:
                lines.append(self._t("minutes.area_note", note=_one_line(data.dialogue.area_note)))
        return lines

    def _agreement(self, data: MinutesData) -> list[str]:
        agreement = data.agreement
        if agreement is None:
            return [self._t("minutes.no_agreement")]
        long_goal = self._t("minutes.long_goal", months=agreement.horizon_months)
        return [
            f"- {self._t('minutes.short_goal')}: {_one_line(agreement.short_goal)}",
            f"- {long_goal}: {_one_line(agreement.long_goal)}",
            f"- {self._t('minutes.data_signal')}: {_one_line(agreement.data_signal)}",
            "",
            *_table(self._csv_header(), self._action_rows(data)),
        ]

    def _csv_header(self) -> list[str]:
        return [
            self._t(f"minutes.column.{c}")
            for c in ("number", "action", "owner", "follow_up", "deadline")
        ]

    def _action_rows(self, data: MinutesData) -> list[list[object]]:
        return [
            [
                n,
                a.description,
                a.owner_name or "",
                a.follow_up_name or "",
                self._when(a.deadline_at, data),
            ]
            for n, a in enumerate(data.actions, start=1)
        ]

    def csv_bytes(self, data: MinutesData) -> bytes:
        """UTF-8 with a byte-order mark, so Excel shows æ, ø and å correctly."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=CSV_DELIMITERS.get(self._language, ","))
        writer.writerow(self._csv_header())
        writer.writerows(self._action_rows(data))
        return buffer.getvalue().encode("utf-8-sig")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table; cells on one line with their pipes escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(str(value)) for value in row) + " |" for row in rows]
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")
