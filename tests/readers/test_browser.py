"""A reader in a real browser: clicking, keyboard, no JavaScript, and axe-core."""

import pytest
from playwright.sync_api import expect

from browser import axe_violations, page_recording_errors
from helpers import SLUG, api_results

pytestmark = pytest.mark.browser


def button(scope, name: str):
    """The vote button with exactly this name inside `scope`."""
    return scope.get_by_role("button", name=name, exact=True)


def open_debate(browser, live_server, **context_options):
    """A new browser context on the debate page that records script and CSP errors."""
    return page_recording_errors(browser, f"{live_server.url}/debates/{SLUG}", **context_options)


@pytest.fixture
def page(browser, live_server):
    """The debate page under its real Content-Security-Policy."""
    page = open_debate(browser, live_server)
    yield page
    page.context.close()
    assert page.errors == []


@pytest.fixture
def axe_page(browser, live_server):
    """The debate page with CSP bypassed, so axe-core can be injected."""
    page = open_debate(browser, live_server, bypass_csp=True)
    yield page
    page.context.close()
    assert page.errors == []


def test_reader_votes_by_clicking_and_results_update_in_place(page, app):
    page.evaluate("window.notReloaded = true")
    button(page.locator("#stance-before"), "Open source").click()
    expect(page.locator("#stance-before-results")).to_contain_text("You chose open source")

    card = page.locator("#claim-transparency-and-trust")
    button(card, "Agree").click()
    expect(card.locator(".item-results")).to_contain_text("100% of 1 vote agree")
    expect(button(card, "Agree")).to_have_attribute("aria-pressed", "true")

    button(card, "Disagree").click()
    expect(card.locator(".item-results")).to_contain_text("You chose disagree")
    expect(button(card, "Agree")).to_have_attribute("aria-pressed", "false")

    button(page.locator("#question"), "Not sure").click()
    expect(page.locator("#question-results")).to_contain_text("Your answer is recorded")
    button(page.locator("#stance-after"), "Closed source").click()
    expect(page.locator("#results .verdict")).to_contain_text(
        "Too early to call: 1 reader answered both before and after reading"
    )
    expect(page.locator("#results-summary")).to_contain_text("1 reader has voted, casting 4 votes")

    assert page.evaluate("window.notReloaded") is True
    results = api_results(app.test_client())
    claim = next(c for c in results["claims"] if c["key"] == "transparency-and-trust")
    assert (claim["agree"], claim["disagree"], claim["total"]) == (0, 1, 1)
    assert results["stance"]["after"]["closed"] == 1


def test_results_panel_updates_when_another_reader_votes(page, browser, live_server):
    expect(page.locator("#results-summary")).to_contain_text("0 readers have voted")
    expect(page.locator("#readers-so-far")).to_have_text("0 readers have voted so far.")
    other = browser.new_context()
    other_page = other.new_page()
    other_page.goto(f"{live_server.url}/debates/{SLUG}")
    button(other_page.locator("#question"), "Not sure").click()
    expect(other_page.locator("#question-results")).to_contain_text("1 vote")
    other.close()
    expect(page.locator("#results-summary")).to_contain_text("1 reader has voted", timeout=5000)
    expect(page.locator("#results")).to_contain_text("Not sure")
    # The count at the top of the page follows the panel's.
    expect(page.locator("#readers-so-far")).to_have_text("1 reader has voted so far.")


def test_keyboard_voting_keeps_focus_on_the_chosen_button(page):
    not_sure = button(page.locator("#claim-accountability"), "Not sure")
    not_sure.focus()
    page.keyboard.press("Enter")
    expect(not_sure).to_have_attribute("aria-pressed", "true")
    focused = page.evaluate("document.activeElement.closest('article')?.id")
    assert focused == "claim-accountability"


def test_voting_works_without_javascript(browser, live_server, app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/debates/{SLUG}")
    button(page.locator("#claim-customization"), "Agree").click()
    page.wait_for_url(f"**/debates/{SLUG}#claim-customization")
    expect(page.locator("#claim-customization .item-results")).to_contain_text("You chose agree")
    button(page.locator("#stance-before"), "Undecided").click()
    page.wait_for_url(f"**/debates/{SLUG}#stance-before")
    expect(page.locator("#results-summary")).to_contain_text("1 reader has voted, casting 2")
    context.close()
    results = api_results(app.test_client())
    assert results["stance"]["before"]["undecided"] == 1
    assert next(c for c in results["claims"] if c["key"] == "customization")["agree"] == 1


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_or_critical_violation(axe_page, width):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 900})
    assert axe_violations(page) == []
    button(page.locator("#stance-before"), "Closed source").click()
    button(page.locator("#claim-customization"), "Agree").click()
    expect(page.locator("#claim-customization .item-results")).to_contain_text("You chose")
    button(page.locator("#question"), "Not sure").click()
    expect(page.locator("#results")).to_contain_text("1 reader has voted")
    assert axe_violations(page) == []


def test_axe_check_reports_a_known_violation(browser):
    """The accessibility check itself works: a button without a name is caught."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html lang=en><title>t</title><main><button></button></main></html>")
    assert [v["id"] for v in axe_violations(page)] == ["button-name"]
    context.close()


def test_on_a_phone_the_answers_share_one_row_and_progress_follows_the_reader(browser, live_server):
    page = page_recording_errors(browser, f"{live_server.url}/debates/{SLUG}", 360)
    card = page.locator("#claim-customization")
    buttons = card.locator(".choice")

    def boxes():
        return [buttons.nth(i).bounding_box() for i in range(3)]

    before = boxes()
    assert len({round(box["y"]) for box in before}) == 1, "one row"
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.choice')]"
        ".filter(b => b.scrollWidth > b.clientWidth + 1).length"
    )
    assert overflowing == 0 and page.evaluate("document.documentElement.scrollWidth") == 360
    card.get_by_role("button", name="Not sure", exact=True).click()
    expect(card.get_by_role("button", name="Not sure", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    after = boxes()
    assert [(round(b["x"]), round(b["width"]), round(b["height"])) for b in after] == [
        (round(b["x"]), round(b["width"]), round(b["height"])) for b in before
    ]
    expect(page.locator("#my-progress")).to_have_text("You have voted on 1 of 7 claims.")
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("path", "width"),
    [
        (f"/debates/{SLUG}", 360),
        (f"/embed/{SLUG}", 640),
        (f"/embed/{SLUG}", 360),
        (f"/embed/{SLUG}", 296),  # a phone's blog column, as in WordPress's frame
        (f"/embed/{SLUG}/claims/customization", 280),
    ],
)
def test_every_answer_fits_on_one_line_in_a_narrow_card(browser, live_server, path, width):
    """A card's own width decides how tight its answers are: in a column of a
    two-column embed, as on a phone or in a blog's narrow frame, no label overflows
    or comes within 4 px of its border, and a claim's answers take one line each
    (a stance's two-word sides may take two)."""
    page = page_recording_errors(browser, f"{live_server.url}{path}", width)
    cramped = page.evaluate(
        """[...document.querySelectorAll('.claim .choice, .stance .choice')].filter(button => {
            const range = document.createRange();
            range.selectNodeContents(button);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            const text = range.getBoundingClientRect(), box = button.getBoundingClientRect();
            const room = Math.min(text.left - box.left, box.right - text.right);
            const wraps = lines.size > 1 && button.closest('.claim') !== null;
            return wraps || button.scrollWidth > button.clientWidth || room < 4;
        }).map(button => button.textContent.trim())"""
    )
    assert cramped == []
    assert page.errors == []
    page.context.close()
