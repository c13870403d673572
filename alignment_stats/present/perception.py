"""The perception gap for people: verdicts in words, the reading, display tables, results files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analyses.perception import PerceptionResult
from .labels import group_name
from .claims import claims_markdown, claims_tables, size_note, status_text
from .escape import escape
from .numbers import for_display, missing, p_equals, percent, percent_table, plural, points, span

__all__ = ["TEST_NAMES", "share_text", "summary_line", "item_sentence", "verdicts_markdown", "display_table",
           "sensitivity_table", "reading", "comparison_sentence", "results_tables", "size_labels"]

#: How each test is named in sentences.
TEST_NAMES = {"fisher": "Fisher's exact test", "fisher_midp": "Fisher's mid-p test", "boschloo": "Boschloo's test",
              "boschloo_fisher": "Boschloo's test (Fisher-ordered)", "z": "the z test", "chi2": "the chi-square test",
              "chi2_yates": "the chi-square test with Yates' correction", "arcsine": "the arcsine approximation"}
#: Respondent-level bases below this are flagged.
SMALL_BASE = 30


def share_text(p: Any, k: Any, n: Any, n_raw: Any = None) -> str:
    """A group's share in words: ``3/24 (12.5%)``, or the weighted estimate with its unweighted base.

    >>> share_text(0.125, 3, 24), share_text(0.4231, 3, 6, n_raw=7)
    ('3/24 (12.5%)', '42.3% weighted (7 respondents, below 30)')
    """
    if missing(p):
        return "–"
    if not missing(n_raw):
        flag = f", below {SMALL_BASE}" if int(n_raw) < SMALL_BASE else ""
        return f"{percent(p, 1)} weighted ({int(n_raw)} respondents{flag})"
    return f"{int(k)}/{int(n)} ({percent(p, 1)})"


def summary_line(result: PerceptionResult) -> str:
    """What was compared, with which methods."""
    s, table = result.settings, result.table
    tested = int((table["status"] == "ok").sum())
    return (f"{len(table)} items asked of both groups ({tested} tested), from {result.bundle.source}; CI {s.ci}, "
            f"test {s.test}, adjustment {s.adjust}")


def item_sentence(row: Any, alpha: float) -> str:
    """One compared item's result in words (never a missing number: an untested item says why)."""
    if row.status != "ok":
        return f"not tested: {status_text(row.status)}"
    label1, label2 = group_name(row, "1"), group_name(row, "2")
    text = (f"{label1} {share_text(row.p1, row.k1, row.n1, getattr(row, 'n_raw1', None))} vs {label2} "
            f"{share_text(row.p2, row.k2, row.n2, getattr(row, 'n_raw2', None))}: {points(row.diff)} points "
            f"({percent(row.ci_level, 0)} CI {points(row.ci_low)} to {points(row.ci_high)})")
    excludes = row.ci_low > 0 or row.ci_high < 0
    if row.significant:
        text += f"; a real gap (adjusted p {p_equals(row.p_adjusted)})"
    elif excludes:
        text += (f"; the interval excludes 0 but not after adjusting for {row.n_tests} comparisons "
                 f"(adjusted p {p_equals(row.p_adjusted)})")
    else:
        text += f"; not significant (adjusted p {p_equals(row.p_adjusted)})"
        if not missing(row.mdd) and abs(row.diff) < row.mdd:
            text += (f"; by {TEST_NAMES.get(row.test, row.test)} this sample detects only gaps of about "
                     f"{points(row.mdd, signed=False)} points or more")
    if not missing(row.prob_greater):
        text += (f". With flat (Jeffreys) priors, the chance that the true share of {label1} is the higher one is "
                 f"{percent(row.prob_greater)}")
    return text + size_note(row.n_source, row.n1, row.n2)


def verdicts_markdown(result: PerceptionResult) -> str:
    """One bullet per compared item with its result in words."""
    if result.table.empty:
        return "- No item is asked of both groups."
    return "\n".join(f"- **{escape(r.study)} · {escape(r.item)}**: {escape(item_sentence(r, result.settings.alpha))}"
                     for r in result.table.itertuples())


def display_table(result: PerceptionResult) -> pd.DataFrame:
    """The main table for display: shares, differences and limits in percent, p-values to 4 decimals."""
    columns = ["study", "item", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "p_value",
               "p_adjusted", "cohens_h", "mdd", "n_significant", "prob_greater", "n_source", "status"]
    columns += [c for c in ("n_raw1", "n_raw2") if c in result.table]
    table = percent_table(result.table[columns], ("p1", "p2", "diff", "ci_low", "ci_high", "mdd"),
                          ("p_value", "p_adjusted", "cohens_h", "prob_greater"))
    return for_display(table)


def sensitivity_table(result: PerceptionResult) -> pd.DataFrame:
    """The sensitivity summary with differences and limits in percent (for display)."""
    if result.sensitivity.empty:
        return pd.DataFrame({"note": ["No item could be tested in any scenario."]})
    table = percent_table(result.sensitivity, ("diff_min", "diff_max", "ci_low_min", "ci_high_max",
                                               "significant_share"), ("p_min", "p_max"))
    return for_display(table)


def size_labels(result: PerceptionResult) -> list[str]:
    """The labels of the significance-by-size curves, one per ``pair`` of the grid."""
    grid = result.size_grid
    if grid.empty:
        return []
    pairs = grid.drop_duplicates("pair").sort_values("pair")
    return [f"{r.study} · {r.item}" for r in pairs.itertuples()]


def reading(result: PerceptionResult) -> str:
    """A plain-language reading of the results, as Markdown, generated from them."""
    s, table = result.settings, result.table
    lines = []
    tested = table[table["status"] == "ok"]
    for study, part in tested.groupby("study", sort=False):
        sig = part[part["significant"]]
        verb = "differs" if len(sig) == 1 else "differ"
        text = f"- **{escape(study)}**: {len(sig)} of {plural(len(part), 'compared item')} {verb} significantly"
        text += f" ({escape(', '.join(sig['item']))})." if len(sig) else "."
        if part["n_source"].isin(["assumed", "override"]).all():
            sizes = ", ".join(dict.fromkeys(f"{a} and {b}" for a, b in zip(part["n1"], part["n2"])))
            text += (f" Its group sizes are not published; under the sizes {sizes} the result is an illustration, "
                     "not a finding.")
        small = part[~part["significant"] & part["mdd"].notna()]
        if len(small):
            text += (f" Gaps that are not significant here could only have been detected (by "
                     f"{TEST_NAMES.get(s.test, s.test)}, with {percent(s.power)} power) if they were at least "
                     f"{span(small['mdd'].min(), small['mdd'].max(), lambda v: points(v, signed=False))} points.")
        lines.append(text)
    untested = table[table["status"] != "ok"]
    if len(untested):
        lines.append(f"- Not tested ({len(untested)}): " + "; ".join(
            f"{escape(r.study)}/{escape(r.item)}: {status_text(r.status)}" for r in untested.itertuples()) + ".")
    sensitivity = result.sensitivity
    if len(sensitivity):
        fragile = sensitivity[~sensitivity["robust"]]
        if len(fragile):
            reasons = []
            for r in fragile.itertuples():
                why = [w for w, flag in (("group size/rounding/count", r.flips_with_data),
                                         ("interval method", r.flips_with_ci),
                                         ("multiplicity adjustment", r.flips_with_adjustment)) if flag]
                reasons.append(f"{escape(r.study)}/{escape(r.item)} (flips with {', '.join(why)})")
            lines.append("- Fragile conclusions: " + "; ".join(reasons) + ".")
        else:
            lines.append("- Every conclusion survives the other group sizes, rounding rules, counts, interval "
                         "methods and adjustments tried.")
    skipped = result.bundle.skipped_claims
    if skipped:
        lines.append(f"- {plural(len(skipped), 'bundled claim')} not judged here: their studies or figures are not in this "
                     "input.")
    claims = claims_markdown(result.claims)
    return "\n".join(lines + ([claims] if claims else [])) or "- No item is asked of both groups."


def comparison_sentence(row: Any) -> str:
    """One comparison a difference claim rests on, in words (for ``results/claims.csv``)."""
    return (f"{row.item}: {row.group1} - {row.group2} = {points(row.diff)} points, {percent(row.ci_level)} CI "
            f"{points(row.ci_low)} to {points(row.ci_high)}, adjusted p {p_equals(row.p_adjusted)}"
            f"{size_note(row.n_source, row.n1, row.n2)}")


def results_tables(result: PerceptionResult) -> dict[str, pd.DataFrame]:
    """The perception gap's ``results/*.csv``."""
    claims, comparisons = claims_tables(result.claims, result.comparisons, comparison_sentence)
    return {"perception_gap": result.table, "sensitivity": result.sensitivity, "claims": claims,
            "claim_comparisons": comparisons}
