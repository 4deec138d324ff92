"""How long data is kept: the cut-offs from the settings, and the daily job that applies them
(`datadialog purge` does the same work by hand)."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.services import DDContext, Services, services
from bot.settings import Settings
from storage.repositories.privacy import Cutoffs

log = logging.getLogger(__name__)

JOB_NAME = "privacy.retention"
RUNS_AT = time(3, 0)
"""Local time of the daily purge: a quiet hour, away from the 9 o'clock nudges."""


def cutoffs(settings: Settings, now: datetime) -> Cutoffs:
    def before(days: int) -> datetime:
        return now - timedelta(days=days)

    return Cutoffs(
        meetings=before(settings.retain_meetings_days),
        answers=before(settings.retain_answers_days),
        free_text=before(settings.retain_free_text_days),
        logs=before(settings.retain_logs_days),
    )


async def enforce(svc: Services) -> dict[str, int]:
    """Delete what is older than the settings allow; rows per table."""
    counts = await svc.repos.privacy.purge(cutoffs(svc.settings, svc.clock()), dry_run=False)
    gone = {table: count for table, count in counts.items() if count}
    log.info("retention: %s", gone or "nothing was old enough to go")
    return counts


async def _daily(context: DDContext) -> None:
    await enforce(services(context))


async def start(svc: Services) -> None:
    """Arm the daily job (one, replaced on restart; without a job queue there is none)."""
    if svc.job_queue is None:
        return
    for job in svc.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    at = RUNS_AT.replace(tzinfo=ZoneInfo(svc.settings.time_zone))
    svc.job_queue.run_daily(_daily, at, name=JOB_NAME)
