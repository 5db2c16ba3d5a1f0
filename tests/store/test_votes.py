"""Casting votes: one row per reader and item, counters that always equal a recount."""

import threading
from collections import Counter

from sqlalchemy import func, select, text

from debate.core.analysis import count_votes
from debate.core.debate import CLAIM, QUESTION, STANCE, Debate
from debate.core.tally import DebateResults, results_from_sums
from debate.store.db import db
from debate.store.models import Vote
from debate.store.votes import cast_vote, counter_sums, reader_choices, vote_counts, vote_records
from helpers import stored_debate


def _debate() -> Debate:
    return stored_debate()


def results_for(session, debate: Debate) -> DebateResults:
    return results_from_sums(debate, counter_sums(session, debate.id))


def recount(debate_id: int) -> Counter:
    rows = db.session.execute(
        select(Vote.kind, Vote.item_key, Vote.choice, func.count())
        .where(Vote.debate_id == debate_id)
        .group_by(Vote.kind, Vote.item_key, Vote.choice)
    )
    return Counter({(kind, key, choice): n for kind, key, choice, n in rows})


def counted(debate: Debate) -> Counter:
    results = results_for(db.session, debate)
    counts = Counter()
    for key, dist in results.claims.items():
        counts.update({(CLAIM, key, c): n for c, n in dist.counts.items() if n})
    counts.update({(QUESTION, "closing", c): n for c, n in results.question.counts.items() if n})
    for phase, dist in results.stance.items():
        counts.update({(STANCE, phase, c): n for c, n in dist.counts.items() if n})
    return counts


def cast_at_once(app, debate_id: int, reader: str, casts: list[tuple[str, str, str]]) -> None:
    """Cast every (kind, key, choice) of `casts` for `reader` from a thread of its
    own, all released at the same moment; no cast may fail."""
    barrier = threading.Barrier(len(casts))
    errors = []

    def vote(kind, key, choice):
        with app.app_context():
            try:
                barrier.wait()
                cast_vote(db.session, debate_id, kind, key, reader, choice)
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=cast) for cast in casts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_changing_a_vote_moves_it_between_choices(app):
    with app.app_context():
        debate = _debate()
        first = cast_vote(db.session, debate.id, CLAIM, "customization", "r1", "agree")
        same = cast_vote(db.session, debate.id, CLAIM, "customization", "r1", "agree")
        changed = cast_vote(db.session, debate.id, CLAIM, "customization", "r1", "disagree")
        cast_vote(db.session, debate.id, CLAIM, "customization", "r2", "disagree")
        assert (first.previous, same.changed, changed.previous) == (None, False, "agree")
        results = results_for(db.session, debate)
        assert results.claims["customization"].counts == {"agree": 0, "disagree": 2, "unsure": 0}
        assert results.readers == 2
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 2
        assert reader_choices(db.session, debate.id, "r1") == {(CLAIM, "customization"): "disagree"}


def test_counters_equal_a_recount_after_many_changes(app):
    with app.app_context():
        debate = _debate()
        claims = [c.key for c in debate.claims]
        for n in range(60):
            reader = f"reader-{n % 9}"
            cast_vote(
                db.session,
                debate.id,
                CLAIM,
                claims[n % len(claims)],
                reader,
                ("agree", "disagree", "unsure")[n % 3],
            )
            cast_vote(
                db.session,
                debate.id,
                STANCE,
                ("before", "after")[n % 2],
                reader,
                ("open", "closed", "undecided")[n % 3],
            )
            cast_vote(
                db.session,
                debate.id,
                QUESTION,
                "closing",
                reader,
                ("open-matches", "coexistence")[n % 2],
            )
        assert counted(debate) == recount(debate.id)
        assert results_for(db.session, debate).readers == 9


def test_racing_votes_of_one_reader_count_once(app):
    """Many threads vote for one reader at once: one row, and the counter agrees."""
    with app.app_context():
        debate_id = _debate().id
    choices = ["agree", "disagree", "unsure"] * 4
    cast_at_once(app, debate_id, "racer", [(CLAIM, "accountability", c) for c in choices])
    with app.app_context():
        debate = _debate()
        stored = db.session.execute(select(Vote.choice)).scalars().all()
        assert len(stored) == 1
        dist = results_for(db.session, debate).claims["accountability"]
        assert dist.total == 1
        assert dist.counts[stored[0]] == 1
        assert results_for(db.session, debate).readers == 1
        assert counted(debate) == recount(debate.id)


def test_a_reader_s_racing_stance_answers_reach_every_one_of_their_votes(app):
    """A reader's stances ride on each of their votes (for the analysis's counts): a
    stance answer racing the reader's first votes on claims still reaches them all."""
    with app.app_context():
        debate = _debate()
    claims = [claim.key for claim in debate.claims]
    for round_ in range(4):
        reader = f"racer-{round_}"
        casts = [(CLAIM, key, "agree") for key in claims]
        casts += [(STANCE, "before", "open"), (STANCE, "after", "closed")]
        casts += [(STANCE, "before", "undecided"), (QUESTION, "closing", debate.option_keys[0])]
        cast_at_once(app, debate.id, reader, casts)
    with app.app_context():
        counted_votes = vote_counts(db.session, debate.id, claims, debate.option_keys)
        recounted = count_votes(
            list(vote_records(db.session, debate.id)), claims, debate.option_keys
        )
        assert counted_votes == recounted
        carried = db.session.execute(
            select(Vote.reader_id, Vote.stance_before, Vote.stance_after).distinct()
        ).all()
        assert len(carried) == 4  # one pair of stances per reader, on every vote


def rewritten_votes(session, cast) -> int:
    """How many rows of votes `cast` rewrites, in the session's transaction: a
    temporary trigger notes them on SQLite; on PostgreSQL a row's xmin moves."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("CREATE TEMP TABLE IF NOT EXISTS rewritten (id INTEGER)"))
        session.execute(
            text(
                "CREATE TEMP TRIGGER IF NOT EXISTS note_rewrite AFTER UPDATE ON votes"
                " BEGIN INSERT INTO rewritten VALUES (new.id); END"
            )
        )
        session.execute(text("DELETE FROM rewritten"))
        cast()
        return session.scalar(text("SELECT count(DISTINCT id) FROM rewritten"))

    def versions() -> dict:
        return dict(session.execute(text("SELECT id, xmin::text FROM votes")).all())

    before = versions()
    cast()
    after = versions()
    return sum(before[key] != after[key] for key in before)


def test_the_same_stance_answered_again_rewrites_no_vote(app):
    """A stance answer is copied onto every vote of the reader's, but only onto
    those that do not carry it yet: the same answer again writes nothing there."""
    with app.app_context():
        debate = _debate()
        cast_vote(db.session, debate.id, STANCE, "before", "r", "open")
        for claim in debate.claims[:3]:
            cast_vote(db.session, debate.id, CLAIM, claim.key, "r", "agree")

        def answer(side):
            return lambda: cast_vote(
                db.session, debate.id, STANCE, "before", "r", side, commit=False
            )

        assert rewritten_votes(db.session, answer("open")) == 0
        db.session.rollback()
        assert rewritten_votes(db.session, answer("closed")) == 4, "a change reaches them all"
        db.session.rollback()
