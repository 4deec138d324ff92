"""The `datadialog` command: run the bot, play the offline demo, or migrate the database."""

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


if __name__ == "__main__":
    sys.exit(main())
