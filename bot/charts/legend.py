"""A legend above the plot that wraps like a line of words, so it never covers a bar or a line."""

from __future__ import annotations

from dataclasses import dataclass

from bot.charts import style
from bot.charts.layout import Canvas

SWATCH_PX = {"bar": 16.0, "line": 30.0}
GAP_PX = 8.0
"""Between a swatch and its label."""
SPACING_PX = 20.0
"""Between one entry and the next on the same line."""


@dataclass(frozen=True)
class Entry:
    label: str
    colour: str
    marker: str | None = None
    """None: a square, as the bars are drawn; else a short line with this marker."""
    new_line: bool = False
    """Start a new line with this entry (the goal chart puts "not reached" under "reached")."""


@dataclass(frozen=True)
class _Placed:
    entry: Entry
    label: str
    x: float
    row: int


class Legend:
    """Entries placed left to right within `width`, wrapping to a new line when one is full."""

    def __init__(self, canvas: Canvas, entries: list[Entry], width: float) -> None:
        self.canvas = canvas
        self.row_height = canvas.line_height(style.SMALL_SIZE) + 4
        self._placed: list[_Placed] = []
        x, row = 0.0, 0
        for entry in entries:
            swatch = SWATCH_PX["bar" if entry.marker is None else "line"] + GAP_PX
            label = canvas.fit(entry.label, width - swatch, style.SMALL_SIZE)
            needed = swatch + canvas.size(label, style.SMALL_SIZE)[0]
            if x > 0 and (entry.new_line or x + needed > width):
                x, row = 0.0, row + 1
            self._placed.append(_Placed(entry, label, x, row))
            x += needed + SPACING_PX

    @property
    def is_empty(self) -> bool:
        return not self._placed

    @property
    def height(self) -> float:
        return (self._placed[-1].row + 1) * self.row_height if self._placed else 0.0

    def draw(self, left: float, top: float) -> None:
        """Draw with the first line's top `top` pixels below the picture's top edge."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        canvas, figure = self.canvas, self.canvas.figure
        for placed in self._placed:
            x = left + placed.x
            middle = top + (placed.row + 0.5) * self.row_height
            entry = placed.entry
            if entry.marker is None:
                side = SWATCH_PX["bar"]
                figure.add_artist(Rectangle(
                    (canvas.x(x), canvas.y(middle + side / 2)), canvas.x(side),
                    side / canvas.height, color=entry.colour, transform=figure.transFigure,
                ))  # fmt: skip
            else:
                length = SWATCH_PX["line"]
                figure.add_artist(Line2D(
                    [canvas.x(x), canvas.x(x + length / 2), canvas.x(x + length)],
                    [canvas.y(middle)] * 3, color=entry.colour, linewidth=3,
                    marker=entry.marker, markevery=[1], markersize=7,
                    transform=figure.transFigure,
                ))  # fmt: skip
            swatch = SWATCH_PX["bar" if entry.marker is None else "line"] + GAP_PX
            figure.text(canvas.x(x + swatch), canvas.y(middle), placed.label, ha="left",
                        va="center", fontsize=style.SMALL_SIZE, color=style.INK,
                        **style.AS_WRITTEN)  # fmt: skip
