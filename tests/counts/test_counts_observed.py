"""counts.observed: counts of respondent-level answers, weighted shares and Kish sizes, observed paired tables.

References: hand computations (in the comments); plain pandas counts and
crosstabs of the files, written independently of the code under test;
``statsmodels.stats.weightstats.DescrStatsW`` for weighted means; Kish's
effective size ``(sum w)^2 / sum w^2`` (Kish 1965, section 11.7) computed
with numpy; the published figures and their reconstruction for the demo
survey.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from statsmodels.stats.weightstats import DescrStatsW

from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.counts import count_responses, load_responses
from alignment_stats.schema import (
    COUNT_COLUMNS,
    PAIRED_COLUMNS,
    WEIGHTED_COLUMNS,
    DataValidationError,
)
from alignment_stats.sources import DEMO_COUNTS, make_demo_survey, read_responses

KINDS = ("csv", "xlsx", "sav", "parquet")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "survey"

TINY = pd.DataFrame({
    "id": [1, 2, 3, 4, 5, 6, 7],
    "dept": ["Marketing", "Marketing", "Marketing", "IT", "IT", "Marketing", "Sales"],
    "q1": [1, 2, 1, 2, 1, -9, 1],
    "q2": [5, 4, 2, 3, 5, 1, 2],
    "w": [1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 1.0],
})


def _codebook(tmp_path: Path, **changes) -> Path:
    book = {
        "study": "tiny_survey",
        "respondent_id": "id",
        "group": {"column": "dept", "labels": {"Marketing": "marketing", "IT": "it", "Sales": None}},
        "weight": "w",
        "missing": [-9],
        "scales": {"yes_no": {1: "Yes", 2: "No"},
                   "agree5": {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}},
        "items": {
            "q1_item": {"column": "q1", "wording": "answered yes to q1", "scale": "yes_no", "yes_if": ["Yes"]},
            "q2_item": {"column": "q2", "wording": "agree with q2", "scale": "agree5", "yes_if": ">= 4"},
        },
    }
    for key, value in changes.items():
        target = book
        *parents, last = key.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return path


def _write(frame: pd.DataFrame, path: Path) -> Path:
    kind = path.suffix.lstrip(".")
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "xlsx":
        frame.to_excel(path, index=False)
    elif kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        pyreadstat.write_sav(frame, str(path))
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_tiny_counts_by_hand(tmp_path, kind):
    observed = load_responses(_write(TINY, tmp_path / f"tiny.{kind}"), _codebook(tmp_path))
    counts = observed.counts.set_index(["item", "group"])
    # q1 marketing: rows 1,2,3,6 -> answers 1,2,1,-9 -> 3 answered, 2 yes; IT: 2,1 -> 1 of 2; Sales left out
    assert counts.loc[("q1_item", "marketing"), ["k", "n"]].tolist() == [2, 3]
    assert counts.loc[("q1_item", "it"), ["k", "n"]].tolist() == [1, 2]
    # 4 marketers in the file, 1 of them without an answer to q1
    assert counts.loc[("q1_item", "marketing"), ["group_n", "item_missing"]].tolist() == [4, 1]
    # q2 >= 4: marketing 5,4,2,1 -> 2 of 4; IT 3,5 -> 1 of 2
    assert counts.loc[("q2_item", "marketing"), ["k", "n"]].tolist() == [2, 4]
    assert counts.loc[("q2_item", "it"), ["k", "n"]].tolist() == [1, 2]
    assert counts.loc[("q2_item", "marketing"), ["group_n", "item_missing"]].tolist() == [4, 0]
    # the split: 7 respondents, 1 (Sales) in no listed group, 4 + 2 = 7 - 1 in the groups
    assert set(counts["split_total"]) == {7} and set(counts["split_unclassified"]) == {1}
    assert observed.n_respondents == 7 and observed.n_excluded == 1 and observed.study == "tiny_survey"
    assert observed.paired is None and not observed.weighted
    assert set(counts["n_source"]) == {"observed"}


def test_counts_table_schema_matches_the_reconstruction(counts):
    observed = load_responses(DEMO_SURVEY, DEMO_CODEBOOK).counts
    assert list(observed.columns) == list(COUNT_COLUMNS)
    for column in ("n", "k", "k_low", "k_high", "consistent", "value", "low", "high", "split", "group_n",
                   "split_total", "split_unclassified", "item_missing"):
        assert observed[column].dtype == counts[column].dtype, column
    assert (observed["k_low"] == observed["k"]).all() and (observed["k_high"] == observed["k"]).all()
    assert observed["consistent"].all() and observed["rounding"].isna().all()
    assert observed["low"].isna().all() and observed["high"].isna().all()
    np.testing.assert_allclose(observed["value"], 100 * observed["k"].astype(float) / observed["n"].astype(float))
    skills = observed[observed["item"].str.startswith(("importance_", "expertise_"))]
    assert set(skills["group"]) == {"marketing"}  # IT was not asked the skills questions
    assert skills["pair"].notna().all() and set(skills["measure"]) == {"importance", "expertise"}


def test_demo_counts_are_the_published_reconstruction():
    observed = load_responses(DEMO_SURVEY, DEMO_CODEBOOK).counts.set_index(["item", "group"])
    expected = {(item, group): kn for item, groups in DEMO_COUNTS.items() for group, kn in groups.items()}
    assert {key: (int(r["k"]), int(r["n"])) for key, r in observed.iterrows()} == expected


def test_fixture_survey_against_plain_pandas():
    observed = load_responses(FIXTURE / "responses.csv", FIXTURE / "codebook.yaml")
    raw = pd.read_csv(FIXTURE / "responses.csv", keep_default_na=False, dtype=str)
    counts = observed.counts.set_index(["item", "group"])
    rules = {"very_collaborative": ("q1_collab", lambda a: a == "4"),
             "no_shared_incentives": ("q2_kpis", lambda a: a == "No"),
             "budget_agreed": ("q3_budget", lambda a: a.isin(["4", "5"])),
             "importance_ai": ("imp_ai", lambda a: a == "5"),
             "expertise_ai": ("exp_ai", lambda a: a.isin(["4", "5"]))}
    seen = 0
    for dept, group in (("Marketing", "marketing"), ("Technology", "it")):
        members = raw[raw["dept"] == dept]
        for item, (column, yes) in rules.items():
            answered = members.loc[~members[column].isin(["", "99"]), column]
            if answered.empty:
                assert (item, group) not in counts.index  # not asked of this group
                continue
            row = counts.loc[(item, group)]
            assert (int(row["k"]), int(row["n"])) == (int(yes(answered).sum()), len(answered)), (item, group)
            assert (int(row["group_n"]), int(row["item_missing"])) == (len(members), len(members) - len(answered))
            seen += 1
    assert seen == 8  # 5 items for marketing, 3 for IT (the AI pair was asked of marketing only)
    assert set(counts["split_total"]) == {90}
    assert set(counts["split_unclassified"]) == {int(raw["dept"].isin(["Finance", ""]).sum())}
    paired = observed.paired.set_index("group")
    marketing = raw[raw["dept"] == "Marketing"]
    both = marketing[~marketing["imp_ai"].isin(["", "99"]) & ~marketing["exp_ai"].isin(["", "99"])]
    table = pd.crosstab(both["imp_ai"] == "5", both["exp_ai"].isin(["4", "5"]))
    row = paired.loc["marketing"]
    assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == (
        table.loc[True, True], table.loc[True, False], table.loc[False, True], table.loc[False, False])


def test_fixture_survey_weighted_against_numpy():
    observed = load_responses(FIXTURE / "responses.csv", FIXTURE / "codebook.yaml", design="weighted")
    raw = pd.read_csv(FIXTURE / "responses.csv", keep_default_na=False, dtype=str)
    counts = observed.counts.set_index(["item", "group"])
    for dept, group in (("Marketing", "marketing"), ("Technology", "it")):
        members = raw[raw["dept"] == dept]
        answered = members[~members["q3_budget"].isin(["", "99"])]
        w = answered["w"].astype(float).to_numpy()
        yes = answered["q3_budget"].isin(["4", "5"]).to_numpy()
        row = counts.loc[("budget_agreed", group)]
        assert row["p_hat"] == pytest.approx(DescrStatsW(yes.astype(float), weights=w).mean, abs=1e-12)
        assert row["n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
        assert row["n_raw"] == len(answered)
        assert row["value"] == pytest.approx(100 * row["p_hat"], rel=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_weighted_shares_and_kish_sizes_by_hand(tmp_path, kind):
    observed = load_responses(_write(TINY, tmp_path / f"tiny.{kind}"), _codebook(tmp_path), design="weighted")
    counts = observed.counts.set_index(["item", "group"])
    assert list(observed.counts.columns) == [*COUNT_COLUMNS, *WEIGHTED_COLUMNS]
    assert observed.weighted
    # q2, marketing: answers 5,4,2,1 with weights 1, 2, 1.5, 1 (yes = first two)
    #   sum w = 5.5, sum w^2 = 1 + 4 + 2.25 + 1 = 8.25, weighted share = 3 / 5.5 = 0.54545
    #   n_eff = 5.5^2 / 8.25 = 30.25 / 8.25 = 3.6667 -> n = 4; k = round(0.54545 * 3.6667 = 2.0) = 2
    row = counts.loc[("q2_item", "marketing")]
    assert row["p_hat"] == pytest.approx(3 / 5.5, abs=1e-12)
    assert row["p_hat"] == pytest.approx(DescrStatsW(np.array([1.0, 1.0, 0.0, 0.0]), weights=[1, 2, 1.5, 1]).mean,
                                         abs=1e-12)
    assert row["n_eff"] == pytest.approx(30.25 / 8.25, abs=1e-12)
    assert (row["n"], row["k"], row["n_raw"]) == (4, 2, 4)
    assert row["value"] == pytest.approx(100 * 3 / 5.5)  # the weighted share, not k / n
    # q1, marketing: answers 1,2,1 (the -9 is missing) with weights 1, 2, 1.5
    #   sum w = 4.5, sum w^2 = 7.25, share = 2.5 / 4.5 = 0.5556, n_eff = 20.25 / 7.25 = 2.7931 -> n = 3
    #   k = round(0.5556 * 2.7931 = 1.5517) = 2
    row = counts.loc[("q1_item", "marketing")]
    assert (row["n"], row["k"], row["n_raw"]) == (3, 2, 3)
    assert row["p_hat"] == pytest.approx(2.5 / 4.5)
    # q1, IT: answers 2, 1 with weights 1, 0.5: share = 0.5 / 1.5 = 1/3, n_eff = 2.25 / 1.25 = 1.8 -> n = 2,
    #   k = round(0.6) = 1
    row = counts.loc[("q1_item", "it")]
    assert (row["n"], row["k"]) == (2, 1)
    assert row["p_hat"] == pytest.approx(1 / 3)


def test_kish_size_rounds_half_up(tmp_path):
    # weights 1, 1, 1, 1, 2: n_eff = 6^2 / 8 = 4.5 exactly -> 5 half up (round-half-even would give 4)
    frame = pd.DataFrame({"id": range(1, 6), "dept": "Marketing", "q1": [1, 1, 2, 2, 2], "q2": 3,
                          "w": [1.0, 1.0, 1.0, 1.0, 2.0]})
    row = load_responses(_write(frame, tmp_path / "half.csv"), _codebook(tmp_path), design="weighted").counts.iloc[0]
    assert row["n_eff"] == 4.5 and row["n"] == 5
    # share 2/6 = 1/3 of n_eff 4.5 = 1.5 -> k = 2
    assert row["k"] == 2


def test_weighted_paired_cells_keep_their_total(tmp_path):
    frame = TINY.assign(q3=[1, 1, 2, 2, 1, 1, 1])
    book = _codebook(tmp_path, **{"items.q1_item.pair": "skill", "items.q1_item.measure": "importance",
                                  "items.q3_item": {"column": "q3", "wording": "has expertise", "scale": "yes_no",
                                                    "yes_if": [1], "pair": "skill", "measure": "expertise"}})
    path = _write(frame, tmp_path / "tiny.csv")
    paired = load_responses(path, book).paired
    assert list(paired.columns) == list(PAIRED_COLUMNS)
    paired = paired.set_index("group")
    # marketing, both answered: rows 1,2,3 (row 6 has q1 missing): (yes,yes), (no,yes), (yes,no)
    assert paired.loc["marketing", ["n", "both", "a_only", "b_only", "neither"]].tolist() == [3, 1, 1, 1, 0]
    weighted = load_responses(path, book, design="weighted").paired.set_index("group")
    # weights 1, 2, 1.5: sum 4.5, n_eff = 20.25 / 7.25 = 2.79 -> n = 3; importance share 2.5/4.5 -> k_a =
    #   round(1.55) = 2, expertise 3/4.5 -> k_b = round(1.86) = 2 (as in the counts table); both 1/4.5 ->
    #   round(0.62) = 1, within [2 + 2 - 3, 2]; so a_only 1, b_only 1, neither 3 - 2 - 2 + 1 = 0
    row = weighted.loc["marketing"]
    assert row[["n", "both", "a_only", "b_only", "neither", "n_raw"]].tolist() == [3, 1, 1, 1, 0, 3]
    assert row["p_hat_a"] == pytest.approx(2.5 / 4.5) and row["p_hat_b"] == pytest.approx(3 / 4.5)


def test_weighted_paired_margins_equal_the_weighted_counts():
    observed = load_responses(DEMO_SURVEY, DEMO_CODEBOOK, design="weighted")
    counts = observed.counts.set_index(["item", "group"])
    for row in observed.paired.itertuples():
        a, b = counts.loc[(row.item_a, row.group)], counts.loc[(row.item_b, row.group)]
        assert row.n == a["n"] == b["n"] and row.n_raw == 106
        assert (row.both + row.a_only, row.both + row.b_only) == (a["k"], b["k"])
        assert row.both + row.a_only + row.b_only + row.neither == row.n
        assert min(row.both, row.a_only, row.b_only, row.neither) >= 0


def test_paired_tables_against_a_crosstab():
    observed = load_responses(DEMO_SURVEY, DEMO_CODEBOOK)
    paired = observed.paired
    assert list(paired.columns) == list(PAIRED_COLUMNS)
    raw = pd.read_csv(DEMO_SURVEY)
    marketers = raw[raw["department"] == "Marketing"]
    for pair, (imp, exp) in {"data_tracking_analytics": ("imp_data_tracking", "exp_data_tracking"),
                             "mobile_web": ("imp_mobile_web", "exp_mobile_web"),
                             "sem_seo": ("imp_sem_seo", "exp_sem_seo"),
                             "omnichannel": ("imp_omnichannel", "exp_omnichannel")}.items():
        table = pd.crosstab(marketers[imp] == "Extremely important", marketers[exp].isin(["Advanced", "Expert"]))
        row = paired.set_index("pair").loc[pair]
        assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == (
            table.loc[True, True], table.loc[True, False], table.loc[False, True], table.loc[False, False])
        # margins are the published counts; the overlap lies within the Frechet bounds
        a, b, n = row["both"] + row["a_only"], row["both"] + row["b_only"], row["n"]
        assert (a, n) == DEMO_COUNTS[f"importance_{pair}"]["marketing"]
        assert (b, n) == DEMO_COUNTS[f"expertise_{pair}"]["marketing"]
        assert max(0, a + b - n) <= row["both"] <= min(a, b)
        assert row["both"] > a * b / n  # expertise more likely among those calling the skill important
    # data tracking: 64 important, 43 expert of 106; independence 64*43/106 = 25.96, upper bound 43;
    # halfway = 34.48 -> 34 both, so 30 important only, 9 expert only, 106-34-30-9 = 33 neither
    row = paired.set_index("pair").loc["data_tracking_analytics"]
    assert (row["both"], row["a_only"], row["b_only"], row["neither"]) == (34, 30, 9, 33)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    paths = {}
    for kind in KINDS:
        paths[kind] = folder / f"demo.{kind}"
        make_demo_survey(path=paths[kind])
    return paths


@pytest.fixture(scope="module")
def demo_observed():
    return {design: load_responses(DEMO_SURVEY, DEMO_CODEBOOK, design=design) for design in ("unweighted", "weighted")}


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_gives_the_same_counts(demo_files, demo_observed, kind):
    got = load_responses(demo_files[kind], DEMO_CODEBOOK)
    expected = demo_observed["unweighted"]
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    pd.testing.assert_frame_equal(got.paired, expected.paired)
    weighted = load_responses(demo_files[kind], DEMO_CODEBOOK, design="weighted")
    pd.testing.assert_frame_equal(weighted.counts, demo_observed["weighted"].counts)


def test_count_responses_of_read_responses(demo_observed):
    observed = count_responses(read_responses(DEMO_SURVEY, DEMO_CODEBOOK))
    pd.testing.assert_frame_equal(observed.counts, demo_observed["unweighted"].counts)


def test_weights_summing_to_zero_in_a_group(tmp_path):
    frame = TINY.assign(w=[1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0])  # both IT respondents weigh 0
    with pytest.raises(DataValidationError, match=r"column w: the weights of the it respondents answering q1_item "
                                                  r"sum to 0"):
        load_responses(_write(frame, tmp_path / "tiny.csv"), _codebook(tmp_path), design="weighted")
