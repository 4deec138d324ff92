"""Migrations produce exactly the schema; group commit batches and isolates failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import IntegrityError

from storage.db import current_revision, migrate, open_engine, sync_url
from storage.group_commit import GroupCommitter
from storage.schema import SCHEMA_REVISION, metadata, users

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path):
    db = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    await migrate(db)
    yield db
    await db.dispose()


def test_schema_revision_is_alembic_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


async def test_migrated_database_matches_the_tables_in_code(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    sync = create_engine(sync_url(engine.url.render_as_string(hide_password=False)))
    with sync.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    sync.dispose()
    assert differences == []
    assert await current_revision(engine) == SCHEMA_REVISION
    assert await migrate(engine) is False  # already current: Alembic is not even loaded


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine):
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 1  # NORMAL


def user_row(telegram_id: int) -> dict:
    return {"telegram_id": telegram_id, "display_name": f"P{telegram_id}", "language": "da",
            "time_zone": "Europe/Copenhagen", "is_reachable": True, "created_at": NOW}  # fmt: skip


async def insert_users(conn, rows):
    for row in rows:
        await conn.execute(users.insert().values(**row))


async def test_writes_that_arrive_together_share_one_commit(engine):
    commits = []
    event.listen(engine.sync_engine, "commit", lambda conn: commits.append(1))
    committer = GroupCommitter(engine, insert_users)

    await asyncio.gather(*(committer.submit(user_row(n)) for n in range(1, 6)))

    assert len(commits) == 1
    async with engine.connect() as conn:
        stored = (await conn.execute(select(users.c.telegram_id))).scalars().all()
    assert sorted(stored) == [1, 2, 3, 4, 5]


async def test_a_bad_write_fails_alone_and_its_neighbours_are_stored(engine):
    committer = GroupCommitter(engine, insert_users)

    results = await asyncio.gather(
        *(committer.submit(user_row(n)) for n in (1, 2, 1, 3)), return_exceptions=True
    )

    assert results[:2] == [None, None]
    assert isinstance(results[2], IntegrityError)
    assert results[3] is None
    async with engine.connect() as conn:
        stored = (await conn.execute(select(users.c.telegram_id))).scalars().all()
    assert sorted(stored) == [1, 2, 3]
