"""'How to read the chart' captions, written from the numbers the chart draws (seed 001's
pattern: what the marks mean, the worked numbers, a plain comparison, and a caveat).

Numbers are printed here exactly as the chart prints them (bot.charts.numbers), in the language
the catalogue names under `chart.language`, so a caption never says "6" where the chart says "6,0".
"""

from __future__ import annotations

from collections.abc import Callable

from bot.charts.numbers import Numbers
from bot.charts.plans import OTHERS, ChartPlan, Series
from bot.dataset.reader import ChartKind

MAX_CAPTION_CHARS = 1024
Text = Callable[..., str]
"""(key, **params) -> catalogue text in the reader's language."""


def caption(plan: ChartPlan, text: Text) -> str:
    numbers = Numbers(text("chart.language"), plan.decimals)
    parts = {
        ChartKind.GROUP_COMPARISON: _comparison,
        ChartKind.GOAL_ATTAINMENT: _goal,
        ChartKind.PROGRESSION: _progression,
        ChartKind.TWO_GROUPS: _two_groups,
        ChartKind.DISTRIBUTION: _distribution,
    }[plan.kind](plan, text, numbers)
    if plan.folded:
        parts.append(text("chart.caption.folded", count=plan.folded))
    while len(parts) > 1 and len(" ".join(parts)) > MAX_CAPTION_CHARS:
        parts.pop(-2)  # drop detail sentences, keep the first (how to read) and the caveat
    return " ".join(parts)


def _listing(names: list[str] | tuple[str, ...]) -> str:
    """At most six names, so a caption stays readable (and under Telegram's limit)."""
    return ", ".join(names[:6]) + (" …" if len(names) > 6 else "")


def _name(group: str, text: Text) -> str:
    return text("chart.others") if group == OTHERS else group


def _comparison(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    first, last = plan.series[0], plan.series[-1]
    scored = [(v, g) for g, v in zip(plan.categories, last.values, strict=True) if v is not None]
    top_value, top = max(scored)
    parts = [
        text("chart.caption.comparison", periods=_listing([s.name for s in plan.series])),
        text("chart.caption.comparison_top", period=last.name, group=_name(top, text),
             value=numbers.value(top_value)),
    ]  # fmt: skip
    start = first.values[plan.categories.index(top)]
    if len(plan.series) > 1 and start is not None:
        parts.append(
            text("chart.caption.change", group=_name(top, text), start=numbers.value(start),
                 first=first.name, end=numbers.value(top_value), last=last.name)
        )  # fmt: skip
    return parts


def _goal(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    shares = {s.name: s.values for s in plan.series}
    reached = [
        (shares["progress_reached"][i] + shares["stable_reached"][i], group)
        for i, group in enumerate(plan.categories)
    ]
    top_share, top = max(reached)
    low_share, low = min(reached)
    parts = [text("chart.caption.goal")]
    if len(reached) > 1:
        parts.append(text("chart.caption.goal_compare", top=_name(top, text),
                          top_share=numbers.percent(top_share), low=_name(low, text),
                          low_share=numbers.percent(low_share)))  # fmt: skip
    else:
        parts.append(text("chart.caption.goal_one", group=_name(top, text),
                          share=numbers.percent(top_share)))  # fmt: skip
    parts.append(text("chart.caption.goal_caveat"))
    return parts


def _movements(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    moves = []
    for series in plan.series[:3]:
        known = [(i, v) for i, v in enumerate(series.values) if v is not None]
        if len(known) >= 2:
            (i, start), (j, end) = known[0], known[-1]
            moves.append(
                text("chart.caption.change", group=_name(series.name, text),
                     start=numbers.value(start), first=plan.categories[i],
                     end=numbers.value(end), last=plan.categories[j])
            )  # fmt: skip
    return moves


def _cohort_caveat(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    for series in plan.series:
        counts = [n for n in series.n if n is not None]
        if len(counts) >= 2 and len(set(counts)) > 1:
            return [text("chart.caption.cohort", group=_name(series.name, text),
                         first=numbers.count(counts[0]),
                         last=numbers.count(counts[-1]))]  # fmt: skip
    return []


def _progression(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    movements = _movements(plan, text, numbers)
    return [text("chart.caption.progression"), *movements, *_cohort_caveat(plan, text, numbers)]


def _two_groups(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    names: list[Series] = list(plan.series[:2])
    intro = text("chart.caption.two_groups", a=_name(names[0].name, text),
                 b=_name(names[-1].name, text), points=_listing(plan.categories))  # fmt: skip
    return [intro, *_movements(plan, text, numbers), *_cohort_caveat(plan, text, numbers)]


def _distribution(plan: ChartPlan, text: Text, numbers: Numbers) -> list[str]:
    counts = plan.series[0].values
    total = sum(v or 0 for v in counts)
    top_count, top = max((v or 0, g) for g, v in zip(plan.categories, counts, strict=True))
    return [
        text("chart.caption.distribution", total=numbers.count(total)),
        text("chart.caption.distribution_top", answer=_name(top, text),
             count=numbers.count(top_count),
             share=numbers.percent(100 * top_count / (total or 1))),
    ]  # fmt: skip
