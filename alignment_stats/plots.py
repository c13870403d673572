"""Seaborn figures for the analyses. Each function takes a tidy table and
returns a matplotlib Figure; nothing is computed here that a test cannot
reach in the statistics modules."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["feasibility_heatmap"]


def feasibility_heatmap(grid: pd.DataFrame, chosen: dict[tuple[str, str], int] | None = None) -> Any:
    """Heatmap: is each figure feasible (a whole count fits) at each group size?

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`alignment_stats.audit.feasibility_grid` output.
    chosen : dict, optional
        ``{(study, group): n}`` sizes to outline as the ones used.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per (study, group); rows are items, columns group sizes,
        dark cells feasible.
    """
    panels = list(grid.groupby(["study", "group"], sort=False))
    heights = [max(1.2, 0.32 * part["item"].nunique() + 0.9) for _, part in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, ((study, group), part) in zip(axes[:, 0], panels):
        table = part.pivot(index="item", columns="n", values="feasible").astype(float)
        sns.heatmap(table, ax=ax, cmap=sns.color_palette(["#f2d0c4", "#2b6a8f"], as_cmap=True), vmin=0, vmax=1,
                    cbar=False, linewidths=0.5, linecolor="white")
        ax.set_title(f"{study} / {group}: dark = a whole count gives the published figure", fontsize=9, loc="left")
        ax.set_xlabel("group size n")
        ax.set_ylabel("")
        if chosen and (study, group) in chosen and chosen[(study, group)] in table.columns:
            col = list(table.columns).index(chosen[(study, group)])
            ax.add_patch(plt.Rectangle((col, 0), 1, len(table), fill=False, edgecolor="black", lw=2))
    fig.tight_layout()
    return fig
