"""Numbers as a chart prints them, so its caption can print them the same way ("6,0", "35 %")."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent

LOCALES = {"da": "da_DK", "en": "en_GB"}


@dataclass(frozen=True)
class Numbers:
    """Formats for one language, with the number of decimals the chart's values are shown with."""

    language: str
    decimals: int = 1

    @property
    def locale(self) -> str:
        return LOCALES.get(self.language, LOCALES["da"])

    def value(self, number: float) -> str:
        """A drawn value: 2,4 (Danish) or 2.4 (English), always with the chart's decimals."""
        pattern = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        return format_decimal(number, format=pattern, locale=self.locale)

    def tick(self, number: float) -> str:
        """An axis tick: as few decimals as the tick needs (2; 2,5)."""
        return format_decimal(round(number, 6), locale=self.locale)

    def count(self, number: float) -> str:
        return format_decimal(round(number), format="#,##0", locale=self.locale)

    def percent(self, share: float) -> str:
        """`share` in per cent (0-100), whole: "35 %" in Danish, "35%" in English."""
        return format_percent(share / 100, locale=self.locale)


def decimals_for(values: list[float]) -> int:
    """Whole numbers need none; shares below 1 (0,45) need two; everything else one."""
    if all(float(v).is_integer() for v in values):
        return 0
    return 2 if all(abs(v) < 1 for v in values) else 1
