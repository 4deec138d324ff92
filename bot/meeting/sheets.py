"""The actions as a follow-up list: an Excel workbook (.xlsx) and a CSV file.

Rows come in as typed values (numbers, naive local datetimes, text) from
bot/meeting/minutes.py. Excel gets real date cells and a filter row, so the list can be sorted
and followed; the CSV gets ISO dates and semicolons, the separator Danish Excel expects,
whatever language the reader chose in the bot. Text that a spreadsheet would run as a
formula stays text in both. openpyxl is imported when a workbook is written, not at start.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from bot.meeting.documents import xml_safe

Value = str | int | datetime | None
"""A cell: datetimes are naive, in the meeting's local time."""

CSV_DELIMITER = ";"
"""Danish Excel's list separator; a comma would put every row in one column there."""
EXCEL_DATETIME = "yyyy-mm-dd hh:mm"
CSV_DATETIME = "%Y-%m-%d %H:%M"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell beginning with one of these is run as a formula by spreadsheets (CSV injection)."""
MAX_SHEET_TITLE = 31
WIDEST_COLUMN = 60


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


def xlsx(sheet: Sheet) -> bytes:
    """One worksheet: a bold, frozen header with a filter, and typed cells.

    Text is stored as text even when it begins like a formula (and marked with Excel's quote
    prefix, so editing the cell keeps it text).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet.title[:MAX_SHEET_TITLE]
    for column, name in enumerate(sheet.header, start=1):
        worksheet.cell(row=1, column=column, value=xml_safe(name)).font = Font(bold=True)
    for row_number, row in enumerate(sheet.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = worksheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = xml_safe(value)
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                cell.quotePrefix = value.startswith(FORMULA_START)
            else:
                cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = EXCEL_DATETIME
    for column in range(1, len(sheet.header) + 1):
        worksheet.column_dimensions[get_column_letter(column)].width = _width(sheet, column - 1)
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark (so Excel shows æ, ø and å), semicolons, ISO dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([_csv_cell(name) for name in sheet.header])
    writer.writerows([_csv_cell(value) for value in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # shown as typed; the quote tells the spreadsheet it is text
    return str(value)


def _width(sheet: Sheet, index: int) -> int:
    longest = max(
        (len(_csv_cell(row[index])) for row in sheet.rows), default=0
    )  # a date's CSV form is as wide as Excel shows it
    return min(max(longest, len(sheet.header[index])) + 2, WIDEST_COLUMN)
