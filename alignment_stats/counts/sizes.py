"""Candidate group sizes: every split of a study's sample its published facts allow.

A study publishes group sizes directly (``group_n``, or ``n`` with a figure),
or only a total and the groups' shares of it ("131 executives, 81% marketing,
19% IT"), or nothing at all. From a total and shares, the sizes of the groups
are chosen *jointly*: a split gives every group a size so that the sizes sum
to ``total_n - u`` (``0 <= u <= max_unclassified`` respondents belong to no
listed group) and each size's share of ``total_n`` rounds to its published
share (:func:`~alignment_stats.counts.feasible.infer_group_sizes`). An item's
base may still fall short of its group's size by up to ``max_missing``
respondents who did not answer it (item non-response), for inferred sizes.

:func:`candidate_sizes` lists every (study, rounding rule, split, group, item
base) with its size: the table every count and every scenario is built from
(:data:`~alignment_stats.schema.SIZE_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..schema import ROUNDING_RULES, SIZE_COLUMNS
from .feasible import infer_group_sizes

__all__ = ["candidate_sizes", "assumable_groups", "written_decimals"]


def written_decimals(value: float) -> int:
    """Decimal places needed to write a share (0 for 81, 1 for 60.5, at most 6).

    >>> written_decimals(81.0), written_decimals(60.5), written_decimals(12.125)
    (0, 1, 3)
    """
    for places in range(7):
        scaled = float(value) * 10**places
        if abs(scaled - round(scaled)) <= 1e-9 * max(1.0, abs(scaled)):
            return places
    return 6


def _composition(study: str, facts: dict[str, Any], rule: str, max_missing: int, max_unclassified: int) -> list[dict]:
    shares = facts.get("group_shares") or {}
    total = int(facts["total_n"])
    groups = list(shares)
    decimals = [written_decimals(v) for v in shares.values()]
    splits = infer_group_sizes(total, shares, decimals=decimals, rounding=rule, max_unclassified=max_unclassified)
    rows = []
    for candidate, part in splits.groupby("candidate", sort=True):
        sizes = dict(zip(part["group"], part["n"].astype(int)))
        deviation = float(sum(abs(sizes[g] / total - shares[g] / 100) for g in groups))
        unclassified = int(part["n_unclassified"].iloc[0])
        for group, size in sizes.items():
            for missing in range(0, max_missing + 1):
                if size - missing < 1:
                    break
                rows.append({"study": study, "rule": rule, "split": int(candidate), "group": group, "group_n": size,
                             "item_missing": missing, "n": size - missing, "split_total": total,
                             "split_unclassified": unclassified, "deviation": deviation, "n_source": "inferred"})
    return rows


def candidate_sizes(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    rules: Sequence[str] = ROUNDING_RULES,
    max_missing: int = 1,
    max_unclassified: int = 0,
) -> pd.DataFrame:
    """Every candidate size of every (study, group) that has figures, under each rounding rule.

    Parameters
    ----------
    figures : pandas.DataFrame
        The figures table (:func:`alignment_stats.sources.load_figures`).
    studies : dict
        Study facts (:func:`alignment_stats.sources.load_studies`).
    rules : sequence of str, default every rule
        Rules under which the composition shares are read.
    max_missing : int, default 1
        Respondents of an inferred group who may not have answered an item.
    max_unclassified : int, default 0
        Respondents of ``total_n`` who may belong to no listed group (a
        study's own ``max_unclassified`` takes precedence).

    Returns
    -------
    pandas.DataFrame
        :data:`~alignment_stats.schema.SIZE_COLUMNS`: ``study, rule, split,
        group, group_n`` (the split's size of the group), ``item_missing``,
        ``n`` (the item base, ``group_n - item_missing``), ``split_total``
        (the total the split shares out), ``split_unclassified`` (``u``),
        ``deviation`` (``sum |n_g / total - share_g|`` over the split's
        groups) and ``n_source`` (``published`` or ``inferred``). A study
        whose sizes are published has one split (0) under every rule; one
        with a total and shares has one split per candidate, possibly none
        under a rule that no split fits; groups with neither have no row.

    Examples
    --------
    Leapfrog 2015: 131 executives, 81% marketing and 19% IT; under half-up
    rounding only 106 + 25 fits, with item bases one lower:

    >>> from alignment_stats.sources import load_figures, load_studies
    >>> sizes = candidate_sizes(load_figures(), load_studies(), rules=["half_up"])
    >>> print(sizes.query("study == 'leapfrog_2015'")[["split", "group", "group_n", "item_missing", "n"]]
    ...       .to_string(index=False))
     split     group  group_n  item_missing   n
         0 marketing      106             0 106
         0 marketing      106             1 105
         0        it       25             0  25
         0        it       25             1  24
    """
    if int(max_missing) != max_missing or max_missing < 0:
        raise ValueError(f"max_missing: {max_missing!r} must be a whole number >= 0")
    if int(max_unclassified) != max_unclassified or max_unclassified < 0:
        raise ValueError(f"max_unclassified: {max_unclassified!r} must be a whole number >= 0")
    rows: list[dict] = []
    for study, groups in figures.groupby("study", sort=False)["group"].unique().items():
        facts = studies.get(study, {})
        groups = list(groups)
        published = dict(facts.get("group_n") or {})
        total = facts.get("total_n")
        if total and "all" in groups:
            published.setdefault("all", int(total))
        shares = facts.get("group_shares") or {}
        limit = facts.get("max_unclassified")
        limit = min(int(max_unclassified if limit is None else limit), int(total or 0))
        for rule in rules:
            if total and shares and any(g in shares for g in groups):
                base = _composition(study, facts, rule, int(max_missing), limit)
                splits = sorted({r["split"] for r in base})
            else:
                base, splits = [], [0]
            given_total = int(total) if total else int(sum(published.values()))
            for split in splits:
                for group, size in published.items():
                    if group in groups and group not in shares:
                        rows.append({"study": study, "rule": rule, "split": split, "group": group, "group_n": int(size),
                                     "item_missing": 0, "n": int(size), "split_total": given_total,
                                     "split_unclassified": max(given_total - int(sum(published.values())), 0)
                                     if group != "all" else 0,
                                     "deviation": 0.0, "n_source": "published"})
            rows.extend(r for r in base if r["group"] in groups)
    table = pd.DataFrame(rows, columns=list(SIZE_COLUMNS))
    return table.astype({c: "int64" for c in ("split", "group_n", "item_missing", "n", "split_total",
                                               "split_unclassified")} | {"deviation": float})


def assumable_groups(figures: pd.DataFrame, studies: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(study, group) pairs whose size nothing publishes: only these may get an assumed size.

    A group with a published size, or with a total and shares from which
    splits are inferred (even if no split fits under some rule), is never
    given an assumed size.

    Examples
    --------
    >>> from alignment_stats.sources import load_figures, load_studies
    >>> sorted(assumable_groups(load_figures(), load_studies()))  # doctest: +NORMALIZE_WHITESPACE
    [('accenture_2014', 'it'), ('accenture_2014', 'marketing'), ('black_friday_ios', 'all'),
     ('cdo_projection_2015', 'all')]
    """
    out = set()
    own_n = figures.dropna(subset=["n"])
    with_n = set(zip(own_n["study"], own_n["group"], own_n["item"]))
    for (study, group), part in figures.groupby(["study", "group"], sort=False):
        facts = studies.get(study, {})
        if group in (facts.get("group_n") or {}) or group in (facts.get("group_shares") or {}):
            continue
        if group == "all" and facts.get("total_n"):
            continue
        if all((study, group, item) in with_n for item in part["item"]):
            continue
        out.add((study, group))
    return out

