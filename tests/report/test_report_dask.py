"""The Dask executor's failure modes (issue 16 item 6) and one run on an in-process cluster.

Reference: issue 16's requirement: ``--dask-timeout`` bounds connecting and
waiting for a worker; a wrong address, a server that is not a Dask
scheduler, a scheduler without workers and an address that is not one each
get one clear line (exit 2) within that time, no traceback, nothing left
under ``--out``. The four cases run side by side as ``python -m
alignment_stats report --executor dask --dask-timeout 2`` on a tiny
notebook; each is timed from the moment its temporary run folder appears
(just before the runner imports distributed and connects) to its exit, and
must end within the timeout + 5 s. Skipped without ``distributed``
(except the "not installed" message).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from report_testing import KERNEL, cli_command, entries, make_notebook, one_line

from alignment_stats.config import PROJECT_ROOT
from alignment_stats.report import ReportError, run_report

HAVE_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason="distributed (alignment_stats[dask]) is not installed")
TIMEOUT = 2.0
ALLOWANCE = 5.0  # "a few seconds": importing distributed, closing the client, leaving the interpreter


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Each bad scheduler, tried at once: {case: (exit status or None if it hung, stderr, seconds, out)}.

    ``seconds`` runs from the moment the run's temporary folder appears (the runner creates it just before it
    imports distributed and connects) to the exit, so interpreter start-up and planning do not count.
    """
    if not HAVE_DASK:
        pytest.skip("distributed is not installed")
    import distributed

    base = tmp_path_factory.mktemp("dask")
    notebook = make_notebook(base / "nbs" / "00_tiny.ipynb")
    http = ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    cluster = distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=None, scheduler_port=0)
    addresses = {"nobody_listens": f"tcp://127.0.0.1:{free_port()}",
                 "http_server": f"tcp://127.0.0.1:{http.server_address[1]}",
                 "no_workers": cluster.scheduler_address,
                 "not_a_url": "not a url"}
    procs = {}
    try:
        for case, address in addresses.items():
            out = base / case
            command = cli_command("report", "--notebooks", str(notebook), "--out", str(out), "--no-html",
                                  "--executor", "dask", "--scheduler", address, "--dask-timeout", str(TIMEOUT))
            err = open(base / f"{case}.stderr", "w+")  # noqa: SIM115 - closed below
            procs[case] = (subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=err,
                                            text=True), out, err)
        began: dict[str, float] = {}
        ended: dict[str, float] = {}
        deadline = time.monotonic() + 120
        while len(ended) < len(procs) and time.monotonic() < deadline:
            now = time.monotonic()
            for case, (proc, out, _) in procs.items():
                if case not in began and out.is_dir() and any(out.glob(".tmp-*")):
                    began[case] = now
                if case not in ended and proc.poll() is not None:
                    ended[case] = now
                if case in began and case not in ended and now - began[case] > TIMEOUT + ALLOWANCE + 1:
                    proc.kill()  # hung: give up on it
            time.sleep(0.02)
        results = {}
        for case, (proc, out, err) in procs.items():
            hung = proc.poll() is None or proc.returncode < 0
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            err.seek(0)
            start = began.get(case, ended.get(case, time.monotonic()))
            results[case] = (None if hung else proc.returncode, err.read(),
                             ended.get(case, time.monotonic()) - start, out)
            err.close()
        yield results
    finally:
        for proc, *_ in procs.values():
            if proc.poll() is None:
                proc.kill()
        http.shutdown()
        cluster.close()


@needs_dask
@pytest.mark.parametrize(("case", "words"), [
    ("nobody_listens", "cannot reach a Dask scheduler"), ("http_server", "Dask scheduler"),
    ("no_workers", "has no worker"), ("not_a_url", "not a url"),
])
def test_bad_scheduler_is_one_clear_line_within_the_timeout(outcomes, case, words):
    status, err, seconds, out = outcomes[case]
    assert status is not None, f"hung: still running {seconds:.0f} s after it began connecting\n{err[-2000:]}"
    assert status == 2, err
    assert words in one_line(err)
    assert seconds <= TIMEOUT + ALLOWANCE, f"took {seconds:.1f} s from connecting to exit"
    assert [e for e in entries(out) if e.startswith(".tmp-")] == []


def test_dask_not_installed_says_how_to_install(fake_pm, tiny, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ReportError, match=r"pip install alignment_stats\[dask\]"):
        run_report(tiny, out=tmp_path / "reports", executor="dask", scheduler="tcp://127.0.0.1:1", progress=False,
                   compare_to=None, html=False)
    assert entries(tmp_path / "reports") == [] and fake_pm.calls == []


@needs_dask
def test_a_run_on_an_in_process_cluster(tmp_path):
    """Smoke test: one notebook per task on a LocalCluster(processes=False); a failure keeps its notebook."""
    import contextvars

    import distributed

    ok = make_notebook(tmp_path / "nbs" / "00_ok.ipynb",
                       "import pathlib\nout = pathlib.Path(output_dir) / 'results'\nout.mkdir(parents=True)\n"
                       "(out / 'a.csv').write_text(f'alpha\\n{alpha}\\n')\n")
    bad = make_notebook(tmp_path / "nbs" / "01_bad.ipynb", "raise ValueError('dask <fail>')")
    def on_cluster():
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None) as cluster:
            return cluster.scheduler_address, run_report(
                [ok, bad], {"alpha": "0.01"}, tmp_path / "reports", "d", progress=False, html=False,
                kernel_name=KERNEL, executor="dask", scheduler=cluster.scheduler_address, compare_to=None)

    # A fresh context: jupyter_core keeps its event loop in a ContextVar, which an earlier in-process notebook
    # run leaves set, and the in-process cluster's threads copy this context ("event loop is already running").
    address, result = contextvars.Context().run(on_cluster)
    assert result.status == "failed" and result.path.name == "d.failed"
    assert [(n.name, n.status) for n in result.notebooks] == [("00_ok", "complete"), ("01_bad", "failed")]
    assert result.notebooks[1].reason == "ValueError: dask <fail>"
    assert (result.path / "00_ok/results/a.csv").read_text() == "alpha\n0.01\n"
    assert (result.path / "01_bad/01_bad.ipynb").is_file()
    summary = json.loads(result.summary.read_text())
    assert summary["executor"]["name"] == "dask" and summary["executor"]["scheduler"] == address
