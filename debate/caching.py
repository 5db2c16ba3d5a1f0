"""Short caches for what every reader reads: the rendered results panel and
its ETag (shared by all processes with Redis), and per-process values such as
a reader page's shell.

A burst of readers costs one render a second per cache instead of one per
request, and a reader whose copy is current gets a 304 without the database
being asked. Results may be a second old; a reader's own vote shows at once
in the item they voted on.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from flask_caching import Cache

cache = Cache()


def etag_of(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=12).hexdigest()


def cached_render(key: str, render: Callable[[], str]) -> tuple[str, str]:
    """(etag, body) for `key`, rendered at most once per RESULTS_CACHE_SECONDS."""
    seconds = current_app.config["RESULTS_CACHE_SECONDS"]
    if seconds > 0:
        hit = cache.get(key)
        if hit is not None:
            return hit
    body = render()
    value = (etag_of(body), body)
    if seconds > 0:
        cache.set(key, value, timeout=seconds)
    return value


class ProcessCache:
    """Values kept in this process for RESULTS_CACHE_SECONDS (0: built every time).

    For what may be a second old and is costly to build: a reader page's shell,
    a debate's snapshot. One thread builds a key at a time; while it builds a
    stale value again, the others go on with the old one, if it expired less
    than a lifetime ago (so nothing served is more than two lifetimes old, even
    while the database is down). A key that fails to build keeps nothing. The
    oldest go first beyond `max_entries` (keys may come from a request, such as
    its Host header).
    """

    def __init__(self, max_entries: int = 64):
        self.entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self.builders: dict[tuple, threading.Lock] = {}
        self.lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple, build: Callable[[], object]):
        seconds = current_app.config["RESULTS_CACHE_SECONDS"]
        if seconds <= 0:
            return build()
        entry = self.entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        usable = entry is not None and entry[0] + seconds > now
        builder = self._builder(key)
        if not builder.acquire(blocking=not usable):
            return entry[1]
        try:
            entry = self.entries.get(key)
            if entry is None or entry[0] <= time.monotonic():
                entry = (time.monotonic() + seconds, build())
                self._keep(key, entry)
            return entry[1]
        finally:
            builder.release()

    def _builder(self, key: tuple) -> threading.Lock:
        with self.lock:
            return self.builders.setdefault(key, threading.Lock())

    def _keep(self, key: tuple, entry: tuple[float, object]) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                old, _ = self.entries.popitem(last=False)
                self.builders.pop(old, None)


def process_cache(name: str) -> ProcessCache:
    """The app's cache called `name`, in this process."""
    caches = current_app.extensions.setdefault("debate_process_caches", {})
    if name not in caches:
        caches.setdefault(name, ProcessCache())
    return caches[name]
