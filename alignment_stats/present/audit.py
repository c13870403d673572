"""The data audit for people: findings, how each group size was obtained, display tables, results files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analyses.audit import AuditResult
from ..schema import SPECIFIC_RULES
from .escape import escape
from .numbers import for_display, plural

__all__ = ["describe", "figures_table", "size_reason", "sizes_table", "findings", "reading", "sensitivity_table",
           "cross_checks", "counts_table", "results_tables"]


def describe(result: AuditResult) -> str:
    """One line saying what was audited.

    >>> from alignment_stats.analyses.audit import run_audit
    >>> describe(run_audit())
    '42 figures from 8 studies; rounding assumed where a source does not say: half_up'
    """
    bundle = result.bundle
    if bundle.figures is None:
        return f"{len(result.table)} observed counts from {bundle.source}: nothing to reconstruct"
    return (f"{len(bundle.figures)} figures from {bundle.figures['study'].nunique()} studies; rounding assumed "
            f"where a source does not say: {bundle.options.rounding}")


def figures_table(result: AuditResult) -> pd.DataFrame:
    """The published figures with their sources (for display), or a note for respondent-level data."""
    figures = result.bundle.figures
    if figures is None:
        return for_display(pd.DataFrame({"note": [f"Respondent-level data ({result.bundle.source}): no published "
                                                  "figure."]}))
    return for_display(figures[["study", "item", "group", "value", "low", "high", "n", "source_kind", "source"]])


def cross_checks(result: AuditResult) -> pd.DataFrame:
    """The checks other than single-figure feasibility (for display)."""
    checks = result.checks[result.checks["check"] != "figure"].reset_index(drop=True)
    if checks.empty:
        return pd.DataFrame({"note": ["No cross-figure check applies to this input."]})
    return for_display(checks)


def counts_table(result: AuditResult) -> pd.DataFrame:
    """The counts table (for display)."""
    columns = ["study", "item", "group", "n", "k", "k_low", "k_high", "consistent", "n_source", "value", "low", "high",
               "rounding"]
    columns += [c for c in ("n_raw", "n_eff") if c in result.table]
    return for_display(result.table[columns])


def size_reason(row: Any, members: pd.DataFrame, assumable: frozenset, rule: str) -> str:
    """Where one group's size comes from, in words built from ``split_total``, ``split_unclassified``, ``item_missing``.

    ``row`` is a row of :func:`alignment_stats.analyses.audit.chosen_sizes`;
    ``members`` the groups of its split.
    """
    if pd.isna(row.n):
        if (row.study, row.group) in assumable:
            return "neither published nor inferable: an analysis must assume a size (and its results are illustrative)"
        return (f"no split of the published sample gives the published shares under {rule} rounding: "
                "its figures are not assessable under this rule")
    if row.n_source == "published":
        return f"published: n = {row.n}"
    parts = members[(members["study"] == row.study) & (members["split"] == row.split)]
    shares = " + ".join(f"{g} {n}" for g, n in zip(parts["group"], parts["group_n"]))
    classified = int(parts["group_n"].sum())
    what = "respondents in the file" if row.n_source == "observed" else f"respondents ({rule} rounding of the shares)"
    left_out = "left out" if row.n_source == "observed" else "unclassified"
    text = (f"{shares} = {classified} of {row.split_total} {what}, {row.split_unclassified} {left_out}"
            f" ({classified} + {row.split_unclassified} = {row.split_total})")
    if row.item_missing:
        text += f"; item base {row.n} = {row.group_n} - {plural(int(row.item_missing), 'non-response')}"
    return text


def sizes_table(result: AuditResult) -> pd.DataFrame:
    """The size used for every group, and why (for display)."""
    rule = result.bundle.options.rounding
    table = result.sizes.assign(reason=[size_reason(r, result.splits, result.bundle.assumable, rule)
                                        for r in result.sizes.itertuples()])
    return for_display(table[["study", "group", "n", "n_source", "reason"]])


def findings(result: AuditResult) -> list[str]:
    """Every failed or uncheckable check as a sentence, and the rounding rules each group's figures exclude (plain text).

    Examples
    --------
    >>> from alignment_stats.analyses.audit import run_audit
    >>> [f for f in findings(run_audit()) if f.startswith("leapfrog_2015/it")][0][:62]
    'leapfrog_2015/it: no single rounding rule fits every figure; r'
    """
    if result.bundle.figures is None:
        return [f"Respondent-level data ({result.bundle.source}): every count is observed, so no figure needs "
                "reconstructing and no group size needs inferring."]
    out = []
    for row in result.checks.itertuples():
        if pd.notna(row.ok) and bool(row.ok):
            continue
        out.append(f"{row.study}: {row.figures} — {row.detail}.")
    sensitivity = result.sensitivity
    for (study, group), part in sensitivity.groupby(["study", "group"], sort=False):
        fits = part.loc[part["n_inconsistent"] == 0, "rule"].tolist()
        if len(fits) == len(part):
            continue
        ruled = "; ".join(f"{r.rule} ({'n = ' + str(r.n) + ': ' if pd.notna(r.n) else ''}{r.inconsistent})"
                          for r in part[part["n_inconsistent"] > 0].itertuples())
        fit_text = f"only {', '.join(fits)} rounding fits every figure" if fits else \
            "no single rounding rule fits every figure"
        out.append(f"{study}/{group}: {fit_text}; ruled out: {ruled}.")
    return out


def reading(result: AuditResult) -> str:
    """The findings as a Markdown list, escaped (or the sentence that there are none)."""
    lines = findings(result)
    if not lines:
        return "No inconsistencies: every figure fits its group size and every cross-figure check passes."
    return "\n".join(f"- {escape(line)}" for line in lines)


def sensitivity_table(result: AuditResult) -> pd.DataFrame:
    """Figures no count fits, per (study, group) and rounding rule (wide, for display)."""
    if result.sensitivity.empty:
        return pd.DataFrame({"note": ["Respondent-level data: no rounding to test."]})
    table = result.sensitivity.pivot_table(index=["study", "group"], columns="rule", values="n_inconsistent",
                                           aggfunc="first", sort=False)
    return table.reindex(columns=[r for r in SPECIFIC_RULES if r in table.columns])


def results_tables(result: AuditResult) -> dict[str, pd.DataFrame]:
    """The audit's ``results/*.csv``: counts (with the reason of each size), checks, sensitivity, findings."""
    rule = result.bundle.options.rounding
    reasons = {(r.study, r.group): size_reason(r, result.splits, result.bundle.assumable, rule)
               for r in result.sizes.itertuples()}
    counts = result.table.assign(n_reason=[reasons[(s, g)] for s, g in zip(result.table["study"],
                                                                          result.table["group"])])
    return {"counts": counts, "checks": result.checks, "rounding_sensitivity": result.sensitivity,
            "findings": pd.DataFrame({"finding": findings(result)})}
