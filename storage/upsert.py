"""INSERT … ON CONFLICT DO UPDATE for the dialects we support (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table
from sqlalchemy.sql.dml import Insert


def insert_or_update(
    dialect: str, table: Table, *, keys: Sequence[str], update_from_new: Mapping[str, str]
) -> Insert:
    """An insert into `table` that, when `keys` already exist, sets each column of
    `update_from_new` to the named column of the row that was being inserted."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise ValueError(f"no upsert for the {dialect} dialect")
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: statement.excluded[new] for column, new in update_from_new.items()},
    )
