"""The minutes and the actions as files, opened with the libraries that read them.

Built from hand-made records: a tie the leader broke, a chain of merged duplicates, a theme
and a note with HTML in them, and actions whose text a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.meeting import sheets
from bot.meeting.minutes import MinutesData, MinutesWriter
from flows.registry import FlowRegistry
from storage.records import (
    Action,
    ActionUpdate,
    Agreement,
    Dialogue,
    Meeting,
    Person,
    StoredAnswer,
    Theme,
)
from storage.repositories.agreements import ActionProgress

SCRIPT_THEME = "<script>alert(1)</script> Fremmødet falder"
IMG_NOTE = "<img src=x onerror=alert(1)> fast kontaktperson"
HYPERLINK = '=HYPERLINK("http://evil.example","klik")'


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _meeting(meeting_id: int, starts_at: datetime) -> Meeting:
    return Meeting(
        id=meeting_id, team_id=1, team_name="Team Fritid", title="Status på fritidsindsatsen",
        starts_at=starts_at, prep_deadline_at=starts_at, time_zone="Europe/Copenhagen",
        status="held", prep_flow_id="three_points", created_by=1,
    )  # fmt: skip


def _person(person_id: int, name: str) -> Person:
    return Person(person_id, 100 + person_id, name, "da", "Europe/Copenhagen")


def _action(action_id: int, description: str, owner: str, deadline: datetime) -> Action:
    return Action(action_id, 7, description, None, owner, 1, "Mette Holm", deadline, "agreed")


def _data(*, chosen: int = 12, votes: list[tuple[int, int]] | None = None) -> MinutesData:
    """Themes 11 and 12 tie with two dots each unless `votes` says otherwise."""
    dialogue = Dialogue(
        meeting_id=7, group_chat_id=-100, phase="finished", revision=9, paused=False,
        phase_started_at=None, phase_elapsed_s=0, timeboxes=(10, 20, 20, 20, 15),
        panel_message_id=None, themes_message_id=None, ballot_message_id=None,
        leader_turn=False, dots_per_person=3, vote_status="closed", chosen_theme_id=chosen,
        area_note=IMG_NOTE, started_at=None, finished_at=None,
    )  # fmt: skip
    blocked = ActionUpdate("blocked", "SSP har ingen lokaler", _utc(2026, 12, 17, 8))
    in_progress = ActionUpdate("in_progress", "Halvdelen er ringet op", _utc(2027, 1, 28, 8))
    return MinutesData(
        meeting=_meeting(7, _utc(2026, 12, 3, 9)),
        dialogue=dialogue,
        members=[
            (_person(1, "Mette Holm"), "leader"),
            (_person(2, "Jonas"), "participant"),
            (_person(3, "Aisha"), "participant"),
        ],
        prepared=[StoredAnswer(1, 2, "positive", "Flere i job", _utc(2026, 11, 30, 9), None)],
        past=[],
        themes=[
            Theme(11, 7, 2, "Flere i fritidsjob", None),
            Theme(12, 7, 3, SCRIPT_THEME, None),
            Theme(13, 7, 2, "Ingen aftentilbud", None),
        ],
        merged=[
            Theme(14, 7, 3, "Vi mister dem efter sommeren", 15),
            Theme(15, 7, 2, "Fremmødet daler", 12),
        ],
        votes=votes if votes is not None else [(11, 2), (11, 3), (12, 2), (12, 3), (13, 2)],
        agreement=Agreement(
            meeting_id=7,
            short_goal="Færre falder fra",
            long_goal="To ud af tre bliver",
            horizon_months=12,
            data_signal="Fremmøde i sept.",
            next_meeting_id=8,
            cadence_days=28,
            confirmed_at=_utc(2026, 12, 3, 10),
        ),
        next_meeting=_meeting(8, _utc(2027, 3, 4, 9)),
        actions=[
            ActionProgress(
                _action(1, HYPERLINK, "Jonas", _utc(2027, 8, 15, 10)), in_progress, in_progress
            ),
            ActionProgress(
                _action(2, "Aftale med SSP", "Birgit Berg", _utc(2027, 2, 1, 11)),
                ActionUpdate("done", None, _utc(2027, 1, 18, 7)),
                blocked,
            ),
            ActionProgress(
                _action(3, "+45 12 34 56 78 ringes op", "@birgit", _utc(2027, 1, 15, 11)),
                None,
                None,
            ),
        ],
        takeaways=[
            StoredAnswer(2, 2, "takeaway", "Spørg de unge selv", _utc(2026, 12, 3, 11), None)
        ],
    )


@pytest.fixture(scope="module")
def flows(catalogue) -> FlowRegistry:
    return FlowRegistry.load(catalogue)


@pytest.fixture
def writer(catalogue, flows) -> MinutesWriter:
    return MinutesWriter(catalogue, flows, "da")


def test_markdown_minutes_escape_html_and_keep_decisions_in_paragraphs_of_their_own(writer):
    file = writer.file(_data(), "md")
    assert file.name == "referat-team-fritid-2026-12-03.md"
    text = file.content.decode()

    assert "<script>" not in text
    assert "<img" not in text
    assert "| 2 | &lt;script&gt;alert(1)&lt;/script&gt; Fremmødet falder | 2 | 2 |" in text
    assert (
        "Valgt fokusområde: &lt;script&gt;alert(1)&lt;/script&gt; Fremmødet falder\n\n"
        "Mødelederen valgte mellem 2 temaer med lige mange prikker.\n\n"
        "Forklaringer og kerneelementer: &lt;img src=x onerror=alert(1)&gt; fast kontaktperson"
    ) in text
    assert (
        "Dubletter, der blev lagt sammen:\n\n"
        "- »Vi mister dem efter sommeren« indgår nu i tema 2: &lt;script&gt;"
    ) in text
    assert "- »Fremmødet daler« indgår nu i tema 2: " in text
    assert "- Næste dialog: torsdag 4. marts 2027 kl. 10:00\n" in text
    assert "- Påmindelser til de ansvarlige: hver 28. dag\n" in text
    assert "Team: Team Fritid · torsdag 3. december 2026 kl. 10:00 · Møde nr. 7" in text


def test_the_tie_line_appears_only_when_the_leader_chose_among_equals(writer):
    clear_winner = _data(chosen=11, votes=[(11, 2), (11, 3), (12, 2)])
    text = writer.file(clear_winner, "md").content.decode()
    assert "Valgt fokusområde: Flere i fritidsjob" in text
    assert "Mødelederen valgte" not in text


def test_files_are_named_by_the_meeting_s_local_date(writer):
    just_after_midnight = replace(_data(), meeting=_meeting(7, _utc(2026, 12, 2, 23, 30)))
    assert writer.file(just_after_midnight, "xlsx").name == "handlinger-team-fritid-2026-12-03.xlsx"


def test_english_minutes_say_the_same_in_english(catalogue, flows):
    text = MinutesWriter(catalogue, flows, "en").file(_data(), "md").content.decode()
    assert "- Next dialogue: Thursday 4 March 2027 at 10:00\n" in text
    assert "- Reminders to the owners: every 28 days\n" in text
    assert "The meeting leader chose between 2 themes with equal dots." in text


def test_word_minutes_have_real_headings_lists_and_tables(writer):
    file = writer.file(_data(), "docx")
    assert file.name == "referat-team-fritid-2026-12-03.docx"
    document = Document(io.BytesIO(file.content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]

    assert paragraphs[0] == ("Title", "Referat: Status på fritidsindsatsen")
    assert ("Heading 1", "Temaer og prioritering") in paragraphs
    assert ("List Bullet", "Næste dialog: torsdag 4. marts 2027 kl. 10:00") in paragraphs
    assert ("List Bullet", "Påmindelser til de ansvarlige: hver 28. dag") in paragraphs
    chosen = paragraphs.index(("Normal", f"Valgt fokusområde: {SCRIPT_THEME}"))
    assert paragraphs[chosen + 1] == (
        "Normal",
        "Mødelederen valgte mellem 2 temaer med lige mange prikker.",
    )
    assert paragraphs[chosen + 2] == ("Normal", f"Forklaringer og kerneelementer: {IMG_NOTE}")
    for _, text in paragraphs:
        assert not text.startswith("#")
        assert "**" not in text
        assert "|---|" not in text
    themes, actions = ([[c.text for c in row.cells] for row in t.rows] for t in document.tables)
    assert themes[0] == ["#", "Tema", "Prikker", "Personer"]
    assert themes[2] == ["2", SCRIPT_THEME, "2", "2"]
    assert actions[1] == ["1", HYPERLINK, "Jonas", "Mette Holm", "søndag 15. august 2027 kl. 12:00"]
    assert document.core_properties.language == "da-DK"


def test_the_excel_actions_sheet_has_date_cells_status_notes_and_a_filter(writer):
    file = writer.file(_data(), "xlsx")
    assert file.name == "handlinger-team-fritid-2026-12-03.xlsx"
    sheet = load_workbook(io.BytesIO(file.content)).active

    assert sheet.title == "Handlinger"
    assert [c.value for c in sheet[1]] == [
        "Nr.", "Handling", "Ansvarlig", "Opfølgning", "Frist", "Status", "Status meldt",
        "Seneste note", "Note skrevet",
    ]  # fmt: skip
    assert sheet.auto_filter.ref == "A1:I4"
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        [1, HYPERLINK, "Jonas", "Mette Holm", datetime(2027, 8, 15, 12), "I gang",
         datetime(2027, 1, 28, 9), "Halvdelen er ringet op", datetime(2027, 1, 28, 9)],
        [2, "Aftale med SSP", "Birgit Berg", "Mette Holm", datetime(2027, 2, 1, 12), "Færdig",
         datetime(2027, 1, 18, 8), "SSP har ingen lokaler", datetime(2026, 12, 17, 9)],
        [3, "+45 12 34 56 78 ringes op", "@birgit", "Mette Holm", datetime(2027, 1, 15, 12),
         "Ikke meldt endnu", None, None, None],
    ]  # fmt: skip
    deadline, hyperlink = sheet["E2"], sheet["B2"]
    assert deadline.is_date
    assert deadline.number_format == "yyyy-mm-dd hh:mm"
    assert (hyperlink.data_type, hyperlink.quotePrefix) == ("s", True)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_csv_uses_semicolons_iso_dates_and_defuses_formulas(catalogue, flows, language):
    file = MinutesWriter(catalogue, flows, language).file(_data(), "csv")
    assert file.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig")), delimiter=";"))

    assert rows[0][:2] == (["Nr.", "Handling"] if language == "da" else ["No.", "Action"])
    assert len(rows[0]) == 9
    assert rows[1][1] == "'" + HYPERLINK
    assert rows[1][4:] == [
        "2027-08-15 12:00",
        "I gang" if language == "da" else "In progress",
        "2027-01-28 09:00",
        "Halvdelen er ringet op",
        "2027-01-28 09:00",
    ]
    assert rows[3][1:3] == ["'+45 12 34 56 78 ringes op", "'@birgit"]
    assert rows[3][6:] == ["", "", ""]


def test_every_formula_start_is_defused_and_excel_keeps_the_text_as_typed():
    cells = ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok -1")
    sheet = sheets.Sheet("Test", tuple(f"c{n}" for n in range(len(cells))), (cells,))

    content = io.StringIO(sheets.csv_bytes(sheet).decode("utf-8-sig"), newline="")
    written = list(csv.reader(content, delimiter=";"))
    assert written[1] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok -1"]
    excel = load_workbook(io.BytesIO(sheets.xlsx(sheet))).active
    assert [(c.value, c.data_type) for c in excel[2]] == [(value, "s") for value in cells]


def test_control_characters_do_not_break_the_word_and_excel_files(writer):
    data = _data()
    broken = ActionProgress(
        _action(4, "Ring\x01 til\x1f jobcentret", "Jonas", _utc(2027, 1, 15, 11)), None, None
    )
    data = replace(data, actions=[*data.actions, broken])

    document = Document(io.BytesIO(writer.file(data, "docx").content))
    assert document.tables[1].rows[4].cells[1].text == "Ring til jobcentret"
    sheet = load_workbook(io.BytesIO(writer.file(data, "xlsx").content)).active
    assert sheet["B5"].value == "Ring til jobcentret"
