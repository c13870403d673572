"""The skills gap for people: notes, the reading, display tables, results files."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analyses.skills import BASIS_BOUNDS, BASIS_EXACT, BASIS_NONE, SkillsResult
from .claims import claims_markdown, claims_tables, size_note, status_text
from .escape import escape
from .numbers import MISSING, for_display, missing, percent, plural, points, span

__all__ = ["skill_label", "note", "summary_line", "display_table", "ranking_table", "sensitivity_table", "reading",
           "comparison_sentence", "results_tables"]

_TEST_NAMES = {"exact": "exact McNemar", "midp": "mid-p McNemar", "mcnemar": "McNemar (asymptotic)",
               "mcnemar_cc": "McNemar with continuity correction"}


def skill_label(pair: Any) -> str:
    """A skill's pair id as words (``data_tracking_analytics`` -> ``data tracking analytics``)."""
    return str(pair).replace("_", " ")


def note(row: Any) -> str:
    """What else to know about one skill's row, in words ("" when nothing)."""
    if row.status == "one_measure":
        have = "importance" if not missing(row.item_a) else "expertise"
        lacking = "expertise" if have == "importance" else "importance"
        return f"{have} only: no {lacking} figure to pair with"
    if row.status != "ok":
        return status_text(row.status)
    if row.basis == BASIS_EXACT:
        if not missing(row.n_raw):
            return (f"weighted: the table holds effective counts (n = {row.n} of {row.n_raw} respondents), so the "
                    "exact test is approximate")
        if not missing(row.item_n):
            return f"paired on the {row.n} respondents who answered both items (the items' base: {row.item_n})"
        return ""
    if row.k_a_low != row.k_a_high or row.k_b_low != row.k_b_high:
        return (f"the published shares admit counts {span(row.k_a_low, row.k_a_high)} and "
                f"{span(row.k_b_low, row.k_b_high)}; the bounds cover all of them")
    return ""


def summary_line(result: SkillsResult) -> str:
    """What was compared, how."""
    s = result.settings
    return (f"{plural(len(result.table), 'skill')} from {result.bundle.source}; {result.basis}; paired CI {s.ci}, "
            f"{_TEST_NAMES.get(s.test, s.test)} test")


def _span_points(low: Any, high: Any) -> str:
    return span(low, high, lambda v: points(v, 1))


def display_table(result: SkillsResult) -> pd.DataFrame:
    """One row per skill for display: shares, gap and interval limits in percent."""
    b = result.table
    table = pd.DataFrame({
        "study": b["study"], "skill": b["pair"].map(skill_label), "n": b["n"],
        "importance": (100 * b["p_a"]).round(1), "expertise": (100 * b["p_b"]).round(1),
        "gap": (100 * b["gap"]).round(1),
        "important_not_expert": [span(r.a_only_min, r.a_only_max) for r in b.itertuples()],
        "expert_not_important": [span(r.b_only_min, r.b_only_max) for r in b.itertuples()],
        "ci_low_range": [_span_points(r.ci_low_min, r.ci_low_max) for r in b.itertuples()],
        "ci_high_range": [_span_points(r.ci_high_min, r.ci_high_max) for r in b.itertuples()],
        "p_range": [span(r.p_min, r.p_max, lambda v: f"{float(v):.3g}") for r in b.itertuples()],
        "significant_tables": b["significant_tables"].fillna(MISSING), "basis": b["basis"],
        "note": [note(r) for r in b.itertuples()],
    })
    return for_display(table)


def ranking_table(result: SkillsResult) -> pd.DataFrame:
    """The ranking with gaps and shares in percent."""
    r = result.ranking.copy()
    if r.empty:
        return pd.DataFrame({"note": ["No skill has both measures to rank."]})
    r.insert(2, "skill", r.pop("pair").map(skill_label))
    for column in ("gap", "share_first", "share_first_least_discordant"):
        r[column] = (100 * r[column].astype(float)).round(1)
    return for_display(r.drop(columns=["replicates", "seed"]))


def sensitivity_table(result: SkillsResult) -> pd.DataFrame:
    """Each skill's verdict over every scenario of rounding rule, size and count (for display)."""
    if result.sensitivity.empty:
        return pd.DataFrame({"note": ["No skill is compared from published margins, so there is no scenario to vary."]})
    table = result.sensitivity.copy()
    for column in ("gap_min", "gap_max"):
        table[column] = (100 * table[column].astype(float)).round(1)
    return for_display(table)


def reading(result: SkillsResult) -> str:
    """A plain-language reading of the results, as Markdown."""
    gaps, ranking = result.table, result.ranking
    lines = []
    compared = gaps[gaps["basis"].isin([BASIS_EXACT, BASIS_BOUNDS])]
    for (study, group), part in compared.groupby(["study", "group"], sort=False):
        basis = ", ".join(dict.fromkeys(part["basis"]))
        ns = ", ".join(str(int(v)) for v in dict.fromkeys(part["n"]))
        positive = part[part["gap"] > 0]
        text = (f"- **{escape(study)}** ({escape(group)}, n = {ns}; {basis}): importance exceeds expertise for "
                f"{len(positive)} of {plural(len(part), 'skill')}")
        if len(positive):
            lo, hi = points(positive["gap"].min(), signed=False), points(positive["gap"].max(), signed=False)
            text += f", by {lo} points" if lo == hi else f", by {lo} to {hi} points"
        lines.append(text + ".")
        labels = {level: [escape(skill_label(p)) for p in part.loc[part["significant_tables"] == level, "pair"]]
                  for level in ("all", "some", "none")}
        exact = (part["basis"] == BASIS_EXACT).all()
        if labels["all"]:
            what = "Significant" if exact else "Significant whatever the overlap of the two answers"
            lines.append(f"  - {what}: {', '.join(labels['all'])}.")
        if labels["some"]:
            detail = "; ".join(f"{escape(skill_label(r.pair))}: {int(r.tables_significant)} of {int(r.tables)} tables"
                               for r in part[part["significant_tables"] == "some"].itertuples())
            lines.append(f"  - Significant for some compatible tables but not all ({detail}): whether these gaps are "
                         "real depends on how many respondents rate a skill important *and* claim expertise in it, "
                         "which the published figures do not say.")
        if labels["none"]:
            what = "Not significant" if exact else "Not significant for any compatible table"
            lines.append(f"  - {what}: {', '.join(labels['none'])}.")
        if not exact:
            spans = "; ".join(f"{escape(skill_label(r.pair))}: {int(r.a_only_min)}-{int(r.a_only_max)}"
                              for r in part.itertuples())
            lo, hi = int(part["a_only_min"].min()), int(part["a_only_max"].max())
            lines.append(f"  - Between {lo} and {hi} of the {ns} respondents rate a skill important without claiming "
                         f"expertise in it ({spans}); the published figures do not say more.")
        rank = ranking[(ranking["study"] == study) & (ranking["group"] == group)] if len(ranking) else ranking
        if len(rank):
            top = rank.iloc[0]
            tied = rank[rank["rank"] == top["rank"]]
            names = " and ".join(escape(skill_label(p)) for p in tied["pair"])
            shares = ", ".join(f"{escape(skill_label(r.pair))} {percent(r.share_first)}" for r in rank.itertuples())
            lines.append(f"  - Largest gap: {names} ({points(top['gap'], signed=False)} points). Share of "
                         f"{int(top['replicates'])} bootstrap replicates in which each skill has the largest gap: "
                         f"{shares}.")
    skipped = gaps[gaps["basis"] == BASIS_NONE]
    if len(skipped):
        listed = "; ".join(f"{escape(r.study)}/{escape(skill_label(r.pair))} ({note(r)})" for r in skipped.itertuples())
        lines.append(f"- Not compared: {listed}.")
    fragile = result.sensitivity[~result.sensitivity["robust"].astype(bool)] if len(result.sensitivity) else []
    if len(fragile):
        lines.append("- Depends on the rounding rule or group size: " + "; ".join(
            f"{escape(skill_label(r.pair))} ({escape(r.significant_tables)})" for r in fragile.itertuples()) + ".")
    claims = claims_markdown(result.claims)
    return "\n".join(lines + ([claims] if claims else [])) or "- No paired items to compare."


def comparison_sentence(row: Any) -> str:
    """One comparison a gap claim rests on, in words."""
    head = (f"{row.item}: {row.k1} vs {row.k2} of {row.n1} ({percent(row.k1 / row.n1)} vs {percent(row.k2 / row.n2)}),"
            f" gap {points(row.diff)} points")
    level = percent(row.ci_level)
    if row.basis == BASIS_EXACT:
        return (f"{head}; {BASIS_EXACT}: {level} CI {points(row.ci_low, 1)} to {points(row.ci_high, 1)}, "
                f"p = {row.p_adjusted:.3g}")
    sig = ("significant for every one" if row.tables_significant == row.tables else
           "significant for none" if row.tables_significant == 0 else
           f"significant for {row.tables_significant} of them")
    across = " (the respondent data hold no table crossing these two items)" if row.across else ""
    return (f"{head}; {row.basis}{across}: over the {row.tables} compatible tables the {level} CI's lower limit lies "
            f"between {points(row.ci_low, 1)} and {points(row.ci_low_max, 1)} points, its upper limit between "
            f"{points(row.ci_high_min, 1)} and {points(row.ci_high, 1)}, and the p-value between {row.p_min:.3g} and "
            f"{row.p_adjusted:.3g}: {sig}" + size_note(row.n_source, row.n1, row.n2))


def results_tables(result: SkillsResult) -> dict[str, pd.DataFrame]:
    """The skills-gap ``results/*.csv``."""
    claims, comparisons = claims_tables(result.claims, result.comparisons, comparison_sentence)
    table = result.table.assign(note=[note(r) for r in result.table.itertuples()])
    return {"skills_gap": table, "claims": claims, "claim_comparisons": comparisons, "ranking": result.ranking,
            "sensitivity": result.sensitivity}
