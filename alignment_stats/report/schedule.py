"""Scheduled runs: a ``runs.yaml`` of named report runs, run as one batch.

``alignment-stats report --config runs.yaml`` (for cron or CI) runs every run
the file lists into one batch folder::

    <out>/<batch-id>/              (<batch-id>.failed/ if any run failed)
        index.html                 one row per run, linking its index
        runs.json                  the batch: status and one entry per run
        <run-name>/                a normal run folder (summary.json, index.html, ...)

The file is read with ``yaml.safe_load`` (UTF-8) and checked by the pydantic
model :class:`RunsFile`: unknown keys are refused, paths are taken from the
file's own folder, and every run's notebooks and parameters are checked (and
its counts built) before the first run starts. A run's notebooks get the
parameters they declare; a parameter no notebook declares at all is an error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import PROJECT_ROOT, REPORTS_DIR
from ..schema import DataValidationError
from ..sources.text import read_text
from .engine import KernelPool, warm_imports
from .errors import OutputError, ReportError, RunExistsError
from .execute import dask_client
from .html import render_batch
from .notebooks import new_run_id, validate_run_id
from .plan import AUTO, Options, Plan, make_plan, reuse_cached
from .run import PID_FILE, ReportResult, Shared, execute_plan, make_tmp_dir, remove_folder, remove_stale
from .summary import utc_now

__all__ = ["DEFAULT_CONFIG", "ScheduledRun", "RunsFile", "BatchResult", "load_runs", "run_batch"]

#: The project's scheduled runs.
DEFAULT_CONFIG = PROJECT_ROOT / "runs.yaml"


class ScheduledRun(BaseModel):
    """One named run: its notebooks (default all) and parameters."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="letters, digits, . _ - (it becomes a folder name)")
    description: str = ""
    notebooks: Optional[list[str]] = Field(None, min_length=1)
    parameters: dict[str, Any] = {}

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        try:
            return validate_run_id(value, "run name")
        except ReportError as exc:
            raise ValueError(str(exc)) from None


class RunsFile(BaseModel):
    """A ``runs.yaml`` file: ``version: 1``, optional ``defaults`` (parameters of every run), ``runs``."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    defaults: dict[str, Any] = {}
    runs: list[ScheduledRun] = Field(min_length=1)

    @field_validator("runs")
    @classmethod
    def _unique(cls, runs: list[ScheduledRun]) -> list[ScheduledRun]:
        names = [r.name for r in runs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"run name {twice[0]!r} is used twice")
        return runs


@dataclass(frozen=True)
class BatchResult:
    """Outcome of :func:`run_batch`: the batch folder and each run's :class:`ReportResult`."""

    run_id: str
    path: Path
    status: str
    runs: tuple[ReportResult, ...]

    @property
    def ok(self) -> bool:
        return self.status == "complete"

    @property
    def index(self) -> Path:
        return self.path / "index.html"


def load_runs(path: str | Path = DEFAULT_CONFIG) -> tuple[Path, RunsFile]:
    """Read and check a ``runs.yaml``.

    Raises
    ------
    ReportError
        One line naming the file: not UTF-8, not YAML, a YAML tag (only
        plain data is read), an unknown or missing key, a bad run name, a
        name used twice.
    """
    path = Path(path).expanduser().resolve()
    try:
        text = read_text(path, "runs file")
    except DataValidationError as exc:
        raise ReportError(str(exc)) from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        hint = "; runs files hold only plain data (no Python tags)" if isinstance(exc, yaml.constructor.ConstructorError) \
            else ""
        raise ReportError(f"{path}{line}: not valid YAML ({problem}){hint}") from None
    if not isinstance(content, dict):
        raise ReportError(f"{path}: must be a mapping with 'version' and 'runs'")
    try:
        return path, RunsFile(**{str(k): v for k, v in content.items()})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        index = err["loc"][1] if len(err["loc"]) > 1 and err["loc"][0] == "runs" else None
        if isinstance(index, int) and isinstance(content.get("runs"), list) and index < len(content["runs"]):
            name = content["runs"][index].get("name") if isinstance(content["runs"][index], dict) else None
            where += f" ({name})" if isinstance(name, str) else ""
        message = err["msg"].removeprefix("Value error, ")
        raise ReportError(f"{path}, {where}: {message}") from None


def _base_params(config: RunsFile, run: ScheduledRun) -> dict[str, Any]:
    return {**config.defaults, **run.parameters}


def run_batch(config: str | Path = DEFAULT_CONFIG, out: str | Path = REPORTS_DIR, run_id: str | None = None,
              progress: Any = None, *, only: Iterable[str] | None = None, compare: bool = True,
              **options: Any) -> BatchResult:
    """Run every run of a ``runs.yaml`` (or those named in ``only``) as one batch.

    Every run is planned (and checked) before the first starts; one pool of
    warm kernels (or one Dask client) serves all runs; each run is compared
    with the same-named run of the most recent earlier batch in ``out``.

    Raises
    ------
    ReportError
        The file, a run's notebooks or parameters, or an input (exit 2).

    Examples
    --------
    Two runs of the project's ``runs.yaml`` into ``reports/<batch-id>/`` (starts kernels, so not run here):

    >>> batch = run_batch(only=["bundled", "rounding_ceil"])  # doctest: +SKIP
    >>> batch.ok, [run.path.name for run in batch.runs]  # doctest: +SKIP
    (True, ['bundled', 'rounding_ceil'])
    """
    path, runs_file = load_runs(config)
    runs = list(runs_file.runs)
    if only:
        wanted = list(dict.fromkeys(only))
        missing = [n for n in wanted if n not in {r.name for r in runs}]
        if missing:
            raise ReportError(f"{path}: no run named {', '.join(missing)}; runs: {', '.join(r.name for r in runs)}")
        runs = [r for r in runs if r.name in wanted]
    batch_id = new_run_id() if run_id is None else validate_run_id(run_id)
    out = Path(out).expanduser().resolve()
    for existing in (out / batch_id, out / f"{batch_id}.failed"):
        if existing.exists():
            raise RunExistsError(f"{existing} already exists; reports are never overwritten")
    base_options = Options(**{**options, "compare_to": AUTO if compare else None})
    plans: list[tuple[ScheduledRun, Plan]] = []
    for run in runs:
        try:
            plan = make_plan(run.notebooks, _base_params(runs_file, run), out / batch_id, run.name, base_options,
                             run_name=run.name, history=out, base=path.parent, lenient=True, check_out=False)
        except ReportError as exc:
            raise ReportError(f"{path}: run {run.name}: {exc}") from None
        plans.append((run, plan))
    remove_stale(out)
    shared = Shared()
    if base_options.executor == "dask":
        shared.client, _ = dask_client(base_options.scheduler, base_options.dask_timeout)
    else:
        notebooks = sorted({s.path for _, p in plans for s in p.to_run})
        shared.pool = KernelPool(base_options.kernel_name, base_options.workers(), PROJECT_ROOT,
                                 warm_imports(notebooks), fresh=base_options.fresh_kernels, expected=0)
    tmp = None
    try:
        try:
            tmp = make_tmp_dir(out, batch_id)
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the batch ({exc.strerror or exc})") from None
        started, results, entries = utc_now(), [], []
        for run, plan in plans:
            if progress is None:
                print(f"\n== {run.name}" + (f": {run.description}" if run.description else ""), file=sys.stderr,
                      flush=True)
            plan = reuse_cached(replace(plan, out=tmp), tmp)  # what an earlier run of this batch computed
            result = execute_plan(plan, progress, shared)
            results.append(result)
            if progress is None:
                print(f"{run.name}: {'complete' if result.ok else 'FAILED'}", file=sys.stderr, flush=True)
            entries.append({"name": run.name, "description": run.description, "status": result.status,
                            "path": result.path.name, "notebooks": [nb.name for nb in result.notebooks],
                            "reused": [nb.name for nb in result.notebooks if nb.status == "cached"],
                            "not_applicable": [nb.name for nb in result.notebooks if nb.status == "not_applicable"],
                            "parameters": plan.params})
        status = "complete" if all(r.ok for r in results) else "failed"
        batch = {"schema_version": 2, "kind": "batch", "run_id": batch_id, "status": status, "config": str(path),
                 "started": started, "finished": utc_now(), "runs": entries}
        (tmp / "runs.json").write_text(json.dumps(batch, indent=2, ensure_ascii=False, default=str) + "\n",
                                       encoding="utf-8")
        (tmp / "index.html").write_text(render_batch(batch), encoding="utf-8")
        target = out / (batch_id if status == "complete" else f"{batch_id}.failed")
        if (out / batch_id).exists() or (out / f"{batch_id}.failed").exists():
            raise RunExistsError(f"{target} appeared while this batch was running; not overwriting it")
        os.rename(tmp, target)
        tmp = None
        (target / PID_FILE).unlink(missing_ok=True)
    except RunExistsError:
        raise
    except OSError as exc:
        raise OutputError(f"{getattr(exc, 'filename', None) or out}: cannot write the batch "
                          f"({exc.strerror or exc})") from None
    finally:
        if shared.pool is not None:
            shared.pool.shutdown()
        if tmp is not None:
            remove_folder(tmp)
        if shared.client is not None:
            try:
                shared.client.close(timeout=2)
            except Exception:
                pass
    runs_out = tuple(ReportResult(r.run_id, target / r.path.name, r.status, r.notebooks, r.compared_with)
                     for r in results)
    batch_result = BatchResult(batch_id, target, status, runs_out)
    if progress is None:
        bad = [r.run_id for r in runs_out if not r.ok]
        print(f"Scheduled reports {'complete' if batch_result.ok else 'FAILED'}"
              f"{' (failed: ' + ', '.join(bad) + ')' if bad else ''}: {batch_result.index}", flush=True)
    return batch_result
