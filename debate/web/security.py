"""What guards every request: the body's size, response headers that defend
every page, proxy trust, and the session cookie.

The policy allows no inline script or style and no eval: htmx runs from
/static with its indicator CSS turned off (we ship our own), and the
page's few lines of JavaScript are a file too.
"""

import io
import ipaddress

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The policy, with the sites that may frame the response (embeds allow some)."""
    return f"{CONTENT_SECURITY_POLICY}; frame-ancestors {frame_ancestors}"


UNFRAMED_POLICY = content_security_policy()


class ChunkedBodyLimit:
    """WSGI middleware: a body sent in chunks has no length to refuse it by, so read
    at most one byte past MAX_CONTENT_LENGTH of it here and hand Flask a body of
    known length: refuse_oversized_body then refuses the long ones, as sized ones."""

    def __init__(self, wsgi_app, limit: int):
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked:  # a Content-Length beside it means nothing (RFC 9112, 6.3)
            body = environ["wsgi.input"].read(self.limit + 1)
            environ = {
                **environ,
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(b"" if len(body) > self.limit else body),
            }
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING")
        return self.wsgi_app(environ, start_response)


def refuse_oversized_body() -> None:
    """before_request: refuse a large body from its declared length, before reading it."""
    if (
        request.content_length is not None
        and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]
    ):
        raise RequestEntityTooLarge()


NUL_REFUSED = "The request contains a NUL character, which no field of this site takes."


def refuse_nul_characters() -> None:
    """before_request: a NUL in the path, the query or the form is refused whole.
    No text here may hold one, and PostgreSQL's text cannot (SQLite's can): a
    plain 400 on both, before anything reads the request."""
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value
        for fields in (request.args, request.form)
        for key, value in fields.items(multi=True)
    ):
        raise BadRequest(NUL_REFUSED)


def add_security_headers(response: Response) -> Response:
    """after_request: a view that may be framed sets its own policy; nothing else may be."""
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = UNFRAMED_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000")
    return response


class HostPrefixedSessionInterface(SecureCookieSessionInterface):
    """Over HTTPS the session cookie is `__Host-session`: Secure, host-only, path /.

    Readers have no session: a request without the cookie gets an empty one
    without a signer being built for it."""

    def open_session(self, app: Flask, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_name(self, app: Flask) -> str:
        name = super().get_cookie_name(app)
        return f"__Host-{name}" if request.is_secure else name

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None if request.is_secure else super().get_cookie_domain(app)


class SessionRespectingLoginManager(LoginManager):
    """Flask-Login without its remember-me cookie, which this app never offers.

    Its after_request hook looks into the session on every response, and any
    look makes Flask add `Vary: Cookie`, which would stop caches sharing the
    public results panel. With no remember cookie there is nothing to refresh.
    The method overridden is private to Flask-Login: a test pins it to the
    installed version (tests/web/test_security.py).
    """

    def _update_remember_cookie(self, response):
        return response


class TrustedProxies:
    """WSGI middleware: believe X-Forwarded-For, -Proto and -Port (and -Host, only when
    TRUSTED_PROXY_HOST says so) from a connection whose address is a configured
    proxy (TRUSTED_PROXIES: addresses or networks), and from nothing else. Anyone
    reaching the app directly is taken at their own address, whatever they send.
    Outermost: every layer inside, the cache's included, sees the client's scheme,
    host and address."""

    def __init__(self, wsgi_app, proxies: list[str], use_host: bool):
        self.wsgi_app = wsgi_app
        self.proxies = [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]
        # -Port: the port the proxy took the request on replaces whatever port the
        # client wrote in its Host, so the Host names a real one (the cache keys on it).
        self.fixed = ProxyFix(wsgi_app, x_for=1, x_proto=1, x_host=int(use_host), x_port=1)

    def __call__(self, environ, start_response):
        if self._from_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _from_proxy(self, address: str) -> bool:
        peer = client_address(address)
        return peer is not None and any(peer in network for network in self.proxies)


def client_address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address, an IPv4 client of a dual-stack listener ([::], where it
    arrives as ::ffff:a.b.c.d) as the IPv4 address it is; None for no address."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        return parsed.ipv4_mapped
    return parsed


def trust_proxies(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES") or []
    if isinstance(proxies, str):
        proxies = [proxies]
    if proxies:
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]  # Flask's middleware hook
            app.wsgi_app, list(proxies), bool(app.config.get("TRUSTED_PROXY_HOST"))
        )


def register(app: Flask) -> None:
    app.session_interface = HostPrefixedSessionInterface()
    app.before_request(refuse_oversized_body)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
