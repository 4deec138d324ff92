"""Chart rendering: time and size per chart type, and what drawing does to the event loop.

Prints p50/p95 render time and PNG size per chart type next to a bare matplotlib bar chart
drawn the same way (the baseline), then the event loop's worst stall while 20 charts render
at once and a bot answers a stream of text updates, with the charts drawn in threads and in
the worker processes Datadialog uses. Targets: p95 < 200 ms, PNG < 200 KB, stall < 50 ms.

    python -m bench.charts
"""

from __future__ import annotations

import asyncio
import statistics
import time
from concurrent.futures import Executor, ThreadPoolExecutor

from bench.flow_steps import FIRST_USER, answers_from, echo_app
from bench.lean_api import LeanApi
from bot.charts import draw, style
from bot.charts.plans import OTHERS, ChartPlan, plans_for
from bot.charts.pool import new_chart_executor
from bot.dataset.reader import read_file
from bot.demo import SAMPLE_DATA
from bot.lifecycle import running

LABELS = {OTHERS: "Øvrige"}
RUNS = 30


def bare_bar_chart(_: object = None) -> bytes:
    """The baseline: one plain bar chart, same canvas and PNG export."""
    figure = style.new_figure()
    figure.add_subplot().bar(["A", "B", "C"], [3, 5, 2])
    return style.to_png(figure)


def timed(function, *args) -> tuple[float, int]:
    started = time.perf_counter()
    png = function(*args)
    return (time.perf_counter() - started) * 1000, len(png)


def per_type(plans: list[ChartPlan]) -> None:
    bare_bar_chart()  # imports and font cache outside the timing
    rows = [("bare matplotlib bar chart", [timed(bare_bar_chart) for _ in range(RUNS)])]
    for plan in plans:
        draw.render_png(plan, LABELS, "da")
        rows.append(
            (plan.kind.value, [timed(draw.render_png, plan, LABELS, "da") for _ in range(RUNS)])
        )
    print(f"{'chart':28} {'p50 ms':>8} {'p95 ms':>8} {'PNG KB':>8}")
    for name, samples in rows:
        times = sorted(t for t, _ in samples)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{name:28} {statistics.median(times):8.1f} {p95:8.1f} {samples[0][1] / 1024:8.1f}")


async def loop_stall(executor: Executor, plans: list[ChartPlan]) -> tuple[float, float]:
    """(worst loop stall ms, p95 update-to-reply ms) while 20 charts render."""
    api = LeanApi()
    app = echo_app(api, concurrent=True)
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(executor, bare_bar_chart) for _ in range(4)))
    stalls: list[float] = []
    latencies: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append((time.perf_counter() - before - 0.001) * 1000)

    stream = answers_from(app, FIRST_USER + 1, 400, 2)  # built before the clock starts

    async def talk() -> None:
        for update in stream:
            if done.is_set():
                break
            sent_before = api.sent
            put = time.perf_counter()
            app.update_queue.put_nowait(update)
            await api.wait_until_sent(sent_before + 1)
            latencies.append((time.perf_counter() - put) * 1000)
            await asyncio.sleep(0.005)

    async with running(app):
        app.update_queue.put_nowait(answers_from(app, FIRST_USER, 1, 1)[0])  # warm the bot up
        await api.wait_until_sent(1)
        jobs = [plans[i % len(plans)] for i in range(20)]
        watchers = [asyncio.create_task(ticker()), asyncio.create_task(talk())]
        await asyncio.gather(
            *(loop.run_in_executor(executor, draw.render_png, plan, LABELS, "da") for plan in jobs)
        )
        done.set()
        await asyncio.gather(*watchers)
    return max(stalls), statistics.quantiles(latencies, n=20)[18]


def main() -> None:
    plans = plans_for(read_file(SAMPLE_DATA.name, SAMPLE_DATA.read_bytes()).points)
    per_type(plans)
    print()
    for name, make in (("2 threads", lambda: ThreadPoolExecutor(2)),
                       ("2 worker processes (used)", new_chart_executor)):  # fmt: skip
        executor = make()
        try:
            stall, latency = asyncio.run(loop_stall(executor, plans))
        finally:
            executor.shutdown()
        print(f"20 charts in {name:26} loop stall max {stall:6.1f} ms, "
              f"reply p95 {latency:6.1f} ms   (target stall < 50 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
