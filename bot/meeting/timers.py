"""Timed work of a live meeting: timebox warnings and coalesced edits of the group's messages.

Both live in the `meeting_timers` table first; a JobQueue job is only the alarm clock that
calls `fire_due`, which tests and a restart call as well. A timer acts once: it is claimed in
the database before it acts, and released again if Telegram could not be reached.

Edits are coalesced because Telegram allows about 20 messages a minute in a group: a message
is edited at once if its last edit is 3 s old, otherwise once more when the 3 s are up, showing
whatever the state is then. A vote storm of 150 taps thus costs two edits, not 150.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from telegram.error import Forbidden, NetworkError
from telegram.ext import CallbackContext

from bot.core.render import Screen
from bot.core.send import edit_quietly
from bot.core.services import Services
from bot.meeting.live import Live, load
from flows.dialogue import PHASES, WARNING_BEFORE, Phase, PhaseClock, timebox_of
from storage.records import Timer

log = logging.getLogger(__name__)

REFRESH = "refresh"
WARN = "warn"
OVER = "over"
COALESCE = timedelta(seconds=3)
MAX_REMEMBERED_SCREENS = 1000

ScreenMaker = Callable[[Services, Live], Awaitable[Screen]]
"""Draws one of the group's living messages (panel, themes, ballot) from the stored state."""


class MeetingTimers:
    def __init__(self, services: Services, screens: Mapping[str, ScreenMaker]) -> None:
        self._svc = services
        self._bot = services.bot
        self._job_queue = services.job_queue
        self._screens = screens
        self._last_edit: dict[tuple[int, str], datetime] = {}
        self._pending: set[tuple[int, str]] = set()
        self._shown: dict[tuple[int, int], tuple[str, dict | None]] = {}
        """What each living message shows now, as far as this process edited it."""
        self._firing = asyncio.Lock()

    async def rearm(self) -> int:
        """At start-up: set an alarm for every timer the table holds (late ones fire at once)."""
        pending = await self._svc.repos.dialogues.pending_timers()
        for timer in pending:
            if timer.kind == REFRESH:
                self._pending.add((timer.meeting_id, timer.target))
            self._arm(timer.due_at)
        return len(pending)

    async def refresh(self, meeting_id: int, target: str) -> None:
        """Show the current state in one of the group's living messages, at most every 3 s."""
        key = (meeting_id, target)
        if key in self._pending:
            return
        now = self._svc.clock()
        last = self._last_edit.get(key)
        if last is None or now - last >= COALESCE:
            self._last_edit[key] = now
            await self._edit(meeting_id, target)
            return
        self._pending.add(key)
        timer = await self._svc.repos.dialogues.add_timer(
            meeting_id, REFRESH, target, last + COALESCE
        )
        self._arm(timer.due_at)

    async def arm_timebox(self, live: Live) -> None:
        """(Re)plan the leader's warnings for the current phase: 2 minutes before and at the end."""
        repo = self._svc.repos.dialogues
        await repo.cancel_timers(live.meeting.id, (WARN, OVER))
        dialogue = live.dialogue
        phase = Phase(dialogue.phase)
        if phase not in PHASES or dialogue.paused:
            return
        now = self._svc.clock()
        clock = PhaseClock(timedelta(seconds=dialogue.phase_elapsed_s), dialogue.phase_started_at)
        ends_at = clock.ends_at(now, timebox_of(phase, dialogue.timeboxes))
        assert ends_at is not None
        if ends_at - WARNING_BEFORE > now:
            self._arm(
                (
                    await repo.add_timer(live.meeting.id, WARN, phase, ends_at - WARNING_BEFORE)
                ).due_at
            )
        if ends_at > now:
            self._arm((await repo.add_timer(live.meeting.id, OVER, phase, ends_at)).due_at)

    async def cancel_timebox(self, meeting_id: int) -> None:
        await self._svc.repos.dialogues.cancel_timers(meeting_id, (WARN, OVER))

    async def fire_due(self) -> int:
        """Act on every timer that is due now; returns how many acted. Safe to call any time."""
        async with self._firing:
            repo = self._svc.repos.dialogues
            now = self._svc.clock()
            fired = 0
            for timer in await repo.pending_timers(due_by=now):
                if not await repo.claim_timer(timer, now):
                    continue
                try:
                    await self._act(timer, now)
                except NetworkError:  # Telegram unreachable: try again at the next firing
                    await repo.release_timer(timer)
                    log.warning("timer %s postponed: Telegram unreachable", timer.id)
                    continue
                fired += 1
            return fired

    # Internals -------------------------------------------------------------------------------

    def _arm(self, due_at: datetime) -> None:
        if self._job_queue is None:
            return
        delay = max(0.0, (due_at - self._svc.clock()).total_seconds())
        self._job_queue.run_once(self._alarm, when=delay)

    async def _alarm(self, context: CallbackContext) -> None:
        await self.fire_due()

    async def _act(self, timer: Timer, now: datetime) -> None:
        if timer.kind == REFRESH:
            key = (timer.meeting_id, timer.target)
            self._pending.discard(key)
            self._last_edit[key] = now
            await self._edit(timer.meeting_id, timer.target)
        else:
            await self._warn(timer)

    async def _edit(self, meeting_id: int, target: str) -> None:
        live = await load(self._svc, meeting_id)
        if live is None:
            return
        message_id = getattr(live.dialogue, f"{target}_message_id")
        if message_id is None:
            return
        screen = await self._screens[target](self._svc, live)
        if self._shown.get((live.chat_id, message_id)) == _content(screen):
            return  # the same again: Telegram would refuse it and still count it in the budget
        await edit_quietly(self._bot, live.chat_id, message_id, screen)
        self.posted(live.chat_id, message_id, screen)

    def posted(self, chat_id: int, message_id: int, screen: Screen) -> None:
        """Remember what a living message shows, so an edit that changes nothing is not sent."""
        self._shown[(chat_id, message_id)] = _content(screen)
        if len(self._shown) > MAX_REMEMBERED_SCREENS:
            self._shown.pop(next(iter(self._shown)))

    async def _warn(self, timer: Timer) -> None:
        live = await load(self._svc, timer.meeting_id)
        if live is None or live.dialogue.phase != timer.target or live.dialogue.paused:
            return  # the leader moved on or paused; the warning no longer applies
        render = self._svc.render
        leader = live.audience
        phase = render.text(leader, f"dialogue.phase.{timer.target}.name")
        minutes = int(
            timebox_of(Phase(timer.target), live.dialogue.timeboxes).total_seconds() // 60
        )
        key = "dialogue.timebox_warning" if timer.kind == WARN else "dialogue.timebox_over"
        text = render.text(leader, key, phase=phase, minutes=minutes, title=live.meeting.title)
        try:
            await self._bot.send_message(leader.telegram_id, text)
        except Forbidden:
            log.info("leader of meeting %s has blocked the bot", timer.meeting_id)


def _content(screen: Screen) -> tuple[str, dict | None]:
    return screen.text, screen.markup.to_dict() if screen.markup else None


def timers(svc: Services) -> MeetingTimers:
    return svc.part(MeetingTimers)
