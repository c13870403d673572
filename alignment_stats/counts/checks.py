"""Cross-figure consistency checks of the data audit.

Every check takes the figures, the study facts and the counts table and
returns rows ``study, check, figures, ok, detail``: ``figures`` names the
figures involved (``item/group``), ``ok`` is True, False, or missing when the
check cannot be made (no group size), ``detail`` shows the numbers. All
checks are linear in the number of figures: lookups go through one index,
never a scan of the whole table per figure.

Checks: ``composition`` (published shares can sum to 100% and split the
total), ``figure`` (a feasible count at the chosen size; an impossible one
says which nearby bases would fit), ``group_size`` (how each size was
obtained, or that none is known), ``pooled`` (a figure reported "in both
groups" also holds for the pooled sample), ``nested`` (a subset share is not
larger than its superset share), ``same_figure`` (two reports of one figure
can describe the same count). :func:`rounding_sensitivity` says which
rounding rules let every figure of a group be consistent;
:func:`feasibility_grid` gives the data of the audit's heatmap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..schema import SPECIFIC_RULES
from .feasible import count_ranges, infer_group_sizes, mixture_consistent, nested_consistent, shares_sum_consistent
from .reconstruct import Reconstruction
from .scenarios import choose_sizes, chosen_ranges
from .sizes import written_decimals

__all__ = ["CHECK_COLUMNS", "SENSITIVITY_COLUMNS", "audit_checks", "rounding_sensitivity", "feasibility_grid"]

CHECK_COLUMNS = ("study", "check", "figures", "ok", "detail")
SENSITIVITY_COLUMNS = ("study", "group", "rule", "n", "n_figures", "n_inconsistent", "inconsistent")
_NEAREST_REACH = 5


def _pct(value: float) -> str:
    return f"{value:g}%"


def _figure_text(value: float, low: float, high: float) -> str:
    return _pct(value) if pd.notna(value) else f"{low:g}-{high:g}%"


def _check(study: str, check: str, figures: str, ok: Any, detail: str) -> dict[str, Any]:
    return {"study": study, "check": check, "figures": figures, "ok": ok, "detail": detail}


def _span(lo: Any, hi: Any) -> str:
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def _nearest_bases(bad: pd.DataFrame) -> list[str]:
    """For each impossible figure, the nearest item bases (within 5) at which it would be feasible."""
    if bad.empty:
        return []
    tries = np.array([d for step in range(1, _NEAREST_REACH + 1) for d in (-step, step)])
    rows = np.repeat(np.arange(len(bad)), len(tries))
    ns = bad["n"].astype("int64").to_numpy()[rows] + np.tile(tries, len(bad))
    ok = ns > 0
    rows, ns = rows[ok], ns[ok]
    ranges = count_ranges(bad["value"].to_numpy()[rows], ns, bad["decimals"].to_numpy()[rows],
                          bad["rounding"].to_numpy()[rows], lows=bad["low"].to_numpy()[rows],
                          highs=bad["high"].to_numpy()[rows])
    fits: list[list[str]] = [[] for _ in range(len(bad))]
    for row, n, k, feasible in zip(rows, ns, ranges["k_low"], ranges["n_feasible"]):
        if feasible and len(fits[row]) < 2:
            fits[row].append(f"{n} (k = {k})")
    return [f"; the nearest bases that fit: {', '.join(f)} — this item's base may differ from its group's" if f
            else f"; no base within {_NEAREST_REACH} of {n} fits either" for f, n in zip(fits, bad["n"])]


def _composition_checks(figures: pd.DataFrame, studies: dict[str, dict[str, Any]], rule: str,
                        max_unclassified: int) -> list[dict]:
    rows = []
    for study in dict.fromkeys(figures["study"]):
        facts = studies.get(study, {})
        shares = facts.get("group_shares")
        if not shares:
            continue
        decimals = [written_decimals(v) for v in shares.values()]
        summed = shares_sum_consistent(shares, decimals=decimals, rounding=rule)
        ok = bool(summed["ok"].iloc[0])
        detail = f"shares {' + '.join(_pct(v) for v in shares.values())} = {sum(shares.values()):g}%"
        if facts.get("total_n"):
            limit = facts.get("max_unclassified")
            limit = min(int(max_unclassified if limit is None else limit), int(facts["total_n"]))
            splits = infer_group_sizes(int(facts["total_n"]), shares, decimals=decimals, rounding=rule,
                                       max_unclassified=limit)
            sizes = [", ".join(f"{g} {n}" for g, n in zip(c["group"], c["n"])) for _, c in splits.groupby("candidate")]
            ok = ok and bool(sizes)
            detail += (f"; of {facts['total_n']} respondents they allow: {' | '.join(sizes)}" if sizes
                       else f"; no split of {facts['total_n']} respondents gives these shares")
        rows.append(_check(study, "composition", ", ".join(f"{g} share" for g in shares), ok, detail))
    return rows


def _figure_checks(figures: pd.DataFrame, counts: pd.DataFrame) -> list[dict]:
    sized = counts[counts["n"].notna()].merge(figures[["study", "item", "group"]], on=["study", "item", "group"])
    ok = sized["consistent"].astype(bool).to_numpy()
    bad = sized[~ok].reset_index(drop=True)
    nearest = iter(_nearest_bases(bad))
    rows = []
    for r, good in zip(sized.itertuples(), ok):
        value = _figure_text(r.value, r.low, r.high)
        if good:
            detail = f"{value} of {r.n}: count {_span(r.k_low, r.k_high)} ({r.rounding})"
        else:
            detail = (f"{value} is impossible with n = {r.n} under {r.rounding} rounding: no count k gives it"
                      + next(nearest))
        rows.append(_check(r.study, "figure", f"{r.item}/{r.group}", bool(good), detail))
    return rows


def _size_checks(reconstruction: Reconstruction, rule: str) -> list[dict]:
    counts, ranges, sizes = reconstruction.counts, reconstruction.ranges, reconstruction.sizes
    by_scenario = {key: part for key, part in ranges[ranges["rule"] == rule].groupby(
        ["study", "group", "split", "item_missing"], sort=False)}
    splits = {key: part for key, part in sizes[(sizes["rule"] == rule) & (sizes["item_missing"] == 0)].groupby(
        ["study", "split"], sort=False)}
    chosen = {(r.study, r.group): int(r.split) for r in choose_sizes(ranges, rule).itertuples()}
    rows = []
    for (study, group), part in counts.groupby(["study", "group"], sort=False):
        refs = ", ".join(f"{i}/{group}" for i in part["item"])
        first = part.iloc[0]
        if pd.isna(first["n"]):
            why = ("group size neither published nor inferable; analyses must assume one"
                   if (study, group) in reconstruction.assumable
                   else f"no split of the published sample gives the published shares under {first['rounding']} "
                        "rounding: not assessable under this rule")
            rows.append(_check(study, "group_size", refs, pd.NA, why))
            continue
        missing = int(first["item_missing"])
        if first["n_source"] != "inferred":
            rows.append(_check(study, "group_size", f"{group} (n = {first['n']})", True,
                               f"{group} n = {first['n']}, published; fits {int(part['consistent'].sum())} of "
                               f"{len(part)} figure(s)"))
            continue
        chosen_split = chosen.get((study, group), 0)
        members = splits.get((study, chosen_split))
        shares = " + ".join(f"{g} {n}" for g, n in zip(members["group"], members["group_n"])) if members is not None \
            else f"{group} {first['group_n']}"
        detail = (f"split of {first['split_total']} respondents: {shares}"
                  f" ({first['split_unclassified']} unclassified)")
        if missing:
            detail += f"; item base {first['n']} = {first['group_n']} - {missing} non-response(s)"
        detail += f"; fits {int(part['consistent'].sum())} of {len(part)} figure(s)"
        others = []
        for other in range(0, missing):
            alt = by_scenario.get((study, group, chosen_split, other))
            if alt is not None:
                ruled = ", ".join(sorted(alt.loc[alt["n_feasible"] == 0, "item"]))
                others.append(f"base {int(alt['n'].iloc[0])} rules out {ruled}")
        if others:
            detail += ", while " + "; ".join(others)
        unfit = sorted(part.loc[~part["consistent"].astype(bool), "item"])
        if unfit:
            detail += f"; at base {first['n']} no count fits {', '.join(unfit)}"
        rows.append(_check(study, "group_size", f"{group} (n = {first['n']})", missing == 0, detail))
    return rows


def audit_checks(figures: pd.DataFrame, studies: dict[str, dict[str, Any]], reconstruction: Reconstruction,
                 rounding: str = "half_up") -> pd.DataFrame:
    """Run every consistency check of every study.

    Parameters
    ----------
    figures, studies
        The figures table and study facts.
    reconstruction : Reconstruction
        :func:`~alignment_stats.counts.reconstruct.reconstruct` of the same figures under ``rounding``.
    rounding : str, default "half_up"
        The rule in force for figures of unknown rounding.
    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`.

    Examples
    --------
    >>> from alignment_stats.counts.reconstruct import reconstruct
    >>> from alignment_stats.sources import load_figures, load_studies
    >>> figures, studies = load_figures(), load_studies()
    >>> checks = audit_checks(figures, studies, reconstruct(figures, studies))
    >>> print(checks.query("check == 'pooled'")["detail"].iloc[0])
    63% of 106 (k 67) and 63% of 24 (k 15) pool to 82 of 130 = 63.08%, which reads as 63%
    """
    counts = reconstruction.counts
    index = {(r.study, r.item, r.group): r for r in counts.itertuples(index=False)}
    rows = _composition_checks(figures, studies, rounding, reconstruction.max_unclassified)
    rows += _figure_checks(figures, counts)
    rows += _size_checks(reconstruction, rounding)
    present = set(figures["study"])
    for study, facts in studies.items():
        if study not in present:
            continue
        for check in facts.get("checks", []):
            if check["kind"] == "pooled":
                rows += [_pooled(study, item, index) for item in check["items"]]
            elif check["kind"] == "nested":
                for group in ("marketing", "it", "all"):
                    sub = index.get((study, check["subset"], group))
                    sup = index.get((study, check["superset"], group))
                    if sub is not None and sup is not None:
                        rows.append(_nested(study, group, check["subset"], check["superset"], sub, sup))
            elif check["kind"] == "same_figure":
                rows.append(_same_figure(study, check["figures"], index, rounding))
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def _pooled(study: str, item: str, index: dict) -> dict:
    parts = [index.get((study, item, g)) for g in ("marketing", "it")]
    refs = f"{item}/marketing, {item}/it"
    if any(p is None or pd.isna(p.n) or not p.consistent for p in parts):
        return _check(study, "pooled", refs, pd.NA, "group sizes or counts unknown")
    value = float(parts[0].value)
    result = mixture_consistent([int(p.k_low) for p in parts], [int(p.k_high) for p in parts],
                                [int(p.n) for p in parts], value, rounding=parts[0].rounding)
    total_n = sum(int(p.n) for p in parts)
    k_pool = sum(int(p.k) for p in parts)
    detail = " and ".join(f"{_pct(p.value)} of {p.n} (k {p.k})" for p in parts)
    detail += f" pool to {k_pool} of {total_n} = {100 * k_pool / total_n:.2f}%"
    ok = bool(result["ok"].iloc[0])
    detail += f", which reads as {_pct(value)}" if ok else f": no pooled count reads as {_pct(value)}"
    return _check(study, "pooled", refs, ok, detail)


def _nested(study: str, group: str, subset: str, superset: str, sub: Any, sup: Any) -> dict:
    refs = f"{subset}/{group} within {superset}/{group}"
    if pd.isna(sub.n) or pd.isna(sup.n) or not (sub.consistent and sup.consistent):
        return _check(study, "nested", refs, pd.NA,
                      "not checkable: a group size is unknown or a figure has no feasible count")
    ok = bool(nested_consistent(int(sub.k_low), int(sup.k_high))["ok"].iloc[0])
    detail = (f"subset {_figure_text(sub.value, sub.low, sub.high)} (k >= {sub.k_low}) vs superset "
              f"{_figure_text(sup.value, sup.low, sup.high)} (k <= {sup.k_high}) of {sub.n}")
    return _check(study, "nested", refs, ok, detail)


def _same_figure(study: str, refs: list[str], index: dict, rule: str) -> dict:
    rows = [index.get(tuple(ref.split("/"))) for ref in refs]
    label = " vs ".join(refs)
    if any(r is None or pd.isna(r.n) for r in rows) or len({int(r.n) for r in rows}) != 1:
        return _check(study, "same_figure", label, pd.NA, "the reports' group sizes are unknown or differ")
    n = int(rows[0].n)
    values = [float(r.value) for r in rows]

    def overlap(rule_name: str) -> tuple[bool, list[str]]:
        ranges = count_ranges(values, [n] * len(values), 0, rule_name)
        lo, hi = ranges["k_low"].max(), ranges["k_high"].min()
        spans = [f"{_pct(v)} -> none" if pd.isna(a) else f"{_pct(v)} -> k {_span(a, b)}"
                 for v, a, b in zip(values, ranges["k_low"], ranges["k_high"])]
        return bool(pd.notna(lo) and pd.notna(hi) and lo <= hi), spans

    ok, spans = overlap(rule)
    detail = f"of n = {n} under {rule}: {'; '.join(spans)}"
    if ok:
        detail += ": the reports can describe the same count"
    else:
        fits = [r for r in SPECIFIC_RULES if overlap(r)[0]]
        any_ok, any_spans = overlap("unknown")
        detail += ": no common count, so the reports disagree"
        if fits:
            detail += f"; they agree only if both rounded by {', '.join(fits)}"
        elif any_ok:
            detail += f"; they agree only if the reports rounded differently ({'; '.join(any_spans)} under any rule)"
    return _check(study, "same_figure", label, ok, detail)


def rounding_sensitivity(reconstruction: Reconstruction, rules: Sequence[str] = SPECIFIC_RULES) -> pd.DataFrame:
    """Which rounding rules let every figure of a group be consistent (each rule with its own best split).

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`: one row per (study, group, rule) with a
        size under some rule: ``n`` (the base chosen under that rule, <NA>
        when no split fits), ``n_figures``, ``n_inconsistent`` and
        ``inconsistent`` (the items no count fits, or why none is assessable).

    Examples
    --------
    >>> from alignment_stats.counts.reconstruct import reconstruct
    >>> from alignment_stats.sources import load_figures, load_studies
    >>> table = rounding_sensitivity(reconstruct(load_figures(), load_studies()))
    >>> it = table.query("study == 'leapfrog_2015' and group == 'it'")
    >>> print(it[["rule", "n", "n_inconsistent"]].to_string(index=False))
         rule    n  n_inconsistent
      half_up   24               2
    half_even   25               4
     truncate <NA>               8
         ceil <NA>               8
    """
    counts = reconstruction.counts
    groups = counts.groupby(["study", "group"], sort=False)["item"].apply(list)
    sized = {key for key, part in reconstruction.ranges.groupby(["study", "group"], sort=False)}
    rows = []
    for rule in rules:
        chosen = chosen_ranges(reconstruction.ranges, rule)
        by_group = {key: part for key, part in chosen.groupby(["study", "group"], sort=False)}
        for (study, group), items in groups.items():
            if (study, group) not in sized:
                continue
            part = by_group.get((study, group))
            if part is None:
                rows.append({"study": study, "group": group, "rule": rule, "n": pd.NA, "n_figures": len(items),
                             "n_inconsistent": len(items),
                             "inconsistent": "no split of the published sample gives the published shares"})
                continue
            bad = sorted(part.loc[part["n_feasible"] == 0, "item"])
            rows.append({"study": study, "group": group, "rule": rule, "n": int(part["n"].iloc[0]),
                         "n_figures": len(items), "n_inconsistent": len(bad), "inconsistent": ", ".join(bad)})
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS)).astype({"n": "Int64"})


def feasibility_grid(figures: pd.DataFrame, sizes: dict[tuple[str, str], Sequence[int]],
                     rounding: str = "half_up") -> pd.DataFrame:
    """Feasibility of each figure under each of several group sizes (the data of the audit heatmap).

    Parameters
    ----------
    figures : pandas.DataFrame
        The figures table.
    sizes : dict
        ``{(study, group): sizes to try}``.
    rounding : str, default "half_up"
        The rule for figures of unknown rounding.

    Returns
    -------
    pandas.DataFrame
        ``study, group, item, n, feasible, k_low, k_high``, one row per figure and size.

    Examples
    --------
    >>> from alignment_stats.sources import load_figures
    >>> grid = feasibility_grid(load_figures(), {("leapfrog_2015", "it"): [24, 25]})
    >>> print(grid.query("item == 'very_collaborative'")[["n", "feasible"]].to_string(index=False))
     n  feasible
    24      True
    25     False
    """
    columns = ["study", "group", "item", "n", "feasible", "k_low", "k_high"]
    tries = pd.DataFrame([(s, g, int(n)) for (s, g), ns in sizes.items() for n in ns], columns=["study", "group", "n_try"])
    if tries.empty:
        return pd.DataFrame(columns=columns)
    cross = figures.merge(tries, on=["study", "group"])
    rule = np.where(cross["rounding"] == "unknown", rounding, cross["rounding"])
    ranges = count_ranges(cross["value"].to_numpy(), cross["n_try"].to_numpy(), cross["decimals"].to_numpy(), rule,
                          lows=cross["low"].to_numpy(), highs=cross["high"].to_numpy())
    return pd.DataFrame({
        "study": cross["study"], "group": cross["group"], "item": cross["item"],
        "n": cross["n_try"].astype("int64"), "feasible": (ranges["n_feasible"] > 0).to_numpy(),
        "k_low": ranges["k_low"].to_numpy(), "k_high": ranges["k_high"].to_numpy(),
    })[columns]
