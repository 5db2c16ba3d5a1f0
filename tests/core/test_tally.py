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


def test_swing_names_the_side_that_gained_most():
    before = distribution({"open": 4, "closed": 4, "undecided": 2}, STANCES)
    after = distribution({"open": 3, "closed": 6, "undecided": 1}, STANCES)
    result = swing(before, after)
    assert result.change == {"open": -10.0, "closed": 20.0, "undecided": -10.0}
    assert result.winner == "closed"
    assert result.measurable


def test_swing_uses_shares_not_raw_counts():
    # More readers answered after reading; open's share fell even though its count grew.
    before = distribution({"open": 5, "closed": 5, "undecided": 0}, STANCES)
    after = distribution({"open": 6, "closed": 12, "undecided": 2}, STANCES)
    result = swing(before, after)
    assert result.change["open"] == -20.0
    assert result.change["closed"] == 10.0
    assert result.winner == "closed"


def test_swing_has_no_winner_on_a_tie_or_without_both_phases():
    even = distribution({"open": 1, "closed": 1, "undecided": 2}, STANCES)
    tied_gain = distribution({"open": 2, "closed": 2, "undecided": 0}, STANCES)
    assert swing(even, tied_gain).winner is None
    assert swing(even, even).winner is None
    empty = distribution({}, STANCES)
    assert not swing(empty, even).measurable
    assert swing(empty, even).winner is None


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
