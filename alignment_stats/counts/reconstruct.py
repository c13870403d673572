"""Published figures to the counts table: the best-supported group sizes and counts.

:func:`reconstruct` chooses, under the rounding rule in force, the split of
each study's sample and the item base of each group that make the most
figures feasible (:func:`~alignment_stats.counts.scenarios.choose_sizes`),
and gives every figure its feasible counts there and the count nearest its
published share. Nothing is "fixed": an impossible figure keeps
``consistent = False`` and no count; a figure of a group whose size nothing
publishes keeps no size (an analysis may assume one and must say so); a
group whose published composition no split fits under the rule keeps none
either: its figures are not assessable under that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..schema import COUNT_COLUMNS, ROUNDING_RULES, group_label
from .scenarios import chosen_ranges, figure_ranges
from .sizes import assumable_groups, candidate_sizes

__all__ = ["Reconstruction", "reconstruct", "reconstruct_counts", "nearest_count"]


@dataclass(frozen=True)
class Reconstruction:
    """The counts table and everything it was chosen from.

    ``sizes``: every candidate size scenario
    (:func:`~alignment_stats.counts.sizes.candidate_sizes`); ``ranges``:
    every figure's feasible counts in every scenario
    (:func:`~alignment_stats.counts.scenarios.figure_ranges`); ``assumable``:
    the (study, group) pairs whose size nothing publishes;
    ``max_unclassified``: the run's allowance of respondents in no group.
    """

    counts: pd.DataFrame
    sizes: pd.DataFrame
    ranges: pd.DataFrame
    assumable: frozenset
    max_unclassified: int = 0


def nearest_count(k_low: pd.Series, k_high: pd.Series, share: np.ndarray, n: np.ndarray) -> pd.arrays.IntegerArray:
    """The feasible count nearest to ``share`` percent of ``n`` (ties to the lower), <NA> where none is feasible.

    >>> nearest_count(pd.Series([48], dtype="Int64"), pd.Series([58], dtype="Int64"), np.array([50.0]),
    ...               np.array([106])).tolist()
    [53]
    """
    lo = k_low.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    hi = k_high.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    best = np.clip(np.floor(np.asarray(share, dtype=float) * np.asarray(n, dtype=float) / 100 + 0.5 - 1e-9), lo, hi)
    return pd.array(np.where(np.isnan(best), pd.NA, best), dtype="Int64")


def reconstruct(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    rounding: str = "half_up",
    max_missing: int = 1,
    max_unclassified: int = 0,
) -> Reconstruction:
    """Counts behind every figure under the rule in force, and the scenarios they were chosen from.

    Parameters
    ----------
    figures, studies
        As returned by :func:`alignment_stats.sources.load_figures` and
        :func:`alignment_stats.sources.load_studies`.
    rounding : {"half_up", "half_even", "truncate", "ceil", "unknown"}, default "half_up"
        Rule assumed for figures whose ``rounding`` is ``unknown`` (and for
        the composition shares); figures that state their own rule keep it.
    max_missing, max_unclassified
        See :func:`~alignment_stats.counts.sizes.candidate_sizes`.

    Returns
    -------
    Reconstruction
        ``counts`` has the columns :data:`~alignment_stats.schema.COUNT_COLUMNS`,
        one row per figure in the figures' order: ``n`` and ``k`` are
        nullable integers (``n`` missing without a size, ``k`` missing when
        no count fits), ``consistent`` a nullable boolean.

    Examples
    --------
    >>> from alignment_stats.sources import load_figures, load_studies
    >>> counts = reconstruct(load_figures(), load_studies()).counts
    >>> it = counts.query("study == 'leapfrog_2015' and group == 'it' and item == 'very_collaborative'")
    >>> print(it[["n", "k", "k_low", "k_high", "consistent", "group_n", "item_missing", "n_source"]]
    ...       .to_string(index=False))
     n  k  k_low  k_high  consistent  group_n  item_missing n_source
    24  3      3       3        True       25             1 inferred
    """
    if rounding not in ROUNDING_RULES:
        raise ValueError(f"rounding: {rounding!r} is not a known rule (known: {', '.join(ROUNDING_RULES)})")
    sizes = candidate_sizes(figures, studies, ROUNDING_RULES, max_missing, max_unclassified)
    ranges = figure_ranges(figures, sizes)
    chosen = chosen_ranges(ranges, rounding)
    base = figures.reset_index(drop=True)
    keep = ["n", "split", "group_n", "item_missing", "split_total", "split_unclassified", "n_source", "rounding",
            "k_low", "k_high", "n_feasible"]
    merged = base.drop(columns=["n", "rounding"]).merge(
        chosen[["study", "item", "group", *keep]], on=["study", "item", "group"], how="left")
    known = merged["n"].notna()
    share = merged["value"].fillna((merged["low"] + merged["high"]) / 2).to_numpy()
    counts = pd.DataFrame({
        "study": merged["study"], "item": merged["item"], "group": merged["group"],
        "n": merged["n"].astype("Int64"),
        "k": nearest_count(merged["k_low"], merged["k_high"], share, merged["n"].astype("Float64").to_numpy(
            dtype=float, na_value=np.nan)),
        "k_low": merged["k_low"].astype("Int64"), "k_high": merged["k_high"].astype("Int64"),
        "consistent": pd.array(np.where(known, merged["n_feasible"].fillna(0) > 0, pd.NA), dtype="boolean"),
        "n_source": merged["n_source"], "split": merged["split"].astype("Int64"),
        "group_n": merged["group_n"].astype("Int64"), "split_total": merged["split_total"].astype("Int64"),
        "split_unclassified": merged["split_unclassified"].astype("Int64"),
        "item_missing": merged["item_missing"].astype("Int64"),
        "value": merged["value"], "low": merged["low"], "high": merged["high"], "decimals": merged["decimals"],
        "rounding": np.where(merged["rounding"].notna(), merged["rounding"],
                             np.where(base["rounding"] == "unknown", rounding, base["rounding"])),
        "pair": merged["pair"], "measure": merged["measure"], "wording": merged["wording"],
        "group_label": [group_label(g, (studies.get(s, {}).get("groups") or {}).get(g) or own)
                        for s, g, own in zip(merged["study"], merged["group"], merged["group_label"])],
    })
    return Reconstruction(counts[list(COUNT_COLUMNS)], sizes, ranges, frozenset(assumable_groups(figures, studies)),
                          int(max_unclassified))


def reconstruct_counts(figures: pd.DataFrame, studies: dict[str, dict[str, Any]], rounding: str = "half_up",
                       max_missing: int = 1, max_unclassified: int = 0) -> pd.DataFrame:
    """The counts table of :func:`reconstruct` alone: one row per figure, :data:`~alignment_stats.schema.COUNT_COLUMNS`.

    Examples
    --------
    >>> from alignment_stats.sources import load_figures, load_studies
    >>> counts = reconstruct_counts(load_figures(), load_studies())
    >>> print(counts.query("study == 'econsultancy_2015'")[["group", "n", "k", "n_source"]].to_string(index=False))
        group   n  k  n_source
           it 110 86 published
    marketing 100 58 published
    """
    return reconstruct(figures, studies, rounding, max_missing, max_unclassified).counts
