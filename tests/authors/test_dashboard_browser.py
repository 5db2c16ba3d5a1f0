"""An author in a real browser: signs in, watches readers' votes arrive, runs the poll."""

import re

import pytest
from playwright.sync_api import expect

from browser import LiveServer, axe_violations, page_recording_errors
from debate.core.debate import QUESTION, QUESTION_KEY, STANCE
from debate.store.db import db
from debate.store.votes import Provenance, cast_vote
from helpers import (
    AUTHOR_EMAIL,
    AUTHOR_PASSWORD,
    SLUG,
    add_author,
    make_app,
    reset_database,
    stored_debate,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def server(database_uri):
    app = make_app(database_uri, DASHBOARD_POLL_SECONDS=1)
    reset_database(app)
    add_author(app)
    with LiveServer(app) as server:
        yield server


def signed_in_dashboard(browser, server, width: int = 1280, **context_options):
    """A new context that signs in through the form and opens the debate's dashboard."""
    page = page_recording_errors(
        browser, f"{server.url}/dashboard/debates/{SLUG}", width, **context_options
    )
    page.get_by_label("Email").fill(AUTHOR_EMAIL)
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/dashboard/debates/{SLUG}")
    return page


def vote_as_a_reader(browser, server) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/debates/{SLUG}")
    page.locator("#stance-before").get_by_role("button", name="Closed source").click()
    expect(page.locator("#stance-before-results")).to_contain_text("You chose")
    page.locator("#stance-after").get_by_role("button", name="Open source").click()
    expect(page.locator("#stance-after-results")).to_contain_text("You chose")
    context.close()


def test_the_dashboard_updates_in_place_when_a_reader_votes(browser, server):
    page = signed_in_dashboard(browser, server)
    expect(page.locator("#headline-readers")).to_have_text("0")
    page.evaluate("window.notReloaded = true")
    vote_as_a_reader(browser, server)
    expect(page.locator("#headline-readers")).to_have_text("1", timeout=5000)
    expect(page.locator("#headline-votes")).to_have_text("2")
    expect(page.locator("#verdict")).to_contain_text("1 reader answered both")
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Close voting").click()
    expect(page.locator("#controls")).to_contain_text("Voting is closed")
    expect(page.locator(".headline")).to_contain_text("Closed")
    radios = page.locator("#controls input[type=radio]")
    widths = {
        round(box["width"])
        for box in radios.evaluate_all(
            "all => all.map(radio => radio.getBoundingClientRect().toJSON())"
        )
    }
    assert len(widths) == 1, "a radio beside a two-line label is as wide as the others"
    page.get_by_label("Only once voting is closed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Only once voting is closed")).to_be_checked()
    expect(page.locator("#visibility-status")).to_have_text(
        "Saved: readers see results only once voting is closed."
    )
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Sign out").click()
    # A poll in flight when the session ends is answered with HX-Redirect to the sign-in
    # page naming where the author was (auth.send_to_sign_in), and may win the race.
    page.wait_for_url(re.compile(r"/sign-in(\?next=[^#]*)?$"))
    page.goto(f"{server.url}/dashboard/debates/{SLUG}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.context.close()
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_or_critical_violation_on_the_dashboard(browser, server, width):
    vote_as_a_reader(browser, server)
    page = signed_in_dashboard(browser, server, width, bypass_csp=True)
    expect(page.locator("#headline-readers")).to_have_text("1")
    assert axe_violations(page) == []
    page.context.close()
    assert page.errors == []


# Each table whose content does not fit the box it sits in, with what it hides.
TABLES_CUT_OFF = """() => [...document.querySelectorAll("table")].filter(table => {
  const box = table.parentElement;
  return table.getBoundingClientRect().right > window.innerWidth + 0.5
    || box.scrollWidth > box.clientWidth + 0.5;
}).map(table => table.querySelector("caption").textContent.trim())"""


# Each desktop table cell laid out as something else than a cell (a block breaks its row).
CELLS_OUT_OF_PLACE = """() => [...document.querySelectorAll("td, th")]
  .filter(cell => getComputedStyle(cell).display !== "table-cell")
  .map(cell => cell.textContent.trim())"""


# Each table cell with a border above it (the tables rule rows below only), and each
# shown caption narrower than its table (squeezed into a column of its own).
CELLS_RULED_ABOVE = """() => [...document.querySelectorAll("td, th")]
  .filter(cell => parseFloat(getComputedStyle(cell).borderTopWidth) > 0)
  .map(cell => cell.textContent.trim())"""
CAPTIONS_SQUEEZED = """() => [...document.querySelectorAll("caption")]
  .filter(caption => {
    const width = caption.getBoundingClientRect().width;
    return width > 1 && width < caption.closest("table").getBoundingClientRect().width - 1;
  })
  .map(caption => caption.textContent.trim())"""


def votes_from_two_sites(database_uri) -> None:
    """A reader on a blog answers the closing question (its longest answer); one on
    another site answers only a stance, so that site's row has no answer to show."""
    app = make_app(database_uri)
    with app.app_context():
        debate = stored_debate()
        blog, other = Provenance("https://blog.example.org", "0" * 16), Provenance("", "1" * 16)
        cast_vote(db.session, debate.id, STANCE, "before", "a" * 32, "open", provenance=blog)
        cast_vote(
            db.session, debate.id, QUESTION, QUESTION_KEY, "a" * 32, "coexistence", provenance=blog
        )
        cast_vote(db.session, debate.id, STANCE, "before", "b" * 32, "closed", provenance=other)
        db.session.commit()


@pytest.mark.parametrize("width", [390, 1280])
def test_every_dashboard_table_is_readable_without_scrolling(browser, server, width, database_uri):
    vote_as_a_reader(browser, server)
    votes_from_two_sites(database_uri)
    page = signed_in_dashboard(browser, server, width)
    page.locator("#figures details").evaluate_all("all => all.forEach(d => d.open = true)")
    assert page.locator("#figures table").count() >= 5
    expect(page.locator("#segments-sites").locator("..")).to_contain_text("No answers")
    assert page.evaluate(TABLES_CUT_OFF) == []
    assert page.evaluate(CELLS_RULED_ABOVE) == []
    assert page.evaluate(CAPTIONS_SQUEEZED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 390:
        # Each figure still sits under its column's name.
        row = page.locator("#changed-title ~ .table-scroll tbody tr").filter(
            has_text="Customization"
        )
        expect(row.locator("td").last).to_have_attribute("data-label", "Difference")
    else:
        assert page.evaluate(CELLS_OUT_OF_PLACE) == []
    page.context.close()
    assert page.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_sign_in_and_the_index_speak_to_authors_and_pass_axe(browser, server, width, scheme):
    page = page_recording_errors(
        browser, f"{server.url}/sign-in", width, color_scheme=scheme, bypass_csp=True
    )
    assert "flask" not in page.content(), "no server command for an author"
    page.get_by_label("Email").fill(AUTHOR_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_role("alert").filter(has_text="do not match")
    expect(error).to_be_visible()
    error_box = error.bounding_box()
    label_box = page.locator("label", has_text="Email").bounding_box()
    assert label_box["y"] - (error_box["y"] + error_box["height"]) >= 8, "apart from its label"
    assert axe_violations(page) == []

    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    expect(page.locator(".debate-list-item")).to_contain_text("0 readers · 0 votes · voting open")
    assert axe_violations(page) == []
    page.context.close()
