"""The `datadialog` command: run the bot, play the offline demo, migrate, import or export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="datadialog", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot on Telegram (long polling)")
    demo = commands.add_parser("demo", help="play the demo offline and write what people saw")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="output folder")
    commands.add_parser("migrate", help="bring the database schema up to date")
    importer = commands.add_parser("import", help="store a CSV/XLSX indicator file for a meeting")
    importer.add_argument("--meeting", type=int, required=True, help="the meeting's number")
    importer.add_argument("file", type=Path, help="the .csv or .xlsx file")
    export = commands.add_parser("export", help="write a meeting's minutes (md) or actions (csv)")
    export.add_argument("--meeting", type=int, required=True, help="the meeting's number")
    export.add_argument("--format", choices=("md", "csv"), default="md", dest="file_format")
    export.add_argument("--language", choices=("da", "en"), help="default: the configured one")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)

    try:
        settings = Settings()
    except ValidationError as error:
        print(f"datadialog: bad configuration: {error.errors()[0]['msg']}", file=sys.stderr)
        return 2
    if args.command == "run":
        return _run(settings)
    if args.command == "demo":
        from bot.demo import main as demo_main

        demo_main(args.out)
        return 0
    if args.command == "import":
        return _import(settings, args.meeting, args.file)
    if args.command == "export":
        return _export(settings, args.meeting, args.file_format, args.language, args.out)
    return _migrate(settings)


def _run(settings: Settings) -> int:
    if settings.token is None or not settings.token.get_secret_value():
        print(
            "datadialog: DATADIALOG_TOKEN is not set; get a token from @BotFather "
            "(or try `datadialog demo`, which needs none)",
            file=sys.stderr,
        )
        return 2
    from telegram import Update

    from bot.app import build_application

    application = build_application(settings)
    application.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY])
    return 0


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


def _import(settings: Settings, meeting_id: int, file: Path) -> int:
    from datetime import UTC, datetime

    from bot.dataset.reader import ImportRefused, read_file
    from flows.i18n import Catalogue
    from storage.db import migrate, open_engine
    from storage.repositories.datasets import DatasetRepository
    from storage.repositories.meetings import MeetingRepository

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
        print(f"datadialog: cannot read {file}: {error.strerror}", file=sys.stderr)
        return 1

    async def store() -> bool:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        try:
            await migrate(engine)
            if await MeetingRepository(engine).get(meeting_id) is None:
                return False
            rows = [point.model_dump() for point in result.points]
            await DatasetRepository(engine).replace(meeting_id, rows, datetime.now(UTC))
            return True
        finally:
            await engine.dispose()

    if not asyncio.run(store()):
        print(f"datadialog: there is no meeting {meeting_id}", file=sys.stderr)
        return 1
    print(f"datadialog: stored {len(result.points)} rows for meeting {meeting_id}")
    return 0


def _export(
    settings: Settings, meeting_id: int, file_format: str, language: str | None, out: Path | None
) -> int:
    from bot.meeting.minutes import MinutesWriter, gather
    from flows.i18n import Catalogue
    from flows.registry import FlowRegistry
    from storage.db import migrate, open_engine
    from storage.repositories import Repositories

    catalogue = Catalogue.load()
    writer = MinutesWriter(catalogue, FlowRegistry.load(catalogue), language or settings.language)

    async def build() -> bytes | None:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        try:
            await migrate(engine)
            repos = Repositories.on(engine)
            meeting = await repos.meetings.get(meeting_id)
            if meeting is None:
                return None
            return writer.file(await gather(repos, meeting), file_format).content
        finally:
            await engine.dispose()

    content = asyncio.run(build())
    if content is None:
        print(f"datadialog: there is no meeting {meeting_id}", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.buffer.write(content)
    else:
        out.write_bytes(content)
        print(f"datadialog: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
