"""A small bar chart of meetings per month, laid out here and drawn as inline SVG by a template.

The template writes only SVG presentation attributes (x, y, width, height), never `style=`, so
the chart holds under the strict Content-Security-Policy; colours come from static/css/groups.css.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .selectors import MonthCount

WIDTH = 600
HEIGHT = 236
LEFT = 34  # room for the count labels
RIGHT = 8
TOP = 14
BOTTOM = 44  # room for the month labels and, under January and the first month, the year
#: The share of a month's slot its bar fills.
BAR_SHARE = 0.62


@dataclass(frozen=True)
class Bar:
    month: date
    count: int
    x: float
    y: float
    width: float
    height: float
    #: Where the month label and the count above the bar are centred.
    centre: float
    #: The year is written under the first month and under each January.
    shows_year: bool


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 18
    year_y: float = HEIGHT - BOTTOM + 36

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _tick_step(top: int) -> int:
    """A whole-number step that gives at most five gridlines."""
    return max(1, math.ceil(top / 4))


def monthly_bar_chart(months: Sequence[MonthCount]) -> BarChart:
    """Lay out one bar per month, oldest on the left, on a scale of whole meetings."""
    step = _tick_step(max([*(month.count for month in months), 2]))
    top = step * math.ceil(max([*(month.count for month in months), 2]) / step)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(months), 1)
    bar_width = slot * BAR_SHARE

    def y_of(value: int) -> float:
        return round(TOP + plot_height * (1 - value / top), 1)

    bars = []
    for index, month in enumerate(months):
        x = LEFT + slot * index + (slot - bar_width) / 2
        y = y_of(month.count)
        bars.append(
            Bar(
                month=month.month,
                count=month.count,
                x=round(x, 1),
                y=y,
                width=round(bar_width, 1),
                height=round(HEIGHT - BOTTOM - y, 1),
                centre=round(x + bar_width / 2, 1),
                shows_year=index == 0 or month.month.month == 1,
            )
        )
    ticks = [Tick(value=value, y=y_of(value)) for value in range(0, top + 1, step)]
    return BarChart(bars=bars, ticks=ticks)
