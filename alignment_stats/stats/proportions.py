"""Two independent proportions compared, vectorized over tables.

:func:`compare_proportions` takes group counts ``k`` (respondents giving an
answer) and group sizes ``n`` as scalars, lists, NumPy arrays or pandas
Series, broadcasts them against each other, and returns one tidy row per
table, so results for many published figures concatenate into one
DataFrame: the difference with its interval
(:mod:`alignment_stats.stats.intervals`), a test of ``p1 = p2`` (Fisher's
exact test and its mid-p version, Boschloo's exact test in two orderings,
the pooled score z test, Pearson's chi-square with and without Yates'
correction; :mod:`alignment_stats.stats.pvalues`), Cohen's h, and optionally the risk ratio, the odds ratio and
multiplicity-adjusted p-values.

Results agree with statsmodels and scipy where those are right (checked in
``tests/stats/test_proportions.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.proportion import confint_proportions_2indep

from ._validate import check_choice, check_open_unit, result_index, two_sample_counts
from .intervals import CI_METHODS, difference_interval
from .multiplicity import ADJUST_METHODS, adjust_pvalues
from .power import cohens_h
from .pvalues import TEST_METHODS, two_sided_pvalues

__all__ = ["CI_METHODS", "TEST_METHODS", "ADJUST_METHODS", "compare_proportions", "two_sided_pvalues"]


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
    test : {"fisher", "boschloo", "z", "chi2", "fisher_midp", "chi2_yates", "boschloo_fisher"}, default "fisher"
        Two-sided test of ``p1 = p2`` (details in
        :mod:`alignment_stats.stats.pvalues`):

        - ``"fisher"``: Fisher's exact test (equals ``scipy.stats.fisher_exact``).
        - ``"fisher_midp"``: its mid-p version, Fisher's p-value minus half
          the probability of the observed table (checked against R).
        - ``"boschloo"``: Boschloo's exact unconditional test
          (``scipy.stats.boschloo_exact``); slow, computed table by table.
          Two-sided in scipy's convention, *twice the smaller one-sided
          p-value*, under which it can exceed Fisher's p (0/5 vs 2/4: 0.192
          against 0.167).
        - ``"boschloo_fisher"``: Boschloo's test ordered by Fisher's
          two-sided p-value; never above Fisher's p.
        - ``"z"``: pooled score z test without continuity correction (equals
          statsmodels ``test_proportions_2indep(method="score",
          correction=False)``).
        - ``"chi2"``: Pearson chi-square without continuity correction (equals
          ``scipy.stats.chi2_contingency(correction=False)``; the same
          p-value as ``"z"``).
        - ``"chi2_yates"``: Pearson chi-square with Yates' continuity
          correction (R ``chisq.test(correct=TRUE)``).

        When a column margin is empty (both groups 0% or both 100%) the data
        carry no evidence about a difference and every test gives ``p = 1``
        (scipy's Boschloo and statsmodels' z test return NaN there). The
        exact tests have a largest ``n1 + n2``
        (:mod:`alignment_stats.stats.limits`: 1,000,000 for Fisher and mid-p,
        1,000 for both Boschloo orderings).
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
          when only its denominator is 0, NaN when both groups are at 0% or
          both at 100%), ``or_ci_low``, ``or_ci_high``;
        - with ``ratio=True`` or ``odds_ratio=True``: ``degenerate``, True
          where the column margin is empty (both groups at 0%, or both at
          100%): the table says nothing about a difference, the ratio is
          0/0 at 0% and the odds ratio 0/0 at either end (NaN), and every
          test gives ``p = 1``;
        - with ``adjust``: ``p_adjusted``;
        - last, with ``ratio=True`` or ``odds_ratio=True``: ``degenerate``
          (see above).

    Raises
    ------
    ValueError
        If ``ci``, ``test`` or ``adjust`` is not a known name (the message
        lists the known ones); if a count is negative, not a whole number,
        larger than its group size or above 2**62, a group size is 0, array
        lengths differ, ``alpha`` is not in (0, 1), or an exact test is
        asked about a table with ``n1 + n2`` above its limit. The message
        names the argument and, for arrays, the first offending position.

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

    The same two tables by the mid-p Fisher test and Yates' chi-square (R
    gives the same numbers), and a ratio that cannot be estimated:

    >>> [compare_proportions([32, 56], [106, 70], [3, 48], [24, 80], test=t)["p_value"].round(4).tolist()
    ...  for t in ("fisher_midp", "chi2_yates")]
    [[0.102, 0.0104], [0.1312, 0.0134]]
    >>> compare_proportions([0, 3], 20, [0, 1], 25, ratio=True)[["ratio", "degenerate"]]
       ratio  degenerate
    0    NaN        True
    1   3.75       False
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
    if ratio or odds_ratio:
        columns["degenerate"] = (k1a + k2a == 0) | (k1a + k2a == n1a + n2a)
    frame = pd.DataFrame(columns, index=result_index(index, k1a.size))
    return frame
