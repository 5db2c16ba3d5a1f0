"""First visits to the debate page are answered without Flask, each with a token of its own."""

import pytest

from conftest import SLUG, VOTE_TOKEN, Reader, api_results, make_app

PAGE = f"/debates/{SLUG}"


@pytest.fixture
def app_and_entries(app_caching_for):
    """An app with its caches on, and a list that grows each time Flask sees a request."""
    app = app_caching_for(60)
    entries = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: entries.append(1))
    return app, entries


def test_a_first_visit_is_the_shell_with_a_new_token(app_and_entries):
    app, entries = app_and_entries
    first, second = app.test_client().get(PAGE), app.test_client().get(PAGE)
    assert len(entries) == 1, "the second first visit did not enter Flask"
    tokens = [set(VOTE_TOKEN.findall(r.get_data(as_text=True))) for r in (first, second)]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    body = second.get_data()
    assert b"vote-token-" not in body
    assert int(second.headers["Content-Length"]) == len(body)
    for name in ("Content-Security-Policy", "Cache-Control", "Vary", "X-Frame-Options"):
        assert second.headers[name] == first.headers[name]
    assert "Set-Cookie" not in second.headers


def test_its_token_votes_and_the_reader_then_gets_their_page_from_flask(app_and_entries):
    app, entries = app_and_entries
    app.test_client().get(PAGE)
    reader = Reader(app.test_client())
    reader.open()
    assert reader.vote_claim("customization", "agree").status_code == 303
    before = len(entries)
    page = reader.client.get(PAGE).get_data(as_text=True)
    assert len(entries) == before + 1, "a reader with a cookie goes to Flask"
    assert page.count('aria-pressed="true"') == 1
    assert api_results(reader.client)["readers"] == 1


def test_other_requests_go_to_flask(app_and_entries):
    app, entries = app_and_entries
    client = app.test_client()
    client.get(PAGE)
    client.get(f"{PAGE}?x=1")
    with_cookie = app.test_client()
    with_cookie.set_cookie("other", "1")
    with_cookie.get(PAGE)
    assert len(entries) == 3
    for _ in range(2):
        assert client.get("/debates/no-such-debate").status_code == 404
    assert len(entries) == 5, "a 404 is passed on, never kept"


def test_without_a_database_the_essay_is_passed_on_and_not_kept(database_uri):
    app = make_app("sqlite:////nonexistent-folder/debate.sqlite", RESULTS_CACHE_SECONDS=60)
    client = app.test_client()
    for _ in range(2):
        response = client.get(PAGE)
        assert response.status_code == 503
        body = response.get_data(as_text=True)
        assert "vote-token-" not in body and "cannot reach its database" in body
