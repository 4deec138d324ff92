"""The services every handler needs, reached one way: `services(context)`.

Core services are fields. A capability's own long-lived object (the reminder sender, the
meeting timers) is a *part*, added at start-up and fetched by its type with `svc.part(...)`,
so the core never imports a capability.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.ext import CallbackContext, ExtBot, JobQueue

from bot.core.events import Events
from bot.core.render import Renderer
from bot.settings import Settings
from flows.i18n import Catalogue
from flows.registry import FlowRegistry
from storage.repositories import Repositories

if TYPE_CHECKING:
    from bot.core.runner import FlowRunner

SERVICES_KEY = "services"
T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    repos: Repositories
    flows: FlowRegistry
    catalogue: Catalogue
    render: Renderer
    clock: Callable[[], datetime]
    chart_executor: Executor
    bot: Bot
    job_queue: JobQueue | None
    """The alarm clock for timed work; the tables hold what is due, not the jobs."""
    events: Events = field(default_factory=Events)
    _runner: FlowRunner | None = None
    _parts: dict[type, Any] = field(default_factory=dict)

    @property
    def runner(self) -> FlowRunner:
        """The one flow dispatcher (built right after the services, as it needs them)."""
        assert self._runner is not None, "the flow runner is set at start-up"
        return self._runner

    @runner.setter
    def runner(self, runner: FlowRunner) -> None:
        self._runner = runner

    def add_part(self, part: object) -> None:
        """Make a capability's long-lived object reachable by its type; one of each kind."""
        kind = type(part)
        if kind in self._parts:
            raise ValueError(f"{kind.__name__} was added twice")
        self._parts[kind] = part

    def part(self, kind: type[T]) -> T:
        return self._parts[kind]


DDContext = CallbackContext[ExtBot[None], dict, dict, dict]


def services(context: DDContext) -> Services:
    return context.application.bot_data[SERVICES_KEY]
