"""Numbers for the authors' dashboard that know nothing about debates: shares
with their uncertainty, and counts over time.

Every percentage on the dashboard is a Share, so none is ever shown without
its n and a 95% interval, and none below MIN_N is presented as a finding.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# Below this many readers in a group a share is shown, but never ranked or
# marked as a finding: at n=10 a 50% share is still anywhere from 24% to 76%.
MIN_N = 10

# Up to three days of votes are charted per hour, anything longer per day.
HOURLY_SPAN_LIMIT = timedelta(hours=72)
DAILY_SPAN_LIMIT = timedelta(days=92)


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for successes/n (95% at z=1.96).

    Unlike p ± z·se it stays inside [0, 1] and does not collapse to a point
    at 0/n or n/n, which matter here: small groups of unanimous readers are common.
    With no observations nothing is known, so the interval is the whole (0, 1).
    """
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n, got {successes}/{n}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # The bounds are exactly 0 and 1 at the extremes; say so rather than trust rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return low, high


@dataclass(frozen=True)
class Share:
    """count out of n as a fraction (0.0 when n is 0), its 95% Wilson interval,
    and whether n reaches the minimum for the share to count as a finding."""

    count: int
    n: int
    share: float
    low: float
    high: float
    meets_min_n: bool

    @classmethod
    def of(cls, count: int, n: int, min_n: int = MIN_N) -> "Share":
        low, high = wilson_interval(count, n)
        return cls(count, n, count / n if n else 0.0, low, high, n >= min_n)


def is_strict_majority(share: Share) -> bool:
    """More than half, counted exactly (5 of 10 is not a majority)."""
    return 2 * share.count > share.n


@dataclass(frozen=True)
class Timeline:
    """Counts per period, oldest first, with empty periods included so a chart has no gaps.

    unit is "5 minutes", "hour", "day" or "month", the longest that still gives
    a chart several columns; each bucket is (period start, count).
    """

    unit: str
    buckets: list[tuple[datetime, int]]


def floor_to_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _period_start(moment: datetime, unit: str) -> datetime:
    if unit == "5 minutes":
        return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)
    if unit == "hour":
        return floor_to_hour(moment)
    if unit == "day":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_period(start: datetime, unit: str) -> datetime:
    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    step = {"5 minutes": timedelta(minutes=5), "hour": timedelta(hours=1)}
    return start + step.get(unit, timedelta(days=1))


def count_over_time(
    moments: Iterable[datetime], hourly_span_limit: timedelta = HOURLY_SPAN_LIMIT
) -> Timeline:
    """Count moments per period (see timeline_of)."""
    per_minute: Counter[datetime] = Counter()
    for moment in moments:
        per_minute[moment.replace(second=0, microsecond=0)] += 1
    return timeline_of(per_minute, hourly_span_limit)


def timeline_of(
    per_minute: Mapping[datetime, int], hourly_span_limit: timedelta = HOURLY_SPAN_LIMIT
) -> Timeline:
    """Counts per minute regrouped per 5 minutes (a span of two hours at most), per
    hour (up to hourly_span_limit), per day (up to DAILY_SPAN_LIMIT) or per month.
    Days start at midnight of the moments' own clock (UTC for stored votes)."""
    if not per_minute:
        return Timeline("hour", [])
    span = max(per_minute) - min(per_minute)
    if span <= timedelta(hours=2):
        unit = "5 minutes"
    elif span <= hourly_span_limit:
        unit = "hour"
    elif span <= DAILY_SPAN_LIMIT:
        unit = "day"
    else:
        unit = "month"
    per_period: Counter[datetime] = Counter()
    for minute, count in per_minute.items():
        per_period[_period_start(minute, unit)] += count
    start, end = min(per_period), max(per_period)
    buckets = []
    while start <= end:
        buckets.append((start, per_period.get(start, 0)))
        start = _next_period(start, unit)
    return Timeline(unit, buckets)
