"""Every chart a phone can read: after drawing, no text leaves the picture or touches another
text, a line or the edge of a bar; nothing is smaller than the house minimum; legends cover
nothing. Checked on the demo data, the vote results, the preparation status, and generated edge
cases (long Danish names, 7 and 9 groups, values near 0 and 100 %, one period)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import combinations, pairwise
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.charts import draw, status_chart, style
from bot.charts.labels import chart_labels
from bot.charts.plans import ChartPlan, plans_for, vote_results
from bot.charts.status_chart import PrepCounts
from bot.dataset.reader import GOAL_CATEGORIES, DataPoint, read_file
from bot.demo import SAMPLE_DATA
from flows.i18n import Catalogue

LONG_NAMES = (
    "Børn og unge med særlige behov i Nordvestjylland",
    "Ældre borgere over 80 år, der bor i eget hjem",
    "Unge mellem 18 og 25 år uden uddannelse eller job",
    "Familier med tre eller flere børn under skolealderen",
    "Enlige forsørgere på kontanthjælp eller dagpenge",
    "Borgere med angst, depression eller stress",
    "Mænd over 50 år med alkoholproblemer",
    "Kvinder i krisecenter efter vold i nære relationer",
    "Pårørende til borgere med demens",
)
LONG_TITLE = "Problemtyngde ved indskrivning blandt kommunens målgrupper, opgjort på skala 0-4"
SHORT_NAMES = ("Mænd", "Kvinder", "Unge", "Ældre", "Familier", "Enlige", "Pårørende", "Andre", "X")
PERIODS = ("Start", "Opfølgning efter seks måneder", "Afslutning")


@contextmanager
def drawing() -> Iterator[list[Text]]:
    """Records every text matplotlib actually draws (tick labels of hidden ticks are not)."""
    drawn: list[Text] = []
    original = Text.draw

    def record(self: Text, renderer) -> None:
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        original(self, renderer)

    with patch.object(Text, "draw", record):
        yield drawn


def problems(figure: Figure) -> list[str]:
    """What a reader on a phone would trip over, one line each; empty when the chart is clean."""
    with drawing() as texts:
        figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    boxes = [(text, text.get_window_extent(renderer)) for text in texts]
    found = []
    for text, box in boxes:
        label = repr(text.get_text())
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
            found.append(f"{label} leaves the picture")
        if text.get_fontsize() < style.MIN_FONT_SIZE:
            found.append(f"{label} is smaller than {style.MIN_FONT_SIZE} pt")
    for (one, a), (other, b) in combinations(boxes, 2):
        if _overlap(a, b):
            found.append(f"{one.get_text()!r} overlaps {other.get_text()!r}")
    for axes in figure.axes:
        for line in axes.lines:
            points = line.get_transform().transform(line.get_xydata())
            half = line.get_linewidth() * figure.dpi / 72 / 2
            mark = line.get_markersize() * figure.dpi / 72 / 2
            for text, box in boxes:
                if any(_segment_hits(box, p, q, half) for p, q in pairwise(points)) or any(
                    _overlap(box, _square(p, mark)) for p in points
                ):
                    found.append(f"{text.get_text()!r} is on a line")
        for bar in [p for p in axes.patches if isinstance(p, Rectangle)]:
            edge = bar.get_window_extent(renderer)
            for text, box in boxes:
                inside = edge.x0 <= box.x0 and box.x1 <= edge.x1 and edge.y0 <= box.y0
                if _overlap(box, edge) and not (inside and box.y1 <= edge.y1):
                    found.append(f"{text.get_text()!r} lies across the edge of a bar")
        if legend := axes.get_legend():
            found += _covered_by(legend, axes, boxes, renderer)
    plots = [axes.get_window_extent(renderer) for axes in figure.axes]
    for swatch in figure.artists:  # legend swatches drawn on the figure
        extent = swatch.get_window_extent(renderer).padded(2)
        if any(_overlap(extent, box) for _, box in boxes) or any(
            _overlap(extent, plot) for plot in plots
        ):
            found.append("a legend swatch covers a text or the plot")
    return found


def _covered_by(legend, axes, boxes, renderer) -> list[str]:
    """What a matplotlib legend box covers: bars, lines, or texts that are not its own."""
    frame, own = legend.get_window_extent(renderer), set(legend.get_texts())
    found = [f"the legend covers {text.get_text()!r}" for text, box in boxes
             if text not in own and _overlap(frame, box)]  # fmt: skip
    bars = [p.get_window_extent(renderer) for p in axes.patches]
    lines = [line.get_transform().transform(line.get_xydata()) for line in axes.lines]
    if any(_overlap(frame, bar) for bar in bars) or any(
        _segment_hits(frame, p, q, 2) for points in lines for p, q in pairwise(points)
    ):
        found.append("the legend covers the data")
    return found


def _overlap(a, b) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5


def _square(point, half: float):
    from matplotlib.transforms import Bbox

    x, y = point
    return Bbox([[x - half, y - half], [x + half, y + half]])


def _segment_hits(box, start, end, half_width: float) -> bool:
    """Whether a line of `half_width` from start to end touches the box (sampled every pixel)."""
    (x0, y0), (x1, y1) = start, end
    steps = max(int(max(abs(x1 - x0), abs(y1 - y0))), 1)
    for step in range(steps + 1):
        x, y = x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps
        if (
            box.x0 - half_width < x < box.x1 + half_width
            and box.y0 - half_width < y < box.y1 + half_width
        ):
            return True
    return False


def point(chart: str, group: str, value: float, period: str | None = None, **extra) -> DataPoint:
    return DataPoint(chart=chart, indicator=extra.pop("indicator", "Test"), group=group,
                     period=period, value=value, **extra)  # fmt: skip


def comparison(names, periods, value=lambda g, p: 2.0 + g / 3 + p, title="Test") -> ChartPlan:
    rows = [point("group_comparison", name, value(g, p), period, indicator=title)
            for g, name in enumerate(names) for p, period in enumerate(periods)]  # fmt: skip
    return plans_for(rows)[0]


def goal(names, shares: tuple[float, ...]) -> ChartPlan:
    outcomes = list(zip(GOAL_CATEGORIES, shares, strict=True))
    rows = [point("goal_attainment", name, share, category=category)
            for name in names for category, share in outcomes]  # fmt: skip
    return plans_for(rows)[0]


def lines(kind, names, periods, value=lambda g, p: 4.0 + g * 0.05 + p) -> ChartPlan:
    rows = [point(kind, name, value(g, p), period, n=30 - g - p)
            for g, name in enumerate(names) for p, period in enumerate(periods)]  # fmt: skip
    return plans_for(rows)[0]


def distribution(answers) -> ChartPlan:
    return plans_for([point("distribution", answer, count) for answer, count in answers])[0]


GENERATED = {
    "comparison, 7 long names, long title": comparison(LONG_NAMES[:7], ("2024", "2025"),
                                                       title=LONG_TITLE),
    "comparison, 9 groups folded": comparison(SHORT_NAMES, ("2023", "2024", "2025")),
    "comparison, one period, near 0 and 100": comparison(
        ("Næsten ingen", "Næsten alle", "Midt"), ("2025",),
        value=lambda g, p: (0.01, 99.99, 50.0)[g]),
    "comparison, names that look like mathematics": comparison(
        ("Pris i $ pr. borger", "A_1 $x^2$", "Udgift \\frac{ $"), ("2024", "2025"),
        title="Udgifter $\\frac{$ pr. måned"),
    "comparison, negative values": comparison(("Før", "Efter"), ("2025",),
                                              value=lambda g, p: (-3.5, 2.0)[g]),
    "goal, 7 long names, near 0 and 100": goal(LONG_NAMES[:7], (99, 1, 0, 0, 0)),
    "goal, 9 groups, one outcome each": goal(SHORT_NAMES, (1, 1, 1, 1, 96)),
    "goal, one parameter": goal(("Familierelationer",), (14, 6, 9, 8, 3)),
    "progression, 7 long names, close lines": lines("progression", LONG_NAMES[:7], PERIODS),
    "progression, one period": lines("progression", ("Alle",), ("2025",)),
    "progression, 9 groups folded": lines("progression", SHORT_NAMES, ("Start", "Slut")),
    "two groups, crossing near 0 and 100": lines(
        "two_groups", ("Mentor", "Mentor og forældre, med ugentlige møder hele forløbet"),
        PERIODS, value=lambda g, p: ((0.1, 99.9, 50.0), (0.3, 99.7, 50.2))[g][p]),
    "progression, 12 points with large counts": plans_for([
        point("progression", group, 50.0 + g, f"Måling {p + 1}", n=98_765 - p)
        for g, group in enumerate(("Mænd", "Kvinder")) for p in range(12)])[0],
    "distribution, a zero and a 100 %": distribution((("Meget tilfreds", 0), ("Tilfreds", 100))),
    "distribution, 9 long answers folded": distribution(
        [(name, 10 + n) for n, name in enumerate(LONG_NAMES)]),
    "votes, long themes": vote_results("Prioriterede temaer (prikker)", [
        ("1. Flere unge er kommet i fritidstilbud efter sommerferien, især drenge fra 13 år", 4),
        ("2. Vi hører for lidt fra de unge selv, og de svarer sjældent på vores spørgeskemaer", 1),
        ("3. Attendance drops after the summer holidays", 4)]),
    "votes, none cast": vote_results("Prioriterede temaer (prikker)", []),
}  # fmt: skip


@pytest.fixture(scope="module")
def labels():
    catalogue = Catalogue.load()
    return {language: chart_labels(lambda key, lang=language: catalogue.text(key, lang))
            for language in ("da", "en")}  # fmt: skip


def demo_plans() -> list[ChartPlan]:
    return plans_for(read_file(SAMPLE_DATA.name, SAMPLE_DATA.read_bytes()).points)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("index", range(5))
def test_each_demo_chart_is_clean_on_a_phone(index, language, labels):
    plan = demo_plans()[index]
    figure = draw.draw_figure(plan, labels[language], language)
    assert problems(figure) == []
    assert (figure.bbox.width, figure.bbox.height) == (720, 480)


@pytest.mark.parametrize("case", GENERATED)
def test_each_generated_edge_case_is_clean_on_a_phone(case, labels):
    figure = draw.draw_figure(GENERATED[case], labels["da"], "da")
    assert problems(figure) == []
    assert figure.bbox.width == 720
    assert 480 <= figure.bbox.height <= 1400


WORDS = ("Børn", "unge", "med", "særlige", "behov", "i", "Nordvestjylland", "ældre", "over", "80",
         "år", "Start", "opfølgning", "efter", "måneder", "WWWWWWWWWW", "Æblegrød")  # fmt: skip


def names(longest: int):
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(
        lambda words: " ".join(words)[:longest].strip() or "X"
    )


@st.composite
def any_plan(draw_) -> ChartPlan:
    """Any chart a file could ask for: up to 10 groups, 12 periods, names up to their limits."""
    kind = draw_(st.sampled_from(["group_comparison", "goal_attainment", "progression",
                                  "two_groups", "distribution"]))  # fmt: skip
    title = draw_(names(80))
    groups = draw_(st.lists(names(60), min_size=1, max_size=10, unique=True))
    if kind == "goal_attainment":
        rows = [point(kind, g, draw_(st.integers(0, 50)), category=c, indicator=title)
                for g in groups for c in GOAL_CATEGORIES]  # fmt: skip
    elif kind == "distribution":
        rows = [point(kind, g, draw_(st.integers(0, 500)), indicator=title) for g in groups]
    else:
        periods = draw_(st.lists(names(40), min_size=1, max_size=12, unique=True))
        scale = draw_(st.sampled_from([1.0, 100.0, 100_000.0]))
        values = st.floats(-0.1 * scale, scale, allow_nan=False)
        counts = st.one_of(st.none(), st.integers(0, 99_999))
        # every group has the first point; after that, some groups miss some points
        cells = [(g, p) for g in groups for i, p in enumerate(periods)
                 if i == 0 or draw_(st.booleans())]  # fmt: skip
        rows = [point(kind, g, draw_(values), p, n=draw_(counts), indicator=title)
                for g, p in cells]  # fmt: skip
    return plans_for(rows)[0]


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(plan=any_plan(), language=st.sampled_from(["da", "en"]))
def test_any_chart_a_file_can_ask_for_is_clean_on_a_phone(plan, language):
    figure = draw.draw_figure(plan, {}, language)
    assert problems(figure) == []
    assert figure.bbox.width == 720


@pytest.mark.parametrize("counts", [(5, 1, 1), (0, 0, 0), (30, 0, 2)])
def test_the_preparation_status_chart_is_clean_on_a_phone(counts):
    names = {"finished": "Færdig", "in_progress": "I gang", "not_started": "Ikke startet",
             "participants": "Deltagere", "prep_title": "Forberedelse"}  # fmt: skip
    assert problems(status_chart.draw_figure(PrepCounts(*counts), names)) == []


def test_the_check_finds_each_thing_a_phone_reader_trips_over():
    figure = style.new_figure()
    axes = figure.add_axes((0.1, 0.1, 0.8, 0.8))
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    axes.plot([0, 10], [5, 5], linewidth=3)
    axes.barh(2, 6, height=1)
    axes.text(5, 5, "on the line", fontsize=style.MIN_FONT_SIZE)
    axes.text(5, 2, "across a bar", va="center", fontsize=style.MIN_FONT_SIZE)
    axes.text(1, 8, "one", fontsize=style.MIN_FONT_SIZE)
    axes.text(1.2, 8, "other", fontsize=style.MIN_FONT_SIZE)
    figure.text(0.99, 0.5, "cut at the right edge", fontsize=style.MIN_FONT_SIZE)
    figure.text(0.5, 0.97, "tiny", fontsize=8)
    axes.legend(["line"], loc="center")
    axes.text(5, 4.5, "under the legend", ha="center", va="center", fontsize=style.MIN_FONT_SIZE)
    figure.add_artist(Line2D([0.45, 0.55], [0.3, 0.3], transform=figure.transFigure))
    found = problems(figure)
    assert "'on the line' is on a line" in found
    assert "'across a bar' lies across the edge of a bar" in found
    assert "'one' overlaps 'other'" in found
    assert "'cut at the right edge' leaves the picture" in found
    assert f"'tiny' is smaller than {style.MIN_FONT_SIZE} pt" in found
    assert "the legend covers the data" in found
    assert "the legend covers 'under the legend'" in found
    assert "a legend swatch covers a text or the plot" in found
