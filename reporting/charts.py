"""The program overview's charts, laid out here and drawn as inline SVG by admin/overview.html.

They share their frame with the dashboard's chart (core/charts.py); colours come from
static/css/overview.css through class names.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import ngettext

from core.charts import ChartFrame, Tick

from .overview import Overview

WIDTH = 600
#: Column charts: room for the scale on the left, the labels and the year below.
COLUMN_FRAME = {"width": WIDTH, "height": 240, "left": 44, "right": 8, "top": 16, "bottom": 44}
#: The share of a slot (a month, a quarter) its columns fill together.
SLOT_SHARE = 0.7
#: Bar rows: room for the labels on the left and the number after the bar.
ROW_HEIGHT = 28
BAR_HEIGHT = 18
ROW_TOP = 4
ROW_LABEL_WIDTH = 200
ROW_VALUE_ROOM = 56
#: Longer labels are cut (the table beside the chart has them in full).
LABEL_CHARS = 24


def nice_scale(maximum: int) -> tuple[int, int]:
    """A step of 1, 2 or 5 times a power of ten giving at most five gridlines, and the top."""
    maximum = max(maximum, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(maximum / step) <= 5:
                return step, step * math.ceil(maximum / step)
        magnitude *= 10


@dataclass(frozen=True)
class Column:
    series: str
    value: int
    x: float
    y: float
    width: float
    height: float
    centre: float


@dataclass(frozen=True)
class Slot:
    """One month or quarter: its label, the year under it (or ""), and its columns."""

    label: str
    year: str
    centre: float
    columns: list[Column]


@dataclass(frozen=True, kw_only=True)
class ColumnChart(ChartFrame):
    slots: list[Slot]
    ticks: list[Tick]
    series: list[str]


def column_chart(
    slots: Sequence[tuple[str, str, Sequence[int]]], *, series: Sequence[str]
) -> ColumnChart:
    """Lay out slots left to right, each with one column per series, on a shared scale.

    `slots` holds (label, year, values), the values in the order of `series` (CSS names).
    """
    frame = ChartFrame(**COLUMN_FRAME)
    step, top = nice_scale(max((v for _l, _y, values in slots for v in values), default=0))
    slot_width = frame.plot_width / max(len(slots), 1)
    column_width = slot_width * SLOT_SHARE / max(len(series), 1)

    laid_out = []
    for index, (label, year, values) in enumerate(slots):
        first_x = frame.left + slot_width * index + slot_width * (1 - SLOT_SHARE) / 2
        columns = []
        for position, (name, value) in enumerate(zip(series, values, strict=True)):
            x = first_x + column_width * position
            y = frame.y_of(value, scale_top=top)
            columns.append(
                Column(
                    series=name,
                    value=value,
                    x=round(x, 1),
                    y=y,
                    width=round(column_width, 1),
                    height=round(frame.baseline - y, 1),
                    centre=round(x + column_width / 2, 1),
                )
            )
        centre = round(frame.left + slot_width * (index + 0.5), 1)
        laid_out.append(Slot(label=label, year=year, centre=centre, columns=columns))
    ticks = frame.scale(step=step, scale_top=top)
    return ColumnChart(**COLUMN_FRAME, slots=laid_out, ticks=ticks, series=list(series))


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    css: str
    y: float
    width: float
    #: The baseline of the row's texts (the label and the number), centred on the bar.
    text_y: float
    value_x: float


@dataclass(frozen=True)
class RowChart:
    rows: list[Row]
    height: int
    width: int = WIDTH
    label_x: int = ROW_LABEL_WIDTH - 8
    bar_x: int = ROW_LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def row_chart(items: Sequence[tuple[str, int, str]]) -> RowChart:
    """One horizontal bar per (label, value, CSS class), top to bottom, longest bar full width."""
    top = max((value for _label, value, _css in items), default=0) or 1
    room = WIDTH - ROW_LABEL_WIDTH - ROW_VALUE_ROOM
    rows = []
    for index, (label, value, css) in enumerate(items):
        y = ROW_TOP + ROW_HEIGHT * index + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(room * value / top, 1)
        rows.append(
            Row(
                label=_short(label),
                value=value,
                css=css,
                y=round(y, 1),
                width=width,
                text_y=round(y + BAR_HEIGHT / 2 + 5, 1),
                value_x=round(ROW_LABEL_WIDTH + width + 6, 1),
            )
        )
    return RowChart(rows=rows, height=ROW_TOP * 2 + ROW_HEIGHT * max(len(items), 1))


# The overview page's charts ----------------------------------------------------------------

#: The country chart shows this many countries; the rest are one bar (the table lists all).
COUNTRY_BARS = 12


@dataclass(frozen=True)
class OverviewCharts:
    statuses: RowChart
    flows: ColumnChart
    meetings: ColumnChart
    countries: RowChart


def overview_charts(overview: Overview) -> OverviewCharts:
    """The four charts of the overview page, from its figures (no query)."""
    statuses = row_chart(
        [(s.label, s.count, f"tg-ov-status-{s.status}") for s in overview.statuses]
    )
    flows = column_chart(
        [
            (
                f"Q{q.number}",
                str(q.quarter.year) if index == 0 or q.number == 1 else "",
                [q.admitted, q.departed],
            )
            for index, q in enumerate(overview.quarters)
        ],
        series=["admitted", "departed"],
    )
    meetings = column_chart(
        [
            (
                date_format(m.month, "M"),
                str(m.month.year) if index == 0 or m.month.month == 1 else "",
                [m.count],
            )
            for index, m in enumerate(overview.months)
        ],
        series=["meetings"],
    )
    admitted = [c for c in overview.countries if c.admitted]
    shown = [(c.name, c.admitted, "tg-ov-country") for c in admitted[:COUNTRY_BARS]]
    rest = admitted[COUNTRY_BARS:]
    if rest:
        others = ngettext("%(count)d other country", "%(count)d other countries", len(rest)) % {
            "count": len(rest)
        }
        shown.append((others, sum(c.admitted for c in rest), "tg-ov-country-other"))
    return OverviewCharts(
        statuses=statuses, flows=flows, meetings=meetings, countries=row_chart(shown)
    )
