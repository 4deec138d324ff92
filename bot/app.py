"""The composition root: builds the Application, its services and every handler, in one place."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import UTC, datetime

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
from telegram.request import BaseRequest

from bot import format
from bot.charts.pool import new_chart_executor
from bot.context import SERVICES_KEY, Services
from bot.errors import on_error
from bot.follow_up import answers
from bot.follow_up.sender import ReminderSender
from bot.handlers import buttons, data, flow_input, meetings, people
from bot.handlers.common import RUNNER_KEY
from bot.meeting import agreement, commands, phases, themes, voting
from bot.meeting.kit import KIT_KEY, Kit
from bot.meeting.timers import MeetingTimers
from bot.ordering import PerChatOrderedProcessor
from bot.render import Renderer
from bot.runner import FlowRunner
from bot.settings import Settings
from flows.i18n import LANGUAGES, Catalogue
from flows.registry import FlowRegistry
from storage.db import migrate, open_engine
from storage.repositories import Repositories

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
GC_THRESHOLDS = (10_000, 100, 100)

PRIVATE_COMMANDS = {
    "start": people.on_start,
    "help": people.on_help,
    "meetings": people.on_meetings,
    "prep": meetings.on_prep,
    "newmeeting": meetings.on_newmeeting,
    "status": meetings.on_status,
    "pack": data.on_pack,
    "invites": meetings.on_invites,
    "language": people.on_language,
    "cancel": people.on_cancel,
    "myactions": answers.on_myactions,
    "reminders": answers.on_reminders,
    "cancelmeeting": answers.on_cancelmeeting,
    "workhours": answers.on_workhours,
    "timezone": answers.on_timezone,
}
GROUP_COMMANDS = {
    "linkmeeting": commands.on_linkmeeting,
    "startmeeting": commands.on_startmeeting,
    "timebox": commands.on_timebox,
    "dots": commands.on_dots,
    "start": commands.on_group_start,
}
MENU = (
    "prep", "pack", "myactions", "meetings", "newmeeting", "status", "invites", "reminders",
    "minutes", "cancelmeeting", "workhours", "timezone", "language", "cancel", "help",
)  # fmt: skip
GROUP_MENU = ("linkmeeting", "startmeeting", "timebox", "dots", "minutes")


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
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrderedProcessor(settings.max_concurrent_updates))
        .post_init(_start_services(settings, clock))
        .post_shutdown(_stop_services)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    _add_handlers(application)
    return application


def _add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    for name, callback in PRIVATE_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    for name, callback in GROUP_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=groups))
    application.add_handler(CommandHandler("minutes", commands.on_minutes))
    application.add_handler(CallbackQueryHandler(buttons.on_button))
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, flow_input.on_private_text)
    )
    application.add_handler(MessageHandler(private & filters.COMMAND, people.on_unknown_command))
    application.add_handler(
        MessageHandler(groups & filters.REPLY & ~filters.COMMAND, commands.on_group_reply)
    )
    application.add_handler(MessageHandler(groups & filters.COMMAND, commands.on_group_command))
    application.add_handler(MessageHandler(private & filters.Document.ALL, data.on_document))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, flow_input.on_non_text)
    )
    application.add_error_handler(on_error)


def _start_services(settings: Settings, clock: Clock):
    async def post_init(application: Application) -> None:
        engine = open_engine(settings.db_url, synchronous=settings.sqlite_synchronous)
        if await migrate(engine):
            log.info("database migrated to the newest schema")
        catalogue = Catalogue.load(plural_rule=format.plural_form)
        services = Services(
            settings=settings,
            engine=engine,
            repos=Repositories.on(engine),
            flows=FlowRegistry.load(catalogue),
            catalogue=catalogue,
            render=Renderer(catalogue),
            clock=clock,
            chart_executor=new_chart_executor(),
        )
        application.bot_data[SERVICES_KEY] = services
        sender = ReminderSender(
            services, application.bot, application.job_queue, rate=settings.reminder_rate
        )
        application.bot_data[answers.SENDER_KEY] = sender
        runner = FlowRunner(
            services,
            {
                meetings.NEW_MEETING_FLOW: meetings.meeting_creator(sender.planner),
                answers.NOTE_FLOW: answers.note_written(sender),
                answers.POSTPONE_FLOW: answers.postponed(sender),
                answers.MESSAGE_FLOW: answers.message_written,
            },
        )
        application.bot_data[RUNNER_KEY] = runner
        timers = MeetingTimers(
            services,
            application.bot,
            application.job_queue,
            {
                "panel": phases.panel_screen,
                "themes": themes.themes_screen,
                "ballot": voting.ballot_screen,
            },
        )
        kit = Kit(services, application.bot, timers, runner, sender.planner)
        application.bot_data[KIT_KEY] = kit
        runner.on_finish(themes.ADD_THEME_FLOW, themes.theme_written(kit))
        runner.on_finish(meetings.AGREEMENT_FLOW, agreement.agreement_written(kit))
        runner.on_finish(agreement.ACTION_FLOW, agreement.action_written(kit))
        rearmed = await timers.rearm()
        if rearmed:
            log.info("re-armed %d meeting timers", rearmed)
        recovered = await sender.start()
        if recovered:
            log.warning(
                "%d reminders were being sent when the bot stopped; sending again", recovered
            )
        await _publish_commands(application, catalogue)
        # Start-up objects (modules, flows, texts) live as long as the process: keep them out of
        # every future garbage collection pass. The caches of people and open runs make the heap
        # large, and CPython's default thresholds then spend more time in full collections than
        # in our own code: measured with bench/flow_steps, 650-690 µs CPU per answer with the
        # defaults, 440-500 µs with these.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

    return post_init


async def _publish_commands(application: Application, catalogue: Catalogue) -> None:
    for language in LANGUAGES:
        private_menu = [BotCommand(name, catalogue.text(f"menu.{name}", language)) for name in MENU]
        code = None if language == "da" else language
        await application.bot.set_my_commands(private_menu, language_code=code)
        in_groups = [
            BotCommand(name, catalogue.text(f"menu.{name}", language)) for name in GROUP_MENU
        ]
        await application.bot.set_my_commands(
            in_groups, scope=BotCommandScopeAllGroupChats(), language_code=code
        )


async def _stop_services(application: Application) -> None:
    services: Services | None = application.bot_data.get(SERVICES_KEY)
    if services is None:
        return
    await services.repos.runs.drain()
    services.chart_executor.shutdown(wait=True)
    await services.engine.dispose()
