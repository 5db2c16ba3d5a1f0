"""An author in Chromium sets a segment aside from the dashboard and includes it
again, in place (htmx), and every figure follows."""

import pytest
from playwright.sync_api import expect
from test_dashboard_browser import server, signed_in_dashboard, vote_as_a_reader  # noqa: F401

from helpers import SLUG

pytestmark = pytest.mark.browser


def test_setting_a_site_aside_and_including_it_again_in_place(browser, server):  # noqa: F811
    vote_as_a_reader(browser, server)
    page = signed_in_dashboard(browser, server)
    expect(page.locator("#headline-readers")).to_have_text("1")
    page.evaluate("window.notReloaded = true")
    sites = page.locator("#segments table").first
    sites.get_by_role("button", name="Set aside the votes of The debate page").click()
    expect(page.locator("#exclusions")).to_contain_text(
        f"Votes from the site {server.url}: 2 votes."
    )
    expect(page.locator("#headline-readers")).to_have_text("0", timeout=5000)
    expect(page.locator("#headline-set-aside")).to_contain_text("2 votes set aside")
    panel = page.context.new_page()
    panel.goto(f"{server.url}/debates/{SLUG}/results")
    expect(panel.locator("#results-summary")).to_contain_text("2 votes set aside by the author.")
    panel.close()

    page.locator("#exclusions").get_by_role("button", name="Include again").click()
    expect(page.locator("#exclusions")).to_contain_text("No votes are set aside.")
    expect(page.locator("#headline-readers")).to_have_text("1", timeout=5000)
    assert page.evaluate("window.notReloaded") is True
    page.context.close()
    assert page.errors == []
