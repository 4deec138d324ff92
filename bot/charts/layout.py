"""Pixel geometry for drawing: measuring text, fitting it to a width, boxes that must not collide.

Charts are laid out by hand in pixels from the top of the picture, measured with the renderer
that will draw them, so nothing is drawn twice to find out where it landed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ELLIPSIS = "…"


@dataclass(frozen=True)
class Box:
    """A rectangle in display pixels (origin bottom left, as matplotlib's)."""

    left: float
    bottom: float
    right: float
    top: float

    @classmethod
    def around(cls, x: float, y: float, width: float, height: float) -> Box:
        return cls(x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    def grown(self, by: float) -> Box:
        return Box(self.left - by, self.bottom - by, self.right + by, self.top + by)

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.bottom < other.top
            and other.bottom < self.top
        )

    def within(self, other: Box) -> bool:
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.bottom >= other.bottom
            and self.top <= other.top
        )

    def crosses(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Whether the segment start-end passes through the box (Liang–Barsky clipping)."""
        (x0, y0), (x1, y1) = start, end
        dx, dy = x1 - x0, y1 - y0
        low, high = 0.0, 1.0
        for p, q in (
            (-dx, x0 - self.left),
            (dx, self.right - x0),
            (-dy, y0 - self.bottom),
            (dy, self.top - y0),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


class Canvas:
    """One figure's pixel size and its renderer's text metrics."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.renderer = figure.canvas.get_renderer()
        self._sizes: dict[tuple[str, float], tuple[float, float]] = {}

    @property
    def width(self) -> float:
        return self.figure.bbox.width

    @property
    def height(self) -> float:
        return self.figure.bbox.height

    def grow_to(self, height_px: float) -> None:
        """Make the picture taller (never narrower) when its content needs the room."""
        height = max(style.MIN_HEIGHT_PX, round(height_px))
        self.figure.set_size_inches(style.WIDTH_PX / style.DPI, height / style.DPI)
        self.renderer = self.figure.canvas.get_renderer()

    def size(self, text: str, font_size: float) -> tuple[float, float]:
        """(width, height) in pixels of `text` as drawn at `font_size`."""
        key = (text, font_size)
        if key not in self._sizes:
            from matplotlib.text import Text

            probe = Text(0, 0, text, fontsize=font_size, **style.AS_WRITTEN)
            probe.set_figure(self.figure)
            extent = probe.get_window_extent(self.renderer)
            self._sizes[key] = (extent.width, extent.height)
        return self._sizes[key]

    def line_height(self, font_size: float) -> float:
        return self.size("Åg", font_size)[1]

    def fit(self, text: str, width: float, font_size: float, max_lines: int = 1) -> str:
        """`text` wrapped at spaces into at most `max_lines` lines no wider than `width`;
        what does not fit ends in an ellipsis."""
        if "\n" not in text and self.size(text, font_size)[0] <= width:
            return text
        words = text.split()
        if not words:
            return ""
        lines: list[str] = []
        while words and len(lines) < max_lines:
            line = words.pop(0)
            while words and self.size(f"{line} {words[0]}", font_size)[0] <= width:
                line = f"{line} {words.pop(0)}"
            lines.append(line)
        if words:
            lines[-1] = f"{lines[-1]} {' '.join(words)}"
        lines[-1] = self._shorten(lines[-1], width, font_size)
        lines[:-1] = [self._shorten(line, width, font_size) for line in lines[:-1]]
        return "\n".join(lines)

    def _shorten(self, line: str, width: float, font_size: float) -> str:
        if self.size(line, font_size)[0] <= width:
            return line
        low, high = 0, len(line)  # the longest prefix that fits with its ellipsis
        while low < high:
            middle = (low + high + 1) // 2
            if self.size(line[:middle].rstrip() + ELLIPSIS, font_size)[0] <= width:
                low = middle
            else:
                high = middle - 1
        return line[:low].rstrip() + ELLIPSIS

    def x(self, pixels: float) -> float:
        """A horizontal pixel position as a fraction of the figure."""
        return pixels / self.width

    def y(self, from_top: float) -> float:
        """A pixel distance from the top as a vertical fraction of the figure."""
        return 1 - from_top / self.height
