"""A snippet pasted into a page on another site, in Debian's Chromium: the poll votes,
resizes itself, remembers the reader across reloads, and counts exactly."""

import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from browser import CHROMIUM, CHROMIUM_ARGS, OtherSite, assert_frame_fits
from helpers import SLUG, api_results

pytestmark = pytest.mark.browser
GHOST_POST = Path(__file__).parent / "ghost_post.html"
SNIPPET = re.compile(r'<textarea id="snippet-(\d+)"[^>]*>(.*?)</textarea>', re.S)


def blog_site(snippet: str, column_px: int) -> OtherSite:
    """Another site (localhost, not 127.0.0.1) whose post pastes the snippet."""
    return OtherSite(
        "localhost",
        f"<!doctype html><html lang=en><title>A blog post</title><body>"
        f"<h1>My post</h1><div style='width:{column_px}px'>{snippet}</div>"
        f"<p id=after>After the poll.</p></body></html>",
    )


def ghost_post(snippet: str) -> OtherSite:
    """A post as Ghost publishes it (Ghost 5, the theme Casper): the snippet pasted as
    an HTML card, raw between Ghost's card comments, each of its elements an item of
    the content's grid, spaced by the theme's `* + *` rule."""
    return OtherSite("localhost", GHOST_POST.read_text().replace("<!-- the snippet -->", snippet))


def copied_snippet(app, url: str, index: int) -> str:
    """The snippet as a site owner copies it from the debate page served at `url`."""
    page = app.test_client().get(f"/debates/{SLUG}", base_url=url).get_data(as_text=True)
    snippets = {int(n): html.unescape(text) for n, text in SNIPPET.findall(page)}
    return snippets[index]


def launch(playwright, *extra_args):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + list(extra_args)
    )


@pytest.fixture
def blog(live_server, app):
    sites = []

    def open_blog(index: int = 1, column_px: int = 720) -> OtherSite:
        site = blog_site(copied_snippet(app, live_server.url, index), column_px).__enter__()
        sites.append(site)
        return site

    yield open_blog
    for site in sites:
        site.__exit__()


def frame_of(page):
    return page.frame_locator("iframe")


def vote_and_reload(browser, blog_site, app):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(blog_site.url)
    frame = frame_of(page)
    card = frame.locator("#claim-customization")
    expect(card).to_be_visible()
    iframe = page.locator("iframe")
    height_before = iframe.evaluate("frame => frame.getBoundingClientRect().height")
    card.get_by_role("button", name="Agree", exact=True).click()
    expect(card.locator(".item-results")).to_contain_text("You chose agree")
    page.wait_for_function(
        "before => document.querySelector('iframe').getBoundingClientRect().height > before",
        arg=height_before,
    )
    page.reload()
    card = frame_of(page).locator("#claim-customization")
    expect(card.get_by_role("button", name="Agree", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    context.close()
    claim = next(c for c in api_results(app.test_client())["claims"] if c["key"] == "customization")
    return claim


@pytest.mark.parametrize(
    "blocking",
    [[], ["--test-third-party-cookie-phaseout"]],
    ids=["default", "third-party-cookies-blocked"],
)
def test_a_pasted_snippet_votes_resizes_and_remembers_the_reader(blog, app, blocking):
    with sync_playwright() as playwright:
        browser = launch(playwright, *blocking)
        claim = vote_and_reload(browser, blog(), app)
        browser.close()
    assert (claim["agree"], claim["total"]) == (1, 1)


def test_without_any_cookie_voting_works_for_the_life_of_the_page(blog, app, tmp_path):
    site = blog(index=3, column_px=360)  # one claim alone, in a narrow column
    # A browser profile whose settings block every cookie, first- and third-party.
    (tmp_path / "Default").mkdir()
    (tmp_path / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"default_content_setting_values": {"cookies": 2}}})
    )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path, executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = context.new_page()
        page.goto(site.url)
        card = frame_of(page).locator("article.claim")
        card.get_by_role("button", name="Disagree", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose disagree")
        card.get_by_role("button", name="Not sure", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose not sure")
        assert context.cookies() == []
        context.close()
    results = api_results(app.test_client())
    claim = results["claims"][0]
    assert (claim["disagree"], claim["unsure"], claim["total"]) == (0, 1, 1)
    assert results["readers"] == 1


def test_without_javascript_the_noscript_frame_votes_by_form_post(blog, app):
    site = blog(index=2)  # the closing question
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(site.url)
        question = frame_of(page).locator("#question")
        question.get_by_role("button", name="Not sure", exact=True).click()
        expect(frame_of(page).locator("#question-results")).to_contain_text(
            "Your answer is recorded"
        )
        page.reload()
        expect(
            frame_of(page).locator("#question").get_by_role("button", name="Not sure", exact=True)
        ).to_have_attribute("aria-pressed", "true")
        browser.close()
    question = api_results(app.test_client())["question"]
    assert question["total"] == 1
    assert {o["key"]: o["votes"] for o in question["options"]}["not-sure"] == 1


def agree_in_a_blogs_frame(live_server, frame_attributes: str = "") -> str:
    """Agree with a claim inside its embed, framed by a blog on another origin (with
    `frame_attributes`, a sandbox say); the reader sees their vote. The blog's origin."""
    frame = (
        f'<iframe {frame_attributes} title="poll" style="width:100%;height:700px"'
        f' src="{live_server.url}/embed/{SLUG}/claims/customization"></iframe>'
    )
    with blog_site(frame, 720) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(site.url)
        card = frame_of(page).locator("#claim-customization")
        card.get_by_role("button", name="Agree", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose agree")
        browser.close()
    return site.url.removesuffix("/post")


def test_a_frame_sandboxed_as_wordpress_does_still_counts_the_vote(live_server, app):
    """WordPress frames an untrusted provider with sandbox="allow-scripts": no forms,
    no origin of its own. The poll's htmx sends the vote itself, the server takes
    `Origin: null` with the frame's token, and the reader sees their vote counted."""
    agree_in_a_blogs_frame(live_server, 'sandbox="allow-scripts"')
    claim = next(c for c in api_results(app.test_client())["claims"] if c["key"] == "customization")
    assert claim["agree"] == 1


def test_the_frame_speaks_wordpress_s_embed_protocol(live_server, app):
    """What WordPress makes of the oEmbed answer: the frame sandboxed, hidden behind
    its blockquote, its src with "#?secret=". The poll posts WordPress's own height
    message with that secret on every change, and links out as link messages."""
    src = f"{live_server.url}/embed/{SLUG}/claims/customization#?secret=s3cr3t"
    post = (
        '<blockquote class="wp-embedded-content" data-secret="s3cr3t"><a href="x">poll</a>'
        '</blockquote><iframe class="wp-embedded-content" sandbox="allow-scripts" '
        f'security="restricted" data-secret="s3cr3t" src="{src}" width="600" height="400">'
        "</iframe><script>window.seen = []; window.addEventListener('message', "
        "function (e) { if (e.data && e.data.secret) window.seen.push(e.data); });</script>"
    )
    with blog_site(post, 720) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(site.url)
        page.wait_for_function("window.seen.some(m => m.message === 'height')")
        height = page.evaluate("window.seen.find(m => m.message === 'height').value")
        assert 200 < height < 2000
        frame_of(page).get_by_role("link", name="Read the whole essay").click()
        page.wait_for_function("window.seen.some(m => m.message === 'link')")
        link = page.evaluate("window.seen.find(m => m.message === 'link')")
        assert link["value"] == f"{live_server.url}/debates/{SLUG}" and link["secret"] == "s3cr3t"
        browser.close()


def test_two_embeds_of_one_debate_on_a_page_stay_in_step(live_server, app):
    """The closing question alone and the whole debate, in one post: answering in one
    shows the reader's answer in the other, without a reload."""
    frames = "".join(
        f'<iframe title="{name}" style="width:100%;height:900px" '
        f'src="{live_server.url}/embed/{SLUG}{path}"></iframe>'
        for name, path in (("question", "/question"), ("debate", ""))
    )
    with blog_site(frames, 720) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(site.url)
        question = page.frame_locator("iframe[title=question]").locator("#question")
        whole = page.frame_locator("iframe[title=debate]").locator("#question")
        expect(whole).to_be_attached()
        question.get_by_role("button", name="Not sure").click()
        expect(question.get_by_role("button", name="Not sure")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(whole.get_by_role("button", name="Not sure")).to_have_attribute(
            "aria-pressed", "true"
        )
        browser.close()
    assert api_results(app.test_client())["question"]["total"] == 1


def test_in_wordpress_s_sandbox_the_whole_debate_fits_1000_px_and_every_item_votes(
    live_server, app
):
    """WordPress caps its frames at 1,000 px: there the whole debate is a stepper, one
    item at a time, never taller than that at 360 px, and every claim can be voted on."""
    src = f"{live_server.url}/embed/{SLUG}#?secret=abc"
    post = (
        f'<iframe sandbox="allow-scripts" src="{src}" style="width:360px;height:1000px">'
        "</iframe><script>window.heights = []; window.addEventListener('message', "
        "function (e) { if (e.data && e.data.message === 'height') "
        "window.heights.push(e.data.value); });</script>"
    )
    with blog_site(post, 360) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 400, "height": 900})
        page.goto(site.url)
        frame = frame_of(page)
        expect(frame.locator(".stepper-place")).to_have_text("1 of 11")
        for _ in range(2):
            frame.get_by_role("button", name="Next").click()
        claim = frame.locator(".claim:not([hidden])")
        claim.get_by_role("button", name="Agree", exact=True).click()
        expect(claim.locator(".item-results")).to_contain_text("You chose agree")
        for _ in range(8):
            frame.get_by_role("button", name="Next").click()
        expect(frame.locator(".stepper-place")).to_have_text("11 of 11")
        page.wait_for_function("window.heights.length > 0")
        tallest = page.evaluate("Math.max(...window.heights)")
        browser.close()
    assert tallest <= 1000
    results = api_results(app.test_client())
    assert sum(claim["agree"] for claim in results["claims"]) == 1


@pytest.mark.parametrize("width", [360, 1024])
def test_a_snippet_in_a_ghost_html_card_votes_and_fits(live_server, app, width):
    """The whole debate's snippet pasted in a Ghost post's HTML card: the frame takes
    the content column, is as tall as the poll, and stays so as a vote adds results."""
    snippet = copied_snippet(app, live_server.url, 1)
    with ghost_post(snippet) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(site.url)
        iframe = page.locator(".gh-content iframe")
        column = page.locator(".gh-content > p").first.bounding_box()["width"]
        assert iframe.bounding_box()["width"] == pytest.approx(column, abs=1)
        assert_frame_fits(iframe)
        card = frame_of(page).locator("#claim-customization")
        card.get_by_role("button", name="Agree", exact=True).click()
        expect(card.locator(".item-results")).to_contain_text("You chose agree")
        assert_frame_fits(iframe)
        browser.close()
    claim = next(c for c in api_results(app.test_client())["claims"] if c["key"] == "customization")
    assert claim["agree"] == 1
