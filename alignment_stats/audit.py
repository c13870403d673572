"""Whole-study data audit: group sizes, counts and cross-figure consistency.

Builds on :mod:`alignment_stats.reconstruct` (the exact GRIM arithmetic) and
the study facts of ``studies.yaml`` to answer, for every published figure:
which group size stands behind it, which counts it allows, and whether it is
consistent with the other figures of its study. Nothing is "fixed": an
impossible figure keeps ``consistent = False`` and no count.

The result is the *counts table* (``data/processed/counts.parquet``), one row
per (study, item, group) with columns ``study, item, group, n, k, k_low,
k_high, consistent, n_alternatives, n_reason`` followed by the figure's
``value, low, high, rounding, pair, measure``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .data import PROCESSED_DIR, PROJECT_ROOT, load_benchmark, load_studies
from .reconstruct import (
    ROUNDING_RULES,
    consistent_group_sizes,
    count_ranges,
    infer_group_sizes,
    mixture_consistent,
    nested_consistent,
    shares_sum_consistent,
)

__all__ = [
    "COUNT_COLUMNS",
    "Audit",
    "run_audit",
    "candidate_sizes",
    "reconstruct_counts",
    "feasibility_grid",
    "rounding_sensitivity",
    "audit_study_checks",
    "audit_findings",
    "write_counts",
]

COUNT_COLUMNS = (
    "study", "item", "group", "n", "k", "k_low", "k_high", "consistent",
    "n_alternatives", "n_reason", "value", "low", "high", "rounding", "pair", "measure",
)
CHECK_COLUMNS = ("study", "check", "figures", "ok", "detail")
SPECIFIC_RULES = tuple(r for r in ROUNDING_RULES if r != "any")


def _check_rounding(rounding: str) -> str:
    rule = "any" if rounding == "unknown" else rounding
    if rule not in ROUNDING_RULES:
        raise ValueError(f"rounding: {rounding!r} is not a known rule (known: {', '.join(ROUNDING_RULES)}, unknown)")
    return rule


def _pct(value: float) -> str:
    return f"{value:g}%"


def _figure_text(row: Any) -> str:
    if pd.notna(row.value):
        return _pct(row.value)
    return f"{row.low:g}-{row.high:g}%"


# ---------------------------------------------------------------------------
# candidate group sizes
# ---------------------------------------------------------------------------
def candidate_sizes(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    rounding: str = "half_up",
    max_missing: int = 1,
) -> pd.DataFrame:
    """Candidate sizes for every (study, group) that has figures.

    Candidates come, in order of preference, from a size published with the
    figures (``n`` column), a published group size (``group_n``), the
    published total for the pooled group ``all``, or the sample composition
    (``total_n`` and ``group_shares``, via :func:`infer_group_sizes`). A size
    inferred from the composition may also stand ``1..max_missing`` lower:
    the item base of a question is often smaller than its group (item
    non-response), and those smaller bases are less preferred candidates.

    Parameters
    ----------
    figures : pandas.DataFrame
        The figures table of :func:`alignment_stats.load_benchmark`.
    studies : dict
        Study facts of :func:`alignment_stats.load_studies`.
    rounding : str, default "half_up"
        Rule used to read the composition shares.
    max_missing : int, default 1
        Largest number of non-responding respondents allowed, for the
        composition and for an item's base.

    Returns
    -------
    pandas.DataFrame
        Columns ``study, group, n, basis, preference`` (0 = most preferred).
        Groups with no published or inferable size have no row.

    Examples
    --------
    >>> from alignment_stats import load_benchmark, load_studies
    >>> sizes = candidate_sizes(load_benchmark(), load_studies())
    >>> print(sizes.query("study == 'leapfrog_2015'")[["group", "n", "preference"]].to_string(index=False))
        group   n  preference
    marketing 106           0
    marketing 105           1
           it  25           0
           it  24           1
    """
    rule = _check_rounding(rounding)
    if max_missing < 0 or int(max_missing) != max_missing:
        raise ValueError(f"max_missing: {max_missing!r} must be a whole number >= 0")
    rows: list[dict[str, Any]] = []
    for (study, group), part in figures.groupby(["study", "group"], sort=False):
        facts = studies.get(study, {})
        published = sorted(int(v) for v in part["n"].dropna().unique())
        group_n = (facts.get("group_n") or {}).get(group)
        shares = facts.get("group_shares") or {}
        found: list[tuple[int, str]] = []
        if published:
            found = [(n, "published with the figure") for n in published]
        elif group_n is not None:
            found = [(int(group_n), "published group size")]
        elif group == "all" and facts.get("total_n"):
            found = [(int(facts["total_n"]), "published total")]
        elif facts.get("total_n") and group in shares:
            total = int(facts["total_n"])
            splits = infer_group_sizes(total, shares, rounding=rule, max_missing=max_missing)
            sizes = sorted(set(splits.loc[splits["group"] == group, "n"].astype(int)), reverse=True)
            for size in sizes:
                found.append((size, f"composition: {shares[group]:g}% of {total} is {size} ({rule})"))
            for size in sizes:
                for missing in range(1, max_missing + 1):
                    if size - missing > 0 and size - missing not in sizes:
                        found.append(
                            (size - missing, f"item base: {size} less {missing} non-response(s) ({rule})")
                        )
        seen: set[int] = set()
        for n, basis in found:
            if n not in seen:
                seen.add(n)
                rows.append({"study": study, "group": group, "n": n, "basis": basis, "preference": len(seen) - 1})
    return pd.DataFrame(rows, columns=["study", "group", "n", "basis", "preference"]).astype(
        {"n": "int64", "preference": "int64"}
    )


# ---------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------
def _best_count(k_low: pd.Series, k_high: pd.Series, target: np.ndarray) -> pd.Series:
    """The feasible count nearest to the reported share (ties to the lower)."""
    lo = k_low.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    hi = k_high.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    best = np.clip(np.floor(target + 0.5 - 1e-9), lo, hi)
    return pd.array(np.where(np.isnan(best), pd.NA, best), dtype="Int64")


def reconstruct_counts(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    rounding: str = "half_up",
    max_missing: int = 1,
) -> pd.DataFrame:
    """Counts behind every figure, with the group size chosen and why.

    Per (study, group) the candidate sizes of :func:`candidate_sizes` are
    ranked by :func:`consistent_group_sizes` (most figures feasible first,
    then by preference); the best-ranked size is used for every figure of
    that group. Each figure then gets its feasible count range and, when
    feasible, the count nearest its reported share (for an interval, nearest
    its midpoint).

    Parameters
    ----------
    figures, studies
        As returned by :func:`alignment_stats.load_benchmark` and
        :func:`alignment_stats.load_studies`.
    rounding : {"half_up", "half_even", "truncate", "ceil", "any"}, default "half_up"
        Rounding rule assumed for figures whose ``rounding`` is ``unknown``
        (``any`` = the union of all rules). Figures that state their own rule
        keep it.
    max_missing : int, default 1
        See :func:`candidate_sizes`.

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`: ``study, item, group, n, k, k_low, k_high,
        consistent, n_alternatives, n_reason, value, low, high, rounding,
        pair, measure``. ``n``, ``k``, ``k_low``, ``k_high`` are nullable
        integers and ``consistent`` a nullable boolean: all missing when no
        group size is known; ``k`` is missing when the figure is impossible.

    Examples
    --------
    >>> from alignment_stats import load_benchmark, load_studies
    >>> counts = reconstruct_counts(load_benchmark(), load_studies())
    >>> it = counts.query("study == 'leapfrog_2015' and group == 'it' and item == 'very_collaborative'")
    >>> print(it[["n", "k", "k_low", "k_high", "consistent"]].to_string(index=False))
     n  k  k_low  k_high  consistent
    24  3      3       3        True
    """
    rule = _check_rounding(rounding)
    frame = figures.reset_index(drop=True).copy()
    frame["rule"] = np.where(frame["rounding"] == "unknown", rule, frame["rounding"])
    candidates = candidate_sizes(frame, studies, rounding=rule, max_missing=max_missing)

    chosen: dict[tuple[str, str], tuple[int, str, str]] = {}
    if len(candidates):
        ranked = consistent_group_sizes(
            frame[["study", "item", "group", "value", "low", "high", "decimals"]],
            candidates[["study", "group", "n"]],
            rounding=rule,
        ).merge(candidates, on=["study", "group", "n"])
        for (study, group), part in ranked.groupby(["study", "group"], sort=False):
            part = part.sort_values("rank")
            best = part.iloc[0]
            others = part.iloc[1:]
            alternatives = "; ".join(
                f"{r.n} ({'rules out ' + r.ruled_out_by if r.ruled_out_by else 'also fits every figure'})"
                for r in others.itertuples()
            )
            reason = f"{best.basis}; fits {best.n_feasible} of {best.n_figures} figure(s)"
            better_than = others[(others["preference"] < best.preference)]
            if len(better_than):
                r = better_than.iloc[0]
                reason += f", while {r.n} ({r.basis}) rules out {r.ruled_out_by}"
            if best.ruled_out_by:
                reason += f"; no candidate fits {best.ruled_out_by}"
            chosen[(study, group)] = (int(best.n), alternatives, reason)

    keys = list(zip(frame["study"], frame["group"]))
    n = pd.array([chosen.get(key, (pd.NA,))[0] for key in keys], dtype="Int64")
    known = ~n.isna()
    out = pd.DataFrame(
        {
            "study": frame["study"],
            "item": frame["item"],
            "group": frame["group"],
            "n": n,
            "k": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "k_low": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "k_high": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "consistent": pd.array([pd.NA] * len(frame), dtype="boolean"),
            "n_alternatives": [chosen.get(key, (None, ""))[1] for key in keys],
            "n_reason": [
                chosen[key][2] if key in chosen else "group size neither published nor inferable; analyses must assume one"
                for key in keys
            ],
        }
    )
    if known.any():
        sub = frame.loc[known]
        ranges = count_ranges(
            sub["value"].to_numpy(), n[known].to_numpy(dtype=np.int64), sub["decimals"].to_numpy(),
            sub["rule"].to_numpy(), lows=sub["low"].to_numpy(), highs=sub["high"].to_numpy(),
        )
        ranges.index = sub.index
        share = sub["value"].fillna((sub["low"] + sub["high"]) / 2).to_numpy()
        out.loc[known, "k_low"] = ranges["k_low"]
        out.loc[known, "k_high"] = ranges["k_high"]
        out.loc[known, "consistent"] = (ranges["n_feasible"] > 0).to_numpy()
        out.loc[known, "k"] = _best_count(ranges["k_low"], ranges["k_high"], share * n[known].to_numpy(dtype=float) / 100)
    for column in ("value", "low", "high", "pair", "measure"):
        out[column] = frame[column]
    out["rounding"] = frame["rule"]
    return out[list(COUNT_COLUMNS)]


def feasibility_grid(
    figures: pd.DataFrame, sizes: dict[tuple[str, str], range | list[int]], rounding: str = "half_up"
) -> pd.DataFrame:
    """Feasibility of each figure under each of several group sizes.

    Parameters
    ----------
    figures : pandas.DataFrame
        The figures table.
    sizes : dict
        ``{(study, group): sizes to try}``.
    rounding : str, default "half_up"

    Returns
    -------
    pandas.DataFrame
        Long table ``study, group, item, n, feasible, k_low, k_high``, one
        row per figure and size: the data of the audit heatmap.

    Examples
    --------
    >>> from alignment_stats import load_benchmark
    >>> grid = feasibility_grid(load_benchmark(), {("leapfrog_2015", "it"): [24, 25]})
    >>> print(grid.query("item == 'very_collaborative'")[["n", "feasible"]].to_string(index=False))
     n  feasible
    24      True
    25     False
    """
    rule = _check_rounding(rounding)
    parts = []
    for (study, group), ns in sizes.items():
        sub = figures[(figures["study"] == study) & (figures["group"] == group)]
        cross = sub.merge(pd.DataFrame({"n_try": list(ns)}), how="cross")
        parts.append(cross)
    if not parts:
        return pd.DataFrame(columns=["study", "group", "item", "n", "feasible", "k_low", "k_high"])
    cross = pd.concat(parts, ignore_index=True)
    ranges = count_ranges(
        cross["value"].to_numpy(), cross["n_try"].to_numpy(), cross["decimals"].to_numpy(), rule,
        lows=cross["low"].to_numpy(), highs=cross["high"].to_numpy(),
    )
    return pd.DataFrame(
        {
            "study": cross["study"], "group": cross["group"], "item": cross["item"],
            "n": cross["n_try"].astype("int64"), "feasible": (ranges["n_feasible"] > 0).to_numpy(),
            "k_low": ranges["k_low"].to_numpy(), "k_high": ranges["k_high"].to_numpy(),
        }
    )


def rounding_sensitivity(
    figures: pd.DataFrame, studies: dict[str, dict[str, Any]], max_missing: int = 1,
    rules: tuple[str, ...] = SPECIFIC_RULES,
) -> pd.DataFrame:
    """Which rounding rules let every figure of a group be consistent.

    Returns
    -------
    pandas.DataFrame
        One row per (study, group, rule) with a known size: ``n`` (the size
        chosen under that rule), ``n_figures``, ``n_inconsistent`` and
        ``inconsistent`` (the items no count fits, comma-separated).

    Examples
    --------
    >>> from alignment_stats import load_benchmark, load_studies
    >>> table = rounding_sensitivity(load_benchmark(), load_studies())
    >>> it = table.query("study == 'leapfrog_2015' and group == 'it'")
    >>> print(it[["rule", "n", "n_inconsistent"]].to_string(index=False))
         rule    n  n_inconsistent
      half_up   24               2
    half_even   25               4
     truncate <NA>               8
         ceil   24               3
    """
    rows = []
    for rule in rules:
        counts = reconstruct_counts(figures, studies, rounding=rule, max_missing=max_missing)
        for (study, group), part in counts.groupby(["study", "group"], sort=False):
            facts = studies.get(study, {})
            if part["n"].isna().all():
                if not (facts.get("total_n") and group in (facts.get("group_shares") or {})):
                    continue  # size unknown under every rule: nothing to compare
                rows.append(
                    {
                        "study": study, "group": group, "rule": rule, "n": pd.NA, "n_figures": len(part),
                        "n_inconsistent": len(part),
                        "inconsistent": f"no split of {facts['total_n']} gives the published shares",
                    }
                )
                continue
            bad = part.loc[~part["consistent"].astype(bool), "item"]
            rows.append(
                {
                    "study": study, "group": group, "rule": rule, "n": int(part["n"].iloc[0]),
                    "n_figures": len(part), "n_inconsistent": len(bad), "inconsistent": ", ".join(sorted(bad)),
                }
            )
    table = pd.DataFrame(rows, columns=["study", "group", "rule", "n", "n_figures", "n_inconsistent", "inconsistent"])
    return table.astype({"n": "Int64"})


# ---------------------------------------------------------------------------
# cross-figure checks
# ---------------------------------------------------------------------------
def _row(counts: pd.DataFrame, study: str, item: str, group: str) -> pd.Series | None:
    match = counts[(counts["study"] == study) & (counts["item"] == item) & (counts["group"] == group)]
    return None if match.empty else match.iloc[0]


def _nearest_base(row: Any, figures: pd.DataFrame, reach: int = 5) -> str:
    """Say which nearby item bases would make an impossible figure feasible."""
    n = int(row.n)
    tries = [m for d in range(1, reach + 1) for m in (n - d, n + d) if m > 0]
    decimals = figures.loc[
        (figures["study"] == row.study) & (figures["item"] == row.item) & (figures["group"] == row.group), "decimals"
    ]
    ranges = count_ranges(
        [row.value] * len(tries), tries, int(decimals.iloc[0]) if len(decimals) else 0, row.rounding,
        lows=[row.low] * len(tries), highs=[row.high] * len(tries),
    )
    fits = [f"{m} (k = {a})" for m, a, f in zip(tries, ranges["k_low"], ranges["n_feasible"]) if f > 0]
    if not fits:
        return f"; no base within {reach} of {n} fits either"
    return f"; the nearest bases that fit: {', '.join(fits[:2])} — this item's base may differ from its group's"


def _check(study: str, check: str, figures: str, ok: Any, detail: str) -> dict[str, Any]:
    return {"study": study, "check": check, "figures": figures, "ok": ok, "detail": detail}


def audit_study_checks(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    counts: pd.DataFrame,
    rounding: str = "half_up",
) -> pd.DataFrame:
    """Run every consistency check of every study.

    Checks: ``composition`` (published group shares can sum to 100% and
    split the total), ``figure`` (each figure has a feasible count at the
    chosen size), ``group_size`` (how each size was obtained, or that none
    is known), ``pooled`` (a figure reported "in both groups" also holds
    for the pooled sample), ``nested`` (a subset share is not larger than
    its superset share), ``same_figure`` (two reports of one figure can
    describe the same count).

    Parameters
    ----------
    figures, studies
        The figures table and study facts.
    counts : pandas.DataFrame
        :func:`reconstruct_counts` of the same figures.
    rounding : str, default "half_up"
        Rule for figures of unknown rounding.

    Returns
    -------
    pandas.DataFrame
        ``study, check, figures, ok, detail``: ``figures`` names the figures
        involved (``item/group``), ``ok`` is True, False, or missing when the
        check cannot be made (no group size), ``detail`` shows the numbers.

    Examples
    --------
    >>> from alignment_stats import load_benchmark, load_studies
    >>> figures, studies = load_benchmark(), load_studies()
    >>> checks = audit_study_checks(figures, studies, reconstruct_counts(figures, studies))
    >>> print(checks.query("check == 'pooled'")["detail"].iloc[0])
    63% of 106 (k 67) and 63% of 24 (k 15) pool to 82 of 130 = 63.08%, which reads as 63%
    """
    rule = _check_rounding(rounding)
    rows: list[dict[str, Any]] = []
    for study, facts in studies.items():
        if study not in set(figures["study"]):
            continue
        shares = facts.get("group_shares")
        if shares:
            summed = shares_sum_consistent(shares, rounding=rule)
            ok = bool(summed["ok"].iloc[0])
            detail = f"shares {' + '.join(_pct(v) for v in shares.values())} = {sum(shares.values()):g}%"
            if facts.get("total_n"):
                splits = infer_group_sizes(int(facts["total_n"]), shares, rounding=rule)
                sizes = [
                    ", ".join(f"{g} {n}" for g, n in zip(c["group"], c["n"]))
                    for _, c in splits.groupby("candidate")
                ]
                ok = ok and bool(sizes)
                detail += (
                    f"; of {facts['total_n']} respondents they allow: {' | '.join(sizes)}"
                    if sizes else f"; no split of {facts['total_n']} respondents gives these shares"
                )
            rows.append(_check(study, "composition", ", ".join(f"{g} share" for g in shares), ok, detail))

    for row in counts.itertuples():
        ref = f"{row.item}/{row.group}"
        value = _figure_text(row)
        if pd.isna(row.n):
            continue
        if row.consistent:
            span = f"{row.k_low}" if row.k_low == row.k_high else f"{row.k_low}-{row.k_high}"
            detail = f"{value} of {row.n}: count {span} ({row.rounding})"
        else:
            detail = f"{value} is impossible with n = {row.n} under {row.rounding} rounding: no count k gives it"
            detail += _nearest_base(row, figures)
        rows.append(_check(row.study, "figure", ref, bool(row.consistent), detail))

    for (study, group), part in counts.groupby(["study", "group"], sort=False):
        refs = ", ".join(f"{i}/{group}" for i in part["item"])
        n = part["n"].iloc[0]
        if pd.isna(n):
            rows.append(_check(study, "group_size", refs, pd.NA, part["n_reason"].iloc[0]))
        else:
            ok = "item base" not in part["n_reason"].iloc[0]
            rows.append(_check(study, "group_size", f"{group} (n = {n})", ok, part["n_reason"].iloc[0]))

    for study, facts in studies.items():
        for check in facts.get("checks", []):
            if check["kind"] == "pooled":
                for item in check["items"]:
                    parts = [_row(counts, study, item, g) for g in ("marketing", "it")]
                    refs = f"{item}/marketing, {item}/it"
                    if any(p is None or pd.isna(p["n"]) or not p["consistent"] for p in parts):
                        rows.append(_check(study, "pooled", refs, pd.NA, "group sizes or counts unknown"))
                        continue
                    value = float(parts[0]["value"])
                    result = mixture_consistent(
                        [int(p["k_low"]) for p in parts], [int(p["k_high"]) for p in parts],
                        [int(p["n"]) for p in parts], value, rounding=rule,
                    )
                    total_n = sum(int(p["n"]) for p in parts)
                    k_pool = sum(int(p["k"]) for p in parts)
                    detail = " and ".join(f"{_pct(p['value'])} of {p['n']} (k {p['k']})" for p in parts)
                    detail += f" pool to {k_pool} of {total_n} = {100 * k_pool / total_n:.2f}%"
                    ok = bool(result["ok"].iloc[0])
                    detail += f", which reads as {_pct(value)}" if ok else f": no pooled count reads as {_pct(value)}"
                    rows.append(_check(study, "pooled", refs, ok, detail))
            elif check["kind"] == "nested":
                for group in ("marketing", "it", "all"):
                    sub = _row(counts, study, check["subset"], group)
                    sup = _row(counts, study, check["superset"], group)
                    if sub is None or sup is None:
                        continue
                    refs = f"{check['subset']}/{group} within {check['superset']}/{group}"
                    if pd.isna(sub["n"]) or not (sub["consistent"] and sup["consistent"]):
                        rows.append(_check(study, "nested", refs, pd.NA,
                                           "not checkable: a group size is unknown or a figure has no feasible count"))
                        continue
                    result = nested_consistent(int(sub["k_low"]), int(sup["k_high"]))
                    ok = bool(result["ok"].iloc[0])
                    detail = (
                        f"subset {_figure_text(sub)} (k >= {sub['k_low']}) vs superset "
                        f"{_figure_text(sup)} (k <= {sup['k_high']}) of {sub['n']}"
                    )
                    rows.append(_check(study, "nested", refs, ok, detail))
            elif check["kind"] == "same_figure":
                rows.append(_same_figure(study, check["figures"], counts, rule))
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def _same_figure(study: str, refs: list[str], counts: pd.DataFrame, rule: str) -> dict[str, Any]:
    rows = [_row(counts, *ref.split("/")) for ref in refs]
    label = " vs ".join(refs)
    if any(r is None or pd.isna(r["n"]) for r in rows) or len({int(r["n"]) for r in rows}) != 1:
        return _check(study, "same_figure", label, pd.NA, "the reports' group sizes are unknown or differ")
    n = int(rows[0]["n"])
    values = [float(r["value"]) for r in rows]

    def overlap(rule_name: str) -> tuple[bool, list[str]]:
        ranges = count_ranges(values, [n] * len(values), 0, rule_name)
        lo, hi = ranges["k_low"].max(), ranges["k_high"].min()
        spans = [f"{_pct(v)} -> none" if pd.isna(a) else (f"{_pct(v)} -> k {a}" if a == b else f"{_pct(v)} -> k {a}-{b}")
                 for v, a, b in zip(values, ranges["k_low"], ranges["k_high"])]
        return bool(pd.notna(lo) and pd.notna(hi) and lo <= hi), spans

    ok, spans = overlap(rule)
    detail = f"of n = {n} under {rule}: {'; '.join(spans)}"
    if ok:
        detail += ": the reports can describe the same count"
    else:
        fits = [r for r in SPECIFIC_RULES if overlap(r)[0]]
        any_ok, any_spans = overlap("any")
        detail += ": no common count, so the reports disagree"
        if fits:
            detail += f"; they agree only if both rounded by {', '.join(fits)}"
        elif any_ok:
            detail += f"; they agree only if the reports rounded differently ({'; '.join(any_spans)} under any rule)"
    return _check(study, "same_figure", label, ok, detail)


def audit_findings(checks: pd.DataFrame, sensitivity: pd.DataFrame | None = None) -> list[str]:
    """Plain-language findings from :func:`audit_study_checks`.

    Every failed check becomes a sentence, as do group sizes that had to be
    inferred as item bases, sizes that are unknown, and (given
    :func:`rounding_sensitivity`) the rounding rules a group's figures
    exclude.

    Examples
    --------
    >>> import pandas as pd
    >>> checks = pd.DataFrame([{"study": "s", "check": "figure", "figures": "a/it", "ok": False,
    ...                         "detail": "13% is impossible with n = 25"}])
    >>> audit_findings(checks)
    ['s: a/it — 13% is impossible with n = 25.']
    """
    findings = []
    for row in checks.itertuples():
        if pd.notna(row.ok) and bool(row.ok):
            continue
        findings.append(f"{row.study}: {row.figures} — {row.detail}.")
    if sensitivity is not None and len(sensitivity):
        for (study, group), part in sensitivity.groupby(["study", "group"], sort=False):
            fits = part.loc[part["n_inconsistent"] == 0, "rule"].tolist()
            if len(fits) < len(part):
                excluded = part.loc[part["n_inconsistent"] > 0]
                ruled = "; ".join(
                    f"{r.rule} ({'n = ' + str(r.n) + ': ' if pd.notna(r.n) else ''}{r.inconsistent})"
                    for r in excluded.itertuples()
                )
                fit_text = f"only {', '.join(fits)} rounding fits every figure" if fits else "no single rounding rule fits every figure"
                findings.append(f"{study}/{group}: {fit_text}; ruled out: {ruled}.")
    return findings


def write_counts(counts: pd.DataFrame, directory: str | Path = PROCESSED_DIR) -> tuple[Path, Path]:
    """Write ``counts.parquet`` and ``counts.csv`` atomically.

    Each file is written to a temporary file in the same directory and then
    renamed over the target, so a reader never sees a half-written file and
    a failure leaves the previous version in place.

    Returns
    -------
    tuple of Path
        The parquet and CSV paths.

    Examples
    --------
    >>> import tempfile
    >>> from alignment_stats import load_benchmark, load_studies
    >>> counts = reconstruct_counts(load_benchmark(), load_studies())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     parquet, csv = write_counts(counts, folder)
    ...     print(parquet.name, csv.name, len(pd.read_parquet(parquet)) == len(counts))
    counts.parquet counts.csv True
    """
    from .outputs import atomic_write

    directory = Path(directory)
    return (
        atomic_write(directory / "counts.parquet", lambda tmp: counts.to_parquet(tmp, index=False)),
        atomic_write(directory / "counts.csv", lambda tmp: counts.to_csv(tmp, index=False)),
    )


# ---------------------------------------------------------------------------
# the whole audit, as notebook 00 runs it
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Audit:
    """Everything notebook 00 shows: inputs, counts, checks and findings."""

    figures: pd.DataFrame
    studies: dict[str, dict[str, Any]]
    counts: pd.DataFrame
    checks: pd.DataFrame
    sensitivity: pd.DataFrame
    grid: pd.DataFrame
    findings: list[str] = field(default_factory=list)
    rounding: str = "half_up"

    source: str = "published figures"

    def describe(self) -> str:
        """One line saying what was audited."""
        if self.figures.empty:
            return f"{len(self.counts)} observed counts from {self.source}: nothing to reconstruct"
        return (f"{len(self.figures)} figures from {self.figures['study'].nunique()} studies; "
                f"rounding assumed: {self.rounding}")

    @property
    def chosen_sizes(self) -> pd.DataFrame:
        """One row per (study, group): the size used, alternatives and reason."""
        cols = ["study", "group", "n", "n_alternatives", "n_reason"]
        return self.counts[cols].drop_duplicates(["study", "group"]).reset_index(drop=True)

    @property
    def chosen_map(self) -> dict[tuple[str, str], int]:
        """``{(study, group): n}`` for the groups with a known size."""
        sizes = self.chosen_sizes.dropna(subset=["n"])
        return {(r.study, r.group): int(r.n) for r in sizes.itertuples()}

    @property
    def sensitivity_table(self) -> pd.DataFrame:
        """Figures no count fits, per (study, group) and rounding rule (wide)."""
        if self.sensitivity.empty:
            return pd.DataFrame()
        table = self.sensitivity.pivot_table(
            index=["study", "group"], columns="rule", values="n_inconsistent", aggfunc="first", sort=False
        )
        return table.reindex(columns=[r for r in SPECIFIC_RULES if r in table.columns])

    @property
    def cross_checks(self) -> pd.DataFrame:
        """The checks other than single-figure feasibility."""
        return self.checks[self.checks["check"] != "figure"].reset_index(drop=True)

    def findings_markdown(self) -> str:
        """The findings as a Markdown bullet list."""
        if not self.findings:
            return "No inconsistencies: every figure fits its group size and every cross-figure check passes."
        return "\n".join(f"- {line}" for line in self.findings)

    def write(self, output_dir: str | Path, processed_dir: str | Path | None = PROCESSED_DIR) -> list[Path]:
        """Write results/*.csv under ``output_dir`` and the counts table to ``processed_dir``."""
        from .outputs import write_result

        written = [
            write_result(self.counts, output_dir, "counts"),
            write_result(self.checks, output_dir, "checks"),
            write_result(self.sensitivity, output_dir, "rounding_sensitivity"),
            write_result(pd.DataFrame({"finding": self.findings}), output_dir, "findings"),
        ]
        if processed_dir is not None:
            processed = Path(processed_dir)
            written.extend(write_counts(self.counts, processed if processed.is_absolute() else PROJECT_ROOT / processed))
        return written


def run_audit(
    input: str | Path | None = None,
    studies: str | Path | None = None,
    rounding: str = "half_up",
    decimals: int | None = None,
    max_missing: int = 1,
    grid_reach: int = 4,
    codebook: str | Path | None = None,
) -> Audit:
    """Run the whole data audit of notebook 00.

    Parameters
    ----------
    input : str or Path, optional
        A figures CSV (default: the bundled benchmark figures).
    studies : str or Path, optional
        Its ``studies.yaml`` (default: beside ``input``, else bundled).
    rounding : str, default "half_up"
        Rule assumed where a source does not state its rounding.
    decimals : int, optional
        Decimal places the percentages were reported with; default: as
        written in the file. A value written with more decimals than this is
        an error.
    max_missing : int, default 1
        Non-responding or unclassified respondents allowed.
    grid_reach : int, default 4
        The heatmap shows sizes from ``n - grid_reach`` to ``n + grid_reach``
        around each group's candidate sizes.
    codebook : str or Path, optional
        When given, ``input`` holds respondent-level answers
        (:func:`alignment_stats.survey.load_responses`): the counts are
        observed, so there is nothing to reconstruct; the audit passes them
        through (and writes them to ``data/processed``) and says so.

    Returns
    -------
    Audit

    Examples
    --------
    >>> audit = run_audit()
    >>> print(audit.chosen_sizes.query("study == 'leapfrog_2015'")[["group", "n"]].to_string(index=False))
        group   n
    marketing 106
           it  24
    """
    _check_rounding(rounding)
    if codebook not in (None, ""):
        return _observed_audit(input, codebook, rounding)
    figures = load_benchmark(input, studies)
    study_facts = load_studies(studies) if studies is not None else _studies_for(input)
    if decimals is not None:
        if int(decimals) != decimals or not 0 <= decimals <= 6:
            raise ValueError(f"decimals: {decimals!r} must be a whole number from 0 to 6")
        written = figures["decimals"]
        bad = figures.index[written > decimals]
        if len(bad):
            row = figures.loc[bad[0]]
            raise ValueError(
                f"row {bad[0]} ({row['study']}/{row['item']}/{row['group']}), field value: written with "
                f"{written[bad[0]]} decimal place(s), which contradicts decimals={decimals}"
            )
        figures = figures.assign(decimals=int(decimals))
    counts = reconstruct_counts(figures, study_facts, rounding=rounding, max_missing=max_missing)
    checks = audit_study_checks(figures, study_facts, counts, rounding=rounding)
    sensitivity = rounding_sensitivity(figures, study_facts, max_missing=max_missing)
    candidates = candidate_sizes(figures, study_facts, rounding=rounding, max_missing=max_missing)
    sizes = {}
    for (study, group), part in candidates.groupby(["study", "group"], sort=False):
        if (figures.loc[(figures["study"] == study) & (figures["group"] == group)].shape[0]) < 2:
            continue  # one figure: nothing to cross-check in a heatmap
        lo, hi = int(part["n"].min()) - grid_reach, int(part["n"].max()) + grid_reach
        sizes[(study, group)] = range(max(1, lo), hi + 1)
    grid = feasibility_grid(figures, sizes, rounding=rounding)
    findings = audit_findings(checks, sensitivity)
    return Audit(figures, study_facts, counts, checks, sensitivity, grid, findings, rounding,
                 "bundled benchmark figures" if input is None else f"figures from {Path(input).name}")


def _observed_audit(input: str | Path | None, codebook: str | Path, rounding: str) -> Audit:
    """The audit of respondent-level data: observed counts, nothing to check."""
    from .data import FIGURE_COLUMNS
    from .inputs import load_input

    loaded = load_input(input, codebook=codebook)
    counts = loaded.counts.reindex(columns=list(COUNT_COLUMNS))
    checks = pd.DataFrame(
        [_check(r.study, "figure", f"{r.item}/{r.group}", True, f"observed: {r.k} of {r.n}") for r in counts.itertuples()],
        columns=list(CHECK_COLUMNS),
    )
    finding = (f"Respondent-level data ({loaded.source}): every count is observed, so no figure needs "
               "reconstructing and no group size needs inferring.")
    empty = pd.DataFrame(columns=["study", "group", "rule", "n", "n_figures", "n_inconsistent", "inconsistent"])
    grid = pd.DataFrame(columns=["study", "group", "item", "n", "feasible", "k_low", "k_high"])
    return Audit(pd.DataFrame(columns=list(FIGURE_COLUMNS)), {}, counts, checks, empty, grid, [finding], rounding,
                 loaded.source)


def _studies_for(input: str | Path | None) -> dict[str, dict[str, Any]]:
    if input is not None and (Path(input).parent / "studies.yaml").exists():
        return load_studies(Path(input).parent / "studies.yaml")
    return load_studies()
