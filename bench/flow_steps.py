"""Preparation steps vs a bare PTB echo bot, through the same lean fake Bot API.

Both sides get the same updates (one typed answer from each of many people) through their
Application's real update queue and processor: the echo baseline uses PTB's own processor
(SimpleUpdateProcessor, 64 at a time) and nothing of ours; Datadialog uses its own
(PerChatOrderedProcessor, 64 at a time); neither has a rate limiter (the fake Telegram has no
limits). A reply counts only if it is the right one: for the echo bot the same text back, for
Datadialog the next question of the preparation (its catalogue text and its "question 2 of 3"
line, as the pure flow engine says it must come next). After the run every answer must be in
the database's `answers` table with the text the person sent.

Prints: updates/s to the last right reply for each side and their ratio (target >= 0.5), CPU
per update, update-to-right-reply latency at a steady 200 updates/s on both sides (target p95
< 20 ms), and cold start to the first right reply on an already-migrated database (target
< 1 s) for a bare PTB process and for Datadialog.

    python -m bench.flow_steps            # about a minute
    python -m bench.flow_steps --people 500 --rounds 1 --steady 400 --quick
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bench import _bot_internals as internals
from bench import cold_start
from bench.bare_ptb import echo_app, no_rate_limit, processor_name
from bench.lean_api import TOKEN, Check, LeanApi, text_update
from bot.app import build_application
from bot.lifecycle import running
from bot.settings import Settings
from flows import engine
from storage.db import open_engine
from storage.schema import answers, flow_runs, users

FIRST_USER = 10_000
TIME_ZONE = "Europe/Copenhagen"
PREP_FLOW = "three_points"
ANSWERS = ("Flere unge er kommet i fritidsjob.", "Fremmødet falder efter tre måneder.")
WAIT_FOR_REPLIES_S = 120.0


@dataclass
class Side:
    """One bot under test, and how to tell its right reply to an answer."""

    app: Application
    api: LeanApi
    right_reply: dict[str, Check]
    """Answer text -> the check its right reply passes."""
    sent: dict[int, str] = field(default_factory=dict)
    """Chat -> the answer sent there."""
    inbox: bool = False
    """Store each burst in the update inbox first, as long polling does with a fetched batch."""

    def updates(self, first_user: int, count: int, first_id: int) -> list[Update]:
        return [
            text_update(first_id + n, first_user + n, ANSWERS[n % 2], self.app.bot)
            for n in range(count)
        ]

    def expect(self, update: Update) -> None:
        text = update.effective_message.text
        self.sent[update.effective_chat.id] = text
        self.api.expect(update.effective_chat.id, self.right_reply[text])


@dataclass
class Burst:
    rate: float
    """Right replies per second, from the first update queued to the last right reply."""
    cpu_us: float
    right: int
    expected: int


def echo_side() -> Side:
    api = LeanApi()
    checks = {answer: (lambda text, answer=answer: text == answer) for answer in ANSWERS}
    return Side(echo_app(api, concurrent=True), api, checks)


def datadialog_app(api: LeanApi, settings: Settings) -> Application:
    return build_application(settings, request=api, rate_limiter=no_rate_limit())


def next_question_checks(app: Application) -> dict[str, Check]:
    """For each answer: the reply must show the question the flow engine says comes next
    (the catalogue text of its prompt) with its progress line ("Spørgsmål 2 af 3")."""
    flow = internals.flow(app, PREP_FLOW)
    context = engine.StepContext(now=internals.now(app), time_zone=TIME_ZONE)
    checks: dict[str, Check] = {}
    for answer in ANSWERS:
        outcome = engine.advance(flow, engine.start(flow).state, engine.TextInput(answer), context)
        prompts = [reply for reply in outcome.replies if isinstance(reply, engine.Prompt)]
        assert outcome.rejected is None
        assert len(prompts) == 1, "the answer should lead to exactly one next question"
        question = internals.text(app, prompts[0].prompt_key)
        progress = internals.text(
            app, "common.progress", position=prompts[0].position, total=prompts[0].total
        )
        checks[answer] = lambda text, q=question, p=progress: q in text and p in text
    return checks


async def open_preparations(app: Application, people: int) -> int:
    """A meeting and one open preparation run per person, as after everyone joined; returns
    the meeting's id."""
    repos, now = internals.repos(app), internals.now(app)
    leader = await repos.people.ensure(1, "Leader", "da", TIME_ZONE, now)
    meeting, _ = await repos.meetings.create(
        leader, title="Bench", team_name="Team", starts_at=now.replace(year=now.year + 1),
        prep_deadline_at=now.replace(year=now.year + 1), time_zone=TIME_ZONE,
        prep_flow_id=PREP_FLOW, now=now,
    )  # fmt: skip
    flow = internals.flow(app, PREP_FLOW)
    for user_id in range(FIRST_USER, FIRST_USER + people):
        person = await repos.people.ensure(user_id, f"P{user_id}", "da", TIME_ZONE, now)
        state = engine.start(flow).state
        await repos.runs.start(person.id, flow.id, flow.version, state, now, meeting_id=meeting.id)
        await repos.runs.open_for(person.id)
    return meeting.id


async def burst(side: Side, updates: list[Update]) -> Burst:
    """Queue every update at once; wait for each chat's right reply.

    CPU time is reported beside the rate because this shared machine's speed varies from
    second to second; the CPU cost of an update is the steadier of the two figures."""
    for update in updates:
        side.expect(update)
    chats = [update.effective_chat.id for update in updates]
    fetched = [update.to_dict() for update in updates]  # as the HTTP answer holds them
    started, cpu_started = time.perf_counter(), time.process_time()
    if side.inbox:
        await internals.hold_in_inbox(side.app, fetched)
    for update in updates:
        side.app.update_queue.put_nowait(update)
    await side.api.all_right(WAIT_FOR_REPLIES_S)
    cpu = (time.process_time() - cpu_started) / len(updates) * 1e6
    arrived = [side.api.right[chat] for chat in chats if chat in side.api.right]
    rate = len(arrived) / (max(arrived) - started) if arrived else 0.0
    return Burst(rate, cpu, len(arrived), len(updates))


async def steady(side: Side, updates: list[Update], rate: float) -> tuple[list[float], int]:
    """Feed `rate` updates/s; (ms from each update to its right reply, right replies)."""
    put_at: dict[int, float] = {}
    for update in updates:
        side.expect(update)
    fetched = [update.to_dict() for update in updates]  # as the HTTP answers hold them
    start = time.perf_counter()
    for index, update in enumerate(updates):
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        put_at[update.effective_chat.id] = time.perf_counter()
        if side.inbox:
            await internals.hold_in_inbox(side.app, [fetched[index]])
        side.app.update_queue.put_nowait(update)
    await side.api.all_right(WAIT_FOR_REPLIES_S)
    latencies = [(side.api.right[c] - at) * 1000 for c, at in put_at.items() if c in side.api.right]
    return latencies, len(latencies)


async def stored_answers(settings: Settings, sent: dict[int, str]) -> tuple[int, int]:
    """Read the database after the bot stopped: (answers stored with the text sent, rows
    for these people at the first step in all)."""
    first_step = "positive"
    query = (
        select(users.c.telegram_id, answers.c.value)
        .join(flow_runs, flow_runs.c.user_id == users.c.id)
        .join(answers, answers.c.flow_run_id == flow_runs.c.id)
        .where(answers.c.step_id == first_step)
    )
    db = open_engine(settings.db_url)
    try:
        async with db.connect() as conn:
            rows = (await conn.execute(query)).all()
    finally:
        await db.dispose()
    rows = [(chat, value) for chat, value in rows if chat in sent]
    return sum(1 for chat, value in rows if value == sent[chat]), len(rows)


@dataclass
class Results:
    echo: list[Burst]
    datadialog: list[Burst]
    echo_latency: list[float]
    dd_latency: list[float]
    steady_right: tuple[int, int]
    wrong: tuple[int, int]
    """(echo, Datadialog) replies that were not the right one."""
    stored: tuple[int, int, int]
    """(stored with the text sent, rows at that step, answers sent)."""
    processors: tuple[str, str]


async def compare(people: int, rounds: int, steady_count: int) -> Results:
    """Echo and Datadialog side by side in one process, their bursts interleaved round by
    round so both see the same machine; then the steady-rate latency run on each."""
    echo = echo_side()
    echo_rates: list[Burst] = []
    dd_rates: list[Burst] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, data_dir=Path(folder), token=SecretStr(TOKEN))
        dd_api = LeanApi()
        app = datadialog_app(dd_api, settings)
        async with running(echo.app), running(app):
            dd = Side(app, dd_api, next_question_checks(app), inbox=True)
            await open_preparations(app, people * (rounds + 1) + steady_count)
            await burst(echo, echo.updates(FIRST_USER, people, 1))  # warm-up
            await burst(dd, dd.updates(FIRST_USER, people, 1))
            for round_index in range(1, rounds + 1):
                first_user = FIRST_USER + people * round_index
                first_id = 1_000_000 * round_index
                echo_rates.append(await burst(echo, echo.updates(first_user, people, first_id)))
                dd_rates.append(await burst(dd, dd.updates(first_user, people, first_id)))
            steady_first = FIRST_USER + people * (rounds + 1)
            echo_latency, echo_steady = await steady(
                echo, echo.updates(steady_first, steady_count, 9_000_000), rate=200
            )
            dd_latency, dd_steady = await steady(
                dd, dd.updates(steady_first, steady_count, 9_000_000), rate=200
            )
            processors = (processor_name(echo.app), processor_name(app))
        right, rows = await stored_answers(settings, dd.sent)
    return Results(
        echo_rates, dd_rates, echo_latency, dd_latency, (echo_steady, dd_steady),
        (sum(echo.api.wrong.values()), sum(dd.api.wrong.values())), (right, rows, len(dd.sent)),
        processors,
    )  # fmt: skip


def _quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "too few right replies to tell"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:5.1f} ms, p95 {q[94]:5.1f} ms, max {max(values):5.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000, help="answers per burst")
    parser.add_argument("--rounds", type=int, default=7, help="bursts per side")
    parser.add_argument("--steady", type=int, default=2000, help="updates in the 200/s runs")
    parser.add_argument("--quick", action="store_true", help="one cold start each, not three")
    args = parser.parse_args()

    r = asyncio.run(compare(args.people, args.rounds, args.steady))
    runs = 1 if args.quick else 3
    cold_echo = cold_start.measure("echo", runs)
    cold_dd = cold_start.measure("datadialog", runs)

    med = statistics.median
    ratios = [dd.rate / echo.rate for dd, echo in zip(r.datadialog, r.echo, strict=True)]
    echo_rate, dd_rate = med(b.rate for b in r.echo), med(b.rate for b in r.datadialog)
    echo_cpu, dd_cpu = med(b.cpu_us for b in r.echo), med(b.cpu_us for b in r.datadialog)

    def right_of(bursts: list[Burst]) -> str:
        return f"{sum(b.right for b in bursts)}/{sum(b.expected for b in bursts)} right replies"

    print(f"bursts of {args.people} answers from as many people, {args.rounds} round(s) each; "
          "lean fake Bot API, no rate limiter on either side; Datadialog stores each batch in "
          "its update inbox first and marks each update done")  # fmt: skip
    print(f"bare PTB echo, {r.processors[0]:27} {echo_rate:7.0f} updates/s, "
          f"{echo_cpu:4.0f} µs CPU each, {right_of(r.echo)}, {r.wrong[0]} wrong")  # fmt: skip
    print(f"Datadialog, {r.processors[1]:30} {dd_rate:7.0f} updates/s, "
          f"{dd_cpu:4.0f} µs CPU each, {right_of(r.datadialog)}, {r.wrong[1]} wrong")  # fmt: skip
    print(f"throughput ratio               {med(ratios):7.2f}   (Datadialog / echo, median of "
          f"rounds {', '.join(f'{x:.2f}' for x in ratios)}; target >= 0.5)")  # fmt: skip
    print(f"CPU cost ratio                 {echo_cpu / dd_cpu:7.2f}   (echo µs / Datadialog µs)")
    print(f"answers in the database        {r.stored[0]}/{r.stored[2]} stored with the text "
          f"sent ({r.stored[1]} rows at that step), read after the bot stopped")  # fmt: skip
    print(f"latency at 200 updates/s, {args.steady} updates each, to the right reply:")
    print(f"  bare PTB echo                {_quantiles(r.echo_latency)} "
          f"({r.steady_right[0]}/{args.steady} right)")  # fmt: skip
    print(f"  Datadialog                   {_quantiles(r.dd_latency)} "
          f"({r.steady_right[1]}/{args.steady} right; target p95 < 20 ms)")  # fmt: skip
    if len(r.echo_latency) > 1 and len(r.dd_latency) > 1:
        p95s = [statistics.quantiles(x, n=100)[94] for x in (r.echo_latency, r.dd_latency)]
        print(f"  p95 ratio                    {p95s[1] / p95s[0]:5.1f}x   (Datadialog / echo)")
    print(f"cold start to the first right reply, median of {runs} launch(es), after one "
          "untimed launch that wrote the byte code:")  # fmt: skip
    for name, cold in (("bare PTB echo", cold_echo), ("Datadialog", cold_dd)):
        print(f"  {name:28} {cold['seconds']:5.2f} s   ({cold['right']}/{cold['runs']} right; "
              f"{cold['ours']} modules of ours imported; {cold['had_pyc']} modules loaded "
              f"from .pyc, {cold['from_source']} compiled from source)")  # fmt: skip
    print(f"  ratio                        {cold_dd['seconds'] / cold_echo['seconds']:5.2f}x   "
          f"(Datadialog / bare PTB; target Datadialog < 1 s; {cold_dd['pyc_files']} .pyc files "
          "of bench, bot, flows, storage on disk)")  # fmt: skip


if __name__ == "__main__":
    main()
