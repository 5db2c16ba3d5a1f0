"""The database's grouped counts equal a full recount of the votes, on random vote sets,
and the analysis they feed names a winner only when there is one."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debate.core.analysis import VoteRecord, analyse, count_votes
from debate.core.debate import CLAIM, CLAIM_CHOICES, QUESTION, STANCE, STANCE_SIDES
from debate.core.tally import results_from_sums
from debate.store.db import db
from debate.store.debates import delete_all_votes
from debate.store.votes import cast_vote, counter_sums, vote_counts, vote_records
from helpers import CLAIM_KEYS, OPTION_KEYS, stored_debate

ITEMS = (
    [(CLAIM, key, CLAIM_CHOICES) for key in CLAIM_KEYS[:3]]
    + [(QUESTION, "closing", tuple(OPTION_KEYS))]
    + [(STANCE, phase, STANCE_SIDES) for phase in ("before", "after")]
    # Votes the debate no longer counts: on a claim and an option its content dropped.
    + [(CLAIM, "dropped-claim", CLAIM_CHOICES), (QUESTION, "closing", ("dropped-option",))]
)
votes = st.lists(
    st.tuples(st.integers(0, 14), st.sampled_from(ITEMS), st.integers(0, 3)),
    max_size=80,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cast=votes)
def test_grouped_counts_equal_a_recount_and_agree_with_the_public_swing(app, cast):
    with app.app_context():
        debate = stored_debate()
        delete_all_votes(db.session, debate.id)
        db.session.commit()
        for reader, (kind, key, choices), pick in cast:
            cast_vote(
                db.session,
                debate.id,
                kind,
                key,
                f"reader-{reader:02d}",
                choices[pick % len(choices)],
            )
        claims = [claim.key for claim in debate.claims]
        counted = vote_counts(db.session, debate.id, claims, debate.option_keys)
        recounted = count_votes(
            list(vote_records(db.session, debate.id)), claims, debate.option_keys
        )
        assert counted == recounted
        public = results_from_sums(debate, counter_sums(db.session, debate.id), 5)
        assert analyse(debate, counted, 5).persuasion.swing == public.swing


@given(
    st.dictionaries(
        st.tuples(st.sampled_from(STANCE_SIDES), st.sampled_from(STANCE_SIDES)), st.integers(0, 40)
    )
)
def test_a_winner_only_with_enough_paired_readers_and_an_interval_clear_of_zero(flows):
    records = []
    for number, ((before, after), count) in enumerate(flows.items()):
        for index in range(count):
            reader = f"{number}-{index}"
            records.append(VoteRecord(reader, STANCE, "before", before, *2 * [None]))
            records.append(VoteRecord(reader, STANCE, "after", after, *2 * [None]))
    swing = analyse_swing(records)
    if swing.winner is not None:
        gain = swing.sides[swing.winner]
        assert swing.paired >= swing.min_n and gain.low > 0
        assert all(
            gain.change > swing.sides[side].change
            for side in ("open", "closed")
            if side != swing.winner
        )
    else:
        best = max(("open", "closed"), key=lambda side: swing.sides[side].change)
        assert (
            swing.paired < swing.min_n
            or swing.sides[best].low <= 0
            or swing.sides["open"].change == swing.sides["closed"].change
        )


def analyse_swing(records):
    from helpers import make_debate

    debate = make_debate((("a", "open", "A"),), OPTION_KEYS)
    return analyse(debate, count_votes_without_times(records)).persuasion.swing


def count_votes_without_times(records):
    """count_votes reads the vote times; these hand-made records have none."""
    from datetime import datetime

    stamped = [
        record._replace(created_at=datetime(2026, 1, 1), updated_at=datetime(2026, 1, 1))
        for record in records
    ]
    return count_votes(stamped, ["a"], OPTION_KEYS)
