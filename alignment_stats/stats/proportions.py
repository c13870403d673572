"""Two independent proportions compared, vectorized over tables.

:func:`compare_proportions` takes group counts ``k`` (respondents giving an
answer) and group sizes ``n`` as scalars, lists, NumPy arrays or pandas
Series, broadcasts them against each other, and returns one tidy row per
table, so results for many published figures concatenate into one
DataFrame: the difference with its interval
(:mod:`alignment_stats.stats.intervals`), a test of ``p1 = p2`` (Fisher's
exact test, Boschloo's exact test, the pooled score z test, Pearson's
chi-square), Cohen's h, and optionally the risk ratio, the odds ratio and
multiplicity-adjusted p-values.

Results agree with statsmodels and scipy where those are right (checked in
``tests/stats/test_proportions.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats
from statsmodels.stats.proportion import confint_proportions_2indep

from ._validate import check_choice, check_open_unit, result_index, two_sample_counts
from .intervals import CI_METHODS, difference_interval
from .multiplicity import ADJUST_METHODS, adjust_pvalues
from .power import cohens_h

__all__ = ["CI_METHODS", "TEST_METHODS", "ADJUST_METHODS", "compare_proportions", "two_sided_pvalues"]

#: Names accepted by ``compare_proportions(test=...)``.
TEST_METHODS: tuple[str, ...] = ("fisher", "boschloo", "z", "chi2")

# scipy.stats.fisher_exact treats two hypergeometric probabilities as equal
# when they differ by at most this relative amount (scipy >= 1.7).
_FISHER_RELATIVE_TOLERANCE = 1e-14
# Largest total sample for which log-factorials are tabulated once.
_LOGFACT_TABLE_MAX = 10_000_000
# Cells of the (tables x support) grid evaluated at once by the Fisher test.
_FISHER_CHUNK_CELLS = 2_000_000


def _pooled_z(k1, n1, k2, n2):
    """Pooled score z statistic; 0 when a margin is empty (no information)."""
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    var = pooled * (1.0 - pooled) / n1 + pooled * (1.0 - pooled) / n2
    safe = np.where(var > 0, var, 1.0)
    return np.where(var > 0, (p1 - p2) / np.sqrt(safe), 0.0)


def _test_z(k1, n1, k2, n2):
    return 2.0 * stats.norm.sf(np.abs(_pooled_z(k1, n1, k2, n2)))


def _test_chi2(k1, n1, k2, n2):
    a, b = k1.astype(float), (n1 - k1).astype(float)
    c, d = k2.astype(float), (n2 - k2).astype(float)
    big_n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    safe = np.where(margins > 0, margins, 1.0)
    stat = np.where(margins > 0, big_n * (a * d - b * c) ** 2 / safe, 0.0)
    return stats.chi2.sf(stat, 1)


def _log_factorials(upto: int) -> np.ndarray:
    return special.gammaln(np.arange(upto + 1, dtype=float) + 1.0)


def _test_fisher(k1, n1, k2, n2):
    """Two-sided Fisher exact p-values with scipy's rule, vectorized.

    For the table [[k1, n1-k1], [k2, n2-k2]] the count ``x`` in the top-left
    cell is hypergeometric given the margins; the p-value sums P(x) over
    every x with P(x) <= P(observed) * (1 + 1e-14), as scipy.stats.fisher_exact
    does. Probabilities come from tabulated log-factorials; where that
    comparison is too close to call, scipy's own pmf decides.
    """
    out = np.ones(k1.size)
    col = k1 + k2
    big_n = n1 + n2
    informative = (col > 0) & (col < big_n)
    if not informative.any():
        return out
    table = np.stack([k1, n1, k2, n2], axis=1)[informative]
    uniq, inverse = np.unique(table, axis=0, return_inverse=True)
    a, r1, c2, r2 = (uniq[:, j] for j in range(4))
    n = a + c2
    tot = r1 + r2
    lo = np.maximum(0, n - r2)
    hi = np.minimum(n, r1)
    width = hi - lo + 1
    max_total = int(tot.max())
    if max_total <= _LOGFACT_TABLE_MAX:
        table_lf = _log_factorials(max_total)

        def logfact(v):
            return table_lf[v]

    else:  # pragma: no cover - only for totals above ten million

        def logfact(v):
            return special.gammaln(v + 1.0)

    def terms(x, r1_, n_, tot_):
        return logfact(x) + logfact(r1_ - x) + logfact(n_ - x) + logfact(tot_ - r1_ - n_ + x)

    const = logfact(r1) + logfact(tot - r1) + logfact(n) + logfact(tot - n) - logfact(tot)
    obs_terms = terms(a, r1, n, tot)
    pvals = np.empty(uniq.shape[0])
    order = np.argsort(width, kind="stable")
    sorted_width = width[order]
    start = 0
    while start < order.size:
        # rows start..stop-1 fill a grid of (stop - start) x sorted_width[stop - 1]
        cells = (np.arange(1, order.size - start + 1)) * sorted_width[start:]
        stop = start + max(1, int(np.searchsorted(cells, _FISHER_CHUNK_CELLS, side="right")))
        rows = order[start:stop]
        start = stop
        w = int(width[rows].max())
        x = lo[rows, None] + np.arange(w)[None, :]
        valid = x <= hi[rows, None]
        x = np.where(valid, x, lo[rows, None])
        r1_, n_, tot_ = r1[rows, None], n[rows, None], tot[rows, None]
        t = terms(x, r1_, n_, tot_)
        # log P(x) - log P(observed); rounding error is below `band`.
        rel = obs_terms[rows, None] - t
        band = 1e-9 + 1e-13 * (np.abs(t) + np.abs(obs_terms[rows, None]))
        include = valid & (rel < -band)
        close = valid & (np.abs(rel) <= band)
        if close.any():
            ii, jj = np.nonzero(close)
            p_x = stats.hypergeom.pmf(x[ii, jj], tot_[ii, 0], r1_[ii, 0], n_[ii, 0])
            p_obs = stats.hypergeom.pmf(a[rows][ii], tot_[ii, 0], r1_[ii, 0], n_[ii, 0])
            include[ii, jj] = p_x <= p_obs * (1.0 + _FISHER_RELATIVE_TOLERANCE)
        log_p = const[rows, None] - t
        total = np.where(include, np.exp(np.where(include, log_p, -np.inf)), 0.0).sum(axis=1)
        everything = (include | ~valid).all(axis=1)
        pvals[rows] = np.where(everything, 1.0, np.minimum(total, 1.0))
    out[informative] = pvals[inverse.reshape(-1)]
    return out


def _test_boschloo(k1, n1, k2, n2):
    out = np.ones(k1.size)
    col = k1 + k2
    informative = (col > 0) & (col < n1 + n2)
    if not informative.any():
        return out
    table = np.stack([k1, n1, k2, n2], axis=1)[informative]
    uniq, inverse = np.unique(table, axis=0, return_inverse=True)
    pvals = np.array(
        [
            stats.boschloo_exact(
                [[a, c], [r1 - a, r2 - c]], alternative="two-sided"
            ).pvalue
            for a, r1, c, r2 in uniq.tolist()
        ],
        dtype=float,
    )
    out[informative] = np.minimum(pvals[inverse.reshape(-1)], 1.0)
    return out


_TEST_FUNCS = {
    "fisher": _test_fisher,
    "boschloo": _test_boschloo,
    "z": _test_z,
    "chi2": _test_chi2,
}


def two_sided_pvalues(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, test: str = "fisher") -> np.ndarray:
    """Two-sided p-values of ``test`` for validated integer count arrays (see :func:`compare_proportions`)."""
    return _TEST_FUNCS[check_choice(test, "test", TEST_METHODS)](k1, n1, k2, n2)


def compare_proportions(
    k1: ArrayLike,
    n1: ArrayLike,
    k2: ArrayLike,
    n2: ArrayLike,
    ci: str = "newcombe",
    test: str = "fisher",
    alpha: float = 0.05,
    *,
    ratio: bool = False,
    odds_ratio: bool = False,
    adjust: str | None = None,
) -> pd.DataFrame:
    """Compare two independent proportions, one row per table.

    Group 1 has ``k1`` of ``n1`` respondents giving an answer, group 2 has
    ``k2`` of ``n2``. Inputs broadcast against each other (scalars with
    arrays of one common length), so many published figures are compared in
    one call.

    Parameters
    ----------
    k1, n1, k2, n2 : int or array_like of int
        Counts and group sizes. Counts are whole numbers with
        ``0 <= k <= n`` and ``n >= 1``. If Series are given they must share
        one index, which the result keeps.
    ci : {"newcombe", "agresti-caffo", "wald", "score"}, default "newcombe"
        Confidence interval for ``p1 - p2``:

        - ``"newcombe"``: hybrid score interval from two Wilson intervals
          (Newcombe 1998, method 10); equals statsmodels
          ``confint_proportions_2indep(method="newcomb")``.
        - ``"agresti-caffo"``: Wald interval after adding one success and one
          failure to each group (Agresti & Caffo 2000).
        - ``"wald"``: the textbook interval; poor in small samples.
        - ``"score"``: Miettinen-Nurminen score interval (Newcombe 1998,
          method 6), inverted numerically here; statsmodels'
          ``method="score"`` for differences is wrong (statsmodels#10269).
    test : {"fisher", "boschloo", "z", "chi2"}, default "fisher"
        Two-sided test of ``p1 = p2``:

        - ``"fisher"``: Fisher's exact test (equals ``scipy.stats.fisher_exact``).
        - ``"boschloo"``: Boschloo's exact unconditional test
          (``scipy.stats.boschloo_exact``); slow, computed table by table.
        - ``"z"``: pooled score z test without continuity correction (equals
          statsmodels ``test_proportions_2indep(method="score",
          correction=False)``).
        - ``"chi2"``: Pearson chi-square without continuity correction (equals
          ``scipy.stats.chi2_contingency(correction=False)``; the same
          p-value as ``"z"``).

        When a column margin is empty (both groups 0% or both 100%) the data
        carry no evidence about a difference and every test gives ``p = 1``
        (scipy's Boschloo and statsmodels' z test return NaN there).
    alpha : float, default 0.05
        The interval has nominal coverage ``1 - alpha``.
    ratio : bool, default False
        Add the risk ratio ``p1 / p2`` with statsmodels' ``"log-adjusted"``
        interval.
    odds_ratio : bool, default False
        Add the odds ratio with statsmodels' ``"logit-adjusted"`` interval.
    adjust : {"holm", "fdr_bh", "bonferroni", "none"} or None, default None
        If given, add ``p_adjusted``: ``p_value`` adjusted for multiplicity
        across all rows of this call (see :func:`adjust_pvalues`).

    Returns
    -------
    pandas.DataFrame
        One row per table with columns

        - ``k1``, ``n1``, ``k2``, ``n2``: the inputs (int64);
        - ``p1``, ``p2``: observed proportions ``k/n``;
        - ``diff``: ``p1 - p2``;
        - ``ci_low``, ``ci_high``: ``1 - alpha`` confidence limits for
          ``diff``, always finite and within [-1, 1]; ``ci_level``: ``1 - alpha``;
        - ``p_value``: two-sided p-value of ``test``;
        - ``cohens_h``: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``;
        - ``ci_method``, ``test``: the method names used;
        - with ``ratio=True``: ``ratio`` (``p1 / p2``; ``inf`` if only
          ``p2`` is 0, NaN if both are), ``ratio_ci_low``, ``ratio_ci_high``;
        - with ``odds_ratio=True``: ``odds_ratio`` (sample odds ratio; ``inf``
          or NaN when a cell is empty), ``or_ci_low``, ``or_ci_high``;
        - with ``adjust``: ``p_adjusted``.

    Raises
    ------
    ValueError
        If ``ci``, ``test`` or ``adjust`` is not a known name (the message
        lists the known ones); if a count is negative, not a whole number,
        or larger than its group size, a group size is 0, array lengths
        differ, or ``alpha`` is not in (0, 1). The message names the
        argument and, for arrays, the first offending position.

    See Also
    --------
    adjust_pvalues, power_two_proportions, bayes_compare

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods.
       Statistics in Medicine 17(8), 873-890.
    .. [2] Miettinen, O. and Nurminen, M. (1985). Comparative analysis of two
       rates. Statistics in Medicine 4(2), 213-226.
    .. [3] Farrington, C. P. and Manning, G. (1990). Test statistics and
       sample size formulae for comparative binomial trials with null
       hypothesis of non-zero risk difference or non-unity relative risk.
       Statistics in Medicine 9(12), 1447-1454.
    .. [4] Agresti, A. and Caffo, B. (2000). Simple and effective confidence
       intervals for proportions and differences of proportions result from
       adding two successes and two failures. The American Statistician
       54(4), 280-288.
    .. [5] Boschloo, R. D. (1970). Raised conditional level of significance
       for the 2 x 2-table when testing the equality of two probabilities.
       Statistica Neerlandica 24(1), 1-9.
    .. [6] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., section 6.2.

    Examples
    --------
    Leapfrog's 30% of marketers against 13% of IT leaders, as 32 of 106 and
    3 of 24, next to Newcombe's (1998) example (a), 56/70 against 48/80,
    whose published Miettinen-Nurminen interval is 0.0528 to 0.3382:

    >>> res = compare_proportions([32, 56], [106, 70], [3, 48], [24, 80], ci="score")
    >>> res[["diff", "ci_low", "ci_high", "p_value"]].round(4)
         diff  ci_low  ci_high  p_value
    0  0.1769 -0.0241   0.3084   0.1240
    1  0.2000  0.0528   0.3382   0.0125
    """
    ci = check_choice(ci, "ci", CI_METHODS)
    test = check_choice(test, "test", TEST_METHODS)
    if adjust is not None:
        check_choice(adjust, "adjust", ADJUST_METHODS)
    alpha = check_open_unit(alpha, "alpha")
    k1a, n1a, k2a, n2a, index = two_sample_counts(k1, n1, k2, n2)
    f1, fn1, f2, fn2 = (v.astype(float) for v in (k1a, n1a, k2a, n2a))
    p1, p2 = f1 / fn1, f2 / fn2
    low, high = difference_interval(f1, fn1, f2, fn2, ci, alpha)
    columns: dict[str, object] = {
        "k1": k1a,
        "n1": n1a,
        "k2": k2a,
        "n2": n2a,
        "p1": p1,
        "p2": p2,
        "diff": p1 - p2,
        "ci_low": low,
        "ci_high": high,
        "ci_level": 1.0 - alpha,
        "p_value": two_sided_pvalues(k1a, n1a, k2a, n2a, test),
        "cohens_h": cohens_h(p1, p2),
        "ci_method": ci,
        "test": test,
    }
    if ratio:
        with np.errstate(divide="ignore", invalid="ignore"):
            columns["ratio"] = p1 / p2
        lo_r, hi_r = confint_proportions_2indep(
            f1, fn1, f2, fn2, method="log-adjusted", compare="ratio", alpha=alpha
        )
        columns["ratio_ci_low"] = np.asarray(lo_r, dtype=float)
        columns["ratio_ci_high"] = np.asarray(hi_r, dtype=float)
    if odds_ratio:
        with np.errstate(divide="ignore", invalid="ignore"):
            columns["odds_ratio"] = (f1 * (fn2 - f2)) / ((fn1 - f1) * f2)
        lo_o, hi_o = confint_proportions_2indep(
            f1, fn1, f2, fn2, method="logit-adjusted", compare="odds-ratio", alpha=alpha
        )
        columns["or_ci_low"] = np.asarray(lo_o, dtype=float)
        columns["or_ci_high"] = np.asarray(hi_o, dtype=float)
    if adjust is not None:
        columns["p_adjusted"] = adjust_pvalues(np.asarray(columns["p_value"]), adjust)
    frame = pd.DataFrame(columns, index=result_index(index, k1a.size))
    return frame
