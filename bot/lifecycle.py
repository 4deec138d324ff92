"""Start and stop an Application without an Updater, in the order run_polling uses.

Tests, the demo and the benchmarks feed updates themselves; PTB calls `post_init` only from
run_polling/run_webhook, so this mirrors that order for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
