"""The honest-statistics functions against published numbers and their defining properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debate.core.stats import (
    EXACT_TEST_LIMIT,
    Share,
    benjamini_hochberg,
    bridging_score,
    difference_p_value,
    paired_change_interval,
    signed_points,
)

# Paired change: Newcombe (1998), "Improved confidence intervals for the difference between
# binomial proportions based on paired data", Statistics in Medicine 17:2635-2650, the method 10
# rows of the paper's table of 95% intervals (Table III in the typeset paper), as transcribed in
# JoshSandhu/proofpack fixtures/newcombe1998_paired.json. The table is [[e, f], [g, h]] with
# theta = (f - g) / n, so e = both, f = after only, g = before only, h = neither.
# The lower limit of e=1 f=97 g=1 h=1 is left out: the paper prints 0.8736 for method 10 but
# 0.8737 for method 8, which must be equal there (e*h < f*g); the formula gives 0.873672.
NEWCOMBE_METHOD_10 = [
    ((36, 12, 2, 0), 0.0569, 0.3404),
    ((20, 12, 2, 16), 0.0562, 0.3292),
    ((18, 12, 2, 18), 0.0562, 0.3290),
    ((36, 14, 0, 0), 0.1528, 0.4167),
    ((35, 14, 0, 1), 0.1461, 0.4175),
    ((18, 14, 0, 18), 0.1441, 0.3963),
    ((2, 97, 1, 0), 0.8721, 0.9854),
    ((1, 97, 1, 1), None, 0.9850),
    ((0, 29, 1, 0), 0.6666, 0.9882),
    ((2, 98, 0, 0), 0.9178, 0.9945),
    ((1, 98, 0, 1), 0.9171, 0.9916),
    ((0, 30, 0, 0), 0.8395, 1.0),
    ((54, 0, 0, 0), -0.0664, 0.0664),
    ((53, 0, 0, 1), -0.0729, 0.0729),
    ((30, 0, 0, 24), -0.0358, 0.0358),
    ((29, 0, 0, 25), -0.0354, 0.0354),
    ((28, 0, 0, 26), -0.0352, 0.0352),
    ((27, 0, 0, 27), -0.0351, 0.0351),
]


@pytest.mark.parametrize(("cells", "low", "high"), NEWCOMBE_METHOD_10)
def test_paired_change_interval_matches_newcombes_table(cells, low, high):
    e, f, g, h = cells
    got_low, got_high = paired_change_interval(both=e, before_only=g, after_only=f, neither=h)
    if low is not None:
        assert round(got_low, 4) == low
    assert round(got_high, 4) == high


def test_paired_change_interval_matches_fagerland_2014():
    # Fagerland, Lydersen & Laake (2014), Stat Med 33:2850-2875, airway hyper-responsiveness
    # before and after stem cell transplantation (Bentur et al. 2009), table [[1, 1], [7, 12]],
    # Newcombe's method 10: -0.507 to -0.026 (also the ratesci package's test of MOVER_newc).
    low, high = paired_change_interval(both=1, before_only=7, after_only=1, neither=12)
    assert (round(low, 3), round(high, 3)) == (-0.507, -0.026)


def test_paired_change_interval_without_readers_is_everything():
    assert paired_change_interval(0, 0, 0, 0) == (-1.0, 1.0)


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_paired_change_interval_holds_the_change_and_stays_in_range(both, before, after, neither):
    low, high = paired_change_interval(both, before, after, neither)
    n = both + before + after + neither
    change = (after - before) / n if n else 0.0
    assert -1.0 <= low <= change + 1e-12
    assert change - 1e-12 <= high <= 1.0
    # Swapping before and after mirrors the interval.
    mirrored = paired_change_interval(both, after, before, neither)
    assert mirrored == pytest.approx((-high, -low), abs=1e-12)


# Fisher's exact test, two-sided. 0.4857: Fisher's tea-tasting table [[3, 1], [1, 3]], the
# example of R's fisher.test documentation; 0.5367e-3: the same page's "Convictions" table,
# two-sided; 0.10256: [[6, 2], [1, 4]], the table of the scipy.stats.fisher_exact documentation.
# All agree with scipy.stats.fisher_exact 1.17, as did 3,000 random tables of up to 60 per group
# (largest difference 4e-16; checked once by hand, scipy is not a dependency).
@pytest.mark.parametrize(
    ("a", "n_a", "b", "n_b", "expected"),
    [
        (3, 4, 1, 4, 0.4857142857),
        (2, 12, 15, 18, 0.0005367241),
        (6, 8, 1, 5, 0.1025641026),
        (5, 5, 0, 5, 0.0079365079),  # 2 tables of 252 are this extreme: 2/252
        (4, 9, 4, 9, 1.0),
    ],
)
def test_difference_p_value_matches_fishers_exact_test(a, n_a, b, n_b, expected):
    assert difference_p_value(a, n_a, b, n_b) == pytest.approx(expected, abs=1e-9)


def test_difference_p_value_of_an_empty_group_is_one():
    assert difference_p_value(0, 0, 3, 7) == 1.0
    assert difference_p_value(3, 7, 0, 0) == 1.0


def test_difference_p_value_uses_the_pooled_z_test_for_large_groups():
    # 660/1200 against 600/1200: pooled 0.525, z = 2.4526, two-sided p = 0.014184
    # (scipy.stats.norm.sf(2.4526) * 2).
    assert EXACT_TEST_LIMIT < 1200 + 1200
    assert difference_p_value(660, 1200, 600, 1200) == pytest.approx(0.0141844763, abs=1e-9)
    assert difference_p_value(1200, 1200, 1200, 1200) == 1.0


@given(st.integers(1, 40), st.integers(1, 40), st.data())
def test_difference_p_value_is_a_symmetric_probability(n_a, n_b, data):
    a = data.draw(st.integers(0, n_a))
    b = data.draw(st.integers(0, n_b))
    p = difference_p_value(a, n_a, b, n_b)
    assert 0.0 < p <= 1.0
    assert p == pytest.approx(difference_p_value(b, n_b, a, n_a), rel=1e-12)


# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57:289-300, section 4.1: fifteen p-values
# from a myocardial infarction study; at q = 0.05 the procedure rejects the four smallest.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_benjamini_hochberg_matches_the_papers_example():
    assert benjamini_hochberg(BH_1995, q=0.05) == [True] * 4 + [False] * 11


def test_benjamini_hochberg_keeps_input_order_and_steps_up():
    # 0.04 fails its own line (1/4 * 0.10); the step-up reaches it through rank 3 (0.06 <= 0.075).
    assert benjamini_hochberg([0.06, 0.5, 0.04, 0.045]) == [True, False, True, True]
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([0.2, 0.3]) == [False, False]


@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30),
    st.floats(0.001, 1.0),
)
def test_benjamini_hochberg_never_skips_a_smaller_p_value(p_values, q):
    found = benjamini_hochberg(p_values, q)
    for i, p_i in enumerate(p_values):
        for j, p_j in enumerate(p_values):
            if p_i <= p_j and found[j]:
                assert found[i]
    # Every discovery passes its own step-up line, and a sole p-value is judged against q.
    ranked = sorted(p_values)
    k = sum(found)
    assert k == 0 or ranked[k - 1] <= k / len(p_values) * q
    if len(p_values) == 1:
        assert found == [p_values[0] <= q]


def test_bridging_score_is_the_weakest_camps_lower_bound():
    open_camp, closed_camp = Share.of(18, 20), Share.of(6, 10)
    assert bridging_score([open_camp, closed_camp]) == closed_camp.low
    assert bridging_score([open_camp]) == open_camp.low
    assert bridging_score([]) == 0.0


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (0.153, "+15"),
        (-0.08, "\u22128"),
        (0.0, "0"),
        (0.004, "+0.4"),
        (-0.002, "\u22120.2"),
        (0.005, "+1"),  # half a point rounds away from zero, never to "0"
        (-0.005, "\u22121"),
        (0.145, "+15"),  # 14.5 points, although 0.145 * 100 is 14.4999... in floating point
        (0.0004, "+0.04"),  # one decimal would still say 0
        (0.6 - 0.4 - 0.2, "0"),  # float noise is no change
        (1.0, "+100"),
        (0.1, "+10"),
    ],
)
def test_signed_points(change, text):
    assert signed_points(change) == text


@given(st.floats(-1.0, 1.0))
def test_signed_points_keeps_the_sign_and_never_ends_in_zero_decimals(change):
    text = signed_points(change)
    assert not text.endswith(".0")
    if text != "0":
        assert text[0] == ("+" if change > 0 else "\u2212")
        assert float(text[1:]) > 0
    else:
        assert abs(change) < 1e-11
