"""Shared incentives (notebook 02): do both groups really agree?

"63% of marketing and 63% of IT" is read as agreement, but equal published
shares are not evidence of agreement: a small group hides large
differences. Agreement is tested as equivalence within a margin (two
one-sided tests, :mod:`alignment_stats.stats.equivalence`), and the data say
what they can show: the smallest margin they demonstrate and the group size
needed for the chosen one.

Which comparisons are agreement items: the ``agreement`` claims of the
input's studies, the ``agreement_items`` setting, and, for respondent-level
data without either, every item asked of both groups. Each comparison's
``finding``: ``equivalent`` (the 1 - 2 alpha interval lies within the margin),
``different`` (the 1 - alpha interval excludes 0 and equivalence is not
shown), ``inconclusive`` (neither) or ``not testable``. The TOST treats the
counts as a simple random sample; ``design_effect`` inflates the planning
figures (the study's power and the size needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..counts import CountsBundle, load_counts, pair_scenarios
from ..schema import COMPARISON_COLUMNS, NOT_SUPPORTED, SUPPORTED, UNDECIDABLE, comparison_verdict
from ..stats import TOST_METHODS, equivalence_power, equivalence_sample_size, equivalence_test
from .claims import claims_of, judge
from .comparisons import figure_counts, rules_text, scenario_ranges, side_by_side, sizes_text
from .groups import items_of_both, select_studies
from .settings import IncentivesSettings

__all__ = ["MARGIN_GRID", "TABLE_COLUMNS", "SENSITIVITY_COLUMNS", "FINDINGS", "IncentivesResult", "agreement_items",
           "applicable", "shared_incentives", "incentives_sensitivity", "required_n_curve", "run_incentives"]

#: Margins of the required-n curve: 2 to 30 points in steps of 1.
MARGIN_GRID: tuple[float, ...] = tuple(float(round(m, 2)) for m in np.arange(0.02, 0.3001, 0.01))
FINDINGS = ("equivalent", "different", "inconclusive", "not testable")
_OUTCOME = {"equivalent": SUPPORTED, "different": NOT_SUPPORTED, "inconclusive": UNDECIDABLE}
TABLE_COLUMNS = (
    "study", "item", "group1", "group2", "figure1", "figure2", "k1", "n1", "k2", "n2", "p1", "p2", "diff",
    "ci_low", "ci_high", "ci_level", "tost_ci_low", "tost_ci_high", "p_lower", "p_upper", "p_value", "equivalent",
    "significant", "degenerate", "min_margin", "margin", "alpha", "test", "p_plan", "power", "n_required",
    "power_method", "design_effect", "finding", "n_source", "status", "wording", "group_label1", "group_label2",
)
#: Added to :data:`TABLE_COLUMNS` for weighted survey data: each side's unweighted respondents.
WEIGHTED_TABLE_COLUMNS = ("n_raw1", "n_raw2")
SENSITIVITY_COLUMNS = (
    "study", "item", "figure1", "figure2", "scenarios", "rules", "n1_values", "n2_values", "diff_min", "diff_max",
    "p_value_min", "p_value_max", "min_margin_min", "min_margin_max", "equivalent_share", "significant_share",
    "not_assessable", "findings", "flips_with_data", "flips_with_method", "robust",
)
_ITEM_COLUMNS = ["study", "item", "item1", "group1", "item2", "group2"]


def agreement_items(claims: pd.DataFrame, counts: pd.DataFrame, studies: list[str],
                    wanted: Sequence[str] | None = None, every_item: bool = False) -> pd.DataFrame:
    """The comparisons to test for agreement: ``study, item, item1, group1, item2, group2``.

    From the ``agreement`` claims of ``studies`` (each names two figures),
    then the ``wanted`` item ids (asked of both groups), or, with
    ``every_item``, every item asked of both groups; in that order, no
    duplicates.

    Examples
    --------
    >>> bundle = load_counts(store=None)
    >>> print(agreement_items(bundle.claims, bundle.counts, ["leapfrog_2015"]).to_string(index=False))
            study                 item                item1    group1                item2 group2
    leapfrog_2015 no_shared_incentives no_shared_incentives marketing no_shared_incentives     it
    leapfrog_2015  deliver_omnichannel  deliver_omnichannel marketing  deliver_omnichannel     it
    """
    rows = claims_of(claims, "agreement", studies)
    items = pd.DataFrame({
        "study": rows["study"], "item": np.where(rows["item_a"] == rows["item_b"], rows["item_a"],
                                                 rows["item_a"] + " vs " + rows["item_b"]),
        "item1": rows["item_a"], "group1": rows["group_a"], "item2": rows["item_b"], "group2": rows["group_b"]},
        columns=_ITEM_COLUMNS)
    both = items_of_both(counts, studies)
    if wanted:
        both = both[both["item"].isin(set(wanted))]
    elif not every_item:
        both = both.iloc[0:0]
    out = pd.concat([items, both[_ITEM_COLUMNS]], ignore_index=True)
    return out.drop_duplicates(["study", "item1", "group1", "item2", "group2"]).reset_index(drop=True)


def _tost(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, margin: float, alpha: float,
          method: str) -> pd.DataFrame:
    return equivalence_test(k1, n1, k2, n2, margin=margin, alpha=alpha, method=method)


def _finding(res: pd.DataFrame) -> np.ndarray:
    significant = (res["ci_low"] > 0) | (res["ci_high"] < 0)
    return np.where(res["equivalent"], "equivalent", np.where(significant, "different", "inconclusive"))


def shared_incentives(counts: pd.DataFrame, items: pd.DataFrame, margin: float = 0.10, alpha: float = 0.05,
                      power: float = 0.8, test: str = "score", design_effect: float = 1.0) -> pd.DataFrame:
    """Test every agreement item for equivalence.

    Parameters
    ----------
    counts : pandas.DataFrame
        Counts with ``status`` and ``p`` (:func:`~alignment_stats.analyses.comparisons.figure_counts`).
    items : pandas.DataFrame
        :func:`agreement_items` output.
    margin, alpha, power, test, design_effect
        As in :class:`~alignment_stats.analyses.settings.IncentivesSettings`.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`, one row per item: the counts and shares
        (weighted estimates under weighting; the tests then run on the
        rounded Kish-effective counts); ``ci_low``/``ci_high`` the
        ``ci_level`` (1 - alpha) interval of the difference and
        ``tost_ci_low``/``tost_ci_high`` the 1 - 2 alpha interval;
        ``p_lower``, ``p_upper``, ``p_value`` (TOST); ``equivalent``;
        ``significant`` (the 1 - alpha interval excludes 0); ``degenerate``
        (the test's variance estimate is 0, so it says nothing);
        ``min_margin`` (the smallest margin the data demonstrate); the
        settings; ``p_plan`` (the pooled share, both groups assumed equal,
        for planning), ``power`` (this design's power to show agreement
        within the margin at ``p_plan``), ``n_required`` (per group, equal
        groups); ``finding`` (:data:`FINDINGS`), ``n_source`` and ``status``.

    Examples
    --------
    >>> from alignment_stats.analyses.comparisons import figure_counts
    >>> bundle = load_counts(store=None)
    >>> items = agreement_items(bundle.claims, bundle.counts, ["leapfrog_2015"])
    >>> res = shared_incentives(figure_counts(bundle), items)
    >>> print(res[["item", "k1", "n1", "k2", "n2", "p_value", "min_margin", "n_required", "finding"]]
    ...       .round(3).to_string(index=False))
                    item  k1  n1  k2  n2  p_value  min_margin  n_required      finding
    no_shared_incentives  67 106  15  24    0.204       0.192         394 inconclusive
     deliver_omnichannel  57 106  12  24    0.291       0.218         429 inconclusive
    """
    rows = side_by_side(counts, items)
    rows["figure1"] = rows["item1"] + "/" + rows["group1"]
    rows["figure2"] = rows["item2"] + "/" + rows["group2"]
    out = rows.reindex(columns=["study", "item", "group1", "group2", "figure1", "figure2", "n_source", "status",
                                "group_label1", "group_label2"])
    out["wording"] = rows.get("wording1")
    for side in ("1", "2"):
        out[f"k{side}"] = rows[f"k{side}"].astype("Int64").where(rows["status"] == "ok")
        out[f"n{side}"] = rows[f"n{side}"].astype("Int64")
        if f"n_raw{side}" in rows:
            out[f"n_raw{side}"] = rows[f"n_raw{side}"].astype("Int64")
    for column in ("p1", "p2", "diff", "ci_low", "ci_high", "tost_ci_low", "tost_ci_high", "p_lower", "p_upper",
                   "p_value", "min_margin", "power"):
        out[column] = np.nan
    out["ci_level"] = 1.0 - alpha
    out["equivalent"] = out["significant"] = out["degenerate"] = False
    out["margin"], out["alpha"], out["test"], out["design_effect"] = float(margin), float(alpha), test, design_effect
    tested = (rows["status"] == "ok").to_numpy()
    if tested.any():
        t = rows[tested]
        args = [t[c].astype("int64").to_numpy() for c in ("k1", "n1", "k2", "n2")]
        res = _tost(*args, margin, alpha, test)
        for column in ("ci_low", "ci_high", "tost_ci_low", "tost_ci_high", "p_lower", "p_upper", "p_value",
                       "min_margin"):
            out.loc[tested, column] = res[column].to_numpy()
        p1, p2 = t["p1"].to_numpy(dtype=float), t["p2"].to_numpy(dtype=float)
        out.loc[tested, "p1"], out.loc[tested, "p2"], out.loc[tested, "diff"] = p1, p2, p1 - p2
        out.loc[tested, "equivalent"] = res["equivalent"].to_numpy()
        out.loc[tested, "significant"] = ((res["ci_low"] > 0) | (res["ci_high"] < 0)).to_numpy()
        if "degenerate" in res:
            out.loc[tested, "degenerate"] = res["degenerate"].to_numpy()
        if "n_eff1" in t:
            out.loc[tested, "test"] = f"{test} (Kish effective n, rounded)"
    published = [rows[f"value{s}"].fillna((rows[f"low{s}"] + rows[f"high{s}"]) / 2).to_numpy(dtype=float) / 100
                 for s in ("1", "2")]
    k_total = (out["k1"].astype("Float64") + out["k2"].astype("Float64")).to_numpy(dtype=float, na_value=np.nan)
    n_total = (out["n1"].astype("Float64") + out["n2"].astype("Float64")).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        out["p_plan"] = np.where(tested, k_total / n_total, (published[0] + published[1]) / 2)
    plan = np.isfinite(out["p_plan"].to_numpy(dtype=float))
    out["n_required"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["power_method"] = pd.Series([pd.NA] * len(out), dtype=object)
    if plan.any():
        p_plan = out.loc[plan, "p_plan"].to_numpy(dtype=float)
        need = equivalence_sample_size(p_plan, p_plan, margin, alpha=alpha, power=power, design_effect=design_effect,
                                       method=test)
        out.loc[plan, "n_required"] = need["n1"].to_numpy()
        out.loc[plan, "power_method"] = need["power_method"].to_numpy()
    if tested.any():
        p_plan = out.loc[tested, "p_plan"].to_numpy(dtype=float)
        achieved = equivalence_power(p_plan, p_plan, out.loc[tested, "n1"].astype(float).to_numpy(),
                                     out.loc[tested, "n2"].astype(float).to_numpy(), margin, alpha=alpha,
                                     design_effect=design_effect, method=test)
        out.loc[tested, "power"] = achieved["power"].to_numpy()
    finding = np.where(out["equivalent"], "equivalent", np.where(out["significant"], "different", "inconclusive"))
    out["finding"] = np.where(tested, finding, "not testable")
    return out[list(TABLE_COLUMNS) + [c for c in WEIGHTED_TABLE_COLUMNS if c in out]].reset_index(drop=True)


def incentives_sensitivity(bundle: CountsBundle, table: pd.DataFrame, items: pd.DataFrame,
                           settings: IncentivesSettings, methods: Sequence[str] = TOST_METHODS) -> pd.DataFrame:
    """Does each finding survive every scenario of size, rounding and count, and every TOST method?

    Degenerate tests (a variance estimate of 0, e.g. Wald at 0/n vs 0/m) are
    not counted as a method's verdict: they say nothing, so they cannot flip one.

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`, one row per comparison tested at its chosen counts.
    """
    s = settings
    testable = table[table["finding"] != "not testable"]
    if testable.empty:
        return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
    keep = items.merge(testable[["study", "item"]], on=["study", "item"])
    grid = pair_scenarios(scenario_ranges(bundle), keep[["study", "item1", "group1", "item2", "group2"]])
    grid = grid.merge(keep, on=["study", "item1", "group1", "item2", "group2"])
    ok = grid[grid["feasible"]].reset_index(drop=True)
    res = _tost(*(ok[c].astype("int64").to_numpy() for c in ("k1", "n1", "k2", "n2")), s.margin, s.alpha, s.test)
    ok = pd.concat([ok, res[["diff", "p_value", "min_margin", "equivalent"]]], axis=1)
    ok["significant"] = ((res["ci_low"] > 0) | (res["ci_high"] < 0)).to_numpy()
    ok["finding"] = _finding(res)

    rows = []
    for (study, item), part in grid.groupby(["study", "item"], sort=False):
        tested = ok[(ok["study"] == study) & (ok["item"] == item)]
        found = list(dict.fromkeys(tested["finding"]))
        chosen = testable[(testable["study"] == study) & (testable["item"] == item)].iloc[0]
        rows.append({
            "study": study, "item": item, "figure1": chosen["figure1"], "figure2": chosen["figure2"],
            "scenarios": len(tested), "rules": rules_text(part["rule"]),
            "n1_values": sizes_text(part["n1"]), "n2_values": sizes_text(part["n2"]),
            "diff_min": tested["diff"].min(), "diff_max": tested["diff"].max(),
            "p_value_min": tested["p_value"].min(), "p_value_max": tested["p_value"].max(),
            "min_margin_min": tested["min_margin"].min(), "min_margin_max": tested["min_margin"].max(),
            "equivalent_share": float(tested["equivalent"].mean()), "significant_share": float(tested["significant"].mean()),
            "not_assessable": int((~part["feasible"]).sum()), "findings": " | ".join(found),
            "flips_with_data": len(found) > 1,
        })
    out = pd.DataFrame(rows)
    k = [testable[c].astype("int64").to_numpy() for c in ("k1", "n1", "k2", "n2")]
    by_method = []
    for name in methods:
        res = _tost(*k, s.margin, s.alpha, name)
        finding = pd.Series(_finding(res))
        if "degenerate" in res:
            finding = finding.where(~res["degenerate"].to_numpy(), None)
        by_method.append(finding.to_numpy(dtype=object))
    by_method = np.array(by_method, dtype=object)
    flips = [len({f for f in column if f is not None}) > 1 for column in by_method.T]
    out = out.merge(pd.DataFrame({"study": testable["study"].to_numpy(), "item": testable["item"].to_numpy(),
                                  "flips_with_method": flips}), on=["study", "item"], how="left")
    out["flips_with_method"] = out["flips_with_method"].fillna(False).astype(bool)
    out["robust"] = ~(out["flips_with_data"] | out["flips_with_method"])
    return out.reindex(columns=list(SENSITIVITY_COLUMNS))


def required_n_curve(table: pd.DataFrame, margins: Sequence[float] = MARGIN_GRID, power: float = 0.8,
                     method: str = "score") -> pd.DataFrame:
    """Group size needed to show agreement, for each item and margin (both groups at the item's ``p_plan``).

    The curve uses the normal approximation of the TOST ``method`` (exact
    calibration over a whole grid of margins takes seconds per item); at the
    table's own margin it takes the table's ``n_required`` (exact where the
    table's is), so the figure's marked point is the table's number.
    ``power_method`` says which each row is.

    Returns
    -------
    pandas.DataFrame
        ``study, item, group1, group2, n1, n2, p_plan, margin, alpha, power,
        design_effect, n_per_group`` (Int64), ``power_method``; one row per
        item and margin.

    Examples
    --------
    >>> table = pd.DataFrame({"study": ["s"], "item": ["x"], "group1": ["a"], "group2": ["b"],
    ...     "n1": [106], "n2": [24], "p_plan": [0.5], "alpha": [0.05], "design_effect": [1.0]})
    >>> required_n_curve(table, margins=[0.05, 0.10, 0.20])[["margin", "n_per_group"]]
       margin  n_per_group
    0    0.05         1711
    1    0.10          427
    2    0.20          105
    """
    columns = ["study", "item", "group1", "group2", "n1", "n2", "p_plan", "margin", "alpha", "power", "design_effect",
               "n_per_group", "power_method"]
    columns += [c for c in ("wording", "group_label1", "group_label2") if c in table]
    rows = table[np.isfinite(table["p_plan"].to_numpy(dtype=float))].reset_index(drop=True)
    margins = np.asarray(list(margins), dtype=float)
    if rows.empty or margins.size == 0:
        return pd.DataFrame(columns=columns)
    grid = rows.loc[np.repeat(rows.index.to_numpy(), margins.size)].reset_index(drop=True)
    if "margin" in grid:
        grid["own_margin"] = grid["margin"]
    if "power_method" in grid:
        grid["own_power_method"] = grid.pop("power_method")
    grid["margin"] = np.tile(margins, len(rows))
    alpha, deff = float(rows["alpha"].iloc[0]), float(rows["design_effect"].iloc[0])
    need = equivalence_sample_size(grid["p_plan"].to_numpy(dtype=float), grid["p_plan"].to_numpy(dtype=float),
                                   grid["margin"].to_numpy(), alpha=alpha, power=power, design_effect=deff,
                                   method=method, exact=False)
    grid["n_per_group"] = pd.array(need["n1"].to_numpy(), dtype="Int64")
    grid["power_method"] = need["power_method"].to_numpy()
    if {"own_margin", "n_required", "own_power_method"} <= set(grid):  # the table's own margin: the table's number
        own = np.isclose(grid["margin"].to_numpy(dtype=float), grid["own_margin"].to_numpy(dtype=float)) & \
            grid["n_required"].notna().to_numpy()
        grid.loc[own, "n_per_group"] = grid.loc[own, "n_required"].astype("Int64")
        grid.loc[own, "power_method"] = grid.loc[own, "own_power_method"]
    grid["alpha"], grid["power"], grid["design_effect"] = alpha, float(power), deff
    return grid[columns]


def _claim_comparison(table: pd.DataFrame):
    index = {(r.study, r.figure1, r.figure2): r for r in table.itertuples(index=False)}

    def compare(c: Any) -> dict[str, Any]:
        row = index.get((c.study, c.figure_a, c.figure_b))
        record = {"item": c.item_a if c.item_a == c.item_b else f"{c.item_a} vs {c.item_b}", "group1": c.group_a,
                  "group2": c.group_b}
        if row is None or row.finding == "not testable":
            record.update(status=getattr(row, "status", "not_compared"), n_source=getattr(row, "n_source", pd.NA),
                          verdict=comparison_verdict(UNDECIDABLE, assessable=False))
            return record
        record.update(k1=row.k1, n1=row.n1, k2=row.k2, n2=row.n2, diff=row.diff, ci_low=row.ci_low,
                      ci_high=row.ci_high, ci_level=row.ci_level, p_adjusted=row.p_value, n_source=row.n_source,
                      status=row.status, finding=row.finding, min_margin=row.min_margin, margin=row.margin,
                      tost_ci_low=row.tost_ci_low, tost_ci_high=row.tost_ci_high, n_required=row.n_required,
                      p1=row.p1, p2=row.p2, verdict=comparison_verdict(_OUTCOME[row.finding], row.n_source))
        return record

    return compare


def applicable(bundle: CountsBundle, settings: IncentivesSettings) -> str | None:
    """Why the agreement analysis does not apply to this input (None when it does)."""
    studies = select_studies(bundle.counts, settings.study)
    items = agreement_items(bundle.claims, bundle.counts, studies, settings.agreement_items,
                            every_item=bundle.kind == "responses")
    if len(items):
        return None
    where = f"study {settings.study}" if settings.study else "the input"
    return (f"{where} has no agreement item: no agreement claim in the claims, and no agreement_items given "
            "(item ids asked of both groups)")


@dataclass(frozen=True)
class IncentivesResult:
    """Everything notebook 02 shows (tables unrounded; shares as proportions)."""

    settings: IncentivesSettings
    bundle: CountsBundle
    table: pd.DataFrame
    claims: pd.DataFrame
    comparisons: pd.DataFrame
    sensitivity: pd.DataFrame
    required_n: pd.DataFrame


def run_incentives(settings: IncentivesSettings | None = None, **parameters: Any) -> IncentivesResult:
    """Run the shared-incentives analysis of notebook 02.

    Examples
    --------
    >>> result = run_incentives(study="leapfrog_2015")
    >>> result.claims[["claim_id", "verdict"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'claim_id': 'both_lack_shared_incentives', 'verdict': 'undecidable with this sample'},
     {'claim_id': 'both_deliver_omnichannel', 'verdict': 'undecidable with this sample'}]
    """
    s = settings if settings is not None else IncentivesSettings(**parameters)
    bundle = load_counts(**s.counts_options())
    studies = select_studies(bundle.counts, s.study)
    counts = figure_counts(bundle)
    items = agreement_items(bundle.claims, counts, studies, s.agreement_items, every_item=bundle.kind == "responses")
    table = shared_incentives(counts, items, s.margin, s.alpha, s.power, s.test, s.design_effect)
    sensitivity = incentives_sensitivity(bundle, table, items, s)
    claims, comparisons = judge(claims_of(bundle.claims, "agreement", studies), _claim_comparison(table))
    front = [*COMPARISON_COLUMNS, *[c for c in comparisons.columns if c not in COMPARISON_COLUMNS]]
    return IncentivesResult(s, bundle, table, claims, comparisons.reindex(columns=front), sensitivity,
                            required_n_curve(table, power=s.power, method=s.test))
