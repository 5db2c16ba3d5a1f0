""" "Embed this poll" in Chromium: no preview loads until the section is opened and it
nears the screen, each preview starts at its embed's modelled height, copy buttons
copy, and without JavaScript every snippet is still there to select."""

import re

import pytest
from playwright.sync_api import expect

from browser import axe_violations, page_recording_errors
from debate.embeds.snippets import embeds_for
from helpers import SLUG, stored_debate

pytestmark = pytest.mark.browser
PAGE = f"/debates/{SLUG}"
FIRST_PREVIEW_FITS = """() => {
  const frame = document.querySelector("iframe.embed-preview");
  const inner = frame.contentDocument;
  if (!inner || inner.readyState !== "complete" || !inner.querySelector("#main")) return false;
  const content = Math.ceil(inner.documentElement.getBoundingClientRect().height);
  return Math.abs(Number(frame.height) - content) <= 1;
}"""


def open_section(page) -> None:
    page.locator("#embed > summary").click()
    expect(page.locator("#embed")).to_have_attribute("open", "")


def test_previews_load_only_once_the_section_is_opened(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    frames_asked = []
    page.on("request", lambda r: "/embed/" in r.url and frames_asked.append(r.url))
    page.goto(live_server.url + PAGE)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(500)
    assert frames_asked == [], "a closed section loads no frame, even scrolled into view"
    open_section(page)
    # The first preview loads, then follows the height the poll reports.
    page.wait_for_function(FIRST_PREVIEW_FITS)
    assert frames_asked[0] == f"{live_server.url}/embed/{SLUG}"
    assert page.locator("iframe.embed-preview").first.get_attribute("loading") == "lazy"
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_each_preview_starts_at_its_embeds_modelled_height(browser, live_server, app, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.route("**/embed/**", lambda route: route.abort())  # no frame reports its height
    page.goto(live_server.url + PAGE)
    open_section(page)
    with app.test_request_context(base_url=live_server.url):
        embeds = embeds_for(stored_debate())
    frames = page.locator("iframe.embed-preview")
    for index, embed in enumerate(embeds):
        # Each frame is made as its snippet nears the screen.
        page.locator("#embed section.snippet").nth(index).scroll_into_view_if_needed()
        frame = frames.nth(index)
        expect(frame).to_have_attribute("src", embed.url)
        width_px = frame.evaluate("frame => frame.clientWidth")
        assert int(frame.get_attribute("height")) == embed.height_at(width_px), embed.heading
    context.close()


def test_copy_buttons_copy_the_snippet_and_the_url(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + PAGE)
    open_section(page)
    section = page.locator("#embed")
    section.get_by_role("button", name="Copy the snippet: The closing question").click()
    expect(section.get_by_role("status").filter(has_text="Copied.")).to_have_count(1)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#snippet-2").input_value()
    assert f"/embed/{SLUG}/question" in copied
    section.get_by_role("button", name="Copy the debate's URL").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}{PAGE}"
    context.close()


def test_without_javascript_every_snippet_is_a_readonly_field_to_select(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + PAGE)
    open_section(page)
    fields = page.locator("#embed textarea")
    expect(fields).to_have_count(9)
    for index in range(9):
        expect(fields.nth(index)).not_to_be_editable()
        expect(fields.nth(index)).to_be_enabled()
    expect(page.locator("#embed .copy-button").first).to_be_hidden()
    expect(page.locator("#embed iframe")).to_have_count(0)
    expect(
        page.get_by_role("link", name=re.compile("^Open this embed on its own.*The whole debate$"))
    ).to_be_visible()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_serious_in_the_opened_section(browser, live_server, scheme, width):
    page = page_recording_errors(
        browser, live_server.url + PAGE, width, color_scheme=scheme, bypass_csp=True
    )
    open_section(page)
    page.wait_for_function(FIRST_PREVIEW_FITS)
    assert axe_violations(page) == []
    assert page.errors == []
    page.context.close()
