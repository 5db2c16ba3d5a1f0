"""Live gunicorn under a crowd: exact counts with racing readers, several hosts on
one PostgreSQL, a worker killed mid-request, and a database outage."""

import os
import random
import signal
import threading
import time
from collections import Counter

import pytest
import requests
from itsdangerous import TimestampSigner
from sqlalchemy import create_engine, text

from helpers import POSTGRES_URL, make_app, reset_database
from live import (
    CHOICES,
    CLAIMS,
    CSRF_META,
    SLUG,
    CrowdReader,
    CrowdRecord,
    Gunicorn,
    PrivatePostgres,
    api_counts,
    crowd_votes,
)

pytestmark = pytest.mark.live
READERS = 200


def stored(database_uri: str) -> tuple[Counter, Counter, dict]:
    """A recount of the vote rows, the counters' sums, and each reader's stored choices."""
    engine = create_engine(database_uri)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reader_id, kind, item_key, choice FROM votes")).all()
        counters = connection.execute(
            text(
                "SELECT kind, item_key, choice, SUM(count) FROM tallies "
                "WHERE kind <> 'readers' GROUP BY kind, item_key, choice"
            )
        ).all()
    engine.dispose()
    recount = Counter((kind, key, choice) for _, kind, key, choice in rows)
    by_reader = {(reader, kind, key): choice for reader, kind, key, choice in rows}
    # A reader who answered the stance question before and after reading is one flow.
    for (reader, kind, key), before in by_reader.items():
        after = by_reader.get((reader, "stance", "after"))
        if (kind, key) == ("stance", "before") and after is not None:
            recount["flow", before, after] += 1
    return recount, +Counter({(k, i, c): int(n) for k, i, c, n in counters}), by_reader


def items_of(counts: Counter) -> Counter:
    """The counts of votes on items, without the flows between stances."""
    return Counter({key: n for key, n in counts.items() if key[0] != "flow"})


def reader_of(token: str) -> str:
    return TimestampSigner("live-test-secret", salt="debate-vote-token").unsign(token).decode()


def assert_acknowledged_votes_are_stored(record: CrowdRecord, by_reader: dict) -> int:
    """Every vote answered 200 is in the database (or a later, unanswered one is)."""
    checked = 0
    for item in record.history:
        if any(status == 200 for _, status, _ in record.history[item]):
            token, kind, key = item
            assert by_reader.get((reader_of(token), kind, key)) in record.possible_stored(item)
            checked += 1
    return checked


@pytest.fixture
def prepared_database(database_uri):
    reset_database(make_app(database_uri))
    return database_uri


def test_a_crowd_of_racing_readers_is_counted_exactly(prepared_database):
    with Gunicorn(prepared_database, workers=4) as server:
        record = crowd_votes([server.url], READERS)
        counts, readers = api_counts(server.url)
    recount, counters, _ = stored(prepared_database)
    print(f"\n{READERS} readers, {record.votes_sent} votes, {record.racing_pairs} racing pairs")
    assert record.statuses == {200: record.votes_sent}
    assert record.racing_pairs > 10
    assert counts == record.expected_counts() == items_of(recount)
    assert recount == counters
    assert readers == READERS


@pytest.mark.skipif(not POSTGRES_URL, reason="several hosts share one PostgreSQL")
def test_two_hosts_on_one_postgresql_count_exactly(prepared_database):
    with (
        Gunicorn(prepared_database, workers=2) as first,
        Gunicorn(prepared_database, workers=2) as second,
    ):
        record = crowd_votes([first.url, second.url], READERS, seed=11)
        counts_first, readers = api_counts(first.url)
        counts_second, _ = api_counts(second.url)
    recount, counters, _ = stored(prepared_database)
    assert record.statuses == {200: record.votes_sent}
    assert counts_first == counts_second == record.expected_counts() == items_of(recount)
    assert recount == counters
    assert readers == READERS


def test_a_killed_worker_loses_no_acknowledged_vote(prepared_database):
    with Gunicorn(prepared_database, workers=2) as server:
        result = {}
        crowd = threading.Thread(
            target=lambda: result.update(record=crowd_votes([server.url], 120, seed=3))
        )
        crowd.start()
        time.sleep(1.5)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        crowd.join()
        record = result["record"]
        counts, _ = api_counts(server.url)
    recount, counters, by_reader = stored(prepared_database)
    checked = assert_acknowledged_votes_are_stored(record, by_reader)
    print(f"\nkilled worker {victim}; answers: {dict(record.statuses)}; {checked} items checked")
    assert counts == items_of(recount)
    assert recount == counters
    assert set(record.statuses) <= {200, "connection error", 502, 503}


def vote_until(readers: list[CrowdReader], stop: threading.Event) -> None:
    def keep_voting(reader: CrowdReader):
        while not stop.is_set():
            kind = reader.rng.choice(["claim", "question", "stance"])
            key = {
                "claim": reader.rng.choice(CLAIMS),
                "question": "closing",
                "stance": reader.rng.choice(["before", "after"]),
            }[kind]
            reader.vote(kind, key, reader.rng.choice(CHOICES[kind]))
            time.sleep(0.02)

    threads = [threading.Thread(target=keep_voting, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    return threads


def test_a_database_outage_is_503_and_the_app_recovers(tmp_path):
    with PrivatePostgres() as postgres:
        reset_database(make_app(postgres.url))
        with Gunicorn(postgres.url, workers=2) as server:
            record = CrowdRecord()
            readers = [CrowdReader(server.url, record, random.Random(n)) for n in range(20)]
            stop = threading.Event()
            threads = vote_until(readers, stop)
            time.sleep(2)
            page_before = requests.get(f"{server.url}/debates/{SLUG}", timeout=30).text
            token = CSRF_META.search(page_before).group(1)
            postgres.stop()
            time.sleep(2)
            during = {
                "vote": requests.post(
                    f"{server.url}/debates/{SLUG}/stance",
                    data={"phase": "before", "side": "open", "csrf_token": token},
                    headers={"HX-Request": "true", "Sec-Fetch-Site": "same-origin"},
                    timeout=30,
                ),
                "page": requests.get(f"{server.url}/debates/{SLUG}", timeout=30),
                "api": requests.get(f"{server.url}/api/debates/{SLUG}/results", timeout=30),
            }
            outage_statuses = Counter(record.statuses)
            postgres.start()
            time.sleep(3)
            stop.set()
            for thread in threads:
                thread.join()
            after = requests.get(f"{server.url}/api/debates/{SLUG}/results", timeout=30)
            log = server.output()
        recount, counters, by_reader = stored(postgres.url)

    print(f"\nanswers: {dict(record.statuses)}")
    assert outage_statuses[503] > 0, "votes during the outage were refused with 503"
    assert record.statuses[200] > outage_statuses[200], "votes succeed again after restart"
    assert set(record.statuses) <= {200, 503}, log[-6000:]
    for name in ("page", "api"):
        assert during[name].status_code == 503, name
        assert int(during[name].headers["Retry-After"]) > 0
    page = during["page"].text
    assert "cannot reach its database" in page
    assert "Transparency and trust" in page and "who owns the future" in page
    assert page.count("<fieldset disabled>") == 10
    assert "Traceback" not in page
    assert during["vote"].status_code == 503, during["vote"].text
    assert after.status_code == 200
    assert assert_acknowledged_votes_are_stored(record, by_reader) > 0
    assert recount == counters
    assert "Traceback" not in log
