"""Independent two-proportion comparisons, vectorized over tables.

Every function takes group counts ``k`` (respondents giving an answer) and
group sizes ``n`` as scalars, lists, NumPy arrays or pandas Series, broadcasts
them against each other, and returns one tidy row per table, so results for
many published figures concatenate into one DataFrame.

Methods and their sources:

* confidence intervals for ``p1 - p2``: Newcombe's hybrid score interval
  (Newcombe 1998, method 10), Agresti-Caffo, Wald, and the
  Miettinen-Nurminen score interval (Newcombe 1998, method 6), which is
  implemented here because statsmodels' ``method="score"`` interval for a
  difference is wrong (statsmodels#10269);
* tests of ``p1 = p2``: Fisher's exact test, Boschloo's exact test, the pooled
  score z test and Pearson's chi-square test;
* effect size: Cohen's h; power and minimal detectable differences on the
  Cohen's h scale; a Bayesian companion with Jeffreys priors.

Results agree with statsmodels and scipy where those are right (checked in
``tests/test_proportions.py``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import integrate, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep

__all__ = [
    "CI_METHODS",
    "TEST_METHODS",
    "ADJUST_METHODS",
    "compare_proportions",
    "adjust_pvalues",
    "power_two_proportions",
    "minimal_detectable_difference",
    "bayes_compare",
]

#: Names accepted by ``compare_proportions(ci=...)``.
CI_METHODS: tuple[str, ...] = ("newcombe", "agresti-caffo", "wald", "score")
#: Names accepted by ``compare_proportions(test=...)``.
TEST_METHODS: tuple[str, ...] = ("fisher", "boschloo", "z", "chi2")
#: Names accepted by ``adjust_pvalues(method=...)`` and ``compare_proportions(adjust=...)``.
ADJUST_METHODS: tuple[str, ...] = ("holm", "fdr_bh", "bonferroni", "none")

# scipy.stats.fisher_exact treats two hypergeometric probabilities as equal
# when they differ by at most this relative amount (scipy >= 1.7).
_FISHER_RELATIVE_TOLERANCE = 1e-14
# Root finding for the Miettinen-Nurminen limits: stop when the bracket is
# this narrow; false-position steps first, then bisection for any row left
# (the bracket starts at most 2 wide, so 64 halvings reach double spacing).
_SCORE_TOLERANCE = 1e-15
_SCORE_FALSE_POSITION_STEPS = 60
_SCORE_BISECTION_STEPS = 64
# Largest total sample for which log-factorials are tabulated once.
_LOGFACT_TABLE_MAX = 10_000_000
# Cells of the (tables x support) grid evaluated at once by the Fisher test.
_FISHER_CHUNK_CELLS = 2_000_000


# ---------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------


def _check_choice(value: object, name: str, known: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in known:
        raise ValueError(
            f"{name}={value!r} is not a known method; use one of: "
            + ", ".join(repr(k) for k in known)
        )
    return value


def _check_open_unit(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not 0.0 < float(value) < 1.0
    ):
        raise ValueError(f"{name} must be a number strictly between 0 and 1; got {value!r}")
    return float(value)


def _to_numeric_1d(x: object, name: str, what: str = "numbers") -> tuple[np.ndarray, bool]:
    """Return ``x`` as a 1-D numeric array and whether it was a scalar (errors say ``name must hold what``)."""
    if isinstance(x, (pd.Series, pd.Index)) or isinstance(
        getattr(x, "dtype", None), pd.api.extensions.ExtensionDtype
    ):
        if pd.api.types.is_bool_dtype(x.dtype):
            raise ValueError(f"{name} must hold {what}, not booleans")
        try:
            arr = pd.Series(x).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must hold {what}; got {x!r}") from err
    else:
        arr = np.asarray(x)
    if arr.dtype.kind == "b":
        raise ValueError(f"{name} must hold {what}, not booleans")
    if arr.dtype.kind not in "iuf":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must hold {what}; got {x!r}") from err
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional; got shape {arr.shape}")
    scalar = arr.ndim == 0
    return arr.reshape(-1), scalar


def _broadcast(
    named: Sequence[tuple[str, object]],
) -> tuple[list[np.ndarray], bool, pd.Index | None]:
    """Broadcast scalars and equal-length 1-D inputs.

    Returns the arrays, whether every input was a scalar, and the shared
    pandas index of the Series inputs (None if there are none).
    """
    arrays, scalars = [], []
    index: pd.Index | None = None
    index_owner = ""
    for name, value in named:
        if isinstance(value, pd.Series):
            if index is None:
                index, index_owner = value.index, name
            elif not value.index.equals(index):
                raise ValueError(
                    f"{name} is a Series whose index differs from {index_owner}'s; "
                    "align them first or pass plain arrays (.to_numpy()) to pair rows by position"
                )
        arr, scalar = _to_numeric_1d(value, name)
        arrays.append(arr)
        scalars.append(scalar)
    length, owner = 1, ""
    for (name, _), arr, scalar in zip(named, arrays, scalars):
        if not scalar and arr.size != 1:
            if owner and arr.size != length:
                raise ValueError(
                    f"{name} has {arr.size} values but {owner} has {length}; "
                    "give arrays of equal length (or scalars)"
                )
            length, owner = arr.size, owner or name
    out = [np.broadcast_to(arr, (length,)) for arr in arrays]
    return out, all(scalars), index


def _where(i: int, all_scalar: bool) -> str:
    return "" if all_scalar else f" at position {i}"


def _check_whole(arr: np.ndarray, name: str, all_scalar: bool) -> np.ndarray:
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    bad = ~np.isfinite(arr) | (arr != np.round(arr))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be whole numbers (counts); got {arr[i].item()!r}{_where(i, all_scalar)}"
        )
    return arr.astype(np.int64)


def _validate_counts(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.Index | None]:
    named = (("k1", k1), ("n1", n1), ("k2", k2), ("n2", n2))
    arrays, all_scalar, index = _broadcast(named)
    ints = [_check_whole(a, name, all_scalar) for (name, _), a in zip(named, arrays)]
    for (name, _), a in zip(named, ints):
        bad = a < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name} must be non-negative; got {a[i]}{_where(i, all_scalar)}"
            )
    for kname, k, nname, n in (("k1", ints[0], "n1", ints[1]), ("k2", ints[2], "n2", ints[3])):
        bad = n == 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{nname} must be at least 1 (a group needs respondents); got 0"
                f"{_where(i, all_scalar)}"
            )
        bad = k > n
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{kname} cannot exceed {nname}: {kname}={k[i]} > {nname}={n[i]}"
                f"{_where(i, all_scalar)}"
            )
    if index is not None and len(index) != ints[0].size:
        index = None
    return ints[0], ints[1], ints[2], ints[3], index


def _validate_positive(arr: np.ndarray, name: str, all_scalar: bool) -> np.ndarray:
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be a positive group size; got {arr[i].item()!r}{_where(i, all_scalar)}"
        )
    return arr


def _validate_unit_closed(arr: np.ndarray, name: str, all_scalar: bool) -> np.ndarray:
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be a proportion in [0, 1]; got {arr[i].item()!r}{_where(i, all_scalar)}"
        )
    return arr


# ---------------------------------------------------------------------------
# confidence intervals for p1 - p2
# ---------------------------------------------------------------------------


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval, same algebra as statsmodels ``proportion_confint``."""
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    center = (p + z2 / (2.0 * n)) / denom
    half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    return np.clip(center - half, 0.0, 1.0), np.clip(center + half, 0.0, 1.0)


def _ci_newcombe(k1, n1, k2, n2, alpha):
    z = stats.norm.isf(alpha / 2.0)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1, z)
    l2, u2 = _wilson(k2, n2, z)
    diff = p1 - p2
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def _ci_wald(k1, n1, k2, n2, alpha, add=0.0):
    z = stats.norm.isf(alpha / 2.0)
    p1 = (k1 + add) / (n1 + 2.0 * add)
    p2 = (k2 + add) / (n2 + 2.0 * add)
    half = z * np.sqrt(p1 * (1.0 - p1) / (n1 + 2.0 * add) + p2 * (1.0 - p2) / (n2 + 2.0 * add))
    return p1 - p2 - half, p1 - p2 + half


def _ci_agresti_caffo(k1, n1, k2, n2, alpha):
    return _ci_wald(k1, n1, k2, n2, alpha, add=1.0)


def _count_over(count, x, power=1):
    """``count / x**power`` for ``count, x >= 0``: 0 where count is 0, inf
    where only x is (a pole of the binomial score at the boundary)."""
    count, x = np.broadcast_arrays(count, x)
    denom = x if power == 1 else x * x
    out = np.zeros(count.shape)
    np.divide(count, denom, out=out, where=(count > 0) & (x > 0))
    out[(count > 0) & (x <= 0)] = np.inf
    return out


def _mn_restricted_mle(k1, n1, k2, n2, delta, newton_steps=2):
    """Maximum likelihood ``(p1, p2)`` under ``p1 - p2 = delta``.

    Closed-form root of the likelihood cubic of Miettinen & Nurminen (1985),
    written as in Farrington & Manning (1990), solved for ``p2`` (the group
    of ``k2``/``n2``). The trigonometric solution loses accuracy (about
    1e-11 absolute in ordinary cases, more as ``delta`` nears -1 or 1), which
    matters when ``p1`` or ``p2`` is tiny, so it is refined: a maximum on the boundary of the
    feasible range is detected from the sign of the score there, and an
    interior one is polished by Newton steps on the score equation
    (the log-likelihood is concave, so the score decreases in ``p2``).
    """
    k1, n1, k2, n2, delta = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2, delta))
    big_n = n1 + n2
    c = k1 + k2
    l3 = big_n
    l2 = (n1 + 2.0 * n2) * delta - big_n - c
    l1 = (n2 * delta - big_n - 2.0 * k2) * delta + c
    l0 = k2 * delta * (1.0 - delta)
    # (products, not ``**3``: NumPy's float power is slow for odd exponents)
    b = l2 / (3.0 * l3)
    q = b * b * b - l1 * l2 / (6.0 * l3 * l3) + l0 / (2.0 * l3)
    p = np.sign(q) * np.sqrt(np.maximum(b * b - l1 / (3.0 * l3), 0.0))
    p_safe = np.where(p == 0.0, 1.0, p)
    ratio = np.where(p == 0.0, 0.0, q / (p_safe * p_safe * p_safe))
    angle = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3.0
    p2 = 2.0 * p * np.cos(angle) - b

    # feasible p2: p1 = p2 + delta and p2 both in [0, 1]; the complements
    # are computed from (1 - delta) so that they are exactly 0 at the ends
    lo = np.maximum(0.0, -delta)
    hi = np.minimum(1.0, 1.0 - delta)
    top = 1.0 - delta
    m1, m2 = n1 - k1, n2 - k2

    def score_parts(x):
        # the score is (k1/p1 + k2/p2) - (m1/(1-p1) + m2/(1-p2)); kept as
        # two non-negative parts so that boundary poles compare without NaN
        up = _count_over(k1, x + delta) + _count_over(k2, x)
        down = _count_over(m1, top - x) + _count_over(m2, 1.0 - x)
        return up, down

    def score_slope(x):
        return -(
            _count_over(k1, x + delta, 2)
            + _count_over(m1, top - x, 2)
            + _count_over(k2, x, 2)
            + _count_over(m2, 1.0 - x, 2)
        )

    up, down = score_parts(lo)
    at_lo = (lo >= hi) | (up <= down)
    up, down = score_parts(hi)
    at_hi = ~at_lo & (up >= down)
    interior = ~(at_lo | at_hi)
    x = np.clip(p2, lo, hi)
    for _ in range(newton_steps):
        start = np.where((x > lo) & (x < hi), x, 0.5 * (lo + hi))
        start = np.where(interior, start, 0.5)  # keep unused rows finite
        up, down = score_parts(start)
        s, slope = up - down, score_slope(start)
        usable = interior & np.isfinite(s) & np.isfinite(slope) & (slope < 0.0)
        trial = start - np.where(usable, s, 0.0) / np.where(usable, slope, -1.0)
        better = usable & (trial > lo) & (trial < hi)
        x = np.where(better, trial, x)
    p2 = np.where(at_lo, lo, np.where(at_hi, hi, x))
    return p2 + delta, p2


def _mn_variance(k1, n1, k2, n2, delta, correction=True):
    """Variance of ``p1_hat - p2_hat`` at the restricted MLE (with N/(N-1))."""
    p1, p2 = _mn_restricted_mle(k1, n1, k2, n2, delta)
    var = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
    if correction:
        big_n = np.asarray(n1, dtype=float) + n2
        var = var * big_n / (big_n - 1.0)
    return var


def _mn_score_statistic(k1, n1, k2, n2, delta, correction=True):
    """Miettinen-Nurminen score statistic for H0: p1 - p2 = delta.

    ``(p1_hat - p2_hat - delta) / sqrt(V(delta))``; +-inf where the variance
    is zero and the numerator is not, 0 where both are zero.
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    num = k1 / n1 - k2 / n2 - delta
    sd = np.sqrt(_mn_variance(k1, n1, k2, n2, delta, correction))
    safe = np.where(sd > 0, sd, 1.0)
    unbounded = np.where(num > 0, np.inf, np.where(num < 0, -np.inf, 0.0))
    return np.where(sd > 0, num / safe, unbounded)


def _ci_score(k1, n1, k2, n2, alpha, correction=True):
    """Miettinen-Nurminen interval by vectorized root finding on both sides.

    A value ``delta`` is inside the interval when
    ``g(delta) = (diff - delta)^2 - chi2_{1,1-alpha} V(delta) <= 0``. Each
    limit is bracketed by the estimate (g <= 0) and -1 or +1 (g > 0 because
    V is zero there). All brackets, lower and upper for every table, are
    shrunk together by the Illinois variant of false position, which keeps
    the bracket and converges superlinearly; rows that have not converged
    after a fixed number of steps finish by bisection.
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    crit = stats.chi2.isf(alpha, 1)
    diff = k1 / n1 - k2 / n2
    size = diff.size
    kk1, nn1, kk2, nn2, dd = (np.concatenate([v, v]) for v in (k1, n1, k2, n2, diff))

    def g(delta, rows):
        var = _mn_variance(kk1[rows], nn1[rows], kk2[rows], nn2[rows], delta, correction)
        return (dd[rows] - delta) ** 2 - crit * var

    # bracket: x_out is rejected (g > 0), x_in accepted (g <= 0)
    x_out = np.concatenate([-np.ones(size), np.ones(size)])
    x_in = dd.copy()
    g_out = (dd - x_out) ** 2  # V(+-1) = 0
    g_in = -crit * _mn_variance(kk1, nn1, kk2, nn2, x_in, correction)
    everything = np.arange(x_in.size)

    def tighten(trial):
        trial = np.clip(trial, np.minimum(x_out, x_in), np.maximum(x_out, x_in))
        gt = g(trial, everything)
        rejected = gt > 0
        x_out[rejected], g_out[rejected] = trial[rejected], gt[rejected]
        x_in[~rejected], g_in[~rejected] = trial[~rejected], gt[~rejected]

    # Probe at Newcombe's limits, which are close to these, then a quarter
    # of the distance to the estimate beyond or short of them.
    nlow, nhigh = _ci_newcombe(k1, n1, k2, n2, alpha)
    probe = np.concatenate([nlow, nhigh])
    tighten(probe)
    tighten(np.where(x_out == probe, probe + 0.25 * (dd - probe), probe - 0.25 * (dd - probe)))
    w_out, w_in = g_out, g_in  # g at the ends, Illinois-weighted from here on
    last = np.zeros(x_in.size, dtype=np.int8)  # +1 outer moved last, -1 inner
    # a row ends when its bracket is narrower than the tolerance (limit: the
    # accepted end) or when g at the newest point is at rounding level
    # (limit: that point)
    limit = x_in.copy()
    active = np.flatnonzero(np.abs(x_out - x_in) > _SCORE_TOLERANCE)
    for _ in range(_SCORE_FALSE_POSITION_STEPS):
        if active.size == 0:
            break
        xo, xi, wo, wi = x_out[active], x_in[active], w_out[active], w_in[active]
        denom = wo - wi
        step = np.where(denom > 0, wo / np.where(denom > 0, denom, 1.0), 0.5)
        trial = xo + (xi - xo) * step
        lo_b, hi_b = np.minimum(xo, xi), np.maximum(xo, xi)
        inside = (trial > lo_b) & (trial < hi_b)
        trial = np.where(inside, trial, 0.5 * (xo + xi))
        gt = g(trial, active)
        rejected = gt > 0
        out_rows, in_rows = active[rejected], active[~rejected]
        x_out[out_rows], w_out[out_rows] = trial[rejected], gt[rejected]
        x_in[in_rows], w_in[in_rows] = trial[~rejected], gt[~rejected]
        # Illinois: halve the weight of an end that stays put twice running
        again_out = in_rows[last[in_rows] == -1]
        w_out[again_out] *= 0.5
        again_in = out_rows[last[out_rows] == 1]
        w_in[again_in] *= 0.5
        last[out_rows], last[in_rows] = 1, -1
        at_root = np.abs(gt) <= 8 * np.finfo(float).eps * ((dd[active] - trial) ** 2 + np.abs(gt))
        narrow = np.abs(x_out[active] - x_in[active]) <= _SCORE_TOLERANCE
        limit[active[narrow]] = x_in[active[narrow]]
        limit[active[at_root]] = trial[at_root]
        active = active[~(narrow | at_root)]
    for _ in range(_SCORE_BISECTION_STEPS):
        if active.size == 0:
            break
        mid = 0.5 * (x_out[active] + x_in[active])
        gt = g(mid, active)
        rejected = gt > 0
        x_out[active[rejected]] = mid[rejected]
        x_in[active[~rejected]] = mid[~rejected]
        limit[active] = x_in[active]
        active = active[np.abs(x_out[active] - x_in[active]) > _SCORE_TOLERANCE]
    return limit[:size], limit[size:]


_CI_FUNCS = {
    "newcombe": _ci_newcombe,
    "agresti-caffo": _ci_agresti_caffo,
    "wald": _ci_wald,
    "score": _ci_score,
}


# ---------------------------------------------------------------------------
# tests of p1 = p2
# ---------------------------------------------------------------------------


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


def _cohens_h(p1, p2):
    return 2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p2))


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


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
        - ``ci_low``, ``ci_high``: confidence limits for ``diff``, always
          finite and within [-1, 1];
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
    ci = _check_choice(ci, "ci", CI_METHODS)
    test = _check_choice(test, "test", TEST_METHODS)
    if adjust is not None:
        _check_choice(adjust, "adjust", ADJUST_METHODS)
    alpha = _check_open_unit(alpha, "alpha")
    k1a, n1a, k2a, n2a, index = _validate_counts(k1, n1, k2, n2)
    f1, fn1, f2, fn2 = (v.astype(float) for v in (k1a, n1a, k2a, n2a))
    p1, p2 = f1 / fn1, f2 / fn2
    low, high = _CI_FUNCS[ci](f1, fn1, f2, fn2, alpha)
    columns: dict[str, object] = {
        "k1": k1a,
        "n1": n1a,
        "k2": k2a,
        "n2": n2a,
        "p1": p1,
        "p2": p2,
        "diff": p1 - p2,
        "ci_low": np.clip(low, -1.0, 1.0),
        "ci_high": np.clip(high, -1.0, 1.0),
        "p_value": _TEST_FUNCS[test](k1a, n1a, k2a, n2a),
        "cohens_h": _cohens_h(p1, p2),
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
    frame = pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(k1a.size))
    return frame


def adjust_pvalues(p: ArrayLike, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    p : array_like of float
        One-dimensional p-values in [0, 1] (a scalar counts as one).
    method : {"holm", "fdr_bh", "bonferroni", "none"}, default "holm"
        Holm's step-down family-wise correction, Benjamini-Hochberg false
        discovery rate, Bonferroni, or no adjustment. Computed with
        ``statsmodels.stats.multitest.multipletests``.

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
    method = _check_choice(method, "method", ADJUST_METHODS)
    arr, scalar = _to_numeric_1d(p, "p")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"p must be p-values in [0, 1]; got {arr[i].item()!r}{_where(i, scalar)}")
    if method == "none" or arr.size == 0:
        return arr.copy()
    return np.asarray(multipletests(arr, method=method)[1], dtype=float)


def power_two_proportions(
    p1: ArrayLike,
    p2: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Power of a two-sided comparison of two proportions.

    Normal approximation on Cohen's h scale: statsmodels
    ``NormalIndPower().power(h, nobs1=n1, alpha=alpha, ratio=n2 / n1)``.

    Parameters
    ----------
    p1, p2 : float or array_like of float
        True proportions in groups 1 and 2, in [0, 1].
    n1, n2 : float or array_like of float
        Group sizes (positive).
    alpha : float, default 0.05
        Two-sided significance level.

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``p2``, ``n1``, ``n2``, ``alpha``, ``cohens_h``
        (``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``) and ``power``.

    Raises
    ------
    ValueError
        If a proportion is outside [0, 1], a group size is not positive,
        lengths differ, or ``alpha`` is not in (0, 1).

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.

    Examples
    --------
    With 106 marketers and 24 IT leaders, a true 30% against 13% is found
    less than half of the time:

    >>> power_two_proportions(0.30, 0.13, 106, 24)[["cohens_h", "power"]].round(4)
       cohens_h   power
    0    0.4216  0.4622
    """
    alpha = _check_open_unit(alpha, "alpha")
    (a1, a2, m1, m2), all_scalar, index = _broadcast(
        (("p1", p1), ("p2", p2), ("n1", n1), ("n2", n2))
    )
    a1 = _validate_unit_closed(a1, "p1", all_scalar)
    a2 = _validate_unit_closed(a2, "p2", all_scalar)
    m1 = _validate_positive(m1, "n1", all_scalar)
    m2 = _validate_positive(m2, "n2", all_scalar)
    h = _cohens_h(a1, a2)
    power = np.empty(h.size)
    designs = np.stack([m1, m2], axis=1)
    if h.size:
        uniq, inverse = np.unique(designs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            rows = inverse == j
            power[rows] = solver.power(
                h[rows], nobs1=size1, alpha=alpha, ratio=size2 / size1, alternative="two-sided"
            )
    frame = pd.DataFrame(
        {"p1": a1, "p2": a2, "n1": m1, "n2": m2, "alpha": alpha, "cohens_h": h, "power": power},
        index=index if index is not None and len(index) == h.size else pd.RangeIndex(h.size),
    )
    return frame


def minimal_detectable_difference(
    n1: ArrayLike,
    n2: ArrayLike,
    p_base: ArrayLike,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """Smallest differences ``p1 - p2`` detectable with the given power.

    Group 2's share is ``p_base``. The detectable Cohen's h is
    ``NormalIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha, power)``
    (two-sided); it is mapped back to proportions by
    ``p1 = sin(asin(sqrt(p_base)) +- h / 2) ** 2``.

    Parameters
    ----------
    n1, n2 : float or array_like of float
        Group sizes (positive).
    p_base : float or array_like of float
        Group 2's proportion, in [0, 1].
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Target power, in (alpha, 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``n1``, ``n2``, ``p_base``, ``alpha``, ``power``,
        ``mdd_up`` (smallest detectable ``p1 - p2 > 0``) and ``mdd_down``
        (the negative one closest to 0). NaN where the difference would need
        ``p1`` above 1 or below 0, i.e. no difference in that direction is
        detectable with this power.

    Raises
    ------
    ValueError
        If a group size is not positive, ``p_base`` is outside [0, 1],
        lengths differ, ``alpha`` is not in (0, 1) or ``power`` is not in
        (alpha, 1).

    References
    ----------
    .. [1] Cohen, J. (1988). Statistical Power Analysis for the Behavioral
       Sciences, 2nd ed., chapter 6.

    Examples
    --------
    With 106 marketers and 24 IT leaders of whom 13% agree, only a
    marketing share about 27 points higher (or 13 points lower) would be
    detected 80% of the time:

    >>> mdd = minimal_detectable_difference(106, 24, 0.13)
    >>> mdd[["mdd_up", "mdd_down"]].round(4)
       mdd_up  mdd_down
    0  0.2708   -0.1273
    """
    alpha = _check_open_unit(alpha, "alpha")
    power = _check_open_unit(power, "power")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha ({alpha}); got {power}")
    (m1, m2, base), all_scalar, index = _broadcast((("n1", n1), ("n2", n2), ("p_base", p_base)))
    m1 = _validate_positive(m1, "n1", all_scalar)
    m2 = _validate_positive(m2, "n2", all_scalar)
    base = _validate_unit_closed(base, "p_base", all_scalar)
    h = np.empty(base.size)
    if base.size:
        uniq, inverse = np.unique(np.stack([m1, m2], axis=1), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        solver = NormalIndPower()
        for j, (size1, size2) in enumerate(uniq.tolist()):
            solved = solver.solve_power(
                effect_size=None,
                nobs1=size1,
                alpha=alpha,
                power=power,
                ratio=size2 / size1,
                alternative="two-sided",
            )
            h[inverse == j] = abs(float(np.squeeze(solved)))
    phi = np.arcsin(np.sqrt(base))
    up_angle = phi + h / 2.0
    down_angle = phi - h / 2.0
    reachable_up = up_angle <= np.pi / 2
    reachable_down = down_angle >= 0.0
    mdd_up = np.where(reachable_up, np.sin(np.minimum(up_angle, np.pi / 2)) ** 2 - base, np.nan)
    mdd_down = np.where(reachable_down, np.sin(np.maximum(down_angle, 0.0)) ** 2 - base, np.nan)
    return pd.DataFrame(
        {
            "n1": m1,
            "n2": m2,
            "p_base": base,
            "alpha": alpha,
            "power": power,
            "mdd_up": mdd_up,
            "mdd_down": mdd_down,
        },
        index=index if index is not None and len(index) == base.size else pd.RangeIndex(base.size),
    )


# ---------------------------------------------------------------------------
# Bayesian companion
# ---------------------------------------------------------------------------


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
    cred = _check_open_unit(cred, "cred")
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or draws < 100:
        raise ValueError(f"draws must be an integer of at least 100; got {draws!r}")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ValueError(f"seed must be a non-negative integer or None; got {seed!r}")
    k1a, n1a, k2a, n2a, index = _validate_counts(k1, n1, k2, n2)
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
        index=index if index is not None else pd.RangeIndex(size),
    )


# Equivalence (TOST) and paired comparisons live in their own modules (which
# build on this one); they are importable from here too, as the two-proportion
# toolbox of DESIGN.md, resolved on first use to avoid an import cycle.
_ELSEWHERE = {"equivalence_test": "equivalence", "paired_gap_bounds": "paired"}


def __getattr__(name: str) -> Any:
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(f"{__package__}.{_ELSEWHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
