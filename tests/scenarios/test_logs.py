"""The log holds no message texts, names, Telegram ids or the bot token, unless the operator
turns on DATADIALOG_DEBUG_LOGS; then the failing update is written out in full."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import cli
from bot.fakeapi.server import FAKE_TOKEN
from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings
from storage.schema import answers
from tests.support.steps import plan_meeting

SECRET = "Hemmelig-tekst-4711"
FIRST_NAME, LAST_NAME = "Quirina", "Zebedæus-Hjort"
USER_ID = 8675309123


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Give back the levels and handlers `datadialog` sets up, so no other test inherits them."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ["", *cli.LIBRARY_LEVELS]}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def _failing_answer(settings: Settings, clock: ManualClock, *, debug: bool) -> str:
    """Quirina joins a meeting, answers with a secret, then an answer of hers fails; returns
    the reference of her apology. Logging is set up as `datadialog run` does, with every
    record let through that any logger lets out."""
    cli.configure_logging(verbose=True, debug=debug)
    logging.getLogger().setLevel(logging.DEBUG)
    world = OfflineWorld(settings.model_copy(update={"debug_logs": debug}), clock)
    await world.start()
    try:
        participant_token, _ = await plan_meeting(world.person(101, "Mette", last_name="Holm"))
        quirina = world.person(USER_ID, FIRST_NAME, last_name=LAST_NAME)
        await quirina.sends(f"/start {participant_token}")
        await quirina.sends(SECRET)
        async with world.services.engine.connect() as conn:
            stored = (await conn.execute(select(answers.c.value))).scalars().all()
        assert SECRET in stored

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the disk is full")

        world.services.repos.runs.record = broken
        await quirina.sends(f"{SECRET} igen")
        apology = quirina.last_text()
        assert apology.startswith("Beklager, noget gik galt hos mig.")
    finally:
        await world.stop()
    assert world.api.violations == []
    return apology.rsplit("Reference: ", 1)[1].rstrip(")")


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each record as a log file would hold it: message with its arguments, and traceback."""
    formatter = logging.Formatter("%(name)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


@pytest.mark.usefixtures("restored_logging")
async def test_by_default_the_log_holds_no_text_name_telegram_id_or_token(settings, clock, caplog):
    reference = await _failing_answer(settings, clock, debug=False)

    logged = _logged(caplog)
    failure = [line for line in logged if f"(reference {reference})" in line]
    assert len(failure) == 1
    assert "RuntimeError: the disk is full" in failure[0]  # the story is still there
    for secret in (SECRET, FIRST_NAME, LAST_NAME, str(USER_ID), FAKE_TOKEN):
        assert [line for line in logged if secret in line] == []


@pytest.mark.usefixtures("restored_logging")
async def test_with_debug_logs_the_failing_update_is_logged_in_full(settings, clock, caplog):
    reference = await _failing_answer(settings, clock, debug=True)

    failure = [line for line in _logged(caplog) if f"(reference {reference})" in line]
    assert len(failure) == 1
    for detail in (f"{SECRET} igen", FIRST_NAME, str(USER_ID)):
        assert detail in failure[0]


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize(
    ("debug_logs", "httpx", "telegram"),
    [(None, logging.WARNING, logging.WARNING), ("true", logging.INFO, logging.DEBUG)],
)
def test_the_debug_switch_lets_the_libraries_log_requests_and_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, debug_logs, httpx, telegram
):
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("DATADIALOG_")]:
        monkeypatch.delenv(name)
    if debug_logs:
        monkeypatch.setenv("DATADIALOG_DEBUG_LOGS", debug_logs)
    monkeypatch.setenv("DATADIALOG_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stderr", io.StringIO())

    assert cli.main(["migrate"]) == 0
    assert logging.getLogger("httpx").level == httpx  # its request URLs hold the token
    assert logging.getLogger("telegram").level == telegram  # its DEBUG holds whole updates
