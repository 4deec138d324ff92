"""The leader's data file becomes charts that reach every participant before the questions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.demo import SAMPLE_DATA
from storage.schema import data_points
from tests.support.steps import plan_meeting


async def stored_rows(world) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(data_points))).scalar_one()


async def test_the_leaders_file_is_stored_and_every_participant_gets_one_album_first(world, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    await mette.sends_document("fritidsindsats.csv", SAMPLE_DATA.read_bytes())
    assert mette.texts()[-3] == da("import.note.windows_1252")
    assert mette.texts()[-2].startswith("Data til Status på fritidsindsatsen er gemt: 31 rækker, 5")
    # The file came in the middle of her checklist: its open question is asked again, last.
    assert mette.last_text().startswith("Spørgsmål 1 af 6\nHvad er formålet med mødet?")
    assert mette.last_text() == mette.texts()[-4]
    assert await stored_rows(world) == 31

    await mette.sends("/pack")  # the leader's preview
    assert len(mette.photos()) == 5

    participants = [world.person(200 + n, name) for n, name in enumerate(("Jonas", "Aisha"))]
    for person in participants:
        await person.sends(f"/start {token}")
        albums = [
            params
            for method, params in world.api.calls
            if method == "sendMediaGroup" and params["chat_id"] == person.id
        ]
        assert len(albums) == 1
        assert len(albums[0]["media"]) == 5
        photos = person.photos()
        assert [p.caption.startswith("Sådan læses figuren") for p in photos] == [True] * 5
        assert all(p.photo.startswith(b"\x89PNG") for p in photos)
        texts = person.texts()
        charts_at = texts.index(photos[0].caption)
        assert texts.index(next(t for t in texts if t.startswith("Spørgsmål 1 af 3"))) > charts_at


async def test_a_bad_file_stores_nothing_and_says_where_the_problem_is(world, da):
    mette = world.person(101, "Mette")
    await plan_meeting(mette)
    await mette.sends_document("data.csv", SAMPLE_DATA.read_bytes())
    bad = b"chart;indicator;group;period;value\nprogression;Trivsel;A;Start;mange\n"
    await mette.sends_document("data.csv", bad)
    assert mette.last_text() == (
        da("import.refused")
        + "\n"
        + da("import.error.not_a_number", row=2, column="value", text="mange")
    )
    assert await stored_rows(world) == 31  # the earlier import is untouched


async def test_only_a_leader_can_send_data_and_a_meeting_without_data_says_so(world, da):
    mette = world.person(101, "Mette")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    await jonas.sends_document("data.csv", SAMPLE_DATA.read_bytes())
    assert jonas.last_text() == da("import.not_leader")
    await jonas.sends("/pack")
    assert jonas.last_text() == da("pack.empty", title="Status på fritidsindsatsen")
    assert await stored_rows(world) == 0


def test_the_import_command_stores_a_file_for_a_meeting(tmp_path: Path):
    import subprocess
    import sys

    env = {"PATH": "", "DATADIALOG_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path, check=False)  # fmt: skip

    missing = run("import", "--meeting", "1", str(SAMPLE_DATA))
    assert missing.returncode == 1
    assert "there is no database at" in missing.stderr
    assert not (tmp_path / "datadialog.db").exists()
    assert run("migrate").returncode == 0
    missing = run("import", "--meeting", "1", str(SAMPLE_DATA))
    assert missing.returncode == 1
    assert "there is no meeting 1" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("chart;indicator\n", encoding="utf-8")
    refused = run("import", "--meeting", "1", str(bad))
    assert refused.returncode == 1
    assert "Kolonnen »group« mangler." in refused.stderr


async def test_the_import_command_fills_an_existing_meeting(tmp_path: Path):
    import asyncio
    import subprocess
    import sys

    from storage.db import migrate, open_engine
    from storage.repositories import Repositories
    from tests.conftest import NOW

    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'datadialog.db'}")
    await migrate(engine)
    repos = Repositories.on(engine)
    leader = await repos.people.ensure(1, "Mette", "da", "Europe/Copenhagen", NOW)
    meeting, _ = await repos.meetings.create(
        leader, title="M", team_name="T", starts_at=NOW, prep_deadline_at=NOW,
        time_zone="Europe/Copenhagen", prep_flow_id="three_points", now=NOW,
    )  # fmt: skip
    env = {"PATH": "", "DATADIALOG_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "bot.cli", "import", "--meeting", str(meeting.id),
               str(SAMPLE_DATA)]  # fmt: skip
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "stored 31 rows" in result.stdout
    assert len(await repos.datasets.rows_for(meeting.id)) == 31
    await engine.dispose()
