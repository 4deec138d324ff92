"""The composition root: builds the Application, its services and every capability, in one place.

Capabilities are listed in `CAPABILITIES`; each brings its own commands, buttons, flow hooks
and parts. This module only wires them: who comes first in the menu, and the handlers that
apply to every capability (answers to flows, unknown commands, errors).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from telegram import BotCommand, BotCommandScopeAllGroupChats
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import agreement, basics, data, follow_up, meeting, preparation, privacy
from bot.charts.pool import new_chart_executor
from bot.core import flow_input, format
from bot.core.capability import Capability
from bot.core.errors import on_error
from bot.core.inbox import Inbox, InboxRequest
from bot.core.ordering import PerChatOrderedProcessor
from bot.core.render import Renderer
from bot.core.routing import ButtonRouter, GroupRefusals, guarded
from bot.core.runner import FlowRunner
from bot.core.services import SERVICES_KEY, Services
from bot.settings import Settings
from flows.i18n import LANGUAGES, Catalogue
from flows.registry import FlowRegistry
from storage.db import migrate, open_engine
from storage.repositories import Repositories

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
GC_THRESHOLDS = (10_000, 100, 100)
INBOX_KEEPS_DONE = timedelta(days=2)
"""Done updates are kept (without their contents) this long, to know a redelivered one."""

FLOWS = Capability(
    name="flows",
    buttons=flow_input.BUTTONS,
)
"""The flow runner's own buttons: answer, multiple choice done, skip, change, start over."""
CAPABILITIES: tuple[Capability, ...] = (
    FLOWS,
    data.CAPABILITY,
    follow_up.CAPABILITY,
    meeting.CAPABILITY,
    preparation.CAPABILITY,
    agreement.CAPABILITY,
    privacy.CAPABILITY,
    basics.CAPABILITY,
)
"""Each after those it calls, which is also the order they start in (follow-up's sender exists
before preparation teaches it its reminders)."""
MENU_ORDER = ("preparation", "data", "follow_up", "meeting", "privacy", "basics")
"""The order of the command menu in Telegram: preparing first, settings last."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock = utc_now,
    rate_limiter: AIORateLimiter | None = None,
) -> Application:
    """The whole bot. `request` replaces the HTTP client (tests and the demo pass a fake)."""
    token = settings.token.get_secret_value() if settings.token else None
    if not token:
        raise ValueError("DATADIALOG_TOKEN is not set")
    inbox = Inbox()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrderedProcessor(settings.max_concurrent_updates, inbox))
        .post_init(_start_services(settings, clock, CAPABILITIES, inbox))
        .post_shutdown(_stop_services)
    )
    polling = request or HTTPXRequest(connection_pool_size=1)
    builder = builder.get_updates_request(InboxRequest(polling, inbox))
    if request is not None:
        builder = builder.request(request)
    application = builder.build()
    add_handlers(application, CAPABILITIES)
    return application


def add_handlers(application: Application, capabilities: Sequence[Capability]) -> None:
    """Commands first (private, group, any chat), then buttons, then what else each
    capability reads, then the catch-alls."""
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    refusals = GroupRefusals()
    claimed: dict[str, str] = {}
    for capability in capabilities:
        for scope, commands, chat in (
            ("private", capability.private_commands, private),
            ("group", capability.group_commands, groups),
            ("any", capability.any_chat_commands, None),
        ):
            for name, callback in commands.items():
                for key in _command_keys(scope, name):
                    if key in claimed:
                        raise ValueError(
                            f"/{name} of {capability.name} is already claimed by {claimed[key]}"
                        )
                    claimed[key] = capability.name
                application.add_handler(
                    CommandHandler(name, guarded(callback, refusals), filters=chat)
                )
    router = ButtonRouter(capabilities)
    application.add_handler(CallbackQueryHandler(router.on_button))
    application.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            guarded(flow_input.on_private_text, refusals),
        )
    )
    application.add_handler(
        MessageHandler(private & filters.COMMAND, guarded(basics.UNKNOWN_COMMAND, refusals))
    )
    for capability in capabilities:
        for which, callback in capability.messages:
            application.add_handler(MessageHandler(which, guarded(callback, refusals)))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, flow_input.on_non_text)
    )
    application.add_error_handler(on_error)


def _command_keys(scope: str, name: str) -> Iterable[tuple[str, str]]:
    """A command in any chat collides with the same command in private or in groups."""
    if scope == "any":
        return (("private", name), ("group", name))
    return ((scope, name),)


def _start_services(
    settings: Settings, clock: Clock, capabilities: Sequence[Capability], inbox: Inbox
):
    async def post_init(application: Application) -> None:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        if await migrate(engine):
            log.info("database migrated to the newest schema")
        catalogue = Catalogue.load(plural_rule=format.plural_form)
        svc = Services(
            settings=settings,
            engine=engine,
            repos=Repositories.on(engine),
            flows=FlowRegistry.load(catalogue),
            catalogue=catalogue,
            render=Renderer(catalogue),
            clock=clock,
            chart_executor=new_chart_executor(),
            bot=application.bot,
            job_queue=application.job_queue,
        )
        svc.runner = FlowRunner(svc)
        application.bot_data[SERVICES_KEY] = svc
        for capability in capabilities:
            for flow_id, hook in capability.finish_hooks.items():
                svc.runner.on_finish(flow_id, hook)
            for rule in capability.edit_rules:
                svc.runner.add_edit_rule(rule)
            for flow_id, source in capability.suggestions.items():
                svc.runner.add_suggestion(flow_id, source)
        for capability in capabilities:
            if capability.startup is not None:
                await capability.startup(svc)
        inbox.attach(svc.repos.inbox, clock)
        svc.add_part(inbox)
        await svc.repos.inbox.forget_done(clock() - INBOX_KEEPS_DONE)
        await inbox.replay(application)
        await _publish_commands(application, catalogue, capabilities)
        # Start-up objects (modules, flows, texts) live as long as the process: keep them out of
        # every future garbage collection pass. The caches of people and open runs make the heap
        # large, and CPython's default thresholds then spend more time in full collections than
        # in our own code: measured with bench/flow_steps, 650-690 µs CPU per answer with the
        # defaults, 440-500 µs with these.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

    return post_init


async def _publish_commands(
    application: Application, catalogue: Catalogue, capabilities: Sequence[Capability]
) -> None:
    by_name = {capability.name: capability for capability in capabilities}
    in_order = [by_name[name] for name in MENU_ORDER]
    private_menu = [name for capability in in_order for name in capability.menu]
    group_menu = [name for capability in in_order for name in capability.group_menu]
    for language in LANGUAGES:
        code = None if language == "da" else language
        await application.bot.set_my_commands(
            [BotCommand(name, catalogue.text(f"menu.{name}", language)) for name in private_menu],
            language_code=code,
        )
        await application.bot.set_my_commands(
            [BotCommand(name, catalogue.text(f"menu.{name}", language)) for name in group_menu],
            scope=BotCommandScopeAllGroupChats(),
            language_code=code,
        )


async def _stop_services(application: Application) -> None:
    services: Services | None = application.bot_data.get(SERVICES_KEY)
    if services is None:
        return
    await services.repos.runs.drain()
    await services.repos.inbox.drain()
    services.chart_executor.shutdown(wait=True)
    await services.engine.dispose()
