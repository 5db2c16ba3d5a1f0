"""The debate page and the results panel readers poll."""

import re

from helpers import SLUG


def test_root_redirects_to_the_bundled_debate(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/debates/{SLUG}"


def test_page_shows_the_essay_in_reading_order(client):
    page = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    html = page[page.index("<body") :]  # the head repeats the lede as its description
    landmarks = [
        "<h1>Open Source vs. Closed Source AI",
        "licensing agreements",  # the lede
        'id="stance-before"',
        "What We Mean by",  # the context
        'id="case-open"',
        'id="claim-transparency-and-trust"',
        'id="case-closed"',
        'id="claim-accountability"',
        "Where Things Stand Today",  # the rest of the essay
        "who owns the future",
        'id="question"',
        'id="stance-after"',
        'id="results"',
    ]
    positions = [html.index(landmark) for landmark in landmarks]
    assert positions == sorted(positions)


def test_page_never_shows_the_drafting_assistant(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    for chatter in (
        "Search isn't returning",
        "full draft",
        "Pretty happy",
        "1,300 words",
        "Drop your thoughts",
    ):
        assert chatter not in html


def test_every_claim_has_a_real_form_with_three_choices(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    forms = re.findall(r'<form class="vote" method="post" action="([^"]+)"', html)
    assert len(forms) == 7 + 1 + 2  # claims, closing question, two stances
    assert f"/debates/{SLUG}/claims/customization/vote" in forms
    assert html.count('name="choice" value="agree"') == 7
    assert html.count('name="csrf_token"') == len(forms)
    assert '<meta name="csrf-token"' in html
    assert "hx-headers:inherited" in html


def test_page_loads_nothing_from_another_host(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    loaded = r'<(?!a\b)\w+\b[^>]*?\b(?:src|href)="(?:https?:)?//([^/"]+)'
    hosts = set(re.findall(loaded, html))
    assert hosts <= {"localhost"}
    # Links to share the debate lead elsewhere but load nothing until followed.
    linked = set(re.findall(r'<a\b[^>]*\bhref="(?:https?:)?//([^/"]+)', html))
    assert {"bsky.app", "x.com", "www.linkedin.com"} <= linked
    assert "/static/vendor/htmx-4.0.1.min.js" in html


def test_unknown_debate_is_a_404_page(client):
    response = client.get("/debates/no-such-debate")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)
    assert "There is no debate at this address" in response.get_data(as_text=True)


def test_results_partial_for_htmx_is_a_cacheable_fragment(client):
    response = client.get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<section id="results"')
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "HX-Request" in response.headers["Vary"]
    assert "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    again = client.get(
        f"/debates/{SLUG}/results", headers={"HX-Request": "true", "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_results_etag_changes_when_a_vote_lands(client, reader):
    first = client.get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"})
    reader.vote_claim("customization", "agree")
    second = client.get(
        f"/debates/{SLUG}/results",
        headers={"HX-Request": "true", "If-None-Match": first.headers["ETag"]},
    )
    assert second.status_code == 200
    assert "1 reader have voted" not in second.get_data(as_text=True)
    assert "1 reader has voted" in second.get_data(as_text=True)


def test_results_without_htmx_and_history_restores_get_a_whole_page(client):
    plain = client.get(f"/debates/{SLUG}/results")
    restore = client.get(
        f"/debates/{SLUG}/results",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    for response in (plain, restore):
        assert response.status_code == 200
        assert "<html" in response.get_data(as_text=True)


def test_the_page_carries_what_a_publication_wraps_around_an_essay(app, client, tmp_path):
    from debate.core.content import bundled_path

    head = client.get(f"/debates/{SLUG}").get_data(as_text=True).split("</head>")[0]
    assert '<meta name="description" content="The AI arms race' in head
    assert f'<link rel="canonical" href="http://localhost/debates/{SLUG}">' in head
    assert '<meta property="og:title" content="Open Source vs. Closed Source AI' in head
    assert '<meta name="twitter:card" content="summary_large_image">' in head
    published = tmp_path / "essay.md"
    published.write_text(
        bundled_path(SLUG)
        .read_text()
        .replace(
            "question:",
            "author: Ada Essayist\npublished: 2026-11-30\n"
            "canonical: https://blog.example.org/open-vs-closed\ndescription: Who wins?\nquestion:",
            1,
        )
    )
    assert app.test_cli_runner().invoke(args=["debates", "load", str(published)]).exit_code == 0
    page = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert '<link rel="canonical" href="https://blog.example.org/open-vs-closed">' in page
    assert '<meta name="description" content="Who wins?">' in page
    assert re.search(
        r'By <span class="author">Ada Essayist</span> · '
        r'<time datetime="2026-11-30">30 November 2026</time>',
        page,
    )
    results = client.get(f"/debates/{SLUG}/results").get_data(as_text=True)
    assert '<meta property="og:description" content="Who wins?">' in results


def test_a_claims_title_is_shown_once(client):
    """A claim whose text opens with its title in bold shows it there alone (its
    heading stays for screen readers, naming the card); another shows its heading."""
    page = client.get(f"/debates/{SLUG}").get_data(as_text=True)

    def heading(key: str) -> str:
        return re.search(rf'<h3 id="claim-{key}-title" class="([^"]+)"', page).group(1)

    assert heading("accountability") == "claim-title visually-hidden"
    assert "<strong>Accountability</strong> is also clearer" in page
    assert heading("compounding-innovation") == "claim-title"
