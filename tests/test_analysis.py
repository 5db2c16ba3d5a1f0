"""The dashboard's analysis on hand-made vote sets where the right answer is known."""

from datetime import datetime, timedelta

import pytest

from debate.stats import Share, Timeline, count_over_time, is_strict_majority, wilson_interval

T0 = datetime(2025, 3, 1, 9, 0)


# Shares and their intervals


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        (0, 0, (0.0, 1.0)),
        (5, 10, (0.2366, 0.7634)),
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
        (1, 1, (0.2065, 1.0)),
        (50, 100, (0.4038, 0.5962)),
        (81, 263, (0.2553, 0.3662)),  # Newcombe (1998), method 3
    ],
)
def test_wilson_interval_matches_known_values(successes, n, expected):
    assert wilson_interval(successes, n) == pytest.approx(expected, abs=5e-5)


def test_wilson_interval_is_exact_at_the_extremes_and_refuses_impossible_counts():
    assert wilson_interval(0, 3)[0] == 0.0
    assert wilson_interval(3, 3)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


def test_share_carries_its_n_interval_and_whether_it_reaches_the_minimum():
    share = Share.of(5, 10)
    assert (share.count, share.n, share.share) == (5, 10, 0.5)
    assert (share.low, share.high) == pytest.approx((0.2366, 0.7634), abs=5e-5)
    assert share.meets_min_n
    assert not Share.of(5, 9).meets_min_n
    assert Share.of(2, 4, min_n=4).meets_min_n
    nobody = Share.of(0, 0)
    assert (nobody.share, nobody.low, nobody.high, nobody.meets_min_n) == (0.0, 0.0, 1.0, False)


def test_a_majority_is_more_than_half():
    assert is_strict_majority(Share.of(6, 10))
    assert not is_strict_majority(Share.of(5, 10))
    assert not is_strict_majority(Share.of(0, 0))


# Counts over time


def test_up_to_72_hours_is_counted_per_hour_with_empty_hours_filled():
    moments = [T0 + timedelta(minutes=10), T0 + timedelta(minutes=50),
               T0 + timedelta(hours=3, minutes=5), T0 + timedelta(minutes=30)]
    assert count_over_time(moments) == Timeline("hour", [
        (T0, 3), (T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=2), 0),
        (T0 + timedelta(hours=3), 1),
    ])


def test_a_span_of_exactly_72_hours_is_still_hourly():
    timeline = count_over_time([T0, T0 + timedelta(hours=72)])
    assert timeline.unit == "hour"
    assert len(timeline.buckets) == 73
    assert sum(count for _, count in timeline.buckets) == 2


def test_longer_spans_are_counted_per_day_from_midnight_with_empty_days_filled():
    late_evening = datetime(2025, 3, 1, 23, 30)
    moments = [late_evening, late_evening + timedelta(minutes=20),
               datetime(2025, 3, 4, 9, 0), datetime(2025, 3, 1, 8, 0)]  # 73 hours
    assert count_over_time(moments) == Timeline("day", [
        (datetime(2025, 3, 1), 3), (datetime(2025, 3, 2), 0), (datetime(2025, 3, 3), 0),
        (datetime(2025, 3, 4), 1),
    ])


def test_no_moments_is_an_empty_hourly_timeline():
    assert count_over_time([]) == Timeline("hour", [])
