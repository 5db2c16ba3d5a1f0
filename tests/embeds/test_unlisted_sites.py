"""A vote from a frame that says where it is embedded: refused from a site the
author did not list, counted from one they did (the header does the rest)."""

import re

import pytest

from helpers import SLUG, Reader, api_results, update_debate

BLOG = "https://blog.example.com"
EMBED = f"/embed/{SLUG}/claims/customization"


def agree(app, **fields):
    """A vote from inside the claim's embed, by htmx, with the frame's own token."""
    client = app.test_client(use_cookies=False)
    html = client.get(EMBED).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    form = {"csrf_token": token, "view": "claim:customization", "choice": "agree", **fields}
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost", "HX-Request": "true"}
    return client.post(f"{EMBED}/vote", data=form, headers=headers)


def agrees(app) -> int:
    claims = api_results(app.test_client())["claims"]
    return next(c for c in claims if c["key"] == "customization")["agree"]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"embedding_site": BLOG}, 200),
        ({"embedding_site": "https://blog.example.com:443"}, 200),
        ({"embedding_site": "https://news.example.org"}, 403),
        ({"embedding_site": "null"}, 403),
        ({}, 200),  # a frame that says nothing is left to frame-ancestors
    ],
)
def test_a_listed_debate_refuses_votes_from_other_sites(app, fields, status):
    update_debate(app, embed_any_site=False, embed_allowed_sites=BLOG)
    response = agree(app, **fields)
    assert response.status_code == status
    assert agrees(app) == (1 if status == 200 else 0)
    if status == 403:
        message = response.get_data(as_text=True)
        assert "has not allowed" in message and fields["embedding_site"] in message
        assert response.headers["HX-Retarget"] == "#flash"


def test_with_any_site_every_site_votes(app):
    update_debate(app, embed_any_site=True, embed_allowed_sites=BLOG)
    assert agree(app, embedding_site="https://news.example.org").status_code == 200
    assert agrees(app) == 1


def test_the_debate_page_does_not_read_the_field(app):
    """The page itself is never framed: the field means nothing there."""
    update_debate(app, embed_any_site=False, embed_allowed_sites=BLOG)
    reader = Reader(app.test_client())
    reader.open()
    response = reader.post(
        "/claims/customization/vote", {"choice": "agree", "embedding_site": "https://x.example"}
    )
    assert response.status_code == 303
    assert agrees(app) == 1
