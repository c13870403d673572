"""Tests for alignment_stats.diff and ``alignment-stats diff`` (hand-made run folders)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignment_stats.__main__ import main
from alignment_stats.diff import RunNotFoundError, diff_runs, resolve_run
from alignment_stats.html import render_comparison

SCRIPT = "<script>alert(1)</script>"


def make_run(base: Path, run_id: str, tables: dict[str, str], claims: str | None = None,
             params=None, versions=None, inputs=None, status="ok") -> Path:
    run = base / run_id
    results = run / "01_perception_gap" / "results"
    results.mkdir(parents=True)
    for name, text in tables.items():
        (results / name).write_text(text, encoding="utf-8")
    if claims is not None:
        (results / "claims.csv").write_text(claims, encoding="utf-8")
    summary = {
        "schema_version": 2, "run_id": run_id, "status": "complete",
        "parameters": params or {}, "package_versions": versions or {"pandas": "2.2"},
        "input_hashes": inputs or {"benchmark_figures.csv": "a" * 64},
        "notebooks": [{"name": "01_perception_gap", "status": status, "parameters": params or {}}],
    }
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return run


GAPS = "study,item,p_value,diff\nleapfrog,collab,0.0123,0.17\nleapfrog,improved,0.2,0.16\n"
CLAIMS = "claim_id,quote,verdict,detail\nC1,marketers more optimistic,supported,CI > 0\n"


def test_identical_runs_have_no_differences(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS}, CLAIMS)
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS}, CLAIMS)
    result = diff_runs(a, b)
    assert not result.changed
    assert "No differences." in result.to_text()


def test_numbers_within_tolerance_are_equal(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS})
    # 0.0123 * (1 + 1e-12): within rtol 1e-9; written differently (trailing zero) too
    b = make_run(tmp_path, "b", {"gaps.csv": GAPS.replace("0.0123", "0.012300000000012").replace("0.2,", "0.20,")})
    assert not diff_runs(a, b).changed
    assert diff_runs(a, b, rtol=0, atol=0).tables[0].n_cells == 1


def test_changed_cells_rows_and_columns(tmp_path):
    a = make_run(tmp_path, "a", {"gaps.csv": GAPS, "old.csv": "x\n1\n"})
    new = "study,item,p_value,diff,extra\nleapfrog,collab,0.0456,0.17,1\nleapfrog,new_item,0.5,0.1,2\n"
    b = make_run(tmp_path, "b", {"gaps.csv": new, "added.csv": "y\n2\n"})
    result = diff_runs(a, b)
    by_file = {t.file: t for t in result.tables}
    assert by_file["old.csv"].status == "removed" and by_file["added.csv"].status == "added"
    gaps = by_file["gaps.csv"]
    assert gaps.matched_by == "study, item"  # shortest run of leading label columns that is unique
    assert [(c.row, c.column, c.old, c.new) for c in gaps.cells] == [("leapfrog · collab", "p_value", "0.0123", "0.0456")]
    assert gaps.rows_added == ("leapfrog · new_item",) and gaps.rows_removed == ("leapfrog · improved",)
    assert gaps.columns_added == ("extra",)
    text = result.to_text()
    assert "leapfrog · collab · p_value: 0.0123 -> 0.0456" in text
    assert "01_perception_gap/results/gaps.csv: 1 cell changed; 1 row added; 1 row removed" in text


def test_nan_equals_nan_and_text_is_exact(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": "k,v,w\na,nan,Yes\n"})
    b = make_run(tmp_path, "b", {"t.csv": "k,v,w\na,NaN,yes\n"})
    cells = diff_runs(a, b).tables[0].cells
    assert [(c.column, c.old, c.new) for c in cells] == [("w", "Yes", "yes")]


def test_claim_verdicts_and_reasons(tmp_path):
    a = make_run(tmp_path, "a", {}, CLAIMS, params={"alpha": "0.05"}, versions={"pandas": "2.2"})
    claims_b = "claim_id,quote,verdict,detail\nC1,marketers more optimistic,not supported,CI spans 0\nC2,both agree,undecidable,n small\n"
    b = make_run(tmp_path, "b", {}, claims_b, params={"alpha": "0.01"}, versions={"pandas": "3.0"},
                 inputs={"benchmark_figures.csv": "b" * 64}, status="failed")
    result = diff_runs(a, b)
    assert [(c.claim_id, c.status, c.old_verdict, c.new_verdict) for c in result.claims] == [
        ("C1", "verdict changed", "supported", "not supported"), ("C2", "added", None, "undecidable")]
    assert ("alpha", "0.05", "0.01") in result.parameters
    assert ("01_perception_gap: alpha", "0.05", "0.01") in result.parameters
    assert result.package_versions == (("pandas", "2.2", "3.0"),)
    assert result.input_files == (("benchmark_figures.csv", "a" * 64, "b" * 64),)
    assert result.notebooks == (("01_perception_gap", "ok", "failed"),)
    text = result.to_text()
    assert "01_perception_gap C1: supported -> not supported" in text
    assert "pandas: 2.2 -> 3.0" in text and "benchmark_figures.csv: aaaaaaaaaaaa -> bbbbbbbbbbbb" in text
    assert result.counts()["verdicts"] == 1


def test_comparison_html_is_escaped(tmp_path):
    a = make_run(tmp_path, "a", {"t.csv": f"k,v\n{SCRIPT},1\n"}, CLAIMS)
    b = make_run(tmp_path, "b", {"t.csv": f"k,v\n{SCRIPT},2\n"},
                 CLAIMS.replace("marketers more optimistic", SCRIPT).replace("supported", "<b>no</b>"),
                 params={"label": "<i>x</i>"})
    page = render_comparison(diff_runs(a, b), {"path": "../a", "reason": "<reason>"})
    for raw in (SCRIPT, "<b>no</b>", "<i>x</i>", "<reason>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="../a/index.html"' in page


def test_resolve_run_by_id_and_errors(tmp_path):
    a = make_run(tmp_path, "a", {})
    assert resolve_run("a", tmp_path) == a
    with pytest.raises(RunNotFoundError, match="no such run folder"):
        resolve_run("zzz", tmp_path)


def test_cli_diff_exit_codes(tmp_path, capsys):
    make_run(tmp_path, "a", {"gaps.csv": GAPS}, CLAIMS)
    make_run(tmp_path, "b", {"gaps.csv": GAPS}, CLAIMS)
    make_run(tmp_path, "c", {"gaps.csv": GAPS.replace("0.0123", "0.5")}, CLAIMS)
    assert main(["diff", "a", "b", "--out", str(tmp_path)]) == 0
    assert "No differences." in capsys.readouterr().out
    assert main(["diff", "a", "c", "--out", str(tmp_path)]) == 1
    assert "0.0123 -> 0.5" in capsys.readouterr().out
    assert main(["diff", "a", "nope", "--out", str(tmp_path)]) == 2
    assert "no such run folder" in capsys.readouterr().err
