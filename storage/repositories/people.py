"""People who have talked to the bot: found by Telegram id, created on first contact."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.records import Person
from storage.schema import users


class PeopleRepository:
    """Reads go through a bounded cache of rows already committed; every change is written first."""

    def __init__(self, engine: AsyncEngine, *, cache_size: int = 20_000) -> None:
        self._engine = engine
        self._cache: OrderedDict[int, Person] = OrderedDict()
        self._cache_size = cache_size

    async def ensure(
        self, telegram_id: int, display_name: str, language: str, time_zone: str, now: datetime
    ) -> Person:
        """The person with this Telegram id, created with `language` and `time_zone` if new."""
        cached = self._cache.get(telegram_id)
        if cached is not None:
            self._cache.move_to_end(telegram_id)
            return cached
        person = await self._load(telegram_id)
        if person is None:
            person = await self._create(telegram_id, display_name, language, time_zone, now)
        self._remember(person)
        return person

    def forget_cached(self, telegram_id: int) -> None:
        """Drop a person from the cache (their row was changed or removed behind it)."""
        self._cache.pop(telegram_id, None)

    def cached(self, telegram_id: int) -> Person | None:
        """The person if already in memory; no database access (for the error path)."""
        return self._cache.get(telegram_id)

    async def get(self, person_id: int) -> Person | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == person_id))).mappings()
            found = row.first()
        return person_from_row(found) if found else None

    async def get_many(self, person_ids: Collection[int]) -> dict[int, Person]:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(users).where(users.c.id.in_(list(person_ids))))
            return {row["id"]: person_from_row(row) for row in result.mappings()}

    async def set_language(self, person: Person, language: str) -> Person:
        return await self._change(person, language=language)

    async def set_time_zone(self, person: Person, time_zone: str) -> Person:
        return await self._change(person, time_zone=time_zone)

    async def set_working_hours(self, person: Person, start: str, end: str) -> Person:
        return await self._change(person, work_start=start, work_end=end)

    async def set_reachable(self, person: Person, reachable: bool) -> Person:
        """False once Telegram says the person blocked the bot; True when they write again."""
        return await self._change(person, is_reachable=reachable)

    async def _change(self, person: Person, **values: object) -> Person:
        async with self._engine.begin() as conn:
            await conn.execute(update(users).where(users.c.id == person.id).values(**values))
        changed = Person(**{**person.__dict__, **values})
        self._remember(changed)
        return changed

    async def _load(self, telegram_id: int) -> Person | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(users).where(users.c.telegram_id == telegram_id))
            row = result.mappings().first()
        return person_from_row(row) if row else None

    async def _create(
        self, telegram_id: int, display_name: str, language: str, time_zone: str, now: datetime
    ) -> Person:
        values = {
            "telegram_id": telegram_id,
            "display_name": display_name[:128] or str(telegram_id),
            "language": language,
            "time_zone": time_zone,
            "is_reachable": True,
            "created_at": now,
        }
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(users.insert().values(**values))
                person_id = result.inserted_primary_key[0]
        except IntegrityError:  # created meanwhile by a concurrent update from the same person
            existing = await self._load(telegram_id)
            if existing is None:
                raise
            return existing
        return Person(person_id, telegram_id, values["display_name"], language, time_zone)

    def _remember(self, person: Person) -> None:
        self._cache[person.telegram_id] = person
        self._cache.move_to_end(person.telegram_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def person_from_row(row: RowMapping) -> Person:
    return Person(
        id=row["id"],
        telegram_id=row["telegram_id"],
        display_name=row["display_name"],
        language=row["language"],
        time_zone=row["time_zone"],
        is_reachable=row["is_reachable"],
        work_start=row["work_start"],
        work_end=row["work_end"],
    )
