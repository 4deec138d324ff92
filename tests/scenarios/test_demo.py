"""The README's first command: the offline demo writes every chat and a real chart."""

from __future__ import annotations

import struct

from bot.demo import run_demo


def test_demo_writes_a_transcript_per_person_and_the_status_charts(tmp_path):
    written = run_demo(tmp_path)

    names = sorted(path.name for path in written)
    assert names == ["chat-aisha.md", "chat-jonas.md", "chat-lars.md", "chat-mette-holm.md",
                     "chat-rikke.md"]  # fmt: skip
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
