"""Height hints that fit: the oEmbed answer's height for a column's width, and the
snippet's, are within 15% of each embed's real height, measured in Chromium."""

import pytest
from playwright.sync_api import sync_playwright

from browser import CHROMIUM, CHROMIUM_ARGS
from helpers import CLAIM_KEYS, SLUG

pytestmark = pytest.mark.browser
WIDTHS = (360, 480, 720, 1024)
PATHS = [f"/embed/{SLUG}", f"/embed/{SLUG}/question"] + [
    f"/embed/{SLUG}/claims/{key}" for key in CLAIM_KEYS
]


def test_every_embeds_height_hint_is_within_15_percent(live_server, app):
    client = app.test_client()
    misses = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 800})
            for path in PATHS:
                page.goto(live_server.url + path)
                real = page.evaluate(
                    "Math.ceil(document.documentElement.getBoundingClientRect().height)"
                )
                hinted = client.get(
                    "/oembed", query_string={"url": f"http://localhost{path}", "maxwidth": width}
                ).get_json()["height"]
                if abs(hinted - real) > 0.15 * real:
                    misses.append((path, width, hinted, real))
            page.close()
        browser.close()
    assert misses == []


def test_a_single_claim_fits_one_phone_screen(live_server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 360, "height": 640})
        for key in CLAIM_KEYS:
            page.goto(f"{live_server.url}/embed/{SLUG}/claims/{key}")
            height = page.evaluate("document.documentElement.getBoundingClientRect().height")
            assert height <= 640, key
        browser.close()
