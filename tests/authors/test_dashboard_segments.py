"""The dashboard's segments on a seeded vote set: a burst from one site and one
network is flagged, a normal spread is not; the store's counts equal a recount."""

import re
from collections import Counter
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import event

from debate.core.debate import QUESTION, QUESTION_KEY, STANCE
from debate.core.segments import BY_HOUR, BY_NETWORK, BY_SITE
from debate.store.db import db
from debate.store.models import Vote
from debate.store.votes import Provenance, cast_vote, segment_counts
from helpers import CLAIM_KEYS, OPTION_KEYS, POSTGRES_URL, SLUG, stored_debate

DASHBOARD = f"/dashboard/debates/{SLUG}"
START = datetime(2026, 11, 29, 0)
SITES = ("http://localhost", "https://blog.example.org", "")
BURST_SITE, BURST_NETWORK = "https://burst.example", "feedfacefeedface"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def seed(app) -> None:
    """60 readers over twelve hours from three sites and six networks, answers
    spread evenly; then 40 readers in one hour from one site and one network, all
    answering the same."""
    with app.app_context():
        debate = stored_debate()
        votes = []
        for i in range(60):
            origin = Provenance(SITES[i % 3], f"{i % 6:016x}")
            votes.append((f"{i:032x}", OPTION_KEYS[i % 4], origin, START + timedelta(hours=i % 12)))
        for i in range(40):
            origin = Provenance(BURST_SITE, BURST_NETWORK)
            votes.append((f"{100 + i:032x}", "not-sure", origin, START + timedelta(hours=12)))
        for reader_id, option, origin, hour in votes:
            cast_vote(db.session, debate.id, STANCE, "before", reader_id, "open", provenance=origin)
            cast_vote(
                db.session, debate.id, QUESTION, QUESTION_KEY, reader_id, option, provenance=origin
            )
            db.session.execute(
                db.update(Vote).filter_by(reader_id=reader_id).values(cast_hour=hour)
            )
        db.session.commit()


def test_the_store_counts_segments_as_a_recount_does(app):
    seed(app)
    with app.app_context():
        debate = stored_debate()
        found = segment_counts(db.session, debate.id, CLAIM_KEYS, OPTION_KEYS)
        rows = db.session.execute(
            db.select(Vote.kind, Vote.choice, Vote.site, Vote.network, Vote.cast_hour)
        ).all()
    votes: Counter = Counter()
    answers: Counter = Counter()
    for kind, choice, site, network, hour in rows:
        for segment, value in (
            (BY_SITE, site),
            (BY_NETWORK, network),
            (BY_HOUR, hour.isoformat(timespec="minutes")),
        ):
            votes[segment, value, hour] += 1
            if kind == QUESTION:
                answers[segment, value, choice] += 1
    assert found.votes == dict(votes) and found.answers == dict(answers)
    with app.app_context():
        busiest = segment_counts(
            db.session, stored_debate().id, CLAIM_KEYS, OPTION_KEYS, networks=2
        )
    assert {value for kind, value, _hour in busiest.votes if kind == BY_NETWORK} == {
        BURST_NETWORK,
        f"{0:016x}",
    }


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's plans; PostgreSQL aggregates by hash")
def test_sqlite_counts_segments_from_their_indexes_without_a_sort(app):
    """What keeps the segments cheap at a million votes: each of their queries reads
    an index that holds its columns, in the order it groups by."""
    seed(app)
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _executemany):
        if "FROM votes" in statement:  # not the counters' sums (has_stale_votes)
            statements.append((statement, parameters))

    with app.app_context():
        debate_id = stored_debate().id
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            segment_counts(db.session, debate_id, CLAIM_KEYS, OPTION_KEYS)
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        run = db.session.connection().exec_driver_sql
        plans = [
            " | ".join(row[-1] for row in run(f"EXPLAIN QUERY PLAN {statement}", parameters))
            for statement, parameters in statements
        ]
    assert len(plans) == 2
    assert "COVERING INDEX ix_votes_by_site" in plans[0]
    assert "COVERING INDEX ix_votes_by_network" in plans[1]
    # The busiest networks are ordered by their counts: a few thousand groups, not the votes.
    assert all("GROUP BY" not in plan for plan in plans), plans


def test_the_dashboard_flags_the_burst_and_not_the_spread(app, author_client):
    seed(app)
    html = author_client.get(DASHBOARD).get_data(as_text=True)
    text = text_of(html)
    flagged_rows = [text_of(row) for row in re.findall(r'<tr class="flagged">.*?</tr>', html, re.S)]
    assert len(flagged_rows) == 3  # the site, the network and the hour of the burst
    assert (
        BURST_SITE in flagged_rows[0]
        and "One-sided" in flagged_rows[0]
        and "Fast" in flagged_rows[0]
    )
    assert f"Network {BURST_NETWORK}" in flagged_rows[1]
    assert "29 Nov 2026, 12:00 UTC" in flagged_rows[2]
    assert "3 segments flagged." in text
    assert "The debate page (http://localhost)" in text and "Unknown site" in text
    # Each row has its form: setting the burst's site aside takes its votes off every figure.
    assert 'name="value" value="https://burst.example"' in html
    assert (
        'name="starts" value="2026-11-29T12:00"' in html
        and 'name="ends" value="2026-11-29T13:00"' in html
    )


def test_the_hours_table_lists_the_busiest_hours_and_counts_the_rest(app, author_client):
    """Thirteen hours of votes (two a reader) with four listed: the burst's flagged
    hour among them, the other nine in one line."""
    seed(app)
    app.config["SEGMENT_HOURS_SHOWN"] = 4
    html = author_client.get(DASHBOARD).get_data(as_text=True)
    hours = html.split('id="segments-hours"', 1)[1].split("</table>", 1)[0]
    assert hours.count('<th scope="row">') == 4
    assert "29 Nov 2026, 12:00 UTC" in text_of(hours)
    after = text_of(html.split('id="segments-hours"', 1)[1].split("</section>", 1)[0])
    assert "9 other hours, none flagged, with at most 10 votes each." in after


def test_a_segment_with_nothing_elsewhere_shows_no_difference(app, author_client):
    """Every answer came from one site and one network: 100% there against nobody
    elsewhere is no difference, and the row says so with a dash, not +100 pts."""
    with app.app_context():
        debate = stored_debate()
        for i in range(3):
            origin = Provenance("https://blog.example.org", "0" * 16)
            cast_vote(
                db.session,
                debate.id,
                QUESTION,
                QUESTION_KEY,
                f"{i:032x}",
                "not-sure",
                provenance=origin,
            )
        db.session.commit()
    html = author_client.get(DASHBOARD).get_data(as_text=True)
    sites = text_of(html.split('id="segments-sites"', 1)[1].split("</table>", 1)[0])
    assert "no readers yet" in sites
    assert "pts" not in sites and "– none: a group has no readers" in sites
