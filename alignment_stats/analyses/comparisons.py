"""Figures side by side: the counts two compared figures have, and why a comparison cannot be made.

Every analysis that compares two figures (two groups on one item, or a
survey against a benchmark) takes its counts from the bundle's chosen
scenario. Sizes a user sets (``n_overrides``) replace a group's sizes;
assumed sizes (``assumed_n``) are given only to groups whose size nothing
publishes. Both are scenarios of the one enumeration
(:mod:`alignment_stats.counts.scenarios`), so the sensitivity analyses see
them too.

A figure's ``status`` says whether it can be compared:

- ``ok``: a feasible count at a known (or assumed) size;
- ``no_count``: no whole count gives the published percentage at its size;
- ``no_split``: the study publishes its composition, but no split of its
  sample gives the published shares under the rounding rule in force;
- ``no_size``: nothing publishes the group's size and none is assumed;
- ``same_group``: both figures describe the same respondents (paired data,
  which needs their 2x2 table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..counts import CountsBundle, assumed_sizes, chosen_ranges, figure_ranges
from ..counts.reconstruct import nearest_count
from ..schema import N_SOURCES, ROUNDING_RULES, DataValidationError

__all__ = ["STATUSES", "rules_text", "sizes_text", "scenario_ranges", "figure_counts", "side_by_side", "share", "weakest_source"]

STATUSES = ("ok", "no_count", "no_split", "no_size", "same_group")
_KEY = ["study", "item", "group"]


def rules_text(rules: pd.Series) -> str:
    """The rounding rules a set of scenarios uses, in the order of :data:`~alignment_stats.schema.ROUNDING_RULES`.

    >>> rules_text(pd.Series(["half_even", "half_up", None, "half_up"]))
    'half_up, half_even'
    """
    present = set(rules.dropna())
    return ", ".join(rule for rule in ROUNDING_RULES if rule in present)


def sizes_text(sizes: pd.Series) -> str:
    """The distinct group sizes of a set of scenarios, ascending.

    >>> sizes_text(pd.Series([25, 24, 25.0, None]))
    '24, 25'
    """
    return ", ".join(str(v) for v in sorted({int(x) for x in sizes.dropna()}))


def scenario_ranges(bundle: CountsBundle, assumed_n: int | None = None,
                    overrides: dict[tuple[str, str], int] | None = None) -> pd.DataFrame:
    """The bundle's scenario ranges, with user-set sizes replacing a group's and assumed sizes added.

    Raises
    ------
    DataValidationError
        ``overrides`` name a (study, group) the input does not have, or the
        input is not published figures (observed sizes are never overridden).
    """
    overrides = dict(overrides or {})
    if bundle.figures is None:
        if overrides:
            raise DataValidationError("n_overrides: the input's group sizes are observed or given, not inferred; "
                                      "overrides apply only to published figures")
        return bundle.ranges
    known = set(zip(bundle.figures["study"], bundle.figures["group"]))
    unknown = [f"{s}/{g}" for s, g in overrides if (s, g) not in known]
    if unknown:
        raise DataValidationError(f"n_overrides: {', '.join(unknown)} is not a study/group of the input "
                                  f"(known: {', '.join(sorted(f'{s}/{g}' for s, g in known))})")
    extra = []
    for (study, group), n in overrides.items():
        extra.append(assumed_sizes([(study, group)], ROUNDING_RULES, n).assign(n_source="override"))
    if assumed_n is not None:
        groups = [sg for sg in bundle.assumable if sg not in overrides]
        if groups:
            extra.append(assumed_sizes(groups, ROUNDING_RULES, assumed_n))
    if not extra:
        return bundle.ranges
    sizes = pd.concat(extra, ignore_index=True)
    added = figure_ranges(bundle.figures.assign(n=pd.NA), sizes)
    replaced = pd.Series(list(zip(bundle.ranges["study"], bundle.ranges["group"]))).isin(set(overrides)).to_numpy()
    return pd.concat([bundle.ranges[~replaced], added], ignore_index=True)


def figure_counts(bundle: CountsBundle, assumed_n: int | None = None,
                  overrides: dict[tuple[str, str], int] | None = None) -> pd.DataFrame:
    """The counts table with user-set and assumed sizes applied, and every figure's ``status``.

    Returns
    -------
    pandas.DataFrame
        The bundle's counts columns, with ``n, k, k_low, k_high, n_source``
        taken from the user-set or assumed scenario where one applies, plus
        ``status`` (:data:`STATUSES`) and ``p`` (the share: the weighted
        estimate ``p_hat`` of weighted data, else ``k / n``).
    """
    counts = bundle.counts.copy()
    if bundle.figures is not None and (assumed_n is not None or overrides):
        ranges = scenario_ranges(bundle, assumed_n, overrides)
        chosen = chosen_ranges(ranges[ranges["n_source"].isin(["assumed", "override"])], bundle.options.rounding)
        if len(chosen):
            idx = pd.MultiIndex.from_frame(counts[_KEY])
            sub = chosen.set_index(_KEY).reindex(idx)
            hit = sub["n"].notna().to_numpy()
            figures = bundle.figures.set_index(_KEY).reindex(idx)
            share_pct = figures["value"].fillna((figures["low"] + figures["high"]) / 2).to_numpy()
            k = nearest_count(sub["k_low"].astype("Int64"), sub["k_high"].astype("Int64"), share_pct,
                              sub["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan))
            for column, values in (("n", sub["n"].astype("Int64").array), ("k", k),
                                   ("k_low", sub["k_low"].astype("Int64").array),
                                   ("k_high", sub["k_high"].astype("Int64").array)):
                counts.loc[hit, column] = values[hit]
            counts.loc[hit, "n_source"] = sub["n_source"].to_numpy()[hit]
            counts.loc[hit, "consistent"] = (sub["n_feasible"].to_numpy()[hit] > 0)
            for column in ("group_n", "item_missing", "split_total", "split_unclassified"):
                counts.loc[hit, column] = sub[column].astype("Int64").array[hit]
    known = counts["n"].notna().to_numpy()
    feasible = counts["k"].notna().to_numpy()
    assumable = np.array([(s, g) in bundle.assumable for s, g in zip(counts["study"], counts["group"])], dtype=bool)
    counts["status"] = np.where(known & feasible, "ok", np.where(known, "no_count",
                                                                  np.where(assumable, "no_size", "no_split")))
    counts["p"] = share(counts)
    return counts


def share(counts: pd.DataFrame) -> np.ndarray:
    """The share of each row: the weighted estimate ``p_hat`` where present, else ``k / n``."""
    k = counts["k"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = counts["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        plain = k / n
    if "p_hat" in counts:
        weighted = counts["p_hat"].astype(float).to_numpy()
        return np.where(np.isnan(weighted), plain, weighted)
    return plain


def weakest_source(first: Any, second: Any) -> Any:
    """The less reliable of two ``n_source`` values (assumed < override < the given ones).

    >>> weakest_source("inferred", "assumed"), weakest_source("published", "inferred")
    ('assumed', 'inferred')
    """
    order = {name: i for i, name in enumerate(N_SOURCES)}
    values = [v for v in (first, second) if isinstance(v, str) and v in order]
    return max(values, key=lambda v: order[v]) if values else pd.NA


def side_by_side(counts: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Two figures per row, suffixes ``1`` and ``2``.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`figure_counts` output (or any counts table with ``status`` and ``p``).
    pairs : pandas.DataFrame
        ``study, item1, group1, item2, group2`` (extra columns are kept).

    Returns
    -------
    pandas.DataFrame
        ``pairs`` with ``k, n, p, n_source, status, k_low, k_high, value,
        low, high, wording, group_label`` (+ ``n_raw, n_eff, p_hat`` when
        weighted) of each side,
        ``n_source`` (the weaker side's) and ``status`` (the first side's
        problem, else the second's, ``same_group`` for paired figures, else
        ``ok``).
    """
    cols = ["k", "n", "p", "n_source", "status", "k_low", "k_high", "value", "low", "high"]
    cols += [c for c in ("wording", "group_label", "n_raw", "n_eff", "p_hat") if c in counts.columns]
    out = pairs.copy()
    for s in ("1", "2"):
        part = counts[["study", "item", "group", *cols]].rename(
            columns={"item": f"item{s}", "group": f"group{s}", **{c: f"{c}{s}" for c in cols}})
        out = out.merge(part, on=["study", f"item{s}", f"group{s}"], how="left")
    for s in ("1", "2"):
        out[f"status{s}"] = out[f"status{s}"].fillna("no_count")
    out["n_source"] = [weakest_source(a, b) for a, b in zip(out["n_source1"], out["n_source2"])]
    same = (out["group1"] == out["group2"]).to_numpy()
    out["status"] = np.where(same, "same_group", np.where(out["status1"] != "ok", out["status1"], out["status2"]))
    return out
