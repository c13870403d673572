"""Comparing runs (``report.diff``, ``report.numeric``, ``alignment-stats diff``) on hand-made run folders.

Reference: the tables and summaries are written by the tests, so every
expected change is known by construction; the tolerance rule is the
documented ``|a - b| <= atol + rtol * |b|`` (docs/reports.md), checked
against ``math.isclose``-style arithmetic written out here (the comparison
the old ``test_results_regression.py`` used); exit statuses are those of
``alignment_stats.schema`` (issue 16 item 11: unreadable results or a
malformed summary.json are an error naming the file, never "No
differences").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_testing import one_line

from alignment_stats.cli import main
from alignment_stats.report import RunNotFoundError, diff_runs, resolve_run
from alignment_stats.report.diff import DiffError, read_summary
from alignment_stats.report.html import render_index
from alignment_stats.report.numeric import (
    cells_equal,
    frame_problems,
    read_cells,
    text_cells,
)
from alignment_stats.schema import (
    EXIT_COMPLETE,
    EXIT_DIFFERENCES,
    EXIT_FAILED,
    EXIT_USAGE,
)

SCRIPT = "<script>alert(1)</script>"
GAPS = "study,item,p_value,diff\nleapfrog,collab,0.0123,0.17\nleapfrog,improved,0.2,0.16\n"
CLAIMS = "claim_id,quote,verdict,detail\nC1,marketers more optimistic,supported,CI > 0\n"
NB = "01_perception_gap"


def make_run(base: Path, run_id: str, tables: dict[str, str | bytes], claims: str | None = None, params=None,
             versions=None, inputs=None, status="complete") -> Path:
    run = base / run_id
    results = run / NB / "results"
    results.mkdir(parents=True)
    for name, text in tables.items():
        path = results / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, encoding="utf-8")
    if claims is not None:
        (results / "claims.csv").write_text(claims, encoding="utf-8")
    summary = {"schema_version": 3, "run_id": run_id, "run_name": None, "status": "complete",
               "parameters": params or {}, "package_versions": versions or {"pandas": "3.0"},
               "input_hashes": inputs or {"benchmark_figures.csv": "a" * 64},
               "notebooks": [{"name": NB, "status": status, "parameters": params or {}}]}
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return run


def diff_cli(capsys, *args):
    """``alignment-stats diff`` in-process: (exit status, stdout, stderr); an exception is a traceback."""
    try:
        status = main(["diff", *map(str, args)])
    except SystemExit as exc:  # pragma: no cover - main() returns instead
        status = exc.code
    except Exception as exc:  # noqa: BLE001 - any exception is the failure under test
        captured = capsys.readouterr()
        pytest.fail(f"alignment-stats diff raised {type(exc).__name__}: {exc} (a traceback, not one line)\n"
                    f"{captured.err}")
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --------------------------------------------------------------------------- numeric comparison


def test_cells_equal_by_the_documented_rule():
    old = np.array(["0.1", "0.1", "a", "", "nan", "inf", "1", "1e-13", "x"])
    new = np.array(["0.10000000001", "0.1001", "a", "NaN", "", "inf", "1.0", "0", "X"])
    assert cells_equal(old, new).tolist() == [True, False, True, True, True, True, True, True, False]
    assert cells_equal(np.array(["0.1"]), np.array(["0.1001"]), rtol=1e-2).tolist() == [True]
    assert cells_equal(np.array(["inf"]), np.array(["-inf"])).tolist() == [False]
    assert cells_equal(np.array(["1"]), np.array(["nan"])).tolist() == [False]
    assert text_cells(np.array(["a", "1.5", "", "nan", "-2e3"])).tolist() == [True, False, False, False, False]


@settings(max_examples=150, deadline=None)
@given(a=st.floats(-1e6, 1e6, allow_nan=False), b=st.floats(-1e6, 1e6, allow_nan=False),
       rtol=st.sampled_from([0.0, 1e-9, 1e-3]), atol=st.sampled_from([0.0, 1e-12, 1e-6]))
def test_cells_equal_matches_the_formula(a, b, rtol, atol):
    # the rule written out: |a - b| <= atol + rtol * |b|  (numbers as written in CSV, repr round-trips)
    expected = abs(a - b) <= atol + rtol * abs(b)
    assert bool(cells_equal(np.array([repr(a)]), np.array([repr(b)]), rtol, atol)[0]) == expected


def test_frame_problems_lines_and_shapes():
    a = pd.DataFrame({"x": ["1.0", "b"], "y": ["2", "3"]})
    assert frame_problems(a, a.copy()) == []
    b = pd.DataFrame({"x": ["1.0000000000001", "c"], "y": ["2", "3.5"]})
    assert frame_problems(a, b, name="t.csv") == ["t.csv line 3, column x: 'c' != expected 'b'",
                                                  "t.csv line 3, column y: '3.5' != expected '3'"]
    assert frame_problems(a, b[["x"]]) == ["table: columns ['x'] != expected ['x', 'y']"]
    assert frame_problems(a, a.iloc[:1]) == ["table: 1 rows, expected 2"]


def test_read_cells_keeps_text_as_written(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n007,\nNA,1.50\n", encoding="utf-8")
    frame = read_cells(tmp_path / "t.csv")
    assert frame.to_dict("list") == {"a": ["007", "NA"], "b": ["", "1.50"]}
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert read_cells(tmp_path / "empty.csv").empty
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81 garbage")
    with pytest.raises(ValueError, match="bin.csv: cannot be read as CSV"):
        read_cells(tmp_path / "bin.csv")


# --------------------------------------------------------------------------- diff_runs


def test_identical_runs_have_no_differences(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS}, CLAIMS)
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS}, CLAIMS)
    result = diff_runs(a, b)
    assert not result.changed and not result.results_changed
    assert "No differences." in result.to_text()
    assert result.counts() == dict.fromkeys(("parameters", "package_versions", "input_files", "notebooks", "claims",
                                             "verdicts", "tables", "cells"), 0)


def test_numbers_within_tolerance_are_equal(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS})
    # 0.0123 * (1 + 1e-12) is within rtol 1e-9; "0.20" is 0.2 written differently
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS.replace("0.0123", "0.012300000000012").replace("0.2,", "0.20,")})
    assert not diff_runs(a, b).changed
    strict = diff_runs(a, b, rtol=0, atol=0)
    assert strict.tables[0].n_cells == 1 and strict.tables[0].cells[0].column == "p_value"


def test_changed_cells_rows_and_columns(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS, "old.csv": "x\n1\n"})
    new = "study,item,p_value,diff,extra\nleapfrog,collab,0.0456,0.17,1\nleapfrog,new_item,0.5,0.1,2\n"
    b = make_run(tmp_path, "b", {"gaps.csv": new, "added.csv": "y\n2\n"})
    result = diff_runs(a, b)
    by_file = {t.file: t for t in result.tables}
    assert by_file["old.csv"].status == "removed" and by_file["added.csv"].status == "added"
    gaps = by_file["gaps.csv"]
    assert gaps.matched_by == "study, item"
    assert [(c.row, c.column, c.old, c.new) for c in gaps.cells] == [("leapfrog · collab", "p_value", "0.0123",
                                                                      "0.0456")]
    assert gaps.rows_added == ("leapfrog · new_item",) and gaps.rows_removed == ("leapfrog · improved",)
    assert gaps.columns_added == ("extra",)
    text = result.to_text()
    assert "leapfrog · collab · p_value: 0.0123 -> 0.0456" in text
    assert f"{NB}/results/gaps.csv: 1 cell changed; 1 row added; 1 row removed" in text


def test_rows_without_labels_are_matched_by_position(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": "v,w\n1,2\n3,4\n"})
    b = make_run(tmp_path, "b", {"t.csv": "v,w\n1,2\n3,5\n6,7\n"})
    [table] = diff_runs(a, b).tables
    assert table.matched_by == "row order" and table.rows_added == ("row 3",)
    assert [(c.row, c.column, c.old, c.new) for c in table.cells] == [("row 2", "w", "4", "5")]


def test_nan_equals_nan_and_text_is_exact(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": "k,v,w\na,nan,Yes\n"})
    b = make_run(tmp_path, "b", {"t.csv": "k,v,w\na,NaN,yes\n"})
    assert [(c.column, c.old, c.new) for c in diff_runs(a, b).tables[0].cells] == [("w", "Yes", "yes")]


def test_claim_verdicts_and_reasons(tmp_path):
    a = make_run(tmp_path, "a", {}, CLAIMS, params={"alpha": "0.05"}, versions={"pandas": "3.0"})
    claims_b = ("claim_id,quote,verdict,detail\nC1,marketers more optimistic,not supported,CI spans 0\n"
                "C2,both agree,undecidable with this sample,n small\n")
    b = make_run(tmp_path, "b", {}, claims_b, params={"alpha": "0.01"}, versions={"pandas": "3.1"},
                 inputs={"benchmark_figures.csv": "b" * 64}, status="failed")
    result = diff_runs(a, b)
    assert [(c.claim_id, c.status, c.old_verdict, c.new_verdict) for c in result.claims] == [
        ("C1", "verdict changed", "supported", "not supported"), ("C2", "added", None, "undecidable with this sample")]
    assert ("alpha", "0.05", "0.01") in result.parameters and (f"{NB}: alpha", "0.05", "0.01") in result.parameters
    assert result.package_versions == (("pandas", "3.0", "3.1"),)
    assert result.input_files == (("benchmark_figures.csv", "a" * 64, "b" * 64),)
    assert result.notebooks == ((NB, "complete", "failed"),)
    text = result.to_text()
    assert f"{NB} C1: supported -> not supported" in text and "pandas: 3.0 -> 3.1" in text
    assert "benchmark_figures.csv: aaaaaaaaaaaa -> bbbbbbbbbbbb" in text
    assert result.counts()["verdicts"] == 1 and result.counts()["claims"] == 2


def test_cached_and_complete_are_the_same_status(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": "k\n1\n"}, status="complete")
    b = make_run(tmp_path, "b", {"t.csv": "k\n1\n"}, status="cached")
    assert not diff_runs(a, b).changed


def test_changes_in_the_index_are_escaped(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": f"k,v\n{SCRIPT},1\n"}, CLAIMS)
    b = make_run(tmp_path, "b", {"t.csv": f"k,v\n{SCRIPT},2\n"},
                 CLAIMS.replace("marketers more optimistic", SCRIPT).replace("supported", "<b>no</b>"),
                 params={"label": "<i>x</i>"})
    summary = {"run_id": "b", "status": "complete", "started": "s", "finished": "f", "kernel": "k", "notebooks": [],
               "comparison": {"path": "../a", "reason": "<reason>"}}
    page = render_index(summary, None, diff_runs(a, b))
    for raw in (SCRIPT, "<b>no</b>", "<i>x</i>", "<reason>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and 'href="../a/index.html"' in page


def test_resolve_run_by_folder_or_id(tmp_path):
    a = make_run(tmp_path, "a", {})
    assert resolve_run("a", tmp_path) == a == resolve_run(a)
    with pytest.raises(RunNotFoundError, match="no such run folder"):
        resolve_run("zzz", tmp_path)


def test_malformed_summary_or_results_is_an_error_not_no_differences(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS})
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS})
    (b / "summary.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DiffError, match="summary.json: cannot be read as JSON"):
        diff_runs(a, b)
    (b / "summary.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DiffError, match="is not a JSON object"):
        read_summary(b)
    c = make_run(tmp_path, "c", {"gaps.csv": bytes(range(256)) * 4})
    with pytest.raises(DiffError, match="gaps.csv: cannot be read as CSV"):
        diff_runs(a, c)


# --------------------------------------------------------------------------- the command


def test_cli_diff_exit_statuses(tmp_path, capsys):
    make_run(tmp_path, "a", {"gaps.csv": GAPS}, CLAIMS)
    make_run(tmp_path, "b", {"gaps.csv": GAPS}, CLAIMS)
    make_run(tmp_path, "c", {"gaps.csv": GAPS.replace("0.0123", "0.5")}, CLAIMS)
    make_run(tmp_path, "d", {"gaps.csv": GAPS.replace("0.0123", "0.01231")}, CLAIMS)
    status, out, _ = diff_cli(capsys, "a", "b", "--out", tmp_path)
    assert status == EXIT_COMPLETE and "No differences." in out
    status, out, _ = diff_cli(capsys, "a", "c", "--out", tmp_path)
    assert status == EXIT_DIFFERENCES and "leapfrog · collab · p_value: 0.0123 -> 0.5" in out
    # |0.0123 - 0.01231| = 1e-5 is beyond rtol 1e-9 but within rtol 1e-3 (1e-3 * 0.01231 = 1.2e-5)
    status, out, _ = diff_cli(capsys, "a", "d", "--out", tmp_path)
    assert status == EXIT_DIFFERENCES and "0.0123 -> 0.01231" in out
    status, out, _ = diff_cli(capsys, "a", "d", "--out", tmp_path, "--rtol", "1e-3")
    assert status == EXIT_COMPLETE and "No differences." in out
    status, _, _ = diff_cli(capsys, tmp_path / "a", tmp_path / "c")  # folders instead of ids
    assert status == EXIT_DIFFERENCES


@pytest.mark.parametrize(("args", "message"), [
    (["a", "nope"], "no such run folder"), (["a", "b", "--rtol", "-1"], "must be >= 0"),
    (["a"], "required"), (["a", "b", "--rtol", "x"], "invalid float value"),
])
def test_cli_diff_usage_errors(tmp_path, capsys, args, message):
    make_run(tmp_path, "a", {})
    make_run(tmp_path, "b", {})
    status, out, err = diff_cli(capsys, *args, "--out", tmp_path)
    assert status == EXIT_USAGE and message in one_line(err) and out == ""


@pytest.mark.parametrize("damage", ["binary_results_csv", "malformed_summary_json"])
def test_cli_diff_unreadable_run_exits_1_naming_the_file(tmp_path, capsys, damage):
    make_run(tmp_path, "a", {"gaps.csv": GAPS}, CLAIMS)
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS}, CLAIMS)
    if damage == "binary_results_csv":
        bad = b / NB / "results" / "gaps.csv"
        bad.write_bytes(bytes(range(256)) * 4)
    else:
        bad = b / "summary.json"
        bad.write_text('{"run_id": "b", "notebooks": [', encoding="utf-8")
    status, out, err = diff_cli(capsys, "a", "b", "--out", tmp_path)
    assert status == EXIT_FAILED
    assert str(bad) in one_line(err) and "No differences" not in out
