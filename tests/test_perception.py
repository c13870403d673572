"""Perception-gap analysis: checked against scipy/statsmodels and hand counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from alignment_stats.data import load_claims
from alignment_stats.perception import (
    difference_verdicts,
    pair_items,
    perception_gap,
    perception_sensitivity,
    run_perception,
    significance_by_size,
    smallest_significant_n,
)


@pytest.fixture(scope="module")
def gaps(counts):
    return perception_gap(counts)


def _row(frame, study, item):
    match = frame[(frame["study"] == study) & (frame["item"] == item)]
    assert len(match) == 1
    return match.iloc[0]


def test_leapfrog_very_collaborative_against_scipy(gaps):
    # 30% of 106 marketers = 32, 13% of 24 IT leaders = 3 (the audit's counts).
    row = _row(gaps, "leapfrog_2015", "very_collaborative")
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (32, 106, 3, 24)
    assert row["p_value"] == pytest.approx(fisher_exact([[32, 74], [3, 21]])[1], abs=1e-12)
    low, high = confint_proportions_2indep(32, 106, 3, 24, method="newcomb")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)


def test_holm_within_each_study(gaps):
    leap = gaps[(gaps["study"] == "leapfrog_2015") & gaps["diff"].notna()]
    expected = multipletests(leap["p_value"].to_numpy(dtype=float), method="holm")[1]
    np.testing.assert_allclose(leap["p_adjusted"].to_numpy(dtype=float), expected, atol=1e-12)
    assert (leap["n_tests"] == 6).all()
    # a study with one comparison is its own family: no adjustment
    econ = _row(gaps, "econsultancy_2015", "work_collaboratively")
    assert econ["p_adjusted"] == econ["p_value"] and econ["n_tests"] == 1


def test_assumed_sizes_for_unpublished_groups(counts):
    pairs = pair_items(counts, study="accenture_2014", assumed_n=100)
    row = _row(pairs, "accenture_2014", "bypass_it")
    # 21% and 34% of an assumed 100 per group: 21 and 34 respondents
    assert (row["k1"], row["n1"], row["k2"], row["n2"], row["n_source"]) == (21, 100, 34, 100, "assumed")
    no_assumption = pair_items(counts, study="accenture_2014", assumed_n=None)
    assert no_assumption["k1"].isna().all()


def test_infeasible_items_are_shown_not_dropped(gaps):
    # 40% of 24 IT executives has no whole count (9/24 = 37.5%, 10/24 = 41.7%)
    row = _row(gaps, "leapfrog_2015", "omnichannel_confidence")
    assert pd.isna(row["k2"]) and "no feasible count for it" in row["verdict"]
    assert not row["significant"]


def test_smallest_significant_n_matches_a_statsmodels_scan():
    # Accenture: 34% of CIOs vs 21% of CMOs; scan equal sizes with statsmodels' Newcombe interval.
    n_max = 300
    significant = []
    for n in range(2, n_max + 1):
        k1, k2 = int(np.floor(0.34 * n + 0.5)), int(np.floor(0.21 * n + 0.5))
        low, high = confint_proportions_2indep(k1, n, k2, n, method="newcomb")
        significant.append(low > 0 or high < 0)
    last_not = max(i for i, s in enumerate(significant) if not s)
    expected = last_not + 3  # index 0 is n = 2, and we want the size after the last non-significant one
    assert smallest_significant_n([0.34], [0.21], n_max=n_max)[0] == expected
    # equal shares are never significant
    assert np.isnan(smallest_significant_n([0.63], [0.63], n_max=200)[0])


def test_significance_by_size_counts_round_half_up():
    grid = significance_by_size([0.125], [0.5], [4, 24])
    # 12.5% of 4 = 0.5 -> 1 (half up), of 24 = 3; 50% of 4 = 2, of 24 = 12
    assert grid[["k1", "k2"]].values.tolist() == [[1, 2], [3, 12]]


def test_sensitivity_enumerates_sizes_rules_and_counts(figures, studies):
    table = perception_sensitivity(figures, studies, study="leapfrog_2015")
    row = _row(table, "leapfrog_2015", "very_collaborative")
    # half up: marketing 106 -> k 32, 105 -> k 31 or 32 (29.5% <= k/105 < 30.5%); IT 24 -> 3 (25 impossible);
    # ceil: 106 -> 31, 105 -> 31, IT 24 -> 3 (23 impossible); half even and truncate admit no IT size.
    # Distinct (n1, n2, k1, k2): (106,24,32,3), (105,24,31,3), (105,24,32,3), (106,24,31,3) = 4.
    assert row["scenarios"] == 4
    assert not row["flips_with_data"]


def test_difference_verdict_rules():
    claims = pd.DataFrame({
        "claim_id": ["a", "b", "c", "d", "d"], "kind": "difference", "study": "s", "quote": "q",
        "item_a": ["x", "y", "z", "x", "y"], "group_a": "marketing", "relation": ">",
        "item_b": ["x", "y", "z", "x", "y"], "group_b": "it",
    })
    gaps = pd.DataFrame({
        "study": "s", "item": ["x", "y", "z"], "group1": "marketing", "group2": "it",
        "diff": [0.20, 0.10, -0.05], "ci_low": [0.05, -0.03, -0.2], "ci_high": [0.35, 0.25, 0.1],
        "p_adjusted": [0.01, 0.2, 0.6], "n_source": "audit",
    })
    verdicts = difference_verdicts(claims, gaps).set_index("claim_id")["verdict"]
    assert verdicts.to_dict() == {
        "a": "supported",  # interval above 0, adjusted p < 0.05
        "b": "undecidable with this sample",  # right direction, interval includes 0
        "c": "not supported",  # points the other way
        "d": "undecidable with this sample",  # one supported, one undecidable
    }
    # a claim written the other way round ("IT > marketing") flips the orientation
    flipped = claims.iloc[[0]].assign(group_a="it", group_b="marketing")
    assert difference_verdicts(flipped, gaps)["verdict"].item() == "not supported"


def test_claims_on_the_bundled_data(gaps, figures):
    verdicts = difference_verdicts(load_claims(figures=figures), gaps).set_index("claim_id")["verdict"]
    # eConsultancy: 86/110 IT vs 58/100 marketing, Newcombe interval well away from 0
    assert verdicts["it_more_collaborative_than_marketing"] == "supported"
    # Leapfrog with 24 IT respondents: right direction, intervals include 0
    assert verdicts["marketers_more_optimistic"] == "undecidable with this sample"


def test_run_perception_end_to_end(tmp_path):
    result = run_perception(study="leapfrog_2015")
    assert set(result.gaps["study"]) == {"leapfrog_2015"}
    assert "leapfrog_2015" in result.reading()
    written = result.write(tmp_path)
    assert sorted(p.name for p in written) == ["claims.csv", "perception_gap.csv", "sensitivity.csv"]
    table = result.crosstab("leapfrog_2015")
    assert table.loc["very_collaborative", "IT (B)"] == "13% (24)"  # 3/24 = 12.5% shown half up, as published


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": 0.7}, "alpha"),
        ({"ci": "exact"}, "ci: 'exact' is not known"),
        ({"test": "t"}, "test: 't' is not known"),
        ({"adjust": "sidak"}, "adjust: 'sidak' is not known"),
        ({"group2": "cdo"}, "group2: group 'cdo' does not occur"),
        ({"study": "nope"}, "study: nope not in the counts"),
        ({"assumed_n": 0}, "assumed_n"),
        ({"power": 1.5}, "power"),
    ],
)
def test_bad_parameters(counts, kwargs, message):
    with pytest.raises(ValueError, match=message):
        perception_gap(counts, **kwargs)


def test_group_size_overrides():
    result = run_perception(study="accenture_2014", n_overrides="accenture_2014/it=500, accenture_2014/marketing:647")
    row = _row(result.gaps, "accenture_2014", "bypass_it")
    # 21% of 647 = 135.87 -> 136 (136/647 = 21.02%); 34% of 500 = 170
    assert (row["k1"], row["n1"], row["k2"], row["n2"], row["n_source"]) == (136, 647, 170, 500, "override")
    assert "set by the user" in row["verdict"]
    with pytest.raises(ValueError, match="n_overrides: 'accenture_2014/it' is not of the form"):
        run_perception(n_overrides="accenture_2014/it")
    with pytest.raises(ValueError, match="n_overrides: nope/it not in the counts"):
        run_perception(n_overrides="nope/it=5")


def test_bayesian_companion_is_reported(gaps):
    row = _row(gaps, "leapfrog_2015", "very_collaborative")
    # Jeffreys posteriors Beta(32.5, 74.5) and Beta(3.5, 21.5): the posterior means 0.304 and 0.14 order the groups
    assert 0.9 < row["prob_greater"] < 1
    assert row["cred_low"] < row["diff"] < row["cred_high"]
    assert "chance that Marketing's true share is the higher one" in row["verdict"]


def test_respondent_level_input():
    from alignment_stats.survey import DEMO_CODEBOOK, DEMO_SURVEY

    result = run_perception(DEMO_SURVEY, codebook=DEMO_CODEBOOK)
    assert set(result.gaps["n_source"]) == {"observed"}
    assert result.sensitivity is None  # nothing was reconstructed, so nothing to vary
    row = _row(result.gaps, "leapfrog_2015_demo", "very_collaborative")
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (32, 106, 3, 24)
    assert row["p_value"] == pytest.approx(fisher_exact([[32, 74], [3, 21]])[1], abs=1e-12)


def test_crosstab_without_known_sizes_is_a_note_not_an_error():
    result = run_perception(study="accenture_2014")  # CMO/CIO split unpublished: sizes assumed
    html = result.crosstab_styled().to_html()
    assert "restate the assumption" in html
