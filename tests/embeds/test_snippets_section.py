""" "Embed this poll": collapsed at the foot of the reader's page, open on the author's
dashboard, one snippet per embed with a copy button, a preview and its height."""

import re

from debate.embeds.snippets import embeds_for
from helpers import SLUG, stored_debate, update_debate

SECTION = re.compile(r'<details class="embed-snippets" id="embed"( open)?>(.*?)</details>', re.S)
PREVIEW = re.compile(r"<iframe class=\"embed-preview\"[^>]*>", re.S)


def assert_no_frame_but_in_templates(html: str) -> None:
    """Not even an empty frame is made by the page itself: each costs a phone a document
    of its own (nine of them were most of the reader's page's main-thread work)."""
    outside_templates = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    assert "<iframe" not in outside_templates


def section_of(html: str) -> tuple[bool, str]:
    found = SECTION.search(html)
    assert found, "no Embed this poll section"
    return bool(found.group(1)), found.group(2)


def test_the_readers_page_has_it_collapsed_at_its_foot_loading_no_frame(app, client):
    html = client.get(f"/debates/{SLUG}").get_data(as_text=True)
    is_open, section = section_of(html)
    assert not is_open
    assert html.index('id="embed"') > html.index('id="results"'), "at the foot, after the results"
    previews = PREVIEW.findall(section)
    assert previews and all(" src=" not in frame for frame in previews), "nothing loads closed"
    assert all('loading="lazy"' in frame and "data-src=" in frame for frame in previews)
    assert_no_frame_but_in_templates(html)


def test_the_dashboard_has_it_open_with_a_preview_per_embed(app, author_client):
    html = author_client.get(f"/dashboard/debates/{SLUG}").get_data(as_text=True)
    is_open, section = section_of(html)
    assert is_open
    with app.test_request_context(base_url="http://localhost"):
        embeds = embeds_for(stored_debate())
    previews = PREVIEW.findall(section)
    assert len(previews) == len(embeds) == 2 + 7
    assert_no_frame_but_in_templates(html)
    for embed, frame in zip(embeds, previews, strict=True):
        # Made by the page's script as it nears the screen, lazily, at the model's height
        # for a 720 px column until the script measures the frame.
        assert f' data-src="{embed.url}"' in frame and 'loading="lazy"' in frame
        assert " src=" not in frame
        assert f'height="{embed.height_at(720)}"' in frame
        fixed, spread = embed.height_terms
        assert f'data-height-fixed="{fixed}" data-height-spread="{spread}"' in frame
    assert 'href="#embed"' in html


def test_each_snippet_has_a_readonly_field_a_copy_button_and_a_heading(app, client):
    _open, section = section_of(client.get(f"/debates/{SLUG}").get_data(as_text=True))
    headings = re.findall(
        r'<h3 id="snippet-\d+-title"><label for="snippet-\d+">([^<]+)</label>', section
    )
    assert headings[:3] == [
        "The whole debate",
        "The closing question",
        "Claim: Compounding innovation",
    ]
    assert len(re.findall(r'<textarea id="snippet-\d+" readonly', section)) == 9
    # Shown by the page's script: without it, no button that does nothing.
    assert section.count('class="copy-button" data-copy="snippet-') == 9 + 1
    assert section.count("hidden>Copy") == 9 + 1


def test_the_wordpress_instruction_gives_the_url_to_copy(client):
    _open, section = section_of(client.get(f"/debates/{SLUG}").get_data(as_text=True))
    assert "In WordPress, paste the debate's URL on a line of its own" in section.replace(
        "&#39;", "'"
    )
    assert (
        f'<input id="snippet-url" type="text" readonly value="http://localhost/debates/{SLUG}"'
        in section
    )


def test_a_debate_embedded_only_on_listed_sites_still_previews_on_its_own_site(
    app, author_client, client
):
    """The debate's own site may always frame its embeds, so the author's previews
    work whatever the list says."""
    update_debate(app, embed_any_site=False, embed_allowed_sites="https://blog.example.com")
    html = author_client.get(f"/dashboard/debates/{SLUG}").get_data(as_text=True)
    _open, section = section_of(html)
    assert len(PREVIEW.findall(section)) == section.count("<textarea") == 9
    policy = client.get(f"/embed/{SLUG}").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://blog.example.com" in policy
