"""The leader's preparation chart: how many participants are finished, under way, not started."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class PrepCounts:
    finished: int
    in_progress: int
    not_started: int

    @property
    def total(self) -> int:
        return self.finished + self.in_progress + self.not_started


def bars(counts: PrepCounts, labels: dict[str, str]) -> list[tuple[str, int, str]]:
    """(label, count, colour) per bar, in reading order; what the chart draws."""
    return [
        (labels["finished"], counts.finished, style.GREEN),
        (labels["in_progress"], counts.in_progress, style.YELLOW),
        (labels["not_started"], counts.not_started, style.GREY),
    ]


def render_png(counts: PrepCounts, labels: dict[str, str]) -> bytes:
    """Three labelled bars on a phone-sized canvas. Runs in a worker, not on the event loop."""
    return style.to_png(draw_figure(counts, labels))


def draw_figure(counts: PrepCounts, labels: dict[str, str]) -> Figure:
    figure = style.new_figure()
    axes = figure.add_subplot()
    drawn = bars(counts, labels)
    names = [name for name, _, _ in drawn]
    values = [value for _, value, _ in drawn]
    container = axes.bar(names, values, color=[colour for _, _, colour in drawn])
    axes.bar_label(container, labels=[str(v) for v in values], fontsize=style.FONT_SIZE + 2)
    axes.set_title(labels["prep_title"], fontsize=style.FONT_SIZE + 3, loc="left")
    axes.set_ylabel(labels["participants"], fontsize=style.FONT_SIZE)
    axes.set_ylim(0, max(counts.total, 1) * 1.2)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(labelsize=style.FONT_SIZE)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
