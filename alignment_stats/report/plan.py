"""The plan of a report: everything checked and built before any kernel starts.

:func:`make_plan` selects the notebooks, converts and checks every
parameter against its notebook's settings model, checks the run id, the
output folder and the kernel, reads and validates every input file by
building its counts (once per input, into ``data/processed/<key>/``), checks
the study ids against the input, asks each analysis whether it applies, and
looks up earlier runs that can be reused. Any problem is a
:class:`~alignment_stats.report.errors.ReportError`: one line, exit 2, no
kernel started, nothing created under the output folder.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..analyses import ANALYSES
from ..analyses.settings import Settings, settings_error
from ..config import REPORTS_DIR
from ..counts import CountsBundle, load_counts
from ..schema import DataValidationError
from ..sources.paths import check_writable
from .cache import cache_key, code_hash, complete_runs, find_cached, input_hashes
from .diff import RunNotFoundError, resolve_run
from .errors import ReportError, RunExistsError
from .notebooks import check_kernel, declared_parameters, new_run_id, select_notebooks, validate_run_id
from .parameters import check_known, notebook_values

__all__ = ["AUTO", "DEFAULT_KERNEL", "EXECUTORS", "Options", "Step", "Plan", "make_plan", "reuse_cached",
           "package_versions"]

#: ``compare_to`` default: the most recent earlier complete run of the same name.
AUTO = "auto"
#: The kernel ``make install`` registers.
DEFAULT_KERNEL = "alignment-stats"
EXECUTORS = ("local", "dask")
_PACKAGES = ("alignment_stats", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
             "nbconvert")


@dataclass(frozen=True)
class Options:
    """How a report runs (not what it computes)."""

    html: bool = True
    jobs: int | None = None
    kernel_name: str = DEFAULT_KERNEL
    executor: str = "local"
    scheduler: Any = None
    dask_timeout: float = 30.0
    force: bool = False
    compare_to: Any = AUTO
    fresh_kernels: bool = False

    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


@dataclass(frozen=True)
class Step:
    """One notebook of the plan: what it gets and whether it runs, is reused or does not apply."""

    path: Path
    values: dict[str, Any]
    settings: Settings | None
    status: Literal["run", "cached", "not_applicable"]
    reason: str | None = None
    counts_key: str | None = None
    cache_key: str | None = None
    hit: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Plan:
    """A report ready to run."""

    run_id: str
    out: Path
    steps: tuple[Step, ...]
    params: dict[str, Any]
    options: Options
    run_name: str | None = None
    previous: Path | None = None
    comparison_reason: str = ""
    versions: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> Path:
        return self.out / self.run_id

    @property
    def failed(self) -> Path:
        return self.out / f"{self.run_id}.failed"

    @property
    def to_run(self) -> list[Step]:
        return [s for s in self.steps if s.status == "run"]


def package_versions() -> dict[str, str | None]:
    """Python's and the main packages' versions (None if not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _comparison(compare_to: Any, out: Path, history: Path, run_name: str | None) -> tuple[Path | None, str]:
    if compare_to is None or compare_to is False:
        return None, "no comparison (turned off)"
    if compare_to != AUTO:
        try:
            return resolve_run(compare_to, out), "given with --compare-to"
        except RunNotFoundError as exc:
            raise ReportError(f"--compare-to: {exc}") from None
    named = f" named {run_name}" if run_name else ""
    for run, summary in complete_runs(history):
        if summary.get("run_name") == run_name:
            return run, f"the most recent complete earlier run{named} in {history} (finished {summary.get('finished')})"
    return None, f"no earlier complete run{named} in {history} to compare with"


def _bundles(settings: Iterable[Settings]) -> dict[str, CountsBundle]:
    """Every distinct input's counts, built (or read) once: ``{options as text: bundle}``."""
    bundles: dict[str, CountsBundle] = {}
    for s in settings:
        options = s.counts_options()
        text = repr(sorted(options.items()))
        if text not in bundles:
            try:
                bundles[text] = load_counts(**options)
            except (DataValidationError, ValueError) as exc:
                raise ReportError(str(exc)) from None
    return bundles


def _check_studies(name: str, settings: Settings, bundle: CountsBundle) -> str | None:
    """Why ``study`` makes a notebook not apply (its input lacks the study), or None; a bad ``crosstab_study`` raises."""
    value = getattr(settings, "crosstab_study", None)
    if value is not None and value not in bundle.study_ids:
        raise ReportError(f"parameter crosstab_study of {name}: {value!r} is not a study of the input "
                          f"(its studies: {', '.join(bundle.study_ids)})")
    study = getattr(settings, "study", None)
    if study is not None and study not in bundle.study_ids:
        return f"study {study} is not in this notebook's input ({bundle.source}: {', '.join(bundle.study_ids)})"
    return None


def _check_study_exists(params: Mapping[str, Any], steps: list[Step], bundles: dict[str, CountsBundle]) -> None:
    """A ``study`` no notebook's input holds is a typo, not a reason to skip every notebook."""
    studies = {getattr(s.settings, "study", None) for s in steps if s.settings is not None} - {None}
    known = {study for bundle in bundles.values() for study in bundle.study_ids}
    for study in sorted(studies - known):
        raise ReportError(f"parameter study: {study!r} is not a study of any notebook's input (studies: "
                          f"{', '.join(sorted(known))})")


def make_plan(notebooks: Any = None, params: Mapping[str, Any] | None = None, out: str | Path = REPORTS_DIR,
              run_id: str | None = None, options: Options = Options(), *, run_name: str | None = None,
              history: Path | None = None, base: str | Path | None = None, lenient: bool = False,
              check_out: bool = True) -> Plan:
    """Check everything a report needs, and build its counts, before anything runs.

    Parameters
    ----------
    notebooks : names or paths, optional
        What to run (default: every ``NN_*.ipynb`` of ``notebooks/``).
    params : mapping, optional
        Parameters: text (from the command line) or typed; each notebook
        gets those it declares.
    out : str or Path
        Parent folder of run folders.
    run_id : str, optional
        Folder name of the run (default: a fresh one).
    options : Options
    run_name : str, optional
        Name of a scheduled run.
    history : Path, optional
        Where earlier runs are looked up (default: ``out``).
    base : str or Path, optional
        Folder relative paths of parameters are taken from (default: the current one).
    lenient : bool, default False
        A scheduled run: a parameter must be declared by some notebook of
        the project, not necessarily by one of this run's.
    check_out : bool, default True
        Check that ``<out>/<run_id>`` does not exist yet.

    Raises
    ------
    ReportError
        Any problem, before anything is created.
    """
    params = dict(params or {})
    sources = select_notebooks(notebooks)
    if not sources:
        raise ReportError("no notebooks to run (none match NN_*.ipynb in notebooks/)")
    declared = [declared_parameters(path) for path in sources]
    every = declared if not lenient else declared + [declared_parameters(p) for p in select_notebooks(None)
                                                     if p not in sources]
    check_known(params, every, lenient)
    jobs = options.jobs
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ReportError(f"jobs must be a whole number >= 1, not {jobs!r}")
    if options.executor not in EXECUTORS:
        raise ReportError(f"executor {options.executor!r} is not known; choose one of: {', '.join(EXECUTORS)}")
    if options.executor == "local" and options.scheduler is not None:
        raise ReportError("a Dask scheduler is only used with --executor dask")
    if not 0 < options.dask_timeout <= 3600:
        raise ReportError(f"--dask-timeout must be between 0 and 3600 seconds, not {options.dask_timeout!r}")
    run_id = new_run_id() if run_id is None else validate_run_id(run_id)
    try:
        out = check_writable(Path(out).expanduser().resolve(), "report folder")
    except DataValidationError as exc:
        raise ReportError(str(exc)) from None
    if check_out:
        for existing in (out / run_id, out / f"{run_id}.failed"):
            if existing.exists():
                raise RunExistsError(f"{existing} already exists; reports are never overwritten: choose another run "
                                     "id (or leave it out for a fresh one)")
    checked = [(d, *notebook_values(d, params, base)) for d in declared]
    bundles = _bundles(s for _, _, s in checked if s is not None)
    if options.executor == "local":
        check_kernel(options.kernel_name)
    versions, inputs, code = package_versions(), input_hashes(), code_hash()
    steps = []
    for d, values, settings in checked:
        name = d.path.stem
        status, reason, key = "run", None, None
        if settings is not None:
            bundle = bundles[repr(sorted(settings.counts_options().items()))]
            key = bundle.key
            try:
                reason = _check_studies(name, settings, bundle) or ANALYSES[settings.notebook].applicable(bundle,
                                                                                                        settings)
            except (DataValidationError, ValueError, ValidationError) as exc:
                text = settings_error(exc, name) if isinstance(exc, ValidationError) else f"{name}: {exc}"
                raise ReportError(text) from None
            status = "not_applicable" if reason else "run"
        ckey = cache_key(d.path, {**values, "counts_key": key}, code=code, inputs=inputs, versions=versions,
                         kernel=options.kernel_name, html=options.html)
        steps.append(Step(d.path, values, settings, status, reason, key, ckey))
    _check_study_exists(params, steps, bundles)
    history = history or out
    previous, why = _comparison(options.compare_to, out, history, run_name)
    plan = Plan(run_id, out, tuple(steps), params, options, run_name, previous, why, versions, inputs)
    return reuse_cached(plan, *dict.fromkeys([history, out]))


def reuse_cached(plan: Plan, *roots: Path) -> Plan:
    """``plan`` with every notebook that an intact complete run under ``roots`` already has marked ``cached``.

    Nothing changes with ``--force``. A scheduled batch calls it again before
    each run, with the batch's own folder, so a later run reuses what an
    earlier run of the same batch computed.
    """
    if plan.options.force:
        return plan
    hits = find_cached({s.name: s.cache_key for s in plan.steps if s.status == "run"}, complete_runs(*roots))
    steps = tuple(replace(s, status="cached", reason=None, hit=hits[s.name]) if s.name in hits else s
                  for s in plan.steps)
    return replace(plan, steps=steps)
