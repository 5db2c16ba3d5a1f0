"""Where the votes came from, in segments, and which segments look manufactured.

A segment is the votes (those not set aside) from one embedding site, from one
network bucket, or cast in one hour. Two flags (docs/statistics.md):

- one-sided: on the closing question, the answer the segment chose most has a
  share at least `one_sided_points` above that answer's share among all other
  answers, and Fisher's exact test of the two shares gives a p-value below
  `alpha` divided by the number of segments of its kind compared (Bonferroni);
  only segments with at least `min_n` answers are compared.
- fast: the segment's busiest hour has at least `burst_min_votes` votes and more
  than `burst_factor` times the votes of the debate's median hour (over the hours
  with votes).
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from statistics import median

from .stats import MIN_N, Share, difference_p_value, points_between

# The segments' kinds, as the store groups votes.
BY_SITE, BY_NETWORK, BY_HOUR = "site", "network", "hour"


@dataclass(frozen=True)
class SegmentRule:
    """The flags' thresholds (settings SEGMENT_*, web/config.py)."""

    one_sided_points: float = 25.0
    alpha: float = 0.01
    burst_factor: float = 5.0
    burst_min_votes: int = 20
    min_n: int = MIN_N
    networks_shown: int = 10  # the busiest networks counted as segments
    hours_shown: int = 24  # the busiest hours the dashboard lists, besides every flagged one


@dataclass(frozen=True)
class SegmentCounts:
    """What the store counts (store/votes.py segment_counts): votes per (kind,
    segment, hour) and closing answers per (kind, segment, option). Sites and hours
    are complete; networks only the busiest few."""

    votes: dict[tuple[str, str, datetime], int] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    kind: str
    value: str  # a site's origin, a network bucket, an hour (ISO); "" when unknown
    votes: int
    peak_hour: datetime
    peak: int  # votes in its busiest hour
    leading: str | None  # the closing answer it chose most
    share: Share  # the leading answer's share of the segment's answers
    rest: Share  # the same answer's share of every other segment's answers
    p_value: float
    one_sided: bool
    fast: bool

    @property
    def difference(self) -> float | None:
        """The leading answer's share here minus elsewhere, in points (None: no
        answers here, or none elsewhere)."""
        return points_between(self.share, self.rest)

    @property
    def flagged(self) -> bool:
        return self.one_sided or self.fast

    @property
    def hour_after_peak(self) -> datetime:
        """Where a window of the busiest hour ends (to set aside an hour)."""
        return self.peak_hour + timedelta(hours=1)


@dataclass(frozen=True)
class Segments:
    by_site: list[Segment]  # most votes first
    by_network: list[Segment]  # the busiest few, most votes first
    by_hour: list[Segment]  # oldest first
    median_hour: float
    rule: SegmentRule

    @property
    def flagged(self) -> int:
        return sum(s.flagged for s in self.by_site + self.by_network + self.by_hour)

    @cached_property
    def hours_listed(self) -> list[Segment]:
        """The hours the dashboard lists, oldest first: every flagged hour and the
        `rule.hours_shown` busiest. A debate open for a month has 720 hours, and a
        row for each would grow the author's page without end. Worked out once:
        `hours_unlisted` and the page both read it."""
        busiest = sorted(self.by_hour, key=lambda s: (-s.votes, s.peak_hour))
        listed = {s.peak_hour for s in busiest[: self.rule.hours_shown]}
        return [s for s in self.by_hour if s.flagged or s.peak_hour in listed]

    @property
    def hours_unlisted(self) -> tuple[int, int]:
        """How many hours are not listed, and the most votes any of them has."""
        listed = {s.peak_hour for s in self.hours_listed}
        rest = [s.votes for s in self.by_hour if s.peak_hour not in listed]
        return len(rest), max(rest, default=0)


def find_segments(counts: SegmentCounts, rule: SegmentRule) -> Segments:
    """Every segment of each kind with its flags."""
    per_hour: dict[datetime, int] = defaultdict(int)
    all_answers: dict[str, int] = defaultdict(int)
    for (kind, _value, hour), n in counts.votes.items():
        if kind == BY_HOUR:
            per_hour[hour] += n
    for (kind, _value, option), n in counts.answers.items():
        if kind == BY_HOUR:
            all_answers[option] += n
    median_hour = float(median(per_hour.values())) if per_hour else 0.0

    def of_kind(kind: str) -> list[Segment]:
        hours: dict[str, dict[datetime, int]] = defaultdict(dict)
        answers: dict[str, dict[str, int]] = defaultdict(dict)
        for (k, value, hour), n in counts.votes.items():
            if k == kind:
                hours[value][hour] = n
        for (k, value, option), n in counts.answers.items():
            if k == kind:
                answers[value][option] = n
        found = [
            _segment(kind, value, hours[value], answers[value], all_answers, median_hour, rule)
            for value in hours
        ]
        compared = sum(1 for s in found if s.share.meets_min_n and s.rest.n)
        return [_judged(s, compared, rule) for s in found]

    return Segments(
        by_site=sorted(of_kind(BY_SITE), key=lambda s: (-s.votes, s.value)),
        by_network=sorted(of_kind(BY_NETWORK), key=lambda s: (-s.votes, s.value)),
        by_hour=sorted(of_kind(BY_HOUR), key=lambda s: s.peak_hour),
        median_hour=median_hour,
        rule=rule,
    )


def _segment(
    kind: str,
    value: str,
    hours: dict[datetime, int],
    answers: dict[str, int],
    all_answers: dict[str, int],
    median_hour: float,
    rule: SegmentRule,
) -> Segment:
    peak_hour = max(hours, key=lambda hour: (hours[hour], hour))
    peak = hours[peak_hour]
    total = sum(answers.values())
    rest_total = sum(all_answers.values()) - total
    leading = max(answers, key=lambda option: (answers[option], option)) if total else None
    count = answers.get(leading, 0) if leading else 0
    rest_count = all_answers.get(leading, 0) - count if leading else 0
    share = Share.of(count, total, rule.min_n)
    rest = Share.of(rest_count, rest_total, rule.min_n)
    return Segment(
        kind=kind,
        value=value,
        votes=sum(hours.values()),
        peak_hour=peak_hour,
        peak=peak,
        leading=leading,
        share=share,
        rest=rest,
        p_value=difference_p_value(count, total, rest_count, rest_total),
        one_sided=False,
        fast=peak >= rule.burst_min_votes and peak > rule.burst_factor * median_hour,
    )


def _judged(segment: Segment, compared: int, rule: SegmentRule) -> Segment:
    """The one-sided flag, once it is known how many segments were compared."""
    difference = segment.difference
    if difference is None or not segment.share.meets_min_n:
        return segment
    one_sided = difference >= rule.one_sided_points and segment.p_value < rule.alpha / max(
        1, compared
    )
    return replace(segment, one_sided=one_sided)
