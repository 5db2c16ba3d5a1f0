"""The dashboard's analysis on hand-made vote sets where the right answer is known."""

from datetime import datetime, timedelta

import pytest

from debate.core.analysis import (
    VoteRecord,
    analyse,
    claims_by_final_stance,
    claims_that_changed_minds,
    count_votes,
    persuasion,
    question_breakdown,
)
from debate.core.debate import CLAIM, QUESTION, STANCE, Claim
from debate.core.stats import Share, Timeline, count_over_time, is_strict_majority, wilson_interval
from debate.core.tally import results_from_sums
from debate.store.db import db
from debate.store.models import DebateRow
from debate.store.votes import cast_vote, counter_sums, vote_counts, vote_records
from helpers import make_debate, stored_debate

T0 = datetime(2025, 3, 1, 9, 0)
CLAIM_SPECS = [("a", "open", "A"), ("b", "open", "B"), ("c", "closed", "C"), ("d", "closed", "D")]
CLAIMS = [Claim(key, side, title, "") for key, side, title in CLAIM_SPECS]
OPTIONS = ["yes", "no", "maybe"]

HOUR = timedelta(hours=1)


def vote(reader, kind, key, choice, at=T0, changed_at=None) -> VoteRecord:
    return VoteRecord(reader, kind, key, choice, at, changed_at or at)


def stances(reader, before=None, after=None) -> list[VoteRecord]:
    phases = {"before": before, "after": after}
    return [vote(reader, STANCE, phase, side) for phase, side in phases.items() if side]


def counted(records):
    return count_votes(records, [c.key for c in CLAIMS], OPTIONS)


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
    moments = [
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=50),
        T0 + timedelta(hours=3, minutes=5),
        T0 + timedelta(minutes=30),
    ]
    assert count_over_time(moments) == Timeline(
        "hour",
        [
            (T0, 3),
            (T0 + timedelta(hours=1), 0),
            (T0 + timedelta(hours=2), 0),
            (T0 + timedelta(hours=3), 1),
        ],
    )


def test_a_span_of_exactly_72_hours_is_still_hourly():
    timeline = count_over_time([T0, T0 + timedelta(hours=72)])
    assert timeline.unit == "hour"
    assert len(timeline.buckets) == 73
    assert sum(count for _, count in timeline.buckets) == 2


def test_longer_spans_are_counted_per_day_from_midnight_with_empty_days_filled():
    late_evening = datetime(2025, 3, 1, 23, 30)
    moments = [
        late_evening,
        late_evening + timedelta(minutes=20),
        datetime(2025, 3, 4, 9, 0),
        datetime(2025, 3, 1, 8, 0),
    ]  # 73 hours
    assert count_over_time(moments) == Timeline(
        "day",
        [
            (datetime(2025, 3, 1), 3),
            (datetime(2025, 3, 2), 0),
            (datetime(2025, 3, 3), 0),
            (datetime(2025, 3, 4), 1),
        ],
    )


def test_no_moments_is_an_empty_hourly_timeline():
    assert count_over_time([]) == Timeline("hour", [])


# Grouping per reader


def test_grouping_skips_votes_on_items_the_debate_no_longer_has_but_keeps_their_reader():
    records = [
        vote("r1", CLAIM, "a", "agree", at=T0 + timedelta(hours=1)),
        vote("r1", CLAIM, "gone", "agree"),  # a claim removed from the content file
        vote("r2", QUESTION, "closing", "retired-option"),
        vote("r2", STANCE, "before", "open", at=T0 + 2 * HOUR, changed_at=T0 + 5 * HOUR),
        vote("r3", QUESTION, "closing", "maybe", at=T0 + timedelta(hours=3)),
    ]
    counts = counted(records)
    assert counts.readers == 3
    assert counts.stances == {(None, None): 2, ("open", None): 1}
    assert counts.choices == {
        (CLAIM, "a", "agree", (None, None)): 1,
        (QUESTION, "closing", "maybe", (None, None)): 1,
    }
    assert counts.votes == 3
    assert counts.first_vote_at == T0 + timedelta(hours=1)
    assert counts.last_vote_at == T0 + timedelta(hours=5)


# The persuasion result


def test_paired_swing_counts_only_readers_who_answered_both_phases():
    records = [
        *stances("r1", "open", "closed"),
        *stances("r2", "open", "open"),
        *stances("r3", "closed", "closed"),
        *stances("r4", "undecided", "closed"),
        *stances("r5", before="open"),  # never answered after reading
        *stances("r6", after="open"),  # never answered before reading
    ]
    result = persuasion(counted(records))
    assert result.paired_readers == 4
    assert {s: share.count for s, share in result.before.items()} == {
        "open": 2,
        "closed": 1,
        "undecided": 1,
    }
    assert {s: share.count for s, share in result.after.items()} == {
        "open": 1,
        "closed": 3,
        "undecided": 0,
    }
    assert result.after["closed"].n == 4
    changes = {side: change.change for side, change in result.swing.sides.items()}
    assert changes == {"open": -0.25, "closed": 0.5, "undecided": -0.25}
    assert result.swing.winner is None, "four paired readers are too few to call"
    assert (result.moved.count, result.moved.n) == (2, 4)
    assert result.transitions[("open", "closed")] == 1
    assert result.transitions[("undecided", "closed")] == 1
    assert sum(result.transitions.values()) == 4
    assert not result.enough_readers
    assert persuasion(counted(records), min_n=4).enough_readers


def test_paired_swing_without_paired_readers_has_no_winner():
    result = persuasion(counted(stances("r1", before="open") + stances("r2", after="closed")))
    assert result.paired_readers == 0
    assert result.swing.winner is None
    assert not result.swing.measurable


# Claims that changed minds


def camp(prefix, size, before, after, agreeing, claim_key):
    """size readers who moved from before to after; the first `agreeing` agree with the claim."""
    records = []
    for n in range(size):
        reader = f"{prefix}{n}"
        records += stances(reader, before, after)
        records.append(vote(reader, CLAIM, claim_key, "agree" if n < agreeing else "disagree"))
    return records


def test_claims_that_changed_minds_are_ranked_only_with_enough_readers_in_both_groups():
    records = [
        *camp("mover-a", 10, "open", "closed", 8, "a"),
        *camp("stayer-a", 10, "open", "open", 2, "a"),
        *camp("mover-b", 10, "closed", "undecided", 5, "b"),
        *camp("stayer-b", 10, "closed", "closed", 5, "b"),
        *camp("mover-c", 3, "undecided", "open", 3, "c"),  # too few movers voted on c
        *camp("stayer-c", 10, "undecided", "undecided", 0, "c"),
        *camp("mover-d", 10, "open", "undecided", 1, "d"),
        *camp("stayer-d", 10, "closed", "closed", 9, "d"),
        # Agrees with a, but answered only before reading: neither mover nor stayer.
        *stances("one-phase", before="closed"),
        vote("one-phase", CLAIM, "a", "agree"),
    ]
    rows = claims_that_changed_minds(counted(records), CLAIMS)
    # Findings first (d and a survive Benjamini-Hochberg at 10% over a, b and d),
    # then b, compared but not distinguishable, then c, not compared.
    assert [row.claim_key for row in rows] == ["d", "a", "b", "c"]
    d, a, b, c = rows
    assert (d.finding, a.finding, b.finding, c.finding) == (True, True, False, False)
    assert (a.movers.count, a.movers.n, a.stayers.count, a.stayers.n) == (8, 10, 2, 10)
    assert (a.difference, b.difference, d.difference) == (60.0, 0.0, -80.0)
    assert (a.side, a.title) == ("open", "A")
    assert all(row.enough_readers for row in (a, b, d))
    assert not c.enough_readers
    assert (c.movers.count, c.movers.n, c.movers.meets_min_n) == (3, 3, False)
    assert c.difference == 100.0  # shown, but not ranked above the others


def test_a_claim_with_no_stayers_has_no_difference_to_show():
    """Movers all agree, no stayer voted on it: 100% against nobody is no difference."""
    records = camp("mover", 3, "open", "closed", 3, "a") + camp("stayer", 3, "open", "open", 0, "b")
    rows = {row.claim_key: row for row in claims_that_changed_minds(counted(records), CLAIMS)}
    assert (rows["a"].movers.n, rows["a"].stayers.n) == (3, 0)
    assert rows["a"].difference is None and rows["b"].difference is None
    assert rows["c"].difference is None  # nobody voted on it


# Claims both camps accept


def test_claims_both_camps_accept_are_ranked_by_the_lower_camps_lower_bound():
    records = []
    for n in range(10):
        records += stances(f"o{n}", "undecided", "open")
        records.append(vote(f"o{n}", CLAIM, "a", "agree" if n < 6 else "disagree"))
        records.append(vote(f"o{n}", CLAIM, "b", "agree"))
        records.append(vote(f"o{n}", CLAIM, "c", "agree" if n < 8 else "unsure"))
        # Closed camp: half by their stance after reading, half by the only one they gave.
        closed = stances(f"c{n}", "open", "closed") if n < 5 else stances(f"c{n}", "closed")
        records += closed
        records.append(vote(f"c{n}", CLAIM, "a", "agree" if n < 7 else "unsure"))
        records.append(vote(f"c{n}", CLAIM, "b", "agree" if n < 5 else "disagree"))
        if n < 4:
            records.append(vote(f"c{n}", CLAIM, "c", "agree" if n < 3 else "disagree"))
    records += stances("u1", "open", "undecided") + [vote("u1", CLAIM, "a", "disagree")]
    records += [vote("no-stance", CLAIM, "a", "disagree")]
    rows = claims_by_final_stance(counted(records), CLAIMS)
    assert [row.claim_key for row in rows] == ["a", "c", "b", "d"]
    a, c, b, d = rows
    assert [(s.count, s.n) for s in a.agree.values()] == [(6, 10), (7, 10), (0, 1)]
    assert a.bridging == pytest.approx(wilson_interval(6, 10)[0])
    assert a.enough_readers and not a.common_ground  # 60% and 70%: not clear of one half
    assert (b.agree["closed"].count, b.agree["closed"].n) == (5, 10)
    assert b.bridging == pytest.approx(wilson_interval(5, 10)[0])
    assert (c.agree["closed"].count, c.agree["closed"].n) == (3, 4)
    assert not c.enough_readers and not c.common_ground
    assert d.agree["open"].n == 0 and d.bridging == 0.0 and not d.common_ground


def test_a_claim_every_camp_clearly_accepts_is_common_ground():
    records = []
    for n in range(12):
        for camp_side in ("open", "closed"):
            reader = f"{camp_side}{n}"
            records += stances(reader, after=camp_side)
            records.append(vote(reader, CLAIM, "a", "agree" if n < 11 else "unsure"))
    (a, *_) = claims_by_final_stance(counted(records), CLAIMS)
    assert a.claim_key == "a" and a.common_ground
    assert a.bridging == pytest.approx(wilson_interval(11, 12)[0])


# The closing question


def test_question_is_split_by_final_stance_and_readers_without_one_count_only_overall():
    records = [
        *stances("r1", "closed", "open"),
        vote("r1", QUESTION, "closing", "yes"),
        *stances("r2", after="open"),
        vote("r2", QUESTION, "closing", "maybe"),
        *stances("r3", "open", "closed"),
        vote("r3", QUESTION, "closing", "no"),
        *stances("r4", before="closed"),
        vote("r4", QUESTION, "closing", "no"),
        *stances("r5", "open", "undecided"),  # no answer: in no denominator
        vote("r6", QUESTION, "closing", "yes"),  # no stance
    ]
    breakdown = question_breakdown(counted(records), OPTIONS)
    assert [(s.count, s.n) for s in breakdown.overall.values()] == [(2, 5), (2, 5), (1, 5)]
    by_stance = {
        stance: [(s.count, s.n) for s in shares.values()]
        for stance, shares in breakdown.by_final_stance.items()
    }
    assert by_stance == {
        "open": [(1, 2), (0, 2), (1, 2)],
        "closed": [(0, 2), (2, 2), (0, 2)],
        "undecided": [(0, 0), (0, 0), (0, 0)],
    }


# The whole analysis


def test_analyse_puts_it_together_and_buckets_votes_by_when_they_were_first_cast():
    debate = make_debate(CLAIM_SPECS, OPTIONS, voting_open=False)
    records = [
        vote("r1", STANCE, "before", "open", at=T0),
        # Changed much later: still counted at T0.
        vote("r1", STANCE, "after", "closed", at=T0 + HOUR / 2, changed_at=T0 + 9 * 24 * HOUR),
        vote("r2", CLAIM, "a", "agree", at=T0 + timedelta(hours=2, minutes=59)),
        vote("r2", QUESTION, "closing", "no", at=T0 + timedelta(hours=2)),
    ]
    result = analyse(debate, counted(records))
    assert result.headline.readers == 2
    assert result.headline.votes == 4
    assert result.headline.voting_open is False
    assert result.headline.first_vote_at == T0
    assert result.headline.last_vote_at == T0 + timedelta(days=9)
    assert result.persuasion.paired_readers == 1
    assert result.persuasion.swing.sides["closed"].change == 1.0
    assert result.persuasion.swing.winner is None  # one paired reader: too early
    assert result.votes_over_time == Timeline(
        "hour", [(T0, 2), (T0 + timedelta(hours=1), 0), (T0 + timedelta(hours=2), 2)]
    )
    assert [row.claim_key for row in result.claims_by_final_stance] == ["a", "b", "c", "d"]
    assert result.question.overall["no"].count == 1
    assert result.min_n == 10


def test_analyse_of_a_debate_without_votes():
    debate = make_debate(CLAIM_SPECS, (), voting_open=True)
    result = analyse(debate, counted([]))
    assert (result.headline.readers, result.headline.votes) == (0, 0)
    assert result.headline.last_vote_at is None
    assert result.persuasion.paired_readers == 0
    assert result.votes_over_time.buckets == []
    assert all(not row.enough_readers for row in result.claims_that_changed_minds)


# Loading from the database


def test_loader_streams_one_debates_votes_and_agrees_with_the_public_counts(app):
    with app.app_context():
        debate = stored_debate()
        other = DebateRow(
            slug="other",
            title="Other",
            lede="",
            context_html="",
            conclusion_html="",
            question_text="?",
        )
        db.session.add(other)
        db.session.commit()
        cast = [
            (CLAIM, "customization", "r1", "agree"),
            (CLAIM, "customization", "r2", "unsure"),
            (CLAIM, "accountability", "r1", "disagree"),
            (QUESTION, "closing", "r2", "not-sure"),
            (STANCE, "before", "r3", "undecided"),
            (STANCE, "before", "r1", "open"),
            (STANCE, "after", "r1", "open"),
            (STANCE, "after", "r1", "closed"),
        ]  # a change, the last vote: one row
        for kind, key, reader, choice in cast:
            cast_vote(db.session, debate.id, kind, key, reader, choice)
        cast_vote(db.session, other.id, CLAIM, "customization", "r1", "agree")

        records = list(vote_records(db.session, debate.id, batch_size=3))
        assert sorted((r.reader_id, r.kind, r.item_key, r.choice) for r in records) == sorted(
            [
                ("r1", CLAIM, "customization", "agree"),
                ("r2", CLAIM, "customization", "unsure"),
                ("r1", CLAIM, "accountability", "disagree"),
                ("r2", QUESTION, "closing", "not-sure"),
                ("r1", STANCE, "before", "open"),
                ("r1", STANCE, "after", "closed"),
                ("r3", STANCE, "before", "undecided"),
            ]
        )
        changed = next(r for r in records if r.kind == STANCE and r.item_key == "after")
        assert changed.updated_at > changed.created_at

        claims, options = [c.key for c in debate.claims], debate.option_keys
        counts = vote_counts(db.session, debate.id, claims, options)
        assert counts == count_votes(records, claims, options)
        result = analyse(debate, counts)
        public = results_from_sums(debate, counter_sums(db.session, debate.id))
        assert (result.headline.readers, result.headline.votes) == (public.readers, public.votes)
        assert result.headline.last_vote_at == changed.updated_at
        assert result.persuasion.swing == public.swing
        assert result.persuasion.paired_readers == 1
        assert result.persuasion.swing.sides["closed"].change == 1.0


def test_analysis_of_votes_cast_over_http(app, new_reader):
    alice, bob, carol = new_reader(), new_reader(), new_reader()
    for reader, before, after in ((alice, "open", "closed"), (bob, "closed", "closed")):
        reader.stance("before", before)
        reader.stance("after", after)
        reader.vote_claim("safety-and-alignment", "agree")
    carol.stance("before", "open")
    carol.answer("coexistence")
    with app.app_context():
        debate = stored_debate()
        counts = vote_counts(
            db.session, debate.id, [c.key for c in debate.claims], debate.option_keys
        )
        result = analyse(debate, counts)
    assert result.headline.readers == 3
    assert result.headline.votes == 8
    assert result.persuasion.paired_readers == 2
    assert (result.persuasion.moved.count, result.persuasion.moved.n) == (1, 2)
    safety = next(
        row for row in result.claims_by_final_stance if row.claim_key == "safety-and-alignment"
    )
    assert (safety.agree["closed"].count, safety.agree["closed"].n) == (2, 2)
    assert safety.bridging == 0.0  # the open camp (carol) did not vote on it
    assert result.question.by_final_stance["open"]["coexistence"].count == 1
    assert result.votes_over_time.unit == "5 minutes"
    assert sum(count for _, count in result.votes_over_time.buckets) == 8
