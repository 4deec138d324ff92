"""Horizontal bar charts for a phone: each group's name on its own line above its bars.

The name gets the picture's whole width instead of a margin, and values sit after the bar's end
(or inside a stacked segment when they fit), so nothing is written on anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts import style
from bot.charts.heading import Heading
from bot.charts.layout import Canvas
from bot.charts.legend import Entry
from bot.charts.numbers import Numbers

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LABEL_GAP_PX = 6.0
"""Between a bar's end and its value."""
ROW_GAP_PX = 10.0
MAX_SCALE = 2.0
"""Spare height on the minimum canvas makes bars up to this much thicker, then stays blank."""


@dataclass(frozen=True)
class Segment:
    value: float
    colour: str
    inside: str = ""
    """Drawn inside the segment when it fits there; left out otherwise."""


@dataclass(frozen=True)
class Bar:
    segments: tuple[Segment, ...]
    outside: str = ""
    """Drawn after the bar's end."""

    @property
    def end(self) -> float:
        return sum(s.value for s in self.segments)


@dataclass(frozen=True)
class Row:
    name: str
    bars: tuple[Bar, ...]


def draw_rows(
    canvas: Canvas,
    title: str,
    entries: list[Entry],
    rows: list[Row],
    percent_axis: Numbers | None = None,
) -> None:
    """The whole chart: title, legend, then one row per group. With `percent_axis` the bars are
    shares of 100 with a 0-100 % axis below; otherwise the values label the bars."""
    heading = Heading.measure(canvas, title, entries)
    ticks = [0, 25, 50, 75, 100]
    tick_texts = [percent_axis.percent(t) for t in ticks] if percent_axis else []
    if not rows:  # a vote nobody took part in: the title alone says so
        heading.draw(canvas)
        return
    layout = _Layout.measure(canvas, heading, rows, tick_texts)  # may make the picture taller
    heading.draw(canvas)
    axes = canvas.figure.add_axes(
        (canvas.x(layout.left), canvas.y(heading.height + layout.height),
         layout.width / canvas.width, layout.height / canvas.height)
    )  # fmt: skip
    axes.set_ylim(layout.height, 0)  # one data unit is one pixel, counted from the top
    if percent_axis:
        axes.set_xlim(0, 100)
    else:
        ends = [(bar.end, canvas.size(bar.outside, style.SMALL_SIZE)[0])
                for row in rows for bar in row.bars]  # fmt: skip
        axes.set_xlim(*_limits(ends, layout.width))
    y = 0.0
    rectangles: list[tuple[float, float, float, str]] = []  # (middle, start, length, colour)
    for name, name_height, row in zip(layout.names, layout.name_heights, rows, strict=True):
        if name:
            axes.text(0, y + name_height / 2, name, transform=axes.get_yaxis_transform(),
                      ha="left", va="center", fontsize=style.FONT_SIZE, color=style.INK,
                      **style.AS_WRITTEN)  # fmt: skip
        y += name_height
        if not percent_axis:  # the zero line, along this group's bars only
            axes.vlines(0, y, y + len(row.bars) * layout.pitch, color=style.INK, linewidth=1)
        for bar in row.bars:
            rectangles += _label_bar(canvas, axes, bar, y + layout.pitch / 2, layout.thickness)
            y += layout.pitch
        y += layout.gap
    if rectangles:  # one call for all: each barh call costs more than drawing its bars
        middles, starts, lengths, colours = zip(*rectangles, strict=True)
        axes.barh(middles, lengths, height=layout.thickness, left=starts, color=colours,
                  edgecolor="white", linewidth=1)  # fmt: skip
    _axis(axes, percent_axis, ticks, tick_texts)


@dataclass(frozen=True)
class _Layout:
    """Where the rows go, in pixels: the plot's left edge and width, each row's name (fitted
    to the width) and its height, and the bars' pitch, thickness and the gap between rows."""

    left: float
    width: float
    names: list[str]
    name_heights: list[float]
    bar_counts: list[int]
    pitch: float
    thickness: float
    gap: float

    @property
    def height(self) -> float:
        return sum(self.name_heights) + sum(self.pitch * n + self.gap for n in self.bar_counts)

    @classmethod
    def measure(
        cls, canvas: Canvas, heading: Heading, rows: list[Row], tick_texts: list[str]
    ) -> _Layout:
        """Grows the picture when the rows need it; on the minimum canvas, bars get thicker."""
        pad = style.PAD_PX
        side = canvas.size(tick_texts[-1], style.SMALL_SIZE)[0] / 2 if tick_texts else 0.0
        left, width = pad + side, canvas.width - 2 * (pad + side)
        below = pad + (
            style.TICK_SPACE_PX + canvas.line_height(style.SMALL_SIZE) if tick_texts else 0
        )
        names = [canvas.fit(row.name, width, style.FONT_SIZE, max_lines=2) for row in rows]
        name_heights = [canvas.size(n, style.FONT_SIZE)[1] + 2 if n else 0.0 for n in names]
        pitch = 30.0 if any(len(row.bars) > 1 for row in rows) else 36.0
        flexible = sum(len(row.bars) * pitch + ROW_GAP_PX for row in rows)
        needed = heading.height + sum(name_heights) + flexible + below
        canvas.grow_to(needed)
        scale = min(MAX_SCALE, 1 + (canvas.height - needed) / flexible)
        counts = [len(row.bars) for row in rows]
        return cls(left, width, names, name_heights, counts, pitch * scale, (pitch - 6) * scale,
                   ROW_GAP_PX * scale)  # fmt: skip


def _label_bar(
    canvas: Canvas, axes: Axes, bar: Bar, middle: float, thickness: float
) -> list[tuple[float, float, float, str]]:
    """Writes the bar's values; returns its segments to draw as (middle, start, length, colour)."""
    start, segments = 0.0, []
    scale = axes.bbox.width / (axes.get_xlim()[1] - axes.get_xlim()[0])
    for segment in bar.segments:
        if segment.value:
            segments.append((middle, start, segment.value, segment.colour))
        if segment.inside:
            text_width, text_height = canvas.size(segment.inside, style.SMALL_SIZE)
            if text_width + 8 <= segment.value * scale and text_height <= thickness + 4:
                axes.text(start + segment.value / 2, middle, segment.inside, ha="center",
                          va="center", fontsize=style.SMALL_SIZE,
                          color=style.ink_on(segment.colour))  # fmt: skip
        start += segment.value
    if bar.outside:
        after = 1 if bar.end >= 0 else -1
        axes.annotate(bar.outside, (bar.end, middle), xytext=(after * LABEL_GAP_PX, 0),
                      textcoords="offset pixels", ha="left" if after > 0 else "right",
                      va="center", fontsize=style.SMALL_SIZE, color=style.INK)  # fmt: skip
    return segments


def _limits(ends: list[tuple[float, float]], width: float) -> tuple[float, float]:
    """x limits that leave room after each bar's end for its label: (end, label width)."""
    low = min(0.0, *(end for end, _ in ends)) if ends else 0.0
    high = max(0.0, *(end for end, _ in ends)) if ends else 1.0
    if low == high:
        high = 1.0
    for _ in range(4):  # widening one side shrinks the other's labels' room: a few passes settle
        for end, label in ends:
            room = max(width - LABEL_GAP_PX - label, 1.0) / width
            if end >= 0:
                high = max(high, low + (end - low) / room)
            else:
                low = min(low, high - (high - end) / room)
    return low, high


def _axis(axes: Axes, percent_axis: Numbers | None, ticks: list[int], texts: list[str]) -> None:
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.set_yticks([])
    if percent_axis:
        axes.set_xticks(ticks, texts)
        axes.tick_params(axis="x", labelsize=style.SMALL_SIZE, colors=style.INK,
                         length=style.TICK_POINTS, pad=style.TICK_POINTS)  # fmt: skip
    else:
        axes.spines["bottom"].set_visible(False)
        axes.set_xticks([])
