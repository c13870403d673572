"""Tests for alignment_stats.stats.intervals: Wilson, Newcombe, Agresti-Caffo, Wald and Miettinen-Nurminen.

Every expected value comes from an independent source: a published table
(source in the comment), statsmodels on the same input, or an independent
numerical route written here (a root-found restricted MLE instead of the
closed-form cubic).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from stats_testing import PUBLISHED_ROUNDING, TOL, Z975, random_tables, tables

from alignment_stats.stats.intervals import (
    CI_METHODS,
    difference_interval,
    restricted_mle,
    score_interval,
    score_statistic,
    wilson_interval,
)
from alignment_stats.stats.proportions import compare_proportions


# ---------------------------------------------------------------------------
# helpers: independent references
# ---------------------------------------------------------------------------


def sm_ci(k1, n1, k2, n2, method, alpha=0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method=method, alpha=alpha)
    return max(float(low), -1.0), min(float(high), 1.0)


def restricted_mle_by_root(k1, n1, k2, n2, delta):
    """p2 maximising the binomial likelihood under p1 = p2 + delta.

    Independent of the closed-form cubic: the log-likelihood is concave in
    p2, so the maximum is the root of its derivative (found with brentq) or a
    boundary of the feasible range.
    """
    lo, hi = max(0.0, -delta), min(1.0, 1.0 - delta)

    def score(p2):
        p2 = np.float64(p2)
        p1 = p2 + delta
        total = np.float64(0.0)
        with np.errstate(all="ignore"):
            if k1:
                total += k1 / p1
            if n1 - k1:
                total -= (n1 - k1) / (1 - p1)
            if k2:
                total += k2 / p2
            if n2 - k2:
                total -= (n2 - k2) / (1 - p2)
        return total

    if score(lo) <= 0:
        return lo
    if score(hi) >= 0:
        return hi
    a, b = np.nextafter(lo, hi), np.nextafter(hi, lo)
    if score(a) <= 0:
        return float(a)
    if score(b) >= 0:
        return float(b)
    return optimize.brentq(score, a, b, xtol=1e-16, rtol=4 * np.finfo(float).eps)


def mn_z_reference(k1, n1, k2, n2, delta, correction=True):
    """Miettinen-Nurminen score statistic computed from the root-found MLE."""
    p2 = restricted_mle_by_root(k1, n1, k2, n2, delta)
    p1 = p2 + delta
    var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if correction:
        var *= (n1 + n2) / (n1 + n2 - 1)
    return (k1 / n1 - k2 / n2 - delta) / math.sqrt(var)


# ---------------------------------------------------------------------------
# published values
# ---------------------------------------------------------------------------

# Newcombe, R. G. (1998). Interval estimation for the difference between
# independent proportions: comparison of eleven methods. Stat Med 17:873-890,
# Table II, examples (a)-(h). Values at 4 d.p. as transcribed in the test
# suites of capeconomics/mergeron-extra (tests/test_proportions_tests.py,
# all eight examples, methods 5, 6 and 10) and petelaud/ratesci
# (tests/testthat/test3.R, example (d)); (a), (b), (g) also in Garner (2016),
# WUSS paper 127, p. 9 (SAS PROC FREQ).
NEWCOMBE_EXAMPLES = [
    (56, 70, 48, 80),  # (a)
    (9, 10, 3, 10),  # (b)
    (6, 7, 2, 7),  # (c)
    (5, 56, 0, 29),  # (d)
    (0, 10, 0, 20),  # (e)
    (0, 10, 0, 10),  # (f)
    (10, 10, 0, 20),  # (g)
    (10, 10, 0, 10),  # (h)
]
# method 6: score interval of Miettinen & Nurminen
TABLE2_METHOD6 = [
    (0.0528, 0.3382),
    (0.1700, 0.8406),
    (0.0342, 0.8534),
    (-0.0326, 0.1933),
    (-0.1658, 0.2844),
    (-0.2879, 0.2879),
    (0.7156, 1.0000),
    (0.6636, 1.0000),
]
# method 5: Mee's score interval (method 6 without the N/(N-1) factor)
TABLE2_METHOD5 = [
    (0.0533, 0.3377),
    (0.1821, 0.8370),
    (0.0544, 0.8478),
    (-0.0313, 0.1926),
    (-0.1611, 0.2775),
    (-0.2775, 0.2775),
    (0.7225, 1.0000),
    (0.6777, 1.0000),
]
# method 10: hybrid score interval from Wilson intervals
TABLE2_METHOD10 = [
    (0.0524, 0.3339),
    (0.1705, 0.8090),
    (0.0582, 0.8062),
    (-0.0381, 0.1926),
    (-0.1611, 0.2775),
    (-0.2775, 0.2775),
    (0.6791, 1.0000),
    (0.6075, 1.0000),
]
# Garner (2016), WUSS paper 127, p. 9: SAS PROC FREQ on 84/101 vs 89/105
# (as transcribed in a third-party R test suite).
HIV_EXAMPLE = (84, 101, 89, 105)
HIV_PUBLISHED = {
    "wald": (-0.1162, 0.0843),
    "agresti-caffo": (-0.1168, 0.0850),
    "newcombe": (-0.1177, 0.0851),
    "score": (-0.1191, 0.0860),
}
# Garner (2016) p. 9 for examples (a), (b), (g): Wald and Agresti-Caffo.
GARNER_ABG = {
    "wald": [(0.0575, 0.3425), (0.2605, 0.9395), (1.0000, 1.0000)],
    "agresti-caffo": [(0.0525, 0.3358), (0.1600, 0.8400), (0.6922, 1.0000)],
}


def _frame(cases, **kwargs):
    k1, n1, k2, n2 = np.array(cases).T
    return compare_proportions(k1, n1, k2, n2, **kwargs)


@pytest.mark.parametrize(
    ("ci", "published"),
    [("score", TABLE2_METHOD6), ("newcombe", TABLE2_METHOD10)],
)
def test_newcombe_table2_published_intervals(ci, published):
    res = _frame(NEWCOMBE_EXAMPLES, ci=ci, test="z")
    expected = np.array(published)
    np.testing.assert_allclose(res["ci_low"], expected[:, 0], atol=PUBLISHED_ROUNDING, rtol=0)
    np.testing.assert_allclose(res["ci_high"], expected[:, 1], atol=PUBLISHED_ROUNDING, rtol=0)


def test_newcombe_example_a_method6_and_method10_from_task_brief():
    # Newcombe (1998) Table II, 56/70 vs 48/80: method 10 0.0524 to 0.3339,
    # method 6 0.0528 to 0.3382.
    nc = compare_proportions(56, 70, 48, 80, ci="newcombe").iloc[0]
    mn = compare_proportions(56, 70, 48, 80, ci="score").iloc[0]
    assert abs(nc.ci_low - 0.0524) < PUBLISHED_ROUNDING
    assert abs(nc.ci_high - 0.3339) < PUBLISHED_ROUNDING
    assert abs(mn.ci_low - 0.0528) < PUBLISHED_ROUNDING
    assert abs(mn.ci_high - 0.3382) < PUBLISHED_ROUNDING


def test_mee_interval_matches_table2_method5():
    # The same root finder without the N/(N-1) factor reproduces Mee's
    # interval (method 5); this pins down that the factor is what separates
    # the published methods 5 and 6.
    k1, n1, k2, n2 = np.array(NEWCOMBE_EXAMPLES, dtype=float).T
    low, high = score_interval(k1, n1, k2, n2, 0.05, correction=False)
    expected = np.array(TABLE2_METHOD5)
    np.testing.assert_allclose(low, expected[:, 0], atol=PUBLISHED_ROUNDING, rtol=0)
    np.testing.assert_allclose(high, expected[:, 1], atol=PUBLISHED_ROUNDING, rtol=0)


@pytest.mark.parametrize("ci", CI_METHODS)
def test_garner_2016_hiv_example(ci):
    res = compare_proportions(*HIV_EXAMPLE, ci=ci).iloc[0]
    low, high = HIV_PUBLISHED[ci]
    assert abs(res.ci_low - low) < PUBLISHED_ROUNDING
    assert abs(res.ci_high - high) < PUBLISHED_ROUNDING


@pytest.mark.parametrize("ci", ["wald", "agresti-caffo"])
def test_garner_2016_newcombe_examples(ci):
    res = _frame([NEWCOMBE_EXAMPLES[i] for i in (0, 1, 6)], ci=ci)
    expected = np.array(GARNER_ABG[ci])
    np.testing.assert_allclose(res["ci_low"], expected[:, 0], atol=PUBLISHED_ROUNDING, rtol=0)
    np.testing.assert_allclose(res["ci_high"], expected[:, 1], atol=PUBLISHED_ROUNDING, rtol=0)


# ---------------------------------------------------------------------------
# agreement with statsmodels on the same tables
# ---------------------------------------------------------------------------

SM_NAMES = {"newcombe": "newcomb", "agresti-caffo": "agresti-caffo", "wald": "wald"}


@pytest.mark.parametrize("ci", ["newcombe", "agresti-caffo", "wald"])
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
def test_intervals_equal_statsmodels_on_random_tables(ci, alpha):
    k1, n1, k2, n2 = random_tables(800, seed=11)
    res = compare_proportions(k1, n1, k2, n2, ci=ci, test="z", alpha=alpha)
    ref = np.array(
        [sm_ci(a, m, c, r, SM_NAMES[ci], alpha) for a, m, c, r in zip(k1, n1, k2, n2)]
    )
    np.testing.assert_allclose(res["ci_low"], ref[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(res["ci_high"], ref[:, 1], rtol=0, atol=TOL)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_newcombe_equals_statsmodels_hypothesis(table):
    res = compare_proportions(*table, ci="newcombe", test="z").iloc[0]
    low, high = sm_ci(*table, "newcomb")
    assert abs(res.ci_low - low) <= TOL
    assert abs(res.ci_high - high) <= TOL


def test_wilson_equals_statsmodels():
    k = np.array([0, 1, 5, 64, 43, 106, 3])
    n = np.array([1, 1, 10, 106, 106, 106, 24])
    for alpha in (0.05, 0.1, 0.01):
        low, high = wilson_interval(k, n, alpha)
        ref = np.array([proportion_confint(a, m, alpha, method="wilson") for a, m in zip(k, n)])
        np.testing.assert_allclose(low, ref[:, 0], atol=1e-12, rtol=0)
        np.testing.assert_allclose(high, ref[:, 1], atol=1e-12, rtol=0)


def test_wilson_of_effective_counts_equals_statsmodels():
    # weighted shares with Kish effective sizes: statsmodels' Wilson accepts fractional counts too
    share = np.array([0.1294, 0.0, 1.0, 0.4231, 0.5])
    n_eff = np.array([21.71, 5.5, 7.25, 6.3, 100.0])
    low, high = wilson_interval(share * n_eff, n_eff, 0.05, effective=True)
    ref = np.array([proportion_confint(s * m, m, 0.05, method="wilson") for s, m in zip(share, n_eff)])
    np.testing.assert_allclose(low, ref[:, 0], atol=1e-12, rtol=0)
    np.testing.assert_allclose(high, ref[:, 1], atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="effective counts"):
        wilson_interval(5.0, 4.0, effective=True)
    with pytest.raises(ValueError, match="whole"):
        wilson_interval(2.5, 4)  # without effective=True fractional counts stay an error


def test_empty_inputs_give_empty_limits():
    low, high = wilson_interval([], [])
    assert low.shape == high.shape == (0,)
    for ci in CI_METHODS:
        low, high = difference_interval(np.empty(0), np.empty(0), np.empty(0), np.empty(0), ci)
        assert low.shape == high.shape == (0,)


# ---------------------------------------------------------------------------
# Miettinen-Nurminen internals, checked by an independent numerical route
# ---------------------------------------------------------------------------


def test_restricted_mle_matches_root_of_score_equation():
    rng = np.random.default_rng(17)
    n1, n2 = rng.integers(1, 80, 3000), rng.integers(1, 80, 3000)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    delta = rng.uniform(-0.999, 0.999, 3000)
    p1, p2 = restricted_mle(k1, n1, k2, n2, delta)
    ref = [restricted_mle_by_root(*args) for args in zip(k1, n1, k2, n2, delta)]
    np.testing.assert_allclose(p2, ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(p1, p2 + delta, rtol=0, atol=1e-15)


def test_restricted_mle_near_the_ends_keeps_relative_accuracy():
    # delta within 1e-5..1e-1 of -1 or 1 makes p1 or p2 tiny; the variance
    # V = p1(1-p1)/n1 + p2(1-p2)/n2 must stay accurate in relative terms.
    rng = np.random.default_rng(23)
    size = 2000
    n1, n2 = rng.integers(1, 400, size), rng.integers(1, 400, size)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    for k, n in ((k1, n1), (k2, n2)):  # many counts at or next to 0 and n
        pick = rng.integers(0, 5, size)
        k[:] = np.select([pick == 0, pick == 1, pick == 2, pick == 3], [0, 1, n - 1, n], k)
        k[:] = np.clip(k, 0, n)
    delta = rng.choice([-1.0, 1.0], size) * (1 - 10 ** rng.uniform(-5, -1, size))
    p1, p2 = restricted_mle(k1, n1, k2, n2, delta)
    var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    r2 = np.array([restricted_mle_by_root(*args) for args in zip(k1, n1, k2, n2, delta)])
    r1 = r2 + delta
    ref = r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2
    np.testing.assert_allclose(var, ref, rtol=1e-8, atol=0)


def test_score_statistic_matches_reference():
    rng = np.random.default_rng(24)
    n1, n2 = rng.integers(1, 300, 500), rng.integers(1, 300, 500)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    delta = rng.uniform(-0.99, 0.99, 500)
    ours = score_statistic(k1, n1, k2, n2, delta)
    ref = [mn_z_reference(*args) for args in zip(k1, n1, k2, n2, delta)]
    np.testing.assert_allclose(ours, ref, rtol=1e-8, atol=1e-12)


def test_score_limits_exhaustive_small_tables():
    # All tables with n1, n2 <= 12: at every finite interior limit the score
    # statistic (from the root-found MLE) is +-z_{0.975}, and the interval
    # contains the estimate.
    rows = [
        (a, m, c, r)
        for m in range(1, 13)
        for r in range(1, 13)
        for a in range(m + 1)
        for c in range(r + 1)
    ]
    res = _frame(rows, ci="score", test="z")
    worst = 0.0
    for (a, m, c, r), low, high, diff in zip(rows, res["ci_low"], res["ci_high"], res["diff"]):
        assert low <= diff <= high
        assert -1.0 <= low <= high <= 1.0
        if -1 < low < 1:
            worst = max(worst, abs(mn_z_reference(a, m, c, r, low) - Z975))
        else:
            assert low == diff == -1.0
        if -1 < high < 1:
            worst = max(worst, abs(mn_z_reference(a, m, c, r, high) + Z975))
        else:
            assert high == diff == 1.0
    assert worst < 1e-8


def test_score_interval_is_the_acceptance_region():
    # On a grid of null values, the score test (independent implementation)
    # accepts exactly the values inside the interval.
    rng = np.random.default_rng(18)
    rows = [tuple(int(v) for v in t) for t in zip(*random_tables(40, seed=19, max_n=60))]
    res = _frame(rows, ci="score", test="z")
    for (a, m, c, r), low, high in zip(rows, res["ci_low"], res["ci_high"]):
        for delta in rng.uniform(-0.999, 0.999, 60):
            if min(abs(delta - low), abs(delta - high)) < 1e-6:
                continue
            accepted = abs(mn_z_reference(a, m, c, r, delta)) <= Z975
            assert accepted == (low < delta < high)


@settings(max_examples=100, deadline=None)
@given(tables(), st.sampled_from([0.01, 0.05, 0.2]))
@example((1, 257, 1, 1), 0.01)  # limit near -1: needs the polished restricted MLE
def test_score_limits_hypothesis(table, alpha):
    res = compare_proportions(*table, ci="score", test="z", alpha=alpha).iloc[0]
    crit = stats.norm.isf(alpha / 2)
    assert res.ci_low <= res["diff"] <= res.ci_high
    if -1 < res.ci_low < 1:
        assert abs(mn_z_reference(*table, res.ci_low) - crit) < 1e-8
    if -1 < res.ci_high < 1:
        assert abs(mn_z_reference(*table, res.ci_high) + crit) < 1e-8
