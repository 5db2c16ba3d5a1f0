"""A shared cache in front of the app, for responses that say they may be shared.

What a CDN does for the results panel, done in each process: a response
marked `Cache-Control: public, s-maxage=N`, without cookies, is kept for N
seconds and served, or revalidated with a 304, without entering Flask. Only
paths the app names are considered, and variants follow the response's Vary.
"""

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

_S_MAXAGE = re.compile(r"s-maxage=(\d+)")


def whole_response(app, environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call a WSGI app and collect its answer: status, headers and the whole body."""
    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    result = app(environ, capture)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured.get("status", ""), captured.get("headers", []), body


@dataclass(frozen=True)
class _Passed:
    """A response the cache may not keep, handed on as the app gave it."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    expires: float


class EdgeCache:
    def __init__(self, app, paths: re.Pattern, max_entries: int = 512):
        self.app, self.paths, self.max_entries = app, paths, max_entries
        self.vary: dict[str, tuple[str, ...]] = {}
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not self.paths.match(path):
            return self.app(environ, start_response)
        entry = self._lookup(environ) or self._fill(environ)
        if isinstance(entry, _Passed):
            start_response(entry.status, entry.headers)
            return [entry.body]
        if entry.etag and entry.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            # No Content-Length on a 304: some clients would wait for that many bytes.
            headers = [(k, v) for k, v in entry.headers if k.lower() != "content-length"]
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response(entry.status, entry.headers)
        return [entry.body]

    def _key(self, environ, vary: tuple[str, ...]) -> tuple:
        request_headers = tuple(environ.get("HTTP_" + name.upper().replace("-", "_"), "")
                                for name in vary)
        return environ.get("PATH_INFO"), environ.get("QUERY_STRING", ""), request_headers

    def _lookup(self, environ) -> _Entry | None:
        vary = self.vary.get(environ.get("PATH_INFO"))
        if vary is None:
            return None
        entry = self.entries.get(self._key(environ, vary))
        return entry if entry is not None and entry.expires > time.monotonic() else None

    def _fill(self, environ) -> "_Entry | _Passed":
        """Ask the app for the whole response, whatever copy the client holds (a
        304 could not be stored, and every later revalidation would miss too)."""
        whole = {k: v for k, v in environ.items() if k != "HTTP_IF_NONE_MATCH"}
        status, headers, body = whole_response(self.app, whole)
        return self._store(environ, status, headers, body) or _Passed(status, headers, body)

    def _store(self, environ, status: str, headers: list, body: bytes) -> "_Entry | None":
        named = {k.lower(): v for k, v in headers}
        cache_control = named.get("cache-control", "")
        seconds = _S_MAXAGE.search(cache_control)
        vary = tuple(v.strip() for v in named.get("vary", "").split(",") if v.strip())
        if (not status.startswith("200") or "public" not in cache_control or not seconds
                or "set-cookie" in named or "cookie" in (v.lower() for v in vary)):
            return None
        entry = _Entry(status, headers, body, named.get("etag"),
                       time.monotonic() + int(seconds.group(1)))
        with self.lock:
            self.vary[environ.get("PATH_INFO")] = vary
            self.entries[self._key(environ, vary)] = entry
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        return entry
