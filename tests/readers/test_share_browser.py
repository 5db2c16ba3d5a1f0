"""The share row in a real browser: copy link by mouse and keyboard, the share sheet
only where the browser has one, the field without JavaScript, and axe-core."""

import pytest
from playwright.sync_api import expect

from browser import AXE_SCRIPT, page_recording_errors
from helpers import SLUG

pytestmark = pytest.mark.browser


def open_debate(browser, live_server, **context_options):
    return page_recording_errors(browser, f"{live_server.url}/debates/{SLUG}", **context_options)


def test_copy_link_puts_the_debates_address_on_the_clipboard(browser, live_server):
    page = open_debate(browser, live_server, permissions=["clipboard-read", "clipboard-write"])
    share = page.locator("#share")
    copy = share.get_by_role("button", name="Copy link", exact=True)
    expect(copy).to_be_visible()
    expect(share.get_by_label("Link to this debate")).to_be_hidden()
    copy.click()
    expect(share.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/debates/{SLUG}"

    # By keyboard: the button is in the tab order and Enter copies again.
    page.evaluate("navigator.clipboard.writeText('')")
    page.evaluate("document.getElementById('share-url-status').textContent = ''")
    share.get_by_role("link", name="Share by Email").focus()
    page.keyboard.press("Shift+Tab")
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")
    expect(share.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/debates/{SLUG}")

    has_share_sheet = page.evaluate("'share' in navigator")
    sheet = share.get_by_role("button", name="Share…", exact=True)
    expect(sheet).to_be_visible() if has_share_sheet else expect(sheet).to_be_hidden()
    assert page.errors == []
    page.context.close()


def test_without_javascript_the_link_is_a_field_to_select(browser, live_server):
    page = open_debate(browser, live_server, java_script_enabled=False)
    share = page.locator("#share")
    expect(share.get_by_label("Link to this debate")).to_have_value(
        f"{live_server.url}/debates/{SLUG}"
    )
    expect(share.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(share.get_by_role("link", name="Share on Bluesky")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_share_row_passes_axe(browser, live_server, scheme, width):
    page = open_debate(browser, live_server, width=width, color_scheme=scheme, bypass_csp=True)
    page.locator("#share").scroll_into_view_if_needed()
    page.add_script_tag(path=str(AXE_SCRIPT))
    # Every impact, minor ones too, within the row (the page's own tests cover the rest).
    violations = page.evaluate(
        "async () => (await axe.run('#share')).violations.map(v => v.id + ' ' + v.impact)"
    )
    assert violations == []
    page.context.close()
