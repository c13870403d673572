"""Shared incentives: do both groups really agree?

Articles read "63% of marketing and 63% of IT" as agreement. Equal published
shares are not evidence of agreement: with 24 IT executives almost any
difference would have gone unnoticed. This analysis tests agreement directly,
as equivalence within a margin (two one-sided tests, see
:mod:`alignment_stats.equivalence`), and says what the sample could and could
not show: the smallest margin it demonstrates and the group size a study would
need to demonstrate the chosen one.

Which items are "agreement" items is data: the ``kind == "agreement"`` rows
of ``data/raw/claims.csv`` (each names two figures as ``item/group``). Each
such claim gets a computed verdict:

* **supported**: equivalent within the margin (the ``1 - 2 alpha`` interval
  lies inside ``+-margin``);
* **not supported**: the groups demonstrably differ (the ``1 - alpha``
  interval of the same method excludes 0) and equivalence is not shown;
* **undecidable with this sample**: neither.

Counts come from the data audit (:func:`alignment_stats.inputs.load_input`);
the sensitivity analysis recomputes everything over every candidate group
size, rounding rule and feasible count of the audit. The TOST treats the
published counts as a simple random sample (published shares carry no design
information); ``design_effect`` inflates the planning quantities (the power of
the study and the group size needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .claims import VERDICT_COLUMNS, verdict_row
from .equivalence import TOST_METHODS, equivalence_power, equivalence_sample_size, equivalence_test
from .outputs import percent_text
from .data import GROUP_LABELS

__all__ = [
    "MARGIN_GRID",
    "agreement_items",
    "shared_incentives",
    "agreement_verdicts",
    "incentives_sensitivity",
    "required_n_curve",
    "incentives_reading",
    "IncentivesResult",
    "run_incentives",
]

#: Margins of the required-n curve: 2 to 30 points in steps of 1.
MARGIN_GRID: tuple[float, ...] = tuple(float(round(m, 2)) for m in np.arange(0.02, 0.3001, 0.01))

#: What each finding means for an agreement claim.
CLAIM_VERDICTS = {
    "equivalent": "supported",
    "different": "not supported",
    "inconclusive": "undecidable with this sample",
    "not testable": "undecidable with this sample",
}

_ITEM_COLUMNS = ["study", "item", "group1", "group2", "figure1", "figure2"]
_TABLE_COLUMNS = [
    "study", "item", "group1", "group2", "figure1", "figure2", "k1", "n1", "k2", "n2", "p1", "p2", "diff",
    "ci_low", "ci_high", "diff_ci_low", "diff_ci_high", "p_lower", "p_upper", "p_value", "equivalent",
    "significant", "min_margin", "margin", "alpha", "method", "p_plan", "power", "n_required", "design_effect",
    "finding", "verdict",
]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _check_settings(margin: float, alpha: float, power: float, design_effect: float, method: str) -> None:
    """Validate the scalar settings once, with the messages of the equivalence module."""
    if not np.isscalar(margin):
        raise ValueError(f"margin must be one number for this analysis; got {margin!r}")
    # equivalence_sample_size validates margin, alpha, power and design_effect
    equivalence_sample_size(0.5, 0.5, margin, alpha=alpha, power=power, design_effect=design_effect)
    if method not in TOST_METHODS:
        raise ValueError(
            f"method={method!r} is not a known method; use one of: " + ", ".join(repr(m) for m in TOST_METHODS)
        )


def _points(x: float, sign: bool = True) -> str:
    """A difference in percentage points, one decimal, never ``-0.0``."""
    value = round(100.0 * float(x), 1) + 0.0
    return f"{value:+.1f}" if sign else f"{value:.1f}"


def _label(group: str) -> str:
    return GROUP_LABELS.get(group, group)


def _p(p: float) -> str:
    """A p-value for text: two decimals, or two significant digits below 0.01."""
    return f"{p:.2f}" if p >= 0.01 else f"{p:.2g}"


# ---------------------------------------------------------------------------
# items and the main table
# ---------------------------------------------------------------------------


def agreement_items(claims: pd.DataFrame, study: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The comparisons that agreement claims rest on, one row each.

    Parameters
    ----------
    claims : pandas.DataFrame
        :func:`alignment_stats.data.load_claims` output; only ``kind ==
        "agreement"`` rows are used.
    study : str or list of str, optional
        Restrict to these studies.

    Returns
    -------
    pandas.DataFrame
        ``study, item, group1, group2, figure1, figure2`` in claim order, no
        duplicates; ``item`` is the claim's item (``"a vs b"`` if the two
        figures are different items), ``figure1``/``figure2`` the claim's
        ``figure_a``/``figure_b`` (``item/group``).

    Examples
    --------
    >>> from alignment_stats.data import load_claims
    >>> print(agreement_items(load_claims()).to_string(index=False))
            study                 item    group1 group2                        figure1                 figure2
    leapfrog_2015 no_shared_incentives marketing     it no_shared_incentives/marketing no_shared_incentives/it
    leapfrog_2015  deliver_omnichannel marketing     it  deliver_omnichannel/marketing  deliver_omnichannel/it
    """
    rows = claims[claims["kind"] == "agreement"]
    if study is not None:
        wanted = [study] if isinstance(study, str) else list(study)
        rows = rows[rows["study"].isin(wanted)]
    items = pd.DataFrame(
        {
            "study": rows["study"].to_numpy(),
            "item": np.where(rows["item_a"] == rows["item_b"], rows["item_a"], rows["item_a"] + " vs " + rows["item_b"]),
            "group1": rows["group_a"].to_numpy(),
            "group2": rows["group_b"].to_numpy(),
            "figure1": rows["figure_a"].to_numpy(),
            "figure2": rows["figure_b"].to_numpy(),
        },
        columns=_ITEM_COLUMNS,
    )
    return items.drop_duplicates(["study", "figure1", "figure2"]).reset_index(drop=True)


def _lookup(counts: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Counts and published shares of both figures of every item."""
    keep = ["study", "item", "group", "n", "k", "value", "low", "high"]
    table = counts[keep].copy()
    table["figure"] = table["item"] + "/" + table["group"]
    table = table.drop(columns=["item", "group"]).drop_duplicates(["study", "figure"])
    out = items.copy()
    for g in ("1", "2"):
        part = table.rename(columns={c: f"{c}{g}" for c in ("n", "k", "value", "low", "high", "figure")})
        out = out.merge(part, on=["study", f"figure{g}"], how="left")
    return out


def _verdict_text(r: Any) -> str:
    """One item's result in words."""
    label1, label2 = _label(r.group1), _label(r.group2)
    m = _points(r.margin, sign=False).removesuffix(".0")
    if r.finding == "not testable":
        return str(r.reason)
    cover = f"{100 * (1 - 2 * r.alpha):.0f}%"
    text = (
        f"{label1} {r.k1}/{r.n1} ({percent_text(r.p1)}) vs {label2} {r.k2}/{r.n2} ({percent_text(r.p2)}): "
        f"{_points(r.diff)} points, {cover} CI {_points(r.ci_low)} to {_points(r.ci_high)}"
    )
    if r.finding == "equivalent":
        text += f"; equivalent within \u00b1{m} points (TOST p = {_p(r.p_value)}): the data support agreement"
        if r.significant:
            text += ", although the (small) difference is statistically significant"
    elif r.finding == "different":
        text += (
            f"; the groups differ (the {100 * (1 - r.alpha):.0f}% interval {_points(r.diff_ci_low)} to "
            f"{_points(r.diff_ci_high)} excludes 0): this is not agreement"
        )
    else:
        far = "far " if r.power < 0.2 else ""
        text += (
            f"; no significant difference, so compatible with agreement, but {far}too small to show it "
            f"(TOST p = {_p(r.p_value)} against "
            f"\u00b1{m} points): it rules out only differences beyond \u00b1{_points(r.min_margin, sign=False)} "
            f"points; \u00b1{m} points would need about {r.n_required} per group (this study: {r.n1} and {r.n2}; "
            f"its power to show it even if the shares were equal: {percent_text(r.power)})"
        )
    return text


def shared_incentives(
    counts: pd.DataFrame,
    margin: float = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
    study: str | Sequence[str] | None = None,
    claims: pd.DataFrame | None = None,
    method: str = "score",
    design_effect: float = 1.0,
) -> pd.DataFrame:
    """Test every "both groups agree" item for equivalence.

    Parameters
    ----------
    counts : pandas.DataFrame
        The audit's counts table (``study, item, group, n, k, value, low,
        high, ...``), e.g. ``load_input().counts``.
    margin : float, default 0.10
        Equivalence margin (0.10 = differences within 10 percentage points
        count as agreement), strictly between 0 and 1.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5); equivalence uses the
        ``1 - 2 alpha`` interval, difference the ``1 - alpha`` interval.
    power : float, default 0.8
        Target power for ``n_required``, in (0, 1).
    study : str or list of str, optional
        Restrict to these studies.
    claims : pandas.DataFrame, optional
        Claims table (default: :func:`alignment_stats.data.load_claims`);
        its ``kind == "agreement"`` rows name the items.
    method : {"score", "farrington-manning", "wald", "agresti-caffo"}, default "score"
        TOST method, see :func:`alignment_stats.equivalence.equivalence_test`.
    design_effect : float, default 1.0
        Design effect of a weighted or clustered survey (at least 1), applied
        to ``power`` (effective sizes ``n / deff``) and ``n_required``
        (``n x deff``). The TOST itself treats the counts as a simple random
        sample.

    Returns
    -------
    pandas.DataFrame
        One row per agreement item:

        - ``study``, ``item``, ``group1``, ``group2``, ``figure1``,
          ``figure2``: what is compared (``diff = p1 - p2`` is group1's share
          minus group2's);
        - ``k1``, ``n1``, ``k2``, ``n2`` (Int64), ``p1``, ``p2``, ``diff``;
        - ``ci_low``, ``ci_high``: ``1 - 2 alpha`` interval (equivalence);
        - ``diff_ci_low``, ``diff_ci_high``: ``1 - alpha`` interval of the
          same method (difference);
        - ``p_lower``, ``p_upper``, ``p_value``: one-sided and TOST p-values;
        - ``equivalent``: TOST ``p_value <= alpha``;
        - ``significant``: the ``1 - alpha`` interval excludes 0;
        - ``min_margin``: smallest margin the data demonstrate;
        - ``margin``, ``alpha``, ``method``, ``design_effect``: the settings;
        - ``p_plan``: share assumed for planning, the pooled share
          ``(k1 + k2) / (n1 + n2)`` (the mean published share without
          counts), both groups assumed equal;
        - ``power``: normal-approximation power of a study of this size to
          show equivalence within ``margin`` if both shares were ``p_plan``;
        - ``n_required`` (Int64): per-group size (equal groups) that gives
          ``power``;
        - ``finding``: ``equivalent``, ``different``, ``inconclusive`` or
          ``not testable`` (no counts, or both figures from the same group:
          paired data that need the respondent-level table);
        - ``verdict``: the result in words.

    Raises
    ------
    ValueError
        For a margin outside (0, 1), ``alpha`` outside (0, 0.5), ``power``
        outside (0, 1), ``design_effect`` below 1 or an unknown ``method``.

    References
    ----------
    .. [1] Schuirmann, D. J. (1987). A comparison of the two one-sided tests
       procedure and the power approach for assessing the equivalence of
       average bioavailability. Journal of Pharmacokinetics and
       Biopharmaceutics 15(6), 657-680.
    .. [2] Walker, E. and Nowacki, A. S. (2011). Understanding equivalence
       and noninferiority testing. Journal of General Internal Medicine
       26(2), 192-196.
    .. [3] Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size
       Calculations in Clinical Research, 2nd ed., section 4.2.
    .. [4] Lakens, D. (2017). Equivalence tests: a practical primer for t
       tests, correlations, and meta-analyses. Social Psychological and
       Personality Science 8(4), 355-362.

    Examples
    --------
    >>> from alignment_stats.inputs import load_input
    >>> res = shared_incentives(load_input().counts)
    >>> print(res[["item", "k1", "n1", "k2", "n2", "p_value", "min_margin", "n_required", "finding"]]
    ...       .round(3).to_string(index=False))
                    item  k1  n1  k2  n2  p_value  min_margin  n_required      finding
    no_shared_incentives  67 106  15  24    0.204       0.192         399 inconclusive
     deliver_omnichannel  57 106  12  24    0.291       0.218         427 inconclusive
    """
    _check_settings(margin, alpha, power, design_effect, method)
    if claims is None:
        from .data import load_claims

        claims = load_claims()
    items = agreement_items(claims, study)
    items = items[items["study"].isin(set(counts["study"]))].reset_index(drop=True)
    data = _lookup(counts, items)
    paired = (data["group1"] == data["group2"]).to_numpy()
    has_counts = (data[["k1", "n1", "k2", "n2"]].notna().all(axis=1)).to_numpy()
    testable = has_counts & ~paired
    out = data[_ITEM_COLUMNS].copy()
    for c in ("k1", "n1", "k2", "n2"):
        out[c] = pd.array(data[c], dtype="Int64")
    float_columns = ["p1", "p2", "diff", "ci_low", "ci_high", "diff_ci_low", "diff_ci_high", "p_lower",
                     "p_upper", "p_value", "min_margin"]
    for c in float_columns:
        out[c] = np.nan
    out["equivalent"] = False
    out["significant"] = False
    if testable.any():
        rows = data.loc[testable]
        args = [rows[c].astype("int64").to_numpy() for c in ("k1", "n1", "k2", "n2")]
        tost = equivalence_test(*args, margin=margin, alpha=alpha, method=method)
        # the 1 - alpha interval of the same method is the 1 - 2 (alpha / 2) interval
        two_sided = equivalence_test(*args, margin=margin, alpha=alpha / 2.0, method=method)
        for c in ("p1", "p2", "diff", "ci_low", "ci_high", "p_lower", "p_upper", "p_value", "min_margin"):
            out.loc[testable, c] = tost[c].to_numpy()
        out.loc[testable, "diff_ci_low"] = two_sided["ci_low"].to_numpy()
        out.loc[testable, "diff_ci_high"] = two_sided["ci_high"].to_numpy()
        out.loc[testable, "equivalent"] = tost["equivalent"].to_numpy()
        out.loc[testable, "significant"] = ((two_sided["ci_low"] > 0) | (two_sided["ci_high"] < 0)).to_numpy()
    out["margin"], out["alpha"], out["method"], out["design_effect"] = float(margin), float(alpha), method, float(design_effect)

    published = [
        data[f"value{g}"].fillna((data[f"low{g}"] + data[f"high{g}"]) / 2).to_numpy(dtype=float) / 100.0
        for g in ("1", "2")
    ]
    pooled = np.where(
        has_counts,
        (data["k1"].astype("Float64") + data["k2"].astype("Float64")).to_numpy(dtype=float, na_value=np.nan)
        / (data["n1"].astype("Float64") + data["n2"].astype("Float64")).to_numpy(dtype=float, na_value=np.nan),
        (published[0] + published[1]) / 2.0,
    )
    out["p_plan"] = pooled
    plan_ok = np.isfinite(pooled)
    out["n_required"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["power"] = np.nan
    if plan_ok.any():
        need = equivalence_sample_size(pooled[plan_ok], pooled[plan_ok], margin, alpha=alpha, power=power,
                                       design_effect=design_effect)
        out.loc[plan_ok, "n_required"] = need["n1"].to_numpy()
    if testable.any():
        sizes = data.loc[testable, ["n1", "n2"]].astype("float64")
        achieved = equivalence_power(pooled[testable], pooled[testable], sizes["n1"].to_numpy(),
                                     sizes["n2"].to_numpy(), margin, alpha=alpha, design_effect=design_effect)
        out.loc[testable, "power"] = achieved["power"].to_numpy()

    finding = np.where(out["equivalent"], "equivalent", np.where(out["significant"], "different", "inconclusive"))
    out["finding"] = np.where(testable, finding, "not testable")
    reasons = []
    for i, r in enumerate(data.itertuples()):
        if paired[i]:
            reasons.append(
                f"both figures describe the same {r.group1} respondents: equivalence needs their paired table "
                "(respondent-level data), not two independent samples"
            )
        elif pd.isna(r.n1) or pd.isna(r.n2):
            reasons.append("group sizes unknown: equivalence cannot be tested without them (see the data audit)")
        elif not has_counts[i]:
            reasons.append("no feasible count for a published share: see the data audit")
        else:
            reasons.append("")
    out["verdict"] = [_verdict_text(r) for r in out.assign(reason=reasons).itertuples()]
    return out[_TABLE_COLUMNS]


# ---------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------


def agreement_verdicts(claims: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Verdict on every agreement claim, from :func:`shared_incentives` results.

    A comparison is *supported* when equivalence within the margin is shown,
    *not supported* when the groups demonstrably differ (and equivalence is
    not shown), and *undecidable with this sample* otherwise (including
    comparisons without counts). A claim resting on several comparisons is
    supported only if all are, not supported if any is not, undecidable
    otherwise.

    Parameters
    ----------
    claims : pandas.DataFrame
        :func:`alignment_stats.data.load_claims` output; only ``kind ==
        "agreement"`` rows are judged.
    table : pandas.DataFrame
        :func:`shared_incentives` output covering the claims' figures.

    Returns
    -------
    pandas.DataFrame
        ``claim_id, study, quote, verdict, detail``, one row per claim; the
        detail gives, per comparison, the shares, the difference with its
        interval, the TOST p-value, the smallest demonstrable margin and the
        group size the margin would need.

    Examples
    --------
    >>> claims = pd.DataFrame({"claim_id": ["c"], "kind": ["agreement"], "study": ["s"], "quote": ["q"],
    ...     "figure_a": ["x/marketing"], "figure_b": ["x/it"]})
    >>> table = pd.DataFrame({"study": ["s"], "figure1": ["x/marketing"], "figure2": ["x/it"], "item": ["x"],
    ...     "group1": ["marketing"], "group2": ["it"], "finding": ["equivalent"], "p1": [0.5], "p2": [0.48],
    ...     "diff": [0.02], "ci_low": [-0.03], "ci_high": [0.07], "alpha": [0.05], "margin": [0.1],
    ...     "p_value": [0.01], "min_margin": [0.07], "n_required": [420], "verdict": ["..."]})
    >>> agreement_verdicts(claims, table)[["claim_id", "verdict"]].to_dict("records")
    [{'claim_id': 'c', 'verdict': 'supported'}]
    """
    rows = []
    judged = claims[claims["kind"] == "agreement"]
    for claim_id, part in judged.groupby("claim_id", sort=False):
        verdicts, details = [], []
        for c in part.itertuples():
            match = table[(table["study"] == c.study) & (table["figure1"] == c.figure_a)
                          & (table["figure2"] == c.figure_b)]
            if match.empty:
                verdicts.append("undecidable with this sample")
                details.append(f"{c.figure_a} = {c.figure_b}: no counts to test")
                continue
            t = match.iloc[0]
            verdicts.append(CLAIM_VERDICTS[t["finding"]])
            if t["finding"] == "not testable":
                details.append(f"{t['item']}: {t['verdict']}")
                continue
            m = _points(t["margin"], sign=False).removesuffix(".0")
            text = (
                f"{t['item']}: {_label(t['group1'])} {percent_text(t['p1'])} vs {_label(t['group2'])} "
                f"{percent_text(t['p2'])}, difference {_points(t['diff'])} points "
                f"({100 * (1 - 2 * t['alpha']):.0f}% CI {_points(t['ci_low'])} to {_points(t['ci_high'])}); "
                f"TOST p = {_p(t['p_value'])} against \u00b1{m} points; the data can show agreement only within "
                f"\u00b1{_points(t['min_margin'], sign=False)} points or wider"
            )
            if t["finding"] == "inconclusive":
                text += f"; \u00b1{m} points would need about {t['n_required']} per group"
            details.append(text)
        rows.append(verdict_row(claim_id, part, verdicts, details))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


# ---------------------------------------------------------------------------
# sensitivity and planning
# ---------------------------------------------------------------------------

_SENSITIVITY_COLUMNS = [
    "study", "item", "scenarios", "n1_values", "n2_values", "diff_min", "diff_max", "p_value_min", "p_value_max",
    "min_margin_min", "min_margin_max", "equivalent_share", "significant_share", "verdicts", "flips_with_data",
    "flips_with_method", "robust",
]


def _sizes_text(values: pd.Series) -> str:
    return ", ".join(str(v) for v in sorted(set(int(x) for x in values)))


def _figure_scenarios(
    figures: pd.DataFrame, studies: dict[str, dict[str, Any]], items: pd.DataFrame, max_missing: int,
    rules: Sequence[str],
) -> list[tuple]:
    """(study, item, figure1, figure2, n1, n2, k1, k2) over rules, candidate sizes and feasible counts."""
    from .audit import candidate_sizes
    from .reconstruct import count_ranges

    indexed = figures.assign(figure=figures["item"] + "/" + figures["group"]).set_index(["study", "figure"])
    scenarios = []
    for rule in rules:
        candidates = candidate_sizes(figures, studies, rounding=rule, max_missing=max_missing)
        for row in items.itertuples():
            if row.group1 == row.group2:
                continue
            f = [indexed.loc[(row.study, fig)] for fig in (row.figure1, row.figure2)]
            sizes = [
                candidates[(candidates["study"] == row.study) & (candidates["group"] == group)]["n"].tolist()
                for group in (row.group1, row.group2)
            ]
            rule_of = [rule if fig["rounding"] == "unknown" else fig["rounding"] for fig in f]
            for n1 in sizes[0]:
                for n2 in sizes[1]:
                    r = count_ranges([f[0]["value"], f[1]["value"]], [n1, n2],
                                     [int(f[0]["decimals"]), int(f[1]["decimals"])], rule_of,
                                     lows=[f[0]["low"], f[1]["low"]], highs=[f[0]["high"], f[1]["high"]])
                    if (r["n_feasible"] == 0).any():
                        continue
                    for k1 in range(int(r["k_low"].iloc[0]), int(r["k_high"].iloc[0]) + 1):
                        for k2 in range(int(r["k_low"].iloc[1]), int(r["k_high"].iloc[1]) + 1):
                            scenarios.append((row.study, row.item, row.figure1, row.figure2, n1, n2, k1, k2))
    return scenarios


def _count_scenarios(counts: pd.DataFrame, items: pd.DataFrame) -> list[tuple]:
    """Scenarios from a counts table alone: every count in ``k_low..k_high`` at the given sizes."""
    data = counts.assign(figure=counts["item"] + "/" + counts["group"]).drop_duplicates(["study", "figure"])
    indexed = data.set_index(["study", "figure"])
    scenarios = []
    for row in items.itertuples():
        if row.group1 == row.group2:
            continue
        try:
            f = [indexed.loc[(row.study, fig)] for fig in (row.figure1, row.figure2)]
        except KeyError:
            continue
        if any(pd.isna(x[c]) for x in f for c in ("n", "k_low", "k_high")):
            continue
        for k1 in range(int(f[0]["k_low"]), int(f[0]["k_high"]) + 1):
            for k2 in range(int(f[1]["k_low"]), int(f[1]["k_high"]) + 1):
                scenarios.append((row.study, row.item, row.figure1, row.figure2, int(f[0]["n"]), int(f[1]["n"]),
                                  k1, k2))
    return scenarios


def incentives_sensitivity(
    table: pd.DataFrame,
    figures: pd.DataFrame | None = None,
    studies: dict[str, dict[str, Any]] | None = None,
    counts: pd.DataFrame | None = None,
    max_missing: int = 1,
    rules: Sequence[str] = ("half_up", "half_even", "truncate", "ceil"),
    methods: Sequence[str] = TOST_METHODS,
) -> pd.DataFrame:
    """Does each verdict survive other group sizes, rounding rules, counts and methods?

    With ``figures`` and ``studies``, every rounding rule, every candidate
    size of each group (:func:`alignment_stats.audit.candidate_sizes`) and
    every feasible count is tried; with a counts table alone, every count in
    its ``k_low..k_high`` at its sizes. Then, at the table's own counts,
    every TOST method.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`shared_incentives` output (margin, alpha and method are read
        from it).
    figures, studies : optional
        Published figures and study facts (from
        :func:`alignment_stats.inputs.load_input`).
    counts : pandas.DataFrame, optional
        Counts table, used when ``figures`` is None.
    max_missing : int, default 1
        See :func:`alignment_stats.audit.candidate_sizes`.
    rules : sequence of str
        Rounding rules tried for figures whose rule is unknown.
    methods : sequence of str
        TOST methods compared at the table's counts.

    Returns
    -------
    pandas.DataFrame
        One row per testable item: ``study, item``; ``scenarios`` (distinct
        size/count combinations); ``n1_values``, ``n2_values`` (the group
        sizes tried, as text); ``diff_min``, ``diff_max``; ``p_value_min``,
        ``p_value_max`` (TOST); ``min_margin_min``, ``min_margin_max``;
        ``equivalent_share``, ``significant_share`` (share of scenarios);
        ``verdicts`` (the distinct claim verdicts, ``" | "``-separated);
        ``flips_with_data`` (the verdict differs across scenarios);
        ``flips_with_method`` (the verdict differs across TOST methods);
        ``robust`` (neither).

    Examples
    --------
    >>> from alignment_stats.inputs import load_input
    >>> loaded = load_input()
    >>> sens = incentives_sensitivity(shared_incentives(loaded.counts), loaded.figures, loaded.studies)
    >>> print(sens[["item", "scenarios", "n1_values", "n2_values", "verdicts", "robust"]].to_string(index=False))
                    item  scenarios n1_values n2_values                     verdicts  robust
    no_shared_incentives          3  105, 106        24 undecidable with this sample    True
     deliver_omnichannel          3  105, 106        24 undecidable with this sample    True
    """
    testable = table[table["finding"] != "not testable"].reset_index(drop=True)
    if testable.empty:
        return pd.DataFrame(columns=_SENSITIVITY_COLUMNS)
    margin, alpha, method = float(testable["margin"].iloc[0]), float(testable["alpha"].iloc[0]), testable["method"].iloc[0]
    items = testable[_ITEM_COLUMNS]
    if figures is not None and studies is not None:
        scenarios = _figure_scenarios(figures, studies, items, max_missing, rules)
    elif counts is not None:
        scenarios = _count_scenarios(counts, items)
    else:
        scenarios = []
    # the table's own counts are always a scenario
    scenarios += [(r.study, r.item, r.figure1, r.figure2, int(r.n1), int(r.n2), int(r.k1), int(r.k2))
                  for r in testable.itertuples()]
    grid = pd.DataFrame(scenarios, columns=["study", "item", "figure1", "figure2", "n1", "n2", "k1", "k2"])
    grid = grid.drop_duplicates(["study", "figure1", "figure2", "n1", "n2", "k1", "k2"]).reset_index(drop=True)
    args = [grid[c].to_numpy() for c in ("k1", "n1", "k2", "n2")]
    tost = equivalence_test(*args, margin=margin, alpha=alpha, method=method)
    two_sided = equivalence_test(*args, margin=margin, alpha=alpha / 2.0, method=method)
    grid["diff"] = tost["diff"].to_numpy()
    grid["p_value"] = tost["p_value"].to_numpy()
    grid["min_margin"] = tost["min_margin"].to_numpy()
    grid["equivalent"] = tost["equivalent"].to_numpy()
    grid["significant"] = ((two_sided["ci_low"] > 0) | (two_sided["ci_high"] < 0)).to_numpy()
    grid["claim_verdict"] = np.where(grid["equivalent"], "supported",
                                     np.where(grid["significant"], "not supported", "undecidable with this sample"))
    summary = grid.groupby(["study", "figure1", "figure2"], sort=False).agg(
        item=("item", "first"), scenarios=("p_value", "size"), n1_values=("n1", _sizes_text),
        n2_values=("n2", _sizes_text), diff_min=("diff", "min"), diff_max=("diff", "max"),
        p_value_min=("p_value", "min"), p_value_max=("p_value", "max"), min_margin_min=("min_margin", "min"),
        min_margin_max=("min_margin", "max"), equivalent_share=("equivalent", "mean"),
        significant_share=("significant", "mean"),
        verdicts=("claim_verdict", lambda v: " | ".join(dict.fromkeys(v))),
    ).reset_index()
    summary["flips_with_data"] = summary["verdicts"].str.contains("|", regex=False)

    by_method = []
    args = [testable[c].astype("int64").to_numpy() for c in ("k1", "n1", "k2", "n2")]
    for name in methods:
        t = equivalence_test(*args, margin=margin, alpha=alpha, method=name)
        s = equivalence_test(*args, margin=margin, alpha=alpha / 2.0, method=name)
        by_method.append(np.where(t["equivalent"], 2, np.where((s["ci_low"] > 0) | (s["ci_high"] < 0), 1, 0)))
    by_method = np.array(by_method)
    flips = pd.DataFrame({"study": testable["study"], "figure1": testable["figure1"], "figure2": testable["figure2"],
                          "flips_with_method": (by_method.min(axis=0) != by_method.max(axis=0))})
    summary = summary.merge(flips, on=["study", "figure1", "figure2"], how="left")
    summary["robust"] = ~(summary["flips_with_data"] | summary["flips_with_method"])
    return summary[_SENSITIVITY_COLUMNS]


def required_n_curve(
    table: pd.DataFrame,
    margins: Sequence[float] = MARGIN_GRID,
    alpha: float | None = None,
    power: float = 0.8,
    design_effect: float | None = None,
) -> pd.DataFrame:
    """Group size needed to show agreement, for each item and margin.

    Both groups are assumed to share the item's planning share ``p_plan``
    (see :func:`shared_incentives`); sizes come from
    :func:`alignment_stats.equivalence.equivalence_sample_size` with equal
    groups.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`shared_incentives` output.
    margins : sequence of float, default :data:`MARGIN_GRID` (0.02 to 0.30)
        Margins, each strictly between 0 and 1.
    alpha : float, optional
        Default: the table's ``alpha``.
    power : float, default 0.8
        Target power.
    design_effect : float, optional
        Default: the table's ``design_effect``.

    Returns
    -------
    pandas.DataFrame
        ``study, item, group1, group2, n1, n2, p_plan, margin, alpha,
        power, design_effect, n_per_group`` (Int64): one row per item and
        margin; ``n1``, ``n2`` are the study's group sizes, for reference.

    Examples
    --------
    >>> table = pd.DataFrame({"study": ["s"], "item": ["x"], "group1": ["a"], "group2": ["b"],
    ...     "n1": [106], "n2": [24], "p_plan": [0.5], "alpha": [0.05], "design_effect": [1.0]})
    >>> required_n_curve(table, margins=[0.05, 0.10, 0.20])[["margin", "n_per_group"]]
       margin  n_per_group
    0    0.05         1713
    1    0.10          429
    2    0.20          108
    """
    rows = table[np.isfinite(table["p_plan"].to_numpy(dtype=float))].reset_index(drop=True)
    margins_arr = np.asarray(list(margins), dtype=float)
    columns = ["study", "item", "group1", "group2", "n1", "n2", "p_plan", "margin", "alpha", "power", "design_effect",
               "n_per_group"]
    if rows.empty or margins_arr.size == 0:
        return pd.DataFrame(columns=columns)
    alpha = float(rows["alpha"].iloc[0]) if alpha is None else alpha
    design_effect = float(rows["design_effect"].iloc[0]) if design_effect is None else design_effect
    grid = rows.loc[np.repeat(rows.index.to_numpy(), margins_arr.size)].reset_index(drop=True)
    grid["margin"] = np.tile(margins_arr, len(rows))
    need = equivalence_sample_size(grid["p_plan"].to_numpy(dtype=float), grid["p_plan"].to_numpy(dtype=float),
                                   grid["margin"].to_numpy(), alpha=alpha, power=power, design_effect=design_effect)
    grid["n_per_group"] = need["n1"].to_numpy()
    grid["alpha"], grid["power"], grid["design_effect"] = float(alpha), float(power), float(design_effect)
    return grid[columns]


# ---------------------------------------------------------------------------
# reading and the result object
# ---------------------------------------------------------------------------


def incentives_reading(
    table: pd.DataFrame, verdicts: pd.DataFrame, sensitivity: pd.DataFrame | None = None
) -> str:
    """A plain-language reading of the results, as Markdown.

    Examples
    --------
    >>> table = pd.DataFrame({"study": ["s"], "item": ["x"], "finding": ["equivalent"], "margin": [0.1],
    ...     "alpha": [0.05], "method": ["score"], "design_effect": [1.0], "verdict": ["equal enough"]})
    >>> print(incentives_reading(table, pd.DataFrame(columns=["quote", "verdict"])))
    Equal shares are not evidence of agreement: a small sample misses large differences. Agreement is shown only when the 90% interval of the difference lies within ±10 points (two one-sided tests, score method).
    <BLANKLINE>
    - **s · x**: equal enough.
    """
    if table.empty:
        return ("No agreement claims to test: no `kind = agreement` row of `data/raw/claims.csv` refers to a study "
                "in this input.")
    first = table.iloc[0]
    m = _points(first["margin"], sign=False).removesuffix(".0")
    lines = [
        "Equal shares are not evidence of agreement: a small sample misses large differences. Agreement is shown "
        f"only when the {100 * (1 - 2 * first['alpha']):.0f}% interval of the difference lies within \u00b1{m} "
        f"points (two one-sided tests, {first['method']} method).",
        "",
    ]
    for r in table.itertuples():
        lines.append(f"- **{r.study} \u00b7 {r.item}**: {r.verdict}.")
    if sensitivity is not None and len(sensitivity):
        groups = table.drop_duplicates(["study", "item"]).set_index(["study", "item"])
        for r in sensitivity.itertuples():
            g = groups.loc[(r.study, r.item)]
            text = (
                f"- {r.item}: over {r.scenarios} scenario(s) of group size, rounding rule and count "
                f"({_label(g['group1'])} n = {r.n1_values}; {_label(g['group2'])} n = {r.n2_values}), the TOST "
                f"p-value runs from {_p(r.p_value_min)} to {_p(r.p_value_max)} and the smallest demonstrable margin "
                f"from \u00b1{_points(r.min_margin_min, sign=False)} to "
                f"\u00b1{_points(r.min_margin_max, sign=False)} points; "
            )
            if r.robust:
                text += f"the verdict ({r.verdicts}) never flips, nor with the TOST method."
            else:
                why = [w for w, flag in (("group size/rounding/count", r.flips_with_data),
                                         ("TOST method", r.flips_with_method)) if flag]
                text += f"the verdict flips with the {' and the '.join(why)} ({r.verdicts})."
            lines.append(text)
    if float(first["design_effect"]) > 1:
        lines.append(
            f"- Planning figures (power, group size needed) assume a design effect of {first['design_effect']:g}; "
            "the tests treat the published counts as a simple random sample."
        )
    for r in verdicts.itertuples():
        lines.append(f"- Claim *\u201c{r.quote}\u201d*: **{r.verdict}**.")
    return "\n".join(lines)


@dataclass(frozen=True)
class IncentivesResult:
    """Everything notebook 02 shows.

    Attributes
    ----------
    counts : pandas.DataFrame
        The counts the analysis ran on.
    incentives : pandas.DataFrame
        :func:`shared_incentives` output (proportions, not percent).
    verdicts : pandas.DataFrame
        :func:`agreement_verdicts` output.
    sensitivity : pandas.DataFrame
        :func:`incentives_sensitivity` output.
    required_n_curve : pandas.DataFrame
        :func:`required_n_curve` output.
    source : str
        Where the counts came from.
    margin, alpha, power, design_effect : float
        The settings.
    method : str
        The TOST method.
    """

    counts: pd.DataFrame
    incentives: pd.DataFrame
    verdicts: pd.DataFrame
    sensitivity: pd.DataFrame
    required_n_curve: pd.DataFrame
    source: str
    margin: float
    alpha: float
    power: float
    design_effect: float
    method: str

    @property
    def table(self) -> pd.DataFrame:
        """The main table for display: shares, differences, margins and power in percent."""
        cols = ["study", "item", "k1", "n1", "k2", "n2", "p1", "p2", "diff", "ci_low", "ci_high", "p_value",
                "equivalent", "significant", "min_margin", "power", "n_required", "finding"]
        table = self.incentives[cols].copy()
        for c in ("p1", "p2", "diff", "ci_low", "ci_high", "min_margin", "power"):
            table[c] = (100 * table[c].astype(float)).round(1) + 0.0
        table["p_value"] = table["p_value"].astype(float).round(4)
        return table

    @property
    def sensitivity_table(self) -> pd.DataFrame:
        """The sensitivity summary with differences, margins and shares in percent."""
        table = self.sensitivity.copy()
        for c in ("diff_min", "diff_max", "min_margin_min", "min_margin_max", "equivalent_share",
                  "significant_share"):
            table[c] = (100 * table[c].astype(float)).round(1) + 0.0
        for c in ("p_value_min", "p_value_max"):
            table[c] = table[c].astype(float).round(4)
        return table

    def reading(self) -> str:
        """Plain-language reading (Markdown)."""
        return incentives_reading(self.incentives, self.verdicts, self.sensitivity)

    def write(self, output_dir: str | Path) -> list[Path]:
        """Write ``results/shared_incentives.csv``, ``claims.csv``, ``sensitivity.csv`` and ``required_n.csv``."""
        from .outputs import write_result

        return [
            write_result(self.incentives, output_dir, "shared_incentives"),
            write_result(self.verdicts[["claim_id", "quote", "verdict", "detail"]], output_dir, "claims"),
            write_result(self.sensitivity, output_dir, "sensitivity"),
            write_result(self.required_n_curve, output_dir, "required_n"),
        ]


def run_incentives(
    input: str | Path | None = None,
    study: str | Sequence[str] | None = None,
    margin: float = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
    rounding: str = "half_up",
    max_missing: int = 1,
    design_effect: float = 1.0,
    method: str = "score",
    codebook: str | Path | None = None,
    weighted: bool = False,
) -> IncentivesResult:
    """Run the shared-incentives analysis of notebook 02.

    Parameters
    ----------
    input : str or Path, optional
        Figures or counts; see :func:`alignment_stats.inputs.load_input`.
    study : str or list of str, optional
        Restrict to these studies.
    margin, alpha, power, design_effect, method
        See :func:`shared_incentives`.
    rounding, max_missing
        See :func:`alignment_stats.inputs.load_input`.
    codebook, weighted
        For respondent-level answers in ``input``: their codebook, and
        whether to weight (see :func:`alignment_stats.inputs.load_input`).
        Weighted counts already carry Kish effective sizes, so leave
        ``design_effect`` at 1 for them. Only studies with agreement claims
        in ``claims.csv`` are tested.

    Returns
    -------
    IncentivesResult

    Raises
    ------
    ValueError
        For invalid settings (see :func:`shared_incentives`) or a ``study``
        that is not in the input.

    Examples
    --------
    >>> result = run_incentives(study="leapfrog_2015")
    >>> result.verdicts[["claim_id", "verdict"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'claim_id': 'both_lack_shared_incentives', 'verdict': 'undecidable with this sample'},
     {'claim_id': 'both_deliver_omnichannel', 'verdict': 'undecidable with this sample'}]
    """
    from .data import load_claims
    from .inputs import load_input

    _check_settings(margin, alpha, power, design_effect, method)
    survey = {"codebook": codebook, "weighted": weighted} if codebook not in (None, "") else {}
    loaded = load_input(input, rounding=rounding, max_missing=max_missing, **survey)
    if study is not None:
        wanted = [study] if isinstance(study, str) else list(study)
        unknown = sorted(set(wanted) - set(loaded.counts["study"]))
        if unknown:
            known = ", ".join(sorted(set(loaded.counts["study"])))
            raise ValueError(f"study: {', '.join(unknown)} not in the input (known: {known})")
    claims = load_claims(figures=loaded.figures) if loaded.figures is not None else load_claims()
    claims = claims[claims["study"].isin(set(loaded.counts["study"]))]
    table = shared_incentives(loaded.counts, margin, alpha, power, study=study, claims=claims, method=method,
                              design_effect=design_effect)
    sensitivity = incentives_sensitivity(table, loaded.figures, loaded.studies, counts=loaded.counts,
                                         max_missing=max_missing)
    curve = required_n_curve(table, power=power)
    verdicts = agreement_verdicts(claims[claims["study"].isin(set(table["study"]))], table)
    return IncentivesResult(loaded.counts, table, verdicts, sensitivity, curve, loaded.source, float(margin),
                            float(alpha), float(power), float(design_effect), method)
