"""Data audit (notebook 00): are the published figures consistent with the stated sample?

For every figure: which group sizes and whole counts could have produced
it, and do the figures of one study fit together (composition, pooled,
nested, two reports of one figure)? Which rounding rules let every figure
be consistent? Nothing is "fixed": an impossible figure stays flagged and
the counts table records which size was used and where it came from.
Respondent-level data have nothing to reconstruct: the audit lists the
observed counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..counts import CountsBundle, audit_checks, feasibility_grid, load_counts, rounding_sensitivity
from ..counts.checks import CHECK_COLUMNS, SENSITIVITY_COLUMNS
from ..counts.reconstruct import Reconstruction
from .settings import AuditSettings

__all__ = ["AuditResult", "applicable", "run_audit", "chosen_sizes", "split_members"]

_GRID_COLUMNS = ["study", "group", "item", "n", "feasible", "k_low", "k_high"]


def chosen_sizes(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per (study, group): the size used and where it comes from.

    Columns ``study, group, n, n_source, split, group_n, item_missing,
    split_total, split_unclassified`` (the first figure's, for a group
    whose figures share one base).
    """
    columns = ["study", "group", "n", "n_source", "split", "group_n", "item_missing", "split_total",
               "split_unclassified"]
    return counts[columns].drop_duplicates(["study", "group"]).reset_index(drop=True)


def split_members(bundle: CountsBundle, sizes: pd.DataFrame) -> pd.DataFrame:
    """The groups of every chosen split and their sizes: ``study, split, group, group_n``.

    A split shares ``split_total - split_unclassified`` respondents out to
    its groups; these rows are the shares (before item non-response).
    """
    columns = ["study", "split", "group", "group_n"]
    if bundle.sizes is None:
        return sizes[columns].dropna().reset_index(drop=True)
    chosen = sizes.dropna(subset=["split"])[["study", "split"]].drop_duplicates().astype({"split": "int64"})
    rows = bundle.sizes[(bundle.sizes["rule"] == bundle.options.rounding) & (bundle.sizes["item_missing"] == 0)]
    return rows.merge(chosen, on=["study", "split"])[columns].reset_index(drop=True)


@dataclass(frozen=True)
class AuditResult:
    """Everything notebook 00 shows.

    ``table``: the counts table; ``checks``: every consistency check;
    ``sensitivity``: per (study, group, rule) how many figures no count
    fits; ``grid``: the feasibility heatmap's data; ``sizes``:
    :func:`chosen_sizes`; ``splits``: :func:`split_members`.
    """

    settings: AuditSettings
    bundle: CountsBundle
    table: pd.DataFrame
    checks: pd.DataFrame
    sensitivity: pd.DataFrame
    grid: pd.DataFrame
    sizes: pd.DataFrame
    splits: pd.DataFrame

    @property
    def chosen_map(self) -> dict[tuple[str, str], int]:
        """``{(study, group): n}`` for the groups with a known size."""
        known = self.sizes.dropna(subset=["n"])
        return {(r.study, r.group): int(r.n) for r in known.itertuples()}


def _heatmap_sizes(bundle: CountsBundle, reach: int) -> dict[tuple[str, str], range]:
    sizes = bundle.sizes
    out = {}
    figures_per_group = bundle.figures.groupby(["study", "group"]).size()
    for (study, group), part in sizes[sizes["rule"] == bundle.options.rounding].groupby(["study", "group"],
                                                                                          sort=False):
        if figures_per_group.get((study, group), 0) < 2:
            continue  # one figure: nothing to cross-check in a heatmap
        low, high = int(part["n"].min()) - reach, int(part["n"].max()) + reach
        out[(study, group)] = range(max(1, low), high + 1)
    return out


def applicable(bundle: CountsBundle, settings: AuditSettings) -> str | None:
    """The audit applies to every input (respondent data: it lists the observed counts)."""
    return None


def run_audit(settings: AuditSettings | None = None, **parameters: Any) -> AuditResult:
    """Run the data audit of notebook 00.

    Examples
    --------
    >>> audit = run_audit()
    >>> print(audit.sizes.query("study == 'leapfrog_2015'")[["group", "n", "group_n"]].to_string(index=False))
        group   n  group_n
    marketing 106      106
           it  24       25
    """
    s = settings if settings is not None else AuditSettings(**parameters)
    bundle = load_counts(**s.counts_options())
    counts = bundle.counts
    if bundle.figures is None:
        checks = pd.DataFrame([{"study": r.study, "check": "figure", "figures": f"{r.item}/{r.group}", "ok": True,
                                "detail": f"observed: {r.k} of {r.n}"} for r in counts.itertuples()],
                              columns=list(CHECK_COLUMNS))
        sizes = chosen_sizes(counts)
        return AuditResult(s, bundle, counts, checks, pd.DataFrame(columns=list(SENSITIVITY_COLUMNS)),
                           pd.DataFrame(columns=_GRID_COLUMNS), sizes, split_members(bundle, sizes))
    built = Reconstruction(counts, bundle.sizes, bundle.ranges, bundle.assumable, s.max_unclassified)
    checks = audit_checks(bundle.figures, bundle.studies, built, rounding=s.rounding)
    grid = feasibility_grid(bundle.figures, _heatmap_sizes(bundle, s.grid_reach), rounding=s.rounding)
    sizes = chosen_sizes(counts)
    return AuditResult(s, bundle, counts, checks, rounding_sensitivity(built), grid, sizes,
                       split_members(bundle, sizes))
