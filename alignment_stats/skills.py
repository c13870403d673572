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
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .claims import VERDICT_COLUMNS, verdict_row
from .paired import (
    PAIRED_CI_METHODS,
    PAIRED_TEST_METHODS,
    paired_compare,
    paired_gap_bounds,
    wilson_interval,
)

__all__ = [
    "BASIS_EXACT",
    "BASIS_BOUNDS",
    "BASIS_NONE",
    "skills_gap",
    "skills_ranking",
    "gap_verdicts",
    "skills_reading",
    "SkillsResult",
    "run_skills",
]

#: ``basis`` of a skill analysed on its observed table.
BASIS_EXACT = "exact (respondent data)"
#: ``basis`` of a skill analysed from its published margins.
BASIS_BOUNDS = "bounds (marginals only)"
#: ``basis`` of a skill with only one of the two measures (or no counts).
BASIS_NONE = "not compared"

#: Bootstrap replicates and seed of the ranking.
DEFAULT_REPLICATES = 10_000
DEFAULT_SEED = 2015

GAP_COLUMNS = [
    "study", "group", "pair", "item_a", "item_b", "n", "k_a", "k_a_low", "k_a_high", "k_b", "k_b_low", "k_b_high",
    "p_a", "p_a_low", "p_a_high", "p_b", "p_b_low", "p_b_high", "gap", "gap_min", "gap_max",
    "both_min", "both_max", "a_only_min", "a_only_max", "b_only_min", "b_only_max",
    "ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max", "p_min", "p_max", "significant", "tables",
    "tables_significant", "basis", "ci_method", "test", "note",
]
PAIRED_COLUMNS = ("study", "pair", "group", "n", "both", "a_only", "b_only", "neither")
_INT_COLUMNS = ["n", "k_a", "k_a_low", "k_a_high", "k_b", "k_b_low", "k_b_high", "both_min", "both_max",
                "a_only_min", "a_only_max", "b_only_min", "b_only_max", "tables", "tables_significant"]


def _check_choice(value: object, name: str, known: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in known:
        raise ValueError(f"{name}={value!r} is not known; use one of: " + ", ".join(repr(k) for k in known))
    return value


def _check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < float(alpha) < 0.5:
        raise ValueError(f"alpha must be a number between 0 and 0.5; got {alpha!r}")
    return float(alpha)


def _pct(share: float, decimals: int = 0, signed: bool = False) -> str:
    """A share as a percentage rounded half up (as surveys publish)."""
    if share is None or pd.isna(share):
        return "–"
    value = Decimal(repr(round(100 * float(share), 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)
    return f"{value:+}" if signed else f"{value}"


def _label(pair: str) -> str:
    return str(pair).replace("_", " ")


def _where(counts: pd.DataFrame, idx: Any) -> str:
    row = counts.loc[idx]
    return f"counts row {idx} ({row['study']}/{row['item']}/{row['group']})"


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


# ---------------------------------------------------------------------------
# the skills table
# ---------------------------------------------------------------------------


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
                            f"k_{suffix}_high": None})
                continue
            row = hit.iloc[0]
            k = _int_or_none(row["k"])
            low = _int_or_none(row["k_low"]) if "k_low" in row.index else None
            high = _int_or_none(row["k_high"]) if "k_high" in row.index else None
            rec.update({f"item_{suffix}": row["item"], f"k_{suffix}": k,
                        f"k_{suffix}_low": low if low is not None else k,
                        f"k_{suffix}_high": high if high is not None else k})
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
    agg["significant"] = np.where(agg["tables_significant"] == agg["tables"], "all",
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
        The counts table (``study, item, group, n, k, k_low, k_high, ...,
        pair, measure``); rows with a ``measure`` are the paired items, the
        two measures of one skill sharing its ``pair`` key.
    paired : pandas.DataFrame, optional
        Observed 2x2 tables from respondent-level data
        (``AnalysisInput.paired``: ``study, pair, group, n, both, a_only,
        b_only, neither``, *a* = ``measure_a``). Skills found there are
        analysed exactly; the others from their margins.
    study : str or list of str, optional
        Restrict to these studies (default: every study with paired items).
    alpha : float, default 0.05
    ci : {"newcombe", "tango"}, default "newcombe"
        Paired interval (Newcombe 1998b method 10, or Tango 1998).
    test : {"exact", "midp"}, default "exact"
        McNemar test, exact or mid-p.
    measure_a, measure_b : str, default "importance", "expertise"
        The two measures; ``gap = p_a - p_b``.

    Returns
    -------
    pandas.DataFrame
        One row per (study, group, pair): ``item_a, item_b`` (the items of
        the two measures), ``n``; ``k_a, k_b`` (the audit's counts) with
        their feasible ranges ``k_a_low, k_a_high, k_b_low, k_b_high``;
        shares ``p_a, p_b`` with Wilson limits ``p_a_low, p_a_high, p_b_low,
        p_b_high``; ``gap`` (``p_a - p_b`` at the audit's counts) and its
        range ``gap_min, gap_max`` over feasible counts; the Fréchet bounds
        ``both_min, both_max, a_only_min, a_only_max`` (important but no
        expertise), ``b_only_min, b_only_max``; the range of the paired
        interval ``ci_low_min, ci_low_max, ci_high_min, ci_high_max`` and of
        the McNemar p-value ``p_min, p_max``; ``significant`` ("all", "some"
        or "none" of the compatible tables give a significant gap; one table
        with respondent data); ``tables, tables_significant``; ``basis``
        (``exact (respondent data)``, ``bounds (marginals only)`` or ``not
        compared``); ``ci_method, test``; ``note`` (why a skill is not
        compared, or what else to know). Shares are proportions (0-1).

    Raises
    ------
    ValueError
        A ``measure`` without a ``pair`` (or the reverse), an unknown
        measure, two figures for one measure of a pair, counts above ``n``
        or negative, ``n = 0``, measures of one pair with different ``n``,
        a ``paired`` table whose cells do not add up to ``n`` or whose
        margins disagree with the counts, an unknown ``study``, ``ci`` or
        ``test``.

    References
    ----------
    Fréchet M (1951). Annales de l'Université de Lyon, Section A, 14:53-77.
    Manski CF (2003). Partial Identification of Probability Distributions.
    Springer.
    McNemar Q (1947). Psychometrika 12:153-157.
    Newcombe RG (1998b). Stat Med 17:2635-2650.
    Tango T (1998). Stat Med 17:891-908.

    Examples
    --------
    >>> from alignment_stats.inputs import load_input
    >>> gaps = skills_gap(load_input().counts, study="leapfrog_2015")
    >>> print(gaps[["pair", "k_a", "k_b", "a_only_min", "a_only_max", "significant"]].to_string(index=False))
                       pair  k_a  k_b  a_only_min  a_only_max significant
    data_tracking_analytics   64   43          21          63        some
                 mobile_web   55   42          13          55        some
                    sem_seo   46   29          17          46        some
                omnichannel   37   16          21          37         all
             mass_marketing <NA>   47        <NA>        <NA>        None
    """
    alpha = _check_alpha(alpha)
    _check_choice(ci, "ci", PAIRED_CI_METHODS)
    _check_choice(test, "test", PAIRED_TEST_METHODS)
    observed_keys = frozenset() if paired is None else frozenset(
        zip(paired["study"], paired["group"], paired["pair"]))
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
    out["ci_method"], out["test"] = ci, test
    notes = []
    bounds_rows = []
    for i, rec in items.iterrows():
        key = (rec["study"], rec["group"], rec["pair"])
        have = rec["measures"]
        note = ""
        if len(have) < 2:
            only = have[0] if have else "neither measure"
            lacking = measure_b if only == measure_a else measure_a
            note = f"{only} only: no {lacking} figure to pair with"
        elif rec["n"] is None:
            note = "group size unknown: no counts to compare"
        elif rec["k_a"] is None or rec["k_b"] is None:
            bad = [rec[f"item_{s}"] for s in ("a", "b") if rec[f"k_{s}"] is None]
            note = f"no feasible count for {', '.join(bad)} (see the data audit)"
        elif key in observed:
            row = observed[key]
            n = int(row["n"])
            k_a, k_b = int(row["both"]) + int(row["a_only"]), int(row["both"]) + int(row["b_only"])
            if n > rec["n"] or k_a > rec["k_a"] or k_b > rec["k_b"]:
                raise ValueError(
                    f"paired table {key[0]}/{key[2]}/{key[1]}: margins {k_a}, {k_b} of n = {n} exceed the "
                    f"counts ({rec['item_a']}: {rec['k_a']}, {rec['item_b']}: {rec['k_b']} of n = {rec['n']})")
            if (n, k_a, k_b) != (rec["n"], rec["k_a"], rec["k_b"]):
                # item non-response: the exact analysis uses those who answered both items
                note = (f"paired on the {n} respondents who answered both items (item counts "
                        f"{rec['k_a']} and {rec['k_b']} of up to {rec['n']} or more)")
                for column, value in (("n", n), ("k_a", k_a), ("k_b", k_b), ("k_a_low", k_a), ("k_a_high", k_a),
                                      ("k_b_low", k_b), ("k_b_high", k_b)):
                    out.at[i, column] = value
            res = paired_compare(int(row["both"]), int(row["a_only"]), int(row["b_only"]), int(row["neither"]),
                                 alpha=alpha, ci=ci, test=test).iloc[0]
            sig = (res["p_value"] < alpha) and (res["ci_low"] > 0 or res["ci_high"] < 0)
            for name, value in (("both", res["both"]), ("a_only", res["a_only"]), ("b_only", res["b_only"]),
                                ("ci_low", res["ci_low"]), ("ci_high", res["ci_high"]), ("p", res["p_value"]),
                                ("gap", res["diff"])):
                out.at[i, f"{name}_min"] = value
                out.at[i, f"{name}_max"] = value
            out.at[i, "significant"] = "all" if sig else "none"
            out.at[i, "tables"], out.at[i, "tables_significant"] = 1, int(sig)
            out.at[i, "basis"] = BASIS_EXACT
            if "n_raw" in row.index and pd.notna(row["n_raw"]) and int(row["n_raw"]) != n:
                note = (f"weighted: the table holds effective counts (n = {n} of {int(row['n_raw'])} respondents), "
                        "so the exact test is approximate")
        else:
            bounds_rows.append(i)
            out.at[i, "basis"] = BASIS_BOUNDS
            if rec["k_a_low"] != rec["k_a_high"] or rec["k_b_low"] != rec["k_b_high"]:
                note = (f"the published shares admit counts {rec['k_a_low']}-{rec['k_a_high']} and "
                        f"{rec['k_b_low']}-{rec['k_b_high']}; bounds cover all of them")
        if note and out.at[i, "basis"] is None:
            out.at[i, "basis"] = BASIS_NONE
        notes.append(note)
    out["note"] = notes
    if bounds_rows:
        sub = items.loc[bounds_rows]
        agg = _bounds_over_counts(sub["k_a_low"], sub["k_a_high"], sub["k_b_low"], sub["k_b_high"], sub["n"],
                                  alpha, ci, test)
        for j, i in enumerate(bounds_rows):
            for column in agg.columns:
                out.at[i, column] = agg.iloc[j][column]
    for s in ("a", "b"):
        has = out[f"k_{s}"].notna() & out["n"].notna()
        out[f"p_{s}"] = np.nan
        out[f"p_{s}_low"] = np.nan
        out[f"p_{s}_high"] = np.nan
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
    out = out[GAP_COLUMNS]
    out = out.astype({c: "Int64" for c in _INT_COLUMNS})
    for column in ("gap_min", "gap_max", "ci_low_min", "ci_low_max", "ci_high_min", "ci_high_max", "p_min", "p_max"):
        out[column] = pd.to_numeric(out[column]).astype(float)
    out["significant"] = out["significant"].astype(object).where(out["significant"].notna(), None)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------
# ranking
# ---------------------------------------------------------------------------


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
    >>> from alignment_stats.inputs import load_input
    >>> gaps = skills_gap(load_input().counts, study="leapfrog_2015")
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


# ---------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------


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
        stats.update(n=row1["n"], k1=row1[f"k_{s1}"], k2=row1[f"k_{s2}"], sign=sign, note="")
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
                 note=(" (the respondent data hold no table crossing these two items)" if exact_data else ""))
    return stats


def gap_verdicts(
    claims: pd.DataFrame, table: pd.DataFrame, alpha: float = 0.05, ci: str = "newcombe", test: str = "exact"
) -> pd.DataFrame:
    """Verdict on every ``kind == "gap"`` claim, from :func:`skills_gap` results.

    Each comparison a claim rests on (``figure_a relation figure_b``, both
    answered by the same respondents) is *supported* when it is significant
    in the claimed direction for every compatible table (or for the observed
    table with respondent data): the paired interval excludes 0 on the
    claimed side and the McNemar p-value is below ``alpha``. It is *not
    supported* when the observed difference points the other way or is zero,
    and *undecidable with this sample* otherwise. Comparisons within one
    skill use the skill's row of ``table``; comparisons of two items of
    different skills (e.g. expertise in mass marketing vs in data tracking,
    also paired) are bounded the same way from the two items' margins. A
    claim resting on several comparisons is supported only if all are (an
    intersection-union test, which needs no multiplicity adjustment), not
    supported if any is not, undecidable otherwise.

    Parameters
    ----------
    claims : pandas.DataFrame
        :func:`alignment_stats.data.load_claims` output; only ``kind ==
        "gap"`` rows are judged.
    table : pandas.DataFrame
        :func:`skills_gap` output covering the claims' items.
    alpha, ci, test
        As in :func:`skills_gap` (used for comparisons across skills).

    Returns
    -------
    pandas.DataFrame
        ``claim_id, study, quote, verdict, detail``: one row per claim;
        ``detail`` gives each comparison's shares, gap, interval range,
        McNemar p range and basis.

    Raises
    ------
    ValueError
        A gap claim whose relation is not ``>`` or ``<``.

    Examples
    --------
    >>> from alignment_stats.data import load_claims
    >>> from alignment_stats.inputs import load_input
    >>> table = skills_gap(load_input().counts, study="leapfrog_2015")
    >>> gap_verdicts(load_claims(), table)[["claim_id", "verdict"]].to_dict("records")
    [{'claim_id': 'skills_trail_importance', 'verdict': 'undecidable with this sample'}, {'claim_id': 'expertise_mostly_mass_marketing', 'verdict': 'undecidable with this sample'}]
    """
    alpha = _check_alpha(alpha)
    rows = []
    judged = claims[claims["kind"] == "gap"]
    level = f"{100 * (1 - alpha):.0f}%"
    for claim_id, part in judged.groupby("claim_id", sort=False):
        verdicts, details = [], []
        for c in part.itertuples():
            want = {">": 1.0, "<": -1.0}.get(c.relation)
            if want is None:
                raise ValueError(f"claim {claim_id}: relation {c.relation!r} is not a gap (>, <)")
            st = _comparison(table, c, alpha, ci, test)
            if st is None:
                verdicts.append("undecidable with this sample")
                details.append(f"{c.item_a} vs {c.item_b}: no paired counts to compare")
                continue
            s = st["sign"]  # +1: the table's a - b is the claim's figure_a - figure_b
            gap = s * st["gap"]
            if s > 0:
                lows, highs = (st["ci_low_min"], st["ci_low_max"]), (st["ci_high_min"], st["ci_high_max"])
            else:
                lows, highs = (-st["ci_high_max"], -st["ci_high_min"]), (-st["ci_low_max"], -st["ci_low_min"])
            # worst case over compatible tables on the claimed side of 0
            clears = lows[0] > 0 if want > 0 else highs[1] < 0
            if want * gap <= 0:
                verdict = "not supported"
            elif clears and st["p_max"] < alpha:
                verdict = "supported"
            else:
                verdict = "undecidable with this sample"
            verdicts.append(verdict)
            head = (f"{c.item_a} vs {c.item_b}: {st['k1']} vs {st['k2']} of {st['n']} "
                    f"({_pct(st['k1'] / st['n'])}% vs {_pct(st['k2'] / st['n'])}%), "
                    f"gap {_pct(gap, signed=True)} points")
            if st["basis"] == BASIS_EXACT:
                details.append(f"{head}; {BASIS_EXACT}: {level} CI {_pct(lows[0], 1, True)} to "
                               f"{_pct(highs[1], 1, True)}, exact McNemar p = {st['p_max']:.3g}")
                continue
            sig = ("significant for every one" if st["tables_significant"] == st["tables"] else
                   "significant for none" if st["tables_significant"] == 0 else
                   f"significant for {st['tables_significant']} of them")
            details.append(
                f"{head}; {st['basis']}{st['note']}: over the {st['tables']} compatible tables the {level} CI's lower "
                f"limit lies between {_pct(lows[0], 1, True)} and {_pct(lows[1], 1, True)} points, its upper limit "
                f"between {_pct(highs[0], 1, True)} and {_pct(highs[1], 1, True)}, and the McNemar p-value between "
                f"{st['p_min']:.3g} and {st['p_max']:.3g}: {sig}")
        rows.append(verdict_row(claim_id, part, verdicts, details))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


# ---------------------------------------------------------------------------
# reading and the notebook's result
# ---------------------------------------------------------------------------


def skills_reading(gaps: pd.DataFrame, ranking: pd.DataFrame, verdicts: pd.DataFrame, alpha: float = 0.05) -> str:
    """A plain-language reading of the results, as Markdown.

    Examples
    --------
    >>> gaps = pd.DataFrame({"study": ["s"], "group": ["marketing"], "pair": ["x"], "n": [100], "gap": [0.2],
    ...     "a_only_min": [20], "a_only_max": [50], "significant": ["all"], "tables": [31],
    ...     "tables_significant": [31], "basis": [BASIS_BOUNDS], "note": [""]})
    >>> print(skills_reading(gaps, pd.DataFrame(columns=["study", "group", "pair"]),
    ...                      pd.DataFrame(columns=["quote", "verdict"])))
    - **s** (marketing, n = 100; bounds (marginals only)): importance exceeds expertise for 1 of 1 skill(s), by 20 points.
      - Significant whatever the overlap of the two answers: x.
      - Between 20 and 50 of the 100 respondents rate a skill important without claiming expertise in it (x: 20-50); the published figures do not say more.
    """
    lines = []
    compared = gaps[gaps["basis"].isin([BASIS_EXACT, BASIS_BOUNDS])]
    for (study, group), part in compared.groupby(["study", "group"], sort=False):
        basis = ", ".join(dict.fromkeys(part["basis"]))
        ns = ", ".join(str(int(v)) for v in dict.fromkeys(part["n"]))
        positive = part[part["gap"] > 0]
        text = (f"- **{study}** ({group}, n = {ns}; {basis}): importance exceeds expertise for {len(positive)} of "
                f"{len(part)} skill(s)")
        if len(positive):
            lo, hi = _pct(positive["gap"].min()), _pct(positive["gap"].max())
            text += f", by {lo} points" if lo == hi else f", by {lo} to {hi} points"
        lines.append(text + ".")
        labels = {level: [_label(p) for p in part.loc[part["significant"] == level, "pair"]]
                  for level in ("all", "some", "none")}
        exact = (part["basis"] == BASIS_EXACT).all()
        if labels["all"]:
            what = "Significant" if exact else "Significant whatever the overlap of the two answers"
            lines.append(f"  - {what}: {', '.join(labels['all'])}.")
        if labels["some"]:
            detail = "; ".join(f"{_label(r.pair)}: {int(r.tables_significant)} of {int(r.tables)} tables"
                               for r in part[part["significant"] == "some"].itertuples())
            lines.append(f"  - Significant for some compatible tables but not all ({detail}): whether these gaps are "
                         "real depends on how many respondents rate a skill important *and* claim expertise in it, "
                         "which the published figures do not say.")
        if labels["none"]:
            what = "Not significant" if exact else "Not significant for any compatible table"
            lines.append(f"  - {what}: {', '.join(labels['none'])}.")
        if not exact:
            spans = "; ".join(f"{_label(r.pair)}: {int(r.a_only_min)}-{int(r.a_only_max)}" for r in part.itertuples())
            lo, hi = int(part["a_only_min"].min()), int(part["a_only_max"].max())
            lines.append(f"  - Between {lo} and {hi} of the {ns} respondents rate a skill important without claiming "
                         f"expertise in it ({spans}); the published figures do not say more.")
        rank = ranking[(ranking["study"] == study) & (ranking["group"] == group)] if len(ranking) else ranking
        if len(rank):
            top = rank.iloc[0]
            tied = rank[rank["rank"] == top["rank"]]
            names = " and ".join(_label(p) for p in tied["pair"])
            shares = ", ".join(f"{_label(r.pair)} {_pct(r.share_first)}%" for r in rank.itertuples())
            lines.append(f"  - Largest gap: {names} ({_pct(top['gap'])} points). Share of "
                         f"{int(top['replicates'])} bootstrap replicates in which each skill has the largest gap: "
                         f"{shares}.")
    skipped = gaps[gaps["basis"] == BASIS_NONE]
    if len(skipped):
        listed = "; ".join(f"{r.study}/{_label(r.pair)} ({r.note})" for r in skipped.itertuples())
        lines.append(f"- Not compared: {listed}.")
    for r in verdicts.itertuples():
        lines.append(f"- Claim *\u201c{r.quote}\u201d*: **{r.verdict}**.")
    return "\n".join(lines)


@dataclass(frozen=True)
class SkillsResult:
    """Everything notebook 03 shows.

    ``bounds`` is the full :func:`skills_gap` table (proportions), ``ranking``
    the :func:`skills_ranking` table and ``verdicts`` the
    :func:`gap_verdicts` table.
    """

    counts: pd.DataFrame
    bounds: pd.DataFrame
    ranking: pd.DataFrame
    verdicts: pd.DataFrame
    source: str
    alpha: float
    ci: str
    test: str
    seed: int

    @property
    def basis(self) -> str:
        """``exact (respondent data)``, ``bounds (marginals only)``, or both, comma-separated."""
        compared = self.bounds.loc[self.bounds["basis"] != BASIS_NONE, "basis"]
        return ", ".join(dict.fromkeys(compared)) or BASIS_NONE

    @property
    def table(self) -> pd.DataFrame:
        """One row per skill for display: shares, gap and interval limits in percent."""
        b = self.bounds
        table = pd.DataFrame({
            "study": b["study"], "skill": b["pair"].map(_label), "n": b["n"],
            "importance": (100 * b["p_a"]).round(1), "expertise": (100 * b["p_b"]).round(1),
            "gap": (100 * b["gap"]).round(1),
            "important_not_expert": [_span(r.a_only_min, r.a_only_max) for r in b.itertuples()],
            "expert_not_important": [_span(r.b_only_min, r.b_only_max) for r in b.itertuples()],
            "ci_low_range": [_span(100 * r.ci_low_min, 100 * r.ci_low_max, 1) for r in b.itertuples()],
            "ci_high_range": [_span(100 * r.ci_high_min, 100 * r.ci_high_max, 1) for r in b.itertuples()],
            "p_range": [_span(r.p_min, r.p_max, p=True) for r in b.itertuples()],
            "significant": b["significant"].fillna("–"), "basis": b["basis"], "note": b["note"],
        })
        return table

    @property
    def ranking_table(self) -> pd.DataFrame:
        """The ranking with gaps and shares in percent."""
        r = self.ranking.copy()
        r.insert(2, "skill", r.pop("pair").map(_label))
        for column in ("gap", "share_first", "share_first_least_discordant"):
            r[column] = (100 * r[column].astype(float)).round(1)
        return r.drop(columns=["replicates", "seed"])

    def reading(self) -> str:
        """Plain-language reading (Markdown), generated from the results."""
        return skills_reading(self.bounds, self.ranking, self.verdicts, self.alpha)

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write ``results/skills_gap.csv``, ``results/claims.csv`` and ``results/ranking.csv``."""
        from .outputs import write_result

        return [write_result(self.bounds, output_dir, "skills_gap"),
                write_result(self.verdicts[["claim_id", "quote", "verdict", "detail"]], output_dir, "claims"),
                write_result(self.ranking, output_dir, "ranking")]


def _span(low: Any, high: Any, decimals: int = 0, p: bool = False) -> str:
    if low is None or pd.isna(low):
        return "–"
    if p:
        text = [f"{float(v):.3g}" for v in (low, high)]
    else:
        text = [f"{float(v):.{decimals}f}" if decimals else str(int(v)) for v in (low, high)]
    return text[0] if text[0] == text[1] else f"{text[0]} to {text[1]}"


def run_skills(
    input: str | Path | None = None,
    study: str | Sequence[str] | None = "leapfrog_2015",
    alpha: float = 0.05,
    ci: str = "newcombe",
    rounding: str = "half_up",
    max_missing: int = 1,
    seed: int = DEFAULT_SEED,
    test: str = "exact",
    replicates: int = DEFAULT_REPLICATES,
    codebook: str | Path | None = None,
    weighted: bool = False,
) -> SkillsResult:
    """Run the skills-gap analysis of notebook 03.

    Parameters
    ----------
    input : str or Path, optional
        Figures or counts; see :func:`alignment_stats.inputs.load_input`.
        When it brings observed paired tables (respondent-level data) they
        are used: exact rather than bounds.
    study : str or list of str, optional, default "leapfrog_2015"
        None: every study with paired items.
    alpha, ci, test
        See :func:`skills_gap`.
    rounding, max_missing
        Passed to :func:`alignment_stats.inputs.load_input`.
    seed, replicates
        See :func:`skills_ranking`.
    codebook, weighted
        For respondent-level answers in ``input``: their codebook, and
        whether to weight (see :func:`alignment_stats.inputs.load_input`).

    Returns
    -------
    SkillsResult

    Examples
    --------
    >>> result = run_skills(replicates=500)
    >>> result.basis, result.verdicts["verdict"].tolist()
    ('bounds (marginals only)', ['undecidable with this sample', 'undecidable with this sample'])
    """
    from .data import load_claims
    from .inputs import load_input

    survey = {"codebook": codebook, "weighted": weighted} if codebook not in (None, "") else {}
    loaded = load_input(input, rounding=rounding, max_missing=max_missing, **survey)
    gaps = skills_gap(loaded.counts, paired=loaded.paired, study=study, alpha=alpha, ci=ci, test=test)
    ranking = skills_ranking(gaps, replicates=replicates, seed=seed)
    claims = load_claims(figures=loaded.figures) if loaded.figures is not None else load_claims()
    claims = claims[claims["kind"] == "gap"]
    claims = claims[claims["study"].isin(set(gaps["study"]))]
    verdicts = gap_verdicts(claims, gaps, alpha=alpha, ci=ci, test=test)
    return SkillsResult(loaded.counts, gaps, ranking, verdicts, loaded.source, float(alpha), ci, test, seed)
