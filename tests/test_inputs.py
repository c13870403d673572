"""One input parameter for every notebook: figures, counts, or responses + codebook."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from alignment_stats.audit import reconstruct_counts
from alignment_stats.data import RAW_DIR, DataValidationError, load_benchmark, load_studies
from alignment_stats.inputs import AnalysisInput, load_input
from alignment_stats.survey import DEMO_CODEBOOK, DEMO_SURVEY

DEMO = "data/raw/demo/leapfrog_demo_survey.csv"
BOOK = "data/raw/demo/leapfrog_demo_codebook.yaml"


def test_default_is_the_bundled_figures_reconstructed():
    loaded = load_input()
    expected = reconstruct_counts(load_benchmark(), load_studies())
    pd.testing.assert_frame_equal(loaded.counts, expected)
    assert loaded.source == "bundled benchmark figures" and loaded.paired is None
    assert loaded.figures is not None and "leapfrog_2015" in loaded.studies
    assert load_input("").source == "bundled benchmark figures"


def test_figures_csv_is_reconstructed_with_its_studies(tmp_path):
    shutil.copy(RAW_DIR / "benchmark_figures.csv", tmp_path / "figures.csv")
    shutil.copy(RAW_DIR / "studies.yaml", tmp_path / "studies.yaml")
    loaded = load_input(tmp_path / "figures.csv")
    assert loaded.source == "figures from figures.csv"
    pd.testing.assert_frame_equal(loaded.counts, load_input().counts)


def test_counts_tables_are_used_as_they_are(tmp_path):
    # a hand-made counts table: 30 of 100 and 3 of 24
    table = pd.DataFrame({"study": "s", "item": "x", "group": ["marketing", "it"], "n": [100, 24], "k": [30, 3]})
    for suffix in ("csv", "parquet"):
        path = tmp_path / f"counts.{suffix}"
        table.to_csv(path, index=False) if suffix == "csv" else table.to_parquet(path, index=False)
        loaded = load_input(path)
        assert loaded.source == f"counts from counts.{suffix}" and loaded.figures is None
        counts = loaded.counts
        assert counts["value"].tolist() == [30.0, 12.5]
        assert counts["k_low"].tolist() == [30, 3] and counts["k_high"].tolist() == [30, 3]
        assert counts["consistent"].all() and counts["low"].isna().all()
        assert str(counts["n"].dtype) == "Int64"


def test_errors_for_missing_files_and_bad_tables(tmp_path):
    with pytest.raises(DataValidationError, match="file not found"):
        load_input(tmp_path / "absent.csv")
    path = tmp_path / "counts.parquet"
    pd.DataFrame({"study": ["s"], "item": ["x"], "k": [1]}).to_parquet(path)
    with pytest.raises(DataValidationError, match=r"lacks column\(s\) group, n .*needs its codebook"):
        load_input(path)
    (tmp_path / "answers.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataValidationError, match="unknown input type '.json'"):
        load_input(tmp_path / "answers.json")
    (tmp_path / "answers.sav").write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"respondent-level answers; give its codebook too"):
        load_input(tmp_path / "answers.sav")


def test_codebook_routes_to_the_survey_reader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths resolve against the project root, not the working directory
    loaded = load_input(DEMO, codebook=BOOK)
    assert isinstance(loaded, AnalysisInput)
    assert loaded.figures is None and loaded.studies is None
    assert loaded.source.startswith("SYNTHETIC demo survey")
    assert set(loaded.counts["study"]) == {"leapfrog_2015_demo"}
    # 32 of the 106 marketers answered the top box (the published 30%)
    row = loaded.counts.query("item == 'very_collaborative' and group == 'marketing'").iloc[0]
    assert (row["k"], row["n"]) == (32, 106)
    assert list(loaded.paired.columns[:8]) == ["study", "pair", "group", "n", "both", "a_only", "b_only", "neither"]
    absolute = load_input(DEMO_SURVEY, codebook=DEMO_CODEBOOK)
    pd.testing.assert_frame_equal(absolute.counts, loaded.counts)


def test_weighted_survey_through_load_input():
    loaded = load_input(DEMO, codebook=BOOK, weighted=True)
    assert {"n_raw", "weighted_share"} <= set(loaded.counts.columns)
    assert loaded.source.endswith("(weighted by weight)")
    # weighted is ignored without a codebook
    assert load_input(weighted=True).source == "bundled benchmark figures"


def test_codebook_without_a_response_file():
    with pytest.raises(DataValidationError, match="codebook .* given without a response file"):
        load_input(None, codebook=BOOK)


def test_bad_response_file_through_load_input(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("department,q_relationship\nMarketing,Very collaborative and productive\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'respondent_id' is not in answers\.csv \(available: "
                                                  r"department, q_relationship\)"):
        load_input(path, codebook=BOOK)


def test_figures_or_counts_given_with_a_codebook(tmp_path):
    # e.g. `alignment-stats report --input figures.csv` while notebook 04 keeps its demo codebook
    with pytest.raises(DataValidationError, match=r"not one row per respondent; drop the codebook"):
        load_input(RAW_DIR / "benchmark_figures.csv", codebook=BOOK)
    path = tmp_path / "counts.parquet"
    pd.DataFrame({"study": ["s"], "item": ["x"], "group": ["it"], "n": [10], "k": [1]}).to_parquet(path)
    with pytest.raises(DataValidationError, match="drop the codebook"):
        load_input(path, codebook=BOOK)
