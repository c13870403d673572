"""Writing results (``present.write``): atomic replacement, no temporary file left, the user's umask.

References: the file system itself (bytes before and after a failed write, ``os.stat`` modes against
``0o666 & ~umask``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from alignment_stats.present.write import atomic_write, write_table, write_tables


def test_a_failed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    path = write_table(pd.DataFrame({"a": [1, 2]}), tmp_path, "table")
    before = path.read_bytes()

    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        write_table(pd.DataFrame({"a": [3]}), tmp_path, "table")
    assert path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["table.csv"]  # no temporary file left


def test_files_get_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "x.txt", lambda tmp: Path(tmp).write_text("hi"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644 and path.read_text() == "hi"


def test_write_tables_skips_none_and_refuses_unsafe_names(tmp_path):
    written = write_tables({"one": pd.DataFrame({"x": [1]}), "two": None}, tmp_path)
    assert [p.name for p in written] == ["one.csv"]
    with pytest.raises(ValueError, match="not a safe file name"):
        write_table(pd.DataFrame(), tmp_path, "../escape")
