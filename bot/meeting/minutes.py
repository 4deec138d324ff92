"""What the minutes of a meeting say, and its actions as a follow-up list, in one language.

Built from what is stored, for `/minutes` and `datadialog export`; no Telegram here. The
minutes are plain blocks that bot/meeting/documents.py writes as Markdown or Word; the actions
are typed rows that bot/meeting/sheets.py writes as Excel or CSV. Themes, prepared points and
takeaways are listed without names, as the group saw them. Times are in the meeting's zone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import format
from bot.meeting import documents, sheets
from bot.meeting.documents import Block, Heading, Items, Paragraph, Table
from flows.dialogue import tally, top_themes
from flows.i18n import Catalogue
from flows.registry import FlowRegistry
from storage.records import (
    Agreement,
    Dialogue,
    Meeting,
    PastAction,
    Person,
    StoredAnswer,
    Theme,
)
from storage.repositories import Repositories
from storage.repositories.agreements import ActionProgress

TAKEAWAY_FLOW = "takeaway"
FORMATS = ("md", "docx", "xlsx", "csv")
"""Every file `/minutes` sends, in that order; `datadialog export --format` takes one."""
FILE_NAMES = {"da": ("referat", "handlinger"), "en": ("minutes", "actions")}
"""The minutes' and the actions' file names begin with these."""
ACTION_COLUMNS = (
    "number",
    "action",
    "owner",
    "follow_up",
    "deadline",
    "status",
    "reported",
    "note",
    "noted",
)


@dataclass(frozen=True)
class MinutesData:
    meeting: Meeting
    dialogue: Dialogue | None
    members: list[tuple[Person, str]]
    prepared: list[StoredAnswer]
    past: list[PastAction]
    themes: list[Theme]
    merged: list[Theme]
    votes: list[tuple[int, int]]
    agreement: Agreement | None
    next_meeting: Meeting | None
    actions: list[ActionProgress]
    takeaways: list[StoredAnswer]


@dataclass(frozen=True)
class MinutesFile:
    name: str
    content: bytes


async def gather(repos: Repositories, meeting: Meeting) -> MinutesData:
    agreement = await repos.agreements.agreement_of(meeting.id)
    next_id = agreement.next_meeting_id if agreement else None
    return MinutesData(
        meeting=meeting,
        dialogue=await repos.dialogues.get(meeting.id),
        members=await repos.dialogues.members(meeting.id),
        prepared=await repos.runs.answers_for_meeting(meeting.id, meeting.prep_flow_id),
        past=await repos.agreements.past_actions(meeting.id),
        themes=await repos.themes.current(meeting.id),
        merged=await repos.themes.merged(meeting.id),
        votes=await repos.themes.votes(meeting.id),
        agreement=agreement,
        next_meeting=await repos.meetings.get(next_id) if next_id else None,
        actions=await repos.agreements.progress_of(meeting.id),
        takeaways=await repos.runs.answers_for_meeting(meeting.id, TAKEAWAY_FLOW),
    )


class MinutesWriter:
    def __init__(self, catalogue: Catalogue, flows: FlowRegistry, language: str) -> None:
        self._catalogue = catalogue
        self._flows = flows
        self._language = language

    def file(self, data: MinutesData, file_format: str) -> MinutesFile:
        """The minutes (md, docx) or the actions (xlsx, csv) as a named file."""
        minutes, actions = FILE_NAMES.get(self._language, FILE_NAMES["en"])
        stem = self._file_stem(data)
        if file_format == "md":
            content = documents.markdown(self.blocks(data)).encode()
        elif file_format == "docx":
            title = self._t("minutes.heading", title=data.meeting.title)
            content = documents.word(self.blocks(data), title=title, language=self._language)
        elif file_format == "xlsx":
            content = sheets.xlsx(self.actions_sheet(data))
        elif file_format == "csv":
            content = sheets.csv_bytes(self.actions_sheet(data))
        else:
            raise ValueError(f"unknown format {file_format!r}")
        name = minutes if file_format in ("md", "docx") else actions
        return MinutesFile(f"{name}-{stem}.{file_format}", content)

    def blocks(self, data: MinutesData) -> list[Block]:
        meeting = data.meeting
        blocks: list[Block] = [
            Heading(self._t("minutes.heading", title=meeting.title), 1),
            Paragraph(
                self._t(
                    "minutes.meta",
                    team=meeting.team_name,
                    when=self._when(meeting.starts_at, data),
                    number=meeting.id,
                )
            ),
            Heading(self._t("minutes.people"), 2),
            Items(tuple(self._people(data))),
            Heading(self._t("minutes.prepared"), 2),
            *self._prepared(data),
            Heading(self._t("dialogue.phase.since_last.name"), 2),
            *self._since(data),
            Heading(self._t("minutes.themes"), 2),
            *self._themes(data),
            Heading(self._t("minutes.agreement"), 2),
            *self._agreement(data),
            Heading(self._t("minutes.takeaways"), 2),
        ]
        takeaways = tuple(_one_line(a.value) for a in data.takeaways if isinstance(a.value, str))
        blocks.append(Items(takeaways) if takeaways else Paragraph(self._t("minutes.none")))
        return blocks

    def actions_sheet(self, data: MinutesData) -> sheets.Sheet:
        """Every agreed action with where its follow-up stands, for sorting and filtering."""
        header = tuple(self._t(f"minutes.column.{column}") for column in ACTION_COLUMNS)
        rows = []
        for number, item in enumerate(data.actions, start=1):
            action, latest, noted = item.action, item.latest, item.latest_note
            status = self._status(latest.status) if latest else self._t("minutes.not_reported")
            rows.append(
                (
                    number,
                    _one_line(action.description),
                    action.owner_name or "",
                    action.follow_up_name or "",
                    self._local(action.deadline_at, data),
                    status,
                    self._local(latest.reported_at, data) if latest else None,
                    _one_line(noted.note) if noted and noted.note else "",
                    self._local(noted.reported_at, data) if noted else None,
                )
            )
        return sheets.Sheet(self._t("minutes.sheet"), header, tuple(rows))

    def _t(self, key: str, **params: object) -> str:
        """Catalogue text as plain text (the catalogue escapes for HTML; files want it raw)."""
        return html.unescape(self._catalogue.text(key, self._language, **params))

    def _when(self, moment: datetime, data: MinutesData) -> str:
        return format.when(moment, self._language, data.meeting.time_zone)

    def _local(self, moment: datetime, data: MinutesData) -> datetime:
        """Naive local time in the meeting's zone, as a spreadsheet's date cell wants it."""
        return moment.astimezone(ZoneInfo(data.meeting.time_zone)).replace(tzinfo=None)

    def _status(self, status: str) -> str:
        return self._t(f"since.status.{status}")

    def _file_stem(self, data: MinutesData) -> str:
        day = self._local(data.meeting.starts_at, data).date().isoformat()
        team = re.sub(r"[^a-z0-9æøå]+", "-", data.meeting.team_name.lower()).strip("-") or "team"
        return f"{team}-{day}"

    def _people(self, data: MinutesData) -> list[str]:
        lines = []
        for role in ("leader", "referent", "participant", "observer"):
            names = [p.display_name for p, r in data.members if r == role]
            if names:
                lines.append(f"{self._t(f'minutes.role.{role}')}: {', '.join(names)}")
        return lines

    def _prepared(self, data: MinutesData) -> list[Block]:
        people = {a.user_id for a in data.prepared}
        total = sum(r == "participant" for _, r in data.members)
        blocks: list[Block] = [
            Paragraph(self._t("minutes.prepared_count", done=len(people), total=total))
        ]
        for step in self._flows[data.meeting.prep_flow_id].steps:
            texts = tuple(
                _one_line(a.value)
                for a in data.prepared
                if a.step_id == step.id and isinstance(a.value, str)
            )
            if texts:
                blocks += [Paragraph(self._t(step.prompt), bold=True), Items(texts)]
        return blocks

    def _since(self, data: MinutesData) -> list[Block]:
        if not data.past:
            return [Paragraph(self._t("minutes.no_previous"))]
        blocks: list[Block] = []
        for number, item in enumerate(data.past, start=1):
            review = item.review
            status = self._status(item.latest_update.status) if item.latest_update else "–"
            outcome = (
                self._t(f"since.choice.{review.outcome}") if review and review.outcome else "–"
            )
            decision = (
                self._t(f"since.choice.{review.decision}") if review and review.decision else "–"
            )
            learning = _one_line(review.learning) if review and review.learning else "–"
            description = _one_line(item.action.description)
            blocks.append(
                Paragraph(
                    self._t(
                        "minutes.review_line",
                        number=number,
                        description=description,
                        status=status,
                        outcome=outcome,
                        decision=decision,
                        learning=learning,
                    )
                )
            )
        return blocks

    def _themes(self, data: MinutesData) -> list[Block]:
        if not data.themes:
            return [Paragraph(self._t("minutes.none"))]
        numbers = {t.id: n for n, t in enumerate(data.themes, start=1)}
        texts = {t.id: _one_line(t.text) for t in data.themes}
        header = (
            "#",
            self._t("minutes.theme"),
            self._t("minutes.dots"),
            self._t("minutes.voters"),
        )
        scores = tally(data.votes, [t.id for t in data.themes])
        rows = tuple(
            (str(numbers[s.theme_id]), texts[s.theme_id], str(s.dots), str(s.voters))
            for s in scores
        )
        blocks: list[Block] = [Table(header, rows), *self._merges(data, numbers, texts)]
        chosen = data.dialogue.chosen_theme_id if data.dialogue else None
        if chosen in texts:
            blocks.append(Paragraph(self._t("minutes.chosen", theme=texts[chosen])))
            tied = top_themes(scores) or list(texts)
            if len(tied) > 1 and chosen in tied:
                blocks.append(Paragraph(self._t("minutes.tie_broken", count=len(tied))))
            if data.dialogue and data.dialogue.area_note:
                note = _one_line(data.dialogue.area_note)
                blocks.append(Paragraph(self._t("minutes.area_note", note=note)))
        return blocks

    def _merges(
        self, data: MinutesData, numbers: dict[int, int], texts: dict[int, str]
    ) -> list[Block]:
        """Each merged duplicate and the listed theme it now counts towards."""
        into = {t.id: t.merged_into for t in data.merged}
        lines = []
        for duplicate in data.merged:
            target = duplicate.merged_into
            while target in into:  # a theme merged into one that was merged later
                target = into[target]
            if target in numbers:
                lines.append(
                    self._t(
                        "minutes.merged",
                        duplicate=_one_line(duplicate.text),
                        number=numbers[target],
                        theme=texts[target],
                    )
                )
        return [Paragraph(self._t("minutes.merged_heading")), Items(tuple(lines))] if lines else []

    def _agreement(self, data: MinutesData) -> list[Block]:
        agreement = data.agreement
        if agreement is None:
            return [Paragraph(self._t("minutes.no_agreement"))]
        long_goal = self._t("minutes.long_goal", months=agreement.horizon_months)
        items = [
            f"{self._t('minutes.short_goal')}: {_one_line(agreement.short_goal)}",
            f"{long_goal}: {_one_line(agreement.long_goal)}",
            f"{self._t('minutes.data_signal')}: {_one_line(agreement.data_signal)}",
        ]
        if data.next_meeting is not None:
            when = self._when(data.next_meeting.starts_at, data)
            items.append(f"{self._t('minutes.next_meeting')}: {when}")
        items.append(self._t("minutes.cadence", days=agreement.cadence_days))
        header = tuple(self._t(f"minutes.column.{c}") for c in ACTION_COLUMNS[:5])
        rows = tuple(
            (
                str(number),
                _one_line(item.action.description),
                item.action.owner_name or "",
                item.action.follow_up_name or "",
                self._when(item.action.deadline_at, data),
            )
            for number, item in enumerate(data.actions, start=1)
        )
        return [Items(tuple(items)), Table(header, rows)]


def _one_line(text: str) -> str:
    return " ".join(text.split())
