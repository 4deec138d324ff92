"""XLSX files written by hand, row element by row element, as a file built to expand is."""

from __future__ import annotations

import io
import zipfile

SHEET_START = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
CLAIMS_EVERYTHING = b'<dimension ref="A1:XFD1048576"/>'
"""A sheet's dimension as a bomb writes it: every row and column Excel has."""
EXCEL_ROWS = 2**20


def texts(*cells: str) -> bytes:
    """Cells of text, one after the other, written inline (no shared strings)."""
    return b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode() for c in cells)


HEADER = b"<row>" + texts("chart", "indicator", "group", "period", "value") + b"</row>"


def data_row(n: int) -> bytes:
    return (
        b"<row>"
        + texts("progression", "Trivsel", f"Gruppe {n}", "Start")
        + b"<c><v>4</v></c></row>"
    )


def million_rows() -> bytes:
    """A header and a filled row for every other row Excel has: about 70 KB, 30 MB unpacked."""
    return xlsx(HEADER + b"<row><c><v>1</v></c></row>" * (EXCEL_ROWS - 1))


def xlsx(rows: bytes, *, dimension: bytes = CLAIMS_EVERYTHING) -> bytes:
    """A workbook whose one sheet is `rows` as written (row elements), with `dimension`."""
    from openpyxl import Workbook

    blank = io.BytesIO()
    Workbook().save(blank)
    sheet = SHEET_START + dimension + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    built = io.BytesIO()
    with zipfile.ZipFile(blank) as source, zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED) as out:
        for part in source.infolist():
            is_sheet = part.filename == "xl/worksheets/sheet1.xml"
            out.writestr(part.filename, sheet if is_sheet else source.read(part))
    return built.getvalue()
