"""counts.store: the counts bundle kept in ``<store>/<key>/`` (issue 12, item 5) and never in raw data (issue 16).

References: the file hashes are recomputed here with ``hashlib``; the stored
tables are read back with plain pandas and compared with the bundle built in
memory; the rules are those of issue 12 (the key hashes every input file and
every option that changes counts; a manifest that does not match is
rebuilt; another input never overwrites the bundled input's counts) and
issue 16 (nothing is written under ``data/raw/`` or inside the package).
All stores are under ``tmp_path``; the default ``data/processed`` is never
written by these tests.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from alignment_stats.config import (
    BUNDLED_CLAIMS,
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
    DEMO_SURVEY,
    PACKAGE_DIR,
    PROCESSED_DIR,
    RAW_DIR,
)
from alignment_stats.counts import CountsOptions, load_counts
from alignment_stats.counts import store as store_module
from alignment_stats.counts.store import counts_key
from alignment_stats.schema import DataValidationError
from alignment_stats.sources.inputs import input_files

FRAMES = ("counts", "figures", "sizes", "ranges", "claims")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _key(input=None, codebook=None, studies=None, claims=None, **options) -> str:
    return counts_key(input_files(input, codebook, studies, claims), CountsOptions(**options))[0]


@pytest.fixture()
def user_figures(tmp_path) -> Path:
    """A copy of the bundled figures and studies with one figure changed (IT 13% -> 12%)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    text = BUNDLED_FIGURES.read_text(encoding="utf-8")
    old = "productive,it,IT leaders,13,"
    assert text.count(old) == 1
    (folder / "figures.csv").write_text(text.replace(old, "productive,it,IT leaders,12,"), encoding="utf-8")
    shutil.copy(BUNDLED_STUDIES, folder / "studies.yaml")
    return folder / "figures.csv"


def test_default_store_is_data_processed():
    assert inspect.signature(load_counts).parameters["store"].default == PROCESSED_DIR


def test_a_bundle_is_written_as_manifest_parquet_and_csv(tmp_path, bundle):
    store = tmp_path / "store"
    built = load_counts(store=store)
    folder = store / built.key
    assert built.folder == folder and folder.is_dir()
    assert len(built.key) == 20 and all(c in "0123456789abcdef" for c in built.key)
    names = {p.name for p in folder.iterdir()}
    assert {"manifest.json", "counts.csv", *(f"{f}.parquet" for f in FRAMES)} <= names
    assert not any(name.startswith(".tmp-") for name in (p.name for p in store.iterdir()))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["key"] == built.key
    assert manifest["options"] == {"rounding": "half_up", "max_missing": 1, "max_unclassified": 0, "decimals": None,
                                   "design": "unweighted"}
    assert {role: entry["sha256"] for role, entry in manifest["inputs"].items()} == {
        "figures": _sha256(BUNDLED_FIGURES), "studies": _sha256(BUNDLED_STUDIES), "claims": _sha256(BUNDLED_CLAIMS)}
    # the stored tables are the tables built in memory
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "counts.parquet"), bundle.counts)
    pd.testing.assert_frame_equal(built.counts, bundle.counts)
    for name in ("ranges", "sizes", "figures"):
        pd.testing.assert_frame_equal(getattr(built, name), getattr(bundle, name), check_dtype=False)
    csv = pd.read_csv(folder / "counts.csv")
    assert list(csv.columns) == list(bundle.counts.columns)
    assert csv["n"].fillna(-1).astype(int).tolist() == bundle.counts["n"].fillna(-1).astype(int).tolist()
    assert built.studies == bundle.studies and built.assumable == bundle.assumable
    assert built.options == CountsOptions()


def test_building_and_storing_leave_raw_data_unchanged(tmp_path):
    before = {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()}
    load_counts(store=tmp_path / "store", rounding="ceil")
    load_counts(DEMO_SURVEY, codebook=DEMO_CODEBOOK, store=tmp_path / "store")
    assert {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()} == before


def test_a_stored_bundle_is_read_not_rebuilt(tmp_path, monkeypatch):
    store = tmp_path / "store"
    first = load_counts(store=store)
    before = _snapshot(first.folder)

    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt although a matching bundle is stored")

    monkeypatch.setattr(store_module, "build_counts", refuse)
    again = load_counts(store=store)
    assert again.key == first.key and again.folder == first.folder
    pd.testing.assert_frame_equal(again.counts, first.counts)
    assert _snapshot(first.folder) == before


@pytest.mark.parametrize("option, value", [
    ("rounding", "truncate"), ("rounding", "unknown"), ("max_missing", 0), ("max_missing", 2),
    ("max_unclassified", 1), ("decimals", 0), ("design", "weighted"),
])
def test_key_changes_with_every_counts_option(option, value):
    assert _key(**{option: value}) != _key()


def test_key_is_stable_for_the_same_input_and_options():
    assert _key() == _key() == _key(rounding="half_up", max_missing=1, max_unclassified=0)


def test_key_changes_with_the_bytes_of_every_input_file(tmp_path, user_figures):
    folder = user_figures.parent
    shutil.copy(BUNDLED_FIGURES, folder / "same.csv")
    base = _key(folder / "same.csv")
    # figures
    assert _key(user_figures) != base
    # studies: one more comment line changes the bytes, not the facts
    studies = folder / "studies.yaml"
    studies.write_text(BUNDLED_STUDIES.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _key(folder / "same.csv") != base
    # claims: a user's claims file, then the same file with one byte changed
    claims = tmp_path / "claims.csv"
    shutil.copy(BUNDLED_CLAIMS, claims)
    with_claims = _key(folder / "same.csv", claims=claims)
    assert with_claims != _key(folder / "same.csv")
    claims.write_bytes(claims.read_bytes() + b"\n")
    assert _key(folder / "same.csv", claims=claims) != with_claims


def test_key_changes_with_the_codebook_and_the_responses(tmp_path):
    base = _key(DEMO_SURVEY, codebook=DEMO_CODEBOOK)
    book = yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))
    book["title"] = book["title"] + " (edited)"
    edited = tmp_path / "codebook.yaml"
    edited.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    assert _key(DEMO_SURVEY, codebook=edited) != base
    answers = tmp_path / "answers.csv"
    answers.write_bytes(DEMO_SURVEY.read_bytes().replace(b"demo-0001", b"demo-9999", 1))
    assert _key(answers, codebook=DEMO_CODEBOOK) != base
    assert _key(DEMO_SURVEY, codebook=DEMO_CODEBOOK, design="weighted") != base


def test_options_reach_the_stored_bundle(tmp_path):
    store = tmp_path / "store"
    half_up = load_counts(store=store)
    truncate = load_counts(store=store, rounding="truncate")
    assert truncate.key != half_up.key and truncate.folder != half_up.folder
    assert truncate.options.rounding == "truncate"
    assert set(truncate.counts["rounding"]) == {"truncate"}
    assert json.loads((truncate.folder / "manifest.json").read_text())["options"]["rounding"] == "truncate"


# ---------------------------------------------------------------------------
# damaged or mismatching bundles are rebuilt
# ---------------------------------------------------------------------------
def _damage_manifest_garbage(folder: Path) -> None:
    (folder / "manifest.json").write_text("{ not json", encoding="utf-8")


def _damage_manifest_missing(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _damage_options_mismatch(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["options"]["rounding"] = "ceil"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _damage_input_hash_mismatch(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"]["figures"]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _damage_parquet_truncated(folder: Path) -> None:
    path = folder / "counts.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _damage_parquet_garbage(folder: Path) -> None:
    (folder / "ranges.parquet").write_bytes(b"garbage, not parquet")


def _damage_parquet_deleted(folder: Path) -> None:
    (folder / "counts.parquet").unlink()


DAMAGES = {f.__name__.removeprefix("_damage_"): f for f in (
    _damage_manifest_garbage, _damage_manifest_missing, _damage_options_mismatch, _damage_input_hash_mismatch,
    _damage_parquet_truncated, _damage_parquet_garbage, _damage_parquet_deleted)}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A store holding the bundled input's bundle, built once; tests damage copies of it."""
    store = tmp_path_factory.mktemp("pristine") / "store"
    load_counts(store=store)
    return store


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_or_mismatching_bundle_is_rebuilt(tmp_path, pristine, damage, bundle):
    store = tmp_path / "store"
    shutil.copytree(pristine, store)
    (folder,) = store.iterdir()
    first = load_counts(store=store)  # read from the copy
    assert first.folder == folder
    good = _snapshot(first.folder)
    DAMAGES[damage](first.folder)
    again = load_counts(store=store)
    assert again.folder == first.folder
    assert again.counts is not None and again.ranges is not None
    pd.testing.assert_frame_equal(again.counts, bundle.counts)
    pd.testing.assert_frame_equal(again.ranges, bundle.ranges, check_dtype=False)
    repaired = _snapshot(first.folder)
    assert set(repaired) == set(good)
    for name in good:
        if name != "manifest.json":  # the manifest records when it was written
            assert repaired[name] == good[name], name
    manifest = json.loads(repaired["manifest.json"])
    assert manifest["options"]["rounding"] == "half_up" and manifest["inputs"]["figures"]["sha256"] == _sha256(
        BUNDLED_FIGURES)


# ---------------------------------------------------------------------------
# another input never changes the bundled input's bundle
# ---------------------------------------------------------------------------
def test_user_input_never_changes_the_bundled_bundle(tmp_path, pristine, user_figures):
    store = tmp_path / "store"
    shutil.copytree(pristine, store)
    bundled = load_counts(store=store)
    before = _snapshot(bundled.folder)
    mine = load_counts(user_figures, store=store)
    theirs = load_counts(Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "total_and_shares"
                         / "figures.csv", store=store)
    survey = load_counts(DEMO_SURVEY, codebook=DEMO_CODEBOOK, store=store)
    keys = {bundled.key, mine.key, theirs.key, survey.key}
    assert len(keys) == 4
    assert {p.name for p in store.iterdir()} == keys
    assert _snapshot(bundled.folder) == before
    # the user's changed figure is in the user's counts only
    row = mine.counts.query("study == 'leapfrog_2015' and item == 'very_collaborative' and group == 'it'").iloc[0]
    assert row["value"] == 12.0
    again = load_counts(store=store)
    assert again.key == bundled.key
    assert again.counts.query("item == 'very_collaborative' and group == 'it'")["value"].tolist() == [13.0]


# ---------------------------------------------------------------------------
# where a store may be, and when it cannot be written
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("place", [RAW_DIR / "processed", RAW_DIR, PACKAGE_DIR / "processed"],
                         ids=["under data/raw", "data/raw", "inside the package"])
def test_a_store_in_raw_data_or_the_package_is_refused(place, monkeypatch):
    written = []

    def record(bundle, material, folder):  # never write: record where it would have gone
        written.append(folder)

    monkeypatch.setattr(store_module, "_save", record)
    with pytest.raises(DataValidationError, match="never written"):
        load_counts(store=place)
    assert written == []


def test_a_store_that_cannot_be_written_still_gives_the_counts(tmp_path, monkeypatch, bundle):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    store = tmp_path / "store"
    got = load_counts(store=store)
    pd.testing.assert_frame_equal(got.counts, bundle.counts)
    assert got.folder is None
    leftovers = [p.name for p in store.iterdir()] if store.exists() else []
    assert leftovers == []  # no half-written folder, no .tmp-* folder


def test_store_none_writes_nothing(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("store=None wrote a bundle")

    monkeypatch.setattr(store_module, "_save", refuse)
    monkeypatch.chdir(tmp_path)
    built = load_counts(store=None)
    assert built.folder is None and built.key == _key()
    assert list(tmp_path.iterdir()) == []
