"""What the live meeting tells other capabilities (see bot/core/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.meeting.live import Live
from flows.dialogue import Phase


@dataclass(frozen=True)
class PhaseEntered:
    """The meeting moved to `phase`; its panel and the phase's introduction are posted."""

    live: Live
    phase: Phase
