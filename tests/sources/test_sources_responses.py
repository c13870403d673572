"""sources.responses: respondent-level files (.csv, .xlsx, .sav, .parquet) read and checked through a codebook.

References: small data frames written here and the fixture survey
(``tests/fixtures/survey``), whose groups and answers are recounted with
plain pandas; the error messages are checked against the file, row (in the
file's own terms: CSV line, Excel row, SPSS case, Parquet row), column and
value the rule requires, written here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.schema import DataValidationError
from alignment_stats.sources import (
    FORMATS,
    load_codebook,
    make_demo_survey,
    read_responses,
)

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


def _k_n(responses, item: str, group: str) -> tuple[int, int]:
    """(yes, answered) of one item in one group, from the coded answers."""
    member = responses.group == responses.group_ids.index(group)
    states = responses.items[item].states()
    return int(((states == 2) & member).sum()), int(((states > 0) & member).sum())


def test_formats():
    assert FORMATS == {".csv": "csv", ".xlsx": "excel", ".sav": "spss", ".parquet": "parquet"}


@pytest.mark.parametrize("kind", KINDS)
def test_tiny_file_coded_by_hand(tmp_path, kind):
    responses = read_responses(_write(TINY, tmp_path / f"tiny.{kind}"), _codebook(tmp_path))
    assert responses.group_ids == ["marketing", "it"]
    # Sales is mapped to null: left out (coded len(group_ids))
    assert responses.group.tolist() == [0, 0, 0, 1, 1, 0, 2]
    assert (responses.n_rows, responses.n_excluded) == (7, 1)
    # q1 marketing: rows 1,2,3,6 -> answers 1,2,1,-9 (missing) -> 2 yes of 3; IT: 2,1 -> 1 of 2
    assert _k_n(responses, "q1_item", "marketing") == (2, 3)
    assert _k_n(responses, "q1_item", "it") == (1, 2)
    # q2 >= 4: marketing 5,4,2,1 -> 2 of 4; IT 3,5 -> 1 of 2
    assert _k_n(responses, "q2_item", "marketing") == (2, 4)
    assert responses.items["q1_item"].states().tolist() == [2, 1, 2, 1, 2, 0, 2]
    assert responses.weights is None and not responses.weighted


def test_weighted_design_reads_the_weights(tmp_path):
    responses = read_responses(_write(TINY, tmp_path / "tiny.csv"), _codebook(tmp_path), design="weighted")
    assert responses.weights.tolist() == TINY["w"].tolist()
    with pytest.raises(ValueError, match="design='robust' is not known"):
        read_responses(tmp_path / "tiny.csv", _codebook(tmp_path), design="robust")


def test_answers_match_codes_or_labels_ignoring_case(tmp_path):
    frame = TINY.assign(q1=["yes", " No ", "YES", "2", 1, "-9", "Yes"]).astype({"q1": str})
    responses = read_responses(_write(frame, tmp_path / "mixed.csv"), _codebook(tmp_path))
    assert _k_n(responses, "q1_item", "marketing") == (2, 3)


@pytest.mark.parametrize("yes_if, expected", [
    ("Strongly agree", 1), ([4, 5], 2), (["Agree", "strongly agree"], 2), ("> 3", 2), ("<= 2", 2), ("== 5", 1),
    (5, 1), ("< 2", 1),
])
def test_yes_if_variants(tmp_path, yes_if, expected):
    path = _write(TINY, tmp_path / "tiny.csv")
    responses = read_responses(path, _codebook(tmp_path, **{"items.q2_item.yes_if": yes_if}))
    # marketing answers to q2: 5, 4, 2, 1
    assert _k_n(responses, "q2_item", "marketing") == (expected, 4)


def test_fixture_survey_against_plain_pandas():
    responses = read_responses(FIXTURE / "responses.csv", FIXTURE / "codebook.yaml")
    raw = pd.read_csv(FIXTURE / "responses.csv", keep_default_na=False, dtype=str)
    assert responses.n_rows == len(raw) == 90
    # Finance is mapped to null and one department is blank: both left out
    left_out = raw["dept"].isin(["Finance", ""]).sum()
    assert responses.n_excluded == left_out
    for dept, group in (("Marketing", "marketing"), ("Technology", "it")):
        rows = raw[raw["dept"] == dept]
        assert int((responses.group == responses.group_ids.index(group)).sum()) == len(rows)
        answered = rows[~rows["q2_kpis"].isin(["", "99"])]
        assert _k_n(responses, "no_shared_incentives", group) == (int((answered["q2_kpis"] == "No").sum()),
                                                                  len(answered))
        budget = rows[~rows["q3_budget"].isin(["", "99"])]["q3_budget"].astype(int)
        assert _k_n(responses, "budget_agreed", group) == (int((budget >= 4).sum()), len(budget))


def test_only_the_codebook_columns_are_read(tmp_path, monkeypatch):
    frame = TINY.assign(free_text=["x"] * 7, other=range(7))
    calls: dict[str, list] = {}
    import pyarrow.parquet as pq

    for module, name in ((pd, "read_csv"), (pd, "read_excel"), (pq.ParquetFile, "read")):
        def spy(*args, _name=name, _original=getattr(module, name), **kwargs):  # noqa: B008 - bound per loop
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
        read_responses(_write(frame, tmp_path / f"wide.{kind}"), _codebook(tmp_path))
        data_calls = [c for c in calls[reader] if c not in (None, "metadata")]
        assert data_calls and sorted(data_calls[-1]) == sorted(wanted), (kind, calls[reader])
    read_responses(_write(frame, tmp_path / "wide.parquet"), _codebook(tmp_path))  # Parquet: column by column
    assert sorted(c for call in calls["read"] for c in call) == sorted(wanted)
    calls["read"].clear()
    read_responses(tmp_path / "wide.parquet", _codebook(tmp_path), design="weighted")
    assert sorted(c for call in calls["read"] for c in call) == sorted([*wanted, "w"])


def test_sav_value_labels_stand_in_for_missing_answers(tmp_path):
    sav = tmp_path / "demo.sav"
    make_demo_survey(path=sav)
    _, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    assert meta.variable_value_labels["imp_sem_seo"][5] == "Extremely important"
    book = yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))
    del book["items"]["importance_sem_seo"]["scale"]
    book["group"]["labels"] = {1: "marketing", 2: "it"}  # the codes of department in the .sav
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    responses = read_responses(sav, path)
    # 46 of 106 marketers call SEM/SEO extremely important (the demo's Leapfrog count, 43%)
    assert _k_n(responses, "importance_sem_seo", "marketing") == (46, 106)
    book["group"]["labels"] = {"Marketing": "marketing", "IT": "it"}
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"key items\.importance_sem_seo: no answers or scale"):
        read_responses(DEMO_SURVEY, path)  # a CSV has no value labels


def test_weighted_needs_a_weight_column(tmp_path):
    book = _codebook(tmp_path, weight=None)
    with pytest.raises(DataValidationError, match="names no weight column"):
        read_responses(_write(TINY, tmp_path / "tiny.csv"), book, design="weighted")


def test_duplicate_respondent_ids(tmp_path):
    frame = TINY.assign(id=[1, 2, 3, 4, 2, 6, 7])
    with pytest.raises(DataValidationError, match=r"tiny\.csv line 6, column id: 2 is a duplicate respondent id"):
        read_responses(_write(frame, tmp_path / "tiny.csv"), _codebook(tmp_path))


def test_nobody_in_a_group(tmp_path):
    frame = TINY.assign(dept="Sales")
    with pytest.raises(DataValidationError, match="no respondent belongs to a group of codebook codebook.yaml"):
        read_responses(_write(frame, tmp_path / "tiny.csv"), _codebook(tmp_path))


# ---------------------------------------------------------------------------
# bad input: one clear error per problem, for every format
# ---------------------------------------------------------------------------
_ROW3 = {"csv": "line 4", "xlsx": "row 4", "sav": "case 3", "parquet": "row 3"}  # the third respondent


@pytest.mark.parametrize("kind", KINDS)
def test_missing_column_lists_the_available_ones(tmp_path, kind):
    path = _write(TINY, tmp_path / f"tiny.{kind}")
    book = _codebook(tmp_path, **{"items.q2_item.column": "q9"})
    with pytest.raises(DataValidationError) as err:
        read_responses(path, book)
    text = str(err.value)
    assert "key items.q2_item.column" in text and "'q9'" in text and f"tiny.{kind}" in text
    assert "available: id, dept, q1, q2, w" in text


@pytest.mark.parametrize("kind", KINDS)
def test_answer_code_not_in_the_codebook(tmp_path, kind):
    path = _write(TINY.assign(q2=[5, 4, 7, 3, 5, 1, 2]), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        read_responses(path, _codebook(tmp_path))
    text = str(err.value)
    assert text.startswith(f"{path} {_ROW3[kind]}, column q2: 7")
    assert "is not an answer of item q2_item in codebook codebook.yaml" in text
    assert "1=Strongly disagree" in text


@pytest.mark.parametrize("kind", KINDS)
def test_group_label_not_mapped(tmp_path, kind):
    path = _write(TINY.assign(dept=["Marketing", "Marketing", "Finance", "IT", "IT", "Marketing", "Sales"]),
                  tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        read_responses(path, _codebook(tmp_path))
    text = str(err.value)
    assert text.startswith(f"{path} {_ROW3[kind]}, column dept: 'Finance' is not a group label")
    assert "'Marketing', 'IT', 'Sales'" in text


@pytest.mark.parametrize("kind", KINDS)
def test_item_with_every_answer_missing(tmp_path, kind):
    path = _write(TINY.assign(q1=[-9] * 7), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError, match=r"column q1: every answer to item q1_item is missing") as err:
        read_responses(path, _codebook(tmp_path))
    assert str(path) in str(err.value) and "-9" in str(err.value)


@pytest.mark.parametrize("kind", KINDS)
def test_negative_weight(tmp_path, kind):
    path = _write(TINY.assign(w=[1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0]), tmp_path / f"tiny.{kind}")
    read_responses(path, _codebook(tmp_path))  # unweighted: the weights are not read
    with pytest.raises(DataValidationError) as err:
        read_responses(path, _codebook(tmp_path), design="weighted")
    # Excel stores -1.0 as the integer -1; the message shows the value as read from the file
    shown = "-1" if kind == "xlsx" else "-1.0"
    assert str(err.value).startswith(f"{path} {_ROW3[kind]}, column w: {shown} is not a weight")


@pytest.mark.parametrize("kind", KINDS)
def test_missing_weight(tmp_path, kind):
    path = _write(TINY.assign(w=[1.0, 1.0, np.nan, 1.0, 1.0, 1.0, 1.0]), tmp_path / f"tiny.{kind}")
    with pytest.raises(DataValidationError) as err:
        read_responses(path, _codebook(tmp_path), design="weighted")
    assert str(err.value).startswith(f"{path} {_ROW3[kind]}, column w: ")
    assert "the weight is missing; every respondent needs a weight" in str(err.value)


@pytest.mark.parametrize("kind", KINDS)
def test_unreadable_or_truncated_file(tmp_path, kind):
    path = tmp_path / f"broken.{kind}"
    if kind == "csv":  # a quote that never closes, then the columns run short
        path.write_text('id,dept,q1,q2,w\n1,Marketing,1,5,1.0\n2,"Marketing,2,4,1.0\n3,IT,1,3,1.0\n', encoding="utf-8")
    elif kind == "sav":  # garbage bytes
        path.write_bytes(b"$FL2 this is not an SPSS file" + bytes(range(256)) * 4)
    else:  # a real file cut in half
        whole = _write(TINY, tmp_path / f"whole.{kind}").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataValidationError) as err:
        read_responses(path, _codebook(tmp_path))
    reader = {"csv": "csv", "xlsx": "excel", "sav": "spss", "parquet": "parquet"}[kind]
    assert str(err.value).startswith(f"{path}: cannot be read as {reader} (")
    assert "\n" not in str(err.value)


def test_empty_file_unknown_suffix_and_missing_file(tmp_path):
    path = _write(TINY.iloc[:0], tmp_path / "empty.csv")
    with pytest.raises(DataValidationError, match="no respondents"):
        read_responses(path, _codebook(tmp_path))
    with pytest.raises(DataValidationError, match=r"unknown response file type '\.json'"):
        read_responses(tmp_path / "answers.json", _codebook(tmp_path))
    with pytest.raises(DataValidationError, match="response file not found"):
        read_responses(tmp_path / "absent.csv", _codebook(tmp_path))


def test_loaded_codebook_object_is_accepted(tmp_path):
    path = _write(TINY, tmp_path / "tiny.csv")
    book = load_codebook(_codebook(tmp_path))
    assert _k_n(read_responses(path, book), "q2_item", "it") == (1, 2)
