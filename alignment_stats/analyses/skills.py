"""Skills gap: where does marketers' expertise trail what they call important?

The same marketers say which skills are extremely important (measure
``importance``) and in which they have expertise (measure ``expertise``);
the two figures of one skill share a ``pair`` key in the counts table. The
gap ``p_importance - p_expertise`` is therefore a *paired* comparison.

* From published figures only the margins are known, so the 2x2 table of a
  skill (important and expert / important only / expert only / neither) is
  partially identified. Every quantity is reported as its range over all
  tables compatible with the margins (:func:`alignment_stats.paired.paired_gap_bounds`)
  and, where a published percentage admits several counts, over every
  feasible count as well: *bounds (marginals only)*.
* With respondent-level data (``AnalysisInput.paired``) the table is
  observed: exact McNemar test and paired interval on it, *exact
  (respondent data)*.

Skills with only one of the two measures (Leapfrog's mass marketing:
expertise only) are kept, with a missing gap and a note.

Ranking. The point gaps do not depend on the unknown table, so ranking over
compatible tables alone would show no uncertainty at all; what the tables
change is the *precision* of each gap. The ranking therefore uses a seeded
parametric bootstrap: each skill's 2x2 table is resampled (multinomial, n
respondents) and the skills ranked by their resampled gaps. From margins,
the headline uses each skill's *most discordant* compatible table (fewest
respondents in "both"), which gives every gap its largest sampling variance
and so the most rank uncertainty the margins allow; the least discordant
table shows how sharp the ranking could be. Skills are resampled
independently, as their joint distribution is not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..counts import CountsBundle, load_counts, pair_scenarios
from ..schema import COMPARISON_COLUMNS, NOT_SUPPORTED, SUPPORTED, UNDECIDABLE, comparison_verdict
from ..stats import PAIRED_CI_METHODS, PAIRED_TEST_METHODS, paired_compare, paired_gap_bounds, wilson_interval
from ..stats._validate import check_choice, check_open_unit
from .claims import claims_of, judge
from .comparisons import rules_text, scenario_ranges, sizes_text, weakest_source
from .groups import select_studies
from .settings import SkillsSettings

__all__ = ["BASIS_EXACT", "BASIS_BOUNDS", "BASIS_NONE", "STATUSES", "GAP_COLUMNS", "SkillsResult", "applicable",
           "skills_gap", "skills_ranking", "skills_sensitivity", "run_skills"]

#: ``basis`` of a skill analysed on its observed table.
BASIS_EXACT = "exact (respondent data)"
#: ``basis`` of a skill analysed from its published margins.
BASIS_BOUNDS = "bounds (marginals only)"
#: ``basis`` of a skill with only one of the two measures (or no counts).
BASIS_NONE = "not compared"
#: ``status`` of a skill: compared; only one measure asked; no size; no feasible count.
STATUSES = ("ok", "one_measure", "no_size", "no_count")

GAP_COLUMNS = [
    "study", "group", "pair", "item_a", "item_b", "n", "k_a", "k_a_low", "k_a_high", "k_b", "k_b_low", "k_b_high",
    "p_a", "p_a_low", "p_a_high", "p_b", "p_b_low", "p_b_high", "gap", "gap_min", "gap_max",
    "both_min", "both_max", "a_only_min", "a_only_max", "b_only_min", "b_only_max",
    "ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max", "ci_level", "p_min", "p_max", "significant",
    "significant_tables", "tables", "tables_significant", "basis", "ci_method", "test", "n_source", "status",
    "item_n", "n_raw", "group_label", "wording_a", "wording_b",
]
PAIRED_COLUMNS = ("study", "pair", "group", "n", "both", "a_only", "b_only", "neither")
_INT_COLUMNS = ["n", "k_a", "k_a_low", "k_a_high", "k_b", "k_b_low", "k_b_high", "both_min", "both_max",
                "a_only_min", "a_only_max", "b_only_min", "b_only_max", "tables", "tables_significant", "item_n",
                "n_raw"]
SENSITIVITY_COLUMNS = ("study", "group", "pair", "scenarios", "rules", "n_values", "gap_min", "gap_max", "p_min",
                       "p_max", "significant_tables", "not_assessable", "flips_with_data", "robust")
#: Bootstrap replicates and seed of the ranking.
DEFAULT_REPLICATES = 10_000
DEFAULT_SEED = 2015


def _where(counts: pd.DataFrame, idx: Any) -> str:
    row = counts.loc[idx]
    return f"counts row {idx} ({row['study']}/{row['item']}/{row['group']})"


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _paired_items(counts: pd.DataFrame, study: str | Sequence[str] | None, measure_a: str,
                  measure_b: str, observed: frozenset = frozenset()) -> pd.DataFrame:
    """Validate the measure/pair columns and put the two measures side by side.

    ``observed`` holds the (study, group, pair) keys with an observed paired
    table: their two items may have different bases (item non-response),
    because the exact analysis uses the respondents who answered both.
    """
    for column in ("study", "item", "group", "n", "k", "measure", "pair"):
        if column not in counts.columns:
            raise ValueError(f"counts: column {column!r} is missing; paired items need `pair` and `measure` "
                             "(see data/raw/benchmark_figures.csv)")
    data = counts
    if study is not None:
        wanted = [study] if isinstance(study, str) else list(study)
        known = sorted(set(counts.loc[counts["measure"].notna(), "study"]))
        unknown = [s for s in wanted if s not in known]
        if unknown:
            raise ValueError(f"study: {', '.join(map(repr, unknown))} has no paired items (studies with paired "
                             f"items: {', '.join(known) or 'none'})")
        data = counts[counts["study"].isin(wanted)]
    measured = data["measure"].notna() | data["pair"].notna()
    data = data[measured]
    for idx, row in data.iterrows():
        if pd.isna(row["pair"]) or str(row["pair"]).strip() == "":
            raise ValueError(f"{_where(counts, idx)}, column pair: measure {row['measure']!r} has no pairing key; "
                             "give the pair both measures of one skill share")
        if pd.isna(row["measure"]):
            raise ValueError(f"{_where(counts, idx)}, column measure: pair {row['pair']!r} has no measure "
                             f"(use {measure_a!r} or {measure_b!r})")
        if row["measure"] not in (measure_a, measure_b):
            raise ValueError(f"{_where(counts, idx)}, column measure: {row['measure']!r} is not "
                             f"{measure_a!r} or {measure_b!r}")
        n = _int_or_none(row["n"])
        if n is not None and n < 1:
            raise ValueError(f"{_where(counts, idx)}, column n: {n} respondents; n must be at least 1")
        for column in ("k", "k_low", "k_high"):
            value = _int_or_none(row[column]) if column in row.index else None
            if value is not None and value < 0:
                raise ValueError(f"{_where(counts, idx)}, column {column}: {value} is negative")
            if value is not None and n is not None and value > n:
                raise ValueError(f"{_where(counts, idx)}, column {column}: {value} exceeds n = {n}")
    keys = ["study", "group", "pair", "measure"]
    dup = data.duplicated(keys, keep=False)
    if dup.any():
        rows = data[dup]
        first = rows.iloc[0]
        same = rows[(rows[keys] == first[keys]).all(axis=1)].index.tolist()
        raise ValueError(f"counts rows {', '.join(map(str, same))}: {first['study']}/{first['group']} has "
                         f"{len(same)} figures for pair {first['pair']!r}, measure {first['measure']!r}; keep one")
    out = []
    for (study_id, group, pair), part in data.groupby(["study", "group", "pair"], sort=False):
        rec: dict[str, Any] = {"study": study_id, "group": group, "pair": pair}
        sizes = {}
        for suffix, measure in (("a", measure_a), ("b", measure_b)):
            hit = part[part["measure"] == measure]
            if hit.empty:
                rec.update({f"item_{suffix}": None, f"k_{suffix}": None, f"k_{suffix}_low": None,
                            f"k_{suffix}_high": None, f"n_source_{suffix}": pd.NA, f"wording_{suffix}": None})
                continue
            row = hit.iloc[0]
            rec[f"wording_{suffix}"] = row.get("wording")
            rec.setdefault("group_label", row.get("group_label"))
            k = _int_or_none(row["k"])
            low = _int_or_none(row["k_low"]) if "k_low" in row.index else None
            high = _int_or_none(row["k_high"]) if "k_high" in row.index else None
            rec.update({f"item_{suffix}": row["item"], f"k_{suffix}": k,
                        f"k_{suffix}_low": low if low is not None else k,
                        f"k_{suffix}_high": high if high is not None else k,
                        f"n_source_{suffix}": row["n_source"] if "n_source" in row.index else pd.NA})
            sizes[measure] = (hit.index[0], _int_or_none(row["n"]))
        known_sizes = {m: s for m, (_, s) in sizes.items() if s is not None}
        if len(set(known_sizes.values())) > 1 and (study_id, group, pair) in observed:
            rec["n"] = min(known_sizes.values())  # replaced by the paired table's own n
            rec["measures"] = [m for m in (measure_a, measure_b) if m in sizes]
            out.append(rec)
            continue
        if len(set(known_sizes.values())) > 1:
            where = "; ".join(f"{_where(counts, i)}: n = {s}" for i, s in sizes.values())
            raise ValueError(f"pair {pair!r} of {study_id}/{group}: the two measures have different n ({where}); "
                             "a paired comparison needs the same respondents")
        rec["n"] = next(iter(known_sizes.values()), None)
        rec["measures"] = [m for m in (measure_a, measure_b) if m in sizes]
        out.append(rec)
    return pd.DataFrame(out)


def _check_paired(paired: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in PAIRED_COLUMNS if c not in paired.columns]
    if missing:
        raise ValueError(f"paired: column(s) {', '.join(missing)} missing (expected {', '.join(PAIRED_COLUMNS)})")
    for idx, row in paired.iterrows():
        where = f"paired row {idx} ({row['study']}/{row['pair']}/{row['group']})"
        cells = {}
        for column in ("n", "both", "a_only", "b_only", "neither"):
            value = row[column]
            if pd.isna(value) or float(value) != int(value):
                raise ValueError(f"{where}, column {column}: {value!r} is not a whole number")
            if int(value) < 0:
                raise ValueError(f"{where}, column {column}: {int(value)} is negative")
            cells[column] = int(value)
        if cells["n"] == 0:
            raise ValueError(f"{where}, column n: 0 respondents; n must be at least 1")
        total = cells["both"] + cells["a_only"] + cells["b_only"] + cells["neither"]
        if total != cells["n"]:
            raise ValueError(f"{where}: both + a_only + b_only + neither = {total} but n = {cells['n']}")
    dup = paired.duplicated(["study", "group", "pair"], keep=False)
    if dup.any():
        first = paired[dup].iloc[0]
        raise ValueError(f"paired rows {', '.join(map(str, paired[dup].index))}: more than one table for "
                         f"{first['study']}/{first['pair']}/{first['group']}")
    return paired



def _bounds_over_counts(ka_low, ka_high, kb_low, kb_high, n, alpha, ci, test) -> pd.DataFrame:
    """:func:`paired_gap_bounds` over every feasible count pair of each row, aggregated per row."""
    rows, ka, kb, nn = [], [], [], []
    for i, (a0, a1, b0, b1, m) in enumerate(zip(ka_low, ka_high, kb_low, kb_high, n)):
        grid_a, grid_b = np.meshgrid(np.arange(int(a0), int(a1) + 1), np.arange(int(b0), int(b1) + 1))
        rows.append(np.full(grid_a.size, i))
        ka.append(grid_a.ravel())
        kb.append(grid_b.ravel())
        nn.append(np.full(grid_a.size, int(m)))
    if not rows:
        return pd.DataFrame()
    res = paired_gap_bounds(np.concatenate(ka), np.concatenate(kb), np.concatenate(nn), alpha=alpha, ci=ci, test=test)
    res["row"] = np.concatenate(rows)
    agg = res.groupby("row").agg(
        gap_min=("diff", "min"), gap_max=("diff", "max"), both_min=("both_min", "min"), both_max=("both_max", "max"),
        a_only_min=("a_only_min", "min"), a_only_max=("a_only_max", "max"), b_only_min=("b_only_min", "min"),
        b_only_max=("b_only_max", "max"), ci_low_min=("ci_low_min", "min"), ci_low_max=("ci_low_max", "max"),
        ci_high_min=("ci_high_min", "min"), ci_high_max=("ci_high_max", "max"), p_min=("p_min", "min"),
        p_max=("p_max", "max"), tables=("tables", "sum"), tables_significant=("tables_significant", "sum"),
    )
    agg["significant_tables"] = np.where(agg["tables_significant"] == agg["tables"], "all",
                                  np.where(agg["tables_significant"] > 0, "some", "none"))
    return agg



def skills_gap(
    counts: pd.DataFrame,
    paired: pd.DataFrame | None = None,
    study: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "exact",
    measure_a: str = "importance",
    measure_b: str = "expertise",
) -> pd.DataFrame:
    """Importance vs expertise of every skill, paired, with what the data identify.

    Parameters
    ----------
    counts : pandas.DataFrame
        The counts table; rows with a ``measure`` are the paired items, the
        two measures of one skill sharing its ``pair`` key.
    paired : pandas.DataFrame, optional
        Observed 2x2 tables from respondent-level data (``study, pair, group,
        n, both, a_only, b_only, neither``, *a* = ``measure_a``; weighted
        tables add ``p_hat_a``, ``p_hat_b``, ``n_raw``). Skills found there
        are analysed exactly; the others from their margins.
    study : str or list of str, optional
        Restrict to these studies (default: every study with paired items).
    alpha : float, default 0.05
    ci : {"newcombe", "tango"}, default "newcombe"
        Paired interval (Newcombe 1998b method 10, or Tango 1998).
    test : str, default "exact"
        Paired test (:data:`alignment_stats.stats.PAIRED_TEST_METHODS`).
    measure_a, measure_b : str, default "importance", "expertise"
        The two measures; ``gap = p_a - p_b``.

    Returns
    -------
    pandas.DataFrame
        One row per (study, group, pair), columns :data:`GAP_COLUMNS`:
        ``item_a, item_b``, ``n``; ``k_a, k_b`` with their feasible ranges;
        shares ``p_a, p_b`` (weighted estimates for weighted respondent
        data) with Wilson limits; ``gap`` and its range over feasible counts;
        the Fréchet bounds of the cells; the range of the ``ci_level``
        paired interval's limits and of the p-value over compatible tables;
        ``significant_tables`` ("all", "some" or "none" of the compatible
        tables give a significant gap; one table with respondent data) and
        ``significant`` (all of them do); ``basis``; ``n_source``;
        ``status`` (:data:`STATUSES`); ``item_n`` (the larger item base
        when the paired table covers fewer respondents, who answered both)
        and ``n_raw`` (respondents behind a weighted table).

    Raises
    ------
    ValueError
        A ``measure`` without a ``pair`` (or the reverse), an unknown
        measure, two figures for one measure of a pair, counts above ``n``
        or negative, ``n = 0``, measures of one pair with different ``n``,
        a ``paired`` table whose cells do not add up to ``n`` or whose
        margins exceed the counts, an unknown ``ci`` or ``test``.

    References
    ----------
    Fréchet M (1951). Annales de l'Université de Lyon, Section A, 14:53-77.
    Manski CF (2003). Partial Identification of Probability Distributions. Springer.
    McNemar Q (1947). Psychometrika 12:153-157.
    Newcombe RG (1998b). Stat Med 17:2635-2650.
    Tango T (1998). Stat Med 17:891-908.

    Examples
    --------
    >>> gaps = skills_gap(load_counts(store=None).counts, study="leapfrog_2015")
    >>> print(gaps[["pair", "k_a", "k_b", "a_only_min", "a_only_max", "significant_tables"]].to_string(index=False))
                       pair  k_a  k_b  a_only_min  a_only_max significant_tables
    data_tracking_analytics   64   43          21          63               some
                 mobile_web   55   42          13          55               some
                    sem_seo   46   29          17          46               some
                omnichannel   37   16          21          37                all
             mass_marketing <NA>   47        <NA>        <NA>               None
    """
    alpha = check_open_unit(alpha, "alpha")
    check_choice(ci, "ci", PAIRED_CI_METHODS)
    check_choice(test, "test", PAIRED_TEST_METHODS)
    observed_keys = frozenset() if paired is None else frozenset(zip(paired["study"], paired["group"], paired["pair"]))
    items = _paired_items(counts, study, measure_a, measure_b, observed_keys)
    if items.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    observed: dict[tuple[str, str, str], Any] = {}
    if paired is not None:
        paired = _check_paired(paired)
        keys = set(zip(items["study"], items["group"], items["pair"]))
        studies = set(items["study"])
        for idx, row in paired.iterrows():
            key = (row["study"], row["group"], row["pair"])
            if key not in keys:
                if row["study"] in studies:
                    raise ValueError(f"paired row {idx} ({row['study']}/{row['pair']}/{row['group']}): no "
                                     f"{measure_a}/{measure_b} counts with this pair key")
                continue
            observed[key] = row
    out = items.drop(columns=["measures"]).copy()
    for column in GAP_COLUMNS:
        if column not in out.columns:
            out[column] = None
    out["ci_method"], out["test"], out["ci_level"] = ci, test, 1.0 - alpha
    out["n_source"] = [weakest_source(a, b) for a, b in zip(items["n_source_a"], items["n_source_b"])]
    weighted_share: dict[int, tuple[float, float]] = {}
    bounds_rows = []
    for i, rec in items.iterrows():
        key = (rec["study"], rec["group"], rec["pair"])
        if len(rec["measures"]) < 2:
            out.at[i, "status"] = "one_measure"
        elif rec["n"] is None:
            out.at[i, "status"] = "no_size"
        elif rec["k_a"] is None or rec["k_b"] is None:
            out.at[i, "status"] = "no_count"
        elif key in observed:
            row = observed[key]
            n = int(row["n"])
            k_a, k_b = int(row["both"]) + int(row["a_only"]), int(row["both"]) + int(row["b_only"])
            weighted = "p_hat_a" in row.index and pd.notna(row["p_hat_a"])
            if not weighted and (n > rec["n"] or k_a > rec["k_a"] or k_b > rec["k_b"]):
                raise ValueError(
                    f"paired table {key[0]}/{key[2]}/{key[1]}: margins {k_a}, {k_b} of n = {n} exceed the "
                    f"counts ({rec['item_a']}: {rec['k_a']}, {rec['item_b']}: {rec['k_b']} of n = {rec['n']})")
            if (n, k_a, k_b) != (rec["n"], rec["k_a"], rec["k_b"]):
                # item non-response (or effective counts): the analysis uses the table itself
                if not weighted and n != rec["n"]:
                    out.at[i, "item_n"] = rec["n"]
                for column, value in (("n", n), ("k_a", k_a), ("k_b", k_b), ("k_a_low", k_a), ("k_a_high", k_a),
                                      ("k_b_low", k_b), ("k_b_high", k_b)):
                    out.at[i, column] = value
            if weighted:
                weighted_share[i] = (float(row["p_hat_a"]), float(row["p_hat_b"]))
                out.at[i, "n_raw"] = int(row["n_raw"])
            res = paired_compare(int(row["both"]), int(row["a_only"]), int(row["b_only"]), int(row["neither"]),
                                 alpha=alpha, ci=ci, test=test).iloc[0]
            sig = (res["p_value"] < alpha) and (res["ci_low"] > 0 or res["ci_high"] < 0)
            for name, value in (("both", res["both"]), ("a_only", res["a_only"]), ("b_only", res["b_only"]),
                                ("ci_low", res["ci_low"]), ("ci_high", res["ci_high"]), ("p", res["p_value"]),
                                ("gap", res["diff"])):
                out.at[i, f"{name}_min"] = value
                out.at[i, f"{name}_max"] = value
            out.at[i, "significant_tables"] = "all" if sig else "none"
            out.at[i, "tables"], out.at[i, "tables_significant"] = 1, int(sig)
            out.at[i, "basis"], out.at[i, "status"] = BASIS_EXACT, "ok"
        else:
            bounds_rows.append(i)
            out.at[i, "basis"], out.at[i, "status"] = BASIS_BOUNDS, "ok"
        if out.at[i, "basis"] is None:
            out.at[i, "basis"] = BASIS_NONE
    if bounds_rows:
        sub = items.loc[bounds_rows]
        agg = _bounds_over_counts(sub["k_a_low"], sub["k_a_high"], sub["k_b_low"], sub["k_b_high"], sub["n"],
                                  alpha, ci, test)
        for j, i in enumerate(bounds_rows):
            for column in agg.columns:
                out.at[i, column] = agg.iloc[j][column]
    for s in ("a", "b"):
        has = out[f"k_{s}"].notna() & out["n"].notna()
        for column in (f"p_{s}", f"p_{s}_low", f"p_{s}_high"):
            out[column] = np.nan
        if has.any():
            k = out.loc[has, f"k_{s}"].astype(int).to_numpy()
            n = out.loc[has, "n"].astype(int).to_numpy()
            low, high = wilson_interval(k, n, alpha)
            out.loc[has, f"p_{s}"] = k / n
            out.loc[has, f"p_{s}_low"] = low
            out.loc[has, f"p_{s}_high"] = high
    has = out["k_a"].notna() & out["k_b"].notna() & out["n"].notna()
    out["gap"] = np.nan
    if has.any():  # one division, so that equal count differences give equal gaps
        out.loc[has, "gap"] = ((out.loc[has, "k_a"].astype(int) - out.loc[has, "k_b"].astype(int))
                               / out.loc[has, "n"].astype(int)).to_numpy(dtype=float)
    for i, (p_a, p_b) in weighted_share.items():  # weighted: the estimate is the weighted share
        out.at[i, "p_a"], out.at[i, "p_b"], out.at[i, "gap"] = p_a, p_b, p_a - p_b
    out = out[GAP_COLUMNS]
    out = out.astype({c: "Int64" for c in _INT_COLUMNS})
    for column in ("gap_min", "gap_max", "ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max", "p_min", "p_max"):
        out[column] = pd.to_numeric(out[column]).astype(float)
    out["significant_tables"] = out["significant_tables"].astype(object).where(out["significant_tables"].notna(),
                                                                               None)
    out["significant"] = (out["significant_tables"] == "all").to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def skills_sensitivity(bundle: CountsBundle, gaps: pd.DataFrame, alpha: float, ci: str, test: str) -> pd.DataFrame:
    """Does each skill's verdict survive every scenario of rounding rule, group size and count?

    The two measures of a skill are the same respondents, so only
    scenarios in which both have the same base are compared; each is bounded
    over its compatible tables as in :func:`skills_gap`.

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`, one row per skill compared from margins.
    """
    margins = gaps[gaps["basis"] == BASIS_BOUNDS]
    if margins.empty:
        return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
    pairs = pd.DataFrame({"study": margins["study"], "item1": margins["item_a"], "group1": margins["group"],
                          "item2": margins["item_b"], "group2": margins["group"], "pair": margins["pair"]})
    grid = pair_scenarios(scenario_ranges(bundle), pairs.drop(columns="pair"), same_base=True)
    grid = grid.merge(pairs, on=["study", "item1", "group1", "item2", "group2"])
    ok = grid[grid["feasible"]].reset_index(drop=True)
    bounds = paired_gap_bounds(ok["k1"].astype("int64").to_numpy(), ok["k2"].astype("int64").to_numpy(),
                               ok["n1"].astype("int64").to_numpy(), alpha=alpha, ci=ci, test=test) if len(ok) else None
    rows = []
    for (study, group, pair), part in grid.groupby(["study", "group1", "pair"], sort=False):
        tested = ok.index[(ok["study"] == study) & (ok["group1"] == group) & (ok["pair"] == pair)]
        found = list(dict.fromkeys(bounds.loc[tested, "significant_tables"])) if bounds is not None else []
        row = {"study": study, "group": group, "pair": pair, "scenarios": len(tested),
               "rules": rules_text(part["rule"]), "n_values": sizes_text(part["n1"]),
               "significant_tables": " | ".join(found), "not_assessable": int((~part["feasible"]).sum()),
               "flips_with_data": len(found) > 1}
        if len(tested):
            sub = bounds.loc[tested]
            row.update(gap_min=sub["diff"].min(), gap_max=sub["diff"].max(), p_min=sub["p_min"].min(),
                       p_max=sub["p_max"].max())
        rows.append(row)
    out = pd.DataFrame(rows)
    out["robust"] = ~out["flips_with_data"].astype(bool)
    return out.reindex(columns=list(SENSITIVITY_COLUMNS))

def _rank_draws(cells: np.ndarray, n: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Resampled gaps, shape (replicates, skills)."""
    draws = np.empty((replicates, len(n)))
    for j in range(len(n)):
        sample = rng.multinomial(int(n[j]), cells[j] / n[j], size=replicates)
        draws[:, j] = (sample[:, 1] - sample[:, 2]) / n[j]
    return draws


def _rank_summary(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    top = draws == draws.max(axis=1, keepdims=True)
    share_first = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)  # ties share the first place
    ranks = 1 + (draws[:, None, :] > draws[:, :, None]).sum(axis=2)  # competition rank, 1 = largest gap
    low = np.quantile(ranks, 0.025, axis=0, method="inverted_cdf")
    high = np.quantile(ranks, 0.975, axis=0, method="inverted_cdf")
    return share_first, low, high


def skills_ranking(gaps: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Rank skills by their gap, with a seeded parametric bootstrap of the uncertainty.

    Each skill's 2x2 table is resampled from the multinomial distribution
    with its ``n`` respondents; the resampled gaps are ranked within each
    study and group. With respondent data the observed table is resampled.
    From margins two tables are resampled: the *most discordant* compatible
    table (``both`` at its Fréchet lower bound, the largest sampling variance
    of the gap: the most rank uncertainty the margins allow, the headline)
    and the *least discordant* one (``both`` at its upper bound). Ranking over
    compatible tables alone would be pointless: the point gap is the same for
    every compatible table.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`skills_gap` output; skills without a gap are left out.
    replicates : int, default 10000
    seed : int, default 2015
        Seed of :func:`numpy.random.default_rng`; same seed, same table.

    Returns
    -------
    pandas.DataFrame
        One row per compared skill, ordered by rank within study and group:
        ``study, group, pair, gap`` (point gap), ``rank`` (1 = largest point
        gap), ``share_first`` (share of replicates in which the skill has the
        largest gap, ties shared; most discordant or observed table),
        ``rank_low, rank_high`` (central 95% of its bootstrap rank),
        ``share_first_least_discordant`` (the same share under the least
        discordant table; NaN with respondent data), ``basis``,
        ``replicates``, ``seed``.

    Raises
    ------
    ValueError
        ``replicates`` below 1.

    Examples
    --------
    >>> gaps = skills_gap(load_counts(store=None).counts, study="leapfrog_2015")
    >>> ranking = skills_ranking(gaps, replicates=2000, seed=1)
    >>> print(ranking[["pair", "rank", "rank_low", "rank_high"]].to_string(index=False))
                       pair  rank  rank_low  rank_high
    data_tracking_analytics     1         1          4
                omnichannel     1         1          4
                    sem_seo     3         1          4
                 mobile_web     4         1          4
    """
    if int(replicates) != replicates or replicates < 1:
        raise ValueError(f"replicates must be a whole number >= 1; got {replicates!r}")
    columns = ["study", "group", "pair", "gap", "rank", "share_first", "rank_low", "rank_high",
               "share_first_least_discordant", "basis", "replicates", "seed"]
    data = gaps[gaps["basis"].isin([BASIS_EXACT, BASIS_BOUNDS])].reset_index(drop=True)
    if data.empty:
        return pd.DataFrame(columns=columns)
    rng = np.random.default_rng(seed)
    parts = []
    for (_, _), part in data.groupby(["study", "group"], sort=False):
        n = part["n"].astype(int).to_numpy()
        k_a, k_b = part["k_a"].astype(int).to_numpy(), part["k_b"].astype(int).to_numpy()
        exact = (part["basis"] == BASIS_EXACT).to_numpy()
        # observed table (respondent data) or the most discordant one
        both = np.where(exact, part["both_min"].astype(int).to_numpy(), np.maximum(0, k_a + k_b - n))
        cells = np.column_stack([both, k_a - both, k_b - both, n - k_a - k_b + both]).astype(float)
        share, low, high = _rank_summary(_rank_draws(cells, n, int(replicates), rng))
        both_hi = np.where(exact, both, np.minimum(k_a, k_b))
        cells_hi = np.column_stack([both_hi, k_a - both_hi, k_b - both_hi, n - k_a - k_b + both_hi]).astype(float)
        share_hi, _, _ = _rank_summary(_rank_draws(cells_hi, n, int(replicates), rng))
        gap = part["gap"].to_numpy(dtype=float)
        rank = 1 + (gap[None, :] > gap[:, None]).sum(axis=1)
        frame = pd.DataFrame({
            "study": part["study"].to_numpy(), "group": part["group"].to_numpy(), "pair": part["pair"].to_numpy(),
            "gap": gap, "rank": rank, "share_first": share, "rank_low": low.astype(int), "rank_high": high.astype(int),
            "share_first_least_discordant": np.where(exact, np.nan, share_hi), "basis": part["basis"].to_numpy(),
            "replicates": int(replicates), "seed": seed,
        })
        parts.append(frame.sort_values(["rank", "gap"], ascending=[True, False], kind="stable"))
    return pd.concat(parts, ignore_index=True)[columns]




def _find(table: pd.DataFrame, study: str, group: str, item: str) -> tuple[pd.Series, str] | None:
    part = table[(table["study"] == study) & (table["group"] == group)]
    for suffix in ("a", "b"):
        hit = part[part[f"item_{suffix}"] == item]
        if len(hit):
            return hit.iloc[0], suffix
    return None


def _comparison(table: pd.DataFrame, c: Any, alpha: float, ci: str, test: str) -> dict[str, Any] | None:
    """The statistics of one claimed comparison ``item_a - item_b``, or None without counts."""
    one, two = _find(table, c.study, c.group_a, c.item_a), _find(table, c.study, c.group_b, c.item_b)
    if one is None or two is None:
        return None
    (row1, s1), (row2, s2) = one, two
    if row1.name == row2.name and s1 != s2 and row1["basis"] in (BASIS_EXACT, BASIS_BOUNDS):
        sign = 1.0 if s1 == "a" else -1.0
        stats = {k: row1[k] for k in ("gap", "gap_min", "gap_max", "ci_low_min", "ci_low_max", "ci_high_min",
                                      "ci_high_max", "p_min", "p_max", "tables", "tables_significant", "basis")}
        stats.update(n=row1["n"], k1=row1[f"k_{s1}"], k2=row1[f"k_{s2}"], sign=sign, across=False,
                     n_source=row1["n_source"])
        return stats
    k1, k2 = row1[f"k_{s1}"], row2[f"k_{s2}"]
    n1, n2 = row1["n"], row2["n"]
    if pd.isna(k1) or pd.isna(k2) or pd.isna(n1) or pd.isna(n2) or int(n1) != int(n2):
        return None
    agg = _bounds_over_counts([row1[f"k_{s1}_low"]], [row1[f"k_{s1}_high"]], [row2[f"k_{s2}_low"]],
                              [row2[f"k_{s2}_high"]], [int(n1)], alpha, ci, test).iloc[0]
    stats = {k: agg[k] for k in ("gap_min", "gap_max", "ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max",
                                 "p_min", "p_max", "tables", "tables_significant")}
    exact_data = BASIS_EXACT in (row1["basis"], row2["basis"])
    stats.update(gap=(int(k1) - int(k2)) / int(n1), basis=BASIS_BOUNDS, n=int(n1), k1=int(k1), k2=int(k2), sign=1.0,
                 across=exact_data, n_source=weakest_source(row1["n_source"], row2["n_source"]))
    return stats




def _claim_comparison(table: pd.DataFrame, alpha: float, ci: str, test: str):
    def compare(c: Any) -> dict[str, Any]:
        record = {"item": f"{c.item_a} vs {c.item_b}", "group1": c.group_a, "group2": c.group_b,
                  "ci_level": 1.0 - alpha}
        if c.relation not in (">", "<"):
            raise ValueError(f"claim {c.claim_id}: relation {c.relation!r} is not a gap (>, <)")
        st = _comparison(table, c, alpha, ci, test)
        if st is None:
            record.update(status="no_count", verdict=comparison_verdict(UNDECIDABLE, assessable=False))
            return record
        want = 1.0 if c.relation == ">" else -1.0
        s = st["sign"]  # +1: the table's a - b is the claim's figure_a - figure_b
        gap = s * st["gap"]
        if s > 0:
            lows, highs = (st["ci_low_min"], st["ci_low_max"]), (st["ci_high_min"], st["ci_high_max"])
        else:
            lows, highs = (-st["ci_high_max"], -st["ci_high_min"]), (-st["ci_low_max"], -st["ci_low_min"])
        clears = lows[0] > 0 if want > 0 else highs[1] < 0  # worst case over compatible tables
        outcome = (NOT_SUPPORTED if want * gap <= 0 else SUPPORTED if clears and st["p_max"] < alpha
                   else UNDECIDABLE)
        record.update(k1=st["k1"], n1=st["n"], k2=st["k2"], n2=st["n"], diff=gap, ci_low=lows[0], ci_high=highs[1],
                      p_adjusted=st["p_max"], n_source=st["n_source"], status="ok", basis=st["basis"],
                      ci_low_max=lows[1], ci_high_min=highs[0], p_min=st["p_min"], tables=st["tables"],
                      tables_significant=st["tables_significant"], across=st["across"],
                      verdict=comparison_verdict(outcome, st["n_source"]))
        return record

    return compare


def applicable(bundle: CountsBundle, settings: SkillsSettings) -> str | None:
    """Why the skills gap does not apply to this input (None when it does)."""
    studies = select_studies(bundle.counts, settings.study)
    paired = bundle.counts[bundle.counts["study"].isin(studies) & bundle.counts["measure"].notna()]
    if len(paired):
        return None
    where = f"study {settings.study}" if settings.study else "the input"
    return (f"{where} has no paired importance/expertise items (figures with a pair and a measure): there is no "
            "skills gap to analyse")


@dataclass(frozen=True)
class SkillsResult:
    """Everything notebook 03 shows (tables unrounded; shares as proportions).

    ``table`` is the :func:`skills_gap` table, ``ranking`` the
    :func:`skills_ranking` table.
    """

    settings: SkillsSettings
    bundle: CountsBundle
    table: pd.DataFrame
    ranking: pd.DataFrame
    claims: pd.DataFrame
    comparisons: pd.DataFrame
    sensitivity: pd.DataFrame

    @property
    def basis(self) -> str:
        """``exact (respondent data)``, ``bounds (marginals only)``, or both, comma-separated."""
        compared = self.table.loc[self.table["basis"] != BASIS_NONE, "basis"]
        return ", ".join(dict.fromkeys(compared)) or BASIS_NONE


def run_skills(settings: SkillsSettings | None = None, **parameters: Any) -> SkillsResult:
    """Run the skills-gap analysis of notebook 03.

    Examples
    --------
    >>> result = run_skills(replicates=500)
    >>> result.basis, result.claims["verdict"].tolist()
    ('bounds (marginals only)', ['undecidable with this sample', 'undecidable with this sample'])
    """
    s = settings if settings is not None else SkillsSettings(**parameters)
    bundle = load_counts(**s.counts_options())
    studies = select_studies(bundle.counts, s.study)
    with_pairs = [st for st in studies if bundle.counts.loc[bundle.counts["study"] == st, "measure"].notna().any()]
    gaps = skills_gap(bundle.counts, paired=bundle.paired, study=with_pairs or studies, alpha=s.alpha, ci=s.ci,
                      test=s.test)
    ranking = skills_ranking(gaps, replicates=s.replicates, seed=s.seed)
    claims, comparisons = judge(claims_of(bundle.claims, "gap", list(dict.fromkeys(gaps["study"]))),
                                _claim_comparison(gaps, s.alpha, s.ci, s.test))
    front = [*COMPARISON_COLUMNS, *[c for c in comparisons.columns if c not in COMPARISON_COLUMNS]]
    return SkillsResult(s, bundle, gaps, ranking, claims, comparisons.reindex(columns=front),
                        skills_sensitivity(bundle, gaps, s.alpha, s.ci, s.test))
