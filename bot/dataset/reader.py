"""Reading a team's indicator file (CSV or XLSX, long format) into validated data points.

One row per number. Columns (header names are case-insensitive; Danish names work too):
    chart      group_comparison | goal_attainment | progression | two_groups | distribution,
               or in Danish gruppesammenligning | målopfyldelse | udvikling | to_grupper | fordeling
    indicator  the chart's title, e.g. "Fremmøde i fritidsaktiviteter"
    group      a group, a parameter (goal attainment), an intervention (two_groups) or an
               answer option (distribution: how many gave each answer)
    period     a year, a measurement point or start/end/follow-up (not for goal_attainment
               or distribution)
    category   goal_attainment only: one of the five categories of seed 001
    value      the number (decimal comma or point)
    n          optional: how many answers the value rests on
Danish Excel exports work as they are: semicolons, decimal commas, Windows-1252.

Every problem is reported with its row and column as a catalogue key under import.error and its
parameters, never as a library's own (English) message; an unknown name gets the closest known
one as a hint. Nothing is returned half-read.

Limits are checked while the file is read, row by row, so a file built to expand (a small XLSX
that claims a million rows) is refused at the first limit it passes, not after it is unpacked.
Reading is synchronous and may take a second: callers run it off the event loop.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flows.parsing import parse_number

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_GROUPS = 50
MAX_ROWS = 20_000
"""Rows after the header, counted as the spreadsheet numbers them (blank rows too)."""
MAX_COLUMNS = 30
"""A file needs seven columns; a filled cell further right than this is refused."""
MAX_CELLS = 250_000
"""Cells read, empty ones included: an XLSX row is as wide as its last cell, however far out."""
MAX_CHARS = MAX_FILE_BYTES
"""Characters kept, as much as the largest CSV file holds (an XLSX can repeat one long text)."""
MAX_SHEET_BYTES = 32 * 1024 * 1024
"""An XLSX sheet's unpacked size: 20,000 rows of 30 columns fit. openpyxl builds each row
whole before it is handed on, so this also bounds the memory one row can take."""
MAX_PART_BYTES = 8 * 1024 * 1024
"""Any other XLSX part unpacked (shared texts, styles): openpyxl reads these whole at once."""
MAX_PROBLEMS = 10
"""More than this are counted, not listed: the first ones show what to mend."""
MAX_QUOTED_CHARS = 60
"""Text quoted from the file in a problem is cut to this, so the refusal fits in a message."""
QUOTED_PARAMS = frozenset({"text", "column", "name", "indicator"})
"""The problem parameters that quote the file (the others are the reader's own words)."""


class ChartKind(StrEnum):
    GROUP_COMPARISON = "group_comparison"
    GOAL_ATTAINMENT = "goal_attainment"
    PROGRESSION = "progression"
    TWO_GROUPS = "two_groups"
    DISTRIBUTION = "distribution"


GOAL_CATEGORIES = (
    "progress_reached",
    "stable_reached",
    "progress_not_reached",
    "no_change",
    "worse",
)
"""Seed 001's five goal-attainment outcomes, in the order they are stacked: the two where the
goal was reached first, so their share reads as one length from the left."""
REACHED_CATEGORIES = frozenset({"progress_reached", "stable_reached"})


def _fold(text: str) -> str:
    """What a name is compared by: case, Danish letters spelt out, and separators do not count
    ("To grupper", "to_grupper" and "to-grupper" are one name; so are "Værdi" and "vaerdi")."""
    lowered = text.strip().lower()
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        lowered = lowered.replace(letter, spelt)
    for separator in ",;-_":
        lowered = lowered.replace(separator, " ")
    return " ".join(lowered.split())


@dataclass(frozen=True)
class Vocabulary:
    """The names a file may write for one kind of thing, in English and Danish."""

    english: dict[str, str]
    danish: dict[str, str]
    """written name -> meaning; the first name for each meaning is the one to suggest."""

    def read(self, written: str) -> str | None:
        """What `written` means, or None."""
        return self._meanings.get(_fold(written))

    def closest(self, written: str) -> str | None:
        """The known name nearest to `written`, for "did you mean"; None if none is near."""
        match = difflib.get_close_matches(_fold(written), list(self._names), n=1, cutoff=0.6)
        return self._names[match[0]] if match else None

    def listing(self, language: str) -> str:
        """Every meaning once, by its first name in `language`."""
        names = self.danish if language == "da" else self.english
        return ", ".join(self.name(meaning, language) for meaning in dict.fromkeys(names.values()))

    def name(self, meaning: str, language: str) -> str:
        """The name to write for `meaning` in `language` (the first one listed)."""
        names = self.danish if language == "da" else self.english
        return next(name for name, means in names.items() if means == meaning)

    def is_danish(self, written: str) -> bool:
        folded = _fold(written)
        return folded in {_fold(n) for n in self.danish} - {_fold(n) for n in self.english}

    @cached_property
    def _meanings(self) -> dict[str, str]:
        return {_fold(name): meaning for name, meaning in {**self.danish, **self.english}.items()}

    @cached_property
    def _names(self) -> dict[str, str]:
        """folded -> as written, English first where both fold alike."""
        return {_fold(name): name for name in reversed([*self.english, *self.danish])}


COLUMNS = Vocabulary(
    english={c: c for c in ("chart", "indicator", "group", "period", "category", "value", "n")},
    danish={"diagram": "chart", "indikator": "indicator", "gruppe": "group", "periode": "period",
            "målepunkt": "period", "kategori": "category", "værdi": "value", "antal": "n"},
)  # fmt: skip
CHARTS = Vocabulary(
    english={kind.value: kind.value for kind in ChartKind},
    danish={"gruppesammenligning": "group_comparison", "målopfyldelse": "goal_attainment",
            "udvikling": "progression", "to_grupper": "two_groups", "fordeling": "distribution"},
)  # fmt: skip
CATEGORIES = Vocabulary(
    english={
        **{category: category for category in GOAL_CATEGORIES},
        "progress, goal reached": "progress_reached",  # the chart legend's own labels
        "stable, goal reached": "stable_reached",
        "progress, goal not reached": "progress_not_reached",
    },
    danish={
        "fremgang og mål nået": "progress_reached",
        "stabil og mål nået": "stable_reached",
        "fremgang, mål ikke nået": "progress_not_reached",
        "ingen forandring": "no_change",
        "tilbagegang": "worse",
        "fremgang, mål nået": "progress_reached",  # the chart legend's own labels
        "stabil, mål nået": "stable_reached",
        "fremgang og mål ikke nået": "progress_not_reached",
    },
)
REQUIRED_COLUMNS = ("chart", "indicator", "group", "value")


class DataPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    chart: ChartKind
    indicator: str = Field(min_length=1, max_length=80)
    group: str = Field(min_length=1, max_length=60)
    period: str | None = Field(default=None, max_length=40)
    category: str | None = None
    value: float
    n: int | None = Field(default=None, ge=0)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        """Stored rows are checked again when read back; the reader has said what was wrong."""
        if value is None:
            return None
        category = CATEGORIES.read(value)
        if category is None:
            raise ValueError("unknown goal category")
        return category


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: `key` is a catalogue key under import.error, with its params."""

    key: str
    params: dict[str, object]


class ImportRefused(Exception):
    """The file is refused. `problems` are ready to show: at most MAX_PROBLEMS (the last one
    counting the rest) and every quote from the file shortened."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        listed = [_quoted_briefly(problem) for problem in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            listed[-1] = Problem("more", {"count": len(problems) - MAX_PROBLEMS + 1})
        super().__init__(listed)
        self.problems = listed


def _quoted_briefly(problem: Problem) -> Problem:
    params = {
        name: _shorten(value) if name in QUOTED_PARAMS and isinstance(value, str) else value
        for name, value in problem.params.items()
    }
    return Problem(problem.key, params)


def _shorten(text: str) -> str:
    if len(text) <= MAX_QUOTED_CHARS:
        return text
    return text[: MAX_QUOTED_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class ReadResult:
    points: list[DataPoint]
    notes: list[Problem]
    """Things worth saying that did not stop the import (e.g. Windows-1252 was assumed)."""


Rows = list[tuple[int, list[str]]]
"""(row number as a spreadsheet shows it, cells), blank rows left out."""


def read_file(name: str, content: bytes) -> ReadResult:
    """Read a .csv or .xlsx file; raises ImportRefused with every problem found."""
    if not content.strip():
        raise ImportRefused([Problem("empty", {})])
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused([Problem("too_big", {"size_mb": round(len(content) / 2**20, 1)})])
    lowered = name.lower()
    notes: list[Problem] = []
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lowered.endswith((".csv", ".txt")):
        text, note = _decode(content)
        if note:
            notes.append(note)
        rows = _csv_rows(text)
    else:
        raise ImportRefused([Problem("file_type", {"name": name})])
    return ReadResult(_validate(rows), notes)


def _decode(content: bytes) -> tuple[str, Problem | None]:
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        # Danish Excel saves "CSV" as Windows-1252; every byte decodes, so check it looks like text.
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused([Problem("encoding", {})]) from None
    if any(ch in text for ch in "\x00\x81\x8d\x8f\x90\x9d"):
        raise ImportRefused([Problem("encoding", {})])
    return text, Problem("windows_1252", {})


def _csv_rows(text: str) -> Rows:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _within_limits(reader)
    except csv.Error:  # e.g. a cell longer than the csv module takes (131,072 characters)
        raise ImportRefused([Problem("bad_csv", {"row": reader.line_num})]) from None


def _xlsx_rows(content: bytes) -> Rows:
    from openpyxl import load_workbook  # only needed for Excel files

    _check_unpacked_sizes(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.active
        # The sheet's own dimension may claim a million rows and columns; without it, rows are
        # as the file has them and each as wide as its last cell.
        sheet.reset_dimensions()
        return _within_limits(sheet.iter_rows(min_row=1, values_only=True))
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused([Problem("not_xlsx", {})]) from None


def _check_unpacked_sizes(content: bytes) -> None:
    """Refuse an XLSX whose parts unpack to more than is read safely. The sizes are those the
    archive declares; zipfile stops at them, so a part that lies is cut short, not bigger."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile:
        raise ImportRefused([Problem("not_xlsx", {})]) from None
    for part in parts:
        is_sheet = part.filename.startswith("xl/worksheets/")
        if part.file_size > (MAX_SHEET_BYTES if is_sheet else MAX_PART_BYTES):
            raise ImportRefused([Problem("too_big_unpacked", {})])


def _within_limits(rows: Iterable[Sequence[object]]) -> Rows:
    """The rows that have something in them, numbered as the spreadsheet shows them.

    Stops at the first limit passed, before anything further is read: rows, cells (empty ones
    count, as they take memory too), columns in use, and characters kept.
    """
    kept: Rows = []
    cells = chars = 0
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise ImportRefused([Problem("too_many_rows", {"max": MAX_ROWS})])
        cells += len(values)
        if cells > MAX_CELLS:
            raise ImportRefused([Problem("too_many_cells", {"max": MAX_CELLS})])
        row = ["" if value is None else str(value) for value in values]
        used = [column for column, cell in enumerate(row, start=1) if cell.strip()]
        if not used:
            continue
        if used[-1] > MAX_COLUMNS:
            raise ImportRefused([Problem("too_many_columns", {"max": MAX_COLUMNS})])
        del row[MAX_COLUMNS:]  # only empty cells are out there
        chars += sum(map(len, row))
        if chars > MAX_CHARS:
            raise ImportRefused([Problem("too_much_text", {"max": MAX_CHARS})])
        kept.append((number, row))
    return kept


def _validate(rows: Rows) -> list[DataPoint]:
    if not rows:
        raise ImportRefused([Problem("empty", {})])
    header = _Header.read(rows[0][1])
    if header.problems:
        raise ImportRefused(header.problems)
    problems: list[Problem] = []
    points = []
    for number, row in rows[1:]:
        cells = {
            column: cell.strip()
            for column, cell in zip(header.columns, row, strict=False)
            if column and cell.strip()
        }
        point = _point(_Row(number, cells, header), problems)
        if point is not None:
            points.append(point)
    problems += _check_consistency(points)
    if problems:
        raise ImportRefused(problems)
    return points


@dataclass(frozen=True)
class _Header:
    columns: list[str | None]
    """The column each header cell names, in order; None for a cell without a name."""
    written: dict[str, str]
    """column -> its name as the file writes it, for messages."""
    language: str
    """"da" when the headers are Danish: messages then name columns and choices in Danish."""
    problems: list[Problem]

    @classmethod
    def read(cls, cells: list[str]) -> _Header:
        names = [cell.strip() for cell in cells]
        language = "da" if any(COLUMNS.is_danish(name) for name in names if name) else "en"
        columns: list[str | None] = []
        problems, hinted = [], set()
        for name in names:
            column = COLUMNS.read(name) if name else None  # a column without a name is left out
            if name and column is None:
                hint = COLUMNS.closest(name)
                if hint:
                    hinted.add(COLUMNS.read(hint))
                    params = {"column": name, "suggestion": hint}
                    problems.append(Problem("unknown_column_hint", params))
                else:
                    params = {"column": name, "choices": COLUMNS.listing(language)}
                    problems.append(Problem("unknown_column", params))
            elif column and column in columns:
                problems.append(Problem("duplicate_column", {"column": name}))
            columns.append(column)
        written = {column: name for column, name in zip(columns, names, strict=True) if column}
        for column in REQUIRED_COLUMNS:
            if column not in written:
                written[column] = COLUMNS.name(column, language)
                if column not in hinted:  # "did you mean" has said it already
                    problems.append(Problem("missing_column", {"column": written[column]}))
        return cls(columns, written, language, problems)


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]
    """column -> text, for the cells that are not empty."""
    header: _Header

    def problem(self, key: str, column: str | None = None, **params: object) -> Problem:
        where = {"column": self.header.written.get(column, column)} if column else {}
        return Problem(key, {"row": self.number, **where, **params})


def _point(row: _Row, problems: list[Problem]) -> DataPoint | None:
    """One row as a data point, or None with the row's first problem added to `problems`."""
    cells = row.cells
    for column in REQUIRED_COLUMNS:
        if column not in cells:
            problems.append(row.problem("empty_cell", column))
            return None
    values: dict[str, object] = dict(cells)
    for column, words in (("chart", CHARTS), ("category", CATEGORIES)):
        if column in cells:
            values[column] = words.read(cells[column])
            if values[column] is None:
                problems.append(_unknown(row, column, words))
                return None
    for column in ("value", "n"):
        if column in cells:
            parsed = _number(cells[column])
            if parsed is None:
                problems.append(row.problem("not_a_number", column, text=cells[column]))
                return None
            if column == "n" and (parsed < 0 or not float(parsed).is_integer()):
                problems.append(row.problem("not_whole", column, text=cells[column]))
                return None
            values[column] = int(parsed) if column == "n" else parsed
    try:
        return DataPoint.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else "chart"
        text = cells.get(column, "")
        if first["type"] == "string_too_long":
            limit = (first.get("ctx") or {}).get("max_length")
            problems.append(row.problem("too_long", column, length=len(text), max=limit))
        else:  # the reader checks what it knows of first; the library's own words stay out
            problems.append(row.problem("bad_cell", column, text=text))
        return None


def _number(text: str) -> float | None:
    """A finite number, or None: parse_number overflows on a few hundred digits."""
    try:
        parsed = parse_number(text)
    except OverflowError:
        return None
    return parsed if parsed is not None and math.isfinite(parsed) else None


def _unknown(row: _Row, column: str, words: Vocabulary) -> Problem:
    """An unknown chart type or goal category, with the closest known name or the choices."""
    text = row.cells[column]
    if hint := words.closest(text):
        return row.problem(f"unknown_{column}_hint", text=text, suggestion=hint)
    return row.problem(f"unknown_{column}", text=text, choices=words.listing(row.header.language))


def _check_consistency(points: list[DataPoint]) -> list[Problem]:
    problems = []
    groups: dict[str, set[str]] = {}
    for point in points:
        groups.setdefault(point.indicator, set()).add(point.group)
        if point.chart is ChartKind.GOAL_ATTAINMENT and point.category is None:
            problems.append(Problem("needs_category", {"indicator": point.indicator}))
        needs_period = point.chart not in (ChartKind.GOAL_ATTAINMENT, ChartKind.DISTRIBUTION)
        if needs_period and point.period is None:
            problems.append(Problem("needs_period", {"indicator": point.indicator}))
    for indicator, names in groups.items():
        if len(names) > MAX_GROUPS:
            problems.append(
                Problem(
                    "too_many_groups",
                    {"indicator": indicator, "count": len(names), "max": MAX_GROUPS},
                )
            )
    return list({(p.key, str(p.params)): p for p in problems}.values())
