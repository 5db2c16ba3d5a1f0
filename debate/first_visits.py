"""First visits to the debate page, answered without entering Flask.

A reader who sends no cookie at all has voted on nothing here and has no
session: the page's view would answer with its shell and a new vote token in
it (shells.py). So this layer asks the view once per RESULTS_CACHE_SECONDS,
per scheme, host and path, for the shell itself (the token's mark in place),
keeps that answer with its headers, and answers each first visit with it and
a new token. It is what a CDN with an edge function that adds the token would
do, in each process. Anything else (a cookie, a query string, another path,
an answer that is not a 200 holding the mark) goes to Flask as usual.
"""

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from .edge_cache import whole_response
from .readers import new_reader_token
from .shells import SHELL_ONLY, TOKEN_MARK

_MARK = TOKEN_MARK.encode()


@dataclass(frozen=True)
class _Shell:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    expires: float


class FirstVisits:
    def __init__(self, wsgi_app, secret_key: str, seconds: int, paths: re.Pattern,
                 max_entries: int = 64):
        self.wsgi_app, self.secret_key, self.seconds, self.paths = (
            wsgi_app, secret_key, seconds, paths)
        self.shells: OrderedDict[tuple, _Shell] = OrderedDict()
        self.lock = threading.Lock()
        self.max_entries = max_entries

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ
                or environ.get("QUERY_STRING") or not self.paths.match(
                    environ.get("PATH_INFO", ""))):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
               environ.get("PATH_INFO"), environ.get("HTTP_HX_REQUEST"),
               environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"))
        shell = self.shells.get(key)
        if shell is None or shell.expires <= time.monotonic():
            shell = self._fill(environ, key)
        body = shell.body.replace(_MARK, new_reader_token(self.secret_key).encode())
        headers = [(k, v) for k, v in shell.headers if k.lower() != "content-length"]
        start_response(shell.status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _fill(self, environ, key: tuple) -> _Shell:
        """Ask the view for the shell, and keep it if it is one (a 200 holding the
        mark, setting no cookie); any other answer is passed on, not kept."""
        status, headers, body = whole_response(self.wsgi_app, {**environ, SHELL_ONLY: True})
        shell = _Shell(status, headers, body, time.monotonic() + self.seconds)
        if not status.startswith("200") or _MARK not in body or any(
                k.lower() == "set-cookie" for k, _ in headers):
            return shell
        with self.lock:
            self.shells[key] = shell
            self.shells.move_to_end(key)
            while len(self.shells) > self.max_entries:
                self.shells.popitem(last=False)
        return shell
