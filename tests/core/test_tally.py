"""Counting arithmetic on hand-made numbers where the right answer is known."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debate.core.tally import distribution, rounded_percentages, side_totals, swing

STANCES = ("open", "closed", "undecided")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 0, "b": 0}, {"a": 0, "b": 0}),
        ({"a": 2, "b": 1}, {"a": 67, "b": 33}),
        ({"a": 1, "b": 0, "c": 0}, {"a": 100, "b": 0, "c": 0}),
        # Equal remainders, different counts: the larger count takes the point.
        ({"a": 1, "b": 3, "c": 196}, {"a": 0, "b": 2, "c": 98}),
    ],
)
def test_rounded_percentages_add_up_to_100(counts, expected):
    assert rounded_percentages(counts) == expected


# These two expected 34/33/33 and 24/23/23/30 before: equal counts shown unequal. Equal counts
# now always show equal percentages, and the sum is the nearest to 100 that allows.
@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 1, "b": 1, "c": 1}, {"a": 33, "b": 33, "c": 33}),  # 99: 102 is further
        ({"a": 7, "b": 7, "c": 7, "d": 9}, {"a": 23, "b": 23, "c": 23, "d": 30}),
        # 6.67 three times and 80: 7s make 101, nearer than 98.
        ({"a": 1, "b": 1, "c": 1, "d": 12}, {"a": 7, "b": 7, "c": 7, "d": 80}),
        # The pair cannot share the one missing point; the single 1 takes it.
        ({"a": 2, "b": 2, "c": 2, "d": 1}, {"a": 28, "b": 28, "c": 28, "d": 15}),
    ],
)
def test_rounded_percentages_give_equal_counts_equal_percentages(counts, expected):
    assert rounded_percentages(counts) == expected


count_dicts = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=2), st.integers(0, 1000), min_size=1, max_size=8
).filter(lambda counts: sum(counts.values()) > 0)


@given(count_dicts)
def test_rounded_percentages_properties(counts):
    """For any 1-8 keys with counts 0-1000 and a positive total:

    - equal counts get equal percentages, and a larger count never gets less;
    - each percentage is within one point of the exact share (strictly: |p - exact| < 1);
    - the sum is exactly 100 whenever no two keys with a fractional share have equal
      counts (only such a tie can stop it), and never more than one key's worth away.
    """
    result = rounded_percentages(counts)
    total = sum(counts.values())
    assert result.keys() == counts.keys()
    for a in counts:
        assert abs(100 * counts[a] - result[a] * total) < total
        for b in counts:
            if counts[a] == counts[b]:
                assert result[a] == result[b]
            if counts[a] > counts[b]:
                assert result[a] >= result[b]
    fractional = [count for count in counts.values() if 100 * count % total]
    if len(fractional) == len(set(fractional)):
        assert sum(result.values()) == 100
    assert abs(sum(result.values()) - 100) < len(counts)


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
