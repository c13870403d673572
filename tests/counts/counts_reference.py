"""Independent references for the counts tests: rounding, feasible counts, splits and the choice of a split.

Everything here is brute force with ``fractions.Fraction`` and explicit
rounding rules: every count ``k`` in ``0..n`` and every group size in
``0..total`` is tried, and none of the package's integer inequalities is
used. Tests import it as ``from counts_reference import ...`` (pytest puts
this folder on ``sys.path``).
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction
from itertools import product

import numpy as np
import pandas as pd

from alignment_stats.schema import FIGURE_COLUMNS

SPECIFIC = ("half_up", "half_even", "truncate", "ceil")
RULES = (*SPECIFIC, "unknown")


def ref_round(q: Fraction, rule: str) -> int:
    """Round a non-negative Fraction to an integer by an explicit rule."""
    floor = q.numerator // q.denominator
    rest = q - floor
    half = Fraction(1, 2)
    if rule == "truncate":
        return floor
    if rule == "ceil":
        return floor if rest == 0 else floor + 1
    if rule == "half_up":
        return floor + 1 if rest >= half else floor
    if rule == "half_even":
        if rest != half:
            return floor + 1 if rest > half else floor
        return floor if floor % 2 == 0 else floor + 1
    raise AssertionError(rule)


def exact(x: float) -> Fraction:
    """The decimal number as written (shortest repr), exactly: 33.3 -> 333/10."""
    return Fraction(Decimal(repr(float(x))))


def reports_as(k: int, n: int, value: float, decimals: int, rule: str) -> bool:
    """Is ``100 k / n`` reported as ``value`` (with ``decimals`` places) under ``rule`` (``unknown``: any)?"""
    scale = 10**decimals
    target = exact(value) * scale
    rules = SPECIFIC if rule == "unknown" else (rule,)
    return any(ref_round(Fraction(100 * k * scale, n), r) == target for r in rules)


def ref_feasible(value, n: int, decimals: int = 0, rule: str = "half_up", low=None, high=None) -> list[int]:
    """Every k in 0..n whose percentage is reported as ``value`` (brute force); an interval when value is None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        lo = exact(0 if low is None or pd.isna(low) else low)
        hi = exact(100 if high is None or pd.isna(high) else high)
        return [k for k in range(n + 1) if lo <= Fraction(100 * k, n) <= hi]
    return [k for k in range(n + 1) if reports_as(k, n, value, decimals, rule)]


def ref_unknown_interval(value, n: int, decimals: int = 0) -> list[int]:
    """'unknown' as the open interval (V - 1, V + 1) in units of the last decimal."""
    scale = 10**decimals
    target = exact(value) * scale
    return [k for k in range(n + 1) if target - 1 < Fraction(100 * k, n) * scale < target + 1]


@functools.lru_cache(maxsize=4096)
def ref_sizes(total: int, share: float, decimals: int, rule: str) -> tuple[int, ...]:
    """Every group size in 0..total whose share of ``total`` is reported as ``share`` under ``rule``."""
    return tuple(size for size in range(total + 1) if reports_as(size, total, share, decimals, rule))


def written_decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def ref_splits(total: int, shares: dict[str, float], rule: str, max_unclassified: int) -> set[tuple[tuple[str, int], ...]]:
    """Every split: one size per group, each rounding to its share of ``total``, summing to total - u, 0 <= u <= max."""
    groups = list(shares)
    options = [ref_sizes(total, shares[g], written_decimals(shares[g]), rule) for g in groups]
    out = set()
    for sizes in product(*options):
        if 0 <= total - sum(sizes) <= max_unclassified:
            out.add(tuple(zip(groups, sizes)))
    return out


def ref_choose(total: int, shares: dict[str, float], figures: list[dict], rule: str, max_missing: int,
               max_unclassified: int) -> tuple[set, dict]:
    """The best splits by brute force: most figures feasible, then fewer unclassified, then least deviation.

    ``figures``: dicts with ``group, value, decimals, rounding`` (``unknown`` follows ``rule``), and optional
    ``low, high``. Each group of a split takes the item base ``size - m`` (0 <= m <= max_missing, base >= 1)
    with the most feasible figures, ties to the smaller m. Returns the set of optimal splits (as tuples of
    (group, size)) and, for each, ``{group: m}``.
    """
    scored = []
    for split in ref_splits(total, shares, rule, max_unclassified):
        sizes = dict(split)
        feasible_total = 0
        missing = {}
        for group, size in sizes.items():
            mine = [f for f in figures if f["group"] == group]
            best = None
            for m in range(max_missing + 1):
                if size - m < 1:
                    break
                ok = sum(bool(ref_feasible(f.get("value"), size - m, f.get("decimals", 0),
                                           rule if f.get("rounding", "unknown") == "unknown" else f["rounding"],
                                           f.get("low"), f.get("high"))) for f in mine)
                if best is None or ok > best[0]:
                    best = (ok, m)
            if best is not None:
                feasible_total += best[0]
                missing[group] = best[1]
        u = total - sum(sizes.values())
        deviation = sum(abs(Fraction(sizes[g], total) - exact(shares[g]) / 100) for g in sizes)
        scored.append(((-feasible_total, u, deviation), split, missing))
    if not scored:
        return set(), {}
    best_key = min(key for key, _, _ in scored)
    optimal = {split for key, split, _ in scored if key == best_key}
    return optimal, {split: missing for key, split, missing in scored if key == best_key}


def figures_frame(rows: list[dict]) -> pd.DataFrame:
    """A figures table (the columns of ``load_figures``) from a few dicts; unstated fields as a CSV leaves them."""
    frame = pd.DataFrame(rows)
    defaults = {"low": np.nan, "high": np.nan, "decimals": 0, "rounding": "unknown", "unit": "percent",
                "value": np.nan, "n": pd.NA}
    for column, default in defaults.items():
        if column not in frame:
            frame[column] = default
    frame = frame.reindex(columns=list(FIGURE_COLUMNS))
    frame["n"] = frame["n"].astype("Int64")
    frame["year"] = frame["year"].astype("Int64")
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype(float)
    frame["decimals"] = frame["decimals"].fillna(0).astype(int)
    frame["rounding"] = frame["rounding"].fillna("unknown")
    return frame


def study_facts(groups=("marketing", "it"), **facts) -> dict:
    """Study facts as ``load_studies`` returns them (unstated fields None)."""
    base = {"groups": {g: g for g in groups}, "total_n": None, "group_shares": None, "group_n": None,
            "max_unclassified": None, "checks": []}
    base.update(facts)
    return base
