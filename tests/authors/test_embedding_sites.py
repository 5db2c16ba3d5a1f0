"""Who may embed the poll, set on the dashboard: the form (both paths), what it
refuses, and the frame-ancestors header every embed then sends, kept or fresh."""

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered

from debate.core.content import bundled_path
from debate.store.db import db
from debate.store.models import DebateRow
from helpers import SLUG, add_author, csrf_of, sign_in

DASHBOARD = f"/dashboard/debates/{SLUG}"
FORM = f"{DASHBOARD}/embedding"
EMBEDS = [f"/embed/{SLUG}", f"/embed/{SLUG}/question", f"/embed/{SLUG}/claims/customization"]
BLOG = "https://blog.example.com"
OWN_AND_BLOG = f"'self' {BLOG}"  # the debate's own site may always frame its embeds


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])[1]


def stored(app) -> tuple[bool, str]:
    with app.app_context():
        row = db.session.execute(db.select(DebateRow).filter_by(slug=SLUG)).scalar_one()
        return row.embed_any_site, row.embed_allowed_sites


def post(client, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    token = csrf_of(client, DASHBOARD)
    return client.post(FORM, data={"csrf_token": token, **data}, headers=headers)


@contextmanager
def templates_rendered(app):
    """The templates Flask renders meanwhile: none for a response the cache kept."""
    rendered: list[str] = []

    def record(_app, template, **_extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def test_the_dashboard_offers_any_site_as_the_default(author_client):
    html = author_client.get(DASHBOARD).get_data(as_text=True)
    section = html[html.index('<section id="embedding"') :]
    assert "Any site may show this poll in a frame." in section
    assert re.search(r'name="embedding" value="any"\s+checked', section)
    assert f'action="{FORM}"' in section and f'hx-post="{FORM}"' in section
    assert 'name="csrf_token"' in section


@pytest.mark.parametrize("path", EMBEDS)
def test_every_embed_may_be_framed_by_any_site_by_default(client, path):
    assert frame_ancestors(client.get(path)) == "*"


def test_listing_sites_by_a_plain_post_limits_every_embed(app, author_client, client):
    response = post(author_client, embedding="listed", sites=f"{BLOG}\nhttps://*.example.org")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{DASHBOARD}#embedding")
    assert stored(app) == (False, f"{BLOG} https://*.example.org")
    for path in EMBEDS:
        assert frame_ancestors(client.get(path)) == f"'self' {BLOG} https://*.example.org"
    # The debate page itself is never framed, whatever the list says.
    page = client.get(f"/debates/{SLUG}")
    assert frame_ancestors(page) == "'none'" and page.headers["X-Frame-Options"] == "DENY"


def test_htmx_gets_the_section_alone_and_any_site_keeps_the_list(app, author_client, client):
    post(author_client, embedding="listed", sites=BLOG)
    response = post(author_client, htmx=True, embedding="any", sites=BLOG)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="embedding"') and "<html" not in html
    assert "Any site may show this poll in a frame. Saved." in html
    assert f">{BLOG}</textarea>" in html
    assert stored(app) == (True, BLOG)
    assert frame_ancestors(client.get(EMBEDS[0])) == "*"


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"embedding": "listed", "sites": f"{BLOG}/my-essay"}, f"list the site alone, as {BLOG}"),
        ({"embedding": "listed", "sites": "  "}, "List at least one site"),
        ({"embedding": "listed", "sites": "*"}, "choose any site"),
        ({"embedding": "any", "sites": "blog.example.com"}, "start it with https://"),
        ({"embedding": "everyone", "sites": ""}, "embedding must be any"),
        ({"sites": BLOG}, "embedding must be any"),
    ],
)
def test_bad_entries_are_refused_with_the_reason_and_change_nothing(
    app, author_client, client, htmx, data, message
):
    post(author_client, embedding="listed", sites=BLOG)
    response = post(author_client, htmx=htmx, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'aria-invalid="true"' in html
    assert ("<html" in html) is not htmx  # the whole page, or the section for htmx
    if data.get("sites", "").strip():
        assert f">{data['sites']}</textarea>" in html  # the author's entries, to correct
    assert stored(app) == (False, BLOG)
    assert frame_ancestors(client.get(EMBEDS[0])) == OWN_AND_BLOG


def test_without_the_csrf_token_nothing_changes(app, author_client):
    response = author_client.post(FORM, data={"embedding": "listed", "sites": BLOG})
    assert response.status_code == 400
    assert stored(app) == (True, "")


def test_another_authors_debate_is_a_404_and_unchanged(app, author):
    add_author(app, "other@example.org", "another long password", owns=None)
    other = app.test_client()
    sign_in(other, "other@example.org", "another long password")
    token = csrf_of(other, "/dashboard/")
    response = other.post(FORM, data={"csrf_token": token, "embedding": "listed", "sites": BLOG})
    assert response.status_code == 404
    assert stored(app) == (True, "")


def test_signed_out_nobody_sets_the_sites(app, client):
    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    response = client.post(FORM, data={"csrf_token": token, "embedding": "listed", "sites": BLOG})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert stored(app) == (True, "")


@pytest.mark.parametrize("path", EMBEDS)
def test_kept_and_fresh_embeds_send_the_list_from_the_moment_it_changes(app_caching_for, path):
    app = app_caching_for(60)
    add_author(app)
    author = app.test_client()
    sign_in(author)
    first_visit = app.test_client(use_cookies=False)
    assert frame_ancestors(first_visit.get(path)) == "*"  # now kept for 60 s
    with templates_rendered(app) as rendered:
        assert frame_ancestors(first_visit.get(path)) == "*"
    assert rendered == []  # served from the cache

    assert post(author, embedding="listed", sites=BLOG).status_code == 303
    assert frame_ancestors(first_visit.get(path)) == OWN_AND_BLOG  # the write dropped the kept page
    with templates_rendered(app) as rendered:
        kept = first_visit.get(path)
    assert rendered == [] and frame_ancestors(kept) == OWN_AND_BLOG
    with templates_rendered(app) as rendered:
        fresh = first_visit.get(path, headers={"Cookie": "returning=1"})
    assert rendered and frame_ancestors(fresh) == OWN_AND_BLOG


def test_reloading_the_content_file_keeps_the_dashboards_choice_unless_it_lists_sites(
    app, author_client, runner, tmp_path
):
    post(author_client, embedding="listed", sites=BLOG)
    assert runner.invoke(args=["debates", "load"]).exit_code == 0  # the file lists none
    assert stored(app) == (False, BLOG)
    post(author_client, embedding="any", sites="")
    listing = (
        bundled_path(SLUG)
        .read_text()
        .replace("question:", "embed:\n  allowed_sites: [https://news.example.org]\nquestion:", 1)
    )
    (tmp_path / "listing.md").write_text(listing)
    assert runner.invoke(args=["debates", "load", str(tmp_path / "listing.md")]).exit_code == 0
    assert stored(app) == (False, "https://news.example.org")
    assert frame_ancestors(app.test_client().get(EMBEDS[0])) == "'self' https://news.example.org"
