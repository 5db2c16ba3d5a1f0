"""The database: the SQLAlchemy extension (unbound until create_app calls
init_app), the session's end, retries, and SQLite's write queue and checkpoints."""

import fcntl
import heapq
import itertools
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeAlias, cast
from urllib.parse import quote

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ClauseElement, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.pool import Pool
from sqlalchemy.sql.compiler import SQLCompiler

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay loaded after a commit: a vote's answer renders the debate it just
# wrote to without loading it again.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
log = logging.getLogger(__name__)

# What the store's functions take: a plain session, or db.session (scoped to the request).
DbSession: TypeAlias = Session | scoped_session[Any]


def utcnow() -> datetime:
    """Now, in UTC, as the naive datetime every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def this_hour() -> datetime:
    """The current UTC hour, as a vote's provenance stores it."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def end_session_even_if_connection_died(_error=None) -> None:
    """teardown_appcontext: end the request's session; when its connection died
    (the database restarted), the rollback fails: drop the connection instead
    of turning a finished request into an error."""
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("dropping a session whose connection died: %s", error.orig)
        with suppress(SQLAlchemyError):
            db.session().invalidate()
        db.session.registry.clear()


def retry_on_lost_connection(work, attempts: int = 3):
    """Run a transaction again when its connection died under it (a database
    restart): the pool replaces the connection and the work is redone whole."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            if attempt == attempts or not error.connection_invalidated:
                raise


# SQLite's own checkpoint, which the write queue's checkpointer leaves standing by
# for when it cannot keep up: at this many pages of log (80 MB) instead of 1,000.
WAL_SAFETY_PAGES = 20_000


class SQLiteWriteQueue:
    """Votes on one SQLite file take turns here rather than in SQLite, and the
    file's write-ahead log is copied back into it (checkpointed) outside the turns.

    SQLite lets one writer in at a time; the others poll with sleeps that grow
    to 100 ms, so under many concurrent votes most of the time goes to
    sleeping while the lock is free. Here a vote waits on a thread lock within
    its process and on an flock() shared by every process, and the kernel wakes
    it the moment the lock is released. Other writers (an author's reset, a
    content reload) are rare and still wait in SQLite's busy handler.

    SQLite checkpoints on the commit that takes the log past 1,000 pages (a vote
    writes about a dozen), and that vote copies and syncs them while it holds the
    turn, so every vote in the queue waits behind it (one writer alone: p99 4.4 ms
    against 1.5 ms without). Here a thread of each process checkpoints every
    `checkpoint_seconds`, passively (it waits on no reader and no writer), and
    SQLite's own checkpoint stands by at WAL_SAFETY_PAGES.
    """

    def __init__(self, database_path: str, checkpoint_seconds: float = 0.5):
        self.database_path = database_path
        self.path = database_path + ".write-lock"
        self.threads = threading.Lock()
        self.checkpoint_seconds = checkpoint_seconds
        self.checkpoints = 0  # taken by this process's checkpointer
        self._state = threading.Lock()  # guards the two below
        self._turns = 0
        self._checkpointer: threading.Thread | None = None
        os.register_at_fork(after_in_child=self._forget_checkpointer)

    @contextmanager
    def turn(self):
        self._wake_checkpointer()
        with self.threads:
            try:
                lock_file = open(self.path, "a+b")  # noqa: SIM115 - closed below
            except OSError as error:  # a read-only folder: SQLite's own lock still holds
                log.warning("no write queue at %s: %s", self.path, error)
                yield
                return
            with lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
                yield

    def checkpoint(self) -> tuple[int, int, int] | None:
        """Copy what the log holds back into the file, as far as readers allow:
        SQLite's (busy, pages in the log, pages copied); None when the file is gone."""
        try:
            connection = sqlite3.connect(f"file:{quote(self.database_path)}?mode=rw", uri=True)
        except sqlite3.OperationalError:
            return None
        try:
            busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            connection.close()
        self.checkpoints += 1
        return busy, logged, copied

    @property
    def checkpointing(self) -> bool:
        """Whether this process's checkpointer is running."""
        with self._state:
            return self._checkpointer is not None

    def _wake_checkpointer(self) -> None:
        """Count a turn, and start this process's checkpointer if it is not running
        (it stops once no one writes)."""
        with self._state:
            self._turns += 1
            if self._checkpointer is None:
                self._checkpointer = threading.Thread(
                    target=self._checkpoint_while_written,
                    name=f"checkpoints of {os.path.basename(self.database_path)}",
                    daemon=True,
                )
                self._checkpointer.start()

    def _checkpoint_while_written(self) -> None:
        """Checkpoint every `checkpoint_seconds` until a round finds that nothing was
        written since the last (the next turn starts a checkpointer again)."""
        seen = -1
        try:
            while True:
                time.sleep(self.checkpoint_seconds)
                with self._state:
                    if self._turns == seen:
                        self._checkpointer = None
                        return
                    seen = self._turns
                try:
                    if self.checkpoint() is None:  # the file is gone
                        return
                except sqlite3.Error as error:  # another's checkpoint under way: next round
                    log.debug("no checkpoint of %s this time: %s", self.database_path, error)
        finally:
            with self._state:
                if self._checkpointer is threading.current_thread():
                    self._checkpointer = None

    def _forget_checkpointer(self) -> None:
        """In a forked child (a gunicorn worker), which has none of its parent's
        threads: the next turn starts the child's own checkpointer."""
        self._state = threading.Lock()
        self._checkpointer = None


_write_queues: dict[str, SQLiteWriteQueue] = {}


def sqlite_write_queue() -> SQLiteWriteQueue | None:
    """The write queue of the app's SQLite file; None on PostgreSQL (or in memory)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database not in _write_queues:
        seconds = current_app.config["SQLITE_CHECKPOINT_SECONDS"]
        _write_queues.setdefault(url.database, SQLiteWriteQueue(url.database, seconds))
    return _write_queues[url.database]


def write_turn():
    """A context for one write transaction: a turn in the queue on SQLite, nothing
    on PostgreSQL (its row locks let writers of different rows go together)."""
    queue = sqlite_write_queue()
    return nullcontext() if queue is None else queue.turn()


class Deadlines:
    """A PostgreSQL that stops answering (a paused server: the kernel still takes its
    packets, so no socket timeout fires) must not hold a request's thread. Every
    statement gets a deadline; one thread shuts the socket of a statement that
    outlives it, and the driver fails at once (the app then answers 503)."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.heap: list[tuple[float, int, int]] = []
        self.live: set[int] = set()
        self.tokens = itertools.count()
        self.thread: threading.Thread | None = None

    def arm(self, fd: int, seconds: float) -> int:
        token = next(self.tokens)
        with self.condition:
            entry = (time.monotonic() + seconds, token, fd)
            heapq.heappush(self.heap, entry)
            self.live.add(token)
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._watch, daemon=True, name="statement-deadlines"
                )
                self.thread.start()
            # The watcher sleeps until the earliest deadline: it is woken only when
            # this one comes sooner (waking it for every statement cost each one a
            # thread switch).
            if self.heap[0] is entry:
                self.condition.notify()
        return token

    def disarm(self, token: int) -> None:
        with self.condition:
            self.live.discard(token)

    def _watch(self) -> None:
        with self.condition:
            while True:
                while self.heap and self.heap[0][1] not in self.live:
                    heapq.heappop(self.heap)
                if not self.heap:
                    self.condition.wait()
                    continue
                due, token, fd = self.heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self.condition.wait(wait)
                    continue
                heapq.heappop(self.heap)
                self.live.discard(token)
                log.error("a database statement outlived its deadline: dropping its connection")
                # A duplicate of the driver's descriptor, closed here: shutting it
                # down ends the connection for the driver too.
                with suppress(OSError), socket.socket(fileno=os.dup(fd)) as connection:
                    connection.shutdown(socket.SHUT_RDWR)


deadlines = Deadlines()
STATEMENT_SECONDS = 5.0
PING_SECONDS = 1.5


def _postgres_fd(dbapi_connection: Any) -> int | None:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    return None if pgconn is None else int(pgconn.socket)


@event.listens_for(Engine, "before_cursor_execute")
def _arm_deadline(conn, _cursor, _statement, _parameters, context, _executemany) -> None:
    fd = _postgres_fd(conn.connection.dbapi_connection)
    if fd is not None and not conn.info.get(UNHURRIED):
        conn.info["deadline"] = deadlines.arm(fd, STATEMENT_SECONDS)


UNHURRIED = "unhurried"


@contextmanager
def without_deadlines(connection: Connection) -> Iterator[None]:
    """For the command line's long statements (a migration that builds an index over
    a million votes): no statement deadline, and on PostgreSQL no statement_timeout,
    for the rest of `connection`'s transaction, which must have begun. Requests keep
    both: they are what must never wait long."""
    connection.info[UNHURRIED] = True
    try:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        yield
    finally:
        connection.info.pop(UNHURRIED, None)


@event.listens_for(Engine, "after_cursor_execute")
def _disarm_deadline(conn, *_args) -> None:
    token = conn.info.pop("deadline", None)
    if token is not None:
        deadlines.disarm(token)


@event.listens_for(Engine, "handle_error")
def _disarm_after_error(context) -> None:
    connection = context.connection
    token = connection.info.pop("deadline", None) if connection is not None else None
    if token is not None:
        deadlines.disarm(token)


@event.listens_for(Pool, "checkout")
def _ping(dbapi_connection, _record, _proxy) -> None:
    """Check a pooled PostgreSQL connection before a request uses it (a server may
    have restarted or stopped under it), within a deadline; a dead one is replaced."""
    fd = _postgres_fd(dbapi_connection)
    if fd is None:
        return
    token = deadlines.arm(fd, PING_SECONDS)
    try:
        # Its transaction is the one the request then works in (read committed).
        dbapi_connection.execute("SELECT 1")
    except Exception as error:
        raise DisconnectionError(str(error)) from error
    finally:
        deadlines.disarm(token)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers go on while one writer writes; a busy timeout makes
    writers queue for the lock instead of failing with "database is locked"."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_SAFETY_PAGES}")  # see SQLiteWriteQueue
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled once for a dialect, to run on the driver's own cursor,
    and the conversions SQLAlchemy would apply to its parameters (SQLite's
    datetimes as text)."""

    sql: str
    convert: tuple[tuple[str, Callable[[Any], Any]], ...]

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        converted = dict(values)
        for name, conversion in self.convert:
            converted[name] = conversion(converted[name])
        return converted


# Both drivers take a mapping of named parameters: psycopg's %(name)s, sqlite3's :name.
_DRIVER_DIALECTS: dict[str, Dialect] = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.psycopg.dialect(),
}


@cache
def driver_statement(
    statement: ClauseElement, dialect: str, keys: tuple[str, ...]
) -> DriverStatement:
    """`statement` for `dialect`'s driver, with the parameters `keys` (an INSERT's
    columns are those given: no column defaults are applied), compiled the first
    time it is asked for."""
    compiler = _DRIVER_DIALECTS[dialect]
    compiled = cast(SQLCompiler, statement.compile(dialect=compiler, column_keys=list(keys)))
    convert = []
    for name, bind in compiled.binds.items():
        conversion = bind.type.dialect_impl(compiler).bind_processor(compiler)
        if conversion is not None and name in keys:
            convert.append((name, conversion))
    return DriverStatement(str(compiled), tuple(convert))


class DriverCursor:
    """Statements run on the driver's own cursor in a session's transaction; see
    `driver_cursor`."""

    def __init__(self, session: "DbSession") -> None:
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        dbapi_connection = self.connection.connection.dbapi_connection
        assert dbapi_connection is not None  # a checked-out connection has one
        self.dbapi_connection = dbapi_connection
        self.cursor = dbapi_connection.cursor()

    def first(self, statement: ClauseElement, values: Mapping[str, Any]) -> Sequence[Any] | None:
        """Run `statement` with `values`; its first row, if it gives any."""
        self._execute(statement, values)
        return self.cursor.fetchone() if self.cursor.description else None

    def all(self, statement: ClauseElement, values: Mapping[str, Any]) -> list[Sequence[Any]]:
        self._execute(statement, values)
        return list(self.cursor.fetchall())

    def _execute(self, statement: ClauseElement, values: Mapping[str, Any]) -> None:
        compiled = driver_statement(statement, self.dialect.name, tuple(values))
        parameters = compiled.parameters(values)
        connection, dispatch, dbapi = (
            self.connection,
            self.connection.dispatch,
            self.dialect.loaded_dbapi,
        )
        dispatch.before_cursor_execute(
            connection, self.cursor, compiled.sql, parameters, None, False
        )
        failure = None
        try:
            self.cursor.execute(compiled.sql, parameters)
        except dbapi.Error as error:
            failure = error
        # After a failure too, and before the connection may be invalidated: the
        # listeners end what `before` started (the statement's deadline).
        dispatch.after_cursor_execute(
            connection, self.cursor, compiled.sql, parameters, None, False
        )
        if failure is None:
            return
        lost = self.dialect.is_disconnect(failure, self.dbapi_connection, self.cursor)
        if lost:
            connection.invalidate(failure)
        raise DBAPIError.instance(
            compiled.sql,
            parameters,
            failure,
            dbapi.Error,
            connection_invalidated=lost,
            dialect=self.dialect,
        ) from failure


@contextmanager
def driver_cursor(session: "DbSession") -> Iterator[DriverCursor]:
    """Run a few short statements on the session's connection through the driver's
    cursor.

    A vote is a handful of statements, each a few microseconds of SQLite's time,
    and SQLAlchemy's work around each (its compiled cache, parameter and result
    processing) costs ten times that. Here a statement is compiled once
    (`driver_statement`), the engine's cursor events still fire (the statement
    deadlines above; the tests' query counts), and the driver's errors come out as
    SQLAlchemy's, a lost connection invalidated as SQLAlchemy would: what callers
    catch (retries, the 503 of a database that is down) is the same.
    """
    cursor = DriverCursor(session)
    try:
        yield cursor
    finally:
        with suppress(Exception):  # a connection lost under it closed the cursor already
            cursor.cursor.close()
