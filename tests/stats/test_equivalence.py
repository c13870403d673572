"""Tests for alignment_stats.stats.equivalence.

Expected values come from independent sources only: statsmodels on the same
input (Wald and Agresti-Caffo TOST), published intervals (Newcombe 1998,
Table II; Garner 2016), an independent restricted maximum likelihood fit
written here (score TOST; statsmodels' score test is wrong at non-zero nulls,
statsmodels#10269), exact enumeration of the binomial outcomes (power and
sample size), and numbers derived by hand in the comments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, tost_proportions_2indep

from alignment_stats.stats.equivalence import (
    TOST_METHODS,
    equivalence_power,
    equivalence_sample_size,
    equivalence_test,
)

TOL = 1e-9
PUBLISHED_ROUNDING = 5e-5 + 1e-12  # published to 4 decimals
COLUMNS = [
    "k1", "n1", "k2", "n2", "p1", "p2", "diff", "margin", "ci_low", "ci_high", "ci_level", "tost_ci_low",
    "tost_ci_high", "p_lower", "p_upper", "p_value",
    "equivalent", "min_margin", "method", "degenerate",
]


# ---------------------------------------------------------------------------
# helpers: random tables and independent references
# ---------------------------------------------------------------------------


def random_tables(size: int, seed: int, max_n: int = 300):
    """Random (k1, n1, k2, n2, margin); about a tenth of the counts are 0 or n."""
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, max_n + 1, size)
    n2 = rng.integers(1, max_n + 1, size)
    k1 = rng.binomial(n1, rng.uniform(0, 1, size))
    k2 = rng.binomial(n2, rng.uniform(0, 1, size))
    for k, n in ((k1, n1), (k2, n2)):
        edge = rng.uniform(0, 1, size)
        k[edge < 0.05] = 0
        k[edge > 0.95] = n[edge > 0.95]
    margin = rng.uniform(0.01, 0.5, size)
    return k1, n1, k2, n2, margin


def _loglik(p2, k1, n1, k2, n2, delta):
    p1 = p2 + delta
    with np.errstate(all="ignore"):
        terms = [
            k1 * np.log(p1) if k1 else 0.0,
            (n1 - k1) * np.log1p(-p1) if n1 - k1 else 0.0,
            k2 * np.log(p2) if k2 else 0.0,
            (n2 - k2) * np.log1p(-p2) if n2 - k2 else 0.0,
        ]
    return float(sum(terms))


def _dloglik(p2, k1, n1, k2, n2, delta):
    p1, p2 = np.float64(p2 + delta), np.float64(p2)
    with np.errstate(all="ignore"):
        up = (k1 / p1 if k1 else 0.0) + (k2 / p2 if k2 else 0.0)
        down = ((n1 - k1) / (1 - p1) if n1 - k1 else 0.0) + ((n2 - k2) / (1 - p2) if n2 - k2 else 0.0)
    return float(up - down)


def reference_restricted_mle(k1, n1, k2, n2, delta):
    """MLE of (p1, p2) under p1 - p2 = delta by numerical optimisation.

    A bounded Brent search on the binomial log-likelihood finds the maximum
    to about 1e-6; it is then polished to double precision by Brent's root
    finder on the derivative (the log-likelihood is concave, so the
    derivative changes sign once; a maximum at the boundary is where it does
    not). Nothing here uses the Farrington-Manning cubic.
    """
    lo, hi = max(0.0, -delta), min(1.0, 1.0 - delta)
    coarse = optimize.minimize_scalar(
        lambda x: -_loglik(x, k1, n1, k2, n2, delta), bounds=(lo, hi), method="bounded",
        options={"xatol": 1e-12},
    ).x
    f = lambda x: _dloglik(x, k1, n1, k2, n2, delta)  # noqa: E731
    if not f(lo) > 0:
        p2 = lo
    elif not f(hi) < 0:
        p2 = hi
    else:
        p2 = optimize.brentq(f, lo, hi, xtol=1e-17, rtol=1e-15, maxiter=1000)
    assert abs(p2 - coarse) < 1e-5  # both routes agree on the maximum
    return p2 + delta, p2


def reference_score_z(k1, n1, k2, n2, delta, correction=True):
    """Miettinen-Nurminen (correction) or Farrington-Manning score statistic."""
    p1, p2 = reference_restricted_mle(k1, n1, k2, n2, delta)
    var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if correction:
        var *= (n1 + n2) / (n1 + n2 - 1)
    num = k1 / n1 - k2 / n2 - delta
    if var == 0:
        return math.copysign(math.inf, num) if num else 0.0
    return num / math.sqrt(var)


def statsmodels_tost(k1, n1, k2, n2, margin, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # division by a zero variance: statsmodels returns +-inf
        res = tost_proportions_2indep(k1, n1, k2, n2, -margin, margin, method=method)
    return res.results_larger.pvalue, res.results_smaller.pvalue, res.pvalue


# ---------------------------------------------------------------------------
# Wald and Agresti-Caffo: statsmodels
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["wald", "agresti-caffo"])
@pytest.mark.parametrize("alpha", [0.05, 0.025, 0.1])
def test_wald_and_agresti_caffo_equal_statsmodels(method, alpha):
    k1, n1, k2, n2, margin = random_tables(400, seed=11)
    res = equivalence_test(k1, n1, k2, n2, margin, alpha=alpha, method=method)
    compared = 0
    for i in range(len(k1)):
        p_lower, p_upper, p_value = statsmodels_tost(k1[i], n1[i], k2[i], n2[i], margin[i], method)
        low, high = confint_proportions_2indep(k1[i], n1[i], k2[i], n2[i], method=method, alpha=2 * alpha)
        expected = np.array([p_lower, p_upper, p_value, low, high], dtype=float)
        if np.isnan(expected).any():  # 0/0 in statsmodels; cannot happen for a margin in (0, 1)
            continue
        got = res.loc[i, ["p_lower", "p_upper", "p_value", "tost_ci_low", "tost_ci_high"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, expected, atol=TOL, rtol=0)
        compared += 1
    assert compared == len(k1)


@settings(max_examples=150, deadline=None)
@given(
    n1=st.integers(1, 400), n2=st.integers(1, 400), u1=st.floats(0, 1), u2=st.floats(0, 1),
    margin=st.floats(0.001, 0.999), method=st.sampled_from(["wald", "agresti-caffo"]),
)
def test_wald_equals_statsmodels_hypothesis(n1, n2, u1, u2, margin, method):
    k1, k2 = int(round(u1 * n1)), int(round(u2 * n2))
    row = equivalence_test(k1, n1, k2, n2, margin, method=method).iloc[0]
    p_lower, p_upper, p_value = statsmodels_tost(k1, n1, k2, n2, margin, method)
    assert row.p_lower == pytest.approx(p_lower, abs=TOL)
    assert row.p_upper == pytest.approx(p_upper, abs=TOL)
    assert row.p_value == pytest.approx(p_value, abs=TOL)


def test_wald_by_hand():
    # 50/100 vs 50/100, margin 0.10: se = sqrt(2 * 0.25 / 100) = 0.0707107,
    # z = 0.10 / 0.0707107 = 1.4142136, p = 1 - Phi(1.4142136) = 0.0786496
    # (both sides); 90% interval 0 +- 1.6448536 * 0.0707107 = +-0.1163087.
    row = equivalence_test(50, 100, 50, 100, 0.10, method="wald").iloc[0]
    assert row.p_lower == pytest.approx(0.0786496, abs=1e-7)
    assert row.p_upper == pytest.approx(0.0786496, abs=1e-7)
    assert row.tost_ci_high == pytest.approx(0.1163087, abs=1e-7)
    # 95% interval 0 +- 1.9599640 * 0.0707107 = +-0.1385904
    assert row.ci_high == pytest.approx(0.1385904, abs=1e-7) and row.ci_level == 0.95
    assert row.min_margin == pytest.approx(0.1163087, abs=1e-7)
    assert not row.equivalent


def test_wald_zero_variance_declares_equivalence_like_statsmodels():
    # 0/5 vs 0/5: Wald's variance estimate is 0, so statsmodels' z statistics
    # are +-inf and both p-values 0: "equivalent" at any margin. The score
    # test does not fall for it: at delta = 0.3 the restricted MLE is
    # (0.3, 0), variance 0.21/5 * 10/9 = 0.0466667, z = -0.3/0.216025 =
    # -1.3887301, p_upper = Phi(-1.3887301) = 0.0824.
    wald = equivalence_test(0, 5, 0, 5, 0.3, method="wald").iloc[0]
    assert wald.p_value == statsmodels_tost(0, 5, 0, 5, 0.3, "wald")[2] == 0.0
    assert wald.equivalent
    assert wald.degenerate  # flagged: the test says nothing here
    assert wald.tost_ci_low == wald.tost_ci_high == 0.0
    score = equivalence_test(0, 5, 0, 5, 0.3, method="score").iloc[0]
    assert score.p_upper == pytest.approx(stats.norm.cdf(-0.3 / math.sqrt(0.21 / 5 * 10 / 9)), abs=1e-12)
    assert not score.equivalent and not score.degenerate


def test_degenerate_flags_exactly_the_zero_variance_wald_rows():
    # Wald's variance p1 q1 / n1 + p2 q2 / n2 is 0 exactly when both shares are 0 or 1
    k1, n1, k2, n2, margin = random_tables(300, seed=44, max_n=20)
    for method in TOST_METHODS:
        res = equivalence_test(k1, n1, k2, n2, margin, method=method)
        assert res["degenerate"].dtype == bool
        if method == "wald":
            expected = np.isin(k1, [0]) | (k1 == n1)
            expected &= np.isin(k2, [0]) | (k2 == n2)
            assert res["degenerate"].tolist() == expected.tolist() and expected.any()
        else:  # restricted or adjusted variances never vanish for a margin in (0, 1)
            assert not res["degenerate"].any()


# ---------------------------------------------------------------------------
# score methods: independent restricted MLE and published intervals
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "correction"), [("score", True), ("farrington-manning", False)])
def test_score_pvalues_equal_independent_restricted_mle(method, correction):
    k1, n1, k2, n2, margin = random_tables(250, seed=5)
    res = equivalence_test(k1, n1, k2, n2, margin, method=method)
    for i in range(len(k1)):
        z_low = reference_score_z(int(k1[i]), int(n1[i]), int(k2[i]), int(n2[i]), -margin[i], correction)
        z_up = reference_score_z(int(k1[i]), int(n1[i]), int(k2[i]), int(n2[i]), margin[i], correction)
        assert res.loc[i, "p_lower"] == pytest.approx(stats.norm.sf(z_low), abs=TOL)
        assert res.loc[i, "p_upper"] == pytest.approx(stats.norm.cdf(z_up), abs=TOL)
        assert res.loc[i, "p_value"] == pytest.approx(max(stats.norm.sf(z_low), stats.norm.cdf(z_up)), abs=TOL)


@settings(max_examples=60, deadline=None)
@given(n1=st.integers(1, 150), n2=st.integers(1, 150), u1=st.floats(0, 1), u2=st.floats(0, 1),
       margin=st.floats(0.005, 0.995))
def test_score_pvalues_hypothesis(n1, n2, u1, u2, margin):
    k1, k2 = int(round(u1 * n1)), int(round(u2 * n2))
    row = equivalence_test(k1, n1, k2, n2, margin, method="score").iloc[0]
    assert row.p_lower == pytest.approx(stats.norm.sf(reference_score_z(k1, n1, k2, n2, -margin)), abs=TOL)
    assert row.p_upper == pytest.approx(stats.norm.cdf(reference_score_z(k1, n1, k2, n2, margin)), abs=TOL)


# Newcombe (1998) Table II, 95% intervals: method 6 (Miettinen-Nurminen) and
# method 5 (Mee = the score interval without N/(N-1), i.e. Farrington-Manning).
NEWCOMBE_EXAMPLES = [
    (56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29),
    (0, 10, 0, 20), (0, 10, 0, 10), (10, 10, 0, 20), (10, 10, 0, 10),
]
TABLE2_METHOD6 = [
    (0.0528, 0.3382), (0.1700, 0.8406), (0.0342, 0.8534), (-0.0326, 0.1933),
    (-0.1658, 0.2844), (-0.2879, 0.2879), (0.7156, 1.0000), (0.6636, 1.0000),
]
TABLE2_METHOD5 = [
    (0.0533, 0.3377), (0.1821, 0.8370), (0.0544, 0.8478), (-0.0313, 0.1926),
    (-0.1611, 0.2775), (-0.2775, 0.2775), (0.7225, 1.0000), (0.6777, 1.0000),
]


@pytest.mark.parametrize(("method", "published"),
                         [("score", TABLE2_METHOD6), ("farrington-manning", TABLE2_METHOD5)])
def test_score_interval_equals_newcombe_table2(method, published):
    # the 1 - alpha interval at alpha = 0.05, and the TOST's 1 - 2 alpha interval at alpha = 0.025
    k1, n1, k2, n2 = np.array(NEWCOMBE_EXAMPLES).T
    expected = np.array(published)
    for alpha, low, high in ((0.05, "ci_low", "ci_high"), (0.025, "tost_ci_low", "tost_ci_high")):
        res = equivalence_test(k1, n1, k2, n2, 0.1, alpha=alpha, method=method)
        np.testing.assert_allclose(res[low], expected[:, 0], atol=PUBLISHED_ROUNDING, rtol=0)
        np.testing.assert_allclose(res[high], expected[:, 1], atol=PUBLISHED_ROUNDING, rtol=0)


@pytest.mark.parametrize(("method", "published"), [
    # Garner (2016), WUSS paper 127, p. 9: SAS PROC FREQ 95% intervals for 84/101 vs 89/105
    ("wald", (-0.1162, 0.0843)), ("agresti-caffo", (-0.1168, 0.0850)), ("score", (-0.1191, 0.0860)),
])
def test_garner_2016_intervals(method, published):
    row = equivalence_test(84, 101, 89, 105, 0.1, alpha=0.05, method=method).iloc[0]
    assert abs(row.ci_low - published[0]) < PUBLISHED_ROUNDING
    assert abs(row.ci_high - published[1]) < PUBLISHED_ROUNDING


# ---------------------------------------------------------------------------
# the interval, the TOST and the smallest margin are one thing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", TOST_METHODS)
@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_tost_at_min_margin_has_p_equal_alpha(method, alpha):
    k1, n1, k2, n2, _ = random_tables(300, seed=23)
    res = equivalence_test(k1, n1, k2, n2, 0.1, alpha=alpha, method=method)
    usable = ((res["min_margin"] > 1e-6) & (res["min_margin"] < 1 - 1e-6)).to_numpy()
    assert usable.sum() > 250
    at = res["min_margin"].to_numpy()[usable]
    args = [v[usable] for v in (k1, n1, k2, n2)]
    np.testing.assert_allclose(equivalence_test(*args, at, alpha=alpha, method=method)["p_value"], alpha,
                               atol=TOL, rtol=0)
    # just above the smallest margin equivalence holds, just below it does not
    assert equivalence_test(*args, np.minimum(at + 1e-7, 0.9999999), alpha=alpha, method=method)["equivalent"].all()
    assert not equivalence_test(*args, at - 1e-7, alpha=alpha, method=method)["equivalent"].any()


@pytest.mark.parametrize("method", TOST_METHODS)
def test_each_interval_limit_is_where_its_one_sided_test_has_p_alpha(method):
    # tost_ci_low < 0: the test of p1 - p2 <= ci_low has p = alpha; likewise tost_ci_high > 0
    k1, n1, k2, n2, _ = random_tables(200, seed=31)
    res = equivalence_test(k1, n1, k2, n2, 0.1, method=method)
    low = (res["tost_ci_low"] < -1e-6) & (res["tost_ci_low"] > -1 + 1e-6)
    high = (res["tost_ci_high"] > 1e-6) & (res["tost_ci_high"] < 1 - 1e-6)
    args = [v[low.to_numpy()] for v in (k1, n1, k2, n2)]
    at_low = equivalence_test(*args, -res.loc[low, "tost_ci_low"].to_numpy(), method=method)
    np.testing.assert_allclose(at_low["p_lower"], 0.05, atol=TOL, rtol=0)
    args = [v[high.to_numpy()] for v in (k1, n1, k2, n2)]
    at_high = equivalence_test(*args, res.loc[high, "tost_ci_high"].to_numpy(), method=method)
    np.testing.assert_allclose(at_high["p_upper"], 0.05, atol=TOL, rtol=0)


@settings(max_examples=80, deadline=None)
@given(n1=st.integers(2, 300), n2=st.integers(2, 300), u1=st.floats(0, 1), u2=st.floats(0, 1),
       margin=st.floats(0.01, 0.99), method=st.sampled_from(TOST_METHODS))
def test_equivalent_iff_interval_inside_margin(n1, n2, u1, u2, margin, method):
    k1, k2 = int(round(u1 * n1)), int(round(u2 * n2))
    row = equivalence_test(k1, n1, k2, n2, margin, method=method).iloc[0]
    assert row.p_value == max(row.p_lower, row.p_upper)
    assert row.min_margin == pytest.approx(max(abs(row.tost_ci_low), abs(row.tost_ci_high)), abs=1e-15)
    if abs(row.min_margin - margin) > 1e-9:
        assert row.equivalent == (row.min_margin < margin) == (-margin < row.tost_ci_low and row.tost_ci_high < margin)


# ---------------------------------------------------------------------------
# shape, broadcasting and errors
# ---------------------------------------------------------------------------


def test_columns_types_and_series_index():
    idx = pd.Index(["a", "b"], name="item")
    res = equivalence_test(pd.Series([67, 57], index=idx), pd.Series([106, 106], index=idx),
                           pd.Series([15, 12], index=idx), 24)
    assert list(res.columns) == COLUMNS
    assert res.index.equals(idx)
    assert res["k1"].dtype == np.int64 and res["equivalent"].dtype == bool
    assert (res["method"] == "score").all() and (res["margin"] == 0.10).all()
    # p1 and p2 are k / n: 67/106 = 0.632075, 15/24 = 0.625
    assert res.loc["a", "p1"] == pytest.approx(67 / 106) and res.loc["a", "p2"] == 0.625


def test_one_table_many_margins():
    margins = np.array([0.05, 0.10, 0.20, 0.30])
    many = equivalence_test(67, 106, 15, 24, margins)
    assert len(many) == 4 and (many["k1"] == 67).all()
    for m, row in zip(margins, many.itertuples()):
        one = equivalence_test(67, 106, 15, 24, m).iloc[0]
        assert row.p_value == one.p_value
    # p grows as the margin shrinks
    assert np.all(np.diff(many["p_value"].to_numpy()) < 0)


def test_empty_input_gives_empty_frame():
    res = equivalence_test([], [], [], [])
    assert list(res.columns) == COLUMNS and len(res) == 0


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"margin": 0}, "margin"), ({"margin": -0.1}, "margin"), ({"margin": 1.0}, "margin"),
    ({"margin": [0.1, 1.2]}, "margin .*position 1"), ({"margin": float("nan")}, "margin"),
    ({"alpha": 0}, "alpha"), ({"alpha": 0.5}, "alpha"), ({"alpha": 0.7}, "alpha"), ({"alpha": True}, "alpha"),
    ({"method": "newcombe"}, "method.*'score'"),
])
def test_bad_options(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        equivalence_test([5, 6], 10, [5, 6], 10, **kwargs)


@pytest.mark.parametrize(("args", "pattern"), [
    ((11, 10, 5, 10), "k1 cannot exceed n1"), ((5, 10, 5, 0), "n2 must be at least 1"),
    ((-1, 10, 5, 10), "k1 must be non-negative"), ((5.5, 10, 5, 10), "k1 must be whole"),
    (([1, 2, 3], [10, 10], 5, 10), "n1 has 2 values but k1 has 3"),
])
def test_bad_counts(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        equivalence_test(*args)


def test_margins_and_tables_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="margin has 3 values but k1, n1, k2, n2 have 2"):
        equivalence_test([5, 6], 10, [5, 6], 10, margin=[0.1, 0.2, 0.3])


# ---------------------------------------------------------------------------
# power and sample size
# ---------------------------------------------------------------------------


def exact_tost_power(p1, p2, n1, n2, margin, alpha=0.05, method="wald"):
    """Probability that the TOST concludes equivalence, summed over every outcome (k1, k2).

    For ``"wald"`` the decision is computed here from the textbook statistic
    (checked against statsmodels above); other methods use equivalence_test.
    """
    k1, k2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    k1, k2 = k1.ravel(), k2.ravel()
    if method == "wald":
        d = k1 / n1 - k2 / n2
        se = np.sqrt((k1 / n1) * (1 - k1 / n1) / n1 + (k2 / n2) * (1 - k2 / n2) / n2)
        z = stats.norm.isf(alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = np.where(se > 0, ((d + margin) / se > z) & ((d - margin) / se < -z), np.abs(d) < margin)
    else:
        # Equivalence needs the interval inside (-margin, margin), and the interval holds the
        # estimate (the adjusted one for Agresti-Caffo): outcomes with a larger estimate are
        # not equivalent, so only the others go through equivalence_test.
        if method == "agresti-caffo":
            estimate = (k1 + 1) / (n1 + 2) - (k2 + 1) / (n2 + 2)
        else:
            estimate = k1 / n1 - k2 / n2
        accept = np.zeros(k1.size, dtype=bool)
        inside = np.abs(estimate) < margin
        accept[inside] = equivalence_test(k1[inside], n1, k2[inside], n2, margin, alpha=alpha,
                                          method=method)["equivalent"].to_numpy()
    weight = np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p1), stats.binom.pmf(np.arange(n2 + 1), n2, p2))
    return float(weight.ravel()[accept].sum())


def chow_n(p1, p2, margin, alpha, power, ratio, z_beta):
    """Chow, Shao & Wang (2008) eq. 4.2.4 for group 1 with n2 = ratio n1:
    (z_alpha + z_beta)^2 (p1 q1 + p2 q2 / ratio) / (margin - |p1 - p2|)^2."""
    za = stats.norm.isf(alpha)
    return (za + z_beta) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2) / ratio) / (margin - abs(p1 - p2)) ** 2


def test_sample_size_by_hand():
    # (z_0.95 + z_0.90)^2 = (1.6448536 + 1.2815516)^2 = 8.5638474;
    # 8.5638474 * 2 * 0.63 * 0.37 / 0.01 = 399.25 -> 400 per group;
    # design effect 1.5: 598.87 -> 599; ratio 0.5: n1 = 8.5638474 * (0.2331 +
    # 0.4662) / 0.01 = 598.87 -> 599, n2 = 299.44 -> 300.
    res = equivalence_sample_size(0.63, 0.63, 0.10, method="chow").iloc[0]
    assert (res.n1, res.n2, res.n_total) == (400, 400, 800)
    assert res.power_method == "normal approximation (variance at the true shares)"
    chow = {"method": "chow"}
    assert equivalence_sample_size(0.63, 0.63, 0.10, design_effect=1.5, **chow)[["n1", "n2"]].iloc[0].tolist() == [599, 599]
    assert equivalence_sample_size(0.63, 0.63, 0.10, ratio=0.5, **chow)[["n1", "n2"]].iloc[0].tolist() == [599, 300]


def test_sample_size_equals_chow_closed_form_when_shares_are_equal():
    rng = np.random.default_rng(3)
    for _ in range(100):
        p, margin = rng.uniform(0.02, 0.98), rng.uniform(0.02, 0.4)
        alpha, power = rng.uniform(0.005, 0.2), rng.uniform(0.5, 0.99)
        ratio, deff = rng.uniform(0.25, 4), rng.uniform(1, 3)
        res = equivalence_sample_size(p, p, margin, alpha, power, ratio, deff, method="chow").iloc[0]
        n_star = chow_n(p, p, margin, alpha, power, ratio, stats.norm.isf((1 - power) / 2))
        assert res.n1 == math.ceil(n_star * deff - 1e-9)
        assert res.n2 == math.ceil(ratio * n_star * deff - 1e-9)
        assert res.achieved_power >= power


def test_sample_size_between_one_sided_and_chow_conservative_when_shares_differ():
    # Chow, Shao & Wang (2008) example 4.2.4 setting: 75% vs 80%, margin 20
    # points, alpha 5%, power 80%. Their conservative formula with
    # z_{beta/2}: 8.5638474 * (0.1875 + 0.16) / 0.15^2 = 132.27 -> 133; the
    # one-sided z_beta version: (1.6448536 + 0.8416212)^2 * 0.3475 / 0.0225
    # = 95.50 -> 96. The exact normal-approximation root lies in between.
    res = equivalence_sample_size(0.75, 0.80, 0.20, method="chow").iloc[0]
    assert 96 <= res.n1 <= 133
    rng = np.random.default_rng(8)
    for _ in range(100):
        p1, margin = rng.uniform(0.05, 0.95), rng.uniform(0.03, 0.4)
        p2 = float(np.clip(p1 + rng.uniform(-0.9, 0.9) * margin, 0.01, 0.99))
        if abs(p1 - p2) >= margin:
            continue
        power, ratio = rng.uniform(0.5, 0.95), rng.uniform(0.5, 2)
        res = equivalence_sample_size(p1, p2, margin, 0.05, power, ratio, method="chow").iloc[0]
        low = chow_n(p1, p2, margin, 0.05, power, ratio, stats.norm.isf(1 - power))
        high = chow_n(p1, p2, margin, 0.05, power, ratio, stats.norm.isf((1 - power) / 2))
        assert math.ceil(low - 1e-9) <= res.n1 <= math.ceil(high - 1e-9) + 1
        assert res.achieved_power >= power
        # one fewer in group 1 (same allocation) no longer reaches the target
        fewer = equivalence_power(p1, p2, res.n1 - 1, ratio * (res.n1 - 1), margin, method="chow").iloc[0]
        assert fewer.power < power or res.n1 == 1


# (p1, p2, margin, ratio, method): the issue 17 cases, Leapfrog's share, unequal allocations
EXACT_SIZE_CASES = [
    (0.90, 0.85, 0.15, 0.25, "score"),  # issue 17: Chow's 372 and 93 give the score TOST 0.7265
    (0.10, 0.12, 0.10, 0.25, "score"),  # issue 17: 0.738
    (0.63, 0.63, 0.10, 1.0, "score"),  # the docstring's 395
    (0.30, 0.30, 0.20, 1.0, "farrington-manning"),
    (0.63, 0.63, 0.10, 0.5, "wald"),
    (0.90, 0.85, 0.15, 0.25, "wald"),
    (0.75, 0.80, 0.20, 1.0, "agresti-caffo"),
    (0.20, 0.20, 0.10, 2.0, "agresti-caffo"),
]


@pytest.mark.parametrize(("p1", "p2", "margin", "ratio", "method"), EXACT_SIZE_CASES)
def test_sample_size_reaches_target_power_by_exact_enumeration(p1, p2, margin, ratio, method):
    # every outcome of the returned design through equivalence_test (full grid,
    # no tails dropped): the power reaches 0.80 and exceeds it by less than 0.02,
    # and the reported achieved power is that enumeration
    res = equivalence_sample_size(p1, p2, margin, power=0.8, ratio=ratio, method=method).iloc[0]
    assert res.power_method == "exact enumeration" and res.method == method
    assert res.n2 == max(1, math.ceil(ratio * res.n1 - 1e-9))
    exact = exact_tost_power(p1, p2, int(res.n1), int(res.n2), margin, method=method)
    assert 0.8 <= exact < 0.82
    assert res.achieved_power == pytest.approx(exact, abs=1e-9)


def test_chow_sizes_miss_the_score_target_as_issue_17_says():
    # Chow's approximation gives 372 and 93; the score TOST has power 0.7265 there
    chow = equivalence_sample_size(0.9, 0.85, 0.15, ratio=0.25, method="chow").iloc[0]
    assert (chow.n1, chow.n2) == (372, 93)
    assert round(exact_tost_power(0.9, 0.85, 372, 93, 0.15, method="score"), 4) == 0.7265
    got = equivalence_power(0.9, 0.85, 372, 93, 0.15).iloc[0]
    assert got.power_method == "exact enumeration" and round(got.power, 4) == 0.7265
    # and Wald's 0.779 there; 0.1 vs 0.12 at +-10 points: Chow's 518 and 130, score power 0.738
    assert round(exact_tost_power(0.9, 0.85, 372, 93, 0.15, method="wald"), 3) == 0.779
    chow = equivalence_sample_size(0.1, 0.12, 0.10, ratio=0.25, method="chow").iloc[0]
    assert (chow.n1, chow.n2) == (518, 130)
    assert round(exact_tost_power(0.1, 0.12, 518, 130, 0.10, method="score"), 3) == 0.738


def test_sample_size_one_below_misses_the_target():
    # Wald, 63% vs 63% at +-10 points: n1 - 1 (and the four below it) fall short
    res = equivalence_sample_size(0.63, 0.63, 0.10, method="wald").iloc[0]
    n = int(res.n1)
    for smaller in range(n - 5, n):
        assert exact_tost_power(0.63, 0.63, smaller, smaller, 0.10, method="wald") < 0.8


def test_sample_size_beyond_exact_enumeration_uses_the_method_approximation():
    # +-1.5 points on a 50% share needs about 23,000 per group: more outcomes than
    # TOST_POWER_MAX_CELLS, so the score TOST's normal approximation decides, with
    # the variances restricted to p1 - p2 = -+margin (at p1 = p2 = 0.5 and equal
    # groups the restricted MLE is (0.5075, 0.4925) by symmetry, variance
    # 2 * 0.5075 * 0.4925 / n * N/(N-1))
    res = equivalence_sample_size(0.5, 0.5, 0.015).iloc[0]
    assert res.power_method == "normal approximation (restricted variance)"
    n = int(res.n1)

    def approx(size):
        se = math.sqrt(2 * 0.5075 * 0.4925 / size * (2 * size) / (2 * size - 1))
        sd = math.sqrt(2 * 0.25 / size)
        return 2 * stats.norm.cdf((0.015 - stats.norm.isf(0.05) * se) / sd) - 1

    assert approx(n) >= 0.8 > approx(n - 1)
    assert res.achieved_power == pytest.approx(approx(n), abs=1e-9)
    fast = equivalence_sample_size(0.63, 0.63, 0.10, exact=False).iloc[0]
    assert fast.power_method == "normal approximation (restricted variance)"


def test_power_against_exact_enumeration():
    # 50% in both groups, margin 15 points: sigma = sqrt(2 * 0.25 / n).
    # n = 200: sigma = 0.05, 2 Phi(0.15 / 0.05 - 1.6448536) - 1 = 2 Phi(1.3551464) - 1 = 0.82463.
    res = equivalence_power(0.5, 0.5, [100, 200, 400], [100, 200, 400], 0.15, method="chow")
    assert res["power"].iloc[1] == pytest.approx(2 * stats.norm.cdf(3 - stats.norm.isf(0.05)) - 1, abs=1e-12)
    assert res["power"].iloc[1] == pytest.approx(0.82463, abs=1e-5)
    for n, approx in zip([100, 200, 400], res["power"]):
        assert abs(approx - exact_tost_power(0.5, 0.5, n, n, 0.15)) < 0.02


@pytest.mark.parametrize("method", TOST_METHODS)
def test_exact_power_equals_full_enumeration(method):
    # tails and the outcomes that cannot be equivalent are skipped inside; the
    # full grid here skips nothing
    for p1, p2, n1, n2, margin in [(0.63, 0.63, 106, 24, 0.2), (0.3, 0.35, 60, 80, 0.15), (0.02, 0.0, 40, 30, 0.1),
                                   (1.0, 1.0, 12, 7, 0.05)]:
        got = equivalence_power(p1, p2, n1, n2, margin, method=method).iloc[0]
        assert got.power_method == "exact enumeration" and got.method == method
        assert got.power == pytest.approx(exact_tost_power(p1, p2, n1, n2, margin, method=method), abs=1e-12)


def test_power_with_design_effect_enumerates_the_effective_sizes():
    # 400 and 300 respondents with design effect 2 behave like 200 and 150
    res = equivalence_power(0.6, 0.6, 400, 300, 0.15, design_effect=2.0).iloc[0]
    assert res.power == pytest.approx(exact_tost_power(0.6, 0.6, 200, 150, 0.15, method="score"), abs=1e-12)
    # 401 / 2 = 200.5: floor
    assert equivalence_power(0.6, 0.6, 401, 301, 0.15, design_effect=2.0).iloc[0].power == res.power


def test_power_simulation_unequal_groups():
    # 106 marketers and 300 IT leaders at 60% vs 62%, margin 15 points:
    # seeded simulation of the Wald TOST, 20,000 studies (Monte Carlo SE
    # about 0.003); the normal approximation must be within 0.02.
    rng = np.random.default_rng(20240601)
    reps, n1, n2 = 20_000, 106, 300
    k1, k2 = rng.binomial(n1, 0.60, reps), rng.binomial(n2, 0.62, reps)
    res = equivalence_test(k1, n1, k2, n2, 0.15, method="wald")
    simulated = res["equivalent"].mean()
    approx = equivalence_power(0.60, 0.62, n1, n2, 0.15).iloc[0].power
    assert abs(simulated - approx) < 0.02


def test_power_design_effect_and_degenerate_cases():
    # a design effect of 2 halves the effective sizes
    with_deff = equivalence_power(0.5, 0.5, 400, 400, 0.15, design_effect=2.0, method="chow").iloc[0].power
    assert with_deff == pytest.approx(2 * stats.norm.cdf(0.15 / math.sqrt(0.5 / 200) - stats.norm.isf(0.05)) - 1)
    # no sampling variation: power 1 inside the margin, 0 outside
    chow = equivalence_power([0.0, 1.0, 0.0], [0.0, 1.0, 1.0], 10, 10, 0.1, method="chow")
    assert chow["power"].tolist() == [1.0, 1.0, 0.0]
    # a true difference beyond the margin: no size gives the power
    for method in ("chow", "score"):
        far = equivalence_sample_size([0.5, 0.5], [0.62, 0.6], 0.10, method=method)
        assert far["n1"].isna().all() and far["achieved_power"].isna().all() and far["power_method"].isna().all()
    # both shares 0: Chow's a single respondent per group, Wald's too (its 0/1 vs 0/1 is
    # degenerate and "equivalent"); the score TOST needs enough respondents for
    # 0/n vs 0/n to show the margin: at n = 25, p_upper = Phi(-0.1 / sqrt(0.09/25 * 50/49))
    assert equivalence_sample_size(0.0, 0.0, 0.1, method="chow").iloc[0].n1 == 1
    assert equivalence_sample_size(0.0, 0.0, 0.1, method="wald").iloc[0].n1 == 1
    assert equivalence_sample_size(0.0, 0.0, 0.1).iloc[0].n1 == 25
    assert stats.norm.cdf(-0.1 / math.sqrt(0.09 / 25 * 50 / 49)) <= 0.05 < stats.norm.cdf(-0.1 / math.sqrt(0.09 / 24 * 48 / 47))


def test_sample_size_is_vectorized_and_keeps_series_index():
    idx = pd.Index([3, 7])
    res = equivalence_sample_size(pd.Series([0.63, 0.5], index=idx), pd.Series([0.63, 0.5], index=idx),
                                  [0.10, 0.20], method="chow")
    assert res.index.equals(idx)
    assert str(res["n1"].dtype) == "Int64"
    # 8.5638474 * 0.5 / 0.04 = 107.05 -> 108
    assert res.loc[7, "n1"] == 108


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"margin": 0}, "margin"), ({"margin": 1}, "margin"), ({"alpha": 0.5}, "alpha"), ({"alpha": 0}, "alpha"),
    ({"power": 0}, "power"), ({"power": 1}, "power"), ({"power": 1.2}, "power"),
    ({"ratio": 0}, "ratio"), ({"ratio": -1}, "ratio"), ({"design_effect": 0.9}, "design_effect"),
    ({"p1": 1.2}, "p1"), ({"p2": -0.1}, "p2"), ({"p1": [0.5, 0.6], "p2": [0.5, 0.6, 0.7]}, "p2 has 3 values"),
    ({"method": "newcombe"}, r"method='newcombe'.*'score', 'farrington-manning', 'wald', 'agresti-caffo', 'chow'"),
])
def test_sample_size_errors(kwargs, pattern):
    args = {"p1": 0.5, "p2": 0.5, "margin": 0.1, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        equivalence_sample_size(**args)


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"n1": 0}, "n1"), ({"n2": -3}, "n2"), ({"margin": 1.5}, "margin"), ({"alpha": 0.6}, "alpha"),
    ({"design_effect": 0.5}, "design_effect"), ({"p1": 2}, "p1"), ({"method": "tost"}, "method='tost'"),
])
def test_power_errors(kwargs, pattern):
    args = {"p1": 0.5, "p2": 0.5, "n1": 100, "n2": 100, "margin": 0.1, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        equivalence_power(**args)
