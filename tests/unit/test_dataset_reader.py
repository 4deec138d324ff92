"""Reading indicator files: Danish Excel exports work; each bad file gets its own message."""

from __future__ import annotations

import io

import pytest

from bot.dataset.reader import MAX_FILE_BYTES, ChartKind, ImportRefused, read_file

HEADER = "chart;indicator;group;period;category;value;n"


def csv(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([HEADER, *rows]).encode(encoding)


def refusal(name: str, content: bytes) -> list[tuple[str, dict]]:
    with pytest.raises(ImportRefused) as caught:
        read_file(name, content)
    return [(p.key, p.params) for p in caught.value.problems]


def test_a_danish_excel_export_is_read_with_a_note():
    content = "Diagram;Indikator;Gruppe;Periode;Kategori;Værdi;Antal\r\n" \
        "progression;Trivsel;Ældre;Start;;4,5;12\r\n".encode("cp1252")  # fmt: skip
    result = read_file("data.csv", content)
    (point,) = result.points
    assert (point.chart, point.indicator, point.group, point.period) == (
        ChartKind.PROGRESSION, "Trivsel", "Ældre", "Start")  # fmt: skip
    assert (point.value, point.n) == (4.5, 12)
    assert [note.key for note in result.notes] == ["windows_1252"]


def test_utf8_with_bom_and_commas_as_separators_work():
    content = "\ufeffchart,indicator,group,period,value\r\ntwo_groups,X,A,Slut,2.5\r\n"
    result = read_file("data.csv", content.encode("utf-8"))
    assert result.points[0].value == 2.5
    assert result.notes == []


def test_goal_categories_may_be_written_in_danish():
    result = read_file("d.csv", csv("goal_attainment;Mål;Fritid;;Stabil og mål nået;4;"))
    assert result.points[0].category == "stable_reached"


def test_an_xlsx_workbook_is_read():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["chart", "indicator", "group", "period", "value"])
    sheet.append(["group_comparison", "Fremmøde", "Mænd", "2025", 2.25])
    buffer = io.BytesIO()
    book.save(buffer)
    (point,) = read_file("data.xlsx", buffer.getvalue()).points
    assert (point.group, point.period, point.value) == ("Mænd", "2025", 2.25)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("d.csv", b"   ", [("empty", {})]),
        ("d.csv", b"x" * (MAX_FILE_BYTES + 1), [("too_big", {"size_mb": 5.0})]),
        ("d.pdf", b"%PDF-1.4", [("file_type", {"name": "d.pdf"})]),
        ("d.csv", b"\x81\x00\xff\xfe", [("encoding", {})]),
        ("d.xlsx", b"not a workbook", [("not_xlsx", {})]),
        ("d.csv", b"chart;indicator;group;value;colour\nx;y;z;1;red",
         [("unknown_column", {"column": "colour"})]),
        ("d.csv", b"chart;indicator;value\nprogression;y;1",
         [("missing_column", {"column": "group"})]),
        ("d.csv", csv("progression;Trivsel;A;Start;;mange;"),
         [("not_a_number", {"row": 2, "column": "value", "text": "mange"})]),
        ("d.csv", csv("pie;Trivsel;A;Start;;1;"),
         [("bad_cell", {"row": 2, "column": "chart",
                        "reason": "Input should be 'group_comparison', 'goal_attainment', "
                                  "'progression', 'two_groups' or 'distribution'"})]),
        ("d.csv", csv("goal_attainment;Mål;A;;Glad;1;"),
         [("bad_cell", {"row": 2, "column": "category", "reason": "Value error, unknown "
                        "category; use one of progress_reached, stable_reached, "
                        "progress_not_reached, no_change, worse"})]),
        ("d.csv", csv("progression;Trivsel;A;;;1;"), [("needs_period", {"indicator": "Trivsel"})]),
    ],
)  # fmt: skip
def test_each_bad_file_is_refused_with_its_own_message(name, content, expected):
    assert refusal(name, content) == expected


def test_more_than_50_groups_in_one_chart_is_refused():
    rows = [f"group_comparison;Fremmøde;Gruppe {n};2025;;1;" for n in range(51)]
    assert refusal("d.csv", csv(*rows)) == [
        ("too_many_groups", {"indicator": "Fremmøde", "count": 51, "max": 50})
    ]
