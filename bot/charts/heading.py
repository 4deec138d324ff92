"""The top of every chart: its title (at most two lines) and the legend under it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.charts import style
from bot.charts.layout import Canvas
from bot.charts.legend import Entry, Legend

TITLE_GAP_PX = 10.0
LEGEND_GAP_PX = 14.0
"""Under the legend: room for the top half of an axis's highest tick label."""


@dataclass(frozen=True)
class Heading:
    title: str
    title_height: float
    legend: Legend

    @classmethod
    def measure(cls, canvas: Canvas, title: str, entries: list[Entry]) -> Heading:
        width = canvas.width - 2 * style.PAD_PX
        fitted = canvas.fit(title, width, style.TITLE_SIZE, max_lines=2)
        height = canvas.size(fitted, style.TITLE_SIZE)[1]
        return cls(fitted, height, Legend(canvas, entries, width))

    @property
    def height(self) -> float:
        """Pixels from the picture's top to where the plot may begin."""
        legend = self.legend.height + LEGEND_GAP_PX if not self.legend.is_empty else 0.0
        return style.PAD_PX + self.title_height + TITLE_GAP_PX + legend

    def draw(self, canvas: Canvas) -> None:
        pad = style.PAD_PX
        canvas.figure.text(canvas.x(pad), canvas.y(pad), self.title, ha="left", va="top",
                           fontsize=style.TITLE_SIZE, color=style.INK,
                           **style.AS_WRITTEN)  # fmt: skip
        self.legend.draw(pad, pad + self.title_height + TITLE_GAP_PX)
