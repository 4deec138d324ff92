"""What each chart shows, computed from data points before anything is drawn.

A plan holds the exact numbers the chart will draw, so tests assert on data rather than pixels
and the caption is written from the same numbers the reader sees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.charts.numbers import decimals_for
from bot.dataset.reader import GOAL_CATEGORIES, ChartKind, DataPoint

MAX_SERIES = 7
"""More groups than this: the 6 largest are kept and the rest drawn as one "others"."""
OTHERS = "__others__"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    n: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class ChartPlan:
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    """x-axis labels: groups (comparison), parameters (goal), periods (lines)."""
    series: tuple[Series, ...]
    folded: int = 0
    """How many groups were folded into "others"."""
    notes: tuple[str, ...] = field(default=())
    decimals: int = 1
    """How many decimals the drawn values have; the caption prints them the same way."""


def plans_for(points: list[DataPoint]) -> list[ChartPlan]:
    """One plan per indicator, in the order indicators first appear in the file."""
    by_indicator: dict[str, list[DataPoint]] = defaultdict(list)
    for point in points:
        by_indicator[point.indicator].append(point)
    builders = {
        ChartKind.GROUP_COMPARISON: _group_comparison,
        ChartKind.GOAL_ATTAINMENT: _goal_attainment,
        ChartKind.PROGRESSION: _lines,
        ChartKind.TWO_GROUPS: _lines,
        ChartKind.DISTRIBUTION: _distribution,
    }
    return [builders[rows[0].chart](title, rows) for title, rows in by_indicator.items()]


def _ordered(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _fold(groups: list[str], weight: dict[str, float]) -> tuple[list[str], list[str]]:
    """Keep the MAX_SERIES - 1 heaviest groups (in file order) when there are too many."""
    if len(groups) <= MAX_SERIES:
        return groups, []
    keep = set(sorted(groups, key=lambda g: -weight[g])[: MAX_SERIES - 1])
    return [g for g in groups if g in keep], [g for g in groups if g not in keep]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _decimals(series: list[Series]) -> int:
    return decimals_for([v for s in series for v in s.values if v is not None])


def _group_comparison(title: str, rows: list[DataPoint]) -> ChartPlan:
    periods = _ordered([r.period or "" for r in rows])
    groups = _ordered([r.group for r in rows])
    value = {(r.group, r.period): r.value for r in rows}
    weight = {g: sum(v for (grp, _), v in value.items() if grp == g) for g in groups}
    kept, folded = _fold(groups, weight)
    categories = [*kept, OTHERS] if folded else kept
    series = []
    for period in periods:
        values = [value.get((g, period)) for g in kept]
        if folded:
            values.append(_mean([value[(g, period)] for g in folded if (g, period) in value]))
        series.append(Series(period, tuple(values)))
    return ChartPlan(
        ChartKind.GROUP_COMPARISON, title, tuple(categories), tuple(series), len(folded),
        decimals=_decimals(series),
    )  # fmt: skip


def _goal_attainment(title: str, rows: list[DataPoint]) -> ChartPlan:
    """100 % stacked bars: each parameter's counts become shares of its total."""
    groups = _ordered([r.group for r in rows])
    count: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        count[(r.group, r.category or "")] += r.value
    totals = {g: sum(count[(g, c)] for c in GOAL_CATEGORIES) for g in groups}
    kept, folded = _fold(groups, totals)
    if folded:
        for c in GOAL_CATEGORIES:
            count[(OTHERS, c)] = sum(count[(g, c)] for g in folded)
        totals[OTHERS] = sum(totals[g] for g in folded)
        kept = [*kept, OTHERS]
    series = tuple(
        Series(c, tuple(100 * count[(g, c)] / totals[g] if totals[g] else 0.0 for g in kept),
               tuple(int(totals[g]) for g in kept))
        for c in GOAL_CATEGORIES
    )  # fmt: skip
    return ChartPlan(ChartKind.GOAL_ATTAINMENT, title, tuple(kept), series, len(folded),
                     decimals=0)  # fmt: skip


def _lines(title: str, rows: list[DataPoint]) -> ChartPlan:
    """Progression (one line per group over measurement points), or two groups compared."""
    periods = _ordered([r.period or "" for r in rows])
    groups = _ordered([r.group for r in rows])
    value = {(r.group, r.period): r for r in rows}
    weight = {g: sum(r.n or 1 for r in rows if r.group == g) for g in groups}
    kept, folded = _fold(groups, weight)
    series = [
        Series(
            g,
            tuple(value[(g, p)].value if (g, p) in value else None for p in periods),
            tuple(value[(g, p)].n if (g, p) in value else None for p in periods),
        )
        for g in kept
    ]
    if folded:
        present = [[value[(g, p)] for g in folded if (g, p) in value] for p in periods]
        series.append(
            Series(
                OTHERS,
                tuple(_mean([r.value for r in at]) for at in present),
                tuple(sum(r.n or 0 for r in at) or None for at in present),
            )
        )
    return ChartPlan(rows[0].chart, title, tuple(periods), tuple(series), len(folded),
                     decimals=_decimals(series))  # fmt: skip


def _distribution(title: str, rows: list[DataPoint]) -> ChartPlan:
    """How many gave each answer, in the order of the answer options (surveys)."""
    counts: dict[str, float] = defaultdict(float)
    for row in rows:
        counts[row.group] += row.value
    return _counted(title, list(counts.items()))


def vote_results(title: str, votes: list[tuple[str, int]]) -> ChartPlan:
    """Dot-vote results, most votes first (the dialogue's Interpret step)."""
    return _counted(title, sorted(votes, key=lambda item: -item[1]))


def _counted(title: str, items: list[tuple[str, float]]) -> ChartPlan:
    groups = [name for name, _ in items]
    weight = dict(items)
    kept, folded = _fold(groups, weight)
    values = [weight[g] for g in kept]
    if folded:
        kept, values = [*kept, OTHERS], [*values, sum(weight[g] for g in folded)]
    total = sum(weight.values())
    return ChartPlan(
        ChartKind.DISTRIBUTION,
        title,
        tuple(kept),
        (Series("count", tuple(values), (int(total),)),),
        len(folded),
        decimals=decimals_for(values),
    )
