"""The baselines: bare python-telegram-bot bots, nothing of Datadialog's in them.

This module imports only the standard library, python-telegram-bot and `bench.lean_api` (which
imports nothing of ours either), so a process that runs a baseline from here is bare PTB;
`bench.cold_start` checks that in the baseline's own process. Updates are processed by PTB's own
processor (`concurrent_updates(n)` gives a `SimpleUpdateProcessor`), and the application is
started and stopped the way PTB's own `run_polling` does, without our `bot.lifecycle`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bench.lean_api import TOKEN, LeanApi

CONCURRENT_UPDATES = 64
"""As many updates at once as Datadialog's default (Settings.max_concurrent_updates)."""


def no_rate_limit() -> AIORateLimiter:
    """PTB's rate limiter with both limits off: the fake Telegram has no limits to keep."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0)


def telegram_rate_limit() -> AIORateLimiter:
    """PTB's rate limiter as Datadialog configures it by default (Telegram's limits)."""
    return AIORateLimiter(max_retries=3)


async def echo(update: Update, context) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def answer_only(update: Update, context) -> None:
    await update.callback_query.answer()


def _builder(api: LeanApi, rate_limiter: AIORateLimiter) -> ApplicationBuilder:
    builder = ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api)
    return builder.updater(None).rate_limiter(rate_limiter)


def echo_app(api: LeanApi, *, concurrent: bool) -> Application:
    """Echo every text message; `concurrent`: PTB's SimpleUpdateProcessor, 64 at a time."""
    builder = _builder(api, no_rate_limit())
    if concurrent:
        builder = builder.concurrent_updates(CONCURRENT_UPDATES)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def answering_app(api: LeanApi) -> Application:
    """Answer every button tap (answerCallbackQuery, no text), 64 at a time."""
    builder = _builder(api, telegram_rate_limit()).concurrent_updates(CONCURRENT_UPDATES)
    app = builder.build()
    app.add_handler(CallbackQueryHandler(answer_only))
    return app


@asynccontextmanager
async def running_bare(app: Application) -> AsyncIterator[Application]:
    """Start and stop like PTB's run_polling, minus the polling."""
    async with app:
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


def rate_limiter_name(app: Application) -> str:
    limiter = app.bot.rate_limiter
    return type(limiter).__name__ if limiter is not None else "no rate limiter"


def processor_name(app: Application) -> str:
    """Which update processor an application really uses, and how many updates at once."""
    processor = app.update_processor
    return f"{type(processor).__name__}({processor.max_concurrent_updates})"
