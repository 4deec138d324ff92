"""Fixtures: an offline world per test (fresh SQLite file, fake Bot API, manual clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.fakeapi.world import ManualClock, OfflineWorld
from bot.settings import Settings
from flows.i18n import Catalogue

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""A Wednesday morning in Copenhagen (10:00 local)."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None)


@pytest.fixture
async def world(settings: Settings, clock: ManualClock) -> AsyncIterator[OfflineWorld]:
    offline = OfflineWorld(settings, clock)
    await offline.start()
    try:
        yield offline
    finally:
        await offline.stop()
    assert offline.api.violations == [], "calls real Telegram would refuse"
    assert offline.api.open_queries == set(), "button taps left unanswered"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture
def da(catalogue: Catalogue):
    """The visible Danish text of a catalogue key (HTML parsed as Telegram shows it)."""
    from bot.fakeapi.telegram_html import visible_text

    def text(key: str, **params: object) -> str:
        return visible_text(catalogue.text(key, "da", **params))

    return text
