"""Security headers on every kind of response, cookies, proxies, body limits, secrets."""

import pytest
from flask import Flask

from debate import create_app
from helpers import SLUG, csrf_of, make_app, reset_database

PAGES = {
    "debate page": ("GET", f"/debates/{SLUG}", {}),
    "results fragment": ("GET", f"/debates/{SLUG}/results", {"HX-Request": "true"}),
    "results page": ("GET", f"/debates/{SLUG}/results", {}),
    "json api": ("GET", f"/api/debates/{SLUG}/results", {}),
    "404 page": ("GET", "/debates/nope", {}),
    "redirect": ("GET", "/", {}),
    "static file": ("GET", "/static/debate.css", {}),
    "csrf error": ("POST", f"/debates/{SLUG}/stance", {}),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_response_carries_the_security_headers(client, name):
    method, path, headers = PAGES[name]
    response = client.open(path, method=method, headers=headers)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_and_host_prefixed_session_cookie_over_https(client):
    response = client.get("/sign-in", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_page_has_no_inline_script_or_style(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "hx-on" not in html and "js:" not in html
    assert '"includeIndicatorCSS": false' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_body_over_the_limit_is_413_and_counts_nothing(reader, htmx):
    reader.open()
    response = reader.post(
        "/stance", {"phase": "before", "side": "open", "padding": "x" * 20_000}, htmx=htmx
    )
    assert response.status_code == 413
    assert "at most 16,384 bytes" in response.get_data(as_text=True)
    assert reader.client.get(f"/api/debates/{SLUG}/results").get_json()["readers"] == 0


def test_a_huge_json_body_is_refused_before_it_is_read(client):
    response = client.post(
        f"/debates/{SLUG}/stance",
        data=b"{" + b" " * 100_000 + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413


def test_forwarded_address_is_ignored_unless_a_proxy_is_trusted(database_uri):
    seen = []

    def remember_address(app):
        @app.get("/_address")
        def address():
            from flask import request

            seen.append(request.remote_addr)
            return "ok"

        return app

    headers = {"X-Forwarded-For": "203.0.113.9"}
    remember_address(make_app(database_uri)).test_client().get("/_address", headers=headers)
    remember_address(make_app(database_uri, TRUSTED_PROXIES=["127.0.0.1"])).test_client().get(
        "/_address", headers=headers
    )
    assert seen == ["127.0.0.1", "203.0.113.9"]


def test_without_a_configured_key_one_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.setenv("DEBATE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    first, second = create_app(), create_app()
    key = (tmp_path / "secret_key").read_text()
    assert len(key) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_a_fresh_app_never_runs_on_a_known_key(database_uri):
    app = make_app(database_uri, SECRET_KEY=None)
    reset_database(app)
    assert app.config["SECRET_KEY"] not in (None, "", "dev", "test-secret")


def test_an_untrusted_host_is_a_plain_400_when_trusted_hosts_are_set(database_uri):
    app = make_app(database_uri, TRUSTED_HOSTS=["essays.example.org"])
    reset_database(app)
    client = app.test_client()
    refused = client.get(f"/debates/{SLUG}", base_url="http://evil.example")
    assert refused.status_code == 400
    assert "is not trusted" in refused.get_data(as_text=True)
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")
    trusted = client.get(f"/debates/{SLUG}", base_url="http://essays.example.org")
    assert trusted.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "where"),
    [
        ("post", "/sign-in", "form"),  # PostgreSQL's text cannot hold a NUL: it was a 500
        ("post", f"/debates/{SLUG}/stance", "form"),
        ("get", "/oembed", "query"),
        ("get", f"/api/debates/{SLUG}/results", "query"),
    ],
)
def test_a_nul_character_anywhere_in_the_input_is_a_plain_400(app, method, path, where):
    client = app.test_client()
    value = "author@example.org\x00' OR 1=1"
    fields = {"email": value, "password": "x", "phase": "before", "side": value, "url": value}
    fields["csrf_token"] = csrf_of(client, "/sign-in")  # past Flask-WTF's check
    kwargs = {"data": fields} if where == "form" else {"query_string": fields}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_the_flask_login_hook_overridden_is_the_installed_versions():
    """SessionRespectingLoginManager replaces a private method of Flask-Login; if
    an upgrade renames it, the override silently stops working: fail here."""
    from flask_login import LoginManager

    from debate.web.security import SessionRespectingLoginManager

    assert callable(getattr(LoginManager, "_update_remember_cookie", None))
    app = Flask(__name__)
    manager = SessionRespectingLoginManager()
    manager.init_app(app, add_context_processor=False)
    assert any(
        getattr(hook, "__func__", None) is SessionRespectingLoginManager._update_remember_cookie
        for hook in app.after_request_funcs[None]
    )


def test_middleware_order_proxy_fix_outside_the_response_cache(database_uri):

    from debate.cache.responses import ResponseCache
    from debate.web.security import ChunkedBodyLimit, TrustedProxies

    app = make_app(database_uri, TRUSTED_PROXIES=["127.0.0.1"])
    assert isinstance(app.wsgi_app, TrustedProxies)
    assert isinstance(app.wsgi_app.wsgi_app, ResponseCache)
    assert isinstance(app.wsgi_app.wsgi_app.wsgi_app, ChunkedBodyLimit)
    plain = make_app(database_uri)
    assert isinstance(plain.wsgi_app, ResponseCache)


def test_after_request_hooks_run_cookie_then_vary_then_security_headers(app):
    from debate.cache.responses import vary_on_fragments
    from debate.readers.identity import remember_reader
    from debate.web.security import add_security_headers

    ours = [
        hook
        for hook in reversed(app.after_request_funcs[None])
        if hook in (remember_reader, vary_on_fragments, add_security_headers)
    ]
    assert ours == [remember_reader, vary_on_fragments, add_security_headers]


@pytest.mark.parametrize("size", [100, 20_000])
def test_a_chunked_body_is_held_to_the_same_limit_as_a_sized_one(client, size):
    import io

    from helpers import Reader

    reader = Reader(client)
    reader.open()
    body = f"choice=agree&csrf_token={reader.csrf}&pad={'x' * size}".encode()
    response = client.post(
        f"/debates/{SLUG}/claims/customization/vote",
        input_stream=io.BytesIO(body),
        headers={
            **reader.says_origin,
            "Transfer-Encoding": "chunked",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    if size > 16 * 1024:
        assert response.status_code == 413
        assert "at most 16,384 bytes" in response.get_data(as_text=True)
    else:
        assert response.status_code == 303


def test_forwarded_headers_are_believed_only_from_a_configured_proxy(database_uri):
    """With a proxy configured, a client that reaches the app directly from another
    address is taken at its own address, and X-Forwarded-Host never rewrites links."""
    seen = []
    app = make_app(database_uri, TRUSTED_PROXIES=["10.0.0.0/8"])

    @app.get("/_who")
    def who():
        from flask import request, url_for

        seen.append((request.remote_addr, request.scheme, url_for("pages.index", _external=True)))
        return "ok"

    forged = {
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Port": "8443",
    }
    client = app.test_client()
    client.get("/_who", headers=forged, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    client.get("/_who", headers=forged, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    # The proxy reaching a server that listens on [::] (dual stack) is the same proxy.
    client.get("/_who", headers=forged, environ_base={"REMOTE_ADDR": "::ffff:10.1.2.3"})
    # The port the proxy took the request on replaces any the client named; its
    # scheme's own is left out of links.
    client.get(
        "/_who",
        headers={**forged, "Host": "localhost:4242", "X-Forwarded-Port": "443"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert seen == [
        ("192.0.2.1", "http", "http://localhost/"),
        ("198.51.100.7", "https", "https://localhost:8443/"),
        ("198.51.100.7", "https", "https://localhost:8443/"),
        ("198.51.100.7", "https", "https://localhost/"),
    ]


@pytest.mark.parametrize(
    "path", [f"/api/debates/{SLUG}/results", f"/debates/{SLUG}/results", "/dashboard/", "/sign-in"]
)
def test_an_unknown_host_is_a_400_before_the_database(app, path):
    """With the default TRUSTED_HOSTS, Flask refuses the Host while matching the URL,
    before any view, cache or query (the response layer checks it before its cache)."""
    from helpers import count_queries

    queries = count_queries(app)
    response = app.test_client().get(path, base_url="http://attacker.example")
    assert response.status_code == 400
    assert queries == []
