"""sources.text and every reader built on it: encodings, directories and long values (issue 16, items 7 and 11).

References: the byte offset an error must name is computed here from the
encoded bytes (the first byte that is not valid UTF-8, found with Python's
own decoder), the line from the newlines before it; the likely encoding is
the one the test wrote the file in. The rules come from issue 16: one line
naming the file, the byte offset and the likely encoding; UTF-8 with a
byte-order mark accepted; a directory named as a directory; echoed values
cut to about 200 characters.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from alignment_stats.config import (
    BUNDLED_CLAIMS,
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
)
from alignment_stats.schema import DataValidationError
from alignment_stats.sources import (
    load_codebook,
    load_figures,
    load_studies,
    read_claims,
    read_responses,
    read_sources,
)
from alignment_stats.sources.text import MAX_SHOWN, shown

# Each raw text file with one non-ASCII character added, so that every encoding differs from UTF-8.
ACCENT = "\u00e9"  # é: one byte in Latin-1 / cp1252, two in UTF-8 and UTF-16


def _ascii(path: Path) -> str:
    # the bundled files hold a few typographic characters (dashes, quotes) that Latin-1 cannot encode
    return "".join(c if ord(c) < 128 else "-" for c in path.read_text(encoding="utf-8"))


def _texts() -> dict[str, str]:
    figures = _ascii(BUNDLED_FIGURES).replace("IT leaders", f"IT l{ACCENT}aders", 1)
    studies = _ascii(BUNDLED_STUDIES).replace("How marketing and IT", f"How marketing and IT (r{ACCENT}sum{ACCENT})", 1)
    claims = _ascii(BUNDLED_CLAIMS).replace("IT comrades", f"IT comr{ACCENT}des", 1)
    for text in (figures, studies, claims):
        assert ACCENT in text
    return {"figures": figures, "studies": studies, "claims": claims}


TEXTS = _texts()


def _first_invalid_utf8(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    raise AssertionError("the bytes are valid UTF-8")


def _write_role(tmp_path: Path, role: str, raw: bytes) -> Path:
    """The file of one role written as ``raw``, the other files of the input valid (UTF-8)."""
    for other, name in (("figures", "figures.csv"), ("studies", "studies.yaml"), ("claims", "claims.csv")):
        path = tmp_path / name
        path.write_bytes(raw if other == role else TEXTS[other].encode("utf-8"))
    return tmp_path / {"figures": "figures.csv", "studies": "studies.yaml", "claims": "claims.csv"}[role]


def _load_role(role: str, path: Path):
    folder = path.parent
    if role == "figures":
        return load_figures(path, folder / "studies.yaml")
    if role == "studies":
        return load_studies(path)
    return read_claims(path)


def _read_input(role: str, path: Path):
    folder = path.parent
    return read_sources(folder / "figures.csv", studies=folder / "studies.yaml", claims=folder / "claims.csv")


ROLES = ("figures", "studies", "claims")
LOADERS = {"reader": _load_role, "read_sources": _read_input}


def _one_line_error(loader, role: str, path: Path) -> str:
    with pytest.raises(DataValidationError) as info:
        loader(role, path)
    message = str(info.value)
    assert "\n" not in message, message
    assert str(path) in message, message
    return message


@pytest.mark.parametrize("how", sorted(LOADERS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_names_file_offset_line_and_encoding(tmp_path, role, encoding, how):
    raw = TEXTS[role].encode(encoding)
    offset = _first_invalid_utf8(raw)
    assert raw[offset] == 0xE9  # the é, as this test wrote it
    line = raw[:offset].count(b"\n") + 1
    message = _one_line_error(LOADERS[how], role, _write_role(tmp_path, role, raw))
    assert f"byte {offset}" in message, message
    assert f"line {line}" in message, message
    assert "Latin-1" in message or "1252" in message, message


@pytest.mark.parametrize("how", sorted(LOADERS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom_names_file_offset_and_encoding(tmp_path, role, encoding, how):
    raw = TEXTS[role].encode(encoding)
    assert raw.startswith((b"\xff\xfe", b"\xfe\xff")) == (encoding == "utf-16")
    message = _one_line_error(LOADERS[how], role, _write_role(tmp_path, role, raw))
    assert re.search(r"byte \d+", message), message
    assert "UTF-16" in message, message


@pytest.mark.parametrize("how", sorted(LOADERS))
@pytest.mark.parametrize("role", ROLES)
def test_binary_garbage_names_file_offset_and_says_binary(tmp_path, role, how):
    raw = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    message = _one_line_error(LOADERS[how], role, _write_role(tmp_path, role, raw))
    assert re.search(r"byte \d+", message), message
    assert "binary" in message, message


@pytest.mark.parametrize("role", ROLES)
def test_utf8_with_bom_is_accepted(tmp_path, role):
    plain = tmp_path / "plain"
    plain.mkdir()
    expected = _load_role(role, _write_role(plain, role, TEXTS[role].encode("utf-8")))
    with_bom = tmp_path / "bom"
    with_bom.mkdir()
    path = _write_role(with_bom, role, TEXTS[role].encode("utf-8-sig"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    got = _load_role(role, path)
    if role == "studies":
        assert got == expected
    else:
        assert got.equals(expected)
        assert got.columns[0] == expected.columns[0]  # the mark is not glued to the first column's name
    sources = _read_input(role, path)
    assert len(sources.figures) == 42


def test_likely_encoding_guesses():
    from alignment_stats.sources.text import likely_encoding

    assert likely_encoding("Größe".encode("cp1252")) == "Windows-1252 or Latin-1"
    assert likely_encoding("a,b\n".encode("utf-16")) == "UTF-16"
    assert likely_encoding(("study,item,group\n" * 20).encode("utf-16-le")) == "UTF-16 (no byte-order mark)"
    assert likely_encoding(("study,item,group\n" * 20).encode("utf-16-be")) == "UTF-16 (no byte-order mark)"
    assert likely_encoding("a".encode("utf-32")) == "UTF-32"
    assert likely_encoding(bytes(range(256))) == "binary, not text"


# ---------------------------------------------------------------------------
# a directory given as a file (issue 16, item 11)
# ---------------------------------------------------------------------------
def test_directory_is_named_as_a_directory(tmp_path):
    folder = tmp_path / "input.csv"
    folder.mkdir()
    calls = {
        "figures": lambda: load_figures(folder, BUNDLED_STUDIES),
        "studies": lambda: load_studies(folder),
        "claims": lambda: read_claims(folder),
        "codebook": lambda: load_codebook(folder),
        "responses": lambda: read_responses(folder, DEMO_CODEBOOK),
        "read_sources input": lambda: read_sources(folder),
        "read_sources responses": lambda: read_sources(folder, codebook=DEMO_CODEBOOK),
        "read_sources claims": lambda: read_sources(claims=folder),
        "read_sources studies": lambda: read_sources(BUNDLED_FIGURES, studies=folder),
    }
    for what, call in calls.items():
        with pytest.raises(DataValidationError) as info:
            call()
        message = str(info.value)
        assert message.startswith(f"{folder}: is a directory"), (what, message)
        assert "not found" not in message and "does not exist" not in message, (what, message)


def test_missing_files_are_named_as_missing(tmp_path):
    absent = tmp_path / "absent.csv"
    for call in (lambda: read_sources(absent), lambda: read_claims(absent), lambda: load_studies(absent)):
        with pytest.raises(DataValidationError, match="not found") as info:
            call()
        assert str(absent) in str(info.value)


# ---------------------------------------------------------------------------
# long values are cut in messages (issue 16, item 11)
# ---------------------------------------------------------------------------
LONG = 100_000


def _longest_run(message: str, char: str) -> int:
    return max((len(m) for m in re.findall(re.escape(char) + "+", message)), default=0)


def test_shown_cuts_to_max_shown():
    assert MAX_SHOWN <= 200
    assert len(shown("x" * LONG)) <= MAX_SHOWN
    assert shown("short") == "'short'"


def _assert_cut(message: str, char: str) -> None:
    assert _longest_run(message, char) <= 200, _longest_run(message, char)
    assert len(message) < 1000, len(message)
    assert "\n" not in message


def test_long_values_are_cut_in_figures_studies_and_claims_messages(tmp_path):
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    header = "study,item,group,value,low,high,unit,rounding,n,source,quote"
    good = "leapfrog_2015,very_collaborative,it,13,,,percent,unknown,,003.txt,only 13% of IT leaders feel the same way"
    cases = {
        "value": (good.replace(",13,", "," + "7" * LONG + "x,"), "7"),
        "study": (good.replace("leapfrog_2015", "q" * LONG), "q"),
        "rounding": (good.replace("unknown", "r" * LONG), "r"),
        "group": (good.replace(",it,", "," + "g" * LONG + ","), "g"),
    }
    for column, (row, char) in cases.items():
        path = tmp_path / "figures.csv"
        path.write_text(f"{header}\n{row}\n", encoding="utf-8")
        with pytest.raises(DataValidationError) as info:
            load_figures(path)
        assert f"column {column}" in str(info.value)
        _assert_cut(str(info.value), char)
    path = tmp_path / "figures.csv"
    path.write_text(f"{header},{'c' * LONG}\n{good},x\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_figures(path)
    _assert_cut(str(info.value), "c")

    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,kind,study,source,quote,figure_a,relation,figure_b\n"
                      f"{'Z' * LONG},difference,s,src,a quote long enough,a/marketing,>,a/it\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_claims(claims)
    _assert_cut(str(info.value), "Z")

    studies = tmp_path / "long.yaml"
    studies.write_text(yaml.safe_dump({"S" * LONG: {"title": "t"}}, width=10**7), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_studies(studies)
    _assert_cut(str(info.value), "S")


def test_long_values_are_cut_in_response_messages(tmp_path):
    book = {"study": "s", "group": {"column": "dept", "labels": {"Marketing": "marketing", "IT": "it"}},
            "items": {"q": {"column": "q1", "wording": "answered yes", "answers": {1: "Yes", 2: "No"},
                            "yes_if": "Yes"}}}
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    for row, char in ((f"Marketing,{'y' * LONG}", "y"), (f"{'d' * LONG},Yes", "d")):
        answers = tmp_path / "answers.csv"
        answers.write_text(f"dept,q1\nIT,Yes\n{row}\n", encoding="utf-8")
        with pytest.raises(DataValidationError) as info:
            read_responses(answers, path)
        assert str(answers) in str(info.value) and "line 3" in str(info.value)
        _assert_cut(str(info.value), char)
