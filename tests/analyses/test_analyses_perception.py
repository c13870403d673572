"""Perception gap (notebook 01) through ``run_perception`` and ``perception_gap``.

References: scipy ``fisher_exact``, statsmodels ``confint_proportions_2indep``
(Newcombe) and ``multipletests`` (Holm) on the same counts; counts and group
sizes derived by hand in the comments and by exact enumeration
(:mod:`rounding_brute`, fractions); the Jeffreys posterior probability by
numerical integration (scipy ``quad``); the smallest significant size by a
brute-force scan over scipy's Fisher test with Holm.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import rounding_brute as brute
from analysis_runs import STUDIES_DIR
from pydantic import ValidationError
from scipy import integrate, stats
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from alignment_stats.analyses import run_perception
from alignment_stats.analyses.perception import SIZE_GRID
from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.schema import DataValidationError

LEAPFROG = {"total": 131, "shares": {"marketing": 81, "it": 19}}


def brute_figures(name: str) -> str:
    return str(STUDIES_DIR / name / "figures.csv")


def _row(frame, study, item):
    match = frame[(frame["study"] == study) & (frame["item"] == item)]
    assert len(match) == 1, (study, item)
    return match.iloc[0]


def _fisher(k1, n1, k2, n2):
    return fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1]


@pytest.fixture(scope="module")
def default(runs):
    return runs("perception")


# ---------------------------------------------------------------------------
# ported: the statistics of each row
# ---------------------------------------------------------------------------


def test_leapfrog_very_collaborative_against_scipy(default):
    # 30% of 106 marketers = 32 (31.8), 13% of 24 IT leaders = 3 (3/24 = 12.5% -> 13 half up)
    row = _row(default.table, "leapfrog_2015", "very_collaborative")
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (32, 106, 3, 24)
    assert (row["group1"], row["group2"]) == ("marketing", "it")
    assert row["p_value"] == pytest.approx(_fisher(32, 106, 3, 24), abs=1e-12)
    low, high = confint_proportions_2indep(32, 106, 3, 24, method="newcomb")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    assert row["ci_level"] == pytest.approx(0.95)
    assert (row["p1"], row["p2"], row["diff"]) == pytest.approx((32 / 106, 3 / 24, 32 / 106 - 3 / 24), abs=1e-12)


def test_ci_level_follows_alpha(runs):
    row = _row(runs("perception", study="econsultancy_2015", alpha=0.10).table, "econsultancy_2015",
               "work_collaboratively")
    # 58/100 marketers vs 86/110 IT (published sizes; 78% of 110 = 85.8 -> 86)
    low, high = confint_proportions_2indep(58, 100, 86, 110, method="newcomb", alpha=0.10)
    assert row["ci_level"] == pytest.approx(0.90)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-9)


def test_holm_within_each_study(default):
    table = default.table
    leap = table[(table["study"] == "leapfrog_2015") & (table["status"] == "ok")]
    expected = multipletests(leap["p_value"].to_numpy(dtype=float), method="holm")[1]
    np.testing.assert_allclose(leap["p_adjusted"].to_numpy(dtype=float), expected, atol=1e-12)
    # 8 items asked of both groups; 40% and 74% of 24 IT leaders fit no count, so 6 are tested
    assert len(leap) == 6 and (leap["n_tests"] == 6).all()
    # a study with one comparison is its own family: no adjustment
    econ = _row(table, "econsultancy_2015", "work_collaboratively")
    assert econ["p_adjusted"] == econ["p_value"] and econ["n_tests"] == 1
    # significant is a bool, p_adjusted < alpha
    assert table["significant"].dtype == bool
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()


def test_assumed_sizes_for_unpublished_groups(runs):
    result = runs("perception", study="accenture_2014")
    row = _row(result.table, "accenture_2014", "bypass_it")
    # 21% and 34% of an assumed 100 per group: 21 and 34 respondents
    assert (row["k1"], row["n1"], row["k2"], row["n2"], row["n_source"]) == (21, 100, 34, 100, "assumed")
    untested = runs("perception", study="accenture_2014", assumed_n=None).table
    assert untested["k1"].isna().all() and (untested["status"] == "no_size").all()
    assert untested["p_value"].isna().all() and not untested["significant"].any()


def test_infeasible_items_are_shown_not_dropped(default):
    # the chosen IT base is 24 (see the audit), and 40% of 24 has no whole count (9/24 = 37.5%, 10/24 = 41.7%)
    assert brute.feasible(40, 24, "half_up") == []
    row = _row(default.table, "leapfrog_2015", "omnichannel_confidence")
    assert pd.isna(row["k2"]) and row["status"] == "no_count"
    assert pd.isna(row["p_value"]) and not row["significant"]


def test_interval_figures_use_the_count_nearest_the_middle(default):
    # "about half" of 106 marketers = 45-55%: counts 48..58; one third of 24 IT = 30-37%: 8 only (8/24 = 33.3%)
    assert brute.feasible_interval(45, 55, 106) == list(range(48, 59))
    assert brute.feasible_interval(30, 37, 24) == [8]
    row = _row(default.table, "leapfrog_2015", "omnichannel_important")
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (53, 106, 8, 24)  # 50% of 106 = 53
    assert row["p_value"] == pytest.approx(_fisher(53, 106, 8, 24), abs=1e-12)


def test_bayesian_companion_by_integration(default):
    row = _row(default.table, "leapfrog_2015", "very_collaborative")
    # Jeffreys posteriors Beta(32.5, 74.5) and Beta(3.5, 21.5): P(p1 > p2) = integral of f1(x) F2(x) dx
    first, second = stats.beta(32.5, 74.5), stats.beta(3.5, 21.5)
    exact = integrate.quad(lambda x: first.pdf(x) * second.cdf(x), 0, 1, epsabs=1e-12)[0]
    assert row["prob_greater"] == pytest.approx(exact, abs=1e-6)
    assert row["cred_low"] < row["diff"] < row["cred_high"]


def test_cohens_h_by_formula(default):
    row = _row(default.table, "leapfrog_2015", "improved_alignment")
    # 20% of 106 = 21 (21.2), 4% of 24 = 1 (1/24 = 4.17%)
    assert (row["k1"], row["k2"]) == (21, 1)
    assert row["cohens_h"] == pytest.approx(2 * np.arcsin(np.sqrt(21 / 106)) - 2 * np.arcsin(np.sqrt(1 / 24)))


def test_respondent_level_input(runs):
    result = runs("perception", input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK))
    assert set(result.table["n_source"]) == {"observed"}
    row = _row(result.table, "leapfrog_2015_demo", "very_collaborative")
    # the demo survey was built so that 32 of 106 marketers and 3 of 24 IT respondents say so
    raw = pd.read_csv(DEMO_SURVEY)
    yes = raw["q_relationship"] == "Very collaborative and productive"
    counts = yes.groupby(raw["department"]).agg(["sum", "size"])
    assert (row["k1"], row["n1"]) == tuple(counts.loc["Marketing"]) == (32, 106)
    assert (row["k2"], row["n2"]) == tuple(counts.loc["IT"]) == (3, 24)
    assert row["p_value"] == pytest.approx(_fisher(32, 106, 3, 24), abs=1e-12)


# ---------------------------------------------------------------------------
# ported: sensitivity, overrides, claims, parameters
# ---------------------------------------------------------------------------


def test_sensitivity_enumerates_rules_splits_bases_and_counts(default):
    # Leapfrog: 131 = 106 + 25 under half up and half even only; bases 106/105 and 25/24.
    # very collaborative (30% / 13%): half up gives 32/106 or 31..32/105 against 3/24 (25 fits nothing);
    # half even reads 3/24 = 12.5% as 12%, so IT fits no count under it.
    scenarios = brute.pair_scenarios(LEAPFROG["total"], LEAPFROG["shares"], ("marketing", 30, "unknown"),
                                     ("it", 13, "unknown"))
    tested = [s for s in scenarios if s["k1"] is not None]
    assert {(s["rule"], s["n1"], s["k1"], s["n2"], s["k2"]) for s in tested} == {
        ("half_up", 106, 32, 24, 3), ("half_up", 105, 31, 24, 3), ("half_up", 105, 32, 24, 3)}
    row = _row(default.sensitivity, "leapfrog_2015", "very_collaborative")
    assert row["scenarios"] == len(tested) == 3
    assert row["not_assessable"] == len(scenarios) - len(tested)
    assert row["rules"] == brute.rules_text(s["rule"] for s in scenarios) == "half_up, half_even"
    assert (row["n1_values"], row["n2_values"]) == ("105, 106", "24, 25")
    # each scenario tested by Fisher, adjusted with the study's other items held at their observed p-values
    table = default.table
    leap = table[(table["study"] == "leapfrog_2015") & (table["status"] == "ok")].reset_index(drop=True)
    position = int(np.flatnonzero(leap["item"] == "very_collaborative")[0])
    pvalues = [_fisher(s["k1"], s["n1"], s["k2"], s["n2"]) for s in tested]
    adjusted = []
    for p in pvalues:
        family = leap["p_value"].to_numpy(dtype=float).copy()
        family[position] = p
        adjusted.append(multipletests(family, method="holm")[1][position])
    assert (row["p_min"], row["p_max"]) == pytest.approx((min(pvalues), max(pvalues)), abs=1e-12)
    assert row["significant_share"] == np.mean([a < 0.05 for a in adjusted]) == 0
    assert not row["flips_with_data"]


def test_group_size_overrides(runs):
    result = runs("perception", study="accenture_2014", n_overrides="accenture_2014/it=150, accenture_2014/marketing:160")
    row = _row(result.table, "accenture_2014", "bypass_it")
    # 21% of 160 (rule half up, the run's): 33 and 34 fit (32.8 <= k < 34.4); nearest 33.6 is 34.
    # 34% of 150: 51 only (50.25 <= k < 51.75)
    assert brute.feasible(21, 160, "half_up") == [33, 34] and brute.feasible(34, 150, "half_up") == [51]
    assert (row["k1"], row["n1"], row["k2"], row["n2"], row["n_source"]) == (34, 160, 51, 150, "override")
    assert result.claims.set_index("claim_id").loc["vendor_bypass_disconnect", "verdict"] == "illustrative"
    with pytest.raises(ValidationError, match="accenture_2014/it"):
        run_perception(n_overrides="accenture_2014/it")
    with pytest.raises(DataValidationError, match="nope/it is not a study/group of the input"):
        run_perception(n_overrides="nope/it=5")


def test_difference_verdict_rules(tmp_path):
    # a counts table (sizes count as published) and a claims file: x 60/100 vs 30/100 (Fisher p ~ 3e-5),
    # y 40/100 vs 30/100 (p ~ 0.18), z 30/100 vs 35/100 (the other way)
    (tmp_path / "counts.csv").write_text(
        "study,item,group,n,k\ns,x,marketing,100,60\ns,x,it,100,30\ns,y,marketing,100,40\ns,y,it,100,30\n"
        "s,z,marketing,100,30\ns,z,it,100,35\n", encoding="utf-8")
    rows = [("a", "x/marketing", "x/it"), ("b", "y/marketing", "y/it"), ("c", "z/marketing", "z/it"),
            ("d", "x/marketing", "x/it"), ("d", "y/marketing", "y/it"), ("e", "x/it", "x/marketing")]
    (tmp_path / "claims.csv").write_text(
        "claim_id,kind,study,source,quote,figure_a,relation,figure_b\n"
        + "".join(f"{c},difference,s,test,the quote of claim {c},{a},>,{b}\n" for c, a, b in rows), encoding="utf-8")
    result = run_perception(input=str(tmp_path / "counts.csv"), claims=str(tmp_path / "claims.csv"),
                            output_dir=str(tmp_path / "out"))
    p = [_fisher(60, 100, 30, 100), _fisher(40, 100, 30, 100), _fisher(30, 100, 35, 100)]
    holm = multipletests(p, method="holm")[1]
    assert holm[0] < 0.05 < holm[1]
    assert confint_proportions_2indep(60, 100, 30, 100, method="newcomb")[0] > 0
    verdicts = result.claims.set_index("claim_id")["verdict"].to_dict()
    assert verdicts == {
        "a": "supported",  # interval above 0, adjusted p < 0.05
        "b": "undecidable with this sample",  # right direction, not significant
        "c": "not supported",  # points the other way
        "d": "undecidable with this sample",  # one supported, one undecidable
        "e": "not supported",  # "IT > marketing" on x: the difference is the other way
    }
    # the comparison is oriented as the claim is written: e's diff is IT - marketing
    e = result.comparisons[result.comparisons["claim_id"] == "e"].iloc[0]
    assert (e["group1"], e["k1"], e["n1"], e["k2"]) == ("it", 30, 100, 60)
    assert e["diff"] == pytest.approx(-0.30) and e["ci_high"] < 0
    assert e["ci_level"] == pytest.approx(0.95) and e["p_adjusted"] == pytest.approx(holm[0], abs=1e-12)


def test_claims_on_the_bundled_data(default):
    verdicts = default.claims.set_index("claim_id")["verdict"]
    # eConsultancy: 86/110 IT vs 58/100 marketing, Newcombe interval well away from 0
    assert confint_proportions_2indep(86, 110, 58, 100, method="newcomb")[0] > 0.05
    assert verdicts["it_more_collaborative_than_marketing"] == "supported"
    # Leapfrog with 24 IT respondents: right direction, intervals include 0
    assert confint_proportions_2indep(32, 106, 3, 24, method="newcomb")[0] < 0
    assert verdicts["marketers_more_optimistic"] == "undecidable with this sample"
    # Accenture at the assumed 100 per group: no finding
    assert verdicts["vendor_bypass_disconnect"] == "illustrative"


def test_one_study_only(runs):
    result = runs("perception", study="accenture_2014")
    assert set(result.table["study"]) == {"accenture_2014"}
    assert result.claims["claim_id"].tolist() == ["vendor_bypass_disconnect"]


@pytest.mark.parametrize(
    "kwargs, error",
    [({"alpha": 0.7}, "alpha"), ({"ci": "exact"}, "ci"), ({"test": "t"}, "test"), ({"adjust": "sidak"}, "adjust"),
     ({"assumed_n": 0}, "assumed_n"), ({"power": 1.5}, "power"), ({"rounding": "bankers"}, "rounding"),
     ({"convention": "apa"}, "convention")],
)
def test_bad_parameters(kwargs, error):
    with pytest.raises(ValidationError, match=error):
        run_perception(**kwargs)


def test_unknown_study():
    with pytest.raises(DataValidationError, match="study: 'nope' is not a study of the input"):
        run_perception(study="nope")


# ---------------------------------------------------------------------------
# issue 15, items 1-3 and 5: joint sizes, no invented size, assumed sizes, one criterion
# ---------------------------------------------------------------------------


def test_joint_split_of_a_total_and_shares(runs):
    # zenith_2023: 240 executives, 60% / 40%. Half up lets 143/97, 144/96 and 145/95 split the 240; every
    # figure fits each of them, so the smallest deviation from the shares decides: 144/96 (exactly 60/40).
    shares = {"marketing": 60, "it": 40}
    assert [s["sizes"] for s in brute.splits(240, shares, "half_up")] == [
        {"marketing": 143, "it": 97}, {"marketing": 144, "it": 96}, {"marketing": 145, "it": 95}]
    figures = pd.read_csv(brute_figures("total_and_shares"))
    published = {g: part["value"].tolist() for g, part in figures.groupby("group")}
    best = brute.best_split(240, shares, published, "half_up")
    assert best["sizes"] == {"marketing": 144, "it": 96} and best["unclassified"] == 0
    result = runs("perception", input=brute_figures("total_and_shares"))
    table = result.table
    assert set(table["study"]) == {"zenith_2023"} and len(table) == 3
    assert (table["n1"] == 144).all() and (table["n2"] == 96).all()  # never 145 + 97 = 242 people
    assert (table["n_source"] == "inferred").all()
    counts = result.bundle.counts
    assert (counts["split_total"] == 240).all() and (counts["split_unclassified"] == 0).all()
    assert (counts["group_n"] == counts["n"] + counts["item_missing"]).all()
    # the counts of each figure at 144 / 96, by hand: 62% of 144 = 89.28 -> 89; 41% of 96 = 39.36 -> 39
    row = _row(table, "zenith_2023", "joint_planning")
    assert (row["k1"], row["k2"]) == (89, 39)
    assert brute.feasible(62, 144, "half_up") == [89] and brute.feasible(41, 96, "half_up") == [39]


def test_no_split_under_truncation_means_not_assessable(runs):
    # truncate: 81% of 131 needs 106.11 <= m < 107.42 -> 107; 19% needs 24.89 <= i < 26.2 -> 25 or 26;
    # 107 + 25 = 132 > 131: no split of Leapfrog's sample exists, so no size may be assumed for it
    assert brute.splits(131, LEAPFROG["shares"], "truncate") == []
    result = runs("perception", rounding="truncate")
    leap = result.table[result.table["study"] == "leapfrog_2015"]
    assert len(leap) == 8
    assert (leap["status"] == "no_split").all()
    assert leap["n1"].isna().all() and leap["n2"].isna().all()  # never the assumed 100
    assert not (leap["n_source"] == "assumed").any()
    assert leap["p_value"].isna().all() and not leap["significant"].any()
    verdicts = result.claims.set_index("claim_id")["verdict"]
    assert verdicts["marketers_more_optimistic"] == "not assessable"  # was "supported" on an invented 100 + 100
    for claim in ("it_sees_omnichannel_developed", "marketing_prioritises_omnichannel"):
        assert verdicts[claim] == "not assessable"
    comparisons = result.comparisons[result.comparisons["study"] == "leapfrog_2015"]
    assert (comparisons["verdict"] == "not assessable").all() and (comparisons["status"] == "no_split").all()
    # Accenture publishes no split at all: its sizes may still be assumed, and its verdict stays illustrative
    assert verdicts["vendor_bypass_disconnect"] == "illustrative"


def test_assumed_sizes_are_illustrative(runs):
    result = runs("perception", study="accenture_2014", assumed_n=500)
    acc = result.table[result.table["study"] == "accenture_2014"]
    assert len(acc) == 3 and (acc["n_source"] == "assumed").all()
    # 21% and 34% of 500: 105 and 170
    row = _row(acc, "accenture_2014", "bypass_it")
    assert (row["k1"], row["n1"], row["k2"], row["n2"]) == (105, 500, 170, 500)
    assert row["significant"]  # Fisher p ~ 1e-5: significant, and still no finding
    verdicts = result.claims.set_index("claim_id")["verdict"]
    assert verdicts["vendor_bypass_disconnect"] == "illustrative"
    resting = result.comparisons[result.comparisons["n_source"] == "assumed"]
    assert len(resting) and (resting["verdict"] == "illustrative").all()
    assert set(resting["study"]) == {"accenture_2014"}


def test_n_significant_uses_fisher_and_holm_with_the_other_items_observed(runs):
    result = runs("perception", study="accenture_2014")
    table = result.table.set_index("item")
    bypass = table.loc["bypass_it"]
    assert bypass["p_adjusted"] == pytest.approx(0.11, abs=0.01) and not bypass["significant"]
    assert bypass["test"] == "fisher" and bypass["adjust"] == "holm"
    n_sig = int(bypass["n_significant"])
    assert n_sig > 100  # not significant at 100 + 100, so it needs more (the old Newcombe rule said 99)
    others = table.drop(index="bypass_it")["p_value"].to_numpy(dtype=float)
    share1, share2 = Fraction(21, 100), Fraction(34, 100)  # the published shares (marketing, IT)

    def adjusted(n, holm):
        k1, k2 = brute.half_up_count(share1, n), brute.half_up_count(share2, n)
        return holm([_fisher(k1, n, k2, n), *others])

    def by_hand(pvalues):  # Holm's step-down adjustment of the first p-value of a family
        order = np.argsort(pvalues, kind="stable")
        running, out = 0.0, {}
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
            out[i] = running
        return out[0]

    def statsmodels(pvalues):
        return multipletests(pvalues, method="holm")[1][0]

    # statsmodels at the threshold and just below it (and the next sizes)
    assert adjusted(n_sig - 1, statsmodels) >= 0.05
    for n in range(n_sig, n_sig + 3):
        assert adjusted(n, statsmodels) < 0.05, n
    # "from which on": significant at every size from n_significant to 1.5 times it, by the same adjustment by hand
    # (rounding makes significance flicker below it: 141-148, 150, 151 and 160 are not significant)
    assert by_hand([0.04, 0.01, 0.5]) == pytest.approx(multipletests([0.04, 0.01, 0.5], method="holm")[1][0])
    assert all(adjusted(n, by_hand) < 0.05 for n in range(n_sig, 3 * n_sig // 2))
    assert not all(adjusted(n, by_hand) < 0.05 for n in range(n_sig - 20, n_sig))
    # equal published shares (63% and 63%) are never significant at any size
    leap = runs("perception").table
    assert pd.isna(_row(leap, "leapfrog_2015", "no_shared_incentives")["n_significant"])


def test_size_grid_counts_round_half_up(runs):
    grid = runs("perception", study="accenture_2014").size_grid
    part = grid[grid["item"] == "bypass_it"].sort_values("n")
    assert part["n"].tolist() == list(SIZE_GRID)
    # counts round(p n) with halves up: 21% of 10 = 2.1 -> 2, of 50 = 10.5 -> 11
    assert part["k1"].tolist() == [brute.half_up_count(Fraction(21, 100), n) for n in SIZE_GRID]
    assert part["k2"].tolist() == [brute.half_up_count(Fraction(34, 100), n) for n in SIZE_GRID]
