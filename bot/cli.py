"""The `datadialog` command: run the bot, play the offline demo, migrate the database, list
its meetings, import a meeting's indicator file, export its minutes and actions, delete what
is older than the retention settings allow, or back up and restore the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.meeting.minutes import MinutesFile

T = TypeVar("T")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EXPORT_FORMATS = ("md", "docx", "xlsx", "csv")
"""Equal to bot.meeting.minutes.FORMATS (a test checks); the parser need not import it."""
BINARY_FORMATS = ("docx", "xlsx")
"""Written to a file even without --out: a terminal cannot show them."""
_CONSOLE = logging.StreamHandler()
LIBRARY_LEVELS = {
    "httpx": (logging.WARNING, logging.INFO),
    "telegram": (logging.WARNING, logging.DEBUG),
    "apscheduler": (logging.WARNING, logging.INFO),
    "aiosqlite": (logging.WARNING, logging.WARNING),
}
"""Each library's level, usually and with DATADIALOG_DEBUG_LOGS. Quiet by default: httpx logs
every request URL, which holds the bot token, and telegram logs every update and call with
its texts, names and ids at DEBUG. aiosqlite at DEBUG is only noise, even when debugging."""


class Stop(Exception):
    """A reason to stop, told in one line (no traceback): main prints it and exits with 1."""


def main(argv: list[str] | None = None) -> int:
    try:
        settings: Settings | None = Settings()
        problem = ""
    except ValidationError as error:
        settings, problem = None, error.errors()[0]["msg"]
    args = _parser(settings, problem).parse_args(argv)
    configure_logging(verbose=args.command == "run", debug=bool(settings and settings.debug_logs))
    if settings is None:
        print(f"datadialog: bad configuration: {problem}", file=sys.stderr)
        return 2
    try:
        return _dispatch(args, settings)
    except Stop as stop:
        print(f"datadialog: {stop}", file=sys.stderr)
        return 1


def _parser(settings: Settings | None, problem: str) -> argparse.ArgumentParser:
    where = _database_note(settings, problem)
    parser = argparse.ArgumentParser(
        prog="datadialog",
        description=__doc__,
        epilog=where,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str, epilog: str = where) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    command("run", "run the bot on Telegram (long polling); migrates the database first")
    demo = command(
        "demo",
        "play the demo offline and write what people saw, the minutes and a log",
        epilog="Database: a fresh SQLite file demo.db in the --out folder; the configured "
        "database is not touched.",
    )
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder")
    command("migrate", "create the database, or bring its schema up to date")
    command("meetings", "list the meetings: number, date, title, team and status")
    meeting_help = "the meeting's number (`datadialog meetings` lists them)"
    importer = command("import", "store a CSV/XLSX indicator file for a meeting")
    importer.add_argument("--meeting", type=int, required=True, help=meeting_help)
    importer.add_argument("file", type=Path, help="the .csv or .xlsx file")
    export = command("export", "write a meeting's minutes (md, docx) or actions (xlsx, csv)")
    export.add_argument("--meeting", type=int, required=True, help=meeting_help)
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, default="md", dest="file_format", help="default: md"
    )
    export.add_argument("--language", choices=("da", "en"), help="default: the configured one")
    export.add_argument(
        "--out",
        type=Path,
        help="file to write (default: md and csv to standard output, docx and xlsx to a file "
        "named like the one /minutes sends, in the current folder)",
    )
    purge = command("purge", "delete what is older than the retention settings allow")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    backup = command("backup", "copy the SQLite database to FILE, also while the bot runs")
    backup.add_argument("file", type=Path, help="a new file for the copy")
    restore = command(
        "restore", "replace the SQLite database by FILE, a backup (stop the bot first)"
    )
    restore.add_argument("file", type=Path, help="a file `datadialog backup` wrote")
    return parser


def _database_note(settings: Settings | None, problem: str) -> str:
    """Which database the commands use, as every --help says."""
    if settings is None:
        return f"Database: unknown, the configuration has an error: {problem}"
    note = f"Database: {_shown_url(settings)}"
    if file := _sqlite_file(settings):
        note += f"\n  the file {file.resolve()}"
    return note + "\n  (set DATADIALOG_DATABASE_URL or DATADIALOG_DATA_DIR to use another)"


def _shown_url(settings: Settings) -> str:
    """The database URL with any password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(settings.db_url).render_as_string(hide_password=True)


def _sqlite_file(settings: Settings) -> Path | None:
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def configure_logging(*, verbose: bool, debug: bool) -> None:
    """Only the running bot logs its progress here; the tools show warnings and errors (the
    demo also writes its log to a file of its own)."""
    _CONSOLE.setStream(sys.stderr)
    _CONSOLE.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    _CONSOLE.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    if _CONSOLE not in root.handlers:  # main() may run more than once in one process (tests)
        root.addHandler(_CONSOLE)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name, (usual, debugging) in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(debugging if debug else usual)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return _run(settings)
    if args.command == "demo":
        from bot.demo import main as demo_main

        demo_main(args.out)
        return 0
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "meetings":
        return _existing_database(settings, _list_meetings)
    if args.command == "import":
        return _import(settings, args.meeting, args.file)
    if args.command == "purge":
        return _purge(settings, dry_run=args.dry_run)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(settings, args.command, args.file)
    return _export(settings, args.meeting, args.file_format, args.language, args.out)


def _run(settings: Settings) -> int:
    if settings.token is None or not settings.token.get_secret_value():
        print(
            "datadialog: DATADIALOG_TOKEN is not set; get a token from @BotFather "
            "(or try `datadialog demo`, which needs none)",
            file=sys.stderr,
        )
        return 2
    from telegram import Update
    from telegram.error import TelegramError

    from bot.app import build_application

    try:
        asyncio.run(_check_token(settings))
        build_application(settings).run_polling(
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY]
        )
    except TelegramError as error:
        raise Stop(_telegram_refusal(settings, error)) from error
    return 0


async def _check_token(settings: Settings) -> None:
    """Ask Telegram who we are before starting, so a bad token or no network is one line,
    not the library's logged traceback followed by ours."""
    from telegram import Bot

    assert settings.token is not None
    bot = Bot(
        settings.token.get_secret_value(),
        base_url=settings.api_base_url,
        base_file_url=settings.api_base_file_url,
    )
    async with bot:
        pass  # initialising the bot asks Telegram for getMe


def _telegram_refusal(settings: Settings, error: Exception) -> str:
    from telegram.error import InvalidToken, NetworkError

    if isinstance(error, InvalidToken):
        return "Telegram does not accept DATADIALOG_TOKEN; copy the token from @BotFather again"
    if isinstance(error, NetworkError):
        return f"cannot reach Telegram at {settings.api_base_url} ({error.message})"
    return f"Telegram refused to start the bot: {error}"


def _migrate(settings: Settings) -> int:
    from storage.db import migrate, open_engine

    async def go() -> bool:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        try:
            return await migrate(engine)
        finally:
            await engine.dispose()

    changed = asyncio.run(go())
    print("datadialog: database migrated" if changed else "datadialog: database already current")
    return 0


def _existing_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` on the configured database if it exists at this version's schema.

    Never creates a database nor migrates one: a tool that reads or imports into the wrong
    file should say so rather than leave a new empty database behind.
    """
    from sqlalchemy.exc import DBAPIError

    from storage.db import current_revision, open_engine
    from storage.schema import SCHEMA_REVISION

    file = _sqlite_file(settings)
    if file is not None and not file.is_file():
        raise Stop(
            f"there is no database at {file.resolve()} (set DATADIALOG_DATA_DIR or "
            "DATADIALOG_DATABASE_URL; `datadialog migrate` creates an empty one)"
        )
    where = str(file) if file is not None else _shown_url(settings)

    async def go() -> T:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        try:
            if await current_revision(engine) != SCHEMA_REVISION:
                raise Stop(
                    f"the database {where} is not at this version's schema; "
                    "run `datadialog migrate` first"
                )
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except DBAPIError as error:
        raise Stop(f"cannot read the database {where}: {error.orig}") from error
    except OSError as error:  # a database server that cannot be reached
        raise Stop(f"cannot reach the database {where}: {error}") from error
    except ImportError as error:  # e.g. a PostgreSQL URL without its driver installed
        raise Stop(f"cannot open the database {where}: {error}") from error


async def _list_meetings(engine: AsyncEngine) -> int:
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from storage.schema import meetings, teams

    # Read here because MeetingRepository has no list of all meetings yet (it belongs there).
    query = (
        select(meetings, teams.c.name.label("team_name"))
        .join(teams, teams.c.id == meetings.c.team_id)
        .order_by(meetings.c.starts_at, meetings.c.id)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    if not rows:
        print("No meetings yet: the leader plans one with /newmeeting.")
        return 0
    table = [("No.", "Date (local)", "Title", "Team", "Status")] + [
        (
            str(row["id"]),
            f"{row['starts_at'].astimezone(ZoneInfo(row['time_zone'])):%Y-%m-%d %H:%M}",
            row["title"],
            row["team_name"],
            row["status"],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    return 0


def _import(settings: Settings, meeting_id: int, file: Path) -> int:
    from datetime import UTC, datetime

    from bot.dataset.reader import ImportRefused, read_file
    from flows.i18n import Catalogue
    from storage.repositories import Repositories

    catalogue = Catalogue.load()
    language = settings.language
    try:
        result = read_file(file.name, file.read_bytes())
    except ImportRefused as refused:
        print(catalogue.text("import.refused", language), file=sys.stderr)
        for problem in refused.problems:
            print(catalogue.text(f"import.error.{problem.key}", language, **problem.params),
                  file=sys.stderr)  # fmt: skip
        return 1
    except OSError as error:
        raise Stop(f"cannot read {file}: {error.strerror}") from error

    async def store(engine: AsyncEngine) -> None:
        repos = Repositories.on(engine)
        if await repos.meetings.get(meeting_id) is None:
            raise Stop(_no_meeting(meeting_id))
        rows = [point.model_dump() for point in result.points]
        await repos.datasets.replace(meeting_id, rows, datetime.now(UTC))

    _existing_database(settings, store)
    print(f"datadialog: stored {len(result.points)} rows for meeting {meeting_id}")
    return 0


def _export(
    settings: Settings, meeting_id: int, file_format: str, language: str | None, out: Path | None
) -> int:
    from bot.meeting.minutes import MinutesWriter, gather
    from flows.i18n import Catalogue
    from flows.registry import FlowRegistry
    from storage.repositories import Repositories

    catalogue = Catalogue.load()
    writer = MinutesWriter(catalogue, FlowRegistry.load(catalogue), language or settings.language)

    async def build(engine: AsyncEngine) -> MinutesFile:
        repos = Repositories.on(engine)
        meeting = await repos.meetings.get(meeting_id)
        if meeting is None:
            raise Stop(_no_meeting(meeting_id))
        return writer.file(await gather(repos, meeting), file_format)

    file = _existing_database(settings, build)
    if out is None and file_format not in BINARY_FORMATS:
        sys.stdout.buffer.write(file.content)
        return 0
    target = out or Path(file.name)
    try:
        target.write_bytes(file.content)
    except OSError as error:
        raise Stop(f"cannot write {target}: {error.strerror}") from error
    print(f"datadialog: wrote {target}", file=sys.stderr)
    return 0


def _purge(settings: Settings, *, dry_run: bool) -> int:
    from datetime import UTC, datetime

    from bot.privacy.retention import cutoffs
    from storage.repositories import Repositories

    async def purge(engine: AsyncEngine) -> dict[str, int]:
        privacy = Repositories.on(engine).privacy
        return await privacy.purge(cutoffs(settings, datetime.now(UTC)), dry_run=dry_run)

    counts = _existing_database(settings, purge)
    print("Would delete (nothing is changed):" if dry_run else "Deleted:")
    width = max(map(len, counts))
    for table, count in counts.items():
        print(f"  {table.ljust(width)}  {count}")
    return 0


def _backup_or_restore(settings: Settings, command: str, file: Path) -> int:
    from bot.privacy import backup

    database = _sqlite_file(settings)
    if database is None:
        raise Stop(backup.ONLY_SQLITE)
    work = backup.back_up if command == "backup" else backup.restore
    try:
        print(f"datadialog: {work(database, file)}")
    except backup.Refused as refused:
        raise Stop(str(refused)) from refused
    return 0


def _no_meeting(meeting_id: int) -> str:
    return f"there is no meeting {meeting_id}; `datadialog meetings` lists them"


if __name__ == "__main__":
    sys.exit(main())
