"""sources.codebook: reading and validating YAML codebooks, and the declared encoding of a respondent CSV.

References: the demo codebook and the hand-written test codebook
(``tests/fixtures/survey/codebook.yaml``) as written; each error case names
the file and the key the rule requires (written here); the cp1252 file is
written by Python's own cp1252 codec and counted again with plain Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alignment_stats.config import DEMO_CODEBOOK
from alignment_stats.schema import DataValidationError
from alignment_stats.sources import load_codebook, read_responses
from alignment_stats.sources.codebook import NA, normalise, yes_codes

FIXTURE_BOOK = Path(__file__).resolve().parents[1] / "fixtures" / "survey" / "codebook.yaml"


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
    path.write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_demo_codebook():
    book = load_codebook(DEMO_CODEBOOK)
    assert (book.study, book.group.column, len(book.items), book.synthetic) == (
        "leapfrog_2015_demo", "department", 14, True)
    assert book.weight == "weight" and book.respondent_id == "respondent_id"
    assert book.encoding is None  # UTF-8
    measures: dict[str, set] = {}
    for item in book.items.values():
        if item.pair:
            measures.setdefault(item.pair, set()).add(item.measure)
    # four skills asked both ways; mass marketing only as expertise (as in the Leapfrog article)
    assert sorted(p for p, m in measures.items() if m == {"importance", "expertise"}) == [
        "data_tracking_analytics", "mobile_web", "omnichannel", "sem_seo"]
    assert measures["mass_marketing"] == {"expertise"}
    assert book.columns()[:2] == ["respondent_id", "department"] and "weight" not in book.columns()
    assert book.columns(weighted=True)[-1] == "weight"


def test_fixture_codebook_as_written():
    text = yaml.safe_load(FIXTURE_BOOK.read_text(encoding="utf-8"))
    book = load_codebook(FIXTURE_BOOK)
    assert book.study == text["study"] == "pulse_2024"
    assert book.group.labels == {"Marketing": "marketing", "Technology": "it", "Finance": None}
    assert list(book.items) == list(text["items"])
    assert book.answers_of("no_shared_incentives") == {1: "Yes", 2: "No", 3: "Don't know"}
    assert yes_codes(book.answers_of("budget_agreed"), ">= 4", "k") == {4, 5}
    assert book.name == "codebook.yaml"


@pytest.mark.parametrize(("changes", "key", "message"), [
    ({"items.q1_item.yes_if": ["Maybe"]}, "items.q1_item.yes_if", "'Maybe' is not an answer"),
    ({"items.q1_item.scale": "nope"}, "items.q1_item.scale", "'nope' is not a scale"),
    ({"items.q1_item.colour": "red"}, "items.q1_item.colour", "Extra inputs are not permitted"),
    ({"study": "Tiny Survey"}, "study", "snake_case"),
    ({"items.q2_item.yes_if": ">= 9"}, "items.q2_item.yes_if", "selects no answer"),
    ({"items.q1_item.yes_if": []}, "items.q1_item.yes_if", "empty list"),
    ({"items.q1_item.pair": "skill"}, "items.q1_item", "pair and measure go together"),
    ({"group.labels": {"Marketing": "Marketing Dept"}}, "group.labels", "snake_case"),
    ({"group.labels": {"Marketing": None}}, "group.labels", "no group is left"),
    ({"missing": [1]}, "items.q1_item.missing", "both an answer and a missing code"),
    ({"items.q1_item.answers": {1: "Yes"}}, "items.q1_item", "gives both scale and answers"),
    ({"encoding": "klingon"}, "encoding", "'klingon' is not a known text encoding"),
    ({"items": {}}, "items", "at least 1"),
])
def test_codebook_errors_name_file_and_key(tmp_path, changes, key, message):
    path = _codebook(tmp_path, **changes)
    with pytest.raises(DataValidationError) as err:
        load_codebook(path)
    text = str(err.value)
    assert str(path) in text and f"key {key}" in text and message in text, text
    assert "\n" not in text


def test_two_items_of_one_measure_in_a_pair(tmp_path):
    path = _codebook(tmp_path, **{
        "items.q1_item.pair": "skill", "items.q1_item.measure": "importance",
        "items.q2_item.pair": "skill", "items.q2_item.measure": "importance"})
    with pytest.raises(DataValidationError, match=r"key items\.q2_item\.pair: pair 'skill' already has a "
                                                  r"importance item \(q1_item\)"):
        load_codebook(path)


def test_codebook_unquoted_yes_is_caught(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(
        "study: s\ngroup: {column: g, labels: {A: a}}\n"
        "items:\n  x: {column: c, wording: asked x, answers: {1: Yes, 2: No}, yes_if: [1]}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"key items\.x\.answers: .*YAML boolean.*quote"):
        load_codebook(path)


def test_codebook_malformed_yaml_missing_file_and_python_tags(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("study: s\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"book\.yaml line \d+: malformed YAML"):
        load_codebook(path)
    with pytest.raises(DataValidationError, match="codebook not found"):
        load_codebook(tmp_path / "absent.yaml")
    marker = tmp_path / "executed"
    path.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="malformed YAML"):  # safe_load refuses Python tags
        load_codebook(path)
    assert not marker.exists()
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="expected a mapping with keys study, group, items"):
        load_codebook(path)


def test_codebook_must_be_utf8(tmp_path):
    path = _codebook(tmp_path, **{"items.q1_item.wording": "r\u00e9pond oui"})
    raw = path.read_text(encoding="utf-8").encode("latin-1")
    path.write_bytes(raw)
    with pytest.raises(DataValidationError) as info:
        load_codebook(path)
    assert f"byte {raw.index(0xE9)}" in str(info.value) and "Latin-1" in str(info.value)


@pytest.mark.parametrize("value, expected", [
    (" Yes ", "yes"), (4.0, 4), ("4", 4), ("4.5", 4.5), (True, 1), ("", NA), (None, NA), (float("nan"), NA),
    ("Don't know", "don't know"),
])
def test_normalise(value, expected):
    assert normalise(value) is NA if expected is NA else normalise(value) == expected


# ---------------------------------------------------------------------------
# encoding: a respondent CSV exported by Excel in cp1252 (issue 16, item 7)
# ---------------------------------------------------------------------------
CP1252_ROWS = [("Marketing", "Oui"), ("Informatique \u00dc", "Non"), ("Marketing", "Non"),
               ("Informatique \u00dc", "Oui"), ("Marketing", "Oui"), ("Direction g\u00e9n\u00e9rale", "Oui")]


def _cp1252_files(tmp_path: Path, encoding: str | None) -> tuple[Path, Path]:
    book = {"study": "euro_survey",
            "group": {"column": "D\u00e9partement",
                      "labels": {"Marketing": "marketing", "Informatique \u00dc": "it",
                                 "Direction g\u00e9n\u00e9rale": None}},
            "items": {"yes_item": {"column": "R\u00e9ponse", "wording": "r\u00e9pond \u00ab oui \u00bb",
                                   "answers": {1: "Oui", 2: "Non"}, "yes_if": "Oui"}}}
    if encoding is not None:
        book["encoding"] = encoding
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")  # the codebook itself: UTF-8
    text = "D\u00e9partement,R\u00e9ponse\n" + "".join(f"{g},{a}\n" for g, a in CP1252_ROWS)
    answers = tmp_path / "answers.csv"
    answers.write_bytes(text.encode("cp1252"))
    return answers, path


def test_declared_cp1252_encoding_reads_the_csv(tmp_path):
    answers, book = _cp1252_files(tmp_path, "cp1252")
    assert load_codebook(book).encoding == "cp1252"
    responses = read_responses(answers, book)
    assert responses.group_ids == ["marketing", "it"] or responses.group_ids == ["it", "marketing"]
    assert responses.n_rows == 6 and responses.n_excluded == 1  # "Direction générale" is left out
    # respondents per group, counted by hand from CP1252_ROWS
    counts = {g: int((responses.group == responses.group_ids.index(g)).sum()) for g in responses.group_ids}
    assert counts == {"marketing": 3, "it": 2}


def test_cp1252_csv_without_declaration_names_byte_and_encoding(tmp_path):
    answers, book = _cp1252_files(tmp_path, None)
    raw = answers.read_bytes()
    with pytest.raises(DataValidationError) as info:
        read_responses(answers, book)
    message = str(info.value)
    assert "\n" not in message and str(answers) in message
    assert f"byte {raw.index(0xE9)} is not valid UTF-8" in message  # the é of "Département"
    assert "Windows-1252 or Latin-1" in message and "encoding: cp1252" in message


def test_declared_utf8_reads_utf8_with_bom(tmp_path):
    answers, book = _cp1252_files(tmp_path, None)
    answers.write_bytes(answers.read_bytes().decode("cp1252").encode("utf-8-sig"))
    responses = read_responses(answers, book)
    assert responses.n_rows == 6 and responses.n_excluded == 1
