"""Chart geometry on hand-made figures where the right answer is known."""

from datetime import datetime, timedelta

import pytest

from debate.core.charts import column_chart, interval_mark, nice_ceiling, stacked_segments
from debate.core.stats import Share, Timeline

T0 = datetime(2025, 3, 1, 9, 0)


def test_an_interval_mark_places_the_share_and_its_interval_on_0_to_100():
    mark = interval_mark(Share.of(5, 10))
    assert (mark.x, mark.low, mark.high) == (50.0, 23.66, 76.34)
    empty = interval_mark(Share.of(0, 0))
    assert (empty.x, empty.low, empty.high) == (0.0, 0.0, 100.0)


def test_stacked_segments_lie_end_to_end_and_skip_empty_parts():
    shares = {"open": Share.of(1, 4), "closed": Share.of(0, 4), "undecided": Share.of(3, 4)}
    segments = stacked_segments(shares)
    assert [(s.key, s.x, s.width) for s in segments] == [
        ("open", 0.0, 25.0),
        ("undecided", 25.0, 75.0),
    ]
    assert stacked_segments({"open": Share.of(0, 0)}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (48, 50), (51, 100), (999, 1000)],
)
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == expected


def test_columns_fill_the_width_and_scale_to_a_nice_maximum():
    timeline = Timeline(
        "hour",
        [
            (T0, 4),
            (T0 + timedelta(hours=1), 0),
            (T0 + timedelta(hours=2), 2),
            (T0 + timedelta(hours=3), 5),
        ],
    )
    chart = column_chart(timeline, height=40, gap=0.2)
    assert chart.axis_max == 5 and chart.unit == "hour"
    assert [c.count for c in chart.columns] == [4, 0, 2, 5]
    assert [c.x for c in chart.columns] == [2.5, 27.5, 52.5, 77.5]
    assert {c.width for c in chart.columns} == {20.0}
    assert [c.height for c in chart.columns] == [32.0, 0.0, 16.0, 40.0]
    assert all(c.y + c.height == 40 for c in chart.columns)


def test_no_votes_no_columns():
    chart = column_chart(Timeline("hour", []))
    assert chart.columns == [] and chart.axis_max == 1
