"""Shared incentives for people: each item's finding in words, the reading, display tables, results files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analyses.incentives import IncentivesResult
from .labels import group_name
from .claims import claims_markdown, claims_tables, size_note, status_text
from .escape import escape
from .numbers import for_display, missing, p_equals, p_text, percent, percent_table, plural, points
from .perception import share_text

__all__ = ["summary_line", "item_sentence", "display_table", "sensitivity_table", "reading", "comparison_sentence",
           "results_tables"]


def _margin(margin: float) -> str:
    return points(margin, 1, signed=False).removesuffix(".0")


def summary_line(result: IncentivesResult) -> str:
    """What was tested, with which settings."""
    s = result.settings
    return (f"{plural(len(result.table), 'agreement item')} from {result.bundle.source}; margin ±{_margin(s.margin)} points, "
            f"alpha {s.alpha:g} per one-sided test, {s.test} TOST")


def item_sentence(r: Any) -> str:
    """One item's result in words (an untested item says why)."""
    if r.finding == "not testable":
        return f"not tested: {status_text(r.status)}"
    m = _margin(r.margin)
    text = (f"{group_name(r, '1')} {share_text(r.p1, r.k1, r.n1, getattr(r, 'n_raw1', None))} vs {group_name(r, '2')} "
            f"{share_text(r.p2, r.k2, r.n2, getattr(r, 'n_raw2', None))}:"
            f" {points(r.diff, 1)} points, {percent(1 - 2 * r.alpha)} CI {points(r.tost_ci_low, 1)} to "
            f"{points(r.tost_ci_high, 1)}")
    if r.degenerate:
        text += "; the test's variance estimate is 0 here, so it says nothing (degenerate)"
    elif r.finding == "equivalent":
        text += f"; equivalent within ±{m} points (TOST p {p_equals(r.p_value)}): the data support agreement"
        if r.significant:
            text += ", although the (small) difference is statistically significant"
    elif r.finding == "different":
        text += (f"; the groups differ (the {percent(r.ci_level)} interval {points(r.ci_low, 1)} to "
                 f"{points(r.ci_high, 1)} excludes 0): this is not agreement")
    else:
        far = "far " if not missing(r.power) and r.power < 0.2 else ""
        text += (f"; no significant difference, so compatible with agreement, but {far}too small to show it "
                 f"(TOST p {p_equals(r.p_value)} against ±{m} points): it rules out only differences beyond "
                 f"±{points(r.min_margin, 1, signed=False)} points")
        if not missing(r.n_required):
            text += (f"; ±{m} points would need about {r.n_required} per group by the {r.test} TOST (this study: "
                     f"{r.n1} and {r.n2}")
            text += f"; its power to show it even if the shares were equal: {percent(r.power)})" \
                if not missing(r.power) else ")"
    return text + size_note(r.n_source, r.n1, r.n2)


def display_table(result: IncentivesResult) -> pd.DataFrame:
    """The main table for display: shares, differences, margins and power in percent."""
    columns = ["study", "item", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "tost_ci_low", "tost_ci_high", "p_value",
               "equivalent", "significant", "min_margin", "power", "n_required", "finding", "n_source"]
    table = percent_table(result.table[columns], ("p1", "p2", "diff", "tost_ci_low", "tost_ci_high", "min_margin",
                                                  "power"), ("p_value",))
    return for_display(table)


def sensitivity_table(result: IncentivesResult) -> pd.DataFrame:
    """The sensitivity summary with differences, margins and shares in percent."""
    if result.sensitivity.empty:
        return pd.DataFrame({"note": ["No agreement item could be tested."]})
    table = percent_table(result.sensitivity, ("diff_min", "diff_max", "min_margin_min", "min_margin_max",
                                               "equivalent_share", "significant_share"), ("p_value_min", "p_value_max"))
    return for_display(table)


def reading(result: IncentivesResult) -> str:
    """A plain-language reading of the results, as Markdown."""
    s, table = result.settings, result.table
    if table.empty:
        return "No agreement item to test in this input."
    lines = [
        "Equal shares are not evidence of agreement: a small sample misses large differences. Agreement is shown "
        f"only when the {percent(1 - 2 * s.alpha)} interval of the difference lies within ±{_margin(s.margin)} "
        f"points (two one-sided tests, {escape(s.test)} method).",
        "",
    ]
    lines += [f"- **{escape(r.study)} · {escape(r.item)}**: {escape(item_sentence(r))}." for r in table.itertuples()]
    index = table.set_index(["study", "item"])
    for r in result.sensitivity.itertuples():
        g = index.loc[(r.study, r.item)]
        g = g.iloc[0] if isinstance(g, pd.DataFrame) else g
        text = (f"- {escape(r.item)}: over {plural(int(r.scenarios), 'scenario')} of group size, rounding rule and count "
                f"({group_name(g, '1')} n = {r.n1_values}; {group_name(g, '2')} n = {r.n2_values}), the TOST "
                f"p-value runs from {p_text(r.p_value_min)} to {p_text(r.p_value_max)} and the smallest demonstrable "
                f"margin from ±{points(r.min_margin_min, 1, signed=False)} to "
                f"±{points(r.min_margin_max, 1, signed=False)} points; ")
        if r.robust:
            text += f"the finding ({escape(r.findings)}) never changes, nor with the TOST method."
        else:
            why = [w for w, flag in (("group size/rounding/count", r.flips_with_data),
                                     ("TOST method", r.flips_with_method)) if flag]
            text += f"the finding changes with the {' and the '.join(why)} ({escape(r.findings)})."
        lines.append(text)
    if s.design_effect > 1:
        lines.append(f"- Planning figures (power, group size needed) assume a design effect of {s.design_effect:g}; "
                     "the tests treat the counts as a simple random sample.")
    claims = claims_markdown(result.claims)
    return "\n".join(lines + ([claims] if claims else []))


def comparison_sentence(row: Any) -> str:
    """One comparison an agreement claim rests on, in words."""
    m = _margin(row.margin)
    text = (f"{row.item}: {group_name(row, '1')} {percent(row.p1)} vs {group_name(row, '2')} {percent(row.p2)}, "
            f"difference {points(row.diff, 1)} points ({percent(1 - 2 * (1 - row.ci_level))} CI "
            f"{points(row.tost_ci_low, 1)} to {points(row.tost_ci_high, 1)}); TOST p {p_equals(row.p_adjusted)} "
            f"against ±{m} points; the data can show agreement only within "
            f"±{points(row.min_margin, 1, signed=False)} points or wider")
    if row.finding == "inconclusive" and not missing(row.n_required):
        text += f"; ±{m} points would need about {row.n_required} per group"
    return text + size_note(row.n_source, row.n1, row.n2)


def results_tables(result: IncentivesResult) -> dict[str, pd.DataFrame]:
    """The shared-incentives ``results/*.csv``."""
    claims, comparisons = claims_tables(result.claims, result.comparisons, comparison_sentence)
    return {"shared_incentives": result.table, "claims": claims, "claim_comparisons": comparisons,
            "sensitivity": result.sensitivity, "required_n": result.required_n}
