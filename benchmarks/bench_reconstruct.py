"""Benchmark: vectorized GRIM reconstruction vs a plain-Python loop.

Usage::

    python benchmarks/bench_reconstruct.py [--pairs N] [--subsample M] [--seed S]

Generates N random (value, n) pairs (n <= 10,000, values with 0 or 1
decimal, half of them reported from a true count and half arbitrary, so both
consistent and inconsistent figures occur), times
``alignment_stats.counts.feasible.count_ranges`` and ``is_consistent`` over all
of them, then times two plain-Python loops doing the same on the first M
pairs and scales those times linearly to N pairs: a bare loop of Python
integer arithmetic (the fastest pure-Python version, no input checks) and a
loop calling the library's one-figure API (``feasible_counts`` and
``is_consistent`` per pair, what one writes without vectorizing).  Both must
give results identical to the vectorized ones on the subsample; the exit
status is 1 if not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from alignment_stats.counts.feasible import count_ranges, feasible_counts, is_consistent
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from alignment_stats.counts.feasible import count_ranges, feasible_counts, is_consistent


def make_pairs(pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random (value, n, decimals) with half the values reported from a true count."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 10_001, size=pairs)
    decimals = rng.integers(0, 2, size=pairs)
    scale = 100 * 10**decimals
    k = (rng.random(pairs) * (n + 1)).astype(np.int64)
    # Round 100 k / n half up to `decimals` places in integers: floor((2 S k + n) / (2 n)).
    reported = (2 * scale * k + n) // (2 * n)
    arbitrary = rng.integers(0, scale + 1)
    units = np.where(rng.random(pairs) < 0.5, reported, arbitrary)
    values = units / 10.0**decimals
    return values, n, decimals


def python_loop(values, ns, decimals) -> tuple[list, list, list, list]:
    """The same computation (half up) one figure at a time, with Python integers."""
    k_lows, k_highs, n_feasible, consistent = [], [], [], []
    for value, n, d in zip(values, ns, decimals):
        scale = 100 * 10**d
        v = round(value * 10**d)
        # (2v - 1) n <= 2 S k < (2v + 1) n
        lo = -(-(2 * v - 1) * n // (2 * scale))
        hi = -(-(2 * v + 1) * n // (2 * scale)) - 1
        lo, hi = max(lo, 0), min(hi, n)
        if lo <= hi:
            k_lows.append(lo)
            k_highs.append(hi)
            n_feasible.append(hi - lo + 1)
            consistent.append(True)
        else:
            k_lows.append(None)
            k_highs.append(None)
            n_feasible.append(0)
            consistent.append(False)
    return k_lows, k_highs, n_feasible, consistent


def scalar_api_loop(values, ns, decimals) -> tuple[list, list, list, list]:
    """The same through the library's one-figure API, called once per pair."""
    k_lows, k_highs, n_feasible, consistent = [], [], [], []
    for value, n, d in zip(values, ns, decimals):
        ks = feasible_counts(value, n, d)
        k_lows.append(int(ks[0]) if len(ks) else None)
        k_highs.append(int(ks[-1]) if len(ks) else None)
        n_feasible.append(len(ks))
        consistent.append(is_consistent(value, n, d))
    return k_lows, k_highs, n_feasible, consistent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000, help="number of (value, n) pairs")
    parser.add_argument("--subsample", type=int, default=20_000, help="pairs for the plain-Python loop")
    parser.add_argument("--seed", type=int, default=20150101)
    parser.add_argument("--repeat", type=int, default=3, help="vectorized timings: best of this many")
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.subsample < 1:
        parser.error("--pairs and --subsample must be positive")
    sub = min(args.subsample, args.pairs)

    values, ns, decimals = make_pairs(args.pairs, args.seed)

    t_ranges, t_consistent = [], []
    for _ in range(max(args.repeat, 1)):
        t0 = time.perf_counter()
        ranges = count_ranges(values, ns, decimals)
        t1 = time.perf_counter()
        consistent = is_consistent(values, ns, decimals)
        t2 = time.perf_counter()
        t_ranges.append(t1 - t0)
        t_consistent.append(t2 - t1)
    vec = min(r + c for r, c in zip(t_ranges, t_consistent))

    sub_values, sub_ns, sub_dec = values[:sub].tolist(), ns[:sub].tolist(), decimals[:sub].tolist()
    head = ranges.iloc[:sub]
    expected = (
        [None if x is pd.NA else int(x) for x in head["k_low"].astype(object)],
        [None if x is pd.NA else int(x) for x in head["k_high"].astype(object)],
        head["n_feasible"].tolist(),
        consistent[:sub].tolist(),
    )
    loops = {}
    for name, loop in (("plain-Python integer loop", python_loop), ("loop over feasible_counts()", scalar_api_loop)):
        t0 = time.perf_counter()
        got = loop(sub_values, sub_ns, sub_dec)
        elapsed = time.perf_counter() - t0
        loops[name] = (elapsed, elapsed * args.pairs / sub, tuple(got) == expected)
    identical = all(same for _, _, same in loops.values()) and bool(
        (consistent == (ranges["n_feasible"].to_numpy() > 0)).all()
    )

    print(f"pairs: {args.pairs:,} (n in 1..10,000, 0-1 decimals, half_up, seed {args.seed})")
    print(f"share consistent: {consistent.mean():.4f}")
    print(f"vectorized count_ranges:  {min(t_ranges):.3f} s (best of {len(t_ranges)})")
    print(f"vectorized is_consistent: {min(t_consistent):.3f} s (best of {len(t_consistent)})")
    print(f"vectorized total:         {vec:.3f} s for {args.pairs:,} pairs")
    print(f"vectorized total, first (cold) run: {t_ranges[0] + t_consistent[0]:.3f} s")
    for name, (elapsed, scaled, same) in loops.items():
        print(f"{name}: {elapsed:.3f} s for the first {sub:,} pairs")
        print(f"    scaled linearly to {args.pairs:,} pairs: {scaled:.2f} s (an estimate, not measured)")
        print(f"    ratio scaled loop / vectorized total: {scaled / vec:.1f}x")
        print(f"    identical results on the subsample: {'yes' if same else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
