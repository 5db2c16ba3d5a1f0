"""The response layer: kept responses served before Flask, keyed by exactly what
they vary on, and nothing kept that should not be."""

import pytest

from debate.cache.responses import VARY
from helpers import SLUG, VOTE_TOKEN, Reader, api_results, count_queries, make_app

PAGE, PANEL = f"/debates/{SLUG}", f"/debates/{SLUG}/results"
FRAGMENT = {"HX-Request": "true", "HX-Request-Type": "partial"}
RESTORE = {"HX-Request": "true", "HX-Request-Type": "full", "HX-History-Restore-Request": "true"}


@pytest.fixture
def cached_app(app_caching_for):
    """An app that keeps responses for a minute, and a list that grows each time
    Flask sees a request."""
    app = app_caching_for(60)
    app.entries = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: app.entries.append(1))
    return app


def test_the_panel_is_served_and_revalidated_without_flask_or_the_database(cached_app):
    client = cached_app.test_client()
    first = client.get(PANEL, headers=FRAGMENT)
    queries = count_queries(cached_app)
    again = client.get(PANEL, headers=FRAGMENT)
    revalidated = client.get(PANEL, headers={**FRAGMENT, "If-None-Match": first.headers["ETag"]})
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert revalidated.status_code == 304 and revalidated.get_data() == b""
    assert "Content-Length" not in revalidated.headers
    assert len(cached_app.entries) == 1 and queries == []
    assert "Cookie" not in first.headers.get("Vary", "")


def test_vary_names_every_header_of_the_variant_key(cached_app):
    response = cached_app.test_client().get(PANEL, headers=FRAGMENT)
    assert {v.strip() for v in response.headers["Vary"].split(",")} >= set(VARY)


def test_a_history_restore_gets_the_page_even_right_after_a_fragment(cached_app):
    client = cached_app.test_client()
    assert "<html" not in client.get(PANEL, headers=FRAGMENT).get_data(as_text=True)
    assert "<html" in client.get(PANEL, headers=RESTORE).get_data(as_text=True)
    assert "<html" in client.get(PAGE, headers=RESTORE).get_data(as_text=True)


def test_a_response_kept_over_https_is_not_served_over_http(cached_app):
    client = cached_app.test_client()
    secure = client.get(PANEL, headers=FRAGMENT, base_url="https://localhost")
    plain = client.get(PANEL, headers=FRAGMENT)
    assert "Strict-Transport-Security" in secure.headers
    assert "Strict-Transport-Security" not in plain.headers


def test_a_first_visit_gets_the_kept_page_with_a_token_of_its_own(cached_app):
    first, second = cached_app.test_client().get(PAGE), cached_app.test_client().get(PAGE)
    assert len(cached_app.entries) == 1, "the second first visit entered Flask"
    tokens = [set(VOTE_TOKEN.findall(r.get_data(as_text=True))) for r in (first, second)]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    body = second.get_data()
    assert b"vote-token-" not in body
    assert int(second.headers["Content-Length"]) == len(body)
    for name in ("Content-Security-Policy", "Cache-Control", "Vary", "X-Frame-Options"):
        assert second.headers[name] == first.headers[name]
    assert "Set-Cookie" not in second.headers


def test_its_token_votes_and_a_returning_reader_gets_their_page_from_flask(cached_app):
    reader = Reader(cached_app.test_client())
    reader.open()
    assert reader.vote_claim("customization", "agree").status_code == 303
    before = len(cached_app.entries)
    page = reader.client.get(PAGE).get_data(as_text=True)
    assert len(cached_app.entries) == before + 1, "a reader with a cookie goes to Flask"
    assert page.count('aria-pressed="true"') == 1
    assert api_results(reader.client)["readers"] == 1


def test_other_requests_go_to_flask_and_are_not_kept(cached_app):
    client = cached_app.test_client()
    client.get(PAGE)
    client.get(f"{PAGE}?x=1")
    with_cookie = cached_app.test_client()
    with_cookie.set_cookie("other", "1")
    with_cookie.get(PAGE)
    assert len(cached_app.entries) == 3
    for path in (
        "/debates/no-such-debate",
        "/embed/no-such-debate",
        f"/embed/{SLUG}/claims/no-such-claim",
    ):
        for _ in range(2):
            assert client.get(path).status_code == 404
    assert len(cached_app.entries) == 9, "a 404 is passed on, never kept"
    assert all(
        not key.endswith("-such-debate page")
        for key in cached_app.extensions["debate_cache"].backend.entries
    )


def test_an_untrusted_host_is_refused_before_the_cache(cached_app):
    client = cached_app.test_client()
    for number in range(5):
        response = client.get(PAGE, base_url=f"http://h{number}.example")
        assert response.status_code == 400
    assert len(cached_app.extensions["debate_cache"].backend) == 0


def test_a_host_naming_a_port_it_did_not_come_in_on_is_answered_and_not_kept(cached_app):
    """A trusted name with a made-up port (werkzeug's check ignores ports) would be a
    new variant of every page for each of 65,535 ports."""
    client = cached_app.test_client()
    card = f"/debates/{SLUG}/card.png"
    server = {"SERVER_PORT": "5000"}  # where the server listens
    for port in (4242, 4243, 4244):
        response = client.get(card, base_url=f"http://localhost:{port}", environ_overrides=server)
        assert response.status_code == 200 and response.mimetype == "image/png"
    assert len(cached_app.extensions["debate_cache"].backend) == 2  # the slugs, the read model
    assert len(cached_app.entries) == 3
    # No port, the scheme's own, or the one the request came in on: each kept once.
    for base_url in ("http://localhost", "http://localhost:80", "http://localhost"):
        client.get(card, base_url=base_url, environ_overrides=server)
    for _ in range(2):
        client.get(card, base_url="http://localhost:5000", environ_overrides=server)
    assert len(cached_app.entries) == 3 + 3


def test_without_a_database_the_essay_is_passed_on_and_not_kept():
    app = make_app("sqlite:////nonexistent-folder/debate.sqlite", CACHE_RESULTS_SECONDS=60)
    client = app.test_client()
    for _ in range(2):
        response = client.get(PAGE)
        assert response.status_code == 503
        body = response.get_data(as_text=True)
        assert "vote-token-" not in body and "cannot reach its database" in body
    assert len(app.extensions["debate_cache"].backend) == 0
