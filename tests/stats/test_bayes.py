"""Tests for alignment_stats.stats.bayes: the Beta-prior comparison of two proportions.

Expected values come from a closed-form sum (uniform prior), exact
quantiles by numerical integration, and large seeded Monte Carlo runs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special

from alignment_stats.stats.bayes import bayes_compare


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
