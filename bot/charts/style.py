"""One house style for every chart: colour-blind-safe colours, big type for a phone screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe–Ito colours, readable with the common forms of colour blindness.
GREEN = "#009E73"
YELLOW = "#E69F00"
GREY = "#999999"
BLUE = "#0072B2"

PHONE_SIZE_INCHES = (6.0, 4.0)
DPI = 120
FONT_SIZE = 15


def new_figure() -> Figure:
    """A figure that draws off-screen (Agg), without pyplot's global state, so threads are safe."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=PHONE_SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Figure) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    figure.clear()
    return buffer.getvalue()
