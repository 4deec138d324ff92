"""Backups of the SQLite database with SQLite's own backup API: a consistent copy taken while
the bot runs, and a restore that checks the file before it replaces anything.

PostgreSQL has its own tools (pg_dump, pg_restore); these refuse to touch it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from storage.db import MIGRATIONS_DIR
from storage.schema import SCHEMA_REVISION

ONLY_SQLITE = (
    "backup and restore work on a SQLite database only; for PostgreSQL use pg_dump and pg_restore"
)
KNOWN_REVISIONS = frozenset(
    path.name.split("_")[0] for path in (MIGRATIONS_DIR / "versions").glob("0*.py")
)
"""Every schema revision this version can open (older ones are migrated at the next start)."""


class Refused(Exception):
    """Why a backup or restore was not done, in one line; nothing was changed."""


def back_up(database: Path, target: Path) -> str:
    """Copy `database` to the new file `target`, page by page, consistent even while the bot
    writes. Returns what was done."""
    if not database.is_file():
        raise Refused(f"there is no database at {database.resolve()}")
    if target.exists():
        raise Refused(f"{target} exists already; give the backup a new file name")
    _copy(database, target)
    return f"backed up {database} to {target}"


def restore(database: Path, backup: Path) -> str:
    """Replace `database` by `backup` once it is checked; the current file is kept next to it
    first. Returns what was done."""
    if not backup.is_file():
        raise Refused(f"there is no file {backup}")
    revision = _checked_revision(backup)
    done = f"restored {database} from {backup} (schema {revision})"
    if database.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = database.with_name(f"{database.stem}-before-restore-{stamp}{database.suffix}")
        _copy(database, kept)
        done += f"; the database as it was is in {kept}"
    _copy(backup, database)
    if revision != SCHEMA_REVISION:
        done += "; `datadialog migrate` brings it up to date"
    return done


def _checked_revision(backup: Path) -> str:
    """The schema revision of a sound Datadialog database, or `Refused` saying what is wrong."""
    try:
        with closing(sqlite3.connect(backup)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise Refused(f"{backup} is damaged (SQLite's integrity check fails)")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "users", "meetings"} <= tables:
                raise Refused(f"{backup} is not a Datadialog database")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise Refused(f"{backup} is not a SQLite database ({error})") from error
    revision = row[0] if row else None
    if revision not in KNOWN_REVISIONS:
        raise Refused(f"{backup} has schema {revision}, which this version does not know")
    return revision


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
