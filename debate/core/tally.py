"""Counting: the one place that knows how counters become results.

The store sums a few counter shards per choice (store/votes.py), so results
cost the same at a million votes as at a thousand; this turns those sums into
distributions, percentages and the swing, in plain functions without a
database.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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

# The counter that counts a debate's readers, beside the counters of its items.
READERS_KIND = "readers"
Sums = dict[tuple[str, str, str], int]  # (kind, item key, choice) -> votes


def rounded_percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages that add up to exactly 100 (largest remainder)."""
    total = sum(counts.values())
    if total == 0:
        return {key: 0 for key in counts}
    exact = {key: 100 * count / total for key, count in counts.items()}
    result = {key: int(value) for key, value in exact.items()}
    shortfall = 100 - sum(result.values())
    by_remainder = sorted(
        counts, key=lambda key: (exact[key] - result[key], counts[key]), reverse=True
    )
    for key in by_remainder[:shortfall]:
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


@dataclass(frozen=True)
class Swing:
    """The before/after comparison, Oxford-debate style: the side that gained most wins."""

    before: Distribution
    after: Distribution
    change: dict[str, float] = field(default_factory=dict)
    winner: str | None = None

    @property
    def measurable(self) -> bool:
        return self.before.total > 0 and self.after.total > 0


def swing(before: Distribution, after: Distribution) -> Swing:
    """Percentage-point change per stance; a winner only when one side gained strictly most."""
    if not before.total or not after.total:
        return Swing(before, after, {side: 0.0 for side in before.counts}, None)
    change = {
        side: round(100 * (after.share(side) - before.share(side)), 1) for side in before.counts
    }
    gains = sorted(((change[side], side) for side in SIDES), reverse=True)
    best, runner_up = gains[0], gains[1]
    winner = best[1] if best[0] > 0 and best[0] > runner_up[0] else None
    return Swing(before, after, change, winner)


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
    swing: Swing

    @property
    def votes(self) -> int:
        return (
            sum(d.total for d in self.claims.values())
            + self.question.total
            + sum(d.total for d in self.stance.values())
        )


def results_from_sums(debate: Debate, sums: Sums) -> DebateResults:
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
        swing=swing(stance["before"], stance["after"]),
    )
