"""Shared incentives (notebook 02): agreement as equivalence, through ``run_incentives`` and ``shared_incentives``.

References: statsmodels ``tost_proportions_2indep`` and
``confint_proportions_2indep`` (Wald); an independent Miettinen-Nurminen
score test written here (restricted MLE by the closed-form cubic of
Farrington & Manning 1990, variance factor N/(N-1)), checked against
Newcombe (1998) Table II, method 6; exact TOST power by enumerating every
outcome with scipy's binomial pmf; hand counts in the comments; plain
pandas counts of the survey fixture.
"""

from __future__ import annotations

import csv
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import rounding_brute as brute
from analysis_runs import SURVEY, survey_input
from pydantic import ValidationError
from scipy import optimize, stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    tost_proportions_2indep,
)

from alignment_stats.analyses import ANALYSES, run_incentives
from alignment_stats.analyses.comparisons import figure_counts
from alignment_stats.analyses.incentives import (
    MARGIN_GRID,
    agreement_items,
    incentives_sensitivity,
    required_n_curve,
    shared_incentives,
)
from alignment_stats.analyses.settings import IncentivesSettings
from alignment_stats.config import BUNDLED_CLAIMS
from alignment_stats.counts import load_counts
from alignment_stats.schema import DataValidationError

TOL = 1e-9


# ---------------------------------------------------------------------------
# the independent reference: Miettinen-Nurminen score test, TOST, interval, exact power
# ---------------------------------------------------------------------------


def mn_z(k1, n1, k2, n2, delta):
    """Score statistic of H0: p1 - p2 = delta, variance at the restricted MLE times N/(N-1)."""
    k1, n1, k2, n2, delta = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (k1, n1, k2, n2, delta)))
    p1, p2 = k1 / n1, k2 / n2
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta**2 + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (27 * a**3) - b * c / (6 * a**2) + d / (2 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b**2 / (9 * a**2) - c / (3 * a), 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        w = (np.pi + np.arccos(np.clip(np.where(u == 0, 0, v / u**3), -1, 1))) / 3
        r1 = np.clip(2 * u * np.cos(w) - b / (3 * a), 0, 1)
        r2 = np.clip(r1 - delta, 0, 1)
        var = (r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2) * (n1 + n2) / (n1 + n2 - 1)
        return (p1 - p2 - delta) / np.sqrt(var)


def mn_tost(k1, n1, k2, n2, margin):
    """(p_lower, p_upper, p_value) of the score TOST."""
    lower = stats.norm.sf(mn_z(k1, n1, k2, n2, -margin))
    upper = stats.norm.cdf(mn_z(k1, n1, k2, n2, margin))
    return lower, upper, np.maximum(lower, upper)


def mn_interval(k1, n1, k2, n2, level):
    """The score interval: every delta with |z(delta)| <= z_{(1 + level) / 2}."""
    z = stats.norm.isf((1 - level) / 2)
    d = k1 / n1 - k2 / n2
    low = optimize.brentq(lambda x: mn_z(k1, n1, k2, n2, x) - z, -1 + 1e-12, d, xtol=1e-14)
    high = optimize.brentq(lambda x: mn_z(k1, n1, k2, n2, x) + z, d, 1 - 1e-12, xtol=1e-14)
    return float(low), float(high)


def exact_power(p, n1, n2, margin, alpha=0.05, method="score"):
    """P(the TOST shows equivalence) when both true shares are p, over every outcome (k1, k2)."""
    k1, k2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    if method == "score":
        pvalue = mn_tost(k1, n1, k2, n2, margin)[2]
    else:  # Wald, as statsmodels' tost_proportions_2indep(method="wald")
        p1, p2 = k1 / n1, k2 / n2
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        with np.errstate(invalid="ignore", divide="ignore"):
            pvalue = np.maximum(stats.norm.sf((p1 - p2 + margin) / se), stats.norm.cdf((p1 - p2 - margin) / se))
    weight = np.outer(stats.binom.pmf(np.arange(n1 + 1), n1, p), stats.binom.pmf(np.arange(n2 + 1), n2, p))
    return float(weight[pvalue < alpha].sum())


def test_reference_reproduces_newcombe_table_ii():
    # Newcombe (1998), Table II, method 6 (Miettinen-Nurminen): 56/70 vs 48/80 and 9/10 vs 3/10
    assert mn_interval(56, 70, 48, 80, 0.95) == pytest.approx((0.0528, 0.3382), abs=5e-5)
    assert mn_interval(9, 10, 3, 10, 0.95) == pytest.approx((0.1700, 0.8406), abs=5e-5)


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default(runs):
    """The bundled run (its required-n curve at the margins of ``analysis_runs.SHORT_MARGINS``)."""
    return runs("incentives")


@pytest.fixture(scope="module")
def leapfrog(default):
    counts = figure_counts(default.bundle)
    items = agreement_items(default.bundle.claims, counts, ["leapfrog_2015"])
    return counts, items


def _row(frame, item):
    match = frame[frame["item"] == item]
    assert len(match) == 1, item
    return match.iloc[0]


# ---------------------------------------------------------------------------
# which items, which counts, which statistics
# ---------------------------------------------------------------------------


def test_agreement_items_are_the_agreement_claims_of_claims_csv(default):
    with open(BUNDLED_CLAIMS, encoding="utf-8", newline="") as handle:
        raw = [r for r in csv.DictReader(handle) if r["kind"] == "agreement"]
    table = default.table
    assert list(zip(table["figure1"], table["figure2"])) == [(r["figure_a"], r["figure_b"]) for r in raw]
    assert table["item"].tolist() == ["no_shared_incentives", "deliver_omnichannel"]


def test_leapfrog_counts_and_wald_tost_equal_statsmodels(leapfrog):
    # 63% of 106 marketers: 66.78 -> 67; 63% of 24 IT executives: 15/24 = 62.5% (the only count rounding half up
    # to 63); 54% of 106 -> 57; 50% of 24 -> 12.
    assert brute.feasible(63, 24, "half_up") == [15] and brute.feasible(54, 106, "half_up") == [57]
    res = shared_incentives(*leapfrog, test="wald")
    for item, counts in (("no_shared_incentives", (67, 106, 15, 24)), ("deliver_omnichannel", (57, 106, 12, 24))):
        row = _row(res, item)
        assert (row.k1, row.n1, row.k2, row.n2) == counts
        sm = tost_proportions_2indep(*counts, -0.10, 0.10, method="wald")
        assert row.p_lower == pytest.approx(sm.results_larger.pvalue, abs=TOL)
        assert row.p_upper == pytest.approx(sm.results_smaller.pvalue, abs=TOL)
        assert row.p_value == pytest.approx(sm.pvalue, abs=TOL)
        # the TOST interval is the 1 - 2 alpha one, ci_low/ci_high always the 1 - alpha one
        assert (row.tost_ci_low, row.tost_ci_high) == pytest.approx(
            confint_proportions_2indep(*counts, method="wald", alpha=0.10), abs=TOL)
        assert (row.ci_low, row.ci_high) == pytest.approx(
            confint_proportions_2indep(*counts, method="wald", alpha=0.05), abs=TOL)
        assert row.ci_level == pytest.approx(0.95)
        assert row.finding == "inconclusive" and not row.equivalent and not row.significant
        assert row.test == "wald"


def test_default_table_is_the_score_tost(default):
    row = _row(default.table, "no_shared_incentives")
    lower, upper, pvalue = mn_tost(67, 106, 15, 24, 0.10)
    assert (row.p_lower, row.p_upper, row.p_value) == pytest.approx((lower, upper, pvalue), abs=1e-9)
    tost_low, tost_high = mn_interval(67, 106, 15, 24, 0.90)
    assert (row.tost_ci_low, row.tost_ci_high) == pytest.approx((tost_low, tost_high), abs=1e-9)
    assert (row.ci_low, row.ci_high) == pytest.approx(mn_interval(67, 106, 15, 24, 0.95), abs=1e-9)
    assert row.min_margin == pytest.approx(max(abs(tost_low), abs(tost_high)), abs=1e-9)
    assert row.test == "score" and row.margin == 0.10 and row.alpha == 0.05 and row.ci_level == pytest.approx(0.95)
    assert (row.p1, row.p2, row["diff"]) == pytest.approx((67 / 106, 15 / 24, 67 / 106 - 15 / 24))
    for column in ("equivalent", "significant", "degenerate"):
        assert default.table[column].dtype == bool, column


def test_planning_by_exact_enumeration(default):
    # pooled share (67 + 15) / 130; n_required: the smallest equal size at which the score TOST shows
    # agreement within 10 points with 80% power when both true shares are 82/130
    row = _row(default.table, "no_shared_incentives")
    p = 82 / 130
    assert row.p_plan == pytest.approx(p)
    n = int(row.n_required)
    assert exact_power(p, n, n, 0.10) >= 0.8 > exact_power(p, n - 1, n - 1, 0.10)
    # this study's power to show it at 106 and 24, both shares 82/130: practically none
    assert row.power == pytest.approx(exact_power(p, 106, 24, 0.10), abs=1e-9)
    assert row.power < 1e-6


def test_planning_is_for_the_test_that_is_run(leapfrog):
    # with test="wald" the size needed is the Wald TOST's (its exact power at the size given reaches 80%
    # and one fewer per group does not)
    row = _row(shared_incentives(*leapfrog, test="wald"), "no_shared_incentives")
    p = 82 / 130
    n = int(row.n_required)
    assert exact_power(p, n, n, 0.10, method="wald") >= 0.8 > exact_power(p, n - 1, n - 1, 0.10, method="wald")


def test_design_effect_inflates_planning_only(leapfrog):
    base = shared_incentives(*leapfrog)
    inflated = shared_incentives(*leapfrog, design_effect=1.5)
    for item in ("no_shared_incentives", "deliver_omnichannel"):
        # each size is multiplied by the design effect and rounded up
        assert _row(inflated, item).n_required == math.ceil(1.5 * int(_row(base, item).n_required))
    np.testing.assert_array_equal(inflated["p_value"], base["p_value"])
    assert (inflated["design_effect"] == 1.5).all()


# ---------------------------------------------------------------------------
# findings and verdicts
# ---------------------------------------------------------------------------


def _counts(rows, study="s"):
    """Counts as figure_counts gives them, from (item, group, k, n) rows (n None: no size)."""
    frame = pd.DataFrame(rows, columns=["item", "group", "k", "n"]).assign(study=study)
    known = frame["n"].notna()
    frame["k"] = frame["k"].astype("Int64")
    frame["n"] = frame["n"].astype("Int64")
    frame["k_low"] = frame["k_high"] = frame["k"]
    frame["p"] = (frame["k"].astype(float) / frame["n"].astype(float)).to_numpy()
    frame["value"] = 100 * frame["p"]
    frame["low"] = frame["high"] = np.nan
    frame["n_source"] = np.where(known, "published", pd.NA)
    frame["status"] = np.where(known, "ok", "no_size")
    return frame


def _items(rows, study="s"):
    return pd.DataFrame([{"study": study, "item": i1 if i1 == i2 else f"{i1} vs {i2}", "item1": i1, "group1": g1,
                          "item2": i2, "group2": g2} for i1, g1, i2, g2 in rows])


def test_findings():
    counts = _counts([
        ("big_equal", "marketing", 1000, 2000), ("big_equal", "it", 1000, 2000),
        ("clear_gap", "marketing", 300, 1000), ("clear_gap", "it", 600, 1000),
        ("small", "marketing", 5, 10), ("small", "it", 5, 10),
        ("tiny_but_real", "marketing", 5300, 10000), ("tiny_but_real", "it", 5000, 10000),
        ("no_size", "marketing", 50, 100), ("no_size", "it", None, None),
        ("pair_x", "marketing", 40, 100), ("pair_y", "marketing", 45, 100),
    ])
    items = _items([(i, "marketing", i, "it") for i in ("big_equal", "clear_gap", "small", "tiny_but_real", "no_size")]
                   + [("pair_x", "marketing", "pair_y", "marketing")])
    table = shared_incentives(counts, items)
    finding = dict(zip(table["item"], table["finding"]))
    expected = {}
    for item, (k1, n1, k2, n2) in {"big_equal": (1000, 2000, 1000, 2000), "clear_gap": (300, 1000, 600, 1000),
                                   "small": (5, 10, 5, 10), "tiny_but_real": (5300, 10000, 5000, 10000)}.items():
        equivalent = mn_tost(k1, n1, k2, n2, 0.10)[2] < 0.05
        low, high = mn_interval(k1, n1, k2, n2, 0.95)
        expected[item] = "equivalent" if equivalent else "different" if low > 0 or high < 0 else "inconclusive"
    # 1000/2000 each: equivalent; 30% vs 60%: different; 5/10 vs 5/10: inconclusive;
    # 53% vs 50% of 10,000: significant, yet inside +-10 points: equivalent
    assert expected == {"big_equal": "equivalent", "clear_gap": "different", "small": "inconclusive",
                        "tiny_but_real": "equivalent"}
    assert {k: finding[k] for k in expected} == expected
    tiny = _row(table, "tiny_but_real")
    assert tiny.significant and tiny.equivalent
    assert finding["no_size"] == "not testable" and _row(table, "no_size").status == "no_size"
    paired = _row(table, "pair_x vs pair_y")
    assert paired.finding == "not testable" and paired.status == "same_group"
    assert table["item"].tolist() == ["big_equal", "clear_gap", "small", "tiny_but_real", "no_size",
                                      "pair_x vs pair_y"]
    untested = table[table["finding"] == "not testable"]
    assert untested["p_value"].isna().all() and not untested["equivalent"].any()


def test_agreement_verdicts(tmp_path, runs):
    (tmp_path / "counts.csv").write_text(
        "study,item,group,n,k\n"
        "s,big_equal,marketing,2000,1000\ns,big_equal,it,2000,1000\n"
        "s,clear_gap,marketing,1000,300\ns,clear_gap,it,1000,600\n"
        "s,small,marketing,10,5\ns,small,it,10,5\n"
        "s,tiny_but_real,marketing,10000,5300\ns,tiny_but_real,it,10000,5000\n", encoding="utf-8")
    claims = [("c_big", "big_equal"), ("c_gap", "clear_gap"), ("c_small", "small"), ("c_tiny", "tiny_but_real"),
              ("c_two_ok", "big_equal"), ("c_two_ok", "small"), ("c_two_bad", "small"), ("c_two_bad", "clear_gap")]
    (tmp_path / "claims.csv").write_text(
        "claim_id,kind,study,source,quote,figure_a,relation,figure_b\n"
        + "".join(f"{c},agreement,s,test,the quote of {c},{i}/marketing,=,{i}/it\n" for c, i in claims),
        encoding="utf-8")
    result = runs("incentives", input=str(tmp_path / "counts.csv"), claims=str(tmp_path / "claims.csv"))
    got = result.claims.set_index("claim_id")["verdict"].to_dict()
    assert got == {
        "c_big": "supported", "c_gap": "not supported", "c_small": "undecidable with this sample",
        "c_tiny": "supported",
        "c_two_ok": "undecidable with this sample",  # supported + undecidable
        "c_two_bad": "not supported",  # undecidable + not supported
    }
    comparisons = result.comparisons
    assert (comparisons["ci_level"] == 0.95).all()
    gap = comparisons[comparisons["claim_id"] == "c_gap"].iloc[0]
    assert (gap["ci_low"], gap["ci_high"]) == pytest.approx(mn_interval(300, 1000, 600, 1000, 0.95), abs=1e-9)
    assert (gap["tost_ci_low"], gap["tost_ci_high"]) == pytest.approx(mn_interval(300, 1000, 600, 1000, 0.90),
                                                                      abs=1e-9)


# ---------------------------------------------------------------------------
# sensitivity
# ---------------------------------------------------------------------------


def test_sensitivity_enumerates_the_audit_scenarios(default):
    # Leapfrog: 131 = 106 + 25 under half up and half even (no split under truncate or ceil); bases 106/105 and
    # 25/24. 63% of 25 fits no count under any rule (15/25 = 60%, 16/25 = 64%); 67/106 = 63.21%,
    # 66/105 = 62.86%, 15/24 = 62.5% (63 half up, 62 half even).
    scenarios = brute.pair_scenarios(131, {"marketing": 81, "it": 19}, ("marketing", 63, "unknown"),
                                     ("it", 63, "unknown"))
    tested = [s for s in scenarios if s["k1"] is not None]
    assert {(s["rule"], s["k1"], s["n1"], s["k2"], s["n2"]) for s in tested} == {
        ("half_up", 67, 106, 15, 24), ("half_up", 66, 105, 15, 24)}
    row = _row(default.sensitivity, "no_shared_incentives")
    assert row.scenarios == len(tested) and row.not_assessable == len(scenarios) - len(tested)
    assert row.rules == "half_up, half_even" and row.n1_values == "105, 106" and row.n2_values == "24, 25"
    pvalues = [mn_tost(s["k1"], s["n1"], s["k2"], s["n2"], 0.10)[2] for s in tested]
    margins = [max(map(abs, mn_interval(s["k1"], s["n1"], s["k2"], s["n2"], 0.90))) for s in tested]
    assert (row.p_value_min, row.p_value_max) == pytest.approx((min(pvalues), max(pvalues)), abs=1e-9)
    assert (row.min_margin_min, row.min_margin_max) == pytest.approx((min(margins), max(margins)), abs=1e-9)
    assert row.findings == "inconclusive" and row.robust


def test_sensitivity_flags_flips_with_the_count(tmp_path):
    # a counts table whose first figure admits 2080..2240 of 4000 against 2000/4000, margin 5 points: at 52% the
    # 90% interval lies within +-5 points (equivalent), at 56% the 95% interval excludes 0 (different)
    (tmp_path / "counts.csv").write_text("study,item,group,n,k,k_low,k_high\ns,x,marketing,4000,2160,2080,2240\n"
                                         "s,x,it,4000,2000,2000,2000\n", encoding="utf-8")
    assert mn_tost(2080, 4000, 2000, 4000, 0.05)[2] < 0.05
    assert mn_interval(2240, 4000, 2000, 4000, 0.95)[0] > 0
    bundle = load_counts(input=str(tmp_path / "counts.csv"), store=None)
    settings = IncentivesSettings(input=str(tmp_path / "counts.csv"), margin=0.05, agreement_items=["x"])
    items = agreement_items(bundle.claims, bundle.counts, ["s"], ["x"])
    table = shared_incentives(figure_counts(bundle), items, margin=0.05)
    x = _row(incentives_sensitivity(bundle, table, items, settings), "x")
    assert 2 <= x.scenarios <= 161
    assert x.flips_with_data and not x.robust
    assert 0 < x.equivalent_share < 1 and 0 < x.significant_share < 1
    assert {"equivalent", "different"} <= set(x.findings.split(" | "))


def test_sensitivity_flags_flips_with_the_method(tmp_path):
    # 0/10 vs 0/10, margin 20 points: Wald's variance is 0 (degenerate: it says nothing); the score test's
    # p-value is about 0.06 (not equivalent), Agresti-Caffo's (one success and one failure added) about 0.04
    (tmp_path / "counts.csv").write_text("study,item,group,n,k\ns,y,marketing,10,0\ns,y,it,10,0\n", encoding="utf-8")
    assert mn_tost(0, 10, 0, 10, 0.20)[2] > 0.05
    with warnings.catch_warnings():  # statsmodels divides 0 by 0 for the ratio it also reports
        warnings.simplefilter("ignore", RuntimeWarning)
        assert tost_proportions_2indep(0, 10, 0, 10, -0.2, 0.2, method="agresti-caffo").pvalue < 0.05
    bundle = load_counts(input=str(tmp_path / "counts.csv"), store=None)
    settings = IncentivesSettings(input=str(tmp_path / "counts.csv"), margin=0.2, agreement_items=["y"])
    items = agreement_items(bundle.claims, bundle.counts, ["s"], ["y"])
    table = shared_incentives(figure_counts(bundle), items, margin=0.2)
    y = _row(incentives_sensitivity(bundle, table, items, settings), "y")
    assert y.flips_with_method and not y.flips_with_data and not y.robust
    wald = shared_incentives(figure_counts(bundle), items, margin=0.2, test="wald")
    assert _row(wald, "y").degenerate


# ---------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------


def test_run_incentives_leapfrog(default):
    assert default.claims[["claim_id", "verdict"]].values.tolist() == [
        ["both_lack_shared_incentives", "undecidable with this sample"],
        ["both_deliver_omnichannel", "undecidable with this sample"],
    ]
    comparisons = default.comparisons.set_index("claim_id")
    row = comparisons.loc["both_lack_shared_incentives"]
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (67, 106, 15, 24)
    assert row["n_source"] == "inferred" and row["ci_level"] == pytest.approx(0.95)


def normal_size(p, margin, alpha=0.05, power=0.8):
    """Smallest equal n at which the score TOST's normal power reaches ``power`` when both shares are p.

    Farrington & Manning (1990): the variance under each null (p1 - p2 = -+margin) at the restricted MLE
    of the true shares, with the Miettinen-Nurminen factor N/(N - 1); power 2 Phi((m sqrt(n) - z s0) / s1) - 1.
    """
    theta, d = 1.0, margin
    a, b = 1 + theta, -(1 + theta + p + theta * p + d * (theta + 2))
    c, e = d**2 + d * (2 * p + theta + 1) + p + theta * p, -p * d * (1 + d)
    v = b**3 / (27 * a**3) - b * c / (6 * a**2) + e / (2 * a)
    u = np.sign(v) * np.sqrt(b**2 / (9 * a**2) - c / (3 * a))
    # v = 0 (e.g. p = 1/2 with equal groups): arccos(0) = pi/2, so the cosine term vanishes
    r1 = -b / (3 * a) if v == 0 else 2 * u * np.cos((np.pi + np.arccos(v / u**3)) / 3) - b / (3 * a)
    r2 = r1 - d
    null, true = r1 * (1 - r1) + r2 * (1 - r2), 2 * p * (1 - p)
    z = stats.norm.isf(alpha)
    n = 2
    while 2 * stats.norm.cdf((margin * np.sqrt(n) - z * np.sqrt(null * 2 * n / (2 * n - 1))) / np.sqrt(true)) - 1 < power:
        n += 1
    return n


def test_required_n_curve(default):
    curve = default.required_n
    # the notebook's curve runs from 2 to 30 points in steps of 1, for each agreement item
    assert MARGIN_GRID == pytest.approx(tuple(m / 100 for m in range(2, 31)))
    assert len(curve) == 2 * len(MARGIN_GRID)
    for _, part in curve.groupby("item"):
        n = part["n_per_group"].astype(float).to_numpy()
        assert np.all(np.diff(n) < 0)  # a wider margin needs fewer respondents
    # at the table's own margin (10 points) the curve holds the table's exact size
    at10 = curve[np.isclose(curve["margin"], 0.10)].set_index("item")
    assert at10.loc["no_shared_incentives", "n_per_group"] == _row(default.table, "no_shared_incentives").n_required
    assert at10.loc["no_shared_incentives", "power_method"] == "exact enumeration"
    # elsewhere the score TOST's normal approximation (said in power_method), e.g. 9,972 per group at 2 points
    p = 82 / 130
    part = curve[curve["item"] == "no_shared_incentives"]
    for margin in (0.02, 0.05, 0.20, 0.30):
        row = part[np.isclose(part["margin"], margin)].iloc[0]
        assert row["n_per_group"] == normal_size(p, margin), margin
        assert "normal" in row["power_method"]
    assert normal_size(p, 0.02) == 9972


def test_required_n_curve_for_a_single_table():
    table = pd.DataFrame({"study": ["s"], "item": ["x"], "group1": ["a"], "group2": ["b"], "n1": [106], "n2": [24],
                          "p_plan": [0.5], "alpha": [0.05], "design_effect": [1.0]})
    curve = required_n_curve(table, margins=(0.05, 0.10, 0.20))
    assert curve["n_per_group"].tolist() == [normal_size(0.5, m) for m in (0.05, 0.10, 0.20)]
    empty = required_n_curve(table.iloc[0:0])
    assert empty.empty and "n_per_group" in empty.columns


def test_counts_table_input(tmp_path, runs, counts):
    path = tmp_path / "counts.csv"
    counts[counts["study"] == "leapfrog_2015"][["study", "item", "group", "n", "k"]].dropna().to_csv(path, index=False)
    result = runs("incentives", input=str(path), study="leapfrog_2015")
    assert result.bundle.source == "counts from counts.csv"
    assert result.table["k1"].tolist() == [67, 57] and (result.table["n_source"] == "published").all()
    # without figures there is nothing to vary: one scenario each
    assert result.sensitivity["scenarios"].tolist() == [1, 1]


def test_input_without_agreement_items_gives_empty_results(tmp_path, runs):
    path = tmp_path / "other.csv"
    pd.DataFrame({"study": ["other"] * 2, "item": ["x", "x"], "group": ["marketing", "it"], "n": [50, 50],
                  "k": [20, 21]}).to_csv(path, index=False)
    result = runs("incentives", input=str(path))
    assert result.table.empty and result.claims.empty and result.sensitivity.empty and result.required_n.empty
    bundle = load_counts(input=str(path), store=None)
    reason = ANALYSES["02_shared_incentives"].applicable(bundle, IncentivesSettings(input=str(path)))
    assert isinstance(reason, str) and "agreement" in reason
    # naming the item makes it applicable
    assert ANALYSES["02_shared_incentives"].applicable(
        bundle, IncentivesSettings(input=str(path), agreement_items=["x"])) is None


@pytest.mark.parametrize("kwargs, pattern", [
    ({"margin": 0}, "margin"), ({"margin": 1}, "margin"), ({"margin": -0.1}, "margin"),
    ({"alpha": 0}, "alpha"), ({"alpha": 0.5}, "alpha"), ({"power": 0}, "power"), ({"power": 1.0}, "power"),
    ({"design_effect": 0.8}, "design_effect"), ({"test": "exact"}, "test"), ({"margin": [0.1, 0.2]}, "margin"),
    ({"agreement_items": ["Not An Id"]}, "agreement_items"),
])
def test_run_incentives_errors(kwargs, pattern):
    with pytest.raises(ValidationError, match=pattern):
        run_incentives(**kwargs)


def test_unknown_study():
    with pytest.raises(DataValidationError, match="study: 'nope'"):
        run_incentives(study="nope")


# ---------------------------------------------------------------------------
# issue 15 item 7: agreement on any data
# ---------------------------------------------------------------------------


def _survey_counts(item_column, yes):
    raw = pd.read_csv(SURVEY, dtype=str, keep_default_na=False)
    group = raw["dept"].map({"Marketing": "marketing", "Technology": "it"})
    answered = (raw[item_column] != "") & (raw[item_column] != "99") & group.notna()
    k = (yes(raw[item_column]) & answered).groupby(group).sum()
    n = answered.groupby(group).sum()
    return int(k["marketing"]), int(n["marketing"]), int(k["it"]), int(n["it"])


def test_survey_tests_every_item_of_both_groups_without_agreement_items(runs):
    result = runs("incentives", **survey_input())
    # the codebook asks very_collaborative, no_shared_incentives and budget_agreed of both groups (the AI items
    # only of marketing); no claim of the bundled claims is about this survey
    assert result.table["item"].tolist() == ["very_collaborative", "no_shared_incentives", "budget_agreed"]
    assert result.claims.empty
    expected = {
        "very_collaborative": _survey_counts("q1_collab", lambda s: s == "4"),
        "no_shared_incentives": _survey_counts("q2_kpis", lambda s: s.str.strip().str.lower() == "no"),
        "budget_agreed": _survey_counts("q3_budget", lambda s: pd.to_numeric(s, errors="coerce") >= 4),
    }
    for item, counts in expected.items():
        row = _row(result.table, item)
        assert (row.k1, row.n1, row.k2, row.n2) == counts, item
        assert row.n_source == "observed" and row.finding != "not testable"


def test_survey_tests_exactly_the_agreement_items_given(runs):
    result = runs("incentives", **survey_input(agreement_items=["budget_agreed"]))
    assert result.table["item"].tolist() == ["budget_agreed"]
