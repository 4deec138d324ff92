"""A whole offline world: the real Application on a real database, the fake Bot API, a clock.

Tests, the demo and the benchmarks use it the same way: start, let people talk, restart (as
after a crash or deploy: a new Application on the same database and the same Telegram), stop.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime, timedelta

from pydantic import SecretStr
from telegram.ext import AIORateLimiter, Application

from bot.app import build_application
from bot.core.services import SERVICES_KEY, Services
from bot.fakeapi.people import FakeTelegram, SimulatedPerson
from bot.fakeapi.server import FAKE_TOKEN, FakeBotApi
from bot.follow_up.sender import ReminderSender
from bot.lifecycle import running
from bot.meeting.timers import MeetingTimers
from bot.settings import Settings


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def unlimited() -> AIORateLimiter:
    """A rate limiter that never waits. The offline world's clock is manual while Telegram's
    limits are wall-clock, so pacing here would only slow tests and the demo down (the world's
    reminder sender is unpaced too); the benchmarks measure pacing with the real limiter."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0)


class OfflineWorld:
    def __init__(
        self, settings: Settings, clock: ManualClock, rate_limiter: AIORateLimiter | None = None
    ) -> None:
        self.settings = settings.model_copy(
            update={"token": SecretStr(FAKE_TOKEN), "reminder_rate": 0}
        )
        self.clock = clock
        self._rate_limiter = rate_limiter
        self.api = FakeBotApi()
        self.telegram: FakeTelegram | None = None
        self._stack: AsyncExitStack | None = None

    @property
    def application(self) -> Application:
        assert self.telegram is not None, "start the world first"
        return self.telegram.application

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    async def start(self) -> None:
        application = build_application(
            self.settings,
            request=self.api,
            clock=self.clock,
            rate_limiter=self._rate_limiter or unlimited(),
        )
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(application))
        if self.telegram is None:
            self.telegram = FakeTelegram(application, self.api)
        else:
            self.telegram.application = application

    async def stop(self) -> None:
        updater = self.application.updater if self.telegram is not None else None
        if updater is not None and updater.running:  # a world that polls
            await updater.stop()
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        """A new Application on the same database and the same (fake) Telegram."""
        await self.stop()
        await self.start()

    def group(self, chat_id: int, title: str) -> dict[str, object]:
        assert self.telegram is not None, "start the world first"
        return self.telegram.group(chat_id, title)

    async def fire_due_timers(self) -> int:
        """What the scheduler does when a meeting timer is due: tests call it after moving
        the clock, instead of waiting."""
        return await self.services.part(MeetingTimers).fire_due()

    async def deliver_due_reminders(self) -> int:
        """What the scheduler's alarm does when reminders fall due; tests call it directly."""
        return await self.services.part(ReminderSender).deliver_due()

    def person(self, user_id: int, first_name: str, **kwargs: object) -> SimulatedPerson:
        assert self.telegram is not None, "start the world first"
        return self.telegram.person(user_id, first_name, **kwargs)
