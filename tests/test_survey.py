"""Respondent-level surveys: codebook, counting, weights, demo survey, bad input.

Expected values come from hand computations (in the comments), from plain
pandas counts written independently of the code under test, from the
published figures (``benchmark_figures.csv``) and from the data audit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from statsmodels.stats.weightstats import DescrStatsW

from alignment_stats.audit import COUNT_COLUMNS, run_audit
from alignment_stats.data import DataValidationError, load_benchmark
from alignment_stats.survey import (
    DEMO_CODEBOOK,
    DEMO_COUNTS,
    DEMO_SURVEY,
    PAIRED_COLUMNS,
    load_codebook,
    load_responses,
    make_demo_survey,
)

FORMATS = ("csv", "xlsx", "sav", "parquet")


def _half_up_percent(k: int, n: int) -> int:
    # 100 k / n rounded half up, in integers: floor((200 k + n) / (2 n))
    return (200 * k + n) // (2 * n)


# ---------------------------------------------------------------------------
# the shipped demo survey
# ---------------------------------------------------------------------------
def test_demo_survey_regenerates_byte_for_byte(tmp_path):
    path = tmp_path / "leapfrog_demo_survey.csv"
    make_demo_survey(seed=2015, path=path)
    assert path.read_bytes() == DEMO_SURVEY.read_bytes()


def test_demo_is_labelled_synthetic_everywhere():
    book = load_codebook(DEMO_CODEBOOK)
    assert book.synthetic is True
    assert book.study.endswith("_demo")
    assert "SYNTHETIC" in book.source and "SYNTHETIC" in book.title
    assert "demo" in DEMO_SURVEY.name and "demo" in DEMO_CODEBOOK.name
    readme = (DEMO_SURVEY.parent / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "not real" in readme.lower()
    assert load_responses(DEMO_SURVEY, DEMO_CODEBOOK).source.startswith("SYNTHETIC")


def test_demo_counts_are_the_audits_counts():
    # the audit reconstructs the published Leapfrog figures: 30% of 106 -> 32, ...
    audit = run_audit().counts
    leap = audit[audit["study"] == "leapfrog_2015"].set_index(["item", "group"])
    for item, groups in DEMO_COUNTS.items():
        for group, (k, n) in groups.items():
            row = leap.loc[(item, group)]
            assert (int(row["k"]), int(row["n"])) == (k, n), (item, group)


# The yes rules of the demo codebook, written out again by hand for an
# independent count with plain pandas.
_DEMO_RULES = {
    "very_collaborative": ("q_relationship", {"Very collaborative and productive"}),
    "improved_alignment": ("q_improved_alignment", {"Yes"}),
    "no_shared_incentives": ("q_shared_incentives", {"No"}),
    "deliver_omnichannel": ("q_delivers_omnichannel", {"Yes"}),
    "omnichannel_important": ("q_omnichannel_importance", {"Very important", "Extremely important"}),
    "importance_data_tracking_analytics": ("imp_data_tracking", {"Extremely important"}),
    "importance_mobile_web": ("imp_mobile_web", {"Extremely important"}),
    "importance_sem_seo": ("imp_sem_seo", {"Extremely important"}),
    "importance_omnichannel": ("imp_omnichannel", {"Extremely important"}),
    "expertise_mass_marketing": ("exp_mass_marketing", {"Advanced", "Expert"}),
    "expertise_data_tracking_analytics": ("exp_data_tracking", {"Advanced", "Expert"}),
    "expertise_mobile_web": ("exp_mobile_web", {"Advanced", "Expert"}),
    "expertise_sem_seo": ("exp_sem_seo", {"Advanced", "Expert"}),
    "expertise_omnichannel": ("exp_omnichannel", {"Advanced", "Expert"}),
}


def test_demo_marginals_round_to_the_published_figures():
    raw = pd.read_csv(DEMO_SURVEY, keep_default_na=False)
    figures = load_benchmark().query("study == 'leapfrog_2015'").set_index(["item", "group"])
    counts = load_responses(DEMO_SURVEY, DEMO_CODEBOOK).counts.set_index(["item", "group"])
    checked = 0
    for item, (column, yes) in _DEMO_RULES.items():
        for department, group in (("Marketing", "marketing"), ("IT", "it")):
            answers = raw.loc[raw["department"] == department, column]
            answered = answers[answers != "Not asked"]
            if (item, group) not in figures.index:
                assert answered.empty, (item, group)  # skills: IT was not asked
                continue
            k, n = int(answered.isin(yes).sum()), len(answered)
            assert (int(counts.loc[(item, group), "k"]), int(counts.loc[(item, group), "n"])) == (k, n)
            figure = figures.loc[(item, group)]
            if pd.notna(figure["value"]):
                assert _half_up_percent(k, n) == figure["value"], (item, group, k, n)
            else:  # a vague wording: "about half" = 45-55%, "one third" = 30-37%
                assert figure["low"] <= 100 * k / n <= figure["high"], (item, group, k, n)
            checked += 1
    assert checked == 19
    # spot checks by hand: 32/106 = 30.19% -> 30; 3/24 = 12.5% -> 13 (half up); 1/24 = 4.17% -> 4
    assert _half_up_percent(32, 106) == 30 and _half_up_percent(3, 24) == 13 and _half_up_percent(1, 24) == 4


def test_demo_weights_and_ids():
    raw = pd.read_csv(DEMO_SURVEY)
    assert raw["respondent_id"].is_unique and raw["respondent_id"].str.startswith("demo-").all()
    assert raw["weight"].sum() == pytest.approx(130.0, abs=1e-9)  # mean exactly 1 (in thousandths)
    assert (raw["weight"] > 0).all()
    assert (raw["department"].value_counts().to_dict()) == {"Marketing": 106, "IT": 24}


def test_demo_other_sizes_and_seeds():
    big = make_demo_survey(n_respondents=1000)
    # 1000 x 106 / 130 = 815.4 -> 815 marketing, 185 IT
    assert big["department"].value_counts().to_dict() == {"Marketing": 815, "IT": 185}
    # 32/106 of 815 = 246.04 -> 246 marketers call the relationship very collaborative
    marketing = big[big["department"] == "Marketing"]
    assert int((marketing["q_relationship"] == "Very collaborative and productive").sum()) == 246
    assert not make_demo_survey(seed=1).equals(make_demo_survey(seed=2))
    assert make_demo_survey(seed=7).equals(make_demo_survey(seed=7))
    with pytest.raises(ValueError, match="n_respondents"):
        make_demo_survey(n_respondents=3)


def test_counts_table_schema_matches_the_audit():
    counts = load_responses(DEMO_SURVEY, DEMO_CODEBOOK).counts
    audit = run_audit().counts
    assert list(counts.columns) == list(COUNT_COLUMNS)
    for column in ("n", "k", "k_low", "k_high", "consistent", "value", "low", "high"):
        assert counts[column].dtype == audit[column].dtype, column
    assert (counts["k_low"] == counts["k"]).all() and (counts["k_high"] == counts["k"]).all()
    assert counts["consistent"].all() and (counts["rounding"] == "exact").all()
    assert (counts["n_alternatives"] == "").all() and (counts["n_reason"] == "respondent-level data").all()
    assert counts["low"].isna().all() and counts["high"].isna().all()
    np.testing.assert_allclose(counts["value"], 100 * counts["k"].astype(float) / counts["n"].astype(float))
    skills = counts[counts["item"].str.startswith(("importance_", "expertise_"))]
    assert set(skills["group"]) == {"marketing"}
    assert skills["pair"].notna().all() and set(skills["measure"]) == {"importance", "expertise"}


def test_paired_tables_against_a_crosstab():
    survey = load_responses(DEMO_SURVEY, DEMO_CODEBOOK)
    paired = survey.paired
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
    for kind in FORMATS:
        paths[kind] = folder / f"demo.{kind}"
        make_demo_survey(path=paths[kind])
    return paths


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_gives_the_same_counts(demo_files, kind):
    expected = load_responses(DEMO_SURVEY, DEMO_CODEBOOK)
    got = load_responses(demo_files[kind], DEMO_CODEBOOK)
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    pd.testing.assert_frame_equal(got.paired, expected.paired)
    weighted = load_responses(demo_files[kind], DEMO_CODEBOOK, weighted=True)
    pd.testing.assert_frame_equal(weighted.counts, load_responses(DEMO_SURVEY, DEMO_CODEBOOK, weighted=True).counts)


def test_sav_value_labels_stand_in_for_missing_answers(demo_files, tmp_path):
    # the .sav holds codes 1-5 with value labels; a codebook without answers uses them
    _, meta = pyreadstat.read_sav(str(demo_files["sav"]), metadataonly=True)
    assert meta.variable_value_labels["imp_sem_seo"][5] == "Extremely important"
    book = yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))
    item = book["items"]["importance_sem_seo"]
    del item["scale"]
    book["group"]["labels"] = {1: "marketing", 2: "it"}  # the codes of department
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    counts = load_responses(demo_files["sav"], path).counts.set_index(["item", "group"])
    assert (counts.loc[("importance_sem_seo", "marketing"), "k"], counts.loc[("importance_sem_seo", "marketing"),
                                                                             "n"]) == (46, 106)
    book["group"]["labels"] = {"Marketing": "marketing", "IT": "it"}
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"key items\.importance_sem_seo: no answers or scale"):
        load_responses(demo_files["csv"], path)  # a CSV has no value labels


# ---------------------------------------------------------------------------
# small hand-made files
# ---------------------------------------------------------------------------
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


@pytest.mark.parametrize("kind", FORMATS)
def test_tiny_counts_by_hand(tmp_path, kind):
    survey = load_responses(_write(TINY, tmp_path / f"tiny.{kind}"), _codebook(tmp_path))
    counts = survey.counts.set_index(["item", "group"])
    # q1 marketing: rows 1,2,3,6 -> answers 1,2,1,-9 -> 3 answered, 2 yes; IT: 2,1 -> 1 of 2; Sales left out
    assert (counts.loc[("q1_item", "marketing"), ["k", "n"]].tolist()) == [2, 3]
    assert (counts.loc[("q1_item", "it"), ["k", "n"]].tolist()) == [1, 2]
    assert counts.loc[("q1_item", "marketing"), "n_reason"] == (
        "respondent-level data; 1 respondent(s) without an answer left out")
    # q2 >= 4: marketing 5,4,2,1 -> 2 of 4; IT 3,5 -> 1 of 2
    assert (counts.loc[("q2_item", "marketing"), ["k", "n"]].tolist()) == [2, 4]
    assert (counts.loc[("q2_item", "it"), ["k", "n"]].tolist()) == [1, 2]
    assert survey.n_respondents == 7 and survey.n_excluded == 1
    assert survey.paired is None


@pytest.mark.parametrize("kind", FORMATS)
def test_weighted_shares_and_kish_sizes_by_hand(tmp_path, kind):
    survey = load_responses(_write(TINY, tmp_path / f"tiny.{kind}"), _codebook(tmp_path), weighted=True)
    counts = survey.counts.set_index(["item", "group"])
    assert list(survey.counts.columns) == [*COUNT_COLUMNS, "n_raw", "weighted_share"]
    # q2, marketing: answers 5,4,2,1 with weights 1, 2, 1.5, 1 (yes = first two)
    #   sum w = 5.5, sum w^2 = 1 + 4 + 2.25 + 1 = 8.25, weighted share = 3 / 5.5 = 0.54545
    #   n_eff = 5.5^2 / 8.25 = 30.25 / 8.25 = 3.6667 -> n = 4; k = round(0.54545 * 3.6667 = 2.0) = 2
    row = counts.loc[("q2_item", "marketing")]
    assert row["weighted_share"] == pytest.approx(3 / 5.5, abs=1e-12)
    assert row["weighted_share"] == pytest.approx(
        DescrStatsW(np.array([1.0, 1.0, 0.0, 0.0]), weights=[1, 2, 1.5, 1]).mean, abs=1e-12)
    assert (row["n"], row["k"], row["n_raw"]) == (4, 2, 4)
    assert row["value"] == pytest.approx(100 * 3 / 5.5)
    assert row["rounding"] == "kish" and "Kish effective n 3.7 of 4" in row["n_reason"]
    # q1, marketing: answers 1,2,1 (the -9 is missing) with weights 1, 2, 1.5
    #   sum w = 4.5, sum w^2 = 7.25, share = 2.5 / 4.5 = 0.5556, n_eff = 20.25 / 7.25 = 2.7931 -> n = 3
    #   k = round(0.5556 * 2.7931 = 1.5517) = 2
    row = counts.loc[("q1_item", "marketing")]
    assert (row["n"], row["k"], row["n_raw"]) == (3, 2, 3)
    assert row["weighted_share"] == pytest.approx(2.5 / 4.5)
    # q1, IT: answers 2, 1 with weights 1, 0.5: share = 0.5 / 1.5 = 1/3, n_eff = 2.25 / 1.25 = 1.8 -> n = 2,
    #   k = round(0.6) = 1
    row = counts.loc[("q1_item", "it")]
    assert (row["n"], row["k"]) == (2, 1)
    assert row["weighted_share"] == pytest.approx(1 / 3)
    assert survey.source == "responses from " + f"tiny.{kind}" + " (weighted by w)"


def test_weighted_paired_cells_keep_their_total(tmp_path):
    frame = TINY.assign(q3=[1, 1, 2, 2, 1, 1, 1])
    book = _codebook(tmp_path, **{"items.q1_item.pair": "skill", "items.q1_item.measure": "importance",
                                  "items.q3_item": {"column": "q3", "wording": "has expertise", "scale": "yes_no",
                                                    "yes_if": [1], "pair": "skill", "measure": "expertise"}})
    path = _write(frame, tmp_path / "tiny.csv")
    paired = load_responses(path, book).paired.set_index("group")
    # marketing, both answered: rows 1,2,3 (row 6 has q1 missing): (yes,yes), (no,yes), (yes,no)
    assert paired.loc["marketing", ["n", "both", "a_only", "b_only", "neither"]].tolist() == [3, 1, 1, 1, 0]
    weighted = load_responses(path, book, weighted=True).paired.set_index("group")
    # weights 1, 2, 1.5: sum 4.5, n_eff = 20.25 / 7.25 = 2.79 -> n = 3; importance share 2.5/4.5 -> k_a =
    #   round(1.55) = 2, expertise 3/4.5 -> k_b = round(1.86) = 2 (as in the counts table); both 1/4.5 ->
    #   round(0.62) = 1, within [2 + 2 - 3, 2]; so a_only 1, b_only 1, neither 3 - 2 - 2 + 1 = 0
    row = weighted.loc["marketing"]
    assert row[["n", "both", "a_only", "b_only", "neither", "n_raw"]].tolist() == [3, 1, 1, 1, 0, 3]


def test_weighted_paired_margins_equal_the_weighted_counts():
    survey = load_responses(DEMO_SURVEY, DEMO_CODEBOOK, weighted=True)
    counts = survey.counts.set_index(["item", "group"])
    for row in survey.paired.itertuples():
        a, b = counts.loc[(row.item_a, row.group)], counts.loc[(row.item_b, row.group)]
        assert row.n == a["n"] == b["n"] and row.n_raw == 106
        assert (row.both + row.a_only, row.both + row.b_only) == (a["k"], b["k"])
        assert row.both + row.a_only + row.b_only + row.neither == row.n and min(row[5:9]) >= 0


def test_answers_match_codes_or_labels_ignoring_case(tmp_path):
    frame = TINY.assign(q1=["yes", " No ", "YES", "2", 1, "-9", "Yes"]).astype({"q1": str})
    counts = load_responses(_write(frame, tmp_path / "mixed.csv"), _codebook(tmp_path)).counts
    row = counts.set_index(["item", "group"]).loc[("q1_item", "marketing")]
    assert (row["k"], row["n"]) == (2, 3)


def test_yes_if_variants(tmp_path):
    path = _write(TINY, tmp_path / "tiny.csv")
    for yes_if, expected in (("Strongly agree", 1), ([4, 5], 2), (["Agree", "strongly agree"], 2), ("> 3", 2),
                             ("<= 2", 2), ("== 5", 1), (5, 1)):
        book = _codebook(tmp_path, **{"items.q2_item.yes_if": yes_if})
        counts = load_responses(path, book).counts.set_index(["item", "group"])
        # marketing answers to q2: 5, 4, 2, 1
        assert counts.loc[("q2_item", "marketing"), "k"] == expected, yes_if


def test_only_the_codebook_columns_are_read(tmp_path, monkeypatch):
    frame = TINY.assign(free_text=["x"] * 7, other=range(7))
    calls = {}
    import pyarrow.parquet as pq

    for module, name in ((pd, "read_csv"), (pd, "read_excel"), (pq.ParquetFile, "read")):
        def spy(*args, _name=name, _original=getattr(module, name), **kwargs):
            calls.setdefault(_name, []).append(kwargs.get("usecols", kwargs.get("columns")))
            return _original(*args, **kwargs)
        monkeypatch.setattr(module, name, spy)
    original_sav = pyreadstat.read_sav

    def spy_sav(*args, **kwargs):
        calls.setdefault("read_sav", []).append(kwargs.get("usecols", "metadata" if kwargs.get("metadataonly") else None))
        return original_sav(*args, **kwargs)

    monkeypatch.setattr(pyreadstat, "read_sav", spy_sav)
    wanted = ["id", "dept", "q1", "q2"]
    for kind, reader in (("csv", "read_csv"), ("xlsx", "read_excel"), ("sav", "read_sav")):
        load_responses(_write(frame, tmp_path / f"wide.{kind}"), _codebook(tmp_path))
        data_calls = [c for c in calls[reader] if c not in (None, "metadata")]
        assert data_calls and sorted(data_calls[-1]) == sorted(wanted), (kind, calls[reader])
    load_responses(_write(frame, tmp_path / "wide.parquet"), _codebook(tmp_path))  # Parquet: column by column
    assert sorted(c for call in calls["read"] for c in call) == sorted(wanted)
    calls["read"].clear()
    load_responses(tmp_path / "wide.parquet", _codebook(tmp_path), weighted=True)
    assert sorted(c for call in calls["read"] for c in call) == sorted([*wanted, "w"])


# ---------------------------------------------------------------------------
# the codebook
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("changes", "key", "message"), [
    ({"items.q1_item.yes_if": ["Maybe"]}, "items.q1_item.yes_if", "'Maybe' is not an answer"),
    ({"items.q1_item.scale": "nope"}, "items.q1_item.scale", "'nope' is not a scale"),
    ({"items.q1_item.colour": "red"}, "items.q1_item.colour", "Extra inputs are not permitted"),
    ({"study": "Tiny Survey"}, "study", "snake_case"),
    ({"items.q2_item.yes_if": ">= 9"}, "items.q2_item.yes_if", "selects no answer"),
    ({"items.q1_item.yes_if": []}, "items.q1_item.yes_if", "empty list"),
    ({"items.q1_item.pair": "skill"}, "items.q1_item", "pair and measure go together"),
    ({"group.labels": {"Marketing": "Marketing Dept"}}, "group.labels", "snake_case"),
    ({"missing": [1]}, "items.q1_item.missing", "both an answer and a missing code"),
])
def test_codebook_errors_name_file_and_key(tmp_path, changes, key, message):
    path = _codebook(tmp_path, **changes)
    with pytest.raises(DataValidationError) as err:
        load_codebook(path)
    text = str(err.value)
    assert str(path) in text and f"key {key}" in text and message in text, text


def test_codebook_unquoted_yes_is_caught(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(
        "study: s\ngroup: {column: g, labels: {A: a}}\n"
        "items:\n  x: {column: c, wording: asked x, answers: {1: Yes, 2: No}, yes_if: [1]}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"key items\.x\.answers: .*YAML boolean.*quote"):
        load_codebook(path)


def test_codebook_malformed_yaml_and_missing_file(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("study: s\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"book\.yaml line \d+: malformed YAML"):
        load_codebook(path)
    with pytest.raises(DataValidationError, match="codebook not found"):
        load_codebook(tmp_path / "absent.yaml")
    path.write_text("!!python/object/apply:os.system ['echo unsafe']\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="malformed YAML"):  # safe_load refuses Python tags
        load_codebook(path)


def test_weighted_needs_a_weight_column(tmp_path):
    book = _codebook(tmp_path, weight=None)
    with pytest.raises(DataValidationError, match="names no weight column"):
        load_responses(_write(TINY, tmp_path / "tiny.csv"), book, weighted=True)


def test_duplicate_respondent_ids(tmp_path):
    frame = TINY.assign(id=[1, 2, 3, 4, 2, 6, 7])
    with pytest.raises(DataValidationError, match=r"tiny\.csv line 6, column id: 2 is a duplicate respondent id"):
        load_responses(_write(frame, tmp_path / "tiny.csv"), _codebook(tmp_path))


# ---------------------------------------------------------------------------
# bad input: one clear error per problem, for every format
# ---------------------------------------------------------------------------
_ROW3 = {"csv": "line 4", "xlsx": "row 4", "sav": "case 3", "parquet": "row 3"}  # the third respondent


@pytest.mark.parametrize("kind", FORMATS)
def test_missing_column_lists_the_available_ones(tmp_path, kind):
    path = _write(TINY, tmp_path / f"tiny.{kind}")
    book = _codebook(tmp_path, **{"items.q2_item.column": "q9"})
    with pytest.raises(DataValidationError) as err:
        load_responses(path, book)
    text = str(err.value)
    assert "key items.q2_item.column" in text and "'q9'" in text and f"tiny.{kind}" in text
    assert "available: id, dept, q1, q2, w" in text


@pytest.mark.parametrize("kind", FORMATS)
def test_answer_code_not_in_the_codebook(tmp_path, kind):
    path = _write(TINY.assign(q2=[5, 4, 7, 3, 5, 1, 2]), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        load_responses(path, _codebook(tmp_path))
    text = str(err.value)
    assert text.startswith(f"{path} {_ROW3[kind]}, column q2: 7")
    assert "is not an answer of item q2_item in codebook codebook.yaml" in text
    assert "1=Strongly disagree" in text


@pytest.mark.parametrize("kind", FORMATS)
def test_group_label_not_mapped(tmp_path, kind):
    path = _write(TINY.assign(dept=["Marketing", "Marketing", "Finance", "IT", "IT", "Marketing", "Sales"]),
                  tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        load_responses(path, _codebook(tmp_path))
    text = str(err.value)
    assert text.startswith(f"{path} {_ROW3[kind]}, column dept: 'Finance' is not a group label")
    assert "'Marketing', 'IT', 'Sales'" in text


@pytest.mark.parametrize("kind", FORMATS)
def test_item_with_every_answer_missing(tmp_path, kind):
    path = _write(TINY.assign(q1=[-9] * 7), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError, match=r"column q1: every answer to item q1_item is missing") as err:
        load_responses(path, _codebook(tmp_path))
    assert str(path) in str(err.value) and "-9" in str(err.value)


@pytest.mark.parametrize("kind", FORMATS)
def test_negative_weight(tmp_path, kind):
    path = _write(TINY.assign(w=[1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0]), tmp_path / f"tiny.{kind}")
    load_responses(path, _codebook(tmp_path))  # unweighted: the weights are not read
    with pytest.raises(DataValidationError) as err:
        load_responses(path, _codebook(tmp_path), weighted=True)
    # Excel stores -1.0 as the integer -1; the message shows the value as read from the file
    shown = "-1" if kind == "xlsx" else "-1.0"
    assert str(err.value).startswith(f"{path} {_ROW3[kind]}, column w: {shown} is not a weight")


@pytest.mark.parametrize("kind", FORMATS)
def test_missing_weight(tmp_path, kind):
    path = _write(TINY.assign(w=[1.0, 1.0, np.nan, 1.0, 1.0, 1.0, 1.0]), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        load_responses(path, _codebook(tmp_path), weighted=True)
    assert str(err.value).startswith(f"{path} {_ROW3[kind]}, column w: ")
    assert "is missing; every respondent needs a weight" in str(err.value)


@pytest.mark.parametrize("kind", FORMATS)
def test_unreadable_or_truncated_file(tmp_path, kind):
    path = tmp_path / f"broken.{kind}"
    if kind == "csv":  # a quote that never closes
        path.write_text('id,dept,q1,q2,w\n1,Marketing,1,5,1.0\n2,"Marketing,2,4,1.0\n3,IT,1,3,1.0\n', encoding="utf-8")
    elif kind == "sav":  # garbage bytes
        path.write_bytes(b"$FL2 this is not an SPSS file" + bytes(range(256)) * 4)
    else:  # a real file cut in half
        whole = _write(TINY, tmp_path / f"whole.{kind}").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataValidationError) as err:
        load_responses(path, _codebook(tmp_path))
    reader = {"csv": "csv", "xlsx": "excel", "sav": "spss", "parquet": "parquet"}[kind]
    assert str(err.value).startswith(f"{path}: cannot be read as {reader} (")


def test_empty_file_and_unknown_suffix(tmp_path):
    path = _write(TINY.iloc[:0], tmp_path / "empty.csv")
    with pytest.raises(DataValidationError, match="no respondents"):
        load_responses(path, _codebook(tmp_path))
    with pytest.raises(DataValidationError, match=r"unknown response file type '\.json'"):
        load_responses(tmp_path / "answers.json", _codebook(tmp_path))
    with pytest.raises(DataValidationError, match="file not found"):
        load_responses(tmp_path / "absent.csv", _codebook(tmp_path))


def test_half_up_of_kish_size_is_documented_rounding():
    # n_eff = 2.5 rounds half up to 3 (not to even, 2): weights 1, 1, 1, 3 -> 36 / 12 = 3.0; weights 1, 3 ->
    # 16 / 10 = 1.6 -> 2. A direct check of the rounding helper against the half-up rule.
    from alignment_stats.survey import _half_up

    assert _half_up(np.array([2.5, 1.6, 0.5, 3.4999])).tolist() == [3, 2, 1, 3]
    assert math.floor(2.5 + 0.5) == 3
