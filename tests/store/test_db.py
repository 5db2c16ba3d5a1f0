"""SQLite's write queue: writers of one file take turns, across threads and processes."""

import gc
import socket
import subprocess
import sys
import threading
import time
import warnings
from datetime import datetime

from debate.store.db import Deadlines, SQLiteWriteQueue, write_turn
from helpers import make_app


def test_writers_of_one_sqlite_file_take_turns(tmp_path):
    """On its own SQLite file whatever this run's database is: the queue is SQLite's."""
    app = make_app(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    with app.app_context():
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


def test_a_statement_past_its_deadline_has_its_connection_shut_and_nothing_left_open():
    """The watchdog shuts the socket of a statement that outlived its deadline, through a
    duplicate of its descriptor that it closes (left to the garbage collector, it was an
    unclosed socket, and under load a warning that failed whatever test was running)."""
    ours, peer = socket.socketpair()
    watchdog = Deadlines()
    with ours, peer, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        watchdog.arm(ours.fileno(), 0.01)
        peer.settimeout(5)
        assert peer.recv(1) == b"", "the connection was shut"
        time.sleep(0.1)  # the watchdog is done with it
        gc.collect()
        assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_driver_s_cursor_speaks_as_sqlalchemy_does(app):
    """A vote's statements run on the driver's cursor (store/db.py `driver_cursor`):
    compiled for the dialect with SQLAlchemy's conversions, seen by the engine's
    cursor events, and failing with SQLAlchemy's errors, which callers catch."""
    import pytest
    from sqlalchemy import bindparam, event, select
    from sqlalchemy.exc import IntegrityError

    from debate.store.db import db, driver_cursor, driver_statement
    from debate.store.models import DebateRow, Tally, Vote

    seen = []
    with app.app_context():
        dialect = db.engine.dialect.name
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
        since = select(Vote.id).where(Vote.created_at >= bindparam("since"))
        at = datetime(2026, 11, 30, 9, 5)
        # A datetime goes in as SQLAlchemy stores it: text on SQLite, as it is on PostgreSQL.
        stored = "2026-11-30 09:05:00.000000" if dialect == "sqlite" else at
        assert driver_statement(since, dialect, ("since",)).parameters({"since": at}) == {
            "since": stored
        }
        with driver_cursor(db.session) as cursor:
            slug = cursor.first(select(DebateRow.slug), {})
            assert slug is not None and slug[0] == "open-vs-closed-ai"
            assert cursor.all(since, {"since": at}) == []
        assert len(seen) == 2 and "debates" in seen[0]
        counter = {"debate_id": 1, "kind": "claim", "item_key": "k", "choice": "agree"}
        counter |= {"shard": 0, "count": 1}
        with pytest.raises(IntegrityError), driver_cursor(db.session) as cursor:
            cursor.first(Tally.__table__.insert(), counter)
            cursor.first(Tally.__table__.insert(), counter)
        db.session.rollback()
