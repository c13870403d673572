"""Shared helpers of the statistics tests: random tables and the hypothesis strategy for them.

Tests import them as ``from stats_testing import ...`` (pytest puts this
folder on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import gc

import numpy as np
from hypothesis import strategies as st
from scipy import optimize, stats

TOL = 1e-9
Z975 = stats.norm.isf(0.025)
PUBLISHED_ROUNDING = 5e-5 + 1e-12  # published to 4 decimals


def random_tables(size: int, seed: int, max_n: int = 500):
    """Random (k1, n1, k2, n2) with n in 1..max_n; a fifth of counts are 0 or n."""
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, max_n + 1, size)
    n2 = rng.integers(1, max_n + 1, size)
    k1 = rng.binomial(n1, rng.uniform(0, 1, size))
    k2 = rng.binomial(n2, rng.uniform(0, 1, size))
    for k, n in ((k1, n1), (k2, n2)):
        edge = rng.uniform(0, 1, size)
        k[edge < 0.1] = 0
        k[edge > 0.9] = n[edge > 0.9]
    return k1, n1, k2, n2


@st.composite
def tables(draw, max_n: int = 500):
    n1 = draw(st.integers(1, max_n))
    n2 = draw(st.integers(1, max_n))
    k1 = draw(st.integers(0, n1))
    k2 = draw(st.integers(0, n2))
    return k1, n1, k2, n2


def informative(k1, n1, k2, n2) -> bool:
    """Both column margins of the 2x2 table are non-empty."""
    return 0 < k1 + k2 < n1 + n2


def brute_boschloo_fisher(k1, n1, k2, n2, grid=20001):
    """Fisher-ordered Boschloo p-value: scipy's fisher_exact for every table of the design,
    then the largest tail probability over a fine grid of the common share, polished by
    a bounded scalar search around the best grid point."""
    fisher = {(a, c): stats.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
              for a in range(n1 + 1) for c in range(n2 + 1)}
    observed = fisher[(k1, k2)]
    tail = [(a, c) for (a, c), p in fisher.items() if p <= observed * (1 + 1e-12)]
    a = np.array([t[0] for t in tail])
    c = np.array([t[1] for t in tail])

    def prob(pi):
        return float(np.sum(stats.binom.pmf(a, n1, pi) * stats.binom.pmf(c, n2, pi)))

    pis = np.linspace(0, 1, grid)
    values = np.array([np.sum(stats.binom.pmf(a[:, None], n1, pis) * stats.binom.pmf(c[:, None], n2, pis), axis=0)])[0]
    i = int(values.argmax())
    lo, hi = pis[max(i - 1, 0)], pis[min(i + 1, grid - 1)]
    polished = optimize.minimize_scalar(lambda x: -prob(x), bounds=(lo, hi), method="bounded",
                                        options={"xatol": 1e-13})
    return max(values.max(), -polished.fun)


@contextlib.contextmanager
def fast_multipletests():
    """statsmodels' multipletests(method="holm") runs gc.collect() on every call (about 80 ms
    here); reference loops over it switch that off. No number changes."""
    collect = gc.collect
    gc.collect = lambda *args, **kwargs: 0
    try:
        yield
    finally:
        gc.collect = collect
