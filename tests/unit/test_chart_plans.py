"""Each chart draws the right numbers, folds long lists into "others", and says how to read it."""

from __future__ import annotations

import struct

import pytest

from bot.charts import captions, draw, numbers
from bot.charts.plans import OTHERS, plans_for, vote_results
from bot.core import format
from bot.dataset.reader import ChartKind, DataPoint
from flows.i18n import Catalogue


def point(chart: str, group: str, value: float, period: str | None = None, **extra) -> DataPoint:
    return DataPoint(chart=chart, indicator="Test", group=group, period=period, value=value,
                     **extra)  # fmt: skip


@pytest.fixture(scope="module")
def text():
    catalogue = Catalogue.load()

    def make(language: str):
        def text(key: str, **params):
            shown = {k: format.number(v, language) if isinstance(v, float) else v
                     for k, v in params.items()}  # fmt: skip
            return catalogue.text(key, language, **shown)

        return text

    return make


def test_group_comparison_draws_one_bar_per_group_and_period(text):
    values = (("Mænd", 2.1, "2024"), ("Mænd", 2.4, "2025"), ("Kvinder", 1.8, "2024"),
              ("Kvinder", 2.2, "2025"))  # fmt: skip
    (plan,) = plans_for([point("group_comparison", g, v, p) for g, v, p in values])
    assert plan.categories == ("Mænd", "Kvinder")
    assert [(s.name, s.values) for s in plan.series] == [("2024", (2.1, 1.8)), ("2025", (2.4, 2.2))]
    assert captions.caption(plan, text("da")).endswith(
        "I 2025 har »Mænd« den højeste værdi (2,4). »Mænd« går fra 2,1 (2024) til 2,4 (2025)."
    )


def test_goal_attainment_turns_counts_into_shares_of_each_parameter(text):
    counts = {"progress_reached": 14, "progress_not_reached": 9, "stable_reached": 6,
              "no_change": 8, "worse": 3}  # fmt: skip
    rows = [point("goal_attainment", "Familie", n, category=c) for c, n in counts.items()]
    rows += [point("goal_attainment", "Fritid", n, category=c)
             for c, n in zip(counts, (9, 12, 4, 11, 5), strict=True)]  # fmt: skip
    (plan,) = plans_for(rows)
    shares = {s.name: s.values for s in plan.series}
    assert shares["progress_reached"] == (35.0, pytest.approx(100 * 9 / 41))
    assert all(s.n == (40, 41) for s in plan.series)
    caption = captions.caption(plan, text("da"))
    assert "størst for »Familie« (50\u00a0%) og mindst for »Fritid« (32\u00a0%)" in caption
    assert "fastholdelsesmål" in caption


def test_progression_warns_when_the_number_of_answers_changes(text):
    values = (("Start", 4.2, 36), ("Midt", 5.1, 31), ("Slut", 6.0, 24))
    (plan,) = plans_for([point("progression", "Alle", v, p, n=n) for p, v, n in values])
    assert plan.categories == ("Start", "Midt", "Slut")
    assert plan.series[0].values == (4.2, 5.1, 6.0)
    assert plan.series[0].n == (36, 31, 24)
    caption = captions.caption(plan, text("en"))
    assert '"Alle" goes from 4.2 (Start) to 6.0 (Slut).' in caption  # as the chart prints it
    assert "changes from 36 to 24" in caption


def test_two_groups_are_compared_at_each_point(text):
    rows = [point("two_groups", g, v, p) for g, v, p in (
        ("Mentor", 1.4, "Start"), ("Mentor", 2.1, "Slut"), ("Mentor", 1.9, "Opfølgning"),
        ("Mentor og forældre", 1.3, "Start"), ("Mentor og forældre", 2.6, "Slut"),
        ("Mentor og forældre", 2.5, "Opfølgning"))]  # fmt: skip
    (plan,) = plans_for(rows)
    assert plan.kind is ChartKind.TWO_GROUPS
    assert [s.values for s in plan.series] == [(1.4, 2.1, 1.9), (1.3, 2.6, 2.5)]
    assert "»Mentor og forældre« går fra 1,3 (Start) til 2,5 (Opfølgning)." in captions.caption(
        plan, text("da")
    )


def test_more_than_seven_groups_keep_the_six_largest_and_fold_the_rest(text):
    rows = [point("group_comparison", f"G{n}", float(n), "2025") for n in range(1, 10)]
    (plan,) = plans_for(rows)
    assert plan.categories == ("G4", "G5", "G6", "G7", "G8", "G9", OTHERS)
    assert plan.series[0].values[-1] == 2.0  # the mean of G1, G2 and G3
    assert plan.folded == 3
    assert captions.caption(plan, text("da")).endswith("De 3 mindste grupper er samlet i »Øvrige«.")


@pytest.mark.parametrize(
    "kind", ["group_comparison", "goal_attainment", "progression", "distribution", "two_groups"]
)
def test_every_chart_is_a_phone_sized_png_under_200_kb(kind):
    extra = {"category": "worse"} if kind == "goal_attainment" else {}
    period = None if kind in ("goal_attainment", "distribution") else "Start"
    rows = [point(kind, g, 3.5, period, **extra) for g in ("A", "B")]
    if period is not None:
        rows += [point(kind, g, 4.5, "Slut") for g in ("A", "B")]
    (plan,) = plans_for(rows)
    png = draw.render_png(plan, {OTHERS: "Øvrige"}, "da")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (720, 480)
    assert len(png) < 200_000


def test_captions_fit_telegrams_caption_limit(text):
    rows = [point("progression", "G" * 58 + str(n), 1.0 + n, p, n=10 + n)
            for n in range(7) for p in ("Start", "Slut")]  # fmt: skip
    (plan,) = plans_for(rows)
    assert len(captions.caption(plan, text("da"))) <= 1024


def test_distribution_keeps_the_answer_order_and_votes_are_ranked(text):
    answers = (("Meget tilfreds", 18), ("Tilfreds", 23), ("Utilfreds", 5))
    (plan,) = plans_for([point("distribution", a, n) for a, n in answers])
    assert plan.categories == ("Meget tilfreds", "Tilfreds", "Utilfreds")
    assert plan.series[0].values == (18, 23, 5)
    assert captions.caption(plan, text("da")).endswith("Flest svarede »Tilfreds«: 23 (50\u00a0%).")
    votes = vote_results("Stemmer", [("Fremmøde", 3), ("Trivsel", 7), ("Data", 5)])
    assert votes.categories == ("Trivsel", "Data", "Fremmøde")
    assert votes.series[0].values == (7, 5, 3)


def test_the_figure_draws_exactly_the_planned_numbers():
    values = (("Mænd", 2.1, "2024"), ("Mænd", 2.4, "2025"), ("Kvinder", 1.8, "2024"),
              ("Kvinder", 2.2, "2025"))  # fmt: skip
    (bars,) = plans_for([point("group_comparison", g, v, p) for g, v, p in values])
    axes = draw.draw_figure(bars, {}, "da").axes[0]
    assert [round(p.get_width(), 1) for p in axes.patches] == [2.1, 2.4, 1.8, 2.2]
    texts = [t.get_text() for t in axes.texts]
    assert texts == ["Mænd", "2,1", "2,4", "Kvinder", "1,8", "2,2"]  # decimal commas

    (lines,) = plans_for([point("progression", "Alle", v, p, n=n)
                          for p, v, n in (("Start", 4.2, 36), ("Slut", 6.0, 24))])  # fmt: skip
    figure = draw.draw_figure(lines, {}, "en")
    axes = figure.axes[0]
    assert list(axes.lines[0].get_ydata()) == [4.2, 6.0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["Start", "Slut"]
    assert [t.get_text() for t in axes.texts] == ["4.2", "6.0"]
    assert [t.get_text() for t in figure.texts][-3:] == ["n", "36", "24"]  # under each point


def test_captions_print_numbers_exactly_as_the_chart_draws_them(text):
    (plan,) = plans_for([point("progression", "Alle", v, p)
                         for p, v in (("Start", 4.25), ("Slut", 6.0))])  # fmt: skip
    for language, start, end in (("da", "4,2", "6,0"), ("en", "4.2", "6.0")):
        drawn = [t.get_text() for t in draw.draw_figure(plan, {}, language).axes[0].texts]
        assert drawn == [start, end]  # half to even, as Babel rounds
        assert f"{start} (Start)" in captions.caption(plan, text(language))
        assert f"{end} (Slut)" in captions.caption(plan, text(language))

    counts = {"progress_reached": 7, "stable_reached": 1, "worse": 12}
    (goal,) = plans_for([point("goal_attainment", "Fritid", n, category=c)
                         for c, n in counts.items()])  # fmt: skip
    drawn = [t.get_text() for t in draw.draw_figure(goal, {}, "da").axes[0].texts]
    assert "35\u00a0%" in drawn
    assert "40\u00a0% af borgerne i »Fritid« nåede deres mål." in captions.caption(goal, text("da"))


def test_the_catalogue_names_its_own_language_for_numbers():
    catalogue = Catalogue.load()
    for language in ("da", "en"):
        assert catalogue.text("chart.language", language) == language
        assert language in numbers.LOCALES
