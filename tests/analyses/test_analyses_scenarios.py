"""The one scenario enumeration (issue 12 item 3): a figure stated ``ceil`` gets the same scenarios in every analysis.

A copy of the bundled figures states ``rounding=ceil`` for Leapfrog's
``no_shared_incentives`` (a two-group item, also an agreement item) and for
the omnichannel importance/expertise pair. The reference is an independent
brute force (:mod:`rounding_brute`, exact fractions): every rule of the
sweep, every split of Leapfrog's 131 respondents into 81% / 19% under it,
every item base (one non-response at most), and the counts the *stated*
rule allows. Perception, incentives, skills and the benchmark comparison
must list exactly those rules, sizes and counts in their sensitivity tables,
and the counts layer's ranges must hold the same feasible counts.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import rounding_brute as brute

from alignment_stats.analyses.benchmark import (
    benchmark_sensitivity,
    compare_to_benchmark,
)
from alignment_stats.analyses.comparisons import figure_counts
from alignment_stats.config import (
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
    DEMO_SURVEY,
)
from alignment_stats.counts import load_counts

TOTAL, SHARES = 131, {"marketing": 81, "it": 19}
CEIL_ITEMS = ("no_shared_incentives", "importance_omnichannel", "expertise_omnichannel")


@pytest.fixture(scope="module")
def ceil_input(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ceil")
    figures = pd.read_csv(BUNDLED_FIGURES, dtype=str, keep_default_na=False)
    stated = (figures["study"] == "leapfrog_2015") & figures["item"].isin(CEIL_ITEMS)
    assert stated.sum() == 4 and (figures.loc[stated, "rounding"] == "unknown").all()
    figures.loc[stated, "rounding"] = "ceil"
    figures.to_csv(folder / "figures.csv", index=False)
    shutil.copy(BUNDLED_STUDIES, folder / "studies.yaml")
    return str(folder / "figures.csv")


def _pairs():
    return brute.pair_scenarios(TOTAL, SHARES, ("marketing", 63, "ceil"), ("it", 63, "ceil"))


def test_the_brute_force_by_hand():
    # splits of 131: 106 + 25 under half up and half even; none under truncate (107 + 25 = 132) or ceil
    # (105..106 + 24 <= 130). Under ceil, 63% means 62 < 100 k / n <= 63: 66/106 = 62.26%, 66/105 = 62.86%,
    # 15/24 = 62.5%; of 25 nothing (15/25 = 60%, 16/25 = 64%). Half up and half even both keep the stated ceil.
    assert [r for r in brute.SPECIFIC if brute.splits(TOTAL, SHARES, r)] == ["half_up", "half_even"]
    tested = {(s["rule"], s["n1"], s["k1"], s["n2"], s["k2"]) for s in _pairs() if s["k1"] is not None}
    assert tested == {(r, n1, 66, 24, 15) for r in ("half_up", "half_even") for n1 in (106, 105)}


def test_counts_layer_holds_the_stated_rule(ceil_input, runs):
    bundle = runs("perception", input=ceil_input, study="leapfrog_2015").bundle
    ranges = bundle.ranges[(bundle.ranges["study"] == "leapfrog_2015")
                           & bundle.ranges["item"].isin(CEIL_ITEMS) & bundle.ranges["rule"].isin(brute.SPECIFIC)]
    assert (ranges["rounding"] == "ceil").all()
    values = {("no_shared_incentives", "marketing"): 63, ("no_shared_incentives", "it"): 63,
              ("importance_omnichannel", "marketing"): 35, ("expertise_omnichannel", "marketing"): 15}
    seen = set()
    for row in ranges.itertuples():
        ks = brute.feasible(values[(row.item, row.group)], int(row.n), "ceil")
        assert (int(row.n_feasible), None if pd.isna(row.k_low) else int(row.k_low)) == (
            len(ks), ks[0] if ks else None), row
        seen.add((row.item, row.group, row.rule, int(row.n)))
    expected = {(item, group, rule, size - m) for (item, group) in values for rule in ("half_up", "half_even")
                for size in [brute.splits(TOTAL, SHARES, rule)[0]["sizes"][group]] for m in (0, 1)}
    assert seen == expected


def _check_pair_row(row, scenarios, n1="n1_values", n2="n2_values"):
    tested = [s for s in scenarios if s["k1"] is not None]
    assert row["scenarios"] == len(tested)
    assert row["not_assessable"] == len(scenarios) - len(tested)
    assert row["rules"] == brute.rules_text(s["rule"] for s in scenarios)
    assert row[n1] == brute.sizes_text(s["n1"] for s in scenarios)
    if n2:
        assert row[n2] == brute.sizes_text(s["n2"] for s in scenarios)
    diffs = [s["k1"] / s["n1"] - s["k2"] / s["n2"] for s in tested]
    return min(diffs), max(diffs)


def test_perception_sees_the_scenarios(ceil_input, runs):
    sensitivity = runs("perception", input=ceil_input, study="leapfrog_2015").sensitivity
    row = sensitivity[sensitivity["item"] == "no_shared_incentives"].iloc[0]
    low, high = _check_pair_row(row, _pairs())
    assert (row["diff_min"], row["diff_max"]) == pytest.approx((low, high), abs=1e-12)
    assert (row["rules"], row["n1_values"], row["n2_values"]) == ("half_up, half_even", "105, 106", "24, 25")


def test_incentives_sees_the_same_scenarios(ceil_input, runs):
    sensitivity = runs("incentives", input=ceil_input, study="leapfrog_2015").sensitivity
    row = sensitivity[sensitivity["item"] == "no_shared_incentives"].iloc[0]
    low, high = _check_pair_row(row, _pairs())
    assert (row["diff_min"], row["diff_max"]) == pytest.approx((low, high), abs=1e-12)


def test_skills_sees_the_same_scenarios(ceil_input, runs):
    # the pair is the same 106 (or 105) marketers: only scenarios with equal bases. Ceil: 35% of 106 -> 37
    # (36.04 < k <= 37.1), of 105 -> 36; 15% of 106 -> 15 (14.84 < k <= 15.9), of 105 -> 15
    scenarios = brute.pair_scenarios(TOTAL, SHARES, ("marketing", 35, "ceil"), ("marketing", 15, "ceil"),
                                     same_base=True)
    assert {(s["n1"], s["k1"], s["k2"]) for s in scenarios} == {(106, 37, 15), (105, 36, 15)}
    sensitivity = runs("skills", input=ceil_input, study="leapfrog_2015").sensitivity
    row = sensitivity[sensitivity["pair"] == "omnichannel"].iloc[0]
    low, high = _check_pair_row(row, scenarios, n1="n_values", n2=None)
    assert (row["gap_min"], row["gap_max"]) == pytest.approx((low, high), abs=1e-12)
    assert (low, high) == pytest.approx((21 / 105, 22 / 106))


def test_benchmark_sees_the_same_scenarios(ceil_input):
    # the benchmark side is the ceil file (the survey side is the demo, whose counts are observed)
    bench_bundle = load_counts(input=ceil_input, store=None)
    bench = figure_counts(bench_bundle)
    bench = bench[bench["study"] == "leapfrog_2015"]
    ours = figure_counts(load_counts(input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK), store=None))
    table = compare_to_benchmark(ours, bench, "leapfrog_2015")
    sensitivity = benchmark_sensitivity(bench_bundle, table, 0.05, "newcombe", "fisher", "holm")
    for group in ("marketing", "it"):
        scenarios = brute.figure_scenarios(TOTAL, SHARES, group, 63, "ceil")
        tested = [s for s in scenarios if s["k"] is not None]
        row = sensitivity[(sensitivity["item"] == "no_shared_incentives") & (sensitivity["group"] == group)].iloc[0]
        assert row["scenarios"] == len(tested), group
        assert row["not_assessable"] == len(scenarios) - len(tested), group
        assert row["rules"] == brute.rules_text(s["rule"] for s in scenarios) == "half_up, half_even"
        assert row["n2_values"] == brute.sizes_text(s["n"] for s in scenarios)
        p1 = table[(table["item"] == "no_shared_incentives") & (table["group"] == group)]["p1"].iloc[0]
        diffs = [p1 - s["k"] / s["n"] for s in tested]
        assert (row["diff_min"], row["diff_max"]) == pytest.approx((min(diffs), max(diffs)), abs=1e-12)
