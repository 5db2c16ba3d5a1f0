"""Every author write shows on the very next request to the page, the panel,
an embed and the API, however long the cache would keep them."""

import json

import pytest

from debate.core.content import bundled_path
from helpers import SLUG, Reader, count_queries, csrf_of, sign_in

VIEWS = {
    "page": f"/debates/{SLUG}",
    "panel": f"/debates/{SLUG}/results",
    "embed": f"/embed/{SLUG}",
    "question embed": f"/embed/{SLUG}/question",
    "api": f"/api/debates/{SLUG}/results",
}


@pytest.fixture
def cached_app(app_caching_for):
    return app_caching_for(600)


@pytest.fixture
def author_client(cached_app):
    from helpers import add_author

    add_author(cached_app, email="owner@example.org")
    client = cached_app.test_client()
    assert sign_in(client, email="owner@example.org").status_code == 303
    return client


def seen(app) -> dict[str, str]:
    """Every view as a first visit sees it (the kind of request the cache serves)."""
    client = app.test_client()
    return {
        name: client.get(path, headers={"HX-Request": "true"} if name == "panel" else {}).get_data(
            as_text=True
        )
        for name, path in VIEWS.items()
    }


def post(client, path: str, data: dict):
    token = csrf_of(client, f"/dashboard/debates/{SLUG}")
    return client.post(path, data={**data, "csrf_token": token})


def test_closing_voting_shows_and_stops_votes_at_once(cached_app, author_client):
    seen(cached_app)
    voter = Reader(cached_app.test_client())
    voter.open()
    assert (
        post(author_client, f"/dashboard/debates/{SLUG}/voting", {"voting": "closed"}).status_code
        == 303
    )
    after = seen(cached_app)
    for name in ("page", "embed", "question embed"):
        assert "Voting on this debate is closed" in after[name], name
    assert json.loads(after["api"])["voting_open"] is False
    assert voter.vote_claim("customization", "agree").status_code == 403


def test_a_visibility_change_shows_at_once(cached_app, author_client):
    seen(cached_app)
    assert (
        post(
            author_client, f"/dashboard/debates/{SLUG}/visibility", {"visibility": "after_close"}
        ).status_code
        == 303
    )
    after = seen(cached_app)
    assert "Results appear here once voting closes" in after["panel"]
    assert "Results appear here once voting closes" in after["page"]
    assert json.loads(after["api"])["results_hidden"] is True


def test_a_reset_shows_at_once(cached_app, author_client):
    Reader(cached_app.test_client()).stance("before", "open")
    assert "1 reader has voted" in seen(cached_app)["panel"]
    assert (
        post(author_client, f"/dashboard/debates/{SLUG}/reset", {"confirm": SLUG}).status_code
        == 303
    )
    after = seen(cached_app)
    for name in ("panel", "page", "embed"):
        assert "0 readers have voted" in after[name], name
    assert json.loads(after["api"])["readers"] == 0


def test_loading_the_content_again_shows_at_once(cached_app, tmp_path):
    seen(cached_app)
    edited = tmp_path / "essay.md"
    edited.write_text(
        bundled_path(SLUG)
        .read_text()
        .replace("Open Source vs. Closed Source AI", "A Retitled Essay", 1)
    )
    result = cached_app.test_cli_runner().invoke(args=["debates", "load", str(edited)])
    assert result.exit_code == 0, result.output
    after = seen(cached_app)
    for name in ("page", "embed", "api"):
        assert "A Retitled Essay" in after[name], name


def test_loading_a_new_debate_shows_at_once(cached_app, tmp_path):
    client = cached_app.test_client()
    assert client.get("/debates/a-second-essay").status_code == 404
    second = tmp_path / "essay.md"
    second.write_text(
        bundled_path(SLUG).read_text().replace(f"slug: {SLUG}", "slug: a-second-essay", 1)
    )
    result = cached_app.test_cli_runner().invoke(args=["debates", "load", str(second)])
    assert result.exit_code == 0, result.output
    assert "Created debate 'a-second-essay'" in result.output
    for path in (
        "/debates/a-second-essay",
        "/embed/a-second-essay",
        "/api/debates/a-second-essay/results",
    ):
        assert client.get(path).status_code == 200, path


def test_made_up_addresses_never_reach_the_database(app):
    client = app.test_client()
    assert client.get(f"/debates/{SLUG}").status_code == 200
    queries = count_queries(app)
    for path in ("/debates/no-such-essay", "/embed/no-such-essay", "/api/debates/no/results"):
        assert client.get(path).status_code == 404, path
    assert queries == []
