"""Executing a plan into a run folder (``report.run``, ``report.execute``), papermill and kernels faked.

Reference: the run-folder contract of docs/reports.md and ``report/run.py``'s
docstring (``<run_id>/`` when complete, ``<run_id>.failed/`` when a notebook
failed, a hidden ``.tmp-*`` while running and never after, never an
overwrite), issue 16 items 5 and 9 (OS errors: one line naming the path and
the free space, exit 1, a ``.failed`` marker where possible; stale temporary
folders removed only when their pid is dead), and the sha256 of known
strings for the input hashes. The fake papermill writes known files, so
every expected value is what the test itself wrote.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError
from report_testing import KERNEL, entries, error_line, tmp_folders

from alignment_stats.cli import main
from alignment_stats.config import PROJECT_ROOT
from alignment_stats.report import (
    AUTO,
    OutputError,
    RunExistsError,
    Stopped,
    run_report,
)
from alignment_stats.report import run as run_module
from alignment_stats.report.cache import input_hashes
from alignment_stats.report.engine import KERNEL_DIR_PREFIX
from alignment_stats.report.run import make_tmp_dir, remove_stale
from alignment_stats.schema import EXIT_COMPLETE, EXIT_FAILED, EXIT_SIGNAL_BASE


def run(notebooks, tmp_path, **kwargs):
    kwargs.setdefault("out", tmp_path / "reports")
    kwargs.setdefault("compare_to", None)
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("kernel_name", KERNEL)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("html", False)
    return run_report(notebooks, **kwargs)


def write_csv(name="r.csv", text="a\n1\n"):
    def action(output_dir):
        (output_dir / "results").mkdir(parents=True, exist_ok=True)
        (output_dir / "results" / name).write_text(text, encoding="utf-8")
    return action


def cell_error(ename="RuntimeError", evalue="boom"):
    def action(output_dir):
        raise PapermillExecutionError(2, 2, "raise", ename, evalue, [f"{ename}: {evalue}"])
    return action


def raising(exc):
    def action(output_dir):
        (output_dir / "partial.csv").write_text("x", encoding="utf-8")
        raise exc
    return action


def summary_of(result):
    return json.loads(result.summary.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- complete and failed runs


def test_complete_run_folder(fake_pm, tiny, tmp_path):
    fake_pm.actions["01_second"] = write_csv()
    result = run(tiny, tmp_path, run_id="r", params={"alpha": "0.1", "flag": "no"})
    out = tmp_path / "reports"
    assert result.ok and result.status == "complete" and result.path == out / "r"
    assert [p.name for p in out.iterdir()] == ["r"]  # no .tmp-*, no .failed
    assert [(n.name, n.status) for n in result.notebooks] == [("00_first", "complete"), ("01_second", "complete")]
    for name in ("00_first", "01_second"):
        assert (result.path / name / f"{name}.ipynb").is_file()
    assert (result.path / "01_second" / "results" / "r.csv").read_text(encoding="utf-8") == "a\n1\n"
    assert (result.path / "index.html").is_file()
    summary = summary_of(result)
    assert summary["run_id"] == "r" and summary["status"] == "complete" and summary["kernel"] == KERNEL
    assert summary["parameters"] == {"alpha": "0.1", "flag": "no"}  # as given
    assert [nb["parameters"] for nb in summary["notebooks"]] == [{"alpha": 0.1}, {"alpha": 0.1, "flag": False}]
    assert summary["started"] <= summary["finished"]
    assert summary["headline"]["notebooks"] == {"complete": 2}


def test_notebooks_get_typed_values_and_their_own_output_dir(fake_pm, tiny, tmp_path):
    run(tiny, tmp_path, run_id="r", params={"alpha": "0.1", "flag": "no"})
    first, second = fake_pm.calls
    folder = Path(first["parameters"].pop("output_dir"))
    assert folder.name == "00_first"
    assert folder.parent.parent == tmp_path / "reports" and folder.parent.name.startswith(".tmp-r-")
    assert first == {"name": "00_first", "parameters": {"alpha": 0.1}, "kernel_name": KERNEL, "cwd": None}
    assert Path(second["parameters"].pop("output_dir")) == folder.parent / "01_second"
    assert second["parameters"] == {"alpha": 0.1, "flag": False}


def test_a_failure_does_not_stop_the_others_and_the_run_is_kept_as_failed(fake_pm, tiny, tmp_path):
    fake_pm.actions["00_first"] = cell_error("KeyError", "'k'")
    fake_pm.actions["01_second"] = write_csv()
    result = run(tiny, tmp_path, run_id="r")
    out = tmp_path / "reports"
    assert result.status == "failed" and not result.ok and result.path == out / "r.failed"
    assert [p.name for p in out.iterdir()] == ["r.failed"]
    assert [(n.name, n.status) for n in result.notebooks] == [("00_first", "failed"), ("01_second", "complete")]
    assert result.notebooks[0].reason == "KeyError: 'k'"
    assert (result.path / "00_first" / "00_first.ipynb").is_file()  # kept for debugging
    assert (result.path / "01_second" / "results" / "r.csv").is_file()
    summary = summary_of(result)
    assert summary["status"] == "failed"
    assert summary["notebooks"][0]["kernel_stderr"] == "fake kernel stderr"
    assert summary["notebooks"][1]["kernel_stderr"] is None
    page = result.index.read_text(encoding="utf-8")
    assert "FAILED" in page and "fake kernel stderr" in page
    assert fake_pm.pools[0].released == [False, True]  # a failed notebook's kernel is never reused


def test_other_errors_are_notebook_failures(fake_pm, tiny, tmp_path):
    fake_pm.actions["01_second"] = raising(RuntimeError("Kernel died before replying to kernel_info"))
    result = run(tiny, tmp_path, run_id="r")
    assert result.status == "failed"
    assert summary_of(result)["notebooks"][1]["reason"] == "RuntimeError: Kernel died before replying to kernel_info"


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), Stopped(15)], ids=["KeyboardInterrupt", "SIGTERM"])
@pytest.mark.parametrize("when", ["after_the_last_notebook", "as_the_next_notebook_starts"])
def test_interrupt_removes_the_temporary_folder_and_reraises(fake_pm, tiny, tmp_path, exc, when):
    """A signal reaches the main thread while it waits for the notebooks (here: raised in the progress callback
    after the first notebook). With a second notebook queued, its thread starts it meanwhile (its "kernel" then
    stays busy); the temporary folder must still go."""
    busy = threading.Event()
    fake_pm.actions["00_first"] = write_csv()
    fake_pm.before["01_second"] = lambda: busy.wait(30)

    def interrupt(done, total, entry):
        raise exc

    try:
        with pytest.raises(type(exc)):
            run(tiny[:1] if when == "after_the_last_notebook" else tiny, tmp_path, run_id="r", progress=interrupt)
        assert entries(tmp_path / "reports") == []
        assert fake_pm.pools[0].closed
    finally:
        busy.set()


def test_a_run_that_appears_meanwhile_is_not_overwritten(fake_pm, tiny, tmp_path):
    out = tmp_path / "reports"

    def concurrent(output_dir):
        (out / "r").mkdir()
        (out / "r" / "theirs.txt").write_text("theirs", encoding="utf-8")

    fake_pm.actions["01_second"] = concurrent
    with pytest.raises(Exception) as info:
        run(tiny, tmp_path, run_id="r")
    assert (out / "r" / "theirs.txt").read_text(encoding="utf-8") == "theirs"  # the other run is untouched
    assert entries(out / "r") == ["theirs.txt"]
    # documented (run.execute_plan, Raises): RunExistsError, i.e. exit 2 "already exists", not an OS error
    assert isinstance(info.value, RunExistsError), f"{type(info.value).__name__}: {info.value}"
    assert "appeared while this run was running" in str(info.value)


def test_html_export_on_and_off(fake_pm, tiny, tmp_path):
    with_html = run(tiny, tmp_path, run_id="with", html=True)
    assert (with_html.path / "00_first" / "00_first.html").is_file()
    assert summary_of(with_html)["notebooks"][0]["html"] == "00_first/00_first.html"
    bare = run(tiny, tmp_path, run_id="without", html=False)
    assert [p.relative_to(bare.path).as_posix() for p in bare.path.rglob("*.html")] == ["index.html"]
    assert summary_of(bare)["notebooks"][0]["html"] is None


def test_progress_lines_and_final_message(fake_pm, tiny, tmp_path, capsys):
    fake_pm.actions["01_second"] = cell_error()
    result = run(tiny, tmp_path, run_id="r", progress=None)
    captured = capsys.readouterr()
    assert re.search(r"^\[1/2\] 00_first \.\.\. ok \(\d+\.\d s\)$", captured.err, re.MULTILINE)
    assert re.search(r"^\[2/2\] 01_second \.\.\. FAILED \(\d+\.\d s\): RuntimeError: boom$", captured.err, re.MULTILINE)
    assert f"Report FAILED (1 of 2 notebooks failed): {result.index}" in captured.out


def test_progress_callback_is_called_once_per_notebook(fake_pm, tiny, tmp_path, capsys):
    seen = []
    run(tiny, tmp_path, progress=lambda done, total, entry: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    assert capsys.readouterr().out == ""


def test_progress_bar_on_a_terminal(fake_pm, tiny, tmp_path, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    fake_pm.actions["00_first"] = cell_error()
    run(tiny, tmp_path, progress=None)
    text = terminal.getvalue()
    assert "2/2" in text and "notebook" in text and "00_first ... FAILED" in text
    assert "Report FAILED" in capsys.readouterr().out


def test_run_files_are_created_with_the_users_umask(fake_pm, tiny, tmp_path):
    fake_pm.actions["01_second"] = write_csv()
    old = os.umask(0o022)
    try:
        result = run(tiny, tmp_path, run_id="r")
    finally:
        os.umask(old)
    for name in ("summary.json", "index.html", "01_second/results/r.csv", "00_first/00_first.ipynb"):
        assert oct((result.path / name).stat().st_mode & 0o777) == oct(0o644), name
    assert oct(result.path.stat().st_mode & 0o777) == oct(0o755)


def test_input_hashes_cover_raw_data_recursively(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.csv").write_bytes(b"abc")
    (raw / "sub" / "b.txt").write_bytes(b"")
    assert input_hashes(raw) == {  # sha256 test vectors (FIPS 180-2: "abc"; the empty string)
        "a.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sub/b.txt": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    assert input_hashes(tmp_path / "missing") == {}


# --------------------------------------------------------------------------- the command line on faked notebooks


def cli(tiny, tmp_path, *args):
    return main(["report", "--notebooks", *map(str, tiny), "--out", str(tmp_path / "reports"), "--jobs", "1",
                 "--no-html", "--no-compare", *args])


def test_cli_complete_failed_and_interrupted(fake_pm, tiny, tmp_path, capsys):
    assert cli(tiny, tmp_path, "--run-id", "ok", "-p", "alpha=0.1") == EXIT_COMPLETE
    assert f"Report complete: {tmp_path / 'reports' / 'ok' / 'index.html'}" in capsys.readouterr().out
    assert json.loads((tmp_path / "reports" / "ok" / "summary.json").read_text())["parameters"] == {"alpha": "0.1"}
    fake_pm.actions["00_first"] = cell_error("ValueError", "bad data")
    assert cli(tiny, tmp_path, "--run-id", "bad") == EXIT_FAILED
    assert "Report FAILED (1 of 2 notebooks failed)" in capsys.readouterr().out

    def ctrl_c(output_dir):  # a real SIGINT: its handler runs in the main thread, which waits for the notebooks
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)

    fake_pm.actions["00_first"] = ctrl_c
    assert cli(tiny, tmp_path, "--run-id", "stop") == EXIT_SIGNAL_BASE + signal.SIGINT
    assert "stopped by SIGINT" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["bad.failed", "ok"]


def test_cli_input_flag_is_made_absolute_from_the_current_folder(fake_pm, tmp_path, monkeypatch):
    from report_testing import make_notebook

    nb = make_notebook(tmp_path / "nbs" / "00_in.ipynb",
                       params="from typing import Optional\noutput_dir: Optional[str] = None\n"
                              "input: Optional[str] = None\n")
    (tmp_path / "survey.csv").write_text("a\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli([nb], tmp_path, "--input", "survey.csv") == EXIT_COMPLETE
    assert fake_pm.calls[0]["parameters"]["input"] == str(tmp_path / "survey.csv")


# --------------------------------------------------------------------------- OS errors (issue 16 item 5)


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "no space left"), (errno.EACCES, "permission denied"),
                                             (errno.EROFS, "read-only file system")])
def test_os_error_while_writing_keeps_a_failed_marker(fake_pm, tiny, tmp_path, monkeypatch, capsys, code, words):
    def full(path, summary):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(run_module, "write_summary", full)
    assert cli(tiny, tmp_path, "--run-id", "r") == EXIT_FAILED
    line = error_line(capsys.readouterr().err)
    assert words in line and "summary.json" in line
    assert re.search(r"\d+(\.\d+)? MB free", line), line
    assert str(tmp_path / "reports" / "r.failed") in line
    out = tmp_path / "reports"
    assert (out / "r.failed").is_dir() and not (out / "r").exists() and tmp_folders(out) == []


def test_unwritable_output_folder_is_one_line_and_exit_1(fake_pm, tiny, tmp_path, monkeypatch, capsys):
    """Root ignores chmod, so the refusal is simulated where the run folder is made."""
    out = tmp_path / "reports"
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.parent == out and self.name.startswith(".tmp-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    assert cli(tiny, tmp_path, "--run-id", "r") == EXIT_FAILED
    line = error_line(capsys.readouterr().err)
    assert str(out) in line and "ermission denied" in line and re.search(r"\d+(\.\d+)? MB free", line), line
    assert entries(out) == [] and fake_pm.calls == []


def test_os_error_is_an_output_error_from_the_library(fake_pm, tiny, tmp_path, monkeypatch):
    def full(path, summary):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(run_module, "write_summary", full)
    with pytest.raises(OutputError, match="no space left"):
        run(tiny, tmp_path, run_id="r")


# --------------------------------------------------------------------------- temporary folders (issue 16 item 9)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_folder_records_the_runners_pid(tmp_path):
    a, b = make_tmp_dir(tmp_path, "same"), make_tmp_dir(tmp_path, "same")
    assert a != b and a.parent == b.parent == tmp_path
    assert a.name.startswith(".tmp-same-") and (a / ".pid").read_text().strip() == str(os.getpid())


def test_stale_folders_removed_only_when_their_pid_is_dead(tmp_path):
    out = tmp_path / "reports"
    dead, live = _dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid in (("dead", dead), ("mine", os.getpid()), ("live", live.pid), ("nopid", None)):
            folder = out / f".tmp-{name}-0000"
            folder.mkdir(parents=True)
            if pid is not None:
                (folder / ".pid").write_text(f"{pid}\n")
        temp = Path(tempfile.gettempdir())
        kernels_dead = temp / f"{KERNEL_DIR_PREFIX}{dead}-test{os.getpid()}"
        kernels_live = temp / f"{KERNEL_DIR_PREFIX}{live.pid}-test{os.getpid()}"
        kernels_dead.mkdir()
        kernels_live.mkdir()
        try:
            removed = remove_stale(out)
            assert out / ".tmp-dead-0000" in removed and kernels_dead in removed
            assert tmp_folders(out) == [".tmp-live-0000", ".tmp-mine-0000", ".tmp-nopid-0000"]
            assert not kernels_dead.exists() and kernels_live.is_dir()
        finally:
            for folder in (kernels_dead, kernels_live):
                if folder.exists():
                    folder.rmdir()
    finally:
        live.kill()
        live.wait()


def test_the_next_run_removes_a_dead_runners_folder(fake_pm, tiny, tmp_path):
    out = tmp_path / "reports"
    stale = out / ".tmp-old-1234abcd"
    stale.mkdir(parents=True)
    (stale / ".pid").write_text(f"{_dead_pid()}\n")
    (stale / "00_first").mkdir()
    mine = out / ".tmp-busy-1234abcd"
    mine.mkdir()
    (mine / ".pid").write_text(f"{os.getpid()}\n")
    assert run(tiny, tmp_path, run_id="r").ok
    assert tmp_folders(out) == [".tmp-busy-1234abcd"]
    assert (out / "r").is_dir()


# --------------------------------------------------------------------------- reuse and comparison (faked notebooks)


def test_unchanged_notebooks_are_reused_and_force_runs_them(fake_pm, tiny, tmp_path):
    fake_pm.actions["01_second"] = write_csv()
    first = run(tiny, tmp_path, run_id="one")
    second = run(tiny, tmp_path, run_id="two", compare_to=AUTO)
    assert len(fake_pm.calls) == 2  # the second run executed nothing
    assert [n.status for n in second.notebooks] == ["cached", "cached"]
    assert [n.cached_from for n in second.notebooks] == ["one", "one"]
    assert fake_pm.pools[-1].kwargs.get("expected") != 0 and len(fake_pm.pools) == 1  # no pool for a reused run
    summary = summary_of(second)
    assert [e["cache_key"] for e in summary["notebooks"]] == [e["cache_key"] for e in summary_of(first)["notebooks"]]
    assert summary["cache"] == {"enabled": True, "reused": ["00_first", "01_second"]}
    assert os.path.samefile(second.path / "01_second/results/r.csv", first.path / "01_second/results/r.csv")
    assert summary["comparison"]["run_id"] == "one" and summary["comparison"]["changed"] is False
    page = second.index.read_text(encoding="utf-8")
    assert "reused from run one" in page and "Changes since run" in page and "No differences" in page
    forced = run(tiny, tmp_path, run_id="three", force=True)
    assert len(fake_pm.calls) == 4 and summary_of(forced)["cache"]["enabled"] is False
    run(tiny, tmp_path, run_id="four", params={"alpha": "0.01"})  # another parameter: another key for both
    assert len(fake_pm.calls) == 6


def test_index_shows_changes_since_the_previous_run(fake_pm, tiny, tmp_path, capsys):
    fake_pm.actions["01_second"] = write_csv("gaps.csv", "item,p\ncollab,0.01\n")
    run(tiny, tmp_path, run_id="old")
    fake_pm.actions["01_second"] = write_csv("gaps.csv", "item,p\ncollab,<b>0.02</b>\n")
    new = run(tiny, tmp_path, run_id="new", compare_to=AUTO, force=True, progress=None)
    assert new.compared_with == tmp_path / "reports" / "old"
    err = capsys.readouterr().err
    assert "Comparing with" in err and "Compared with old: results or verdicts changed" in err
    comparison = summary_of(new)["comparison"]
    assert comparison["run_id"] == "old" and comparison["path"] == "../old" and comparison["changed"] is True
    assert comparison["differences"]["cells"] == 1 and comparison["differences"]["tables"] == 1
    page = new.index.read_text(encoding="utf-8")
    assert "Changes since run" in page and "&lt;b&gt;0.02&lt;/b&gt;" in page and "<b>0.02" not in page


# --------------------------------------------------------------------------- warm kernels (real)

STATE = """\
import os, pathlib
out = pathlib.Path(output_dir) / "results"
out.mkdir(parents=True, exist_ok=True)
leak = "leaked" if "marker" in globals() else "clean"
(out / "state.csv").write_text(f"leak,cwd,count\\n{leak},{os.getcwd()},{get_ipython().execution_count}\\n")
marker = 1
os.environ["LEAKED_VAR"] = "1"
os.chdir("/")
"""


def test_warm_kernels_are_reset_between_notebooks(tmp_path):
    """Smoke test on one real kernel: each notebook sees a fresh namespace, cwd and execution count."""
    from report_testing import make_notebook

    nbs = [make_notebook(tmp_path / "nbs" / f"0{i}_n{i}.ipynb", STATE) for i in range(3)]
    nbs.append(make_notebook(tmp_path / "nbs" / "03_fails.ipynb", "raise RuntimeError('x')"))
    result = run_report(nbs, out=tmp_path / "reports", run_id="r", jobs=1, kernel_name=KERNEL, progress=False,
                        html=False, compare_to=None)
    assert [n.status for n in result.notebooks] == ["complete", "complete", "complete", "failed"]
    rows = {(result.path / f"0{i}_n{i}/results/state.csv").read_text().splitlines()[1] for i in range(3)}
    assert len(rows) == 1  # the three saw the same state: nothing leaked from one to the next
    leak, cwd, _count = rows.pop().split(",")
    assert leak == "clean" and cwd == str(PROJECT_ROOT)
    assert result.notebooks[3].reason == "RuntimeError: x" and "LEAKED_VAR" not in os.environ
