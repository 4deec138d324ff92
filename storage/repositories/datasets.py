"""A meeting's indicator data: replaced as a whole on import, read back in file order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import data_points

COLUMNS = ("chart", "indicator", "group", "period", "category", "value", "n")


class DatasetRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def replace(self, meeting_id: int, rows: list[dict[str, Any]], now: datetime) -> None:
        """Store `rows` (dicts with COLUMNS) as the meeting's data, in one transaction."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(data_points).where(data_points.c.meeting_id == meeting_id))
            if rows:
                await conn.execute(
                    data_points.insert(),
                    [
                        {"meeting_id": meeting_id, "position": index, "imported_at": now,
                         "group_name": row["group"],
                         **{k: row[k] for k in COLUMNS if k != "group"}}
                        for index, row in enumerate(rows)
                    ],
                )  # fmt: skip

    async def rows_for(self, meeting_id: int) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(data_points)
                .where(data_points.c.meeting_id == meeting_id)
                .order_by(data_points.c.position)
            )
            return [
                {**{k: row[k] for k in COLUMNS if k != "group"}, "group": row["group_name"]}
                for row in result.mappings()
            ]
