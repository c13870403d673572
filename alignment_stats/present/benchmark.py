"""The benchmark comparison for people: positions in words, the reading, display tables, results files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analyses.benchmark import POSITIONS, BenchmarkResult
from .labels import group_name
from .escape import escape
from .numbers import for_display, missing, p_equals, percent, percent_table, plural, points
from .perception import share_text

__all__ = ["label", "published_figure", "row_sentence", "summary_line", "counts_table", "display_table",
           "paired_table", "verdicts_markdown", "reading", "synthetic_banner", "results_tables"]


def label(result: BenchmarkResult) -> str:
    """Your study's id (ids, joined, for several), marked ``(SYNTHETIC)`` for synthetic data."""
    study = ", ".join(result.compared_studies) or "your survey"
    return f"{study} (SYNTHETIC)" if result.bundle.synthetic else study


def published_figure(row: Any) -> str:
    """The benchmark's published figure as printed: ``30%`` or ``45-55%``."""
    if not missing(row.value2):
        return f"{row.value2:g}%"
    if not missing(row.low2) and not missing(row.high2):
        return f"{row.low2:g}-{row.high2:g}%"
    return "a figure"


def row_sentence(row: Any, alpha: float) -> str:
    """One compared item and group in words."""
    if row.status == "no_figure":
        return f"no {row.benchmark_study} figure for {row.item}/{row.group}: not compared"
    if row.status != "ok":
        return (f"{row.benchmark_study} publishes {published_figure(row)} here, but no whole count of its group fits "
                "it (see the data audit): not compared")
    ours = share_text(row.p1, row.k1, row.n1, getattr(row, "n_raw1", None))
    text = (f"you {ours} vs {row.benchmark_study} {row.k2}/{row.n2} ({percent(row.p2, 1)}, published "
            f"{published_figure(row)}): {points(row.diff, 1)} points ({percent(row.ci_level)} CI "
            f"{points(row.ci_low, 1)} to {points(row.ci_high, 1)}); ")
    if row.position == "indistinguishable":
        text += f"indistinguishable from the benchmark (adjusted p {p_equals(row.p_adjusted)})"
        if row.ci_low > 0 or row.ci_high < 0:
            text += f", the interval excludes 0 but not after adjusting for {row.n_tests} comparisons"
    else:
        text += f"{row.position} the benchmark (adjusted p {p_equals(row.p_adjusted)})"
    if row.k2_low != row.k2_high:
        counts = f"{row.k2_low}-{row.k2_high}"
        text += (f"; the same over every feasible benchmark count ({counts})" if row.robust else
                 f"; over the feasible benchmark counts {counts} it reads {row.positions}")
    return text


def summary_line(result: BenchmarkResult) -> str:
    """What was compared."""
    s = result.settings
    return (f"{plural(len(result.table), 'item/group figure')} of {plural(len(result.compared_studies), 'study', 'studies')} from "
            f"{result.bundle.source} against {s.benchmark_study}; CI {s.ci}, test {s.test}, adjustment {s.adjust}, "
            f"design {s.design}")


def synthetic_banner(result: BenchmarkResult) -> str:
    """The warning shown above synthetic data (empty for real data: the codebook says which)."""
    if not result.bundle.synthetic:
        return ""
    return (f"> **This input is SYNTHETIC** ({escape(result.bundle.source)}): generated to reproduce the benchmark's "
            "counts, it shows the workflow and is not evidence.")


def counts_table(result: BenchmarkResult) -> pd.DataFrame:
    """Your survey's counts (for display): the weighted share beside the unweighted base when weighted."""
    columns = ["study", "item", "group", "k", "n", "value", "pair", "measure"]
    columns += [c for c in ("n_raw", "n_eff") if c in result.counts]
    table = result.counts[columns].copy()
    table["value"] = table["value"].round(1)
    if "n_eff" in table:
        table["n_eff"] = table["n_eff"].round(1)
    return for_display(table)


def display_table(result: BenchmarkResult) -> pd.DataFrame:
    """The comparison with shares and differences in percent (1 decimal)."""
    if result.table.empty:
        return pd.DataFrame({"note": ["Nothing compared."]})
    table = result.table.assign(benchmark_figure=[published_figure(r) for r in result.table.itertuples()])
    columns = ["item", "group", "k1", "n1", "k2", "n2", "benchmark_figure", "p1", "p2", "diff", "ci_low", "ci_high",
               "p_adjusted", "position", "robust"]
    if len(result.compared_studies) > 1:
        columns = ["study", *columns]
    return for_display(percent_table(table[columns], ("p1", "p2", "diff", "ci_low", "ci_high"), ("p_adjusted",)))


def paired_table(result: BenchmarkResult) -> pd.DataFrame:
    """Observed paired tables with the shares they identify (percent)."""
    if result.paired is None:
        return pd.DataFrame({"note": ["The survey pairs no importance/expertise items."]})
    table = result.paired.drop(columns=["item_a", "item_b"], errors="ignore").copy()
    n = table["n"].astype(float)
    table["importance"] = (100 * (table["both"] + table["a_only"]) / n).round(1)
    table["expertise"] = (100 * (table["both"] + table["b_only"]) / n).round(1)
    if "p_hat_a" in table:  # weighted: the shares are the weighted estimates
        table["importance"], table["expertise"] = (100 * table["p_hat_a"]).round(1), (100 * table["p_hat_b"]).round(1)
    table["gap"] = (table["importance"] - table["expertise"]).round(1)
    table["important_not_expert"] = (100 * table["a_only"] / n).round(1)
    return for_display(table)


def verdicts_markdown(result: BenchmarkResult) -> str:
    """One bullet per compared item and group."""
    several = len(result.compared_studies) > 1
    return "\n".join(f"- **{escape(r.study) + ' · ' if several else ''}{escape(r.item)} · {escape(group_name(r))}**: "
                     f"{escape(row_sentence(r, result.settings.alpha))}" for r in result.table.itertuples()) \
        or "- Nothing compared."


def reading(result: BenchmarkResult) -> str:
    """A plain-language reading of the comparison, as Markdown."""
    s, table = result.settings, result.table
    alpha, bench = s.alpha, s.benchmark_study
    lines = []
    compared = table[table["position"].isin(POSITIONS)]
    several = len(result.compared_studies) > 1
    left_out = [st for st in result.bundle.study_ids if st != bench and st not in set(table["study"])]
    if left_out:
        lines.append(f"- Not compared: {escape(', '.join(left_out))} share{'s' if len(left_out) == 1 else ''} no "
                     f"item/group with a count of **{escape(bench)}**.")
    for name in dict.fromkeys(compared["study"]):
        part = compared[compared["study"] == name]
        first = part.iloc[0]
        counts = {p: int((part["position"] == p).sum()) for p in POSITIONS}
        lines.append(
            f"- **{escape(name)}** against **{escape(bench)}**: {plural(len(part), 'item/group figure')} compared (alpha "
            f"{alpha:g}, {escape(first['adjust'])} adjustment over {int(first['n_tests'])} tests"
            f"{' within this study' if several else ''}): above the benchmark on {counts['above']}, below on "
            f"{counts['below']}, indistinguishable on {counts['indistinguishable']}.")
        for position in ("above", "below"):
            rows = part[part["position"] == position]
            if len(rows):
                lines.append(f"- {escape(f'{name}, {position}' if several else position.capitalize())}: " + "; ".join(
                    f"{escape(r.item)} ({escape(group_name(r))}) {points(r.diff)} points" for r in rows.itertuples())
                    + ".")
    same = compared[compared["position"] == "indistinguishable"]
    if len(same):
        lines.append(f"- Indistinguishable is not the same as equal: the {percent(1 - alpha)} intervals of these "
                     f"differences still allow gaps between {points(same['ci_low'].min())} and "
                     f"{points(same['ci_high'].max())} points.")
    ranged = compared[compared["k2_low"] != compared["k2_high"]]
    if len(ranged):
        fragile = ranged[~ranged["robust"].astype(bool)]
        if len(fragile):
            lines.append("- The conclusion depends on which count stands behind the published figure for: " + "; ".join(
                f"{escape(r.item)} ({escape(group_name(r))}: {escape(r.positions)})" for r in fragile.itertuples())
                + ".")
        else:
            lines.append(f"- Where the benchmark's count is not exactly known ({plural(len(ranged), 'figure')}: a vague "
                         "wording or several feasible counts), every feasible count gives the same conclusion.")
    untested = table[table["status"] != "ok"]
    if len(untested):
        lines.append("- Not compared (a published figure no whole count fits): " + ", ".join(
            f"{escape(r.item)} ({escape(group_name(r))})" for r in untested.itertuples()) + ".")
    if s.design == "weighted":
        lines.append("- Weighted: your shares are the weighted estimates; their intervals use Kish's effective sample "
                     "sizes, and the tests run on the rounded effective counts.")
    if result.bundle.synthetic:
        lines.append(f"- **Synthetic data** ({escape(result.bundle.source)}): the survey was generated to reproduce "
                     "the benchmark's counts, so agreement here is by construction, not a finding.")
    return "\n".join(lines) or "- Nothing compared."


def results_tables(result: BenchmarkResult) -> dict[str, pd.DataFrame | None]:
    """The benchmark comparison's ``results/*.csv``."""
    table = result.table.assign(benchmark_figure=[published_figure(r) for r in result.table.itertuples()],
                                sentence=[row_sentence(r, result.settings.alpha) for r in result.table.itertuples()])
    return {"benchmark_comparison": table, "survey_counts": result.counts, "paired_tables": result.paired,
            "sensitivity": result.sensitivity}
