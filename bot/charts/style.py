"""One house style for every chart: colour-blind-safe colours, type a phone can read.

A chart is 720 px wide and shown about half that on a phone, so no text is smaller than
MIN_FONT_SIZE (about 11 screen pixels there). Charts with many rows grow taller rather than
shrink their text: a phone scrolls a tall picture well, it cannot enlarge small print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe–Ito colours, readable with the common forms of colour blindness.
GREEN = "#009E73"
YELLOW = "#E69F00"
GREY = "#C0C0C0"
"""Light enough to stay apart from the green for red-green colour blindness."""
BLUE = "#0072B2"
INK = "#222222"
SERIES_COLOURS = (BLUE, YELLOW, GREEN, "#CC79A7", "#56B4E9", "#D55E00", "#000000")
OTHERS_COLOUR = GREY
"""The folded "others" group is grey in every chart: it is not a group of its own."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
"""Lines differ by marker too, so colour is never the only cue."""

GOAL_COLOURS = {
    "progress_reached": "#2171B5",
    "stable_reached": "#6BAED6",
    "progress_not_reached": "#FED98E",
    "no_change": "#FE9929",
    "worse": "#CC4C02",
}
"""Goal reached is blue, not reached is yellow to dark orange: two hue families that stay apart
for red-green and blue-yellow colour blindness (ColorBrewer Blues and YlOrBr)."""

AS_WRITTEN = {"parse_math": False}
"""For text from a data file: "$" and "_" are drawn as written, not read as mathematics."""

WIDTH_PX = 720
MIN_HEIGHT_PX = 480
DPI = 120
TITLE_SIZE = 17
FONT_SIZE = 15
SMALL_SIZE = 13
MIN_FONT_SIZE = SMALL_SIZE
PAD_PX = 14
TICK_POINTS = 4.0
"""An axis's tick length, and the gap from it to its label."""
TICK_SPACE_PX = 2 * TICK_POINTS * DPI / 72


def new_figure(height_px: int = MIN_HEIGHT_PX) -> Figure:
    """A figure that draws off-screen (Agg), without pyplot's global state, so threads are safe."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Figure) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def ink_on(background: str) -> str:
    """Dark ink or white, whichever contrasts more with `background`."""
    luminance = _luminance(background)
    return INK if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "white"


def readable(colour: str) -> str:
    """`colour` darkened until text in it reads on white (WCAG AA: contrast 4.5:1)."""
    import colorsys

    from matplotlib.colors import to_hex, to_rgb

    hue, lightness, saturation = colorsys.rgb_to_hls(*to_rgb(colour))
    shade = to_hex(colorsys.hls_to_rgb(hue, lightness, saturation))
    while 1.05 / (_luminance(shade) + 0.05) < 4.5:
        lightness -= 0.02
        shade = to_hex(colorsys.hls_to_rgb(hue, lightness, saturation))
    return shade


def _luminance(colour: str) -> float:
    """WCAG relative luminance."""
    from matplotlib.colors import to_rgb

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in to_rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
