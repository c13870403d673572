"""Two-sided tests of ``p1 = p2`` for two independent proportions, vectorized.

Each test takes validated integer arrays ``k1, n1, k2, n2`` (the table
``[[k1, n1 - k1], [k2, n2 - k2]]``, one group per row) and returns two-sided
p-values. :func:`two_sided_pvalues` is the entry point used by
:func:`alignment_stats.stats.proportions.compare_proportions`;
:func:`design_pvalues` gives the p-value of *every* possible outcome of one
design ``(n1, n2)`` at once, which is what exact power needs.

Tests (``test=``):

``fisher``
    Fisher's exact test, two-sided by probability ordering: the p-value sums
    the hypergeometric probabilities of the tables (same margins) that are
    no more probable than the observed one (within a relative 1e-14), as
    ``scipy.stats.fisher_exact`` does.
``fisher_midp``
    Lancaster's mid-p version of it: Fisher's two-sided p-value minus half
    the probability of the observed table. Less conservative; its size can
    exceed alpha slightly for some designs.
``boschloo``
    Boschloo's exact unconditional test as ``scipy.stats.boschloo_exact``,
    whose two-sided p-value is **twice the smaller one-sided p-value**
    (each one-sided p maximised over the nuisance parameter, capped at 1).
    Under that convention Boschloo's p can exceed Fisher's: 0/5 against 2/4
    gives 0.192 against Fisher's 0.167, although each one-sided Boschloo test
    is uniformly more powerful than the one-sided Fisher test.
``boschloo_fisher``
    Boschloo's test with the two-sided ordering of Fisher's test: tables are
    ordered by their two-sided Fisher p-value, and the p-value is the largest
    probability, over the common true share ``pi``, of a table with Fisher
    p-value at most the observed one. It is never larger than Fisher's
    two-sided p-value (conditionally on each margin the Fisher p-value is a
    valid p-value, so its unconditional tail is too).
``z``
    Pooled score z test without continuity correction.
``chi2``
    Pearson's chi-square without correction (the same p-value as ``z``).
``chi2_yates``
    Pearson's chi-square with Yates' continuity correction, as R's
    ``chisq.test(correct=TRUE)`` and ``scipy.stats.chi2_contingency``:
    ``N (max(|ad - bc| - N/2, 0))^2 / (r1 r2 c1 c2)``.

When a column margin is empty (both groups 0% or both 100%) every test gives
``p = 1``: the table carries no evidence about a difference (R returns NaN,
scipy's Boschloo NaN, statsmodels' z test NaN).

Limits (:mod:`alignment_stats.stats.limits`): Fisher and mid-p up to
``n1 + n2 = FISHER_MAX_TOTAL``, both Boschloo orderings up to
``BOSCHLOO_MAX_TOTAL``; beyond them :func:`two_sided_pvalues` raises a
ValueError naming the limit.

References
----------
.. [1] Fisher, R. A. (1935). The logic of inductive inference. JRSS 98, 39-82.
.. [2] Lancaster, H. O. (1961). Significance tests in discrete distributions.
   JASA 56, 223-234 (the mid-p value).
.. [3] Boschloo, R. D. (1970). Raised conditional level of significance for
   the 2 x 2-table when testing the equality of two probabilities.
   Statistica Neerlandica 24(1), 1-9.
.. [4] Yates, F. (1934). Contingency tables involving small numbers and the
   chi-square test. Supplement to JRSS 1, 217-235.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import special, stats

from ._validate import check_choice, check_total
from .limits import BOSCHLOO_MAX_TOTAL, FISHER_MAX_TOTAL, POWER_EXACT_MAX_TOTAL

__all__ = ["TEST_METHODS", "EXACT_TEST_LIMITS", "two_sided_pvalues", "design_pvalues", "enumeration_pvalues"]

#: Names accepted by ``test=`` (the first four are the original ones).
TEST_METHODS: tuple[str, ...] = ("fisher", "boschloo", "z", "chi2", "fisher_midp", "chi2_yates", "boschloo_fisher")
#: Largest ``n1 + n2`` of each exact test (:mod:`alignment_stats.stats.limits`).
EXACT_TEST_LIMITS: dict[str, int] = {
    "fisher": FISHER_MAX_TOTAL,
    "fisher_midp": FISHER_MAX_TOTAL,
    "boschloo": BOSCHLOO_MAX_TOTAL,
    "boschloo_fisher": BOSCHLOO_MAX_TOTAL,
}

# scipy.stats.fisher_exact treats two hypergeometric probabilities as equal
# when they differ by at most this relative amount (scipy >= 1.7).
_FISHER_RELATIVE_TOLERANCE = 1e-14
# Probabilities of one margin computed from log-factorials count as tied
# within this relative distance (their rounding error is below 1e-12).
_DESIGN_TIE_TOLERANCE = 1e-11
# scipy.stats.boschloo_exact's guard when ordering tables by their statistic.
_BOSCHLOO_RELATIVE_TOLERANCE = 1e-13
# Largest total sample for which log-factorials are tabulated once.
_LOGFACT_TABLE_MAX = 10_000_000
# Cells of the (tables x support) grid evaluated at once by the Fisher test.
_FISHER_CHUNK_CELLS = 2_000_000
# The nuisance parameter of Boschloo's test: a grid, then golden-section
# steps around the best grid point (each shrinks the bracket by 0.618; 45
# steps take 2 / 1000 to below 1e-12).
_NUISANCE_GRID = 1001
_GOLDEN_STEPS = 45
# (tables x margins) cells above which the unconditional p-values are
# accumulated table by table instead of by one cumulative sum.
_CUMULATIVE_CELLS = 4_000_000


# ---------------------------------------------------------------------------
# asymptotic tests
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


def _chi2_parts(k1, n1, k2, n2):
    a, b = np.asarray(k1, dtype=float), np.asarray(n1 - k1, dtype=float)
    c, d = np.asarray(k2, dtype=float), np.asarray(n2 - k2, dtype=float)
    big_n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    return a * d - b * c, big_n, margins


def _test_chi2(k1, n1, k2, n2):
    cross, big_n, margins = _chi2_parts(k1, n1, k2, n2)
    safe = np.where(margins > 0, margins, 1.0)
    stat = np.where(margins > 0, big_n * cross**2 / safe, 0.0)
    return stats.chi2.sf(stat, 1)


def _test_chi2_yates(k1, n1, k2, n2):
    """Yates-corrected chi-square: |ad - bc| is reduced by N/2, never below 0 (R's min(0.5, |O - E|))."""
    cross, big_n, margins = _chi2_parts(k1, n1, k2, n2)
    safe = np.where(margins > 0, margins, 1.0)
    reduced = np.maximum(np.abs(cross) - big_n / 2.0, 0.0)
    stat = np.where(margins > 0, big_n * reduced**2 / safe, 0.0)
    return stats.chi2.sf(stat, 1)


# ---------------------------------------------------------------------------
# Fisher
# ---------------------------------------------------------------------------


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


def _point_probability(k1, n1, k2, n2):
    """Hypergeometric probability of the observed table given its margins."""
    return stats.hypergeom.pmf(k1, n1 + n2, n1, k1 + k2)


def _test_fisher_midp(k1, n1, k2, n2):
    """Fisher's two-sided p-value minus half the probability of the observed table (1 for empty margins)."""
    p = _test_fisher(k1, n1, k2, n2)
    col = k1 + k2
    informative = (col > 0) & (col < n1 + n2)
    half = np.where(informative, 0.5 * _point_probability(k1, n1, k2, n2), 0.0)
    return np.where(informative, p - half, 1.0)


def _fisher_design(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Fisher p-values and hypergeometric probabilities of every table of a design.

    Returns two ``(n1 + 1, n2 + 1)`` arrays indexed by ``(k1, k2)``. The
    probabilities come from tabulated log-factorials; within each column
    margin ``m = k1 + k2`` they are sorted once and every table's p-value is
    read off their cumulative sum. Probabilities within a relative 1e-11 of
    each other count as tied (rounding of the log-factorial sums stays below
    1e-12; scipy treats ties within 1e-14 of its own, more exact values), so
    mirror-image tables of a symmetric design are included together, as
    ``scipy.stats.fisher_exact`` includes them.
    """
    big_n = n1 + n2
    logfact = _log_factorials(big_n)
    pvalue = np.ones((n1 + 1, n2 + 1))
    prob = np.zeros((n1 + 1, n2 + 1))
    const = logfact[n1] + logfact[n2] - logfact[big_n]
    k1 = np.arange(n1 + 1)
    for m in range(big_n + 1):
        lo, hi = max(0, m - n2), min(m, n1)
        x = k1[lo : hi + 1]
        log_h = const + logfact[m] + logfact[big_n - m] - (
            logfact[x] + logfact[n1 - x] + logfact[m - x] + logfact[n2 - m + x]
        )
        h = np.exp(log_h)
        prob[x, m - x] = h
        if m == 0 or m == big_n:
            continue  # one table: p = 1
        order = np.argsort(h, kind="stable")
        ordered = h[order]
        cumulative = np.cumsum(ordered)
        # tied runs: a value within 1e-11 of the next larger one belongs to its run
        tied_next = np.r_[ordered[1:] <= ordered[:-1] * (1.0 + _DESIGN_TIE_TOLERANCE), False]
        run_end = np.arange(ordered.size)
        # the end of each run: propagate the index of the last element of a run backwards
        breaks = np.flatnonzero(~tied_next)
        run_end = breaks[np.searchsorted(breaks, run_end)]
        count = np.empty(ordered.size, dtype=np.int64)
        count[order] = run_end + 1
        pvalue[x, m - x] = np.where(count == h.size, 1.0, np.minimum(cumulative[count - 1], 1.0))
    return pvalue, prob


# ---------------------------------------------------------------------------
# Boschloo: the nuisance parameter
# ---------------------------------------------------------------------------


def _log_binomial_coefficients(n: int) -> np.ndarray:
    j = np.arange(n + 1, dtype=float)
    return special.gammaln(n + 1.0) - special.gammaln(j + 1.0) - special.gammaln(n - j + 1.0)


def _supremum(conditional: np.ndarray, big_n: int) -> np.ndarray:
    """``max over pi`` of ``sum_m conditional[:, m] * Binomial(m; N, pi)``, row by row.

    ``conditional[i, m]`` is the probability, given the column margin ``m``,
    that a table falls in row i's rejection set; averaged over the margin's
    Binomial(N, pi) distribution it is the unconditional probability at a
    common true share ``pi``. The maximum is located on a grid of 1001
    values of ``pi`` and polished by golden-section steps between the grid
    neighbours of the best one.
    """
    grid = np.linspace(0.0, 1.0, _NUISANCE_GRID)
    margins = np.arange(big_n + 1)
    weights = stats.binom.pmf(margins[:, None], big_n, grid[None, :])
    values = conditional @ weights
    best = values.argmax(axis=1)
    result = values[np.arange(values.shape[0]), best]
    log_comb = _log_binomial_coefficients(big_n)

    def at(pi):
        log_w = log_comb[None, :] + margins[None, :] * np.log(pi)[:, None] + (big_n - margins)[None, :] * np.log1p(-pi)[:, None]
        return (conditional * np.exp(log_w)).sum(axis=1)

    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a = grid[np.maximum(best - 1, 0)]
    b = grid[np.minimum(best + 1, grid.size - 1)]
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = at(c), at(d)
    for _ in range(_GOLDEN_STEPS):
        left = fc > fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        c_new, d_new = b - ratio * (b - a), a + ratio * (b - a)
        # one of the two new points is an old one; recomputing both keeps the code short
        c, d = c_new, d_new
        fc, fd = at(c), at(d)
    return np.maximum(result, np.maximum(fc, fd))


def _unconditional(statistic: np.ndarray, prob: np.ndarray, margin: np.ndarray, big_n: int,
                   targets: np.ndarray) -> np.ndarray:
    """Boschloo-type p-values: ``sup_pi P_pi(statistic <= statistic[target])`` for each target table.

    ``statistic``, ``prob`` (hypergeometric probability given the margin) and
    ``margin`` describe every table of one design (flattened); small values
    of the statistic are extreme. Ties within scipy's relative 1e-13 count
    as "at most".
    """
    order = np.argsort(statistic, kind="stable")
    ordered = statistic[order]
    count = np.searchsorted(ordered, statistic[targets] * (1.0 + _BOSCHLOO_RELATIVE_TOLERANCE), side="right")
    if statistic.size * (big_n + 1) <= _CUMULATIVE_CELLS:
        steps = np.zeros((statistic.size, big_n + 1))
        steps[np.arange(statistic.size), margin[order]] = prob[order]
        conditional = np.cumsum(steps, axis=0)[count - 1]
    else:
        conditional = np.empty((targets.size, big_n + 1))
        for i, c in enumerate(count.tolist()):
            rows = order[:c]
            conditional[i] = np.bincount(margin[rows], weights=prob[rows], minlength=big_n + 1)
    return np.minimum(_supremum(conditional, big_n), 1.0)


def _design_grid(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    k1, k2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    return k1.ravel(), k2.ravel()


def _boschloo_design(n1: int, n2: int, ordering: str, targets: np.ndarray | None = None) -> np.ndarray:
    """Boschloo p-values of the tables ``targets`` (flat indices ``k1 * (n2 + 1) + k2``; all if None).

    ``ordering="scipy"``: scipy's convention, twice the smaller one-sided
    p-value, each one-sided test ordered by its one-sided Fisher p-value
    (``hypergeom.cdf`` of the group-1 or the group-2 count);
    ``ordering="fisher"``: one two-sided ordering by Fisher's two-sided p-value.
    """
    big_n = n1 + n2
    k1, k2 = _design_grid(n1, n2)
    margin = k1 + k2
    fisher_p, prob = _fisher_design(n1, n2)
    prob = prob.ravel()
    if targets is None:
        targets = np.arange(k1.size)
    if ordering == "fisher":
        p = _unconditional(fisher_p.ravel(), prob, margin, big_n, targets)
    else:
        less = stats.hypergeom.cdf(k1, big_n, margin, n1)
        greater = stats.hypergeom.cdf(k2, big_n, margin, n2)
        p_less = _unconditional(less, prob, margin, big_n, targets)
        p_greater = _unconditional(greater, prob, margin, big_n, targets)
        p = np.minimum(2.0 * np.minimum(p_less, p_greater), 1.0)
    empty = (margin[targets] == 0) | (margin[targets] == big_n)
    return np.where(empty, 1.0, p)


def _test_boschloo(k1, n1, k2, n2):
    """scipy.stats.boschloo_exact, table by table (1 for empty margins)."""
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


def _by_design(k1, n1, k2, n2, ordering):
    out = np.ones(k1.size)
    col = k1 + k2
    informative = (col > 0) & (col < n1 + n2)
    if not informative.any():
        return out
    rows = np.flatnonzero(informative)
    designs = np.stack([n1[rows], n2[rows]], axis=1)
    uniq, inverse = np.unique(designs, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for j, (size1, size2) in enumerate(uniq.tolist()):
        these = rows[inverse == j]
        flat = k1[these] * (size2 + 1) + k2[these]
        cells, back = np.unique(flat, return_inverse=True)
        out[these] = _boschloo_design(size1, size2, ordering, cells)[back.reshape(-1)]
    return out


def _test_boschloo_fisher(k1, n1, k2, n2):
    return _by_design(k1, n1, k2, n2, "fisher")


_TEST_FUNCS = {
    "fisher": _test_fisher,
    "boschloo": _test_boschloo,
    "z": _test_z,
    "chi2": _test_chi2,
    "fisher_midp": _test_fisher_midp,
    "chi2_yates": _test_chi2_yates,
    "boschloo_fisher": _test_boschloo_fisher,
}


def enumeration_pvalues(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, test: str) -> np.ndarray:
    """Two-sided p-values of ``test`` for the many tables of an enumeration (power, sample sizes).

    As :func:`two_sided_pvalues`, but Boschloo's tests go through the
    vectorised per-design computation (scipy's value to about 1e-13), which
    is much faster when many tables share a design (``n1, n2``).
    """
    if test in ("boschloo", "boschloo_fisher"):
        return _by_design(k1, n1, k2, n2, "fisher" if test == "boschloo_fisher" else "scipy")
    if test in ("fisher", "fisher_midp"):  # power enumerates beyond the limit of a single test's p-value
        return _TEST_FUNCS[test](k1, n1, k2, n2)
    return two_sided_pvalues(k1, n1, k2, n2, test)


def two_sided_pvalues(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, test: str = "fisher") -> np.ndarray:
    """Two-sided p-values of ``test`` for validated integer count arrays.

    The tests are described in the module notes and in
    :func:`alignment_stats.stats.proportions.compare_proportions`.

    Raises
    ------
    ValueError
        If ``test`` is unknown, or an exact test is asked about a table
        with ``n1 + n2`` above its limit (:mod:`alignment_stats.stats.limits`).

    Examples
    --------
    Boschloo's test in scipy's convention against Fisher-ordered Boschloo
    and Fisher itself, for 0/5 against 2/4:

    >>> k1, n1, k2, n2 = (np.array([v]) for v in (0, 5, 2, 4))
    >>> [round(float(two_sided_pvalues(k1, n1, k2, n2, t)[0]), 4) for t in ("boschloo", "boschloo_fisher", "fisher")]
    [0.1923, 0.1061, 0.1667]
    """
    test = check_choice(test, "test", TEST_METHODS)
    k1, n1, k2, n2 = (np.asarray(v, dtype=np.int64).reshape(-1) for v in (k1, n1, k2, n2))
    if test in EXACT_TEST_LIMITS and k1.size:
        check_total(n1, n2, EXACT_TEST_LIMITS[test], f"test={test!r}")
    if k1.size == 0:
        return np.empty(0)
    return _TEST_FUNCS[test](k1, n1, k2, n2)


def design_pvalues(n1: int, n2: int, test: str) -> np.ndarray:
    """Two-sided p-values of every outcome of one design, as an ``(n1 + 1, n2 + 1)`` array.

    Entry ``[k1, k2]`` is the p-value of ``k1`` of ``n1`` against ``k2`` of
    ``n2``: what exact power and the planning functions enumerate. Equal to
    :func:`two_sided_pvalues` on the same tables (Boschloo's here by the
    vectorized maximisation over the nuisance parameter, which agrees with
    scipy's ``boschloo_exact`` to about 1e-13).

    Raises
    ------
    ValueError
        If ``test`` is unknown, a group size is not a whole number of at
        least 1, or ``n1 + n2`` exceeds the test's exact-power limit
        (:data:`alignment_stats.stats.limits.POWER_EXACT_MAX_TOTAL`).

    Examples
    --------
    >>> design_pvalues(2, 2, "fisher").round(4).tolist()
    [[1.0, 1.0, 0.3333], [1.0, 1.0, 1.0], [0.3333, 1.0, 1.0]]
    """
    test = check_choice(test, "test", TEST_METHODS)
    for name, value in (("n1", n1), ("n2", n2)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
            raise ValueError(f"{name} must be a whole group size of at least 1; got {value!r}")
    n1, n2 = int(n1), int(n2)
    limit = POWER_EXACT_MAX_TOTAL[test]
    if n1 + n2 > limit:
        raise ValueError(f"n1 + n2 = {n1 + n2} is too large to enumerate every outcome for test={test!r} "
                         f"(at most {limit}, alignment_stats.stats.limits.POWER_EXACT_MAX_TOTAL)")
    if test in ("fisher", "fisher_midp"):
        p, prob = _fisher_design(n1, n2)
        if test == "fisher_midp":
            k1, k2 = _design_grid(n1, n2)
            empty = ((k1 + k2 == 0) | (k1 + k2 == n1 + n2)).reshape(p.shape)
            p = np.where(empty, 1.0, p - 0.5 * prob)
        return p
    if test in ("boschloo", "boschloo_fisher"):
        ordering = "fisher" if test == "boschloo_fisher" else "scipy"
        return _boschloo_design(n1, n2, ordering).reshape(n1 + 1, n2 + 1)
    k1, k2 = _design_grid(n1, n2)
    return _TEST_FUNCS[test](k1, np.full_like(k1, n1), k2, np.full_like(k2, n2)).reshape(n1 + 1, n2 + 1)
