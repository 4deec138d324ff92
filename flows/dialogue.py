"""The dialogue's rules, free of Telegram and storage: the phase order, timeboxes, dot votes.

Seed 001 runs a meeting as four steps and ends it with a written agreement; we make the
agreement a fifth phase so it gets its own timebox. The leader moves through them in order,
may jump or go back, and may pause the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    SINCE_LAST = "since_last"
    EXPLORE = "explore"
    INTERPRET = "interpret"
    PREPARE = "prepare"
    AGREEMENT = "agreement"
    FINISHED = "finished"


PHASES: tuple[Phase, ...] = (
    Phase.SINCE_LAST,
    Phase.EXPLORE,
    Phase.INTERPRET,
    Phase.PREPARE,
    Phase.AGREEMENT,
)
"""The phases a leader moves through, in order."""

DEFAULT_TIMEBOXES: tuple[int, ...] = (10, 20, 20, 20, 15)
"""Minutes per phase. The seed sets no minutes per step; these are our defaults."""

MAX_TIMEBOX_MINUTES = 240
"""An audit may last four hours in all; no single phase is longer."""

WARNING_BEFORE = timedelta(minutes=2)
DEFAULT_DOTS = 3
MAX_DOTS = 10
MAX_THEME_CHARS = 200
MAX_THEMES = 30
"""Themes a meeting can hold: enough for any dialogue, and the list and the ballot (with a
line and a button each) stay one message."""
LISTED_THEME_CHARS = 110
"""A theme as the group's list and ballot show it; the whole text is in the minutes."""


def next_phase(phase: Phase) -> Phase:
    """The phase after `phase`; after the agreement the meeting is finished."""
    if phase is Phase.NOT_STARTED:
        return PHASES[0]
    if phase is Phase.AGREEMENT:
        return Phase.FINISHED
    return PHASES[PHASES.index(phase) + 1]


def previous_phase(phase: Phase) -> Phase | None:
    """The phase before `phase`, or None at the first one."""
    if phase not in PHASES or phase is PHASES[0]:
        return None
    return PHASES[PHASES.index(phase) - 1]


def timebox_of(phase: Phase, timeboxes: Sequence[int]) -> timedelta:
    return timedelta(minutes=timeboxes[PHASES.index(phase)])


def _is_whole_number(word: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²", which `int` refuses."""
    return word.isascii() and word.isdigit() and len(word) <= 9


def parse_count(words: Sequence[str], low: int, high: int) -> int | None:
    """One whole number from `low` to `high` (e.g. "/dots 5"); None if that is not what came."""
    if len(words) != 1 or not _is_whole_number(words[0]):
        return None
    count = int(words[0])
    return count if low <= count <= high else None


def parse_timeboxes(words: Sequence[str]) -> tuple[int, ...] | None:
    """Five whole minutes, one per phase (e.g. "10 20 20 20 15"); None if that is not what came."""
    if len(words) != len(PHASES) or not all(_is_whole_number(word) for word in words):
        return None
    minutes = tuple(int(word) for word in words)
    if not all(1 <= m <= MAX_TIMEBOX_MINUTES for m in minutes):
        return None
    return minutes


@dataclass(frozen=True)
class PhaseClock:
    """How long the current phase has run: time before the last pause plus time since."""

    elapsed_before: timedelta
    running_since: datetime | None

    def elapsed(self, now: datetime) -> timedelta:
        if self.running_since is None:
            return self.elapsed_before
        return self.elapsed_before + (now - self.running_since)

    def ends_at(self, now: datetime, timebox: timedelta) -> datetime | None:
        """When the timebox runs out at the current pace; None while paused."""
        if self.running_since is None:
            return None
        return now + (timebox - self.elapsed(now))


# Dot voting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeScore:
    theme_id: int
    dots: int
    voters: int


def tally(votes: Iterable[tuple[int, int]], theme_ids: Sequence[int]) -> list[ThemeScore]:
    """Dots and distinct voters per theme from (theme, voter) pairs, most dots first.

    Themes nobody voted for are included with zero; equal scores keep the themes' order.
    """
    dots: Counter[int] = Counter()
    voters: dict[int, set[int]] = {theme_id: set() for theme_id in theme_ids}
    for theme_id, voter in votes:
        dots[theme_id] += 1
        voters.setdefault(theme_id, set()).add(voter)
    order = {theme_id: index for index, theme_id in enumerate(theme_ids)}
    scores = [ThemeScore(t, dots[t], len(voters.get(t, ()))) for t in theme_ids]
    return sorted(scores, key=lambda s: (-s.dots, order[s.theme_id]))


def top_themes(scores: Sequence[ThemeScore]) -> list[int]:
    """The themes sharing the most dots (more than one means the leader breaks the tie)."""
    if not scores or scores[0].dots == 0:
        return []
    best = scores[0].dots
    return [s.theme_id for s in scores if s.dots == best]
