"""Where charts are drawn: worker processes, so drawing never stalls the event loop.

Measured here with bench/charts.py, 20 charts drawn at once while the bot answers messages:
in two threads the loop stalled 90-165 ms (matplotlib holds the GIL); in two worker processes
at most 3-5 ms. Workers start on the first chart, not at start-up, and import matplotlib then.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

WORKERS = 2


def new_chart_executor() -> Executor:
    # "spawn": a forked copy of a process with an event loop and database threads is unsafe.
    return ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))


async def draw(executor: Executor, function: Callable[..., bytes], *args: Any) -> bytes:
    return await asyncio.get_running_loop().run_in_executor(executor, function, *args)
