"""Tests for alignment_stats.stats.proportions: compare_proportions and its tests of p1 = p2.

Every expected value comes from an independent source: scipy or statsmodels
called on the same input, R (values committed under tests/reference/ with
the script that produced them), a brute-force loop written here, or a
number worked by hand in the comment.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from scipy import stats
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)
from stats_testing import TOL, Z975, brute_boschloo_fisher, informative, random_tables, tables

from alignment_stats.stats.intervals import CI_METHODS
from alignment_stats.stats.proportions import TEST_METHODS, compare_proportions


def sm_score_pvalue(k1, n1, k2, n2):
    """statsmodels' pooled score test (value 0, no correction) p-value."""
    with warnings.catch_warnings():
        # it also computes ratio and odds ratio, which divide by zero counts
        warnings.simplefilter("ignore", RuntimeWarning)
        return sm_proportion.test_proportions_2indep(
            k1, n1, k2, n2, method="score", compare="diff", correction=False
        ).pvalue


def _frame(cases, **kwargs):
    k1, n1, k2, n2 = np.array(cases).T
    return compare_proportions(k1, n1, k2, n2, **kwargs)


# ---------------------------------------------------------------------------
# agreement with statsmodels / scipy on the same tables
# ---------------------------------------------------------------------------


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
        "odds_ratio", "or_ci_low", "or_ci_high", "p_adjusted", "degenerate",
    ]  # fmt: skip
    assert list(compare_proportions(3, 10, 5, 12, ratio=True).columns)[-1] == "degenerate"
    assert full["degenerate"].dtype == bool


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
        ({"test": "t"}, r"test='t'.*'fisher', 'boschloo', 'z', 'chi2', 'fisher_midp', 'chi2_yates', 'boschloo_fisher'"),
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
# new tests against R: fisher_midp, chi2_yates (and fisher, chi2 once more)
# ---------------------------------------------------------------------------

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


def r_two_proportions() -> pd.DataFrame:
    """Values written by tests/reference/r/two_proportions.R (fisher.test, dhyper, chisq.test)."""
    return pd.read_csv(REFERENCE / "two_proportions.csv", comment="#")


@pytest.mark.parametrize("test", ["fisher", "fisher_midp", "chi2", "chi2_yates"])
def test_pvalues_equal_r(test):
    ref = r_two_proportions()
    assert len(ref) > 1400
    res = compare_proportions(ref["k1"], ref["n1"], ref["k2"], ref["n2"], test=test)
    np.testing.assert_allclose(res["p_value"], ref[test], rtol=1e-9, atol=1e-12)


def test_yates_equals_scipy_and_is_one_below_half_a_count():
    # scipy's correction moves every cell half a count towards its expectation (never past it)
    k1, n1, k2, n2 = random_tables(400, seed=41)
    keep = np.array([informative(*t) for t in zip(k1, n1, k2, n2)])
    res = compare_proportions(k1[keep], n1[keep], k2[keep], n2[keep], test="chi2_yates")
    ref = [stats.chi2_contingency([[a, m - a], [c, r - c]], correction=True).pvalue
           for a, m, c, r in zip(k1[keep], n1[keep], k2[keep], n2[keep])]
    np.testing.assert_allclose(res["p_value"], ref, rtol=1e-9, atol=1e-12)
    # 5/10 vs 6/12: |ad - bc| = |5*6 - 5*6| = 0 < N/2, so the corrected statistic is 0
    assert compare_proportions(5, 10, 6, 12, test="chi2_yates")["p_value"].iloc[0] == 1.0


def test_fisher_midp_by_hand():
    # 0/5 vs 2/4: margin 2 of 9, P(x = 0) = C(5,0) C(4,2) / C(9,2) = 6/36;
    # Fisher two-sided = P(0) = 1/6 (P(1) = 20/36 and P(2) = 10/36 are larger);
    # mid-p = 1/6 - 1/12 = 1/12
    res = compare_proportions([0, 0], [5, 5], [2, 0], [4, 4], test="fisher_midp")
    assert res["p_value"].iloc[0] == pytest.approx(1 / 12, abs=1e-15)
    assert res["p_value"].iloc[1] == 1.0  # empty margin


# ---------------------------------------------------------------------------
# Boschloo: scipy's convention and the Fisher-ordered alternative
# ---------------------------------------------------------------------------


def test_boschloo_fisher_equals_brute_force():
    rows = [(0, 5, 2, 4), (7, 12, 2, 10), (1, 1, 0, 1), (10, 10, 0, 20), (5, 9, 1, 11)]
    res = _frame(rows, test="boschloo_fisher")
    expected = [brute_boschloo_fisher(*r, grid=4001) for r in rows]
    np.testing.assert_allclose(res["p_value"], expected, rtol=1e-9, atol=1e-12)


def test_boschloo_conventions_on_the_issue_example():
    # 0/5 vs 2/4 (issue 17): scipy's two-sided Boschloo (twice the smaller one-sided p)
    # exceeds Fisher's p; the Fisher-ordered Boschloo does not.
    res = {t: _frame([(0, 5, 2, 4)], test=t)["p_value"].iloc[0] for t in ("boschloo", "fisher", "boschloo_fisher")}
    assert res["boschloo"] == pytest.approx(stats.boschloo_exact([[0, 2], [5, 2]]).pvalue, abs=1e-12)
    assert round(res["boschloo"], 3) == 0.192 and round(res["fisher"], 3) == 0.167
    assert res["boschloo_fisher"] < res["fisher"]


def test_boschloo_fisher_never_exceeds_fisher():
    # conditionally on its margin the Fisher p-value is a valid p-value, so the
    # unconditional tail at any common share is at most the observed Fisher p
    rows = [(a, m, c, r) for m in range(1, 7) for r in range(1, 7) for a in range(m + 1) for c in range(r + 1)]
    fisher = _frame(rows, test="fisher")["p_value"].to_numpy()
    bf = _frame(rows, test="boschloo_fisher")["p_value"].to_numpy()
    assert np.all(bf <= fisher * (1 + 1e-12))
    assert np.all(bf[np.array([not informative(*r) for r in rows])] == 1.0)


# ---------------------------------------------------------------------------
# ratio and odds ratio of empty margins: NaN and flagged
# ---------------------------------------------------------------------------


def test_degenerate_ratio_and_odds_ratio_are_nan_and_flagged():
    # 0/20 vs 0/25: ratio 0/0 and odds ratio (0 * 25) / (20 * 0) = 0/0; 20/20 vs 25/25: ratio 1,
    # odds ratio (20 * 0) / (0 * 25) = 0/0. Both tables say nothing about a difference.
    res = _frame([(0, 20, 0, 25), (20, 20, 25, 25), (3, 20, 0, 25), (3, 20, 5, 25)],
                 test="z", ratio=True, odds_ratio=True)
    assert res["degenerate"].tolist() == [True, True, False, False]
    assert np.isnan(res["ratio"].iloc[0]) and res["ratio"].iloc[1] == 1.0
    assert np.isnan(res["odds_ratio"].iloc[:2]).all()
    assert res["ratio"].iloc[2] == np.inf
    # 3/20 vs 5/25: (3 * 20) / (17 * 5)
    assert res["odds_ratio"].iloc[3] == pytest.approx(60 / 85, rel=1e-15)
    assert "degenerate" not in compare_proportions(0, 20, 0, 25).columns
