"""Size limits of the statistics, in one place.

Exact methods enumerate tables, and their cost grows with the group sizes:
Fisher's test sums over one margin's support, Boschloo's over every table
of the design, the paired bounds over every compatible table, exact power
over every outcome. Each has a maximum here. Beyond it a *test* raises a
:class:`ValueError` that names the argument, the limit and what to use
instead (asking Fisher's test about a trillion respondents would otherwise
end in a ``MemoryError``); *power and planning* functions switch to a
labelled normal approximation instead (their ``power_method`` column says
which was used).

=============================  =====================  ======================================
constant                       value                  what it bounds
=============================  =====================  ======================================
``COUNT_MAX``                  2**62                  any count or group size (int64 headroom)
``FISHER_MAX_TOTAL``           1,000,000              ``n1 + n2`` of ``test="fisher"``,
                                                      ``"fisher_midp"``
``BOSCHLOO_MAX_TOTAL``         1,000                  ``n1 + n2`` of ``test="boschloo"``,
                                                      ``"boschloo_fisher"`` (seconds a table)
``PAIRED_BOUNDS_MAX_N``        1,000,000              ``n`` of :func:`paired_gap_bounds` and
                                                      :func:`compatible_tables`
``PAIRED_BOUNDS_MAX_TABLES``   10,000,000             compatible tables of one call
``POWER_EXACT_MAX_TOTAL``      per test (below)       ``n1 + n2`` up to which power is exact
``TOST_POWER_MAX_CELLS``       400,000                outcomes enumerated for one exact TOST power
``SCAN_MAX_N``                 100,000                ``n_max`` of :func:`smallest_significant_n`
``SCAN_BOSCHLOO_MAX_TOTAL``    100                    ``2 n`` up to which size scans use exact
                                                      Boschloo p-values
=============================  =====================  ======================================

Exact power by enumeration (``POWER_EXACT_MAX_TOTAL``): Boschloo (both
orderings) up to ``n1 + n2 = 100``, every other test up to 2,000 (Fisher's
p-values of a whole design come from one sorted pass per column margin, the
others are closed forms, so the ``(n1 + 1)(n2 + 1)`` outcomes are what it
costs: about 0.1 s at 1,000 against 1,000).

McNemar's exact test has no limit of its own (it is a binomial tail, computed
in closed form for any count up to ``COUNT_MAX``).
"""

from __future__ import annotations

__all__ = [
    "COUNT_MAX",
    "FISHER_MAX_TOTAL",
    "BOSCHLOO_MAX_TOTAL",
    "PAIRED_BOUNDS_MAX_N",
    "PAIRED_BOUNDS_MAX_TABLES",
    "POWER_EXACT_MAX_TOTAL",
    "TOST_POWER_MAX_CELLS",
    "SCAN_MAX_N",
    "SCAN_BOSCHLOO_MAX_TOTAL",
]

#: Largest count or group size accepted anywhere (so that sums of two stay within int64).
COUNT_MAX: int = 2**62
#: Largest ``n1 + n2`` for Fisher's exact test and its mid-p version (log-factorial table and support grid).
FISHER_MAX_TOTAL: int = 1_000_000
#: Largest ``n1 + n2`` for Boschloo's exact test (every one of the ``(n1 + 1)(n2 + 1)`` tables is evaluated).
BOSCHLOO_MAX_TOTAL: int = 1_000
#: Largest number of respondents ``n`` for the paired bounds (one table per value of ``both``).
PAIRED_BOUNDS_MAX_N: int = 1_000_000
#: Largest total number of compatible tables analysed in one call of the paired bounds.
PAIRED_BOUNDS_MAX_TABLES: int = 10_000_000
#: Largest ``n1 + n2`` for which power is computed by exact enumeration, per test.
POWER_EXACT_MAX_TOTAL: dict[str, int] = {
    "fisher": 2_000,
    "fisher_midp": 2_000,
    "boschloo": 100,
    "boschloo_fisher": 100,
    "z": 2_000,
    "chi2": 2_000,
    "chi2_yates": 2_000,
}
#: Largest number of outcomes ``(k1, k2)`` enumerated for one exact TOST power (after dropping tails below 1e-13).
TOST_POWER_MAX_CELLS: int = 400_000
#: Largest ``n_max`` of :func:`alignment_stats.stats.power.smallest_significant_n`.
SCAN_MAX_N: int = 100_000
#: Largest ``n1 + n2`` at which size scans compute Boschloo's p-value exactly (a pooled z approximation beyond).
SCAN_BOSCHLOO_MAX_TOTAL: int = 100
