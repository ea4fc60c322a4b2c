"""A small bar chart of meetings per month, laid out here and drawn as inline SVG by a template
(core/charts.py says how); colours come from static/css/groups.css."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.charts import ChartFrame, Tick

from .selectors import MonthCount

#: The dashboard chart's frame: room for the counts on the left, the months and years below.
FRAME = {"width": 600, "height": 236, "left": 34, "right": 8, "top": 14, "bottom": 44}
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


@dataclass(frozen=True, kw_only=True)
class BarChart(ChartFrame):
    bars: list[Bar]
    ticks: list[Tick]


def _tick_step(top: int) -> int:
    """A whole-number step that gives at most five gridlines."""
    return max(1, math.ceil(top / 4))


def monthly_bar_chart(months: Sequence[MonthCount]) -> BarChart:
    """Lay out one bar per month, oldest on the left, on a scale of whole meetings."""
    frame = ChartFrame(**FRAME)
    step = _tick_step(max([*(month.count for month in months), 2]))
    top = step * math.ceil(max([*(month.count for month in months), 2]) / step)
    slot = frame.plot_width / max(len(months), 1)
    bar_width = slot * BAR_SHARE
    bars = []
    for index, month in enumerate(months):
        x = frame.left + slot * index + (slot - bar_width) / 2
        y = frame.y_of(month.count, scale_top=top)
        bars.append(
            Bar(
                month=month.month,
                count=month.count,
                x=round(x, 1),
                y=y,
                width=round(bar_width, 1),
                height=round(frame.baseline - y, 1),
                centre=round(x + bar_width / 2, 1),
                shows_year=index == 0 or month.month.month == 1,
            )
        )
    return BarChart(**FRAME, bars=bars, ticks=frame.scale(step=step, scale_top=top))
