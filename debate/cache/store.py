"""The one cache: values by key, kept for a while, dropped by tag on every write.

Two things are kept (docs/architecture.md has the table): a debate's read
model, and whole responses the response layer serves (responses.py). Each
is tagged with its debate's slug; every write that changes what they show
calls `invalidate(slug)` after its commit.

Values live in this process by default, bounded in entries and bytes. A
write on one host reaches every process of that host through a file in the
instance folder (`cache-epoch`: its change empties each process's store).
With CACHE_REDIS_URL every process and host shares one store in Redis.

A key is built by one caller at a time in a process; the others wait for it.
A build that fails, or whose value the caller will not keep, leaves nothing
behind, nor does a build that an invalidation overtook (it may hold what the
write changed).
"""

import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import redis
from flask import Flask, abort, current_app

from ..core.debate import Debate
from ..store.db import db
from ..store.debates import debate_slugs, load_debate

log = logging.getLogger(__name__)
Clock = Callable[[], float]
BUILD_WAIT_SECONDS = 5  # then a waiting request builds for itself
EVERY_DEBATE = ":debates"  # the tag of the list of slugs (no slug has a colon)
_MISSING = object()


@dataclass
class _Entry:
    expires: float
    size: int
    tag: str
    value: Any


class MemoryBackend:
    """This process's store: least recently used first out past its bounds."""

    undelivered: frozenset[str] = frozenset()  # an invalidation here is done at once

    def __init__(
        self, epoch_file: Path, max_entries: int, max_bytes: int, clock: Clock = time.monotonic
    ):
        self.epoch_file, self.max_entries, self.max_bytes = epoch_file, max_entries, max_bytes
        self.clock = clock
        self.entries: OrderedDict[str, _Entry] = OrderedDict()
        self.tags: dict[str, set[str]] = {}
        self.generations: dict[str, int] = {}
        self.bytes = 0
        self.lock = threading.Lock()
        self.epoch = self._read_epoch()

    def get(self, key: str) -> Any:
        self._follow_epoch()
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return _MISSING
            if entry.expires <= self.clock():
                self._drop(key)
                return _MISSING
            self.entries.move_to_end(key)
            return entry.value

    def generation(self, tag: str) -> tuple[int, int]:
        self._follow_epoch()
        return self.epoch, self.generations.get(tag, 0)

    def put(self, key: str, value: Any, tag: str, ttl: float, generation: tuple) -> None:
        size = len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        if size > self.max_bytes:
            return
        self._follow_epoch()
        with self.lock:
            if generation != (self.epoch, self.generations.get(tag, 0)):
                return  # a write came while this was built
            if key in self.entries:
                self._drop(key)
            self.entries[key] = _Entry(self.clock() + ttl, size, tag, value)
            self.tags.setdefault(tag, set()).add(key)
            self.bytes += size
            while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def invalidate(self, tag: str) -> None:
        self._follow_epoch()
        with self.lock:
            self.generations[tag] = self.generations.get(tag, 0) + 1
            for key in list(self.tags.get(tag, ())):
                self._drop(key)
            self.epoch = self._touch_epoch()

    def __len__(self) -> int:
        return len(self.entries)

    def _drop(self, key: str) -> None:
        entry = self.entries.pop(key)
        self.bytes -= entry.size
        keys = self.tags[entry.tag]
        keys.discard(key)
        if not keys:
            del self.tags[entry.tag]

    def _read_epoch(self) -> int:
        try:
            return self.epoch_file.stat().st_mtime_ns
        except OSError:
            return 0

    def _touch_epoch(self) -> int:
        """Tell the other processes of this host: a later time than any before."""
        try:
            self.epoch_file.touch()
            now = max(time.time_ns(), self._read_epoch() + 1, self.epoch + 1)
            os.utime(self.epoch_file, ns=(now, now))
        except OSError as error:
            log.warning("cannot tell other processes of a cache invalidation: %s", error)
        return self._read_epoch()

    def _follow_epoch(self) -> None:
        """Another process wrote: what this one keeps may be out of date."""
        epoch = self._read_epoch()
        if epoch != self.epoch:
            with self.lock:
                self.entries.clear()
                self.tags.clear()
                self.bytes = 0
                self.epoch = epoch


class RedisBackend:
    """One store for every process and host. Redis evicts by its own policy
    (maxmemory); a key's tag set lists the keys an invalidation deletes.
    If Redis fails, a read is a miss and a write keeps nothing: pages are
    then built for each request, and the failure is logged once a minute. After a
    failure Redis is left alone for DOWN_SECONDS, so a Redis that hangs costs one
    request one timeout, not every request one each.

    An invalidation Redis did not take (an author closed voting while it hung) is
    not lost: a thread sends it again every `retry_seconds` until Redis takes it,
    and until then this process reads nothing from Redis, which may still hold
    what the write changed. Other processes may read that for as long as Redis
    answers them and not this one (a second or so after it comes back)."""

    DOWN_SECONDS = 5

    _PUT = """
    if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[3] then return 0 end
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    redis.call('SADD', KEYS[2], KEYS[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[4])
    return 1
    """
    _INVALIDATE = """
    redis.call('INCR', KEYS[2])
    local keys = redis.call('SMEMBERS', KEYS[1])
    for _, key in ipairs(keys) do redis.call('DEL', key) end
    redis.call('DEL', KEYS[1])
    return #keys
    """
    TAG_SET_SECONDS = 3600

    def __init__(self, url: str, prefix: str = "debate-cache:", retry_seconds: float = 1.0):
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self.prefix = prefix
        self.put_script = self.client.register_script(self._PUT)
        self.invalidate_script = self.client.register_script(self._INVALIDATE)
        self.last_complaint = 0.0
        self.down_until = 0.0
        self.retry_seconds = retry_seconds
        self.undelivered: set[str] = set()  # tags whose invalidation Redis has not taken
        self._state = threading.Lock()  # guards the two above and below
        self._retrier: threading.Thread | None = None

    def get(self, key: str) -> Any:
        if self._down():
            return _MISSING
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as error:
            self._complain(error)
            return _MISSING
        return _MISSING if raw is None else pickle.loads(cast(bytes, raw))

    def generation(self, tag: str) -> bytes:
        if self._down():
            return b"unknown"
        try:
            return cast(bytes, self.client.get(self._generation_key(tag))) or b"0"
        except redis.RedisError as error:
            self._complain(error)
            return b"unknown"  # never equal to what the put script reads: keep nothing

    def put(self, key: str, value: Any, tag: str, ttl: float, generation: bytes) -> None:
        if self._down():
            return
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        try:
            self.put_script(
                keys=[self.prefix + key, self._tag_key(tag), self._generation_key(tag)],
                args=[data, max(1, int(ttl * 1000)), generation, self.TAG_SET_SECONDS * 1000],
            )
        except redis.RedisError as error:
            self._complain(error)

    def invalidate(self, tag: str) -> None:
        with self._state:
            self.undelivered.add(tag)
        # A Redis that failed a moment ago is left to the retries: an author's
        # write does not wait on it again.
        if time.monotonic() >= self.down_until and self._deliver():
            return
        log.error("the cache could not drop what %s showed yet: it will try again", tag)
        self._retry_until_delivered()

    def _deliver(self) -> bool:
        """Send every undelivered invalidation; whether none is left."""
        with self._state:
            tags = list(self.undelivered)
        for tag in tags:
            try:
                self.invalidate_script(keys=[self._tag_key(tag), self._generation_key(tag)])
            except redis.RedisError as error:
                self._complain(error)
                return False
            with self._state:
                self.undelivered.discard(tag)
        return True

    def _retry_until_delivered(self) -> None:
        with self._state:
            if self._retrier is not None and self._retrier.is_alive():
                return  # (a forked child's copy of its parent's thread is not alive)
            self._retrier = threading.Thread(
                target=self._retry, name="cache invalidations", daemon=True
            )
            self._retrier.start()

    def _retry(self) -> None:
        while True:
            time.sleep(self.retry_seconds)
            if self._deliver():
                log.warning("the cache dropped what the writes during its outage changed")
                return

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    def _generation_key(self, tag: str) -> str:
        return f"{self.prefix}generation:{tag}"

    def _down(self) -> bool:
        """Leave Redis alone: it failed a moment ago, or it may hold what an
        undelivered invalidation would have dropped."""
        return bool(self.undelivered) or time.monotonic() < self.down_until

    def _complain(self, error: Exception) -> None:
        now = time.monotonic()
        self.down_until = now + self.DOWN_SECONDS
        if now - self.last_complaint >= 60:
            self.last_complaint = now
            log.error("the shared cache is unreachable, serving without it: %s", error)


class Store:
    """The cache's one interface: fetch a value (building it at most once at a
    time per key), and invalidate a tag."""

    def __init__(self, backend: MemoryBackend | RedisBackend):
        self.backend = backend
        self.flights: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def fetch(
        self,
        key: str,
        build: Callable[[], Any],
        *,
        tag: str,
        ttl: float,
        keep: Callable[[Any], bool] | None = None,
        keep_for: Callable[[Any], float] | None = None,
    ) -> Any:
        """The value kept for `key`, or `build()`'s, kept for `ttl` seconds (or for
        what `keep_for` says of the value) if `keep` accepts it (0 seconds: always
        built, never kept)."""
        if ttl <= 0:
            return build()
        value = self.backend.get(key)
        if value is not _MISSING:
            return value
        with self.lock:
            flight = self.flights.get(key)
            leading = flight is None
            if leading:
                flight = self.flights[key] = threading.Event()
        assert flight is not None  # the leader's, or the one being built
        if not leading:
            flight.wait(BUILD_WAIT_SECONDS)
            value = self.backend.get(key)
            return build() if value is _MISSING else value
        try:
            # Each backend's own token, handed back to it unread.
            generation: Any = self.backend.generation(tag)
            value = build()
            if keep is None or keep(value):
                self.backend.put(key, value, tag, keep_for(value) if keep_for else ttl, generation)
            return value
        finally:
            with self.lock:
                del self.flights[key]
            flight.set()

    def invalidate(self, tag: str) -> None:
        self.backend.invalidate(tag)

    def undelivered(self) -> set[str]:
        """The tags whose invalidation the shared store has not taken yet."""
        return set(self.backend.undelivered)


def init_store(app: Flask, clock: Clock = time.monotonic) -> Store:
    """The app's store: in Redis with CACHE_REDIS_URL, else in this process."""
    url = app.config.get("CACHE_REDIS_URL")
    if url:
        backend: MemoryBackend | RedisBackend = RedisBackend(url)
    else:
        backend = MemoryBackend(
            Path(app.instance_path) / "cache-epoch",
            app.config["CACHE_MAX_ENTRIES"],
            app.config["CACHE_MAX_BYTES"],
            clock,
        )
    store = app.extensions["debate_cache"] = Store(backend)
    return store


def store(app: Flask | None = None) -> Store:
    return (app or current_app).extensions["debate_cache"]


def invalidate(slug: str, *, created: bool = False) -> None:
    """Call after committing any write that changes what a debate's pages show
    (`created`: the write added the debate)."""
    store().invalidate(slug)
    if created:
        store().invalidate(EVERY_DEBATE)


def cached_debate(slug: str) -> Debate | None:
    """The read model of the stored debate at `slug`, kept until it changes.

    A slug no debate has is answered from the kept list of slugs: requests for
    made-up addresses, which scanners send by the thousand, never reach the database.
    """
    slugs = store().fetch(
        "slugs",
        lambda: debate_slugs(db.session),
        tag=EVERY_DEBATE,
        ttl=current_app.config["CACHE_DEBATE_SECONDS"],
    )
    if slug not in slugs:
        return None
    return store().fetch(
        f"debate:{slug}",
        lambda: load_debate(db.session, slug),
        tag=slug,
        ttl=current_app.config["CACHE_DEBATE_SECONDS"],
        keep=lambda found: found is not None,
    )


def debate_or_404(slug: str) -> Debate:
    debate = cached_debate(slug)
    if debate is None:
        abort(404, description="There is no debate at this address.")
    return debate
