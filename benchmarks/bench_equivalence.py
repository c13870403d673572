"""Benchmark: vectorized equivalence tests (TOST) vs a statsmodels loop.

Usage::

    python benchmarks/bench_equivalence.py [--tables N] [--subsample M] [--seed S]

Generates N seeded random 2x2 tables (group sizes 1 to 500, counts drawn
from random true shares, one count in ten forced to 0 and one in ten to n)
and random margins in (0.01, 0.5), times ``equivalence_test`` over all of
them with the Wald and the score (Miettinen-Nurminen) methods (best of three
runs, validation and DataFrame construction included), then times a loop of
statsmodels ``tost_proportions_2indep(method="wald")`` table by table on the
first M tables and scales that time linearly to N tables. Speeds are
reported as ratios within the same run, not as absolute times to compare
across machines.

On the subsample the Wald p-values (both one-sided and the TOST) must equal
statsmodels' to 1e-9; the exit status is 1 if any does not. (statsmodels'
score TOST is not compared: it is wrong at non-zero nulls, statsmodels#10269.)

Last, it times ``equivalence_sample_size`` for a 63% share at margins of 20
down to 2 points: the exact calibration for the score TOST (enumeration of
its power) against the same method's normal approximation (``exact=False``)
and Chow's approximation (``method="chow"``), with the sizes each gives.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from statsmodels.stats.proportion import tost_proportions_2indep

try:
    from alignment_stats.stats.equivalence import equivalence_sample_size, equivalence_test
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from alignment_stats.stats.equivalence import equivalence_sample_size, equivalence_test

from bench_proportions import make_tables as two_proportion_tables  # noqa: E402 (same folder)

TOLERANCE = 1e-9


def make_tables(tables: int, seed: int) -> tuple[np.ndarray, ...]:
    """The tables of bench_proportions.py, plus a random margin in (0.01, 0.5) each."""
    margin = np.random.default_rng([seed, 1]).uniform(0.01, 0.5, size=tables)
    return (*two_proportion_tables(tables, seed), margin)


def best_of_three(function) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(3):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def statsmodels_loop(k1, n1, k2, n2, margin) -> np.ndarray:
    """(p_lower, p_upper, p_value) per table from statsmodels' Wald TOST."""
    rows = []
    for a, m, c, r, d in zip(k1.tolist(), n1.tolist(), k2.tolist(), n2.tolist(), margin.tolist()):
        res = tost_proportions_2indep(a, m, c, r, -d, d, method="wald")
        rows.append((res.results_larger.pvalue, res.results_smaller.pvalue, res.pvalue))
    return np.array(rows, dtype=float)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=100_000, help="tables to test (default 100,000)")
    parser.add_argument("--subsample", type=int, default=5_000,
                        help="tables run through the statsmodels loop, then scaled (default 5,000)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (default 20240601)")
    args = parser.parse_args(argv)
    if args.tables < 1 or args.subsample < 1:
        parser.error("--tables and --subsample must be positive")
    subsample = min(args.subsample, args.tables)
    k1, n1, k2, n2, margin = make_tables(args.tables, args.seed)

    wald_time, wald = best_of_three(lambda: equivalence_test(k1, n1, k2, n2, margin, method="wald"))
    score_time, _ = best_of_three(lambda: equivalence_test(k1, n1, k2, n2, margin, method="score"))

    head = slice(0, subsample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels divides by a zero variance
        start = time.perf_counter()
        expected = statsmodels_loop(k1[head], n1[head], k2[head], n2[head], margin[head])
        loop_sub = time.perf_counter() - start
    loop_scaled = loop_sub * args.tables / subsample

    got = wald[["p_lower", "p_upper", "p_value"]].to_numpy()[head]
    finite = np.isfinite(expected).all(axis=1)
    deviation = float(np.max(np.abs(got[finite] - expected[finite]))) if finite.any() else 0.0
    ok = deviation <= TOLERANCE and bool(finite.all())

    print(f"tables: {args.tables:,} (seed {args.seed}, n1 and n2 from 1 to 500, margins 0.01 to 0.5)")
    print(f"statsmodels Wald TOST loop, first {subsample:,} tables scaled to {args.tables:,}: "
          f"{loop_scaled / wald_time:,.0f}x the time of equivalence_test(method='wald') on all tables")
    print(f"equivalence_test(method='score') takes {score_time / wald_time:,.1f}x the time of method='wald' "
          "(root finding for the Miettinen-Nurminen interval)")
    print(f"Wald agreement on the {subsample:,} subsampled tables: max |diff| of p_lower, p_upper, p_value "
          f"{deviation:.1e} (tolerance {TOLERANCE:g}); {int((~finite).sum())} tables without a statsmodels value")
    print("results identical to 1e-9: " + ("yes" if ok else "NO"))
    planning()
    return 0 if ok else 1


def planning() -> None:
    """Sizes for +-margin on a 63% share: exact score calibration, its normal approximation, Chow's."""
    print("equivalence_sample_size(0.63, 0.63, margin): n per group (seconds)")
    print("  margin  score exact        score normal      chow")
    for margin in (0.20, 0.10, 0.05, 0.03, 0.02):
        cells = []
        for kwargs in ({}, {"exact": False}, {"method": "chow"}):
            start = time.perf_counter()
            row = equivalence_sample_size(0.63, 0.63, margin, **kwargs).iloc[0]
            label = "exact" if row.power_method == "exact enumeration" else "normal"
            cells.append(f"{int(row.n1):>6} {label:<6} ({time.perf_counter() - start:5.2f})")
        print(f"  {margin:5.2f}  " + "  ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
