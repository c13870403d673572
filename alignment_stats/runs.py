"""Scheduled runs: a YAML file of named report runs, run as one batch.

``alignment-stats report --config runs.yaml`` (for cron or CI) runs every
run the file lists, into one batch folder::

    <out>/<batch-id>/              (<batch-id>.failed/ if any run failed)
        index.html                 one row per run, linking its index
        runs.json                  the batch: status and one entry per run
        <run-name>/                a normal run folder (summary.json, index.html, ...)
        <run-name>.failed/         a run with a failing notebook

The batch folder is written under a temporary name and renamed when every
run has finished, so a batch never looks complete while it runs. Each run is
compared with the same-named run of the most recent earlier batch in
``<out>``, and notebooks whose inputs, parameters and code did not change
are reused from earlier runs (also within the batch: the data audit of a
run that does not change its parameters runs once).

Format (``version: 1``; read with ``yaml.safe_load`` only)::

    version: 1
    defaults:                  # optional: parameters every run gets
      alpha: 0.05
    runs:
      - name: leapfrog         # letters, digits, . _ - : also the folder name
        description: Leapfrog 2015 only
        parameters: {study: leapfrog_2015}
      - name: demo_survey
        notebooks: [04_benchmark_comparison]      # optional: default all
        parameters:
          input: data/raw/demo/leapfrog_demo_survey.csv

A run's notebooks get the parameters they declare and silently not the
others; a parameter no notebook declares at all is an error (a typo).
Relative paths are relative to the project root, where notebooks run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import report as _report
from .report import (
    AUTO,
    DEFAULT_KERNEL,
    PROJECT_ROOT,
    REPORTS_DIR,
    ReportError,
    ReportResult,
    ReportUsageError,
    RunExistsError,
)

__all__ = [
    "CONFIG_VERSION",
    "DEFAULT_CONFIG",
    "BatchResult",
    "ConfigError",
    "RunConfig",
    "ScheduledRun",
    "load_run_config",
    "run_config",
]

CONFIG_VERSION = 1
#: The project's scheduled runs.
DEFAULT_CONFIG = PROJECT_ROOT / "runs.yaml"

_TOP_KEYS = {"version", "defaults", "runs"}
_RUN_KEYS = {"name", "description", "notebooks", "parameters"}


class ConfigError(ReportUsageError):
    """A runs.yaml file that cannot be used: unreadable, not plain YAML, or a bad field."""


@dataclass(frozen=True)
class ScheduledRun:
    """One named run of a config file."""

    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    notebooks: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class RunConfig:
    """A parsed ``runs.yaml``: where it came from and its runs (defaults merged in)."""

    path: Path
    runs: tuple[ScheduledRun, ...]


@dataclass(frozen=True)
class BatchResult:
    """Outcome of :func:`run_config`: the batch folder and each run's :class:`ReportResult`."""

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


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def load_run_config(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> RunConfig:
    """Read and check a runs.yaml file (``yaml.safe_load``: plain data, no Python tags).

    Raises
    ------
    ConfigError
        Unreadable file, YAML error or a tag such as ``!!python/object``
        (with its line), unknown or missing keys, a bad run name, duplicate
        names; the message names the file and the run.
    """
    import yaml

    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        content = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise _fail(
            path,
            f"{line}{exc.problem}; config files are read with yaml.safe_load and may hold only "
            "plain data (mappings, lists, text, numbers, true/false), no Python objects",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise _fail(path, f"{line}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(content, dict):
        raise _fail(path, "must be a mapping with 'version' and 'runs'")
    unknown = set(map(str, content)) - _TOP_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_TOP_KEYS))}")
    version = content.get("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise _fail(path, f"version {version!r} is not supported (this runner reads version {CONFIG_VERSION})")
    defaults = content.get("defaults") or {}
    if not isinstance(defaults, dict) or not all(isinstance(k, str) for k in defaults):
        raise _fail(path, "'defaults' must be a mapping of parameter names to values")
    runs = content.get("runs")
    if not isinstance(runs, list) or not runs:
        raise _fail(path, "'runs' must be a non-empty list of runs, each with a name")
    parsed: list[ScheduledRun] = []
    seen: set[str] = set()
    for i, item in enumerate(runs):
        where = f"runs[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} must be a mapping with at least 'name'")
        name = item.get("name")
        if isinstance(name, str):
            where = f"runs[{i}] ({name})"
        unknown = set(map(str, item)) - _RUN_KEYS
        if unknown:
            raise _fail(path, f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                              f"allowed: {', '.join(sorted(_RUN_KEYS))}")
        if not isinstance(name, str):
            raise _fail(path, f"{where}: 'name' is missing or not text")
        try:
            _report.validate_run_id(name)  # it becomes a folder name: never unsanitised
        except ReportUsageError as exc:
            raise _fail(path, f"{where}: {str(exc).replace('run id', 'run name')}") from None
        if name in seen:
            raise _fail(path, f"{where}: the name {name!r} is used twice")
        seen.add(name)
        parameters = item.get("parameters") or {}
        if not isinstance(parameters, dict) or not all(isinstance(k, str) for k in parameters):
            raise _fail(path, f"{where}: 'parameters' must be a mapping of parameter names to values")
        notebooks = item.get("notebooks")
        if notebooks is not None:
            if isinstance(notebooks, str):
                notebooks = [notebooks]
            if not isinstance(notebooks, list) or not notebooks or not all(isinstance(n, str) for n in notebooks):
                raise _fail(path, f"{where}: 'notebooks' must be a list of notebook names")
            notebooks = tuple(notebooks)
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise _fail(path, f"{where}: 'description' must be text")
        parsed.append(ScheduledRun(name, {**defaults, **parameters}, notebooks, description))
    return RunConfig(path.resolve(), tuple(parsed))


def _checked(config: RunConfig, only: Iterable[str] | None) -> list[tuple[ScheduledRun, list[Path]]]:
    """Resolve every run's notebooks and check its parameters before anything runs."""
    runs = list(config.runs)
    if only:
        wanted = list(dict.fromkeys(only))
        names = [r.name for r in runs]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise ConfigError(f"{config.path}: no run named {', '.join(missing)}; runs: {', '.join(names)}")
        runs = [r for r in runs if r.name in wanted]
    checked = []
    for run in runs:
        try:
            sources = _report.select_notebooks(run.notebooks)
            if not sources:
                raise ReportUsageError(f"no notebooks in {_report.NOTEBOOK_DIR}")
            _report._plan(sources, run.parameters, lenient=True)
        except ReportUsageError as exc:
            raise ConfigError(f"{config.path}: run {run.name}: {exc}") from None
        checked.append((run, sources))
    return checked


def run_config(
    config: str | os.PathLike[str] | RunConfig = DEFAULT_CONFIG,
    out: str | Path = REPORTS_DIR,
    run_id: str | None = None,
    html: bool = True,
    jobs: int | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    progress: Any = None,
    *,
    executor: str = "local",
    scheduler: Any = None,
    force: bool = False,
    compare: bool = True,
    fresh_kernels: bool = False,
    only: Iterable[str] | None = None,
) -> BatchResult:
    """Run every run of a config file (or those named in ``only``) as one batch.

    Parameters are as for :func:`alignment_stats.report.run_report`;
    ``compare=False`` turns off the comparison with the previous batch.
    Every run is checked (notebooks, parameters) before the first starts.
    One pool of warm kernels (or one Dask client) serves all runs.

    Returns
    -------
    BatchResult
        ``path`` is ``<out>/<batch-id>`` or ``<out>/<batch-id>.failed``.
    """
    if not isinstance(config, RunConfig):
        config = load_run_config(config)
    checked = _checked(config, only)
    batch_id = _report.new_run_id() if run_id is None else _report.validate_run_id(run_id)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ReportUsageError(f"jobs must be a whole number >= 1, not {jobs!r}")
    if executor not in _report.EXECUTORS:
        raise ReportUsageError(f"executor {executor!r} is not known; choose one of: {', '.join(_report.EXECUTORS)}")
    if executor == "local":
        if scheduler is not None:
            raise ReportUsageError("a Dask scheduler is only used with --executor dask")
        _report.check_kernel(kernel_name)
    out = Path(out).expanduser().resolve()
    final, failed = out / batch_id, out / f"{batch_id}.failed"
    for existing in (final, failed):
        if existing.exists():
            raise RunExistsError(f"{existing} already exists; reports are never overwritten")

    batch = _report._Batch(root=out)
    own_client = False
    if executor == "dask":
        batch.client, own_client = _report._dask_client(scheduler)
    else:
        from . import engine

        notebooks = sorted({p for _, sources in checked for p in sources})
        batch.pool = engine.KernelPool(kernel_name, jobs, PROJECT_ROOT, engine.warm_imports(notebooks),
                                       fresh=fresh_kernels, expected=0)
    try:
        try:
            out.mkdir(parents=True, exist_ok=True)
            tmp = _report._make_tmp_dir(out, batch_id)
        except OSError as exc:
            raise ReportError(f"cannot write reports to {out}: {exc.strerror or exc}") from None
        try:
            started = _report._now()
            results = []
            entries = []
            for run, sources in checked:
                if progress is None:
                    print(f"\n== {run.name}" + (f": {run.description}" if run.description else ""),
                          file=sys.stderr, flush=True)
                result = _report.run_report(
                    sources, run.parameters, out=tmp, run_id=run.name, html=html, jobs=jobs,
                    kernel_name=kernel_name, progress=progress, executor=executor,
                    scheduler=scheduler if batch.client is None else batch.client, force=force,
                    compare_to=AUTO if compare else None, fresh_kernels=fresh_kernels,
                    run_name=run.name, _batch=batch,
                )
                results.append(result)
                if progress is None:
                    print(f"{run.name}: {'complete' if result.ok else 'FAILED'}", file=sys.stderr, flush=True)
                entries.append({
                    "name": run.name,
                    "description": run.description,
                    "status": result.status,
                    "path": result.path.name,
                    "notebooks": [nb.name for nb in result.notebooks],
                    "reused": [nb.name for nb in result.notebooks if nb.cached_from],
                    "parameters": run.parameters,
                })
            status = "complete" if all(r.ok for r in results) else "failed"
            summary = {
                "schema_version": 1,
                "kind": "batch",
                "run_id": batch_id,
                "status": status,
                "config": str(config.path),
                "started": started,
                "finished": _report._now(),
                "runs": entries,
            }
            (tmp / "runs.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
            from .html import render_batch_index

            (tmp / "index.html").write_text(render_batch_index(summary), encoding="utf-8")
            target = final if status == "complete" else failed
            if final.exists() or failed.exists():
                raise RunExistsError(f"{target} appeared while this batch was running; not overwriting it")
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        if batch.pool is not None:
            batch.pool.shutdown()
        if own_client:
            batch.client.close()
    paths = {r.path.name: target / r.path.name for r in results}
    runs = tuple(
        ReportResult(r.run_id, paths[r.path.name], r.status, r.notebooks, r.compared_with) for r in results
    )
    batch_result = BatchResult(batch_id, target, status, runs)
    if progress is None:
        word = "complete" if batch_result.ok else "FAILED"
        bad = [r.run_id for r in runs if not r.ok]
        extra = f" (failed: {', '.join(bad)})" if bad else ""
        print(f"Scheduled reports {word}{extra}: {batch_result.index}", flush=True)
    return batch_result


def describe(config: RunConfig) -> list[Mapping[str, Any]]:
    """The runs of a config as plain dicts (for listing)."""
    return [{"name": r.name, "notebooks": r.notebooks, "parameters": r.parameters,
             "description": r.description} for r in config.runs]
