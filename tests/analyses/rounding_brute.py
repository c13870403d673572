"""Brute force with exact fractions: which shares a rounding rule reports, which counts and splits fit them.

Not a test module: the independent reference of the tests that check group
sizes and scenarios. Written from the table of ``docs/methods.md`` (a true
share ``x`` is reported as ``V`` when ...), never from the package's code:

| rule      | condition                       |
|-----------|---------------------------------|
| half_up   | V - 1/2 <= x < V + 1/2          |
| half_even | |x - V| < 1/2, or = 1/2, V even  |
| truncate  | V <= x < V + 1                  |
| ceil      | V - 1 < x <= V                  |
| unknown   | V - 1 < x < V + 1 (any of them) |
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product

SPECIFIC = ("half_up", "half_even", "truncate", "ceil")


def reports(x: Fraction, value: Fraction | float, rule: str) -> bool:
    """Does the true percentage ``x`` get reported as ``value`` (whole percent) under ``rule``?"""
    v = Fraction(value)
    half = Fraction(1, 2)
    if rule == "half_up":
        return v - half <= x < v + half
    if rule == "half_even":
        return abs(x - v) < half or (abs(x - v) == half and v % 2 == 0)
    if rule == "truncate":
        return v <= x < v + 1
    if rule == "ceil":
        return v - 1 < x <= v
    if rule == "unknown":
        return v - 1 < x < v + 1
    raise ValueError(rule)


def feasible(value: float, n: int, rule: str) -> list[int]:
    """Every count ``k`` of ``n`` whose percentage ``100 k / n`` is reported as ``value``."""
    return [k for k in range(n + 1) if reports(Fraction(100 * k, n), Fraction(value), rule)]


def feasible_interval(low: float, high: float, n: int) -> list[int]:
    """Counts of ``n`` whose percentage lies in the closed interval ``[low, high]`` (vague wordings)."""
    return [k for k in range(n + 1) if Fraction(low) <= Fraction(100 * k, n) <= Fraction(high)]


def splits(total: int, shares: dict[str, float], rule: str, max_unclassified: int = 0) -> list[dict]:
    """Every split of ``total`` into the groups of ``shares`` (``u`` unclassified) whose shares round to them."""
    groups = list(shares)
    out = []
    for u, head in product(range(max_unclassified + 1), product(range(total + 1), repeat=len(groups) - 1)):
        sizes = (*head, total - u - sum(head))
        if sizes[-1] < 0:
            continue
        if all(reports(Fraction(100 * n, total), shares[g], rule) for g, n in zip(groups, sizes)):
            out.append({"sizes": dict(zip(groups, sizes)), "unclassified": u,
                        "deviation": sum(abs(Fraction(n, total) - Fraction(shares[g]) / 100)
                                         for g, n in zip(groups, sizes))})
    return out


def best_split(total: int, shares: dict[str, float], figures: dict[str, list[float]], rule: str,
               max_missing: int = 1, max_unclassified: int = 0) -> dict | None:
    """The split issue 15 prescribes: most figures feasible, then fewest unclassified, then least deviation.

    ``figures`` maps each group to its published percentages (figures that
    state their own rule are not used here). A group's figures count as
    feasible at the item base (``group size - m``, ``0 <= m <= max_missing``)
    under which most of them are.
    """
    best, best_key = None, None
    for split in splits(total, shares, rule, max_unclassified):
        fitted = 0
        for group, size in split["sizes"].items():
            fitted += max(sum(bool(feasible(v, size - m, rule)) for v in figures.get(group, []))
                          for m in range(max_missing + 1))
        key = (-fitted, split["unclassified"], split["deviation"])
        if best_key is None or key < best_key:
            best, best_key = split, key
    return best


def pair_scenarios(total: int, shares: dict[str, float], first: tuple[str, float, str], second: tuple[str, float, str],
                   max_missing: int = 1, same_base: bool = False) -> list[dict]:
    """Every scenario of two compared figures of one study with a published total and shares.

    ``first``/``second`` are ``(group, value, stated rule)``; a stated rule of
    ``unknown`` takes the scenario's rule. A scenario is a rule of
    :data:`SPECIFIC`, a split of ``total`` under it, an item base per figure
    (``group size - m``), and the feasible counts of both figures (none:
    ``k1``/``k2`` None). ``same_base``: only scenarios in which both figures
    have the same base (paired items).
    """
    rows = []
    for rule in SPECIFIC:
        for split in splits(total, shares, rule):
            options = []
            for group, value, stated in (first, second):
                in_force = rule if stated == "unknown" else stated
                size = split["sizes"][group]
                options.append([(size - m, feasible(value, size - m, in_force)) for m in range(max_missing + 1)])
            for (n1, ks1), (n2, ks2) in product(*options):
                if same_base and n1 != n2:
                    continue
                if ks1 and ks2:
                    rows += [{"rule": rule, "n1": n1, "n2": n2, "k1": a, "k2": b} for a in ks1 for b in ks2]
                else:
                    rows.append({"rule": rule, "n1": n1, "n2": n2, "k1": None, "k2": None})
    return rows


def figure_scenarios(total: int, shares: dict[str, float], group: str, value: float, stated: str,
                     max_missing: int = 1) -> list[dict]:
    """Every scenario of one figure: rule, split, item base and each feasible count (``k`` None: none fits)."""
    rows = []
    for rule in SPECIFIC:
        in_force = rule if stated == "unknown" else stated
        for split in splits(total, shares, rule):
            for m in range(max_missing + 1):
                n = split["sizes"][group] - m
                ks = feasible(value, n, in_force)
                rows += [{"rule": rule, "n": n, "k": k} for k in ks] or [{"rule": rule, "n": n, "k": None}]
    return rows


def rules_text(rules) -> str:
    """Rules in the order of ``schema.ROUNDING_RULES`` (how the sensitivity tables list them)."""
    present = set(rules)
    return ", ".join(r for r in SPECIFIC if r in present)


def sizes_text(sizes) -> str:
    """Distinct sizes, ascending, comma-separated."""
    return ", ".join(str(n) for n in sorted(set(sizes)))


def half_up_count(share: Fraction, n: int) -> int:
    """``round(share * n)`` with halves up, exactly."""
    return int((Fraction(share) * n + Fraction(1, 2)) // 1)
