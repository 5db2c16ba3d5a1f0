"""In Chromium, a vote from an embed records the site that framed it: the frame's
script reads the framing page's origin, plain frames and WordPress's sandbox alike."""

import pytest
from playwright.sync_api import expect, sync_playwright
from test_embed_browser import BlogSite, frame_of, launch

from debate.store.db import db
from debate.store.models import Vote
from helpers import SLUG

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("sandbox", ["", 'sandbox="allow-scripts"'], ids=["framed", "sandboxed"])
def test_an_embedded_vote_records_the_framing_sites_origin(live_server, app, sandbox):
    frame = (
        f'<iframe {sandbox} title="poll" style="width:100%;height:700px"'
        f' src="{live_server.url}/embed/{SLUG}/claims/customization"></iframe>'
    )
    with BlogSite(frame, 720) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(site.url)
        card = frame_of(page).locator("#claim-customization")
        card.get_by_role("button", name="Agree", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose agree")
        browser.close()
    blog_origin = site.url.removesuffix("/post")
    with app.app_context():
        assert db.session.execute(db.select(Vote.site)).scalars().all() == [blog_origin]
