"""sources.paths: raw data and the package are never a place to write (issue 16, item 2); relative paths.

Reference: the rule of issue 16 ("nothing is ever written under data/raw/ or
inside the installed package; an explicit --out or output_dir may be
anywhere else"), checked on the real folders, on paths that reach them
through ``..`` and through symbolic links made here, and on ``tmp_path``.
"""

from __future__ import annotations

import os

import pytest

from alignment_stats.config import (
    INTERACTIVE_DIR,
    PACKAGE_DIR,
    PROCESSED_DIR,
    PROJECT_ROOT,
    RAW_DIR,
)
from alignment_stats.schema import DataValidationError
from alignment_stats.sources import check_writable, output_folder, resolve


def _refused(path, what="output folder") -> str:
    with pytest.raises(DataValidationError) as info:
        check_writable(path, what)
    message = str(info.value)
    assert "\n" not in message and message.startswith(what)
    return message


@pytest.mark.parametrize("path", [
    RAW_DIR,
    RAW_DIR / "out",
    RAW_DIR / "demo" / "results" / "deep",
    RAW_DIR / "sources" / "seeds",
    "data/raw",  # relative: from the project root
    "data/raw/processed",
    PROJECT_ROOT / "reports" / ".." / "data" / "raw" / "x",
    PROJECT_ROOT / "data" / "processed" / ".." / "raw",
])
def test_raw_data_is_refused(path):
    message = _refused(path)
    assert "inside data/raw/" in message and "choose another folder" in message


@pytest.mark.parametrize("path", [
    PACKAGE_DIR,
    PACKAGE_DIR / "counts",
    PACKAGE_DIR / "report" / "templates" / "out",
    "alignment_stats/results",
    PROJECT_ROOT / "notebooks" / ".." / "alignment_stats" / "x",
])
def test_the_package_is_refused(path):
    message = _refused(path)
    assert "inside the installed package" in message


def test_symlinks_into_protected_folders_are_refused(tmp_path):
    to_raw = tmp_path / "innocent"
    to_package = tmp_path / "also_innocent"
    try:
        os.symlink(RAW_DIR, to_raw, target_is_directory=True)
        os.symlink(PACKAGE_DIR, to_package, target_is_directory=True)
    except OSError:  # pragma: no cover - a file system without symlinks
        pytest.skip("symlinks not available")
    assert "inside data/raw/" in _refused(to_raw)
    assert "inside data/raw/" in _refused(to_raw / "out")
    assert "inside the installed package" in _refused(to_package / "x", "counts store")
    # a symlinked parent of a relative hop
    assert "inside data/raw/" in _refused(tmp_path / "elsewhere" / ".." / "innocent" / "y")


def test_elsewhere_is_accepted(tmp_path):
    assert check_writable(tmp_path) == tmp_path
    assert check_writable(tmp_path / "new" / "folder") == tmp_path / "new" / "folder"
    assert check_writable(PROCESSED_DIR / "key") == PROCESSED_DIR / "key"
    assert check_writable("reports/run") == PROJECT_ROOT / "reports" / "run"
    # a folder whose name merely starts like a protected one is not inside it
    assert check_writable(PROJECT_ROOT / "data" / "raw_copy") == PROJECT_ROOT / "data" / "raw_copy"
    assert check_writable(PROJECT_ROOT / "alignment_stats_out") == PROJECT_ROOT / "alignment_stats_out"


def test_check_writable_writes_nothing(tmp_path):
    target = tmp_path / "not" / "yet"
    check_writable(target)
    assert not target.exists()


def test_output_folder_default_and_refusal(tmp_path):
    assert output_folder(None, "00_data_audit") == INTERACTIVE_DIR / "00_data_audit"
    assert output_folder("", "01_perception_gap") == INTERACTIVE_DIR / "01_perception_gap"
    assert output_folder(tmp_path, "00_data_audit") == tmp_path
    with pytest.raises(DataValidationError, match="inside data/raw/"):
        output_folder(RAW_DIR / "results", "00_data_audit")


def test_resolve_is_from_the_project_root_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve("data/raw/claims.csv") == PROJECT_ROOT / "data" / "raw" / "claims.csv"
    assert resolve("x.csv", base=tmp_path) == tmp_path / "x.csv"
    assert resolve(tmp_path / "abs.csv", base="/elsewhere") == tmp_path / "abs.csv"
    assert resolve("~/x.csv").is_absolute() and "~" not in str(resolve("~/x.csv"))
