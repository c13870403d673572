"""The scenario enumeration: every rounding rule x group size x feasible count of every figure.

What a published percentage says depends on how it was rounded, which
split of the study's sample stands behind it, and which of its feasible
counts is the true one. Every analysis answers "what if" the same way, from
the functions here:

- :func:`figure_ranges`: for every figure and every candidate size scenario
  (:func:`~alignment_stats.counts.sizes.candidate_sizes`) under each rule,
  the feasible counts ``k_low..k_high``. A figure that states its own
  rounding keeps it under every scenario rule; the scenario's rule applies
  to figures whose rounding is ``unknown`` and to the study's composition.
- :func:`choose_sizes`: the best-supported split and item bases under one
  rule: most figures feasible, ties to fewer unclassified respondents, then
  to the split closest to the published shares, then to fewer item
  non-responses.
- :func:`pair_scenarios`: two figures compared within the same scenario
  (same rule, same split), with every pair of feasible counts.

Assumed sizes (``assumed_n``) are one more scenario, only for groups whose
size nothing publishes (:func:`~alignment_stats.counts.sizes.assumable_groups`),
marked ``n_source = "assumed"``; a group whose published composition no
split fits under a rule gets no scenario under that rule: its figures are
not assessable there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..schema import SIZE_COLUMNS, SPECIFIC_RULES
from .feasible import count_ranges

__all__ = [
    "RANGE_COLUMNS",
    "MAX_COUNTS",
    "assumed_sizes",
    "figure_ranges",
    "choose_sizes",
    "chosen_ranges",
    "expand_counts",
    "pair_scenarios",
]

#: One row per (figure, size scenario): the figure, the scenario and its feasible counts.
RANGE_COLUMNS: tuple[str, ...] = (
    "study", "item", "group", *SIZE_COLUMNS[1:3], *SIZE_COLUMNS[4:], "rounding", "k_low", "k_high", "n_feasible",
)
#: Most counts of one figure a scenario table lists; wider ranges are thinned evenly, ends kept.
MAX_COUNTS = 50
_FIGURE = ["study", "item", "group"]


def assumed_sizes(groups: Iterable[tuple[str, str]], rules: Sequence[str], assumed_n: int) -> pd.DataFrame:
    """Size scenarios of an assumed group size, one per rule, for groups whose size nothing publishes.

    >>> assumed_sizes([("s", "it")], ["half_up"], 100)[["study", "group", "n", "n_source"]].to_dict("records")
    [{'study': 's', 'group': 'it', 'n': 100, 'n_source': 'assumed'}]
    """
    if isinstance(assumed_n, bool) or int(assumed_n) != assumed_n or not 1 <= assumed_n < 2**53:
        raise ValueError(f"assumed_n: {assumed_n!r} must be a whole number >= 1")
    rows = [{"study": s, "rule": r, "split": 0, "group": g, "group_n": int(assumed_n), "item_missing": 0,
             "n": int(assumed_n), "split_total": 0, "split_unclassified": 0, "deviation": 0.0, "n_source": "assumed"}
            for s, g in sorted(set(groups)) for r in rules]
    return pd.DataFrame(rows, columns=list(SIZE_COLUMNS)).astype(
        {c: "int64" for c in ("split", "group_n", "item_missing", "n", "split_total", "split_unclassified")})


def figure_ranges(figures: pd.DataFrame, sizes: pd.DataFrame) -> pd.DataFrame:
    """Feasible counts of every figure under every size scenario of its group.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures (``study, item, group, value, low, high, decimals, rounding, n``).
    sizes : pandas.DataFrame
        Size scenarios (:data:`~alignment_stats.schema.SIZE_COLUMNS`), e.g.
        :func:`~alignment_stats.counts.sizes.candidate_sizes`, possibly with
        :func:`assumed_sizes` appended. A figure published with its own
        ``n`` uses that size in every (rule, split) of its study.

    Returns
    -------
    pandas.DataFrame
        :data:`RANGE_COLUMNS`: the figure, the scenario (``rule, split,
        group_n, item_missing, n, split_total, split_unclassified,
        deviation, n_source``), ``rounding`` (the rule in force: the
        figure's own, else the scenario's) and ``k_low, k_high`` (Int64,
        <NA> when no count fits), ``n_feasible``.

    Examples
    --------
    A figure stated ``ceil`` keeps its rule under every scenario rule:

    >>> figures = pd.DataFrame({"study": "s", "item": ["x", "y"], "group": "it", "value": [13.0, 13.0],
    ...     "low": np.nan, "high": np.nan, "decimals": 0, "rounding": ["unknown", "ceil"], "n": pd.NA})
    >>> sizes = assumed_sizes([("s", "it")], ["half_up", "truncate"], 24)
    >>> figure_ranges(figures, sizes)[["item", "rule", "rounding", "k_low", "k_high"]]
      item      rule  rounding  k_low  k_high
    0    x   half_up   half_up      3       3
    1    y   half_up      ceil      3       3
    2    x  truncate  truncate   <NA>    <NA>
    3    y  truncate      ceil      3       3
    """
    figs = figures.reset_index(drop=True)
    own = figs["n"].notna() if "n" in figs else pd.Series(False, index=figs.index)
    parts = []
    if (~own).any():
        parts.append(figs.loc[~own].merge(sizes, on=["study", "group"], how="inner",
                                          suffixes=("", "_size")))
    if own.any():
        scenarios = sizes[["study", "rule", "split"]].drop_duplicates()
        with_n = figs.loc[own].merge(scenarios, on="study", how="left")
        with_n["split"] = with_n["split"].fillna(0).astype("int64")
        if with_n["rule"].isna().any():  # a study without any size scenario: its own n under every rule
            rules = list(dict.fromkeys(sizes["rule"])) or ["unknown"]
            alone = with_n[with_n["rule"].isna()].drop(columns="rule").merge(pd.DataFrame({"rule": rules}),
                                                                              how="cross")
            with_n = pd.concat([with_n[with_n["rule"].notna()], alone], ignore_index=True)
        parts.append(_own_sizes(with_n, sizes))
    if not parts:
        return pd.DataFrame({c: [] for c in RANGE_COLUMNS})
    grid = pd.concat(parts, ignore_index=True)
    grid["n"] = grid.pop("n_size").astype("int64")
    grid["rounding"] = np.where(grid["rounding"] == "unknown", grid["rule"], grid["rounding"])
    if grid.empty:
        return grid.assign(k_low=pd.array([], dtype="Int64"), k_high=pd.array([], dtype="Int64"),
                           n_feasible=np.array([], dtype=np.int64))[list(RANGE_COLUMNS)]
    ranges = count_ranges(grid["value"].to_numpy(), grid["n"].to_numpy(), grid["decimals"].to_numpy(),
                          grid["rounding"].to_numpy(), lows=grid["low"].to_numpy(), highs=grid["high"].to_numpy())
    grid["k_low"], grid["k_high"] = ranges["k_low"].array, ranges["k_high"].array
    grid["n_feasible"] = ranges["n_feasible"].to_numpy()
    order = {key: i for i, key in enumerate(zip(figs["study"], figs["item"], figs["group"]))}
    grid["_order"] = [order[key] for key in zip(grid["study"], grid["item"], grid["group"])]
    grid = grid.sort_values(["rule", "_order", "split", "item_missing"], kind="stable")
    return grid[list(RANGE_COLUMNS)].reset_index(drop=True)


def _own_sizes(with_n: pd.DataFrame, sizes: pd.DataFrame) -> pd.DataFrame:
    """Figures published with their own ``n``: that ``n`` is the item base, within the study's split if it has one.

    The split's columns (``group_n``, ``split_total``, ``split_unclassified``)
    come from the study's size scenario of the figure's group; a study with
    no size of that group shares out the figures' own sizes: its groups'
    ``n`` of the same item add up to ``split_total``.
    """
    size = with_n["n"].astype("int64")
    split = sizes[["study", "rule", "split", "group", "group_n", "split_total", "split_unclassified"]]
    split = split.drop_duplicates(["study", "rule", "split", "group"])
    out = with_n.assign(n_size=size).merge(split, on=["study", "rule", "split", "group"], how="left")
    shared = out.groupby(["study", "item", "rule", "split"], dropna=False)["n_size"].transform("sum")
    known = out["group_n"].notna()
    group_n = out["group_n"].where(known, out["n_size"]).astype("int64")
    return out.assign(group_n=group_n, item_missing=(group_n - out["n_size"]).clip(lower=0),
                      split_total=out["split_total"].where(known, shared).astype("int64"),
                      split_unclassified=out["split_unclassified"].where(known, 0).astype("int64"),
                      deviation=0.0, n_source="published")


def choose_sizes(ranges: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The best-supported split of each study and item base of each group, under ``rule``.

    Per split and group the item base with the most feasible figures is
    taken (ties: fewer item non-responses); then the split with the most
    feasible figures in all (ties: fewer unclassified respondents, then the
    smallest ``deviation`` from the published shares, then the first).

    Returns
    -------
    pandas.DataFrame
        ``study, group, split, item_missing``: one row per (study, group)
        with a size under ``rule``.
    """
    sub = ranges[ranges["rule"] == rule]
    if sub.empty:
        return pd.DataFrame(columns=["study", "group", "split", "item_missing"])
    keys = ["study", "split", "group", "item_missing"]
    scored = sub.assign(ok=sub["n_feasible"] > 0).groupby(keys, sort=False).agg(
        feasible=("ok", "sum"), split_unclassified=("split_unclassified", "first"), deviation=("deviation", "first"))
    scored = scored.reset_index().sort_values(["study", "split", "group", "feasible", "item_missing"],
                                              ascending=[True, True, True, False, True], kind="stable")
    bases = scored.drop_duplicates(["study", "split", "group"])
    splits = bases.groupby(["study", "split"], sort=False).agg(
        feasible=("feasible", "sum"), split_unclassified=("split_unclassified", "first"),
        deviation=("deviation", "first")).reset_index()
    splits = splits.sort_values(["study", "feasible", "split_unclassified", "deviation", "split"],
                                ascending=[True, False, True, True, True], kind="stable")
    best = splits.drop_duplicates("study")[["study", "split"]]
    return bases.merge(best, on=["study", "split"])[["study", "group", "split", "item_missing"]].reset_index(drop=True)


def chosen_ranges(ranges: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The rows of ``ranges`` in the chosen scenario under ``rule`` (:func:`choose_sizes`), one per figure.

    A figure published with its own ``n`` is in every scenario of its study,
    so it is taken from the study's chosen split.
    """
    chosen = choose_sizes(ranges, rule)
    sub = ranges[ranges["rule"] == rule]
    by_group = sub.merge(chosen, on=["study", "group", "split", "item_missing"])
    own = sub[sub["n_source"] == "published"].merge(chosen[["study", "split"]].drop_duplicates(), on=["study", "split"])
    lone = sub[(sub["n_source"] == "published") & ~sub["study"].isin(set(chosen["study"]))]
    rows = pd.concat([by_group, own, lone], ignore_index=True).drop_duplicates(_FIGURE)
    return rows.reset_index(drop=True)


def _thin(low: int, high: int, most: int) -> np.ndarray:
    if high - low + 1 <= most:
        return np.arange(low, high + 1)
    return np.unique(np.round(np.linspace(low, high, most)).astype(np.int64))


def expand_counts(ranges: pd.DataFrame, max_counts: int = MAX_COUNTS) -> pd.DataFrame:
    """One row per feasible count of every row of ``ranges`` (column ``k``; rows without a feasible count dropped).

    A range wider than ``max_counts`` is thinned to ``max_counts`` evenly
    spaced counts, both ends kept (column ``k_thinned`` says so).

    Examples
    --------
    >>> ranges = pd.DataFrame({"item": ["x", "y"], "k_low": pd.array([3, 0], dtype="Int64"),
    ...                        "k_high": pd.array([4, 1000], dtype="Int64")})
    >>> out = expand_counts(ranges, max_counts=3)
    >>> out[["item", "k", "k_thinned"]].to_dict("list")
    {'item': ['x', 'x', 'y', 'y', 'y'], 'k': [3, 4, 0, 500, 1000], 'k_thinned': [False, False, True, True, True]}
    """
    feasible = ranges[ranges["k_low"].notna()].reset_index(drop=True)
    lows = feasible["k_low"].astype("int64").to_numpy()
    highs = feasible["k_high"].astype("int64").to_numpy()
    ks = [_thin(int(a), int(b), max_counts) for a, b in zip(lows, highs)]
    repeat = np.array([len(k) for k in ks], dtype=np.int64)
    out = feasible.loc[np.repeat(np.arange(len(feasible)), repeat)].reset_index(drop=True)
    out["k"] = np.concatenate(ks) if ks else np.array([], dtype=np.int64)
    out["k_thinned"] = np.repeat(highs - lows + 1 > max_counts, repeat)
    return out


def pair_scenarios(
    ranges: pd.DataFrame, pairs: pd.DataFrame, same_base: bool = False, max_counts: int = MAX_COUNTS,
    rules: Sequence[str] = SPECIFIC_RULES,
) -> pd.DataFrame:
    """Two figures compared within each scenario, with every pair of their feasible counts.

    Parameters
    ----------
    ranges : pandas.DataFrame
        :func:`figure_ranges` output.
    rules : sequence of str, default the four specific rules
        Scenario rules swept (``unknown`` is their union, so it adds none);
        observed counts (no rule) are always kept.
    pairs : pandas.DataFrame
        ``study, item1, group1, item2, group2``: the comparisons.
    same_base : bool, default False
        Paired items (the same respondents answering both): keep only
        scenarios in which both figures have the same base ``n``.
    max_counts : int
        Passed to :func:`expand_counts`.

    Returns
    -------
    pandas.DataFrame
        ``study, item1, group1, item2, group2, rule, split`` and, per side
        ``1``/``2``, ``n, k, item_missing, n_source, rounding``, plus
        ``split_total, split_unclassified`` and ``feasible`` (both figures
        have a count in this scenario; pairs of scenarios where one has none
        are kept once with ``k1``/``k2`` missing, to be reported, never
        tested).
    """
    keep = ["study", "item", "group", "rule", "split", "n", "item_missing", "n_source", "rounding", "k_low", "k_high",
            "split_total", "split_unclassified"]
    ranges = ranges[ranges["rule"].isna() | ranges["rule"].isin(list(rules))]
    side = {}
    for s in ("1", "2"):
        part = pairs[["study", f"item{s}", f"group{s}"]].drop_duplicates().rename(
            columns={f"item{s}": "item", f"group{s}": "group"})
        rows = ranges[keep].merge(part, on=_FIGURE)
        side[s] = rows.rename(columns={c: f"{c}{s}" for c in keep if c not in ("study", "rule", "split",
                                                                               "split_total", "split_unclassified")})
    joined = pairs.merge(side["1"], on=["study", "item1", "group1"]).merge(
        side["2"].drop(columns=["split_total", "split_unclassified"]),
        on=["study", "item2", "group2", "rule", "split"])
    if same_base:
        joined = joined[joined["n1"] == joined["n2"]]
    joined = joined.reset_index(drop=True)
    joined["feasible"] = joined["k_low1"].notna() & joined["k_low2"].notna()
    infeasible = joined[~joined["feasible"]].assign(k1=pd.NA, k2=pd.NA)
    good = joined[joined["feasible"]]
    one = expand_counts(good.rename(columns={"k_low1": "k_low", "k_high1": "k_high"}), max_counts).rename(
        columns={"k": "k1", "k_low": "k_low1", "k_high": "k_high1", "k_thinned": "k1_thinned"})
    two = expand_counts(one.rename(columns={"k_low2": "k_low", "k_high2": "k_high"}), max_counts).rename(
        columns={"k": "k2", "k_low": "k_low2", "k_high": "k_high2", "k_thinned": "k2_thinned"})
    return pd.concat([two, infeasible], ignore_index=True)
