"""Figures for the equivalence analysis (notebook 02).

Like :mod:`alignment_stats.plots`: each function takes a tidy table and
returns a closed matplotlib Figure (the notebook displays the return value
once); nothing here computes a statistic.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from .perception import GROUP_LABELS

__all__ = ["equivalence_plot", "required_n_plot"]

_FINDING_COLOURS = {
    "equivalent": "#11661d",
    "different": "#b00020",
    "inconclusive": "#c07a00",
}


def equivalence_plot(table: pd.DataFrame) -> Any:
    """Each item's intervals against the equivalence band.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`alignment_stats.incentives.shared_incentives` output (rows
        that are not testable are skipped).

    Returns
    -------
    matplotlib.figure.Figure
        One line per item, difference ``p1 - p2`` in percentage points: the
        thick bar is the ``1 - 2 alpha`` interval (equivalence is shown when
        it lies inside the shaded ``+-margin`` band), the thin line the
        ``1 - alpha`` interval (a difference is shown when it excludes 0);
        colour by finding; the smallest demonstrable margin is written at
        the right.
    """
    data = table[table["finding"] != "not testable"].reset_index(drop=True)
    sns.set_style("whitegrid")
    fig, ax = plt.subplots(figsize=(8.5, 0.75 * max(len(data), 1) + 1.9))
    if data.empty:
        ax.text(0.5, 0.5, "no testable agreement items", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        plt.close(fig)
        return fig
    margin = 100 * float(data["margin"].iloc[0])
    alpha = float(data["alpha"].iloc[0])
    reach = 100 * np.nanmax(np.abs(data[["diff_ci_low", "diff_ci_high"]].to_numpy(dtype=float)))
    limit = max(margin, reach) * 1.15 + 2
    ax.axvspan(-margin, margin, color="#2b6a8f", alpha=0.12, lw=0,
               label=f"equivalence band \u00b1{margin:g} points")
    ax.axvline(0, color="#555555", lw=0.8, ls="--")
    labels = []
    for y, row in data.iterrows():
        colour = _FINDING_COLOURS.get(row["finding"], "#555555")
        ax.plot([100 * row["diff_ci_low"], 100 * row["diff_ci_high"]], [y, y], color=colour, lw=1.2)
        ax.plot([100 * row["ci_low"], 100 * row["ci_high"]], [y, y], color=colour, lw=6, alpha=0.85,
                solid_capstyle="butt")
        ax.plot(100 * row["diff"], y, "o", ms=8, color="white", mec=colour, mew=2, zorder=3)
        g1 = GROUP_LABELS.get(row["group1"], row["group1"])
        g2 = GROUP_LABELS.get(row["group2"], row["group2"])
        labels.append(f"{row['item'].replace('_', ' ')}\n{g1} {row['k1']}/{row['n1']} vs {g2} {row['k2']}/{row['n2']}")
    ax.set_yticks(range(len(data)), labels, fontsize=9)
    ax.set_ylim(len(data) - 0.4, -0.7)
    ax.set_xlim(-limit, limit)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(range(len(data)), [
        f"TOST p = {row['p_value']:.2f}\ncan show agreement within \u00b1{100 * row['min_margin']:.1f}"
        for _, row in data.iterrows()
    ], fontsize=8)
    for tick, finding in zip(right.get_yticklabels(), data["finding"]):
        tick.set_color(_FINDING_COLOURS.get(finding, "#555555"))
    right.grid(False)
    g1 = GROUP_LABELS.get(data["group1"].iloc[0], data["group1"].iloc[0])
    g2 = GROUP_LABELS.get(data["group2"].iloc[0], data["group2"].iloc[0])
    ax.set_xlabel(f"{g1} minus {g2}, percentage points")
    thick = plt.Line2D([], [], color="#555555", lw=6, label=f"{100 * (1 - 2 * alpha):.0f}% CI (equivalence)")
    thin = plt.Line2D([], [], color="#555555", lw=1.2, label=f"{100 * (1 - alpha):.0f}% CI (difference)")
    handles, _ = ax.get_legend_handles_labels()
    findings = [plt.Line2D([], [], color=c, lw=6, label=f) for f, c in _FINDING_COLOURS.items()
                if f in set(data["finding"])]
    ax.legend(handles=handles + [thick, thin] + findings, loc="upper center",
              bbox_to_anchor=(0.5, -0.18 - 0.02 * len(data)), ncol=2, fontsize=8, frameon=False)
    ax.set_title("Agreement is shown only when the thick bar lies inside the band", fontsize=10, loc="left")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def required_n_plot(curve: pd.DataFrame, margin: float | None = None) -> Any:
    """Group size needed to show agreement, against the margin (log scale).

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`alignment_stats.incentives.required_n_curve` output.
    margin : float, optional
        The chosen margin (a proportion), marked by a vertical line.

    Returns
    -------
    matplotlib.figure.Figure
        One line per item: size per group (equal groups, log scale) needed
        for the target power, against the margin in points; horizontal
        dotted lines at the study's group sizes.
    """
    sns.set_style("whitegrid")
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    data = curve.dropna(subset=["n_per_group"])
    if data.empty:
        ax.text(0.5, 0.5, "no items to plan for", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        plt.close(fig)
        return fig
    palette = sns.color_palette("deep", n_colors=max(data.groupby(["study", "item"]).ngroups, 1))
    for colour, ((study, item), part) in zip(palette, data.groupby(["study", "item"], sort=False)):
        ax.plot(100 * part["margin"], part["n_per_group"].astype(float), lw=2, color=colour,
                label=f"{item.replace('_', ' ')} (share {100 * part['p_plan'].iloc[0]:.0f}%)")
        if margin is not None:
            at = part[np.isclose(part["margin"].to_numpy(dtype=float), margin)]
            if len(at):
                n_at = float(at["n_per_group"].iloc[0])
                ax.plot(100 * margin, n_at, "o", color=colour, ms=6, zorder=3)
                ax.annotate(f"{n_at:,.0f}", xy=(100 * margin, n_at), xytext=(6, 2 if colour == palette[0] else 10),
                            textcoords="offset points", fontsize=8, color=colour)
    sizes: dict[int, list[str]] = {}
    for row in data.drop_duplicates(["study", "item"]).itertuples():
        for group, n in ((row.group1, row.n1), (row.group2, row.n2)):
            if pd.notna(n):
                label = GROUP_LABELS.get(group, group)
                sizes.setdefault(int(n), [])
                if label not in sizes[int(n)]:
                    sizes[int(n)].append(label)
    x_right = 100 * data["margin"].max()
    for n, groups in sizes.items():
        ax.axhline(n, color="#555555", lw=1, ls=":")
        ax.text(x_right, n, f"  this study: {', '.join(groups)} n = {n}", va="bottom", ha="right", fontsize=8,
                color="#333333")
    if margin is not None:
        ax.axvline(100 * margin, color="#2b6a8f", lw=1, ls="--")
        ax.text(100 * margin, ax.get_ylim()[1], f" \u00b1{100 * margin:g} points", va="top", ha="left", fontsize=8,
                color="#2b6a8f")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("equivalence margin, \u00b1 percentage points")
    ax.set_ylabel("respondents needed per group")
    first = data.iloc[0]
    deff = f", design effect {first['design_effect']:g}" if float(first["design_effect"]) > 1 else ""
    ax.set_title(f"Group size needed to show agreement with {100 * first['power']:.0f}% power (one-sided alpha "
                 f"{first['alpha']:g}{deff}),\nif both groups' shares are truly equal", fontsize=10, loc="left")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    plt.close(fig)
    return fig
