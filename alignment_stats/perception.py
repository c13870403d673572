"""Perception gap: do marketing and IT see the same relationship differently?

One row per item asked of both groups of a study: shares, difference with a
confidence interval, a test, a multiplicity-adjusted p-value, the effect size,
the smallest difference the study could have detected, and a verdict in
words. Built on :mod:`alignment_stats.proportions`; counts come from the audit
(:func:`alignment_stats.audit.reconstruct_counts`).

Group sizes: where the audit found none (e.g. Accenture's CMO/CIO split), the
comparison runs under an *assumed* size per group (``assumed_n``) and says so
(``n_source = "assumed"``); ``n_significant`` gives the smallest equal group
size at which the published gap would be significant at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .claims import VERDICT_COLUMNS, verdict_row
from .proportions import (
    ADJUST_METHODS,
    CI_METHODS,
    TEST_METHODS,
    bayes_compare,
    compare_proportions,
    minimal_detectable_difference,
)
from .data import GROUP_LABELS
from .reconstruct import count_ranges

__all__ = [
    "GROUP_LABELS",
    "pair_items",
    "parse_n_overrides",
    "perception_gap",
    "smallest_significant_n",
    "significance_by_size",
    "perception_sensitivity",
    "difference_verdicts",
    "perception_reading",
    "PerceptionResult",
    "run_perception",
]

N_GRID_MAX = 5000


def _check_choice(value: str, name: str, known: Sequence[str]) -> str:
    if value not in known:
        raise ValueError(f"{name}: {value!r} is not known (known: {', '.join(known)})")
    return value


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha: {alpha!r} must be between 0 and 0.5")
    return float(alpha)


def parse_n_overrides(text: str | None) -> dict[tuple[str, str], int]:
    """Parse group-size overrides written as ``study/group=n`` (or ``study/group:n``) pairs.

    Examples
    --------
    >>> parse_n_overrides("accenture_2014/it=500, accenture_2014/marketing:647")
    {('accenture_2014', 'it'): 500, ('accenture_2014', 'marketing'): 647}
    >>> parse_n_overrides(None)
    {}
    """
    overrides: dict[tuple[str, str], int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, _, value = part.replace(":", "=").partition("=")
        study, _, group = key.strip().partition("/")
        if not study or not group or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"n_overrides: {part.strip()!r} is not of the form study/group=n (or study/group:n) with n >= 1")
        overrides[(study, group)] = int(value)
    return overrides


def _apply_overrides(counts: pd.DataFrame, overrides: dict[tuple[str, str], int], rounding: str) -> pd.DataFrame:
    """Counts re-derived at user-given group sizes (``n_reason`` says so)."""
    if not overrides:
        return counts
    known = set(zip(counts["study"], counts["group"]))
    unknown = [f"{s}/{g}" for s, g in overrides if (s, g) not in known]
    if unknown:
        raise ValueError(f"n_overrides: {', '.join(unknown)} not in the counts")
    counts = counts.copy()
    for (study, group), n in overrides.items():
        mask = (counts["study"] == study) & (counts["group"] == group)
        sub = counts.loc[mask]
        ranges = count_ranges(sub["value"].to_numpy(), n, 0, rounding,
                              lows=sub["low"].to_numpy(), highs=sub["high"].to_numpy())
        share = sub["value"].fillna((sub["low"] + sub["high"]) / 2).to_numpy()
        lo = ranges["k_low"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        hi = ranges["k_high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        best = np.clip(np.floor(share * n / 100 + 0.5), lo, hi)
        counts.loc[mask, "n"] = n
        counts.loc[mask, "k"] = pd.array(np.where(np.isnan(best), pd.NA, best), dtype="Int64")
        counts.loc[mask, "k_low"] = ranges["k_low"].to_numpy()
        counts.loc[mask, "k_high"] = ranges["k_high"].to_numpy()
        counts.loc[mask, "consistent"] = (ranges["n_feasible"] > 0).to_numpy()
        counts.loc[mask, "n_reason"] = f"set by the user (n_overrides: {n})"
    return counts


def pair_items(
    counts: pd.DataFrame,
    group1: str = "marketing",
    group2: str = "it",
    study: str | Sequence[str] | None = None,
    assumed_n: int | None = None,
    rounding: str = "half_up",
) -> pd.DataFrame:
    """Items reported for both groups, side by side, with counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        The counts table (``study, item, group, n, k, k_low, k_high,
        consistent, value, low, high, ...``).
    group1, group2 : str
        The groups compared (``p1`` is ``group1``'s share).
    study : str or list of str, optional
        Restrict to these studies.
    assumed_n : int, optional
        Group size assumed where the counts table has none. The count is then
        the feasible count nearest the published share (under ``rounding``).
        Without it such items keep missing counts.
    rounding : str, default "half_up"
        Rule for reconstructing counts under ``assumed_n``.

    Returns
    -------
    pandas.DataFrame
        ``study, item, value1, value2, low1, high1, low2, high2, k1, n1, k2,
        n2, k1_low, k1_high, k2_low, k2_high, consistent, n_source`` where
        ``n_source`` is ``audit`` (reconstructed), ``observed``
        (respondent-level data), ``override`` (sizes set by the user) or
        ``assumed``, and ``consistent`` is whether
        both figures have a feasible count.
    """
    for name, group in (("group1", group1), ("group2", group2)):
        if group not in set(counts["group"]):
            known = ", ".join(sorted(set(counts["group"])))
            raise ValueError(f"{name}: group {group!r} does not occur in the counts (known: {known})")
    data = counts
    if study is not None:
        wanted = [study] if isinstance(study, str) else list(study)
        unknown = sorted(set(wanted) - set(counts["study"]))
        if unknown:
            raise ValueError(f"study: {', '.join(unknown)} not in the counts (known: {', '.join(sorted(set(counts['study'])))})")
        data = counts[counts["study"].isin(wanted)]
    keep = ["study", "item", "value", "low", "high", "n", "k", "k_low", "k_high", "consistent"]
    reason = data["n_reason"].astype(str) if "n_reason" in data else pd.Series("", index=data.index)
    data = data.assign(origin=np.where(reason.str.startswith("set by the user"), "override",
                                       np.where(reason.str.startswith("respondent-level"), "observed", "audit")))
    one = data.loc[data["group"] == group1, keep + ["origin"]]
    two = data.loc[data["group"] == group2, keep + ["origin"]]
    paired = one.merge(two, on=["study", "item"], suffixes=("1", "2"))
    paired["n_source"] = np.where(
        paired["n1"].isna() | paired["n2"].isna(), "assumed",
        np.where((paired["origin1"] == "override") | (paired["origin2"] == "override"), "override",
                 paired["origin1"]),
    )
    paired = paired.drop(columns=["origin1", "origin2"])
    if assumed_n is not None:
        if int(assumed_n) != assumed_n or assumed_n < 1:
            raise ValueError(f"assumed_n: {assumed_n!r} must be a whole number >= 1")
        for g in ("1", "2"):
            missing = paired[f"n{g}"].isna()
            if missing.any():
                sub = paired.loc[missing]
                ranges = count_ranges(
                    sub[f"value{g}"].to_numpy(), int(assumed_n), 0, rounding,
                    lows=sub[f"low{g}"].to_numpy(), highs=sub[f"high{g}"].to_numpy(),
                )
                share = sub[f"value{g}"].fillna((sub[f"low{g}"] + sub[f"high{g}"]) / 2).to_numpy()
                target = np.floor(share * assumed_n / 100 + 0.5)
                lo = ranges["k_low"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                hi = ranges["k_high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                best = np.clip(target, lo, hi)
                paired.loc[missing, f"n{g}"] = int(assumed_n)
                paired.loc[missing, f"k{g}"] = pd.array(np.where(np.isnan(best), pd.NA, best), dtype="Int64")
                paired.loc[missing, f"k{g}_low"] = ranges["k_low"].to_numpy()
                paired.loc[missing, f"k{g}_high"] = ranges["k_high"].to_numpy()
                paired.loc[missing, f"consistent{g}"] = (ranges["n_feasible"] > 0).to_numpy()
    paired["consistent"] = paired["consistent1"].astype("boolean") & paired["consistent2"].astype("boolean")
    paired = paired.rename(columns={"k_low1": "k1_low", "k_high1": "k1_high", "k_low2": "k2_low", "k_high2": "k2_high"})
    return paired.drop(columns=["consistent1", "consistent2"]).reset_index(drop=True)


def smallest_significant_n(
    p1: Any, p2: Any, alpha: float = 0.05, ci: str = "newcombe", n_max: int = N_GRID_MAX
) -> np.ndarray:
    """Smallest equal group size at which a published gap would be significant.

    For each pair of published shares, counts ``round(p * n)`` are formed for
    every equal group size ``n = 2 .. n_max``; the result is the smallest
    ``n`` from which on the ``1 - alpha`` interval for the difference excludes
    0 at every size up to ``n_max`` (rounding makes significance flicker near
    the threshold, so "from which on" rather than "first"). NaN if the gap is
    not significant at ``n_max`` (equal shares, or a very small gap).

    Parameters
    ----------
    p1, p2 : float or array_like
        Published shares as proportions (0-1).
    alpha : float, default 0.05
    ci : str, default "newcombe"
        Interval method, see :func:`alignment_stats.proportions.compare_proportions`.
    n_max : int, default 5000

    Returns
    -------
    numpy.ndarray of float

    Examples
    --------
    Accenture: 34% of CIOs vs 21% of CMOs, group sizes unpublished:

    >>> smallest_significant_n([0.34], [0.21])
    array([99.])
    """
    _check_choice(ci, "ci", CI_METHODS)
    p1 = np.atleast_1d(np.asarray(p1, dtype=float))
    p2 = np.atleast_1d(np.asarray(p2, dtype=float))
    sizes = np.arange(2, n_max + 1)
    grid = significance_by_size(p1, p2, sizes, alpha=alpha, ci=ci)
    significant = grid["significant"].to_numpy().reshape(len(p1), len(sizes))
    result = np.full(len(p1), np.nan)
    for i, row in enumerate(significant):
        if row[-1]:
            not_sig = np.flatnonzero(~row)
            result[i] = sizes[not_sig[-1] + 1] if len(not_sig) else sizes[0]
    return result


def significance_by_size(
    p1: Any, p2: Any, sizes: Sequence[int] | range, alpha: float = 0.05, ci: str = "newcombe"
) -> pd.DataFrame:
    """Interval and significance of published gaps at assumed equal group sizes.

    Returns
    -------
    pandas.DataFrame
        ``pair, n, k1, k2, diff, ci_low, ci_high, significant``: one row per
        pair of shares and size; counts are ``round(p * n)`` (half up).

    Examples
    --------
    >>> grid = significance_by_size([0.34], [0.21], [40, 120])
    >>> print(grid[["n", "k1", "k2", "significant"]].to_string(index=False))
      n  k1  k2  significant
     40  14   8        False
    120  41  25         True
    """
    _check_alpha(alpha)
    p1 = np.atleast_1d(np.asarray(p1, dtype=float))
    p2 = np.atleast_1d(np.asarray(p2, dtype=float))
    sizes = np.asarray(list(sizes), dtype=np.int64)
    pair = np.repeat(np.arange(len(p1)), len(sizes))
    n = np.tile(sizes, len(p1))
    k1 = np.floor(p1[pair] * n + 0.5).astype(np.int64)
    k2 = np.floor(p2[pair] * n + 0.5).astype(np.int64)
    res = compare_proportions(k1, n, k2, n, ci=ci, test="z", alpha=alpha)
    significant = (res["ci_low"].to_numpy() > 0) | (res["ci_high"].to_numpy() < 0)
    return pd.DataFrame(
        {"pair": pair, "n": n, "k1": k1, "k2": k2, "diff": res["diff"], "ci_low": res["ci_low"],
         "ci_high": res["ci_high"], "significant": significant}
    )


def _verdict(row: Any, alpha: float, label1: str, label2: str) -> str:
    if pd.isna(row.k1) or pd.isna(row.k2):
        return "no feasible counts: see the data audit"
    pts = 100 * row["diff"]
    text = (
        f"{label1} {row.k1}/{row.n1} ({100 * row.p1:.1f}%) vs {label2} {row.k2}/{row.n2} ({100 * row.p2:.1f}%): "
        f"{pts:+.0f} points "
        f"({100 * (1 - alpha):.0f}% CI {100 * row.ci_low:+.0f} to {100 * row.ci_high:+.0f})"
    )
    significant = row.ci_low > 0 or row.ci_high < 0
    adjusted = row.p_adjusted < alpha
    if significant and adjusted:
        text += f"; a real gap (adjusted p = {row.p_adjusted:.3g})"
    elif significant:
        text += f"; the interval excludes 0 but not after adjusting for {row.n_tests} comparisons (p = {row.p_adjusted:.3g})"
    else:
        mdd = row.mdd
        text += f"; not significant (adjusted p = {row.p_adjusted:.2g})"
        if np.isfinite(mdd) and abs(pts) < 100 * mdd:
            text += f"; this sample detects only gaps of about {100 * mdd:.0f} points or more"
    text += (f". With flat (Jeffreys) priors, the chance that {label1}'s true share is the higher one is "
             f"{100 * row.prob_greater:.0f}%")
    if row.n_source in ("assumed", "override"):
        text += f" [group sizes {'assumed' if row.n_source == 'assumed' else 'set by the user'}: {row.n1} and {row.n2}]"
    return text


def perception_gap(
    counts: pd.DataFrame,
    study: str | Sequence[str] | None = None,
    group1: str = "marketing",
    group2: str = "it",
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "fisher",
    adjust: str = "holm",
    power: float = 0.8,
    assumed_n: int | None = 100,
    rounding: str = "half_up",
) -> pd.DataFrame:
    """Compare two groups on every item asked of both.

    Parameters
    ----------
    counts : pandas.DataFrame
        The counts table of the data audit.
    study : str or list of str, optional
        Restrict to these studies (default: all).
    group1, group2 : str, default "marketing", "it"
        ``diff = p1 - p2`` is group1's share minus group2's.
    alpha : float, default 0.05
        Significance level; intervals have coverage ``1 - alpha``.
    ci : {"newcombe", "agresti-caffo", "score", "wald"}, default "newcombe"
    test : {"fisher", "boschloo", "z", "chi2"}, default "fisher"
    adjust : {"holm", "fdr_bh", "bonferroni", "none"}, default "holm"
        Multiplicity adjustment within each study (one family per study).
    power : float, default 0.8
        Power for the minimal detectable difference.
    assumed_n : int or None, default 100
        Group size assumed where none is published or inferable; such rows
        have ``n_source = "assumed"``. None leaves them without a test.
    rounding : str, default "half_up"
        Rule for reconstructing counts under ``assumed_n``.

    Returns
    -------
    pandas.DataFrame
        One row per (study, item): ``study, item, group1, group2, k1, n1,
        k2, n2, p1, p2, diff, ci_low, ci_high, p_value, p_adjusted,
        cohens_h, significant, mdd, n_significant, prob_greater, cred_low,
        cred_high, n_source, n_tests, ci_method, test, adjust, verdict``.
        ``prob_greater`` is the posterior probability that group 1's share
        is the larger (Jeffreys Beta(1/2, 1/2) priors, exact) and
        ``cred_low``/``cred_high`` a ``1 - alpha`` credible interval for the
        difference (seeded Monte Carlo, see
        :func:`alignment_stats.proportions.bayes_compare`). ``significant`` means the
        adjusted p-value is below ``alpha``; ``mdd`` is the smallest gap (in
        the observed direction) detectable with ``power``; ``n_significant``
        the smallest equal group size at which the published gap would be
        significant.

    Examples
    --------
    >>> from alignment_stats.audit import run_audit
    >>> gaps = perception_gap(run_audit().counts, study="leapfrog_2015")
    >>> print(gaps[["item", "k1", "n1", "k2", "n2", "significant"]].head(4).to_string(index=False))
                    item  k1  n1  k2  n2  significant
      very_collaborative  32 106   3  24        False
      improved_alignment  21 106   1  24        False
    no_shared_incentives  67 106  15  24        False
     deliver_omnichannel  57 106  12  24        False
    """
    _check_alpha(alpha)
    _check_choice(ci, "ci", CI_METHODS)
    _check_choice(test, "test", TEST_METHODS)
    _check_choice(adjust, "adjust", ADJUST_METHODS)
    if not 0 < power < 1:
        raise ValueError(f"power: {power!r} must be between 0 and 1")
    pairs = pair_items(counts, group1, group2, study, assumed_n, rounding)
    testable = pairs["k1"].notna() & pairs["k2"].notna()
    rows = pairs.loc[testable].reset_index(drop=True)
    untestable = pairs.loc[~testable, ["study", "item", "n1", "n2", "n_source"]].assign(
        group1=group1, group2=group2, ci_method=ci, test=test, adjust=adjust, significant=False,
        verdict=[
            "no feasible count for " + " and ".join(
                g for g, ok in ((group1, pd.notna(r.k1)), (group2, pd.notna(r.k2))) if not ok
            ) + (" at the assumed size" if r.n_source == "assumed" and pd.notna(r.n1) else "")
            + ("; group sizes unknown (set assumed_n)" if pd.isna(r.n1) or pd.isna(r.n2) else "; see the data audit")
            for r in pairs.loc[~testable].itertuples()
        ],
    )
    columns = [
        "study", "item", "group1", "group2", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high",
        "p_value", "p_adjusted", "cohens_h", "significant", "mdd", "n_significant", "prob_greater",
        "cred_low", "cred_high", "n_source", "n_tests", "ci_method", "test", "adjust", "verdict",
    ]
    if rows.empty:
        return untestable.reindex(columns=columns).reset_index(drop=True).astype(
            {"k1": "Int64", "n1": "Int64", "k2": "Int64", "n2": "Int64", "significant": bool})
    res = compare_proportions(
        rows["k1"].astype(int).to_numpy(), rows["n1"].astype(int).to_numpy(),
        rows["k2"].astype(int).to_numpy(), rows["n2"].astype(int).to_numpy(), ci=ci, test=test, alpha=alpha,
    )
    out = pd.concat([rows[["study", "item", "n_source"]], res], axis=1)
    out["group1"], out["group2"], out["adjust"] = group1, group2, adjust
    out["p_adjusted"] = np.nan
    out["n_tests"] = 0
    from .proportions import adjust_pvalues

    for _, idx in out.groupby("study", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = adjust_pvalues(out.loc[idx, "p_value"].to_numpy(), adjust)
        out.loc[idx, "n_tests"] = len(idx)
    out["significant"] = out["p_adjusted"] < alpha
    mdd = minimal_detectable_difference(out["n1"].to_numpy(), out["n2"].to_numpy(), out["p2"].to_numpy(),
                                        alpha=alpha, power=power)
    out["mdd"] = np.where(out["diff"].to_numpy() >= 0, mdd["mdd_up"].to_numpy(), -mdd["mdd_down"].to_numpy())
    out["mdd"] = out["mdd"].abs()
    published1 = rows["value1"].fillna((rows["low1"] + rows["high1"]) / 2).to_numpy() / 100
    published2 = rows["value2"].fillna((rows["low2"] + rows["high2"]) / 2).to_numpy() / 100
    out["n_significant"] = smallest_significant_n(published1, published2, alpha=alpha, ci=ci)
    bayes = bayes_compare(out["k1"].to_numpy(), out["n1"].to_numpy(), out["k2"].to_numpy(), out["n2"].to_numpy(),
                          cred=1 - alpha)
    out[["prob_greater", "cred_low", "cred_high"]] = bayes[["prob_greater", "cred_low", "cred_high"]].to_numpy()
    label1, label2 = GROUP_LABELS.get(group1, group1), GROUP_LABELS.get(group2, group2)
    out["verdict"] = [_verdict(r, alpha, label1, label2) for _, r in out.iterrows()]
    if len(untestable):
        out = pd.concat([out[columns], untestable.reindex(columns=columns)], ignore_index=True)
        order = {key: i for i, key in enumerate(zip(pairs["study"], pairs["item"]))}
        out = out.iloc[np.argsort([order[key] for key in zip(out["study"], out["item"])], kind="stable")]
    out = out[columns].reset_index(drop=True)
    return out.astype({"k1": "Int64", "n1": "Int64", "k2": "Int64", "n2": "Int64", "significant": bool})


def perception_sensitivity(
    figures: pd.DataFrame,
    studies: dict[str, dict[str, Any]],
    study: str | Sequence[str] | None = None,
    group1: str = "marketing",
    group2: str = "it",
    alpha: float = 0.05,
    test: str = "fisher",
    adjust: str = "holm",
    assumed_n: int | None = 100,
    max_missing: int = 1,
    rules: Sequence[str] = ("half_up", "half_even", "truncate", "ceil"),
    ci_methods: Sequence[str] = CI_METHODS,
    adjust_methods: Sequence[str] = ("holm", "fdr_bh", "bonferroni", "none"),
) -> pd.DataFrame:
    """Does each conclusion survive other group sizes, rounding rules, interval methods and adjustments?

    For every rounding rule, every candidate size of each group (from
    :func:`alignment_stats.audit.candidate_sizes`) and every feasible count
    within the reconstructed range, the gap is recomputed; then, at the
    audit's choice, every interval method and multiplicity adjustment.

    Returns
    -------
    pandas.DataFrame
        One row per (study, item): ``scenarios`` (how many size/rounding/count
        combinations), ``diff_min``, ``diff_max``, ``ci_low_min``,
        ``ci_high_max``, ``p_min``, ``p_max``, ``significant_share`` (share of
        scenarios with an unadjusted ``p < alpha``), and the flags
        ``flips_with_data`` (significance differs across size, rounding or
        count), ``flips_with_ci`` (intervals disagree on excluding 0),
        ``flips_with_adjustment`` (adjustments disagree) and ``robust`` (none
        of these).

    Examples
    --------
    >>> from alignment_stats import load_benchmark, load_studies
    >>> table = perception_sensitivity(load_benchmark(), load_studies(), study="leapfrog_2015")
    >>> print(table.loc[table["item"] == "very_collaborative", ["scenarios", "flips_with_data", "flips_with_ci"]]
    ...       .to_string(index=False))
     scenarios  flips_with_data  flips_with_ci
             4            False           True
    """
    from .audit import candidate_sizes, reconstruct_counts
    from .proportions import adjust_pvalues

    _check_alpha(alpha)
    scenarios = []
    candidates_by_rule = {
        rule: candidate_sizes(figures, studies, rounding=rule, max_missing=max_missing) for rule in rules
    }
    # groups whose size is published or inferable under some rule; the others get assumed_n
    sized = {key for c in candidates_by_rule.values() for key in zip(c["study"], c["group"])}
    sub_figures = figures.set_index(["study", "item", "group"])
    for rule in rules:
        counts = reconstruct_counts(figures, studies, rounding=rule, max_missing=max_missing)
        base = pair_items(counts, group1, group2, study, None, rule)
        candidates = candidates_by_rule[rule]
        for row in base.itertuples():
            sizes = {}
            for g, group in (("1", group1), ("2", group2)):
                cand = candidates[(candidates["study"] == row.study) & (candidates["group"] == group)]["n"].tolist()
                if (row.study, group) not in sized:
                    cand = [int(assumed_n)] if assumed_n is not None else []
                sizes[g] = cand  # empty: this rule admits no size (e.g. the composition cannot round)
            for n1 in sizes["1"]:
                for n2 in sizes["2"]:
                    f1 = sub_figures.loc[(row.study, row.item, group1)]
                    f2 = sub_figures.loc[(row.study, row.item, group2)]
                    r = count_ranges([f1["value"], f2["value"]], [n1, n2], [int(f1["decimals"]), int(f2["decimals"])],
                                     rule, lows=[f1["low"], f2["low"]], highs=[f1["high"], f2["high"]])
                    if (r["n_feasible"] == 0).any():
                        continue
                    for k1 in range(int(r["k_low"].iloc[0]), int(r["k_high"].iloc[0]) + 1):
                        for k2 in range(int(r["k_low"].iloc[1]), int(r["k_high"].iloc[1]) + 1):
                            scenarios.append((row.study, row.item, rule, n1, n2, k1, k2))
    columns = ["study", "item", "scenarios", "diff_min", "diff_max", "ci_low_min", "ci_high_max", "p_min", "p_max",
               "significant_share", "flips_with_data", "flips_with_ci", "flips_with_adjustment", "robust"]
    if not scenarios:
        return pd.DataFrame(columns=columns)
    grid = pd.DataFrame(scenarios, columns=["study", "item", "rule", "n1", "n2", "k1", "k2"]).drop_duplicates(
        ["study", "item", "n1", "n2", "k1", "k2"])
    res = compare_proportions(grid["k1"].to_numpy(), grid["n1"].to_numpy(), grid["k2"].to_numpy(),
                              grid["n2"].to_numpy(), ci="newcombe", test=test, alpha=alpha)
    grid = pd.concat([grid.reset_index(drop=True), res[["diff", "ci_low", "ci_high", "p_value"]]], axis=1)
    grid["sig"] = grid["p_value"] < alpha
    summary = grid.groupby(["study", "item"], sort=False).agg(
        scenarios=("sig", "size"), diff_min=("diff", "min"), diff_max=("diff", "max"),
        ci_low_min=("ci_low", "min"), ci_high_max=("ci_high", "max"), p_min=("p_value", "min"),
        p_max=("p_value", "max"), significant_share=("sig", "mean"),
    ).reset_index()
    summary["flips_with_data"] = (summary["significant_share"] > 0) & (summary["significant_share"] < 1)

    # interval methods and adjustments at the audit's own choice (half_up counts)
    chosen = perception_gap(reconstruct_counts(figures, studies, max_missing=max_missing), study, group1, group2,
                            alpha, "newcombe", test, adjust, assumed_n=assumed_n)
    chosen = chosen[chosen["k1"].notna() & chosen["k2"].notna()].reset_index(drop=True)
    by_ci = []
    for method in ci_methods:
        r = compare_proportions(chosen["k1"].astype(int), chosen["n1"].astype(int), chosen["k2"].astype(int),
                                chosen["n2"].astype(int), ci=method, test=test, alpha=alpha)
        by_ci.append(((r["ci_low"] > 0) | (r["ci_high"] < 0)).to_numpy())
    by_ci = np.array(by_ci)
    by_adj = []
    for method in adjust_methods:
        flags = np.zeros(len(chosen), dtype=bool)
        for _, idx in chosen.groupby("study", sort=False).groups.items():
            pos = chosen.index.get_indexer(idx)
            flags[pos] = adjust_pvalues(chosen.loc[idx, "p_value"].to_numpy(), method) < alpha
        by_adj.append(flags)
    by_adj = np.array(by_adj)
    flips = pd.DataFrame({
        "study": chosen["study"], "item": chosen["item"],
        "flips_with_ci": by_ci.any(axis=0) & ~by_ci.all(axis=0),
        "flips_with_adjustment": by_adj.any(axis=0) & ~by_adj.all(axis=0),
    })
    summary = summary.merge(flips, on=["study", "item"], how="left")
    for flag in ("flips_with_ci", "flips_with_adjustment"):
        summary[flag] = summary[flag].astype("boolean").fillna(False).astype(bool)
    summary["robust"] = ~(summary["flips_with_data"] | summary["flips_with_ci"] | summary["flips_with_adjustment"])
    return summary[columns]


def difference_verdicts(claims: pd.DataFrame, gaps: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Verdict on every difference claim, from :func:`perception_gap` results.

    Each comparison a claim rests on is *supported* when its interval lies
    entirely on the claimed side of 0 and its adjusted p-value is below
    ``alpha``; *not supported* when the observed difference points the other
    way (or is zero); otherwise *undecidable with this sample* (the right
    direction, but the interval includes 0 or the adjusted test is not
    significant). A claim resting on several comparisons is supported only
    if all are, not supported if any is not, and undecidable otherwise.

    Parameters
    ----------
    claims : pandas.DataFrame
        :func:`alignment_stats.load_claims` output; only ``kind ==
        "difference"`` rows are judged.
    gaps : pandas.DataFrame
        :func:`perception_gap` output covering the claims' items.

    Returns
    -------
    pandas.DataFrame
        ``claim_id, study, quote, verdict, detail``, one row per claim.

    Examples
    --------
    >>> import pandas as pd
    >>> claims = pd.DataFrame({"claim_id": ["c"], "kind": ["difference"], "study": ["s"], "quote": ["q"],
    ...     "item_a": ["x"], "group_a": ["marketing"], "relation": [">"], "item_b": ["x"], "group_b": ["it"]})
    >>> gaps = pd.DataFrame({"study": ["s"], "item": ["x"], "group1": ["marketing"], "group2": ["it"],
    ...     "diff": [0.17], "ci_low": [-0.02], "ci_high": [0.31], "p_adjusted": [0.2], "n_source": ["audit"]})
    >>> difference_verdicts(claims, gaps)["verdict"].tolist()
    ['undecidable with this sample']
    """
    rows = []
    judged = claims[claims["kind"] == "difference"]
    for claim_id, part in judged.groupby("claim_id", sort=False):
        verdicts, details = [], []
        for c in part.itertuples():
            match = gaps[(gaps["study"] == c.study) & (gaps["item"] == c.item_a)]
            if match.empty:
                verdicts.append("undecidable with this sample")
                details.append(f"{c.item_a}: no counts to test")
                continue
            g = match.iloc[0]
            sign = 1.0 if (g["group1"] == c.group_a) else -1.0  # orient as group_a - group_b
            want = {">": 1.0, "<": -1.0}.get(c.relation)
            if want is None:
                raise ValueError(f"claim {claim_id}: relation {c.relation!r} is not a difference (>, <)")
            diff = sign * g["diff"] * want
            low, high = sorted((sign * want * g["ci_low"], sign * want * g["ci_high"]))
            if low > 0 and g["p_adjusted"] < alpha:
                verdict = "supported"
            elif diff <= 0:
                verdict = "not supported"
            else:
                verdict = "undecidable with this sample"
            verdicts.append(verdict)
            assumed = " (group sizes assumed)" if g["n_source"] == "assumed" else ""
            details.append(
                f"{c.item_a}: {c.group_a} - {c.group_b} = {100 * sign * g['diff']:+.0f} points, "
                f"CI {100 * min(sign * g['ci_low'], sign * g['ci_high']):+.0f} to "
                f"{100 * max(sign * g['ci_low'], sign * g['ci_high']):+.0f}, adjusted p = {g['p_adjusted']:.2g}{assumed}"
            )
        rows.append(verdict_row(claim_id, part, verdicts, details))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def perception_reading(gaps: pd.DataFrame, verdicts: pd.DataFrame, sensitivity: pd.DataFrame | None,
                       alpha: float = 0.05) -> str:
    """A plain-language reading of the results, as Markdown.

    Examples
    --------
    >>> gaps = pd.DataFrame({"study": ["s"], "item": ["x"], "diff": [0.2], "significant": [True],
    ...     "n_source": ["audit"], "mdd": [0.1], "n1": [100], "n2": [100], "k1": [60], "k2": [40]})
    >>> print(perception_reading(gaps, pd.DataFrame(columns=["claim_id", "verdict", "quote"]), None))
    - **s**: 1 of 1 compared item(s) differ significantly (x).
    """
    lines = []
    tested = gaps.dropna(subset=["diff"])
    for study, part in tested.groupby("study", sort=False):
        sig = part[part["significant"]]
        text = f"- **{study}**: {len(sig)} of {len(part)} compared item(s) differ significantly"
        text += f" ({', '.join(sig['item'])})." if len(sig) else "."
        if (part["n_source"] == "assumed").all():
            text += (f" Its group sizes are not published; under the assumed {int(part['n1'].iloc[0])} per group the"
                     " result is an illustration, not a finding.")
        small = part[~part["significant"]]
        if len(small) and np.isfinite(small["mdd"]).any():
            text += (f" Gaps that are not significant here could only have been detected if they were at least "
                     f"{100 * small['mdd'].min():.0f}-{100 * small['mdd'].max():.0f} points.")
        lines.append(text)
    untested = gaps[gaps["diff"].isna()] if "diff" in gaps else gaps.iloc[0:0]
    if len(untested):
        lines.append(f"- Not tested ({len(untested)}): " + "; ".join(
            f"{r.study}/{r.item}: {r.verdict}" for r in untested.itertuples()) + ".")
    if sensitivity is not None and len(sensitivity):
        fragile = sensitivity[~sensitivity["robust"]]
        if len(fragile):
            reasons = []
            for r in fragile.itertuples():
                why = [w for w, flag in (("group size/rounding/count", r.flips_with_data),
                                         ("interval method", r.flips_with_ci),
                                         ("multiplicity adjustment", r.flips_with_adjustment)) if flag]
                reasons.append(f"{r.study}/{r.item} (flips with {', '.join(why)})")
            lines.append("- Fragile conclusions: " + "; ".join(reasons) + ".")
        else:
            lines.append("- Every conclusion survives the other group sizes, rounding rules, interval methods and"
                         " adjustments tried.")
    for r in verdicts.itertuples():
        lines.append(f"- Claim *\u201c{r.quote}\u201d*: **{r.verdict}**.")
    return "\n".join(lines)


@dataclass(frozen=True)
class PerceptionResult:
    """Everything notebook 01 shows."""

    counts: pd.DataFrame
    gaps: pd.DataFrame
    sensitivity: pd.DataFrame | None
    size_grid: pd.DataFrame
    size_labels: list[str]
    verdicts: pd.DataFrame
    source: str
    alpha: float

    @property
    def sensitivity_table(self) -> pd.DataFrame | None:
        """The sensitivity summary with differences and limits in percent."""
        if self.sensitivity is None:
            return None
        table = self.sensitivity.copy()
        for c in ("diff_min", "diff_max", "ci_low_min", "ci_high_max", "significant_share"):
            table[c] = (100 * table[c].astype(float)).round(1)
        for c in ("p_min", "p_max"):
            table[c] = table[c].astype(float).round(4)
        return table

    @property
    def table(self) -> pd.DataFrame:
        """The main table, shares and differences in percent."""
        cols = ["study", "item", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "p_value",
                "p_adjusted", "cohens_h", "mdd", "n_significant", "prob_greater", "n_source"]
        table = self.gaps[cols].copy()
        for c in ("p1", "p2", "diff", "ci_low", "ci_high", "mdd"):
            table[c] = (100 * table[c]).round(1)
        for c in ("p_value", "p_adjusted", "cohens_h", "prob_greater"):
            table[c] = table[c].astype(float).round(4)
        return table

    def verdicts_markdown(self) -> str:
        """One bullet per compared item with its verdict in words."""
        return "\n".join(f"- **{r.study} · {r.item}**: {r.verdict}" for r in self.gaps.itertuples())

    def crosstab(self, study: str, convention: str = "spss", subscripts: bool = False) -> pd.DataFrame:
        """SPSS- or Q-style crosstab of one study (see :mod:`alignment_stats.crosstab`)."""
        from .crosstab import crosstab, crosstab_table

        cells = crosstab(self.counts.dropna(subset=["k", "n"]), study, alpha=self.alpha, convention=convention)
        return crosstab_table(cells, labels=GROUP_LABELS, subscripts=subscripts)

    def crosstab_styled(self, study: str | None = None, convention: str = "spss") -> Any:
        """:meth:`crosstab` as a styled table with a caption explaining the letters.

        ``study=None`` shows the study with the most items compared (among
        those with counts, not assumed sizes; a note if there is none).
        """
        from .crosstab import style_crosstab

        if study is None:
            tested = self.gaps.dropna(subset=["diff"])
            tested = tested[tested["n_source"] != "assumed"]
            if tested.empty:
                note = pd.DataFrame({"crosstab": ["No analysed study has published or inferred group sizes; a "
                                                  "crosstab at assumed sizes would only restate the assumption."]})
                return style_crosstab(note)
            study = tested["study"].value_counts(sort=True).index[0]

        if convention == "spss":
            rule = (f"letters: columns this cell is significantly higher than (z tests, Bonferroni within a row, "
                    f"alpha = {self.alpha:g})")
        else:
            rule = "letters: columns this cell is higher than (z tests, FDR); upper case p < 0.001, lower case p < 0.05"
        return style_crosstab(self.crosstab(study, convention), f"{study}: share (base n); {rule}")

    def reading(self) -> str:
        """Plain-language reading (Markdown)."""
        return perception_reading(self.gaps, self.verdicts, self.sensitivity, self.alpha)

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write results/*.csv (gaps, sensitivity, claims) under ``output_dir``."""
        from .outputs import write_result

        written = [write_result(self.gaps, output_dir, "perception_gap"),
                   write_result(self.verdicts, output_dir, "claims")]
        if self.sensitivity is not None:
            written.append(write_result(self.sensitivity, output_dir, "sensitivity"))
        return written


def run_perception(
    input: str | Path | None = None,
    study: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    ci: str = "newcombe",
    test: str = "fisher",
    adjust: str = "holm",
    assumed_n: int | None = 100,
    rounding: str = "half_up",
    max_missing: int = 1,
    power: float = 0.8,
    n_overrides: str | dict[tuple[str, str], int] | None = None,
    codebook: str | Path | None = None,
    weighted: bool = False,
) -> PerceptionResult:
    """Run the perception-gap analysis of notebook 01.

    Parameters
    ----------
    input : str or Path, optional
        Figures or counts; see :func:`alignment_stats.inputs.load_input`.
    study : str or list of str, optional
        Restrict to these studies.
    alpha, ci, test, adjust, power, assumed_n, rounding
        See :func:`perception_gap`.
    max_missing : int, default 1
        See :func:`alignment_stats.audit.candidate_sizes`.
    n_overrides : str or dict, optional
        Group sizes to use instead of the audit's, e.g.
        ``"accenture_2014/it=500,accenture_2014/marketing=647"`` (see
        :func:`parse_n_overrides`); counts are re-derived at those sizes.
    codebook, weighted
        For respondent-level answers in ``input``: their codebook, and
        whether to weight (see :func:`alignment_stats.survey.load_responses`).

    Returns
    -------
    PerceptionResult

    Examples
    --------
    >>> result = run_perception(study="econsultancy_2015")
    >>> result.verdicts[["claim_id", "verdict"]].to_dict("records")
    [{'claim_id': 'it_more_collaborative_than_marketing', 'verdict': 'supported'}]
    """
    from .data import load_claims
    from .inputs import load_input

    survey = {"codebook": codebook, "weighted": weighted} if codebook not in (None, "") else {}
    loaded = load_input(input, rounding=rounding, max_missing=max_missing, **survey)
    overrides = n_overrides if isinstance(n_overrides, dict) else parse_n_overrides(n_overrides)
    counts = _apply_overrides(loaded.counts, overrides, rounding)
    gaps = perception_gap(counts, study, alpha=alpha, ci=ci, test=test, adjust=adjust, power=power,
                          assumed_n=assumed_n, rounding=rounding)
    sensitivity = None
    if loaded.figures is not None:
        sensitivity = perception_sensitivity(loaded.figures, loaded.studies, study, alpha=alpha, test=test,
                                             adjust=adjust, assumed_n=assumed_n, max_missing=max_missing)
    assumed = gaps[(gaps["n_source"] == "assumed") & gaps["diff"].notna()]
    labels = [f"{r.study} · {r.item}" for r in assumed.itertuples()]
    size_grid = significance_by_size(assumed["p1"].to_numpy(dtype=float), assumed["p2"].to_numpy(dtype=float),
                                     np.unique(np.geomspace(10, 2000, 60).astype(int)), alpha=alpha, ci=ci)
    verdicts = pd.DataFrame(columns=["claim_id", "study", "quote", "verdict", "detail"])
    if loaded.figures is not None:
        claims = load_claims(figures=loaded.figures)
        claims = claims[claims["study"].isin(set(gaps["study"]))]
        verdicts = difference_verdicts(claims, gaps, alpha=alpha)
    return PerceptionResult(counts, gaps, sensitivity, size_grid, labels, verdicts, loaded.source, alpha)
