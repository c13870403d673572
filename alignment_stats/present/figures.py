"""Seaborn figures for the analyses.

Each function takes a result table and returns a matplotlib Figure; nothing
is computed here beyond placing what the analyses computed. Labels are the
user's text (study ids, wordings) passed through
:func:`~alignment_stats.present.escape.label`, so a ``$`` never starts
mathtext. Figures are closed before they are returned, so a notebook shows
each one once (by displaying the return value) and long report runs do not
accumulate open figures."""

from __future__ import annotations

from typing import Any

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from ..schema import group_label
from .labels import group_name, item_name, wrapped
from .escape import label

__all__ = [
    "message_figure",
    "feasibility_heatmap",
    "forest_plot",
    "significance_by_size_plot",
    "equivalence_plot",
    "required_n_plot",
    "skills_dumbbell_plot",
    "skills_bounds_plot",
    "benchmark_dot_plot",
]


def message_figure(text: str) -> Any:
    """A small figure holding one line of text: what a plot shows when there is nothing to draw."""
    fig, ax = plt.subplots(figsize=(8, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, label(textwrap.fill(text, 95)), ha="center", va="center", fontsize=9, transform=ax.transAxes)
    plt.close(fig)
    return fig


def feasibility_heatmap(grid: pd.DataFrame, chosen: dict[tuple[str, str], int] | None = None) -> Any:
    """Heatmap: is each figure feasible (a whole count fits) at each group size?

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`alignment_stats.counts.feasibility_grid` output.
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
        return message_figure("No group size to infer: every count is published or observed.")
    heights = [max(1.2, 0.32 * part["item"].nunique() + 0.9) for _, part in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, ((study, group), part) in zip(axes[:, 0], panels):
        table = part.pivot(index="item", columns="n", values="feasible").astype(float)
        sns.heatmap(table, ax=ax, cmap=sns.color_palette(["#f2d0c4", "#2b6a8f"], as_cmap=True), vmin=0, vmax=1,
                    cbar=False, linewidths=0.5, linecolor="white")
        ax.set_title(label(f"{study} / {group}: dark = a whole count gives the published figure"), fontsize=9,
                     loc="left")
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
        :func:`alignment_stats.analyses.perception.perception_gap` output (rows
        without counts are skipped).
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
    if data.empty:
        return message_figure("No item could be tested: the table says why for each.")
    data["label"] = [label(wrapped(f"{r.study} · {item_name(r)}", 48)) for r in data.itertuples()]
    data = data.sort_values("diff").reset_index(drop=True)
    first = next(data.itertuples())
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(data) + 1.6))
    for y, row in data.iterrows():
        colour = "#888888" if row["n_source"] in ("assumed", "override") else "#2b6a8f"
        ax.plot([100 * row["ci_low"], 100 * row["ci_high"]], [y, y], color=colour, lw=2)
        ax.plot(100 * row["diff"], y, "o", ms=7, color=colour,
                markerfacecolor=colour if row["significant"] else "white")
    ax.axvline(0, color="black", ls="--", lw=1)
    ax.set_yticks(range(len(data)), data["label"])
    if data["study"].nunique() == 1:
        names = f"{group_name(first, '1')} minus {group_name(first, '2')}"
    elif data["group1"].nunique() == 1 and data["group2"].nunique() == 1:  # the studies name them differently
        names = f"{group_label(first.group1)} minus {group_label(first.group2)}"
    else:
        names = "first group minus second"
    ax.set_xlabel(label(f"{names}, percentage points ({100 * (1 - alpha):.0f}% CI)"))
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
        :func:`alignment_stats.stats.power.significance_by_size` output with ``pair``.
    labels : list of str
        One label per ``pair``.

    Returns
    -------
    matplotlib.figure.Figure
        The interval band per gap; where it clears 0 the gap is significant.
    """
    if grid.empty:
        return message_figure("Every compared study publishes (or its data give) its group sizes: no size needs "
                              "assuming.")
    fig, ax = plt.subplots(figsize=(8, 4))
    palette = sns.color_palette("deep", n_colors=max(1, len(labels)))
    for pair, part in grid.groupby("pair"):
        colour = palette[int(pair) % len(palette)]
        ax.fill_between(part["n"], 100 * part["ci_low"], 100 * part["ci_high"], alpha=0.2, color=colour)
        ax.plot(part["n"], 100 * part["diff"], color=colour, label=label(labels[int(pair)]))
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

# ---------------------------------------------------------------------------
# equivalence (notebook 02)
# ---------------------------------------------------------------------------
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
        :func:`alignment_stats.analyses.incentives.shared_incentives` output
        (rows that are not testable are skipped).

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
    if data.empty:
        return message_figure("No agreement item could be tested: the table says why for each.")
    sns.set_style("whitegrid")
    fig, ax = plt.subplots(figsize=(8.5, 0.75 * max(len(data), 1) + 1.9))
    margin = 100 * float(data["margin"].iloc[0])
    alpha = float(data["alpha"].iloc[0])
    reach = 100 * np.nanmax(np.abs(data[["ci_low", "ci_high"]].to_numpy(dtype=float)))
    limit = max(margin, reach) * 1.15 + 2
    ax.axvspan(-margin, margin, color="#2b6a8f", alpha=0.12, lw=0,
               label=f"equivalence band \u00b1{margin:g} points")
    ax.axvline(0, color="#555555", lw=0.8, ls="--")
    labels = []
    for y, row in data.iterrows():
        colour = _FINDING_COLOURS.get(row["finding"], "#555555")
        ax.plot([100 * row["ci_low"], 100 * row["ci_high"]], [y, y], color=colour, lw=1.2)
        ax.plot([100 * row["tost_ci_low"], 100 * row["tost_ci_high"]], [y, y], color=colour, lw=6, alpha=0.85,
                solid_capstyle="butt")
        ax.plot(100 * row["diff"], y, "o", ms=8, color="white", mec=colour, mew=2, zorder=3)
        labels.append(label(f"{wrapped(item_name(row), 40, 1)}\n{group_name(row, '1')} {row['k1']}/{row['n1']} vs "
                            f"{group_name(row, '2')} {row['k2']}/{row['n2']}"))
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
    first = next(data.itertuples())
    ax.set_xlabel(label(f"{group_name(first, '1')} minus {group_name(first, '2')}, percentage points"))
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
        :func:`alignment_stats.analyses.incentives.required_n_curve` output.
    margin : float, optional
        The chosen margin (a proportion), marked by a vertical line.

    Returns
    -------
    matplotlib.figure.Figure
        One line per item: size per group (equal groups, log scale) needed
        for the target power, against the margin in points; horizontal
        dotted lines at the study's group sizes.
    """
    data = curve.dropna(subset=["n_per_group"])
    if data.empty:
        return message_figure("No item to plan for.")
    sns.set_style("whitegrid")
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    palette = sns.color_palette("deep", n_colors=max(data.groupby(["study", "item"]).ngroups, 1))
    for colour, ((study, item), part) in zip(palette, data.groupby(["study", "item"], sort=False)):
        ax.plot(100 * part["margin"], part["n_per_group"].astype(float), lw=2, color=colour,
                label=label(f"{wrapped(item_name(next(part.itertuples())), 40, 1)} (share "
                            f"{100 * part['p_plan'].iloc[0]:.0f}%)"))
        if margin is not None:
            at = part[np.isclose(part["margin"].to_numpy(dtype=float), margin)]
            if len(at):
                n_at = float(at["n_per_group"].iloc[0])
                ax.plot(100 * margin, n_at, "o", color=colour, ms=6, zorder=3)
                ax.annotate(f"{n_at:,.0f}", xy=(100 * margin, n_at), xytext=(6, 2 if colour == palette[0] else 10),
                            textcoords="offset points", fontsize=8, color=colour)
    sizes: dict[int, list[str]] = {}
    for row in data.drop_duplicates(["study", "item"]).itertuples():
        for side, n in (("1", row.n1), ("2", row.n2)):
            if pd.notna(n):
                name = group_name(row, side)
                sizes.setdefault(int(n), [])
                if name not in sizes[int(n)]:
                    sizes[int(n)].append(name)
    x_right = 100 * data["margin"].max()
    for n, groups in sizes.items():
        ax.axhline(n, color="#555555", lw=1, ls=":")
        ax.text(x_right, n, label(f"  this study: {', '.join(groups)} n = {n}"), va="bottom", ha="right", fontsize=8,
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

# ---------------------------------------------------------------------------
# skills (notebook 03)
# ---------------------------------------------------------------------------
_IMPORTANCE = "#c8553d"
_EXPERTISE = "#2b6a8f"


def _labels(gaps: pd.DataFrame) -> list[str]:
    many = gaps["study"].nunique() > 1
    return [label((f"{r.study} · " if many else "") + str(r.pair).replace("_", " ")) for r in gaps.itertuples()]


def skills_dumbbell_plot(gaps: pd.DataFrame, alpha: float = 0.05) -> Any:
    """Dumbbell plot: share calling each skill important vs share with expertise.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`alignment_stats.analyses.skills.skills_gap` output (``p_a``,
        ``p_b`` and their Wilson limits).
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
    if data.empty:
        return message_figure("No skill to show.")
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
        :func:`alignment_stats.analyses.skills.skills_gap` output; skills
        without a gap are left out.
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
    if data.empty:
        return message_figure("No skill has both measures to compare.")
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
                fillstyle=fills.get(row["significant_tables"], "none"), zorder=3)
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

# ---------------------------------------------------------------------------
# benchmark (notebook 04)
# ---------------------------------------------------------------------------
_OURS, _BENCH = sns.color_palette("deep")[0], sns.color_palette("deep")[1]


def benchmark_dot_plot(comparison: pd.DataFrame, alpha: float = 0.05, ours: str = "your survey",
                       note: str | None = None) -> Any:
    """Dot plot: your share and the benchmark's, with intervals, per item and group.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`alignment_stats.analyses.benchmark.compare_to_benchmark`
        output; rows that were not compared are skipped.
    alpha : float, default 0.05
        Only for the legend (the intervals are those in ``comparison``).
    ours : str, default "your survey"
        Legend label of your survey.
    note : str, optional
        The message shown when nothing was compared (default: a generic one),
        e.g. why the analysis did not apply.

    Returns
    -------
    matplotlib.figure.Figure
        One line per (item, group) (per study, item and group when several
        studies are compared): your share (circle) and the benchmark's
        (square), each with its Wilson interval; a pale band spans the shares
        of the benchmark's feasible counts when its figure allows several.
        Filled markers: the difference is significant after adjustment. With
        no compared row, a small figure holding only the message.
    """
    data = comparison[comparison["position"].isin(("above", "below", "indistinguishable"))].reset_index(drop=True)
    if data.empty:
        return message_figure(note or "Nothing compared: no item/group has a benchmark count.")
    several = data["study"].nunique() > 1
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
    ax.set_yticklabels([label(wrapped(f"{f'{r.study} · ' if several else ''}{item_name(r)} · {group_name(r)}", 46))
                        for r in data.itertuples()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share answering yes, % (Wilson {100 * (1 - alpha):.0f}% intervals)")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    handles = [
        plt.Line2D([], [], color=_OURS, marker="o", lw=1.8, markerfacecolor="white", label=label(ours)),
        plt.Line2D([], [], color=_BENCH, marker="s", lw=1.8, markerfacecolor="white", label=label(bench)),
        plt.Rectangle((0, 0), 1, 1, color=_BENCH, alpha=0.15, label=label(f"{bench}: feasible counts")),
        plt.Line2D([], [], color="#555555", marker="o", lw=0, label="filled: significant difference (adjusted)"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.3 / max(len(data), 1)),
              ncol=2, fontsize=8, frameon=False)
    ax.set_title(label(f"{ours} vs {bench}, item by item"), fontsize=10, loc="left")
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook displaying the returned figure
    return fig
