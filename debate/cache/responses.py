"""The response layer: whole responses served from the cache, before Flask.

A view marked `@cached(...)` is served from here while its response is kept,
what a CDN at the edge would do, in each process:

- a shared response (the results panel) to everyone, with a 304 for a
  client that holds its ETag;
- a reader page (`personal=True`: the debate page, an embed) to a first
  visit only (a request without cookies), with a vote token of its own put
  where the view wrote the token mark. A returning reader's page names their
  votes and is drawn by Flask.

Which view a request reaches comes from the app's URL map, so the routes are
written once. A response is kept under its variant key: exactly what it
varies on, and `Vary` names the same headers. Anything else (another method,
a query the view does not name, a Host the app does not trust, a response
that is not a 200 or sets a cookie) goes to Flask and is not kept.

Every response goes out encoded as its client accepts (`encode`, the app's one
compression hook, on Flask-Compress: brotli, else gzip), Flask's and the kept
ones alike. A kept response is the unencoded body: each client gets it encoded
after any token went in. A strong ETag gets the encoding added (`"abc:br"`), a
weak one stays the same for every encoding; If-None-Match still gets a 304, and
every response says `Vary: Accept-Encoding`. Tiny bodies and types that are
already compressed (PNG) go as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Flask, request
from flask import Response as FlaskResponse
from flask_compress import Compress
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Response

from .store import Store

# The request headers that decide between a page and a fragment.
VARY = ("HX-Request", "HX-Request-Type", "HX-History-Restore-Request")
# Set in the environ of the request that fills the cache: the view draws the
# response for nobody in particular (the token mark in place of a token).
FILL = "debate.cache.fill"
# What the filling request leaves out of the client's environ.
NOT_FILLED_WITH = ("HTTP_IF_NONE_MATCH", "HTTP_COOKIE", "HTTP_ACCEPT_ENCODING")


def wants_fragment(environ: dict | None = None) -> bool:
    """An htmx request that swaps a fragment in place (HX-Request-Type: partial).

    A history restore also carries HX-Request but wants the whole page
    (htmx 4 sends HX-Request-Type: full with it), so Back never shows a bare
    fragment.
    """
    environ = request.environ if environ is None else environ
    return (
        environ.get("HTTP_HX_REQUEST") == "true"
        and environ.get("HTTP_HX_REQUEST_TYPE") != "full"
        and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def vary_on_fragments(response: Response) -> Response:
    """after_request: an HTML answer may be a page or a fragment; say on what it depends."""
    if response.mimetype == "text/html":
        for header in VARY:
            response.vary.add(header)
    return response


@dataclass(frozen=True)
class CachePolicy:
    """How a view's responses are kept: for how long (a config name), whether
    they are a reader page, and which query arguments select a variant."""

    seconds: str = "CACHE_RESULTS_SECONDS"
    personal: bool = False
    query: tuple[str, ...] = ()


def cached(
    seconds: str = "CACHE_RESULTS_SECONDS", personal: bool = False, query: tuple[str, ...] = ()
):
    """Mark a view whose responses the response layer may keep and serve."""

    def mark(view):
        view.cache_policy = CachePolicy(seconds, personal, query)
        return view

    return mark


def variant_key(environ: dict, query: list[tuple[str, str]]) -> str:
    """Everything a kept response varies on: scheme, host, path, the query the
    view names, and page or fragment (the headers of VARY)."""
    fragment = "fragment" if wants_fragment(environ) else "page"
    return " ".join(
        (
            environ.get("wsgi.url_scheme", "http"),
            environ.get("HTTP_HOST", ""),
            environ.get("PATH_INFO", ""),
            repr(sorted(query)),
            fragment,
        )
    )


DEFAULT_PORTS = {"http": "80", "https": "443"}


def names_its_own_port(environ) -> bool:
    """Whether the Host header names no port, or the one the request came in on, or
    its scheme's own. The trusted-host check ignores ports, and a made-up one would
    make a new variant of every kept response for each of 65,535 ports: such a
    request is answered by Flask and not kept. (A proxy on a port of its own that
    passes the Host on is then never kept for: it should send the Host without it.)"""
    host = environ.get("HTTP_HOST", "")
    _, colon, port = host.rpartition(":")
    if not colon or host.endswith("]"):  # no port; or an IPv6 literal without one
        return True
    return port in (environ.get("SERVER_PORT"), DEFAULT_PORTS.get(environ.get("wsgi.url_scheme")))


@dataclass(frozen=True)
class KeptResponse:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def etag(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "etag"), None)


class ResponseCache:
    """WSGI middleware in front of the app (see the module's docstring)."""

    def __init__(self, app: Flask, store: Store, token_mark: str, fresh_token: Callable[[], str]):
        self.app, self.wsgi_app, self.store = app, app.wsgi_app, store
        self.mark, self.fresh_token = token_mark.encode(), fresh_token

    def __call__(self, environ, start_response):
        route = self._route(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if route is None:
            return self.wsgi_app(environ, start_response)
        policy, slug = route
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if (
            (policy.personal and "HTTP_COOKIE" in environ)
            or any(name not in policy.query for name, _ in query)
            or not host_is_trusted(environ.get("HTTP_HOST"), self.app.config["TRUSTED_HOSTS"])
            or not names_its_own_port(environ)
        ):
            return self.wsgi_app(environ, start_response)
        kept = self.store.fetch(
            variant_key(environ, query),
            lambda: self._fill(environ),
            tag=slug,
            ttl=self.app.config[policy.seconds],
            keep=lambda response: self._keepable(response, policy.personal),
        )
        body = kept.body
        if policy.personal:
            body = body.replace(self.mark, self.fresh_token().encode())
        return self._send(kept, body, environ, start_response)

    def _send(self, kept: KeptResponse, body: bytes, environ, start_response):
        """The kept identity body answered 304 if the client holds its ETag (a weak
        one is the same for every encoding), else encoded as the client accepts by
        the app's one compression hook (in a request context, which it reads).

        The two commonest answers skip the request context: the ETag the client
        sent back as it got it, and a client that accepts neither encoding."""
        headers = [(k, v) for k, v in kept.headers if k.lower() != "content-length"]
        if kept.etag and kept.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            # No Content-Length on a 304: some clients would wait for that many bytes.
            start_response("304 NOT MODIFIED", headers)
            return []
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "br" not in accepted and "gzip" not in accepted:
            start_response(kept.status, [*headers, ("Content-Length", str(len(body)))])
            return [body]
        response = self.app.response_class(body, kept.status, kept.headers)  # its Content-Length
        response.make_conditional(environ)
        if response.status_code == 200:
            with self.app.request_context(environ):
                response = encode(response)
        return response(environ, start_response)

    def _route(self, environ) -> tuple[CachePolicy, str] | None:
        """The policy of the view this request reaches, and its debate's slug."""
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None
        policy = getattr(self.app.view_functions.get(endpoint), "cache_policy", None)
        return None if policy is None or "slug" not in args else (policy, args["slug"])

    def _fill(self, environ) -> KeptResponse:
        """The app's whole response for nobody in particular (no cookie, no
        If-None-Match: a 304 could not be kept), unencoded: a reader page's token
        goes into the identity body, and each client gets the encoding it accepts."""
        environ = {k: v for k, v in environ.items() if k not in NOT_FILLED_WITH}
        environ[FILL] = True
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        result = self.wsgi_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return KeptResponse(captured["status"], captured["headers"], body)

    def _keepable(self, response: KeptResponse, personal: bool) -> bool:
        names = {k.lower() for k, _ in response.headers}
        if not response.status.startswith("200") or "set-cookie" in names:
            return False
        return self.mark in response.body if personal else True


compress = Compress()

DEFAULTS = {
    # Only what compresses well: HTML, CSS, JavaScript, JSON (the API, oEmbed), SVG.
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Brotli's quality 5: smaller than gzip's level 6 on our CSS and htmx, and no slower.
    "COMPRESS_BR_LEVEL": 5,
    # Static files are streamed from disk; compress them with the same two.
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 512,  # below that, the headers weigh more than the saving
    "COMPRESS_REGISTER": False,  # `encode` is the hook, for Flask and the response layer
}


def init_compression(app: Flask) -> None:
    """Configure the library and register `encode`: first, so it runs after every
    other after_request hook, on the finished body and headers."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
    app.after_request(encode)


def encode(response: FlaskResponse) -> FlaskResponse:
    """The response as the current request's client accepts it (a request
    context is needed), answered 304 if the client holds its ETag.

    A static file is read into memory first (its range for a 206, nothing for a
    304), and closed at once: the library's streaming path would compress the file
    without ever closing it (and offers no gzip), and a close left to the
    response's end is lost with a response that never reaches it (werkzeug's
    server skips it when the client resets the connection); ours are a few dozen KiB.
    """
    if request.endpoint == "static" and response.direct_passthrough:
        response.direct_passthrough = False
        body = b"" if response.status_code == 304 else response.get_data()
        response.close()  # the file
        response.set_data(body)
    return compress.after_request(response)
