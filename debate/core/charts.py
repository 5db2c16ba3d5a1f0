"""Geometry for the dashboard's server-drawn SVG charts, as plain numbers.

Templates only place what these functions compute, so the arithmetic is
tested without rendering. Horizontal positions are on a 0-100 axis (the
SVG's viewBox stretches it to the width available); vertical ones are in the
chart's own units.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from .stats import Share, Timeline


@dataclass(frozen=True)
class IntervalMark:
    """A share on the 0-100 axis: where its point is, and its 95% interval."""

    x: float
    low: float
    high: float


def interval_mark(share: Share) -> IntervalMark:
    return IntervalMark(
        round(100 * share.share, 2), round(100 * share.low, 2), round(100 * share.high, 2)
    )


@dataclass(frozen=True)
class Segment:
    """One part of a 100%-stacked bar."""

    key: str
    x: float
    width: float


def stacked_segments(shares: dict[str, Share]) -> list[Segment]:
    """Lay shares of one whole end to end, in the given order; empty parts are left out."""
    segments, x = [], 0.0
    for key, share in shares.items():
        width = round(100 * share.share, 2)
        if width > 0:
            segments.append(Segment(key, round(x, 2), width))
        x += width
    return segments


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    magnitude: int = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


@dataclass(frozen=True)
class Column:
    start: datetime
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    """Columns for counts per period, on an axis from 0 to axis_max."""

    columns: list[Column]
    axis_max: int
    height: float
    unit: str


def column_chart(timeline: Timeline, height: float = 40, gap: float = 0.2) -> ColumnChart:
    """One column per period, spread over the 0-100 axis; gap is the share of a
    column's slot left empty beside it."""
    buckets = timeline.buckets
    axis_max = nice_ceiling(max((count for _, count in buckets), default=0))
    slot = 100 / len(buckets) if buckets else 0
    columns = []
    for index, (start, count) in enumerate(buckets):
        bar_height = round(height * count / axis_max, 3)
        columns.append(
            Column(
                start,
                count,
                x=round(index * slot + slot * gap / 2, 3),
                y=round(height - bar_height, 3),
                width=round(slot * (1 - gap), 3),
                height=bar_height,
            )
        )
    return ColumnChart(columns, axis_max, height, timeline.unit)
