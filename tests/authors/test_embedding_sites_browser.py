"""An author sets who may embed the poll in a real browser: htmx answers in place,
a refused entry is shown beside the field, and the embeds' header follows."""

import pytest
from playwright.sync_api import expect

from browser import LiveServer, page_recording_errors
from helpers import AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG, add_author, make_app, reset_database

pytestmark = pytest.mark.browser


@pytest.fixture
def server(database_uri):
    app = make_app(database_uri)
    reset_database(app)
    add_author(app)
    with LiveServer(app) as server:
        yield server


def test_the_author_limits_the_embeds_in_place(browser, server):
    page = page_recording_errors(browser, f"{server.url}/dashboard/debates/{SLUG}", 390)
    page.get_by_label("Email").fill(AUTHOR_EMAIL)
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/dashboard/debates/{SLUG}")
    section = page.locator("#embedding")
    expect(section).to_contain_text("Any site may show this poll in a frame.")
    page.evaluate("window.notReloaded = true")

    section.get_by_label("Only the sites listed below").check()
    section.get_by_label("Sites, one per line").fill("blog.example.com")
    section.get_by_role("button", name="Set who may embed").click()
    expect(section.get_by_role("alert")).to_contain_text("start it with https://")
    expect(section.get_by_label("Sites, one per line")).to_have_value("blog.example.com")
    expect(section).to_contain_text("Any site may show this poll in a frame.")

    section.get_by_label("Sites, one per line").fill("https://blog.example.com")
    section.get_by_role("button", name="Set who may embed").click()
    expect(section).to_contain_text(
        "Only https://blog.example.com may show this poll in a frame. Saved."
    )
    assert page.evaluate("window.notReloaded") is True
    embed = page.request.get(f"{server.url}/embed/{SLUG}")
    assert (
        "frame-ancestors 'self' https://blog.example.com"
        in embed.headers["content-security-policy"]
    )
    page.context.close()
    assert [e for e in page.errors if "400" not in e] == []
