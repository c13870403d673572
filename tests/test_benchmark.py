"""Benchmark comparison: checked against scipy, statsmodels and hand counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from alignment_stats.audit import run_audit
from alignment_stats.benchmark import COMPARISON_COLUMNS, compare_to_benchmark, run_benchmark
from alignment_stats.data import DataValidationError
from alignment_stats.survey import DEMO_CODEBOOK, DEMO_SURVEY


@pytest.fixture(scope="module")
def bench():
    return run_audit().counts


def _ours(rows, study="acme_2025"):
    return pd.DataFrame([{"study": study, "item": i, "group": g, "n": n, "k": k} for i, g, k, n in rows])


def _row(table, item, group):
    match = table[(table["item"] == item) & (table["group"] == group)]
    assert len(match) == 1
    return match.iloc[0]


def test_against_scipy_and_statsmodels(bench):
    # Leapfrog (audit): very collaborative 32/106 marketing, 3/24 IT; improved alignment 21/106 marketing
    ours = _ours([("very_collaborative", "marketing", 50, 100), ("very_collaborative", "it", 5, 40),
                  ("improved_alignment", "marketing", 8, 90)])
    res = compare_to_benchmark(ours, bench)
    assert list(res.columns) == list(COMPARISON_COLUMNS)
    expected = [(50, 100, 32, 106), (5, 40, 3, 24), (8, 90, 21, 106)]
    pvalues = [fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1] for k1, n1, k2, n2 in expected]
    holm = multipletests(pvalues, method="holm")[1]
    for i, (k1, n1, k2, n2) in enumerate(expected):
        row = res.iloc[i]
        assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (k1, n1, k2, n2)
        assert row["diff"] == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)
        assert row["p_value"] == pytest.approx(pvalues[i], abs=1e-12)
        assert row["p_adjusted"] == pytest.approx(holm[i], abs=1e-12)
    # 50/100 vs 32/106: Fisher p = 0.0029, Holm x3 -> 0.0088 < 0.05: above
    # 5/40 vs 3/24: 12.5% both: indistinguishable; 8/90 = 8.9% vs 21/106 = 19.8%: Holm p about 0.09: indistinguishable
    assert res["position"].tolist() == ["above", "indistinguishable", "indistinguishable"]
    assert res["verdict"].iloc[0].startswith("you 50/100 (50.0%) vs leapfrog_2015 32/106 (30.2%, published 30%)")
    assert "above the benchmark" in res["verdict"].iloc[0]


def test_below_and_wilson_intervals(bench):
    from statsmodels.stats.proportion import proportion_confint

    res = compare_to_benchmark(_ours([("importance_data_tracking_analytics", "marketing", 30, 100)]), bench)
    row = res.iloc[0]
    # 30/100 vs 64/106 = 60.4%: -30 points, Fisher p < 1e-4: below
    assert row["position"] == "below" and row["significant"]
    assert (row["p1_ci_low"], row["p1_ci_high"]) == pytest.approx(proportion_confint(30, 100, method="wilson"))
    assert (row["p2_ci_low"], row["p2_ci_high"]) == pytest.approx(proportion_confint(64, 106, method="wilson"))


def test_range_over_the_benchmarks_feasible_counts(bench):
    # "about half" of 106 marketers (45-55%): the audit allows 48..58 (48/106 = 45.3%, 58/106 = 54.7%)
    ours = _ours([("omnichannel_important", "marketing", 380, 1000)])
    row = compare_to_benchmark(ours, bench).iloc[0]
    assert (row["k2_low"], row["k2_high"], row["k2"]) == (48, 58, 53)
    assert row["benchmark_figure"] == "45-55%"
    assert row["diff_min"] == pytest.approx(0.38 - 58 / 106) and row["diff_max"] == pytest.approx(0.38 - 48 / 106)
    # one comparison, so the adjusted p is Fisher's p; which counts make 38% of 1000 significantly lower?
    p = {k2: fisher_exact([[380, 620], [k2, 106 - k2]])[1] for k2 in range(48, 59)}
    significant = {k2 for k2, v in p.items() if v < 0.05}
    assert significant and len(significant) < 11  # some counts, not all
    assert row["positions"] == "below / indistinguishable" and not row["robust"]
    assert row["p_adjusted_min"] == pytest.approx(min(p.values())) and row["p_adjusted_max"] == pytest.approx(
        max(p.values()))
    assert "over the feasible benchmark counts 48-58 it reads below / indistinguishable" in row["verdict"]
    lows = [confint_proportions_2indep(380, 1000, k2, 106, method="newcomb")[0] for k2 in range(48, 59)]
    assert row["ci_low_min"] == pytest.approx(min(lows), abs=1e-9)


def test_unmatched_and_unknown_benchmark_counts(bench):
    # omnichannel_confidence/it: 40% of 24 is impossible (9/24 = 37.5%, 10/24 = 41.7%): no benchmark count
    ours = _ours([("very_collaborative", "marketing", 30, 100), ("made_up_item", "marketing", 10, 100),
                  ("omnichannel_confidence", "it", 10, 25)])
    res = compare_to_benchmark(ours, bench)
    assert _row(res, "made_up_item", "marketing")["position"] == "no benchmark figure"
    unknown = _row(res, "omnichannel_confidence", "it")
    assert unknown["position"] == "no benchmark count" and unknown["benchmark_figure"] == "40%"
    assert "no whole count of its group fits it" in unknown["verdict"]
    assert (res["n_tests"] == 1).all()  # only the matched row is tested and adjusted


def test_bad_arguments(bench):
    ours = _ours([("very_collaborative", "marketing", 30, 100)])
    with pytest.raises(ValueError, match="benchmark_study: 'nope' is not in the benchmark"):
        compare_to_benchmark(ours, bench, benchmark_study="nope")
    with pytest.raises(ValueError, match="ci: 'exact' is not known"):
        compare_to_benchmark(ours, bench, ci="exact")
    with pytest.raises(ValueError, match="alpha"):
        compare_to_benchmark(ours, bench, alpha=0.7)
    two = pd.concat([ours, _ours([("very_collaborative", "it", 3, 20)], study="other")])
    assert compare_to_benchmark(two, bench)["study"].tolist() == ["acme_2025", "other"]
    assert len(compare_to_benchmark(two, bench, study="other")) == 1
    # a named study that shares nothing, or is absent: the user asked for the impossible
    with pytest.raises(ValueError, match="no item/group of your survey has a benchmark count"):
        compare_to_benchmark(_ours([("made_up_item", "marketing", 1, 10)]), bench, study="acme_2025")
    with pytest.raises(ValueError, match="study: 'nope' is not in the counts"):
        compare_to_benchmark(two, bench, study="nope")
    with pytest.raises(ValueError, match="counts hold only the benchmark study 'leapfrog_2015'"):
        compare_to_benchmark(_ours([("very_collaborative", "it", 3, 24)], study="leapfrog_2015"), bench)


def _several_studies():
    return pd.concat([
        _ours([("very_collaborative", "marketing", 32, 106)], study="leapfrog_2015"),  # the benchmark itself
        _ours([("very_collaborative", "marketing", 50, 100), ("very_collaborative", "it", 5, 40),
               ("improved_alignment", "marketing", 8, 90)], study="acme_2025"),
        _ours([("very_collaborative", "marketing", 10, 100), ("expertise_omnichannel", "marketing", 40, 100),
               ("made_up_item", "marketing", 1, 10)], study="beta_2024"),
        _ours([("own_item", "marketing", 3, 10), ("own_item", "it", 2, 10)], study="gamma_2023"),  # shares nothing
    ], ignore_index=True)


def test_several_studies_each_its_own_family(bench):
    res = compare_to_benchmark(_several_studies(), bench)
    assert list(res.columns) == list(COMPARISON_COLUMNS)
    # leapfrog_2015 (the benchmark) and gamma_2023 (no shared item) are left out; input order is kept
    assert res["study"].tolist() == ["acme_2025"] * 3 + ["beta_2024"] * 3
    # Leapfrog: very collaborative 32/106 marketing, 3/24 IT; improved alignment 21/106; expertise omnichannel 16/106
    tables = {"acme_2025": [(50, 100, 32, 106), (5, 40, 3, 24), (8, 90, 21, 106)],
              "beta_2024": [(10, 100, 32, 106), (40, 100, 16, 106)]}
    for study, expected in tables.items():
        rows = res[(res["study"] == study) & res["position"].isin(["above", "below", "indistinguishable"])]
        assert [(r.k1, r.n1, r.k2, r.n2) for r in rows.itertuples()] == expected
        raw = [fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1] for k1, n1, k2, n2 in expected]
        np.testing.assert_allclose(rows["p_value"].to_numpy(float), raw, rtol=0, atol=1e-12)
        np.testing.assert_allclose(rows["p_adjusted"].to_numpy(float), multipletests(raw, method="holm")[1],
                                   rtol=0, atol=1e-12)
        assert (rows["n_tests"] == len(expected)).all()
        # the same family as naming the study
        alone = compare_to_benchmark(_several_studies(), bench, study=study)
        np.testing.assert_allclose(alone["p_adjusted"].to_numpy(float), res.loc[res["study"] == study,
                                   "p_adjusted"].to_numpy(float), rtol=0, atol=0)
    # beta, two tests, by hand: Holm multiplies the smaller p by 2, the larger by 1 (kept >= the first)
    beta = res[res["study"] == "beta_2024"].set_index("item")
    p_small, p_large = sorted([beta.loc["very_collaborative", "p_value"], beta.loc["expertise_omnichannel", "p_value"]])
    assert sorted(beta["p_adjusted"].dropna()) == pytest.approx([min(1, 2 * p_small), max(p_large, 2 * p_small)])
    # 10/100 vs 32/106 is below, 40/100 vs 16/106 above (Fisher p < 1e-4 each); the made-up item is not compared
    assert beta.loc["very_collaborative", "position"] == "below"
    assert beta.loc["expertise_omnichannel", "position"] == "above"
    assert beta.loc["made_up_item", "position"] == "no benchmark figure"
    # acme as in test_against_scipy_and_statsmodels: adjusted over its own 3 tests, not all 5
    assert res.loc[res["study"] == "acme_2025", "position"].tolist() == ["above", "indistinguishable",
                                                                         "indistinguishable"]


def test_several_studies_through_run_benchmark(tmp_path):
    path = tmp_path / "several.csv"
    _several_studies().to_csv(path, index=False)
    result = run_benchmark(path)
    assert result.compared_studies == ["acme_2025", "beta_2024"] and result.nothing_compared is None
    assert result.studies == ("leapfrog_2015", "acme_2025", "beta_2024", "gamma_2023")
    assert result.table.columns[0] == "study" and len(result.table) == 6
    assert sorted(set(result.counts["study"])) == ["acme_2025", "beta_2024"]
    reading = result.reading()
    assert "- Not compared: gamma_2023 shares no item/group with a count of **leapfrog_2015**." in reading
    assert "**acme_2025** against **leapfrog_2015**: 3 item/group figure(s) compared" in reading
    assert "holm adjustment over 2 tests within this study" in reading
    assert "**beta_2024 · very_collaborative · marketing**" in result.verdicts_markdown()
    from alignment_stats.plots import benchmark_dot_plot

    labels = [t.get_text() for t in benchmark_dot_plot(result.comparison).axes[0].get_yticklabels()]
    assert labels[0] == "acme_2025 · very collaborative · marketing" and len(labels) == 5


def test_no_study_shares_an_item(bench, tmp_path):
    import matplotlib.pyplot as plt

    counts = pd.concat([_ours([("own_item", "marketing", 3, 10)], study="gamma_2023"),
                        _ours([("very_collaborative", "marketing", 32, 106)], study="leapfrog_2015"),
                        _ours([("other_item", "it", 1, 5)], study="delta_2022")], ignore_index=True)
    empty = compare_to_benchmark(counts, bench)
    assert empty.empty and list(empty.columns) == list(COMPARISON_COLUMNS)
    with pytest.raises(ValueError, match="no item/group of your survey has a benchmark count"):
        compare_to_benchmark(counts, bench, study="gamma_2023")
    path = tmp_path / "none.csv"
    counts.to_csv(path, index=False)
    result = run_benchmark(path)
    assert result.comparison.empty and result.table.empty
    assert list(result.table.columns) == list(run_benchmark().table.columns)
    assert result.studies == ("gamma_2023", "leapfrog_2015", "delta_2022")
    reading = result.reading()
    assert "Nothing compared" in reading and "(gamma_2023, leapfrog_2015, delta_2022)" in reading
    assert "leapfrog_2015 is the benchmark study itself" in reading
    assert "shares an item/group with a count of the benchmark study **leapfrog_2015**" in reading
    assert result.verdicts_markdown() == f"- {result.nothing_compared}"
    from alignment_stats.plots import benchmark_dot_plot

    figure = benchmark_dot_plot(result.comparison, note=result.nothing_compared)
    assert not plt.fignum_exists(figure.number)
    assert "gamma_2023, leapfrog_2015, delta_2022" in figure.axes[0].texts[0].get_text().replace("\n", " ")
    written = result.write(tmp_path / "out")
    back = pd.read_csv(tmp_path / "out" / "results" / "benchmark_comparison.csv")
    assert back.empty and list(back.columns) == list(COMPARISON_COLUMNS)
    survey = pd.read_csv(tmp_path / "out" / "results" / "survey_counts.csv")
    assert sorted(survey["study"]) == ["delta_2022", "gamma_2023"]
    assert len(written) == 2


def test_bundled_figures_file_as_input():
    from alignment_stats.data import RAW_DIR

    # item ids are study-specific: only leapfrog_2015 itself has Leapfrog's items
    result = run_benchmark(RAW_DIR / "benchmark_figures.csv")
    assert result.comparison.empty and "leapfrog_2015" in result.studies and len(result.studies) == 8
    assert "none of them besides the benchmark shares an item/group" in result.reading().lower()


def test_demo_against_leapfrog_is_identical_by_construction(bench, tmp_path):
    result = run_benchmark(alpha=0.05)
    comp = result.comparison
    assert len(comp) == 19 and (comp["position"] == "indistinguishable").all()
    assert (comp["diff"] == 0).all() and (comp["p_value"] == 1).all()
    leap = bench[bench["study"] == "leapfrog_2015"].set_index(["item", "group"])
    for r in comp.itertuples():
        assert (r.k1, r.n1) == (leap.loc[(r.item, r.group), "k"], leap.loc[(r.item, r.group), "n"])
    assert result.synthetic and "SYNTHETIC" in result.source
    assert "**Synthetic data**" in result.reading()
    # the skills gap is identified: data tracking 64 important, 43 expert, 30 important without expertise
    paired = result.paired_table.set_index("pair").loc["data_tracking_analytics"]
    assert (paired["importance"], paired["expertise"], paired["important_not_expert"]) == (
        round(100 * 64 / 106, 1), round(100 * 43 / 106, 1), round(100 * 30 / 106, 1))
    written = result.write(tmp_path)
    assert sorted(p.name for p in written) == ["benchmark_comparison.csv", "paired_tables.csv", "survey_counts.csv"]
    back = pd.read_csv(tmp_path / "results" / "benchmark_comparison.csv")
    assert back["position"].tolist() == comp["position"].tolist()


def test_weighted_run_uses_kish_sizes(tmp_path):
    raw = pd.read_csv(DEMO_SURVEY)
    w = raw.loc[raw["department"] == "IT", "weight"]
    # Kish n_eff for the 24 IT respondents (all answered q_relationship): (sum w)^2 / sum w^2
    n_eff = w.sum() ** 2 / (w**2).sum()
    yes = raw.loc[raw["department"] == "IT", "q_relationship"] == "Very collaborative and productive"
    share = (w * yes).sum() / w.sum()
    result = run_benchmark(DEMO_SURVEY, DEMO_CODEBOOK, weighted=True)
    row = _row(result.comparison, "very_collaborative", "it")
    assert row["n1"] == int(np.floor(n_eff + 0.5)) and row["k1"] == int(np.floor(share * n_eff + 0.5))
    assert result.weighted and "Weighted" in result.reading()


def test_counts_file_as_input(tmp_path):
    path = tmp_path / "acme_counts.csv"
    _ours([("very_collaborative", "marketing", 50, 100)]).to_csv(path, index=False)
    result = run_benchmark(path)
    assert result.comparison["position"].tolist() == ["above"] and not result.synthetic


def test_bad_input_writes_nothing(tmp_path):
    broken = tmp_path / "answers.csv"
    broken.write_text("respondent_id,department\n1,Marketing\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="is not in answers.csv"):
        run_benchmark(broken, DEMO_CODEBOOK).write(out)
    assert not out.exists()


def test_dot_plot_has_one_row_per_compared_item():
    from alignment_stats.plots import benchmark_dot_plot

    result = run_benchmark()
    figure = benchmark_dot_plot(result.comparison)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == 19 and labels[0] == "very collaborative · marketing"


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni", "none"])
def test_rowwise_adjustment_matches_multipletests(method):
    from alignment_stats.benchmark import _adjust_rows

    rng = np.random.default_rng(3)
    p = rng.random((6, 7)) ** 3
    p[0] = [0.01, 0.01, 0.04, 0.2, 0.2, 1.0, 0.0]  # ties, 0 and 1
    got = _adjust_rows(p, method)
    for row, expected in zip(got, p):
        want = expected if method == "none" else multipletests(expected, method=method)[1]
        np.testing.assert_allclose(row, want, atol=1e-12)
