"""Where charts are drawn: worker processes, so drawing never stalls the event loop.

Measured here (bench/charts.py): threads hold the GIL while matplotlib draws and the loop
stalls for tens of milliseconds; separate processes keep it responsive. Workers start on the
first chart, not at start-up, and import matplotlib only then.
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
