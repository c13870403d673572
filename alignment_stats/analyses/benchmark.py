"""Benchmark comparison (notebook 04): your survey against a published benchmark, item by item.

An organisation surveys its own marketing and IT staff (or a research team
fields a later wave) with the benchmark's questions. Item by item and group
by group the new shares are compared with the benchmark's, as two
independent samples: the benchmark's side is the count its data audit
reconstructed from the published percentage and group size, so its
sampling uncertainty enters the interval. Where the published figure allows
several counts, the comparison is repeated over every feasible count of the
chosen scenario (``robust`` says whether the position changes), and over
every scenario of rounding rule and group size in the sensitivity table.
p-values are adjusted over the compared rows of each study (one family per
study). "Indistinguishable" is not "equal": the interval says how large a
difference is still compatible with the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..counts import CountsBundle, expand_counts, load_counts
from ..schema import SPECIFIC_RULES, DataValidationError
from ..stats import adjust_pvalues, adjust_rows, compare_proportions, difference_interval, wilson_interval
from .comparisons import figure_counts, rules_text, sizes_text
from .settings import BenchmarkSettings

__all__ = ["POSITIONS", "COMPARISON_TABLE_COLUMNS", "BenchmarkResult", "applicable", "compare_to_benchmark",
           "benchmark_sensitivity", "run_benchmark"]

#: Where a survey stands on a compared item.
POSITIONS = ("above", "below", "indistinguishable")
#: Columns of :func:`compare_to_benchmark` (group 1 = your survey, 2 = the benchmark).
COMPARISON_TABLE_COLUMNS = (
    "study", "benchmark_study", "item", "group", "k1", "n1", "k2", "n2", "k2_low", "k2_high", "value2", "low2",
    "high2", "p1", "p2", "p1_ci_low", "p1_ci_high", "p2_ci_low", "p2_ci_high", "diff", "ci_low", "ci_high",
    "ci_level", "p_value", "p_adjusted", "significant", "position", "diff_min", "diff_max", "ci_low_min",
    "ci_high_max", "p_adjusted_min", "p_adjusted_max", "positions", "robust", "n_tests", "ci_method", "test",
    "adjust", "n_source", "status", "wording", "group_label",
)
#: Added to :data:`COMPARISON_TABLE_COLUMNS` for a weighted survey: its unweighted respondents and effective size.
WEIGHTED_COLUMNS = ("n_raw1", "n_eff1")
SENSITIVITY_COLUMNS = ("study", "item", "group", "scenarios", "rules", "n2_values", "diff_min", "diff_max",
                       "positions", "not_assessable", "flips_with_data", "robust")


def _position(diff: np.ndarray, p_adjusted: np.ndarray, alpha: float) -> np.ndarray:
    significant = p_adjusted < alpha
    return np.where(significant & (diff > 0), "above", np.where(significant & (diff < 0), "below",
                                                                  "indistinguishable"))


def _join(ours: pd.DataFrame, bench: pd.DataFrame) -> pd.DataFrame:
    keep = ["item", "group", "n", "k", "k_low", "k_high", "value", "low", "high", "status", "n_source"]
    right = bench[keep].rename(columns={c: f"{c}2" for c in keep[2:]}).rename(
        columns={"k_low2": "k2_low", "k_high2": "k2_high", "status2": "bench_status", "n_source2": "n_source"})
    left = ours[["study", "item", "group", "n", "k", "p",
                 *[c for c in ("wording", "group_label", "n_eff", "n_raw") if c in ours]]].rename(
        columns={"n": "n1", "k": "k1", "p": "p1", "n_eff": "n_eff1", "n_raw": "n_raw1"})
    return left.merge(right, on=["item", "group"], how="left", validate="one_to_one").reset_index(drop=True)


def compare_to_benchmark(ours: pd.DataFrame, bench: pd.DataFrame, benchmark_study: str, alpha: float = 0.05,
                         ci: str = "newcombe", adjust: str = "holm", test: str = "fisher") -> pd.DataFrame:
    """Compare one study's shares with the benchmark's, item by item (one multiplicity family).

    Parameters
    ----------
    ours : pandas.DataFrame
        One study's counts with ``p`` (its share; the weighted estimate when weighted).
    bench : pandas.DataFrame
        The benchmark study's counts with ``status``
        (:func:`~alignment_stats.analyses.comparisons.figure_counts`).
    benchmark_study : str
    alpha, ci, adjust, test
        As in :class:`~alignment_stats.analyses.settings.BenchmarkSettings`.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_TABLE_COLUMNS`: your ``k1`` of ``n1``, the
        benchmark's ``k2`` of ``n2`` with its feasible range and published
        figure (``value2``, ``low2``, ``high2``); shares with Wilson
        intervals; ``diff = p1 - p2`` with its ``ci_level`` interval,
        ``p_value``, ``p_adjusted``, ``significant``, ``position``; over the
        benchmark's feasible counts the ranges and ``positions`` found,
        ``robust`` (one position throughout); ``status`` (``ok``, or why not
        compared: ``no_figure``, ``no_count``).

    Examples
    --------
    >>> ours = pd.DataFrame({"study": "acme_2025", "item": "very_collaborative", "group": ["marketing", "it"],
    ...                      "n": [100, 40], "k": [50, 5], "p": [0.5, 0.125]})
    >>> from alignment_stats.analyses.comparisons import figure_counts
    >>> bench = figure_counts(load_counts(store=None)).query("study == 'leapfrog_2015'")
    >>> res = compare_to_benchmark(ours, bench, "leapfrog_2015")
    >>> print(res[["group", "k1", "n1", "k2", "n2", "diff", "p_adjusted", "position"]].round(3).to_string(index=False))
        group  k1  n1  k2  n2  diff  p_adjusted          position
    marketing  50 100  32 106 0.198       0.009             above
           it   5  40   3  24 0.000       1.000 indistinguishable
    """
    merged = _join(ours, bench)
    merged["benchmark_study"] = benchmark_study
    testable = (merged["k1"].notna() & merged["bench_status"].eq("ok")).to_numpy()
    merged["status"] = np.where(testable, "ok", np.where(merged["bench_status"].isna(), "no_figure", "no_count"))
    for c in ("k1", "n1", "k2", "n2", "k2_low", "k2_high"):
        merged[c] = merged[c].astype("Int64")
    out = merged.copy()
    for c in ("p2", "p1_ci_low", "p1_ci_high", "p2_ci_low", "p2_ci_high", "diff", "ci_low", "ci_high", "p_value",
              "p_adjusted", "diff_min", "diff_max", "ci_low_min", "ci_high_max", "p_adjusted_min", "p_adjusted_max"):
        out[c] = np.nan
    out["ci_level"] = 1.0 - alpha
    out["significant"] = False
    out["position"] = np.where(merged["status"] == "no_figure", "no benchmark figure", "no benchmark count")
    out["positions"] = ""
    out["robust"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["n_tests"] = int(testable.sum())
    out["ci_method"], out["test"], out["adjust"] = ci, test, adjust
    if testable.any():
        rows = merged[testable]
        at = np.flatnonzero(testable)
        k1, n1 = rows["k1"].astype(int).to_numpy(), rows["n1"].astype(int).to_numpy()
        k2, n2 = rows["k2"].astype(int).to_numpy(), rows["n2"].astype(int).to_numpy()
        res = compare_proportions(k1, n1, k2, n2, ci=ci, test=test, alpha=alpha)
        p_adj = adjust_pvalues(res["p_value"].to_numpy(), adjust)
        p1, p2 = rows["p1"].to_numpy(dtype=float), res["p2"].to_numpy()
        low, high = res["ci_low"].to_numpy(), res["ci_high"].to_numpy()
        eff1 = rows["n_eff1"].to_numpy(dtype=float) if "n_eff1" in rows else n1.astype(float)
        if "n_eff1" in rows:  # weighted survey: its share is the weighted estimate, its size Kish's effective n
            low, high = difference_interval(p1 * eff1, eff1, p2 * n2, n2.astype(float), ci, alpha)
            out.loc[at, "ci_method"] = f"{ci} (Kish effective n)"
        out.loc[at, "p2"], out.loc[at, "diff"] = p2, p1 - p2
        out.loc[at, "ci_low"], out.loc[at, "ci_high"] = low, high
        out.loc[at, "p_value"], out.loc[at, "p_adjusted"] = res["p_value"].to_numpy(), p_adj
        w_low, w_high = wilson_interval(p1 * eff1, eff1, alpha, effective=True)
        out.loc[at, "p1_ci_low"], out.loc[at, "p1_ci_high"] = w_low, w_high
        b_low, b_high = wilson_interval(k2, n2, alpha)
        out.loc[at, "p2_ci_low"], out.loc[at, "p2_ci_high"] = b_low, b_high
        out.loc[at, "significant"] = p_adj < alpha
        out.loc[at, "position"] = _position(p1 - p2, p_adj, alpha)
        # over the benchmark's feasible counts: each count changes one row, adjusted with the others as chosen
        lows, highs = rows["k2_low"].astype(int).to_numpy(), rows["k2_high"].astype(int).to_numpy()
        which = np.repeat(np.arange(len(rows)), highs - lows + 1)
        k2_grid = np.concatenate([np.arange(lo, hi + 1) for lo, hi in zip(lows, highs)])
        grid = compare_proportions(k1[which], n1[which], k2_grid, n2[which], ci=ci, test=test, alpha=alpha)
        families = np.tile(res["p_value"].to_numpy(), (len(grid), 1))
        families[np.arange(len(grid)), which] = grid["p_value"].to_numpy()
        grid_adj = adjust_rows(families, adjust)[np.arange(len(grid)), which]
        grid_diff = p1[which] - k2_grid / n2[which]
        grid = grid.assign(row=which, diff=grid_diff, p_adjusted=grid_adj, position=_position(grid_diff, grid_adj, alpha))
        summary = grid.groupby("row").agg(diff_min=("diff", "min"), diff_max=("diff", "max"),
                                          ci_low_min=("ci_low", "min"), ci_high_max=("ci_high", "max"),
                                          p_adjusted_min=("p_adjusted", "min"), p_adjusted_max=("p_adjusted", "max"))
        positions = grid.groupby("row")["position"].agg(lambda v: " / ".join(p for p in POSITIONS if p in set(v)))
        for c in summary.columns:
            out.loc[at, c] = summary[c].to_numpy()
        out.loc[at, "positions"] = positions.to_numpy()
        out.loc[at, "robust"] = ~positions.str.contains("/").to_numpy()
    out.loc[~testable, "p1"] = merged.loc[~testable, "p1"]
    return out.reindex(columns=list(COMPARISON_TABLE_COLUMNS) + [c for c in WEIGHTED_COLUMNS if c in out])


def benchmark_sensitivity(bench_bundle: CountsBundle, table: pd.DataFrame, alpha: float, ci: str, test: str,
                          adjust: str) -> pd.DataFrame:
    """Does each position survive every scenario of the benchmark figure (rounding rule, group size, count)?

    Each scenario changes one benchmark count; its p-value is adjusted with
    the study's other rows held at their chosen values.
    """
    tested = table[table["status"] == "ok"].reset_index(drop=True)
    if tested.empty:
        return pd.DataFrame(columns=list(SENSITIVITY_COLUMNS))
    swept = bench_bundle.ranges[bench_bundle.ranges["rule"].isin(SPECIFIC_RULES)]
    ranges = swept.merge(tested[["benchmark_study", "item", "group"]].drop_duplicates().rename(
        columns={"benchmark_study": "study"}), on=["study", "item", "group"])
    grid = expand_counts(ranges)
    rows = []
    for study, part in tested.groupby("study", sort=False):
        family = part["p_value"].to_numpy(dtype=float)
        for position, row in enumerate(part.itertuples(index=False)):
            options = grid[(grid["item"] == row.item) & (grid["group"] == row.group)]
            everything = ranges[(ranges["item"] == row.item) & (ranges["group"] == row.group)]
            found, diffs = [], []
            if len(options):
                k1 = np.full(len(options), int(row.k1))
                n1 = np.full(len(options), int(row.n1))
                res = compare_proportions(k1, n1, options["k"].astype(int).to_numpy(),
                                          options["n"].astype(int).to_numpy(), ci=ci, test=test, alpha=alpha)
                matrix = np.tile(family, (len(options), 1))
                matrix[:, position] = res["p_value"].to_numpy()
                adjusted = adjust_rows(matrix, adjust)[:, position]
                d = row.p1 - options["k"].to_numpy(dtype=float) / options["n"].to_numpy(dtype=float)
                found = [p for p in POSITIONS if p in set(_position(d, adjusted, alpha))]
                diffs = d
            rows.append({"study": study, "item": row.item, "group": row.group, "scenarios": len(options),
                         "rules": rules_text(everything["rule"]), "n2_values": sizes_text(everything["n"]),
                         "diff_min": float(np.min(diffs)) if len(diffs) else np.nan,
                         "diff_max": float(np.max(diffs)) if len(diffs) else np.nan,
                         "positions": " / ".join(found),
                         "not_assessable": int((everything["n_feasible"] == 0).sum()),
                         "flips_with_data": len(found) > 1})
    out = pd.DataFrame(rows)
    out["robust"] = ~out["flips_with_data"]
    return out.reindex(columns=list(SENSITIVITY_COLUMNS))


def _compared_studies(bundle: CountsBundle, bench: pd.DataFrame, benchmark_study: str, study: str | None) -> list[str]:
    shared = set(zip(bench["item"], bench["group"]))
    studies = [s for s in bundle.study_ids if s != benchmark_study]
    if study is not None:
        if study not in bundle.study_ids:
            raise DataValidationError(f"study: {study!r} is not a study of the input (its studies: "
                                      f"{', '.join(bundle.study_ids)})")
        studies = [study]
    return [s for s in studies if shared & set(zip(bundle.counts.loc[bundle.counts["study"] == s, "item"],
                                                   bundle.counts.loc[bundle.counts["study"] == s, "group"]))]


def _benchmark(settings: BenchmarkSettings) -> CountsBundle:
    bench = load_counts(rounding=settings.rounding, max_missing=settings.max_missing,
                        max_unclassified=settings.max_unclassified)
    if settings.benchmark_study not in bench.study_ids:
        raise DataValidationError(f"benchmark_study: {settings.benchmark_study!r} is not a bundled study (known: "
                                  f"{', '.join(bench.study_ids)})")
    return bench


def applicable(bundle: CountsBundle, settings: BenchmarkSettings) -> str | None:
    """Why the benchmark comparison does not apply to this input (None when it does)."""
    if settings.study is not None and settings.study not in bundle.study_ids:
        return (f"study {settings.study} is not in this notebook's input ({bundle.source}: "
                f"{', '.join(bundle.study_ids)})")
    bench = _benchmark(settings)
    rows = bench.counts[bench.counts["study"] == settings.benchmark_study]
    if _compared_studies(bundle, rows, settings.benchmark_study, settings.study):
        return None
    studies = ", ".join(bundle.study_ids)
    return (f"no study of the input ({studies}) other than the benchmark itself shares an item/group with "
            f"{settings.benchmark_study}: item ids are matched exactly, so there is nothing to compare")


@dataclass(frozen=True)
class BenchmarkResult:
    """Everything notebook 04 shows (tables unrounded; shares as proportions).

    ``table`` holds every compared study's rows (:data:`COMPARISON_TABLE_COLUMNS`);
    ``counts`` the input's counts of the compared studies (or of all its
    studies when none is compared); ``paired`` its observed paired tables.
    """

    settings: BenchmarkSettings
    bundle: CountsBundle
    benchmark: CountsBundle
    table: pd.DataFrame
    counts: pd.DataFrame
    paired: pd.DataFrame | None
    sensitivity: pd.DataFrame

    @property
    def compared_studies(self) -> list[str]:
        """The studies compared with the benchmark."""
        return [str(s) for s in dict.fromkeys(self.table["study"])]


def run_benchmark(settings: BenchmarkSettings | None = None, **parameters: Any) -> BenchmarkResult:
    """Run the benchmark comparison of notebook 04.

    Examples
    --------
    >>> result = run_benchmark()
    >>> result.bundle.synthetic, sorted(set(result.table["position"]))
    (True, ['indistinguishable'])
    """
    s = settings if settings is not None else BenchmarkSettings(**parameters)
    bundle = load_counts(**s.counts_options())
    bench_bundle = _benchmark(s)
    bench = figure_counts(bench_bundle)
    bench = bench[bench["study"] == s.benchmark_study]
    ours = figure_counts(bundle)
    studies = _compared_studies(bundle, bench, s.benchmark_study, s.study)
    parts = [compare_to_benchmark(ours[ours["study"] == st], bench, s.benchmark_study, s.alpha, s.ci, s.adjust, s.test)
             for st in studies]
    parts = [p[p["status"] != "no_figure"] if len(p) else p for p in parts]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COMPARISON_TABLE_COLUMNS))
    keep = bundle.counts["study"].isin(set(studies)) if studies else bundle.counts["study"] != s.benchmark_study
    paired = bundle.paired
    if paired is not None and studies:
        paired = paired[paired["study"].isin(set(studies))].reset_index(drop=True)
    return BenchmarkResult(s, bundle, bench_bundle, table, bundle.counts[keep].reset_index(drop=True), paired,
                           benchmark_sensitivity(bench_bundle, table, s.alpha, s.ci, s.test, s.adjust))
