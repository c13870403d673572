"""Shared-incentives analysis: checked against statsmodels, hand counts and hand formulas."""

from __future__ import annotations

import csv
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, tost_proportions_2indep

from alignment_stats.data import RAW_DIR, load_benchmark, load_claims, load_studies
from alignment_stats.equivalence import equivalence_test
from alignment_stats.incentives import (
    MARGIN_GRID,
    agreement_items,
    agreement_verdicts,
    incentives_sensitivity,
    required_n_curve,
    run_incentives,
    shared_incentives,
)
from alignment_stats.inputs import load_input
from alignment_stats.plots import equivalence_plot, required_n_plot

TOL = 1e-9
Z95, Z90 = stats.norm.isf(0.05), stats.norm.isf(0.10)  # 1.6448536, 1.2815516


@pytest.fixture(scope="module")
def loaded():
    return load_input()


@pytest.fixture(scope="module")
def table(loaded):
    return shared_incentives(loaded.counts, study="leapfrog_2015")


@pytest.fixture(scope="module")
def result():
    return run_incentives(study="leapfrog_2015")


def _row(frame, item):
    match = frame[frame["item"] == item]
    assert len(match) == 1
    return match.iloc[0]


def _claims(rows):
    """A claims table like load_claims() from (claim_id, figure_a, figure_b) rows."""
    frame = pd.DataFrame(
        [{"claim_id": c, "kind": "agreement", "study": "s", "source": "x", "quote": f"quote {c}", "figure_a": a,
          "relation": "=", "figure_b": b} for c, a, b in rows]
    )
    frame[["item_a", "group_a"]] = frame["figure_a"].str.split("/", expand=True)
    frame[["item_b", "group_b"]] = frame["figure_b"].str.split("/", expand=True)
    return frame


def _counts(rows):
    """A counts table from (item, group, k, n) rows of study 's'."""
    frame = pd.DataFrame(rows, columns=["item", "group", "k", "n"]).assign(study="s")
    frame["value"] = 100 * frame["k"] / frame["n"]
    frame["low"] = frame["high"] = np.nan
    frame["k_low"] = frame["k_high"] = frame["k"]
    return frame.astype({"k": "Int64", "n": "Int64", "k_low": "Int64", "k_high": "Int64"})


# ---------------------------------------------------------------------------
# which items, which counts
# ---------------------------------------------------------------------------


def test_agreement_items_are_the_agreement_claims_of_claims_csv():
    with open(RAW_DIR / "claims.csv", encoding="utf-8", newline="") as handle:
        raw = [r for r in csv.DictReader(handle) if r["kind"] == "agreement"]
    items = agreement_items(load_claims())
    assert list(zip(items["figure1"], items["figure2"])) == [(r["figure_a"], r["figure_b"]) for r in raw]
    assert set(items["item"]) == {"no_shared_incentives", "deliver_omnichannel"}


def test_leapfrog_counts_and_tost_equal_statsmodels_wald(loaded):
    # 63% of 106 marketers: 66.78 -> 67; 63% of 24 IT executives: 15/24 =
    # 62.5% (the only count rounding half up to 63); 54% of 106 -> 57; 50% of 24 -> 12.
    res = shared_incentives(loaded.counts, study="leapfrog_2015", method="wald")
    for item, counts in (("no_shared_incentives", (67, 106, 15, 24)), ("deliver_omnichannel", (57, 106, 12, 24))):
        row = _row(res, item)
        assert (row.k1, row.n1, row.k2, row.n2) == counts
        sm = tost_proportions_2indep(*counts, -0.10, 0.10, method="wald")
        assert row.p_lower == pytest.approx(sm.results_larger.pvalue, abs=TOL)
        assert row.p_upper == pytest.approx(sm.results_smaller.pvalue, abs=TOL)
        assert row.p_value == pytest.approx(sm.pvalue, abs=TOL)
        assert (row.ci_low, row.ci_high) == pytest.approx(
            confint_proportions_2indep(*counts, method="wald", alpha=0.10), abs=TOL)
        assert (row.diff_ci_low, row.diff_ci_high) == pytest.approx(
            confint_proportions_2indep(*counts, method="wald", alpha=0.05), abs=TOL)
        assert row.finding == "inconclusive" and not row.equivalent and not row.significant


def test_default_score_table_is_the_score_tost(table):
    # equivalence_test's score method is validated in tests/test_equivalence.py
    row = _row(table, "no_shared_incentives")
    ref = equivalence_test(67, 106, 15, 24, 0.10, method="score").iloc[0]
    for column in ("p_lower", "p_upper", "p_value", "ci_low", "ci_high", "min_margin"):
        assert row[column] == ref[column]
    wide = equivalence_test(67, 106, 15, 24, 0.10, alpha=0.025, method="score").iloc[0]
    assert (row.diff_ci_low, row.diff_ci_high) == (wide.ci_low, wide.ci_high)
    assert row.method == "score" and row.margin == 0.10 and row.alpha == 0.05


def test_planning_columns_by_hand(table):
    # pooled share (67 + 15) / 130 = 0.6307692; Chow's closed form with equal
    # shares: 8.5638474 * 2 * 0.6307692 * 0.3692308 / 0.01 = 398.9 -> 399.
    row = _row(table, "no_shared_incentives")
    p = 82 / 130
    assert row.p_plan == pytest.approx(p)
    assert row.n_required == math.ceil((Z95 + Z90) ** 2 * 2 * p * (1 - p) / 0.01)
    assert row.n_required == 399
    # power at 106 and 24 if both shares were 0.63: sigma = sqrt(p q (1/106 + 1/24)) = 0.1097;
    # 0.10 / 0.1097 = 0.91 < 1.645, so the acceptance region is empty: power 0.
    assert row.power == 0.0


def test_design_effect_inflates_planning_only(loaded):
    base = shared_incentives(loaded.counts, study="leapfrog_2015")
    inflated = shared_incentives(loaded.counts, study="leapfrog_2015", design_effect=1.5)
    p = 82 / 130
    # 398.9 * 1.5 = 598.4 -> 599
    assert _row(inflated, "no_shared_incentives").n_required == math.ceil(
        1.5 * (Z95 + Z90) ** 2 * 2 * p * (1 - p) / 0.01)
    assert (inflated["p_value"] == base["p_value"]).all()


# ---------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic():
    counts = _counts([
        ("big_equal", "marketing", 1000, 2000), ("big_equal", "it", 1000, 2000),
        ("clear_gap", "marketing", 300, 1000), ("clear_gap", "it", 600, 1000),
        ("small", "marketing", 5, 10), ("small", "it", 5, 10),
        ("tiny_but_real", "marketing", 5300, 10000), ("tiny_but_real", "it", 5000, 10000),
        ("no_size", "marketing", 50, 100), ("pair_x", "marketing", 40, 100), ("pair_y", "marketing", 45, 100),
    ])
    missing = pd.DataFrame({"study": ["s"], "item": ["no_size"], "group": ["it"], "k": [pd.NA], "n": [pd.NA],
                            "value": [50.0], "low": [np.nan], "high": [np.nan], "k_low": [pd.NA], "k_high": [pd.NA]})
    counts = pd.concat([counts, missing.astype(counts.dtypes.to_dict())], ignore_index=True)
    claims = _claims([
        ("c_big", "big_equal/marketing", "big_equal/it"),
        ("c_gap", "clear_gap/marketing", "clear_gap/it"),
        ("c_small", "small/marketing", "small/it"),
        ("c_tiny", "tiny_but_real/marketing", "tiny_but_real/it"),
        ("c_missing", "no_size/marketing", "no_size/it"),
        ("c_paired", "pair_x/marketing", "pair_y/marketing"),
        ("c_two_ok", "big_equal/marketing", "big_equal/it"),
        ("c_two_ok", "small/marketing", "small/it"),
        ("c_two_bad", "small/marketing", "small/it"),
        ("c_two_bad", "clear_gap/marketing", "clear_gap/it"),
    ])
    table = shared_incentives(counts, claims=claims)
    return counts, claims, table


def test_findings(synthetic):
    _, _, table = synthetic
    finding = dict(zip(table["item"], table["finding"]))
    # 1000/2000 each: MN 90% interval about +-0.026 -> equivalent within 0.10
    assert finding["big_equal"] == "equivalent"
    # 30% vs 60% of 1000: far apart
    assert finding["clear_gap"] == "different"
    # 5/10 vs 5/10: the 90% interval is about +-0.35
    assert finding["small"] == "inconclusive"
    # 53% vs 50% of 10,000: significant (Wald z = 0.03 / 0.00706 = 4.25) yet inside +-10 points
    tiny = _row(table, "tiny_but_real")
    assert tiny.finding == "equivalent" and tiny.significant
    assert "statistically significant" in tiny.verdict
    assert finding["no_size"] == "not testable" and "group sizes unknown" in _row(table, "no_size").verdict
    paired = _row(table, "pair_x vs pair_y")
    assert paired.finding == "not testable" and "same marketing respondents" in paired.verdict
    assert table["item"].tolist() == ["big_equal", "clear_gap", "small", "tiny_but_real", "no_size",
                                      "pair_x vs pair_y"]


def test_agreement_verdicts(synthetic):
    _, claims, table = synthetic
    verdicts = agreement_verdicts(claims, table)
    assert list(verdicts.columns) == ["claim_id", "study", "quote", "verdict", "detail"]
    got = dict(zip(verdicts["claim_id"], verdicts["verdict"]))
    assert got == {
        "c_big": "supported", "c_gap": "not supported", "c_small": "undecidable with this sample",
        "c_tiny": "supported", "c_missing": "undecidable with this sample",
        "c_paired": "undecidable with this sample",
        "c_two_ok": "undecidable with this sample",  # supported + undecidable
        "c_two_bad": "not supported",  # undecidable + not supported
    }
    small = verdicts.set_index("claim_id").loc["c_small", "detail"]
    assert "would need about" in small and "TOST p =" in small
    unmatched = agreement_verdicts(_claims([("c_other", "zzz/marketing", "zzz/it")]), table)
    assert unmatched["verdict"].tolist() == ["undecidable with this sample"]
    assert "no counts" in unmatched["detail"].iloc[0]


def test_verdict_in_words_for_leapfrog(table):
    text = _row(table, "no_shared_incentives").verdict
    # 67/106 = 63.2% -> "63%", 15/24 = 62.5% -> "63%" half up; min margin 19.2 points
    assert text.startswith("Marketing 67/106 (63%) vs IT 15/24 (63%)")
    assert "far too small to show it" in text
    assert "about 399 per group" in text and "this study: 106 and 24" in text
    assert f"\u00b1{100 * _row(table, 'no_shared_incentives').min_margin:.1f} points" in text


# ---------------------------------------------------------------------------
# sensitivity
# ---------------------------------------------------------------------------


def test_sensitivity_enumerates_the_audit_scenarios(loaded, table):
    sens = incentives_sensitivity(table, loaded.figures, loaded.studies)
    row = _row(sens, "no_shared_incentives")
    # candidate sizes: marketing 106 or 105, IT 25 or 24. No count of 25
    # gives 63% under any rule (15/25 = 60%, 16/25 = 64%). Counts giving 63%:
    # 67/106 = 63.21% (half up, half even, truncate), 66/106 = 62.26% (ceil),
    # 66/105 = 62.86% (half up, half even, ceil), 15/24 = 62.5% (half up,
    # ceil). Pairs feasible under one rule: half up (67/106 | 66/105, 15/24),
    # ceil (66/106 | 66/105, 15/24): three distinct tables.
    tables = [(67, 106, 15, 24), (66, 105, 15, 24), (66, 106, 15, 24)]
    assert row.scenarios == 3 and row.n1_values == "105, 106" and row.n2_values == "24"
    ref = equivalence_test(*np.array(tables).T, 0.10, method="score")
    assert row.p_value_min == ref["p_value"].min() and row.p_value_max == ref["p_value"].max()
    assert row.min_margin_min == ref["min_margin"].min() and row.min_margin_max == ref["min_margin"].max()
    assert row.verdicts == "undecidable with this sample" and row.robust


def test_sensitivity_flags_flips():
    # counts-only input: k1 anywhere in 2080..2240 of 4000 against 2000/4000
    # with margin 0.05. Wald-sized 90% half-width 1.645 * sqrt(2 * 0.25 /
    # 4000) = 0.018: at 2 points equivalent (0.038 < 0.05), at 6 points the
    # groups differ (95% interval 0.06 +- 0.022 excludes 0).
    counts = _counts([("x", "marketing", 2160, 4000), ("x", "it", 2000, 4000),
                      ("y", "marketing", 0, 10), ("y", "it", 0, 10)])
    counts.loc[0, ["k_low", "k_high"]] = [2080, 2240]
    claims = _claims([("cx", "x/marketing", "x/it"), ("cy", "y/marketing", "y/it")])
    table = shared_incentives(counts, margin=0.2, claims=claims)
    sens = incentives_sensitivity(shared_incentives(counts, margin=0.05, claims=claims), counts=counts)
    x = _row(sens, "x")
    assert x.scenarios == 161 and x.flips_with_data and not x.robust
    assert 0 < x.equivalent_share < 1 and 0 < x.significant_share < 1
    assert {"supported", "not supported"} <= set(x.verdicts.split(" | "))

    # 0/10 vs 0/10, margin 0.2: Wald's zero variance "shows" equivalence (p = 0); the
    # score test does not: restricted MLE (0.2, 0), z = -0.2 / sqrt(0.016 * 20/19) = -1.54, p = 0.06
    sens = incentives_sensitivity(table, counts=counts)
    y = _row(sens, "y")
    assert y.flips_with_method and not y.flips_with_data and not y.robust


# ---------------------------------------------------------------------------
# the result object and the notebook's pieces
# ---------------------------------------------------------------------------


def test_run_incentives_leapfrog(result):
    assert result.verdicts[["claim_id", "verdict"]].values.tolist() == [
        ["both_lack_shared_incentives", "undecidable with this sample"],
        ["both_deliver_omnichannel", "undecidable with this sample"],
    ]
    table = result.table
    row = _row(table, "no_shared_incentives")
    # percent: 67/106 = 63.2%, 15/24 = 62.5%
    assert (row.p1, row.p2) == (63.2, 62.5)
    assert row.min_margin == round(100 * _row(result.incentives, "no_shared_incentives").min_margin, 1)
    text = result.reading()
    assert "not evidence of agreement" in text and "**undecidable with this sample**" in text
    assert "never flips" in text


def test_required_n_curve(result):
    curve = result.required_n_curve
    assert len(curve) == 2 * len(MARGIN_GRID) and curve["margin"].min() == 0.02 and curve["margin"].max() == 0.30
    for _, part in curve.groupby("item"):
        n = part["n_per_group"].astype(float).to_numpy()
        assert np.all(np.diff(n) < 0)
    at10 = curve[np.isclose(curve["margin"], 0.10)].set_index("item")["n_per_group"]
    assert at10["no_shared_incentives"] == _row(result.incentives, "no_shared_incentives").n_required
    # 2 points at p = 82/130: 8.5638474 * 2 * 0.6307692 * 0.3692308 / 0.0004 = 9972.2 -> 9973
    p = 82 / 130
    at2 = curve[(curve["item"] == "no_shared_incentives") & np.isclose(curve["margin"], 0.02)]
    assert at2["n_per_group"].iloc[0] == math.ceil((Z95 + Z90) ** 2 * 2 * p * (1 - p) / 0.02**2)


def test_write(result, tmp_path):
    written = result.write(tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["claims.csv", "required_n.csv", "sensitivity.csv", "shared_incentives.csv"]
    assert all(p.parent == tmp_path / "results" for p in written)
    with open(tmp_path / "results" / "claims.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["claim_id", "quote", "verdict", "detail"]
    back = pd.read_csv(tmp_path / "results" / "shared_incentives.csv")
    assert back["k1"].tolist() == [67, 57]


def test_counts_table_input(tmp_path, loaded):
    path = tmp_path / "counts.csv"
    loaded.counts[["study", "item", "group", "n", "k"]].to_csv(path, index=False)
    res = run_incentives(input=str(path), study="leapfrog_2015")
    assert res.source == "counts from counts.csv"
    assert res.incentives["k1"].tolist() == [67, 57]
    # without figures the sensitivity uses the table's own counts: one scenario each
    assert res.sensitivity["scenarios"].tolist() == [1, 1]


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"margin": 0}, "margin"), ({"margin": 1}, "margin"), ({"margin": -0.1}, "margin"),
    ({"alpha": 0}, "alpha"), ({"alpha": 0.5}, "alpha"), ({"power": 0}, "power"), ({"power": 1.0}, "power"),
    ({"design_effect": 0.8}, "design_effect"), ({"method": "exact"}, "method"), ({"study": "nope"}, "study"),
    ({"margin": [0.1, 0.2]}, "margin"),
])
def test_run_incentives_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        run_incentives(**kwargs)


def test_plots_return_closed_figures(result, synthetic):
    for fig in (equivalence_plot(result.incentives), required_n_plot(result.required_n_curve, margin=0.10),
                equivalence_plot(synthetic[2])):
        assert not plt.fignum_exists(fig.number)
        assert fig.axes
    labels = [t.get_text() for t in equivalence_plot(result.incentives).axes[0].get_yticklabels()]
    assert labels[0] == "no shared incentives\nMarketing 67/106 vs IT 15/24"
    empty = equivalence_plot(synthetic[2].iloc[0:0])
    assert not plt.fignum_exists(empty.number)


def test_input_without_agreement_claims_gives_empty_results(tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"study": ["other"] * 2, "item": ["x", "x"], "group": ["marketing", "it"], "n": [50, 50],
                  "k": [20, 21]}).to_csv(path, index=False)
    res = run_incentives(input=str(path))
    assert res.incentives.empty and res.verdicts.empty and res.sensitivity.empty and res.required_n_curve.empty
    assert "No agreement claims" in res.reading()
    assert len(res.write(tmp_path / "out")) == 4
    assert not plt.fignum_exists(equivalence_plot(res.incentives).number)
    assert not plt.fignum_exists(required_n_plot(res.required_n_curve).number)
