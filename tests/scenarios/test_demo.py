"""The README's first command: the offline demo writes every chat, real charts, the minutes
as Markdown and Word, the actions as Excel and CSV, and its log to a file."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

MINUTES = "referat-team-fritid-2026-12-03"
ACTIONS = "handlinger-team-fritid-2026-12-03"


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`datadialog demo`, run once for this module as the README says: (its folder, what it
    printed). It exits non-zero if the bot made a call Telegram would refuse."""
    folder = tmp_path_factory.mktemp("demo")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATADIALOG_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--out", str(folder)],
        capture_output=True, text=True, env=environment, cwd=folder, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder, result


@pytest.fixture(scope="module")
def demo(played) -> tuple[Path, list[Path]]:
    """(The demo's folder, the transcripts it wrote.)"""
    folder, _ = played
    return folder, sorted(folder.glob("chat-*.md"))


def test_demo_writes_a_transcript_per_person_and_the_status_charts(demo):
    tmp_path, written = demo

    names = sorted(path.name for path in written)
    assert names == ["chat-aisha.md", "chat-birgit-berg.md", "chat-jonas.md", "chat-lars.md",
                     "chat-mette-holm.md", "chat-rikke.md",
                     "chat-team-fritid-gruppe.md"]  # fmt: skip
    mette = (tmp_path / "chat-mette-holm.md").read_text(encoding="utf-8")
    assert "**2/3** deltagere har forberedt sig." in mette
    assert "Ikke færdige: Lars" in mette
    assert "**3/3** deltagere har forberedt sig." in mette
    assert "• Roller aftalt" in mette
    lars = (tmp_path / "chat-lars.md").read_text(encoding="utf-8")
    assert "We lose many after the summer holidays." in lars
    assert "Thank you! Your three points are saved." in lars
    charts = sorted(tmp_path.glob("*.png"))
    leader_charts = [c.name for c in charts if c.name.startswith("mette")]
    assert len(leader_charts) == 7  # the 5-chart pack preview and two /status charts
    assert len([c for c in charts if c.name.startswith("jonas")]) == 5
    assert "Data til **Status på fritidsindsatsen** er gemt: 31 rækker, 5 diagrammer." in mette
    for chart in charts:
        data = chart.read_bytes()
        assert data.startswith(b"\x89PNG")
        assert struct.unpack(">II", data[16:24]) == (720, 480)
    assert "![chart](mette-holm-chart-7.png)" in mette


def test_demo_plays_the_meeting_in_the_group_down_to_the_minutes(demo):
    tmp_path, _ = demo
    group = (tmp_path / "chat-team-fritid-gruppe.md").read_text(encoding="utf-8")
    for phase in (
        "1. Siden sidst",
        "2. Udforsk",
        "3. Fortolk",
        "4. Forbered handling",
        "5. Aftale",
    ):
        assert f"**{phase}** · " in group
    assert "**Lars** trykker / taps «➕ 4. Vi har næsten ingen aktiviteter om…»" in group
    assert "3 af 3 har stemt." in group
    assert "2 temaer deler førstepladsen med 3 prikker hver." in group
    assert "**Valgt fokusområde:** Attendance drops after the summer holidays" in group
    assert "**Aftale – Status på fritidsindsatsen**" in group
    assert "Mødet er slut. Tak for i dag!" in group
    assert (tmp_path / "team-fritid-gruppe-chart-1.png").read_bytes().startswith(b"\x89PNG")
    minutes = (tmp_path / "team-fritid-gruppe-referat-team-fritid-2026-12-03.md").read_text()
    assert "| 2 | Aftale med SSP om en fast aftenaktivitet | Birgit Berg | Mette Holm |" in minutes
    actions = (tmp_path / "team-fritid-gruppe-handlinger-team-fritid-2026-12-03.csv").read_bytes()
    assert actions.startswith("\ufeffNr.;Handling;Ansvarlig;Opfølgning;Frist".encode())
    mette = (tmp_path / "chat-mette-holm.md").read_text(encoding="utf-8")
    assert "⏳ 2 minutter tilbage af **Siden sidst**" in mette
    assert "Alle deltagere har nu budt ind med temaer." in mette
    lars = (tmp_path / "chat-lars.md").read_text(encoding="utf-8")
    assert "Dot on: Vi har næsten ingen aktiviteter om aftenen (0 left)" in lars
    birgit = (tmp_path / "chat-birgit-berg.md").read_text(encoding="utf-8")
    assert "Du er nu ansvarlig for en handling fra Team Fritid" in birgit


def test_demo_follows_up_until_the_next_meeting(demo):
    tmp_path, _ = demo
    jonas = (tmp_path / "chat-jonas.md").read_text(encoding="utf-8")
    assert jonas.count("**Hvordan går det?**") == 6  # fortnightly from 17 December to 25 February
    assert "Sendt for sent" not in jonas
    mette = (tmp_path / "chat-mette-holm.md").read_text(encoding="utf-8")
    assert "**Birgit Berg har brug for opfølgning**" in mette
    assert "Status er **Blokeret**. Note: SSP har ingen lokaler før februar" in mette
    assert "Ingen svar på påmindelserne siden torsdag 17. december 2026" in mette
    assert (
        "**Status på fritidsindsatsen**: 1 af 3 deltagere er klar. Mangler: Aisha, Lars." in mette
    )
    birgit = (tmp_path / "chat-birgit-berg.md").read_text(encoding="utf-8")
    assert "Jeg spørger skolen, om I kan låne gymnastiksalen." in birgit
    group = (tmp_path / "chat-team-fritid-gruppe.md").read_text(encoding="utf-8")
    assert "Seneste status: I gang (torsdag 28. januar 2027 kl. 09:00): Alle er ringet op" in group
    assert "Seneste status: Færdig (mandag 18. januar 2027 kl. 08:00)" in group


def test_demo_logs_to_a_file_and_lists_the_minutes_it_wrote(played):
    folder, result = played
    assert result.stderr == ""
    log = (folder / "demo.log").read_text(encoding="utf-8")
    assert "INFO bot.demo: restarting the bot in the middle of the vote" in log
    listed = result.stdout.splitlines()
    for name in (f"{MINUTES}.md", f"{MINUTES}.docx", f"{ACTIONS}.xlsx", f"{ACTIONS}.csv"):
        assert f"  {folder / f'team-fritid-gruppe-{name}'}" in listed
        assert f"  {folder / f'mette-holm-{name}'}" in listed
    assert listed[-1] == f"The bot's log: {folder / 'demo.log'}"


def test_demo_minutes_in_word_say_what_was_decided(demo):
    folder, _ = demo
    document = Document(folder / f"team-fritid-gruppe-{MINUTES}.docx")
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Referat: Status på fritidsindsatsen")
    assert ("List Bullet", "Næste dialog: torsdag 4. marts 2027 kl. 10:00") in paragraphs
    assert ("List Bullet", "Påmindelser til de ansvarlige: hver 14. dag") in paragraphs
    assert (
        "List Bullet",
        "»Vi mister de unge efter sommerferien« indgår nu i tema 3: "
        "Attendance drops after the summer holidays",
    ) in paragraphs
    chosen = paragraphs.index(
        ("Normal", "Valgt fokusområde: Attendance drops after the summer holidays")
    )
    assert paragraphs[chosen + 1] == (
        "Normal",
        "Mødelederen valgte mellem 2 temaer med lige mange prikker.",
    )
    actions = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert actions[2][:3] == ["2", "Aftale med SSP om en fast aftenaktivitet", "Birgit Berg"]
    markdown = (folder / f"team-fritid-gruppe-{MINUTES}.md").read_text(encoding="utf-8")
    assert "after the summer holidays\n\nMødelederen valgte mellem 2 temaer" in markdown


def test_demo_actions_sheet_fetched_before_the_next_meeting_shows_how_each_action_went(demo):
    folder, _ = demo
    sheet = load_workbook(folder / f"mette-holm-{ACTIONS}.xlsx").active
    assert sheet.auto_filter.ref == "A1:I3"
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [1, "Jobmentor ringer til alle unge i uge 32", "Jonas", "Mette Holm",
         datetime(2027, 8, 15, 12), "I gang", datetime(2027, 1, 28, 9),
         "Alle er ringet op; fem vil gerne have en fast kontakt", datetime(2027, 1, 28, 9)],
        [2, "Aftale med SSP om en fast aftenaktivitet", "Birgit Berg", "Mette Holm",
         datetime(2027, 2, 1, 12), "Færdig", datetime(2027, 1, 18, 8),
         "SSP har ingen lokaler før februar", datetime(2026, 12, 17, 9)],
    ]  # fmt: skip
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    at_the_meeting = load_workbook(folder / f"team-fritid-gruppe-{ACTIONS}.xlsx").active
    assert [c.value for c in at_the_meeting[2]][5:] == ["Ikke meldt endnu", None, None, None]
