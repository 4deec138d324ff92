"""The fixed words a chart draws (the "others" group, the goal categories), in one language."""

from __future__ import annotations

from collections.abc import Callable

from bot.charts.plans import OTHERS
from bot.dataset.reader import GOAL_CATEGORIES


def chart_labels(text: Callable[[str], str]) -> dict[str, str]:
    """`text` gives a catalogue text by key in the reader's language."""
    labels = {OTHERS: text("chart.others")}
    labels.update({category: text(f"chart.goal.{category}") for category in GOAL_CATEGORIES})
    return labels
