"""The results panel is rendered at most once a second and revalidated without the database."""

import re
import time

import pytest

from conftest import SLUG, Reader, count_queries
from debate.edge_cache import EdgeCache

FRAGMENT = {"HX-Request": "true"}


@pytest.fixture
def cached_app(app_caching_for):
    return app_caching_for(1)


def test_a_current_copy_is_revalidated_without_asking_the_database(cached_app):
    client = cached_app.test_client()
    first = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    queries = count_queries(cached_app)
    again = client.get(f"/debates/{SLUG}/results",
                       headers={**FRAGMENT, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert queries == []
    assert "Cookie" not in again.headers.get("Vary", "")


def test_results_are_at_most_a_second_old(cached_app):
    client = cached_app.test_client()
    before = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    Reader(cached_app.test_client()).stance("before", "open")
    soon = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    assert soon.headers["ETag"] == before.headers["ETag"]
    time.sleep(1.1)
    later = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    assert later.headers["ETag"] != before.headers["ETag"]
    assert "1 reader has voted" in later.get_data(as_text=True)


def test_the_json_api_is_never_cached(cached_app):
    client = cached_app.test_client()
    client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    Reader(cached_app.test_client()).stance("before", "open")
    assert client.get(f"/api/debates/{SLUG}/results").get_json()["readers"] == 1


def test_fresh_copies_are_served_before_flask_sees_the_request(cached_app):
    seen = []
    cached_app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(1))
    client = cached_app.test_client()
    first = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    again = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT)
    page = client.get(f"/debates/{SLUG}/results")
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "<html" in page.get_data(as_text=True), "the page variant is not the fragment"
    assert len(seen) == 2  # the first fragment and the page; the second fragment was cached
    revalidated = client.get(f"/debates/{SLUG}/results",
                             headers={**FRAGMENT, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and len(seen) == 2


def test_nothing_with_a_cookie_or_not_public_is_kept(cached_app):
    seen = []
    cached_app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(1))
    client = cached_app.test_client()
    for _ in range(2):
        client.get(f"/debates/{SLUG}/results")  # the page variant is not marked public
    assert len(seen) == 2


def test_a_response_that_sets_a_cookie_is_never_kept():
    calls = []

    def app(environ, start_response):
        calls.append(1)
        start_response("200 OK", [("Cache-Control", "public, s-maxage=60"),
                                  ("Set-Cookie", "who=me")])
        return [b"private"]

    cached = EdgeCache(app, re.compile(r"^/r$"))
    for _ in range(2):
        cached({"REQUEST_METHOD": "GET", "PATH_INFO": "/r"}, lambda *args: None)
    assert len(calls) == 2


def test_revalidations_alone_refill_the_cache_when_it_expires(cached_app):
    """Pollers that all hold a current copy only ever revalidate: after the entry
    expires, their next request must refill the cache, not pass every later one
    through to Flask."""
    seen = []
    cached_app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(1))
    client = cached_app.test_client()
    etag = client.get(f"/debates/{SLUG}/results", headers=FRAGMENT).headers["ETag"]
    time.sleep(1.1)
    revalidate = {**FRAGMENT, "If-None-Match": etag}
    answers = [client.get(f"/debates/{SLUG}/results", headers=revalidate) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [304, 304, 304]
    assert len(seen) == 2  # the first fill and the refill after expiry
    assert answers[0].get_data() == b""
