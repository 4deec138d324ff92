"""Draws a ChartPlan as a phone-sized PNG in the house style. Runs in a worker process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from bot.charts import style
from bot.charts.plans import ChartPlan
from bot.dataset.reader import GOAL_CATEGORIES, ChartKind

SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
GOAL_COLOURS = dict(zip(GOAL_CATEGORIES, ("#009E73", "#56B4E9", "#0072B2", "#999999", "#D55E00"),
                        strict=True))  # fmt: skip
LOCALES = {"da": "da_DK", "en": "en_GB"}

MAX_LABEL_CHARS = 32
_MARGINS = {
    ChartKind.GOAL_ATTAINMENT: {"left": 0.3, "right": 0.97, "top": 0.9, "bottom": 0.3},
    ChartKind.DISTRIBUTION: {"left": 0.3, "right": 0.97, "top": 0.9, "bottom": 0.1},
    None: {"left": 0.1, "right": 0.97, "top": 0.9, "bottom": 0.16},
}
"""Fixed margins: a layout engine would draw every chart twice to measure it first."""

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def render_png(plan: ChartPlan, labels: dict[str, str], language: str) -> bytes:
    """`labels` translates OTHERS, the goal categories and the axis names."""
    return style.to_png(draw_figure(plan, labels, language))


def draw_figure(plan: ChartPlan, labels: dict[str, str], language: str) -> Figure:
    """The figure itself, so tests can check what was drawn, not only that a PNG came out."""
    figure = style.new_figure()
    axes = figure.add_subplot()
    locale = LOCALES.get(language, "da_DK")

    def number(value: float) -> str:
        return format_decimal(value, format="#,##0.0", locale=locale)

    def percent(value: float) -> str:
        return format_decimal(value, format="#,##0", locale=locale)

    def name(text: str) -> str:
        shown = labels.get(text, text)
        return shown if len(shown) <= MAX_LABEL_CHARS else shown[: MAX_LABEL_CHARS - 1] + "…"

    if plan.kind is ChartKind.GOAL_ATTAINMENT:
        _stacked_shares(axes, plan, name, percent)
    elif plan.kind is ChartKind.DISTRIBUTION:
        _counts(axes, plan, name, percent)
    elif plan.kind is ChartKind.GROUP_COMPARISON:
        _grouped_bars(axes, plan, name, number)
    else:
        _lines(axes, plan, name, number)
    from matplotlib.ticker import FuncFormatter

    horizontal = plan.kind in (ChartKind.GOAL_ATTAINMENT, ChartKind.DISTRIBUTION)
    value_axis = axes.xaxis if horizontal else axes.yaxis
    value_axis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, locale=locale)))
    # On the figure, not the axes: long group labels push the axes right, and a title placed
    # over them would run off the picture.
    figure.suptitle(plan.title, x=0.02, y=0.98, ha="left", fontsize=style.FONT_SIZE + 1)
    axes.tick_params(labelsize=style.FONT_SIZE - 3)
    axes.spines[["top", "right"]].set_visible(False)
    margins = dict(_MARGINS.get(plan.kind, _MARGINS[None]))
    if horizontal:  # room for the longest category label on the left
        longest = max((len(name(c)) for c in plan.categories), default=0)
        margins["left"] = min(0.5, 0.05 + 0.014 * min(longest, MAX_LABEL_CHARS))
    figure.subplots_adjust(**margins)
    return figure


def _grouped_bars(axes, plan: ChartPlan, name, number) -> None:
    count = len(plan.series)
    width = 0.8 / max(count, 1)
    positions = range(len(plan.categories))
    for index, series in enumerate(plan.series):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        heights = [v if v is not None else 0 for v in series.values]
        bars = axes.bar(offsets, heights, width, label=series.name,
                        color=SERIES_COLOURS[index % len(SERIES_COLOURS)])  # fmt: skip
        axes.bar_label(bars, labels=[number(v) if v is not None else "" for v in series.values],
                       fontsize=style.FONT_SIZE - 5)  # fmt: skip
    axes.set_xticks(list(positions), [name(c) for c in plan.categories])
    axes.legend(fontsize=style.FONT_SIZE - 4, frameon=False)


def _counts(axes, plan: ChartPlan, name, count) -> None:
    """Horizontal bars, one per answer or theme, labelled with the count and its share."""
    values = [v or 0.0 for v in plan.series[0].values]
    total = sum(values) or 1
    positions = list(range(len(values)))
    bars = axes.barh(positions, values, color=SERIES_COLOURS[0])
    axes.bar_label(bars, labels=[f"{count(v)} ({count(100 * v / total)} %)" for v in values],
                   padding=4, fontsize=style.FONT_SIZE - 4)  # fmt: skip
    axes.set_yticks(positions, [name(c) for c in plan.categories])
    axes.invert_yaxis()
    axes.margins(x=0.25)


def _stacked_shares(axes, plan: ChartPlan, name, number) -> None:
    positions = list(range(len(plan.categories)))
    bottoms = [0.0] * len(positions)
    for series in plan.series:
        values = [v or 0.0 for v in series.values]
        bars = axes.barh(positions, values, left=bottoms, label=name(series.name),
                         color=GOAL_COLOURS[series.name])  # fmt: skip
        shown = [f"{number(v)} %" if v >= 8 else "" for v in values]  # small slices stay quiet
        axes.bar_label(bars, labels=shown, label_type="center", fontsize=style.FONT_SIZE - 6,
                       color="white")  # fmt: skip
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_yticks(positions, [name(c) for c in plan.categories])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("%", fontsize=style.FONT_SIZE - 3)
    axes.legend(fontsize=style.FONT_SIZE - 7, frameon=False, ncols=2, loc="upper center",
                bbox_to_anchor=(0.5, -0.12))  # fmt: skip


def _lines(axes, plan: ChartPlan, name, number) -> None:
    positions = list(range(len(plan.categories)))
    for index, series in enumerate(plan.series):
        points = [(p, v) for p, v in zip(positions, series.values, strict=True) if v is not None]
        xs, ys = [p for p, _ in points], [v for _, v in points]
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        axes.plot(xs, ys, marker="o", linewidth=3, color=colour, label=name(series.name))
        for x, y in points:
            axes.annotate(number(y), (x, y), textcoords="offset points", xytext=(0, 8),
                          ha="center", fontsize=style.FONT_SIZE - 5, color=colour)  # fmt: skip
    ticks = []
    for position, period in enumerate(plan.categories):
        counts = [s.n[position] for s in plan.series if s.n and s.n[position] is not None]
        ticks.append(f"{period}\nn={'/'.join(str(c) for c in counts)}" if counts else period)
    axes.set_xticks(positions, ticks)
    axes.margins(y=0.2)
    axes.legend(fontsize=style.FONT_SIZE - 4, frameon=False)
