"""Failures reach people as a short apology with a reference; the CLI explains a missing token."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import NOW


async def test_an_unexpected_failure_gives_a_short_apology_and_no_traceback(world, caplog):
    jonas = world.person(202, "Jonas")
    await jonas.sends("/start")

    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    world.services.repos.meetings.of_person = broken
    await jonas.sends("/meetings")

    apology = jonas.last_text()
    assert apology.startswith("Beklager, noget gik galt hos mig.")
    assert "Reference: " in apology
    assert "database on fire" not in apology
    assert "Traceback" not in apology
    reference = apology.rsplit("Reference: ", 1)[1].rstrip(")")
    assert f"reference {reference}" in caplog.text
    assert "database on fire" in caplog.text


async def test_a_failing_button_is_still_answered(world):
    jonas = world.person(202, "Jonas")
    await jonas.sends("/language")

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    world.services.repos.people.set_language = broken
    await jonas.taps("English")
    assert world.telegram.unanswered_callbacks() == set()
    assert jonas.last_text().startswith("Beklager")


async def test_people_are_stored_with_language_and_zone_on_first_contact(world):
    emma = world.person(303, "Emma", last_name="Berg", language_code="en")
    await emma.sends("/start")
    person = await world.services.repos.people.get(1)
    assert (person.telegram_id, person.display_name, person.language, person.time_zone) == (
        303,
        "Emma Berg",
        "en",
        "Europe/Copenhagen",
    )
    assert world.clock() == NOW


def test_run_without_a_token_says_so_in_one_line(tmp_path):
    env = {"PATH": "", "DATADIALOG_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("datadialog: DATADIALOG_TOKEN is not set")


def test_migrate_creates_the_database_and_then_has_nothing_to_do(tmp_path):
    env = {"PATH": "", "DATADIALOG_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}

    def migrate() -> str:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "migrate"],
            capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
        ).stdout  # fmt: skip

    assert "database migrated" in migrate()
    assert (tmp_path / "datadialog.db").exists()
    assert "already current" in migrate()
