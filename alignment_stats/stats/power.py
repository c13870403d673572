"""Power, detectable differences and significance by sample size, for the test the verdicts use.

A planning number is only as good as its match with the test that is
finally run. Every function here takes ``test=``, one of the tests of
:func:`alignment_stats.stats.proportions.compare_proportions` (default
``"fisher"``, the analyses' default), and computes power *for that test*:

* **exact enumeration** (``power_method = "exact enumeration"``): every
  outcome ``(k1, k2)`` of the design is tested and the power is the total
  binomial probability of the outcomes with ``p < alpha`` (the rule of the
  verdicts). Used up to ``n1 + n2`` of 100 for both Boschloo orderings and
  of 2,000 for every other test
  (:data:`alignment_stats.stats.limits.POWER_EXACT_MAX_TOTAL`).
* beyond those sizes a **normal approximation** of the pooled z test
  (``"normal approximation (pooled z)"``: ``Phi((|d| - z s0) / s1) +
  Phi((-|d| - z s0) / s1)`` with ``s0`` the pooled and ``s1`` the unpooled
  standard error), continuity-corrected by ``(1/n1 + 1/n2) / 2`` for Yates'
  test (``"normal approximation (pooled z, continuity-corrected)"``). For
  Fisher's test just beyond 2,000 respondents the plain version is the
  closer one (within about 0.01 of the exact power, slightly above it; the
  corrected one of Casagrande, Pike & Smith 1978 falls up to 0.05 short
  when the groups are unequal, e.g. 1,950 against 60); for Boschloo's
  tests just beyond 100 respondents it differs from the exact power by up
  to about 0.04 (0.724 against 0.765 at 100 vs 20, 30% vs 5%).
* ``test="arcsine"``: Cohen's (1988) approximation on the ``h`` scale
  (statsmodels ``NormalIndPower``), the package's former default; it
  belongs to no test that the analyses run (``"normal approximation
  (Cohen's h)"``).

:func:`smallest_significant_n` and :func:`significance_by_size` answer
"from which equal group size on would a published gap be significant",
with the same test, alpha and multiplicity adjustment as the analysis.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from ._validate import (
    as_1d,
    broadcast,
    check_choice,
    check_open_unit,
    check_proportions,
    check_sizes,
    check_whole_sizes,
    position,
    result_index,
    text_column,
)
from .intervals import CI_METHODS, difference_interval
from .limits import FISHER_MAX_TOTAL, POWER_EXACT_MAX_TOTAL, SCAN_BOSCHLOO_MAX_TOTAL, SCAN_MAX_N
from .multiplicity import ADJUST_METHODS, adjust_rows
from .pvalues import TEST_METHODS, design_pvalues, enumeration_pvalues, two_sided_pvalues

__all__ = [
    "POWER_TESTS",
    "cohens_h",
    "power_two_proportions",
    "minimal_detectable_difference",
    "smallest_significant_n",
    "significance_by_size",
]

#: Names accepted by ``test=`` of the power functions: the tests of compare_proportions and Cohen's arcsine approximation.
POWER_TESTS: tuple[str, ...] = TEST_METHODS + ("arcsine",)

EXACT = "exact enumeration"
NORMAL = "normal approximation (pooled z)"
NORMAL_CC = "normal approximation (pooled z, continuity-corrected)"
ARCSINE = "normal approximation (Cohen's h)"
# tests approximated with the continuity correction beyond their exact limit
_CORRECTED = ("chi2_yates",)
# Bisection steps for the detectable difference (2**-52 of the range).
_MDD_STEPS = 52
# Designs whose outcome p-values are kept between calls (mdd and grids reuse them).
_CACHE_DESIGNS = 32
# Size scans: exact p-values at every size up to this n per group; above it
# wherever a factor of _SCREEN around the approximate p-value could change the verdict.
_SCAN_EXACT_N = 300
_SCREEN = 4.0


def cohens_h(p1: ArrayLike, p2: ArrayLike) -> np.ndarray:
    """Cohen's effect size h for two proportions: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``.

    >>> round(float(cohens_h(0.30, 0.13)), 4)
    0.4216
    """
    return 2.0 * np.arcsin(np.sqrt(np.asarray(p1, dtype=float))) - 2.0 * np.arcsin(np.sqrt(np.asarray(p2, dtype=float)))


# ---------------------------------------------------------------------------
# power of one design
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=_CACHE_DESIGNS)
def _outcome_pvalues(n1: int, n2: int, test: str) -> np.ndarray:
    p = design_pvalues(n1, n2, test)
    p.setflags(write=False)
    return p


def _exact_power(p1: np.ndarray, p2: np.ndarray, n1: int, n2: int, alpha: float, test: str) -> np.ndarray:
    """``sum over outcomes with p < alpha`` of ``b(k1; n1, p1) b(k2; n2, p2)``, for arrays of true shares."""
    reject = (_outcome_pvalues(n1, n2, test) < alpha).astype(float)
    b1 = stats.binom.pmf(np.arange(n1 + 1)[None, :], n1, p1[:, None])
    b2 = stats.binom.pmf(np.arange(n2 + 1)[None, :], n2, p2[:, None])
    return np.clip(((b1 @ reject) * b2).sum(axis=1), 0.0, 1.0)


def _normal_power(p1, p2, n1, n2, alpha, corrected):
    """Pooled z test power by the normal approximation (optionally continuity-corrected)."""
    p1, p2, n1, n2 = (np.asarray(v, dtype=float) for v in (p1, p2, n1, n2))
    z = stats.norm.isf(alpha / 2.0)
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    s0 = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    s1 = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
    c = 0.5 * (1.0 / n1 + 1.0 / n2) if corrected else 0.0
    d = np.abs(p1 - p2)
    safe = np.where(s1 > 0, s1, 1.0)
    power = stats.norm.cdf((d - z * s0 - c) / safe) + stats.norm.cdf((-d - z * s0 - c) / safe)
    # no sampling variation: the observed difference is the true one
    certain = (d - c > z * s0).astype(float)
    return np.where(s1 > 0, power, certain)


def _arcsine_power(h, n1, n2, alpha):
    power = np.empty(h.size)
    if h.size:
        uniq, inverse = np.unique(np.stack([n1, n2], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            rows = inverse == j
            power[rows] = solver.power(h[rows], nobs1=size1, alpha=alpha, ratio=size2 / size1, alternative="two-sided")
    return power


def _power(p1, p2, n1, n2, alpha, test):
    """Power and its method for arrays of true shares and whole group sizes (any test but arcsine)."""
    power = np.empty(p1.size)
    method = np.empty(p1.size, dtype=object)
    exact = (n1 + n2) <= POWER_EXACT_MAX_TOTAL[test]
    if (~exact).any():
        power[~exact] = _normal_power(p1[~exact], p2[~exact], n1[~exact], n2[~exact], alpha, test in _CORRECTED)
        method[~exact] = NORMAL_CC if test in _CORRECTED else NORMAL
    if exact.any():
        rows = np.flatnonzero(exact)
        uniq, inverse = np.unique(np.stack([n1[rows], n2[rows]], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        for j, (size1, size2) in enumerate(uniq.astype(np.int64).tolist()):
            these = rows[inverse == j]  # (sizes are Python ints: design_pvalues checks them)
            power[these] = _exact_power(p1[these], p2[these], size1, size2, alpha, test)
        method[exact] = EXACT
    return power, method


def _check_power_sizes(m1, m2, test, all_scalar):
    m1 = check_sizes(m1, "n1", all_scalar)
    m2 = check_sizes(m2, "n2", all_scalar)
    if test != "arcsine":
        why = f"test={test!r} enumerates the possible counts; test='arcsine' takes effective sizes"
        m1 = check_whole_sizes(m1, "n1", why, all_scalar)
        m2 = check_whole_sizes(m2, "n2", why, all_scalar)
    return m1, m2


def power_two_proportions(
    p1: ArrayLike,
    p2: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    alpha: float = 0.05,
    test: str = "fisher",
) -> pd.DataFrame:
    """Power of the two-sided test ``test`` of ``p1 = p2`` at true shares ``p1``, ``p2``.

    Power is the probability that the test gives ``p < alpha``. It is
    computed by exact enumeration of every outcome up to the test's size
    limit and by a normal approximation beyond it (see the module notes);
    the ``power_method`` column says which.

    Parameters
    ----------
    p1, p2 : float or array_like of float
        True proportions in groups 1 and 2, in [0, 1].
    n1, n2 : int or array_like of int
        Group sizes (positive; whole numbers except for ``test="arcsine"``,
        which also takes effective sizes such as ``n / design_effect``).
    alpha : float, default 0.05
        Two-sided significance level.
    test : {"fisher", "boschloo", "z", "chi2", "fisher_midp", "chi2_yates", "boschloo_fisher", "arcsine"}, default "fisher"
        The test whose power is wanted (as in
        :func:`alignment_stats.stats.proportions.compare_proportions`), or
        ``"arcsine"`` for Cohen's approximation on the h scale (statsmodels
        ``NormalIndPower``; the default of earlier versions).

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``n1``, ``n2``, ``alpha``, ``cohens_h``
        (``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``), ``power``, ``test`` and
        ``power_method`` (``"exact enumeration"``, ``"normal approximation
        (pooled z)"``, ``"normal approximation (pooled z,
        continuity-corrected)"`` or ``"normal approximation (Cohen's h)"``).

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a group size is not positive (or
        not whole for an enumerated test), lengths differ, ``alpha`` is not
        in (0, 1) or ``test`` is unknown.

    See Also
    --------
    minimal_detectable_difference, alignment_stats.stats.proportions.compare_proportions

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.
    .. [2] Casagrande, J. T., Pike, M. C. and Smith, P. G. (1978). An
       improved approximate formula for calculating sample sizes for
       comparing two binomial distributions. Biometrics 34(3), 483-486.
    .. [3] Fleiss, J. L., Levin, B. and Paik, M. C. (2003). Statistical
       Methods for Rates and Proportions, 3rd ed., section 4.2.

    Examples
    --------
    With 106 marketers and 24 IT leaders, a true 30% against 13% is found by
    Fisher's test only about a third of the time (Cohen's approximation
    promised almost half):

    >>> res = pd.concat([power_two_proportions(0.30, 0.13, 106, 24, test=t) for t in ("fisher", "z", "arcsine")])
    >>> print(res[["test", "power", "power_method"]].round(4).to_string(index=False))
       test  power                     power_method
     fisher 0.3621                exact enumeration
          z 0.4015                exact enumeration
    arcsine 0.4622 normal approximation (Cohen's h)
    """
    alpha = check_open_unit(alpha, "alpha")
    test = check_choice(test, "test", POWER_TESTS)
    (a1, a2, m1, m2), all_scalar, index = broadcast((("p1", p1), ("p2", p2), ("n1", n1), ("n2", n2)))
    a1 = check_proportions(a1, "p1", all_scalar)
    a2 = check_proportions(a2, "p2", all_scalar)
    m1, m2 = _check_power_sizes(m1, m2, test, all_scalar)
    h = cohens_h(a1, a2)
    if test == "arcsine":
        power, method = _arcsine_power(h, m1, m2, alpha), np.full(h.size, ARCSINE, dtype=object)
    else:
        power, method = _power(a1, a2, m1, m2, alpha, test)
    return pd.DataFrame(
        {"p1": a1, "p2": a2, "n1": m1, "n2": m2, "alpha": alpha, "cohens_h": h, "power": power, "test": test,
         "power_method": text_column(method)},
        index=result_index(index, h.size),
    )


# ---------------------------------------------------------------------------
# minimal detectable difference
# ---------------------------------------------------------------------------


def _mdd_arcsine(m1, m2, base, alpha, power):
    """Cohen's closed form: the detectable h, mapped back by p1 = sin(asin(sqrt(p_base)) +- h/2)^2."""
    h = np.empty(base.size)
    if base.size:
        uniq, inverse = np.unique(np.stack([m1, m2], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            solved = solver.solve_power(
                effect_size=None, nobs1=size1, alpha=alpha, power=power, ratio=size2 / size1, alternative="two-sided"
            )
            h[inverse == j] = abs(float(np.squeeze(solved)))
    phi = np.arcsin(np.sqrt(base))
    up_angle = phi + h / 2.0
    down_angle = phi - h / 2.0
    mdd_up = np.where(up_angle <= np.pi / 2, np.sin(np.minimum(up_angle, np.pi / 2)) ** 2 - base, np.nan)
    mdd_down = np.where(down_angle >= 0.0, np.sin(np.maximum(down_angle, 0.0)) ** 2 - base, np.nan)
    return mdd_up, mdd_down


def _mdd_search(m1, m2, base, alpha, power, test):
    """Smallest shifts of p1 away from p_base whose power reaches ``power``, by bisection."""
    out = []
    method = None
    for end in (1.0, 0.0):
        far = np.full(base.size, end)
        reach, method = _power(far, base, m1, m2, alpha, test)
        ok = reach >= power
        lo, hi = base.copy(), far  # lo: below target (near p_base), hi: reaches it
        for _ in range(_MDD_STEPS):
            mid = 0.5 * (lo + hi)
            got, _ = _power(mid, base, m1, m2, alpha, test)
            enough = got >= power
            hi = np.where(enough, mid, hi)
            lo = np.where(enough, lo, mid)
        out.append(np.where(ok, hi - base, np.nan))
    return out[0], out[1], method


def minimal_detectable_difference(
    n1: ArrayLike,
    n2: ArrayLike,
    p_base: ArrayLike,
    alpha: float = 0.05,
    power: float = 0.8,
    test: str = "fisher",
) -> pd.DataFrame:
    """Smallest differences ``p1 - p2`` that ``test`` detects with the given power.

    Group 2's share is ``p_base``; ``mdd_up`` is the smallest ``d > 0``
    whose power, :func:`power_two_proportions` at ``p1 = p_base + d``,
    reaches ``power``, and ``mdd_down`` the negative one closest to 0. They
    are found by bisection on the power of ``test`` itself (exact
    enumeration within the size limits, the normal approximation beyond;
    ``power_method`` says which), to about 1e-15, assuming power grows with
    the size of the difference (it does once it exceeds alpha clearly). For
    ``test="arcsine"`` the detectable Cohen's h of statsmodels
    ``NormalIndPower().solve_power`` is mapped back by
    ``p1 = sin(asin(sqrt(p_base)) +- h / 2) ** 2``.

    Parameters
    ----------
    n1, n2 : int or array_like of int
        Group sizes (positive; whole numbers except for ``test="arcsine"``).
    p_base : float or array_like of float
        Group 2's proportion, in [0, 1].
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Target power, in (alpha, 1).
    test : str, default "fisher"
        As in :func:`power_two_proportions`.

    Returns
    -------
    pandas.DataFrame
        Columns ``n1``, ``n2``, ``p_base``, ``alpha``, ``power``,
        ``mdd_up`` (smallest detectable ``p1 - p2 > 0``), ``mdd_down`` (the
        negative one closest to 0), ``test`` and ``power_method``. NaN where
        no difference in that direction reaches the power (even ``p1 = 1``
        or ``p1 = 0`` is not detected often enough).

    Raises
    ------
    ValueError
        If a group size is not positive (or not whole for an enumerated
        test), ``p_base`` is outside [0, 1], lengths differ, ``alpha`` is
        not in (0, 1), ``power`` is not in (alpha, 1) or ``test`` is unknown.

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.
    .. [2] Casagrande, J. T., Pike, M. C. and Smith, P. G. (1978).
       Biometrics 34(3), 483-486.

    Examples
    --------
    With 106 marketers and 24 IT leaders of whom 13% agree, Fisher's test
    detects a marketing share 80% of the time only if it is about 29 points
    higher (Cohen's approximation promised 27):

    >>> mdd = pd.concat([minimal_detectable_difference(106, 24, 0.13, test=t) for t in ("fisher", "arcsine")])
    >>> print(mdd[["test", "mdd_up", "mdd_down", "power_method"]].round(4).to_string(index=False))
       test  mdd_up  mdd_down                     power_method
     fisher  0.2924   -0.1282                exact enumeration
    arcsine  0.2708   -0.1273 normal approximation (Cohen's h)
    """
    alpha = check_open_unit(alpha, "alpha")
    power = check_open_unit(power, "power")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha ({alpha}); got {power}")
    test = check_choice(test, "test", POWER_TESTS)
    (m1, m2, base), all_scalar, index = broadcast((("n1", n1), ("n2", n2), ("p_base", p_base)))
    base = check_proportions(base, "p_base", all_scalar)
    m1, m2 = _check_power_sizes(m1, m2, test, all_scalar)
    if test == "arcsine":
        up, down = _mdd_arcsine(m1, m2, base, alpha, power)
        method = np.full(base.size, ARCSINE, dtype=object)
    elif base.size:
        up, down, method = _mdd_search(m1, m2, base, alpha, power, test)
    else:
        up, down, method = np.empty(0), np.empty(0), np.empty(0, dtype=object)
    return pd.DataFrame(
        {
            "n1": m1,
            "n2": m2,
            "p_base": base,
            "alpha": alpha,
            "power": power,
            "mdd_up": up,
            "mdd_down": down,
            "test": test,
            "power_method": text_column(method),
        },
        index=result_index(index, base.size),
    )


# ---------------------------------------------------------------------------
# significance by sample size
# ---------------------------------------------------------------------------


def _half_up_counts(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``round(p * n)`` with halves rounded up; 1e-9 absorbs binary noise (0.35 * 10 = 3.4999999999999996)."""
    return np.floor(p * n + 0.5 + 1e-9).astype(np.int64)


def _approximate_pvalues(k1, n1, k2, n2, test):
    """The closed-form test nearest to ``test``: Yates' chi-square for Fisher, the z test otherwise."""
    if test in ("fisher", "chi2_yates"):
        return two_sided_pvalues(k1, n1, k2, n2, "chi2_yates")
    return two_sided_pvalues(k1, n1, k2, n2, "z")


def _check_n_max(n_max: object) -> int:
    if isinstance(n_max, bool) or not isinstance(n_max, numbers.Integral) or not 2 <= int(n_max) <= SCAN_MAX_N:
        raise ValueError(f"n_max must be a whole number from 2 to {SCAN_MAX_N} (alignment_stats.stats.limits."
                         f"SCAN_MAX_N); got {n_max!r}")
    return int(n_max)


def _family(family_p: object, size: int, adjust: str) -> np.ndarray | None:
    if adjust == "none":
        return None
    if family_p is None:
        raise ValueError(f"family_p is needed with adjust={adjust!r}: the observed p-values of the family, "
                         "one per pair of shares (the other comparisons are held at these)")
    arr, scalar = as_1d(family_p, "family_p")
    if arr.size != size:
        raise ValueError(f"family_p has {arr.size} values but p1 has {size}; give one observed p-value per pair")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"family_p must be p-values in [0, 1]; got {arr[i].item()!r}{position(i, scalar)}")
    return arr


def _adjusted(p: np.ndarray, family: np.ndarray | None, adjust: str) -> np.ndarray:
    """Adjusted p of item i at each size: the family with entry i replaced by ``p[i, size]``."""
    if family is None:
        return p
    out = np.empty_like(p)
    for i in range(p.shape[0]):
        matrix = np.tile(family, (p.shape[1], 1))
        matrix[:, i] = p[i]
        out[i] = adjust_rows(matrix, adjust)[:, i]
    return out


def smallest_significant_n(
    p1: ArrayLike,
    p2: ArrayLike,
    alpha: float = 0.05,
    test: str = "fisher",
    adjust: str = "none",
    family_p: ArrayLike | None = None,
    n_max: int = 5000,
) -> pd.DataFrame:
    """Smallest equal group size from which on a published gap would be significant.

    For each pair of published shares ``(p1[i], p2[i])`` the counts
    ``round(p * n)`` (halves up) are formed in two groups of ``n`` for every
    ``n = 2 .. n_max``, and tested with ``test`` at level ``alpha`` (``p <
    alpha``, the rule of the verdicts) after the multiplicity adjustment
    ``adjust`` in the family ``family_p``: the other comparisons keep their
    observed p-values, so item i's adjusted p at size n is
    ``adjust(family_p with entry i replaced by p_i(n))[i]``. The result is
    the smallest ``n`` from which on the comparison is significant at every
    size up to ``n_max`` (rounding makes significance flicker near the
    threshold, hence "from which on" rather than "first"); NaN if it is not
    significant at ``n_max``.

    How p-values are computed (column ``p_value_method``): the z, chi-square
    and Yates tests in closed form at every size. Fisher and mid-p Fisher
    exactly at every ``n <= 300`` and, above, at every size where a factor
    of 4 either way around the nearest closed-form test (Yates' chi-square
    for Fisher, the z test for mid-p) could change the adjusted verdict;
    elsewhere that closed form decides (exact and approximate p-values are
    much closer than a factor of 4 at such sizes; the tests check the result
    against exact p-values at every size). Boschloo's tests the same way,
    but exactly only up to ``2 n = 100``; above that the pooled z test
    stands in for them, and the column says so.

    Parameters
    ----------
    p1, p2 : float or array_like of float
        Published shares as proportions (0-1), one pair per comparison.
    alpha : float, default 0.05
    test : str, default "fisher"
        One of :data:`alignment_stats.stats.pvalues.TEST_METHODS`.
    adjust : {"holm", "fdr_bh", "bonferroni", "none"}, default "none"
        Multiplicity adjustment of the analysis.
    family_p : array_like of float, optional
        The observed p-values of the family, one per pair (needed unless
        ``adjust="none"``).
    n_max : int, default 5000
        Largest group size tried (at most 100,000).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``p1``, ``p2``, ``test``, ``adjust``,
        ``n_significant`` (float, NaN if never significant up to
        ``n_max``) and ``p_value_method``.

    Raises
    ------
    ValueError
        Shares outside [0, 1], unequal lengths, an unknown ``test`` or
        ``adjust``, ``alpha`` outside (0, 1), a missing or malformed
        ``family_p``, ``n_max`` not in 2..100,000.

    See Also
    --------
    significance_by_size : the intervals and p-values behind it.

    Examples
    --------
    Accenture: 34% of CIOs vs 21% of CMOs, group sizes unpublished; by
    Fisher's test alone, and as one of a family of three comparisons
    (Holm) whose observed p-values are 0.04, 0.01 and 0.30 (the other two
    gaps: 30% vs 13%, and 54% vs 50%, which needs 1,650 per group):

    >>> one = smallest_significant_n([0.34], [0.21])
    >>> one[["test", "n_significant", "p_value_method"]]
         test  n_significant p_value_method
    0  fisher          114.0          exact
    >>> family = smallest_significant_n([0.34, 0.30, 0.54], [0.21, 0.13, 0.50], adjust="holm",
    ...                                 family_p=[0.04, 0.01, 0.30])
    >>> family["n_significant"].tolist()
    [137.0, 82.0, 1650.0]
    """
    alpha = check_open_unit(alpha, "alpha")
    test = check_choice(test, "test", TEST_METHODS)
    adjust = check_choice(adjust, "adjust", ADJUST_METHODS)
    n_max = _check_n_max(n_max)
    (a1, a2), all_scalar, index = broadcast((("p1", p1), ("p2", p2)))
    a1 = check_proportions(a1, "p1", all_scalar)
    a2 = check_proportions(a2, "p2", all_scalar)
    family = _family(family_p, a1.size, adjust)
    result = np.full(a1.size, np.nan)
    note = np.full(a1.size, "exact", dtype=object)
    if a1.size:
        sizes = np.arange(2, n_max + 1, dtype=np.int64)
        n = np.broadcast_to(sizes, (a1.size, sizes.size))
        k1 = _half_up_counts(a1[:, None], n)
        k2 = _half_up_counts(a2[:, None], n)
        flat = [v.reshape(-1) for v in (k1, n, k2, n)]
        p, approximated = _scan_pvalues(flat, k1.shape, test, family, adjust, alpha)
        significant = _adjusted(p, family, adjust) < alpha
        for i, row in enumerate(significant):
            if row[-1]:
                not_sig = np.flatnonzero(~row)
                result[i] = float(sizes[not_sig[-1] + 1] if not_sig.size else sizes[0])
        if approximated is not None:
            half = SCAN_BOSCHLOO_MAX_TOTAL // 2
            note[approximated.any(axis=1)] = f"exact up to n = {half}, pooled z approximation above"
    return pd.DataFrame(
        {"p1": a1, "p2": a2, "test": test, "adjust": adjust, "n_significant": result,
         "p_value_method": text_column(note)},
        index=result_index(index, a1.size),
    )


def _scan_pvalues(flat, shape, test, family, adjust, alpha):
    """p-values of a (pairs x sizes) scan; exact wherever they could change a verdict (see smallest_significant_n).

    Returns the p-values and, for Boschloo's tests, where the pooled z
    approximation had to stand in (None otherwise).
    """
    k1, n1, k2, n2 = flat
    if test in ("z", "chi2", "chi2_yates"):
        return two_sided_pvalues(k1, n1, k2, n2, test).reshape(shape), None
    approx = _approximate_pvalues(k1, n1, k2, n2, test).reshape(shape)
    low = _adjusted(approx / _SCREEN, family, adjust) < alpha
    high = _adjusted(np.minimum(approx * _SCREEN, 1.0), family, adjust) < alpha
    n = n1.reshape(shape)
    boschloo = test in ("boschloo", "boschloo_fisher")
    if boschloo:
        need = low != high
        affordable = 2 * n <= SCAN_BOSCHLOO_MAX_TOTAL
        exact_cells = need & affordable
        approximated = need & ~affordable
    else:
        exact_cells = (low != high) | (n <= _SCAN_EXACT_N)
        approximated = None
    p = approx.copy()
    cells = np.flatnonzero(exact_cells.reshape(-1))
    if cells.size:
        p.reshape(-1)[cells] = enumeration_pvalues(k1[cells], n1[cells], k2[cells], n2[cells], test)
    return p, approximated


def significance_by_size(
    p1: ArrayLike,
    p2: ArrayLike,
    sizes: ArrayLike,
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "fisher",
) -> pd.DataFrame:
    """Interval, p-value and significance of published gaps at assumed equal group sizes.

    For each pair of shares and each size ``n``, counts ``round(p * n)``
    (halves up) in two groups of ``n``: the ``1 - alpha`` interval of ``ci``
    for the difference (the band of the "when would the gap be significant"
    plot) and the two-sided p-value of ``test`` (unadjusted). Boschloo's
    tests are exact up to ``2 n = 100`` and approximated by the pooled z
    test above (column ``p_value_method``); Fisher's up to ``2 n =
    1,000,000``.

    Parameters
    ----------
    p1, p2 : float or array_like of float
        Published shares as proportions (0-1).
    sizes : array_like of int
        Equal group sizes to evaluate (each at least 1).
    alpha : float, default 0.05
    ci : {"newcombe", "agresti-caffo", "wald", "score"}, default "newcombe"
    test : str, default "fisher"

    Returns
    -------
    pandas.DataFrame
        ``pair`` (position of the shares), ``n``, ``k1``, ``k2``, ``diff``
        (``(k1 - k2) / n``), ``ci_low``, ``ci_high``, ``p_value``,
        ``significant`` (``p_value < alpha``), ``ci_excludes_zero`` and
        ``p_value_method``: one row per pair and size, sizes in the order
        given.

    Raises
    ------
    ValueError
        Shares outside [0, 1], unequal lengths, a size below 1 or not
        whole, unknown ``ci`` or ``test``, ``alpha`` outside (0, 1).

    Examples
    --------
    >>> grid = significance_by_size([0.34], [0.21], [40, 120])
    >>> print(grid[["n", "k1", "k2", "p_value", "significant", "ci_excludes_zero"]].round(4).to_string(index=False))
      n  k1  k2  p_value  significant  ci_excludes_zero
     40  14   8   0.2101        False             False
    120  41  25   0.0297         True              True
    """
    alpha = check_open_unit(alpha, "alpha")
    ci = check_choice(ci, "ci", CI_METHODS)
    test = check_choice(test, "test", TEST_METHODS)
    (a1, a2), all_scalar, _ = broadcast((("p1", p1), ("p2", p2)))
    a1 = check_proportions(a1, "p1", all_scalar)
    a2 = check_proportions(a2, "p2", all_scalar)
    size_arr, _ = as_1d(sizes, "sizes")
    size_arr = check_whole_sizes(check_sizes(size_arr, "sizes"), "sizes", "equal group sizes")
    size_arr = size_arr.astype(np.int64)
    if test in ("fisher", "fisher_midp") and size_arr.size and 2 * int(size_arr.max()) > FISHER_MAX_TOTAL:
        raise ValueError(f"sizes: {int(size_arr.max())} per group is too large for test={test!r} (n1 + n2 at most "
                         f"{FISHER_MAX_TOTAL}, alignment_stats.stats.limits); use test='z' or 'chi2'")
    pair = np.repeat(np.arange(a1.size), size_arr.size)
    n = np.tile(size_arr, a1.size)
    k1 = _half_up_counts(a1[pair], n)
    k2 = _half_up_counts(a2[pair], n)
    f1, fn, f2 = k1.astype(float), n.astype(float), k2.astype(float)
    low, high = difference_interval(f1, fn, f2, fn, ci, alpha)
    method = np.full(n.size, "exact", dtype=object)
    if test in ("boschloo", "boschloo_fisher"):
        exact = 2 * n <= SCAN_BOSCHLOO_MAX_TOTAL
        p = np.empty(n.size)
        p[exact] = enumeration_pvalues(k1[exact], n[exact], k2[exact], n[exact], test)
        p[~exact] = two_sided_pvalues(k1[~exact], n[~exact], k2[~exact], n[~exact], "z")
        method[~exact] = "pooled z approximation"
    else:
        p = enumeration_pvalues(k1, n, k2, n, test) if n.size else np.empty(0)
    return pd.DataFrame(
        {"pair": pair, "n": n, "k1": k1, "k2": k2, "diff": (f1 - f2) / fn if n.size else np.empty(0),
         "ci_low": low, "ci_high": high, "p_value": p, "significant": p < alpha,
         "ci_excludes_zero": (low > 0) | (high < 0), "p_value_method": text_column(method)}
    )
