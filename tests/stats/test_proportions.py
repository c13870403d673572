"""Tests for alignment_stats.stats.proportions, intervals, multiplicity, power and bayes.

Every expected value comes from an independent source: statsmodels or scipy
called on the same input, a published table (source in the comment), or a
number derived by hand / by an independent numerical route written here.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

from alignment_stats.stats.bayes import bayes_compare
from alignment_stats.stats.intervals import CI_METHODS, restricted_mle, score_interval, score_statistic
from alignment_stats.stats.multiplicity import ADJUST_METHODS, adjust_pvalues
from alignment_stats.stats.power import minimal_detectable_difference, power_two_proportions
from alignment_stats.stats.proportions import TEST_METHODS, compare_proportions

TOL = 1e-9
Z975 = stats.norm.isf(0.025)


# ---------------------------------------------------------------------------
# helpers: random tables and independent references
# ---------------------------------------------------------------------------


def random_tables(size: int, seed: int, max_n: int = 500):
    """Random (k1, n1, k2, n2) with n in 1..max_n; a fifth of counts are 0 or n."""
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, max_n + 1, size)
    n2 = rng.integers(1, max_n + 1, size)
    k1 = rng.binomial(n1, rng.uniform(0, 1, size))
    k2 = rng.binomial(n2, rng.uniform(0, 1, size))
    for k, n in ((k1, n1), (k2, n2)):
        edge = rng.uniform(0, 1, size)
        k[edge < 0.1] = 0
        k[edge > 0.9] = n[edge > 0.9]
    return k1, n1, k2, n2


@st.composite
def tables(draw, max_n: int = 500):
    n1 = draw(st.integers(1, max_n))
    n2 = draw(st.integers(1, max_n))
    k1 = draw(st.integers(0, n1))
    k2 = draw(st.integers(0, n2))
    return k1, n1, k2, n2


def informative(k1, n1, k2, n2) -> bool:
    """Both column margins of the 2x2 table are non-empty."""
    return 0 < k1 + k2 < n1 + n2


def sm_ci(k1, n1, k2, n2, method, alpha=0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method=method, alpha=alpha)
    return max(float(low), -1.0), min(float(high), 1.0)


def sm_score_pvalue(k1, n1, k2, n2):
    """statsmodels' pooled score test (value 0, no correction) p-value."""
    with warnings.catch_warnings():
        # it also computes ratio and odds ratio, which divide by zero counts
        warnings.simplefilter("ignore", RuntimeWarning)
        return sm_proportion.test_proportions_2indep(
            k1, n1, k2, n2, method="score", compare="diff", correction=False
        ).pvalue


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
PUBLISHED_ROUNDING = 5e-5 + 1e-12  # published to 4 decimals


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
# agreement with statsmodels / scipy on the same tables
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


def test_fisher_equals_scipy_on_random_tables():
    k1, n1, k2, n2 = random_tables(1500, seed=12)
    res = compare_proportions(k1, n1, k2, n2, test="fisher")
    ref = [
        stats.fisher_exact([[a, m - a], [c, r - c]]).pvalue for a, m, c, r in zip(k1, n1, k2, n2)
    ]
    np.testing.assert_allclose(res["p_value"], ref, rtol=TOL, atol=1e-12)


def test_fisher_equals_scipy_on_tied_and_small_tables():
    # Equal group sizes make the hypergeometric distribution symmetric, so
    # probabilities tie exactly: the two-sided rule must include the mirror.
    rows = [
        (a, m, c, r)
        for m in range(1, 9)
        for r in range(1, 9)
        for a in range(m + 1)
        for c in range(r + 1)
    ]
    rng = np.random.default_rng(5)
    n = rng.integers(1, 300, 400)
    k = rng.integers(0, n + 1)
    rows += [(a, m, m - a, m) for a, m in zip(k, n)]
    rows += [(a, m, a, m) for a, m in zip(k, n)]
    res = _frame(rows, test="fisher")
    ref = [stats.fisher_exact([[a, m - a], [c, r - c]]).pvalue for a, m, c, r in rows]
    np.testing.assert_allclose(res["p_value"], ref, rtol=TOL, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_fisher_equals_scipy_hypothesis(table):
    a, m, c, r = table
    res = compare_proportions(*table, test="fisher").iloc[0]
    ref = stats.fisher_exact([[a, m - a], [c, r - c]]).pvalue
    assert res.p_value == pytest.approx(ref, rel=TOL, abs=1e-12)


def test_z_test_equals_statsmodels_score_test_and_ztest():
    # statsmodels' score test at value=0 uses the pooled proportion and does
    # not go through the restricted-MLE cubic that statsmodels#10269 breaks;
    # proportions_ztest is a second, independent reference.
    k1, n1, k2, n2 = random_tables(1000, seed=13)
    res = compare_proportions(k1, n1, k2, n2, test="z")
    keep = np.array([informative(*t) for t in zip(k1, n1, k2, n2)])
    ref_score = [
        sm_score_pvalue(a, m, c, r)
        for a, m, c, r in zip(k1[keep], n1[keep], k2[keep], n2[keep])
    ]
    ref_z = [
        proportions_ztest([a, c], [m, r])[1]
        for a, m, c, r in zip(k1[keep], n1[keep], k2[keep], n2[keep])
    ]
    np.testing.assert_allclose(res["p_value"][keep], ref_score, rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res["p_value"][keep], ref_z, rtol=TOL, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_z_and_chi2_equal_references_hypothesis(table):
    a, m, c, r = table
    z = compare_proportions(*table, test="z").iloc[0].p_value
    chi2 = compare_proportions(*table, test="chi2").iloc[0].p_value
    if informative(*table):
        ref_z = sm_score_pvalue(a, m, c, r)
        ref_chi2 = stats.chi2_contingency([[a, m - a], [c, r - c]], correction=False).pvalue
        assert z == pytest.approx(ref_z, rel=TOL, abs=1e-12)
        assert chi2 == pytest.approx(ref_chi2, rel=TOL, abs=1e-12)
    else:  # no evidence about a difference: p = 1 by convention
        assert z == 1.0
        assert chi2 == 1.0


def test_chi2_equals_scipy_and_z_test():
    k1, n1, k2, n2 = random_tables(1000, seed=14)
    keep = np.array([informative(*t) for t in zip(k1, n1, k2, n2)])
    chi2 = compare_proportions(k1, n1, k2, n2, test="chi2")["p_value"].to_numpy()
    z = compare_proportions(k1, n1, k2, n2, test="z")["p_value"].to_numpy()
    ref = [
        stats.chi2_contingency([[a, m - a], [c, r - c]], correction=False).pvalue
        for a, m, c, r in zip(k1[keep], n1[keep], k2[keep], n2[keep])
    ]
    np.testing.assert_allclose(chi2[keep], ref, rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(chi2, z, rtol=1e-9, atol=1e-12)
    assert np.all(chi2[~keep] == 1.0)


def test_boschloo_equals_scipy():
    rows = [
        (7, 12, 2, 10), (0, 5, 4, 6), (3, 20, 9, 15),
        (1, 1, 0, 1), (32, 106, 3, 24), (10, 10, 0, 20),
    ]  # fmt: skip
    res = _frame(rows, test="boschloo")
    # scipy's table has one column per group
    ref = [stats.boschloo_exact([[a, c], [m - a, r - c]]).pvalue for a, m, c, r in rows]
    np.testing.assert_allclose(res["p_value"], ref, rtol=TOL, atol=1e-12)


def test_boschloo_is_one_for_empty_margins():
    # scipy returns NaN here; with both groups at 0% (or 100%) there is no
    # evidence of a difference.
    res = _frame([(0, 4, 0, 6), (4, 4, 6, 6)], test="boschloo")
    assert list(res["p_value"]) == [1.0, 1.0]


def test_cohens_h_equals_statsmodels():
    k1, n1, k2, n2 = random_tables(500, seed=15)
    res = compare_proportions(k1, n1, k2, n2, test="z")
    ref = proportion_effectsize(k1 / n1, k2 / n2)
    np.testing.assert_allclose(res["cohens_h"], ref, rtol=0, atol=TOL)


def test_ratio_and_odds_ratio_equal_statsmodels():
    k1, n1, k2, n2 = random_tables(300, seed=16)
    res = compare_proportions(k1, n1, k2, n2, test="z", ratio=True, odds_ratio=True)
    ref_r = np.array(
        [
            confint_proportions_2indep(a, m, c, r, compare="ratio", method="log-adjusted")
            for a, m, c, r in zip(k1, n1, k2, n2)
        ]
    )
    ref_o = np.array(
        [
            confint_proportions_2indep(a, m, c, r, compare="odds-ratio", method="logit-adjusted")
            for a, m, c, r in zip(k1, n1, k2, n2)
        ]
    )
    np.testing.assert_allclose(res[["ratio_ci_low", "ratio_ci_high"]], ref_r, rtol=TOL)
    np.testing.assert_allclose(res[["or_ci_low", "or_ci_high"]], ref_o, rtol=TOL)
    pos = k2 > 0
    np.testing.assert_allclose(
        res["ratio"][pos], (k1[pos] / n1[pos]) / (k2[pos] / n2[pos]), rtol=1e-12
    )
    both = (k2 > 0) & (k1 < n1)
    hand_or = k1[both] * (n2[both] - k2[both]) / ((n1[both] - k1[both]) * k2[both])
    np.testing.assert_allclose(res["odds_ratio"][both], hand_or, rtol=1e-12)


def test_ratio_point_estimates_for_empty_cells():
    res = _frame([(3, 10, 0, 10), (0, 10, 0, 10)], test="z", ratio=True, odds_ratio=True)
    assert res["ratio"].iloc[0] == np.inf
    assert np.isnan(res["ratio"].iloc[1])
    limits = res[["ratio_ci_low", "ratio_ci_high", "or_ci_low", "or_ci_high"]]
    assert np.isfinite(limits.to_numpy()).all()


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


# ---------------------------------------------------------------------------
# degenerate tables
# ---------------------------------------------------------------------------

DEGENERATE = [
    (0, 10, 0, 20),
    (10, 10, 20, 20),
    (0, 10, 10, 10),
    (10, 10, 0, 10),
    (0, 1, 0, 1),
    (1, 1, 1, 1),
    (0, 1, 1, 1),
    (1, 1, 0, 1),
    (0, 500, 0, 1),
    (500, 500, 0, 1),
    (0, 7, 3, 9),
    (7, 7, 3, 9),
]


@pytest.mark.parametrize("ci", CI_METHODS)
@pytest.mark.parametrize("test", TEST_METHODS)
def test_degenerate_tables_give_finite_clipped_results_without_warnings(ci, test):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = _frame(DEGENERATE, ci=ci, test=test, ratio=True, odds_ratio=True, adjust="holm")
    numeric = ["ci_low", "ci_high", "p_value", "cohens_h", "p_adjusted"]
    numeric += ["ratio_ci_low", "ratio_ci_high", "or_ci_low", "or_ci_high"]
    assert np.isfinite(res[numeric].to_numpy()).all()
    assert (res["ci_low"] >= -1).all() and (res["ci_high"] <= 1).all()
    assert (res["ci_low"] <= res["ci_high"]).all()
    assert ((res["p_value"] >= 0) & (res["p_value"] <= 1)).all()
    if ci in ("newcombe", "score", "wald"):
        assert ((res["ci_low"] <= res["diff"]) & (res["diff"] <= res["ci_high"])).all()


def test_empty_margin_tests_are_one():
    res = {t: _frame([(0, 10, 0, 20), (10, 10, 20, 20)], test=t)["p_value"] for t in TEST_METHODS}
    for values in res.values():
        assert list(values) == [1.0, 1.0]


# ---------------------------------------------------------------------------
# output shape, inputs and errors
# ---------------------------------------------------------------------------

BASE_COLUMNS = [
    "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "ci_level",
    "p_value", "cohens_h", "ci_method", "test",
]  # fmt: skip


def test_columns_and_order():
    assert list(compare_proportions(3, 10, 5, 12).columns) == BASE_COLUMNS
    full = compare_proportions(3, 10, 5, 12, ratio=True, odds_ratio=True, adjust="holm")
    assert list(full.columns) == BASE_COLUMNS + [
        "ratio", "ratio_ci_low", "ratio_ci_high",
        "odds_ratio", "or_ci_low", "or_ci_high", "p_adjusted",
    ]  # fmt: skip


def test_values_by_hand():
    res = compare_proportions(3, 10, 5, 20, ci="wald", test="z").iloc[0]
    assert (res.k1, res.n1, res.k2, res.n2) == (3, 10, 5, 20)
    assert res.p1 == 0.3 and res.p2 == 0.25
    assert res["diff"] == pytest.approx(0.05, abs=1e-15)
    # Wald: 0.05 +- 1.959964 * sqrt(0.3*0.7/10 + 0.25*0.75/20)
    half = Z975 * math.sqrt(0.021 + 0.009375)
    assert res.ci_low == pytest.approx(0.05 - half, abs=1e-12)
    # pooled z: p = 8/30, se = sqrt(p(1-p)(1/10 + 1/20))
    pooled = 8 / 30
    z = 0.05 / math.sqrt(pooled * (1 - pooled) * 0.15)
    assert res.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert res.cohens_h == pytest.approx(
        2 * math.asin(math.sqrt(0.3)) - 2 * math.asin(math.sqrt(0.25)), abs=1e-15
    )
    assert res.ci_method == "wald" and res.test == "z"


def test_broadcasting_series_and_index():
    idx = pd.Index(["very collaborative", "improved alignment"], name="item")
    k1 = pd.Series([32, 21], index=idx)
    k2 = pd.Series([3, 1], index=idx)
    res = compare_proportions(k1, 106, k2, 24, test="z")
    assert res.index.equals(idx)
    assert list(res["n1"]) == [106, 106] and list(res["n2"]) == [24, 24]
    assert res["k1"].dtype == np.int64
    plain = compare_proportions([32, 21], 106, [3, 1], 24, test="z")
    np.testing.assert_array_equal(res["ci_low"].to_numpy(), plain["ci_low"].to_numpy())
    assert len(compare_proportions(1, 2, 1, 2)) == 1
    assert len(compare_proportions([], [], [], [])) == 0
    assert compare_proportions(3.0, 10.0, 5, 12).iloc[0].k1 == 3


def test_series_with_different_indexes_are_refused():
    with pytest.raises(ValueError, match="index differs"):
        compare_proportions(pd.Series([1, 2], index=[0, 1]), 5, pd.Series([1, 2], index=[1, 2]), 5)


def test_adjust_column_uses_all_rows():
    k1, n1, k2, n2 = random_tables(30, seed=20, max_n=80)
    res = compare_proportions(k1, n1, k2, n2, test="z", adjust="fdr_bh")
    ref = multipletests(res["p_value"].to_numpy(), method="fdr_bh")[1]
    np.testing.assert_allclose(res["p_adjusted"], ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"ci": "mn"}, r"ci='mn'.*'newcombe', 'agresti-caffo', 'wald', 'score'"),
        ({"test": "t"}, r"test='t'.*'fisher', 'boschloo', 'z', 'chi2'"),
        ({"adjust": "bh"}, r"adjust='bh'.*'holm', 'fdr_bh', 'bonferroni', 'none'"),
        ({"alpha": 0.0}, r"alpha must be .* between 0 and 1"),
        ({"alpha": 1.5}, r"alpha must be"),
        ({"alpha": float("nan")}, r"alpha must be"),
    ],
)
def test_bad_options(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        compare_proportions(3, 10, 5, 12, **kwargs)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ((11, 10, 5, 12), r"k1 cannot exceed n1: k1=11 > n1=10$"),
        (([1, 2, 13], [10, 10, 10], 5, 12), r"k1 cannot exceed n1: k1=13 > n1=10 at position 2"),
        ((3, 10, [5, 13], 12), r"k2 cannot exceed n2: k2=13 > n2=12 at position 1"),
        ((-1, 10, 5, 12), r"k1 must be non-negative; got -1"),
        ((3, [10, 0], 5, 12), r"n1 must be at least 1 .* at position 1"),
        ((3, 10, 0, 0), r"n2 must be at least 1"),
        ((2.5, 10, 5, 12), r"k1 must be whole numbers \(counts\); got 2.5"),
        ((3, 10, [5, np.nan], 12), r"k2 must be whole numbers .*nan at position 1"),
        (([1, 2, 3], [10, 10], 5, 12), r"n1 has 2 values but k1 has 3"),
        ((3, 10, "five", 12), r"k2 must hold counts"),
        (([[1, 2]], 10, 5, 12), r"k1 must be a scalar or one-dimensional"),
        ((True, 10, 5, 12), r"k1 must hold counts, not booleans"),
        ((pd.Series([True]), 10, 5, 12), r"k1 must hold counts, not booleans"),
    ],
)
def test_bad_counts(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        compare_proportions(*args)


# ---------------------------------------------------------------------------
# adjust_pvalues
# ---------------------------------------------------------------------------


def test_adjust_pvalues_hand_examples():
    # Holm: sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, max(0.06, 1*0.04)
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    # Benjamini-Hochberg: p_(i) * m / i with a running minimum from the top
    np.testing.assert_allclose(
        adjust_pvalues([0.01, 0.04, 0.03, 0.5], "fdr_bh"), [0.04, 0.16 / 3, 0.16 / 3, 0.5]
    )
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.4], "bonferroni"), [0.02, 0.8])
    np.testing.assert_allclose(adjust_pvalues([0.6, 0.7], "bonferroni"), [1.0, 1.0])
    np.testing.assert_array_equal(adjust_pvalues([0.2, 0.01], "none"), [0.2, 0.01])
    assert adjust_pvalues([], "holm").shape == (0,)
    assert adjust_pvalues(0.2, "holm").tolist() == [0.2]


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_adjust_pvalues_equals_multipletests(method):
    p = np.random.default_rng(21).uniform(0, 0.2, 50)
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1])


def test_adjust_pvalues_errors():
    with pytest.raises(ValueError, match=r"method='BH'.*'holm', 'fdr_bh', 'bonferroni', 'none'"):
        adjust_pvalues([0.1], "BH")
    with pytest.raises(ValueError, match=r"p must be p-values in \[0, 1\]; got 1.2 at position 1"):
        adjust_pvalues([0.1, 1.2])
    with pytest.raises(ValueError, match=r"got nan at position 0"):
        adjust_pvalues([np.nan])
    assert set(ADJUST_METHODS) == {"holm", "fdr_bh", "bonferroni", "none"}


# ---------------------------------------------------------------------------
# power and minimal detectable difference
# ---------------------------------------------------------------------------


def test_power_equals_statsmodels():
    rng = np.random.default_rng(22)
    p1, p2 = rng.uniform(0, 1, 200), rng.uniform(0, 1, 200)
    n1, n2 = rng.integers(2, 400, 200), rng.integers(2, 400, 200)
    res = power_two_proportions(p1, p2, n1, n2, alpha=0.1)
    ref = [
        NormalIndPower().power(
            proportion_effectsize(a, b), nobs1=m, alpha=0.1, ratio=r / m, alternative="two-sided"
        )
        for a, b, m, r in zip(p1, p2, n1, n2)
    ]
    np.testing.assert_allclose(res["power"], ref, rtol=TOL, atol=1e-12)
    assert list(res.columns) == ["p1", "p2", "n1", "n2", "alpha", "cohens_h", "power"]


def test_power_by_hand():
    # h = 2 asin(sqrt(.3)) - 2 asin(sqrt(.13)); effective n = 1/(1/106 + 1/24);
    # power = Phi(h sqrt(n) - z) + Phi(-h sqrt(n) - z)
    h = 2 * math.asin(math.sqrt(0.30)) - 2 * math.asin(math.sqrt(0.13))
    shift = h * math.sqrt(1 / (1 / 106 + 1 / 24))
    expected = stats.norm.cdf(shift - Z975) + stats.norm.cdf(-shift - Z975)
    res = power_two_proportions(0.30, 0.13, 106, 24).iloc[0]
    assert res.cohens_h == pytest.approx(h, abs=1e-15)
    assert res.power == pytest.approx(expected, rel=1e-12)
    # no difference: power equals alpha
    assert power_two_proportions(0.4, 0.4, 50, 50).iloc[0].power == pytest.approx(0.05)


def test_power_errors():
    with pytest.raises(ValueError, match=r"p1 must be a proportion in \[0, 1\]; got 1.5"):
        power_two_proportions(1.5, 0.2, 10, 10)
    message = r"n2 must be a positive group size; got 0.0 at position 1"
    with pytest.raises(ValueError, match=message):
        power_two_proportions(0.3, 0.2, 10, [5, 0])
    with pytest.raises(ValueError, match="alpha"):
        power_two_proportions(0.3, 0.2, 10, 10, alpha=1)


def test_mdd_consistent_with_statsmodels_and_hand_formula():
    n1 = np.array([106, 24, 50, 500, 10])
    n2 = np.array([24, 106, 50, 300, 12])
    base = np.array([0.13, 0.30, 0.5, 0.05, 0.4])
    res = minimal_detectable_difference(n1, n2, base)
    assert list(res.columns) == ["n1", "n2", "p_base", "alpha", "power", "mdd_up", "mdd_down"]
    for row in res.itertuples():
        p2 = row.p_base
        for mdd in (row.mdd_up, row.mdd_down):
            # the difference found is detected with 80% power ...
            h = proportion_effectsize(p2 + mdd, p2)
            achieved = NormalIndPower().power(
                h, nobs1=row.n1, alpha=0.05, ratio=row.n2 / row.n1, alternative="two-sided"
            )
            assert achieved == pytest.approx(0.8, abs=1e-5)
            # ... and its h is the textbook (z_{1-a/2} + z_{power}) / sqrt(n_eff),
            # which ignores the far tail (negligible at 80% power)
            hand = (Z975 + stats.norm.ppf(0.8)) * math.sqrt(1 / row.n1 + 1 / row.n2)
            assert abs(h) == pytest.approx(hand, rel=1e-4)
        assert row.mdd_up > 0 > row.mdd_down


def test_mdd_task_example_by_hand():
    # n1 = 106, n2 = 24, p_base = 0.13: h from the normal approximation,
    # then p1 = sin(asin(sqrt(0.13)) +- h/2)^2.
    h = (Z975 + stats.norm.ppf(0.8)) * math.sqrt(1 / 106 + 1 / 24)
    phi = math.asin(math.sqrt(0.13))
    res = minimal_detectable_difference(106, 24, 0.13).iloc[0]
    assert res.mdd_up == pytest.approx(math.sin(phi + h / 2) ** 2 - 0.13, abs=1e-5)
    assert res.mdd_down == pytest.approx(math.sin(phi - h / 2) ** 2 - 0.13, abs=1e-5)


def test_mdd_unreachable_is_nan():
    res = minimal_detectable_difference([5, 5, 1000], [5, 5, 1000], [0.97, 0.02, 0.0])
    assert np.isnan(res["mdd_up"].iloc[0]) and res["mdd_down"].iloc[0] < 0
    assert np.isnan(res["mdd_down"].iloc[1]) and res["mdd_up"].iloc[1] > 0
    assert np.isnan(res["mdd_down"].iloc[2]) and res["mdd_up"].iloc[2] > 0


def test_mdd_errors():
    with pytest.raises(ValueError, match="power must exceed alpha"):
        minimal_detectable_difference(10, 10, 0.5, alpha=0.2, power=0.1)
    with pytest.raises(ValueError, match=r"p_base must be a proportion"):
        minimal_detectable_difference(10, 10, -0.1)
    with pytest.raises(ValueError, match=r"n1 must be a positive group size"):
        minimal_detectable_difference(0, 10, 0.5)


# ---------------------------------------------------------------------------
# Bayesian companion
# ---------------------------------------------------------------------------


def prob_greater_closed_form(a1, b1, a2, b2):
    """P(X1 > X2), X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2), integer a1.

    Sum formula for the Beta-Beta comparison (e.g. Evan Miller, "Formulas
    for Bayesian A/B testing", 2015), in logs.
    """
    total = 0.0
    for i in range(int(a1)):
        total += math.exp(
            special.betaln(a2 + i, b1 + b2)
            - math.log(b1 + i)
            - special.betaln(1 + i, b1)
            - special.betaln(a2, b2)
        )
    return total


def exact_difference_quantile(a1, b1, a2, b2, q):
    """Quantile of X1 - X2 by integrating P(X1 <= x2 + d) over X2."""

    def cdf(d):
        def integrand(u):
            x = special.betaincinv(a2, b2, u) + d
            return special.betainc(a1, b1, min(max(x, 0.0), 1.0))

        return integrate.quad(integrand, 0, 1, epsabs=1e-12, epsrel=1e-10, limit=400)[0]

    return optimize.brentq(lambda d: cdf(d) - q, -1 + 1e-12, 1 - 1e-12, xtol=1e-12)


def test_prob_greater_symmetric_is_half():
    res = bayes_compare([5, 0, 40], [10, 7, 80], [5, 0, 40], [10, 7, 80], draws=1000)
    np.testing.assert_allclose(res["prob_greater"], 0.5, atol=1e-9, rtol=0)


def test_prob_greater_matches_closed_form_with_uniform_prior():
    rows = [(5, 10, 3, 10), (32, 106, 3, 24), (0, 10, 4, 20), (9, 9, 0, 3), (1, 40, 2, 30)]
    res = _frame_bayes(rows, prior=(1, 1))
    expected = [
        prob_greater_closed_form(a + 1, m - a + 1, c + 1, r - c + 1) for a, m, c, r in rows
    ]
    np.testing.assert_allclose(res["prob_greater"], expected, atol=1e-9, rtol=0)


def _frame_bayes(rows, **kwargs):
    kwargs.setdefault("draws", 1000)
    k1, n1, k2, n2 = np.array(rows).T
    return bayes_compare(k1, n1, k2, n2, **kwargs)


def test_prob_greater_matches_large_monte_carlo():
    rows = [(5, 10, 3, 10), (32, 106, 3, 24), (0, 12, 1, 9), (60, 100, 48, 80)]
    res = _frame_bayes(rows)
    rng = np.random.default_rng(2024)
    draws = 2_000_000
    for (a, m, c, r), exact in zip(rows, res["prob_greater"]):
        x1 = rng.beta(a + 0.5, m - a + 0.5, draws)
        x2 = rng.beta(c + 0.5, r - c + 0.5, draws)
        mc = np.mean(x1 > x2)
        se = math.sqrt(exact * (1 - exact) / draws)
        assert abs(mc - exact) < 4 * se


def test_credible_interval_matches_exact_quantiles():
    rows = [(5, 10, 3, 10), (32, 106, 3, 24), (0, 10, 0, 20)]
    res = _frame_bayes(rows, draws=200_000)
    for (a, m, c, r), row in zip(rows, res.itertuples()):
        shapes = (a + 0.5, m - a + 0.5, c + 0.5, r - c + 0.5)
        low = exact_difference_quantile(*shapes, 0.025)
        high = exact_difference_quantile(*shapes, 0.975)
        assert 0 < row.mc_se_low < 0.01 and 0 < row.mc_se_high < 0.01
        assert abs(row.cred_low - low) < 5 * row.mc_se_low
        assert abs(row.cred_high - high) < 5 * row.mc_se_high


def test_mc_standard_error_is_calibrated():
    # The spread of the interval limits over 40 seeds matches the reported
    # Monte Carlo standard error (fixed seeds, so this is deterministic).
    runs = pd.concat(
        [bayes_compare(5, 10, 3, 10, draws=5000, seed=s) for s in range(40)], ignore_index=True
    )
    for limit, se in (("cred_low", "mc_se_low"), ("cred_high", "mc_se_high")):
        ratio = runs[limit].std(ddof=1) / runs[se].mean()
        assert 0.6 < ratio < 1.5


def test_bayes_deterministic_and_row_independent():
    a = bayes_compare([5, 32], [10, 106], [3, 3], [10, 24], draws=5000, seed=7)
    b = bayes_compare([5, 32], [10, 106], [3, 3], [10, 24], draws=5000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    alone = bayes_compare(32, 106, 3, 24, draws=5000, seed=7)
    assert alone["cred_low"].iloc[0] == a["cred_low"].iloc[1]
    other = bayes_compare(5, 10, 3, 10, draws=5000, seed=8)
    assert other["cred_low"].iloc[0] != a["cred_low"].iloc[0]
    assert list(a.columns) == [
        "k1", "n1", "k2", "n2", "prob_greater", "cred_low", "cred_high",
        "mc_se_low", "mc_se_high", "mc_draws",
    ]  # fmt: skip
    assert (a["mc_draws"] == 5000).all()


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"prior": (0, 1)}, "prior must be two positive numbers"),
        ({"prior": (1,)}, "prior must be two positive numbers"),
        ({"cred": 1.0}, "cred must be"),
        ({"draws": 10}, "draws must be an integer of at least 100"),
        ({"draws": 1000.5}, "draws must be an integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
    ],
)
def test_bayes_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        bayes_compare(3, 10, 5, 12, **kwargs)
    with pytest.raises(ValueError, match="k1 cannot exceed n1"):
        bayes_compare(11, 10, 5, 12)
