"""The poll in a real WordPress (Debian's package, the theme twentytwentythree), as an
author embeds it: a post whose body is the debate's URL on a line of its own, and
one with a single claim's embed URL. Read in Chromium, with and without third-party
cookies, at 360 and 1,024 px, light and dark: a vote inside the frame counts, and
the frame is as tall as the poll (within WordPress's 200-1,000 px for the frame it
sandboxes). With the plugin of integrations/wordpress, the frame is the snippet's
own: not sandboxed, the full layout, as tall as the poll.

Screenshots of every post, before and after the vote, go to test-artifacts/wordpress/.
The debate runs on SQLite in both CI runs (nothing here depends on the database),
so the PostgreSQL run skips this module.
"""

import contextlib
import os
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from browser import CHROMIUM, CHROMIUM_ARGS, assert_frame_fits
from helpers import POSTGRES_URL, make_app, reset_database
from live import ROOT, SLUG, Gunicorn
from wordpress import PLUGIN_FILE, PrivateMariaDB, WordPress, missing_tools

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(
        POSTGRES_URL is not None,
        reason="WordPress's embeds do not depend on the database: they run once, on SQLite",
    ),
]
SCREENSHOTS = ROOT / "test-artifacts" / "wordpress"
COOKIES = {"default": [], "third-party-cookies-blocked": ["--test-third-party-cookie-phaseout"]}
# Every width and theme with the browser's defaults; two of them without third-party cookies.
VIEWS = {
    "default": [(360, "light"), (360, "dark"), (1024, "light"), (1024, "dark")],
    "third-party-cookies-blocked": [(360, "dark"), (1024, "light")],
}
# The claim a reader agrees with: the compact poll's first, or the post's only one.
CLAIM_VOTED = {"debate": "compounding-innovation", "claim": "customization"}
WORDPRESS_MIN, WORDPRESS_MAX = 200, 1000  # wp-embed.js clamps a frame's height to these


@dataclass
class Blog:
    wordpress: WordPress
    debate: Gunicorn

    def post(self, kind: str) -> str:
        """A new post (WordPress keeps each post's oEmbed answer) of one embed's URL."""
        path = f"/debates/{SLUG}" if kind == "debate" else f"/embed/{SLUG}/claims/customization"
        return self.wordpress.publish(f"A post with the {kind}", f"{self.debate.url}{path}")

    def agreed(self, claim_key: str) -> int:
        """The claim's agree count, from the JSON API."""
        results = requests.get(f"{self.debate.url}/api/debates/{SLUG}/results", timeout=10).json()
        return next(c["agree"] for c in results["claims"] if c["key"] == claim_key)


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    missing = missing_tools()
    if missing:
        reason = f"a real WordPress needs Debian's {', '.join(missing)} (.ci/run installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    database = f"sqlite:///{tmp_path_factory.mktemp('wordpress') / 'debate.sqlite'}"
    reset_database(make_app(database))
    with (
        Gunicorn(database, workers=2, DEBATE_RESULTS_POLL_SECONDS="1") as debate,
        PrivateMariaDB() as mariadb,
        WordPress(mariadb, debate.url) as wordpress,
    ):
        yield Blog(wordpress, debate)


@pytest.fixture(scope="module")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def launch(playwright, cookies: str):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + COOKIES[cookies]
    )


def open_post(browser, url: str, width: int, scheme: str, debate_url: str):
    """The post in a new context; page.errors collects what the browser reports of the
    debate's frame (a request CORS refuses, a script error)."""
    context = browser.new_context(viewport={"width": width, "height": 1400}, color_scheme=scheme)
    page = context.new_page()
    page.errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and message.location.get("url", "").startswith(debate_url)
            and page.errors.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url)
    return context, page


def sandboxed_frame(page):
    """WordPress's frame for an untrusted provider, shown once the poll spoke to it."""
    iframe = page.locator("iframe.wp-embedded-content")
    expect(iframe).to_have_attribute("sandbox", "allow-scripts")
    # The frame shows once its first height arrives: the first page a cold gunicorn
    # worker draws on a busy CI machine may take longer than expect's 5 s.
    try:
        expect(page.locator("blockquote.wp-embedded-content")).to_be_hidden(timeout=20_000)
    except AssertionError as error:  # say where the frame got to
        frames = [frame.url for frame in page.frames]
        raise AssertionError(f"{error}\nframes: {frames}\nerrors: {page.errors}") from None
    expect(iframe).to_be_visible()
    return iframe


def vote_in_sandbox(page, kind: str) -> None:
    """Agree with the post's claim inside WordPress's frame."""
    frame = page.frame_locator("iframe.wp-embedded-content")
    if kind == "debate":  # the compact poll: the stance question first, then the claims
        expect(frame.locator(".stepper-place")).to_have_text("1 of 11")
        frame.get_by_role("button", name="Next").click()
    card = frame.locator(f"#claim-{CLAIM_VOTED[kind]}")
    card.get_by_role("button", name="Agree", exact=True).click()
    expect(card.locator(".item-results")).to_contain_text("You chose agree")
    # One item at a time, as wide as the poll (the frame is a column's width, 650 px
    # in this theme: one column of the two cases, not half of the frame).
    poll = frame.locator("#main").bounding_box()
    assert card.bounding_box()["width"] > 0.85 * poll["width"]


@pytest.mark.parametrize("cookies", COOKIES)
@pytest.mark.parametrize("kind", ["debate", "claim"])
def test_a_post_embeds_the_poll_sandboxed_and_a_vote_inside_counts(
    blog, screenshots, kind, cookies
):
    url = blog.post(kind)
    with sync_playwright() as playwright:
        browser = launch(playwright, cookies)
        for width, scheme in VIEWS[cookies]:
            context, page = open_post(browser, url, width, scheme, blog.debate.url)
            iframe = sandboxed_frame(page)
            assert_frame_fits(iframe, (WORDPRESS_MIN, WORDPRESS_MAX))
            name = f"{kind}-{cookies}-{width}-{scheme}"
            page.screenshot(path=screenshots / f"{name}-before.png")
            agreed = blog.agreed(CLAIM_VOTED[kind])
            vote_in_sandbox(page, kind)
            assert blog.agreed(CLAIM_VOTED[kind]) == agreed + 1
            assert_frame_fits(iframe, (WORDPRESS_MIN, WORDPRESS_MAX))
            page.screenshot(path=screenshots / f"{name}-after.png")
            if kind == "debate":
                page.wait_for_timeout(1200)  # the results panel refreshes every second
            # The vote went with the frame's cookie: back on the post, the poll knows
            # its reader (partitioned by the blog, so even with third-party cookies
            # blocked) and shows their vote.
            page.reload()
            agree = page.frame_locator("iframe.wp-embedded-content").locator(
                f"#claim-{CLAIM_VOTED[kind]} .choice[value=agree]"
            )
            expect(agree).to_have_attribute("aria-pressed", "true")
            assert blog.agreed(CLAIM_VOTED[kind]) == agreed + 1
            context.close()
            assert page.errors == []
        browser.close()


def test_a_link_in_the_sandboxed_poll_opens_in_the_post_s_window(blog):
    """The sandbox blocks top navigation and popups: the poll hands its links to
    WordPress (a link message), which opens them in the reader's window."""
    url = blog.post("claim")
    with sync_playwright() as playwright:
        browser = launch(playwright, "default")
        context, page = open_post(browser, url, 1024, "light", blog.debate.url)
        sandboxed_frame(page)
        frame = page.frame_locator("iframe.wp-embedded-content")
        frame.get_by_role("link", name="Read the whole essay").click()
        page.wait_for_url(f"{blog.debate.url}/debates/{SLUG}")
        context.close()
        browser.close()


# A parent that starts listening after the frame sent its first height (a deferred or
# slow script): WordPress's wp-embed.js then sends each frame a "ready" message, and
# the poll must send its height again; an embed script that never asks (WordPress's
# before it had "ready", or a theme's copy) must hear it all the same, or the frame
# stays hidden behind its blockquote for good.
LATE_PARENTS = {
    "asks-ready": """
window.heard = false;
window.addEventListener("message", function () { window.heard = true; });
function late() {
  var script = document.createElement("script");
  script.src = "/wp-includes/js/wp-embed.js";
  script.onload = function () { window.dispatchEvent(new Event("load")); };
  document.body.appendChild(script);
}
document.querySelector("iframe").addEventListener("load", function () {
  var wait = setInterval(function () {
    if (window.heard) { clearInterval(wait); late(); }
  }, 50);
});""",
    "never-asks": """
document.querySelector("iframe").addEventListener("load", function () {
  setTimeout(function () {
    window.addEventListener("message", function (event) {
      var data = event.data, frame = document.querySelector("iframe");
      if (!data || data.message !== "height" || data.secret !== frame.dataset.secret) return;
      document.querySelector("blockquote").style.display = "none";
      frame.removeAttribute("style");
      frame.height = Math.max(200, Math.min(1000, parseInt(data.value, 10)));
    });
  }, 500);
});""",
}


@pytest.mark.parametrize("parent", LATE_PARENTS)
def test_a_parent_that_listens_late_still_hears_the_poll_s_height(blog, parent):
    secret = "late0" + parent.replace("-", "")
    src = f"{blog.debate.url}/embed/{SLUG}/claims/customization#?secret={secret}"
    (blog.wordpress.docroot / f"{parent}.html").write_text(
        f"""<!doctype html><html lang=en><title>A parent that listens late</title><body>
<blockquote class="wp-embedded-content" data-secret="{secret}"><a href="{src}">poll</a></blockquote>
<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"
  style="position: absolute; clip: rect(1px, 1px, 1px, 1px);" title="poll"
  src="{src}" data-secret="{secret}" width="600" height="3000" frameborder="0"></iframe>
<script>{LATE_PARENTS[parent]}</script></body></html>"""
    )
    with sync_playwright() as playwright:
        browser = launch(playwright, "default")
        context, page = open_post(
            browser, f"{blog.wordpress.url}/{parent}.html", 1024, "light", blog.debate.url
        )
        iframe = sandboxed_frame(page)
        assert_frame_fits(iframe, (WORDPRESS_MIN, WORDPRESS_MAX))
        context.close()
        browser.close()


@contextlib.contextmanager
def plugin(blog):
    """integrations/wordpress's plugin, active, with the debate's host in its setting."""
    blog.wordpress.php("option", "debate_embeds_host", blog.debate.url)
    blog.wordpress.php("activate", PLUGIN_FILE)
    try:
        yield
    finally:
        blog.wordpress.php("deactivate", PLUGIN_FILE)


def sandboxed(url: str) -> bool:
    return 'sandbox="allow-scripts"' in requests.get(url, timeout=30).text


@pytest.mark.parametrize("kind", ["debate", "claim"])
def test_with_the_plugin_the_post_embeds_the_whole_poll_unsandboxed(blog, screenshots, kind):
    """A trusted provider's answer is inserted as it is: embed.js makes the frame,
    which keeps the poll's full layout and is exactly as tall as the poll. A post
    published before the plugin is turned on gets it too, and is sandboxed again
    once the plugin is off (WordPress keeps each post's embed: the plugin makes it
    forget the host's)."""
    url = blog.post(kind)
    assert sandboxed(url)
    with plugin(blog):
        assert not sandboxed(url)
        check_the_trusted_poll(blog, screenshots, url, kind)
    assert sandboxed(url)


def check_the_trusted_poll(blog, screenshots, url: str, kind: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright, "default")
        for width, scheme in [(360, "light"), (1024, "dark")]:
            context, page = open_post(browser, url, width, scheme, blog.debate.url)
            expect(page.locator(".wp-embedded-content")).to_have_count(0)
            iframe = page.locator("[data-debate-embed] iframe")
            expect(iframe).to_be_visible()
            assert iframe.get_attribute("sandbox") is None
            frame = page.frame_locator("[data-debate-embed] iframe")
            card = frame.locator(f"#claim-{CLAIM_VOTED[kind]}")
            expect(card).to_be_visible()
            expect(frame.locator(".stepper")).to_have_count(0)
            assert_frame_fits(iframe)
            name = f"{kind}-plugin-{width}-{scheme}"
            page.screenshot(path=screenshots / f"{name}-before.png")
            agreed = blog.agreed(CLAIM_VOTED[kind])
            card.get_by_role("button", name="Agree", exact=True).click()
            expect(card.locator(".item-results")).to_contain_text("You chose agree")
            assert blog.agreed(CLAIM_VOTED[kind]) == agreed + 1
            assert_frame_fits(iframe)
            page.screenshot(path=screenshots / f"{name}-after.png")
            context.close()
            assert page.errors == []
        browser.close()
