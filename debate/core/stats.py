"""Numbers that know nothing about debates: shares with their uncertainty,
paired changes, tests between groups, and counts over time.

Every percentage on the dashboard is a Share, so none is ever shown without
its n and a 95% interval, and none below MIN_N is presented as a finding.
docs/statistics.md explains each figure with a worked example.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

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


def points_between(share: Share, other: Share) -> float | None:
    """share minus other, in percentage points to one decimal; None when either has
    no one in it (a share of nobody is 0.0, and 100% against it is no difference)."""
    if not (share.n and other.n):
        return None
    return round(100 * (share.share - other.share), 1)


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


def paired_change_interval(
    both: int, before_only: int, after_only: int, neither: int, z: float = 1.96
) -> tuple[float, float]:
    """95% interval for the change in one side's share among readers who answered
    before and after: (after_only - before_only) / n, as a proportion in [-1, 1].

    Newcombe (1998), Statistics in Medicine 17:2635-2650, method 10: the Wilson
    interval of each marginal share, combined with a correction for how strongly
    a reader's two answers go together (phi). Readers who did not move narrow the
    interval, which an unpaired comparison would waste.
    """
    n = both + before_only + after_only + neither
    if n <= 0:
        return -1.0, 1.0
    after_count, before_count = both + after_only, both + before_only
    after, before = after_count / n, before_count / n
    after_low, after_high = wilson_interval(after_count, n, z)
    before_low, before_high = wilson_interval(before_count, n, z)
    phi = _newcombe_phi(both, after_only, before_only, neither)
    change = after - before
    down_a, up_b = after - after_low, before_high - before
    up_a, down_b = after_high - after, before - before_low
    low = change - math.sqrt(max(0.0, down_a**2 - 2 * phi * down_a * up_b + up_b**2))
    high = change + math.sqrt(max(0.0, down_b**2 - 2 * phi * down_b * up_a + up_a**2))
    return max(-1.0, low), min(1.0, high)


def _newcombe_phi(e: int, f: int, g: int, h: int) -> float:
    """The correlation of the paired table [[e, f], [g, h]] as Newcombe corrects it.

    Undefined when a margin is empty, and then 0 (the unpaired interval). A positive
    e*h - f*g is reduced by n/2 and set to 0 below that, a continuity correction
    that keeps small tables from looking more correlated than they are.
    """
    n = e + f + g + h
    margins = (e + f) * (g + h) * (e + g) * (f + h)
    if margins == 0:
        return 0.0
    cross = e * h - f * g
    if cross > n / 2:
        corrected = cross - n / 2
    elif cross >= 0:
        corrected = 0.0
    else:
        corrected = float(cross)
    return corrected / math.sqrt(margins)


# Above this many readers in all, Fisher's exact sum gets slow and the z-test is
# already accurate, so difference_p_value uses the pooled z-test.
EXACT_TEST_LIMIT = 2000


def difference_p_value(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    """Two-sided p-value for "the two groups agree at the same rate".

    Fisher's exact test: the probability, with both groups' sizes and the total
    number of successes fixed, of a split at most as likely as the one observed.
    The sum is done in whole numbers, so ties in likelihood are found exactly.
    When n_a + n_b exceeds EXACT_TEST_LIMIT the pooled two-proportion z-test is
    used instead. An empty group tells nothing: 1.0.
    """
    if n_a <= 0 or n_b <= 0:
        return 1.0
    if not (0 <= successes_a <= n_a and 0 <= successes_b <= n_b):
        raise ValueError("successes must be between 0 and n")
    if n_a + n_b > EXACT_TEST_LIMIT:
        return _pooled_z_p_value(successes_a, n_a, successes_b, n_b)
    successes = successes_a + successes_b
    weight = [
        math.comb(n_a, x) * math.comb(n_b, successes - x)
        for x in range(max(0, successes - n_b), min(successes, n_a) + 1)
    ]
    observed = math.comb(n_a, successes_a) * math.comb(n_b, successes_b)
    at_most_as_likely = sum(w for w in weight if w <= observed)
    return min(1.0, at_most_as_likely / math.comb(n_a + n_b, successes))


def _pooled_z_p_value(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    pooled = (successes_a + successes_b) / (n_a + n_b)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if variance == 0:
        return 1.0  # everyone agreed, or nobody did: no difference to test
    z = (successes_a / n_a - successes_b / n_b) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def benjamini_hochberg(p_values: Sequence[float], q: float = 0.10) -> list[bool]:
    """Which hypotheses are discoveries at false-discovery rate q, in input order.

    The step-up procedure: with the m p-values sorted, find the largest rank k
    whose p-value is at most k/m * q, and call every p-value up to that one a
    discovery. Among the discoveries, at most a fraction q is expected to be wrong.
    """
    m = len(p_values)
    ranked = sorted(p_values)
    cutoff = -1.0
    for rank, p in enumerate(ranked, start=1):
        if p <= rank / m * q:
            cutoff = p
    return [p <= cutoff for p in p_values]


def bridging_score(shares: Sequence[Share]) -> float:
    """How surely every camp agrees: the lowest Wilson lower bound among them.

    A claim only scores high when each camp's agreement is high and well measured;
    one small or lukewarm camp pulls it down. No camps, no common ground: 0.0.
    """
    return min((share.low for share in shares), default=0.0)


MINUS = "\u2212"


def signed_points(change: float) -> str:
    """A change given as a proportion, as signed percentage points: "+15", "\u22128", "0".

    Whole points, rounded half away from zero, unless that would show a real change
    as "0": then one decimal ("+0.4"), or more if one is still not enough. Float
    noise below a billionth of a point counts as no change.
    """
    points = Decimal(repr(round(100 * change, 9)))
    if points == 0:
        return "0"
    places = 0 if abs(points) >= Decimal("0.5") else 1
    shown = points.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    while shown == 0:
        places += 1
        shown = points.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(shown):f}"
    return ("+" if shown > 0 else MINUS) + text
