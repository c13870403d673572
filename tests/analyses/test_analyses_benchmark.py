"""Benchmark comparison (notebook 04): checked against scipy, statsmodels, hand counts and plain pandas.

References: scipy ``fisher_exact``; statsmodels ``confint_proportions_2indep``
(Newcombe), ``proportion_confint`` (Wilson) and ``multipletests`` (Holm); the
benchmark's feasible counts by exact enumeration (:mod:`rounding_brute`);
the demo survey counted with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rounding_brute as brute
from pydantic import ValidationError
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from alignment_stats.analyses import run_benchmark
from alignment_stats.analyses.benchmark import (
    COMPARISON_TABLE_COLUMNS,
    compare_to_benchmark,
)
from alignment_stats.analyses.comparisons import figure_counts
from alignment_stats.config import BUNDLED_FIGURES, DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.counts import load_counts
from alignment_stats.schema import DataValidationError


def _fisher(k1, n1, k2, n2):
    return fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1]


@pytest.fixture(scope="module")
def bench(bundle):
    counts = figure_counts(bundle)
    return counts[counts["study"] == "leapfrog_2015"]


def _ours(rows, study="acme_2025"):
    return pd.DataFrame([{"study": study, "item": i, "group": g, "n": n, "k": k, "p": k / n} for i, g, k, n in rows])


def _row(table, item, group):
    match = table[(table["item"] == item) & (table["group"] == group)]
    assert len(match) == 1, (item, group)
    return match.iloc[0]


def test_against_scipy_and_statsmodels(bench):
    # Leapfrog (audit): very collaborative 32/106 marketing, 3/24 IT; improved alignment 21/106 marketing
    ours = _ours([("very_collaborative", "marketing", 50, 100), ("very_collaborative", "it", 5, 40),
                  ("improved_alignment", "marketing", 8, 90)])
    res = compare_to_benchmark(ours, bench, "leapfrog_2015")
    assert list(res.columns) == list(COMPARISON_TABLE_COLUMNS)
    expected = [(50, 100, 32, 106), (5, 40, 3, 24), (8, 90, 21, 106)]
    pvalues = [_fisher(*t) for t in expected]
    holm = multipletests(pvalues, method="holm")[1]
    for i, (k1, n1, k2, n2) in enumerate(expected):
        row = res.iloc[i]
        assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (k1, n1, k2, n2)
        assert row["diff"] == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)
        assert row["ci_level"] == pytest.approx(0.95)
        assert row["p_value"] == pytest.approx(pvalues[i], abs=1e-12)
        assert row["p_adjusted"] == pytest.approx(holm[i], abs=1e-12)
        assert bool(row["significant"]) == (holm[i] < 0.05)
    # 50/100 vs 32/106: Fisher p = 0.0029, Holm x3 -> 0.0088 < 0.05: above;
    # 5/40 vs 3/24: 12.5% both: indistinguishable; 8/90 vs 21/106: Holm p about 0.09: indistinguishable
    assert res["position"].tolist() == ["above", "indistinguishable", "indistinguishable"]


def test_below_and_wilson_intervals(bench):
    res = compare_to_benchmark(_ours([("importance_data_tracking_analytics", "marketing", 30, 100)]), bench,
                               "leapfrog_2015")
    row = res.iloc[0]
    # 30/100 vs 64/106 = 60.4%: -30 points, Fisher p < 1e-4: below
    assert row["position"] == "below" and row["significant"]
    assert (row["p1_ci_low"], row["p1_ci_high"]) == pytest.approx(proportion_confint(30, 100, method="wilson"))
    assert (row["p2_ci_low"], row["p2_ci_high"]) == pytest.approx(proportion_confint(64, 106, method="wilson"))


def test_range_over_the_benchmarks_feasible_counts(bench):
    # "about half" of 106 marketers (45-55%): 48..58 fit (48/106 = 45.3%, 58/106 = 54.7%); the middle 53
    assert brute.feasible_interval(45, 55, 106) == list(range(48, 59))
    row = compare_to_benchmark(_ours([("omnichannel_important", "marketing", 380, 1000)]), bench,
                               "leapfrog_2015").iloc[0]
    assert (row["k2_low"], row["k2_high"], row["k2"]) == (48, 58, 53)
    assert (row["low2"], row["high2"]) == (45, 55)
    assert row["diff_min"] == pytest.approx(0.38 - 58 / 106) and row["diff_max"] == pytest.approx(0.38 - 48 / 106)
    # one comparison, so the adjusted p is Fisher's p; which counts make 38% of 1000 significantly lower?
    p = {k2: _fisher(380, 1000, k2, 106) for k2 in range(48, 59)}
    significant = {k2 for k2, v in p.items() if v < 0.05}
    assert significant and len(significant) < 11  # some counts, not all
    assert row["positions"] == "below / indistinguishable" and not row["robust"]
    assert row["p_adjusted_min"] == pytest.approx(min(p.values())) and row["p_adjusted_max"] == pytest.approx(
        max(p.values()))
    lows = [confint_proportions_2indep(380, 1000, k2, 106, method="newcomb")[0] for k2 in range(48, 59)]
    assert row["ci_low_min"] == pytest.approx(min(lows), abs=1e-9)


def test_unmatched_and_unknown_benchmark_counts(bench):
    # omnichannel_confidence/it: 40% of 24 is impossible (9/24 = 37.5%, 10/24 = 41.7%): no benchmark count
    assert brute.feasible(40, 24, "half_up") == []
    ours = _ours([("very_collaborative", "marketing", 30, 100), ("made_up_item", "marketing", 10, 100),
                  ("omnichannel_confidence", "it", 10, 25)])
    res = compare_to_benchmark(ours, bench, "leapfrog_2015")
    assert _row(res, "made_up_item", "marketing")["status"] == "no_figure"
    unknown = _row(res, "omnichannel_confidence", "it")
    assert unknown["status"] == "no_count" and unknown["value2"] == 40
    assert pd.isna(unknown["p_value"]) and not unknown["significant"]
    assert (res["n_tests"] == 1).all()  # only the matched row is tested and adjusted
    matched = _row(res, "very_collaborative", "marketing")
    assert matched["p_adjusted"] == pytest.approx(_fisher(30, 100, 32, 106), abs=1e-12)


@pytest.mark.parametrize("kwargs, error", [({"ci": "exact"}, ValidationError), ({"alpha": 0.7}, ValidationError),
                                           ({"adjust": "sidak"}, ValidationError),
                                           ({"benchmark_study": "nope"}, DataValidationError),
                                           ({"study": "nope"}, DataValidationError)])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        run_benchmark(**kwargs)


def _several_studies():
    return pd.concat([
        _ours([("very_collaborative", "marketing", 32, 106)], study="leapfrog_2015"),  # the benchmark itself
        _ours([("very_collaborative", "marketing", 50, 100), ("very_collaborative", "it", 5, 40),
               ("improved_alignment", "marketing", 8, 90)], study="acme_2025"),
        _ours([("very_collaborative", "marketing", 10, 100), ("expertise_omnichannel", "marketing", 40, 100),
               ("made_up_item", "marketing", 1, 10)], study="beta_2024"),
        _ours([("own_item", "marketing", 3, 10), ("own_item", "it", 2, 10)], study="gamma_2023"),  # shares nothing
    ], ignore_index=True).drop(columns="p")


def test_several_studies_each_its_own_family(tmp_path, runs):
    path = tmp_path / "several.csv"
    _several_studies().to_csv(path, index=False)
    result = runs("benchmark", input=str(path), codebook=None)
    assert result.compared_studies == ["acme_2025", "beta_2024"]
    res = result.table
    assert list(res.columns) == list(COMPARISON_TABLE_COLUMNS)
    # leapfrog_2015 (the benchmark) and gamma_2023 (no shared item) are left out, and so is beta's made-up item
    assert res["study"].tolist() == ["acme_2025"] * 3 + ["beta_2024"] * 2
    # Leapfrog: very collaborative 32/106 marketing, 3/24 IT; improved alignment 21/106; expertise omnichannel 16/106
    tables = {"acme_2025": [(50, 100, 32, 106), (5, 40, 3, 24), (8, 90, 21, 106)],
              "beta_2024": [(10, 100, 32, 106), (40, 100, 16, 106)]}
    for study, expected in tables.items():
        rows = res[res["study"] == study]
        assert [(r.k1, r.n1, r.k2, r.n2) for r in rows.itertuples()] == expected
        raw = [_fisher(*t) for t in expected]
        np.testing.assert_allclose(rows["p_value"].to_numpy(float), raw, rtol=0, atol=1e-12)
        np.testing.assert_allclose(rows["p_adjusted"].to_numpy(float), multipletests(raw, method="holm")[1],
                                   rtol=0, atol=1e-12)
        assert (rows["n_tests"] == len(expected)).all()
    beta = res[res["study"] == "beta_2024"].set_index("item")
    # 10/100 vs 32/106 is below, 40/100 vs 16/106 above (Fisher p < 1e-4 each)
    assert beta.loc["very_collaborative", "position"] == "below"
    assert beta.loc["expertise_omnichannel", "position"] == "above"
    assert res.loc[res["study"] == "acme_2025", "position"].tolist() == ["above", "indistinguishable",
                                                                         "indistinguishable"]
    assert sorted(set(result.counts["study"])) == ["acme_2025", "beta_2024"]
    # naming one study gives the same family
    alone = runs("benchmark", input=str(path), codebook=None, study="beta_2024").table
    np.testing.assert_allclose(alone["p_adjusted"].to_numpy(float), beta["p_adjusted"].to_numpy(float), atol=0)


def test_no_study_shares_an_item(tmp_path, runs):
    counts = pd.concat([_ours([("own_item", "marketing", 3, 10)], study="gamma_2023"),
                        _ours([("very_collaborative", "marketing", 32, 106)], study="leapfrog_2015"),
                        _ours([("other_item", "it", 1, 5)], study="delta_2022")], ignore_index=True).drop(columns="p")
    path = tmp_path / "none.csv"
    counts.to_csv(path, index=False)
    result = runs("benchmark", input=str(path), codebook=None)
    assert result.table.empty and list(result.table.columns) == list(COMPARISON_TABLE_COLUMNS)
    assert result.compared_studies == []
    assert sorted(set(result.counts["study"])) == ["delta_2022", "gamma_2023"]


def test_demo_against_leapfrog_is_identical_by_construction(runs, counts):
    result = runs("benchmark")
    table = result.table
    assert len(table) == 19 and (table["position"] == "indistinguishable").all()
    assert (table["diff"] == 0).all() and (table["p_value"] == 1).all()
    leap = counts[counts["study"] == "leapfrog_2015"].set_index(["item", "group"])
    raw = pd.read_csv(DEMO_SURVEY)
    for r in table.itertuples():
        assert (r.k2, r.n2) == (leap.loc[(r.item, r.group), "k"], leap.loc[(r.item, r.group), "n"])
        assert (r.k1, r.n1) == (r.k2, r.n2)
    # counted with pandas: 32 of the 106 marketers call the relationship very collaborative
    mkt = raw[raw["department"] == "Marketing"]
    assert (mkt["q_relationship"] == "Very collaborative and productive").sum() == 32
    assert result.bundle.synthetic and "SYNTHETIC" in result.bundle.source
    paired = result.paired.set_index("pair").loc["data_tracking_analytics"]
    # the skills gap is identified: data tracking 64 important, 43 expert
    assert (paired["both"] + paired["a_only"], paired["both"] + paired["b_only"], paired["n"]) == (64, 43, 106)


def test_counts_file_as_input(tmp_path, runs):
    path = tmp_path / "acme_counts.csv"
    _ours([("very_collaborative", "marketing", 50, 100)]).drop(columns="p").to_csv(path, index=False)
    result = runs("benchmark", input=str(path), codebook=None)
    # 50/100 vs 32/106, one test: Fisher p = 0.0088 < 0.05
    assert _fisher(50, 100, 32, 106) < 0.05
    assert result.table["position"].tolist() == ["above"] and not result.bundle.synthetic


def test_bundled_figures_file_as_input(runs):
    # item ids are study-specific: only leapfrog_2015 itself has Leapfrog's items, and it is the benchmark
    result = runs("benchmark", input=str(BUNDLED_FIGURES), codebook=None)
    assert result.table.empty and "leapfrog_2015" in result.bundle.study_ids and len(result.bundle.study_ids) == 8


def test_bad_input_writes_nothing(tmp_path):
    broken = tmp_path / "answers.csv"
    broken.write_text("respondent_id,department\n1,Marketing\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="answers.csv"):
        run_benchmark(input=str(broken), codebook=str(DEMO_CODEBOOK), output_dir=str(out))
    assert not out.exists()


# ---------------------------------------------------------------------------
# issue 15 item 9: 04 takes rounding like the others
# ---------------------------------------------------------------------------


def test_rounding_changes_the_benchmark_counts(runs):
    shares = {"marketing": 81, "it": 19}
    # half up: 131 = 106 + 25, IT item base 24 (13% of 24: 3/24 = 12.5% -> 13); truncate: no split of 131 at all
    assert [s["sizes"] for s in brute.splits(131, shares, "half_up")] == [{"marketing": 106, "it": 25}]
    assert brute.splits(131, shares, "truncate") == []
    half_up = runs("benchmark", rounding="half_up").table
    truncate = runs("benchmark", rounding="truncate").table
    assert (half_up["status"] == "ok").all() and len(half_up) == 19
    assert len(truncate) == 19 and (truncate["status"] != "ok").all()  # no benchmark count under truncation
    assert truncate["p_value"].isna().all()
    # half even: the split is the same, but 3/24 = 12.5% reads 12%, so 13% of IT fits no count (nor at 25)
    assert brute.feasible(13, 24, "half_even") == [] and brute.feasible(13, 25, "half_even") == []
    half_even = runs("benchmark", rounding="half_even").table
    assert _row(half_even, "very_collaborative", "it")["status"] == "no_count"
    assert _row(half_up, "very_collaborative", "it")["status"] == "ok"


def test_weighted_shares_are_the_weighted_estimate(runs):
    result = runs("benchmark", design="weighted")
    raw = pd.read_csv(DEMO_SURVEY)
    it = raw[raw["department"] == "IT"]
    w = it["weight"]
    yes = it["q_relationship"] == "Very collaborative and productive"
    row = _row(result.table, "very_collaborative", "it")
    assert row["p1"] == pytest.approx((w * yes).sum() / w.sum(), abs=1e-12)
    assert row["diff"] == pytest.approx(row["p1"] - 3 / 24, abs=1e-12)
    assert "Kish" in row["ci_method"]


def test_applicability(tmp_path):
    from alignment_stats.analyses import ANALYSES
    from alignment_stats.analyses.settings import BenchmarkSettings

    analysis = ANALYSES["04_benchmark_comparison"]

    def reason(path, **extra):
        settings = BenchmarkSettings(input=str(path), codebook=None, **extra)
        return analysis.applicable(load_counts(**settings.counts_options(), store=None), settings)

    # an input holding only the benchmark study itself, or studies that share no item/group with it
    only = tmp_path / "only.csv"
    _ours([("very_collaborative", "it", 3, 24)], study="leapfrog_2015").drop(columns="p").to_csv(only, index=False)
    assert isinstance(reason(only), str) and "leapfrog_2015" in reason(only)
    mixed = tmp_path / "mixed.csv"
    pd.concat([_ours([("made_up_item", "marketing", 1, 10)], study="gamma_2023"),
               _ours([("very_collaborative", "marketing", 50, 100)], study="acme_2025")]).drop(columns="p").to_csv(
        mixed, index=False)
    assert reason(mixed) is None
    assert isinstance(reason(mixed, study="gamma_2023"), str)  # the named study shares nothing
