"""Paired proportions: one group answering two questions, from tables or margins.

When the same respondents answer two yes/no questions (a skill is
"extremely important" — measure *a* — and "I have expertise in it" —
measure *b*), the comparison of the two shares is paired. Its 2x2 table has
four cells::

                      b: yes       b: no
        a: yes         both        a_only      k_a = both + a_only
        a: no          b_only      neither
                       k_b = both + b_only     n

The difference ``p_a - p_b = (a_only - b_only) / n`` depends on the margins
only, but its uncertainty depends on how many pairs are discordant
(``a_only + b_only``), which the margins do not reveal. Published figures
give only ``k_a``, ``k_b`` and ``n``: the table is *partially identified*,
``both`` lying anywhere in the Fréchet bounds
``[max(0, k_a + k_b - n), min(k_a, k_b)]`` (Fréchet 1951; Manski 2003).
:func:`paired_gap_bounds` therefore reports every quantity as its range over
all compatible tables; :func:`paired_compare` analyses one observed table
(respondent-level data).

Methods and their sources:

* interval for ``p_a - p_b``: Newcombe's square-and-add interval for paired
  data (Newcombe 1998b, method 10: Wilson limits of both margins combined
  with the table's phi coefficient, continuity-corrected when positive),
  tested against Newcombe's Table III; Tango's (1998) asymptotic score
  interval, tested by its defining property (the score statistic is
  exactly ``+-z`` at the limits) and published examples;
* test of ``p_a = p_b`` (``test=``): McNemar's (1947) exact test, i.e. the
  two-sided binomial test of the discordant pairs with probability 1/2 (as
  statsmodels ``mcnemar(table, exact=True)`` and R ``binom.test``,
  ``"exact"``), its mid-p version (``"midp"``), and the asymptotic chi-square
  test ``(a_only - b_only)^2 / (a_only + b_only)`` without (``"mcnemar"``) or
  with (``"mcnemar_cc"``) Edwards' continuity correction
  ``(|a_only - b_only| - 1)^2 / (a_only + b_only)``, as R's
  ``mcnemar.test(correct=FALSE / TRUE)`` (R applies the correction only when
  ``a_only != b_only``; so does this module). Without discordant pairs every
  test gives ``p = 1`` (R: NaN).

Limits (:mod:`alignment_stats.stats.limits`): the bounds analyse one table
per value of ``both``, so :func:`paired_gap_bounds` and
:func:`compatible_tables` take ``n`` up to ``PAIRED_BOUNDS_MAX_N`` and at
most ``PAIRED_BOUNDS_MAX_TABLES`` compatible tables per call; the tests
themselves are closed forms without a limit of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from ._validate import check_choice, check_open_unit, position, whole_counts
from .intervals import wilson_interval
from .limits import PAIRED_BOUNDS_MAX_N, PAIRED_BOUNDS_MAX_TABLES

__all__ = [
    "PAIRED_CI_METHODS",
    "PAIRED_TEST_METHODS",
    "SIGNIFICANCE_LEVELS",
    "mcnemar_exact",
    "mcnemar_asymptotic",
    "paired_pvalues",
    "tango_statistic",
    "paired_interval",
    "paired_compare",
    "compatible_tables",
    "paired_gap_bounds",
]

#: Names accepted by ``ci=``.
PAIRED_CI_METHODS: tuple[str, ...] = ("newcombe", "tango")
#: Names accepted by ``test=``: the exact McNemar test, its mid-p version, and the
#: asymptotic McNemar test without and with continuity correction.
PAIRED_TEST_METHODS: tuple[str, ...] = ("exact", "midp", "mcnemar", "mcnemar_cc")
#: Values of ``significant_tables`` in :func:`paired_gap_bounds`: how many compatible tables are significant.
SIGNIFICANCE_LEVELS: tuple[str, ...] = ("all", "some", "none")

# Bisection steps for Tango's limits: the bracket starts at most 2 wide, so
# 64 halvings reach the spacing of doubles near the limit.
_TANGO_BISECTION_STEPS = 64


def _counts(named: Sequence[tuple[str, object]]) -> list[np.ndarray]:
    return whole_counts(named)[0]


def _validate_margins(k_a: Any, k_b: Any, n: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (k_a, k_b, n), all_scalar, _ = whole_counts((("k_a", k_a), ("k_b", k_b), ("n", n)))
    bad = n == 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"n must be at least 1 (a paired table needs respondents); got 0{position(i, all_scalar)}")
    for name, k in (("k_a", k_a), ("k_b", k_b)):
        bad = k > n
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} cannot exceed n: {name}={k[i]} > n={n[i]}{position(i, all_scalar)}")
    return k_a, k_b, n


def _validate_table(both: Any, a_only: Any, b_only: Any, neither: Any) -> list[np.ndarray]:
    cells, all_scalar, _ = whole_counts((("both", both), ("a_only", a_only), ("b_only", b_only), ("neither", neither)))
    n = cells[0] + cells[1] + cells[2] + cells[3]
    bad = n == 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"the table{position(i, all_scalar)} is empty (both + a_only + b_only + neither = 0): "
                         "n must be at least 1")
    return cells


# ---------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------


def mcnemar_exact(a_only: Any, b_only: Any, midp: bool = False) -> np.ndarray:
    """Two-sided exact McNemar p-values from the discordant pairs (vectorized).

    The exact test conditions on the ``m = a_only + b_only`` discordant pairs,
    which under ``p_a = p_b`` split as Binomial(m, 1/2); the two-sided p-value
    is twice the smaller tail, capped at 1 (1 when there are no discordant
    pairs). The mid-p version counts only half the probability of the
    observed split.

    Parameters
    ----------
    a_only, b_only : int or array_like of int
        Pairs answering yes to *a* only, and to *b* only.
    midp : bool, default False
        Return the mid-p value instead of the exact one.

    Returns
    -------
    numpy.ndarray of float
        Same numbers as statsmodels
        ``mcnemar([[both, a_only], [b_only, neither]], exact=True).pvalue``.

    Raises
    ------
    ValueError
        Negative or fractional counts, or arrays of unequal length.

    References
    ----------
    McNemar Q (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12:153-157.

    Examples
    --------
    >>> mcnemar_exact([9, 6], [2, 16]).round(6).tolist()
    [0.06543, 0.052479]
    """
    a_only, b_only = _counts((("a_only", a_only), ("b_only", b_only)))
    m = a_only + b_only
    low = np.minimum(a_only, b_only)
    if not midp:
        # the computation of statsmodels.stats.contingency_tables.mcnemar(exact=True)
        return np.minimum(stats.binom.cdf(low, m, 0.5) * 2, 1.0)
    tail = stats.binom.cdf(low, m, 0.5) - 0.5 * stats.binom.pmf(low, m, 0.5)
    return np.minimum(2.0 * tail, 1.0)


def mcnemar_asymptotic(a_only: Any, b_only: Any, correction: bool = False) -> np.ndarray:
    """Two-sided asymptotic McNemar p-values from the discordant pairs (vectorized).

    ``X2 = (a_only - b_only)^2 / (a_only + b_only)`` on 1 degree of freedom;
    with ``correction=True`` Edwards' continuity correction
    ``(|a_only - b_only| - 1)^2 / (a_only + b_only)``, applied (as in R's
    ``mcnemar.test``) only when ``a_only != b_only``. ``p = 1`` when there
    are no discordant pairs (R gives NaN).

    Parameters
    ----------
    a_only, b_only : int or array_like of int
        Pairs answering yes to *a* only, and to *b* only.
    correction : bool, default False
        Apply the continuity correction (R ``mcnemar.test(correct=TRUE)``).

    Returns
    -------
    numpy.ndarray of float
        Same numbers as R ``mcnemar.test(table, correct=correction)$p.value``.

    Raises
    ------
    ValueError
        Negative or fractional counts, or arrays of unequal length.

    References
    ----------
    McNemar Q (1947). Psychometrika 12:153-157.
    Edwards AL (1948). Note on the "correction for continuity" in testing the
    significance of the difference between correlated proportions.
    Psychometrika 13:185-187.

    Examples
    --------
    Cavo et al. (2012): 6 against 16 discordant pairs (R: 0.033006 and
    0.055009):

    >>> mcnemar_asymptotic(6, 16).round(6).tolist(), mcnemar_asymptotic(6, 16, correction=True).round(6).tolist()
    ([0.033006], [0.055009])
    """
    a_only, b_only = _counts((("a_only", a_only), ("b_only", b_only)))
    b, c = a_only.astype(float), b_only.astype(float)
    m = b + c
    gap = np.abs(b - c)
    if correction:
        gap = np.where(gap > 0, gap - 1.0, 0.0)
    stat = np.divide(gap * gap, m, out=np.zeros_like(m), where=m > 0)
    return np.where(m > 0, stats.chi2.sf(stat, 1), 1.0)


def paired_pvalues(a_only: Any, b_only: Any, test: str = "exact") -> np.ndarray:
    """Two-sided p-values of the paired test ``test`` from the discordant pairs.

    ``"exact"`` and ``"midp"``: :func:`mcnemar_exact`; ``"mcnemar"`` and
    ``"mcnemar_cc"``: :func:`mcnemar_asymptotic` without and with
    continuity correction.

    Examples
    --------
    >>> [round(float(paired_pvalues(6, 16, t)[0]), 4) for t in PAIRED_TEST_METHODS]
    [0.0525, 0.0347, 0.033, 0.055]
    """
    test = check_choice(test, "test", PAIRED_TEST_METHODS)
    if test in ("exact", "midp"):
        return mcnemar_exact(a_only, b_only, midp=test == "midp")
    return mcnemar_asymptotic(a_only, b_only, correction=test == "mcnemar_cc")


def _newcombe(both, a_only, b_only, neither, alpha):
    """Newcombe (1998b) method 10 for ``p_a - p_b`` on arrays of tables."""
    n = (both + a_only + b_only + neither).astype(float)
    k_a, k_b = both + a_only, both + b_only
    p_a, p_b = k_a / n, k_b / n
    l_a, u_a = wilson_interval(k_a, n.astype(np.int64), alpha)
    l_b, u_b = wilson_interval(k_b, n.astype(np.int64), alpha)
    # phi of the table; its numerator A = both*neither - a_only*b_only is
    # continuity-corrected towards 0 by n/2 when positive (Newcombe 1998b, p. 2639)
    big_a = both.astype(float) * neither - a_only.astype(float) * b_only
    big_a = np.where(big_a > n / 2, big_a - n / 2, np.where(big_a > 0, 0.0, big_a))
    denom = np.sqrt(k_a.astype(float) * (n - k_a) * k_b * (n - k_b))
    phi = np.divide(big_a, denom, out=np.zeros_like(big_a), where=denom > 0)
    dl_a, du_a = p_a - l_a, u_a - p_a
    dl_b, du_b = p_b - l_b, u_b - p_b
    diff = p_a - p_b
    low = diff - np.sqrt(np.maximum(dl_a**2 - 2 * phi * dl_a * du_b + du_b**2, 0.0))
    high = diff + np.sqrt(np.maximum(du_a**2 - 2 * phi * du_a * dl_b + dl_b**2, 0.0))
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)


def tango_statistic(a_only: Any, b_only: Any, n: Any, delta: Any) -> np.ndarray:
    """Tango's (1998) score statistic for ``H0: p_a - p_b = delta`` (vectorized).

    ``Z = (a_only - b_only - n delta) / sqrt(n (2 q + delta (1 - delta)))``
    where ``q`` is the maximum likelihood estimate of the ``b_only`` cell
    probability under ``H0`` (the non-negative root of
    ``2n q^2 + B q + C = 0`` with ``B = -a_only - b_only + (2n - a_only + b_only) delta``
    and ``C = -b_only delta (1 - delta)``). ``Z`` is 0 where its numerator is
    0 and +-inf where only the variance is.

    Parameters
    ----------
    a_only, b_only, n : int or array_like of int
        Discordant cells and the number of pairs.
    delta : float or array_like
        Hypothesised differences in ``[-1, 1]``.

    Returns
    -------
    numpy.ndarray of float

    References
    ----------
    Tango T (1998). Equivalence test and confidence interval for the
    difference in proportions for the paired-sample design. Stat Med
    17:891-908 (and the correction in Stat Med 1999; 18:3511-3513).

    Examples
    --------
    >>> tango_statistic(9, 2, 44, [0.0, 7 / 44, -0.1]).round(4).tolist()
    [2.1106, 0.0, 3.1394]
    """
    a_only, b_only, n = _counts((("a_only", a_only), ("b_only", b_only), ("n", n)))
    delta = np.asarray(delta, dtype=float)
    return _tango_z(a_only.astype(float), b_only.astype(float), n.astype(float), delta)


def _tango_z(b, c, n, delta):
    big_a = 2.0 * n
    big_b = -b - c + (2.0 * n - b + c) * delta
    big_c = -c * delta * (1.0 - delta)
    disc = np.sqrt(np.maximum(big_b * big_b - 4.0 * big_a * big_c, 0.0))
    # the non-negative root, written to avoid cancellation whichever sign B has
    safe = np.where(disc + big_b > 0, disc + big_b, 1.0)
    q = np.where(big_b > 0, -2.0 * big_c / safe, (disc - big_b) / (2.0 * big_a))
    var = np.maximum(n * (2.0 * q + delta * (1.0 - delta)), 0.0)
    num = b - c - n * delta
    sd = np.sqrt(var)
    unbounded = np.where(num > 0, np.inf, np.where(num < 0, -np.inf, 0.0))
    return np.where(sd > 0, num / np.where(sd > 0, sd, 1.0), unbounded)


def _tango(both, a_only, b_only, neither, alpha):
    """Tango's score interval by vectorized bisection on both sides.

    The lower limit is where ``Z(delta) = z`` between -1 (where ``Z`` is
    +inf unless every pair is ``b_only``) and the estimate (``Z = 0``); the
    upper limit where ``Z = -z`` between the estimate and 1.
    """
    z = stats.norm.isf(alpha / 2.0)
    b, c = a_only.astype(float), b_only.astype(float)
    n = (both + a_only + b_only + neither).astype(float)
    diff = (b - c) / n
    limits = []
    for target, outer in ((z, -1.0), (-z, 1.0)):
        out = np.full(diff.shape, outer)  # rejected end of the bracket
        inside = diff.copy()  # accepted end (Z = 0 at the estimate)
        for _ in range(_TANGO_BISECTION_STEPS):
            mid = 0.5 * (out + inside)
            zmid = _tango_z(b, c, n, mid)
            rejected = zmid > target if target > 0 else zmid < target
            out = np.where(rejected, mid, out)
            inside = np.where(rejected, inside, mid)
        # the estimate itself on the boundary (all pairs discordant one way)
        limits.append(np.where(diff == outer, outer, inside))
    return limits[0], limits[1]


_INTERVALS = {"newcombe": _newcombe, "tango": _tango}


def paired_interval(
    both: Any, a_only: Any, b_only: Any, neither: Any, alpha: float = 0.05, ci: str = "newcombe"
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for ``p_a - p_b`` from paired 2x2 tables (vectorized).

    Parameters
    ----------
    both, a_only, b_only, neither : int or array_like of int
        The four cells of each table.
    alpha : float, default 0.05
    ci : {"newcombe", "tango"}, default "newcombe"
        Newcombe (1998b) method 10, or Tango's (1998) score interval.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits.

    Raises
    ------
    ValueError
        Negative or fractional cells, empty tables, unequal lengths, an
        unknown ``ci``.

    Examples
    --------
    Newcombe (1998b), Table III, example (a): 36, 12, 2, 0 gives
    0.0569 to 0.3404 by method 10:

    >>> low, high = paired_interval(36, 12, 2, 0)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0569, 0.3404)
    """
    alpha = check_open_unit(alpha, "alpha")
    method = _INTERVALS[check_choice(ci, "ci", PAIRED_CI_METHODS)]
    both, a_only, b_only, neither = _validate_table(both, a_only, b_only, neither)
    return method(both, a_only, b_only, neither, alpha)


# ---------------------------------------------------------------------------
# public tables
# ---------------------------------------------------------------------------


def paired_compare(
    both: Any,
    a_only: Any,
    b_only: Any,
    neither: Any,
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "exact",
) -> pd.DataFrame:
    """Compare the two shares of observed paired 2x2 tables.

    Parameters
    ----------
    both, a_only, b_only, neither : int or array_like of int
        The cells: yes to both questions, to *a* only, to *b* only, to
        neither. Scalars broadcast against arrays.
    alpha : float, default 0.05
        Intervals have coverage ``1 - alpha``.
    ci : {"newcombe", "tango"}, default "newcombe"
        Newcombe (1998b) method 10 or Tango's (1998) score interval.
    test : {"exact", "midp", "mcnemar", "mcnemar_cc"}, default "exact"
        Exact McNemar test (as statsmodels ``mcnemar(exact=True)``), its
        mid-p version, or the asymptotic McNemar test without or with
        continuity correction (R ``mcnemar.test(correct=FALSE / TRUE)``).

    Returns
    -------
    pandas.DataFrame
        One row per table: ``both, a_only, b_only, neither, n`` (the cells
        and their sum), ``k_a, k_b`` (the margins), ``p_a, p_b`` (shares),
        ``diff`` (``p_a - p_b``), ``ci_low, ci_high`` (the interval for
        ``diff``), ``p_value`` (two-sided McNemar).

    Raises
    ------
    ValueError
        Negative or fractional cells, an empty table (``n = 0``), arrays of
        unequal length, an unknown ``ci`` or ``test``.

    References
    ----------
    McNemar Q (1947). Psychometrika 12:153-157.
    Newcombe RG (1998b). Improved confidence intervals for the difference
    between binomial proportions based on paired data. Stat Med 17:2635-2650.
    Tango T (1998). Equivalence test and confidence interval for the
    difference in proportions for the paired-sample design. Stat Med
    17:891-908.

    Examples
    --------
    Cavo et al. (2012), as analysed by Fagerland, Lydersen & Laake (2014):

    >>> res = paired_compare(59, 6, 16, 80)
    >>> print(res[["n", "diff", "ci_low", "ci_high", "p_value"]].round(4).to_string(index=False))
      n    diff  ci_low  ci_high  p_value
    161 -0.0621 -0.1186  -0.0046   0.0525
    """
    alpha = check_open_unit(alpha, "alpha")
    method = _INTERVALS[check_choice(ci, "ci", PAIRED_CI_METHODS)]
    check_choice(test, "test", PAIRED_TEST_METHODS)
    both, a_only, b_only, neither = _validate_table(both, a_only, b_only, neither)
    n = both + a_only + b_only + neither
    low, high = method(both, a_only, b_only, neither, alpha)
    return pd.DataFrame({
        "both": both, "a_only": a_only, "b_only": b_only, "neither": neither, "n": n,
        "k_a": both + a_only, "k_b": both + b_only,
        "p_a": (both + a_only) / n, "p_b": (both + b_only) / n, "diff": (a_only - b_only) / n,
        "ci_low": low, "ci_high": high, "p_value": paired_pvalues(a_only, b_only, test),
    })


def _frechet(k_a: np.ndarray, k_b: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(0, k_a + k_b - n), np.minimum(k_a, k_b)


def _check_bounds_size(n: np.ndarray, sizes: np.ndarray) -> None:
    """Refuse margins whose compatible tables are too many to enumerate (limits module)."""
    bad = n > PAIRED_BOUNDS_MAX_N
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = "" if n.size == 1 else f" at position {i}"
        raise ValueError(
            f"n = {int(n[i])}{where} is too large for the paired bounds (at most {PAIRED_BOUNDS_MAX_N:,} "
            "respondents, alignment_stats.stats.limits.PAIRED_BOUNDS_MAX_N: every compatible table is analysed)"
        )
    total = int(sizes.sum())
    if total > PAIRED_BOUNDS_MAX_TABLES:
        raise ValueError(
            f"n: these margins have {total:,} compatible tables in all, more than {PAIRED_BOUNDS_MAX_TABLES:,} "
            "(alignment_stats.stats.limits.PAIRED_BOUNDS_MAX_TABLES); pass fewer rows per call"
        )


def compatible_tables(k_a: Any, k_b: Any, n: Any) -> pd.DataFrame:
    """Every 2x2 table with the given margins (Fréchet bounds on ``both``).

    Parameters
    ----------
    k_a, k_b, n : int or array_like of int
        Yes-counts of the two questions and the number of respondents.

    Returns
    -------
    pandas.DataFrame
        ``row`` (position of the margins in the input), ``k_a, k_b, n``, and
        the cells ``both, a_only, b_only, neither``: one row per compatible
        table, ``both`` ascending within each input row.

    Raises
    ------
    ValueError
        Negative or fractional counts, ``k_a`` or ``k_b`` above ``n``,
        ``n = 0``, arrays of unequal length, ``n`` above
        ``PAIRED_BOUNDS_MAX_N`` or more than ``PAIRED_BOUNDS_MAX_TABLES``
        tables in all (:mod:`alignment_stats.stats.limits`).

    References
    ----------
    Fréchet M (1951). Sur les tableaux de corrélation dont les marges sont
    données. Annales de l'Université de Lyon, Section A, 14:53-77.

    Examples
    --------
    >>> print(compatible_tables(3, 2, 4).to_string(index=False))
     row  k_a  k_b  n  both  a_only  b_only  neither
       0    3    2  4     1       2       1        0
       0    3    2  4     2       1       0        1
    """
    k_a, k_b, n = _validate_margins(k_a, k_b, n)
    lo, hi = _frechet(k_a, k_b, n)
    sizes = hi - lo + 1
    _check_bounds_size(n, sizes)
    row = np.repeat(np.arange(k_a.size), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    both = lo[row] + (np.arange(row.size) - starts[row])
    a_only, b_only = k_a[row] - both, k_b[row] - both
    return pd.DataFrame({
        "row": row, "k_a": k_a[row], "k_b": k_b[row], "n": n[row], "both": both, "a_only": a_only,
        "b_only": b_only, "neither": n[row] - both - a_only - b_only,
    })


_BOUNDS_COLUMNS = {
    "k_a": np.int64, "k_b": np.int64, "n": np.int64, "diff": float, "both_min": np.int64, "both_max": np.int64,
    "a_only_min": np.int64, "a_only_max": np.int64, "b_only_min": np.int64, "b_only_max": np.int64,
    "ci_low_min": float, "ci_low_max": float, "ci_high_min": float, "ci_high_max": float,
    "p_min": float, "p_max": float, "significant_tables": "U4", "tables": np.int64, "tables_significant": np.int64,
}


def paired_gap_bounds(
    k_a: Any, k_b: Any, n: Any, alpha: float = 0.05, ci: str = "newcombe", test: str = "exact"
) -> pd.DataFrame:
    """What published margins of a paired comparison do and do not identify.

    The difference ``p_a - p_b`` is fixed by the margins, but the 2x2 table
    behind it is not: ``both`` can be anything in
    ``[max(0, k_a + k_b - n), min(k_a, k_b)]`` (Fréchet bounds), and so can
    the number who say yes to *a* but not *b* (``a_only = k_a - both``) and
    the reverse (``b_only = k_b - both``). Every compatible table is analysed
    (paired interval and McNemar test) and each result reported as its
    range: the sharp bounds of partial identification (Manski 2003).

    A table counts as *significant* when its McNemar p-value is below
    ``alpha`` and its interval excludes 0 (the two agree almost always;
    requiring both keeps the verdict conservative where they do not).

    Parameters
    ----------
    k_a, k_b : int or array_like of int
        How many of the ``n`` respondents say yes to question *a* (e.g. a
        skill is extremely important) and to *b* (they have expertise in it).
    n : int or array_like of int
        Respondents answering both questions (the same people).
    alpha : float, default 0.05
    ci : {"newcombe", "tango"}, default "newcombe"
        Paired interval: Newcombe (1998b) method 10 or Tango (1998).
    test : {"exact", "midp", "mcnemar", "mcnemar_cc"}, default "exact"
        Exact McNemar test, its mid-p version, or the asymptotic McNemar
        test without or with continuity correction.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``k_a, k_b, n``; ``diff`` (``(k_a - k_b) / n``,
        the same for every compatible table); ``both_min, both_max``
        (Fréchet bounds on the yes-to-both cell); ``a_only_min,
        a_only_max`` (yes to *a* without *b*); ``b_only_min, b_only_max``;
        ``ci_low_min, ci_low_max`` and ``ci_high_min, ci_high_max`` (range of
        the interval's lower and upper limit over compatible tables);
        ``p_min, p_max`` (range of the McNemar p-value); ``significant_tables``:
        ``"all"``, ``"some"`` or ``"none"`` of the compatible tables give a
        significant difference; ``tables`` and ``tables_significant``: how
        many tables are compatible, and how many of them are significant.
        Empty inputs give an empty table with these columns.

    Raises
    ------
    ValueError
        Negative or fractional counts, ``k_a`` or ``k_b`` above ``n``,
        ``n = 0``, arrays of unequal length, an unknown ``ci`` or ``test``,
        ``alpha`` outside (0, 1), ``n`` above ``PAIRED_BOUNDS_MAX_N`` (one
        million; :mod:`alignment_stats.stats.limits`) or more than
        ``PAIRED_BOUNDS_MAX_TABLES`` compatible tables in all.

    See Also
    --------
    compatible_tables : the tables themselves.
    paired_compare : the same statistics for one observed table.

    References
    ----------
    Fréchet M (1951). Sur les tableaux de corrélation dont les marges sont
    données. Annales de l'Université de Lyon, Section A, 14:53-77.
    Manski CF (2003). Partial Identification of Probability Distributions.
    Springer.
    McNemar Q (1947). Psychometrika 12:153-157.
    Newcombe RG (1998b). Improved confidence intervals for the difference
    between binomial proportions based on paired data. Stat Med 17:2635-2650.
    Tango T (1998). Stat Med 17:891-908.

    Examples
    --------
    Leapfrog 2015: 64 of 106 marketers call data tracking & analytics
    extremely important, 43 claim expertise in it (and 37 vs 16 for
    omnichannel):

    >>> b = paired_gap_bounds([64, 37], [43, 16], 106)
    >>> cols = ["k_a", "k_b", "both_min", "both_max", "a_only_min", "a_only_max", "significant_tables"]
    >>> print(b[cols].to_string(index=False))
     k_a  k_b  both_min  both_max  a_only_min  a_only_max significant_tables
      64   43         1        43          21          63               some
      37   16         0        16          21          37                all
    >>> b[["p_min", "p_max"]].round(4).values.tolist()
    [[0.0, 0.0504], [0.0, 0.0055]]
    """
    alpha = check_open_unit(alpha, "alpha")
    check_choice(ci, "ci", PAIRED_CI_METHODS)
    check_choice(test, "test", PAIRED_TEST_METHODS)
    k_a, k_b, n = _validate_margins(k_a, k_b, n)
    tables = compatible_tables(k_a, k_b, n)
    if k_a.size == 0:
        return pd.DataFrame({name: np.empty(0, dtype=kind) for name, kind in _BOUNDS_COLUMNS.items()})
    cells = [tables[c].to_numpy() for c in ("both", "a_only", "b_only", "neither")]
    low, high = _INTERVALS[ci](*cells, alpha)
    p = paired_pvalues(cells[1], cells[2], test)
    sig = (p < alpha) & ((low > 0) | (high < 0))
    starts = np.flatnonzero(np.r_[True, tables["row"].to_numpy()[1:] != tables["row"].to_numpy()[:-1]])
    size = np.diff(np.r_[starts, len(tables)])
    hits = np.add.reduceat(sig.astype(np.int64), starts)
    lo, hi = _frechet(k_a, k_b, n)
    return pd.DataFrame({
        "k_a": k_a, "k_b": k_b, "n": n, "diff": (k_a - k_b) / n,
        "both_min": lo, "both_max": hi,
        "a_only_min": k_a - hi, "a_only_max": k_a - lo, "b_only_min": k_b - hi, "b_only_max": k_b - lo,
        "ci_low_min": np.minimum.reduceat(low, starts), "ci_low_max": np.maximum.reduceat(low, starts),
        "ci_high_min": np.minimum.reduceat(high, starts), "ci_high_max": np.maximum.reduceat(high, starts),
        "p_min": np.minimum.reduceat(p, starts), "p_max": np.maximum.reduceat(p, starts),
        "significant_tables": np.where(hits == size, "all", np.where(hits > 0, "some", "none")),
        "tables": size, "tables_significant": hits,
    })
