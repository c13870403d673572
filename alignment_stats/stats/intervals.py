"""Confidence intervals for one proportion and for a difference of two, vectorized.

* one proportion: Wilson's score interval (the one Wilson interval of the
  package; the same algebra as statsmodels ``proportion_confint(method="wilson")``);
* ``p1 - p2`` of two independent samples: Newcombe's hybrid score interval
  (Newcombe 1998, method 10), Agresti-Caffo, Wald, and the
  Miettinen-Nurminen score interval (Newcombe 1998, method 6), implemented
  here because statsmodels' ``method="score"`` interval for a difference is
  wrong (statsmodels#10269). Its restricted maximum likelihood fit and score
  statistic serve the equivalence tests too.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. JASA 22, 209-212.
.. [2] Newcombe, R. G. (1998). Interval estimation for the difference between
   independent proportions: comparison of eleven methods. Statistics in
   Medicine 17(8), 873-890.
.. [3] Miettinen, O. and Nurminen, M. (1985). Comparative analysis of two
   rates. Statistics in Medicine 4(2), 213-226.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ._validate import check_choice, check_open_unit, whole_counts

__all__ = [
    "CI_METHODS",
    "wilson_interval",
    "difference_interval",
    "restricted_mle",
    "score_statistic",
    "score_interval",
]

#: Names accepted by ``ci=`` for a difference of two independent proportions.
CI_METHODS: tuple[str, ...] = ("newcombe", "agresti-caffo", "wald", "score")

# Root finding for the Miettinen-Nurminen limits: stop when the bracket is
# this narrow; false-position steps first, then bisection for any row left
# (the bracket starts at most 2 wide, so 64 halvings reach double spacing).
_SCORE_TOLERANCE = 1e-15
_SCORE_FALSE_POSITION_STEPS = 60
_SCORE_BISECTION_STEPS = 64




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


def restricted_mle(k1, n1, k2, n2, delta, newton_steps=2):
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
    p1, p2 = restricted_mle(k1, n1, k2, n2, delta)
    var = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
    if correction:
        big_n = np.asarray(n1, dtype=float) + n2
        var = var * big_n / (big_n - 1.0)
    return var


def score_statistic(k1, n1, k2, n2, delta, correction=True):
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


def score_interval(k1, n1, k2, n2, alpha, correction=True):
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
    "score": score_interval,
}


def wilson_interval(k: ArrayLike, n: ArrayLike, alpha: float = 0.05,
                    effective: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for single proportions ``k / n`` (vectorized).

    Parameters
    ----------
    k, n : int or array_like of int
        Counts and group sizes (``0 <= k <= n``, ``n >= 1``).
    alpha : float, default 0.05
        The interval has coverage ``1 - alpha``.
    effective : bool, default False
        ``k`` and ``n`` are effective counts of a weighted survey (Kish's
        ``n_eff`` and the weighted share times ``n_eff``), which need not be
        whole: the interval of the weighted share with ``n_eff`` in place of
        ``n`` (``0 <= k <= n``, ``n > 0``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits, as statsmodels
        ``proportion_confint(k, n, alpha, method="wilson")``.

    Raises
    ------
    ValueError
        Negative or fractional counts, ``k > n`` or ``n = 0``.

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22:209-212.

    Examples
    --------
    >>> low, high = wilson_interval([64, 43], 106)
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.5086, 0.3171], [0.6917, 0.5008])

    A weighted share of 12.94% with Kish effective size 21.71:

    >>> [round(float(x[0]), 4) for x in wilson_interval(0.1294 * 21.71, 21.71, effective=True)]
    [0.0435, 0.3267]
    """
    alpha = check_open_unit(alpha, "alpha")
    if effective:
        k, n = np.atleast_1d(np.asarray(k, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
        if not (np.isfinite(k).all() and np.isfinite(n).all()) or (k < 0).any() or (n <= 0).any() or (
                k > n * (1 + 1e-12)).any():
            raise ValueError("effective counts must be finite with 0 <= k <= n and n > 0")
        k, n = np.broadcast_arrays(k, n)
        return _wilson(np.minimum(k, n), n, stats.norm.isf(alpha / 2.0))
    (k, n), all_scalar, _ = whole_counts((("k", k), ("n", n)))
    if (n == 0).any():
        raise ValueError("n must be at least 1 (a group needs respondents); got 0")
    bad = k > n
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"k cannot exceed n: k={k[i]} > n={n[i]}")
    return _wilson(k.astype(float), n.astype(float), stats.norm.isf(alpha / 2.0))


def difference_interval(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, ci: str = "newcombe", alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """``1 - alpha`` limits for ``p1 - p2`` by method ``ci`` (validated counts as arrays).

    Limits are clipped to [-1, 1]. Used by
    :func:`alignment_stats.stats.proportions.compare_proportions`, which
    validates the counts and documents the methods.

    Examples
    --------
    Newcombe (1998), Table II, example (a), 56/70 vs 48/80, method 10:

    >>> low, high = difference_interval(np.array([56.]), np.array([70.]), np.array([48.]), np.array([80.]))
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0524, 0.3339)
    """
    method = _CI_FUNCS[check_choice(ci, "ci", CI_METHODS)]
    f = [np.asarray(v, dtype=float) for v in (k1, n1, k2, n2)]
    if f[0].size == 0:
        return np.empty(0), np.empty(0)
    low, high = method(*f, alpha)
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)
