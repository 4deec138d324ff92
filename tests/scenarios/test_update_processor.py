"""Updates through the Application's real update queue and processor, as polling delivers them.

Elsewhere the tests hand each update to `application.process_update` and wait for it, which
skips the update processor. Here people's updates are queued back to back (`telegram.queued()`),
so the processor decides what runs side by side: a chat's messages and a person's taps in the
order they came, one at a time, and different chats (and different people tapping in one group)
at the same time.

A `Probe` watches from handler groups before and after the bot's own, and holds every update
at its start until the processor has taken in all that were queued. So a serial processor is
caught (no two chats are ever seen at once; updates that bypass the processor make the hold run
out), and so is one that lets a chat's later update start before the earlier one ends (two of
that chat's updates are seen at once, and the held first one is overtaken, which shows in what
is stored).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import Application, TypeHandler

from bot.core.ordering import PerChatOrderedProcessor
from bot.fakeapi import people as fake_people
from storage.schema import answers, flow_runs, themes, users, votes
from tests.support.steps import open_ballot, plan_meeting

GROUP_ID = -1001234
HOLD_LIMIT_S = 3.0
"""How long the probe holds an update for the processor to take in the rest, at most. Only a
broken processor makes a test wait this long; a working one fills up within a few loop turns."""


def key_of(update: Update) -> int:
    """The order a processor must keep: messages per chat, button taps per person."""
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    assert update.effective_chat is not None
    return update.effective_chat.id


@dataclass
class Probe:
    """Sees each update start (before the bot's handlers) and end (after them)."""

    application: Application
    hold_for: int = 0
    hold_timed_out: bool = False
    events: list[tuple[str, int, int]] = field(default_factory=list)
    """("start" | "end", update_id, key), in the order they happened."""

    @classmethod
    def install(cls, application: Application) -> Probe:
        probe = cls(application)
        application.add_handler(TypeHandler(Update, probe._start), group=-100)
        application.add_handler(TypeHandler(Update, probe._end), group=100)
        return probe

    def hold_until_all_taken(self, queued: int) -> None:
        """Hold each update at its start until the processor has `queued` updates in flight."""
        self.hold_for = min(queued, self.application.update_processor.max_concurrent_updates)

    async def _start(self, update: Update, context: object) -> None:
        self.events.append(("start", update.update_id, key_of(update)))
        processor = self.application.update_processor
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HOLD_LIMIT_S
        while self.hold_for and processor.current_concurrent_updates < self.hold_for:
            if loop.time() > deadline:
                self.hold_timed_out = True
                break
            await asyncio.sleep(0)
        self.hold_for = 0  # once all were in, nothing more is held

    async def _end(self, update: Update, context: object) -> None:
        self.events.append(("end", update.update_id, key_of(update)))

    # What was seen ----------------------------------------------------------------------------

    def ended(self) -> list[int]:
        return [update_id for kind, update_id, _ in self.events if kind == "end"]

    def most_keys_at_once(self) -> int:
        """The most different keys (chats, tapping people) handled at the same moment."""
        active: dict[int, int] = {}
        most = 0
        for kind, update_id, key in self.events:
            if kind == "start":
                active[update_id] = key
                most = max(most, len(set(active.values())))
            else:
                del active[update_id]
        return most

    def keys_handled_two_at_once(self) -> set[int]:
        """Keys of which a second update started before the first had ended."""
        active: dict[int, int] = {}
        doubled: set[int] = set()
        for kind, update_id, key in self.events:
            if kind == "start":
                if key in active.values():
                    doubled.add(key)
                active[update_id] = key
            else:
                del active[update_id]
        return doubled

    def keys_started_out_of_order(self) -> set[int]:
        """Keys whose updates started in another order than they were queued in."""
        started: dict[int, list[int]] = {}
        for kind, update_id, key in self.events:
            if kind == "start":
                started.setdefault(key, []).append(update_id)
        return {key for key, ids in started.items() if ids != sorted(ids)}


async def _stored_answers(world, user_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each person's three-points answers as (step, value), in the order they were stored."""
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(users.c.telegram_id, answers.c.step_id, answers.c.value)
            .join(flow_runs, flow_runs.c.id == answers.c.flow_run_id)
            .join(users, users.c.id == flow_runs.c.user_id)
            .where(flow_runs.c.flow_id == "three_points", users.c.telegram_id.in_(user_ids))
            .order_by(answers.c.id)
        )
        stored: dict[int, list[tuple[str, str]]] = {}
        for telegram_id, step, value in rows:
            stored.setdefault(telegram_id, []).append((step, value))
    return stored


def _answers_of(name: str) -> list[str]:
    return [
        f"{name}: flere borgere i fritidsjob.",
        f"{name}: fremmødet falder efter tre måneder.",
        f"{name}: kan vi se tallene opdelt på alder?",
    ]


async def test_one_participants_burst_of_answers_is_stored_in_order_and_each_gets_the_next_question(
    world,
):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    jonas = world.person(202, "Jonas")
    await jonas.sends(f"/start {token}")
    assert jonas.last_text().startswith("Spørgsmål 1 af 3")
    seen_before = len(jonas.texts())
    probe = Probe.install(world.application)
    first, second, third = _answers_of("Jonas")

    probe.hold_until_all_taken(3)
    async with world.telegram.queued():
        for answer in (first, second, third):
            await jonas.sends(answer)
        assert world.application.update_queue.qsize() == 3  # queued, not handled yet

    replies = jonas.texts()[seen_before:]
    assert len(replies) == 4, replies
    assert replies[0].startswith("Spørgsmål 2 af 3\nHvor ser du en mulighed for at blive bedre?")
    assert replies[1].startswith("Spørgsmål 3 af 3")
    assert replies[2].startswith("Tak! Dine tre pointer er gemt.")
    summary = replies[-1]
    assert summary.index(first) < summary.index(second) < summary.index(third)
    assert await _stored_answers(world, [jonas.id]) == {
        jonas.id: [("positive", first), ("improve", second), ("data_question", third)]
    }
    assert len(probe.ended()) == 3
    assert probe.keys_started_out_of_order() == set()
    assert probe.keys_handled_two_at_once() == set()
    assert not probe.hold_timed_out


async def test_many_participants_answering_at_once_are_handled_side_by_side_each_chat_in_order(
    world,
):
    mette = world.person(101, "Mette", last_name="Holm")
    token, _ = await plan_meeting(mette)
    names = ["Jonas", "Aisha", "Lars", "Sofie", "Rikke", "Birgit", "Ole", "Nanna", "Emil", "Ida"]
    people = [world.person(300 + n, name) for n, name in enumerate(names)]
    for person in people:
        await person.sends(f"/start {token}")
    seen_before = {person.id: len(person.texts()) for person in people}
    probe = Probe.install(world.application)

    probe.hold_until_all_taken(3 * len(people))
    async with world.telegram.queued():
        for step in range(3):  # everyone's first answer, then everyone's second, ...
            for person, name in zip(people, names, strict=True):
                await person.sends(_answers_of(name)[step])

    stored = await _stored_answers(world, [person.id for person in people])
    for person, name in zip(people, names, strict=True):
        replies = person.texts()[seen_before[person.id] :]
        assert [reply[:16] for reply in replies[:-1]] == [
            "Spørgsmål 2 af 3",
            "Spørgsmål 3 af 3",
            "Tak! Dine tre po",
        ], name
        assert all(_answers_of(name)[n] in replies[-1] for n in range(3)), name
        assert stored[person.id] == list(
            zip(("positive", "improve", "data_question"), _answers_of(name), strict=True)
        ), name
    assert len(probe.ended()) == 3 * len(people)
    assert not probe.hold_timed_out, "the processor never held all the updates at once"
    assert probe.most_keys_at_once() == len(people), "different chats were not handled at once"
    assert probe.keys_handled_two_at_once() == set(), "a chat had two updates handled at once"
    assert probe.keys_started_out_of_order() == set()


async def test_one_persons_quick_dot_taps_keep_their_order_while_others_tap_side_by_side(world):
    jonas, aisha, lars = (
        world.person(202, "Jonas"),
        world.person(203, "Aisha"),
        world.person(204, "Lars"),
    )
    ballot = await open_ballot(
        world, GROUP_ID, [jonas, aisha, lars], ["Frafald", "Fritidsjob", "Vinter"]
    )
    dropout, jobs, winter = ballot.labels
    take_back = "↩ Tag en prik tilbage"
    taps = [
        (jonas, [dropout, jobs, take_back, winter, winter, dropout]),
        (aisha, [jobs, jobs]),
        (lars, [winter, take_back]),
    ]
    probe = Probe.install(world.application)

    probe.hold_until_all_taken(sum(len(labels) for _, labels in taps))
    async with world.telegram.queued():
        for n in range(6):  # the three tap at the same time, Jonas fastest
            for person, labels in taps:
                if n < len(labels):
                    await person.taps_in_group(ballot.group, labels[n])

    assert jonas.alerts() == [
        "Prik på: Frafald (2 tilbage)",
        "Prik på: Fritidsjob (1 tilbage)",
        "Prikken på »Fritidsjob« er taget tilbage.",
        "Prik på: Vinter (1 tilbage)",
        "Prik på: Vinter (0 tilbage)",
        "Du har brugt alle 3 prikker. Tag en tilbage, hvis du vil flytte den.",
    ]
    assert aisha.alerts() == [
        "Prik på: Fritidsjob (2 tilbage)",
        "Prik på: Fritidsjob (1 tilbage)",
    ]
    assert lars.alerts() == [
        "Prik på: Vinter (2 tilbage)",
        "Prikken på »Vinter« er taget tilbage.",
    ]
    async with world.services.engine.connect() as conn:
        rows = await conn.execute(
            select(users.c.telegram_id, themes.c.text)
            .select_from(votes)
            .join(users, users.c.id == votes.c.user_id)
            .join(themes, themes.c.id == votes.c.theme_id)
            .order_by(votes.c.id)
        )
        dots: dict[int, list[str]] = {}
        for telegram_id, text in rows:
            dots.setdefault(telegram_id, []).append(text)
    assert dots == {jonas.id: ["Frafald", "Vinter", "Vinter"], aisha.id: ["Fritidsjob"] * 2}
    assert not probe.hold_timed_out
    assert probe.keys_handled_two_at_once() == set(), "one person's taps were handled at once"
    assert probe.keys_started_out_of_order() == set()
    assert probe.most_keys_at_once() == 3, "people tapping in one group were handled in turn"


async def test_queued_updates_wait_for_handling_and_a_stalled_one_times_out_not_hangs(
    world, monkeypatch
):
    monkeypatch.setattr(fake_people, "HANDLED_WITHIN_S", 0.2)
    jonas = world.person(202, "Jonas")
    stuck = asyncio.Event()

    async def stall(update: Update, context: object) -> None:
        await asyncio.wait_for(stuck.wait(), timeout=5)  # bounded: a broken harness fails

    world.application.add_handler(TypeHandler(Update, stall), group=-1)
    try:
        with pytest.raises(TimeoutError):
            async with world.telegram.queued():
                await jonas.sends("/help")
        assert jonas.texts() == []  # queued and taken, not answered yet
    finally:
        stuck.set()  # whatever happened, let the world stop
    await world.telegram.all_handled()
    assert len(jonas.texts()) == 1


# The processor on its own, with stand-in work --------------------------------------------------


def _message(update_id: int, chat_id: int, user_id: int) -> Update:
    chat_type = Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP
    message = Message(
        update_id,
        datetime(2026, 11, 25, tzinfo=UTC),
        Chat(chat_id, chat_type),
        from_user=User(user_id, "P", False),
        text="hej",
    )
    return Update(update_id, message=message)


def _tap(update_id: int, chat_id: int, user_id: int) -> Update:
    shown = _message(update_id, chat_id, 1).message
    query = CallbackQuery(str(update_id), User(user_id, "P", False), "ci", message=shown, data="x")
    return Update(update_id, callback_query=query)


async def _turns(n: int = 20) -> None:
    """Let every runnable task run until it waits (the stand-in work awaits nothing else)."""
    for _ in range(n):
        await asyncio.sleep(0)


async def _done(*tasks: asyncio.Task[None]) -> None:
    """Wait for handling to end; a processor that deadlocks fails here instead of hanging."""
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=2)


class StandIn:
    """Work for each update that starts, then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self._release: dict[str, asyncio.Event] = {}

    def work(self, name: str, *, fails: bool = False) -> Coroutine[Any, Any, None]:
        self._release[name] = asyncio.Event()

        async def run() -> None:
            self.started.append(name)
            await self._release[name].wait()
            if fails:
                raise RuntimeError(f"{name} failed")

        return run()

    def finish(self, *names: str) -> None:
        for name in names:
            self._release[name].set()


async def test_processor_runs_keys_side_by_side_each_in_order_and_forgets_its_locks():
    processor = PerChatOrderedProcessor(max_concurrent_updates=16)
    work = StandIn()
    group, anna, bo, cara, dan = -500, 11, 12, 13, 14
    updates: list[tuple[str, object]] = [
        ("anna-1", _message(1, anna, anna)),
        ("anna-2", _message(2, anna, anna)),
        ("bo-1", _message(3, bo, bo)),
        ("group-1", _message(4, group, anna)),
        ("cara-tap-1", _tap(5, group, cara)),
        ("dan-tap-1", _tap(6, group, dan)),
        ("group-2", _message(7, group, bo)),
        ("cara-tap-2", _tap(8, group, cara)),
        ("anna-tap-1", _tap(9, group, anna)),
        ("not-an-update", object()),
    ]
    handled = [
        asyncio.create_task(processor.process_update(update, work.work(name)))
        for name, update in updates
    ]
    await _turns()

    # The first of each key at once: a chat's messages, a person's taps (even in one group).
    assert work.started == ["anna-1", "bo-1", "group-1", "cara-tap-1", "dan-tap-1",
                            "not-an-update"]  # fmt: skip
    assert processor.current_concurrent_updates == len(updates)

    work.finish("anna-1", "cara-tap-1")
    await _turns()
    assert work.started[6:] == ["anna-2", "cara-tap-2"]
    work.finish("anna-2")  # a person's private chat and their taps share one line (same id)
    await _turns()
    assert work.started[8:] == ["anna-tap-1"]
    work.finish("group-1")
    await _turns()
    assert work.started[9:] == ["group-2"]

    work.finish(*(name for name, _ in updates))
    await _done(*handled)
    assert processor.current_concurrent_updates == 0
    assert processor._locks == {}, "a lock outlived its chat's updates"
    assert processor._users == {}


async def test_processor_failing_update_lets_the_next_of_its_chat_run_and_frees_the_lock():
    processor = PerChatOrderedProcessor(max_concurrent_updates=4)
    work = StandIn()
    first = asyncio.create_task(
        processor.process_update(_message(1, 11, 11), work.work("first", fails=True))
    )
    second = asyncio.create_task(processor.process_update(_message(2, 11, 11), work.work("second")))
    await _turns()
    assert work.started == ["first"]

    work.finish("first")
    with pytest.raises(RuntimeError, match="first failed"):
        await _done(first)
    await _turns()
    assert work.started == ["first", "second"]
    work.finish("second")
    await _done(second)
    assert processor._locks == {}
    assert processor._users == {}


async def test_processor_cancelled_update_lets_the_next_of_its_chat_run_and_frees_the_lock():
    processor = PerChatOrderedProcessor(max_concurrent_updates=4)
    work = StandIn()
    first = asyncio.create_task(processor.process_update(_message(1, 11, 11), work.work("first")))
    never_run = work.work("waiting")
    waiting = asyncio.create_task(processor.process_update(_message(2, 11, 11), never_run))
    third = asyncio.create_task(processor.process_update(_message(3, 11, 11), work.work("third")))
    await _turns()
    waiting.cancel()  # cancelled while queued behind "first"
    await _turns()
    work.finish("first")
    await _done(first)
    await _turns()
    assert work.started == ["first", "third"]
    work.finish("third")
    await _done(third)
    assert waiting.cancelled()
    never_run.close()
    assert processor._locks == {}
    assert processor._users == {}
