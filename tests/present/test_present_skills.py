"""The skills gap in words and tables (``present.skills``).

References: Leapfrog's shares and counts by hand (half up: 64/106 = 60.38%
-> 60.4, 43/106 = 40.57% -> 40.6, gap 21/106 = 19.81% -> 19.8), the Frechet
bounds by hand (both in [max(0, k_a + k_b - n), min(k_a, k_b)]).
"""

from __future__ import annotations

import pandas as pd
import pytest

from alignment_stats.analyses.skills import skills_gap
from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.present import skills, write_results


@pytest.fixture(scope="module")
def default(runs):
    return runs("skills")


def test_display_table(default):
    table = skills.display_table(default).set_index("skill")
    assert tuple(table.loc["data tracking analytics", ["importance", "expertise", "gap"]]) == (60.4, 40.6, 19.8)
    # both 1..43 -> important without expertise 21..63; expertise without importance 0..42
    assert table.loc["data tracking analytics", "important_not_expert"] == "21 to 63"
    assert table.loc["data tracking analytics", "expert_not_important"] == "0 to 42"
    assert table.loc["mass marketing", "significant_tables"] == "–"
    assert table.loc["mass marketing", "note"] == "expertise only: no importance figure to pair with"
    assert table.loc["omnichannel", "significant_tables"] == "all"


def test_reading(default):
    text = skills.reading(default)
    assert "bounds (marginals only)" in text and "Not compared" in text and "mass marketing" in text
    assert "Significant whatever the overlap of the two answers: omnichannel." in text
    # the range of important-without-expertise over the four skills: 13 (mobile) to 63 (data tracking) of 106
    assert "Between 13 and 63 of the 106 respondents" in text
    assert "**undecidable with this sample**" in text


def test_reading_with_respondent_data(runs):
    text = skills.reading(runs("skills", input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK)))
    assert "exact (respondent data)" in text and "bounds (marginals only)" not in text


def test_notes():
    frame = pd.DataFrame([("s", "imp_x", "marketing", 10, 5, 4, 6, "x", "importance"),
                          ("s", "exp_x", "marketing", 10, 2, 2, 2, "x", "expertise")],
                         columns=["study", "item", "group", "n", "k", "k_low", "k_high", "pair", "measure"]).astype(
        {"n": "Int64", "k": "Int64", "k_low": "Int64", "k_high": "Int64"})
    row = next(skills_gap(frame).itertuples())
    assert skills.note(row) == "the published shares admit counts 4 to 6 and 2; the bounds cover all of them"


def test_note_on_a_table_of_those_who_answered_both(counts):
    paired = pd.DataFrame({"study": "leapfrog_2015", "pair": ["data_tracking_analytics"], "group": "marketing",
                           "n": [102], "both": [30], "a_only": [32], "b_only": [13], "neither": [27]})
    row = next(r for r in skills_gap(counts, paired=paired, study="leapfrog_2015").itertuples()
               if r.pair == "data_tracking_analytics")
    assert skills.note(row) == "paired on the 102 respondents who answered both items (the items' base: 106)"


def test_ranking_table(default):
    table = skills.ranking_table(default)
    assert set(table["skill"]) == {"data tracking analytics", "mobile web", "sem seo", "omnichannel"}
    assert table["gap"].tolist()[:2] == [19.8, 19.8]  # 21/106 each, tied first


def test_write_results(default):
    written = write_results(default)
    assert sorted(p.name for p in written) == ["claim_comparisons.csv", "claims.csv", "ranking.csv",
                                               "sensitivity.csv", "skills_gap.csv"]
    claims = pd.read_csv(written[0].parent / "claims.csv")
    assert set(claims["claim_id"]) == {"skills_trail_importance", "expertise_mostly_mass_marketing"}
    table = pd.read_csv(written[0].parent / "skills_gap.csv")
    assert "significant_tables" in table and set(table["significant"].dropna()) <= {True, False}
