"""Fixtures of the runner tests: a kernel-start hook, a fake papermill, tiny notebooks, and one real report.

Almost every test runs without a Jupyter kernel: ``no_kernels`` makes any
kernel start fail the test (the hook is on ``KernelPool`` in every module
that builds one and on ``jupyter_client``'s ``KernelManager.start_kernel``),
``fake_pm`` replaces papermill's ``execute_notebook`` and the pool. The few
smoke tests that need real kernels share ``real_run``: one report of
notebooks 00 and 01 (with HTML) on a private copy of the published_sizes
fixture, run once per session as ``python -m alignment_stats report`` under
umask 022.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import nbformat
import pytest
from report_testing import (
    KERNEL,
    add_payload,
    cli_command,
    copy_published,
    make_notebook,
)

from alignment_stats.config import PROCESSED_DIR, PROJECT_ROOT


class KernelStarted(AssertionError):
    """Raised by the hook: this test must not start a kernel."""


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if anything starts a kernel pool or a kernel; the list records every attempt."""
    import jupyter_client.manager

    from alignment_stats.report import engine, run, schedule

    started: list[str] = []

    class NoKernelPool:
        def __init__(self, *args, **kwargs):
            started.append(f"KernelPool{args[:2]}")
            raise KernelStarted(f"a kernel pool was started: KernelPool{args[:2]}")

    def start_kernel(self, *args, **kwargs):
        started.append(f"kernel {self.kernel_name}")
        raise KernelStarted(f"a kernel was started: {self.kernel_name}")

    for module in (engine, run, schedule):
        monkeypatch.setattr(module, "KernelPool", NoKernelPool)
    monkeypatch.setattr(jupyter_client.manager.KernelManager, "start_kernel", start_kernel)
    return started


class FakeKernel:
    km = None

    def stderr_since(self) -> str:
        return "fake kernel stderr"


class FakePool:
    """Stands in for the warm-kernel pool when papermill is faked (no kernel starts)."""

    instances: ClassVar[list[FakePool]] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.released: list[bool] = []
        self.closed = False
        FakePool.instances.append(self)

    def expect(self, n):
        pass

    def acquire(self, timeout=None):
        return FakeKernel()

    def release(self, kernel, reusable):
        self.released.append(reusable)

    def shutdown(self, grace=3.0):
        self.closed = True


@pytest.fixture
def fake_pm(monkeypatch):
    """papermill.execute_notebook replaced: ``before[name]()``, copies the notebook, then ``actions[name](output_dir)``."""
    import papermill

    from alignment_stats.report import engine, run, schedule

    FakePool.instances = []
    for module in (engine, run, schedule):
        monkeypatch.setattr(module, "KernelPool", FakePool)
    state = SimpleNamespace(calls=[], actions={}, before={}, pools=FakePool.instances)

    def execute_notebook(input_path, output_path, parameters=None, kernel_name=None, **kwargs):
        name = Path(input_path).stem
        if name in state.before:  # e.g. block, as a kernel busy with a long cell would
            state.before[name]()
        state.calls.append({"name": name, "parameters": dict(parameters or {}), "kernel_name": kernel_name,
                            "cwd": kwargs.get("cwd")})
        nbformat.write(nbformat.read(str(input_path), as_version=4), str(output_path))
        action = state.actions.get(name)
        if action is not None:
            action(Path(parameters["output_dir"]))

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return state


TINY_PARAMS = ("from typing import Optional\noutput_dir: Optional[str] = None\nalpha: float = 0.05  # level\n"
               "flag: bool = True\nn: int = 3\nlabel: str = 'a'\nitems: Optional[list[str]] = None\n")


@pytest.fixture
def tiny(tmp_path):
    """Two tiny notebooks outside notebooks/ (00_first declares alpha only, 01_second every type)."""
    return [make_notebook(tmp_path / "nbs" / "00_first.ipynb",
                          params="from typing import Optional\noutput_dir: Optional[str] = None\nalpha: float = 0.05\n"),
            make_notebook(tmp_path / "nbs" / "01_second.ipynb", params=TINY_PARAMS)]


# --------------------------------------------------------------------------- real kernels (session)


def _report(input_dir: Path, out: Path, run_id: str) -> subprocess.CompletedProcess:
    command = cli_command("report", "--notebooks", "00", "01", "--input", str(input_dir / "figures.csv"),
                          "--claims", str(input_dir / "claims.csv"), "--out", str(out), "--run-id", run_id,
                          "--no-compare", "--kernel", KERNEL)
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=lambda: os.umask(0o022))


def _counts_keys(run_dir: Path) -> set[str]:
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {nb["counts_key"] for nb in summary["notebooks"] if nb.get("counts_key")}


@pytest.fixture(scope="session")
def real_run(tmp_path_factory):
    """One real report (notebooks 00 and 01, HTML on) on a private copy of published_sizes.

    The copy carries a random note so its counts get their own
    ``data/processed/<key>/`` folder, which is removed afterwards.
    """
    base = tmp_path_factory.mktemp("real")
    input_dir = copy_published(base / "input", token=secrets.token_hex(8))
    out = base / "reports"
    done = _report(input_dir, out, "clean")
    run = out / "clean"
    yield SimpleNamespace(base=base, input=input_dir, out=out, path=run, proc=done,
                          params={"input": str(input_dir / "figures.csv"), "claims": str(input_dir / "claims.csv")})
    for key in _counts_keys(run):
        shutil.rmtree(PROCESSED_DIR / key, ignore_errors=True)


@pytest.fixture(scope="session")
def payload_run(tmp_path_factory):
    """The same report on a copy whose every text field carries script, event-handler, link and TeX payloads."""
    base = tmp_path_factory.mktemp("payload")
    input_dir = add_payload(copy_published(base / "input", token=secrets.token_hex(8)))
    out = base / "reports"
    done = _report(input_dir, out, "payload")
    yield SimpleNamespace(input=input_dir, out=out, path=out / "payload", proc=done)
    for key in _counts_keys(out / "payload"):
        shutil.rmtree(PROCESSED_DIR / key, ignore_errors=True)


@pytest.fixture
def frozen_code(monkeypatch):
    """The package's code and raw-data hashes as they are now, for every plan of this test.

    Other people edit ``alignment_stats/`` while the suite runs; the cache key hashes that code, so a test of
    what the cache does with intact and damaged runs would see every key change under it. (That the key
    follows the code is tested on its own, without this fixture.)
    """
    from alignment_stats.report import plan

    code, inputs = plan.code_hash(), plan.input_hashes()
    monkeypatch.setattr(plan, "code_hash", lambda: code)
    monkeypatch.setattr(plan, "input_hashes", lambda: dict(inputs))


@pytest.fixture(scope="session")
def complete(real_run):
    """``real_run``, asserted complete (the tests that read it fail with its stderr otherwise)."""
    assert real_run.proc.returncode == 0, real_run.proc.stderr[-3000:]
    assert real_run.path.is_dir(), real_run.proc.stderr[-3000:]
    return real_run


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    """``cli.main(['report', ...])`` installs stop handlers; give pytest its own back after each test."""
    import signal

    names = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    saved = {sig: signal.getsignal(sig) for sig in names}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
