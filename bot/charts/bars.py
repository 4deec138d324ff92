"""Horizontal bar charts for a phone: each group's name on its own line above its bars.

The name gets the picture's whole width instead of a margin, and values sit after the bar's end
(or inside a stacked segment when they fit), so nothing is written on anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.charts import style
from bot.charts.layout import Canvas, draw_title, title
from bot.charts.legend import Entry, Legend
from bot.charts.numbers import Numbers

LABEL_GAP_PX = 6.0
"""Between a bar's end and its value."""
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


def draw_rows(canvas: Canvas, heading: str, entries: list[Entry], rows: list[Row],
              percent_axis: Numbers | None = None) -> None:  # fmt: skip
    """The whole chart: title, legend, then one row per group. With `percent_axis` the bars are
    shares of 100 with a 0-100 % axis below; otherwise the values label the bars."""
    pad = style.PAD_PX
    heading, heading_height = title(canvas, heading)
    ticks = [0, 25, 50, 75, 100]
    tick_texts = [percent_axis.percent(t) for t in ticks] if percent_axis else []
    side = canvas.size(tick_texts[-1], style.SMALL_SIZE)[0] / 2 if percent_axis else 0.0
    left, right = pad + side, canvas.width - pad - side
    width = right - left
    legend = Legend(canvas, entries, canvas.width - 2 * pad)
    top = pad + heading_height + 10 + (legend.height + 8 if entries else 0)
    bottom = pad + (12 + canvas.line_height(style.SMALL_SIZE) if percent_axis else 0)

    names = [canvas.fit(row.name, width, style.FONT_SIZE, max_lines=2) for row in rows]
    name_heights = [canvas.size(n, style.FONT_SIZE)[1] + 2 if n else 0 for n in names]
    pitch = 30.0 if any(len(row.bars) > 1 for row in rows) else 36.0
    gap = 10.0
    flexible = sum(len(row.bars) * pitch + gap for row in rows)
    needed = top + sum(name_heights) + flexible + bottom
    canvas.grow_to(needed)
    scale = min(MAX_SCALE, 1 + (canvas.height - needed) / flexible)
    pitch, gap = pitch * scale, gap * scale
    thickness = pitch - 6 * scale
    height = sum(name_heights) + sum(len(row.bars) * pitch + gap for row in rows)

    draw_title(canvas, heading)
    legend.draw(pad, pad + heading_height + 10)
    axes = canvas.figure.add_axes((canvas.x(left), canvas.y(top + height), width / canvas.width,
                                   height / canvas.height))  # fmt: skip
    axes.set_ylim(height, 0)  # one data unit is one pixel, counted from the top
    bars = [bar for row in rows for bar in row.bars]
    if percent_axis:
        axes.set_xlim(0, 100)
    else:
        ends = [(bar.end, canvas.size(bar.outside, style.SMALL_SIZE)[0]) for bar in bars]
        axes.set_xlim(*_limits(ends, width))
    y = 0.0
    rectangles: list[tuple[float, float, float, str]] = []  # (middle, start, length, colour)
    for name, name_height, row in zip(names, name_heights, rows, strict=True):
        if name:
            axes.text(0, y + name_height / 2, name, transform=axes.get_yaxis_transform(),
                      ha="left", va="center", fontsize=style.FONT_SIZE,
                      color=style.INK)  # fmt: skip
        y += name_height
        if not percent_axis:  # the zero line, along this group's bars only
            axes.vlines(0, y, y + len(row.bars) * pitch, color=style.INK, linewidth=1)
        for bar in row.bars:
            rectangles += _label_bar(canvas, axes, bar, y + pitch / 2, thickness)
            y += pitch
        y += gap
    if rectangles:  # one call for all: each barh call costs more than drawing its bars
        middles, starts, lengths, colours = zip(*rectangles, strict=True)
        axes.barh(middles, lengths, height=thickness, left=starts, color=colours,
                  edgecolor="white", linewidth=1)  # fmt: skip
    _axis(axes, percent_axis, ticks, tick_texts)


def _label_bar(
    canvas: Canvas, axes, bar: Bar, middle: float, thickness: float
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


def _axis(axes, percent_axis: Numbers | None, ticks: list[int], texts: list[str]) -> None:
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.set_yticks([])
    if percent_axis:
        axes.set_xticks(ticks, texts)
        axes.tick_params(axis="x", labelsize=style.SMALL_SIZE, colors=style.INK)
    else:
        axes.spines["bottom"].set_visible(False)
        axes.set_xticks([])
