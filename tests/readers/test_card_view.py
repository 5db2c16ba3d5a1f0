"""The share card's URL: a PNG kept in the one cache, dropped on an author's write,
with an ETag and 304s, hiding what the debate hides, and named by the pages'
og:image and Twitter card tags."""

import io
import re

from PIL import Image

from debate.cache.store import store
from helpers import SLUG, Reader, make_app, reset_database, update_debate

CARD = f"/debates/{SLUG}/card.png"


def fresh_app(database_uri, **config):
    app = make_app(database_uri, **config)
    reset_database(app)
    return app


def test_the_card_is_a_png_with_an_etag_and_a_304(client):
    response = client.get(CARD)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control and "no-cache" in cache_control
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    again = client.get(CARD, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag


def test_the_card_is_drawn_from_the_current_results(database_uri):
    app = fresh_app(database_uri, CACHE_CARD_SECONDS=0)
    client = app.test_client()
    before = client.get(CARD)
    reader = Reader(app.test_client())
    reader.answer("open-matches")
    after = client.get(CARD, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.data != before.data


def test_the_card_is_kept_until_an_author_writes(database_uri):
    app = fresh_app(database_uri)  # the card kept for CACHE_CARD_SECONDS (300)
    client, kept = app.test_client(), store(app)
    first = client.get(CARD).data
    entries = len(kept.backend)
    reader = Reader(app.test_client())
    reader.answer("open-matches")
    assert client.get(CARD).data == first  # kept: drawn at most every few minutes
    update_debate(app, voting_open=False)  # an author's write drops it
    redrawn = client.get(CARD).data
    assert redrawn != first and len(kept.backend) == entries


def test_hidden_results_stay_off_the_card(database_uri):
    app = fresh_app(database_uri, CACHE_CARD_SECONDS=0)
    client = app.test_client()
    reader = Reader(app.test_client())
    shown_empty = client.get(CARD).data
    update_debate(app, results_visibility="after_close")
    hidden = client.get(CARD).data
    assert hidden != shown_empty  # no results block, no reader count
    reader.answer("open-matches")
    reader.stance("before", "open")
    assert client.get(CARD).data == hidden  # votes change nothing drawn
    update_debate(app, results_visibility="after_close", voting_open=False)
    assert client.get(CARD).data != hidden  # closed: the results are shown


def test_an_unknown_debate_has_no_card_and_leaves_nothing_kept(app, client):
    kept = store(app)
    assert client.get("/debates/no-such-debate/card.png").status_code == 404
    entries = len(kept.backend)  # at most the list of the debates' slugs
    assert entries <= 1
    assert client.get("/debates/nor-this-one/card.png").status_code == 404
    assert len(kept.backend) == entries


def test_pages_name_the_card_for_shared_links(client):
    card_url = f"http://localhost{CARD}"
    for path in (f"/debates/{SLUG}", f"/debates/{SLUG}/results"):
        head = client.get(path).get_data(as_text=True).split("</head>")[0]
        assert f'<meta property="og:image" content="{card_url}">' in head
        assert '<meta property="og:image:type" content="image/png">' in head
        assert '<meta property="og:image:width" content="1200">' in head
        assert '<meta property="og:image:height" content="630">' in head
        alt = re.search(r'<meta property="og:image:alt" content="([^"]+)">', head).group(1)
        assert alt.startswith("Open Source vs. Closed Source AI")
        assert '<meta name="twitter:card" content="summary_large_image">' in head
        assert f'<meta name="twitter:image" content="{card_url}">' in head
        assert f'<meta name="twitter:image:alt" content="{alt}">' in head


def test_the_share_row_has_plain_links_and_a_field_to_copy(client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    start = html.index('<section id="share"')
    row = html[start : html.index("</section>", start)]
    page_url = f"http%3A//localhost/debates/{SLUG}"
    title = "Open%20Source%20vs.%20Closed%20Source%20AI%3A%20The%20Battle"
    assert f'href="mailto:?subject={title}' in row and f"&amp;body={page_url}" in row
    assert f'href="https://bsky.app/intent/compose?text={title}' in row
    assert f'href="https://www.linkedin.com/sharing/share-offsite/?url={page_url}"' in row
    assert f"https://x.com/intent/post?text={title}" in row
    assert '<span class="visually-hidden">Share on </span>Bluesky</a>' in row
    # Without JavaScript: the link to select, and no button that would do nothing.
    assert (
        f'<input id="share-url" type="text" value="http://localhost/debates/{SLUG}" readonly' in row
    )
    assert row.count(" hidden>") == 2, "the copy button and the share sheet's"
    assert "<script" not in row and "<img" not in row


def panel_text(client) -> str:
    html = client.get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    return " ".join(re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " ").split())


def card_says(app):
    from debate.cache.store import debate_or_404
    from debate.core.card import card_content
    from debate.readers.pages import current_results

    with app.test_request_context():
        debate = debate_or_404(SLUG)
        return card_content(debate, current_results(debate))


def test_the_card_says_what_the_panel_says(app, client):
    for n in range(3):
        reader = Reader(app.test_client())
        reader.answer("open-matches" if n < 2 else "coexistence")
        reader.stance("before", "undecided")
        reader.stance("after", "open")
    content, panel = card_says(app), panel_text(client)
    assert content.readers == "3 readers have voted" and content.readers in panel
    assert "Too early to call" in panel and content.note.endswith("too early to call")
    for row in content.rows:
        assert f"{row.label} {row.figure}" in panel  # e.g. "Not sure 0%"

    for _ in range(9):  # twelve readers moved from undecided to open: a winner
        reader = Reader(app.test_client())
        reader.stance("before", "undecided")
        reader.stance("after", "open")
    content, panel = card_says(app), panel_text(client)
    assert content.heading == "Open source wins the room"
    assert f"{content.heading}: {content.lines[0]}" in panel
    assert content.readers == "12 readers have voted" and content.readers in panel


def test_a_card_asked_with_a_query_is_sent_to_the_one_that_is_kept(database_uri):
    """The card reads no query: `card.png?v=1`, `?v=2`... would each be drawn afresh
    (tens of milliseconds) rather than served from the cache."""
    app = fresh_app(database_uri)
    client = app.test_client()
    client.get(CARD)
    drawn = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: drawn.append(1))
    for n in range(3):
        response = client.get(f"{CARD}?v={n}")
        assert response.status_code == 301
        assert response.headers["Location"] == CARD
    assert client.get(CARD).status_code == 200
    assert len(drawn) == 3  # the redirects only: the card itself came from the cache
