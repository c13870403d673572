"""Perception gap (notebook 01): do two groups of a study see the same thing differently?

One row per item asked of both groups of a study: the shares, their
difference with a confidence interval, a test, the multiplicity-adjusted
p-value (one family per study), the effect size, the smallest difference
the study could detect and the smallest equal group size at which the
published gap would be significant (both for the test the verdict uses),
and a Bayesian companion. Then: does each conclusion survive every other
scenario of group size, rounding rule and count, every interval method and
every adjustment; a crosstab with significance letters; and a verdict on
every ``difference`` claim.

Sizes: where nothing publishes a group's size (Accenture's CMO/CIO split),
the comparison runs under ``assumed_n`` and its verdicts are
``illustrative``; where a study publishes its composition but no split fits
under the rounding rule in force, its figures are ``not assessable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..counts import CountsBundle, load_counts, pair_scenarios
from ..schema import COMPARISON_COLUMNS, NOT_SUPPORTED, SUPPORTED, UNDECIDABLE, comparison_verdict
from ..stats import (
    ADJUST_METHODS,
    CI_METHODS,
    adjust_pvalues,
    adjust_rows,
    bayes_compare,
    compare_proportions,
    difference_interval,
    minimal_detectable_difference,
    significance_letters,
)
from ..stats.power import significance_by_size, smallest_significant_n
from .claims import claims_of, judge
from .comparisons import figure_counts, rules_text, scenario_ranges, side_by_side, sizes_text
from .groups import items_of_both, select_studies
from .settings import PerceptionSettings, parse_overrides

__all__ = ["TABLE_COLUMNS", "SENSITIVITY_COLUMNS", "SIZE_GRID", "PerceptionResult", "applicable", "perception_gap",
           "perception_sensitivity", "run_perception"]

TABLE_COLUMNS = (
    "study", "item", "group1", "group2", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high",
    "ci_level", "p_value", "p_adjusted", "significant", "cohens_h", "mdd", "n_significant", "prob_greater",
    "cred_low", "cred_high", "n_source", "status", "n_tests", "ci_method", "test", "adjust", "wording",
    "group_label1", "group_label2",
)
SENSITIVITY_COLUMNS = (
    "study", "item", "scenarios", "rules", "n1_values", "n2_values", "diff_min", "diff_max", "ci_low_min",
    "ci_high_max", "p_min", "p_max", "significant_share", "not_assessable", "flips_with_data", "flips_with_ci",
    "flips_with_adjustment", "robust",
)
#: Equal group sizes of the "when would the gap be significant" grid.
SIZE_GRID = tuple(int(n) for n in np.unique(np.geomspace(10, 2000, 60).astype(int)))


def _ints(column: pd.Series) -> np.ndarray:
    return column.astype("int64").to_numpy()


def _published(rows: pd.DataFrame, side: str) -> np.ndarray:
    return (rows[f"value{side}"].fillna((rows[f"low{side}"] + rows[f"high{side}"]) / 2).to_numpy(dtype=float) / 100)


def perception_gap(counts: pd.DataFrame, pairs: pd.DataFrame, alpha: float = 0.05, ci: str = "newcombe",
                   test: str = "fisher", adjust: str = "holm", power: float = 0.8) -> pd.DataFrame:
    """Compare two groups on every item of ``pairs``.

    Parameters
    ----------
    counts : pandas.DataFrame
        Counts with ``status`` and ``p``
        (:func:`alignment_stats.analyses.comparisons.figure_counts`).
    pairs : pandas.DataFrame
        ``study, item, item1, group1, item2, group2``
        (:func:`alignment_stats.analyses.groups.items_of_both`).
    alpha, ci, test, adjust, power
        As in :class:`~alignment_stats.analyses.settings.PerceptionSettings`.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`, one row per pair. ``p1``, ``p2`` are the
        shares (weighted estimates under weighting, with intervals from
        Kish's effective sizes); ``ci_low``/``ci_high`` the ``ci_level``
        interval of ``diff = p1 - p2``; ``significant`` is ``p_adjusted <
        alpha`` (Holm etc. within each study, over the items tested);
        ``mdd`` the smallest gap in the observed direction this design
        detects with ``power`` by ``test``; ``n_significant`` the smallest
        equal group size from which on the published shares would be
        significant by the same test, alpha and adjustment; ``status`` why
        an untested row is untested. Shares are proportions.

    Examples
    --------
    >>> from alignment_stats.analyses.comparisons import figure_counts
    >>> from alignment_stats.analyses.groups import items_of_both
    >>> bundle = load_counts(store=None)
    >>> gaps = perception_gap(figure_counts(bundle), items_of_both(bundle.counts, ["leapfrog_2015"]))
    >>> print(gaps[["item", "k1", "n1", "k2", "n2", "significant"]].head(4).to_string(index=False))
                    item  k1  n1  k2  n2  significant
      very_collaborative  32 106   3  24        False
      improved_alignment  21 106   1  24        False
    no_shared_incentives  67 106  15  24        False
     deliver_omnichannel  57 106  12  24        False
    """
    rows = side_by_side(counts, pairs)
    out = rows.reindex(columns=["study", "item", "group1", "group2", "group_label1", "group_label2"])
    out["wording"] = rows.get("wording1")
    for side in ("1", "2"):
        out[f"k{side}"] = rows[f"k{side}"].astype("Int64").where(rows["status"] == "ok")
        out[f"n{side}"] = rows[f"n{side}"].astype("Int64")
    out["n_source"] = rows["n_source"]
    out["status"] = rows["status"]
    out["ci_method"], out["test"], out["adjust"] = ci, test, adjust
    for column in ("p1", "p2", "diff", "ci_low", "ci_high", "p_value", "p_adjusted", "cohens_h", "mdd",
                   "n_significant", "prob_greater", "cred_low", "cred_high"):
        out[column] = np.nan
    out["ci_level"] = 1.0 - alpha
    out["significant"] = False
    out["n_tests"] = 0
    tested = (rows["status"] == "ok").to_numpy()
    if tested.any():
        t = rows[tested]
        k1, n1, k2, n2 = _ints(t["k1"]), _ints(t["n1"]), _ints(t["k2"]), _ints(t["n2"])
        res = compare_proportions(k1, n1, k2, n2, ci=ci, test=test, alpha=alpha)
        p1, p2 = t["p1"].to_numpy(dtype=float), t["p2"].to_numpy(dtype=float)
        low, high = res["ci_low"].to_numpy(), res["ci_high"].to_numpy()
        if "n_eff1" in t:  # weighted: the weighted shares, intervals on Kish's effective sizes
            e1, e2 = t["n_eff1"].to_numpy(dtype=float), t["n_eff2"].to_numpy(dtype=float)
            low, high = difference_interval(p1 * e1, e1, p2 * e2, e2, ci, alpha)
            out.loc[tested, "ci_method"] = f"{ci} (Kish effective n)"
        out.loc[tested, "p1"], out.loc[tested, "p2"], out.loc[tested, "diff"] = p1, p2, p1 - p2
        out.loc[tested, "ci_low"], out.loc[tested, "ci_high"] = low, high
        out.loc[tested, "p_value"] = res["p_value"].to_numpy()
        out.loc[tested, "cohens_h"] = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))
        for study, idx in out[tested].groupby("study", sort=False).groups.items():
            out.loc[idx, "p_adjusted"] = adjust_pvalues(out.loc[idx, "p_value"].to_numpy(dtype=float), adjust)
            out.loc[idx, "n_tests"] = len(idx)
        out["significant"] = (out["p_adjusted"] < alpha).fillna(False).astype(bool)
        mdd = minimal_detectable_difference(n1, n2, p2, alpha=alpha, power=power, test=test)
        up, down = mdd["mdd_up"].to_numpy(), -mdd["mdd_down"].to_numpy()
        out.loc[tested, "mdd"] = np.where(p1 - p2 >= 0, up, down)
        family = out.loc[tested, ["study", "p_value"]]
        planned = np.full(len(t), np.nan)
        for study, idx in family.groupby("study", sort=False).groups.items():
            where = family.index.get_indexer(idx)
            found = smallest_significant_n(_published(t.iloc[where], "1"), _published(t.iloc[where], "2"),
                                           alpha=alpha, test=test, adjust=adjust,
                                           family_p=family.loc[idx, "p_value"].to_numpy(dtype=float))
            planned[where] = found["n_significant"].to_numpy(dtype=float)
        out.loc[tested, "n_significant"] = planned
        bayes = bayes_compare(k1, n1, k2, n2, cred=1 - alpha)
        for column in ("prob_greater", "cred_low", "cred_high"):
            out.loc[tested, column] = bayes[column].to_numpy()
    extra = [c for c in ("n_raw1", "n_raw2") if c in rows]
    out = pd.concat([out, rows[extra]], axis=1) if extra else out
    return out[[*TABLE_COLUMNS, *extra]].reset_index(drop=True)


def perception_sensitivity(bundle: CountsBundle, table: pd.DataFrame, pairs: pd.DataFrame, settings: PerceptionSettings,
                           overrides: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Does each conclusion survive every other scenario, interval method and adjustment?

    Every scenario of the one enumeration (rounding rule x split x item
    base x feasible counts, assumed and user-set sizes included) is tested
    by the analysis's test; a scenario is significant when its p-value,
    adjusted with the study's other items held at their chosen values, is
    below alpha (the table's own criterion). At the chosen counts, every
    interval method (does it exclude 0?) and every adjustment is tried.

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`, one row per compared item: the number
        of ``scenarios``, the ``rules`` and sizes seen, the ranges of the
        difference, interval limits and p-value, ``significant_share``,
        ``not_assessable`` (scenarios in which a figure has no count), and
        the flags ``flips_with_data``, ``flips_with_ci``,
        ``flips_with_adjustment`` and ``robust`` (none of them).
    """
    s = settings
    ranges = scenario_ranges(bundle, s.assumed_n, overrides)
    grid = pair_scenarios(ranges, pairs[["study", "item1", "group1", "item2", "group2"]])
    if grid.empty:
        return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
    grid = grid.merge(pairs[["study", "item1", "group1", "item"]], on=["study", "item1", "group1"])
    ok = grid[grid["feasible"]].reset_index(drop=True)
    chosen = table[table["status"] == "ok"]
    if len(ok):
        res = compare_proportions(_ints(ok["k1"]), _ints(ok["n1"]), _ints(ok["k2"]), _ints(ok["n2"]), ci="newcombe",
                                  test=s.test, alpha=s.alpha)
        ok = pd.concat([ok, res[["diff", "ci_low", "ci_high", "p_value"]]], axis=1)
        ok["significant"] = False
        for study, part in ok.groupby("study", sort=False):
            family = chosen[chosen["study"] == study].reset_index(drop=True)
            matrix = np.tile(family["p_value"].to_numpy(dtype=float), (len(part), 1))
            where = family.reset_index().set_index("item")["index"]
            position = where.reindex(part["item"]).to_numpy()
            have = ~np.isnan(position.astype(float))
            if matrix.shape[1] == 0 or not have.all():  # an item not tested at its chosen counts: its own family
                matrix = np.column_stack([matrix, np.ones(len(part))]) if matrix.size else np.ones((len(part), 1))
                position = np.where(have, position, matrix.shape[1] - 1)
            rows = np.arange(len(part))
            matrix[rows, position.astype(int)] = part["p_value"].to_numpy()
            adjusted = adjust_rows(matrix, s.adjust)[rows, position.astype(int)]
            ok.loc[part.index, "significant"] = adjusted < s.alpha

    summary = []
    for (study, item), part in grid.groupby(["study", "item"], sort=False):
        tested = ok[(ok["study"] == study) & (ok["item"] == item)]
        row = {"study": study, "item": item, "scenarios": len(tested), "not_assessable": int((~part["feasible"]).sum()),
               "rules": rules_text(part["rule"]), "n1_values": sizes_text(part["n1"]),
               "n2_values": sizes_text(part["n2"])}
        if len(tested):
            share = float(tested["significant"].mean())
            row.update(diff_min=tested["diff"].min(), diff_max=tested["diff"].max(),
                       ci_low_min=tested["ci_low"].min(), ci_high_max=tested["ci_high"].max(),
                       p_min=tested["p_value"].min(), p_max=tested["p_value"].max(), significant_share=share,
                       flips_with_data=0 < share < 1 or (row["not_assessable"] > 0 and share > 0))
        summary.append(row)
    out = pd.DataFrame(summary)
    flips = []
    if len(chosen):
        k = [_ints(chosen[c]) for c in ("k1", "n1", "k2", "n2")]
        by_ci = np.array([((r["ci_low"] > 0) | (r["ci_high"] < 0)).to_numpy()
                          for r in (compare_proportions(*k, ci=m, test=s.test, alpha=s.alpha) for m in CI_METHODS)])
        by_adjust = []
        for method in ADJUST_METHODS:
            flags = np.zeros(len(chosen), dtype=bool)
            for study, idx in chosen.reset_index(drop=True).groupby("study", sort=False).groups.items():
                flags[np.asarray(idx)] = adjust_pvalues(chosen["p_value"].to_numpy(dtype=float)[np.asarray(idx)],
                                                        method) < s.alpha
            by_adjust.append(flags)
        by_adjust = np.array(by_adjust)
        flips = pd.DataFrame({"study": chosen["study"].to_numpy(), "item": chosen["item"].to_numpy(),
                              "flips_with_ci": by_ci.any(axis=0) & ~by_ci.all(axis=0),
                              "flips_with_adjustment": by_adjust.any(axis=0) & ~by_adjust.all(axis=0)})
        out = out.merge(flips, on=["study", "item"], how="left")
    for flag in ("flips_with_data", "flips_with_ci", "flips_with_adjustment"):
        out[flag] = out[flag].astype("boolean").fillna(False).astype(bool) if flag in out else False
    out["robust"] = ~(out["flips_with_data"] | out["flips_with_ci"] | out["flips_with_adjustment"])
    return out.reindex(columns=list(SENSITIVITY_COLUMNS))


def _claim_comparison(table: pd.DataFrame, alpha: float):
    index = {(r.study, r.item): r for r in table.itertuples(index=False)}

    def compare(c: Any) -> dict[str, Any]:
        row = index.get((c.study, c.item_a)) if c.item_a == c.item_b else None
        if row is None or {c.group_a, c.group_b} != {row.group1, row.group2}:
            return {"item": c.item_a, "group1": c.group_a, "group2": c.group_b, "verdict": comparison_verdict(
                UNDECIDABLE, "published", assessable=False), "status": "not_compared"}
        sign = 1.0 if row.group1 == c.group_a else -1.0  # orient as group_a - group_b
        want = 1.0 if c.relation == ">" else -1.0
        record = {"item": row.item, "group1": c.group_a, "group2": c.group_b, "n_source": row.n_source,
                  "status": row.status, "ci_level": row.ci_level}
        if row.status != "ok":
            record["verdict"] = comparison_verdict(UNDECIDABLE, "published", assessable=False)
            return record
        first, second = (("1", "2") if sign > 0 else ("2", "1"))
        diff = sign * row.diff
        low, high = sorted((sign * row.ci_low, sign * row.ci_high))
        record.update(k1=getattr(row, f"k{first}"), n1=getattr(row, f"n{first}"), k2=getattr(row, f"k{second}"),
                      n2=getattr(row, f"n{second}"), diff=diff, ci_low=low, ci_high=high, p_adjusted=row.p_adjusted)
        clears = low > 0 if want > 0 else high < 0
        outcome = (SUPPORTED if clears and row.p_adjusted < alpha else
                   NOT_SUPPORTED if want * diff <= 0 else UNDECIDABLE)
        record["verdict"] = comparison_verdict(outcome, row.n_source)
        return record

    return compare


def applicable(bundle: CountsBundle, settings: PerceptionSettings) -> str | None:
    """Why the perception gap does not apply to this input (None when it does)."""
    studies = select_studies(bundle.counts, settings.study)
    if not items_of_both(bundle.counts, studies).empty:
        return None
    if settings.study:
        return f"study {settings.study} reports no item for two groups: there is no perception gap to compare"
    return "no study of the input reports an item for two groups: there is no perception gap to compare"


@dataclass(frozen=True)
class PerceptionResult:
    """Everything notebook 01 shows (tables unrounded; shares as proportions)."""

    settings: PerceptionSettings
    bundle: CountsBundle
    table: pd.DataFrame
    claims: pd.DataFrame
    comparisons: pd.DataFrame
    sensitivity: pd.DataFrame
    size_grid: pd.DataFrame
    crosstab: pd.DataFrame | None
    crosstab_study: str | None


def _crosstab(counts: pd.DataFrame, table: pd.DataFrame, study: str | None, settings: PerceptionSettings):
    given = table[(table["status"] == "ok") & ~table["n_source"].isin(["assumed", "override"])]
    if study is None:
        if given.empty:
            return None, None
        study = given["study"].value_counts(sort=True).index[0]
    cells = counts[(counts["study"] == study) & (counts["status"] == "ok")][["item", "group", "k", "n"]]
    if cells.empty:
        return None, study
    return significance_letters(cells, alpha=settings.alpha, convention=settings.convention), study


def run_perception(settings: PerceptionSettings | None = None, **parameters: Any) -> PerceptionResult:
    """Run the perception-gap analysis of notebook 01.

    Parameters
    ----------
    settings : PerceptionSettings, optional
        Or the settings as keyword arguments (validated by the model).

    Returns
    -------
    PerceptionResult

    Raises
    ------
    pydantic.ValidationError
        A setting breaks its rule.
    DataValidationError
        A bad input file, an unknown ``study``, or ``n_overrides`` naming a
        group the input does not have.

    Examples
    --------
    >>> result = run_perception(study="econsultancy_2015")
    >>> result.claims[["claim_id", "verdict"]].to_dict("records")
    [{'claim_id': 'it_more_collaborative_than_marketing', 'verdict': 'supported'}]
    """
    s = settings if settings is not None else PerceptionSettings(**parameters)
    bundle = load_counts(**s.counts_options())
    studies = select_studies(bundle.counts, s.study)
    overrides = parse_overrides(s.n_overrides)
    counts = figure_counts(bundle, s.assumed_n, overrides)
    pairs = items_of_both(counts, studies)
    table = perception_gap(counts, pairs, s.alpha, s.ci, s.test, s.adjust, s.power)
    sensitivity = perception_sensitivity(bundle, table, pairs, s, overrides)
    assumed = table[(table["n_source"] == "assumed") & (table["status"] == "ok")]
    rows = side_by_side(counts, pairs.merge(assumed[["study", "item"]], on=["study", "item"]))
    size_grid = significance_by_size(_published(rows, "1"), _published(rows, "2"), SIZE_GRID, alpha=s.alpha, ci=s.ci,
                                     test=s.test) if len(rows) else pd.DataFrame()
    if len(size_grid):
        size_grid["study"] = rows["study"].to_numpy()[size_grid["pair"].to_numpy()]
        size_grid["item"] = rows["item"].to_numpy()[size_grid["pair"].to_numpy()]
    claims, comparisons = judge(claims_of(bundle.claims, "difference", studies), _claim_comparison(table, s.alpha))
    letters, crosstab_study = _crosstab(counts, table, s.crosstab_study, s)
    return PerceptionResult(s, bundle, table, claims, comparisons.reindex(
        columns=[*COMPARISON_COLUMNS, *[c for c in comparisons.columns if c not in COMPARISON_COLUMNS]]),
        sensitivity, size_grid, letters, crosstab_study)
