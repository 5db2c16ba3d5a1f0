"""With the database out of reach: 503s with Retry-After, the essay still readable."""

import pytest

from helpers import SLUG, Reader, make_app

UNREACHABLE = "sqlite:////nonexistent-folder/debate.sqlite"


@pytest.fixture
def offline_client():
    return make_app(UNREACHABLE).test_client()


def test_the_page_shows_the_essay_with_voting_disabled(offline_client):
    response = offline_client.get(f"/debates/{SLUG}")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "cannot reach its database" in html
    assert "Transparency and trust" in html and "who owns the future" in html
    assert html.count("<fieldset disabled>") == 10
    assert 'id="results"' not in html


def test_an_unknown_debate_without_database_is_a_503_message(offline_client):
    response = offline_client.get("/debates/not-bundled")
    assert response.status_code == 503
    assert "cannot reach its database" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "headers", "fragment"),
    [
        (f"/debates/{SLUG}/results", {"HX-Request": "true"}, True),
        (f"/debates/{SLUG}/results", {}, False),
        (f"/api/debates/{SLUG}/results", {}, False),
    ],
)
def test_reads_are_503_with_retry_after(offline_client, path, headers, fragment):
    response = offline_client.get(path, headers=headers)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    assert "cannot reach its database" in body
    assert ("<html" not in body) == (fragment or path.startswith("/api"))


@pytest.mark.parametrize("htmx", [False, True])
def test_a_vote_is_503_and_says_it_was_not_recorded(offline_client, htmx):
    reader = Reader(offline_client)
    reader.open()
    response = reader.stance("before", "open", htmx=htmx)
    assert response.status_code == 503
    assert "may not have been saved" in response.get_data(as_text=True)
    if htmx:
        assert response.headers["HX-Retarget"] == "#flash"
