"""Counting: the one place that knows how counters become results.

The store sums a few counter shards per choice (store/votes.py), so results
cost the same at a million votes as at a thousand; this turns those sums into
distributions, percentages and the swing, in plain functions without a
database.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .debate import (
    CLAIM,
    CLAIM_CHOICES,
    QUESTION,
    QUESTION_KEY,
    SIDES,
    STANCE,
    STANCE_PHASES,
    STANCE_SIDES,
    Debate,
)
from .stats import MIN_N, paired_change_interval

# The counter that counts a debate's readers, beside the counters of its items.
READERS_KIND = "readers"
# The counters of readers who answered both stance questions: kind FLOW, key
# the stance before reading, choice the stance after (store/votes.py).
FLOW = "flow"
# Not a counter: how many votes the author's exclusions set aside, which the
# store adds to a debate's sums when any are in force (store/votes.py).
SET_ASIDE = ("set_aside", "all", "all")
Sums = dict[tuple[str, str, str], int]  # (kind, item key, choice) -> votes


def rounded_percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages, each within one point of the exact share.

    Equal counts always show equal percentages. Each share is rounded down, then
    the points still missing to reach 100 go out by largest remainder, to whole
    groups of equal counts: a group gets its extra point all together or not at
    all. A group too big for the points left is skipped and the next one tried,
    unless a larger count would then show less than a smaller one. Shares that are
    already whole never get a point. If points are still missing and giving them
    to the first skipped group brings the sum strictly closer to 100, it gets them.
    So the sum is 100 unless ties forbid it, and then it is the nearest reachable
    (three equal counts show 33 each: 99, closer than 102).
    """
    total = sum(counts.values())
    if total == 0:
        return {key: 0 for key in counts}
    # Whole-number arithmetic: equal counts have exactly equal remainders.
    result = {key: 100 * count // total for key, count in counts.items()}
    remainder = {count: 100 * count % total for count in counts.values()}
    groups: dict[int, list[str]] = {}
    for key, count in counts.items():
        groups.setdefault(count, []).append(key)
    missing = 100 - sum(result.values())
    skipped: list[int] = []
    for count in sorted(groups, key=lambda c: (remainder[c], c), reverse=True):
        if missing == 0 or remainder[count] == 0:
            break
        keys = groups[count]
        # A larger skipped count must still show more than this one after its point.
        overtakes = any(s > count and result[groups[s][0]] <= result[keys[0]] for s in skipped)
        if len(keys) <= missing and not overtakes:
            for key in keys:
                result[key] += 1
            missing -= len(keys)
        else:
            skipped.append(count)
    if missing and skipped and len(groups[skipped[0]]) - missing < missing:
        for key in groups[skipped[0]]:
            result[key] += 1
    return result


@dataclass(frozen=True)
class Distribution:
    """Votes per choice for one item, in the order the choices are shown."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percentages(self) -> dict[str, int]:
        return rounded_percentages(self.counts)

    def share(self, choice: str) -> float:
        """The exact fraction for `choice`, 0.0 when nobody voted."""
        return self.counts.get(choice, 0) / self.total if self.total else 0.0

    def rows(self) -> list[tuple[str, int, int]]:
        """(choice, count, percentage) for templates."""
        percentages = self.percentages
        return [(choice, count, percentages[choice]) for choice, count in self.counts.items()]


def distribution(counts: dict[str, int], choices: Iterable[str]) -> Distribution:
    return Distribution({choice: max(0, counts.get(choice, 0)) for choice in choices})


Flows = dict[tuple[str, str], int]  # (stance before, stance after) -> readers


@dataclass(frozen=True)
class SideChange:
    """One stance among the readers who answered before and after reading: how
    many held it each time, and the change in its share with its 95% interval
    (proportions, after minus before; Newcombe's method for paired data)."""

    before: int
    after: int
    change: float
    low: float
    high: float


@dataclass(frozen=True)
class Swing:
    """Who persuaded whom, over the readers who answered both before and after
    reading (the paired readers): the same people counted twice, so a change is
    a change of mind, not a change of audience.

    The winner, Oxford-debate style, is the side that gained most, named only
    when at least `min_n` readers are paired and its gain's interval excludes
    zero (docs/statistics.md).
    """

    paired: int
    flows: Flows
    sides: dict[str, SideChange]
    winner: str | None
    min_n: int

    @property
    def measurable(self) -> bool:
        return self.paired > 0

    @property
    def before(self) -> "Distribution":
        return Distribution({side: self.sides[side].before for side in STANCE_SIDES})

    @property
    def after(self) -> "Distribution":
        return Distribution({side: self.sides[side].after for side in STANCE_SIDES})

    @property
    def moved(self) -> int:
        return self.paired - sum(self.flows.get((side, side), 0) for side in STANCE_SIDES)


def swing(flows: Flows, min_n: int = MIN_N) -> Swing:
    """The paired swing from the flows of readers between stances."""
    paired = sum(flows.values())
    sides = {}
    for side in STANCE_SIDES:
        both = flows.get((side, side), 0)
        before_only = sum(n for (b, a), n in flows.items() if b == side and a != side)
        after_only = sum(n for (b, a), n in flows.items() if a == side and b != side)
        neither = paired - both - before_only - after_only
        low, high = paired_change_interval(both, before_only, after_only, neither)
        change = (after_only - before_only) / paired if paired else 0.0
        sides[side] = SideChange(both + before_only, both + after_only, change, low, high)
    gains = sorted(SIDES, key=lambda side: sides[side].change, reverse=True)
    best, runner_up = sides[gains[0]], sides[gains[1]]
    clear = paired >= min_n and best.low > 0 and best.change > runner_up.change
    return Swing(paired, dict(flows), sides, gains[0] if clear else None, min_n)


def side_totals(
    claims: dict[str, Distribution], claim_sides: dict[str, str]
) -> dict[str, Distribution]:
    """All claim votes summed per side: how much readers agree with each case."""
    sums: dict[str, defaultdict[str, int]] = {side: defaultdict(int) for side in SIDES}
    for key, dist in claims.items():
        for choice, count in dist.counts.items():
            sums[claim_sides[key]][choice] += count
    return {side: distribution(sums[side], CLAIM_CHOICES) for side in SIDES}


@dataclass(frozen=True)
class DebateResults:
    readers: int
    claims: dict[str, Distribution]
    question: Distribution
    stance: dict[str, Distribution]
    sides: dict[str, Distribution]
    flows: Flows
    min_n: int
    set_aside: int = 0  # votes the author set aside, left out of every count here

    @property
    def swing(self) -> Swing:
        """Worked out when shown (the panel), not for every vote's answer."""
        return swing(self.flows, self.min_n)

    @property
    def votes(self) -> int:
        return (
            sum(d.total for d in self.claims.values())
            + self.question.total
            + sum(d.total for d in self.stance.values())
        )


def results_from_sums(debate: Debate, sums: Sums, min_n: int = MIN_N) -> DebateResults:
    def counts(kind: str, key: str) -> dict[str, int]:
        return {choice: n for (k, item, choice), n in sums.items() if k == kind and item == key}

    claims = {c.key: distribution(counts(CLAIM, c.key), CLAIM_CHOICES) for c in debate.claims}
    stance = {phase: distribution(counts(STANCE, phase), STANCE_SIDES) for phase in STANCE_PHASES}
    return DebateResults(
        readers=sums.get((READERS_KIND, "all", "all"), 0),
        claims=claims,
        question=distribution(counts(QUESTION, QUESTION_KEY), [o.key for o in debate.options]),
        stance=stance,
        sides=side_totals(claims, {c.key: c.side for c in debate.claims}),
        flows={(b, a): n for (kind, b, a), n in sums.items() if kind == FLOW and n},
        min_n=min_n,
        set_aside=sums.get(SET_ASIDE, 0),
    )
