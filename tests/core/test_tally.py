"""Counting arithmetic on hand-made numbers where the right answer is known."""

import pytest

from debate.core.tally import distribution, rounded_percentages, side_totals, swing

STANCES = ("open", "closed", "undecided")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 0, "b": 0}, {"a": 0, "b": 0}),
        ({"a": 1, "b": 1, "c": 1}, {"a": 34, "b": 33, "c": 33}),
        ({"a": 2, "b": 1}, {"a": 67, "b": 33}),
        ({"a": 1, "b": 0, "c": 0}, {"a": 100, "b": 0, "c": 0}),
        ({"a": 7, "b": 7, "c": 7, "d": 9}, {"a": 24, "b": 23, "c": 23, "d": 30}),
    ],
)
def test_rounded_percentages_add_up_to_100(counts, expected):
    assert rounded_percentages(counts) == expected


def test_distribution_keeps_choice_order_and_ignores_unknown_choices():
    dist = distribution({"disagree": 2, "agree": 6, "bogus": 5}, ("agree", "disagree", "unsure"))
    assert list(dist.counts) == ["agree", "disagree", "unsure"]
    assert dist.total == 8
    assert dist.share("agree") == 0.75
    assert dist.rows() == [("agree", 6, 75), ("disagree", 2, 25), ("unsure", 0, 0)]


def test_swing_names_the_side_that_gained_most_among_paired_readers():
    flows = {("closed", "closed"): 12, ("open", "open"): 8, ("open", "closed"): 10}
    result = swing(flows)
    assert result.paired == 30 and result.moved == 10
    assert (result.sides["closed"].before, result.sides["closed"].after) == (12, 22)
    assert result.sides["closed"].change == pytest.approx(10 / 30)
    assert result.sides["open"].change == pytest.approx(-10 / 30)
    assert result.sides["closed"].low > 0
    assert result.winner == "closed"
    assert result.measurable


def test_no_winner_under_the_minimum_or_while_chance_could_explain_the_gain():
    assert swing({("open", "closed"): 4}).winner is None  # +100 points, but 4 readers
    assert swing({("open", "closed"): 4}, min_n=4).winner == "closed"
    slight = swing({("open", "closed"): 1, ("open", "open"): 6, ("closed", "closed"): 5})
    assert slight.sides["closed"].change > 0 and slight.sides["closed"].low < 0
    assert slight.winner is None


def test_swing_has_no_winner_on_a_tie_or_without_paired_readers():
    tie = swing({("undecided", "open"): 6, ("undecided", "closed"): 6})
    assert tie.sides["open"].change == tie.sides["closed"].change
    assert tie.winner is None
    empty = swing({})
    assert not empty.measurable and empty.winner is None
    assert empty.sides["open"].change == 0.0


def test_side_totals_sum_each_cases_claims():
    choices = ("agree", "disagree", "unsure")
    claims = {
        "o1": distribution({"agree": 3, "disagree": 1}, choices),
        "o2": distribution({"agree": 1, "unsure": 4}, choices),
        "c1": distribution({"disagree": 2}, choices),
    }
    totals = side_totals(claims, {"o1": "open", "o2": "open", "c1": "closed"})
    assert totals["open"].counts == {"agree": 4, "disagree": 1, "unsure": 4}
    assert totals["closed"].counts == {"agree": 0, "disagree": 2, "unsure": 0}
