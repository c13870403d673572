"""Tests for alignment_stats.stats.power: power, detectable differences, significance by size.

Every expected power comes from an independent source: R (tests/reference/
power.csv, written by tests/reference/r/power.R: exact enumeration over
fisher.test, prop.test and chisq.test), a brute-force loop over scipy's own
tests written here, statsmodels ``NormalIndPower`` (Cohen's arcsine
approximation), or a formula worked in the comment.
"""

from __future__ import annotations

import functools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
from stats_testing import TOL, Z975, brute_boschloo_fisher, fast_multipletests

from alignment_stats.stats.limits import POWER_EXACT_MAX_TOTAL, SCAN_MAX_N
from alignment_stats.stats.power import (
    POWER_TESTS,
    minimal_detectable_difference,
    power_two_proportions,
    significance_by_size,
    smallest_significant_n,
)
from alignment_stats.stats.pvalues import _fisher_design, _test_fisher, design_pvalues

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


# ---------------------------------------------------------------------------
# references: brute-force loops over scipy's tests
# ---------------------------------------------------------------------------


def scipy_pvalue(k1, n1, k2, n2, test):
    """One table through scipy's own test (p = 1 for an empty column margin)."""
    if k1 + k2 in (0, n1 + n2):
        return 1.0
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    if test == "fisher":
        return stats.fisher_exact(table).pvalue
    if test == "boschloo":  # scipy's table has one column per group
        return stats.boschloo_exact([[k1, k2], [n1 - k1, n2 - k2]]).pvalue
    if test in ("z", "chi2"):
        return stats.chi2_contingency(table, correction=False).pvalue
    if test == "chi2_yates":
        return stats.chi2_contingency(table, correction=True).pvalue
    raise AssertionError(test)


@functools.lru_cache(maxsize=None)
def scipy_rejections(n1, n2, test, alpha):
    """The outcomes (k1, k2) whose p-value from scipy's own test is below alpha, one call per table."""
    return tuple((a, c) for a in range(n1 + 1) for c in range(n2 + 1) if scipy_pvalue(a, n1, c, n2, test) < alpha)


def brute_power(p1, p2, n1, n2, test, alpha=0.05):
    """Sum of b(k1; n1, p1) b(k2; n2, p2) over the outcomes whose scipy p-value is below alpha."""
    total = 0.0
    for a, c in scipy_rejections(n1, n2, test, alpha):
        total += stats.binom.pmf(a, n1, p1) * stats.binom.pmf(c, n2, p2)
    return total


def half_up(p, n):
    return math.floor(p * n + 0.5 + 1e-9)


# ---------------------------------------------------------------------------
# exact power
# ---------------------------------------------------------------------------


def test_issue_17_figures_by_brute_force():
    # issue 17: 106 vs 24 at 30% vs 13%: Fisher 0.362, z 0.402 (the arcsine
    # approximation said 0.462); 10 vs 10 at 90% vs 50%: Fisher 0.295 (not 0.545)
    # (the z test's 0.402 is checked against R's enumeration in test_exact_power_equals_r)
    cases = [(0.30, 0.13, 106, 24, "fisher", 0.362), (0.90, 0.50, 10, 10, "fisher", 0.295)]
    for p1, p2, n1, n2, test, published in cases:
        row = power_two_proportions(p1, p2, n1, n2, test=test).iloc[0]
        expected = brute_power(p1, p2, n1, n2, test)
        assert row.power == pytest.approx(expected, abs=1e-12)
        assert round(row.power, 3) == published
        assert row.power_method == "exact enumeration" and row.test == test


def test_exact_power_equals_r():
    ref = pd.read_csv(REFERENCE / "power.csv", comment="#")
    assert len(ref) == 28
    z = ref[(ref["n1"] == 106) & (ref["test"] == "z")]["power"].iloc[0]
    assert round(z, 3) == 0.402  # issue 17's figure for the z test
    for (alpha, test), rows in ref.groupby(["alpha", "test"]):
        res = power_two_proportions(rows["p1"], rows["p2"], rows["n1"], rows["n2"],
                                    alpha=alpha, test=test)
        assert (res["power_method"] == "exact enumeration").all()
        np.testing.assert_allclose(res["power"], rows["power"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("test", ["fisher", "z", "chi2_yates", "boschloo"])
def test_exact_power_equals_scipy_loop_small_designs(test):
    for p1, p2, n1, n2 in [(0.8, 0.3, 6, 5), (0.5, 0.5, 4, 7)]:
        got = power_two_proportions(p1, p2, n1, n2, test=test).iloc[0].power
        assert got == pytest.approx(brute_power(p1, p2, n1, n2, test), abs=1e-12)


def test_design_pvalues_equal_scipy_every_table():
    for n1, n2, tests in [(6, 4, ("fisher", "boschloo", "chi2_yates")), (3, 7, ("boschloo",)),
                          (9, 9, ("fisher", "chi2_yates"))]:
        for test in tests:
            got = design_pvalues(n1, n2, test)
            expected = np.array([[scipy_pvalue(a, n1, c, n2, test) for c in range(n2 + 1)] for a in range(n1 + 1)])
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    # larger designs, Fisher only (scipy is fast there)
    got = design_pvalues(40, 25, "fisher")
    for a, c in [(0, 25), (20, 5), (13, 8), (40, 0), (31, 17)]:
        assert got[a, c] == pytest.approx(scipy_pvalue(a, 40, c, 25, "fisher"), rel=1e-9, abs=1e-14)


def test_power_of_boschloo_fisher_and_midp_by_brute_force():
    n1, n2, p1, p2 = 5, 4, 0.9, 0.2
    total_bf = 0.0
    total_mid = 0.0
    for a in range(n1 + 1):
        for c in range(n2 + 1):
            w = stats.binom.pmf(a, n1, p1) * stats.binom.pmf(c, n2, p2)
            informative = 0 < a + c < n1 + n2
            if informative and brute_boschloo_fisher(a, n1, c, n2, grid=2001) < 0.05:
                total_bf += w
            if informative:
                fisher = stats.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
                point = stats.hypergeom.pmf(a, n1 + n2, n1, a + c)
                if fisher - 0.5 * point < 0.05:
                    total_mid += w
    assert power_two_proportions(p1, p2, n1, n2, test="boschloo_fisher").iloc[0].power == pytest.approx(total_bf, abs=1e-12)
    assert power_two_proportions(p1, p2, n1, n2, test="fisher_midp").iloc[0].power == pytest.approx(total_mid, abs=1e-12)


def test_exact_power_at_no_difference_is_the_size_of_the_test():
    # at p1 = p2 the power is the probability of a false rejection, below alpha for Fisher
    res = power_two_proportions(0.3, 0.3, [20, 50, 100], [30, 50, 80], test="fisher")
    assert ((res["power"] > 0) & (res["power"] < 0.05)).all()


def test_normal_approximation_beyond_the_exact_limits():
    # n1 + n2 = 2,200 > 2,000: Fisher and Yates switch to the normal approximation of
    # the pooled z test (Yates' with the continuity correction c = (1/n1 + 1/n2) / 2):
    # power = Phi((d - z s0 - c) / s1) + Phi((-d - z s0 - c) / s1), s0 pooled, s1 unpooled
    p1, p2, n1, n2 = 0.40, 0.35, 1500, 700
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    s0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    s1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    c = 0.5 * (1 / n1 + 1 / n2)
    plain = stats.norm.cdf((0.05 - Z975 * s0) / s1) + stats.norm.cdf((-0.05 - Z975 * s0) / s1)
    corrected = stats.norm.cdf((0.05 - Z975 * s0 - c) / s1) + stats.norm.cdf((-0.05 - Z975 * s0 - c) / s1)
    fisher = power_two_proportions(p1, p2, n1, n2, test="fisher").iloc[0]
    assert fisher.power_method == "normal approximation (pooled z)"
    assert fisher.power == pytest.approx(plain, rel=1e-12)
    yates = power_two_proportions(p1, p2, n1, n2, test="chi2_yates").iloc[0]
    assert yates.power_method == "normal approximation (pooled z, continuity-corrected)"
    assert yates.power == pytest.approx(corrected, rel=1e-12)
    # Boschloo from n1 + n2 = 101 on; Fisher and z are exact up to 2,000
    assert power_two_proportions(0.4, 0.2, 51, 50, test="boschloo").iloc[0].power_method.startswith("normal")
    assert power_two_proportions(0.4, 0.2, 1000, 1000, test="fisher").iloc[0].power_method == "exact enumeration"
    assert POWER_EXACT_MAX_TOTAL["fisher"] == 2000 and POWER_EXACT_MAX_TOTAL["boschloo"] == 100
    # the approximation is close to the exact power there: Fisher's exact power of the
    # same design by enumeration (every table's p-value, checked against scipy above)
    reject = _fisher_design(n1, n2)[0] < 0.05  # (design_pvalues stops at 2,000)
    weight = np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1), stats.binom.pmf(np.arange(n2 + 1), n2, p2))
    assert abs(weight[reject].sum() - fisher.power) < 0.015


def test_arcsine_is_cohens_approximation_as_before():
    rng = np.random.default_rng(22)
    p1, p2 = rng.uniform(0, 1, 200), rng.uniform(0, 1, 200)
    n1, n2 = rng.integers(2, 400, 200), rng.integers(2, 400, 200)
    res = power_two_proportions(p1, p2, n1, n2, alpha=0.1, test="arcsine")
    ref = [
        NormalIndPower().power(proportion_effectsize(a, b), nobs1=m, alpha=0.1, ratio=r / m, alternative="two-sided")
        for a, b, m, r in zip(p1, p2, n1, n2)
    ]
    np.testing.assert_allclose(res["power"], ref, rtol=TOL, atol=1e-12)
    assert list(res.columns) == ["p1", "p2", "n1", "n2", "alpha", "cohens_h", "power", "test", "power_method"]
    assert (res["power_method"] == "normal approximation (Cohen's h)").all()
    # by hand: h = 2 asin(sqrt(.3)) - 2 asin(sqrt(.13)); effective n = 1/(1/106 + 1/24);
    # power = Phi(h sqrt(n) - z) + Phi(-h sqrt(n) - z) = 0.4622 (the old default's figure)
    h = 2 * math.asin(math.sqrt(0.30)) - 2 * math.asin(math.sqrt(0.13))
    shift = h * math.sqrt(1 / (1 / 106 + 1 / 24))
    row = power_two_proportions(0.30, 0.13, 106, 24, test="arcsine").iloc[0]
    assert row.cohens_h == pytest.approx(h, abs=1e-15)
    assert row.power == pytest.approx(stats.norm.cdf(shift - Z975) + stats.norm.cdf(-shift - Z975), rel=1e-12)
    # effective (non-whole) sizes are allowed here
    assert power_two_proportions(0.3, 0.13, 70.7, 16.0, test="arcsine").iloc[0].power > 0


def test_power_default_is_fisher_and_shape():
    res = power_two_proportions([0.3, 0.5], 0.13, pd.Series([106, 50], index=["a", "b"]), 24)
    assert (res["test"] == "fisher").all() and list(res.index) == ["a", "b"]
    assert set(POWER_TESTS) == {"fisher", "boschloo", "z", "chi2", "fisher_midp", "chi2_yates", "boschloo_fisher",
                                "arcsine"}


def test_power_errors():
    with pytest.raises(ValueError, match=r"p1 must be a proportion in \[0, 1\]; got 1.5"):
        power_two_proportions(1.5, 0.2, 10, 10)
    with pytest.raises(ValueError, match=r"n2 must be a positive group size; got 0.0 at position 1"):
        power_two_proportions(0.3, 0.2, 10, [5, 0])
    with pytest.raises(ValueError, match="alpha"):
        power_two_proportions(0.3, 0.2, 10, 10, alpha=1)
    with pytest.raises(ValueError, match=r"n1 must be whole numbers \(test='fisher' enumerates"):
        power_two_proportions(0.3, 0.2, 10.5, 10)
    with pytest.raises(ValueError, match=r"test='cohen' is not a known method.*'arcsine'"):
        power_two_proportions(0.3, 0.2, 10, 10, test="cohen")


# ---------------------------------------------------------------------------
# minimal detectable difference
# ---------------------------------------------------------------------------


def test_mdd_reaches_the_power_by_brute_force():
    # smallest shift of p1 from p_base = 0.2 that Fisher's test detects 80% of the time at 30 vs 20
    row = minimal_detectable_difference(30, 20, 0.2).iloc[0]
    assert row.power_method == "exact enumeration" and row.test == "fisher"
    assert brute_power(0.2 + row.mdd_up, 0.2, 30, 20, "fisher") >= 0.8 - 1e-12
    assert brute_power(0.2 + row.mdd_up - 1e-6, 0.2, 30, 20, "fisher") < 0.8
    assert np.isnan(row.mdd_down)  # even p1 = 0 is detected less than 80% of the time
    assert brute_power(0.0, 0.2, 30, 20, "fisher") < 0.8


def test_mdd_leapfrog_by_brute_force():
    # the docstring's example: 106 marketers, 24 IT leaders, 13% of IT
    row = minimal_detectable_difference(106, 24, 0.13).iloc[0]
    assert round(row.mdd_up, 4) == 0.2924 and round(row.mdd_down, 4) == -0.1282
    for d in (row.mdd_up, row.mdd_down):
        assert brute_power(0.13 + d, 0.13, 106, 24, "fisher") >= 0.8 - 1e-12  # (summation order)
        assert brute_power(0.13 + d - math.copysign(1e-5, d), 0.13, 106, 24, "fisher") < 0.8


@pytest.mark.parametrize(("test", "corrected"), [("fisher", False), ("chi2_yates", True)])
def test_mdd_normal_approximation_solves_the_formula(test, corrected):
    # 1,500 vs 700 is beyond exact enumeration (2,000): the approximation is
    # solved, here by brentq on the same formula written out
    n1, n2, base = 1500, 700, 0.05
    row = minimal_detectable_difference(n1, n2, base, test=test).iloc[0]
    assert row.power_method.startswith("normal approximation")

    def approx(p1):
        pooled = (n1 * p1 + n2 * base) / (n1 + n2)
        s0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        s1 = math.sqrt(p1 * (1 - p1) / n1 + base * (1 - base) / n2)
        c = 0.5 * (1 / n1 + 1 / n2) if corrected else 0.0
        d = abs(p1 - base)
        return stats.norm.cdf((d - Z975 * s0 - c) / s1) + stats.norm.cdf((-d - Z975 * s0 - c) / s1) - 0.8

    assert base + row.mdd_up == pytest.approx(optimize.brentq(approx, base, 1.0, xtol=1e-14), abs=1e-10)


def test_mdd_arcsine_as_before():
    n1 = np.array([106, 24, 50, 500, 10])
    n2 = np.array([24, 106, 50, 300, 12])
    base = np.array([0.13, 0.30, 0.5, 0.05, 0.4])
    res = minimal_detectable_difference(n1, n2, base, test="arcsine")
    assert list(res.columns) == ["n1", "n2", "p_base", "alpha", "power", "mdd_up", "mdd_down", "test",
                                 "power_method"]
    for row in res.itertuples():
        for mdd in (row.mdd_up, row.mdd_down):
            h = proportion_effectsize(row.p_base + mdd, row.p_base)
            achieved = NormalIndPower().power(h, nobs1=row.n1, alpha=0.05, ratio=row.n2 / row.n1,
                                              alternative="two-sided")
            assert achieved == pytest.approx(0.8, abs=1e-5)
    # n1 = 106, n2 = 24, p_base = 0.13: h from the normal approximation, then p1 = sin(asin(sqrt(0.13)) +- h/2)^2
    h = (Z975 + stats.norm.ppf(0.8)) * math.sqrt(1 / 106 + 1 / 24)
    phi = math.asin(math.sqrt(0.13))
    assert res.mdd_up.iloc[0] == pytest.approx(math.sin(phi + h / 2) ** 2 - 0.13, abs=1e-5)
    assert res.mdd_down.iloc[0] == pytest.approx(math.sin(phi - h / 2) ** 2 - 0.13, abs=1e-5)


def test_mdd_unreachable_is_nan():
    for test in ("fisher", "arcsine"):
        res = minimal_detectable_difference([5, 5, 300], [5, 5, 300], [0.97, 0.02, 0.0], test=test)
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
    with pytest.raises(ValueError, match=r"n2 must be whole numbers"):
        minimal_detectable_difference(10, 9.5, 0.5)


# ---------------------------------------------------------------------------
# smallest significant n and significance by size
# ---------------------------------------------------------------------------

PAIRS = [(0.34, 0.21), (0.20, 0.04), (0.78, 0.58), (0.5, 0.5)]


def hand_adjust(p, method):
    """Holm, Benjamini-Hochberg or Bonferroni written out (checked against statsmodels below)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    out = np.empty(m)
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    if method == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, (m - rank) * p[i])
            out[i] = min(running, 1.0)
        return out
    running = 1.0  # fdr_bh, from the largest p down
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, m * p[i] / (rank + 1))
        out[i] = running
    return out


def test_hand_adjust_equals_multipletests():
    rng = np.random.default_rng(9)
    with fast_multipletests():
        for method in ("holm", "fdr_bh", "bonferroni"):
            for p in (*rng.uniform(0, 0.3, (5, 6)), np.array([0.01, 0.04, 0.04, 0.2])):
                np.testing.assert_allclose(hand_adjust(p, method), multipletests(p, method=method)[1], atol=1e-15)


def brute_smallest_n(p1, p2, n_max, test="fisher", family=None, adjust="none", i=0, alpha=0.05):
    """Loop over n = 2..n_max with scipy's test and the adjustment written out by hand."""
    significant = []
    for n in range(2, n_max + 1):
        p = scipy_pvalue(half_up(p1, n), n, half_up(p2, n), n, test)
        if family is not None:
            values = list(family)
            values[i] = p
            p = hand_adjust(values, adjust)[i]
        significant.append(p < alpha)
    significant = np.array(significant)
    if not significant[-1]:
        return math.nan
    misses = np.flatnonzero(~significant)
    return float(misses[-1] + 3) if misses.size else 2.0


@pytest.mark.parametrize("test", ["fisher", "chi2_yates"])
def test_smallest_significant_n_equals_scipy_loop(test):
    p1, p2 = np.array(PAIRS).T
    res = smallest_significant_n(p1, p2, test=test, n_max=300)
    expected = [brute_smallest_n(a, b, 300, test) for a, b in PAIRS]
    np.testing.assert_array_equal(res["n_significant"], expected)
    assert (res["p_value_method"] == "exact").all() and list(res.columns) == [
        "p1", "p2", "test", "adjust", "n_significant", "p_value_method"]


def test_smallest_significant_n_with_holm_family_equals_loop():
    # the docstring's family: Accenture's gap with two other observed p-values, Holm
    family = [0.04, 0.01, 0.30]
    res = smallest_significant_n([0.34, 0.30], [0.21, 0.13], adjust="holm", family_p=family[:2], n_max=300)
    expected = [brute_smallest_n(a, b, 300, family=family[:2], adjust="holm", i=i)
                for i, (a, b) in enumerate([(0.34, 0.21), (0.30, 0.13)])]
    np.testing.assert_array_equal(res["n_significant"], expected)
    for method in ("fdr_bh", "bonferroni"):
        res = smallest_significant_n([0.30, 0.34], [0.13, 0.21], adjust=method, family_p=[0.2, 0.001], n_max=200)
        assert res["n_significant"].iloc[0] == brute_smallest_n(0.30, 0.13, 200, family=[0.2, 0.001], adjust=method)
    # the docstring's three-item family, to n = 5000: exact Fisher p-values at every
    # size (enumeration, checked against scipy elsewhere) and the hand-written Holm
    res = smallest_significant_n([0.34, 0.30, 0.54], [0.21, 0.13, 0.50], adjust="holm", family_p=family)
    assert res["n_significant"].tolist()[:2] == [137.0, 82.0] and res["n_significant"].iloc[2] == 1650.0
    sizes = np.arange(2, 5001)
    k1 = np.floor(0.54 * sizes + 0.5 + 1e-9).astype(np.int64)
    k2 = np.floor(0.50 * sizes + 0.5 + 1e-9).astype(np.int64)
    p = _test_fisher(k1, sizes, k2, sizes)
    significant = np.array([hand_adjust([0.04, 0.01, q], "holm")[2] < 0.05 for q in p])
    assert significant[-1] and sizes[np.flatnonzero(~significant)[-1] + 1] == 1650


def test_smallest_significant_n_screening_matches_exact_pvalues_everywhere():
    # n_max = 5000: exact Fisher p-values at every size (enumeration, checked
    # against scipy elsewhere) give the same answer as the screened scan
    pairs = [(0.63, 0.60)]
    p1, p2 = np.array(pairs).T
    res = smallest_significant_n(p1, p2, n_max=5000)
    sizes = np.arange(2, 5001)
    for (a, b), got in zip(pairs, res["n_significant"]):
        k1 = np.floor(a * sizes + 0.5 + 1e-9).astype(np.int64)
        k2 = np.floor(b * sizes + 0.5 + 1e-9).astype(np.int64)
        significant = _test_fisher(k1, sizes, k2, sizes) < 0.05
        misses = np.flatnonzero(~significant)
        expected = math.nan if not significant[-1] else float(sizes[misses[-1] + 1] if misses.size else 2)
        assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_smallest_significant_n_boschloo_small_sizes_equal_scipy():
    # gaps large enough to become significant at n <= 50, where Boschloo is exact
    res = smallest_significant_n([0.8], [0.3], test="boschloo", n_max=40)
    expected = [brute_smallest_n(0.8, 0.3, 40, "boschloo")]
    assert expected[0] <= 40
    np.testing.assert_array_equal(res["n_significant"], expected)
    assert (res["p_value_method"] == "exact").all()
    # a small gap is decided where only the pooled z approximation is affordable, and says so
    far = smallest_significant_n([0.34], [0.21], test="boschloo")
    assert far["p_value_method"].iloc[0] == "exact up to n = 50, pooled z approximation above"
    assert far["n_significant"].iloc[0] == smallest_significant_n([0.34], [0.21], test="z")["n_significant"].iloc[0]


def test_smallest_significant_n_half_up_counts():
    # 35% of 10 is 3.5 -> 4 (binary 0.35 * 10 = 3.4999999999999996 must not round down)
    grid = significance_by_size(0.35, 0.05, [10, 20])
    assert grid["k1"].tolist() == [4, 7] and grid["k2"].tolist() == [1, 1]


def test_smallest_significant_n_is_fast_for_twenty_items():
    rng = np.random.default_rng(4)
    p1 = rng.uniform(0.1, 0.9, 20)
    p2 = np.clip(p1 + rng.uniform(-0.25, 0.25, 20), 0.01, 0.99)
    start = time.perf_counter()
    smallest_significant_n(p1, p2, adjust="holm", family_p=rng.uniform(0, 0.5, 20))
    assert time.perf_counter() - start < 10  # a few seconds on the 2-core reference machine


def test_smallest_significant_n_errors():
    with pytest.raises(ValueError, match="family_p is needed with adjust='holm'"):
        smallest_significant_n([0.3], [0.1], adjust="holm")
    with pytest.raises(ValueError, match="family_p has 1 values but p1 has 2"):
        smallest_significant_n([0.3, 0.4], [0.1, 0.2], adjust="holm", family_p=[0.1])
    with pytest.raises(ValueError, match=r"family_p must be p-values in \[0, 1\]; got 1.5 at position 1"):
        smallest_significant_n([0.3, 0.4], [0.1, 0.2], adjust="holm", family_p=[0.1, 1.5])
    with pytest.raises(ValueError, match=f"n_max must be a whole number from 2 to {SCAN_MAX_N}"):
        smallest_significant_n([0.3], [0.1], n_max=10**9)
    with pytest.raises(ValueError, match="n_max"):
        smallest_significant_n([0.3], [0.1], n_max=1)
    with pytest.raises(ValueError, match="p2 must be a proportion"):
        smallest_significant_n([0.3], [1.1])
    with pytest.raises(ValueError, match="adjust='bh'"):
        smallest_significant_n([0.3], [0.1], adjust="bh")


def test_significance_by_size_equals_scipy_and_compare_proportions():
    from alignment_stats.stats.proportions import compare_proportions

    sizes = [10, 24, 40, 106, 120, 400]
    grid = significance_by_size([0.34, 0.30], [0.21, 0.13], sizes, ci="newcombe", test="fisher")
    assert list(grid.columns) == ["pair", "n", "k1", "k2", "diff", "ci_low", "ci_high", "p_value", "significant",
                                  "ci_excludes_zero", "p_value_method"]
    for row in grid.itertuples():
        assert row.p_value == pytest.approx(scipy_pvalue(row.k1, row.n, row.k2, row.n, "fisher"), rel=1e-9)
        assert row.significant == (row.p_value < 0.05)
    ref = compare_proportions(grid["k1"], grid["n"], grid["k2"], grid["n"], ci="newcombe")
    np.testing.assert_allclose(grid[["ci_low", "ci_high"]], ref[["ci_low", "ci_high"]], rtol=0, atol=0)
    assert grid["ci_excludes_zero"].tolist() == ((ref["ci_low"] > 0) | (ref["ci_high"] < 0)).tolist()
    bosch = significance_by_size(0.34, 0.21, [40, 60], test="boschloo")
    assert bosch["p_value_method"].tolist() == ["exact", "pooled z approximation"]
    assert bosch["p_value"].iloc[0] == pytest.approx(scipy_pvalue(14, 40, 8, 40, "boschloo"), abs=1e-12)


def test_documented_accuracy_of_the_approximations():
    # docs/methods.md: beyond the exact limits the pooled z approximation is within about
    # 0.01 of Fisher's exact power (1,500 vs 700 above; here 1,950 vs 60, where the
    # continuity-corrected version would fall 0.055 short), and 0.724 against Boschloo's
    # exact 0.765 at 100 vs 20, 30% vs 5%. Exact powers by enumeration of every outcome.
    from alignment_stats.stats.power import _normal_power
    from alignment_stats.stats.pvalues import _boschloo_design

    def exact(pvalues, p1, p2, n1, n2):
        weight = np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1), stats.binom.pmf(np.arange(n2 + 1), n2, p2))
        return weight[pvalues < 0.05].sum()

    fisher = exact(_fisher_design(1950, 60)[0], 0.3, 0.15, 1950, 60)
    plain = power_two_proportions(0.3, 0.15, 1950, 60, test="fisher").iloc[0].power
    assert abs(plain - fisher) < 0.01 and fisher - float(_normal_power(0.3, 0.15, 1950, 60, 0.05, True)) > 0.05
    boschloo = exact(_boschloo_design(100, 20, "scipy").reshape(101, 21), 0.3, 0.05, 100, 20)
    approx = power_two_proportions(0.3, 0.05, 100, 20, test="boschloo").iloc[0]
    assert approx.power_method == "normal approximation (pooled z)"
    assert (round(approx.power, 3), round(boschloo, 3)) == (0.724, 0.765)
