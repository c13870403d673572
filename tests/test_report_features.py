"""Tests for the runner's parameter rules, cache, comparison, warm kernels and Dask executor.

Most use the fake papermill and FakePool of test_report; the warm-kernel and
Dask tests execute tiny notebooks on the ``python3`` kernel.
"""

from __future__ import annotations

import json
import re
import sys

import nbformat
import pytest

from alignment_stats import report

from test_report import KERNEL, fake_pm, make_notebook, run, write_csv  # noqa: F401 - fixtures

ALL_PARAMS = ('output_dir = "x"\nalpha = 0.05\nci = "newcombe"\ntest = "fisher"\nadjust = "holm"\n'
              'rounding = "half_up"\nstudy = None\ninput = None\nassumed_n = 100\n')


@pytest.fixture
def nb(tmp_path):
    return [make_notebook(tmp_path / "nbs" / "01_perception_gap.ipynb", params=ALL_PARAMS)]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("alpha", "0.5", "parameter alpha: 0.5 is out of range; must be a number > 0 and < 0.5"),
        ("alpha", "0", "parameter alpha: 0.0 is out of range"),
        ("ci", "exact", "parameter ci: 'exact' is not a known value (in 01_perception_gap); known: newcombe"),
        ("test", "t", "parameter test: 't' is not a known value"),
        ("adjust", "sidak", "parameter adjust: 'sidak' is not a known value"),
        ("rounding", "banker", "parameter rounding: 'banker' is not a known value"),
        ("study", "nope_2099", "parameter study: 'nope_2099' is not a known study id"),
        ("assumed_n", "0", "parameter assumed_n: 0 is out of range; must be an integer >= 1"),
        ("input", "/no/such/file.csv", "parameter input: '/no/such/file.csv' is not a file"),
    ],
)
def test_parameter_rules_refuse_before_anything_runs(fake_pm, nb, tmp_path, name, value, message):
    with pytest.raises(report.ReportUsageError, match=re.escape(message)):
        run(nb, tmp_path, params={name: value})
    assert fake_pm.calls == [] and not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [("alpha", "0.01"), ("ci", "wald"), ("rounding", "unknown"), ("rounding", "truncate"),
     ("study", "leapfrog_2015"), ("adjust", "none")],
)
def test_parameter_rules_accept_known_values(fake_pm, nb, tmp_path, name, value):
    assert run(nb, tmp_path, params={name: value}).ok


def test_study_not_checked_for_own_input(fake_pm, nb, tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("x\n")
    assert run(nb, tmp_path, params={"study": "my_own_study", "input": str(data)}).ok


def test_notebook_specific_rule(fake_pm, tmp_path):
    skills = make_notebook(tmp_path / "nbs" / "03_skills_gap.ipynb", params='output_dir = "x"\nci = "newcombe"\n')
    assert run([skills], tmp_path, params={"ci": "tango"}).ok
    with pytest.raises(report.ReportUsageError, match="known: newcombe, tango"):
        run([skills], tmp_path, params={"ci": "wald"})


def test_typed_values_must_fit_the_declared_type(nb):
    """Values from runs.yaml arrive typed: they must fit the type of the notebook's default."""
    with pytest.raises(report.ReportUsageError, match="parameter alpha: True is not a number"):
        report._plan(nb, {"alpha": True})
    with pytest.raises(report.ReportUsageError, match="parameter assumed_n: 'many' is not an integer"):
        report._plan(nb, {"assumed_n": "many"})
    with pytest.raises(report.ReportUsageError, match="parameter ci: 3 is not text"):
        report._plan(nb, {"ci": 3})
    assert report._plan(nb, {"assumed_n": 5, "study": None})[0][1] == {"assumed_n": 5, "study": None}


def test_unchanged_notebooks_are_reused_and_force_runs_them(fake_pm, nb, tmp_path):
    fake_pm.actions["01_perception_gap"] = write_csv()
    first = run(nb, tmp_path, run_id="one")
    second = run(nb, tmp_path, run_id="two", compare_to=report.AUTO)
    assert len(fake_pm.calls) == 1  # the second run executed nothing
    assert second.notebooks[0].cached_from == "one"
    summary = json.loads(second.summary.read_text())
    entry = summary["notebooks"][0]
    assert entry["cached_from"]["run_id"] == "one"
    assert entry["cache_key"] == json.loads(first.summary.read_text())["notebooks"][0]["cache_key"]
    assert (second.path / "01_perception_gap" / "results" / "r.csv").read_text() == "a\n1\n"
    assert summary["comparison"]["run_id"] == "one" and summary["comparison"]["changed"] is False
    page = second.index.read_text()
    assert "reused from run one" in page and "Changes since run" in page
    run(nb, tmp_path, run_id="three", force=True)
    assert len(fake_pm.calls) == 2
    run(nb, tmp_path, run_id="four", params={"alpha": "0.01"})  # other parameters: another key
    assert len(fake_pm.calls) == 3


def test_index_shows_changes_since_previous_run(fake_pm, nb, tmp_path, capsys):
    fake_pm.actions["01_perception_gap"] = write_csv("gaps.csv", "item,p\ncollab,0.01\n")
    run(nb, tmp_path, run_id="old")
    fake_pm.actions["01_perception_gap"] = write_csv("gaps.csv", "item,p\ncollab,<b>0.02</b>\n")
    new = run(nb, tmp_path, run_id="new", compare_to=report.AUTO, force=True, progress=None)
    assert new.compared_with == tmp_path / "reports" / "old"
    assert "Comparing with old: the most recent complete earlier run" in capsys.readouterr().err
    page = new.index.read_text()
    assert "Changes since run" in page and "&lt;b&gt;0.02&lt;/b&gt;" in page and "<b>0.02" not in page


def test_compare_to_unknown_run_is_a_usage_error(fake_pm, nb, tmp_path):
    with pytest.raises(report.ReportUsageError, match="--compare-to"):
        run(nb, tmp_path, compare_to="no-such-run")
    assert fake_pm.calls == []


def test_failed_notebook_shows_kernel_stderr(fake_pm, nb, tmp_path):
    from test_report import cell_error

    fake_pm.actions["01_perception_gap"] = cell_error()
    result = run(nb, tmp_path, run_id="r")
    entry = json.loads(result.summary.read_text())["notebooks"][0]
    assert entry["kernel_stderr"] == "fake kernel stderr"
    assert "fake kernel stderr" in result.index.read_text()


def test_dask_missing_says_how_to_install(fake_pm, nb, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(report.ReportUsageError, match=re.escape("pip install alignment_stats[dask]")):
        run(nb, tmp_path, executor="dask", scheduler="tcp://127.0.0.1:1")
    assert not (tmp_path / "reports").exists()


def test_scheduler_without_dask_executor_refused(fake_pm, nb, tmp_path):
    with pytest.raises(report.ReportUsageError, match="only used with --executor dask"):
        run(nb, tmp_path, scheduler="tcp://127.0.0.1:1")


# --------------------------------------------------------------------------- real kernels

STATE = """\
import os, pathlib, warnings
out = pathlib.Path(output_dir) / "results"
out.mkdir(parents=True, exist_ok=True)
leak = "leaked" if "marker" in globals() else "clean"
(out / "state.csv").write_text(f"leak,cwd,count\\n{leak},{os.getcwd()},{get_ipython().execution_count}\\n")
marker = 1
os.chdir("/")
"""


def test_warm_kernels_are_reset_between_notebooks(tmp_path):
    nbs = [make_notebook(tmp_path / "nbs" / f"0{i}_n{i}.ipynb", STATE) for i in range(3)]
    nbs.append(make_notebook(tmp_path / "nbs" / "03_fails.ipynb", "import sys; print('to stderr', file=sys.stderr); raise RuntimeError('x')"))
    result = report.run_report(nbs, out=tmp_path / "reports", run_id="r", jobs=1, kernel_name=KERNEL,
                               progress=False, html=False)
    assert [n.status for n in result.notebooks] == ["ok", "ok", "ok", "failed"]
    counts = set()
    for i in range(3):  # one kernel ran all three: each saw the state of a fresh one
        text = (result.path / f"0{i}_n{i}" / "results" / "state.csv").read_text().splitlines()[1]
        leak, cwd, count = text.split(",")
        assert leak == "clean" and cwd == str(report.PROJECT_ROOT)
        counts.add(count)
    assert len(counts) == 1  # execution counts restart as in a new kernel
    executed = nbformat.read(str(result.path / "03_fails" / "03_fails.ipynb"), as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells for o in c.get("outputs", []))


def test_dask_executor_on_a_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    nbs = [make_notebook(tmp_path / "nbs" / "00_a.ipynb", STATE),
           make_notebook(tmp_path / "nbs" / "01_b.ipynb", "raise ValueError('dask <fail>')")]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        result = report.run_report(nbs, out=tmp_path / "reports", run_id="d", kernel_name=KERNEL,
                                   progress=False, executor="dask", scheduler=cluster.scheduler_address)
    assert result.status == "failed" and result.path.name == "d.failed"
    ok, bad = result.notebooks
    assert ok.ok and ok.results == ("00_a/results/state.csv",)
    assert bad.error == "ValueError: dask <fail>"
    summary = json.loads(result.summary.read_text())
    assert summary["executor"]["name"] == "dask" and summary["executor"]["scheduler"]
    assert (result.path / "01_b" / "01_b.html").is_file()


def test_input_without_codebook_overrides_a_default_codebook(tmp_path):
    from alignment_stats.report import _plan

    nb = tmp_path / "04_x.ipynb"
    import nbformat

    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('input = "demo.csv"  # str\ncodebook = "demo.yaml"  # str | None\noutput_dir = None  # str | None')
    cell.metadata["tags"] = ["parameters"]
    book.cells = [cell]
    nbformat.write(book, nb)
    (tmp_path / "figures.csv").write_text("x\n")
    (tmp_path / "c.yaml").write_text("study: s\n")
    [(path, values)] = _plan([nb], {"input": str(tmp_path / "figures.csv")})
    assert values["codebook"] is None
    [(path, values)] = _plan([nb], {"input": str(tmp_path / "figures.csv"), "codebook": str(tmp_path / "c.yaml")})
    assert values["codebook"] == str(tmp_path / "c.yaml")
