"""Benchmark: vectorized two-proportion comparisons vs a statsmodels loop.

Usage::

    python benchmarks/bench_proportions.py [--tables N] [--subsample M] [--seed S]

Generates N seeded random 2x2 tables (group sizes 1 to 500, counts drawn
from random true shares, one count in ten forced to 0 and one in ten to n),
times ``compare_proportions(..., ci="newcombe", test="z")`` over all of them
(best of three runs, validation and DataFrame construction included), then
times a loop calling statsmodels ``confint_proportions_2indep(method="newcomb")``
and ``test_proportions_2indep(method="score", correction=False)`` table by
table on the first M tables and scales that time linearly to N tables.

On the subsample the interval limits must equal statsmodels' to 1e-9, and so
must the p-values wherever statsmodels gives one: for tables whose column
margin is empty (both groups at 0% or both at 100%) statsmodels returns NaN
and we return 1; those tables are counted and skipped.

It then times the exact and continuity-corrected tests on all tables
(``test="fisher"``, ``"fisher_midp"``, ``"chi2_yates"``) and checks Fisher's
and Yates' p-values against ``scipy.stats.fisher_exact`` and
``chi2_contingency(correction=True)`` on the subsample (the mid-p version
is checked against R in the tests). The exit status is 1 if any comparison
fails.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import stats
from statsmodels.stats import proportion as sm_proportion

try:
    from alignment_stats.stats.proportions import compare_proportions
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from alignment_stats.stats.proportions import compare_proportions

TOLERANCE = 1e-9


def make_tables(tables: int, seed: int) -> tuple[np.ndarray, ...]:
    """Random (k1, n1, k2, n2); a tenth of the counts are 0 and a tenth are n."""
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, 501, size=tables)
    n2 = rng.integers(1, 501, size=tables)
    k1 = rng.binomial(n1, rng.random(tables))
    k2 = rng.binomial(n2, rng.random(tables))
    for k, n in ((k1, n1), (k2, n2)):
        edge = rng.random(tables)
        k[edge < 0.1] = 0
        k[edge > 0.9] = n[edge > 0.9]
    return k1, n1, k2, n2


def statsmodels_loop(k1, n1, k2, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newcombe interval and pooled z-test p-value, one table at a time."""
    low, high, pvalue = [], [], []
    for a, m, c, r in zip(k1.tolist(), n1.tolist(), k2.tolist(), n2.tolist()):
        lo, hi = sm_proportion.confint_proportions_2indep(a, m, c, r, method="newcomb")
        res = sm_proportion.test_proportions_2indep(
            a, m, c, r, method="score", compare="diff", correction=False
        )
        low.append(lo)
        high.append(hi)
        pvalue.append(res.pvalue)
    return np.array(low, float), np.array(high, float), np.array(pvalue, float)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tables", type=int, default=100_000, help="tables to compare (default 100,000)"
    )
    parser.add_argument(
        "--subsample",
        type=int,
        default=5_000,
        help="tables run through the statsmodels loop, then scaled (default 5,000)",
    )
    parser.add_argument(
        "--seed", type=int, default=20240601, help="random seed (default 20240601)"
    )
    args = parser.parse_args(argv)
    if args.tables < 1 or args.subsample < 1:
        parser.error("--tables and --subsample must be positive")
    subsample = min(args.subsample, args.tables)

    k1, n1, k2, n2 = make_tables(args.tables, args.seed)

    timings = []
    for _ in range(3):
        start = time.perf_counter()
        ours = compare_proportions(k1, n1, k2, n2, ci="newcombe", test="z")
        timings.append(time.perf_counter() - start)
    vectorized = min(timings)

    head = slice(0, subsample)
    with warnings.catch_warnings():
        # statsmodels divides by zero for empty margins and zero counts
        warnings.simplefilter("ignore", RuntimeWarning)
        start = time.perf_counter()
        sm_low, sm_high, sm_p = statsmodels_loop(k1[head], n1[head], k2[head], n2[head])
        loop_sub = time.perf_counter() - start
    loop_scaled = loop_sub * args.tables / subsample

    low = ours["ci_low"].to_numpy()[head]
    high = ours["ci_high"].to_numpy()[head]
    pval = ours["p_value"].to_numpy()[head]
    has_p = np.isfinite(sm_p)
    dev_low = float(np.max(np.abs(low - sm_low)))
    dev_high = float(np.max(np.abs(high - sm_high)))
    dev_p = float(np.max(np.abs(pval[has_p] - sm_p[has_p]))) if has_p.any() else 0.0
    ok = max(dev_low, dev_high, dev_p) <= TOLERANCE and bool(np.all(pval[~has_p] == 1.0))

    print(f"tables: {args.tables:,} (seed {args.seed}, n1 and n2 from 1 to 500)")
    print(
        f"compare_proportions(ci='newcombe', test='z'), all tables: "
        f"{vectorized:.3f} s (best of 3)"
    )
    print(
        f"statsmodels loop, first {subsample:,} tables: {loop_sub:.3f} s; "
        f"scaled linearly to {args.tables:,}: {loop_scaled:.1f} s"
    )
    print(f"speed-up: {loop_scaled / vectorized:,.0f}x")
    print(
        f"agreement on the {subsample:,} subsampled tables: max |diff| ci_low {dev_low:.1e}, "
        f"ci_high {dev_high:.1e}, p_value {dev_p:.1e} (tolerance {TOLERANCE:g}); "
        f"{int((~has_p).sum())} tables with an empty margin (statsmodels NaN, ours 1) skipped"
    )
    exact_ok = exact_tests(k1, n1, k2, n2, head)
    ok = ok and exact_ok
    print("results identical to 1e-9: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


def exact_tests(k1, n1, k2, n2, head) -> bool:
    """Time Fisher, mid-p Fisher and Yates on all tables; check Fisher and Yates against scipy on ``head``."""
    results = {}
    for test in ("fisher", "fisher_midp", "chi2_yates"):
        start = time.perf_counter()
        results[test] = compare_proportions(k1, n1, k2, n2, test=test)["p_value"].to_numpy()
        print(f"compare_proportions(test={test!r}), all tables: {time.perf_counter() - start:.3f} s")
    rows = list(zip(k1[head].tolist(), n1[head].tolist(), k2[head].tolist(), n2[head].tolist()))
    informative = np.array([0 < a + c < m + r for a, m, c, r in rows])
    fisher = np.array([stats.fisher_exact([[a, m - a], [c, r - c]]).pvalue for a, m, c, r in rows])
    yates = np.array([stats.chi2_contingency([[a, m - a], [c, r - c]], correction=True).pvalue
                      if 0 < a + c < m + r else 1.0 for a, m, c, r in rows])
    dev_fisher = float(np.max(np.abs(results["fisher"][head] - fisher), initial=0.0))
    dev_yates = float(np.max(np.abs(results["chi2_yates"][head][informative] - yates[informative]), initial=0.0))
    print(f"scipy agreement on the subsample: max |diff| fisher {dev_fisher:.1e}, chi2_yates {dev_yates:.1e}")
    return max(dev_fisher, dev_yates) <= TOLERANCE


if __name__ == "__main__":
    sys.exit(main())
