"""Clickjacking, in Debian's Chromium: a page on a site the author listed frames the
poll and its votes count; a page on any other site gets no frame at all (also in
WordPress's sandbox, whose frame has no origin: the check is on the page around
it); and a listed page that hides the frame or shrinks it to a pixel gets no vote
from a click inside."""

import pytest
from playwright.sync_api import expect, sync_playwright

from browser import CHROMIUM, CHROMIUM_ARGS, OtherSite
from helpers import SLUG, api_results, update_debate

pytestmark = pytest.mark.browser
CLAIM = "customization"


def host_page(host: str, src: str, frame_attributes: str = "", above: str = "") -> OtherSite:
    """A page on another loopback origin that frames one embed, styled as given."""
    return OtherSite(
        host,
        "<!doctype html><html lang=en><title>A post</title><body><h1>A post</h1>"
        f'<iframe title="poll" src="{src}" {frame_attributes}></iframe>{above}'
        "<p>After the poll.</p></body></html>",
    )


@pytest.fixture
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def agrees(app) -> int:
    claims = api_results(app.test_client())["claims"]
    return next(c for c in claims if c["key"] == CLAIM)["agree"]


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(url)
    return page


@pytest.mark.parametrize("sandbox", ["", 'sandbox="allow-scripts"'], ids=["plain", "wordpress"])
def test_a_listed_site_frames_the_poll_and_any_other_gets_no_frame(
    live_server, app, chromium, sandbox
):
    src = f"{live_server.url}/embed/{SLUG}/claims/{CLAIM}"
    style = f'{sandbox} style="width:600px;height:500px"'
    with host_page("127.0.0.2", src, style) as listed, host_page("127.0.0.3", src, style) as other:
        update_debate(app, embed_any_site=False, embed_allowed_sites=listed.origin)

        page = open_page(chromium, other.url)
        page.wait_for_load_state("load")
        frame = page.frame_locator("iframe")
        expect(frame.locator("body")).not_to_contain_text("Agree")
        assert any("frame-ancestors" in error for error in page.console_errors)
        assert agrees(app) == 0

        page = open_page(chromium, listed.url)
        card = page.frame_locator("iframe").locator(f"#claim-{CLAIM}")
        card.get_by_role("button", name="Agree", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose agree")
        assert not any("frame-ancestors" in error for error in page.console_errors)
    assert agrees(app) == 1


# A decoy drawn over the frame that lets clicks through to it.
DECOY = (
    '<div style="position:absolute;top:0;left:0;width:700px;height:700px;background:#fff;'
    'pointer-events:none">Click the button to win a prize</div>'
)


@pytest.mark.parametrize(
    ("frame_style", "above", "reason"),
    [
        ("width:600px;height:500px;opacity:0", "", "hidden"),
        ("width:600px;height:500px;opacity:0.1;position:relative;z-index:2", "", "hidden"),
        ("width:600px;height:500px", DECOY, "hidden"),
        ("width:1px;height:1px;border:0", "", "small"),
    ],
    ids=["transparent", "faint", "covered", "one-pixel"],
)
def test_a_hidden_or_tiny_frame_never_counts_a_click(
    live_server, app, chromium, frame_style, above, reason
):
    """The page is on the list, so the frame loads; it is only made invisible."""
    src = f"{live_server.url}/embed/{SLUG}/claims/{CLAIM}"
    with host_page("127.0.0.2", src, f'style="{frame_style}"', above) as host:
        update_debate(app, embed_any_site=False, embed_allowed_sites=host.origin)
        page = open_page(chromium, host.url)
        frame = page.frame_locator("iframe")
        agree = frame.locator(f"#claim-{CLAIM}").get_by_role("button", name="Agree", exact=True)
        expect(agree).to_be_attached()
        if reason == "small":
            agree.click(force=True)  # what a page that moves a pixel under the cursor gets
        else:
            agree.click()  # a real click where the reader sees something else
        message = frame.locator(f"#flash [data-not-sent={reason}]")
        expect(message).to_contain_text("Your vote was not sent.")
        page.wait_for_timeout(300)
        assert agree.get_attribute("aria-pressed") == "false"
    assert agrees(app) == 0
