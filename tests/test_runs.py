"""Tests for scheduled runs (alignment_stats.runs, ``report --config``); papermill faked."""

from __future__ import annotations

import json

import pytest

from alignment_stats import report, runs
from alignment_stats.__main__ import main

from test_report import fake_pm, make_notebook, write_csv  # noqa: F401 - fixtures

PARAMS = 'output_dir = "x"\nalpha = 0.05\nstudy = None\ninput = None\n'


@pytest.fixture
def project(tmp_path, monkeypatch, fake_pm):
    notebooks = tmp_path / "notebooks"
    make_notebook(notebooks / "00_data_audit.ipynb", params='output_dir = "x"\nrounding = "half_up"\n')
    make_notebook(notebooks / "01_perception_gap.ipynb", params=PARAMS)
    monkeypatch.setattr(report, "NOTEBOOK_DIR", notebooks)
    fake_pm.actions["01_perception_gap"] = write_csv()
    fake_pm.out = tmp_path / "reports"
    return fake_pm


def write_config(tmp_path, text):
    path = tmp_path / "runs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CONFIG = """\
version: 1
defaults: {alpha: 0.01}
runs:
  - name: all
  - name: leapfrog
    parameters: {study: leapfrog_2015}
  - name: audit_only
    notebooks: [00_data_audit]
"""


def test_batch_layout_parameters_and_reuse(project, tmp_path):
    batch = runs.run_config(write_config(tmp_path, CONFIG), out=project.out, run_id="b1", jobs=1,
                            kernel_name="python3", progress=False)
    assert batch.ok and batch.path == project.out / "b1"
    assert sorted(p.name for p in batch.path.iterdir()) == ["all", "audit_only", "index.html", "leapfrog", "runs.json"]
    calls = [(c["name"], {k: v for k, v in c["parameters"].items() if k != "output_dir"}) for c in project.calls]
    # the audit does not declare alpha or study: it gets nothing, runs once and is reused twice
    assert calls == [("00_data_audit", {}), ("01_perception_gap", {"alpha": 0.01}),
                     ("01_perception_gap", {"alpha": 0.01, "study": "leapfrog_2015"})]
    meta = json.loads((batch.path / "runs.json").read_text())
    assert [r["name"] for r in meta["runs"]] == ["all", "leapfrog", "audit_only"]
    assert meta["runs"][1]["reused"] == ["00_data_audit"]
    summary = json.loads((batch.path / "leapfrog" / "summary.json").read_text())
    assert summary["run_name"] == "leapfrog"
    page = (batch.path / "index.html").read_text()
    assert 'href="leapfrog/index.html"' in page

    second = runs.run_config(write_config(tmp_path, CONFIG), out=project.out, run_id="b2", jobs=1,
                             kernel_name="python3", progress=False)
    assert second.ok and len(project.calls) == 3  # nothing changed: everything reused
    leapfrog = json.loads((second.path / "leapfrog" / "summary.json").read_text())
    assert leapfrog["comparison"]["run_id"] == "leapfrog"
    assert leapfrog["comparison"]["path"] == "../../b1/leapfrog"


def test_failed_run_marks_the_batch_failed(project, tmp_path):
    from test_report import cell_error

    project.actions["00_data_audit"] = cell_error()
    batch = runs.run_config(write_config(tmp_path, CONFIG), out=project.out, run_id="b", jobs=1,
                            kernel_name="python3", progress=False, only=["audit_only"])
    assert not batch.ok and batch.path.name == "b.failed"
    assert (batch.path / "audit_only.failed").is_dir()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("runs:\n  - name: x\n    parameters: !!python/object/apply:os.system ['echo hi']\n",
         "yaml.safe_load"),
        ("!!python/object:collections.OrderedDict {}\n", "no Python objects"),
        ("runs: [\n", "not valid YAML"),
        ("runs:\n  - name: ../evil\n", "run name '../evil' is not allowed"),
        ("runs:\n  - name: a\n  - name: a\n", "used twice"),
        ("runs:\n  - name: a\n    notebook: [00]\n", "unknown key(s) notebook"),
        ("version: 2\nruns:\n  - name: a\n", "version 2 is not supported"),
        ("runs: []\n", "non-empty list"),
    ],
)
def test_bad_configs_are_refused_with_a_clear_error(tmp_path, text, message):
    with pytest.raises(runs.ConfigError, match="runs.yaml") as info:
        runs.load_run_config(write_config(tmp_path, text))
    assert message in str(info.value)


def test_python_tag_is_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"runs:\n  - name: x\n    parameters: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(runs.ConfigError, match="line 3"):
        runs.load_run_config(write_config(tmp_path, text))
    assert not marker.exists()


def test_every_run_is_checked_before_anything_runs(project, tmp_path):
    bad = CONFIG + "  - name: typo\n    parameters: {alhpa: 0.1}\n"
    with pytest.raises(runs.ConfigError, match="run typo: unknown parameter 'alhpa': no notebook declares it"):
        runs.run_config(write_config(tmp_path, bad), out=project.out, kernel_name="python3", progress=False)
    bad = CONFIG + "  - name: range\n    parameters: {alpha: 0.9}\n"
    with pytest.raises(runs.ConfigError, match="run range: parameter alpha: 0.9 is out of range"):
        runs.run_config(write_config(tmp_path, bad), out=project.out, kernel_name="python3", progress=False)
    assert project.calls == [] and not project.out.exists()


def test_cli_config_and_conflicts(project, tmp_path, capsys):
    config = str(write_config(tmp_path, CONFIG))
    args = ["report", "--out", str(project.out), "--kernel", "python3", "--jobs", "1", "--no-html"]
    assert main([*args, "--config", config, "--only", "audit_only", "--run-id", "c"]) == 0
    assert "Scheduled reports complete" in capsys.readouterr().out
    assert main([*args, "--config", config, "-p", "alpha=0.1"]) == 2
    assert "come from the config file" in capsys.readouterr().err
    assert main([*args, "--only", "x"]) == 2


def test_project_runs_yaml_is_valid():
    config = runs.load_run_config(runs.DEFAULT_CONFIG)
    names = [r.name for r in config.runs]
    assert "bundled" in names and "demo_survey" in names
    assert {r.parameters.get("rounding") for r in config.runs} >= {"half_even", "truncate", "ceil", "unknown"}
    demo = next(r for r in config.runs if r.name == "demo_survey")
    assert demo.notebooks == ("04_benchmark_comparison",)
    assert demo.parameters["codebook"] == "data/raw/demo/leapfrog_demo_codebook.yaml"
