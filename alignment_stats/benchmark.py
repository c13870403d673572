"""Benchmark your organisation: a survey compared with a published benchmark.

An organisation surveys its own marketing and IT staff (or a research team
runs a later wave) with the benchmark's questions. Item by item and group by
group, :func:`compare_to_benchmark` compares the new shares with the
benchmark's, as two independent samples: the benchmark's side is the count
the data audit reconstructed from the published percentage and group size
(:func:`alignment_stats.audit.reconstruct_counts`), so its sampling
uncertainty enters the interval. Where the published figure allows several
counts (a vague wording such as "about half", or a percentage that several
counts round to), the comparison is repeated over every feasible count
``k_low .. k_high`` and the range is reported with whether the conclusion
changes. Each row ends in words: above, below, or indistinguishable from the
benchmark. Differences, intervals and tests come from
:func:`alignment_stats.proportions.compare_proportions`; p-values are
adjusted for multiplicity over the compared rows of each study (one family
per study). Counts holding several studies are compared study by study:
every study other than the benchmark that shares an (item, group) with a
benchmark count.

"Indistinguishable" is not "equal": it means this pair of samples cannot
tell the shares apart; the interval says how large a difference is still
compatible with the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from .data import DataValidationError
from .proportions import ADJUST_METHODS, CI_METHODS, TEST_METHODS, adjust_pvalues, compare_proportions

__all__ = [
    "POSITIONS",
    "COMPARISON_COLUMNS",
    "compare_to_benchmark",
    "benchmark_reading",
    "BenchmarkResult",
    "run_benchmark",
]

#: Where an organisation stands on a compared item, in words.
POSITIONS = ("above", "below", "indistinguishable")
#: Columns of :func:`compare_to_benchmark` (group 1 = your survey, 2 = the benchmark).
COMPARISON_COLUMNS = (
    "study", "benchmark_study", "item", "group", "k1", "n1", "k2", "n2", "k2_low", "k2_high", "benchmark_figure",
    "p1", "p2", "p1_ci_low", "p1_ci_high", "p2_ci_low", "p2_ci_high", "diff", "ci_low", "ci_high", "p_value",
    "p_adjusted", "significant", "position", "diff_min", "diff_max", "ci_low_min", "ci_high_max",
    "p_adjusted_min", "p_adjusted_max", "positions", "robust", "n_tests", "ci_method", "test", "adjust", "verdict",
)


def _check(value: str, name: str, known: Sequence[str]) -> str:
    if value not in known:
        raise ValueError(f"{name}: {value!r} is not known (known: {', '.join(known)})")
    return value


def _benchmark_counts(benchmark: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if isinstance(benchmark, pd.DataFrame):
        return benchmark
    from .inputs import load_input

    return load_input(benchmark).counts


def _figure_text(row: Any) -> str:
    value, low, high = row.get("value2"), row.get("low2"), row.get("high2")
    if pd.notna(value):
        return f"{value:g}%"
    if pd.notna(low) and pd.notna(high):
        return f"{low:g}-{high:g}%"
    return ""


def _position(diff: np.ndarray, p_adjusted: np.ndarray, alpha: float) -> np.ndarray:
    significant = p_adjusted < alpha
    return np.where(significant & (diff > 0), "above", np.where(significant & (diff < 0), "below",
                                                                  "indistinguishable"))


def _adjust_rows(p: np.ndarray, method: str) -> np.ndarray:
    """Multiplicity adjustment of every row of a (families x tests) matrix.

    The same procedures as :func:`alignment_stats.proportions.adjust_pvalues`
    (statsmodels ``multipletests``), vectorized over families; the tests
    check them against ``multipletests`` row by row.
    """
    m = p.shape[1]
    if method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=1)
    if method == "holm":  # step-down: max over j <= i of (m - j + 1) p_(j)
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)), axis=1)
    else:  # fdr_bh, step-up: min over j >= i of m p_(j) / j
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[:, ::-1], axis=1)[:, ::-1]
    out = np.empty_like(p)
    np.put_along_axis(out, order, np.minimum(adjusted, 1.0), axis=1)
    return out


def _wilson(k: pd.Series, n: pd.Series, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = proportion_confint(k.to_numpy(dtype=float), n.to_numpy(dtype=float), alpha=alpha, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _pct(share: float) -> str:
    from .outputs import percent_text

    return percent_text(share, 1)


def _verdict(row: Any, alpha: float) -> str:
    if row["position"] == "no benchmark figure":
        return f"no {row['benchmark_study']} figure for {row['item']}/{row['group']}: not compared"
    if row["position"] == "no benchmark count":
        return (f"{row['benchmark_study']} publishes {row['benchmark_figure'] or 'a figure'} here, but no whole count "
                "of its group fits it (see the data audit): not compared")
    text = (
        f"you {row['k1']}/{row['n1']} ({_pct(row['p1'])}) vs {row['benchmark_study']} {row['k2']}/{row['n2']} "
        f"({_pct(row['p2'])}, published {row['benchmark_figure']}): {100 * row['diff']:+.1f} points "
        f"({100 * (1 - alpha):.0f}% CI {100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f}); "
    )
    if row["position"] == "indistinguishable":
        text += f"indistinguishable from the benchmark (adjusted p = {row['p_adjusted']:.2g})"
        if row["ci_low"] > 0 or row["ci_high"] < 0:
            text += f", the interval excludes 0 but not after adjusting for {row['n_tests']} comparisons"
    else:
        text += f"{row['position']} the benchmark (adjusted p = {row['p_adjusted']:.2g})"
    if row["k2_low"] != row["k2_high"]:
        span = f"{row['k2_low']}-{row['k2_high']}"
        if row["robust"]:
            text += f"; the same over every feasible benchmark count ({span})"
        else:
            text += f"; over the feasible benchmark counts {span} it reads {row['positions']}"
    return text


def compare_to_benchmark(
    counts: pd.DataFrame,
    benchmark: pd.DataFrame | str | Path | None = None,
    benchmark_study: str = "leapfrog_2015",
    alpha: float = 0.05,
    ci: str = "newcombe",
    adjust: str = "holm",
    test: str = "fisher",
    study: str | None = None,
) -> pd.DataFrame:
    """Compare a survey's shares with a published benchmark, item by item.

    Parameters
    ----------
    counts : pandas.DataFrame
        Your counts table (``study, item, group, n, k``), e.g. from
        :func:`alignment_stats.survey.load_responses`. Items and groups are
        matched to the benchmark's by id.
    benchmark : DataFrame, str, Path or None
        The benchmark's counts table, or a figures/counts file for
        :func:`alignment_stats.inputs.load_input`. Default: the bundled
        figures, reconstructed by the data audit.
    benchmark_study : str, default "leapfrog_2015"
        The benchmark study within ``benchmark``.
    alpha : float, default 0.05
        Significance level; intervals have coverage ``1 - alpha``.
    ci : {"newcombe", "agresti-caffo", "wald", "score"}, default "newcombe"
        Interval for the difference (see
        :func:`alignment_stats.proportions.compare_proportions`).
    adjust : {"holm", "fdr_bh", "bonferroni", "none"}, default "holm"
        Multiplicity adjustment over the compared rows of each study (one
        family per study).
    test : {"fisher", "boschloo", "z", "chi2"}, default "fisher"
    study : str, optional
        Compare only this study of ``counts``. Default: every study other
        than ``benchmark_study`` that shares at least one (item, group) with
        a benchmark count, each adjusted as its own family; studies sharing
        nothing are left out, and when no study shares anything the result
        has no rows (the columns are kept).

    Returns
    -------
    pandas.DataFrame
        One row per (study, item, group) of the compared studies, columns
        :data:`COMPARISON_COLUMNS`: your count ``k1`` of ``n1``, the
        benchmark's ``k2`` of ``n2`` with its feasible range ``k2_low`` ..
        ``k2_high`` and the published ``benchmark_figure``; shares with
        Wilson intervals (``p1_ci_low`` ...); ``diff = p1 - p2`` with its
        interval, ``p_value``, ``p_adjusted``, ``significant``
        (``p_adjusted < alpha``) and ``position`` (``above``, ``below``,
        ``indistinguishable``, or ``no benchmark figure`` / ``no benchmark
        count`` when not compared); over the feasible benchmark counts:
        ``diff_min``, ``diff_max``, ``ci_low_min``, ``ci_high_max``,
        ``p_adjusted_min``, ``p_adjusted_max``, the ``positions`` found and
        ``robust`` (one position throughout); and ``verdict`` in words.

    Raises
    ------
    ValueError
        An unknown method name, ``alpha`` outside (0, 0.5), a benchmark study
        that is not in the benchmark, ``counts`` holding only the benchmark
        study, or a given ``study`` that is not in ``counts`` or shares no
        (item, group) with a benchmark count.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods.
       Statistics in Medicine 17(8), 873-890.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scandinavian Journal of Statistics 6(2), 65-70.

    Examples
    --------
    An organisation where 50 of 100 marketers and 5 of 40 IT staff call the
    relationship very collaborative, against Leapfrog's 32/106 and 3/24:

    >>> ours = pd.DataFrame({"study": "acme_2025", "item": "very_collaborative", "group": ["marketing", "it"],
    ...                      "n": [100, 40], "k": [50, 5]})
    >>> res = compare_to_benchmark(ours)
    >>> print(res[["group", "k1", "n1", "k2", "n2", "diff", "p_adjusted", "position"]].round(3).to_string(index=False))
        group  k1  n1  k2  n2  diff  p_adjusted          position
    marketing  50 100  32 106 0.198       0.009             above
           it   5  40   3  24 0.000       1.000 indistinguishable
    """
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha: {alpha!r} must be between 0 and 0.5")
    _check(ci, "ci", CI_METHODS)
    _check(adjust, "adjust", ADJUST_METHODS)
    _check(test, "test", TEST_METHODS)
    missing = [c for c in ("study", "item", "group", "n", "k") if c not in counts.columns]
    if missing:
        raise ValueError(f"counts: lacks column(s) {', '.join(missing)}")
    bench = _benchmark_counts(benchmark)
    known = sorted(set(bench["study"]))
    if benchmark_study not in known:
        raise ValueError(f"benchmark_study: {benchmark_study!r} is not in the benchmark (known: {', '.join(known)})")
    bench = bench[bench["study"] == benchmark_study]

    if study is not None:
        ours = counts[counts["study"] == study]
        if ours.empty:
            raise ValueError(
                f"study: {study!r} is not in the counts (known: {', '.join(sorted(set(counts['study'])))})")
        merged, testable = _match(ours, bench, benchmark_study)
        if not testable.any():
            raise ValueError(
                f"no item/group of your survey has a benchmark count in {benchmark_study} (your items: "
                f"{', '.join(dict.fromkeys(ours['item']))})"
            )
        return _compare_one(merged, testable, alpha, ci, adjust, test)

    studies = [s for s in dict.fromkeys(counts["study"]) if s != benchmark_study]
    if not studies:
        raise ValueError(f"counts hold only the benchmark study {benchmark_study!r}: nothing to compare")
    parts = []
    for name in studies:  # each study is its own multiplicity family
        merged, testable = _match(counts[counts["study"] == name], bench, benchmark_study)
        if testable.any():
            parts.append(_compare_one(merged, testable, alpha, ci, adjust, test))
    if not parts:
        return _empty_comparison()
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _empty_comparison() -> pd.DataFrame:
    """A comparison with no rows and the columns :data:`COMPARISON_COLUMNS`."""
    ints = {"k1", "n1", "k2", "n2", "k2_low", "k2_high"}
    floats = {"p1", "p2", "p1_ci_low", "p1_ci_high", "p2_ci_low", "p2_ci_high", "diff", "ci_low", "ci_high",
              "p_value", "p_adjusted", "diff_min", "diff_max", "ci_low_min", "ci_high_max", "p_adjusted_min",
              "p_adjusted_max"}
    dtypes = {c: "Int64" if c in ints else float if c in floats else bool if c == "significant"
              else "boolean" if c == "robust" else "int64" if c == "n_tests" else object
              for c in COMPARISON_COLUMNS}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _match(ours: pd.DataFrame, bench: pd.DataFrame, benchmark_study: str) -> tuple[pd.DataFrame, pd.Series]:
    """One study's rows joined to the benchmark's, and which of them can be tested."""
    keep = ["item", "group", "n", "k", "k_low", "k_high", "value", "low", "high"]
    right = bench.reindex(columns=keep).rename(columns={c: f"{c}2" for c in keep[2:]})
    merged = ours[["study", "item", "group", "n", "k"]].rename(columns={"n": "n1", "k": "k1"}).merge(
        right, on=["item", "group"], how="left", validate="one_to_one")
    merged = merged.rename(columns={"k_low2": "k2_low", "k_high2": "k2_high"}).reset_index(drop=True)
    merged["benchmark_study"] = benchmark_study
    testable = merged["k1"].notna() & merged["n1"].notna() & merged["k2"].notna() & merged["n2"].notna()
    return merged, testable


def _compare_one(merged: pd.DataFrame, testable: pd.Series, alpha: float, ci: str, adjust: str,
                 test: str) -> pd.DataFrame:
    """Compare one study (one multiplicity family) with the benchmark."""
    merged["benchmark_figure"] = [_figure_text(r) for _, r in merged.iterrows()]
    has_figure = merged["n2"].notna() | merged["value2"].notna() | merged["low2"].notna()
    for c in ("k1", "n1", "k2", "n2", "k2_low", "k2_high"):
        merged[c] = merged[c].astype("Int64")

    rows = merged.loc[testable].reset_index()
    k1, n1 = rows["k1"].astype(int).to_numpy(), rows["n1"].astype(int).to_numpy()
    k2, n2 = rows["k2"].astype(int).to_numpy(), rows["n2"].astype(int).to_numpy()
    res = compare_proportions(k1, n1, k2, n2, ci=ci, test=test, alpha=alpha)
    p_adj = adjust_pvalues(res["p_value"].to_numpy(), adjust)
    out = merged.copy()
    for c in ("p1", "p2", "diff", "ci_low", "ci_high", "p_value", "p_adjusted"):
        out[c] = np.nan
    at = rows["index"].to_numpy()
    for c in ("p1", "p2", "diff", "ci_low", "ci_high", "p_value"):
        out.loc[at, c] = res[c].to_numpy()
    out.loc[at, "p_adjusted"] = p_adj
    for side, (k, n) in (("p1", ("k1", "n1")), ("p2", ("k2", "n2"))):
        low, high = _wilson(rows[k].astype(int), rows[n].astype(int), alpha)
        out[f"{side}_ci_low"], out[f"{side}_ci_high"] = np.nan, np.nan
        out.loc[at, f"{side}_ci_low"], out.loc[at, f"{side}_ci_high"] = low, high
    out["significant"] = False
    out.loc[at, "significant"] = p_adj < alpha
    out["position"] = np.where(has_figure, "no benchmark count", "no benchmark figure")
    out.loc[at, "position"] = _position(res["diff"].to_numpy(), p_adj, alpha)

    # the range over the benchmark's feasible counts: each scenario changes one
    # row's count and is adjusted within the family with the other rows as chosen
    lows = rows["k2_low"].astype(int).to_numpy()
    highs = rows["k2_high"].astype(int).to_numpy()
    which = np.repeat(np.arange(len(rows)), highs - lows + 1)
    k2_grid = np.concatenate([np.arange(lo, hi + 1) for lo, hi in zip(lows, highs)])
    grid = compare_proportions(k1[which], n1[which], k2_grid, n2[which], ci=ci, test=test, alpha=alpha)
    families = np.tile(res["p_value"].to_numpy(), (len(grid), 1))
    families[np.arange(len(grid)), which] = grid["p_value"].to_numpy()
    grid_adj = _adjust_rows(families, adjust)[np.arange(len(grid)), which]
    grid = grid.assign(row=which, p_adjusted=grid_adj,
                       position=_position(grid["diff"].to_numpy(), grid_adj, alpha))
    summary = grid.groupby("row").agg(diff_min=("diff", "min"), diff_max=("diff", "max"),
                                      ci_low_min=("ci_low", "min"), ci_high_max=("ci_high", "max"),
                                      p_adjusted_min=("p_adjusted", "min"), p_adjusted_max=("p_adjusted", "max"))
    summary["positions"] = grid.groupby("row")["position"].agg(
        lambda s: " / ".join(p for p in POSITIONS if p in set(s)))
    for c in ("diff_min", "diff_max", "ci_low_min", "ci_high_max", "p_adjusted_min", "p_adjusted_max"):
        out[c] = np.nan
        out.loc[at, c] = summary[c].to_numpy()
    out["positions"] = ""
    out.loc[at, "positions"] = summary["positions"].to_numpy()
    out["robust"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out.loc[at, "robust"] = ~summary["positions"].str.contains("/").to_numpy()
    out["n_tests"] = len(rows)
    out["ci_method"], out["test"], out["adjust"] = ci, test, adjust
    out["verdict"] = [_verdict(r, alpha) for _, r in out.iterrows()]
    return out.reindex(columns=list(COMPARISON_COLUMNS))


def benchmark_reading(comparison: pd.DataFrame, alpha: float = 0.05, source: str = "",
                      synthetic: bool = False, weighted: bool = False, studies: Sequence[str] | None = None,
                      benchmark_study: str | None = None) -> str:
    """A plain-language reading of :func:`compare_to_benchmark`, as Markdown.

    ``studies`` (the studies in the input) and ``benchmark_study`` let the
    reading name the studies that were not compared because they share no
    (item, group) with the benchmark, and say so plainly when that leaves
    nothing to compare.

    Examples
    --------
    >>> table = pd.DataFrame({"study": "acme", "benchmark_study": "leapfrog_2015", "item": ["x", "y"],
    ...     "group": "marketing", "diff": [0.2, 0.01], "ci_low": [0.05, -0.12], "ci_high": [0.33, 0.14],
    ...     "position": ["above", "indistinguishable"], "robust": [True, True], "positions": ["above", ""],
    ...     "n_tests": 2, "adjust": "holm", "k2_low": [3, 3], "k2_high": [3, 3]})
    >>> print(benchmark_reading(table))
    - **acme** against **leapfrog_2015**: 2 item/group figure(s) compared (alpha 0.05, holm adjustment over 2 tests): above the benchmark on 1, below on 0, indistinguishable on 1.
    - Above: x (marketing) +20 points.
    - Indistinguishable is not the same as equal: the 95% intervals of these differences still allow gaps between -12 and +14 points.
    """
    lines = []
    compared = comparison[comparison["position"].isin(POSITIONS)]
    several = comparison["study"].nunique() > 1
    bench = benchmark_study or (str(comparison["benchmark_study"].iloc[0]) if len(comparison) else "the benchmark")
    if studies is not None:
        listed = list(dict.fromkeys(studies))
        left_out = [s for s in listed if s != bench and s not in set(comparison["study"])]
        if comparison.empty:
            others = [s for s in listed if s != bench]
            held = f"{len(listed)} stud{'y' if len(listed) == 1 else 'ies'} ({', '.join(listed)})"
            text = f"- **Nothing compared.** The input{f' ({source})' if source else ''} holds {held}"
            if bench in listed:
                text += f"; {bench} is the benchmark study itself"
            lines.append(
                text + f". None of {'them' if len(others) != 1 else 'it'}"
                f"{' besides the benchmark' if bench in listed else ''} shares an item/group with a count of the "
                f"benchmark study **{bench}** (item ids are matched exactly, and these are specific to each "
                "study), so there is nothing to compare with it. To compare, give counts or responses for the "
                f"benchmark's own items ({bench}'s item ids) and groups."
            )
        elif left_out:
            lines.append(f"- Not compared: {', '.join(left_out)} share{'s' if len(left_out) == 1 else ''} no "
                         f"item/group with a count of **{bench}**.")
    elif comparison.empty:
        lines.append(f"- **Nothing compared**: no item/group has a count of **{bench}** to compare with.")
    for name in dict.fromkeys(compared["study"]):
        part_all = compared[compared["study"] == name]
        first = part_all.iloc[0]
        counts = {p: int((part_all["position"] == p).sum()) for p in POSITIONS}
        lines.append(
            f"- **{first['study']}** against **{first['benchmark_study']}**: {len(part_all)} item/group figure(s) "
            f"compared (alpha {alpha:g}, {first['adjust']} adjustment over {int(first['n_tests'])} tests"
            f"{' within this study' if several else ''}): above the "
            f"benchmark on {counts['above']}, below on {counts['below']}, indistinguishable on "
            f"{counts['indistinguishable']}."
        )
        for position in ("above", "below"):
            part = part_all[part_all["position"] == position]
            if len(part):
                lines.append(f"- {f'{name}, {position}' if several else position.capitalize()}: " + "; ".join(
                    f"{r.item} ({r.group}) {100 * r.diff:+.0f} points" for r in part.itertuples()) + ".")
    same = compared[compared["position"] == "indistinguishable"]
    if len(same):
        lines.append(
            f"- Indistinguishable is not the same as equal: the {100 * (1 - alpha):.0f}% intervals of these "
            f"differences still allow gaps between {100 * same['ci_low'].min():+.0f} and "
            f"{100 * same['ci_high'].max():+.0f} points."
        )

    def where(r: Any) -> str:
        return f"{r.study}: {r.item} ({r.group}" if several else f"{r.item} ({r.group}"

    ranged = compared[compared["k2_low"] != compared["k2_high"]]
    if len(ranged):
        fragile = ranged[~ranged["robust"].astype(bool)]
        if len(fragile):
            lines.append("- The conclusion depends on which count stands behind the published figure for: " + "; ".join(
                f"{where(r)}: {r.positions})" for r in fragile.itertuples()) + ".")
        else:
            lines.append(f"- Where the benchmark's count is not exactly known ({len(ranged)} figure(s): a vague "
                         "wording or several feasible counts), every feasible count gives the same conclusion.")
    for label, position in (("no benchmark figure", "no benchmark figure"),
                            ("a published figure no whole count fits", "no benchmark count")):
        part = comparison[comparison["position"] == position]
        if len(part):
            lines.append(f"- Not compared ({label}): " + ", ".join(
                f"{where(r)})" for r in part.itertuples()) + ".")
    if weighted:
        lines.append("- Weighted: your shares are weighted, and each n is the rounded Kish effective sample size, "
                     "so intervals carry the design effect of the weights.")
    if synthetic:
        lines.append(f"- **Synthetic data** ({source or 'this survey'}): the survey was generated to reproduce the "
                     "benchmark's counts, so agreement here is by construction, not a finding.")
    return "\n".join(lines)


@dataclass(frozen=True)
class BenchmarkResult:
    """Everything notebook 04 shows."""

    comparison: pd.DataFrame
    counts: pd.DataFrame
    paired: pd.DataFrame | None
    source: str
    benchmark_study: str
    alpha: float
    weighted: bool = False
    synthetic: bool = False
    #: Every study in the input, in order (the benchmark study too, if there).
    studies: tuple[str, ...] = ()

    @property
    def compared_studies(self) -> list[str]:
        """The studies compared with the benchmark (empty when none shares an item)."""
        return [str(s) for s in dict.fromkeys(self.comparison["study"])]

    @property
    def nothing_compared(self) -> str | None:
        """Why nothing was compared, in one sentence; None when something was."""
        if len(self.comparison):
            return None
        listed = ", ".join(self.studies) or "none"
        itself = " other than the benchmark itself" if self.benchmark_study in self.studies else ""
        return (f"Nothing compared: no study in the input ({listed}){itself} shares an item/group with a count "
                f"of {self.benchmark_study}.")

    @property
    def label(self) -> str:
        """Your study's id (ids, joined, for several), marked ``(SYNTHETIC)`` for synthetic data."""
        study = ", ".join(self.compared_studies) or "your survey"
        return f"{study} (SYNTHETIC)" if self.synthetic else study

    @property
    def table(self) -> pd.DataFrame:
        """The comparison with shares and differences in percent (1 decimal); with ``study`` first
        when several studies are compared."""
        cols = ["item", "group", "k1", "n1", "k2", "n2", "benchmark_figure", "p1", "p2", "diff", "ci_low",
                "ci_high", "p_adjusted", "position", "robust"]
        if len(self.compared_studies) > 1:
            cols = ["study", *cols]
        table = self.comparison[cols].copy()
        for c in ("p1", "p2", "diff", "ci_low", "ci_high"):
            table[c] = (100 * table[c]).round(1)
        table["p_adjusted"] = table["p_adjusted"].astype(float).round(4)
        return table

    @property
    def paired_table(self) -> pd.DataFrame | None:
        """Observed paired tables with the shares they identify (percent).

        ``importance`` and ``expertise`` are the margins; ``gap`` is
        importance minus expertise; ``important_not_expert`` is the share
        calling the skill important without expertise, which published
        margins only bound.
        """
        if self.paired is None:
            return None
        table = self.paired.drop(columns=["item_a", "item_b"], errors="ignore").copy()
        n = table["n"].astype(float)
        table["importance"] = (100 * (table["both"] + table["a_only"]) / n).round(1)
        table["expertise"] = (100 * (table["both"] + table["b_only"]) / n).round(1)
        table["gap"] = (table["importance"] - table["expertise"]).round(1)
        table["important_not_expert"] = (100 * table["a_only"] / n).round(1)
        return table

    def verdicts_markdown(self) -> str:
        """One bullet per item and group with its verdict in words."""
        if self.comparison.empty:
            return f"- {self.nothing_compared}"
        several = len(self.compared_studies) > 1
        return "\n".join(f"- **{f'{r.study} · ' if several else ''}{r.item} · {r.group}**: {r.verdict}"
                         for r in self.comparison.itertuples())

    def reading(self) -> str:
        """Plain-language reading (Markdown)."""
        return benchmark_reading(self.comparison, self.alpha, self.source, self.synthetic, self.weighted,
                                 studies=self.studies or None, benchmark_study=self.benchmark_study)

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write results/benchmark_comparison.csv, survey_counts.csv (and paired_tables.csv)."""
        from .outputs import write_result

        written = [write_result(self.comparison, output_dir, "benchmark_comparison"),
                   write_result(self.counts, output_dir, "survey_counts")]
        if self.paired is not None:
            written.append(write_result(self.paired, output_dir, "paired_tables"))
        return written


def run_benchmark(
    input: str | Path | None = None,
    codebook: str | Path | None = None,
    benchmark_study: str = "leapfrog_2015",
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "fisher",
    adjust: str = "holm",
    weighted: bool = False,
    study: str | None = None,
    benchmark: pd.DataFrame | str | Path | None = None,
    rounding: str = "half_up",
    max_missing: int = 1,
) -> BenchmarkResult:
    """Run the benchmark comparison of notebook 04.

    Parameters
    ----------
    input : str or Path, optional
        Your survey: a response file read through ``codebook``, or a counts
        table / figures CSV (see :func:`alignment_stats.inputs.load_input`).
        Default (with no codebook either): the SYNTHETIC demo survey
        ``data/raw/demo/leapfrog_demo_survey.csv`` and its codebook.
    codebook : str or Path, optional
        The YAML codebook of a response file.
    benchmark_study, alpha, ci, test, adjust, study, benchmark
        See :func:`compare_to_benchmark`.
    weighted : bool, default False
        Weight the responses by the codebook's weight column.
    rounding, max_missing
        How the benchmark's (and a figures input's) counts are reconstructed.

    Returns
    -------
    BenchmarkResult
        When no study of ``input`` shares an (item, group) with the benchmark
        (and no ``study`` is named), its comparison has no rows and its
        reading says so.

    Raises
    ------
    DataValidationError
        A bad response file or codebook (nothing is written).

    Examples
    --------
    >>> result = run_benchmark()
    >>> result.synthetic, sorted(set(result.comparison["position"]))
    (True, ['indistinguishable'])
    >>> print(result.table.query("item == 'very_collaborative'")[["group", "p1", "p2", "diff", "ci_low", "ci_high"]]
    ...       .to_string(index=False))
        group   p1   p2  diff  ci_low  ci_high
    marketing 30.2 30.2   0.0   -12.2     12.2
           it 12.5 12.5   0.0   -20.2     20.2
    """
    from .inputs import load_input
    from .survey import DEMO_CODEBOOK, DEMO_SURVEY, load_codebook

    if (input is None or str(input) == "") and (codebook is None or str(codebook) == ""):
        input, codebook = DEMO_SURVEY, DEMO_CODEBOOK
    loaded = load_input(input, rounding=rounding, max_missing=max_missing, codebook=codebook, weighted=weighted)
    synthetic = False
    if codebook is not None and str(codebook) != "":
        from .inputs import _resolve

        synthetic = load_codebook(_resolve(codebook)).synthetic
    if benchmark is None:
        benchmark = load_input(None, rounding=rounding, max_missing=max_missing).counts
    comparison = compare_to_benchmark(loaded.counts, benchmark, benchmark_study, alpha=alpha, ci=ci, adjust=adjust,
                                      test=test, study=study)
    studies = tuple(str(s) for s in dict.fromkeys(loaded.counts["study"]))
    if len(comparison):
        keep = loaded.counts["study"].isin(set(comparison["study"]))
    else:  # nothing compared: the input's own studies, for the record
        keep = loaded.counts["study"] != benchmark_study
    counts = loaded.counts[keep].reset_index(drop=True)
    return BenchmarkResult(comparison, counts, loaded.paired, loaded.source, benchmark_study, alpha,
                           weighted and codebook is not None, synthetic, studies)
