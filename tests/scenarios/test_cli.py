"""The `datadialog` command as a person at a terminal meets it: which database each command
uses, meetings listed by number, no database made by mistake, the export's four formats, and a
bad token or no network told in one line. Nothing here leaves the machine (127.0.0.1 only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bot import cli
from bot.demo import SAMPLE_DATA
from bot.meeting import minutes
from tests.support.steps import plan_meeting

GROUP_ID = -1007777
MEETING_START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
DATABASE_COMMANDS = ("run", "migrate", "meetings", "import", "export")


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without any DATADIALOG_ setting, plus `settings`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("DATADIALOG_")}
    return kept | {f"DATADIALOG_{name.upper()}": value for name, value in settings.items()}


def _datadialog(*args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, env=_environment(**settings), cwd=cwd, check=False, timeout=60,
    )  # fmt: skip


def _one_line(stream: bytes) -> str:
    text = stream.decode()
    assert text.endswith("\n")
    assert text.count("\n") == 1, text
    return text.rstrip("\n")


def _help(command: str | None, capsys) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"] if command else ["--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *DATABASE_COMMANDS])
def test_every_help_names_the_database_it_uses(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("DATADIALOG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATADIALOG_DATA_DIR", str(tmp_path / "teams"))

    shown = _help(command, capsys)

    assert f"Database: sqlite+aiosqlite:///{tmp_path}/teams/datadialog.db\n" in shown
    assert f"the file {tmp_path}/teams/datadialog.db\n" in shown
    assert not (tmp_path / "teams").exists()


def test_the_help_hides_a_database_password_and_the_demo_names_its_own(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATADIALOG_DATABASE_URL", "postgresql+asyncpg://dd:s3cret@db/datadialog")
    shown = _help("export", capsys)
    assert "Database: postgresql+asyncpg://dd:***@db/datadialog\n" in shown
    assert "s3cret" not in shown
    assert "Database: a fresh SQLite file demo.db in the --out folder" in _help("demo", capsys)


def test_the_cli_offers_every_format_the_minutes_have():
    assert cli.EXPORT_FORMATS == minutes.FORMATS


@pytest.mark.parametrize(
    "args",
    [("meetings",), ("export", "--meeting", "1"), ("import", "--meeting", "1", "data.csv")],
)
def test_tools_say_in_one_line_that_there_is_no_database_and_create_none(args, tmp_path):
    (tmp_path / "data.csv").write_bytes(SAMPLE_DATA.read_bytes())
    result = _datadialog(*args, cwd=tmp_path, data_dir=str(tmp_path / "data"))

    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"datadialog: there is no database at {tmp_path}/data/datadialog.db (set "
        "DATADIALOG_DATA_DIR or DATADIALOG_DATABASE_URL; "
        "`datadialog migrate` creates an empty one)"
    )
    assert result.stdout == b""
    assert not (tmp_path / "data").exists()


def test_a_file_without_the_schema_is_not_migrated_behind_the_readers_back(tmp_path):
    (tmp_path / "datadialog.db").touch()
    result = _datadialog("meetings", cwd=tmp_path, data_dir=str(tmp_path))
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"datadialog: the database {tmp_path}/datadialog.db is not at this version's schema; "
        "run `datadialog migrate` first"
    )


def test_a_file_that_is_no_database_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "datadialog.db").write_bytes(b"not a database " * 10)
    result = _datadialog("export", "--meeting", "1", cwd=tmp_path, data_dir=str(tmp_path))
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"datadialog: cannot read the database {tmp_path}/datadialog.db: file is not a database"
    )


async def test_meetings_are_listed_by_number_with_date_title_team_and_status(world, settings):
    mette = world.person(101, "Mette", last_name="Holm")
    await plan_meeting(mette)
    await world.stop()
    listed = _datadialog("meetings", cwd=settings.data_dir, data_dir=str(settings.data_dir))
    await world.start()

    assert listed.returncode == 0
    assert listed.stderr == b""
    assert listed.stdout.decode().splitlines() == [
        "No.  Date (local)      Title                       Team         Status",
        "1    2026-12-03 10:00  Status på fritidsindsatsen  Team Fritid  planned",
    ]


async def test_export_writes_each_format_and_names_the_meeting_it_cannot_find(world, settings):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    await world.person(202, "Jonas").sends(f"/start {token}")
    group = world.group(GROUP_ID, "Team Fritid")
    await mette.sends_in_group(group, "/linkmeeting")
    world.clock.now = MEETING_START
    await mette.sends_in_group(group, "/startmeeting")
    await world.stop()
    folder = settings.data_dir

    def export(*args: str) -> subprocess.CompletedProcess[bytes]:
        return _datadialog("export", "--meeting", "1", *args, cwd=folder, data_dir=str(folder))

    markdown = export("--format", "md")
    word = export("--format", "docx")
    excel = export("--format", "xlsx", "--language", "en", "--out", "actions.xlsx")
    comma_free = export("--format", "csv", "--language", "en")
    missing = _datadialog("export", "--meeting", "99", cwd=folder, data_dir=str(folder))
    await world.start()

    assert markdown.stdout.decode().startswith("# Referat: Status på fritidsindsatsen\n")
    assert "Møde nr. 1" in markdown.stdout.decode()
    assert _one_line(word.stderr) == "datadialog: wrote referat-team-fritid-2026-12-03.docx"
    document = Document(folder / "referat-team-fritid-2026-12-03.docx")
    assert document.paragraphs[0].text == "Referat: Status på fritidsindsatsen"
    assert _one_line(excel.stderr) == "datadialog: wrote actions.xlsx"
    sheet = load_workbook(folder / "actions.xlsx").active
    assert [c.value for c in sheet[1]][:5] == ["No.", "Action", "Owner", "Follow-up", "Deadline"]
    assert comma_free.stdout.decode("utf-8-sig").startswith(
        "No.;Action;Owner;Follow-up;Deadline;Status;"
    )
    assert missing.returncode == 1
    assert _one_line(missing.stderr) == (
        "datadialog: there is no meeting 99; `datadialog meetings` lists them"
    )


class _RefusingTelegram(BaseHTTPRequestHandler):
    """Answers every Bot API call as Telegram answers a revoked token."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def refusing_telegram() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _RefusingTelegram)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bot"
    finally:
        server.shutdown()
        server.server_close()


def test_run_with_a_refused_token_says_so_in_one_line(tmp_path, refusing_telegram):
    result = _datadialog(
        "run", cwd=tmp_path, token="123:revoked", api_base_url=refusing_telegram,
        data_dir=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        "datadialog: Telegram does not accept DATADIALOG_TOKEN; "
        "copy the token from @BotFather again"
    )


def test_run_without_network_says_so_in_one_line(tmp_path):
    unreachable = "http://127.0.0.1:9/bot"  # a port nobody listens on: the connection is refused
    result = _datadialog(
        "run", cwd=tmp_path, token="123:abc", api_base_url=unreachable, data_dir=str(tmp_path)
    )
    assert result.returncode == 1
    assert _one_line(result.stderr).startswith(
        "datadialog: cannot reach Telegram at http://127.0.0.1:9/bot ("
    )
