"""The one paced sender: drains due reminders from the table in order, within Telegram's limits.

The table is the schedule. A JobQueue (APScheduler) job is only an alarm clock for the earliest
due reminder, run however late it fires (no misfire grace), plus a sweep every minute; whatever
wakes it, `deliver_due` sends everything that is due, oldest first. Ten thousand reminders due
at 09:00 are ten thousand rows and one alarm, not ten thousand jobs, so none can be dropped for
starting late, and they wait on disk rather than in memory.

Pacing is ours: AIORateLimiter keeps groups and the whole bot within limits but does not keep a
private chat to one message a second, and 10,000 sends queued inside it would all be in memory.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import CallbackContext

from bot.core.render import Screen
from bot.core.services import Services
from bot.follow_up.notices import Notices
from bot.follow_up.planning import SILENCE_GRACE, FollowUpPlanner
from storage.records import Person, Reminder
from storage.repositories.reminders import FAILED, SENT, SKIPPED

log = logging.getLogger(__name__)

BATCH = 200
UNPACED_IN_FLIGHT = 16
"""Sends awaiting Telegram at once when unpaced (tests, the demo)."""
MAX_ATTEMPTS = 8
SWEEP_SECONDS = 60
PER_CHAT_GAP = 1.0


class Pacer:
    """At most `rate` starts in any one-second window, evenly spread; one per chat per second."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._starts: deque[float] = deque()
        self._chat_last: dict[int, float] = {}

    async def wait_turn(self, chat_id: int) -> None:
        if not self._rate:
            return
        while True:
            now = time.monotonic()
            while self._starts and now - self._starts[0] >= 1.0:
                self._starts.popleft()
            waits = [0.0]
            if len(self._starts) >= self._rate:
                waits.append(self._starts[0] + 1.0 - now)
            if self._starts:
                waits.append(self._starts[-1] + 1.0 / self._rate - now)
            if chat_id in self._chat_last:
                waits.append(self._chat_last[chat_id] + PER_CHAT_GAP - now)
            wait = max(waits)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        now = time.monotonic()
        self._starts.append(now)
        self._chat_last[chat_id] = now
        if len(self._chat_last) > 4 * BATCH:  # forget chats whose second is long over
            self._chat_last = {c: t for c, t in self._chat_last.items() if now - t < PER_CHAT_GAP}


class ReminderSender:
    def __init__(self, services: Services, *, rate: float) -> None:
        self._svc = services
        self._bot = services.bot
        self._job_queue = services.job_queue
        self._pacer = Pacer(rate)
        # Enough sends in flight to keep the rate with ~100 ms round trips, and no more: a
        # crash leaves at most these few in doubt (see storage/repositories/reminders.py).
        self._in_flight = (
            max(1, min(UNPACED_IN_FLIGHT, math.ceil(rate / 10))) if rate else UNPACED_IN_FLIGHT
        )
        self.notices = Notices(services)
        self._draining = asyncio.Lock()
        self._checking_silence = asyncio.Lock()
        """Sends run side by side; deciding to escalate a silence must not."""
        self.planner = FollowUpPlanner(services, self.arm)

    async def start(self) -> int:
        """At start-up: take back what a crash left half-sent, then wake for what is due."""
        recovered = await self._svc.repos.reminders.recover_in_flight()
        if self._job_queue is not None:
            self._job_queue.run_repeating(
                self._alarm, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="reminder-sweep"
            )
        next_due = await self._svc.repos.reminders.next_due_at()
        if next_due is not None:
            self.arm(next_due)
        return recovered

    def arm(self, due_at: datetime) -> None:
        """Wake the sender at `due_at` (at once if it has passed)."""
        if self._job_queue is None:
            return
        delay = max(0.0, (due_at - self._svc.clock()).total_seconds())
        self._job_queue.run_once(self._alarm, when=delay, job_kwargs={"misfire_grace_time": None})

    async def _alarm(self, context: CallbackContext) -> None:
        if self._draining.locked():
            return  # a drain is running; it takes whatever fell due meanwhile
        await self.deliver_due()
        next_due = await self._svc.repos.reminders.next_due_at()
        if next_due is not None and next_due > self._svc.clock():
            self.arm(next_due)

    async def deliver_due(self) -> int:
        """Send every reminder due now, oldest first; returns how many were sent."""
        repos = self._svc.repos
        async with self._draining:
            sent = 0
            while batch := await repos.reminders.due(self._svc.clock(), BATCH):
                claimed = await repos.reminders.claim(batch)
                people = await repos.people.get_many({r.user_id for r in claimed})
                slots = asyncio.Semaphore(self._in_flight)
                tasks = []
                for reminder in claimed:
                    person = people.get(reminder.user_id)
                    if person is None:
                        await repos.reminders.finish(reminder, FAILED, self._svc.clock())
                        continue
                    await slots.acquire()
                    await self._pacer.wait_turn(person.telegram_id)
                    tasks.append(asyncio.create_task(self._deliver(reminder, person, slots)))
                sent += sum(await asyncio.gather(*tasks))
            return sent

    async def _deliver(self, reminder: Reminder, person: Person, slots: asyncio.Semaphore) -> bool:
        try:
            sent = await self._send(reminder, person)
        finally:
            slots.release()
        if sent:
            await self._after_sending(reminder, person)
        return sent

    async def _send(self, reminder: Reminder, person: Person) -> bool:
        """Draw and send one reminder, and record how it went; True if it was sent."""
        repo = self._svc.repos.reminders
        try:
            now = self._svc.clock()
            screen = await self.notices.screen(reminder, person, now)
            if screen is None:
                await repo.finish(reminder, SKIPPED, now)
                return False
            message = await self._bot.send_message(
                person.telegram_id, screen.text, reply_markup=screen.markup
            )
            await repo.finish(reminder, SENT, self._svc.clock(), message.message_id)
            return True
        except Forbidden:
            await repo.finish(reminder, FAILED, self._svc.clock())
            await self._unreachable(reminder, person)
        except RetryAfter as error:
            await repo.retry(reminder, self._svc.clock() + _seconds(error.retry_after))
        except BadRequest:
            log.exception("reminder %s refused by Telegram", reminder.id)
            await repo.finish(reminder, FAILED, self._svc.clock())
        except NetworkError:
            if reminder.attempts + 1 >= MAX_ATTEMPTS:
                log.error("reminder %s failed %d times; giving up", reminder.id, MAX_ATTEMPTS)
                await repo.finish(reminder, FAILED, self._svc.clock())
            else:
                backoff = timedelta(seconds=min(600, 5 * 2**reminder.attempts))
                await repo.retry(reminder, self._svc.clock() + backoff)
                self.arm(self._svc.clock() + backoff)
        except Exception:  # a bug in drawing one reminder must not stop the others
            log.exception("reminder %s could not be drawn", reminder.id)
            await repo.finish(reminder, FAILED, self._svc.clock())
        return False

    async def _after_sending(self, reminder: Reminder, person: Person) -> None:
        """Work that follows a sent reminder; it is sent and stays sent whatever happens here."""
        try:
            await self._retire_earlier_nudges(reminder, person)
            await self._after_sent(reminder)
        except Exception:
            log.exception("after reminder %s was sent", reminder.id)

    async def _retire_earlier_nudges(self, reminder: Reminder, person: Person) -> None:
        """A new nudge replaces the one before it: the old one's buttons are taken away, so
        the owner's chat shows one question to answer, not a pile of them."""
        if reminder.kind != "nudge" or reminder.action_id is None:
            return
        repo = self._svc.repos.reminders
        for reminder_id, message_id in await repo.earlier_nudge_messages(reminder):
            try:
                await self._bot.edit_message_reply_markup(
                    person.telegram_id, message_id, reply_markup=None
                )
            except BadRequest as error:  # answered (no buttons left) or deleted by the owner
                log.debug("nudge %s kept as it was: %s", reminder_id, error)
            await repo.forget_message(reminder_id)

    async def _after_sent(self, reminder: Reminder) -> None:
        """Two nudges in a row without an answer: the follow-up person hears 2 days later
        (once per silence; cancelled if the owner answers first)."""
        if reminder.kind != "nudge" or reminder.action_id is None:
            return
        repos = self._svc.repos
        async with self._checking_silence:
            unanswered, told = await repos.reminders.silence(reminder.action_id)
            if unanswered >= 2 and not told:
                action = await repos.agreements.action(reminder.action_id)
                if action is not None:
                    await self.planner.escalation(action, "silence", after=SILENCE_GRACE)

    async def _unreachable(self, reminder: Reminder, person: Person) -> None:
        """Blocked the bot: stop trying, and tell the leader (and the follow-up person)."""
        repos = self._svc.repos
        await repos.people.set_reachable(person, False)
        meeting = await repos.meetings.get(reminder.meeting_id) if reminder.meeting_id else None
        action = await repos.agreements.action(reminder.action_id) if reminder.action_id else None
        told = {person.id}
        for recipient_id in (
            meeting.created_by if meeting else None,
            action.follow_up_id if action else None,
        ):
            if recipient_id is None or recipient_id in told:
                continue
            told.add(recipient_id)
            recipient = await repos.people.get(recipient_id)
            if recipient is None:
                continue
            key = "followup.unreachable_action" if action else "followup.unreachable"
            text = self._svc.render.text(
                recipient, key, name=person.display_name,
                description=action.description if action else "",
                title=meeting.title if meeting else "",
            )  # fmt: skip
            try:
                await self._bot.send_message(recipient.telegram_id, Screen(text).text)
            except (Forbidden, NetworkError):
                log.warning("could not tell %s that %s is unreachable", recipient.id, person.id)


def _seconds(value: float | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
