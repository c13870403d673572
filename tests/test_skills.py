"""Skills gap (notebook 03): hand counts, brute-force bounds, statsmodels, exact bootstrap odds.

Expected values come from hand arithmetic on the published Leapfrog shares
(in the comments), from enumerating every compatible 2x2 table here, from
statsmodels' McNemar test and from exact probabilities computed in the test.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from alignment_stats.data import load_claims
from alignment_stats.inputs import AnalysisInput, load_input
from alignment_stats.skills import (
    BASIS_BOUNDS,
    BASIS_EXACT,
    BASIS_NONE,
    gap_verdicts,
    run_skills,
    skills_gap,
    skills_ranking,
)

# Leapfrog 2015, 106 marketers (81% of 131): published % -> count (half up), by hand
#   importance: 60% -> 64 (63.6), 52% -> 55 (55.1), 43% -> 46 (45.6), 35% -> 37 (37.1)
#   expertise:  41% -> 43 (43.5), 40% -> 42 (42.4), 27% -> 29 (28.6), 15% -> 16 (15.9), mass 44% -> 47 (46.6)
LEAPFROG = {
    "data_tracking_analytics": (64, 43),
    "mobile_web": (55, 42),
    "sem_seo": (46, 29),
    "omnichannel": (37, 16),
}
N = 106


@pytest.fixture(scope="module")
def counts():
    return load_input().counts


@pytest.fixture(scope="module")
def gaps(counts):
    return skills_gap(counts, study="leapfrog_2015")


def brute_force(k_a: int, k_b: int, n: int, alpha: float = 0.05) -> dict:
    """Every table with these margins, McNemar from statsmodels."""
    tables = [(both, k_a - both, k_b - both, n - k_a - k_b + both) for both in range(n + 1)
              if min(k_a - both, k_b - both, n - k_a - k_b + both) >= 0]
    p = [mcnemar([[t[0], t[1]], [t[2], t[3]]], exact=True).pvalue for t in tables]
    return {"tables": tables, "a_only": [t[1] for t in tables], "p": p}


def _row(frame, pair):
    match = frame[frame["pair"] == pair]
    assert len(match) == 1
    return match.iloc[0]


def counts_frame(rows):
    columns = ["study", "item", "group", "n", "k", "k_low", "k_high", "pair", "measure"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"n": "Int64", "k": "Int64", "k_low": "Int64", "k_high": "Int64"})


# ---------------------------------------------------------------------------
# the Leapfrog table
# ---------------------------------------------------------------------------


def test_leapfrog_counts_and_shares(gaps):
    assert gaps["pair"].tolist() == ["data_tracking_analytics", "mobile_web", "sem_seo", "omnichannel",
                                     "mass_marketing"]
    for pair, (k_a, k_b) in LEAPFROG.items():
        row = _row(gaps, pair)
        assert (row["n"], row["k_a"], row["k_b"]) == (N, k_a, k_b)
        assert row["gap"] == pytest.approx((k_a - k_b) / N)
        low, high = proportion_confint(k_a, N, alpha=0.05, method="wilson")
        assert (row["p_a_low"], row["p_a_high"]) == pytest.approx((low, high), abs=1e-12)
        assert row["basis"] == BASIS_BOUNDS


def test_leapfrog_frechet_bounds_by_hand(gaps):
    # both in [max(0, k_a + k_b - 106), min(k_a, k_b)]; important without expertise = k_a - both
    #   data tracking 64 + 43 - 106 = 1 -> both 1..43 -> a_only 21..63
    #   mobile 55 + 42 < 106 -> both 0..42 -> a_only 13..55; sem 0..29 -> 17..46; omni 0..16 -> 21..37
    expected = {"data_tracking_analytics": (1, 43, 21, 63), "mobile_web": (0, 42, 13, 55),
                "sem_seo": (0, 29, 17, 46), "omnichannel": (0, 16, 21, 37)}
    for pair, values in expected.items():
        row = _row(gaps, pair)
        assert (row["both_min"], row["both_max"], row["a_only_min"], row["a_only_max"]) == values


def test_leapfrog_significance_against_brute_force(gaps):
    for pair, (k_a, k_b) in LEAPFROG.items():
        row = _row(gaps, pair)
        brute = brute_force(k_a, k_b, N)
        assert row["tables"] == len(brute["tables"])
        assert row["p_min"] == pytest.approx(min(brute["p"]), abs=1e-12)
        assert row["p_max"] == pytest.approx(max(brute["p"]), abs=1e-12)
    # every compatible omnichannel table gives p < 0.05 (largest: 37 vs 16 discordant, statsmodels);
    # data tracking's most discordant table (1, 63, 42, 0) gives p = 0.0504 > 0.05
    assert _row(gaps, "omnichannel")["significant"] == "all"
    assert mcnemar([[0, 37], [16, 53]], exact=True).pvalue < 0.05
    assert _row(gaps, "data_tracking_analytics")["significant"] == "some"
    assert mcnemar([[1, 63], [42, 0]], exact=True).pvalue > 0.05


def test_skill_with_one_measure_is_shown_not_dropped(gaps):
    row = _row(gaps, "mass_marketing")
    assert row["basis"] == BASIS_NONE
    assert pd.isna(row["gap"]) and pd.isna(row["k_a"])
    assert row["k_b"] == 47
    assert "expertise only" in row["note"]


def test_tango_option_changes_only_the_interval(counts, gaps):
    tango = skills_gap(counts, study="leapfrog_2015", ci="tango")
    assert tango["ci_method"].iloc[0] == "tango"
    pd.testing.assert_series_equal(tango["p_max"], gaps["p_max"])
    assert not np.allclose(tango["ci_low_max"].dropna(), gaps["ci_low_max"].dropna())


def test_count_ranges_widen_the_bounds():
    # "about half" of 10 admits 4, 5 or 6 (hand): bounds run over every feasible count
    frame = counts_frame([
        ("s", "imp_x", "marketing", 10, 5, 4, 6, "x", "importance"),
        ("s", "exp_x", "marketing", 10, 2, 2, 2, "x", "expertise"),
    ])
    row = skills_gap(frame).iloc[0]
    assert (row["gap"], row["gap_min"], row["gap_max"]) == pytest.approx((0.3, 0.2, 0.4))
    # tables: k_a = 4 -> both 0..2 (3), 5 -> 3, 6 -> 3: 9 in all; a_only from 4 - 2 = 2 to 6 - 0 = 6
    assert row["tables"] == 9
    assert (row["a_only_min"], row["a_only_max"]) == (2, 6)
    assert "admit counts 4-6" in row["note"]


# ---------------------------------------------------------------------------
# respondent-level data: exact
# ---------------------------------------------------------------------------


def leapfrog_paired(study="leapfrog_2015"):
    # tables with the published margins, e.g. data tracking: 30 both, 64 - 30 = 34 importance only,
    # 43 - 30 = 13 expertise only, 106 - 30 - 34 - 13 = 29 neither
    return pd.DataFrame({
        "study": study, "pair": list(LEAPFROG), "group": "marketing", "n": N,
        "both": [30, 30, 20, 10], "a_only": [34, 25, 26, 27], "b_only": [13, 12, 9, 6], "neither": [29, 39, 51, 63],
    })


def test_exact_path_uses_the_observed_table(counts):
    paired = leapfrog_paired()
    gaps = skills_gap(counts, paired=paired, study="leapfrog_2015")
    for r in paired.itertuples():
        row = _row(gaps, r.pair)
        assert row["basis"] == BASIS_EXACT
        assert row["tables"] == 1
        assert (row["both_min"], row["both_max"], row["a_only_min"], row["b_only_max"]) == (
            r.both, r.both, r.a_only, r.b_only)
        p = mcnemar([[r.both, r.a_only], [r.b_only, r.neither]], exact=True).pvalue
        assert row["p_min"] == row["p_max"] == pytest.approx(p, abs=1e-12)
        assert row["significant"] == ("all" if p < 0.05 else "none")
    # mass marketing has no table (expertise only) and stays not compared
    assert _row(gaps, "mass_marketing")["basis"] == BASIS_NONE


def test_run_skills_says_exact_with_respondent_data(monkeypatch, counts):
    import alignment_stats.inputs as inputs

    loaded = AnalysisInput(counts, None, None, "test survey", leapfrog_paired())
    monkeypatch.setattr(inputs, "load_input", lambda *args, **kwargs: loaded)
    result = run_skills(replicates=200)
    assert result.basis == BASIS_EXACT
    assert "exact (respondent data)" in result.reading()
    assert "bounds (marginals only)" not in result.reading()
    # the cross-skill claim (two expertise items) is still only bounded: no table crosses them
    detail = result.verdicts.set_index("claim_id").loc["expertise_mostly_mass_marketing", "detail"]
    assert "bounds (marginals only)" in detail and "no table crossing" in detail


def test_paired_table_must_match_the_counts(counts):
    paired = leapfrog_paired()
    paired.loc[0, ["both", "neither"]] = [31, 28]  # margins now 65 and 44, not 64 and 43
    with pytest.raises(ValueError, match="margins 65, 44 of n = 106 exceed the counts"):
        skills_gap(counts, paired=paired, study="leapfrog_2015")
    # item non-response: 4 of the 106 skipped the expertise question, so the observed
    # table covers 102 people (64 important -> 62 of them answered both)
    paired = leapfrog_paired()
    cells = paired.loc[0, ["both", "a_only", "b_only", "neither"]].astype(int).tolist()
    paired.loc[0, ["a_only", "neither", "n"]] = [cells[1] - 2, cells[3] - 2, 102]
    table = skills_gap(counts, paired=paired, study="leapfrog_2015").set_index("pair")
    row = table.loc["data_tracking_analytics"]
    assert (row["n"], row["k_a"], row["k_b"]) == (102, 62, 43)
    assert "answered both" in row["note"] and row["basis"] == BASIS_EXACT
    # the items' own bases may differ too (104 answered expertise); only the paired table can join them
    uneven = counts.copy()
    uneven.loc[(uneven["study"] == "leapfrog_2015") & (uneven["item"] == "expertise_data_tracking_analytics"), "n"] = 104
    assert skills_gap(uneven, paired=paired, study="leapfrog_2015").set_index("pair").loc[
        "data_tracking_analytics", "n"] == 102
    with pytest.raises(ValueError, match="the two measures have different n"):
        skills_gap(uneven, study="leapfrog_2015")
    paired = leapfrog_paired()
    paired.loc[1, "neither"] = 40
    with pytest.raises(ValueError, match=r"paired row 1 .*: both \+ a_only \+ b_only \+ neither = 107 but n = 106"):
        skills_gap(counts, paired=paired, study="leapfrog_2015")
    paired = leapfrog_paired().assign(pair=["data_tracking_analytics", "mobile_web", "sem_seo", "crm"])
    with pytest.raises(ValueError, match=r"paired row 3 \(leapfrog_2015/crm/marketing\): no importance/expertise"):
        skills_gap(counts, paired=paired, study="leapfrog_2015")


def test_demo_survey_end_to_end():
    survey = pytest.importorskip("alignment_stats.survey")
    result = run_skills(input=survey.DEMO_SURVEY, codebook=survey.DEMO_CODEBOOK, study=None, replicates=200)
    loaded = load_input(survey.DEMO_SURVEY, codebook=survey.DEMO_CODEBOOK)
    for r in loaded.paired.itertuples():
        row = _row(result.bounds, r.pair)
        assert row["basis"] == BASIS_EXACT
        assert row["p_max"] == pytest.approx(
            mcnemar([[r.both, r.a_only], [r.b_only, r.neither]], exact=True).pvalue, abs=1e-12)


# ---------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------


def test_gap_claims_on_the_published_figures(gaps):
    verdicts = gap_verdicts(load_claims(), gaps).set_index("claim_id")
    assert list(verdicts.columns) == ["study", "quote", "verdict", "detail"]
    # omnichannel is significant for all tables, the other three only for some: the claim rests on all four
    assert verdicts.loc["skills_trail_importance", "verdict"] == "undecidable with this sample"
    # mass marketing 47 vs data tracking 43 expertise: even the least discordant table (4 vs 0
    # discordant pairs) gives exact McNemar p = 2 / 2**4 = 0.125
    assert verdicts.loc["expertise_mostly_mass_marketing", "verdict"] == "undecidable with this sample"
    assert mcnemar([[43, 4], [0, 59]], exact=True).pvalue == pytest.approx(0.125)
    assert "significant for none" in verdicts.loc["expertise_mostly_mass_marketing", "detail"]


def _claims(rows):
    frame = pd.DataFrame(rows, columns=["claim_id", "kind", "study", "quote", "item_a", "group_a", "relation",
                                        "item_b", "group_b"])
    return frame


def test_gap_verdict_rules(gaps):
    imp, exp = "importance_omnichannel", "expertise_omnichannel"
    claims = _claims([
        ("omni", "gap", "leapfrog_2015", "q1", imp, "marketing", ">", exp, "marketing"),
        ("omni_reversed", "gap", "leapfrog_2015", "q2", exp, "marketing", "<", imp, "marketing"),
        ("wrong_way", "gap", "leapfrog_2015", "q3", imp, "marketing", "<", exp, "marketing"),
        ("mobile", "gap", "leapfrog_2015", "q4", "importance_mobile_web", "marketing", ">", "expertise_mobile_web",
         "marketing"),
        ("unknown", "gap", "leapfrog_2015", "q5", "importance_crm", "marketing", ">", exp, "marketing"),
        ("ignored", "difference", "leapfrog_2015", "q6", imp, "marketing", ">", exp, "marketing"),
    ])
    verdicts = gap_verdicts(claims, gaps).set_index("claim_id")["verdict"]
    assert verdicts.to_dict() == {
        "omni": "supported",  # significant for all 17 compatible tables
        "omni_reversed": "supported",  # the same comparison written the other way round
        "wrong_way": "not supported",  # 35% > 15%: the observed direction is opposite
        "mobile": "undecidable with this sample",  # significant for some tables only
        "unknown": "undecidable with this sample",  # no counts
    }
    equal = _claims([("eq", "gap", "leapfrog_2015", "q", imp, "marketing", "=", exp, "marketing")])
    with pytest.raises(ValueError, match="relation '=' is not a gap"):
        gap_verdicts(equal, gaps)


def test_equal_shares_are_not_supported():
    frame = counts_frame([
        ("s", "imp_x", "marketing", 20, 8, 8, 8, "x", "importance"),
        ("s", "exp_x", "marketing", 20, 8, 8, 8, "x", "expertise"),
    ])
    claims = _claims([("c", "gap", "s", "q", "imp_x", "marketing", ">", "exp_x", "marketing")])
    assert gap_verdicts(claims, skills_gap(frame))["verdict"].tolist() == ["not supported"]


# ---------------------------------------------------------------------------
# ranking
# ---------------------------------------------------------------------------


def test_ranking_ties_and_determinism(gaps):
    one = skills_ranking(gaps, replicates=3000, seed=7)
    two = skills_ranking(gaps, replicates=3000, seed=7)
    pd.testing.assert_frame_equal(one, two)
    # data tracking and omnichannel both have 21 more important than expert of 106: tied first
    ranks = one.set_index("pair")["rank"].to_dict()
    assert ranks == {"data_tracking_analytics": 1, "omnichannel": 1, "sem_seo": 3, "mobile_web": 4}
    assert one["share_first"].sum() == pytest.approx(1.0)
    assert one["share_first_least_discordant"].sum() == pytest.approx(1.0)
    assert (one["rank_low"] <= one["rank"]).all() and (one["rank"] <= one["rank_high"]).all()
    assert "mass_marketing" not in set(one["pair"])


def _gap_distribution(cells, n):
    """Exact distribution of (a_only* - b_only*) for a multinomial(n, cells / n) resample."""
    p = np.asarray(cells, dtype=float) / n
    dist = {}
    for a, b in itertools.product(range(n + 1), repeat=2):
        for both in range(n + 1 - a - b):
            neither = n - a - b - both
            prob = (math.factorial(n) / (math.factorial(both) * math.factorial(a) * math.factorial(b)
                                         * math.factorial(neither))
                    * p[0] ** both * p[1] ** a * p[2] ** b * p[3] ** neither)
            dist[a - b] = dist.get(a - b, 0.0) + prob
    return dist


def test_share_first_matches_exact_probability():
    # two skills of 10 respondents; skill x margins 6 and 3, skill y margins 5 and 4 (hand):
    # most discordant tables x = (0, 6, 3, 1), y = (0, 5, 4, 1). P(x ranks first) =
    # P(Dx > Dy) + P(Dx = Dy) / 2 with Dx, Dy independent, computed exactly here
    frame = counts_frame([
        ("s", "imp_x", "marketing", 10, 6, 6, 6, "x", "importance"),
        ("s", "exp_x", "marketing", 10, 3, 3, 3, "x", "expertise"),
        ("s", "imp_y", "marketing", 10, 5, 5, 5, "y", "importance"),
        ("s", "exp_y", "marketing", 10, 4, 4, 4, "y", "expertise"),
    ])
    ranking = skills_ranking(skills_gap(frame), replicates=40_000, seed=11).set_index("pair")
    dx, dy = _gap_distribution((0, 6, 3, 1), 10), _gap_distribution((0, 5, 4, 1), 10)
    exact = sum(px * py * (1.0 if x > y else 0.5 if x == y else 0.0) for x, px in dx.items() for y, py in dy.items())
    se = math.sqrt(exact * (1 - exact) / 40_000)
    assert abs(ranking.loc["x", "share_first"] - exact) < 5 * se
    # least discordant tables x = (3, 3, 0, 4), y = (4, 1, 0, 5)
    dx, dy = _gap_distribution((3, 3, 0, 4), 10), _gap_distribution((4, 1, 0, 5), 10)
    exact = sum(px * py * (1.0 if x > y else 0.5 if x == y else 0.0) for x, px in dx.items() for y, py in dy.items())
    se = math.sqrt(exact * (1 - exact) / 40_000)
    assert abs(ranking.loc["x", "share_first_least_discordant"] - exact) < 5 * se


# ---------------------------------------------------------------------------
# run_skills and its outputs
# ---------------------------------------------------------------------------


def test_run_skills_writes_results(tmp_path):
    result = run_skills(replicates=500)
    written = result.write(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "results/claims.csv", "results/ranking.csv", "results/skills_gap.csv"]
    claims = pd.read_csv(tmp_path / "results" / "claims.csv")
    assert list(claims.columns) == ["claim_id", "quote", "verdict", "detail"]
    assert set(claims["claim_id"]) == {"skills_trail_importance", "expertise_mostly_mass_marketing"}
    table = result.table.set_index("skill")
    # 64/106 = 60.38% -> 60.4; 43/106 = 40.57% -> 40.6; gap 21/106 = 19.81% -> 19.8
    assert tuple(table.loc["data tracking analytics", ["importance", "expertise", "gap"]]) == (60.4, 40.6, 19.8)
    assert table.loc["data tracking analytics", "important_not_expert"] == "21 to 63"
    assert table.loc["mass marketing", "significant"] == "–"
    reading = result.reading()
    assert "bounds (marginals only)" in reading and "Not compared" in reading and "mass marketing" in reading


def test_run_skills_is_reproducible():
    one, two = run_skills(replicates=300, seed=5), run_skills(replicates=300, seed=5)
    pd.testing.assert_frame_equal(one.ranking, two.ranking)
    assert one.reading() == two.reading()


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


GOOD = [("s", "imp_x", "marketing", 10, 5, 5, 5, "x", "importance"),
        ("s", "exp_x", "marketing", 10, 2, 2, 2, "x", "expertise")]


@pytest.mark.parametrize(
    "rows, message",
    [
        ([GOOD[0], ("s", "exp_x", "marketing", 10, 2, 2, 2, None, "expertise")],
         r"counts row 1 \(s/exp_x/marketing\), column pair: measure 'expertise' has no pairing key"),
        ([GOOD[0], ("s", "exp_x", "marketing", 10, 2, 2, 2, "x", None)],
         r"counts row 1 \(s/exp_x/marketing\), column measure: pair 'x' has no measure"),
        ([GOOD[0], ("s", "exp_x", "marketing", 10, 2, 2, 2, "x", "skill")],
         r"column measure: 'skill' is not 'importance' or 'expertise'"),
        ([GOOD[0], ("s", "exp_x", "marketing", 10, 12, 12, 12, "x", "expertise")],
         r"counts row 1 \(s/exp_x/marketing\), column k: 12 exceeds n = 10"),
        ([GOOD[0], ("s", "exp_x", "marketing", 10, -1, -1, -1, "x", "expertise")],
         r"counts row 1 \(s/exp_x/marketing\), column k: -1 is negative"),
        ([GOOD[0], ("s", "exp_x", "marketing", 0, 0, 0, 0, "x", "expertise")],
         r"counts row 1 \(s/exp_x/marketing\), column n: 0 respondents"),
        ([GOOD[0], ("s", "exp_x", "marketing", 9, 2, 2, 2, "x", "expertise")],
         r"pair 'x' of s/marketing: the two measures have different n"),
        ([GOOD[0], GOOD[1], ("s", "exp_x2", "marketing", 10, 3, 3, 3, "x", "expertise")],
         r"counts rows 1, 2: s/marketing has 2 figures for pair 'x', measure 'expertise'"),
    ],
)
def test_bad_counts_raise_value_error_naming_field_and_row(rows, message):
    with pytest.raises(ValueError, match=message):
        skills_gap(counts_frame(rows))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"study": "nope"}, r"study: 'nope' has no paired items \(studies with paired items: s\)"),
        ({"ci": "wald"}, r"ci='wald' is not known"),
        ({"test": "chi2"}, r"test='chi2' is not known"),
        ({"alpha": 0.7}, r"alpha must be"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        skills_gap(counts_frame(GOOD), **kwargs)


def test_counts_without_measure_columns():
    frame = counts_frame(GOOD).drop(columns=["measure"])
    with pytest.raises(ValueError, match="column 'measure' is missing"):
        skills_gap(frame)


def test_bad_replicates(gaps):
    with pytest.raises(ValueError, match="replicates must be a whole number >= 1"):
        skills_ranking(gaps, replicates=0)


def test_plots_return_closed_figures(gaps):
    import matplotlib.pyplot as plt

    from alignment_stats.plots import skills_bounds_plot, skills_dumbbell_plot

    for make in (skills_dumbbell_plot, skills_bounds_plot):
        figure = make(gaps)
        assert figure.number not in plt.get_fignums()
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        assert "omnichannel" in labels
    # mass marketing has no gap: in the dumbbell plot (expertise alone), not in the bounds plot
    assert "mass marketing" in [t.get_text() for t in skills_dumbbell_plot(gaps).axes[0].get_yticklabels()]
    assert "mass marketing" not in [t.get_text() for t in skills_bounds_plot(gaps).axes[0].get_yticklabels()]
