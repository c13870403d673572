"""Seaborn figures for the analyses. Each function takes a tidy table and
returns a matplotlib Figure; nothing is computed here that a test cannot
reach in the statistics modules. Figures are closed before they are
returned, so a notebook shows each one once (by displaying the return
value) and long report runs do not accumulate open figures."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["feasibility_heatmap", "forest_plot", "significance_by_size_plot"]


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
    if not panels:
        fig, ax = plt.subplots(figsize=(8, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "No group size to infer: every count is published or observed.", ha="center", va="center")
        plt.close(fig)
        return fig
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
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig


def forest_plot(gaps: pd.DataFrame, alpha: float = 0.05) -> Any:
    """Forest plot of group differences with their confidence intervals.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`alignment_stats.perception.perception_gap` output (rows without
        counts are skipped).
    alpha : float, default 0.05
        Only for the axis label (the intervals are those in ``gaps``).

    Returns
    -------
    matplotlib.figure.Figure
        One line per item, sorted by difference, zero line dashed; filled
        markers for significant gaps (after adjustment), open for the rest,
        grey for assumed group sizes.
    """
    data = gaps.dropna(subset=["diff"]).copy()
    data["label"] = data["study"] + " · " + data["item"].str.replace("_", " ")
    data = data.sort_values("diff").reset_index(drop=True)
    group1 = data["group1"].iloc[0] if len(data) else "group 1"
    group2 = data["group2"].iloc[0] if len(data) else "group 2"
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(data) + 1.6))
    for y, row in data.iterrows():
        colour = "#888888" if row["n_source"] == "assumed" else "#2b6a8f"
        ax.plot([100 * row["ci_low"], 100 * row["ci_high"]], [y, y], color=colour, lw=2)
        ax.plot(100 * row["diff"], y, "o", ms=7, color=colour,
                markerfacecolor=colour if row["significant"] else "white")
    ax.axvline(0, color="black", ls="--", lw=1)
    ax.set_yticks(range(len(data)), data["label"])
    names = {"marketing": "Marketing", "it": "IT", "all": "all respondents"}
    ax.set_xlabel(f"{names.get(group1, group1)} minus {names.get(group2, group2)}, "
                  f"percentage points ({100 * (1 - alpha):.0f}% CI)")
    ax.set_title("Perception gaps: filled = significant after adjustment; grey = group sizes assumed",
                 fontsize=9, loc="left")
    sns.despine(ax=ax, left=True)
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig


def significance_by_size_plot(grid: pd.DataFrame, labels: list[str]) -> Any:
    """Confidence interval of published gaps against an assumed group size.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`alignment_stats.perception.significance_by_size` output.
    labels : list of str
        One label per ``pair``.

    Returns
    -------
    matplotlib.figure.Figure
        The interval band per gap; where it clears 0 the gap is significant.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    palette = sns.color_palette("deep", n_colors=max(1, len(labels)))
    for pair, part in grid.groupby("pair"):
        colour = palette[int(pair) % len(palette)]
        ax.fill_between(part["n"], 100 * part["ci_low"], 100 * part["ci_high"], alpha=0.2, color=colour)
        ax.plot(part["n"], 100 * part["diff"], color=colour, label=labels[int(pair)])
    ax.axhline(0, color="black", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("assumed size of each group (log scale)")
    ax.set_ylabel("difference, points (CI band)")
    ax.set_title("Studies without published group sizes: when would the gap be significant?", fontsize=9, loc="left")
    ax.legend(fontsize=8, frameon=False)
    sns.despine(ax=ax)
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig
