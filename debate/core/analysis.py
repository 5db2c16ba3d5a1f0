"""The analysis behind the authors' dashboard: who was persuaded, which claims
went with changed minds, what both camps accept, and how votes arrived.

tally.py reads counters and serves readers; it cannot say whether one reader
moved or what else that reader agreed with. This module scans the votes of
one debate once, groups them per reader, and answers per-reader questions.
Only the dashboard calls it; the public results path never scans votes.

Two words used throughout:
- paired readers answered the stance question both before and after reading;
  only they can be said to have moved or stayed.
- a reader's final stance is the last one they gave: after reading if they
  answered it, else before reading; readers who gave none are left out of
  every split by stance.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
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
from .stats import MIN_N, Share, Timeline, count_over_time, is_strict_majority
from .tally import Swing, distribution, swing


class VoteRecord(NamedTuple):
    """One stored vote, detached from the database so tests can write vote sets by hand."""

    reader_id: str
    kind: str
    item_key: str
    choice: str
    created_at: datetime
    updated_at: datetime


@dataclass
class ReaderVotes:
    """One reader's current choices in a debate."""

    claims: dict[str, str] = field(default_factory=dict)
    question: str | None = None
    before: str | None = None
    after: str | None = None

    @property
    def paired(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def final_stance(self) -> str | None:
        return self.after or self.before


@dataclass(frozen=True)
class VoteSet:
    """A debate's votes grouped per reader, with the totals that need every vote."""

    readers: dict[str, ReaderVotes]
    votes: int
    first_vote_at: datetime | None
    last_vote_at: datetime | None
    votes_over_time: Timeline


def group_votes(
    records: Iterable[VoteRecord], claim_keys: Iterable[str], option_keys: Iterable[str]
) -> VoteSet:
    """Group votes per reader in one pass.

    Votes on items the debate no longer has (a claim or option removed from
    the content file) or with unknown choices are skipped, as the public
    results skip them, but their reader still counts as a reader.
    """
    claim_keys, option_keys = set(claim_keys), set(option_keys)
    readers: dict[str, ReaderVotes] = {}
    votes, first, last = 0, None, None

    def current_cast_times() -> Iterator[datetime]:
        # Grouping feeds the timeline as it goes, so the votes are read only once.
        nonlocal votes, first, last
        for record in records:
            reader = readers.setdefault(record.reader_id, ReaderVotes())
            if not _record_into(reader, record, claim_keys, option_keys):
                continue
            votes += 1
            first = record.created_at if first is None else min(first, record.created_at)
            last = record.updated_at if last is None else max(last, record.updated_at)
            yield record.created_at

    timeline = count_over_time(current_cast_times())
    return VoteSet(readers, votes, first, last, timeline)


def _record_into(
    reader: ReaderVotes, record: VoteRecord, claim_keys: set[str], option_keys: set[str]
) -> bool:
    """Put a current vote into the reader's choices; False for a vote to skip."""
    kind, key, choice = record.kind, record.item_key, record.choice
    if kind == CLAIM and key in claim_keys and choice in CLAIM_CHOICES:
        reader.claims[key] = choice
    elif kind == QUESTION and key == QUESTION_KEY and choice in option_keys:
        reader.question = choice
    elif kind == STANCE and key == "before" and choice in STANCE_SIDES:
        reader.before = choice
    elif kind == STANCE and key == "after" and choice in STANCE_SIDES:
        reader.after = choice
    else:
        return False
    return True


@dataclass(frozen=True)
class Persuasion:
    """Before against after, over the paired readers only.

    The public panel's swing (all_readers_swing, from tally.swing) compares
    everyone who answered before with everyone who answered after; those can
    be different people. The paired swing compares the same people, so it is
    the dashboard's result: swing.change is points per stance, swing.winner
    the side (open or closed) that gained most, None on a tie or no gain.
    """

    paired_readers: int
    before: dict[str, Share]
    after: dict[str, Share]
    swing: Swing
    moved: Share
    transitions: dict[tuple[str, str], int]
    all_readers_swing: Swing
    enough_readers: bool


def persuasion(readers: Iterable[ReaderVotes], min_n: int = MIN_N) -> Persuasion:
    before_all = dict.fromkeys(STANCE_SIDES, 0)
    after_all = dict.fromkeys(STANCE_SIDES, 0)
    transitions = {(b, a): 0 for b in STANCE_SIDES for a in STANCE_SIDES}
    for reader in readers:
        if reader.before:
            before_all[reader.before] += 1
        if reader.after:
            after_all[reader.after] += 1
        if reader.before is not None and reader.after is not None:  # reader.paired
            transitions[reader.before, reader.after] += 1
    before = {s: sum(n for (b, _), n in transitions.items() if b == s) for s in STANCE_SIDES}
    after = {s: sum(n for (_, a), n in transitions.items() if a == s) for s in STANCE_SIDES}
    paired = sum(transitions.values())
    moved = paired - sum(transitions[s, s] for s in STANCE_SIDES)
    return Persuasion(
        paired_readers=paired,
        before={s: Share.of(before[s], paired, min_n) for s in STANCE_SIDES},
        after={s: Share.of(after[s], paired, min_n) for s in STANCE_SIDES},
        swing=swing(distribution(before, STANCE_SIDES), distribution(after, STANCE_SIDES)),
        moved=Share.of(moved, paired, min_n),
        transitions=transitions,
        all_readers_swing=swing(
            distribution(before_all, STANCE_SIDES), distribution(after_all, STANCE_SIDES)
        ),
        enough_readers=paired >= min_n,
    )


def agreement(readers: Iterable[ReaderVotes], claim_key: str, min_n: int = MIN_N) -> Share:
    """Readers who agreed with the claim, out of those who voted on it (unsure counts as not)."""
    choices = [r.claims[claim_key] for r in readers if claim_key in r.claims]
    return Share.of(choices.count("agree"), len(choices), min_n)


@dataclass(frozen=True)
class ClaimAmongMovers:
    """Agreement with a claim among paired readers whose stance moved, and among those
    whose stance stayed; difference is movers minus stayers in points."""

    claim_key: str
    side: str
    title: str
    movers: Share
    stayers: Share
    difference: float
    enough_readers: bool


def claims_that_changed_minds(
    readers: Iterable[ReaderVotes], claims: Sequence[Claim], min_n: int = MIN_N
) -> list[ClaimAmongMovers]:
    """Every claim: those with min_n in both groups first, ranked by difference
    (ties in the essay's order); the rest after them in the essay's order, to be
    shown but not ranked."""
    paired = [r for r in readers if r.paired]
    movers = [r for r in paired if r.before != r.after]
    stayers = [r for r in paired if r.before == r.after]
    rows = []
    for claim in claims:
        among_movers = agreement(movers, claim.key, min_n)
        among_stayers = agreement(stayers, claim.key, min_n)
        rows.append(
            ClaimAmongMovers(
                claim_key=claim.key,
                side=claim.side,
                title=claim.title,
                movers=among_movers,
                stayers=among_stayers,
                difference=round(100 * (among_movers.share - among_stayers.share), 1),
                enough_readers=among_movers.meets_min_n and among_stayers.meets_min_n,
            )
        )
    ranked = sorted((r for r in rows if r.enough_readers), key=lambda r: -r.difference)
    return ranked + [r for r in rows if not r.enough_readers]


@dataclass(frozen=True)
class ClaimByStance:
    """Agreement with a claim per final stance. common_ground: a strict majority of both
    the open and the closed camp agree, and both camps reach min_n."""

    claim_key: str
    side: str
    title: str
    agree: dict[str, Share]
    majority_in_both: bool
    enough_readers: bool

    @property
    def common_ground(self) -> bool:
        return self.majority_in_both and self.enough_readers


def claims_by_final_stance(
    readers: Iterable[ReaderVotes], claims: Sequence[Claim], min_n: int = MIN_N
) -> list[ClaimByStance]:
    """Every claim in the essay's order, split by the reader's final stance."""
    camps = _by_final_stance(readers)
    rows = []
    for claim in claims:
        agree = {s: agreement(camps[s], claim.key, min_n) for s in STANCE_SIDES}
        both = (agree["open"], agree["closed"])
        rows.append(
            ClaimByStance(
                claim_key=claim.key,
                side=claim.side,
                title=claim.title,
                agree=agree,
                majority_in_both=all(is_strict_majority(s) for s in both),
                enough_readers=all(s.meets_min_n for s in both),
            )
        )
    return rows


@dataclass(frozen=True)
class QuestionBreakdown:
    """The closing question's answers per option, overall and per final stance."""

    overall: dict[str, Share]
    by_final_stance: dict[str, dict[str, Share]]


def question_breakdown(
    readers: Iterable[ReaderVotes], option_keys: Sequence[str], min_n: int = MIN_N
) -> QuestionBreakdown:
    readers = list(readers)
    camps = _by_final_stance(readers)
    return QuestionBreakdown(
        overall=_answers(readers, option_keys, min_n),
        by_final_stance={s: _answers(camps[s], option_keys, min_n) for s in STANCE_SIDES},
    )


def _answers(
    readers: list[ReaderVotes], option_keys: Sequence[str], min_n: int
) -> dict[str, Share]:
    answers = [r.question for r in readers if r.question is not None]
    return {key: Share.of(answers.count(key), len(answers), min_n) for key in option_keys}


def _by_final_stance(readers: Iterable[ReaderVotes]) -> dict[str, list[ReaderVotes]]:
    camps: dict[str, list[ReaderVotes]] = {side: [] for side in STANCE_SIDES}
    for reader in readers:
        if reader.final_stance:
            camps[reader.final_stance].append(reader)
    return camps


@dataclass(frozen=True)
class Headline:
    """readers: everyone who ever voted; votes: current votes on the debate's items;
    last_vote_at: the latest cast or change (UTC)."""

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


def analyse(debate: Debate, records: Iterable[VoteRecord], min_n: int = MIN_N) -> DebateAnalysis:
    """The dashboard's analysis; records usually come from store.votes.vote_records."""
    option_keys = [option.key for option in debate.options]
    votes = group_votes(records, [claim.key for claim in debate.claims], option_keys)
    readers = list(votes.readers.values())
    return DebateAnalysis(
        headline=Headline(
            len(readers), votes.votes, debate.voting_open, votes.first_vote_at, votes.last_vote_at
        ),
        persuasion=persuasion(readers, min_n),
        claims_that_changed_minds=claims_that_changed_minds(readers, debate.claims, min_n),
        claims_by_final_stance=claims_by_final_stance(readers, debate.claims, min_n),
        question=question_breakdown(readers, option_keys, min_n),
        votes_over_time=votes.votes_over_time,
        min_n=min_n,
    )
