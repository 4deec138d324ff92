"""Line charts (progression, two groups) for a phone.

Each value is written next to its point where it touches no line, no marker and no other value,
or left out (the axis still tells). Under each measurement point, one row per group gives the
number of answers, in the group's colour and marker and in the legend's order, so it is always
clear whose n it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from bot.charts import style
from bot.charts.heading import Heading
from bot.charts.layout import Box, Canvas
from bot.charts.legend import Entry
from bot.charts.numbers import Numbers
from bot.charts.plans import OTHERS, ChartPlan, Series

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MIN_PLOT_PX = 220.0
LINE_WIDTH = 3.0
MARKER_SIZE = 7.0
_ROW_LABEL_PX = 40.0
"""Left of the plot, room for an n row's marker and "n" (and for the y axis's labels)."""


@dataclass(frozen=True)
class _Line:
    """One group as drawn."""

    series: Series
    colour: str
    marker: str


def draw_lines(
    canvas: Canvas, plan: ChartPlan, name: Callable[[str], str], numbers: Numbers
) -> None:
    pad = style.PAD_PX
    drawn = [_Line(s, *_look(i, s)) for i, s in enumerate(plan.series)]
    entries = [Entry(name(line.series.name), line.colour, line.marker) for line in drawn]
    heading = Heading.measure(canvas, plan.title, entries)
    top = heading.height

    low, high = _value_range([v for s in plan.series for v in s.values if v is not None])
    ticks = _ticks(low, high)
    tick_texts = [numbers.tick(t) for t in ticks]
    margin = max([_ROW_LABEL_PX, *(canvas.size(t, style.SMALL_SIZE)[0] for t in tick_texts)])
    left = pad + margin + 10
    width = canvas.width - pad - left
    slot = width / len(plan.categories)
    counted = _counted(canvas, drawn, slot, numbers)
    periods = [canvas.fit(p, slot - 8, style.FONT_SIZE, max_lines=2) for p in plan.categories]
    period_height = max(canvas.size(p, style.FONT_SIZE)[1] for p in periods)
    row_height = canvas.line_height(style.SMALL_SIZE)
    tick_space = style.TICK_SPACE_PX
    below = tick_space + period_height + (6 + len(counted) * row_height if counted else 0)
    canvas.grow_to(top + MIN_PLOT_PX + below + pad)
    plot_height = canvas.height - top - below - pad

    heading.draw(canvas)
    axes = canvas.figure.add_axes(
        (canvas.x(left), canvas.y(top + plot_height), width / canvas.width,
         plot_height / canvas.height)
    )  # fmt: skip
    _plot(axes, drawn, periods, (low, high), dict(zip(ticks, tick_texts, strict=True)))
    _value_labels(canvas, axes, drawn, numbers)
    first_row = top + plot_height + tick_space + period_height + 6
    for row, line in enumerate(counted):
        middle = first_row + (row + 0.5) * row_height
        _count_row(canvas, line, middle, (left, slot), numbers)


def _plot(
    axes: Axes, drawn: list[_Line], periods: list[str], limits: tuple[float, float],
    ticks: dict[float, str],
) -> None:  # fmt: skip
    axes.set_xlim(-0.5, len(periods) - 0.5)  # every point in the middle of its slot
    axes.set_ylim(*limits)
    for line in drawn:
        points = [(x, v) for x, v in enumerate(line.series.values) if v is not None]
        axes.plot(
            [x for x, _ in points],
            [v for _, v in points],
            color=line.colour,
            marker=line.marker,
            linewidth=LINE_WIDTH,
            markersize=MARKER_SIZE,
        )
    axes.set_xticks(range(len(periods)), periods, **style.AS_WRITTEN)
    axes.set_yticks(list(ticks), list(ticks.values()))
    axes.tick_params(length=style.TICK_POINTS, pad=style.TICK_POINTS, colors=style.INK)
    axes.tick_params(axis="x", labelsize=style.FONT_SIZE)
    axes.tick_params(axis="y", labelsize=style.SMALL_SIZE)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    axes.set_axisbelow(True)


def _counted(canvas: Canvas, drawn: list[_Line], slot: float, numbers: Numbers) -> list[_Line]:
    """The groups whose n is shown: all that have one, or none when a count is wider than the
    room under its point (many measurement points and large counts)."""
    counted = [line for line in drawn if any(n is not None for n in line.series.n)]
    widths = [canvas.size(numbers.count(n), style.SMALL_SIZE)[0]
              for line in counted for n in line.series.n if n is not None]  # fmt: skip
    return counted if all(width <= slot - 6 for width in widths) else []


def _look(index: int, series: Series) -> tuple[str, str]:
    """(colour, marker); the folded "others" is grey."""
    marker = style.MARKERS[index % len(style.MARKERS)]
    if series.name == OTHERS:
        return style.OTHERS_COLOUR, marker
    return style.SERIES_COLOURS[index % len(style.SERIES_COLOURS)], marker


def _value_range(values: list[float]) -> tuple[float, float]:
    """The y range, with room above and below the lines for their values."""
    low, high = min(values), max(values)
    span = high - low or max(abs(high) * 0.2, 1.0)
    return low - 0.3 * span, high + 0.3 * span


def _ticks(low: float, high: float) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
    return [t for t in locator.tick_values(low, high) if low <= t <= high]


def _count_row(
    canvas: Canvas, line: _Line, middle: float, columns: tuple[float, float], numbers: Numbers
) -> None:
    """One group's n under each point, `middle` pixels from the top; `columns` is the plot's
    left edge and the width each point has."""
    from matplotlib.lines import Line2D

    (left, slot), figure, ink = columns, canvas.figure, style.readable(line.colour)
    label_right = left - 10
    figure.text(canvas.x(label_right), canvas.y(middle), "n", ha="right", va="center",
                fontsize=style.SMALL_SIZE, color=ink)  # fmt: skip
    mark = label_right - canvas.size("n", style.SMALL_SIZE)[0] - 12
    figure.add_artist(
        Line2D(
            [canvas.x(mark)],
            [canvas.y(middle)],
            marker=line.marker,
            color=line.colour,
            markersize=MARKER_SIZE,
            transform=figure.transFigure,
        )
    )
    for position, count in enumerate(line.series.n):
        if count is not None:
            x = canvas.x(left + (position + 0.5) * slot)
            figure.text(x, canvas.y(middle), numbers.count(count), ha="center", va="center",
                        fontsize=style.SMALL_SIZE, color=ink)  # fmt: skip


def _value_labels(canvas: Canvas, axes: Axes, drawn: list[_Line], numbers: Numbers) -> None:
    """Each value next to its point, in the first free place around it, else not at all."""
    to_pixels = axes.transData.transform
    area = Box(*axes.bbox.extents).grown(-2)
    pixels_per_point = canvas.figure.dpi / 72
    radius = MARKER_SIZE * pixels_per_point / 2 + 2
    clearance = LINE_WIDTH * pixels_per_point / 2 + 2
    paths = [
        [tuple(to_pixels((x, v))) for x, v in enumerate(line.series.values) if v is not None]
        for line in drawn
    ]
    obstacles = [Box.around(x, y, 2 * radius, 2 * radius) for path in paths for x, y in path]
    segments = [segment for path in paths for segment in pairwise(path)]
    for position in range(len(drawn[0].series.values)):
        here = sorted(
            ((line.series.values[position], index) for index, line in enumerate(drawn)
             if line.series.values[position] is not None),
            reverse=True,
        )  # fmt: skip
        for rank, (value, index) in enumerate(here):
            text = numbers.value(value)
            width, height = canvas.size(text, style.SMALL_SIZE)
            x, y = to_pixels((position, value))
            for dx, dy in _candidates(rank, len(here), width, height, radius):
                box = Box.around(x + dx, y + dy, width, height)
                near = box.grown(clearance)
                if (
                    box.within(area)
                    and not any(box.overlaps(other) for other in obstacles)
                    and not any(near.crosses(a, b) for a, b in segments)
                ):
                    obstacles.append(box.grown(1))
                    axes.annotate(text, (position, value), xytext=(dx, dy),
                                  textcoords="offset pixels", ha="center", va="center",
                                  fontsize=style.SMALL_SIZE,
                                  color=style.readable(drawn[index].colour))  # fmt: skip
                    break


def _candidates(
    rank: int, count: int, width: float, height: float, radius: float
) -> list[tuple[float, float]]:
    """Offsets of a label's centre from its point, best first: the highest value at a point
    looks above it first, the lowest below, the ones between beside it."""
    up, down = (0.0, radius + 2 + height / 2), (0.0, -(radius + 2 + height / 2))
    right, left = (radius + 4 + width / 2, 0.0), (-(radius + 4 + width / 2), 0.0)
    above = [(side * (radius + width / 2), radius + height / 2) for side in (1, -1)]
    below = [(side * (radius + width / 2), -(radius + height / 2)) for side in (1, -1)]
    if rank == 0:
        return [up, *above, right, left, down, *below]
    if rank == count - 1:
        return [down, *below, right, left, up, *above]
    return [right, left, up, down, *above, *below]
