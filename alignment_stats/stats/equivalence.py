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
  :func:`alignment_stats.proportions.compare_proportions` (``ci="score"``).
  The default: it keeps its level in small samples where Wald does not.
* ``"farrington-manning"``: the same score test without ``N/(N-1)``
  (Farrington & Manning 1990).
* ``"wald"``: unpooled Wald z test; equals statsmodels
  ``tost_proportions_2indep(method="wald")``. Declares ``0/n`` against ``0/n``
  equivalent at any margin (its variance estimate is 0): do not use it for
  small counts.
* ``"agresti-caffo"``: Wald after adding one success and one failure to each
  group; equals statsmodels ``tost_proportions_2indep(method="agresti-caffo")``.

statsmodels' own ``method="score"`` for a difference is wrong at non-zero
null values (statsmodels#10269), which is exactly where a TOST evaluates it;
ours is checked in ``tests/test_equivalence.py`` against an independent
restricted maximum likelihood fit.

Power and sample size use the normal approximation of Chow, Shao & Wang
(2008, sec. 4.2) with the variance at the true proportions.
"""

from __future__ import annotations

import math
import numbers

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
    two_sample_counts,
)
from .intervals import score_interval, score_statistic

__all__ = [
    "TOST_METHODS",
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
    :func:`alignment_stats.proportions.compare_proportions`: scalars, lists,
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
        - ``method``: the method name.

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
    alignment_stats.proportions.compare_proportions

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

    if method in ("wald", "agresti-caffo"):
        est, se = _wald_parts(f1, fn1, f2, fn2, 1.0 if method == "agresti-caffo" else 0.0)
        z_lower = _one_sided(est + m, se)
        z_upper = _one_sided(est - m, se)
        z_two = stats.norm.isf(alpha / 2.0)
        tost_low, tost_high = est - z_crit * se, est + z_crit * se
        ci_low, ci_high = est - z_two * se, est + z_two * se
    else:
        correction = method == "score"
        z_lower = score_statistic(f1, fn1, f2, fn2, -m, correction)
        z_upper = score_statistic(f1, fn1, f2, fn2, m, correction)
        empty = np.empty(0)
        tost_low, tost_high = score_interval(f1, fn1, f2, fn2, 2.0 * alpha, correction) if size else (empty, empty)
        ci_low, ci_high = score_interval(f1, fn1, f2, fn2, alpha, correction) if size else (empty, empty)
    p_lower = stats.norm.sf(z_lower)
    p_upper = stats.norm.cdf(z_upper)
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
        },
        index=result_index(index, size),
    )


# ---------------------------------------------------------------------------
# power and sample size
# ---------------------------------------------------------------------------


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


def equivalence_power(
    p1: ArrayLike,
    p2: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    margin: ArrayLike = 0.10,
    alpha: float = 0.05,
    design_effect: float = 1.0,
) -> pd.DataFrame:
    """Power of the TOST to show ``|p1 - p2| < margin``, normal approximation.

    With ``sigma^2 = p1 (1 - p1) / n1 + p2 (1 - p2) / n2`` at the true
    proportions, ``eps = p1 - p2`` and ``z = z_{1 - alpha}``:

        power = Phi((margin - eps) / sigma - z) + Phi((margin + eps) / sigma - z) - 1,

    floored at 0 (Chow, Shao & Wang 2008, sec. 4.2). Group sizes are divided
    by ``design_effect`` (effective sample sizes of a weighted or clustered
    survey).

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

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``n1``, ``n2``, ``margin``, ``alpha``,
        ``design_effect`` and ``power`` (1 when both proportions are 0 or 1
        and ``|p1 - p2| < margin``: no sampling variation).

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a group size is not positive, a
        margin is not in (0, 1), ``alpha`` is not in (0, 0.5),
        ``design_effect`` is below 1, or lengths differ.

    See Also
    --------
    equivalence_sample_size, equivalence_test

    References
    ----------
    .. [1] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
       section 4.2 (two-sample parallel design, test for equivalence).
    .. [2] Schuirmann, D. J. (1987). A comparison of the two one-sided tests
       procedure and the power approach for assessing the equivalence of
       average bioavailability. Journal of Pharmacokinetics and
       Biopharmaceutics 15(6), 657-680.

    Examples
    --------
    Even if 63% of both groups truly lacked shared incentives, 106 marketers
    and 24 IT executives could never show agreement within 10 points; 400
    per group would show it four times in five:

    >>> equivalence_power(0.63, 0.63, [106, 400], [24, 400], margin=0.10)[["n1", "n2", "power"]].round(4)
          n1     n2  power
    0  106.0   24.0  0.000
    1  400.0  400.0  0.801
    """
    alpha = _check_alpha(alpha)
    deff = check_design_effect(design_effect)
    (a1, a2, m1, m2, mg), index = _broadcast_floats(
        [("p1", p1), ("p2", p2), ("n1", n1), ("n2", n2), ("margin", margin)]
    )
    a1, a2 = check_proportions(a1, "p1"), check_proportions(a2, "p2")
    m1, m2 = check_sizes(m1, "n1"), check_sizes(m2, "n2")
    mg = check_margins(mg)
    power = _power_normal(a1, a2, m1 / deff, m2 / deff, mg, alpha)
    return pd.DataFrame(
        {"p1": a1, "p2": a2, "n1": m1, "n2": m2, "margin": mg, "alpha": alpha, "design_effect": deff,
         "power": power},
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


def equivalence_sample_size(
    p1: ArrayLike,
    p2: ArrayLike,
    margin: ArrayLike = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    design_effect: float = 1.0,
) -> pd.DataFrame:
    """Group sizes needed to show equivalence within ``+-margin`` with given power.

    Solves the normal-approximation power of :func:`equivalence_power` for
    the group-1 size ``n1`` with ``n2 = ratio * n1`` (Chow, Shao & Wang 2008,
    sec. 4.2). When the true proportions are equal this is Chow's closed form

        n1 = (z_{1-alpha} + z_{1-beta/2})^2 (p1 q1 + p2 q2 / ratio) / margin^2

    (``beta = 1 - power``). When they differ by ``eps`` the solution lies
    between the same formula with ``z_{1-beta}`` and Chow's conservative
    one with ``z_{1-beta/2}``, both with ``(margin - |eps|)^2`` in the
    denominator. Each group size is then multiplied by
    ``design_effect`` and rounded up.

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

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``margin``, ``alpha``, ``power``, ``ratio``,
        ``design_effect``; ``n1`` and ``n2`` (nullable Int64: the sizes
        needed, ``ceil(n1* deff)`` and ``ceil(ratio n1* deff)`` for the
        continuous solution ``n1*``; <NA> when ``|p1 - p2| >= margin``,
        because then no sample shows equivalence with any power above
        about one half; 1 when both proportions are 0 or 1); ``n_total``
        (``n1 + n2``); ``achieved_power`` (the normal-approximation power at
        the rounded sizes, at least ``power``).

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a margin is not in (0, 1),
        ``alpha`` is not in (0, 0.5), ``power`` is not in (0, 1), ``ratio``
        is not positive, ``design_effect`` is below 1, or lengths differ.

    See Also
    --------
    equivalence_power, equivalence_test

    References
    ----------
    .. [1] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed. Chapman & Hall/CRC,
       section 4.2.
    .. [2] Walker, E. and Nowacki, A. S. (2011). Understanding equivalence
       and noninferiority testing. Journal of General Internal Medicine
       26(2), 192-196.
    .. [3] Lakens, D. (2017). Equivalence tests: a practical primer for t
       tests, correlations, and meta-analyses. Social Psychological and
       Personality Science 8(4), 355-362.

    Examples
    --------
    To show that marketing and IT agree within 10 points on a 63% share
    (power 80%, alpha 5%): (1.6449 + 1.2816)^2 x 2 x 0.63 x 0.37 / 0.10^2 =
    399.25, so 400 per group; with design effect 1.5, 399.25 x 1.5 =
    598.9, so 599; with half as many IT executives as marketers (ratio
    0.5) the marketing group needs 599 and IT 300:

    >>> equivalence_sample_size(0.63, 0.63, 0.10, design_effect=1.0)[["n1", "n2"]]
        n1   n2
    0  400  400
    >>> equivalence_sample_size(0.63, 0.63, 0.10, design_effect=1.5)[["n1", "n2"]]
        n1   n2
    0  599  599
    >>> equivalence_sample_size(0.63, 0.63, 0.10, ratio=0.5)[["n1", "n2", "n_total"]]
        n1   n2  n_total
    0  599  300      899
    """
    alpha = _check_alpha(alpha)
    power = check_open_unit(power, "power")
    deff = check_design_effect(design_effect)
    ratio_f = check_real(ratio, "ratio")
    if ratio_f <= 0:
        raise ValueError(f"ratio must be positive (n2 / n1); got {ratio!r}")
    (a1, a2, mg), index = _broadcast_floats([("p1", p1), ("p2", p2), ("margin", margin)])
    a1, a2 = check_proportions(a1, "p1"), check_proportions(a2, "p2")
    mg = check_margins(mg)
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
        },
        index=result_index(index, a1.size),
    )
