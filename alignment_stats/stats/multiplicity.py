"""Multiplicity adjustment of p-values: Holm, Benjamini-Hochberg, Bonferroni.

:func:`adjust_pvalues` adjusts one family (statsmodels ``multipletests``);
:func:`adjust_rows` adjusts every row of a (families x tests) matrix at once,
with the same procedures, for sensitivity analyses that vary one test of a
family at a time.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from statsmodels.stats.multitest import multipletests

from ._validate import as_1d, check_choice, position

__all__ = ["ADJUST_METHODS", "adjust_pvalues", "adjust_rows"]

#: Names accepted by ``adjust=``.
ADJUST_METHODS: tuple[str, ...] = ("holm", "fdr_bh", "bonferroni", "none")


def adjust_pvalues(p: ArrayLike, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    p : array_like of float
        One-dimensional p-values in [0, 1] (a scalar counts as one).
    method : {"holm", "fdr_bh", "bonferroni", "none"}, default "holm"
        Holm's step-down family-wise correction, Benjamini-Hochberg false
        discovery rate, Bonferroni, or no adjustment. Computed with
        ``statsmodels.stats.multitest.multipletests`` (Holm with the same
        arithmetic in :func:`adjust_rows`, bit for bit the same numbers
        without statsmodels' garbage collection on every call).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, float64, in the input order.

    Raises
    ------
    ValueError
        If ``method`` is unknown (the message lists the known names), or a
        p-value is missing or outside [0, 1] (the message gives its position).

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scandinavian Journal of Statistics 6(2), 65-70.
    .. [2] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false
       discovery rate: a practical and powerful approach to multiple testing.
       Journal of the Royal Statistical Society B 57(1), 289-300.

    Examples
    --------
    Holm multiplies the smallest of three p-values by 3, the next by 2 and
    keeps the running maximum:

    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    method = check_choice(method, "method", ADJUST_METHODS)
    arr, scalar = as_1d(p, "p")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"p must be p-values in [0, 1]; got {arr[i].item()!r}{position(i, scalar)}")
    if method == "none" or arr.size == 0:
        return arr.copy()
    if method == "holm":
        # the arithmetic of multipletests(method="holm"), which also runs a full
        # gc.collect() on every call (tens of milliseconds in a large process)
        return adjust_rows(arr[None, :], "holm")[0]
    return np.asarray(multipletests(arr, method=method)[1], dtype=float)


def adjust_rows(p: np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust every row of a (families x tests) matrix of p-values as one family.

    The procedures of :func:`adjust_pvalues`, vectorized over rows.

    Examples
    --------
    >>> adjust_rows(np.array([[0.01, 0.04, 0.03], [0.5, 0.01, 0.02]]), "holm").round(4).tolist()
    [[0.03, 0.06, 0.06], [0.5, 0.03, 0.04]]
    """
    method = check_choice(method, "method", ADJUST_METHODS)
    p = np.asarray(p, dtype=float)
    m = p.shape[1]
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=1)
    if method == "holm":  # step-down: max over j <= i of (m - j + 1) p_(j)
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)), axis=1)
    else:  # fdr_bh, step-up: min over j >= i of m p_(j) / j
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[:, ::-1], axis=1)[:, ::-1]
    out = np.empty_like(p)
    np.put_along_axis(out, order, np.minimum(adjusted, 1.0), axis=1)
    return out
