"""Signals and litter (issue 16 items 3 and 9, and the "Soak" miniature), on real kernels.

Reference: issue 16's requirement: SIGINT, SIGTERM and SIGHUP end
``alignment-stats report`` within 5 s with exit 130 / 143 / 129, no
traceback, no kernel process left, no hidden ``.tmp-*`` run folder and no
``alignment-stats-kernels-*`` folder left. The signal is sent as soon as
the run's temporary folder exists and a kernel process has started (the
moment a user's Ctrl-C is most likely to meet kernels still starting).
Kernel processes are found as ipykernel descendants of the runner (psutil,
else /proc) and must be gone afterwards. The soak runs three reports of
notebook 00 in this process (reused, ``--force``, reused) and one more in
a subprocess that is interrupted, then checks for kernels, temporary
folders and open files left behind.
"""

from __future__ import annotations

import gc
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from report_testing import (
    cli_command,
    kernel_dirs,
    kernel_processes,
    kill_all,
    psutil,
    refresh_keys,
    still_alive,
    tmp_folders,
    wait_for,
)

from alignment_stats.config import PROJECT_ROOT
from alignment_stats.report import AUTO, run_report

STOP_WITHIN = 5.0


def start_report(out: Path, *notebooks: str, extra=()) -> subprocess.Popen:
    command = cli_command("report", "--notebooks", *notebooks, "--out", str(out), "--no-html", "--no-compare",
                          *extra)
    log = open(out.parent / f"{out.name}.stderr", "w+")  # noqa: SIM115 - the caller reads and closes it
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True)
    proc.log = log
    return proc


def interrupt(proc: subprocess.Popen, out: Path, signum: int, delay: float = 0.0) -> dict:
    """Wait for the run's temporary folder and a kernel, (wait ``delay``,) send ``signum``; how it ended."""
    seen: set[int] = set()
    try:
        wait_for(lambda: tmp_folders(out), 90, "the run's temporary folder", proc)
        seen |= set(wait_for(lambda: kernel_processes(proc.pid), 60, "a kernel process", proc, step=0.01))
        if delay:
            time.sleep(delay)
        seen |= set(kernel_processes(proc.pid))
        proc.send_signal(signum)
        start = time.monotonic()
        while proc.poll() is None and time.monotonic() - start < STOP_WITHIN + 0.5:
            seen |= set(kernel_processes(proc.pid))
            time.sleep(0.02)
        seconds = time.monotonic() - start
        status = proc.poll()
        if status is None:
            proc.kill()
            proc.wait()
        proc.log.seek(0)
        err = proc.log.read()
        left = still_alive(seen)
        return {"status": status, "seconds": seconds, "err": err, "kernels": sorted(seen), "left": left,
                "tmp": tmp_folders(out), "kernel_dirs": kernel_dirs(proc.pid)}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_all(seen)  # processes this test caused, by pid
        for folder in kernel_dirs(proc.pid):
            shutil.rmtree(folder, ignore_errors=True)
        proc.log.close()


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_stops_the_report_cleanly(tmp_path, name, status):
    out = tmp_path / "reports"
    ended = interrupt(start_report(out, "01", "02"), out, getattr(signal, name))
    assert ended["status"] is not None, f"still running {STOP_WITHIN} s after {name}:\n{ended['err'][-3000:]}"
    assert ended["status"] == status, ended["err"][-3000:]
    assert ended["seconds"] <= STOP_WITHIN
    assert "Traceback" not in ended["err"] and f"stopped by {name}" in ended["err"], ended["err"][-3000:]
    assert ended["tmp"] == [] and ended["kernel_dirs"] == []
    assert ended["kernels"] and ended["left"] == []
    assert not out.exists() or sorted(p.name for p in out.iterdir()) == []


def _open_files() -> set[str]:
    if psutil is None:
        return {str(p.resolve()) for p in Path("/proc/self/fd").iterdir()
                if Path(p).resolve().is_file()}
    return {f.path for f in psutil.Process().open_files()}


def test_miniature_soak(complete, tmp_path, frozen_code):
    """issue 16 "Soak", in small: reused, forced, reused, interrupted; nothing is left behind."""
    import os

    out = tmp_path / "soak"
    shutil.copytree(complete.path, out / "clean")
    refresh_keys(out / "clean", complete.params, ["00"])
    gc.collect()
    files_before = _open_files()
    results = [run_report(["00"], complete.params, out, "s1", progress=False, compare_to=AUTO),
               run_report(["00"], complete.params, out, "s2", progress=False, compare_to=AUTO, force=True),
               run_report(["00"], complete.params, out, "s3", progress=False, compare_to=AUTO)]
    assert [r.notebooks[0].status for r in results] == ["cached", "complete", "cached"]
    assert [r.notebooks[0].cached_from for r in results] == ["clean", None, "s2"]
    assert [r.compared_with.name for r in results] == ["clean", "s1", "s2"]
    changed = json.loads(results[1].summary.read_text())["comparison"]["differences"]
    assert changed["cells"] == 0 and changed["verdicts"] == 0  # executing again gave the same results
    gc.collect()
    assert sorted(_open_files() - files_before) == []
    assert kernel_processes(os.getpid()) == [] and kernel_dirs(os.getpid()) == []

    ended = interrupt(start_report(out, "00", extra=("--force",)), out, signal.SIGINT, delay=1.0)
    assert ended["status"] == 130, ended["err"][-3000:]
    assert "Traceback" not in ended["err"]
    assert ended["tmp"] == [] and ended["kernel_dirs"] == [] and ended["left"] == []
    assert sorted(p.name for p in out.iterdir()) == ["clean", "s1", "s2", "s3"]
    assert tmp_folders(out) == [] and kernel_processes(os.getpid()) == []
    gc.collect()
    assert sorted(_open_files() - files_before) == []
