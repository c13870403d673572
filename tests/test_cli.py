"""Tests for the command line ``alignment-stats report`` (papermill faked; one subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from alignment_stats import report
from alignment_stats.__main__ import main

KERNEL = "python3"


def make_notebook(path: Path, params: str = 'output_dir = "x"\nalpha = 0.05\ninput = None\n') -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "language": "python", "display_name": "Python 3"}
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(1)")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


class FakePool:
    """No kernels: papermill is faked."""

    def __init__(self, *args, **kwargs):
        pass

    def expect(self, n):
        pass

    def acquire(self, timeout=None):
        return SimpleNamespace(km=None, stderr_since=lambda: "")

    def release(self, kernel, reusable):
        pass

    def shutdown(self):
        pass


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A notebooks folder with 00_data_audit and 01_perception_gap, and a fake papermill."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    make_notebook(notebooks / "00_data_audit.ipynb")
    make_notebook(notebooks / "01_perception_gap.ipynb")
    monkeypatch.setattr(report, "NOTEBOOK_DIR", notebooks)
    state = SimpleNamespace(calls=[], fail=set(), interrupt=False, out=tmp_path / "reports",
                            notebooks=notebooks)

    def execute_notebook(input_path, output_path, parameters=None, **kwargs):
        name = Path(input_path).stem
        state.calls.append((name, dict(parameters or {})))
        nbformat.write(nbformat.read(str(input_path), as_version=4), str(output_path))
        if state.interrupt:
            raise KeyboardInterrupt
        if name in state.fail:
            raise PapermillExecutionError(1, 1, "x", "ValueError", "bad data", ["ValueError: bad data"])

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    from alignment_stats import engine

    monkeypatch.setattr(engine, "KernelPool", FakePool)
    return state


def cli(project, *args: str) -> int:
    return main(["report", "--out", str(project.out), "--kernel", KERNEL, "--jobs", "1",
                 "--no-html", *args])


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_complete_exits_0_and_says_where(project, capsys):
    assert cli(project, "--run-id", "r1") == 0
    out = capsys.readouterr().out
    assert f"Report complete: {project.out / 'r1' / 'index.html'}" in out
    assert (project.out / "r1" / "summary.json").is_file()
    assert [name for name, _ in project.calls] == ["00_data_audit", "01_perception_gap"]


def test_failed_notebook_exits_1(project, capsys):
    project.fail.add("00_data_audit")
    assert cli(project, "--run-id", "r1") == 1
    assert "Report FAILED (1 of 2 notebooks failed)" in capsys.readouterr().out
    assert (project.out / "r1.failed").is_dir() and not (project.out / "r1").exists()


def test_params_and_notebook_selection(project, tmp_path):
    data = tmp_path / "x.csv"
    data.write_text("a\n")
    assert cli(project, "--notebooks", "perception_gap", "-p", "alpha=0.2", "--param", f"input={data}") == 0
    assert project.calls == [
        ("01_perception_gap",
         {"alpha": 0.2, "input": str(data), "output_dir": project.calls[0][1]["output_dir"]})
    ]


def test_input_is_shorthand_made_absolute(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "survey.csv").write_text("a\n")
    assert cli(project, "--notebooks", "00", "--input", "survey.csv") == 0
    assert project.calls[0][1]["input"] == str(tmp_path / "survey.csv")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "alpha=abc"], "parameter alpha: 'abc' is not a number"),
        (["-p", "beta=1"], "unknown parameter 'beta'"),
        (["-p", "alpha"], "expected name=value"),
        (["-p", "alpha=1", "-p", "alpha=2"], "parameter alpha given twice"),
        (["--input", "a.csv", "-p", "input=b.csv"], "not both"),
        (["--run-id", "../x"], "run id '../x' is not allowed"),
        (["--notebooks", "skills_gap"], "available: 00_data_audit, 01_perception_gap"),
        (["--jobs", "0"], "expected a whole number >= 1"),
        (["--kernel", "no-such-kernel-xyz"], "make install"),
    ],
)
def test_bad_usage_exits_2_with_one_line(project, capsys, args, expected):
    assert cli(project, *args) == 2
    line = one_error_line(capsys.readouterr().err)
    assert expected in line
    assert project.calls == []
    assert not project.out.exists() or list(project.out.iterdir()) == []


def test_existing_run_id_exits_2(project, capsys):
    (project.out / "taken").mkdir(parents=True)
    assert cli(project, "--run-id", "taken") == 2
    assert "already exists" in one_error_line(capsys.readouterr().err)
    assert project.calls == []


def test_no_notebooks_yet_exits_0(project, capsys):
    for nb in project.notebooks.glob("*.ipynb"):
        nb.unlink()
    assert cli(project) == 0
    assert "No analysis notebooks" in capsys.readouterr().out
    assert project.calls == []


def test_missing_analyses_are_named(project, capsys):
    assert cli(project) == 0
    err = capsys.readouterr().err
    assert "00_data_audit, 01_perception_gap" in err
    assert "not there yet: 02_shared_incentives, 03_skills_gap, 04_benchmark_comparison" in err


def test_interrupt_exits_130_and_leaves_nothing(project, capsys):
    project.interrupt = True
    assert cli(project, "--run-id", "r") == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(project.out.iterdir()) == []


def test_summary_records_cli_strings(project):
    assert cli(project, "--run-id", "r", "-p", "alpha=0.1") == 0
    summary = json.loads((project.out / "r" / "summary.json").read_text())
    assert summary["parameters"] == {"alpha": "0.1"}
    assert summary["notebooks"][0]["parameters"] == {"alpha": 0.1}


def test_help_returns_0(capsys):
    assert main(["report", "--help"]) == 0
    out = capsys.readouterr().out
    options = ("--notebooks", "--param", "--input", "--out", "--run-id", "--no-html", "--jobs", "--kernel")
    assert all(option in out for option in options)


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    assert "report" in capsys.readouterr().err


def test_python_m_help():
    done = subprocess.run([sys.executable, "-m", "alignment_stats", "report", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage: alignment-stats report" in done.stdout
