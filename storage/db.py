"""Opening the database: the async engine, SQLite pragmas, and migrations on start.

SQLite runs in WAL mode with foreign keys on. `synchronous=NORMAL` keeps every committed answer
through a killed process; `FULL` (a setting) also survives a power cut, at some speed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.schema import SCHEMA_REVISION

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SYNCHRONOUS_MODES = ("NORMAL", "FULL")


def open_engine(url: str, *, synchronous: str = "NORMAL") -> AsyncEngine:
    """An async engine for `url`; for SQLite, creates the folder and sets the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, hide_parameters=True)
    if synchronous not in SYNCHRONOUS_MODES:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}")
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # A failing statement's values (answers, names) must not reach the log with its error.
    engine = create_async_engine(url, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        has_table = await conn.run_sync(
            lambda sync: sync.dialect.has_table(sync, "alembic_version")
        )
        if not has_table:
            return None
        return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


async def migrate(engine: AsyncEngine) -> bool:
    """Bring the schema to the newest revision. Returns True if Alembic had work to do.

    Alembic is imported only when the database is behind, which keeps a normal start fast.
    """
    if await current_revision(engine) == SCHEMA_REVISION:
        return False
    await asyncio.to_thread(upgrade_to_head, engine.url.render_as_string(hide_password=False))
    return True


def upgrade_to_head(async_url: str) -> None:
    """Run `alembic upgrade head` against `async_url`, through its synchronous driver."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", sync_url(async_url))
    command.upgrade(config, "head")


def sync_url(async_url: str) -> str:
    """The synchronous twin of an async URL (aiosqlite -> pysqlite, asyncpg -> psycopg)."""
    url = make_url(async_url)
    driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}[url.get_backend_name()]
    return url.set(drivername=driver).render_as_string(hide_password=False)
