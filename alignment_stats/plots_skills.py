"""Figures of the skills-gap analysis (notebook 03).

Each function takes the :func:`alignment_stats.skills.skills_gap` table and
returns a closed matplotlib Figure (closed so that a notebook shows it once,
by displaying the return value). Everything drawn is a column of that
table; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["skills_dumbbell_plot", "skills_bounds_plot"]

_IMPORTANCE = "#c8553d"
_EXPERTISE = "#2b6a8f"


def _labels(gaps: pd.DataFrame) -> list[str]:
    many = gaps["study"].nunique() > 1
    return [(f"{r.study} · " if many else "") + str(r.pair).replace("_", " ") for r in gaps.itertuples()]


def skills_dumbbell_plot(gaps: pd.DataFrame, alpha: float = 0.05) -> Any:
    """Dumbbell plot: share calling each skill important vs share with expertise.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`alignment_stats.skills.skills_gap` output (``p_a``, ``p_b``
        and their Wilson limits).
    alpha : float, default 0.05
        Only for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One line per skill, largest gap on top: importance and expertise as
        dots with their Wilson intervals, joined by a line; a skill with only
        one of the two measures is shown with that one alone.
    """
    data = gaps.assign(_order=gaps["gap"].fillna(-2.0)).sort_values("_order", kind="stable").reset_index(drop=True)
    labels = _labels(data)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(data) + 1.6))
    for y, row in data.iterrows():
        if pd.notna(row["p_a"]) and pd.notna(row["p_b"]):
            ax.plot([100 * row["p_b"], 100 * row["p_a"]], [y, y], color="#bbbbbb", lw=4, zorder=1)
        for column, colour, offset in (("p_a", _IMPORTANCE, 0.12), ("p_b", _EXPERTISE, -0.12)):
            if pd.isna(row[column]):
                continue
            ax.plot([100 * row[f"{column}_low"], 100 * row[f"{column}_high"]], [y + offset, y + offset], color=colour,
                    lw=1.2, zorder=2)
            ax.plot(100 * row[column], y + offset, "o", ms=8, color=colour, zorder=3)
    ax.plot([], [], "o-", color=_IMPORTANCE, label="call it extremely important")
    ax.plot([], [], "o-", color=_EXPERTISE, label="have expertise in it")
    ax.set_yticks(range(len(data)), labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share of respondents, % (Wilson {100 * (1 - alpha):.0f}% CI)")
    ax.set_title("Importance vs expertise per skill, same respondents", fontsize=9, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    sns.despine(ax=ax, left=True)
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig


def skills_bounds_plot(gaps: pd.DataFrame, alpha: float = 0.05) -> Any:
    """Range of the paired interval for each skill's gap over compatible tables.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`alignment_stats.skills.skills_gap` output; skills without a
        gap are left out.
    alpha : float, default 0.05
        Only for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One line per skill: the light band runs from the lowest lower limit
        to the highest upper limit over all tables compatible with the
        margins (the union of the intervals), the dark band from the highest
        lower limit to the lowest upper limit (covered by every one of
        them); the dot is the gap. Filled dots: significant for every
        compatible table (or the observed one); half-filled: for some; open:
        for none. With respondent data both bands are the observed table's
        interval.
    """
    data = gaps.dropna(subset=["gap"]).sort_values("gap", kind="stable").reset_index(drop=True)
    labels = _labels(data)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(data) + 1.8))
    fills = {"all": "full", "some": "left", "none": "none"}
    for y, row in data.iterrows():
        ax.plot([100 * row["ci_low_min"], 100 * row["ci_high_max"]], [y, y], color="#9ec3da", lw=9,
                solid_capstyle="butt", zorder=1)
        if row["ci_low_max"] <= row["ci_high_min"]:
            ax.plot([100 * row["ci_low_max"], 100 * row["ci_high_min"]], [y, y], color=_EXPERTISE, lw=9,
                    solid_capstyle="butt", zorder=2)
        ax.plot(100 * row["gap"], y, "o", ms=9, color="black", markerfacecolor="black", markerfacecoloralt="white",
                fillstyle=fills.get(row["significant"], "none"), zorder=3)
    ax.axvline(0, color="black", ls="--", lw=1)
    ax.set_yticks(range(len(data)), labels)
    ax.set_xlabel(f"importance minus expertise, percentage points (paired {100 * (1 - alpha):.0f}% CI)")
    if (data["tables"] == 1).all():  # respondent data: one observed table per skill
        title = "Gap per skill with its paired interval on the observed table; dot filled = significant"
    else:
        title = ("Gap per skill: light = union of the intervals over every table compatible with the margins,\n"
                 "dark = common to all; dot filled = significant for all tables, half = for some, open = none")
    ax.set_title(title, fontsize=9, loc="left")
    sns.despine(ax=ax, left=True)
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig
