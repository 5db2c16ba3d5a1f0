"""Per-process caches (shells, snapshots) and the SQLite write queue."""

import subprocess
import sys
import threading

import pytest
from flask import Flask

from conftest import Reader
from debate.caching import ProcessCache
from debate.db import SQLiteWriteQueue, db, write_turn
from debate.models import Debate


@pytest.fixture
def cache_app():
    app = Flask(__name__)
    app.config["RESULTS_CACHE_SECONDS"] = 60
    return app


def test_a_value_is_built_once_while_fresh(cache_app):
    builds = []
    cache = ProcessCache()
    with cache_app.app_context():
        for _ in range(3):
            assert cache.get(("k",), lambda: builds.append(1) or len(builds)) == 1
    assert builds == [1]


def test_without_a_lifetime_every_get_builds(cache_app):
    cache_app.config["RESULTS_CACHE_SECONDS"] = 0
    cache, builds = ProcessCache(), []
    with cache_app.app_context():
        for _ in range(3):
            cache.get(("k",), lambda: builds.append(1))
    assert len(builds) == 3


def test_the_oldest_entries_go_beyond_the_limit(cache_app):
    cache = ProcessCache(max_entries=2)
    with cache_app.app_context():
        for key in ("a", "b", "c"):
            cache.get((key,), lambda key=key: key)
    assert list(cache.entries) == [("b",), ("c",)]


def test_a_failed_build_keeps_nothing(cache_app):
    cache = ProcessCache()
    with cache_app.app_context(), pytest.raises(LookupError):
        cache.get(("k",), lambda: (_ for _ in ()).throw(LookupError()))
    assert not cache.entries


@pytest.fixture
def snapshot_app(app_caching_for):
    return app_caching_for(60)


def test_closing_a_debate_stops_votes_at_once_despite_the_snapshot(snapshot_app):
    reader = Reader(snapshot_app.test_client())
    assert reader.vote_claim("customization", "agree").status_code == 303
    with snapshot_app.app_context():
        db.session.execute(db.update(Debate).values(voting_open=False))
        db.session.commit()
    assert reader.vote_claim("customization", "disagree").status_code == 403


def test_writers_of_one_sqlite_file_take_turns(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert write_turn().__class__.__name__ == "nullcontext"
            return
        inside, overlaps = [], []

        def writer():
            with app.app_context(), write_turn():
                inside.append(1)
                overlaps.append(len(inside))
                threading.Event().wait(0.01)
                inside.pop()

        threads = [threading.Thread(target=writer) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert overlaps == [1] * 8


TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a+b") as f:
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def test_another_process_waits_for_the_turn(tmp_path):
    """The queue of a SQLite file, whichever database this run's app is on."""
    queue = SQLiteWriteQueue(str(tmp_path / "debate.sqlite"))
    with queue.turn():
        held = subprocess.run([sys.executable, "-c", TRY_LOCK, queue.path])
    free = subprocess.run([sys.executable, "-c", TRY_LOCK, queue.path])
    assert (held.returncode, free.returncode) == (3, 0)
