"""Charts: render time and PNG size per chart type, and what /pack does to the event loop.

Part 1, in this process: p50/p95 render time and PNG size of each chart type the demo data
gives, drawn by the bot's own drawing function, next to a bare matplotlib bar chart (plain
matplotlib, nothing of ours, on the same pixel canvas as the bot's charts, read from their PNGs).

Part 2, the real path: the Application from `bot.app.build_application` on the lean fake Bot
API, a meeting with the demo data imported, and participants sending /pack to it. Meanwhile
other participants answer their preparation one after another (each waits for its right reply,
the next question, then 5 ms), and a ticker measures how late the event loop wakes up. The same
bot and stream with no /pack in flight is the baseline, measured in the same run for as long as
the /pack window lasted. A /pack counts only if its chat got the pack's intro text and every
chart as a PNG. Windows: the first /pack after start (the chart worker processes start), then
several /pack at once with the worker processes warm (as shipped), then the same with the bot's
chart executor swapped for 2 threads, to show why it uses processes.

Targets: render p95 < 200 ms, PNG < 200 KB, loop stall < 50 ms.

    python -m bench.charts
    python -m bench.charts --quick
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application

from bench import _bot_internals as internals
from bench.flow_steps import (
    ANSWERS,
    FIRST_USER,
    datadialog_app,
    next_question_checks,
    open_preparations,
)
from bench.lean_api import TOKEN, Check, LeanApi, png_size, text_update
from bot.demo import SAMPLE_DATA
from bot.lifecycle import running
from bot.settings import Settings

PACKERS = 4
"""Participants who send /pack at once (4 x the demo data's 5 charts = 20 charts)."""
FIRST_PACKER = 90_000
PAUSE_S = 0.005
WAIT_S = 120.0


# Part 1: render time and size ---------------------------------------------------------------


def bare_bar_chart(size: tuple[int, int]) -> bytes:
    """The baseline: a plain matplotlib bar chart of `size` pixels, exported as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    FigureCanvasAgg(figure)
    figure.add_subplot().bar(["A", "B", "C"], [3, 5, 2])
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def timed(function: Callable[..., bytes], *args: object) -> tuple[float, bytes]:
    started = time.perf_counter()
    png = function(*args)
    return (time.perf_counter() - started) * 1000, png


def per_type(runs: int) -> None:
    plans = internals.chart_plans(SAMPLE_DATA.name, SAMPLE_DATA.read_bytes())
    first = internals.render_chart(plans[0])  # imports and font cache outside the timing
    canvas = png_size(first)
    assert canvas is not None
    bare_bar_chart(canvas)
    rows = [("bare matplotlib bar chart", [timed(bare_bar_chart, canvas) for _ in range(runs)])]
    for plan in plans:
        internals.render_chart(plan)
        rows.append(
            (internals.chart_kind(plan), [timed(internals.render_chart, plan) for _ in range(runs)])
        )
    print(f"{runs} renders each, in this process, {canvas[0]}x{canvas[1]} px")
    print(f"{'chart':28} {'p50 ms':>8} {'p95 ms':>8} {'PNG KB':>8} {'p95 / bare':>11}")
    bare95 = None
    for name, samples in rows:
        times = sorted(t for t, _ in samples)
        p95 = statistics.quantiles(times, n=20)[18]
        bare95 = bare95 or p95
        kb = max(len(png) for _, png in samples) / 1024
        print(f"{name:28} {statistics.median(times):8.1f} {p95:8.1f} {kb:8.1f} "
              f"{p95 / bare95:10.1f}x")  # fmt: skip


# Part 2: /pack through the real bot ---------------------------------------------------------


@dataclass
class Window:
    name: str
    seconds: float
    stall_ms: float
    reply_p95_ms: float
    replies: int
    right_replies: int
    packs_right: int | None = None
    packs: int | None = None


class Stream:
    """Participants answering their first preparation question, one new person each time."""

    def __init__(self, app: Application, api: LeanApi, first_user: int, people: int) -> None:
        self.app, self.api = app, api
        self.checks = next_question_checks(app)
        self._users: Iterator[int] = iter(range(first_user, first_user + people))
        self._update_id = 1

    def next(self) -> tuple[Update, Check] | None:
        user = next(self._users, None)
        if user is None:
            return None
        self._update_id += 1
        answer = ANSWERS[user % 2]
        return text_update(self._update_id, user, answer, self.app.bot), self.checks[answer]


async def window(
    name: str, stream: Stream, action: Callable[[], Awaitable[tuple[int, int] | None]]
) -> Window:
    """Run `action` while the stream talks and the ticker watches the loop."""
    api, app = stream.api, stream.app
    stalls: list[float] = []
    latencies: list[float] = []
    sent = 0
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append((time.perf_counter() - before - 0.001) * 1000)

    async def talk() -> None:
        nonlocal sent
        while not done.is_set():
            step = stream.next()
            if step is None:
                return
            update, check = step
            chat = update.effective_chat.id
            api.expect(chat, check)
            put = time.perf_counter()
            app.update_queue.put_nowait(update)
            sent += 1
            if await api.until(lambda chat=chat: chat in api.right, WAIT_S):
                latencies.append((api.right[chat] - put) * 1000)
            await asyncio.sleep(PAUSE_S)

    watchers = [asyncio.create_task(ticker()), asyncio.create_task(talk())]
    started = time.perf_counter()
    packs = await action()
    seconds = time.perf_counter() - started
    done.set()
    await asyncio.gather(*watchers)
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else float("nan")
    result = Window(name, seconds, max(stalls), p95, sent, len(latencies))
    if packs is not None:
        result.packs_right, result.packs = packs
    return result


async def packs_at_once(
    app: Application, api: LeanApi, packers: list[int], intro: str, charts: int
) -> tuple[int, int]:
    """`packers` send /pack at once; (right packs: intro text and every chart as a PNG, sent)."""
    for user in packers:
        api.photos.pop(user, None)
        api.expect(user, lambda text: text == intro)
        app.update_queue.put_nowait(text_update(FIRST_PACKER + user, user, "/pack", app.bot))

    def pack_done(user: int) -> bool:
        return user in api.right and len(api.photos.get(user, ())) >= charts

    await api.until(lambda: all(pack_done(user) for user in packers), WAIT_S)
    right = [
        user for user in packers if pack_done(user)
        and all(png_size(png) and caption for _, png, caption in api.photos[user])
    ]  # fmt: skip
    return len(right), len(packers)


async def pack_windows(people: int) -> tuple[list[Window], list[int]]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, data_dir=Path(folder), token=SecretStr(TOKEN))
        api = LeanApi()
        app = datadialog_app(api, settings)
        async with running(app):
            meeting_id = await open_preparations(app, people)
            charts = await internals.import_data(
                app, meeting_id, SAMPLE_DATA.name, SAMPLE_DATA.read_bytes()
            )
            repos, now = internals.repos(app), internals.now(app)
            meeting = await repos.meetings.get(meeting_id)
            assert meeting is not None
            invite = await repos.invites.issue(
                meeting_id, "participant", expires_at=meeting.starts_at, now=now
            )
            packers = list(range(FIRST_PACKER, FIRST_PACKER + PACKERS + 1))
            for user in packers:
                person = await repos.people.ensure(user, f"P{user}", "da", meeting.time_zone, now)
                await repos.invites.redeem(invite.token, person, now)
            intro = internals.text(app, "pack.intro", title=meeting.title, count=charts)
            stream = Stream(app, api, FIRST_USER, people)
            # warm the stream's path up (statement caches) outside every window
            await window("warm-up", stream, lambda: asyncio.sleep(0.3))

            windows = [
                await window(
                    "first /pack after start (workers start)",
                    stream,
                    lambda: packs_at_once(app, api, packers[:1], intro, charts),
                )
            ]
            together = packers[1:]
            shipped = await window(
                f"{len(together)} x /pack at once, 2 worker processes (as shipped)",
                stream,
                lambda: packs_at_once(app, api, together, intro, charts),
            )
            idle = await window(
                "no /pack (baseline)", stream, lambda: asyncio.sleep(shipped.seconds)
            )
            threads = ThreadPoolExecutor(2)
            shipped_executor = internals.swap_chart_executor(app, threads)
            try:
                in_threads = await window(
                    f"{len(together)} x /pack at once, 2 threads (swapped in)",
                    stream,
                    lambda: packs_at_once(app, api, together, intro, charts),
                )
            finally:
                internals.swap_chart_executor(app, shipped_executor)
                threads.shutdown()
            windows = [idle, *windows, shipped, in_threads]
            sizes = [len(png) for user in packers for _, png, _ in api.photos[user]]
    return windows, sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10 renders per chart, not 30")
    parser.add_argument("--people", type=int, default=3000, help="participants in the stream")
    args = parser.parse_args()
    per_type(10 if args.quick else 30)
    print()
    windows, sizes = asyncio.run(pack_windows(args.people))
    baseline = windows[0]
    print("/pack through the real bot (build_application, lean fake Bot API, no rate limiter); "
          "the demo data imported;")  # fmt: skip
    print("meanwhile other participants answer their preparation one at a time (right reply = "
          "the next question)")  # fmt: skip
    print(f"{'window':52} {'took s':>7} {'stall ms':>9} {'x base':>7} {'reply p95':>10} "
          f"{'right replies':>14} {'right /pack':>12}")  # fmt: skip
    for w in windows:
        packs = f"{w.packs_right}/{w.packs}" if w.packs is not None else "-"
        print(f"{w.name:52} {w.seconds:7.2f} {w.stall_ms:9.1f} "
              f"{w.stall_ms / baseline.stall_ms:6.1f}x {w.reply_p95_ms:7.1f} ms "
              f"{w.right_replies:>8}/{w.replies:<5} {packs:>12}")  # fmt: skip
    print(f"PNG sizes as sent by /pack     {min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f} KB "
          f"({len(sizes)} charts; targets: stall < 50 ms, PNG < 200 KB)")  # fmt: skip


if __name__ == "__main__":
    main()
