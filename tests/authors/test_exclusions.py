"""Setting votes aside on the dashboard: real forms (CSRF, htmx), on record and
reversible, only by the debate's author, bad input refused with nothing changed."""

import re
from datetime import timedelta

import pytest

from debate.store.db import db, this_hour
from debate.store.models import Exclusion
from helpers import SLUG, add_author, api_results, csrf_of, sign_in

DASHBOARD = f"/dashboard/debates/{SLUG}"
EMBED_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def embed_votes(app, site: str, count: int) -> None:
    """count new readers agreeing with a claim from an embed on `site`."""
    for _ in range(count):
        client = app.test_client()
        page = client.get(f"/embed/{SLUG}").get_data(as_text=True)
        response = client.post(
            f"/embed/{SLUG}/claims/customization/vote",
            data={
                "csrf_token": EMBED_TOKEN.search(page).group(1),
                "choice": "agree",
                "embedding_site": site,
            },
            headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        )
        assert response.status_code == 303


def exclusion_rows(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Exclusion.kind, Exclusion.value, Exclusion.set_by, Exclusion.lifted_by)
        )
        return [tuple(row) for row in rows]


def test_setting_a_site_aside_with_htmx_then_including_it_again(app, author_client, new_reader):
    embed_votes(app, "https://burst.example", 3)
    new_reader().vote_claim("customization", "disagree")
    token = csrf_of(author_client, DASHBOARD)
    response = author_client.post(
        f"{DASHBOARD}/exclusions",
        data={"kind": "site", "value": "https://burst.example", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "poll-settings-changed"
    assert html.lstrip().startswith('<section id="exclusions"') and "<html" not in html
    assert "Votes from the site https://burst.example</strong>: 3 votes." in html
    assert "Set aside by author@example.org" in html
    results = api_results(app.test_client())
    assert (results["readers"], results["set_aside"]) == (1, 3)
    assert results["claims"][3]["agree"] == 0 and results["claims"][3]["disagree"] == 1

    [(exclusion_id,)] = _ids(app)
    again = author_client.post(
        f"{DASHBOARD}/exclusions/{exclusion_id}/include", data={"csrf_token": token}
    )
    assert again.status_code == 303 and again.headers["Location"].endswith("#exclusions")
    results = api_results(app.test_client())
    assert (results["readers"], results["set_aside"], results["claims"][3]["agree"]) == (4, 0, 3)
    # Nothing is deleted: the exclusion stays on record, lifted, and the page says by whom.
    assert exclusion_rows(app) == [
        ("site", "https://burst.example", "author@example.org", "author@example.org")
    ]
    page = author_client.get(DASHBOARD).get_data(as_text=True)
    assert "Included again" in page and "included again by author@example.org" in page
    assert "No votes are set aside." in page


def _ids(app):
    with app.app_context():
        return db.session.execute(db.select(Exclusion.id)).all()


def test_an_exclusion_reaches_readers_at_once_through_the_cache(app_caching_for, new_reader):
    app = app_caching_for(60)
    embed_votes(app, "https://burst.example", 2)
    add_author(app)
    author = app.test_client()
    assert sign_in(author).status_code == 303
    panel = f"/debates/{SLUG}/results"
    assert "2 readers have voted" in app.test_client().get(panel).get_data(as_text=True)
    token = csrf_of(author, DASHBOARD)
    form = {"kind": "site", "value": "https://burst.example", "csrf_token": token}
    assert author.post(f"{DASHBOARD}/exclusions", data=form).status_code == 303
    html = app.test_client().get(panel).get_data(as_text=True)
    assert "0 readers have voted" in html and "2 votes set aside by the author." in html


def test_the_same_exclusion_twice_is_one(app, author_client):
    token = csrf_of(author_client, DASHBOARD)
    form = {"kind": "network", "value": "0123456789abcdef", "csrf_token": token}
    for _ in range(2):
        assert author_client.post(f"{DASHBOARD}/exclusions", data=form).status_code == 303
    assert len(exclusion_rows(app)) == 1


@pytest.mark.parametrize(
    "form, message",
    [
        ({"kind": "author"}, "kind must be one of: site, network, window."),
        ({}, "kind must be one of: site, network, window."),
        ({"kind": "site", "value": "https://x.org/page"}, "A site is an origin"),
        ({"kind": "site", "value": "javascript:alert(1)"}, "A site is an origin"),
        ({"kind": "network", "value": "203.0.113.0"}, "A network is a bucket"),
        ({"kind": "window", "starts": "yesterday", "ends": "2026-11-30T10:00"}, "starts must be"),
        ({"kind": "window", "starts": "2026-11-30T10:30", "ends": "2026-11-30T12:00"}, "starts"),
        ({"kind": "window", "starts": "2026-11-30T10:00", "ends": "2026-11-30T10:00"}, "ends must"),
        ({"kind": "window", "starts": "2026-11-30T10:00"}, "ends must be"),
    ],
)
def test_bad_input_is_a_400_that_changes_nothing(app, author_client, form, message):
    token = csrf_of(author_client, DASHBOARD)
    for htmx in ({}, {"HX-Request": "true"}):
        response = author_client.post(
            f"{DASHBOARD}/exclusions", data={**form, "csrf_token": token}, headers=htmx
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert exclusion_rows(app) == []


def test_without_the_csrf_token_nothing_is_set_aside(app, author_client):
    response = author_client.post(f"{DASHBOARD}/exclusions", data={"kind": "site", "value": ""})
    assert response.status_code == 400 and exclusion_rows(app) == []


def test_an_author_of_another_debate_can_neither_set_aside_nor_include(app, author_client):
    token = csrf_of(author_client, DASHBOARD)
    form = {"kind": "site", "value": "https://burst.example", "csrf_token": token}
    assert author_client.post(f"{DASHBOARD}/exclusions", data=form).status_code == 303
    [(exclusion_id,)] = _ids(app)
    add_author(app, "other@example.org", "another long password", owns=None)
    other = app.test_client()
    assert sign_in(other, "other@example.org", "another long password").status_code == 303
    other_token = csrf_of(other, "/dashboard/")
    form["csrf_token"] = other_token
    assert other.post(f"{DASHBOARD}/exclusions", data=form).status_code == 404
    include = f"{DASHBOARD}/exclusions/{exclusion_id}/include"
    assert other.post(include, data={"csrf_token": other_token}).status_code == 404
    assert exclusion_rows(app) == [("site", "https://burst.example", "author@example.org", None)]
    anonymous = app.test_client()
    assert anonymous.post(f"{DASHBOARD}/exclusions", data=form).status_code in (302, 400, 401)
    assert len(exclusion_rows(app)) == 1


def test_including_again_what_is_not_in_force_is_a_404(app, author_client):
    token = csrf_of(author_client, DASHBOARD)
    assert (
        author_client.post(f"{DASHBOARD}/exclusions/999/include", data={"csrf_token": token})
    ).status_code == 404


def test_a_window_from_the_hour_of_the_votes_sets_them_aside(app, author_client):
    """Votes are stored with their hour as every datetime is stored (on SQLite, text in
    SQLAlchemy's format), so a window that starts at that very hour covers them."""
    hour = this_hour()  # a window of two hours holds votes cast as the hour turns
    embed_votes(app, "https://burst.example", 2)
    token = csrf_of(author_client, DASHBOARD)
    window = {"kind": "window", "starts": hour.isoformat(), "csrf_token": token}
    window["ends"] = (hour + timedelta(hours=2)).isoformat()
    assert author_client.post(f"{DASHBOARD}/exclusions", data=window).status_code == 303
    results = api_results(app.test_client())
    assert (results["readers"], results["set_aside"]) == (0, 2)
