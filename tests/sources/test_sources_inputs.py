"""sources.inputs: one input, whatever it is (figures, a counts table, or responses + codebook), and its claims.

References: the bundled files read directly with the single-file readers
(``load_figures``, ``load_studies``, ``read_claims``) and with plain pandas;
hand-made counts tables; the error messages the module documents.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from alignment_stats.config import (
    BUNDLED_CLAIMS,
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
    DEMO_SURVEY,
)
from alignment_stats.schema import DataValidationError
from alignment_stats.sources import (
    load_figures,
    load_studies,
    read_claims,
    read_sources,
)
from alignment_stats.sources.inputs import input_files, read_counts_table

DEMO = "data/raw/demo/leapfrog_demo_survey.csv"
BOOK = "data/raw/demo/leapfrog_demo_codebook.yaml"


def test_default_is_the_bundled_figures():
    sources = read_sources()
    assert sources.kind == "figures" and sources.source == "bundled benchmark figures"
    pd.testing.assert_frame_equal(sources.figures, load_figures())
    assert sources.studies == load_studies()
    assert sources.counts is None and sources.responses is None and not sources.synthetic
    assert sources.skipped_claims == {}
    assert sources.claims["claim_id"].tolist() == read_claims()["claim_id"].tolist()
    assert sources.files == {"figures": BUNDLED_FIGURES, "studies": BUNDLED_STUDIES, "claims": BUNDLED_CLAIMS}
    assert read_sources("").source == "bundled benchmark figures"


def test_input_files_roles_without_reading(tmp_path):
    assert input_files() == {"kind": "figures", "figures": BUNDLED_FIGURES, "studies": BUNDLED_STUDIES,
                             "claims": BUNDLED_CLAIMS}
    files = input_files(DEMO, codebook=BOOK)
    assert files == {"kind": "responses", "responses": DEMO_SURVEY, "codebook": DEMO_CODEBOOK,
                     "claims": BUNDLED_CLAIMS}
    shutil.copy(BUNDLED_FIGURES, tmp_path / "figures.csv")
    files = input_files(tmp_path / "figures.csv")  # no studies.yaml beside it: the bundled one
    assert files["studies"] == BUNDLED_STUDIES
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    assert input_files(tmp_path / "figures.csv")["studies"] == tmp_path / "studies.yaml"


def test_figures_csv_with_its_studies(tmp_path):
    shutil.copy(BUNDLED_FIGURES, tmp_path / "figures.csv")
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    sources = read_sources(tmp_path / "figures.csv")
    assert sources.source == "figures from figures.csv"
    pd.testing.assert_frame_equal(sources.figures, load_figures())
    assert sources.files["studies"] == tmp_path / "studies.yaml"


def test_new_study_keeps_no_bundled_claim(new_study):
    sources = read_sources(new_study / "figures.csv")
    study = sources.figures["study"].iloc[0]
    assert sources.claims.empty
    assert set(sources.skipped_claims) == set(read_claims()["claim_id"])
    assert all(why.startswith("study ") and why.endswith(" is not in the input")
               for why in sources.skipped_claims.values())
    assert study not in " ".join(sources.skipped_claims.values())


def test_users_claims_file_replaces_the_bundled_claims(new_study):
    claims = new_study.parent / "published_sizes" / "claims.csv"
    if new_study.name == "published_sizes":
        sources = read_sources(new_study / "figures.csv", claims=claims)
        assert sources.claims["claim_id"].tolist() == pd.read_csv(claims)["claim_id"].tolist()
        assert sources.skipped_claims == {}
    else:  # the acme claims reference study acme_2024, which these inputs lack: strict, an error
        with pytest.raises(DataValidationError, match=r"claims.csv line 2, column figure_a: "
                                                      r"'joint_planning/marketing' is not a figure of study 'acme_2024'"):
            read_sources(new_study / "figures.csv", claims=claims)


def test_counts_tables_are_read_as_they_are(tmp_path):
    table = pd.DataFrame({"study": "s", "item": "x", "group": ["marketing", "it"], "n": [100, 24], "k": [30, 3]})
    for suffix in ("csv", "parquet"):
        path = tmp_path / f"counts.{suffix}"
        table.to_csv(path, index=False) if suffix == "csv" else table.to_parquet(path, index=False)
        sources = read_sources(path)
        assert sources.kind == "counts" and sources.source == f"counts from counts.{suffix}"
        assert sources.figures is None and sources.studies is None
        assert sources.counts["n"].tolist() == [100, 24] and sources.counts["k"].tolist() == [30, 3]
        assert str(sources.counts["n"].dtype) == "Int64"
        assert sources.known().values.tolist() == [["s", "x", "marketing"], ["s", "x", "it"]]


@pytest.mark.parametrize("change, expected", [
    ({"n": [100, 0]}, r"row 2, column n: 0 must be a whole number >= 1"),
    ({"n": [100, 24.5]}, r"row 2, column n: 24.5 must be a whole number >= 1"),
    ({"k": [30, -1]}, r"row 2, column k: -1 must be a whole number >= 0"),
    ({"k": [30, 25]}, r"row 2, column k: 25 exceeds n = 24"),
    ({"group": ["it", "it"]}, r"row 2, column study/item/group: 's/x/it' is a duplicate"),
])
def test_bad_counts_tables(tmp_path, change, expected):
    table = pd.DataFrame({"study": "s", "item": "x", "group": ["marketing", "it"], "n": [100, 24], "k": [30, 3]})
    path = tmp_path / "counts.csv"
    table.assign(**change).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=expected) as info:
        read_counts_table(path)
    assert str(path) in str(info.value)


def test_errors_for_missing_files_and_bad_tables(tmp_path):
    with pytest.raises(DataValidationError, match="input file not found"):
        read_sources(tmp_path / "absent.csv")
    path = tmp_path / "counts.parquet"
    pd.DataFrame({"study": ["s"], "item": ["x"], "k": [1]}).to_parquet(path)
    with pytest.raises(DataValidationError, match=r"looks like respondent-level answers .*need a codebook"):
        read_sources(path)
    (tmp_path / "answers.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"unknown input type '.json'"):
        read_sources(tmp_path / "answers.json")
    (tmp_path / "answers.sav").write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"respondent-level answers .*--codebook"):
        read_sources(tmp_path / "answers.sav")


def test_codebook_routes_to_the_response_reader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths resolve against the project root, not the working directory
    sources = read_sources(DEMO, codebook=BOOK)
    assert sources.kind == "responses" and sources.figures is None and sources.studies is None
    assert sources.source.startswith("SYNTHETIC demo survey") and sources.synthetic
    assert sources.responses.n_rows == 130 and sources.responses.group_ids == ["marketing", "it"]
    assert sources.files["responses"] == DEMO_SURVEY and sources.files["codebook"] == DEMO_CODEBOOK
    known = sources.known()
    assert set(known["study"]) == {"leapfrog_2015_demo"} and len(known) == 14 * 2
    absolute = read_sources(DEMO_SURVEY, codebook=DEMO_CODEBOOK)
    assert absolute.source == sources.source and absolute.files == sources.files


def test_weighted_design_through_read_sources():
    sources = read_sources(DEMO, codebook=BOOK, design="weighted")
    assert sources.source.endswith("(weighted by weight)") and sources.responses.weighted
    assert sources.responses.weights.sum() == pytest.approx(130.0, abs=1e-9)
    # the design is ignored without a codebook
    assert read_sources(design="weighted").source == "bundled benchmark figures"
    with pytest.raises(ValueError, match="design='stratified' is not known"):
        read_sources(DEMO, codebook=BOOK, design="stratified")


def test_codebook_without_a_response_file():
    with pytest.raises(DataValidationError, match="codebook .* given without a response file"):
        read_sources(None, codebook=BOOK)


def test_bad_response_file_through_read_sources(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("department,q_relationship\nMarketing,Very collaborative and productive\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'respondent_id' is not in answers\.csv \(available: "
                                                  r"department, q_relationship\)"):
        read_sources(path, codebook=BOOK)


def test_figures_or_counts_given_with_a_codebook(tmp_path):
    with pytest.raises(DataValidationError, match=r"not one row per respondent; drop the codebook"):
        read_sources(BUNDLED_FIGURES, codebook=BOOK)
    path = tmp_path / "counts.parquet"
    pd.DataFrame({"study": ["s"], "item": ["x"], "group": ["it"], "n": [10], "k": [1]}).to_parquet(path)
    with pytest.raises(DataValidationError, match="drop the codebook"):
        read_sources(path, codebook=BOOK)
