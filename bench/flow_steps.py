"""Preparation steps vs a bare PTB echo bot, through the same lean fake Bot API.

Prints: updates/s for the echo baseline and for Datadialog preparation steps (each answer
committed to SQLite before its reply), their ratio (target >= 0.5), update-to-reply latency at a
steady 200 updates/s (target p95 < 20 ms), and cold start to the first answered update on an
already-migrated database (target < 1 s).

    python -m bench.flow_steps            # about a minute
    python -m bench.flow_steps --people 500 --quick
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bench.lean_api import TOKEN, LeanApi, text_update
from bot.app import build_application
from bot.context import SERVICES_KEY
from bot.fakeapi.world import unlimited
from bot.lifecycle import running
from bot.ordering import PerChatOrderedProcessor
from bot.settings import Settings
from flows import engine

FIRST_USER = 10_000
TIME_ZONE = "Europe/Copenhagen"
ANSWERS = ("Flere unge er kommet i fritidsjob.", "Fremmødet falder efter tre måneder.")


async def echo(update: Update, context) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def echo_app(api: LeanApi, *, concurrent: bool) -> Application:
    builder = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api)
    builder = builder.updater(None).rate_limiter(unlimited())
    if concurrent:
        builder = builder.concurrent_updates(PerChatOrderedProcessor(64))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def datadialog_app(api: LeanApi, data_dir: Path) -> Application:
    settings = Settings(_env_file=None, data_dir=data_dir, token=SecretStr(TOKEN))
    return build_application(settings, request=api, rate_limiter=unlimited())


async def open_preparations(app: Application, people: int) -> None:
    """A meeting and one open three_points run per person, as after everyone joined."""
    svc = app.bot_data[SERVICES_KEY]
    now = svc.clock()
    leader = await svc.repos.people.ensure(1, "Leader", "da", "Europe/Copenhagen", now)
    meeting, _ = await svc.repos.meetings.create(
        leader, title="Bench", team_name="Team", starts_at=now.replace(year=now.year + 1),
        prep_deadline_at=now.replace(year=now.year + 1), time_zone="Europe/Copenhagen",
        prep_flow_id="three_points", now=now,
    )  # fmt: skip
    flow = svc.flows["three_points"]
    for user_id in range(FIRST_USER, FIRST_USER + people):
        person = await svc.repos.people.ensure(
            user_id, f"P{user_id}", "da", "Europe/Copenhagen", now
        )
        state = engine.start(flow).state
        await svc.repos.runs.start(
            person.id, flow.id, flow.version, state, now, meeting_id=meeting.id
        )
        await svc.repos.runs.open_for(person.id)


async def burst(app: Application, api: LeanApi, updates: list[Update]) -> tuple[float, float]:
    """Queue every update at once; (updates/s until the last reply is out, CPU µs per update).

    CPU time is reported beside the rate because this shared machine's speed varies from
    second to second; the CPU cost of an update is the steadier of the two figures."""
    expected = api.sent + len(updates)
    started, cpu_started = time.perf_counter(), time.process_time()
    for update in updates:
        app.update_queue.put_nowait(update)
    await api.wait_until_sent(expected)
    cpu = (time.process_time() - cpu_started) / len(updates) * 1e6
    return len(updates) / (time.perf_counter() - started), cpu


async def steady(app: Application, api: LeanApi, updates: list[Update], rate: float) -> list[float]:
    """Feed `rate` updates/s; milliseconds from each update to its reply."""
    put_at: dict[int, float] = {}
    expected = api.sent + len(updates)
    start = time.perf_counter()
    for index, update in enumerate(updates):
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        put_at[update.effective_chat.id] = time.perf_counter()
        app.update_queue.put_nowait(update)
    await api.wait_until_sent(expected)
    return [(api.replies[chat][-1] - at) * 1000 for chat, at in put_at.items()]


def answers_from(app: Application, first_user: int, count: int, first_id: int) -> list[Update]:
    return [
        text_update(first_id + n, first_user + n, ANSWERS[n % 2], app.bot) for n in range(count)
    ]


async def compare(
    people: int, rounds: int, steady_count: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], list[float]]:
    """Echo and Datadialog side by side in one process, their bursts interleaved round by
    round so both see the same machine; then the steady-rate latency run on Datadialog."""
    echo_api, dd_api = LeanApi(), LeanApi()
    echo_rates: list[tuple[float, float]] = []
    dd_rates: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        echo = echo_app(echo_api, concurrent=True)
        datadialog = datadialog_app(dd_api, Path(folder))
        async with running(echo), running(datadialog):
            await open_preparations(datadialog, people * (rounds + 1) + steady_count)
            await burst(echo, echo_api, answers_from(echo, FIRST_USER, people, 1))  # warm-up
            await burst(datadialog, dd_api, answers_from(datadialog, FIRST_USER, people, 1))
            for round_index in range(1, rounds + 1):
                first_user = FIRST_USER + people * round_index
                first_id = 1_000_000 * round_index
                echo_updates = answers_from(echo, first_user, people, first_id)
                echo_rates.append(await burst(echo, echo_api, echo_updates))
                dd_updates = answers_from(datadialog, first_user, people, first_id)
                dd_rates.append(await burst(datadialog, dd_api, dd_updates))
            steady_first = FIRST_USER + people * (rounds + 1)
            steady_updates = answers_from(datadialog, steady_first, steady_count, 9_000_000)
            latencies = await steady(datadialog, dd_api, steady_updates, rate=200)
    return echo_rates, dd_rates, latencies


def cold_start(kind: str) -> float:
    """Seconds from launching a fresh interpreter to the first answered update."""
    with tempfile.TemporaryDirectory() as folder:
        if kind == "datadialog":  # migrate first: the figure is for an existing database
            subprocess.run(
                [sys.executable, "-m", "bench.cold_start", folder, "migrate"], check=True
            )
        started = time.time()
        result = subprocess.run(
            [sys.executable, "-m", "bench.cold_start", folder, kind],
            check=True, capture_output=True, text=True, env=_with_bytecode(),
        )  # fmt: skip
        return float(result.stdout.strip()) - started


def _with_bytecode() -> dict[str, str]:
    """This machine sets PYTHONDONTWRITEBYTECODE; a deployed bot has its .pyc files, so the
    cold start is measured with them (the first, migrating run writes them)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000, help="answers per burst")
    parser.add_argument("--rounds", type=int, default=7, help="bursts per side")
    parser.add_argument("--steady", type=int, default=2000, help="updates in the 200/s run")
    parser.add_argument("--quick", action="store_true", help="one cold start each, not three")
    args = parser.parse_args()

    echo_runs, dd_runs, latencies = asyncio.run(compare(args.people, args.rounds, args.steady))
    ratios = [dd[0] / echo[0] for dd, echo in zip(dd_runs, echo_runs, strict=True)]
    echo_cpu = statistics.median(cpu for _, cpu in echo_runs)
    dd_cpu = statistics.median(cpu for _, cpu in dd_runs)
    quantiles = statistics.quantiles(latencies, n=100)
    runs = 1 if args.quick else 3
    cold_echo = median_of(runs, lambda: cold_start("echo"))
    cold_dd = median_of(runs, lambda: cold_start("datadialog"))

    print(f"bursts of {args.people} answers from as many people, {args.rounds} rounds each")
    echo_rate = statistics.median(rate for rate, _ in echo_runs)
    dd_rate = statistics.median(rate for rate, _ in dd_runs)
    print(f"bare PTB echo                  {echo_rate:8.0f} updates/s, {echo_cpu:4.0f} µs CPU each")
    print(f"Datadialog preparation steps   {dd_rate:8.0f} updates/s, {dd_cpu:4.0f} µs CPU each "
          "(each answer committed before its reply)")  # fmt: skip
    print(f"throughput ratio               {statistics.median(ratios):8.2f}   (median of rounds "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.5)")  # fmt: skip
    print(f"CPU cost ratio                 {echo_cpu / dd_cpu:8.2f}   (echo µs / Datadialog µs)")
    print(f"latency at 200 updates/s       p50 {quantiles[49]:.1f} ms, p95 {quantiles[94]:.1f} ms, "
          f"max {max(latencies):.1f} ms   (target p95 < 20 ms)")  # fmt: skip
    print(f"cold start to first answer     echo {cold_echo:.2f} s, Datadialog {cold_dd:.2f} s "
          "(target < 1 s)")  # fmt: skip


if __name__ == "__main__":
    main()
