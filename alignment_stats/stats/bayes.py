"""A Bayesian companion to the two-proportion comparison: independent Beta priors.

``P(p1 > p2)`` is integrated exactly; the credible interval of ``p1 - p2``
comes from seeded Monte Carlo draws, with the Monte Carlo standard errors of
its limits.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import integrate, special, stats

from ._validate import check_open_unit, result_index, two_sample_counts

__all__ = ["bayes_compare"]


def _prob_greater_exact(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X1 > X2) for independent X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2).

    Integrates P(X2 < x) over the distribution of X1 written in its quantile
    scale, ``int_0^1 F2(Q1(u)) du``: a bounded, monotone integrand, with break
    points where F2 rises.
    """

    def integrand(u: float) -> float:
        return float(special.betainc(a2, b2, special.betaincinv(a1, b1, u)))

    marks = special.betainc(a1, b1, special.betaincinv(a2, b2, np.array([1e-3, 0.5, 1 - 1e-3])))
    points = sorted({float(m) for m in marks if 1e-12 < m < 1 - 1e-12})
    with warnings.catch_warnings():
        # For lopsided tables the integral is ~0 or ~1 and quad cannot certify
        # the tiny absolute tolerance asked for; its own error bound decides.
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        value, error = integrate.quad(
            integrand, 0.0, 1.0, points=points or None, epsabs=1e-13, epsrel=1e-11, limit=500
        )
    if not error < 1e-8:
        raise ArithmeticError(f"P(p1 > p2) integration error bound {error:.1e} exceeds 1e-8")
    return min(max(value, 0.0), 1.0)


def _quantile_mcse(sorted_draws: np.ndarray, prob: float) -> float:
    """Monte Carlo standard error of a quantile of independent draws.

    Order-statistic (binomial) method of Vehtari et al. (2021), as in the
    R package posterior's ``mcse_quantile`` with effective sample size equal
    to the number of draws.
    """
    size = sorted_draws.size
    one_sd = [stats.norm.cdf(-1.0), stats.norm.cdf(1.0)]
    lo_hi = stats.beta.ppf(one_sd, size * prob + 1, size * (1 - prob) + 1)
    i_lo = max(int(np.floor(lo_hi[0] * size)), 1) - 1
    i_hi = min(int(np.ceil(lo_hi[1] * size)), size) - 1
    return float((sorted_draws[i_hi] - sorted_draws[i_lo]) / 2.0)


def bayes_compare(
    k1: ArrayLike,
    n1: ArrayLike,
    k2: ArrayLike,
    n2: ArrayLike,
    prior: tuple[float, float] = (0.5, 0.5),
    cred: float = 0.95,
    draws: int = 200_000,
    seed: int | None = 12345,
) -> pd.DataFrame:
    """Bayesian comparison of two proportions with independent Beta priors.

    Each group's proportion gets a ``Beta(prior[0], prior[1])`` prior
    (Jeffreys' ``Beta(1/2, 1/2)`` by default), so its posterior is
    ``Beta(k + prior[0], n - k + prior[1])``.

    Parameters
    ----------
    k1, n1, k2, n2 : int or array_like of int
        Counts and group sizes, as in :func:`compare_proportions`.
    prior : tuple of two floats, default (0.5, 0.5)
        Shape parameters of the Beta prior used for both groups.
    cred : float, default 0.95
        Probability of the central credible interval for ``p1 - p2``.
    draws : int, default 200_000
        Monte Carlo draws per table for the credible interval.
    seed : int or None, default 12345
        Seed of ``numpy.random.default_rng``. Each row uses its own generator
        with this seed, so a row's result does not depend on the other rows.

    Returns
    -------
    pandas.DataFrame
        One row per table with columns

        - ``k1``, ``n1``, ``k2``, ``n2``: the inputs;
        - ``prob_greater``: posterior probability that ``p1 > p2``, computed
          exactly by numerical integration (not by simulation);
        - ``cred_low``, ``cred_high``: central credible interval for
          ``p1 - p2`` from ``draws`` Monte Carlo draws;
        - ``mc_se_low``, ``mc_se_high``: Monte Carlo standard errors of those
          two limits (order-statistic method);
        - ``mc_draws``: number of draws used.

    Raises
    ------
    ValueError
        For invalid counts (as :func:`compare_proportions`), non-positive
        prior parameters, ``cred`` outside (0, 1), ``draws`` below 100 or a
        negative seed.

    References
    ----------
    .. [1] Jeffreys, H. (1946). An invariant form for the prior probability
       in estimation problems. Proceedings of the Royal Society A 186,
       453-461.
    .. [2] Vehtari, A., Gelman, A., Simpson, D., Carpenter, B. and Buerkner,
       P.-C. (2021). Rank-normalization, folding, and localization: an
       improved R-hat for assessing convergence of MCMC. Bayesian Analysis
       16(2), 667-718 (Monte Carlo standard error of quantiles).

    Examples
    --------
    Equal data give probability one half exactly; Leapfrog's 32 of 106
    marketers against 3 of 24 IT leaders make a higher marketing share very
    probable (the Monte Carlo columns are not shown because NumPy does not
    promise the same random stream in every version):

    >>> res = bayes_compare([5, 32], [10, 106], [5, 3], [10, 24], draws=20_000)
    >>> res[["prob_greater", "mc_draws"]].round(4)
       prob_greater  mc_draws
    0        0.5000     20000
    1        0.9672     20000
    """
    if (
        not isinstance(prior, (tuple, list))
        or len(prior) != 2
        or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and v > 0
            for v in prior
        )
    ):
        raise ValueError(
            f"prior must be two positive numbers (a, b) of a Beta prior; got {prior!r}"
        )
    cred = check_open_unit(cred, "cred")
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or draws < 100:
        raise ValueError(f"draws must be an integer of at least 100; got {draws!r}")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ValueError(f"seed must be a non-negative integer or None; got {seed!r}")
    k1a, n1a, k2a, n2a, index = two_sample_counts(k1, n1, k2, n2)
    a0, b0 = float(prior[0]), float(prior[1])
    q_lo, q_hi = (1.0 - cred) / 2.0, (1.0 + cred) / 2.0
    size = k1a.size
    names = ("prob_greater", "cred_low", "cred_high", "mc_se_low", "mc_se_high")
    result = {name: np.empty(size) for name in names}
    cache: dict[tuple[int, int, int, int], tuple[float, ...]] = {}
    for i, key in enumerate(zip(k1a.tolist(), n1a.tolist(), k2a.tolist(), n2a.tolist())):
        if key not in cache:
            a, m, c, r = key
            a1, b1 = a + a0, m - a + b0
            a2, b2 = c + a0, r - c + b0
            prob = _prob_greater_exact(a1, b1, a2, b2)
            rng = np.random.default_rng(seed)
            sample = np.sort(rng.beta(a1, b1, size=int(draws)) - rng.beta(a2, b2, size=int(draws)))
            low, high = np.quantile(sample, [q_lo, q_hi])
            cache[key] = (
                prob,
                float(low),
                float(high),
                _quantile_mcse(sample, q_lo),
                _quantile_mcse(sample, q_hi),
            )
        for name, value in zip(result, cache[key]):
            result[name][i] = value
    return pd.DataFrame(
        {
            "k1": k1a,
            "n1": n1a,
            "k2": k2a,
            "n2": n2a,
            **result,
            "mc_draws": np.full(size, int(draws), dtype=np.int64),
        },
        index=result_index(index, size),
    )


# Equivalence (TOST) and paired comparisons live in their own modules (which
# build on this one); they are importable from here too, as the two-proportion
