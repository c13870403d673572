"""Equivalence of two independent proportions: TOST, power and sample size.

A difference that is not significant is not evidence that two groups agree:
a small study fails to find even large differences. To *show* agreement one
fixes a margin ``m`` (differences within ``+-m`` count as "the same") and
rejects both one-sided null hypotheses

    H0-: p1 - p2 <= -m        and        H0+: p1 - p2 >= +m

each at level ``alpha`` (two one-sided tests, TOST; Schuirmann 1987). The
TOST p-value is the larger of the two one-sided p-values. Equivalently,
equivalence is shown when the ``1 - 2 alpha`` confidence interval of the same
method lies inside ``(-m, m)`` (Walker & Nowacki 2011), so the smallest margin
the data can demonstrate is ``max(|tost_ci_low|, |tost_ci_high|)`` of that interval.

Methods (``method=``):

* ``"score"``: Miettinen-Nurminen score test, variance at the restricted
  maximum likelihood estimate under ``p1 - p2 = delta`` with the ``N/(N-1)``
  correction; the interval is the Miettinen-Nurminen interval of
  :func:`alignment_stats.stats.proportions.compare_proportions` (``ci="score"``).
  The default: it keeps its level in small samples where Wald does not.
* ``"farrington-manning"``: the same score test without ``N/(N-1)``
  (Farrington & Manning 1990).
* ``"wald"``: unpooled Wald z test; equals statsmodels
  ``tost_proportions_2indep(method="wald")``. Declares ``0/n`` against ``0/n``
  equivalent at any margin (its variance estimate is 0, so ``p = 0`` and the
  interval has zero width): such rows are flagged ``degenerate``, because the
  test says nothing there. Do not use it for small counts.
* ``"agresti-caffo"``: Wald after adding one success and one failure to each
  group; equals statsmodels ``tost_proportions_2indep(method="agresti-caffo")``.

statsmodels' own ``method="score"`` for a difference is wrong at non-zero
null values (statsmodels#10269), which is exactly where a TOST evaluates it;
ours is checked in ``tests/stats/test_equivalence.py`` against an independent
restricted maximum likelihood fit.

Power and sample size are those *of the chosen TOST* (``method=``, default
``"score"``): exact enumeration of every outcome ``(k1, k2)`` (tails below
1e-13 left out) up to ``TOST_POWER_MAX_CELLS`` outcomes
(:mod:`alignment_stats.stats.limits`), and beyond that the method's own
normal approximation: for the score tests the null-restricted
(Farrington-Manning) variances at ``+-margin`` (Farrington & Manning 1990),
for Wald the variance at the true shares, for Agresti-Caffo that of the
adjusted shares. ``method="chow"`` keeps the normal approximation of Chow,
Shao & Wang (2008, sec. 4.2) with the variance at the true proportions, which
earlier versions used for every method (it undershoots the score TOST: for
0.9 against 0.85, margin 0.15, ratio 0.25 it gives 372 and 93, where the score
TOST's exact power is 0.7265).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ._validate import (
    as_1d,
    broadcast,
    check_choice,
    check_design_effect,
    check_margins,
    check_open_unit,
    check_proportions,
    check_real,
    check_sizes,
    result_index,
    text_column,
    two_sample_counts,
)
from .intervals import restricted_mle, score_interval, score_statistic
from .limits import TOST_POWER_MAX_CELLS

__all__ = [
    "TOST_METHODS",
    "PLANNING_METHODS",
    "equivalence_test",
    "equivalence_power",
    "equivalence_sample_size",
]

#: Names accepted by ``equivalence_test(method=...)``.
TOST_METHODS: tuple[str, ...] = ("score", "farrington-manning", "wald", "agresti-caffo")

# Bisection on sqrt(n) for the sample size: the bracket starts at most a
# factor of a few wide, so 200 halvings reach double precision.
_BISECTION_STEPS = 200
# |p1 - p2| within this of the margin counts as "at the margin" (p1 - p2 is
# rounded: 0.6 - 0.5 = 0.09999999999999998).
_MARGIN_SLACK = 1e-12
# Largest group size reported (beyond it the count is not a whole float64).
_N_MAX = 2.0**53


def _check_alpha(alpha: object) -> float:
    return check_open_unit(alpha, "alpha", 0.5, "a TOST uses the 1 - 2*alpha interval")


def _broadcast_floats(named: list[tuple[str, object]]) -> tuple[list[np.ndarray], pd.Index | None]:
    arrays, _, index = broadcast(named)
    return [a.astype(float) for a in arrays], index


# ---------------------------------------------------------------------------
# the test
# ---------------------------------------------------------------------------


def _one_sided(num: np.ndarray, se: np.ndarray) -> np.ndarray:
    """``num / se`` with the limits statsmodels gives when ``se`` is 0."""
    safe = np.where(se > 0, se, 1.0)
    unbounded = np.where(num > 0, np.inf, np.where(num < 0, -np.inf, 0.0))
    return np.where(se > 0, num / safe, unbounded)


def _wald_parts(k1, n1, k2, n2, add):
    a1 = (k1 + add) / (n1 + 2.0 * add)
    a2 = (k2 + add) / (n2 + 2.0 * add)
    se = np.sqrt(a1 * (1.0 - a1) / (n1 + 2.0 * add) + a2 * (1.0 - a2) / (n2 + 2.0 * add))
    return a1 - a2, se


def _tost_pvalues(f1, fn1, f2, fn2, m, method):
    """``p_lower, p_upper, degenerate`` of the TOST ``method`` (float arrays in, no intervals).

    ``degenerate`` marks a zero variance estimate (only Wald's, at 0% or
    100% in both groups: the score variances are restricted to
    ``p1 - p2 = +-m`` and never vanish for a margin in (0, 1); Agresti and
    Caffo's adjusted shares are never 0 or 1).
    """
    if method in ("wald", "agresti-caffo"):
        est, se = _wald_parts(f1, fn1, f2, fn2, 1.0 if method == "agresti-caffo" else 0.0)
        z_lower = _one_sided(est + m, se)
        z_upper = _one_sided(est - m, se)
        degenerate = se == 0
    else:
        correction = method == "score"
        z_lower = score_statistic(f1, fn1, f2, fn2, -m, correction)
        z_upper = score_statistic(f1, fn1, f2, fn2, m, correction)
        degenerate = np.zeros(np.shape(z_lower), dtype=bool)
    return stats.norm.sf(z_lower), stats.norm.cdf(z_upper), degenerate


def equivalence_test(
    k1: ArrayLike,
    n1: ArrayLike,
    k2: ArrayLike,
    n2: ArrayLike,
    margin: ArrayLike = 0.10,
    alpha: float = 0.05,
    method: str = "score",
) -> pd.DataFrame:
    """Two one-sided tests (TOST) for the equivalence of two proportions.

    Tests ``H0: |p1 - p2| >= margin`` against ``H1: |p1 - p2| < margin`` by
    rejecting both ``p1 - p2 <= -margin`` and ``p1 - p2 >= margin`` at level
    ``alpha``. Inputs broadcast like
    :func:`alignment_stats.stats.proportions.compare_proportions`: scalars, lists,
    arrays or Series of equal length; a single table may also be tested
    against an array of margins.

    Parameters
    ----------
    k1, n1, k2, n2 : int or array_like of int
        Respondents giving the answer (``k``) and group sizes (``n``) in
        groups 1 and 2; ``0 <= k <= n``, ``n >= 1``.
    margin : float or array_like of float, default 0.10
        Equivalence margin on the difference scale, strictly between 0 and
        1: differences within ``+-margin`` (0.10 = 10 percentage points) count
        as agreement.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5); the matching interval has
        coverage ``1 - 2 alpha`` (90% for 0.05).
    method : {"score", "farrington-manning", "wald", "agresti-caffo"}, default "score"
        One-sided test and interval (see the module notes):

        - ``"score"``: Miettinen-Nurminen score test (restricted MLE
          variance, ``N/(N-1)`` correction); interval: Miettinen-Nurminen.
        - ``"farrington-manning"``: the score test without ``N/(N-1)``.
        - ``"wald"``: equals statsmodels ``tost_proportions_2indep(...,
          method="wald")``; its interval equals statsmodels
          ``confint_proportions_2indep(..., method="wald", alpha=2*alpha)``.
        - ``"agresti-caffo"``: equals statsmodels with
          ``method="agresti-caffo"``, test and interval.

    Returns
    -------
    pandas.DataFrame
        One row per table (index of the Series inputs, else a RangeIndex):

        - ``k1``, ``n1``, ``k2``, ``n2``: the counts (int64);
        - ``p1``, ``p2``: observed proportions ``k / n``;
        - ``diff``: ``p1 - p2`` (observed, also for Agresti-Caffo);
        - ``margin``: the margin tested;
        - ``ci_low``, ``ci_high``: the ``1 - alpha`` interval of the same
          method (for the difference: it excludes 0 when the groups differ),
          and ``ci_level``, ``1 - alpha``;
        - ``tost_ci_low``, ``tost_ci_high``: the ``1 - 2 alpha`` interval
          (not clipped to [-1, 1], so that it is exactly the set of
          differences neither one-sided test rejects);
        - ``p_lower``: p-value of the test of ``H0: p1 - p2 <= -margin``;
        - ``p_upper``: p-value of the test of ``H0: p1 - p2 >= margin``;
        - ``p_value``: ``max(p_lower, p_upper)``, the TOST p-value;
        - ``equivalent``: ``p_value <= alpha`` (both nulls rejected; the
          interval lies within the margins);
        - ``min_margin``: the smallest margin at which the TOST would give
          ``p_value <= alpha``, ``max(|tost_ci_low|, |tost_ci_high|)``: differences
          larger than this are ruled out, smaller ones are not;
        - ``method``: the method name;
        - ``degenerate``: True where the method's variance estimate is 0, so
          that the test says nothing (Wald at 0% or 100% in both groups:
          ``p = 0`` and a zero-width interval at any margin). Such a row's
          ``equivalent`` is an artefact; leave it out of comparisons across
          methods. Never True for the score methods and Agresti-Caffo.

    Raises
    ------
    ValueError
        If ``method`` is unknown (the message lists the known ones); a margin
        is not strictly between 0 and 1; ``alpha`` is not in (0, 0.5); a
        count is negative, not whole or above its group size; a group size is
        0; or lengths differ. The message names the parameter and, for
        arrays, the first offending position.

    See Also
    --------
    equivalence_power, equivalence_sample_size,
    alignment_stats.stats.proportions.compare_proportions

    References
    ----------
    .. [1] Schuirmann, D. J. (1987). A comparison of the two one-sided tests
       procedure and the power approach for assessing the equivalence of
       average bioavailability. Journal of Pharmacokinetics and
       Biopharmaceutics 15(6), 657-680.
    .. [2] Walker, E. and Nowacki, A. S. (2011). Understanding equivalence
       and noninferiority testing. Journal of General Internal Medicine
       26(2), 192-196.
    .. [3] Lakens, D. (2017). Equivalence tests: a practical primer for t
       tests, correlations, and meta-analyses. Social Psychological and
       Personality Science 8(4), 355-362.
    .. [4] Miettinen, O. and Nurminen, M. (1985). Comparative analysis of two
       rates. Statistics in Medicine 4(2), 213-226.
    .. [5] Farrington, C. P. and Manning, G. (1990). Test statistics and
       sample size formulae for comparative binomial trials with null
       hypothesis of non-zero risk difference or non-unity relative risk.
       Statistics in Medicine 9(12), 1447-1454.
    .. [6] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
       section 4.2.

    Examples
    --------
    Leapfrog: 63% of 106 marketers (67) and 63% of 24 IT executives (15) do
    not share incentives. The shares are almost equal, yet the data cannot
    show agreement within 10 points: they rule out only differences beyond
    about 19 points. Four times the sample, same shares, would just show it:

    >>> res = equivalence_test([67, 268], [106, 424], [15, 60], [24, 96], margin=0.10)
    >>> res[["diff", "tost_ci_low", "tost_ci_high", "p_value", "equivalent", "min_margin"]].round(4)
         diff  tost_ci_low  tost_ci_high  p_value  equivalent  min_margin
    0  0.0071      -0.1583        0.1916   0.2036       False      0.1916
    1  0.0071      -0.0796        0.0990   0.0482        True      0.0990
    """
    method = check_choice(method, "method", TOST_METHODS)
    alpha = _check_alpha(alpha)
    k1a, n1a, k2a, n2a, index = two_sample_counts(k1, n1, k2, n2)
    m_arr, _ = as_1d(margin, "margin")
    m_arr = check_margins(m_arr)
    size = k1a.size
    if m_arr.size != 1 and m_arr.size != size:
        if size != 1:
            raise ValueError(
                f"margin has {m_arr.size} values but k1, n1, k2, n2 have {size}; give one margin, "
                "one per table, or one table"
            )
        k1a, n1a, k2a, n2a = (np.repeat(v, m_arr.size) for v in (k1a, n1a, k2a, n2a))
        size = m_arr.size
        index = margin.index if isinstance(margin, pd.Series) else None
    m = np.broadcast_to(m_arr, (size,)).astype(float)
    f1, fn1, f2, fn2 = (v.astype(float) for v in (k1a, n1a, k2a, n2a))
    p1, p2 = f1 / fn1, f2 / fn2
    z_crit = stats.norm.isf(alpha)

    p_lower, p_upper, degenerate = _tost_pvalues(f1, fn1, f2, fn2, m, method)
    if method in ("wald", "agresti-caffo"):
        est, se = _wald_parts(f1, fn1, f2, fn2, 1.0 if method == "agresti-caffo" else 0.0)
        z_two = stats.norm.isf(alpha / 2.0)
        tost_low, tost_high = est - z_crit * se, est + z_crit * se
        ci_low, ci_high = est - z_two * se, est + z_two * se
    else:
        correction = method == "score"
        empty = np.empty(0)
        tost_low, tost_high = score_interval(f1, fn1, f2, fn2, 2.0 * alpha, correction) if size else (empty, empty)
        ci_low, ci_high = score_interval(f1, fn1, f2, fn2, alpha, correction) if size else (empty, empty)
    p_value = np.maximum(p_lower, p_upper)
    tost_low, tost_high = np.asarray(tost_low, dtype=float), np.asarray(tost_high, dtype=float)
    return pd.DataFrame(
        {
            "k1": k1a,
            "n1": n1a,
            "k2": k2a,
            "n2": n2a,
            "p1": p1,
            "p2": p2,
            "diff": p1 - p2,
            "margin": m,
            "ci_low": np.asarray(ci_low, dtype=float),
            "ci_high": np.asarray(ci_high, dtype=float),
            "ci_level": 1.0 - alpha,
            "tost_ci_low": tost_low,
            "tost_ci_high": tost_high,
            "p_lower": p_lower,
            "p_upper": p_upper,
            "p_value": p_value,
            "equivalent": p_value <= alpha,
            "min_margin": np.maximum(-tost_low, tost_high),
            "method": method,
            "degenerate": degenerate,
        },
        index=result_index(index, size),
    )


# ---------------------------------------------------------------------------
# power and sample size
# ---------------------------------------------------------------------------

#: Names accepted by ``method=`` of :func:`equivalence_power` and
#: :func:`equivalence_sample_size`: the TOST methods, and ``"chow"`` for the
#: normal approximation with the variance at the true shares (the former default).
PLANNING_METHODS: tuple[str, ...] = TOST_METHODS + ("chow",)

EXACT = "exact enumeration"
NORMAL_TRUE = "normal approximation (variance at the true shares)"
NORMAL_RESTRICTED = "normal approximation (restricted variance)"
NORMAL_ADJUSTED = "normal approximation (Agresti-Caffo shares)"
_NORMAL_LABEL = {
    "chow": NORMAL_TRUE,
    "wald": NORMAL_TRUE,
    "score": NORMAL_RESTRICTED,
    "farrington-manning": NORMAL_RESTRICTED,
    "agresti-caffo": NORMAL_ADJUSTED,
}
# Outcomes whose binomial tail probability is below this (in either group)
# are left out of the exact enumeration (total error below 4e-13).
_TAIL = 1e-13
# Exact power saw-tooths with n: below the size found by bisection, sizes
# are tried one by one until this many in a row miss the target.
_SAWTOOTH_SCAN = 5
# Bisection steps on log(n1) for the normal-approximation sizes (range < 40).
_LOG_BISECTION_STEPS = 100


def _power_normal(p1, p2, n1, n2, margin, alpha):
    """Normal-approximation power of the TOST with the variance at the truth.

    ``P(-m + z sigma < D < m - z sigma)`` for ``D ~ N(p1 - p2, sigma^2)``:
    ``Phi((m - eps)/sigma - z) + Phi((m + eps)/sigma - z) - 1``, floored at
    0 (the acceptance region is empty when ``z sigma >= m``).
    """
    eps = p1 - p2
    sigma = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
    z = stats.norm.isf(alpha)
    safe = np.where(sigma > 0, sigma, 1.0)
    power = stats.norm.cdf((margin - eps) / safe - z) + stats.norm.cdf((margin + eps) / safe - z) - 1.0
    power = np.where(sigma > 0, np.maximum(power, 0.0), (np.abs(eps) < margin).astype(float))
    return power


def _power_normal_method(p1, p2, n1, n2, margin, alpha, method):
    """The normal approximation of the TOST ``method``'s power (continuous group sizes).

    With ``D`` the method's estimate, ``sd`` its true standard deviation and
    ``se_minus``, ``se_plus`` the standard errors the method uses at the two
    nulls (evaluated at the expected counts ``n p``):
    ``Phi((m + eps - z se_minus) / sd) + Phi((m - eps - z se_plus) / sd) - 1``,
    floored at 0. Score methods: ``se`` at the restricted MLE under
    ``p1 - p2 = -+m`` (Farrington & Manning 1990; times ``N/(N-1)`` for
    ``"score"``); Agresti-Caffo: the adjusted shares ``(n p + 1)/(n + 2)``;
    Wald and ``"chow"``: the variance at the true shares for both.
    """
    p1, p2, n1, n2, margin = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (p1, p2, n1, n2, margin)))
    if method in ("chow", "wald"):
        return _power_normal(p1, p2, n1, n2, margin, alpha)
    z = stats.norm.isf(alpha)
    if method == "agresti-caffo":
        a1, a2 = (n1 * p1 + 1.0) / (n1 + 2.0), (n2 * p2 + 1.0) / (n2 + 2.0)
        eps = a1 - a2
        sd = np.sqrt(n1 * p1 * (1.0 - p1) / (n1 + 2.0) ** 2 + n2 * p2 * (1.0 - p2) / (n2 + 2.0) ** 2)
        se_minus = se_plus = np.sqrt(a1 * (1.0 - a1) / (n1 + 2.0) + a2 * (1.0 - a2) / (n2 + 2.0))
    else:
        eps = p1 - p2
        sd = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
        factor = (n1 + n2) / (n1 + n2 - 1.0) if method == "score" else 1.0
        errors = []
        for delta in (-margin, margin):
            r1, r2 = restricted_mle(n1 * p1, n1, n2 * p2, n2, delta)
            errors.append(np.sqrt(np.maximum(r1 * (1.0 - r1) / n1 + r2 * (1.0 - r2) / n2, 0.0) * factor))
        se_minus, se_plus = errors
    lower, upper = margin + eps - z * se_minus, margin - eps - z * se_plus
    safe = np.where(sd > 0, sd, 1.0)
    power = np.maximum(stats.norm.cdf(lower / safe) + stats.norm.cdf(upper / safe) - 1.0, 0.0)
    certain = ((lower > 0) & (upper > 0)).astype(float)
    return np.where(sd > 0, power, certain)


def _binomial_range(n: int, p: float) -> tuple[int, int]:
    """Counts of Binomial(n, p) outside which each tail holds less than 1e-13."""
    lo = int(max(0.0, stats.binom.ppf(_TAIL, n, p)))
    hi = int(min(float(n), stats.binom.isf(_TAIL, n, p)))
    return lo, max(lo, hi)


def _exact_tost_power(p1: float, p2: float, n1: int, n2: int, margin: float, alpha: float, method: str,
                      max_cells: int = TOST_POWER_MAX_CELLS) -> float | None:
    """Probability that :func:`equivalence_test` says ``equivalent``, summed over the outcomes.

    Only outcomes that can be equivalent are tested: the estimate must lie
    inside ``(-margin, margin)`` (both one-sided tests reject only then),
    which leaves a band of ``k2`` values for each ``k1``; outcomes in
    binomial tails below 1e-13 are skipped. None when more than
    ``max_cells`` outcomes remain (the caller then approximates).
    """
    lo1, hi1 = _binomial_range(n1, p1)
    lo2, hi2 = _binomial_range(n2, p2)
    if hi1 - lo1 + 1 > max_cells:  # (checked before any allocation)
        return None
    k1 = np.arange(lo1, hi1 + 1)
    if method == "agresti-caffo":  # |(k1+1)/(n1+2) - (k2+1)/(n2+2)| < margin
        centre = (k1 + 1.0) / (n1 + 2.0) * (n2 + 2.0) - 1.0
        half = margin * (n2 + 2.0)
    else:  # |k1/n1 - k2/n2| < margin
        centre = k1 / n1 * n2
        half = margin * n2
    first = np.maximum(lo2, np.floor(centre - half) - 1).astype(np.int64)
    last = np.minimum(hi2, np.ceil(centre + half) + 1).astype(np.int64)
    widths = np.maximum(last - first + 1, 0)
    cells = int(widths.sum())
    if cells > max_cells:
        return None
    if cells == 0:
        return 0.0
    row = np.repeat(np.arange(k1.size), widths)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    k2 = first[row] + (np.arange(cells) - starts[row])
    a = k1[row].astype(float)
    p_lower, p_upper, _ = _tost_pvalues(a, float(n1), k2.astype(float), float(n2), margin, method)
    accept = np.maximum(p_lower, p_upper) <= alpha
    weight = stats.binom.pmf(k1, n1, p1)[row] * stats.binom.pmf(k2, n2, p2)
    return float(min(weight[accept].sum(), 1.0))


def _effective(n: np.ndarray, deff: float) -> np.ndarray:
    """Whole effective group sizes ``floor(n / design_effect)`` (at least 1) for enumeration."""
    return np.maximum(np.floor(n / deff + 1e-9), 1.0)


def equivalence_power(
    p1: ArrayLike,
    p2: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    margin: ArrayLike = 0.10,
    alpha: float = 0.05,
    design_effect: float = 1.0,
    method: str = "score",
    exact: bool = True,
) -> pd.DataFrame:
    """Power of the TOST ``method`` to show ``|p1 - p2| < margin``.

    The probability that :func:`equivalence_test` with the same ``method``
    and ``alpha`` concludes ``equivalent`` when the true shares are ``p1``
    and ``p2``. With ``exact=True`` (default) it is computed by enumerating
    the outcomes ``(k1, k2)`` (binomial tails below 1e-13 left out), as long
    as at most ``TOST_POWER_MAX_CELLS`` outcomes can be equivalent
    (:mod:`alignment_stats.stats.limits`); otherwise by the method's normal
    approximation (see :func:`equivalence_sample_size`). Group sizes are
    divided by ``design_effect`` (effective sample sizes of a weighted or
    clustered survey); enumeration uses ``floor(n / design_effect)``.
    Outcomes that :func:`equivalence_test` flags ``degenerate`` (Wald at 0%
    or 100% in both groups) count as it decides them, as equivalent: one
    more reason not to plan a Wald TOST for extreme shares.

    ``method="chow"`` gives the normal approximation of Chow, Shao & Wang
    (2008, sec. 4.2) with ``sigma^2 = p1 (1 - p1) / n1 + p2 (1 - p2) / n2``
    at the true proportions, ``eps = p1 - p2`` and ``z = z_{1 - alpha}``:

        power = Phi((margin - eps) / sigma - z) + Phi((margin + eps) / sigma - z) - 1,

    floored at 0 (the only method of earlier versions).

    Parameters
    ----------
    p1, p2 : float or array_like of float
        True proportions, in [0, 1].
    n1, n2 : float or array_like of float
        Group sizes (positive).
    margin : float or array_like of float, default 0.10
        Equivalence margin, strictly between 0 and 1.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).
    design_effect : float, default 1.0
        Variance inflation of the survey design, at least 1.
    method : {"score", "farrington-manning", "wald", "agresti-caffo", "chow"}, default "score"
        The TOST whose power is wanted (as in :func:`equivalence_test`), or
        ``"chow"``.
    exact : bool, default True
        Enumerate where affordable; False always uses the normal
        approximation of ``method``.

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``n1``, ``n2``, ``margin``, ``alpha``,
        ``design_effect``, ``power`` (for ``"chow"``: 1 when both
        proportions are 0 or 1 and ``|p1 - p2| < margin``), ``method`` and
        ``power_method`` (``"exact enumeration"`` or which normal
        approximation).

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a group size is not positive, a
        margin is not in (0, 1), ``alpha`` is not in (0, 0.5),
        ``design_effect`` is below 1, ``method`` is unknown, or lengths
        differ.

    See Also
    --------
    equivalence_sample_size, equivalence_test

    References
    ----------
    .. [1] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
       section 4.2 (two-sample parallel design, test for equivalence).
    .. [2] Farrington, C. P. and Manning, G. (1990). Test statistics and
       sample size formulae for comparative binomial trials with null
       hypothesis of non-zero risk difference or non-unity relative risk.
       Statistics in Medicine 9(12), 1447-1454.
    .. [3] Schuirmann, D. J. (1987). A comparison of the two one-sided tests
       procedure and the power approach for assessing the equivalence of
       average bioavailability. Journal of Pharmacokinetics and
       Biopharmaceutics 15(6), 657-680.

    Examples
    --------
    Even if 63% of both groups truly lacked shared incentives, 106 marketers
    and 24 IT executives could never show agreement within 10 points; 400
    per group would show it with the score TOST four times in five (as
    Chow's approximation says too):

    >>> res = equivalence_power(0.63, 0.63, [106, 400], [24, 400], margin=0.10)
    >>> res[["n1", "n2", "power", "power_method"]].round(4)
          n1     n2   power       power_method
    0  106.0   24.0  0.0000  exact enumeration
    1  400.0  400.0  0.8015  exact enumeration
    >>> equivalence_power(0.63, 0.63, 400, 400, margin=0.10, method="chow")["power"].round(3).tolist()
    [0.801]
    """
    alpha = _check_alpha(alpha)
    deff = check_design_effect(design_effect)
    method = check_choice(method, "method", PLANNING_METHODS)
    (a1, a2, m1, m2, mg), index = _broadcast_floats(
        [("p1", p1), ("p2", p2), ("n1", n1), ("n2", n2), ("margin", margin)]
    )
    a1, a2 = check_proportions(a1, "p1"), check_proportions(a2, "p2")
    m1, m2 = check_sizes(m1, "n1"), check_sizes(m2, "n2")
    mg = check_margins(mg)
    power = _power_normal_method(a1, a2, m1 / deff, m2 / deff, mg, alpha, method) if a1.size else np.empty(0)
    how = np.full(a1.size, _NORMAL_LABEL[method], dtype=object)
    if exact and method != "chow":
        e1, e2 = _effective(m1, deff), _effective(m2, deff)
        for i in range(a1.size):
            got = _exact_tost_power(a1[i], a2[i], int(e1[i]), int(e2[i]), mg[i], alpha, method)
            if got is not None:
                power[i], how[i] = got, EXACT
    return pd.DataFrame(
        {"p1": a1, "p2": a2, "n1": m1, "n2": m2, "margin": mg, "alpha": alpha, "design_effect": deff,
         "power": power, "method": method, "power_method": text_column(how)},
        index=result_index(index, a1.size),
    )


def _solve_n1(p1, p2, margin, alpha, power, ratio):
    """Continuous group-1 size at which the normal-approximation power equals ``power``.

    Power is increasing in ``n1`` (with ``n2 = ratio n1``) when
    ``|p1 - p2| < margin``; the root is bracketed by the one-sided
    ``((z_a + z_b) s / (m - |eps|))^2`` (power below target: the far tail
    costs something) and Chow's conservative ``((z_a + z_{b/2}) s / (m -
    |eps|))^2`` (power at or above target), with ``s^2 = p1 (1 - p1) + p2
    (1 - p2) / ratio``, and found by bisection on ``sqrt(n1)``. NaN where ``|p1 - p2| >= margin``; 0 where
    ``s = 0`` (no sampling variation).
    """
    eps = np.abs(p1 - p2)
    s = np.sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2) / ratio)
    za, zb, zb2 = stats.norm.isf(alpha), stats.norm.isf(1.0 - power), stats.norm.isf((1.0 - power) / 2.0)
    # a true difference at the margin (up to rounding of p1 - p2) cannot be shown
    inside = margin - eps > _MARGIN_SLACK
    ok = inside & (s > 0)
    s_ok = np.where(ok, s, 1.0)
    near = np.where(ok, margin - eps, 1.0)
    far = np.where(ok, margin + eps, 1.0)
    lo = (za + zb) * s_ok / near  # sqrt(n1): the near tail alone just reaches the target
    hi = (za + zb2) * s_ok / near  # Chow's closed form: power >= target
    z = za

    def excess(t):
        return stats.norm.cdf(near / s_ok * t - z) + stats.norm.cdf(far / s_ok * t - z) - 1.0 - power

    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        below = excess(mid) < 0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * hi):
            break
    n1 = hi * hi
    return np.where(ok, n1, np.where(inside & (s == 0), 0.0, np.nan))


def _solve_n1_method(p1, p2, margin, alpha, power, ratio, method):
    """Continuous ``n1`` at which the normal approximation of ``method`` reaches ``power``.

    Wald and Chow: :func:`_solve_n1`. Otherwise bisection on ``log n1``
    up to the first doubling whose approximate power reaches the target,
    starting where both groups have one respondent (NaN if none below
    2**53 does, or ``|p1 - p2| >= margin``).
    """
    if method in ("chow", "wald"):
        return _solve_n1(p1, p2, margin, alpha, power, ratio)
    inside = margin - np.abs(p1 - p2) > _MARGIN_SLACK

    def enough(n):
        return _power_normal_method(p1, p2, n, ratio * n, margin, alpha, method) >= power

    lo = np.full(p1.shape, np.log(max(1.0, 1.0 / ratio)))  # both groups at least 1
    hi = lo.copy()
    reached = enough(np.exp(hi))
    for _ in range(60):
        if reached[inside].all():
            break
        hi = np.where(reached, hi, hi + np.log(2.0))
        reached = reached | enough(np.exp(hi))
    lo = np.where(reached, np.where(hi > lo, hi - np.log(2.0), lo - 1.0), lo)
    for _ in range(_LOG_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        up = enough(np.exp(mid))
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(inside & reached, np.exp(hi), np.nan)


def _exact_search(p1, p2, margin, alpha, power, ratio, method, start):
    """Smallest whole ``n1`` (with ``n2 = ceil(ratio n1)``) whose exact TOST power reaches ``power``.

    From the normal-approximation start a bracket (a size that misses the
    target, one that reaches it) is found by steps that double, narrowed by
    bisection, and then the sizes below are tried one by one until five in
    a row miss (exact power saw-tooths with n). Returns ``(n1, n2, power)``,
    or None if an enumeration would exceed ``TOST_POWER_MAX_CELLS``.
    """

    def n2_of(size1):
        return max(1, math.ceil(ratio * size1 * (1.0 - 1e-12)))

    cache: dict[int, float | None] = {}

    def achieved(size1):
        if size1 not in cache:
            cache[size1] = _exact_tost_power(p1, p2, size1, n2_of(size1), margin, alpha, method)
        return cache[size1]

    n = max(1, math.ceil(start * (1.0 - 1e-12)))
    got = achieved(n)
    if got is None:
        return None
    step = max(1, n // 50)
    if got >= power:
        hi, lo = n, None
        while lo is None:
            trial = max(1, hi - step)
            got = achieved(trial)
            if got is None:
                return None
            if got >= power:
                if trial == 1:
                    return 1, n2_of(1), got
                hi = trial
                step *= 2
            else:
                lo = trial
    else:
        lo, hi = n, None
        while hi is None:
            trial = lo + step
            if trial * max(ratio, 1.0) >= _N_MAX:
                return None
            got = achieved(trial)
            if got is None:
                return None
            if got >= power:
                hi = trial
            else:
                lo = trial
                step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        got = achieved(mid)
        if got is None:
            return None
        if got >= power:
            hi = mid
        else:
            lo = mid
    best, misses, trial = hi, 0, hi - 1
    while trial >= 1 and misses < _SAWTOOTH_SCAN:
        got = achieved(trial)
        if got is None:
            break
        if got >= power:
            best, misses = trial, 0
        else:
            misses += 1
        trial -= 1
    return best, n2_of(best), achieved(best)


def equivalence_sample_size(
    p1: ArrayLike,
    p2: ArrayLike,
    margin: ArrayLike = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    design_effect: float = 1.0,
    method: str = "score",
    exact: bool = True,
) -> pd.DataFrame:
    """Group sizes at which the TOST ``method`` shows equivalence within ``+-margin`` with given power.

    The sizes are for the test that will be run: the smallest whole ``n1``
    (with ``n2 = ceil(ratio n1)``) at which the exact power of
    :func:`equivalence_test` with the same ``method`` reaches ``power``,
    found by exact enumeration (:func:`equivalence_power`) from a
    normal-approximation start. Exact power saw-tooths with ``n`` (the
    outcomes are discrete), so a size a little above the one returned can
    fall short by a small amount; the returned size itself always reaches
    the target, and so does none of the five sizes just below it. Where an
    enumeration would exceed ``TOST_POWER_MAX_CELLS`` outcomes
    (:mod:`alignment_stats.stats.limits`; for 63% against 63% that is
    beyond about 10,000 per group), or with ``exact=False``, the method's
    normal approximation decides instead: for the score tests with the
    variances restricted to ``p1 - p2 = -+margin`` (Farrington & Manning
    1990), for Wald with the variance at the true shares, for Agresti-Caffo
    at the adjusted shares. The ``power_method`` column says which.

    ``method="chow"`` keeps the normal approximation of Chow, Shao & Wang
    (2008, sec. 4.2) that earlier versions used for every method. When the
    true proportions are equal it is Chow's closed form

        n1 = (z_{1-alpha} + z_{1-beta/2})^2 (p1 q1 + p2 q2 / ratio) / margin^2

    (``beta = 1 - power``). When they differ by ``eps`` the solution lies
    between the same formula with ``z_{1-beta}`` and Chow's conservative
    one with ``z_{1-beta/2}``, both with ``(margin - |eps|)^2`` in the
    denominator. It takes no account of how the test estimates its
    variance, and undershoots the score TOST: 372 and 93 for 0.9 against
    0.85, margin 0.15, ratio 0.25, where the score TOST's exact power is
    0.7265.

    Each group size is finally multiplied by ``design_effect`` and rounded
    up (the power columns refer to the simple-random-sample sizes before
    that inflation).

    Parameters
    ----------
    p1, p2 : float or array_like of float
        Assumed true proportions, in [0, 1] (equal for "the groups agree",
        or slightly different).
    margin : float or array_like of float, default 0.10
        Equivalence margin, strictly between 0 and 1.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5).
    power : float, default 0.8
        Target power, in (0, 1).
    ratio : float, default 1.0
        Allocation ``n2 / n1`` (positive).
    design_effect : float, default 1.0
        Variance inflation of a weighted or clustered survey (at least 1):
        the simple-random-sample sizes are multiplied by it, then rounded up.
    method : {"score", "farrington-manning", "wald", "agresti-caffo", "chow"}, default "score"
        The TOST that will be run (as in :func:`equivalence_test`), or
        ``"chow"`` for Chow's approximation.
    exact : bool, default True
        Calibrate by exact enumeration where affordable; False uses the
        method's normal approximation throughout (much faster for very
        narrow margins).

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``margin``, ``alpha``, ``power``, ``ratio``,
        ``design_effect``; ``n1`` and ``n2`` (nullable Int64: the sizes
        needed; <NA> when ``|p1 - p2| >= margin``, because then no sample
        shows equivalence with any power above about one half); ``n_total``
        (``n1 + n2``); ``achieved_power`` (the power of ``method`` at the
        sizes, by ``power_method``; at least ``power``); ``method`` and
        ``power_method`` (``"exact enumeration"`` or which normal
        approximation; None where no size exists).

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a margin is not in (0, 1),
        ``alpha`` is not in (0, 0.5), ``power`` is not in (0, 1), ``ratio``
        is not positive, ``design_effect`` is below 1, ``method`` is
        unknown, or lengths differ.

    See Also
    --------
    equivalence_power, equivalence_test

    References
    ----------
    .. [1] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
       section 4.2.
    .. [2] Farrington, C. P. and Manning, G. (1990). Test statistics and
       sample size formulae for comparative binomial trials with null
       hypothesis of non-zero risk difference or non-unity relative risk.
       Statistics in Medicine 9(12), 1447-1454.
    .. [3] Walker, E. and Nowacki, A. S. (2011). Understanding equivalence
       and noninferiority testing. Journal of General Internal Medicine
       26(2), 192-196.

    Examples
    --------
    To show with the score TOST that marketing and IT agree within 10
    points on a 63% share (power 80%, alpha 5%), and for shares of 90% and
    85% within 15 points with a quarter as many IT executives, where the
    score TOST needs far more than Chow's 372 and 93:

    >>> equivalence_sample_size(0.63, 0.63, 0.10)[["n1", "n2", "achieved_power", "power_method"]].round(4)
        n1   n2  achieved_power       power_method
    0  395  395          0.8009  exact enumeration
    >>> res = equivalence_sample_size(0.9, 0.85, 0.15, ratio=0.25, method="score")
    >>> res[["n1", "n2", "achieved_power"]].round(4)
        n1   n2  achieved_power
    0  449  113          0.8022

    Chow's closed form: (1.6449 + 1.2816)^2 x 2 x 0.63 x 0.37 / 0.10^2 =
    399.25, so 400 per group; with design effect 1.5, 598.9, so 599; with
    half as many IT executives (ratio 0.5) 599 and 300:

    >>> equivalence_sample_size(0.63, 0.63, 0.10, method="chow")[["n1", "n2"]]
        n1   n2
    0  400  400
    >>> equivalence_sample_size(0.63, 0.63, 0.10, design_effect=1.5, method="chow")[["n1", "n2"]]
        n1   n2
    0  599  599
    >>> equivalence_sample_size(0.63, 0.63, 0.10, ratio=0.5, method="chow")[["n1", "n2", "n_total"]]
        n1   n2  n_total
    0  599  300      899
    """
    alpha = _check_alpha(alpha)
    power = check_open_unit(power, "power")
    deff = check_design_effect(design_effect)
    method = check_choice(method, "method", PLANNING_METHODS)
    ratio_f = check_real(ratio, "ratio")
    if ratio_f <= 0:
        raise ValueError(f"ratio must be positive (n2 / n1); got {ratio!r}")
    (a1, a2, mg), index = _broadcast_floats([("p1", p1), ("p2", p2), ("margin", margin)])
    a1, a2 = check_proportions(a1, "p1"), check_proportions(a2, "p2")
    mg = check_margins(mg)
    if method == "chow":
        columns = _chow_sample_size(a1, a2, mg, alpha, power, ratio_f, deff)
    else:
        columns = _method_sample_size(a1, a2, mg, alpha, power, ratio_f, deff, method, exact)
    need1, need2, achieved, how, feasible = columns
    nullable1 = pd.array(np.where(feasible, need1, 0.0).astype(np.int64), dtype="Int64")
    nullable2 = pd.array(np.where(feasible, need2, 0.0).astype(np.int64), dtype="Int64")
    nullable1[~feasible] = pd.NA
    nullable2[~feasible] = pd.NA
    return pd.DataFrame(
        {
            "p1": a1,
            "p2": a2,
            "margin": mg,
            "alpha": alpha,
            "power": power,
            "ratio": ratio_f,
            "design_effect": deff,
            "n1": nullable1,
            "n2": nullable2,
            "n_total": nullable1 + nullable2,
            "achieved_power": achieved,
            "method": method,
            "power_method": text_column(how),
        },
        index=result_index(index, a1.size),
    )


def _chow_sample_size(a1, a2, mg, alpha, power, ratio_f, deff):
    """Chow, Shao & Wang's normal approximation (the sizes of earlier versions, unchanged)."""
    n1_star = _solve_n1(a1, a2, mg, alpha, power, ratio_f)
    feasible = np.isfinite(n1_star) & (n1_star * deff * max(ratio_f, 1.0) < _N_MAX)
    srs1 = np.where(feasible, n1_star, 1.0)
    # ceil, guarding against a root a few ulps above a whole number
    need1 = np.maximum(np.ceil(srs1 * deff * (1.0 - 1e-12)), 1.0)
    need2 = np.maximum(np.ceil(ratio_f * srs1 * deff * (1.0 - 1e-12)), 1.0)
    achieved = _power_normal(a1, a2, need1 / deff, need2 / deff, mg, alpha)
    # the guard may round down by one where the root sits just above a whole number
    short = feasible & (achieved < power)
    need1 = np.where(short, need1 + 1.0, need1)
    need2 = np.where(short, np.maximum(np.ceil(ratio_f * need1), need2), need2)
    achieved = np.where(feasible, _power_normal(a1, a2, need1 / deff, need2 / deff, mg, alpha), np.nan)
    how = np.where(feasible, NORMAL_TRUE, None).astype(object)
    return need1, need2, achieved, how, feasible


def _method_sample_size(a1, a2, mg, alpha, power, ratio_f, deff, method, exact):
    """Sizes for the TOST ``method``: exact calibration where affordable, its normal approximation elsewhere."""
    start = _solve_n1_method(a1, a2, mg, alpha, power, ratio_f, method) if a1.size else np.empty(0)
    feasible = np.isfinite(start) & (start * deff * max(ratio_f, 1.0) < _N_MAX)
    srs1 = np.ones(a1.size)
    srs2 = np.ones(a1.size)
    achieved = np.full(a1.size, np.nan)
    how = np.full(a1.size, None, dtype=object)
    for i in np.flatnonzero(feasible):
        found = _exact_search(a1[i], a2[i], mg[i], alpha, power, ratio_f, method, start[i]) if exact else None
        if found is not None:
            srs1[i], srs2[i], achieved[i] = found
            how[i] = EXACT
            continue
        # the normal approximation: the smallest whole n1 that reaches the target by it
        # (the continuous root reaches the target, so the first whole size above it
        # does; the loop only guards against rounding at the root)
        size1 = max(1.0, math.ceil(start[i] * (1.0 - 1e-12)))
        for _ in range(100):
            size2 = max(1.0, math.ceil(ratio_f * size1 * (1.0 - 1e-12)))
            got = float(_power_normal_method(a1[i], a2[i], size1, size2, mg[i], alpha, method))
            if got >= power:
                break
            size1 += 1.0
        srs1[i], srs2[i], achieved[i] = size1, size2, got
        how[i] = _NORMAL_LABEL[method]
    need1 = np.maximum(np.ceil(srs1 * deff * (1.0 - 1e-12)), 1.0)
    need2 = np.maximum(np.ceil(srs2 * deff * (1.0 - 1e-12)), 1.0)
    return need1, need2, achieved, how, feasible
