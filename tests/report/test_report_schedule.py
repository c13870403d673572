"""Scheduled runs (``report.schedule``, ``report --config``) with papermill and kernels faked.

Reference: docs/reports.md ("Scheduled runs", "Cache"): the batch layout and
runs.json written out there, each run's notebooks getting only the
parameters they declare, reuse of unchanged notebooks from earlier runs of
the batch and earlier batches, comparison with the same-named run of the
previous batch, ``yaml.safe_load`` only, every run checked before the first
starts. Expected calls are derived by hand from the config each test writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError
from report_testing import KERNEL, entries, make_notebook, one_line

from alignment_stats.cli import main
from alignment_stats.report import ReportError, load_runs, run_batch
from alignment_stats.report.schedule import DEFAULT_CONFIG
from alignment_stats.schema import EXIT_COMPLETE, EXIT_FAILED, EXIT_USAGE


@pytest.fixture
def project(fake_pm, tiny, tmp_path):
    def write_r(output_dir):
        (output_dir / "results").mkdir(parents=True, exist_ok=True)
        (output_dir / "results" / "r.csv").write_text("a\n1\n", encoding="utf-8")

    fake_pm.actions["01_second"] = write_r
    fake_pm.out = tmp_path / "reports"
    fake_pm.nb0, fake_pm.nb1 = tiny
    return fake_pm


def config(tmp_path, project, body: str) -> Path:
    path = tmp_path / "runs.yaml"
    path.write_text(body.replace("NB0", str(project.nb0)).replace("NB1", str(project.nb1)), encoding="utf-8")
    return path


CONFIG = """\
version: 1
defaults: {alpha: 0.01}
runs:
  - name: all
    notebooks: [NB0, NB1]
  - name: flagged
    description: "01 with <flag> off"
    notebooks: [NB0, NB1]
    parameters: {flag: false}
  - name: first_only
    notebooks: [NB0]
"""


def batch(project, tmp_path, run_id, **kwargs):
    return run_batch(config(tmp_path, project, kwargs.pop("body", CONFIG)), out=project.out, run_id=run_id, jobs=1,
                     kernel_name=KERNEL, progress=False, html=False, **kwargs)


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def calls(project):
    return [(c["name"], {k: v for k, v in c["parameters"].items() if k != "output_dir"}) for c in project.calls]


def test_batch_layout_and_parameters(project, tmp_path):
    result = batch(project, tmp_path, "b1")
    assert result.ok and result.path == project.out / "b1"
    assert visible(result.path) == ["all", "first_only", "flagged", "index.html", "runs.json"]
    assert [p.name for p in project.out.iterdir()] == ["b1"]  # no temporary folder left
    # 00_first declares alpha only: it never gets flag
    assert {(name, tuple(sorted(p.items()))) for name, p in calls(project)} == {
        ("00_first", (("alpha", 0.01),)), ("01_second", (("alpha", 0.01),)),
        ("01_second", (("alpha", 0.01), ("flag", False)))}
    meta = json.loads((result.path / "runs.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "batch" and meta["status"] == "complete" and meta["run_id"] == "b1"
    assert [r["name"] for r in meta["runs"]] == ["all", "flagged", "first_only"]
    assert [r["path"] for r in meta["runs"]] == ["all", "flagged", "first_only"]
    assert meta["runs"][1]["parameters"] == {"alpha": 0.01, "flag": False}
    summary = json.loads((result.path / "flagged" / "summary.json").read_text(encoding="utf-8"))
    assert summary["run_name"] == "flagged" and summary["status"] == "complete"
    page = (result.path / "index.html").read_text(encoding="utf-8")
    assert 'href="flagged/index.html"' in page and "&lt;flag&gt;" in page and "<flag>" not in page
    assert len(project.pools) == 1  # one pool serves the whole batch


def test_earlier_runs_of_the_same_batch_are_reused(project, tmp_path):
    """docs/reports.md, Cache: '... including ... earlier runs of the same batch'."""
    result = batch(project, tmp_path, "b1")
    assert calls(project) == [("00_first", {"alpha": 0.01}), ("01_second", {"alpha": 0.01}),
                              ("01_second", {"alpha": 0.01, "flag": False})]
    meta = json.loads((result.path / "runs.json").read_text(encoding="utf-8"))
    assert meta["runs"][1]["reused"] == ["00_first"] and meta["runs"][2]["reused"] == ["00_first"]
    summary = json.loads((result.path / "flagged" / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebooks"][0]["cached_from"]["run_id"] == "all"


def test_next_batch_reuses_everything_and_compares_run_by_run(project, tmp_path):
    batch(project, tmp_path, "b1")
    before = len(project.calls)
    second = batch(project, tmp_path, "b2")
    assert second.ok and len(project.calls) == before  # nothing changed: nothing executed
    flagged = json.loads((second.path / "flagged" / "summary.json").read_text(encoding="utf-8"))
    assert flagged["comparison"]["run_id"] == "flagged" and flagged["comparison"]["changed"] is False
    assert flagged["comparison"]["path"] == "../../b1/flagged"
    assert {nb["name"]: nb["status"] for nb in flagged["notebooks"]} == {"00_first": "cached", "01_second": "cached"}


def test_a_failed_run_marks_the_batch_failed(project, tmp_path):
    def fails(output_dir):
        raise PapermillExecutionError(1, 1, "x", "ValueError", "bad", ["ValueError: bad"])

    project.actions["00_first"] = fails
    result = batch(project, tmp_path, "b", only=["first_only"])
    assert not result.ok and result.path == project.out / "b.failed"
    assert visible(result.path) == ["first_only.failed", "index.html", "runs.json"]
    assert json.loads((result.path / "runs.json").read_text())["runs"][0]["status"] == "failed"


def test_relative_paths_are_taken_from_the_files_folder(project, tmp_path):
    nb = make_notebook(tmp_path / "nbs" / "02_input.ipynb",
                       params="from typing import Optional\noutput_dir: Optional[str] = None\n"
                              "input: Optional[str] = None\n")
    (tmp_path / "data.csv").write_text("x\n1\n", encoding="utf-8")
    body = f"version: 1\nruns:\n  - name: rel\n    notebooks: [{nb}]\n    parameters: {{input: data.csv}}\n"
    assert batch(project, tmp_path, "b", body=body).ok
    assert calls(project) == [("02_input", {"input": str(tmp_path / "data.csv")})]


def test_every_run_is_checked_before_anything_runs(project, tmp_path):
    for extra, words in (("  - name: typo\n    parameters: {alhpa: 0.1}\n", "run typo: unknown parameter 'alhpa'"),
                         ("  - name: range\n    notebooks: [NB1]\n    parameters: {n: many}\n",
                          "run range: parameter n of 01_second: 'many' is not a whole number")):
        with pytest.raises(ReportError, match=words):
            batch(project, tmp_path, "b", body=CONFIG + extra)
    assert project.calls == [] and project.pools == [] and not project.out.exists()


def test_only_unknown_run_is_an_error(project, tmp_path):
    with pytest.raises(ReportError, match="no run named nope; runs: all, flagged, first_only"):
        batch(project, tmp_path, "b", only=["nope"])


@pytest.mark.parametrize("existing", ["b", "b.failed"])
def test_an_existing_batch_is_never_overwritten(project, tmp_path, existing):
    (project.out / existing).mkdir(parents=True)
    with pytest.raises(ReportError, match="never overwritten"):
        batch(project, tmp_path, "b")
    assert entries(project.out) == [existing] and project.calls == []


@pytest.mark.parametrize(("text", "words"), [
    ("runs:\n  - name: x\n    parameters: !!python/object/apply:os.system ['echo hi']\n", "no Python tags"),
    ("!!python/object:collections.OrderedDict {}\n", "not valid YAML"),
    ("runs: [\n", "not valid YAML"),
    ("- just a list\n", "must be a mapping"),
    ("runs:\n  - name: ../evil\n", "run name '../evil' is not allowed"),
    ("runs:\n  - name: a\n  - name: a\n", "used twice"),
    ("runs:\n  - name: a\n    notebook: ['00']\n", "runs.0.notebook (a)"),
    ("version: 2\nruns:\n  - name: a\n", "version"),
    ("runs: []\n", "runs"),
    ("runs:\n  - name: a\n    notebooks: []\n", "runs.0.notebooks (a)"),
])
def test_bad_runs_files_are_refused_naming_the_file(tmp_path, text, words):
    path = tmp_path / "runs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as info:
        load_runs(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_a_python_tag_is_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "runs.yaml"
    path.write_text(f"runs:\n  - name: x\n    parameters: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ReportError, match="line 3"):
        load_runs(path)
    assert not marker.exists()


def test_cli_config(project, tmp_path, capsys):
    path = config(tmp_path, project, CONFIG)
    args = ["report", "--config", str(path), "--out", str(project.out), "--jobs", "1", "--no-html"]
    assert main([*args, "--only", "first_only", "--run-id", "c"]) == EXIT_COMPLETE
    assert f"Scheduled reports complete: {project.out / 'c' / 'index.html'}" in capsys.readouterr().out
    assert main([*args, "-p", "alpha=0.1"]) == EXIT_USAGE
    assert "come from the config file" in one_line(capsys.readouterr().err)
    project.actions["01_second"] = lambda d: (_ for _ in ()).throw(
        PapermillExecutionError(1, 1, "x", "KeyError", "k", ["KeyError: k"]))
    assert main([*args, "--only", "all", "--run-id", "d", "--force"]) == EXIT_FAILED
    assert (project.out / "d.failed" / "all.failed").is_dir()


def test_the_projects_runs_yaml_is_valid():
    path, runs = load_runs(DEFAULT_CONFIG)
    names = [r.name for r in runs.runs]
    assert path == DEFAULT_CONFIG.resolve() and "bundled" in names and "demo_survey" in names
    assert {r.parameters.get("rounding") for r in runs.runs} >= {"half_even", "truncate", "ceil", "unknown"}
    demo = next(r for r in runs.runs if r.name == "demo_survey")
    assert demo.notebooks == ["04_benchmark_comparison"]
    assert demo.parameters["codebook"] == "data/raw/demo/leapfrog_demo_codebook.yaml"
