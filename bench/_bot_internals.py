"""Every reach of the benchmarks into the bot's internals, in one file.

The benches import the bot's public entry points directly (bot.app.build_application,
bot.settings.Settings, bot.lifecycle.running, bot.fakeapi, bot.demo.SAMPLE_DATA) and the
flows and storage packages; anything else from inside bot/ goes through the small functions
here, so that moving modules inside bot/ means updating this one file and nothing else.
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application

from bot.charts import draw
from bot.charts.plans import OTHERS, ChartPlan, plans_for
from bot.core.inbox import Inbox
from bot.core.services import SERVICES_KEY, Services
from bot.data.importing import import_rows
from bot.dataset.reader import read_file
from bot.meeting import phases
from bot.meeting.live import load
from bot.meeting.timers import COALESCE
from flows.dialogue import DEFAULT_DOTS, DEFAULT_TIMEBOXES, Phase
from flows.model import Flow
from storage.records import Person
from storage.repositories import Repositories

# The running application -----------------------------------------------------------------------


def services(app: Application) -> Services:
    return app.bot_data[SERVICES_KEY]


def repos(app: Application) -> Repositories:
    return services(app).repos


def now(app: Application) -> datetime:
    """The bot's clock."""
    return services(app).clock()


def flow(app: Application, flow_id: str) -> Flow:
    """A flow definition as the running bot loaded it."""
    return services(app).flows[flow_id]


def text(app: Application, key: str, language: str = "da", **params: object) -> str:
    """A catalogue text as the bot renders it (HTML, parameters escaped)."""
    return services(app).catalogue.text(key, language, **params)


def db_engine(app: Application) -> AsyncEngine:
    """The bot's database engine."""
    return services(app).engine


# The live meeting --------------------------------------------------------------------------


async def open_ballot(app: Application, meeting_id: int, group_chat_id: int, leader: Person) -> int:
    """Link the meeting to a group and move its dialogue to Interpret, which posts the dot-vote
    ballot there; returns the ballot's message id."""
    svc = services(app)
    await svc.repos.dialogues.link(
        meeting_id, group_chat_id, leader, svc.clock(), timeboxes=DEFAULT_TIMEBOXES,
        dots=DEFAULT_DOTS,
    )  # fmt: skip
    live = await load(svc, meeting_id)
    assert live is not None
    await phases.move(svc, live, Phase.INTERPRET)
    dialogue = await svc.repos.dialogues.get(meeting_id)
    assert dialogue is not None
    assert dialogue.ballot_message_id is not None
    return dialogue.ballot_message_id


def dots_per_person() -> int:
    """The dots each participant has in a vote, by default."""
    return DEFAULT_DOTS


def ballot_edit_interval() -> float:
    """Seconds the bot waits between two edits of one group message (to know how long to wait
    for the last, coalesced edit; not a result)."""
    return COALESCE.total_seconds()


# Data and charts -----------------------------------------------------------------------------


async def import_data(app: Application, meeting_id: int, name: str, content: bytes) -> int:
    """Import a data file for a meeting as the leader's upload does; returns its chart count."""
    meeting = await repos(app).meetings.get(meeting_id)
    assert meeting is not None
    _, charts, _ = await import_rows(services(app), meeting, name, content)
    return charts


def swap_chart_executor(app: Application, executor: Executor) -> Executor:
    """Draw the bot's charts in `executor` from now on; returns the one used until now."""
    svc = services(app)
    previous, svc.chart_executor = svc.chart_executor, executor
    return previous


def chart_plans(name: str, content: bytes) -> list[ChartPlan]:
    """The charts the bot draws for a data file."""
    return plans_for(read_file(name, content).points)


def chart_kind(plan: ChartPlan) -> str:
    return plan.kind.value


def render_chart(plan: ChartPlan, language: str = "da") -> bytes:
    """One chart as the bot draws it (in-process, the pure drawing function)."""
    return draw.render_png(plan, {OTHERS: "Øvrige"}, language)


# The update inbox --------------------------------------------------------------------------


async def hold_in_inbox(app: Application, fetched: list[dict]) -> None:
    """What long polling does with a fetched batch before the bot sees it: store it in the
    update inbox (each update is then marked done when handled)."""
    received = await services(app).part(Inbox).receive(fetched)
    assert len(received) == len(fetched)
