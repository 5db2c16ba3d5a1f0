"""Embeds: framing headers, the snippet, oEmbed, and voting without a session cookie."""

import html
import re

import pytest

from debate.core.content import bundled_path
from helpers import SLUG, api_results, make_app, reset_database

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
EMBEDS = [f"/embed/{SLUG}", f"/embed/{SLUG}/question", f"/embed/{SLUG}/claims/customization"]
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


class EmbedReader:
    """A reader inside the iframe: the page's own vote token, no session cookie."""

    def __init__(self, client, path=EMBEDS[0]):
        self.client, self.path = client, path
        html = client.get(path).get_data(as_text=True)
        self.csrf = CSRF_FIELD.search(html).group(1)

    def vote(self, path, data, htmx=False, headers=SAME_ORIGIN, view="debate", **fields):
        form = {"csrf_token": self.csrf, "view": view, **data, **fields}
        extra = {"HX-Request": "true"} if htmx else {}
        return self.client.post(f"/embed/{SLUG}{path}", data=form, headers={**headers, **extra})


@pytest.mark.parametrize("path", EMBEDS)
def test_embeds_may_be_framed_by_any_site_by_default(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers  # no session: CSRF is not tied to one
    assert "/static/embed-frame.js" in response.get_data(as_text=True)


def test_other_pages_forbid_framing(client):
    response = client.get(f"/debates/{SLUG}")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_content_file_can_limit_who_may_embed(database_uri, tmp_path, runner):
    text = (
        bundled_path(SLUG)
        .read_text()
        .replace(
            "question:",
            "embed:\n  allowed_sites: [https://blog.example.com, https://*.example.org]\nquestion:",
            1,
        )
    )
    path = tmp_path / "limited.md"
    path.write_text(text)
    app = make_app(database_uri)
    reset_database(app)
    assert app.test_cli_runner().invoke(args=["debates", "load", str(path)]).exit_code == 0
    csp = app.test_client().get(f"/embed/{SLUG}").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://blog.example.com https://*.example.org" in csp


def test_unknown_embeds_are_404(client):
    assert client.get("/embed/nope").status_code == 404
    assert client.get(f"/embed/{SLUG}/claims/nope").status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_voting_in_an_embed_without_cookies(app, htmx):
    reader = EmbedReader(app.test_client(use_cookies=False), EMBEDS[2])
    response = reader.vote(
        "/claims/customization/vote", {"choice": "agree"}, htmx=htmx, view="claim:customization"
    )
    if htmx:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<html" not in html and "You chose <strong>agree</strong>" in html
        assert f'action="/embed/{SLUG}/claims/customization/vote"' in html
    else:
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith(f"/embed/{SLUG}/claims/customization?reader=")
        assert location.endswith("#claim-customization")
        back = reader.client.get(location.split("#")[0]).get_data(as_text=True)
        assert "You chose <strong>agree</strong>" in back
    again = reader.vote("/claims/customization/vote", {"choice": "disagree"}, htmx=htmx)
    assert again.status_code in (200, 303)
    claim = next(c for c in api_results(app.test_client())["claims"] if c["key"] == "customization")
    assert (claim["agree"], claim["disagree"]) == (0, 1)
    assert api_results(app.test_client())["readers"] == 1


def test_the_embed_cookie_is_partitioned(app):
    reader = EmbedReader(app.test_client())
    cookie = reader.vote("/stance", {"phase": "before", "side": "open"}).headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=None", "Partitioned", "Path=/"):
        assert attribute in cookie


@pytest.mark.parametrize(
    ("headers", "fields"),
    [
        ({"Sec-Fetch-Site": "cross-site"}, {}),
        ({"Sec-Fetch-Site": "same-site"}, {}),
        ({"Origin": "https://evil.example"}, {}),
        (SAME_ORIGIN, {"csrf_token": ""}),
        (SAME_ORIGIN, {"csrf_token": "forged.token.value"}),
    ],
)
def test_votes_from_elsewhere_are_refused(app, headers, fields):
    reader = EmbedReader(app.test_client())
    response = reader.vote(
        "/stance", {"phase": "before", "side": "open"}, headers=headers, **fields
    )
    assert response.status_code == 400
    assert "did not come from the poll" in response.get_data(as_text=True)
    assert api_results(app.test_client())["readers"] == 0


def test_without_fetch_metadata_another_readers_token_is_refused(app):
    alice, bob = EmbedReader(app.test_client()), EmbedReader(app.test_client())
    assert alice.vote("/stance", {"phase": "before", "side": "open"}).status_code == 303
    response = alice.vote(
        "/stance", {"phase": "after", "side": "open"}, headers={}, csrf_token=bob.csrf
    )
    assert response.status_code == 400


def test_bad_input_is_refused_as_on_the_page(app):
    reader = EmbedReader(app.test_client())
    assert reader.vote("/stance", {"phase": "during", "side": "open"}).status_code == 400
    assert reader.vote("/question/vote", {"option": "nope"}).status_code == 404
    assert reader.vote("/claims/nope/vote", {"choice": "agree"}).status_code == 404
    assert api_results(app.test_client())["readers"] == 0


def test_rate_limits_are_those_of_the_page(database_uri):
    app = make_app(database_uri, VOTE_LIMIT_PER_READER="2 per minute")
    reset_database(app)
    reader = EmbedReader(app.test_client())
    statuses = [
        reader.vote("/stance", {"phase": "after", "side": side}).status_code
        for side in ("open", "closed", "undecided")
    ]
    assert statuses == [303, 303, 429]


def test_snippets_are_on_the_debate_page(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert "Embed this poll" in html
    assert f"&lt;div data-debate-embed=&#34;http://localhost/embed/{SLUG}&#34;" in html
    assert "&lt;script async src=&#34;http://localhost/static/embed.js&#34;&gt;" in html
    assert "&lt;noscript&gt;&lt;iframe" in html
    assert html.count('<section class="snippet"') == 2 + 7


def test_oembed_answers_rich_json_for_debate_and_embed_urls(client):
    for url, title in [
        (f"http://localhost/debates/{SLUG}", "Open Source vs."),
        (f"http://localhost/embed/{SLUG}/question", "Closing question"),
        (f"http://localhost/embed/{SLUG}/claims/accountability", "Claim: Accountability"),
    ]:
        response = client.get("/oembed", query_string={"url": url, "format": "json"})
        assert response.status_code == 200
        data = response.get_json()
        assert data["version"] == "1.0" and data["type"] == "rich"
        assert data["title"].startswith(title)
        assert 'data-debate-embed="' in data["html"] and "<noscript><iframe" in data["html"]
        assert data["width"] == 720 and data["height"] > 0


def test_oembed_respects_maxwidth_and_maxheight(client):
    data = client.get(
        "/oembed",
        query_string={"url": f"http://localhost/debates/{SLUG}", "maxwidth": 360, "maxheight": 500},
    ).get_json()
    assert (data["width"], data["height"]) == (360, 500)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": f"http://localhost/debates/{SLUG}", "format": "xml"}, 501),
        ({"url": "http://localhost/debates/nope"}, 404),
        ({"url": "http://elsewhere.example/debates/open-vs-closed-ai"}, 404),
        ({"url": f"http://localhost/api/debates/{SLUG}/results"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://[::1/", "format": "json"}, 404),  # urlsplit raises: it was a 500
        ({}, 404),
        ({"url": f"http://localhost/debates/{SLUG}", "maxwidth": "wide"}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, query, status):
    assert client.get("/oembed", query_string=query).status_code == status


def test_the_page_links_its_oembed(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert 'type="application/json+oembed"' in html
    assert "/oembed?url=http://localhost/debates/open-vs-closed-ai&amp;format=json" in html


def sandboxed_vote(client, token: str, path: str = f"/embed/{SLUG}/claims/customization/vote"):
    """A vote as htmx sends it from a frame sandboxed without its own origin."""
    return client.post(
        path,
        data={"choice": "agree", "csrf_token": token},
        headers={"Origin": "null", "Sec-Fetch-Site": "cross-site", "HX-Request": "true"},
    )


def test_a_sandboxed_frame_votes_with_its_token_and_reads_the_answer(client):
    page = client.get(f"/embed/{SLUG}/claims/customization").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    preflight = client.options(
        f"/embed/{SLUG}/claims/customization/vote",
        headers={
            "Origin": "null",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "hx-request, hx-request-type",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "null"
    assert "HX-Request" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    voted = sandboxed_vote(client, token)
    assert voted.status_code == 200
    assert voted.headers["Access-Control-Allow-Origin"] == "null"
    # With credentials: the reader's cookie is kept, partitioned by the embedding site,
    # so the frame loads as the same reader next time, their vote shown.
    assert voted.headers["Access-Control-Allow-Credentials"] == "true"
    cookie = voted.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Partitioned" in cookie and "Secure" in cookie
    again = client.get(f"/embed/{SLUG}/claims/customization").get_data(as_text=True)
    assert 'value="agree"' in again and 'aria-pressed="true"' in again
    assert api_results(client)["readers"] == 1


def test_the_results_panel_answers_the_sandboxed_poll_s_refresh(app_caching_for):
    """In WordPress's sandbox the poll refreshes its results panel from an opaque
    origin: the preflight and the fragment allow it, the copy the response layer
    keeps (first drawn for a same-site reader) included."""
    client = app_caching_for(60).test_client()
    path = f"/debates/{SLUG}/results"
    htmx = {"HX-Request": "true", "HX-Request-Type": "partial"}
    preflight = client.options(
        path,
        headers={
            "Origin": "null",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "hx-current-url, hx-request, hx-request-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "null"
    assert {"HX-Request", "HX-Request-Type", "HX-Current-URL"} <= {
        name.strip() for name in preflight.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert client.get(path, headers=htmx).status_code == 200  # kept from here on
    refreshed = client.get(path, headers={**htmx, "Origin": "null"})
    assert refreshed.status_code == 200 and 'id="results"' in refreshed.get_data(as_text=True)
    assert refreshed.headers["Access-Control-Allow-Origin"] == "null"
    assert "Access-Control-Allow-Credentials" not in refreshed.headers
    etag = refreshed.headers["ETag"]
    unchanged = client.get(path, headers={**htmx, "Origin": "null", "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.headers["Access-Control-Allow-Origin"] == "null"


def test_origin_null_is_taken_only_by_embeds_and_only_with_a_token(client):
    page = client.get(f"/embed/{SLUG}/claims/customization").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert (
        sandboxed_vote(client, token, f"/debates/{SLUG}/claims/customization/vote").status_code
        == 400
    )
    assert sandboxed_vote(client, "forged").status_code == 400
    assert api_results(client)["readers"] == 0


@pytest.mark.parametrize(
    "path", [f"/embed/{SLUG}", f"/embed/{SLUG}/question", f"/embed/{SLUG}/claims/customization"]
)
def test_every_embed_advertises_its_own_oembed_answer(client, path):
    page = client.get(path).get_data(as_text=True)
    link = re.search(
        r'<link rel="alternate" type="application/json\+oembed"[^>]*href="([^"]+)"', page
    )
    assert link, "oEmbed discovery"
    answer = client.get(html.unescape(link.group(1))).get_json()
    assert answer["type"] == "rich" and f"http://localhost{path}" in answer["html"]


def test_the_oembed_html_carries_wordpress_s_fallback_and_a_frame(client):
    answer = client.get(
        "/oembed", query_string={"url": f"http://localhost/embed/{SLUG}/claims/customization"}
    ).get_json()
    markup = answer["html"]
    # What WordPress keeps of an untrusted provider's answer: a blockquote with a link
    # (its fallback, which makes it load its resize script) and an iframe.
    assert re.search(
        r"<blockquote><a href=\"http://localhost/embed/[^\"]+/customization\">", markup
    )
    assert re.search(r"<iframe src=\"http://localhost/embed/[^\"]+/customization\"", markup)


@pytest.mark.parametrize("path", EMBEDS)
def test_every_embed_has_a_meta_description(client, path):
    head = client.get(path).get_data(as_text=True).split("</head>")[0]
    assert '<meta name="description" content="The AI arms race' in head
