"""When readers see results: cards, the public panel and the JSON API follow one rule."""

import re

import pytest

from helpers import SLUG, api_results, make_debate, update_debate


def set_poll(app, visibility: str, voting_open: bool = True) -> None:
    update_debate(app, results_visibility=visibility, voting_open=voting_open)


@pytest.mark.parametrize(
    ("rule", "voting_open", "voted", "item", "totals"),
    [
        ("always", True, False, True, True),
        ("after_vote", True, False, False, True),
        ("after_vote", True, True, True, True),
        ("after_close", True, True, False, False),
        ("after_close", False, False, True, True),
        ("after_vote", False, False, True, True),  # closed: everyone sees every item
    ],
)
def test_the_rule(rule, voting_open, voted, item, totals):
    debate = make_debate(results_visibility=rule, voting_open=voting_open)
    assert debate.item_results_visible[voted] is item
    assert debate.totals_visible is totals


def card_results(reader, key: str = "customization", **vote) -> str:
    if vote:
        response = reader.vote_claim(key, vote["choice"], htmx=True)
    else:
        response = reader.client.get(f"/debates/{SLUG}")
    html = response.get_data(as_text=True)
    start = html.index(f'id="claim-{key}-results"')
    return html[start : html.index("</div>", start)]


def test_after_vote_is_the_default_and_keeps_todays_cards(app, new_reader):
    new_reader().vote_claim("customization", "agree")
    reader = new_reader()
    assert "agree" not in card_results(reader)
    assert "You chose <strong>disagree</strong>" in card_results(reader, choice="disagree")
    assert "50% of 2 votes agree" in card_results(reader)


def test_always_shows_counts_before_voting(app, new_reader):
    set_poll(app, "always")
    new_reader().vote_claim("customization", "agree")
    html = card_results(new_reader())
    assert "100% of 1 vote agree" in html and "You chose" not in html


def test_after_close_hides_cards_panel_and_api_until_voting_closes(app, client, new_reader):
    set_poll(app, "after_close")
    reader = new_reader()
    html = card_results(reader, choice="agree")
    assert "You chose <strong>agree</strong>" in html
    assert "Results appear here once voting closes." in html and "% of" not in html
    panel = client.get(f"/debates/{SLUG}/results").get_data(as_text=True)
    assert "Results appear here once voting closes." in panel and "readers have voted" not in panel
    # Nor does the top of the page tell how many readers voted.
    page = new_reader().client.get(f"/debates/{SLUG}").get_data(as_text=True)
    assert "voted so far" not in page and 'id="readers-so-far"' not in page

    hidden = api_results(client)
    assert hidden["results_hidden"] is True and hidden["results_visibility"] == "after_close"
    assert "readers" not in hidden and "stance" not in hidden and "total" not in hidden["question"]
    assert hidden["claims"][3] == {"key": "customization", "side": "open", "title": "Customization"}
    assert set(hidden["question"]["options"][0]) == {"key", "label"}

    set_poll(app, "after_close", voting_open=False)
    shown = api_results(client)
    assert shown["results_hidden"] is False and shown["claims"][3]["agree"] == 1
    assert "100% of 1 vote agree" in card_results(new_reader())


def test_the_owner_signed_in_gets_counts_from_the_api_whatever_the_rule(
    app, author_client, new_reader
):
    set_poll(app, "after_close")
    new_reader().stance("before", "open")
    mine = api_results(author_client)
    assert mine["results_hidden"] is False and mine["stance"]["before"]["open"] == 1


def test_once_voting_closes_every_reader_sees_every_items_results(app, new_reader):
    card_results(new_reader(), choice="agree")
    set_poll(app, "after_vote", voting_open=False)
    html = card_results(new_reader())
    assert "100% of 1 vote agree" in html


@pytest.mark.parametrize(
    ("path", "items"),
    [
        (f"/debates/{SLUG}", 10),
        (f"/embed/{SLUG}", 10),
        (f"/embed/{SLUG}/question", 1),
        (f"/embed/{SLUG}/claims/customization", 1),
    ],
)
@pytest.mark.parametrize("rule", ["after_vote", "after_close"])
def test_a_closed_debate_has_one_banner_and_every_items_results(app, new_reader, path, items, rule):
    voter = new_reader()
    voter.stance("before", "open")
    voter.vote_claim("customization", "agree")
    voter.answer("coexistence")
    set_poll(app, rule, voting_open=False)
    html = new_reader().client.get(path).get_data(as_text=True)
    assert html.count("Voting on this debate is closed.") == 1
    assert html.index('id="voting-closed"') < html.index('class="vote"'), "at the top"
    cards = re.findall(r'class="item-results" role="status">(.*?)</div>', html, re.S)
    assert len(cards) == items
    assert all('<ul class="bars"' in card for card in cards), "counts for a reader who never voted"
