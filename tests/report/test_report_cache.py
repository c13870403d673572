"""The verified report cache (``report.cache``; issue 16 item 4).

Reference: hashlib on the same bytes (sha256 of files), the cache contract
of docs/reports.md and ``report/cache.py`` (a key that changes with each
thing the outputs depend on; reuse only of a complete earlier run whose
every recorded file is present with its recorded size and sha256; a hard
link, else a copy). The plan-level tests damage a copy of the session's
real run and check, with no kernel, which notebooks would run again; one
smoke test re-executes a damaged notebook on a real kernel.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from report_testing import refresh_keys

from alignment_stats.report import Options, cache, make_plan, run_report
from alignment_stats.report.cache import (
    cache_key,
    code_hash,
    complete_runs,
    files_intact,
    find_cached,
    reuse,
)
from alignment_stats.sources.paths import sha256_file


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- keys


def test_sha256_file_is_the_sha256_of_the_bytes(tmp_path):
    data = os.urandom(3 << 20) + b"tail"  # more than one read chunk
    (tmp_path / "f").write_bytes(data)
    assert sha256_file(tmp_path / "f") == digest(data)


def test_code_hash_changes_with_a_source_file(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "notes.txt").write_text("ignored\n")
    first = code_hash(tmp_path / "pkg")
    (tmp_path / "pkg" / "notes.txt").write_text("still ignored\n")
    assert code_hash(tmp_path / "pkg") == first
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n")
    assert code_hash(tmp_path / "pkg") != first


def test_cache_key_changes_with_everything_the_outputs_depend_on(tmp_path):
    notebook = tmp_path / "00_x.ipynb"
    notebook.write_text("{}")
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    base = {"code": "c" * 64, "inputs": {"x.csv": "0" * 64}, "versions": {"pandas": "3.0"}, "kernel": "k", "html": True}
    values = {"alpha": 0.05, "input": str(data)}
    key = cache_key(notebook, values, **base)
    assert key == cache_key(notebook, dict(values), **base) and len(key) == 64
    variants = [cache_key(notebook, {**values, "alpha": 0.01}, **base),
                cache_key(notebook, values, **{**base, "code": "d" * 64}),
                cache_key(notebook, values, **{**base, "inputs": {"x.csv": "1" * 64}}),
                cache_key(notebook, values, **{**base, "versions": {"pandas": "3.1"}}),
                cache_key(notebook, values, **{**base, "kernel": "python3"}),
                cache_key(notebook, values, **{**base, "html": False})]
    data.write_text("a\n2\n")  # a file a parameter names
    variants.append(cache_key(notebook, values, **base))
    data.write_text("a\n1\n")
    notebook.write_text('{"cells": []}')  # the notebook itself
    variants.append(cache_key(notebook, values, **base))
    assert len({key, *variants}) == len(variants) + 1


# --------------------------------------------------------------------------- earlier runs and their files


def make_run(folder: Path, run_id: str, finished: str, status="complete", files=None, key="k1",
             entry_status="complete", notebook="00_a") -> Path:
    folder.mkdir(parents=True)
    records = []
    for rel, data in (files or {f"{notebook}/results/r.csv": b"a\n1\n"}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
        records.append({"path": rel, "sha256": digest(data), "bytes": len(data)})
    summary = {"run_id": run_id, "run_name": None, "status": status, "finished": finished, "files": records,
               "notebooks": [{"name": notebook, "status": entry_status, "cache_key": key}]}
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_complete_runs_newest_first_batches_included(tmp_path):
    make_run(tmp_path / "old", "old", "2026-01-01")
    make_run(tmp_path / "new", "new", "2026-03-01")
    make_run(tmp_path / "bad.failed", "bad", "2026-04-01", status="failed")
    make_run(tmp_path / "batch" / "nightly", "nightly", "2026-02-01")
    make_run(tmp_path / ".tmp-x-1", "x", "2026-05-01")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "summary.json").write_text("{not json")
    assert [run.name for run, _ in complete_runs(tmp_path)] == ["new", "nightly", "old"]
    assert complete_runs(tmp_path / "missing") == []


def test_files_intact_checks_presence_size_and_sha256(tmp_path):
    run = make_run(tmp_path / "r", "r", "2026-01-01",
                   files={"00_a/results/r.csv": b"a\n1\n", "00_a/00_a.html": b"<p>x</p>"})
    summary = json.loads((run / "summary.json").read_text())
    assert files_intact(run, summary, "00_a")
    assert not files_intact(run, summary, "01_other")  # nothing recorded: never reused
    (run / "00_a/results/r.csv").write_bytes(b"a\n2\n")  # same size, other bytes
    assert not files_intact(run, summary, "00_a")
    (run / "00_a/results/r.csv").write_bytes(b"a\n")  # truncated
    assert not files_intact(run, summary, "00_a")
    (run / "00_a/results/r.csv").write_bytes(b"a\n1\n")
    assert files_intact(run, summary, "00_a")
    (run / "00_a/00_a.html").unlink()
    assert not files_intact(run, summary, "00_a")


def test_find_cached_takes_the_newest_intact_complete_entry(tmp_path):
    make_run(tmp_path / "old", "old", "2026-01-01")
    make_run(tmp_path / "new", "new", "2026-02-01")
    make_run(tmp_path / "other", "other", "2026-03-01", key="k2")
    make_run(tmp_path / "failedentry", "failedentry", "2026-04-01", entry_status="failed")
    hits = find_cached({"00_a": "k1"}, complete_runs(tmp_path))
    assert hits["00_a"]["run_id"] == "new" and hits["00_a"]["dir"] == tmp_path / "new" / "00_a"
    (tmp_path / "new" / "00_a/results/r.csv").write_bytes(b"")  # damaged: the older intact one is used
    assert find_cached({"00_a": "k1"}, complete_runs(tmp_path))["00_a"]["run_id"] == "old"
    assert find_cached({"00_a": "k3"}, complete_runs(tmp_path)) == {}


def test_reuse_hard_links_else_copies(tmp_path, monkeypatch):
    source = make_run(tmp_path / "old", "old", "2026-01-01")
    hit = find_cached({"00_a": "k1"}, complete_runs(tmp_path))["00_a"]
    (tmp_path / "new").mkdir()
    reuse(hit, tmp_path / "new", "00_a")
    original, linked = source / "00_a/results/r.csv", tmp_path / "new/00_a/results/r.csv"
    assert os.path.samefile(original, linked)

    def no_links(src, dst):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(cache.os, "link", no_links)
    (tmp_path / "copy").mkdir()
    reuse(hit, tmp_path / "copy", "00_a")
    copied = tmp_path / "copy/00_a/results/r.csv"
    assert copied.read_bytes() == original.read_bytes() and not os.path.samefile(original, copied)


# --------------------------------------------------------------------------- the session's real run, damaged


@pytest.fixture
def history(complete, tmp_path, frozen_code):
    """A copy of the session's complete run in an output folder of its own, its cache keys brought up to date
    (other people edit the package while the suite runs; the key itself is tested above and below)."""
    out = tmp_path / "reports"
    shutil.copytree(complete.path, out / "clean")
    refresh_keys(out / "clean", complete.params)
    return out


def test_a_fresh_process_computes_the_stored_keys(no_kernels, complete, tmp_path):
    """The session's run (another process) stored the keys this process computes for the same run; fails if
    the package's code changed since the session's run started (then rerun)."""
    out = tmp_path / "reports"
    shutil.copytree(complete.path, out / "clean")
    stored = {e["name"]: e["cache_key"] for e in json.loads((out / "clean/summary.json").read_text())["notebooks"]}
    assert refresh_keys(out / "clean", complete.params) == stored


def statuses(history_out, real, **options):
    plan = make_plan(["00", "01"], real.params, history_out, "next", Options(compare_to=None, **options))
    return {s.name: s.status for s in plan.steps}, plan


def test_an_intact_run_is_reused(no_kernels, complete, history):
    found, plan = statuses(history, complete)
    assert found == {"00_data_audit": "cached", "01_perception_gap": "cached"}
    assert {s.hit["run_id"] for s in plan.steps} == {"clean"}
    assert statuses(history, complete, force=True)[0] == {"00_data_audit": "run", "01_perception_gap": "run"}


@pytest.mark.parametrize("damage", ["truncate_csv", "delete_html", "flip_byte_in_png", "delete_figure"])
def test_a_damaged_notebook_is_run_again(no_kernels, complete, history, damage):
    run = history / "clean"
    if damage == "truncate_csv":
        path = run / "01_perception_gap/results/perception_gap.csv"
        path.write_bytes(path.read_bytes()[:10])
        expected = {"00_data_audit": "cached", "01_perception_gap": "run"}
    elif damage == "delete_html":
        (run / "00_data_audit/00_data_audit.html").unlink()
        expected = {"00_data_audit": "run", "01_perception_gap": "cached"}
    elif damage == "flip_byte_in_png":
        path = run / "01_perception_gap/figures/forest_plot.png"
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        expected = {"00_data_audit": "cached", "01_perception_gap": "run"}
    else:
        (run / "00_data_audit/figures/feasibility_heatmap.png").unlink()
        expected = {"00_data_audit": "run", "01_perception_gap": "cached"}
    assert statuses(history, complete)[0] == expected


def test_truncated_results_are_executed_again_not_linked(complete, history):
    """Smoke test on a real kernel: the damaged notebook runs again; the intact one is linked."""
    damaged = history / "clean/00_data_audit/results/counts.csv"
    original = (complete.path / "00_data_audit/results/counts.csv").read_bytes()
    damaged.write_bytes(original[:20])
    result = run_report(["00", "01"], complete.params, history, "again", progress=False, compare_to=None)
    assert result.ok, result
    assert {n.name: n.status for n in result.notebooks} == {"00_data_audit": "complete",
                                                            "01_perception_gap": "cached"}
    fresh = result.path / "00_data_audit/results/counts.csv"
    assert not os.path.samefile(fresh, damaged) and fresh.read_bytes() == original
    assert os.path.samefile(result.path / "01_perception_gap/results/perception_gap.csv",
                            history / "clean/01_perception_gap/results/perception_gap.csv")
    assert (result.path / "00_data_audit/00_data_audit.html").is_file()
    summary = json.loads(result.summary.read_text())
    assert summary["cache"] == {"enabled": True, "reused": ["01_perception_gap"]}
    assert summary["notebooks"][1]["cached_from"]["run_id"] == "clean"
    assert summary["notebooks"][0]["cached_from"] is None
