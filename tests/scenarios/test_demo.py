"""The README's first command: the offline demo writes every chat and a real chart."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bot.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The demo, played once for this module: (its folder, the transcripts it wrote)."""
    folder = tmp_path_factory.mktemp("demo")
    return folder, run_demo(folder)


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
