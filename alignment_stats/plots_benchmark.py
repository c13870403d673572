"""Figures for the benchmark comparison (notebook 04).

Like :mod:`alignment_stats.plots`: each function takes a tidy table and
returns a closed matplotlib Figure (shown once when a notebook displays the
return value); nothing is computed here that the statistics modules do not
already provide.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

__all__ = ["benchmark_dot_plot"]

_OURS, _BENCH = sns.color_palette("deep")[0], sns.color_palette("deep")[1]


def benchmark_dot_plot(comparison: pd.DataFrame, alpha: float = 0.05, label: str = "your survey") -> Any:
    """Dot plot: your share and the benchmark's, with intervals, per item and group.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`alignment_stats.benchmark.compare_to_benchmark` output; rows
        that were not compared are skipped.
    alpha : float, default 0.05
        Only for the legend (the intervals are those in ``comparison``).
    label : str, default "your survey"
        Legend label of your survey.

    Returns
    -------
    matplotlib.figure.Figure
        One line per (item, group): your share (circle) and the benchmark's
        (square), each with its Wilson interval; a pale band spans the shares
        of the benchmark's feasible counts when its figure allows several.
        Filled markers: the difference is significant after adjustment.
    """
    data = comparison[comparison["position"].isin(("above", "below", "indistinguishable"))].reset_index(drop=True)
    bench = data["benchmark_study"].iloc[0] if len(data) else "benchmark"
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(data) + 1.8))
    offset = 0.17
    for y, row in data.iterrows():
        n2 = float(row["n2"])
        if row["k2_low"] != row["k2_high"]:
            ax.fill_betweenx([y - 0.38, y + 0.38], 100 * row["k2_low"] / n2, 100 * row["k2_high"] / n2,
                             color=_BENCH, alpha=0.15, lw=0)
        filled = bool(row["significant"])
        for shift, share, low, high, colour, marker in (
            (-offset, row["p1"], row["p1_ci_low"], row["p1_ci_high"], _OURS, "o"),
            (offset, row["p2"], row["p2_ci_low"], row["p2_ci_high"], _BENCH, "s"),
        ):
            ax.plot([100 * low, 100 * high], [y + shift] * 2, color=colour, lw=1.8)
            ax.plot(100 * share, y + shift, marker, ms=6.5, color=colour,
                    markerfacecolor=colour if filled else "white", markeredgewidth=1.6)
    ax.set_yticks(np.arange(len(data)))
    ax.set_yticklabels([f"{r.item.replace('_', ' ')} · {r.group}" for r in data.itertuples()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share answering yes, % (Wilson {100 * (1 - alpha):.0f}% intervals)")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    handles = [
        plt.Line2D([], [], color=_OURS, marker="o", lw=1.8, markerfacecolor="white", label=label),
        plt.Line2D([], [], color=_BENCH, marker="s", lw=1.8, markerfacecolor="white", label=bench),
        plt.Rectangle((0, 0), 1, 1, color=_BENCH, alpha=0.15, label=f"{bench}: feasible counts"),
        plt.Line2D([], [], color="#555555", marker="o", lw=0, label="filled: significant difference (adjusted)"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.3 / max(len(data), 1)),
              ncol=2, fontsize=8, frameon=False)
    ax.set_title(f"{label} vs {bench}, item by item", fontsize=10, loc="left")
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig
