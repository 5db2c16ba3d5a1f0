"""SQLite's write queue: writers of one file take turns, across threads and processes,
and a thread of each process, not a vote, checkpoints the file's log."""

import gc
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from datetime import datetime

from debate.store.db import Deadlines, SQLiteWriteQueue, sqlite_write_queue, write_turn
from helpers import CLAIM_KEYS, Reader, make_app, reset_database


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


def _votes_on_a_sqlite_file(tmp_path, votes: int, checkpoint_seconds: float):
    """An app on a SQLite file of its own, and `votes` votes by fresh readers (3 each)."""
    app = make_app(
        f"sqlite:///{tmp_path / 'votes.sqlite'}",
        SQLITE_CHECKPOINT_SECONDS=checkpoint_seconds,
        VOTE_LIMIT_PER_ADDRESS="100000 per minute",
    )
    reset_database(app)
    reader = None
    for n in range(votes):
        if n % 3 == 0:
            reader = Reader(app.test_client())
        assert reader.vote_claim(CLAIM_KEYS[n % 3], "agree").status_code == 303
    with app.app_context():
        queue = sqlite_write_queue()
    assert queue is not None
    return app, queue


def test_votes_leave_the_log_to_the_checkpointer(tmp_path):
    """SQLite checkpoints on the commit that takes its log past 1,000 pages, and that
    vote copied them back while every other vote waited for its turn (p99 4.4 ms
    against 1.5 ms for one writer alone). Votes now leave the log alone: a log
    past 1,000 pages is still there until the checkpointer (held off here) copies it."""
    app, queue = _votes_on_a_sqlite_file(tmp_path, 240, checkpoint_seconds=3600)
    log_pages = (tmp_path / "votes.sqlite-wal").stat().st_size // (4096 + 24)
    assert log_pages > 1500, "a vote checkpointed the log"
    busy, logged, copied = queue.checkpoint()
    assert busy == 0 and logged == copied > 1500


def test_the_checkpointer_runs_while_votes_arrive_then_rests(tmp_path):
    app, queue = _votes_on_a_sqlite_file(tmp_path, 6, checkpoint_seconds=0.01)
    deadline = time.monotonic() + 10
    while queue.checkpointing or queue.checkpoints == 0:
        assert time.monotonic() < deadline, "the checkpointer never stopped"
        time.sleep(0.01)
    taken = queue.checkpoints
    assert Reader(app.test_client()).vote_claim(CLAIM_KEYS[0], "agree").status_code == 303
    assert queue.checkpointing, "a vote wakes it"
    while queue.checkpoints == taken:
        assert time.monotonic() < deadline, "no checkpoint after the vote"
        time.sleep(0.01)


def test_a_forked_worker_starts_its_own_checkpointer(tmp_path):
    """gunicorn forks its workers from a master, and a child has none of its parent's
    threads: a checkpointer running in the parent is not one in the child."""
    queue = SQLiteWriteQueue(str(tmp_path / "forked.sqlite"), checkpoint_seconds=3600)
    with queue.turn():
        pass
    assert queue.checkpointing
    child = os.fork()
    if child == 0:  # the child: its turn must start a checkpointer of its own
        with queue.turn():
            pass
        alive = [t for t in threading.enumerate() if t.name.startswith("checkpoints of")]
        os._exit(0 if queue.checkpointing and alive else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


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
