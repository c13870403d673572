"""Tests for alignment_stats.report and alignment_stats.html.

A few runs execute real notebooks on the ``python3`` kernel (each kernel
start costs about 2 s; module-scoped fixtures share them between tests);
the rest replace ``papermill.execute_notebook`` with a fake.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from alignment_stats import report
from alignment_stats.html import read_claims, render_index

KERNEL = "python3"  # installed with ipykernel in the test environment

# 1×1 transparent PNG
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SCRIPT = "<script>alert(1)</script>"

WRITE_RESULTS = f"""\
import base64, pathlib
out = pathlib.Path(output_dir)
(out / "results").mkdir(parents=True, exist_ok=True)
(out / "figures").mkdir(parents=True, exist_ok=True)
(out / "results" / "r.csv").write_text(f"alpha,alpha_type\\n{{alpha!r}},{{type(alpha).__name__}}\\n")
(out / "figures" / "tiny.png").write_bytes(base64.b64decode("{PNG_B64}"))
print("done")
"""

WRITE_CLAIMS = f"""\
import csv, pathlib
out = pathlib.Path(output_dir) / "results"
out.mkdir(parents=True, exist_ok=True)
with open(out / "claims.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["claim_id", "quote", "verdict", "detail"])
    w.writerow(["C1", "{SCRIPT}", "supported", "gap & CI > 0"])
    w.writerow(["C2", "both agree", "undecidable", "n too small"])
"""


def make_notebook(path: Path, body: str = "print('hi')", params: str | None = None) -> Path:
    """A tiny analysis notebook: markdown, a `parameters` cell, one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "language": "python", "display_name": "Python 3"}
    cell = nbformat.v4.new_code_cell(params if params is not None else 'output_dir = "x"\nalpha = 0.05\n')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), cell, nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob(".tmp-*")) if out.exists() else []


# --------------------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def complete_run(tmp_path_factory):
    """Two notebooks in parallel worker processes, all succeeding."""
    base = tmp_path_factory.mktemp("complete")
    nbs = [
        make_notebook(base / "nbs" / "00_audit.ipynb", WRITE_RESULTS),
        make_notebook(base / "nbs" / "01_claims.ipynb", WRITE_CLAIMS, params='output_dir = "x"\n'),
    ]
    out = base / "reports"
    result = report.run_report(
        nbs, params={"alpha": "0.01"}, out=out, run_id="run1", jobs=2, kernel_name=KERNEL, progress=False
    )
    return SimpleNamespace(result=result, out=out)


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    """A failing notebook first, then one that succeeds, one after the other."""
    base = tmp_path_factory.mktemp("failed")
    nbs = [
        make_notebook(base / "nbs" / "00_fails.ipynb", "raise ValueError('deliberate <failure>')"),
        make_notebook(base / "nbs" / "01_fine.ipynb", WRITE_RESULTS),
    ]
    out = base / "reports"
    result = report.run_report(nbs, out=out, run_id="bad", jobs=1, kernel_name=KERNEL, progress=False)
    return SimpleNamespace(result=result, out=out)


def test_complete_run_layout(complete_run):
    result, out = complete_run.result, complete_run.out
    assert result.status == "complete" and result.ok
    assert result.path == out / "run1"
    assert sorted(p.name for p in out.iterdir()) == ["run1"]  # no .tmp-*, no .failed
    for name in ("00_audit", "01_claims"):
        assert (result.path / name / f"{name}.ipynb").is_file()
        assert (result.path / name / f"{name}.html").is_file()
    assert (result.path / "index.html").is_file()
    assert [nb.status for nb in result.notebooks] == ["ok", "ok"]


def test_complete_run_summary(complete_run):
    summary = json.loads((complete_run.result.path / "summary.json").read_text())
    assert summary["schema_version"] == 2
    assert summary["run_id"] == "run1" and summary["status"] == "complete"
    assert summary["kernel"] == KERNEL
    assert summary["parameters"] == {"alpha": "0.01"}
    assert set(summary["package_versions"]) == {
        "python", "alignment_stats", "numpy", "pandas", "scipy", "statsmodels", "papermill",
        "matplotlib", "seaborn", "nbconvert",
    }
    assert summary["started"] <= summary["finished"]
    assert isinstance(summary["input_hashes"], dict)
    audit, claims = summary["notebooks"]
    assert audit["name"] == "00_audit" and audit["status"] == "ok" and audit["error"] is None
    assert audit["parameters"] == {"alpha": 0.01}  # converted with the default's type
    assert audit["results"] == ["00_audit/results/r.csv"]
    assert audit["figures"] == ["00_audit/figures/tiny.png"]
    assert audit["html"] == "00_audit/00_audit.html"
    assert audit["seconds"] > 0
    assert claims["parameters"] == {}  # 01_claims does not declare alpha
    assert claims["results"] == ["01_claims/results/claims.csv"]


def test_parameters_reach_the_kernel_typed(complete_run):
    text = (complete_run.result.path / "00_audit" / "results" / "r.csv").read_text()
    assert text.splitlines()[1] == "0.01,float"


def test_complete_run_index(complete_run):
    page = (complete_run.result.path / "index.html").read_text()
    assert "run1" in page and "complete" in page
    assert 'href="00_audit/00_audit.html"' in page
    assert 'href="00_audit/00_audit.ipynb"' in page
    assert 'href="00_audit/results/r.csv"' in page
    assert '<img src="00_audit/figures/tiny.png"' in page
    assert "Claims" in page and "both agree" in page
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "gap &amp; CI &gt; 0" in page


def test_failed_run_is_kept_as_failed(failed_run):
    result, out = failed_run.result, failed_run.out
    assert result.status == "failed" and not result.ok
    assert result.path == out / "bad.failed"
    assert sorted(p.name for p in out.iterdir()) == ["bad.failed"]
    fails, fine = result.notebooks
    assert fails.status == "failed"
    assert fails.error == "ValueError: deliberate <failure>"
    # the other notebook still ran to the end
    assert fine.status == "ok" and fine.results == ("01_fine/results/r.csv",)
    executed = nbformat.read(str(result.path / "00_fails" / "00_fails.ipynb"), as_version=4)
    errors = [
        o for c in executed.cells if c.cell_type == "code"
        for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert errors and errors[0]["ename"] == "ValueError"
    summary = json.loads((result.path / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert summary["notebooks"][0]["error"] == {"ename": "ValueError", "evalue": "deliberate <failure>"}
    page = (result.path / "index.html").read_text()
    assert "FAILED" in page and "status-failed" in page
    assert "deliberate &lt;failure&gt;" in page and "<failure>" not in page


def test_interrupt_stops_parallel_workers_and_cleans_up(tmp_path):
    """Ctrl-C while a notebook runs in a worker: workers stopped, nothing left behind."""
    nbs = [
        make_notebook(tmp_path / "nbs" / "00_quick.ipynb"),
        make_notebook(tmp_path / "nbs" / "01_slow.ipynb", "import time\ntime.sleep(60)"),
    ]

    def interrupt(done, total, result):
        raise KeyboardInterrupt

    out = tmp_path / "reports"
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        report.run_report(nbs, out=out, run_id="x", jobs=2, kernel_name=KERNEL, progress=interrupt)
    assert time.monotonic() - start < 45
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- fake papermill


class FakeKernel:
    km = None

    def stderr_since(self):
        return "fake kernel stderr"


class FakePool:
    """Stands in for engine.KernelPool when papermill is faked (no kernels start)."""

    def __init__(self, *args, **kwargs):
        self.released = []

    def expect(self, n):
        pass

    def acquire(self, timeout=None):
        return FakeKernel()

    def release(self, kernel, reusable):
        self.released.append(reusable)

    def shutdown(self):
        pass


@pytest.fixture
def fake_pm(monkeypatch):
    """Replace papermill.execute_notebook: copy the notebook, then run a per-notebook action."""
    from alignment_stats import engine

    monkeypatch.setattr(engine, "KernelPool", FakePool)
    state = SimpleNamespace(calls=[], actions={})

    def execute_notebook(input_path, output_path, parameters=None, kernel_name=None, cwd=None,
                         progress_bar=True, **kwargs):
        state.calls.append(
            {"name": Path(input_path).stem, "parameters": dict(parameters or {}),
             "kernel_name": kernel_name, "cwd": cwd, "progress_bar": progress_bar}
        )
        nbformat.write(nbformat.read(str(input_path), as_version=4), str(output_path))
        action = state.actions.get(Path(input_path).stem)
        if action is not None:
            action(Path(parameters["output_dir"]))

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return state


def cell_error(ename="RuntimeError", evalue="boom"):
    def action(output_dir):
        raise PapermillExecutionError(2, 2, "raise", ename, evalue, [f"{ename}: {evalue}"])
    return action


def write_csv(name="r.csv", text="a\n1\n"):
    def action(output_dir):
        (output_dir / "results").mkdir(parents=True, exist_ok=True)
        (output_dir / "results" / name).write_text(text)
    return action


@pytest.fixture
def nbs(tmp_path):
    return [
        make_notebook(tmp_path / "nbs" / "00_data_audit.ipynb"),
        make_notebook(
            tmp_path / "nbs" / "01_perception_gap.ipynb",
            params='%matplotlib inline\noutput_dir = None  # str | None: None = reports/interactive\n'
            'alpha = 0.05  # significance level = 1 - confidence\nn = 10\nflag = True\nlabel = "a"\n'
            'study = None\nitems = [\n    "003",  # Leapfrog\n]\nwidth: int = None\nlevel = 0.05\n'
            'decimals = None  # int | None: decimals; None = as written\n'
            'rounding = "half_up"  # str: half_up | half_even = rule\n',
        ),
    ]


def run(nbs, tmp_path, **kwargs):
    kwargs.setdefault("out", tmp_path / "reports")
    kwargs.setdefault("compare_to", None)
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("kernel_name", KERNEL)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("html", False)
    return report.run_report(nbs, **kwargs)


def test_papermill_called_with_filtered_params_cwd_and_output_dir(fake_pm, nbs, tmp_path):
    result = run(nbs, tmp_path, run_id="r", params={"alpha": "0.1", "flag": "no"})
    assert result.ok
    first, second = fake_pm.calls
    tmp_root = Path(first["parameters"].pop("output_dir")).parent
    assert tmp_root.parent == tmp_path / "reports" and tmp_root.name.startswith(".tmp-r-")
    # the warm kernel already runs in the project root: no cwd= (papermill would chdir the process)
    assert first == {"name": "00_data_audit", "parameters": {"alpha": 0.1}, "kernel_name": KERNEL,
                     "cwd": None, "progress_bar": False}
    assert Path(second["parameters"].pop("output_dir")) == tmp_root / "01_perception_gap"
    assert second["parameters"] == {"alpha": 0.1, "flag": False}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("alpha", "0.01", 0.01),
        ("level", "1", 1.0),
        ("n", " 25 ", 25),
        ("flag", "False", False),
        ("flag", "yes", True),
        ("label", "007", "007"),
        ("study", "leapfrog_2015", "leapfrog_2015"),  # None default keeps the string
        ("items", '["001", "003"]', ["001", "003"]),
        ("width", "12", 12),  # None default but annotated int
        ("decimals", "1", 1),  # None default, "# int | None:" comment
        ("decimals", "None", None),
        ("study", "None", None),
        ("label", "None", "None"),  # a str that does not admit None
    ],
)
def test_string_parameters_take_the_default_type(fake_pm, nbs, tmp_path, name, text, expected):
    run(nbs[1:], tmp_path, params={name: text})
    value = fake_pm.calls[0]["parameters"][name]
    assert value == expected and type(value) is type(expected)


def test_non_string_parameters_pass_unchanged(fake_pm, nbs, tmp_path):
    run(nbs[1:], tmp_path, params={"alpha": 0.2, "study": None})
    assert fake_pm.calls[0]["parameters"]["alpha"] == 0.2
    assert fake_pm.calls[0]["parameters"]["study"] is None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [("alpha", "abc", "parameter alpha: 'abc' is not a number"),
     ("n", "2.5", "parameter n: '2.5' is not an integer"),
     ("flag", "maybe", "parameter flag: 'maybe' is not true/false"),
     ("items", "003", "parameter items: '003' is not a Python list literal")],
)
def test_bad_parameter_value_is_an_error_before_anything_runs(fake_pm, nbs, tmp_path, name, text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        run(nbs, tmp_path, params={name: text})
    assert fake_pm.calls == []
    assert not (tmp_path / "reports").exists()


def test_unknown_parameter_names_it_and_lists_known(fake_pm, nbs, tmp_path):
    with pytest.raises(report.ReportUsageError) as info:
        run(nbs, tmp_path, params={"alhpa": "0.1"})
    message = str(info.value)
    assert "'alhpa'" in message and "alpha" in message and "items" in message
    assert fake_pm.calls == []


def test_output_dir_is_reserved(fake_pm, nbs, tmp_path):
    with pytest.raises(report.ReportUsageError, match="output_dir"):
        run(nbs, tmp_path, params={"output_dir": "/elsewhere"})


def test_notebook_without_output_dir_is_refused(fake_pm, tmp_path):
    nb = make_notebook(tmp_path / "00_x.ipynb", params="alpha = 0.05\n")
    with pytest.raises(report.ReportUsageError, match="no output_dir"):
        run([nb], tmp_path)


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", "", "x.failed", "a b", "x" * 101, "ü"])
def test_invalid_run_id_refused(fake_pm, nbs, tmp_path, bad):
    with pytest.raises(report.ReportUsageError, match="run id"):
        run(nbs, tmp_path, run_id=bad)
    assert fake_pm.calls == []
    assert not (tmp_path / "reports").exists()


def test_default_run_id_is_timestamp_plus_suffix():
    ids = {report.new_run_id() for _ in range(20)}
    assert len(ids) == 20
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", i) for i in ids)
    assert all(report.validate_run_id(i) == i for i in ids)


@pytest.mark.parametrize("existing", ["r", "r.failed"])
def test_run_id_collision_refused(fake_pm, nbs, tmp_path, existing):
    (tmp_path / "reports" / existing).mkdir(parents=True)
    (tmp_path / "reports" / existing / "keep.txt").write_text("old")
    with pytest.raises(report.RunExistsError, match="never overwritten"):
        run(nbs, tmp_path, run_id="r")
    assert fake_pm.calls == []
    assert (tmp_path / "reports" / existing / "keep.txt").read_text() == "old"
    assert leftovers(tmp_path / "reports") == []


def test_concurrent_runs_get_separate_temp_dirs(tmp_path):
    a, b = report._make_tmp_dir(tmp_path, "same"), report._make_tmp_dir(tmp_path, "same")
    assert a != b and a.is_dir() and b.is_dir() and a.parent == b.parent == tmp_path


def test_failure_does_not_stop_other_notebooks(fake_pm, nbs, tmp_path):
    fake_pm.actions["00_data_audit"] = cell_error("KeyError", "'k'")
    fake_pm.actions["01_perception_gap"] = write_csv()
    result = run(nbs, tmp_path, run_id="r")
    assert result.status == "failed" and result.path == tmp_path / "reports" / "r.failed"
    assert [n.status for n in result.notebooks] == ["failed", "ok"]
    assert result.notebooks[0].error == "KeyError: 'k'"
    assert result.notebooks[1].results == ("01_perception_gap/results/r.csv",)
    assert (result.path / "00_data_audit" / "00_data_audit.ipynb").is_file()
    assert leftovers(tmp_path / "reports") == [] and not (tmp_path / "reports" / "r").exists()


def test_other_errors_count_as_notebook_failures(fake_pm, nbs, tmp_path):
    def dies(output_dir):
        raise RuntimeError("Kernel died before replying to kernel_info")

    fake_pm.actions["01_perception_gap"] = dies
    result = run(nbs, tmp_path, run_id="r")
    assert result.status == "failed"
    summary = json.loads((result.path / "summary.json").read_text())
    assert summary["notebooks"][1]["error"] == {
        "ename": "RuntimeError", "evalue": "Kernel died before replying to kernel_info"
    }


def test_keyboard_interrupt_removes_temp_dir_and_reraises(fake_pm, nbs, tmp_path):
    def interrupt(output_dir):
        (output_dir / "partial.csv").write_text("x")
        raise KeyboardInterrupt

    fake_pm.actions["01_perception_gap"] = interrupt
    with pytest.raises(KeyboardInterrupt):
        run(nbs, tmp_path, run_id="r")
    assert list((tmp_path / "reports").iterdir()) == []


def test_unexpected_error_removes_temp_dir_and_reraises(fake_pm, nbs, tmp_path, monkeypatch):
    import alignment_stats.html

    def broken(run_dir, summary, comparison=None):
        raise OSError("disk full")

    monkeypatch.setattr(alignment_stats.html, "write_index", broken)
    with pytest.raises(OSError, match="disk full"):
        run(nbs, tmp_path, run_id="r")
    assert list((tmp_path / "reports").iterdir()) == []


def test_missing_kernel_says_make_install(fake_pm, nbs, tmp_path):
    with pytest.raises(report.KernelNotFoundError, match="make install") as info:
        run(nbs, tmp_path, kernel_name="no-such-kernel-xyz")
    assert "no-such-kernel-xyz" in str(info.value) and KERNEL in str(info.value)
    assert fake_pm.calls == []


def test_bad_jobs_refused(fake_pm, nbs, tmp_path):
    with pytest.raises(report.ReportUsageError, match="jobs"):
        run(nbs, tmp_path, jobs=0)


def test_html_export_and_index_without_html(fake_pm, nbs, tmp_path):
    done = run(nbs, tmp_path, run_id="with", html=True)
    assert (done.path / "00_data_audit" / "00_data_audit.html").is_file()
    bare = run(nbs, tmp_path, run_id="without", html=False)
    assert [p.name for p in bare.path.rglob("*.html")] == ["index.html"]
    assert (bare.path / "index.html").is_file()
    assert json.loads(bare.summary.read_text())["notebooks"][0]["html"] is None


def test_progress_lines_and_final_message(fake_pm, nbs, tmp_path, capsys):
    fake_pm.actions["01_perception_gap"] = cell_error()
    result = run(nbs, tmp_path, run_id="r", progress=None)
    captured = capsys.readouterr()
    assert re.search(r"^\[1/2\] 00_data_audit \.\.\. ok \(\d+\.\d s\)$", captured.err, re.M)
    assert re.search(r"^\[2/2\] 01_perception_gap \.\.\. FAILED \(\d+\.\d s\): RuntimeError: boom$",
                     captured.err, re.M)
    assert f"Report FAILED (1 of 2 notebooks failed): {result.index}" in captured.out


def test_progress_callback(fake_pm, nbs, tmp_path, capsys):
    seen = []
    run(nbs, tmp_path, progress=lambda done, total, res: seen.append((done, total, res.name, res.status)))
    assert seen == [(1, 2, "00_data_audit", "ok"), (2, 2, "01_perception_gap", "ok")]
    assert capsys.readouterr().out == ""


def test_input_hashes_cover_raw_data_recursively(fake_pm, nbs, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.csv").write_bytes(b"abc")
    (raw / "sub" / "b.txt").write_bytes(b"")
    monkeypatch.setattr(report, "RAW_DATA_DIR", raw)
    result = run(nbs, tmp_path)
    hashes = json.loads(result.summary.read_text())["input_hashes"]
    assert hashes == {
        "a.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",  # sha256("abc")
        "sub/b.txt": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256("")
    }


# --------------------------------------------------------------------------- notebooks


def test_discover_notebooks_sorted_skipping_checkpoints(tmp_path):
    for name in ["02_b.ipynb", "00_a.ipynb", "10_c.ipynb", "notes.ipynb", "3_x.ipynb",
                 "01_a-checkpoint.ipynb", ".ipynb_checkpoints/00_a-checkpoint.ipynb", "01_data.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert [p.name for p in report.discover_notebooks(tmp_path)] == ["00_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert report.discover_notebooks(tmp_path / "missing") == []


def test_select_notebooks_by_stem_number_or_name(tmp_path, monkeypatch):
    for name in ["00_data_audit", "01_perception_gap"]:
        make_notebook(tmp_path / f"{name}.ipynb")
    monkeypatch.setattr(report, "NOTEBOOK_DIR", tmp_path)
    pick = report.select_notebooks
    assert [p.stem for p in pick()] == ["00_data_audit", "01_perception_gap"]
    assert [p.stem for p in pick(["perception_gap", "00"])] == ["00_data_audit", "01_perception_gap"]
    assert [p.stem for p in pick("01_perception_gap")] == ["01_perception_gap"]
    with pytest.raises(report.ReportUsageError, match="available: 00_data_audit, 01_perception_gap"):
        pick(["skills_gap"])
    with pytest.raises(report.ReportUsageError, match="no such file"):
        pick([str(tmp_path / "99_nope.ipynb")])


def test_duplicate_stems_refused(tmp_path):
    a = make_notebook(tmp_path / "a" / "00_x.ipynb")
    b = make_notebook(tmp_path / "b" / "00_x.ipynb")
    with pytest.raises(report.ReportUsageError, match="two notebooks named 00_x"):
        report.select_notebooks([a, b])


# --------------------------------------------------------------------------- html


def test_render_index_escapes_all_text():
    summary = {
        "run_id": "r<1>",
        "status": "failed",
        "kernel": "k",
        "parameters": {"label": "<b>x</b>"},
        "notebooks": [
            {"name": "00_a", "status": "failed", "seconds": 1.0,
             "error": {"ename": "ValueError", "evalue": "<img src=x onerror=alert(1)>"},
             "notebook": "00_a/00_a.ipynb", "html": None, "results": ["00_a/results/a&b.csv"],
             "figures": ['00_a/figures/"q".png']},
        ],
    }
    claims = [{"analysis": "00_a", "claim_id": "C<1>", "quote": SCRIPT, "verdict": "<i>supported</i>",
               "detail": "a & b"}]
    page = render_index(summary, claims, notes=["<bad note>"])
    for raw in (SCRIPT, "<img src=x", "<b>x</b>", "<i>", "<bad note>", "r<1>", "C<1>", '"q"'):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "ValueError: &lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="00_a/results/a%26b.csv"' in page
    assert 'src="00_a/figures/%22q%22.png"' in page
    assert "FAILED" in page


def test_read_claims_fills_missing_columns(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,verdict,extra\nC1,supported,zzz\n", encoding="utf-8")
    assert read_claims(path) == [{"claim_id": "C1", "quote": "", "verdict": "supported", "detail": ""}]


def test_parameters_cell_papermill_fallback(fake_pm, tmp_path):
    """A parameters cell ast cannot read falls back to papermill's line-based inspection."""
    nb = make_notebook(tmp_path / "00_x.ipynb", params='output_dir = "x"\nalpha = 0.05\nbad = (\n')
    run([nb], tmp_path, params={"alpha": "0.25"})
    assert fake_pm.calls[0]["parameters"]["alpha"] == 0.25


def test_notebook_without_parameters_cell_refused(fake_pm, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("output_dir = 'x'")]
    path = tmp_path / "00_x.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(report.ReportUsageError, match="no cell tagged 'parameters'"):
        run([path], tmp_path)


def test_tqdm_bar_on_a_terminal(fake_pm, nbs, tmp_path, monkeypatch, capsys):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    fake_pm.actions["00_data_audit"] = cell_error()
    run(nbs, tmp_path, progress=None)
    text = terminal.getvalue()
    assert "2/2" in text and "notebook" in text  # the bar
    assert "00_data_audit ... FAILED" in text  # failures still get a line
    assert "Report FAILED" in capsys.readouterr().out
