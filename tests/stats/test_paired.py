"""Paired proportions: checked against published values, statsmodels and brute force.

Reference values carry their source. Independent re-implementations below
(Wilson limits by root finding on the score equation, Newcombe's method 10
written out from the paper, Tango's statistic from its closed-form restricted
MLE, exact McNemar by exact binomial sums) share no code with the module.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from alignment_stats.stats.intervals import wilson_interval
from alignment_stats.stats.paired import (
    PAIRED_TEST_METHODS,
    compatible_tables,
    mcnemar_asymptotic,
    mcnemar_exact,
    paired_compare,
    paired_gap_bounds,
    paired_interval,
    paired_pvalues,
    tango_statistic,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

Z95 = stats.norm.isf(0.025)


# ---------------------------------------------------------------------------
# independent reference implementations (scalar, written from the papers)
# ---------------------------------------------------------------------------


def wilson_by_root(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson limits: the roots p of (k/n - p)^2 = z^2 p (1 - p) / n, i.e. of the quadratic
    (1 + z^2/n) p^2 - (2 k/n + z^2/n) p + (k/n)^2 = 0, by numpy.roots."""
    p_hat, w = k / n, z * z / n
    roots = np.sort(np.roots([1 + w, -(2 * p_hat + w), p_hat * p_hat]).real)
    return float(max(roots[0], 0.0)), float(min(roots[-1], 1.0))


def newcombe_method10(e: int, f: int, g: int, h: int, z: float = Z95) -> tuple[float, float]:
    """Newcombe (1998b) method 10, cells e (both), f (first only), g (second only), h (neither).

    L = theta - sqrt(dl1^2 - 2 phi dl1 du2 + du2^2), U = theta + sqrt(du1^2 - 2 phi du1 dl2 + dl2^2),
    with Wilson limits (l1, u1) of (e+f)/n and (l2, u2) of (e+g)/n, and phi = A / sqrt(product of
    margins) where A = eh - fg, replaced by max(A - n/2, 0) when A > 0, and phi = 0 when a margin is 0.
    """
    n = e + f + g + h
    p1, p2 = (e + f) / n, (e + g) / n
    l1, u1 = wilson_by_root(e + f, n, z)
    l2, u2 = wilson_by_root(e + g, n, z)
    a = e * h - f * g
    if a > 0:
        a = max(a - n / 2, 0)
    margins = (e + f) * (g + h) * (e + g) * (f + h)
    phi = a / math.sqrt(margins) if margins > 0 else 0.0
    dl1, du1, dl2, du2 = p1 - l1, u1 - p1, p2 - l2, u2 - p2
    low = p1 - p2 - math.sqrt(max(dl1 ** 2 - 2 * phi * dl1 * du2 + du2 ** 2, 0.0))
    high = p1 - p2 + math.sqrt(max(du1 ** 2 - 2 * phi * du1 * dl2 + dl2 ** 2, 0.0))
    return low, high


def tango_z(b: int, c: int, n: int, delta: float) -> float:
    """Tango's score statistic: quadratic root by numpy.roots, variance n(2q + delta(1 - delta))."""
    coefficients = [2 * n, -b - c + (2 * n - b + c) * delta, -c * delta * (1 - delta)]
    roots = np.roots(coefficients)
    q = float(np.max(roots.real))  # the non-negative root (a double root may carry a tiny imaginary part)
    var = n * (2 * q + delta * (1 - delta))
    num = b - c - n * delta
    if var <= 0:
        return math.copysign(math.inf, num) if num else 0.0
    return num / math.sqrt(var)


def mcnemar_fraction(b: int, c: int, midp: bool) -> float:
    """Exact (or mid-p) two-sided McNemar p from exact binomial sums."""
    m, k = b + c, min(b, c)
    if m == 0:
        return 1.0
    tail = sum(Fraction(math.comb(m, i), 2 ** m) for i in range(k + 1))
    if midp:
        tail -= Fraction(math.comb(m, k), 2 ** m) / 2
    return float(min(2 * tail, 1))


def all_tables(n: int):
    for both, a_only, b_only in itertools.product(range(n + 1), repeat=3):
        neither = n - both - a_only - b_only
        if neither >= 0:
            yield both, a_only, b_only, neither


# ---------------------------------------------------------------------------
# Newcombe (1998b) method 10
# ---------------------------------------------------------------------------

# Newcombe RG (1998b), Stat Med 17:2635-2650, Table III, method 10 column:
# (e, f, g, h) -> 95% limits for theta = (f - g) / n, printed to 4 decimals.
# (Transcribed in two independent public test suites, which agree.)
NEWCOMBE_TABLE_III = [
    ((36, 12, 2, 0), (0.0569, 0.3404)),
    ((20, 12, 2, 16), (0.0562, 0.3292)),
    ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((36, 14, 0, 0), (0.1528, 0.4167)),
    ((35, 14, 0, 1), (0.1461, 0.4175)),
    ((18, 14, 0, 18), (0.1441, 0.3963)),
    ((2, 97, 1, 0), (0.8721, 0.9854)),
    ((1, 97, 1, 1), (0.8736, 0.9850)),
    ((0, 29, 1, 0), (0.6666, 0.9882)),
    ((2, 98, 0, 0), (0.9178, 0.9945)),
    ((1, 98, 0, 1), (0.9171, 0.9916)),
    ((0, 30, 0, 0), (0.8395, 1.0)),
    ((54, 0, 0, 0), (-0.0664, 0.0664)),
]


@pytest.mark.parametrize("cells, published", NEWCOMBE_TABLE_III)
def test_newcombe_matches_table_iii(cells, published):
    low, high = paired_interval(*cells, ci="newcombe")
    # within rounding of the printed 4 decimals, except (1, 97, 1, 1): the formula gives
    # 0.87367, printed 0.8736, so the tolerance is one unit of the 4th decimal
    assert (low[0], high[0]) == pytest.approx(published, abs=1e-4)


def test_newcombe_table_iii_all_vectorized_at_once():
    cells = np.array([c for c, _ in NEWCOMBE_TABLE_III])
    low, high = paired_interval(cells[:, 0], cells[:, 1], cells[:, 2], cells[:, 3])
    published = np.array([p for _, p in NEWCOMBE_TABLE_III])
    assert np.abs(low - published[:, 0]).max() < 1e-4
    assert np.abs(high - published[:, 1]).max() < 1e-4


def test_newcombe_matches_cavo_example():
    # Cavo et al. (2012) data (59, 6, 16, 80) in Fagerland, Lydersen & Laake (2014, Stat Med
    # 33:2850; and their 2017 book, ch. 8): Newcombe square-and-add -0.0621 (-0.1186 to -0.0046)
    res = paired_compare(59, 6, 16, 80).iloc[0]
    assert res["diff"] == pytest.approx(-10 / 161)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((-0.1186, -0.0046), abs=5e-5)


def test_newcombe_equals_its_defining_construction_for_every_small_table():
    # every table with n <= 12, against Wilson limits by root finding + the paper's formula
    tables = np.array([t for n in range(1, 13) for t in all_tables(n)])
    for alpha in (0.05, 0.10):
        z = stats.norm.isf(alpha / 2)
        low, high = paired_interval(*tables.T, alpha=alpha)
        expected = np.array([newcombe_method10(*t, z=z) for t in tables])
        assert np.abs(low - np.clip(expected[:, 0], -1, 1)).max() < 1e-9
        assert np.abs(high - np.clip(expected[:, 1], -1, 1)).max() < 1e-9


def test_wilson_interval_against_root_finding_and_statsmodels():
    for n in (1, 2, 7, 106):
        for k in range(n + 1):
            low, high = wilson_interval(k, n)
            assert (low[0], high[0]) == pytest.approx(wilson_by_root(k, n, Z95), abs=1e-10)


# ---------------------------------------------------------------------------
# Tango (1998)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells, level, published, decimals",
    [
        # Agresti & Min (2005, Stat Med 24:729), example: Tango score interval -0.020 to 0.207
        ((53, 16, 8, 9), 0.95, (-0.020, 0.207), 3),
        # Fagerland, Lydersen & Laake (2014), Bentur et al. (2009) data: -0.517 to -0.026
        ((1, 1, 7, 12), 0.95, (-0.517, -0.026), 3),
        # Tango (1998) example, 90% interval: -0.096 to 0.037
        ((43, 0, 1, 0), 0.90, (-0.096, 0.037), 3),
        # Fagerland, Lydersen & Laake (2014), Cavo et al. (2012): -0.1240 to -0.0054
        ((59, 6, 16, 80), 0.95, (-0.1240, -0.0054), 4),
    ],
)
def test_tango_matches_published_examples(cells, level, published, decimals):
    low, high = paired_interval(*cells, alpha=1 - level, ci="tango")
    assert (round(float(low[0]), decimals), round(float(high[0]), decimals)) == published


def test_tango_limits_solve_the_score_equation_for_every_small_table():
    # defining property: Z(L) = z and Z(U) = -z (or the limit is -1 / +1 where the estimate is);
    # and the interval is exactly the set of deltas the score test accepts (checked on a grid)
    grid = np.linspace(-0.998, 0.998, 500)
    for n in range(1, 9):
        for b in range(n + 1):
            for c in range(n + 1 - b):
                low, high = paired_interval(n - b - c, b, c, 0, ci="tango")
                low, high = float(low[0]), float(high[0])
                diff = (b - c) / n
                if low == -1.0:
                    assert diff == -1.0
                else:
                    assert tango_z(b, c, n, low) == pytest.approx(Z95, abs=1e-6)
                if high == 1.0:
                    assert diff == 1.0
                else:
                    assert tango_z(b, c, n, high) == pytest.approx(-Z95, abs=1e-6)
                accepted = np.array([abs(tango_z(b, c, n, d)) <= Z95 for d in grid])
                inside = (grid > low + 1e-9) & (grid < high - 1e-9)
                outside = (grid < low - 1e-9) | (grid > high + 1e-9)
                assert accepted[inside].all() and not accepted[outside].any()


def test_tango_statistic_against_reference():
    for b, c, n, delta in [(9, 2, 44, 0.0), (9, 2, 44, -0.3), (0, 0, 5, 0.2), (3, 1, 10, 0.9), (0, 4, 4, -0.5)]:
        assert tango_statistic(b, c, n, delta)[0] == pytest.approx(tango_z(b, c, n, delta), rel=1e-12)


# ---------------------------------------------------------------------------
# McNemar (1947)
# ---------------------------------------------------------------------------


def test_mcnemar_exact_equals_statsmodels_everywhere_small():
    pairs = [(b, c) for b in range(61) for c in range(61)]
    b, c = np.array(pairs).T
    ours = mcnemar_exact(b, c)
    theirs = np.array([mcnemar([[5, x], [y, 7]], exact=True).pvalue for x, y in pairs])
    assert np.abs(ours - theirs).max() <= 1e-12


def test_mcnemar_exact_equals_statsmodels_on_large_tables():
    rng = np.random.default_rng(3)
    b, c = rng.integers(0, 3000, 200), rng.integers(0, 3000, 200)
    ours = mcnemar_exact(b, c)
    theirs = np.array([mcnemar([[0, x], [y, 0]], exact=True).pvalue for x, y in zip(b, c)])
    assert np.abs(ours - theirs).max() <= 1e-12


def test_mcnemar_exact_and_midp_against_exact_binomial_sums():
    for b, c in [(0, 0), (0, 1), (9, 2), (6, 16), (21, 0), (40, 40), (13, 30)]:
        assert mcnemar_exact(b, c)[0] == pytest.approx(mcnemar_fraction(b, c, False), abs=1e-14)
        assert mcnemar_exact(b, c, midp=True)[0] == pytest.approx(mcnemar_fraction(b, c, True), abs=1e-14)


def test_mcnemar_cavo_published_values():
    # Fagerland, Lydersen & Laake (2014), Cavo et al. data: exact conditional P = 0.052479,
    # mid-P = 0.034690
    assert mcnemar_exact(6, 16)[0] == pytest.approx(0.052479, abs=5e-7)
    assert mcnemar_exact(6, 16, midp=True)[0] == pytest.approx(0.034690, abs=5e-7)


def test_paired_compare_columns_and_test_against_statsmodels():
    res = paired_compare([12, 59], [9, 6], [2, 16], [21, 80], ci="tango", test="exact")
    assert list(res.columns) == ["both", "a_only", "b_only", "neither", "n", "k_a", "k_b", "p_a", "p_b", "diff",
                                 "ci_low", "ci_high", "p_value"]
    # 12 + 9 + 2 + 21 = 44 respondents, 21 say yes to a, 14 to b: diff = 7/44
    assert res["n"].tolist() == [44, 161]
    assert res["diff"].iloc[0] == pytest.approx(7 / 44)
    assert res["p_value"].iloc[0] == pytest.approx(mcnemar([[12, 9], [2, 21]], exact=True).pvalue, abs=1e-12)
    assert res["p_value"].iloc[1] == pytest.approx(mcnemar([[59, 6], [16, 80]], exact=True).pvalue, abs=1e-12)


# ---------------------------------------------------------------------------
# Fréchet bounds over compatible tables
# ---------------------------------------------------------------------------


def test_frechet_bounds_by_hand():
    # 3 of 4 say yes to a, 2 of 4 to b: at least 3 + 2 - 4 = 1 say yes to both, at most 2
    res = paired_gap_bounds(3, 2, 4).iloc[0]
    assert (res["both_min"], res["both_max"]) == (1, 2)
    assert (res["a_only_min"], res["a_only_max"]) == (1, 2)
    assert (res["b_only_min"], res["b_only_max"]) == (0, 1)
    assert res["tables"] == 2
    # Leapfrog, data tracking & analytics: 64 and 43 of 106 -> both in [1, 43], important
    # without expertise 64 - 43 = 21 to 64 - 1 = 63
    res = paired_gap_bounds(64, 43, 106).iloc[0]
    assert (res["both_min"], res["both_max"], res["a_only_min"], res["a_only_max"]) == (1, 43, 21, 63)
    assert res["diff"] == pytest.approx(21 / 106)


def test_compatible_tables_lists_every_table():
    tables = compatible_tables([3, 0], [2, 0], [4, 2])
    assert tables[["row", "both", "a_only", "b_only", "neither"]].values.tolist() == [
        [0, 1, 2, 1, 0], [0, 2, 1, 0, 1], [1, 0, 0, 0, 2]]


def mcnemar_chi2_by_hand(b: int, c: int, correct: bool) -> float:
    """R's mcnemar.test: (|b - c| - YATES)^2 / (b + c), YATES = 1 if correct and b != c; p = 1 if b + c = 0."""
    if b + c == 0:
        return 1.0
    yates = 1 if correct and b != c else 0
    return float(stats.chi2.sf((abs(b - c) - yates) ** 2 / (b + c), 1))


@pytest.mark.parametrize(("ci", "test"), [("newcombe", "exact"), ("tango", "exact"), ("newcombe", "midp"),
                                          ("tango", "midp"), ("newcombe", "mcnemar"), ("newcombe", "mcnemar_cc")])
def test_bounds_equal_brute_force_enumeration(ci, test):
    # every 2x2 table with n <= 8, enumerated here and grouped by its margins; per-table statistics
    # from the independent implementation (Newcombe) or per table (Tango), statsmodels for McNemar
    tables = [t for n in range(1, 9) for t in all_tables(n)]
    if ci == "tango":  # validated above by its defining property; here one call for all tables
        tango_low, tango_high = paired_interval(*np.array(tables).T, ci="tango")
    rows = []
    for i, (both, a_only, b_only, neither) in enumerate(tables):
        n = both + a_only + b_only + neither
        if ci == "newcombe":
            low, high = newcombe_method10(both, a_only, b_only, neither)
            low, high = max(low, -1.0), min(high, 1.0)
        else:
            low, high = float(tango_low[i]), float(tango_high[i])
        if test == "exact":
            p = mcnemar([[both, a_only], [b_only, neither]], exact=True).pvalue
        elif test == "midp":
            p = mcnemar_fraction(a_only, b_only, True)
        else:
            p = mcnemar_chi2_by_hand(a_only, b_only, test == "mcnemar_cc")
        rows.append({"k_a": both + a_only, "k_b": both + b_only, "n": n, "both": both, "a_only": a_only,
                     "b_only": b_only, "low": low, "high": high, "p": p,
                     "sig": p < 0.05 and (low > 0 or high < 0)})
    brute = pd.DataFrame(rows).groupby(["k_a", "k_b", "n"], sort=True).agg(
        both_min=("both", "min"), both_max=("both", "max"), a_only_min=("a_only", "min"),
        a_only_max=("a_only", "max"), b_only_min=("b_only", "min"), b_only_max=("b_only", "max"),
        ci_low_min=("low", "min"), ci_low_max=("low", "max"), ci_high_min=("high", "min"),
        ci_high_max=("high", "max"), p_min=("p", "min"), p_max=("p", "max"), tables=("sig", "size"),
        tables_significant=("sig", "sum")).reset_index()
    brute["significant_tables"] = np.where(brute["tables_significant"] == brute["tables"], "all",
                                    np.where(brute["tables_significant"] > 0, "some", "none"))
    ours = paired_gap_bounds(brute["k_a"], brute["k_b"], brute["n"], ci=ci, test=test)
    for column in ("both_min", "both_max", "a_only_min", "a_only_max", "b_only_min", "b_only_max", "tables",
                   "tables_significant", "significant_tables"):
        assert ours[column].tolist() == brute[column].tolist(), column
    for column in ("ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max", "p_min", "p_max"):
        assert np.abs(ours[column].to_numpy() - brute[column].to_numpy()).max() < 1e-9, column
    assert np.allclose(ours["diff"], (brute["k_a"] - brute["k_b"]) / brute["n"])


def test_leapfrog_bounds_against_statsmodels_on_extreme_tables():
    # the most discordant data-tracking table (1 both, 63 important only, 42 expert only, 0 neither)
    # has the largest McNemar p-value; the least discordant (43, 21, 0, 42) the smallest
    res = paired_gap_bounds(64, 43, 106).iloc[0]
    assert res["p_max"] == pytest.approx(mcnemar([[1, 63], [42, 0]], exact=True).pvalue, abs=1e-12)
    assert res["p_min"] == pytest.approx(mcnemar([[43, 21], [0, 42]], exact=True).pvalue, abs=1e-12)
    assert res["p_max"] > 0.05 > res["p_min"]
    assert res["significant_tables"] == "some"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.integers(0, n), st.just(n))))
def test_bounds_contain_every_compatible_observed_table(margins):
    k_a, k_b, n = margins
    bounds = paired_gap_bounds(k_a, k_b, n, ci="tango").iloc[0]
    tables = compatible_tables(k_a, k_b, n)
    assert len(tables) == bounds["both_max"] - bounds["both_min"] + 1 == bounds["tables"]
    assert ((tables["both"] + tables["a_only"]) == k_a).all() and ((tables["both"] + tables["b_only"]) == k_b).all()
    assert (tables[["both", "a_only", "b_only", "neither"]] >= 0).all().all()
    observed = paired_compare(tables["both"], tables["a_only"], tables["b_only"], tables["neither"], ci="tango")
    assert (observed["ci_low"] >= bounds["ci_low_min"] - 1e-15).all()
    assert (observed["ci_high"] <= bounds["ci_high_max"] + 1e-15).all()
    assert (observed["ci_low"] <= observed["diff"] + 1e-12).all()
    assert (observed["diff"] <= observed["ci_high"] + 1e-12).all()


# ---------------------------------------------------------------------------
# the asymptotic McNemar tests against R
# ---------------------------------------------------------------------------


def r_mcnemar() -> pd.DataFrame:
    """Values written by tests/reference/r/mcnemar.R (mcnemar.test, binom.test)."""
    return pd.read_csv(REFERENCE / "mcnemar.csv", comment="#")


def test_mcnemar_tests_equal_r():
    ref = r_mcnemar()
    assert len(ref) > 800
    for test, column in (("mcnemar", "mcnemar"), ("mcnemar_cc", "mcnemar_cc"), ("exact", "exact")):
        res = paired_compare(ref["both"], ref["a_only"], ref["b_only"], ref["neither"], test=test)
        np.testing.assert_allclose(res["p_value"], ref[column], rtol=1e-9, atol=1e-12, err_msg=test)
    np.testing.assert_allclose(mcnemar_asymptotic(ref["a_only"], ref["b_only"]), ref["mcnemar"], rtol=1e-9)
    np.testing.assert_allclose(mcnemar_asymptotic(ref["a_only"], ref["b_only"], correction=True), ref["mcnemar_cc"],
                               rtol=1e-9)
    # R's statistics, from the same formula
    b, c = ref["a_only"].to_numpy(float), ref["b_only"].to_numpy(float)
    np.testing.assert_allclose(ref["mcnemar_statistic"], (b - c) ** 2 / (b + c), rtol=1e-12)


def test_mcnemar_without_discordant_pairs_is_one_and_r_conventions():
    for test in PAIRED_TEST_METHODS:
        assert paired_pvalues(0, 0, test).tolist() == [1.0]
    # R corrects only when a_only != b_only: 5 vs 5 gives statistic 0, p = 1 (statsmodels would give 1/10)
    assert mcnemar_asymptotic(5, 5, correction=True).tolist() == [1.0]
    # 6 vs 16 (Cavo et al.): (10)^2 / 22 = 4.5454545 -> 0.033006; (9)^2 / 22 = 3.6818182 -> 0.055009
    assert mcnemar_asymptotic(6, 16)[0] == pytest.approx(stats.chi2.sf(100 / 22, 1), rel=1e-12)
    assert mcnemar_asymptotic(6, 16, correction=True)[0] == pytest.approx(stats.chi2.sf(81 / 22, 1), rel=1e-12)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: paired_gap_bounds([3, 7], [2, 2], [5, 5]), r"k_a cannot exceed n: k_a=7 > n=5 at position 1"),
        (lambda: paired_gap_bounds(3, 6, 5), r"k_b cannot exceed n"),
        (lambda: paired_gap_bounds([3, -1], 2, 5), r"k_a must be non-negative; got -1 at position 1"),
        (lambda: paired_gap_bounds(0, 0, [4, 0]), r"n must be at least 1 .* at position 1"),
        (lambda: paired_gap_bounds([3, 2], [1, 1, 1], 5), r"k_b has 3 values but k_a has 2"),
        (lambda: paired_gap_bounds(2.5, 1, 5), r"k_a must be whole numbers"),
        (lambda: paired_gap_bounds(2, 1, 5, ci="wald"), r"ci='wald' is not a known method"),
        (lambda: paired_gap_bounds(2, 1, 5, test="chi2"), r"test='chi2' is not a known method"),
        (lambda: paired_gap_bounds(2, 1, 5, alpha=1.5), r"alpha must be"),
        (lambda: paired_gap_bounds(True, 1, 5), r"k_a must hold counts, not booleans"),
        (lambda: paired_compare(0, 0, 0, 0), r"the table is empty"),
        (lambda: paired_compare(1, -2, 0, 3), r"a_only must be non-negative"),
        (lambda: mcnemar_exact([1, 2], [1, 2, 3]), r"b_only has 3 values but a_only has 2"),
        (lambda: wilson_interval(5, 4), r"k cannot exceed n"),
    ],
)
def test_bad_input_raises_value_error_naming_the_field(call, message):
    with pytest.raises(ValueError, match=message):
        call()
