"""Run the analysis notebooks with papermill and write one report per run.

A run executes every selected notebook of ``notebooks/`` (``NN_name.ipynb``)
with papermill, exports each to HTML, and writes ``summary.json`` and
``index.html``. Everything is written into a temporary sibling directory
``<out>/.tmp-<run_id>-<random>/`` that is renamed in one step at the end:

- to ``<out>/<run_id>/`` when every notebook succeeded;
- to ``<out>/<run_id>.failed/`` when any notebook failed. The other
  notebooks still run to the end, and the failing executed notebook (with
  papermill's error cell) is kept for debugging. A failed run never looks
  complete.
- On ``KeyboardInterrupt`` or any unexpected error the temporary directory
  is removed and the exception re-raised; nothing is left behind.

An existing ``<out>/<run_id>`` (or ``.failed``) is never overwritten.

Layout of a run directory::

    <run_id>/
        summary.json
        index.html
        NN_name/
            NN_name.ipynb        executed notebook (papermill)
            NN_name.html         HTML export, code hidden (unless html=False)
            results/*.csv        written by the notebook into its output_dir
            figures/*.png

Paths are built from the package location (:data:`PROJECT_ROOT`), never
from the current working directory; notebooks run with ``cwd=PROJECT_ROOT``.

``summary.json`` (schema version 1)
-----------------------------------
A JSON object with these keys:

``schema_version`` : int
    ``1``.
``run_id`` : str
    The run's id (also the directory name, without ``.failed``).
``status`` : str
    ``"complete"`` (every notebook succeeded) or ``"failed"``.
``started``, ``finished`` : str
    ISO 8601 UTC timestamps of the run.
``kernel`` : str
    Jupyter kernel the notebooks ran on.
``parameters`` : object
    The user's parameters as given (command-line values are strings;
    what each notebook received is in its own entry).
``package_versions`` : object
    Versions of ``python``, ``alignment_stats``, ``numpy``, ``pandas``,
    ``scipy``, ``statsmodels`` and ``papermill`` in the runner's
    environment (``null`` if not installed). The ``alignment-stats`` kernel
    lives in the same environment.
``input_hashes`` : object
    ``{relative path: sha256 hex}`` of every file under
    ``<project>/data/raw/`` (recursively, ``/``-separated paths).
``notebooks`` : array
    One object per notebook, in run order:

    ``name`` : str
        Notebook stem, e.g. ``"01_perception_gap"``; also its folder.
    ``source`` : str
        The notebook that was run (relative to the project when inside it).
    ``status`` : str
        ``"ok"`` or ``"failed"``.
    ``seconds`` : float
        Wall time of execution and HTML export.
    ``error`` : object or null
        ``{"ename": ..., "evalue": ...}``: the exception name and value
        (from papermill's ``PapermillExecutionError`` when a cell raised).
    ``parameters`` : object
        Parameters injected into the notebook, after type conversion
        (``output_dir`` excluded: it is always the notebook's folder).
    ``notebook`` : str
        Executed notebook, relative to the run directory.
    ``html`` : str or null
        HTML export, relative to the run directory.
    ``results`` : array of str
        CSV files the notebook wrote under ``results/`` (relative paths).
    ``figures`` : array of str
        Images it wrote under ``figures/`` (relative paths).
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Union

__all__ = [
    "DEFAULT_KERNEL",
    "EXPECTED_NOTEBOOKS",
    "NOTEBOOK_DIR",
    "PROJECT_ROOT",
    "RAW_DATA_DIR",
    "REPORTS_DIR",
    "SCHEMA_VERSION",
    "KernelNotFoundError",
    "NotebookResult",
    "ReportError",
    "ReportResult",
    "ReportUsageError",
    "RunExistsError",
    "check_kernel",
    "discover_notebooks",
    "new_run_id",
    "run_report",
    "select_notebooks",
    "validate_run_id",
]

#: Project root: the folder holding ``alignment_stats/``, ``notebooks/``, ``data/``.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Where the analysis notebooks live.
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
#: Default parent folder of the run directories.
REPORTS_DIR = PROJECT_ROOT / "reports"
#: Raw inputs whose hashes go into ``summary.json``.
RAW_DATA_DIR = PROJECT_ROOT / "data" / "raw"
#: The analyses DESIGN.md promises; the CLI says which of them exist yet.
EXPECTED_NOTEBOOKS = (
    "00_data_audit",
    "01_perception_gap",
    "02_shared_incentives",
    "03_skills_gap",
    "04_benchmark_comparison",
)
#: Kernel registered by ``make install``.
DEFAULT_KERNEL = "alignment-stats"
SCHEMA_VERSION = 1

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_MAX_RUN_ID = 100
_NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
_FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
_PACKAGES = ("alignment_stats", "numpy", "pandas", "scipy", "statsmodels", "papermill")
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}
#: Seconds for a terminated worker's kernel to notice and exit (ipykernel polls its parent each second).
_KERNEL_EXIT_GRACE = 1.5

ProgressCallback = Callable[[int, int, "NotebookResult"], None]


# --------------------------------------------------------------------------- errors


class ReportError(Exception):
    """A report cannot start: bad notebooks, parameters, run id, kernel or output folder.

    Raised before any notebook runs; nothing is written. The CLI turns it
    into a one-line message and exit code 2.
    """


class ReportUsageError(ReportError, ValueError):
    """Bad arguments: unknown notebook or parameter, unconvertible value, invalid run id."""


class KernelNotFoundError(ReportError, LookupError):
    """The requested Jupyter kernel is not installed."""


class RunExistsError(ReportError, FileExistsError):
    """``<out>/<run_id>`` (or ``<run_id>.failed``) already exists; it is never overwritten."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NotebookResult:
    """Outcome of one notebook in a run.

    Attributes
    ----------
    name : str
        Notebook stem, also its folder in the run directory.
    status : str
        ``"ok"`` or ``"failed"``.
    seconds : float
        Wall time of execution plus HTML export.
    error : str or None
        ``"ename: evalue"`` of the failure, ``None`` when ok.
    results, figures : tuple of str
        Files it wrote, relative to the run directory.
    """

    name: str
    status: str
    seconds: float
    error: str | None = None
    results: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class ReportResult:
    """Outcome of :func:`run_report`.

    Attributes
    ----------
    run_id : str
    path : Path
        Final run directory: ``<out>/<run_id>`` or ``<out>/<run_id>.failed``.
    status : str
        ``"complete"`` or ``"failed"``.
    notebooks : tuple of NotebookResult
        In run order.
    """

    run_id: str
    path: Path
    status: str
    notebooks: tuple[NotebookResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status == "complete"

    @property
    def index(self) -> Path:
        """The run's ``index.html``."""
        return self.path / "index.html"

    @property
    def summary(self) -> Path:
        """The run's ``summary.json``."""
        return self.path / "summary.json"


# --------------------------------------------------------------------------- notebooks


def discover_notebooks(notebook_dir: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """Analysis notebooks ``NN_*.ipynb`` in ``notebook_dir``, sorted by name.

    Checkpoints (``.ipynb_checkpoints/``, ``*-checkpoint.ipynb``) and hidden
    files are skipped; a missing folder gives an empty list.
    """
    folder = Path(notebook_dir)
    if not folder.is_dir():
        return []
    return sorted(
        path.resolve()
        for path in folder.glob(_NOTEBOOK_GLOB)
        if path.is_file() and not path.stem.endswith("-checkpoint")
    )


def select_notebooks(
    notebooks: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    notebook_dir: str | Path | None = None,
) -> list[Path]:
    """Resolve notebook names or paths to ``.ipynb`` files, in reading order.

    Parameters
    ----------
    notebooks : names or paths, optional
        ``None`` selects every notebook of ``notebook_dir``. A name is a
        notebook stem (``01_perception_gap``), its number (``01``) or its
        stem without the number (``perception_gap``); a path (anything
        ending in ``.ipynb`` or holding a path separator) names a file.
    notebook_dir : str or Path, optional
        Defaults to :data:`NOTEBOOK_DIR`.

    Raises
    ------
    ReportUsageError
        Unknown name (listing the available ones), missing file, two
        notebooks with the same stem, or a stem that is not a safe folder name.
    """
    folder = Path(notebook_dir) if notebook_dir is not None else NOTEBOOK_DIR
    available = discover_notebooks(folder)
    if notebooks is None:
        chosen = available
    else:
        if isinstance(notebooks, (str, os.PathLike)):
            notebooks = [notebooks]
        chosen = []
        for item in notebooks:
            text = os.fspath(item)
            if isinstance(item, os.PathLike) or text.endswith(".ipynb") or "/" in text or os.sep in text:
                path = Path(text).expanduser().resolve()
                if not path.is_file():
                    raise ReportUsageError(f"notebook {text}: no such file")
                chosen.append(path)
                continue
            matches = [
                p for p in available
                if text in (p.stem, p.stem[:2]) or p.stem.partition("_")[2] == text
            ]
            if len(matches) != 1:
                known = ", ".join(p.stem for p in available) or f"none in {folder}"
                problem = "is ambiguous" if matches else "is not a notebook"
                raise ReportUsageError(f"notebook {text!r} {problem}; available: {known}")
            chosen.append(matches[0])
    unique = sorted(dict.fromkeys(chosen), key=lambda p: (p.stem, str(p)))
    seen: dict[str, Path] = {}
    for path in unique:
        if not _SAFE_NAME.fullmatch(path.stem):
            raise ReportUsageError(
                f"notebook {path.name}: its name becomes a folder and a link, so use only "
                "letters, digits, '.', '_' and '-' (not starting with '.' or '-')"
            )
        if path.stem in seen:
            raise ReportUsageError(f"two notebooks named {path.stem}: {seen[path.stem]} and {path}")
        seen[path.stem] = path
    return unique


# --------------------------------------------------------------------------- run ids


def new_run_id() -> str:
    """A fresh run id: UTC time ``YYYYMMDDTHHMMSSZ`` plus a random suffix.

    >>> bool(re.fullmatch(r"\\d{8}T\\d{6}Z-[0-9a-f]{6}", new_run_id()))
    True
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def validate_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is a safe folder name, else raise.

    Allowed: letters, digits, ``.``, ``_``, ``-``; not starting with ``.`` or ``-``,
    not ending in ``.failed`` (reserved for failed runs), at most 100 characters.

    >>> validate_run_id("2024-wave2")
    '2024-wave2'
    >>> validate_run_id("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    alignment_stats.report.ReportUsageError: run id '../x' is not allowed: use only letters, ...
    """
    if (
        not isinstance(run_id, str)
        or not _SAFE_NAME.fullmatch(run_id)
        or len(run_id) > _MAX_RUN_ID
    ):
        raise ReportUsageError(
            f"run id {run_id!r} is not allowed: use only letters, digits, '.', '_' and '-', "
            f"not starting with '.' or '-' (at most {_MAX_RUN_ID} characters)"
        )
    if run_id.endswith(".failed"):
        raise ReportUsageError(f"run id {run_id!r} is not allowed: '.failed' marks failed runs")
    return run_id


# --------------------------------------------------------------------------- kernel


def check_kernel(kernel_name: str) -> None:
    """Raise :class:`KernelNotFoundError` unless Jupyter knows ``kernel_name``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(kernel_name)
    except NoSuchKernel:
        installed = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise KernelNotFoundError(
            f"Jupyter kernel {kernel_name!r} is not installed; run `make install` to register "
            f"it, or choose another kernel (--kernel NAME; installed: {installed})"
        ) from None


# --------------------------------------------------------------------------- parameters


_TYPE_NAMES: dict[str, type] = {
    "int": int, "float": float, "bool": bool, "str": str, "list": list, "dict": dict, "tuple": tuple,
}
# "int", "int | None", "None | int", "Optional[int]", optionally after "type:"; for a
# comment it must be followed by ":" or end the comment ("# int | None: decimals ...").
_TYPE_TEXT = re.compile(
    r"\s*(?:type:\s*)?(?:Optional\[\s*(?P<opt>\w+)\s*\]|None\s*\|\s*(?P<rev>\w+)|"
    r"(?P<name>\w+)(?P<none>\s*\|\s*None)?)\s*(?P<end>:|$)"
)
_UNKNOWN = object()


@dataclass(frozen=True)
class _Param:
    """A parameter declared in a notebook's ``parameters`` cell."""

    name: str
    default: str  # source text of the default, for messages
    kind: type | None  # type strings are converted to; None = keep strings
    nullable: bool  # the text "None" means None


def _type_from_text(text: str | None) -> tuple[type | None, bool]:
    """(type, admits None) from an annotation or a leading type in a comment."""
    match = _TYPE_TEXT.match(text or "")
    if match is None:
        return None, False
    name = match["opt"] or match["rev"] or match["name"]
    if name == "None":
        return None, True
    return _TYPE_NAMES.get(name), bool(match["opt"] or match["rev"] or match["none"])


def _make_param(name: str, default_text: str, default: Any, type_text: str | None) -> _Param:
    hinted, nullable = _type_from_text(type_text)
    if default is None:
        return _Param(name, default_text, hinted, True)
    if default is _UNKNOWN:
        return _Param(name, default_text, hinted, nullable)
    return _Param(name, default_text, type(default), nullable)


def _literal(text: str | ast.expr) -> Any:
    """The value of a Python literal (source or node), else ``_UNKNOWN``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. "0.05if" from user text
            return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _UNKNOWN


def _parse_parameters_cell(source: str) -> dict[str, _Param]:
    """Top-level assignments of a Python ``parameters`` cell, with trailing-comment types.

    papermill's own introspection skips any line with a second ``=``, even in
    a comment (``x = None  # None = bundled data``); parsing the code does not.
    Raises SyntaxError for code ``ast`` cannot read.
    """
    import io
    import tokenize

    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)  # %magics → Python
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        pass
    tree = ast.parse(source)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    params: dict[str, _Param] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, annotation = node.targets, None
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, annotation = [node.target], ast.unparse(node.annotation)
        else:
            continue
        value = node.value
        text = ast.get_source_segment(source, value) or ast.unparse(value)
        hint = annotation if annotation is not None else comments.get(node.end_lineno or node.lineno)
        for target in targets:
            if isinstance(target, ast.Name):
                params[target.id] = _make_param(target.id, text, _literal(value), hint)
    return params


def _declared_parameters(path: Path) -> dict[str, _Param]:
    """Parameters a notebook declares; raises ReportUsageError when it cannot be read."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable
        raise ReportUsageError(f"notebook {path.name} cannot be read: {exc}") from None
    cell = next(
        (c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", ())),
        None,
    )
    if cell is None:
        raise ReportUsageError(
            f"notebook {path.name} has no cell tagged 'parameters'; every analysis notebook "
            "declares its parameters (at least output_dir) in one"
        )
    try:
        declared = _parse_parameters_cell(cell.source)
    except SyntaxError:  # not plain Python: fall back to papermill's line-based inspection
        import papermill

        try:
            found = papermill.inspect_notebook(str(path))
        except Exception as exc:
            raise ReportUsageError(f"notebook {path.name} cannot be inspected: {exc}") from None
        declared = {
            name: _make_param(name, spec["default"], _literal(spec["default"]),
                              None if spec["inferred_type_name"] == "None" else spec["inferred_type_name"])
            for name, spec in found.items()
        }
    if "output_dir" not in declared:
        raise ReportUsageError(
            f"notebook {path.name} has no output_dir in its 'parameters' cell; every analysis "
            "notebook must declare output_dir and write its results/ and figures/ there"
        )
    return declared


def _convert(value: Any, param: _Param, notebook: str) -> Any:
    """Convert a command-line string to the parameter's declared type."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if param.nullable and text == "None":
        return None
    target = param.kind
    if target is None or target is str:
        return value
    where = f"(the default in {notebook} is {param.default})"
    name = param.name
    if target is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ReportUsageError(f"parameter {name}: {value!r} is not true/false {where}")
    if target in (int, float):
        try:
            return target(text)
        except ValueError:
            kind = "an integer" if target is int else "a number"
            raise ReportUsageError(f"parameter {name}: {value!r} is not {kind} {where}") from None
    parsed = _literal(text)
    if isinstance(parsed, target):
        return parsed
    raise ReportUsageError(
        f"parameter {name}: {value!r} is not a Python {target.__name__} literal {where}"
    )


@dataclass(frozen=True)
class _Task:
    """One notebook to run; picklable for worker processes."""

    name: str
    source: str
    parameters: dict[str, Any]
    run_dir: str
    kernel_name: str
    html: bool
    cwd: str


@dataclass(frozen=True)
class _Outcome:
    name: str
    seconds: float
    ename: str | None = None
    evalue: str | None = None


def _plan(sources: list[Path], params: Mapping[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
    """Each notebook with the (converted) user parameters it declares; validates all first."""
    if "output_dir" in params:
        raise ReportUsageError(
            "parameter output_dir is set by the report runner (each notebook writes into its "
            "own folder of the run); choose the report folder with --out / out= instead"
        )
    declared = {path: _declared_parameters(path) for path in sources}
    known = sorted({name for d in declared.values() for name in d} - {"output_dir"})
    for name in params:
        if not any(name in d for d in declared.values()):
            raise ReportUsageError(
                f"unknown parameter {name!r}: no selected notebook declares it; "
                f"known parameters: {', '.join(known) or 'none besides output_dir'}"
            )
    return [
        (
            path,
            {
                name: _convert(value, declared[path][name], path.name)
                for name, value in params.items()
                if name in declared[path]
            },
        )
        for path in sources
    ]


# --------------------------------------------------------------------------- execution


class _QuietPapermill(logging.Filter):
    """Drop papermill's introspection warnings: the runner parses parameters itself.

    (papermill warns "Unable to parse line" for any line with a second ``=``
    and then "Passed unknown parameter" for parameters it could not see.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("Unable to parse line", "Passed unknown parameter"))


_QUIET_PAPERMILL = _QuietPapermill()


def _execute_notebook(task: _Task) -> _Outcome:
    """Run one notebook (and export it to HTML); failures become the outcome, not exceptions.

    Runs in the caller's process (jobs=1) or in a worker process.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .html import export_notebook_html

    for logger_name in ("papermill", "papermill.translators"):
        logging.getLogger(logger_name).addFilter(_QUIET_PAPERMILL)  # idempotent

    start = time.perf_counter()
    folder = Path(task.run_dir) / task.name
    folder.mkdir(exist_ok=True)
    executed = folder / f"{task.name}.ipynb"
    ename = evalue = None
    try:
        papermill.execute_notebook(
            task.source,
            str(executed),
            parameters={**task.parameters, "output_dir": str(folder)},
            kernel_name=task.kernel_name,
            cwd=task.cwd,
            progress_bar=False,
        )
    except PapermillExecutionError as exc:
        ename, evalue = exc.ename, exc.evalue
    except Exception as exc:  # kernel died or would not start, unreadable notebook, ...
        ename, evalue = type(exc).__name__, str(exc)
    if task.html and executed.is_file():
        try:
            export_notebook_html(executed, folder / f"{task.name}.html")
        except Exception as exc:
            if ename is None:
                ename, evalue = "HTMLExportError", f"{type(exc).__name__}: {exc}"
    return _Outcome(task.name, time.perf_counter() - start, ename, evalue)


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it
    # (terminates the workers and removes the temporary directory).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Progress:
    """tqdm bar on a terminal, plain log lines otherwise, a callback, or silence."""

    def __init__(self, total: int, progress: bool | ProgressCallback | None, intro: str):
        self.total, self.done = total, 0
        self.callback = progress if callable(progress) else None
        self.quiet = progress is False or self.callback is not None
        self.bar = None
        if self.quiet:
            return
        print(intro, file=sys.stderr, flush=True)
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="notebook", file=sys.stderr, desc="report")

    def update(self, result: NotebookResult) -> None:
        self.done += 1
        if self.callback is not None:
            self.callback(self.done, self.total, result)
            return
        if self.quiet:
            return
        word = "ok" if result.ok else "FAILED"
        line = f"[{self.done}/{self.total}] {result.name} ... {word} ({result.seconds:.1f} s)"
        if result.error:
            line += f": {result.error}"
        if self.bar is not None:
            self.bar.set_postfix_str(f"{result.name} {word}", refresh=False)
            self.bar.update(1)
            if not result.ok:
                self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _result(outcome: _Outcome, run_dir: Path) -> NotebookResult:
    folder = run_dir / outcome.name

    def found(sub: str, suffixes: tuple[str, ...]) -> tuple[str, ...]:
        base = folder / sub
        if not base.is_dir():
            return ()
        return tuple(
            sorted(
                p.relative_to(run_dir).as_posix()
                for p in base.rglob("*")
                if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
            )
        )

    error = None
    if outcome.ename is not None:
        error = f"{outcome.ename}: {outcome.evalue}" if outcome.evalue else outcome.ename
    return NotebookResult(
        name=outcome.name,
        status="ok" if error is None else "failed",
        seconds=round(outcome.seconds, 3),
        error=error,
        results=found("results", (".csv",)),
        figures=found("figures", _FIGURE_SUFFIXES),
    )


def _run_sequential(tasks: list[_Task], feedback: _Progress, run_dir: Path) -> dict[str, _Outcome]:
    outcomes = {}
    for task in tasks:
        outcome = _execute_notebook(task)
        outcomes[task.name] = outcome
        feedback.update(_result(outcome, run_dir))
    return outcomes


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Cancel pending work and terminate the workers, then let their kernels exit.

    ``ProcessPoolExecutor`` has no public way to stop running tasks before
    Python 3.14, hence ``_processes``. A terminated worker's kernel exits on
    its own within about a second (ipykernel polls its parent process), so
    we wait that long before the caller removes the temporary directory.
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    alive = [p for p in processes if p.is_alive()]
    for process in alive:
        process.terminate()
    for process in alive:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
    if alive:
        time.sleep(_KERNEL_EXIT_GRACE)


def _run_parallel(
    tasks: list[_Task], workers: int, feedback: _Progress, run_dir: Path
) -> dict[str, _Outcome]:
    """Run tasks in ``workers`` worker processes (spawned: safe with threads, same on every OS)."""
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
    )
    outcomes: dict[str, _Outcome] = {}
    try:
        pending: dict[Future[_Outcome], _Task] = {executor.submit(_execute_notebook, t): t for t in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f].name):
                task = pending.pop(future)
                exc = future.exception()
                if exc is None:
                    outcome = future.result()
                else:  # the worker process died (e.g. out of memory): a failure of this notebook
                    outcome = _Outcome(task.name, 0.0, type(exc).__name__, str(exc) or repr(exc))
                outcomes[task.name] = outcome
                feedback.update(_result(outcome, run_dir))
    except BaseException:
        _stop_workers(executor)
        raise
    executor.shutdown(wait=True)
    return outcomes


# --------------------------------------------------------------------------- summary


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _input_hashes(raw_dir: Path) -> dict[str, str]:
    hashes = {}
    if raw_dir.is_dir():
        for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            hashes[path.relative_to(raw_dir).as_posix()] = digest.hexdigest()
    return hashes


def _display_path(path: Path) -> str:
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _make_tmp_dir(out: Path, run_id: str) -> Path:
    """Create ``out/.tmp-<run_id>-<random>`` (umask permissions, unlike mkdtemp's 0700)."""
    while True:
        candidate = out / f".tmp-{run_id}-{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


# --------------------------------------------------------------------------- run_report


Params = Mapping[str, Any]
NotebookSpec = Union[Iterable[Union[str, os.PathLike]], str, os.PathLike, None]


def run_report(
    notebooks: NotebookSpec = None,
    params: Params | None = None,
    out: str | Path = REPORTS_DIR,
    run_id: str | None = None,
    html: bool = True,
    jobs: int | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    progress: bool | ProgressCallback | None = None,
) -> ReportResult:
    """Run analysis notebooks with papermill and write a report directory.

    Parameters
    ----------
    notebooks : names or paths, optional
        What to run (see :func:`select_notebooks`); default every
        ``NN_*.ipynb`` in :data:`NOTEBOOK_DIR`.
    params : mapping, optional
        Notebook parameters. Each notebook gets those its ``parameters``
        cell declares; a name no selected notebook declares is an error.
        String values (as from the command line) are converted to the type
        of the notebook's default (int, float, bool, str, list, ...). For a
        ``None`` default the type comes from an annotation (``n: int = None``)
        or a leading type in the comment (``n = None  # int | None: ...``),
        else the string is kept; ``"None"`` gives None when the parameter
        admits it. ``output_dir`` is reserved: the runner sets it to the
        notebook's folder in the run directory.
    out : str or Path, default :data:`REPORTS_DIR`
        Parent folder of run directories (created if missing).
    run_id : str, optional
        Folder name of this run; default :func:`new_run_id`. Validated by
        :func:`validate_run_id`; an existing run is never overwritten.
    html : bool, default True
        Export each executed notebook to HTML (code hidden).
    jobs : int, optional
        Notebooks run at once (default ``os.cpu_count()``); 1 runs them one
        after the other in this process.
    kernel_name : str, default "alignment-stats"
        Jupyter kernel to execute on (``make install`` registers it).
    progress : bool or callable, optional
        ``None``: a tqdm bar when stderr is a terminal, log lines
        (``[1/4] 00_data_audit ... ok (3.2 s)``) otherwise, and a final line
        on stdout saying where the report is. ``False``: silent. A callable
        ``f(done, total, NotebookResult)`` is called as each notebook
        finishes (and nothing is printed).

    Returns
    -------
    ReportResult
        ``status`` is ``"complete"`` or ``"failed"``; ``path`` is the final
        directory (``<out>/<run_id>`` or ``<out>/<run_id>.failed``).

    Raises
    ------
    ReportError
        Before anything runs: unknown notebook or parameter
        (:class:`ReportUsageError`, also a ``ValueError``), unconvertible
        value, invalid run id, missing kernel (:class:`KernelNotFoundError`),
        existing run (:class:`RunExistsError`).
    KeyboardInterrupt
        Re-raised after stopping the notebooks and removing the temporary
        directory.
    """
    params = dict(params or {})
    sources = select_notebooks(notebooks)
    if not sources:
        raise ReportUsageError(f"no notebooks to run (none match {_NOTEBOOK_GLOB} in {NOTEBOOK_DIR})")
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ReportUsageError(f"jobs must be a whole number >= 1, not {jobs!r}")
    run_id = new_run_id() if run_id is None else validate_run_id(run_id)
    plan = _plan(sources, params)
    check_kernel(kernel_name)

    out = Path(out).expanduser().resolve()
    final, failed = out / run_id, out / f"{run_id}.failed"
    for existing in (final, failed):
        if existing.exists():
            raise RunExistsError(
                f"{existing} already exists; reports are never overwritten: choose another "
                "run id (or leave it out for a fresh one)"
            )
    workers = min(jobs, len(plan))
    intro = (
        f"Running {len(plan)} notebook{'s' if len(plan) != 1 else ''} "
        f"(kernel {kernel_name}, {workers} at a time) for run {run_id}"
    )
    if notebooks is None:  # everything that exists: say which promised analyses do not yet
        names = [path.stem for path, _ in plan]
        missing = [name for name in EXPECTED_NOTEBOOKS if name not in names]
        if missing:
            intro = (
                f"Note: running the analyses that exist ({', '.join(names)}); "
                f"not there yet: {', '.join(missing)}.\n{intro}"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = _make_tmp_dir(out, run_id)
    except OSError as exc:
        raise ReportError(f"cannot write reports to {out}: {exc.strerror or exc}") from None

    feedback: _Progress | None = None
    try:
        started = _now()
        versions, inputs = _package_versions(), _input_hashes(RAW_DATA_DIR)
        tasks = [
            _Task(path.stem, str(path), values, str(tmp), kernel_name, html, str(PROJECT_ROOT))
            for path, values in plan
        ]
        feedback = _Progress(len(tasks), progress, intro)
        if workers == 1:
            outcomes = _run_sequential(tasks, feedback, tmp)
        else:
            outcomes = _run_parallel(tasks, workers, feedback, tmp)
        feedback.close()
        results = tuple(_result(outcomes[task.name], tmp) for task in tasks)
        status = "complete" if all(r.ok for r in results) else "failed"
        summary = {
            "schema_version": SCHEMA_VERSION,
            "run_id": run_id,
            "status": status,
            "started": started,
            "finished": _now(),
            "kernel": kernel_name,
            "parameters": params,
            "package_versions": versions,
            "input_hashes": inputs,
            "notebooks": [
                _notebook_entry(path, values, result, outcomes[result.name], tmp)
                for (path, values), result in zip(plan, results)
            ],
        }
        text = json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n"
        (tmp / "summary.json").write_text(text, encoding="utf-8")
        from .html import write_index

        write_index(tmp, summary)
        target = final if status == "complete" else failed
        if final.exists() or failed.exists():  # a concurrent run with the same id finished first
            raise RunExistsError(f"{target} appeared while this run was running; not overwriting it")
        os.rename(tmp, target)  # atomic: the run appears complete (or .failed) in one step
    except BaseException:
        if feedback is not None:
            feedback.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    report = ReportResult(run_id=run_id, path=target, status=status, notebooks=results)
    if progress is None:
        if report.ok:
            print(f"Report complete: {report.index}", flush=True)
        else:
            bad = sum(1 for r in results if not r.ok)
            print(
                f"Report FAILED ({bad} of {len(results)} notebooks failed): {report.index}",
                flush=True,
            )
    return report


def _notebook_entry(
    path: Path, values: dict[str, Any], result: NotebookResult, outcome: _Outcome, run_dir: Path
) -> dict[str, Any]:
    """One notebook's object in ``summary.json``."""
    html_file = f"{result.name}/{result.name}.html"
    return {
        "name": result.name,
        "source": _display_path(path),
        "status": result.status,
        "seconds": result.seconds,
        "error": None if outcome.ename is None else {"ename": outcome.ename, "evalue": outcome.evalue},
        "parameters": values,
        "notebook": f"{result.name}/{result.name}.ipynb",
        "html": html_file if (run_dir / html_file).is_file() else None,
        "results": list(result.results),
        "figures": list(result.figures),
    }
