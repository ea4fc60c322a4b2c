"""The frame every server-drawn chart shares (the dashboard's, the overview's): its size, the
plot area inside it, the scale's gridlines and where the labels go.

Templates draw the charts as inline SVG with presentation attributes only (x, y, width,
height), never `style=`, so they hold under the strict Content-Security-Policy.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tick:
    """A gridline of the scale: its value and where it is drawn."""

    value: int
    y: float


@dataclass(frozen=True, kw_only=True)
class ChartFrame:
    """A chart's box: the plot runs from `left` to `right_edge` and from `top` down to the
    `baseline`; the labels go under it (`label_y`), the year under those (`year_y`)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def right_edge(self) -> int:
        return self.width - self.right

    @property
    def baseline(self) -> float:
        return float(self.height - self.bottom)

    @property
    def label_y(self) -> float:
        return self.baseline + 18

    @property
    def year_y(self) -> float:
        return self.baseline + 36

    @property
    def plot_width(self) -> float:
        return float(self.width - self.left - self.right)

    @property
    def plot_height(self) -> float:
        return float(self.height - self.top - self.bottom)

    def y_of(self, value: int, *, scale_top: int) -> float:
        """Where `value` is drawn on a scale from 0 (the baseline) to `scale_top`."""
        return round(self.top + self.plot_height * (1 - value / scale_top), 1)

    def scale(self, *, step: int, scale_top: int) -> list[Tick]:
        return [
            Tick(value=value, y=self.y_of(value, scale_top=scale_top))
            for value in range(0, scale_top + 1, step)
        ]
