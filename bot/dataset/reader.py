"""Reading a team's indicator file (CSV or XLSX, long format) into validated data points.

One row per number. Columns (header names are case-insensitive; Danish names work too):
    chart      group_comparison | goal_attainment | progression | two_groups | distribution
    indicator  the chart's title, e.g. "Fremmøde i fritidsaktiviteter"
    group      a group, a parameter (goal attainment), an intervention (two_groups) or an
               answer option (distribution: how many gave each answer)
    period     a year, a measurement point or start/end/follow-up (not for goal_attainment
               or distribution)
    category   goal_attainment only: one of the five categories of seed 001
    value      the number (decimal comma or point)
    n          optional: how many answers the value rests on
Danish Excel exports work as they are: semicolons, decimal commas, Windows-1252.
Every problem is reported with its row and column; nothing is returned half-read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flows.parsing import parse_number

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_GROUPS = 50
MAX_ROWS = 20_000


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

_CATEGORY_NAMES = {
    "fremgang og mål nået": "progress_reached",
    "fremgang, mål ikke nået": "progress_not_reached",
    "stabil og mål nået": "stable_reached",
    "ingen forandring": "no_change",
    "tilbagegang": "worse",
}
_HEADER_NAMES = {
    "diagram": "chart",
    "indikator": "indicator",
    "gruppe": "group",
    "periode": "period",
    "målepunkt": "period",
    "kategori": "category",
    "værdi": "value",
    "antal": "n",
}
REQUIRED_COLUMNS = ("chart", "indicator", "group", "value")
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, "period", "category", "n")


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
        if value is None:
            return None
        category = _CATEGORY_NAMES.get(value.strip().lower(), value.strip().lower())
        if category not in GOAL_CATEGORIES:
            raise ValueError(f"unknown category; use one of {', '.join(GOAL_CATEGORIES)}")
        return category


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: `key` is a catalogue key under import.error, with its params."""

    key: str
    params: dict[str, object]


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class ReadResult:
    points: list[DataPoint]
    notes: list[Problem]
    """Things worth saying that did not stop the import (e.g. Windows-1252 was assumed)."""


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


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed for Excel files

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused([Problem("not_xlsx", {})]) from None
    rows = []
    for values in sheet.iter_rows(values_only=True):
        cells = ["" if value is None else str(value) for value in values]
        if any(cell.strip() for cell in cells):
            rows.append(cells)
    return rows


def _validate(rows: list[list[str]]) -> list[DataPoint]:
    if not rows:
        raise ImportRefused([Problem("empty", {})])
    header = [_HEADER_NAMES.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    unknown = [h for h in header if h not in KNOWN_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    problems = [Problem("unknown_column", {"column": c}) for c in unknown]
    problems += [Problem("missing_column", {"column": c}) for c in missing]
    if problems:
        raise ImportRefused(problems)
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused([Problem("too_many_rows", {"max": MAX_ROWS})])
    points = []
    for number, row in enumerate(rows[1:], start=2):
        point = _point(number, dict(zip(header, row, strict=False)), problems)
        if point is not None:
            points.append(point)
    problems += _check_consistency(points)
    if problems:
        raise ImportRefused(problems[:10])
    return points


def _point(number: int, cells: dict[str, str], problems: list[Problem]) -> DataPoint | None:
    values: dict[str, object] = {k: v.strip() for k, v in cells.items() if v and v.strip()}
    for column in ("value", "n"):
        if column in values:
            parsed = parse_number(str(values[column]))
            if parsed is None:
                problems.append(
                    Problem(
                        "not_a_number", {"row": number, "column": column, "text": values[column]}
                    )
                )
                return None
            values[column] = parsed
    try:
        return DataPoint.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else "?"
        problems.append(
            Problem("bad_cell", {"row": number, "column": column, "reason": first["msg"]})
        )
        return None


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
