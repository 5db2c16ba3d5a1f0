"""SQLite's write queue: writers of one file take turns, across threads and processes."""

import gc
import socket
import subprocess
import sys
import threading
import time
import warnings

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
