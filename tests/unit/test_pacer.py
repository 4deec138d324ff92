"""The reminder sender's pacer, on a fake clock: no test here waits for real time to pass.

`time.monotonic` and `asyncio.sleep` are replaced in the sender's module only, by a clock that
moves exactly as far as the pacer asks to sleep, so every start time is exact.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from bot.follow_up import sender

Pacer = sender.Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 5000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if len(self.sleeps) > 100_000:
            raise AssertionError("the pacer keeps sleeping and never lets a send start")
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # the real one: let other tasks run, as a real sleep would


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(sender, "time", SimpleNamespace(monotonic=fake.monotonic))
    monkeypatch.setattr(sender, "asyncio", SimpleNamespace(sleep=fake.sleep))
    return fake


async def _starts(fake_time: FakeTime, pacer: Pacer, chats: Sequence[int]) -> list[float]:
    """When each send may start, one after another as the sender asks (seconds from now)."""
    begin = fake_time.now
    starts = []
    for chat in chats:
        await pacer.wait_turn(chat)
        starts.append(fake_time.now - begin)
    return starts


def _most_in_one_second(starts: list[float]) -> int:
    """The most starts in any window [t, t + 1 s); the fullest window begins at a start."""
    return max(sum(1 for other in starts if start <= other < start + 1.0) for start in starts)


async def test_pacer_spreads_starts_evenly_one_over_rate_apart(fake_time):
    starts = await _starts(fake_time, Pacer(10), range(25))

    assert starts[0] == 0.0
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert gaps == pytest.approx([0.1] * 24)


@pytest.mark.parametrize("rate", [3, 30])
async def test_pacer_starts_at_most_rate_in_any_one_second_window_and_keeps_that_rate(
    fake_time, rate
):
    starts = await _starts(fake_time, Pacer(rate), range(10 * rate))

    assert _most_in_one_second(starts) == rate  # never more, and the rate is used in full
    assert starts[-1] == pytest.approx((10 * rate - 1) / rate)


async def test_pacer_keeps_each_chat_to_one_start_a_second_without_holding_up_others(fake_time):
    chats = [1, 1, 1, 2, 3, 2]

    starts = await _starts(fake_time, Pacer(30), chats)

    for chat in set(chats):
        own = [start for start, c in zip(starts, chats, strict=True) if c == chat]
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(own))
    assert starts == pytest.approx([0.0, 1.0, 2.0, 2.0 + 1 / 30, 2.0 + 2 / 30, 3.0 + 1 / 30])


async def test_pacer_first_start_and_unpaced_rate_never_sleep(fake_time):
    await Pacer(30).wait_turn(1)
    await _starts(fake_time, Pacer(0), [1] * 50)  # rate 0: unpaced (tests, the demo)

    assert fake_time.sleeps == []


async def test_pacer_forgetting_old_chats_still_paces_a_chat_whose_second_is_not_over(fake_time):
    many = 4 * sender.BATCH + 1  # enough chats to make the pacer forget the old ones
    pacer = Pacer(1000)
    starts = await _starts(fake_time, pacer, [*range(many), many - 2, 0])

    assert starts[-2] - starts[many - 2] >= 1.0  # its second was not over: still paced
    assert starts[-1] - starts[-2] == pytest.approx(1 / 1000)  # long over: goes at once
    assert len(pacer._chat_last) < 10, "chats whose second is over were kept"
