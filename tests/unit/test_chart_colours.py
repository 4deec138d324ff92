"""Colours mean one thing each and survive colour blindness: goal reached is one hue family,
not reached another, and every colour a chart sets side by side stays apart when simulated for
protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, full severity)."""

from __future__ import annotations

import colorsys
from itertools import combinations

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from bot.charts import style
from bot.dataset.reader import GOAL_CATEGORIES, REACHED_CATEGORIES

VISION = {
    "typical": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}  # fmt: skip
TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = np.array([0.95047, 1.0, 1.08883])
DISTINCT = 20.0
"""CIELAB ΔE76: above about 10 colours are told apart at a glance; 20 leaves a margin."""
DISTINCT_WITH_MARKERS = 15.0
"""Groups' lines also differ by marker, so their colours may come a little closer (no known
palette of seven keeps 20 apart under tritanopia)."""


def seen(colour: str, vision: str) -> np.ndarray:
    """CIELAB of `colour` as a person with `vision` sees it."""
    srgb = np.array(to_rgb(colour))
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(VISION[vision] @ linear, 0, 1)
    xyz = TO_XYZ @ linear / WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def hue(colour: str) -> float:
    return colorsys.rgb_to_hls(*to_rgb(colour))[0] * 360


def test_goal_reached_is_blue_and_not_reached_yellow_to_orange():
    reached = [hue(style.GOAL_COLOURS[c]) for c in GOAL_CATEGORIES if c in REACHED_CATEGORIES]
    missed = [hue(style.GOAL_COLOURS[c]) for c in GOAL_CATEGORIES if c not in REACHED_CATEGORIES]
    assert len(reached) == 2
    assert all(190 <= h <= 230 for h in reached), reached
    assert all(15 <= h <= 50 for h in missed), missed


@pytest.mark.parametrize("vision", VISION)
@pytest.mark.parametrize(
    ("palette", "distinct"),
    [
        (tuple(style.GOAL_COLOURS.values()), DISTINCT),
        ((style.GREEN, style.YELLOW, style.GREY), DISTINCT),  # the preparation status chart
        ((*style.SERIES_COLOURS, style.OTHERS_COLOUR), DISTINCT_WITH_MARKERS),
    ],
    ids=["goal", "status", "series"],
)
def test_colours_drawn_together_stay_apart_with_colour_blindness(palette, distinct, vision):
    closest = min(
        (float(np.linalg.norm(seen(a, vision) - seen(b, vision))), a, b)
        for a, b in combinations(palette, 2)
    )
    assert closest[0] >= distinct, closest
