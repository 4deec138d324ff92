"""One offline world driven from synchronous hypothesis tests, and what every example checks.

Hypothesis runs examples one after another inside a plain test function, so the world lives in
an `asyncio.Runner` kept open across examples (starting a world per example would cost most of
the time budget). Each example uses people of its own, so examples do not see each other.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from bot.core.services import DDContext
from bot.fakeapi.people import SimulatedPerson
from bot.fakeapi.server import shown_text
from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings
from flows.i18n import Catalogue
from storage.schema import metadata

T = TypeVar("T")
Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@dataclass
class FuzzWorld:
    """An `OfflineWorld` plus the errors its Application reported."""

    runner: asyncio.Runner
    world: OfflineWorld
    unexpected_prefix: str
    errors: list[BaseException] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(500_000))

    def run(self, coroutine: Awaitable[T]) -> T:
        return self.runner.run(coroutine)  # type: ignore[arg-type]

    def new_person(self, name: str = "Fuzz") -> SimulatedPerson:
        """Someone nobody has seen before (a fresh Telegram id)."""
        return self.world.person(next(self._ids), name)

    def new_group_id(self) -> int:
        return -next(self._ids)

    @contextmanager
    def checked(self) -> Iterator[None]:
        """Fail the example on an error, a call Telegram would refuse, an unanswered tap or
        an apology ("Beklager, noget gik galt") in any chat."""
        api = self.world.api
        violations, events = len(api.violations), len(api.events)
        self.errors.clear()
        yield
        assert self.errors == [], f"the handler raised: {self.errors!r}"
        assert api.violations[violations:] == [], "calls real Telegram would refuse"
        assert api.open_queries == set(), "button taps left unanswered"
        apologies = [
            e.text
            for e in api.events[events:]
            if e.actor in ("bot", "edit", "alert")
            and shown_text(e.text or "").startswith(self.unexpected_prefix)
        ]
        assert apologies == [], "a person was told something went wrong"

    async def snapshot(self) -> Snapshot:
        """Every row of every table, by primary key (pending group-commit writes first)."""
        svc = self.world.services
        await svc.repos.runs.drain()
        tables: Snapshot = {}
        async with svc.engine.connect() as conn:
            for table in metadata.sorted_tables:
                keys = [c.name for c in table.primary_key.columns]
                rows = (await conn.execute(select(table))).mappings().all()
                tables[table.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
        return tables


def changed(before: Snapshot, after: Snapshot) -> dict[str, set[tuple[Any, ...]]]:
    """Per table, the keys of rows added, removed or changed."""
    result: dict[str, set[tuple[Any, ...]]] = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, {}), after.get(name, {})
        keys = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        if keys:
            result[name] = keys
    return result


@contextmanager
def fuzz_world(tmp_path: Path, clock: ManualClock) -> Iterator[FuzzWorld]:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    catalogue = Catalogue.load()
    apology = shown_text(catalogue.text("common.unexpected", "da", ref="X"))
    with asyncio.Runner() as runner:
        world = OfflineWorld(settings, clock)
        runner.run(world.start())
        fuzz = FuzzWorld(runner, world, apology.split(".")[0])

        async def record(update: object, context: DDContext) -> None:
            error = context.error
            if error is not None and "message is not modified" not in str(error).lower():
                fuzz.errors.append(error)  # the one error the bot's own handler ignores

        world.application.add_error_handler(record)
        try:
            yield fuzz
        finally:
            runner.run(world.stop())
