"""Compression: brotli or gzip as the client accepts, for what Flask draws, what
the response layer serves and static files; Vary, ETags and 304s still right."""

import gzip
import os
import re
from contextlib import suppress

import brotli
import pytest

from helpers import SLUG, VOTE_TOKEN, Reader, make_app

PAGE, PANEL = f"/debates/{SLUG}", f"/debates/{SLUG}/results"
FRAGMENT = {"HX-Request": "true", "HX-Request-Type": "partial"}
TOKEN = re.compile(r"[0-9a-f]{32}\.[\w-]+\.[\w-]+")  # a first visit's vote token
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}

# One of each kind, and where it comes from.
KINDS = {
    "html, kept page": (PAGE, "text/html"),
    "html, embed": (f"/embed/{SLUG}", "text/html"),
    "html, kept panel": (PANEL, "text/html"),
    "css": ("/static/debate.css", "text/css"),
    "js": ("/static/vendor/htmx-4.0.1.min.js", "text/javascript"),
    "json": (f"/api/debates/{SLUG}/results", "application/json"),
}


@pytest.fixture
def cached_app(app_caching_for):
    return app_caching_for(60)


def get(client, path: str, **headers):
    """The response, read and closed (a static file's is open until then)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def vary_of(response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",")}


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    body = response.get_data()
    return DECODE[encoding](body) if encoding else body


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_sent_in_the_encoding_the_client_accepts(cached_app, kind, encoding):
    path, mimetype = KINDS[kind]
    client = cached_app.test_client()
    plain = get(client, path)
    packed = get(client, path, **{"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert packed.status_code == plain.status_code == 200
    assert packed.mimetype == mimetype
    assert packed.headers["Content-Encoding"] == encoding
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert "Accept-Encoding" in vary_of(packed) and "Accept-Encoding" in vary_of(plain)
    # A reader page differs only in its new vote token.
    assert TOKEN.sub("", decoded(packed).decode()) == TOKEN.sub("", plain.text)


def test_brotli_is_preferred_and_nothing_is_encoded_without_accept_encoding(cached_app):
    client = cached_app.test_client()
    both = get(client, "/static/debate.css", **{"Accept-Encoding": "gzip, deflate, br"})
    assert both.headers["Content-Encoding"] == "br"
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "compress"}):
        for path in (PAGE, "/static/debate.css", f"/api/debates/{SLUG}/results"):
            response = get(client, path, **headers)
            assert "Content-Encoding" not in response.headers, (path, headers)
            assert "Accept-Encoding" in vary_of(response)


def test_tiny_bodies_and_png_are_sent_as_they_are(cached_app):
    client = cached_app.test_client()
    assert len(get(client, "/static/favicon.svg").get_data()) < 512
    tiny = get(client, "/static/favicon.svg", **{"Accept-Encoding": "br"})
    assert tiny.status_code == 200 and "Content-Encoding" not in tiny.headers
    for _ in range(2):  # drawn by Flask, then served from the response layer
        card = get(client, f"/debates/{SLUG}/card.png", **{"Accept-Encoding": "br, gzip"})
        assert card.status_code == 200 and card.mimetype == "image/png"
        assert "Content-Encoding" not in card.headers
        assert card.get_data().startswith(b"\x89PNG")


def test_svg_is_compressed_past_the_minimum_size(database_uri):
    app = make_app(database_uri, COMPRESS_MIN_SIZE=100)
    response = get(app.test_client(), "/static/favicon.svg", **{"Accept-Encoding": "gzip"})
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b"<svg")


@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_a_kept_panel_answers_304_to_its_etag_in_each_encoding(cached_app, encoding):
    client = cached_app.test_client()
    headers = {**FRAGMENT, "Accept-Encoding": encoding}
    first = client.get(PANEL, headers=headers)
    assert first.headers["ETag"].startswith('W/"'), "the same panel in every encoding"
    again = client.get(PANEL, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert "Content-Encoding" not in again.headers
    assert "Accept-Encoding" in vary_of(again)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_static_file_has_an_etag_of_its_own_per_encoding_and_answers_304(client, encoding):
    plain = get(client, "/static/debate.css")
    packed = get(client, "/static/debate.css", **{"Accept-Encoding": encoding})
    assert packed.headers["ETag"] != plain.headers["ETag"]
    headers = {"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]}
    assert get(client, "/static/debate.css", **headers).status_code == 304
    # A client holding the identity file may keep it: the 304 names that one.
    headers = {"Accept-Encoding": encoding, "If-None-Match": plain.headers["ETag"]}
    held = get(client, "/static/debate.css", **headers)
    assert held.status_code == 304 and held.headers["ETag"] == plain.headers["ETag"]
    assert "Content-Encoding" not in held.headers


def open_static_files() -> list[str]:
    """The files under static/ this process holds open."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        with suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if f"{os.sep}static{os.sep}" in target:
                held.append(target)
    return held


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Accept-Encoding": "gzip"}, 200),
        ({}, 200),
        ({"If-None-Match": "*"}, 304),  # as a browser revalidates its favicon
        ({"Range": "bytes=0-9"}, 206),
        ({"Range": "bytes=0-9", "Accept-Encoding": "br"}, 206),
    ],
    ids=["gzip", "identity", "304", "206", "206 br"],
)
@pytest.mark.parametrize("path", ["/static/favicon.svg", "/static/debate.css"])
def test_a_static_answer_holds_no_open_file_once_the_app_returns(client, path, headers, status):
    """A server that never closes a response (werkzeug's, when the client resets the
    connection: a browser at a test's end) must not leak the file behind it."""
    response = client.get(path, headers=headers, buffered=False)
    try:
        assert open_static_files() == []
    finally:
        response.close()
    assert response.status_code == status
    if status == 206:
        assert len(response.get_data()) == 10


def test_the_dashboard_figures_answer_304_before_drawing_in_any_encoding(app, author_client):
    from flask import template_rendered

    path = f"/dashboard/debates/{SLUG}"
    headers = {**FRAGMENT, "Accept-Encoding": "br"}
    first = author_client.get(path, headers=headers)
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    assert first.headers["ETag"].startswith('W/"'), "the same figures in every encoding"
    drawn = []
    with template_rendered.connected_to(lambda *args, **kwargs: drawn.append(1), app):
        again = author_client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and drawn == []


def test_first_visits_get_a_compressed_page_with_a_fresh_token_each(app_caching_for):
    app = app_caching_for(60)
    entries = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: entries.append(1))
    pages = [
        app.test_client().get(PAGE, headers={"Accept-Encoding": encoding})
        for encoding in ("br", "br", "gzip", "gzip")
    ]
    assert len(entries) == 1, "one page drawn by Flask, the rest served from the layer"
    assert [p.headers["Content-Encoding"] for p in pages] == ["br", "br", "gzip", "gzip"]
    tokens = [VOTE_TOKEN.findall(decoded(p).decode()) for p in pages]
    assert all(len(set(t)) == 1 for t in tokens)
    assert len({t[0] for t in tokens}) == 4, "every first visit has a token of its own"
    assert all(b"vote-token-" not in decoded(p) for p in pages)


def test_a_returning_reader_gets_a_compressed_page_from_flask(app):
    reader = Reader(app.test_client())
    reader.open()
    assert reader.vote_claim("customization", "agree").status_code == 303
    page = reader.client.get(PAGE, headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(page.get_data()).count(b'aria-pressed="true"') == 1


def test_compression_runs_after_every_other_after_request_hook(database_uri):
    from debate.cache.responses import encode

    app = make_app(database_uri)
    assert app.after_request_funcs[None][0] is encode
    assert app.after_request_funcs[None].count(encode) == 1
