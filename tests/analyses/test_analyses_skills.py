"""Skills gap (notebook 03): hand counts, brute-force Frechet bounds, statsmodels McNemar, exact bootstrap odds.

Expected values come from hand arithmetic on the published Leapfrog shares
(in the comments), from enumerating every compatible 2x2 table here with
statsmodels' exact McNemar test and Wilson interval, from plain pandas
counts of the demo survey, and from exact probabilities computed in the
test (multinomial enumeration).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from alignment_stats.analyses import run_skills
from alignment_stats.analyses.skills import (
    BASIS_BOUNDS,
    BASIS_EXACT,
    BASIS_NONE,
    skills_gap,
    skills_ranking,
)
from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY

# Leapfrog 2015, 106 marketers (81% of 131): published % -> count (half up), by hand
#   importance: 60% -> 64 (63.6), 52% -> 55 (55.1), 43% -> 46 (45.6), 35% -> 37 (37.1)
#   expertise:  41% -> 43 (43.5), 40% -> 42 (42.4), 27% -> 29 (28.6), 15% -> 16 (15.9), mass 44% -> 47 (46.6)
LEAPFROG = {"data_tracking_analytics": (64, 43), "mobile_web": (55, 42), "sem_seo": (46, 29), "omnichannel": (37, 16)}
N = 106


@pytest.fixture(scope="module")
def gaps(counts):
    return skills_gap(counts, study="leapfrog_2015")


def brute_force(k_a: int, k_b: int, n: int) -> dict:
    """Every table with these margins, McNemar from statsmodels."""
    tables = [(both, k_a - both, k_b - both, n - k_a - k_b + both) for both in range(n + 1)
              if min(k_a - both, k_b - both, n - k_a - k_b + both) >= 0]
    p = [mcnemar([[t[0], t[1]], [t[2], t[3]]], exact=True).pvalue for t in tables]
    return {"tables": tables, "p": p}


def _row(frame, pair):
    match = frame[frame["pair"] == pair]
    assert len(match) == 1, pair
    return match.iloc[0]


def counts_frame(rows):
    columns = ["study", "item", "group", "n", "k", "k_low", "k_high", "pair", "measure"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"n": "Int64", "k": "Int64", "k_low": "Int64", "k_high": "Int64"})


def _claims_file(path, rows, study):
    path.write_text("claim_id,kind,study,source,quote,figure_a,relation,figure_b\n" + "".join(
        f"{c},gap,{study},test,the quote of {c},{a},{rel},{b}\n" for c, a, rel, b in rows), encoding="utf-8")
    return str(path)


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
        low, high = proportion_confint(k_b, N, alpha=0.05, method="wilson")
        assert (row["p_b_low"], row["p_b_high"]) == pytest.approx((low, high), abs=1e-12)
        assert row["basis"] == BASIS_BOUNDS and row["ci_level"] == pytest.approx(0.95)
        assert row["n_source"] == "inferred"


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
    # every compatible omnichannel table gives p < 0.05 (largest: 37 vs 16 discordant);
    # data tracking's most discordant table (1, 63, 42, 0) gives p = 0.0504 > 0.05
    assert mcnemar([[0, 37], [16, 53]], exact=True).pvalue < 0.05
    assert mcnemar([[1, 63], [42, 0]], exact=True).pvalue > 0.05
    omni, data = _row(gaps, "omnichannel"), _row(gaps, "data_tracking_analytics")
    assert omni["significant_tables"] == "all" and bool(omni["significant"])
    assert data["significant_tables"] == "some" and not data["significant"]
    assert gaps["significant"].dtype == bool


def test_skill_with_one_measure_is_shown_not_dropped(gaps):
    row = _row(gaps, "mass_marketing")
    assert row["basis"] == BASIS_NONE and row["status"] == "one_measure"
    assert pd.isna(row["gap"]) and pd.isna(row["k_a"])
    assert row["k_b"] == 47
    assert not row["significant"]


def test_tango_option_changes_only_the_interval(counts, gaps):
    tango = skills_gap(counts, study="leapfrog_2015", ci="tango")
    assert (tango["ci_method"] == "tango").all()
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
    p = [mcnemar([[b, k - b], [2 - b, 10 - k - 2 + b]], exact=True).pvalue for k in (4, 5, 6) for b in range(3)]
    assert (row["p_min"], row["p_max"]) == pytest.approx((min(p), max(p)), abs=1e-12)


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
        assert row["basis"] == BASIS_EXACT and row["tables"] == 1
        assert (row["both_min"], row["both_max"], row["a_only_min"], row["b_only_max"]) == (
            r.both, r.both, r.a_only, r.b_only)
        p = mcnemar([[r.both, r.a_only], [r.b_only, r.neither]], exact=True).pvalue
        assert row["p_min"] == row["p_max"] == pytest.approx(p, abs=1e-12)
        assert row["significant_tables"] == ("all" if p < 0.05 else "none")
    # mass marketing has no table (expertise only) and stays not compared
    assert _row(gaps, "mass_marketing")["basis"] == BASIS_NONE


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
    assert (row["n"], row["k_a"], row["k_b"], row["item_n"]) == (102, 62, 43, 106)
    assert row["basis"] == BASIS_EXACT
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


def test_demo_survey_end_to_end(runs):
    result = runs("skills", input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK))
    assert result.basis == BASIS_EXACT
    raw = pd.read_csv(DEMO_SURVEY)
    mkt = raw[raw["department"] == "Marketing"]
    columns = {"data_tracking_analytics": ("imp_data_tracking", "exp_data_tracking"),
               "mobile_web": ("imp_mobile_web", "exp_mobile_web"), "sem_seo": ("imp_sem_seo", "exp_sem_seo"),
               "omnichannel": ("imp_omnichannel", "exp_omnichannel")}
    for pair, (imp, exp) in columns.items():
        a = mkt[imp] == "Extremely important"
        b = mkt[exp].isin(["Advanced", "Expert"])
        cells = [int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum()), int((~a & ~b).sum())]
        row = _row(result.table, pair)
        assert (row["both_min"], row["a_only_min"], row["b_only_min"]) == tuple(cells[:3])
        assert row["basis"] == BASIS_EXACT and row["n"] == len(mkt) == 106
        assert row["p_max"] == pytest.approx(mcnemar([cells[:2], cells[2:]], exact=True).pvalue, abs=1e-12)
    # the demo survey was built so that the margins equal the audit's Leapfrog counts
    assert tuple(_row(result.table, "data_tracking_analytics")[["k_a", "k_b"]]) == LEAPFROG["data_tracking_analytics"]


def test_cross_skill_claim_on_respondent_data_is_bounded(tmp_path, runs):
    # two expertise items of different skills: no observed table crosses them, so only their margins bound it
    claims = _claims_file(tmp_path / "claims.csv", [("mass_vs_data", "expertise_mass_marketing/marketing", ">",
                                                    "expertise_data_tracking_analytics/marketing")],
                          "leapfrog_2015_demo")
    result = runs("skills", input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK), claims=claims)
    row = result.comparisons.iloc[0]
    assert row["basis"] == BASIS_BOUNDS and bool(row["across"])
    # 47 vs 43 of 106 (hand: the demo's margins): even the least discordant table (4 vs 0 discordant)
    # gives exact McNemar p = 2 / 2**4 = 0.125
    assert (row["k1"], row["k2"], row["n1"]) == (47, 43, 106)
    assert mcnemar([[43, 4], [0, 59]], exact=True).pvalue == pytest.approx(0.125)
    assert row["p_adjusted"] >= 0.125 - 1e-12
    assert result.claims["verdict"].tolist() == ["undecidable with this sample"]


# ---------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------


def test_gap_claims_on_the_published_figures(runs):
    result = runs("skills")
    verdicts = result.claims.set_index("claim_id")["verdict"]
    # omnichannel is significant for all tables, the other three only for some: the claim rests on all four
    assert verdicts["skills_trail_importance"] == "undecidable with this sample"
    # mass marketing 47 vs data tracking 43 expertise: p = 0.125 at best (above)
    assert verdicts["expertise_mostly_mass_marketing"] == "undecidable with this sample"
    mass = result.comparisons[result.comparisons["claim_id"] == "expertise_mostly_mass_marketing"].iloc[0]
    assert mass["tables_significant"] == 0 and mass["ci_level"] == pytest.approx(0.95)


def test_gap_verdict_rules(tmp_path, runs):
    imp, exp = "importance_omnichannel/marketing", "expertise_omnichannel/marketing"
    claims = _claims_file(tmp_path / "claims.csv", [
        ("omni", imp, ">", exp), ("omni_reversed", exp, "<", imp), ("wrong_way", imp, "<", exp),
        ("mobile", "importance_mobile_web/marketing", ">", "expertise_mobile_web/marketing"),
    ], "leapfrog_2015")
    verdicts = runs("skills", claims=claims).claims.set_index("claim_id")["verdict"].to_dict()
    assert verdicts == {
        "omni": "supported",  # significant for all 17 compatible tables
        "omni_reversed": "supported",  # the same comparison written the other way round
        "wrong_way": "not supported",  # 35% > 15%: the observed direction is opposite
        "mobile": "undecidable with this sample",  # significant for some tables only
    }
    assert len(brute_force(37, 16, N)["tables"]) == 17


def test_equal_shares_are_not_supported(tmp_path, runs):
    (tmp_path / "counts.csv").write_text("study,item,group,n,k,pair,measure\ns,imp_x,marketing,20,8,x,importance\n"
                                         "s,exp_x,marketing,20,8,x,expertise\n", encoding="utf-8")
    claims = _claims_file(tmp_path / "claims.csv", [("c", "imp_x/marketing", ">", "exp_x/marketing")], "s")
    result = runs("skills", input=str(tmp_path / "counts.csv"), claims=claims)
    assert result.claims["verdict"].tolist() == ["not supported"]


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
    for column, x_cells, y_cells in (("share_first", (0, 6, 3, 1), (0, 5, 4, 1)),
                                     ("share_first_least_discordant", (3, 3, 0, 4), (4, 1, 0, 5))):
        dx, dy = _gap_distribution(x_cells, 10), _gap_distribution(y_cells, 10)
        exact = sum(px * py * (1.0 if x > y else 0.5 if x == y else 0.0) for x, px in dx.items()
                    for y, py in dy.items())
        se = math.sqrt(exact * (1 - exact) / 40_000)
        assert abs(ranking.loc["x", column] - exact) < 5 * se, column


def test_run_skills_is_reproducible():
    one, two = run_skills(replicates=300, seed=5), run_skills(replicates=300, seed=5)
    pd.testing.assert_frame_equal(one.ranking, two.ranking)
    assert (one.ranking["seed"] == 5).all() and (one.ranking["replicates"] == 300).all()


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
        ({"ci": "wald"}, r"ci='wald' is not a known method"),
        ({"test": "chi2"}, r"test='chi2' is not a known method"),
        ({"alpha": 0}, r"alpha"),
        ({"alpha": 1.5}, r"alpha"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        skills_gap(counts_frame(GOOD), **kwargs)


@pytest.mark.parametrize("kwargs", [{"alpha": 0.7}, {"ci": "wald"}, {"test": "chi2"}, {"replicates": 10},
                                    {"seed": -1}])
def test_bad_settings(kwargs):
    with pytest.raises(ValidationError):
        run_skills(**kwargs)


def test_counts_without_measure_columns():
    frame = counts_frame(GOOD).drop(columns=["measure"])
    with pytest.raises(ValueError, match="column 'measure' is missing"):
        skills_gap(frame)


def test_bad_replicates(gaps):
    with pytest.raises(ValueError, match="replicates must be a whole number >= 1"):
        skills_ranking(gaps, replicates=0)
