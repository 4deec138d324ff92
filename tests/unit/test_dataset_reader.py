"""Reading indicator files: Danish Excel exports work; each bad file gets its own message."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest

from bot.dataset import reader
from bot.dataset.reader import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_QUOTED_CHARS,
    MAX_ROWS,
    ChartKind,
    ImportRefused,
    read_file,
)
from tests.support.workbooks import HEADER as XLSX_HEADER
from tests.support.workbooks import data_row, million_rows, texts, xlsx

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


@pytest.mark.parametrize(
    "written", ["Stabil og mål nået", "Stabil, mål nået", "stable_reached", "Stable, goal reached"]
)
def test_goal_categories_may_be_written_in_danish_or_as_the_legend_says(written):
    result = read_file("d.csv", csv(f"goal_attainment;Mål;Fritid;;{written};4;"))
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
         [("unknown_column", {"column": "colour", "choices": "chart, indicator, group, period, "
                                                             "category, value, n"})]),
        ("d.csv", b"Diagram;Indikator;Gruppe;Vaerdi;Farve\nx;y;z;1;red",
         [("unknown_column", {"column": "Farve", "choices": "diagram, indikator, gruppe, "
                              "periode, kategori, værdi, antal"})]),
        ("d.csv", b"chart;indicatr;group;value\nx;y;z;1",
         [("unknown_column_hint", {"column": "indicatr", "suggestion": "indicator"})]),
        ("d.csv", b"chart;indicator;value;value\nprogression;y;1;2",
         [("duplicate_column", {"column": "value"}), ("missing_column", {"column": "group"})]),
        ("d.csv", b"Diagram;Indikator;V\xc3\xa6rdi\nprogression;y;1",
         [("missing_column", {"column": "gruppe"})]),
        ("d.csv", csv("progression;Trivsel;A;Start;;mange;"),
         [("not_a_number", {"row": 2, "column": "value", "text": "mange"})]),
        ("d.csv", csv("progression;Trivsel;A;Start;;4;12,5"),
         [("not_whole", {"row": 2, "column": "n", "text": "12,5"})]),
        ("d.csv", csv("progression;Trivsel;;Start;;4;"),
         [("empty_cell", {"row": 2, "column": "group"})]),
        ("d.csv", csv("progression;" + "T" * 81 + ";A;Start;;4;"),
         [("too_long", {"row": 2, "column": "indicator", "length": 81, "max": 80})]),
        ("d.csv", csv("pie;Trivsel;A;Start;;1;"),
         [("unknown_chart", {"row": 2, "text": "pie", "choices": "group_comparison, "
                             "goal_attainment, progression, two_groups, distribution"})]),
        ("d.csv", csv("gruppesammenligninger;Trivsel;A;Start;;1;"),
         [("unknown_chart_hint", {"row": 2, "text": "gruppesammenligninger",
                                  "suggestion": "gruppesammenligning"})]),
        ("d.csv", csv("goal_attainment;Mål;A;;Glad;1;"),
         [("unknown_category", {"row": 2, "text": "Glad", "choices": "progress_reached, "
                                "stable_reached, progress_not_reached, no_change, worse"})]),
        ("d.csv", csv("goal_attainment;Mål;A;;Tilbagegan;1;"),
         [("unknown_category_hint", {"row": 2, "text": "Tilbagegan",
                                     "suggestion": "tilbagegang"})]),
        ("d.csv", csv("progression;Trivsel;A;;;1;"), [("needs_period", {"indicator": "Trivsel"})]),
    ],
)  # fmt: skip
def test_each_bad_file_is_refused_with_its_own_message(name, content, expected):
    assert refusal(name, content) == expected


def test_danish_chart_type_names_are_read_in_any_spelling():
    rows = [f"{chart};T{n};A;Start;Fremgang, mål nået;1;" for n, chart in enumerate(
        ("gruppesammenligning", "Målopfyldelse", "udvikling", "to grupper", "To-grupper",
         "fordeling", "maalopfyldelse", "Group comparison"))]  # fmt: skip
    charts = [p.chart.value for p in read_file("d.csv", csv(*rows)).points]
    assert charts == [
        "group_comparison", "goal_attainment", "progression", "two_groups", "two_groups",
        "distribution", "goal_attainment", "group_comparison",
    ]  # fmt: skip


def test_row_numbers_are_the_spreadsheets_even_after_blank_rows():
    content = csv("progression;Trivsel;A;Start;;1;", ";;;;;;", "", "progression;Trivsel;A;Slut;;x;")
    assert refusal("d.csv", content) == [
        ("not_a_number", {"row": 5, "column": "value", "text": "x"})
    ]


def test_more_than_ten_problems_list_nine_and_count_the_rest():
    problems = refusal("d.csv", csv(*[f"pie;T;A;Start;;{n};" for n in range(14)]))
    assert len(problems) == 10
    assert [key for key, _ in problems[:9]] == ["unknown_chart"] * 9
    assert problems[-1] == ("more", {"count": 5})


def test_more_than_50_groups_in_one_chart_is_refused():
    rows = [f"group_comparison;Fremmøde;Gruppe {n};2025;;1;" for n in range(51)]
    assert refusal("d.csv", csv(*rows)) == [
        ("too_many_groups", {"indicator": "Fremmøde", "count": 51, "max": 50})
    ]


def test_a_header_of_10000_columns_is_refused_as_too_many_columns():
    content = ";".join(f"kolonne{n}" for n in range(10_000)) + "\n" + ";".join(["1"] * 10_000)
    assert refusal("d.csv", content.encode()) == [("too_many_columns", {"max": MAX_COLUMNS})]


def test_empty_cells_right_of_the_data_are_no_problem():
    content = csv("progression;Trivsel;A;Start;;4;" + ";" * 100)
    assert len(read_file("d.csv", content).points) == 1


def test_reading_stops_at_the_row_limit_before_a_broken_row_further_down(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    rows = ["progression;Trivsel;A;Start;;4;"] * 4
    broken = "progression;" + "x" * 200_000 + ";A;Start;;4;"  # past csv's field size limit
    assert refusal("d.csv", csv(*rows, broken)) == [("too_many_rows", {"max": 3})]
    assert refusal("d.csv", csv(*rows[:2], broken)) == [("bad_csv", {"row": 4})]


def test_too_much_text_is_refused_while_reading(monkeypatch):
    monkeypatch.setattr(reader, "MAX_CHARS", 200)
    rows = [f"progression;Trivsel;Gruppe {n};Start;;4;" for n in range(10)]
    assert refusal("d.csv", csv(*rows)) == [("too_much_text", {"max": 200})]


def test_a_long_quote_from_the_file_is_shortened_in_the_problem():
    ((key, params),) = refusal("d.csv", ("chart;indicator;group;value;" + "X" * 5000).encode())
    assert key == "unknown_column"
    assert params["column"] == "X" * (MAX_QUOTED_CHARS - 1) + "…"
    assert params["choices"] == "chart, indicator, group, period, category, value, n"


def test_more_than_ten_header_problems_list_nine_and_count_the_rest():
    header = "chart;indicator;group;value;" + ";".join(f"farve{n}" for n in range(25))
    problems = refusal("d.csv", header.encode())
    assert len(problems) == 10
    assert problems[-1] == ("more", {"count": 16})


def test_an_xlsx_that_claims_every_row_and_column_is_read_as_it_is():
    content = xlsx(XLSX_HEADER + b"".join(data_row(n) for n in range(40)))
    started = time.perf_counter()
    points = read_file("data.xlsx", content).points
    assert time.perf_counter() - started < 2
    assert [p.group for p in points[:2]] == ["Gruppe 0", "Gruppe 1"]
    assert len(points) == 40


def test_an_xlsx_of_a_million_rows_is_refused_at_the_row_limit_quickly_and_in_little_memory():
    bomb = million_rows()
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = refusal("bomb.xlsx", bomb)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == [("too_many_rows", {"max": MAX_ROWS})]
    assert seconds < 5
    assert peak < 100 * 2**20


def test_an_xlsx_whose_rows_reach_the_last_column_is_refused_by_its_cells():
    wide = b'<row><c r="XFD%d" s="0"/></row>'  # one empty cell, far out: 16,384 cells a row
    rows = b"".join(wide % n for n in range(2, 1002))
    r1 = b'<row r="1">' + texts("chart", "indicator", "group", "value") + b"</row>"
    assert refusal("wide.xlsx", xlsx(r1 + rows)) == [("too_many_cells", {"max": MAX_CELLS})]


def test_an_xlsx_with_a_filled_cell_past_the_column_limit_is_refused():
    far = b'<row><c r="AO2" t="inlineStr"><is><t>x</t></is></c></row>'  # column 41
    assert refusal("far.xlsx", xlsx(XLSX_HEADER + far)) == [
        ("too_many_columns", {"max": MAX_COLUMNS})
    ]


def test_an_xlsx_whose_sheet_unpacks_too_large_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(reader, "MAX_SHEET_BYTES", 10_000)
    content = xlsx(XLSX_HEADER + b"".join(data_row(n) for n in range(100)))
    assert refusal("big.xlsx", content) == [("too_big_unpacked", {})]
