"""The dashboard's analysis is computed once for every process, off the request
once it exists, and never outlives a change to its debate (store/analyses.py)."""

import logging
import threading
import time

import pytest
from sqlalchemy import select

from debate.authors.dashboard import current_analysis, segment_rule
from debate.cache.store import debate_or_404
from debate.core.segments import SegmentRule
from debate.store import analyses
from debate.store.db import db
from debate.store.models import AnalysisRow
from helpers import (
    SLUG,
    add_author,
    age_the_figures,
    count_queries,
    csrf_of,
    finish_recomputations,
    make_app,
    sign_in,
)

DASHBOARD = f"/dashboard/debates/{SLUG}"
FRAGMENT = {"HX-Request": "true"}


def readers_shown(client) -> str:
    html = client.get(DASHBOARD, headers=FRAGMENT).get_data(as_text=True)
    return html.split('id="headline-readers">', 1)[1].split("<", 1)[0]


def grouped(queries: list[str]) -> list[str]:
    return [query for query in queries if "GROUP BY" in query]


def test_one_process_computes_the_figures_for_every_other(app, author_client, new_reader):
    new_reader().stance("before", "open")
    assert readers_shown(author_client) == "1"
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    other = other_process.test_client()
    assert sign_in(other).status_code == 303
    queries = count_queries(other_process)
    assert readers_shown(other) == "1"
    assert grouped(queries) == [], "the other process counted no votes of its own"


def test_old_figures_are_served_while_one_process_recomputes_them(app, author_client, new_reader):
    new_reader().stance("before", "open")
    assert readers_shown(author_client) == "1"
    new_reader().stance("before", "closed")
    age_the_figures(app, seconds=60)
    queries = count_queries(app)
    assert readers_shown(author_client) == "1", "served at once, from the last figures"
    finish_recomputations()
    # Counted once, in the background: the counters' sums (whether any vote is stale),
    # three grouped queries of the votes, and two for the segments.
    assert len(grouped(queries)) == 6, "counted once, in the background (six grouped queries)"
    assert readers_shown(author_client) == "2"


def poll(client, etag: str):
    return client.get(DASHBOARD, headers={**FRAGMENT, "If-None-Match": etag})


def test_a_poll_that_finds_the_figures_unchanged_reads_only_their_stamp(
    app, author_client, new_reader, monkeypatch
):
    new_reader().stance("before", "open")
    etag = author_client.get(DASHBOARD, headers=FRAGMENT).headers["ETag"]
    queries = count_queries(app)
    monkeypatch.setattr(analyses.pickle, "loads", None)  # reading the figures would fail
    assert poll(author_client, etag).status_code == 304
    read = [query for query in queries if "FROM analyses" in query]
    assert len(read) == 1 and "payload" not in read[0].split("FROM", 1)[0]


def test_while_a_process_recomputes_the_figures_no_poll_tries_to_take_its_lease(
    app, author_client, new_reader
):
    new_reader().stance("before", "open")
    etag = author_client.get(DASHBOARD, headers=FRAGMENT).headers["ETag"]
    age_the_figures(app, seconds=60)
    with app.app_context():  # as another process would, that is recomputing them
        assert analyses.take_refresh(db.session, debate_or_404(SLUG).id, seconds=60)
        db.session.commit()
    queries = count_queries(app)
    for _ in range(3):
        assert poll(author_client, etag).status_code == 304
        assert readers_shown(author_client) == "1"
    assert not [query for query in queries if query.lstrip().startswith("UPDATE")], (
        "on SQLite, every such try waits for the one writer"
    )


def test_one_recomputation_at_a_time_and_a_dead_one_frees_its_lease(app, author_client):
    assert readers_shown(author_client) == "0"
    with app.app_context():
        assert analyses.take_refresh(db.session, debate_or_404(SLUG).id, seconds=60)
        assert not analyses.take_refresh(db.session, debate_or_404(SLUG).id, seconds=60)
        assert not analyses.take_refresh(db.session, debate_or_404(SLUG).id, seconds=-1)
        row = db.session.get(AnalysisRow, debate_or_404(SLUG).id)
        row.refreshing_until = row.computed_at  # its process died long ago
        assert analyses.take_refresh(db.session, debate_or_404(SLUG).id, seconds=60)


def test_a_change_to_the_debate_voids_its_figures_at_once(app, author_client, new_reader):
    def voting_shown() -> str:
        html = author_client.get(DASHBOARD, headers=FRAGMENT).get_data(as_text=True)
        return html.split("<dt>Voting</dt>", 1)[1].split("</dd>", 1)[0].rsplit(">", 1)[1]

    new_reader().stance("before", "open")
    assert voting_shown() == "Open"
    token = csrf_of(author_client, DASHBOARD)
    closed = author_client.post(
        f"{DASHBOARD}/voting", data={"voting": "closed", "csrf_token": token}, headers=FRAGMENT
    )
    assert closed.status_code == 200
    assert voting_shown() == "Closed", "within the poll interval, yet computed anew"


def test_a_reset_deletes_the_figures_with_the_votes(app, author_client, new_reader):
    new_reader().stance("before", "open")
    assert readers_shown(author_client) == "1"
    token = csrf_of(author_client, f"{DASHBOARD}/reset")
    reset = author_client.post(f"{DASHBOARD}/reset", data={"confirm": SLUG, "csrf_token": token})
    assert reset.status_code == 303
    assert readers_shown(author_client) == "0"


def test_figures_stored_by_another_version_are_computed_anew(app, author_client, new_reader):
    new_reader().stance("before", "open")
    assert readers_shown(author_client) == "1"
    with app.app_context():
        db.session.execute(db.update(AnalysisRow).values(payload=b"not a pickle"))
        db.session.commit()
    started = time.monotonic()
    assert readers_shown(author_client) == "1"
    assert time.monotonic() - started < app.config["DASHBOARD_FIRST_WAIT_SECONDS"], (
        "computed at once, not after waiting for figures nobody is computing"
    )
    with app.app_context():
        assert db.session.scalar(select(AnalysisRow.payload)) != b"not a pickle"


def test_a_failed_recomputation_is_logged_and_the_last_figures_stay(
    app, author_client, new_reader, monkeypatch, caplog
):
    new_reader().stance("before", "open")
    assert readers_shown(author_client) == "1"
    new_reader().stance("before", "closed")
    age_the_figures(app, seconds=60)

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(analyses, "vote_counts", broken)
    with caplog.at_level(logging.ERROR, logger="debate.authors.dashboard"):
        assert readers_shown(author_client) == "1"
        finish_recomputations()
    assert "recomputing the analysis of open-vs-closed-ai failed" in caplog.text
    assert readers_shown(author_client) == "1", "no 500: the last figures, while the lease holds"


@pytest.mark.parametrize("votes", [0, 3])
def test_stored_figures_equal_a_fresh_computation(app, new_reader, votes):
    for index in range(votes):
        reader = new_reader()
        reader.stance("before", "open")
        reader.stance("after", "closed" if index % 2 else "open")
    add_author(app)
    with app.test_request_context():
        debate = debate_or_404(SLUG)
        stored = current_analysis(debate)
        assert analyses.latest(db.session, debate) == stored
        assert stored.analysis == analyses.compute(db.session, debate, SegmentRule()).analysis


def lease_the_first_computation(app) -> None:
    """As another process would: the first figures of the debate are being computed."""
    with app.app_context():
        assert analyses.take_first(db.session, debate_or_404(SLUG), seconds=60)
        db.session.commit()


def test_while_one_process_computes_the_first_figures_the_others_wait_for_them(app, new_reader):
    new_reader().stance("before", "open")
    lease_the_first_computation(app)
    add_author(app)

    def the_computing_process():
        time.sleep(0.5)
        with app.app_context():
            debate = debate_or_404(SLUG)
            stored = analyses.compute(db.session, debate, segment_rule_of(app))
            analyses.save(db.session, debate, stored)
            db.session.commit()

    computing = threading.Thread(target=the_computing_process)
    waiting_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    waiting = waiting_process.test_client()
    assert sign_in(waiting).status_code == 303
    queries = count_queries(waiting_process)
    computing.start()
    assert readers_shown(waiting) == "1"
    computing.join()
    assert grouped(queries) == [], "it waited for the other's figures and counted nothing"


def test_a_first_computation_whose_process_died_is_done_by_the_one_that_waited(app, new_reader):
    new_reader().stance("before", "open")
    lease_the_first_computation(app)  # and never saved
    add_author(app)
    waiting_process = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], DASHBOARD_FIRST_WAIT_SECONDS=0.5
    )
    waiting = waiting_process.test_client()
    assert sign_in(waiting).status_code == 303
    assert readers_shown(waiting) == "1"
    assert readers_shown(waiting) == "1", "stored: the second view reads them"


def segment_rule_of(app):
    with app.test_request_context():
        return segment_rule()
