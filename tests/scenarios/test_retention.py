"""Retention and backups: the daily job deletes what is older than the settings allow, `purge
--dry-run` counts the same without changing anything, and a backup restores what it copied."""

from __future__ import annotations

import io
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot import cli
from bot.privacy.retention import JOB_NAME, enforce
from storage.schema import SCHEMA_REVISION, answers, meetings, memberships, metadata, teams, users
from tests.support.steps import answer_three_points, plan_meeting

LONG_AGO = datetime(2001, 3, 5, 9, 0, tzinfo=UTC)


async def _prepared_meeting(world) -> None:
    mette, jonas = world.person(101, "Mette"), world.person(202, "Jonas")
    participant_token, _ = await plan_meeting(mette)
    await jonas.sends(f"/start {participant_token}")
    await answer_three_points(jonas)


async def _count(world, table) -> int:
    async with world.services.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_the_daily_job_is_armed_once_and_deletes_only_what_is_old(world):
    await _prepared_meeting(world)
    assert len(world.application.job_queue.get_jobs_by_name(JOB_NAME)) == 1
    stored = await _count(world, answers)  # Jonas's, and Mette's plan of the meeting
    assert stored >= 3

    world.clock.advance(days=365)  # a year on, everything is still kept
    assert set((await enforce(world.services)).values()) == {0}
    assert (await _count(world, meetings), await _count(world, answers)) == (1, stored)

    world.clock.advance(days=3 * 365)  # past three years, the meeting and its answers go
    counts = await enforce(world.services)

    assert (counts["meetings"], counts["answers"]) == (1, stored)
    assert (await _count(world, meetings), await _count(world, answers)) == (0, 0)
    assert await _count(world, users) == 2  # people stay until they ask (/deletemydata)


def _quiet_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `datadialog` in this process: no stray .env or setting, and a console log handler
    whose stream is not the closed capture of an earlier test."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("DATADIALOG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(cli._CONSOLE, "stream", io.StringIO())


def _database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated database in `tmp_path`, holding one team with a meeting from 2001."""
    _quiet_cli(tmp_path, monkeypatch)
    monkeypatch.setenv("DATADIALOG_DATA_DIR", str(tmp_path))
    assert cli.main(["migrate"]) == 0
    file = tmp_path / "datadialog.db"
    engine = create_engine(f"sqlite:///{file}")
    with engine.begin() as conn:
        conn.execute(
            users.insert().values(
                id=1,
                telegram_id=101,
                display_name="Mette",
                language="da",
                time_zone="UTC",
                created_at=LONG_AGO,
            )
        )
        conn.execute(teams.insert().values(id=1, name="Team", created_by=1, created_at=LONG_AGO))
        conn.execute(
            meetings.insert().values(
                id=1,
                team_id=1,
                title="Gammelt møde",
                starts_at=LONG_AGO,
                prep_deadline_at=LONG_AGO,
                time_zone="UTC",
                status="done",
                prep_flow_id="three_points",
                created_by=1,
                created_at=LONG_AGO,
            )
        )
        conn.execute(
            memberships.insert().values(meeting_id=1, user_id=1, role="leader", joined_at=LONG_AGO)
        )
    engine.dispose()
    return file  # fmt: skip


def _rows(file: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(file) as conn:
        return {
            table.name: conn.execute(f"SELECT * FROM {table.name}").fetchall()
            for table in metadata.sorted_tables
        }


def test_purge_dry_run_counts_what_would_go_and_changes_nothing(tmp_path, monkeypatch, capsys):
    file = _database(tmp_path, monkeypatch)
    before = _rows(file)
    capsys.readouterr()

    assert cli.main(["purge", "--dry-run"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Would delete (nothing is changed):"
    assert "  meetings             1" in printed
    assert "  memberships          1" in printed
    assert _rows(file) == before
    assert cli.main(["purge"]) == 0
    assert "  meetings             1" in capsys.readouterr().out.splitlines()
    assert _rows(file)["meetings"] == []
    assert _rows(file)["users"] == before["users"]


def test_backup_then_restore_brings_back_what_was_copied(tmp_path, monkeypatch, capsys):
    file = _database(tmp_path, monkeypatch)
    backup = tmp_path / "backup.db"
    before = _rows(file)

    assert cli.main(["backup", str(backup)]) == 0
    assert cli.main(["purge"]) == 0  # the meeting is gone from the database...
    assert _rows(file)["meetings"] == []
    capsys.readouterr()
    assert cli.main(["restore", str(backup)]) == 0  # ...and back from the backup

    assert _rows(file) == before
    done = capsys.readouterr().out
    assert done.startswith(f"datadialog: restored {file} from {backup} (schema {SCHEMA_REVISION})")
    kept = next(tmp_path.glob("datadialog-before-restore-*.db"))
    assert _rows(kept)["meetings"] == []  # the database as it was before the restore


def test_restore_refuses_a_file_that_is_no_datadialog_backup(tmp_path, monkeypatch, capsys):
    file = _database(tmp_path, monkeypatch)
    before = _rows(file)
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("Referat fra mødet")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    capsys.readouterr()

    assert cli.main(["restore", str(not_a_database)]) == 1
    assert "is not a SQLite database" in capsys.readouterr().err
    assert cli.main(["restore", str(other)]) == 1
    assert capsys.readouterr().err == f"datadialog: {other} is not a Datadialog database\n"
    assert cli.main(["backup", str(other)]) == 1  # a backup never overwrites a file
    assert "exists already" in capsys.readouterr().err
    assert _rows(file) == before
    assert list(tmp_path.glob("*before-restore*")) == []


def test_backup_and_restore_refuse_postgresql(tmp_path, monkeypatch, capsys):
    _quiet_cli(tmp_path, monkeypatch)
    monkeypatch.setenv("DATADIALOG_DATABASE_URL", "postgresql+asyncpg://bot@db.example/dd")
    assert cli.main(["backup", str(tmp_path / "b.db")]) == 1
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()
