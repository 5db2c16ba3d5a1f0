"""The analysis behind the authors' dashboard: who was persuaded, which claims
went with changed minds, what both camps accept, and how votes arrived.

Every figure here is a count of votes grouped by what their reader answered
to the stance question (VoteCounts), which the database computes with a few
grouped queries (store/votes.py `vote_counts`) however many votes there are;
`count_votes` counts the same from vote records, for tests and as the
reference a full recomputation must equal.

Two words used throughout:
- paired readers answered the stance question both before and after reading;
  only they can be said to have moved or stayed.
- a reader's final stance is the last one they gave: after reading if they
  answered it, else before reading; readers who gave none are left out of
  every split by stance.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from .debate import (
    CLAIM,
    CLAIM_CHOICES,
    QUESTION,
    QUESTION_KEY,
    STANCE,
    STANCE_SIDES,
    Claim,
    Debate,
)
from .segments import Segments
from .stats import (
    MIN_N,
    Share,
    Timeline,
    benjamini_hochberg,
    bridging_score,
    difference_p_value,
    points_between,
    timeline_of,
)
from .tally import Swing, swing

Stances = tuple[str | None, str | None]  # a reader's answers before and after reading
CountedChoice = tuple[str, str, str, Stances]  # (kind, item key, choice, its reader's stances)


class VoteRecord(NamedTuple):
    """One stored vote, detached from the database so tests can write vote sets by hand."""

    reader_id: str
    kind: str
    item_key: str
    choice: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class VoteCounts:
    """A debate's current votes, counted for the analysis.

    stances: readers per (before, after) answer, None where unanswered, every
    reader included; choices: votes on claims and the closing question per
    choice and per their reader's stances; per_minute: votes by the minute they
    were first cast; set_aside: votes the author's exclusions leave out of all
    the others.
    """

    readers: int
    votes: int
    first_vote_at: datetime | None
    last_vote_at: datetime | None
    stances: dict[Stances, int]
    choices: dict[CountedChoice, int]
    per_minute: dict[datetime, int]
    set_aside: int = 0


def is_current(kind: str, key: str, choice: str, claim_keys: set[str], options: set[str]) -> bool:
    """A vote the debate still has an item and a choice for (a claim or option may
    have been removed from the content file): the others are not counted, as the
    public results do not count them, though their reader still counts."""
    if kind == CLAIM:
        return key in claim_keys and choice in CLAIM_CHOICES
    if kind == QUESTION:
        return key == QUESTION_KEY and choice in options
    return kind == STANCE and key in ("before", "after") and choice in STANCE_SIDES


def count_votes(
    records: Iterable[VoteRecord], claim_keys: Iterable[str], option_keys: Iterable[str]
) -> VoteCounts:
    """Count vote records as store.votes.vote_counts counts rows."""
    claims, options = set(claim_keys), set(option_keys)
    readers: dict[str, dict[str, str]] = {}
    votes, first, last = 0, None, None
    per_minute: Counter[datetime] = Counter()
    for record in records:
        mine = readers.setdefault(record.reader_id, {})
        if not is_current(record.kind, record.item_key, record.choice, claims, options):
            continue
        mine[f"{record.kind}:{record.item_key}"] = record.choice
        votes += 1
        first = record.created_at if first is None else min(first, record.created_at)
        last = record.updated_at if last is None else max(last, record.updated_at)
        per_minute[record.created_at.replace(second=0, microsecond=0)] += 1
    stances: Counter[Stances] = Counter()
    choices: Counter[CountedChoice] = Counter()
    for mine in readers.values():
        answers = (mine.get("stance:before"), mine.get("stance:after"))
        stances[answers] += 1
        for item, choice in mine.items():
            kind, key = item.split(":", 1)
            if kind != STANCE:
                choices[kind, key, choice, answers] += 1
    return VoteCounts(
        len(readers), votes, first, last, dict(stances), dict(choices), dict(per_minute)
    )


def _paired(stances: Stances) -> bool:
    return stances[0] is not None and stances[1] is not None


def _moved(stances: Stances) -> bool:
    return _paired(stances) and stances[0] != stances[1]


def _stayed(stances: Stances) -> bool:
    return _paired(stances) and stances[0] == stances[1]


def _final(stances: Stances) -> str | None:
    return stances[1] or stances[0]


def _in_camp(side: str) -> Callable[[Stances], bool]:
    return lambda stances: _final(stances) == side


@dataclass(frozen=True)
class Persuasion:
    """Before against after, over the paired readers only: the same swing as the
    public panel's (tally.swing, from the flow counters)."""

    paired_readers: int
    before: dict[str, Share]
    after: dict[str, Share]
    swing: Swing
    moved: Share
    transitions: dict[tuple[str, str], int]
    enough_readers: bool


def persuasion(counts: VoteCounts, min_n: int = MIN_N) -> Persuasion:
    transitions = {(b, a): 0 for b in STANCE_SIDES for a in STANCE_SIDES}
    for (before, after), n in counts.stances.items():
        if before is not None and after is not None:
            transitions[before, after] += n
    paired_swing = swing({flow: n for flow, n in transitions.items() if n}, min_n)
    paired = paired_swing.paired
    return Persuasion(
        paired_readers=paired,
        before={s: Share.of(paired_swing.sides[s].before, paired, min_n) for s in STANCE_SIDES},
        after={s: Share.of(paired_swing.sides[s].after, paired, min_n) for s in STANCE_SIDES},
        swing=paired_swing,
        moved=Share.of(paired_swing.moved, paired, min_n),
        transitions=transitions,
        enough_readers=paired >= min_n,
    )


def agreement(
    counts: VoteCounts, claim_key: str, among: Callable[[Stances], bool], min_n: int = MIN_N
) -> Share:
    """Readers who agreed with the claim, out of those `among` who voted on it
    (unsure counts as not agreeing)."""
    agree = total = 0
    for (kind, key, choice, stances), n in counts.choices.items():
        if kind == CLAIM and key == claim_key and among(stances):
            total += n
            agree += n if choice == "agree" else 0
    return Share.of(agree, total, min_n)


@dataclass(frozen=True)
class ClaimAmongMovers:
    """Agreement with a claim among paired readers whose stance moved, and among those
    whose stance stayed; difference is movers minus stayers in points (None while
    either group is empty). A finding is a
    difference that survives the Benjamini-Hochberg procedure at FALSE_DISCOVERY_RATE
    over every claim compared (docs/statistics.md)."""

    claim_key: str
    side: str
    title: str
    movers: Share
    stayers: Share
    difference: float | None
    enough_readers: bool
    p_value: float
    finding: bool


FALSE_DISCOVERY_RATE = 0.10


def claims_that_changed_minds(
    counts: VoteCounts, claims: Sequence[Claim], min_n: int = MIN_N
) -> list[ClaimAmongMovers]:
    """Every claim: findings first, then the others compared ("not distinguishable
    yet"), each ranked by the size of their difference; then those with fewer than
    min_n readers in a group, in the essay's order."""
    groups = [
        (
            claim,
            agreement(counts, claim.key, _moved, min_n),
            agreement(counts, claim.key, _stayed, min_n),
        )
        for claim in claims
    ]
    compared = [movers.meets_min_n and stayers.meets_min_n for _, movers, stayers in groups]
    p_values = [
        difference_p_value(movers.count, movers.n, stayers.count, stayers.n)
        for _, movers, stayers in groups
    ]
    discoveries = iter(
        benjamini_hochberg(
            [p for p, ok in zip(p_values, compared, strict=True) if ok], FALSE_DISCOVERY_RATE
        )
    )
    rows = [
        ClaimAmongMovers(
            claim_key=claim.key,
            side=claim.side,
            title=claim.title,
            movers=movers,
            stayers=stayers,
            difference=points_between(movers, stayers),
            enough_readers=ok,
            p_value=p_value,
            finding=next(discoveries) if ok else False,
        )
        for (claim, movers, stayers), ok, p_value in zip(groups, compared, p_values, strict=True)
    ]

    def ranked(group: list[ClaimAmongMovers]) -> list[ClaimAmongMovers]:
        # Compared rows only: both groups reach the minimum, so each has a difference.
        return sorted(group, key=lambda row: -abs(row.difference or 0.0))

    return (
        ranked([row for row in rows if row.finding])
        + ranked([row for row in rows if row.enough_readers and not row.finding])
        + [row for row in rows if not row.enough_readers]
    )


@dataclass(frozen=True)
class ClaimByStance:
    """Agreement with a claim per final stance. bridging: how strongly both the open
    and the closed camp agree, the lower of their Wilson lower bounds; common ground
    when that is above one half and both camps reach min_n."""

    claim_key: str
    side: str
    title: str
    agree: dict[str, Share]
    bridging: float
    enough_readers: bool

    @property
    def common_ground(self) -> bool:
        return self.enough_readers and self.bridging > 0.5


def claims_by_final_stance(
    counts: VoteCounts, claims: Sequence[Claim], min_n: int = MIN_N
) -> list[ClaimByStance]:
    """Every claim split by the reader's final stance, ranked by bridging score
    (ties in the essay's order)."""
    rows = []
    for claim in claims:
        agree = {s: agreement(counts, claim.key, _in_camp(s), min_n) for s in STANCE_SIDES}
        both = (agree["open"], agree["closed"])
        rows.append(
            ClaimByStance(
                claim_key=claim.key,
                side=claim.side,
                title=claim.title,
                agree=agree,
                bridging=bridging_score(both),
                enough_readers=all(s.meets_min_n for s in both),
            )
        )
    return sorted(rows, key=lambda row: -row.bridging)


@dataclass(frozen=True)
class QuestionBreakdown:
    """The closing question's answers per option, overall and per final stance."""

    overall: dict[str, Share]
    by_final_stance: dict[str, dict[str, Share]]


def question_breakdown(
    counts: VoteCounts, option_keys: Sequence[str], min_n: int = MIN_N
) -> QuestionBreakdown:
    def answers(among: Callable[[Stances], bool]) -> dict[str, Share]:
        per_option: Counter[str] = Counter()
        for (kind, _key, choice, stances), n in counts.choices.items():
            if kind == QUESTION and among(stances):
                per_option[choice] += n
        total = sum(per_option.values())
        return {key: Share.of(per_option[key], total, min_n) for key in option_keys}

    return QuestionBreakdown(
        overall=answers(lambda _stances: True),
        by_final_stance={s: answers(_in_camp(s)) for s in STANCE_SIDES},
    )


@dataclass(frozen=True)
class Headline:
    """readers: everyone with a current vote; votes: current votes on the debate's
    items; last_vote_at: the latest cast or change (UTC)."""

    readers: int
    votes: int
    voting_open: bool
    first_vote_at: datetime | None
    last_vote_at: datetime | None


@dataclass(frozen=True)
class DebateAnalysis:
    """Everything the authors' dashboard shows for one debate."""

    headline: Headline
    persuasion: Persuasion
    claims_that_changed_minds: list[ClaimAmongMovers]
    claims_by_final_stance: list[ClaimByStance]
    question: QuestionBreakdown
    votes_over_time: Timeline
    min_n: int
    camps: dict[str, int]  # readers per final stance
    set_aside: int = 0  # votes the author set aside, left out of everything above
    segments: Segments | None = None  # where the votes came from (core/segments.py)


def analyse(
    debate: Debate, counts: VoteCounts, min_n: int = MIN_N, segments: Segments | None = None
) -> DebateAnalysis:
    """The dashboard's analysis of counted votes (store.votes.vote_counts), with
    the segments found in the same votes."""
    camps = dict.fromkeys(STANCE_SIDES, 0)
    for stances, n in counts.stances.items():
        final = _final(stances)
        if final is not None:
            camps[final] += n
    return DebateAnalysis(
        headline=Headline(
            counts.readers,
            counts.votes,
            debate.voting_open,
            counts.first_vote_at,
            counts.last_vote_at,
        ),
        persuasion=persuasion(counts, min_n),
        claims_that_changed_minds=claims_that_changed_minds(counts, debate.claims, min_n),
        claims_by_final_stance=claims_by_final_stance(counts, debate.claims, min_n),
        question=question_breakdown(counts, debate.option_keys, min_n),
        votes_over_time=timeline_of(counts.per_minute),
        min_n=min_n,
        camps=camps,
        set_aside=counts.set_aside,
        segments=segments,
    )
