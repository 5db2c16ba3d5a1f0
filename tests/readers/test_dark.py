"""Dark mode: every page follows the reader's system setting (an embed also its
theme=dark|light), and axe-core finds no contrast or other serious problem in it."""

import pytest

from browser import axe_violations, page_recording_errors
from helpers import SLUG, Reader, add_author

pytestmark = pytest.mark.browser
BACKGROUND = "getComputedStyle(document.body).backgroundColor"
LIGHT_PAPER, DARK_PAPER = "rgb(253, 252, 248)", "rgb(22, 22, 24)"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    "path", [f"/debates/{SLUG}", f"/debates/{SLUG}/results", f"/embed/{SLUG}", "/sign-in"]
)
def test_pages_in_dark_mode_are_dark_and_readable(browser, live_server, app, path, width):
    Reader(app.test_client()).vote_claim("customization", "agree")  # bars to look at
    page = page_recording_errors(
        browser, live_server.url + path, width, color_scheme="dark", bypass_csp=True
    )
    assert page.evaluate(BACKGROUND) != LIGHT_PAPER
    assert axe_violations(page) == []
    assert page.errors == []
    page.context.close()


def test_an_embed_follows_the_theme_its_site_asks_for(browser, live_server):
    dark = page_recording_errors(
        browser, f"{live_server.url}/embed/{SLUG}?theme=dark", bypass_csp=True
    )
    light = page_recording_errors(
        browser,
        f"{live_server.url}/embed/{SLUG}?theme=light",
        color_scheme="dark",
        bypass_csp=True,
    )
    assert dark.evaluate(BACKGROUND) != light.evaluate(BACKGROUND)
    assert axe_violations(dark) == [] and axe_violations(light) == []
    dark.context.close()
    light.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dashboard_in_dark_mode(browser, live_server, app, width):
    add_author(app)
    page = page_recording_errors(
        browser, f"{live_server.url}/sign-in", width, color_scheme="dark", bypass_csp=True
    )
    page.fill("input[name=email]", "author@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/dashboard/debates/{SLUG}")
    assert page.evaluate(BACKGROUND) == DARK_PAPER
    assert axe_violations(page) == []
    page.context.close()
