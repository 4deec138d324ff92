"""The services every handler needs, kept in `application.bot_data` under one typed key."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import CallbackContext, ExtBot

from bot.render import Renderer
from bot.settings import Settings
from flows.i18n import Catalogue
from flows.registry import FlowRegistry
from storage.repositories import Repositories

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    repos: Repositories
    flows: FlowRegistry
    catalogue: Catalogue
    render: Renderer
    clock: Callable[[], datetime]
    chart_executor: Executor


DDContext = CallbackContext[ExtBot[None], dict, dict, dict]


def services(context: DDContext) -> Services:
    return context.application.bot_data[SERVICES_KEY]
