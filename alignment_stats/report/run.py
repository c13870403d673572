"""Run a report: execute a plan into ``<out>/<run_id>/``, atomically.

Everything is written into a hidden temporary sibling
``<out>/.tmp-<run_id>-<random>/`` (which records the runner's pid) that is
renamed in one step at the end: to ``<out>/<run_id>/`` when every notebook
completed (or was reused, or does not apply), to ``<out>/<run_id>.failed/``
when any failed (the failing executed notebook is kept for debugging). On a
signal the kernels are killed and the temporary folder removed; if the disk
fills up or a folder is not writable, the run is renamed ``.failed`` where
that is still possible and the error names the path and the free space.
Temporary folders left by a runner that was killed (its pid is dead) are
removed by the next run; a live runner's never are.

Layout of a run folder::

    <run_id>/
        summary.json               schema version 3 (see docs/reports.md)
        index.html
        NN_name/NN_name.ipynb      executed notebook
        NN_name/NN_name.html       HTML export, code hidden
        NN_name/results/*.csv, NN_name/figures/*.png
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import PROJECT_ROOT, REPORTS_DIR
from ..present.numbers import plural
from .cache import reuse
from .diff import diff_runs
from .engine import KERNEL_DIR_PREFIX, KernelPool, warm_imports
from .errors import OutputError, RunExistsError
from .execute import Outcome, Progress, Task, code_cells, dask_client, run_dask, run_local
from .html import STATUS_WORDS, write_index
from .plan import AUTO, DEFAULT_KERNEL, Options, Plan, make_plan
from .summary import SCHEMA_VERSION, headline, utc_now, read_claims, run_files, write_summary

__all__ = ["AUTO", "DEFAULT_KERNEL", "NotebookResult", "ReportResult", "Shared", "run_report", "execute_plan",
           "remove_stale", "remove_folder", "make_tmp_dir", "PID_FILE"]

#: The file of a temporary run folder that holds its runner's pid.
PID_FILE = ".pid"


@dataclass(frozen=True)
class NotebookResult:
    """How one notebook of a run ended: ``status`` is complete, failed, cached or not_applicable."""

    name: str
    status: str
    seconds: float
    reason: str | None = None
    cached_from: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class ReportResult:
    """Outcome of :func:`run_report`: the run folder (``<run_id>`` or ``<run_id>.failed``) and each notebook."""

    run_id: str
    path: Path
    status: str
    notebooks: tuple[NotebookResult, ...] = ()
    compared_with: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status == "complete"

    @property
    def index(self) -> Path:
        return self.path / "index.html"

    @property
    def summary(self) -> Path:
        return self.path / "summary.json"


@dataclass
class Shared:
    """What the runs of one scheduled batch share: the kernel pool or the Dask client."""

    pool: KernelPool | None = None
    client: Any = None
    notes: list[str] = field(default_factory=list)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_owner(folder: Path, pid_from_name: bool = False) -> bool:
    try:
        if pid_from_name:
            pid = int(folder.name[len(KERNEL_DIR_PREFIX):].split("-", 1)[0])
        else:
            pid = int((folder / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return False  # no pid recorded: not ours to remove (never by age)
    return pid != os.getpid() and not _pid_alive(pid)


def remove_stale(out: Path) -> list[Path]:
    """Remove temporary run folders in ``out`` and kernel folders in the system's temp folder whose runner is dead."""
    removed = []
    candidates = [(p, False) for p in out.glob(".tmp-*") if p.is_dir()] if out.is_dir() else []
    candidates += [(p, True) for p in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*") if p.is_dir()]
    for folder, by_name in candidates:
        if _dead_owner(folder, by_name):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def remove_folder(folder: Path, patience: float = 2.0) -> None:
    """Remove ``folder``, again while an abandoned worker thread still creates something in it (a stopped run)."""
    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def make_tmp_dir(out: Path, run_id: str) -> Path:
    """Create ``out/.tmp-<run_id>-<random>`` (with the user's umask) holding this runner's pid."""
    out.mkdir(parents=True, exist_ok=True)
    while True:
        candidate = out / f".tmp-{run_id}-{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        (candidate / PID_FILE).write_text(f"{os.getpid()}\n")
        return candidate


def _free_space(path: Path) -> str:
    for candidate in (path, *path.parents):
        try:
            usage = shutil.disk_usage(candidate)
        except OSError:
            continue
        return f"{usage.free / 1e6:.1f} MB free"
    return "free space unknown"


def _display(path: Path) -> str:
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _intro(plan: Plan, workers: int) -> str:
    o, to_run = plan.options, plan.to_run
    where = (f"on the Dask cluster at {o.scheduler}" if o.executor == "dask" else
             f"kernel {o.kernel_name}, {workers} at a time{', fresh kernels' if o.fresh_kernels else ''}")
    lines = [f"Running {plural(len(to_run), 'notebook')} ({where}) for run {plan.run_id}"
             if to_run else f"Nothing to execute for run {plan.run_id}"]
    cached = [s for s in plan.steps if s.status == "cached"]
    if cached:
        lines.append("Unchanged since an earlier run, reused without running (--force runs them): "
                     + ", ".join(f"{s.name} (from {s.hit['run_id']})" for s in cached))
    if plan.previous is not None:
        lines.append(f"Comparing with {plan.previous}: {plan.comparison_reason}")
    return "\n".join(lines)


def _entries(plan: Plan, outcomes: Mapping[str, Outcome], tmp: Path, timings: Mapping[str, float]) -> list[dict]:
    entries = []
    for step in plan.steps:
        folder = tmp / step.name
        outcome = outcomes.get(step.name)
        status = {"cached": "cached", "not_applicable": "not_applicable"}.get(step.status) or (
            "failed" if outcome is None or outcome.ename is not None else "complete")
        html = f"{step.name}/{step.name}.html"
        executed = f"{step.name}/{step.name}.ipynb"
        cached = None
        if step.hit is not None:
            cached = {"run": str(step.hit["run_dir"]), "run_id": step.hit["run_id"], "run_name": step.hit["run_name"]}
        reason = step.reason if step.status == "not_applicable" else (outcome.error if outcome is not None else
                                                                      None)
        entries.append({"name": step.name, "status": status, "reason": reason,
                        "seconds": round(timings.get(step.name, outcome.seconds if outcome else 0.0), 3),
                        "source": _display(step.path), "parameters": step.values,
                        "notebook": executed if (tmp / executed).is_file() else None,
                        "html": html if (tmp / html).is_file() else None, "cache_key": step.cache_key,
                        "counts_key": step.counts_key, "cached_from": cached,
                        "kernel_stderr": outcome.kernel_stderr if outcome is not None else None})
        if not folder.exists() and status != "not_applicable":
            folder.mkdir()
    return entries


def _summary(plan: Plan, tmp: Path, entries: list[dict], started: str, workers: int, client: Any) -> dict[str, Any]:
    claims: list[dict] = []
    for entry in entries:
        if entry["status"] in ("complete", "cached"):
            try:
                claims += read_claims(tmp, entry["name"])
            except ValueError:
                continue  # the index says which claims file could not be read
    o = plan.options
    status = "failed" if any(e["status"] == "failed" for e in entries) else "complete"
    scheduler = getattr(getattr(client, "scheduler", None), "address", None) or (
        o.scheduler if isinstance(o.scheduler, str) else None)
    return {
        "schema_version": SCHEMA_VERSION, "run_id": plan.run_id, "run_name": plan.run_name, "status": status,
        "started": started, "finished": utc_now(), "kernel": o.kernel_name, "parameters": plan.params,
        "package_versions": plan.versions, "input_hashes": plan.inputs,
        "executor": {"name": o.executor, "workers": workers if plan.to_run else 0, "scheduler": scheduler,
                     "kernels": ("per notebook (papermill)" if o.executor == "dask" else
                                 "fresh warm kernel per notebook" if o.fresh_kernels else "warm, reused between notebooks")},
        "cache": {"enabled": not o.force, "reused": [s.name for s in plan.steps if s.status == "cached"]},
        "comparison": None, "notebooks": entries, "files": run_files(tmp), "claims": claims,
        "headline": headline(entries, claims),
    }


def execute_plan(plan: Plan, progress: Any = None, shared: Shared | None = None) -> ReportResult:
    """Execute a plan (:func:`~alignment_stats.report.plan.make_plan`) and write its run folder.

    Raises
    ------
    OutputError
        The operating system refused to write (disk full, no permission, read-only).
    RunExistsError
        A concurrent run with the same id finished first.
    BaseException
        A signal (:class:`~alignment_stats.report.errors.Stopped`) or Ctrl-C,
        re-raised after the kernels are killed and the temporary folder removed.
    """
    o = plan.options
    workers = max(1, min(o.workers(), len(plan.to_run) or 1))
    remove_stale(plan.out)
    pool, own_pool, client, own_client = None, False, None, False
    tmp: Path | None = None
    feedback: Progress | None = None
    try:
        try:
            tmp = make_tmp_dir(plan.out, plan.run_id)
        except OSError as exc:
            raise OutputError(f"{plan.out}: cannot write the report ({exc.strerror or exc}; "
                              f"{_free_space(plan.out)})") from None
        if plan.to_run and o.executor == "dask":
            if shared is not None and shared.client is not None:
                client = shared.client
            else:
                client, own_client = dask_client(o.scheduler, o.dask_timeout)
        elif plan.to_run:
            if shared is not None and shared.pool is not None:
                pool = shared.pool
                pool.expect(len(plan.to_run))
            else:
                size = min(len(plan.to_run), 2 * workers) if o.fresh_kernels else workers
                pool = KernelPool(o.kernel_name, size, PROJECT_ROOT, warm_imports(s.path for s in plan.to_run),
                                  fresh=o.fresh_kernels, expected=len(plan.to_run))
                own_pool = True
        started = utc_now()
        feedback = Progress(len(plan.steps), progress, _intro(plan, workers), sum(code_cells(s.path) for s in plan.to_run))
        timings: dict[str, float] = {}
        for step in plan.steps:
            if step.status == "cached":
                start = time.perf_counter()
                reuse(step.hit, tmp, step.name)
                timings[step.name] = time.perf_counter() - start
                feedback.update(step.name, f"ok, unchanged: reused from {step.hit['run_id']}", timings[step.name])
            elif step.status == "not_applicable":
                timings[step.name] = 0.0
                feedback.update(step.name, f"{STATUS_WORDS['not_applicable']}: {step.reason}", 0.0)
        tasks = [Task(s.name, str(s.path), s.values, str(tmp), o.kernel_name, o.html, str(PROJECT_ROOT))
                 for s in plan.to_run]

        def done(outcome: Outcome) -> None:
            feedback.update(outcome.name, "ok" if outcome.ename is None else "FAILED", outcome.seconds, outcome.error,
                            outcome.kernel_stderr)

        outcomes = {}
        if tasks and o.executor == "dask":
            outcomes = run_dask(tasks, client, done)
        elif tasks:
            outcomes = run_local(tasks, workers, pool, done, feedback.cell_done)
        feedback.close()
        entries = _entries(plan, outcomes, tmp, timings)
        summary = write_summary(tmp / "summary.json", _summary(plan, tmp, entries, started, workers, client))
        diff = None
        if plan.previous is not None:
            diff = diff_runs(plan.previous, tmp)
            summary["comparison"] = {"run_id": diff.a_id, "path": os.path.relpath(plan.previous, plan.final),
                                     "reason": plan.comparison_reason, "changed": diff.changed,
                                     "differences": diff.counts()}
            summary = write_summary(tmp / "summary.json", summary)
        write_index(tmp, summary, diff)
        target = plan.final if summary["status"] == "complete" else plan.failed
        if plan.final.exists() or plan.failed.exists():
            raise RunExistsError(f"{target} appeared while this run was running; not overwriting it")
        os.rename(tmp, target)
        tmp = None
        (target / PID_FILE).unlink(missing_ok=True)
    except RunExistsError:
        raise
    except OSError as exc:
        where = Path(exc.filename) if getattr(exc, "filename", None) else plan.out
        marked = False
        if tmp is not None and not plan.failed.exists():
            try:
                os.rename(tmp, plan.failed)  # a rename needs no space: the failed run stays to look at
                tmp, marked = None, True
            except OSError:
                pass
        what = {errno.ENOSPC: "no space left", errno.EACCES: "permission denied",
                errno.EROFS: "read-only file system"}.get(exc.errno, exc.strerror or str(exc))
        state = f"kept as {plan.failed}" if marked else "not written"
        raise OutputError(f"{where}: cannot write the report: {what} ({_free_space(where)}); the run is {state}") \
            from None
    finally:
        if feedback is not None:
            feedback.close()
        if own_pool:
            pool.shutdown()
        if tmp is not None:
            remove_folder(tmp)
        if own_client:
            try:
                client.close(timeout=2)
            except Exception:
                pass
    results = tuple(NotebookResult(e["name"], e["status"], e["seconds"], e["reason"],
                                   (e["cached_from"] or {}).get("run_id")) for e in summary["notebooks"])
    report = ReportResult(plan.run_id, target, summary["status"], results, plan.previous)
    if progress is None and shared is None:
        if diff is not None:
            what = "results or verdicts changed" if diff.results_changed else "same results and verdicts"
            print(f"Compared with {diff.a_id}: {what} (details in the index; alignment-stats diff "
                  f"{plan.previous} {target})", file=sys.stderr, flush=True)
        bad = sum(1 for r in results if not r.ok)
        print(f"Report complete: {report.index}" if report.ok else
              f"Report FAILED ({bad} of {len(results)} notebooks failed): {report.index}", flush=True)
    return report


def run_report(notebooks: Any = None, params: Mapping[str, Any] | None = None, out: str | Path = REPORTS_DIR,
               run_id: str | None = None, progress: Any = None, *, base: str | Path | None = None,
               **options: Any) -> ReportResult:
    """Run analysis notebooks with papermill and write a report folder.

    Parameters
    ----------
    notebooks : names or paths, optional
        What to run (default: every ``NN_*.ipynb`` of ``notebooks/``).
    params : mapping, optional
        Notebook parameters (text from the command line, or typed); each
        notebook gets those it declares, checked by its settings model.
    out : str or Path, default ``reports/``
        Parent folder of run folders.
    run_id : str, optional
        Folder name of the run; never overwritten.
    progress : None, False or callable
        ``None``: a progress bar (terminal) or log lines; ``False``: silent;
        a callable ``f(done, total, entry)``.
    base : str or Path, optional
        Folder relative parameter paths are taken from (default: the current folder).
    **options
        :class:`~alignment_stats.report.plan.Options`: ``html``, ``jobs``,
        ``kernel_name``, ``executor``, ``scheduler``, ``dask_timeout``,
        ``force``, ``compare_to``, ``fresh_kernels``.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportError
        Before anything runs (exit 2).
    OutputError
        The report could not be written (exit 1).

    Examples
    --------
    Notebook 01 at alpha 0.01 into ``reports/<run-id>/`` (starts kernels, so not run here):

    >>> result = run_report(["01"], {"alpha": 0.01})  # doctest: +SKIP
    >>> result.ok, result.index  # doctest: +SKIP
    (True, PosixPath('.../reports/20261201T120000Z-1a2b3c/index.html'))
    """
    plan = make_plan(notebooks, params, out, run_id, Options(**options), base=base)
    return execute_plan(plan, progress)
