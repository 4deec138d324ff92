"""Draws a ChartPlan as a phone-sized PNG in the house style. Runs in a worker process."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.charts import style
from bot.charts.bars import Bar, Row, Segment, draw_rows
from bot.charts.layout import Canvas
from bot.charts.legend import Entry
from bot.charts.lines import draw_lines
from bot.charts.numbers import Numbers
from bot.charts.plans import OTHERS, ChartPlan
from bot.dataset.reader import REACHED_CATEGORIES, ChartKind

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Name = Callable[[str], str]
"""A group, period or goal category as the reader should see it (translated when it is ours)."""


def render_png(plan: ChartPlan, labels: dict[str, str], language: str) -> bytes:
    """`labels` translates OTHERS and the goal categories (see labels.chart_labels)."""
    return style.to_png(draw_figure(plan, labels, language))


def draw_figure(plan: ChartPlan, labels: dict[str, str], language: str) -> Figure:
    """The figure itself, so tests can check what was drawn, not only that a PNG came out."""
    canvas = Canvas(style.new_figure())
    numbers = Numbers(language, plan.decimals)

    def name(text: str) -> str:
        return labels.get(text, text)

    if plan.kind is ChartKind.GOAL_ATTAINMENT:
        _goal(canvas, plan, name, numbers)
    elif plan.kind is ChartKind.DISTRIBUTION:
        _counts(canvas, plan, name, numbers)
    elif plan.kind is ChartKind.GROUP_COMPARISON:
        _comparison(canvas, plan, name, numbers)
    else:
        draw_lines(canvas, plan, name, numbers)
    return canvas.figure


def _bar_colour(group: str, index: int = 0) -> str:
    if group == OTHERS:
        return style.OTHERS_COLOUR
    return style.SERIES_COLOURS[index % len(style.SERIES_COLOURS)]


def _counts(canvas: Canvas, plan: ChartPlan, name: Name, numbers: Numbers) -> None:
    """One bar per answer (or theme), labelled with its count and its share of all."""
    counts = [v or 0.0 for v in plan.series[0].values]
    total = sum(counts) or 1.0
    rows = [
        Row(name(group), (Bar((Segment(count, _bar_colour(group)),),
                              f"{numbers.count(count)} ({numbers.percent(100 * count / total)})"),))
        for group, count in zip(plan.categories, counts, strict=True)
    ]  # fmt: skip
    draw_rows(canvas, plan.title, [], rows)


def _comparison(canvas: Canvas, plan: ChartPlan, name: Name, numbers: Numbers) -> None:
    """One row per group, one bar per period in the period's colour."""
    colours = [_bar_colour("", i) for i in range(len(plan.series))]
    rows = []
    for position, group in enumerate(plan.categories):
        bars = []
        for series, colour in zip(plan.series, colours, strict=True):
            value = series.values[position]
            shown = numbers.value(value) if value is not None else ""
            bars.append(Bar((Segment(value or 0.0, colour),), shown))
        rows.append(Row(name(group), tuple(bars)))
    entries = [Entry(s.name, c) for s, c in zip(plan.series, colours, strict=True)]
    draw_rows(canvas, plan.title, entries, rows)


def _goal(canvas: Canvas, plan: ChartPlan, name: Name, numbers: Numbers) -> None:
    """100 % stacked bars; the goal-reached outcomes first, so their share reads as one length."""
    rows = []
    for position, group in enumerate(plan.categories):
        segments = tuple(
            Segment(s.values[position] or 0.0, style.GOAL_COLOURS[s.name],
                    numbers.percent(s.values[position] or 0.0))
            for s in plan.series
        )  # fmt: skip
        rows.append(Row(name(group), (Bar(segments),)))
    entries = []
    for series in plan.series:
        reached = series.name in REACHED_CATEGORIES
        first_not_reached = not reached and not any(e.new_line for e in entries)
        entries.append(Entry(name(series.name), style.GOAL_COLOURS[series.name],
                             new_line=first_not_reached))  # fmt: skip
    draw_rows(canvas, plan.title, entries, rows, percent_axis=numbers)
