"""Reader pages from a shared shell: what a reader gets equals a whole render
for them, and a first visit to a cached shell costs no query."""

import re

import pytest
from flask import render_template

from conftest import SLUG, VOTE_TOKEN, Reader, count_queries
from debate.db import db
from debate.models import Debate
from debate.pages import page_context
from debate.shells import build_shell, voting_items

TOKEN = re.compile(r"(?<=[\"'])[\w.-]{40,}(?=[\"'])")


def whole_render(app, reader: Reader) -> str:
    """The page rendered in one piece, as it was before shells, for this reader."""
    from debate.votes import reader_choices

    with app.test_request_context(f"/debates/{SLUG}"):
        context = page_context(SLUG)
        reader_id = reader.client.get_cookie("debate_reader").value
        my_votes = reader_choices(db.session, context["debate"].id, reader_id)
        return render_template("debates/page.html", **context, my_votes=my_votes,
                               vote_token=reader.csrf)


def without_tokens(html: str) -> str:
    return TOKEN.sub("TOKEN", html)


def test_a_returning_readers_page_is_the_whole_render_for_them(app, reader):
    reader.vote_claim("customization", "agree")
    reader.vote_claim("accountability", "unsure")
    reader.answer("coexistence")
    reader.stance("after", "closed")
    page = reader.client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert without_tokens(page) == without_tokens(whole_render(app, reader))
    assert page.count('aria-pressed="true"') == 4


def test_every_voting_item_is_found_in_the_page_shell(app):
    with app.test_request_context(f"/debates/{SLUG}"):
        shell = build_shell("debates/page.html", page_context(SLUG))
        debate = db.session.execute(db.select(Debate)).scalar_one()
        assert set(shell.parts) == {item for item, _, _ in voting_items(debate)}
        assert len(shell.parts) == 10  # two stances, seven claims, the question


def test_every_form_on_a_page_carries_its_readers_token(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    tokens = VOTE_TOKEN.findall(html)
    assert len(tokens) == 10 and len(set(tokens)) == 1
    assert "vote-token-" not in html
    other = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert VOTE_TOKEN.search(other).group(1) != tokens[0], "each visit is a reader of its own"


@pytest.fixture
def cached_app(app_caching_for):
    return app_caching_for(60)


def test_a_first_visit_to_a_cached_shell_asks_the_database_nothing(cached_app):
    client = cached_app.test_client()
    client.get(f"/debates/{SLUG}")
    queries = count_queries(cached_app)
    response = client.get(f"/debates/{SLUG}")
    assert response.status_code == 200 and queries == []


def test_a_reader_sees_their_own_vote_counted_even_in_a_cached_shell(cached_app):
    reader = Reader(cached_app.test_client())
    reader.open()
    reader.vote_claim("customization", "agree")
    page = reader.client.get(f"/debates/{SLUG}").get_data(as_text=True)
    card = page[page.index('id="claim-customization"'):]
    assert "You chose <strong>agree</strong>" in card
    assert "100% of 1 vote agree" in card[:card.index("</article>")]


def test_shells_are_kept_per_host(cached_app):
    client = cached_app.test_client()
    first = client.get(f"/debates/{SLUG}", base_url="http://one.example")
    second = client.get(f"/debates/{SLUG}", base_url="http://two.example")
    assert "http://one.example/embed/" in first.get_data(as_text=True)
    assert "http://two.example/embed/" in second.get_data(as_text=True)
    assert "one.example" not in second.get_data(as_text=True)


@pytest.mark.parametrize(("path", "pressed"), [
    (f"/embed/{SLUG}", 2),
    (f"/embed/{SLUG}/question", 1),
    (f"/embed/{SLUG}/claims/customization", 1),
    (f"/embed/{SLUG}/claims/accountability", 0),
])
def test_embeds_show_the_readers_own_votes_from_their_shells(reader, path, pressed):
    reader.vote_claim("customization", "agree")
    reader.answer("coexistence")
    html = reader.client.get(path).get_data(as_text=True)
    assert html.count('aria-pressed="true"') == pressed
