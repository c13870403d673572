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

Execution
---------
``executor="local"`` (default) runs the notebooks in threads of this process
on *warm kernels* (:mod:`alignment_stats.engine`): kernels are started as
soon as the run is planned, import the heavy modules before the first
notebook arrives and are reset between notebooks; HTML is exported in this
process. ``executor="dask"`` submits each notebook as a task to a Dask
distributed cluster (``scheduler=ADDRESS``); the workers must see the same
file system paths (the run's temporary folder and the project).

Unchanged notebooks are not executed again: each notebook's *cache key*
(a sha256 of the notebook file, the package's source files, ``data/raw/``,
any file a parameter names, the parameters, the package versions, the
kernel and the HTML option) is looked up in earlier complete runs under
``out``; a hit links (or copies) that run's folder for the notebook into the
new run. ``force=True`` executes everything.

When an earlier complete run exists (``compare_to="auto"``) or one is given,
the run's index shows what changed since (:mod:`alignment_stats.diff`).

``summary.json`` (schema version 2)
-----------------------------------
Version 1 keys, unchanged: ``schema_version``, ``run_id``, ``status``,
``started``, ``finished``, ``kernel``, ``parameters``, ``package_versions``,
``input_hashes``, ``notebooks`` (each: ``name``, ``source``, ``status``,
``seconds``, ``error``, ``parameters``, ``notebook``, ``html``, ``results``,
``figures``). Added in version 2: ``run_name``, ``executor``, ``cache``,
``comparison`` and, per notebook, ``cache_key``, ``cached_from`` and
``kernel_stderr``. docs/reports.md documents every key.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import math
import os
import platform
import re
import secrets
import shutil
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Union

__all__ = [
    "DEFAULT_KERNEL",
    "EXECUTORS",
    "EXPECTED_NOTEBOOKS",
    "PARAMETER_RULES",
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
    "check_parameter",
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
SCHEMA_VERSION = 2
#: Where notebooks can run: threads of this process on warm kernels, or a Dask cluster.
EXECUTORS = ("local", "dask")
#: Package source whose hash is part of every cache key.
PACKAGE_DIR = Path(__file__).resolve().parent

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_MAX_RUN_ID = 100
_NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
_FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
_PACKAGES = (
    "alignment_stats", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn",
    "papermill", "nbconvert",
)
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}
#: Seconds to wait for notebook threads after their kernels were killed (Ctrl-C).
_THREAD_EXIT_GRACE = 30.0
_CACHE_KEY_VERSION = 1

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
    cached_from : str or None
        The earlier run (relative to ``out``) whose outputs were reused
        because nothing the notebook depends on changed; ``None`` if it ran.
    """

    name: str
    status: str
    seconds: float
    error: str | None = None
    results: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    cached_from: str | None = None

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
    compared_with : Path or None
        The earlier run the index compares with.
    """

    run_id: str
    path: Path
    status: str
    notebooks: tuple[NotebookResult, ...] = field(default_factory=tuple)
    compared_with: Path | None = None

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


def _read_notebook_json(path: Path) -> dict[str, Any]:
    """A notebook as JSON (nbformat 4), without importing nbformat (slow to import)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
            raise ValueError("not an nbformat 4 notebook")
        return nb
    except (OSError, ValueError, UnicodeDecodeError):
        import nbformat  # older formats, or a proper error message

        try:
            return dict(nbformat.read(str(path), as_version=4))
        except Exception as exc:  # not JSON, not a notebook, unreadable
            raise ReportUsageError(f"notebook {path.name} cannot be read: {exc}") from None


def _cell_source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _declared_parameters(path: Path) -> dict[str, _Param]:
    """Parameters a notebook declares; raises ReportUsageError when it cannot be read."""
    nb = _read_notebook_json(path)
    cell = next(
        (
            c for c in nb["cells"]
            if isinstance(c, dict) and c.get("cell_type") == "code"
            and "parameters" in ((c.get("metadata") or {}).get("tags") or ())
        ),
        None,
    )
    if cell is None:
        raise ReportUsageError(
            f"notebook {path.name} has no cell tagged 'parameters'; every analysis notebook "
            "declares its parameters (at least output_dir) in one"
        )
    try:
        declared = _parse_parameters_cell(_cell_source(cell))
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


def _check_type(value: Any, param: _Param, notebook: str) -> Any:
    """A typed value (e.g. from runs.yaml) must fit the parameter's declared type."""
    target = param.kind
    if value is None:
        if param.nullable or target is None:
            return None
        raise ReportUsageError(
            f"parameter {param.name}: None is not allowed (the default in {notebook} is {param.default})"
        )
    if target is None or isinstance(value, bool) and target is bool:
        return value
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if target in (list, tuple) and isinstance(value, (list, tuple)):
        return target(value)
    if isinstance(value, target) and not (isinstance(value, bool) and target is not bool):
        return value
    raise ReportUsageError(
        f"parameter {param.name}: {value!r} is not {_TYPE_WORDS.get(target, 'a ' + target.__name__)} "
        f"(the default in {notebook} is {param.default})"
    )


_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true/false", str: "text", list: "a list",
               dict: "a mapping", tuple: "a tuple"}


def _convert(value: Any, param: _Param, notebook: str) -> Any:
    """Convert a command-line string to the parameter's declared type."""
    if not isinstance(value, str):
        return _check_type(value, param, notebook)
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


# --------------------------------------------------------------------------- parameter rules


def _names(module: str, attribute: str, extra: tuple[str, ...] = ()) -> Callable[[], tuple[str, ...]]:
    """Known names from ``alignment_stats.<module>.<attribute>``, imported when first needed."""

    def load() -> tuple[str, ...]:
        import importlib

        values = tuple(getattr(importlib.import_module(f"alignment_stats.{module}"), attribute))
        return values + tuple(x for x in extra if x not in values)

    load.__qualname__ = f"{module}.{attribute}"
    return load


def _bundled_study_ids() -> tuple[str, ...]:
    from .data import load_studies

    return tuple(load_studies())


@dataclass(frozen=True)
class ParameterRule:
    """What values a notebook parameter accepts (beyond its declared type).

    ``kind`` is ``"number"`` (``low``/``high`` bounds, open unless
    ``closed`` says which ends are included), ``"integer"`` (same bounds),
    ``"choice"`` (``choices()`` lists the known names), ``"study"`` (a
    study id of the bundled ``studies.yaml``; checked only when the notebook
    reads the bundled data, i.e. no ``input``/``studies``/``codebook`` is
    given) or ``"file"`` (an existing file; relative paths are relative to
    the project root). ``None`` is always left to the notebook's own type
    (``str | None``).
    """

    kind: str
    low: float | None = None
    high: float | None = None
    closed: str = ""  # "low", "high" or "both": which bounds are allowed values
    choices: Callable[[], tuple[str, ...]] | None = None

    def check(self, name: str, value: Any, where: str = "") -> None:
        """Raise :class:`ReportUsageError` naming ``name`` when ``value`` breaks the rule."""
        if value is None:
            return
        suffix = f" ({where})" if where else ""
        if self.kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                self.kind == "integer" and not float(value).is_integer()
            ) or not math.isfinite(float(value)):
                word = "an integer" if self.kind == "integer" else "a number"
                raise ReportUsageError(f"parameter {name}: {value!r} is not {word}{suffix}")
            low_ok = self.low is None or (value >= self.low if self.closed in ("low", "both") else value > self.low)
            high_ok = self.high is None or (value <= self.high if self.closed in ("high", "both") else value < self.high)
            if not (low_ok and high_ok):
                raise ReportUsageError(f"parameter {name}: {value!r} is out of range; {self.describe()}{suffix}")
        elif self.kind in ("choice", "study"):
            known = (self.choices or _bundled_study_ids)()
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                if item not in known:
                    what = "study id" if self.kind == "study" else "value"
                    raise ReportUsageError(
                        f"parameter {name}: {item!r} is not a known {what}{suffix}; known: {', '.join(known)}"
                    )
        elif self.kind == "file":
            path = Path(str(value)).expanduser()
            path = path if path.is_absolute() else PROJECT_ROOT / path
            if not path.is_file():
                raise ReportUsageError(f"parameter {name}: {value!r} is not a file ({path} does not exist){suffix}")

    def describe(self) -> str:
        """The rule in words, e.g. ``must be > 0 and < 0.5``."""
        if self.kind in ("number", "integer"):
            parts = []
            if self.low is not None:
                parts.append(f"{'>=' if self.closed in ('low', 'both') else '>'} {self.low:g}")
            if self.high is not None:
                parts.append(f"{'<=' if self.closed in ('high', 'both') else '<'} {self.high:g}")
            kind = "an integer" if self.kind == "integer" else "a number"
            return f"must be {kind} " + " and ".join(parts) if parts else f"must be {kind}"
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices()) if self.choices else "a known name"
        if self.kind == "study":
            return "a study id of data/raw/studies.yaml"
        return "an existing file"


_STUDY = ParameterRule("study")
_FILE = ParameterRule("file")

#: The known parameter rules, by parameter name, for every notebook that
#: declares the parameter. Name lists come from the modules that define them
#: (imported only when such a parameter is given).
PARAMETER_RULES: dict[str, ParameterRule] = {
    "alpha": ParameterRule("number", 0, 0.5),
    "power": ParameterRule("number", 0, 1),
    "margin": ParameterRule("number", 0, 1),
    "design_effect": ParameterRule("number", 1, None, closed="low"),
    "assumed_n": ParameterRule("integer", 1, None, closed="low"),
    "max_missing": ParameterRule("integer", 0, None, closed="low"),
    "decimals": ParameterRule("integer", 0, 6, closed="both"),
    "grid_reach": ParameterRule("integer", 0, None, closed="low"),
    "seed": ParameterRule("integer", 0, None, closed="low"),
    "ci": ParameterRule("choice", choices=_names("proportions", "CI_METHODS")),
    "test": ParameterRule("choice", choices=_names("proportions", "TEST_METHODS")),
    "adjust": ParameterRule("choice", choices=_names("proportions", "ADJUST_METHODS")),
    "rounding": ParameterRule("choice", choices=_names("reconstruct", "ROUNDING_RULES", ("unknown",))),
    "convention": ParameterRule("choice", choices=_names("crosstab", "CONVENTIONS")),
    "study": _STUDY,
    "crosstab_study": _STUDY,
    "benchmark_study": _STUDY,
    "input": _FILE,
    "codebook": _FILE,
    "studies": _FILE,
}

#: Rules that differ for one notebook: ``(notebook name without its number, parameter)``.
NOTEBOOK_PARAMETER_RULES: dict[tuple[str, str], ParameterRule] = {
    ("skills_gap", "ci"): ParameterRule("choice", choices=_names("paired", "PAIRED_CI_METHODS")),
}

#: Parameters that switch a notebook away from the bundled studies (study ids are then its own).
_OWN_DATA = ("input", "studies", "codebook")
#: Study parameters that always refer to the bundled studies.
_BUNDLED_STUDY_PARAMETERS = ("benchmark_study",)


def check_parameter(name: str, value: Any, notebook: str | None = None,
                    given: Mapping[str, Any] | None = None) -> None:
    """Check one parameter value against :data:`PARAMETER_RULES`.

    Parameters
    ----------
    name, value
        The parameter and its (converted) value.
    notebook : str, optional
        Notebook stem; selects notebook-specific rules and is named in errors.
    given : mapping, optional
        All values this notebook gets: study ids are checked only when it
        reads the bundled studies (none of ``input``, ``studies``,
        ``codebook`` is given).

    Raises
    ------
    ReportUsageError
        The value breaks the rule; the message names the parameter, e.g.
        ``parameter alpha: 0.7 is out of range; must be a number > 0 and < 0.5``.

    Examples
    --------
    >>> check_parameter("alpha", 0.01)
    >>> check_parameter("alpha", 0.5)
    Traceback (most recent call last):
    ...
    alignment_stats.report.ReportUsageError: parameter alpha: 0.5 is out of range; must be a number > 0 and < 0.5
    """
    short = notebook.partition("_")[2] if notebook and notebook[:2].isdigit() else notebook
    rule = NOTEBOOK_PARAMETER_RULES.get((short or "", name)) or PARAMETER_RULES.get(name)
    if rule is None:
        return
    if rule.kind == "study" and name not in _BUNDLED_STUDY_PARAMETERS and given is not None and any(
        given.get(key) is not None for key in _OWN_DATA
    ):
        return
    rule.check(name, value, f"in {notebook}" if notebook else "")


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
    kernel_stderr: str | None = None
    cached_from: dict[str, Any] | None = None


def _plan(
    sources: list[Path], params: Mapping[str, Any], lenient: bool = False
) -> list[tuple[Path, dict[str, Any]]]:
    """Each notebook with the (converted, checked) user parameters it declares; validates all first.

    A parameter no selected notebook declares is an error, unless
    ``lenient`` (scheduled runs: a run's notebooks get only what they
    declare), where it only has to be declared by some notebook of
    :data:`NOTEBOOK_DIR` (a typo is still caught).
    """
    if "output_dir" in params:
        raise ReportUsageError(
            "parameter output_dir is set by the report runner (each notebook writes into its "
            "own folder of the run); choose the report folder with --out / out= instead"
        )
    declared = {path: _declared_parameters(path) for path in sources}
    known = {name for d in declared.values() for name in d} - {"output_dir"}
    if lenient:
        for path in discover_notebooks(NOTEBOOK_DIR):
            if path not in declared:
                try:
                    known |= set(_declared_parameters(path)) - {"output_dir"}
                except ReportUsageError:
                    continue
    for name in params:
        if name not in known:
            where = "no notebook" if lenient else "no selected notebook"
            raise ReportUsageError(
                f"unknown parameter {name!r}: {where} declares it; "
                f"known parameters: {', '.join(sorted(known)) or 'none besides output_dir'}"
            )
    plan = []
    for path in sources:
        values = {
            name: _convert(value, declared[path][name], path.name)
            for name, value in params.items()
            if name in declared[path]
        }
        if "input" in values and "codebook" in declared[path] and "codebook" not in params:
            # An input given without a codebook is published figures or a counts
            # table: never pair it with a notebook's default codebook (04's demo).
            values["codebook"] = None
        for name, value in values.items():
            check_parameter(name, value, path.stem, values)
        plan.append((path, values))
    return plan


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


def _execute_notebook(task: _Task, pool: Any = None, on_cell: Callable[[], None] | None = None) -> _Outcome:
    """Run one notebook (and export it to HTML); failures become the outcome, not exceptions.

    With ``pool`` (a :class:`alignment_stats.engine.KernelPool`) the notebook
    runs on one of its warm kernels; without (a Dask worker), papermill
    starts a kernel for it in ``task.cwd``. Runs in a thread of the runner
    or in a Dask worker.
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
    ename = evalue = kernel_stderr = None
    options: dict[str, Any] = {
        "parameters": {**task.parameters, "output_dir": str(folder)},
        "kernel_name": task.kernel_name,
        "progress_bar": False,
    }
    kernel = None
    result = None
    try:
        if pool is not None:
            from .engine import register_engine

            kernel = pool.acquire()
            # The kernel already runs in task.cwd; papermill's own cwd= would chdir this
            # whole process, which is not safe with notebooks running in threads.
            options.update(engine_name=register_engine(), km=kernel.km, partial_path=str(executed),
                           request_save_on_cell_execute=False, on_cell=on_cell)
        else:
            options["cwd"] = task.cwd
        result = papermill.execute_notebook(task.source, str(executed), **options)
    except PapermillExecutionError as exc:
        ename, evalue = exc.ename, exc.evalue
    except Exception as exc:  # kernel died or would not start, unreadable notebook, ...
        ename, evalue = type(exc).__name__, str(exc)
    finally:
        if kernel is not None:
            if ename is not None:
                kernel_stderr = kernel.stderr_since().strip() or None
            pool.release(kernel, reusable=ename is None)
    if task.html and executed.is_file():
        try:
            source = result if ename is None and isinstance(result, dict) else executed
            export_notebook_html(source, folder / f"{task.name}.html")
        except Exception as exc:
            if ename is None:
                ename, evalue = "HTMLExportError", f"{type(exc).__name__}: {exc}"
    return _Outcome(task.name, time.perf_counter() - start, ename, evalue, kernel_stderr)


def _code_cells(path: Path) -> int:
    """Code cells of a notebook, plus the one papermill injects with the parameters."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return 0
    return sum(cell.get("cell_type") == "code" for cell in cells) + 1


class _Progress:
    """tqdm bar on a terminal, plain log lines otherwise, a callback, or silence."""

    def __init__(self, total: int, progress: bool | ProgressCallback | None, intro: str, cells: int = 0):
        self.total, self.done = total, 0
        self.callback = progress if callable(progress) else None
        self.quiet = progress is False or self.callback is not None
        self.bar = self.cell_bar = None
        self._lock = threading.Lock()
        if self.quiet:
            return
        print(intro, file=sys.stderr, flush=True)
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="notebook", file=sys.stderr, desc="report")
            if cells:
                self.cell_bar = tqdm(total=cells, unit="cell", file=sys.stderr, desc="cells", position=1,
                                     leave=False)

    def cell_done(self) -> None:
        """One more cell executed (called from the notebooks' threads)."""
        if self.cell_bar is not None:
            with self._lock:
                self.cell_bar.update(1)

    def update(self, result: NotebookResult, kernel_stderr: str | None = None) -> None:
        self.done += 1
        if self.callback is not None:
            self.callback(self.done, self.total, result)
            return
        if self.quiet:
            return
        word = "ok" if result.ok else "FAILED"
        if result.cached_from:
            word += f", unchanged: reused from {result.cached_from}"
        line = f"[{self.done}/{self.total}] {result.name} ... {word} ({result.seconds:.1f} s)"
        if result.error:
            line += f": {result.error}"
        if kernel_stderr:  # only failed notebooks carry their kernel's stderr
            line += "\n    kernel stderr:\n" + "\n".join(f"    | {x}" for x in kernel_stderr.splitlines())
        if self.bar is not None:
            self.bar.set_postfix_str(f"{result.name} {word}", refresh=False)
            self.bar.update(1)
            if not result.ok:
                self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.cell_bar is not None:
            self.cell_bar.close()
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
        cached_from=outcome.cached_from["run"] if outcome.cached_from else None,
    )


def _collect(
    futures: Mapping[Any, _Task], done: Iterable[Any], outcomes: dict[str, _Outcome],
    feedback: _Progress, run_dir: Path,
) -> None:
    for future in sorted(done, key=lambda f: futures[f].name):
        task = futures[future]
        exc = future.exception()
        if exc is not None and not isinstance(exc, Exception):
            raise exc  # KeyboardInterrupt/SystemExit in a worker: stop the whole run
        if exc is None:
            outcome = future.result()
        else:  # the worker died (or a Dask task was lost): a failure of this notebook
            outcome = _Outcome(task.name, 0.0, type(exc).__name__, str(exc) or repr(exc))
        outcomes[task.name] = outcome
        feedback.update(_result(outcome, run_dir), outcome.kernel_stderr)


def _run_local(
    tasks: list[_Task], workers: int, pool: Any, feedback: _Progress, run_dir: Path
) -> dict[str, _Outcome]:
    """Run tasks in ``workers`` threads of this process, each on a warm kernel of ``pool``.

    The threads only wait for kernels (and export HTML); the kernels are the
    processes that compute. On Ctrl-C (or any error here) the pool's kernels
    are killed, which ends the running notebooks at once, and the threads
    are joined before the caller removes the temporary directory.
    """
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="alignment-stats-notebook")
    outcomes: dict[str, _Outcome] = {}
    try:
        pending: dict[Future[_Outcome], _Task] = {
            executor.submit(_execute_notebook, t, pool, feedback.cell_done): t for t in tasks
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            _collect(pending, done, outcomes, feedback, run_dir)
            for future in done:
                pending.pop(future)
    except BaseException:
        pool.shutdown()
        for future in pending:
            future.cancel()
        deadline = time.monotonic() + _THREAD_EXIT_GRACE
        for future in pending:
            try:
                future.exception(timeout=max(0.0, deadline - time.monotonic()))
            except BaseException:
                pass
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return outcomes


def _dask_client(scheduler: Any) -> tuple[Any, bool]:
    """``(client, owned)`` for a scheduler address or an existing ``distributed.Client``."""
    try:
        import distributed
    except ImportError:
        raise ReportUsageError(
            "--executor dask needs Dask, which is not installed: pip install alignment_stats[dask]"
        ) from None
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    if scheduler is None or not str(scheduler).strip():
        raise ReportUsageError("--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT")
    try:
        client = distributed.Client(str(scheduler), timeout="15s", set_as_default=False)
    except Exception as exc:
        raise ReportError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    return client, True


def _run_dask(tasks: list[_Task], client: Any, feedback: _Progress, run_dir: Path) -> dict[str, _Outcome]:
    """Submit each notebook as a task to a Dask cluster and gather the outcomes as they finish.

    Each worker runs papermill (with its own kernel) and writes into the
    run's temporary folder, which it must see at the same path.
    """
    from distributed import as_completed

    futures = {
        client.submit(_execute_notebook, task, None, key=f"alignment-stats-{Path(task.run_dir).name}-{task.name}",
                      pure=False): task
        for task in tasks
    }
    outcomes: dict[str, _Outcome] = {}
    try:
        with client.as_current():  # as_completed looks for the current client
            for future in as_completed(list(futures)):
                _collect(futures, [future], outcomes, feedback, run_dir)
    except BaseException:
        client.cancel(list(futures))
        raise
    return outcomes


# --------------------------------------------------------------------------- cache


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _code_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 of the package's source files (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _parameter_files(values: Mapping[str, Any]) -> dict[str, str]:
    """sha256 of every file a parameter names (relative paths: from the project root)."""
    files = {}
    for name, value in sorted(values.items()):
        if isinstance(value, str) and value.strip() and len(value) < 4096:
            path = Path(value).expanduser()
            path = path if path.is_absolute() else PROJECT_ROOT / path
            try:
                if path.is_file():
                    files[name] = _sha256_file(path)
            except OSError:
                continue
    return files


def _cache_key(path: Path, values: Mapping[str, Any], *, code: str, inputs: Mapping[str, str],
               versions: Mapping[str, Any], kernel_name: str, html: bool) -> str:
    """The notebook's cache key: what its outputs depend on, hashed."""
    material = {
        "version": _CACHE_KEY_VERSION,
        "notebook": _sha256_file(path),
        "code": code,
        "data": dict(inputs),
        "files": _parameter_files(values),
        "parameters": values,
        "package_versions": dict(versions),
        "kernel": kernel_name,
        "html": html,
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _complete_runs(*roots: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Complete runs (``summary.json`` with status complete) directly in each root, or one
    level down (the named runs of a scheduled batch), newest first."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for child in root.iterdir():
            if child.name.startswith(".") and child not in roots or not child.is_dir():
                continue
            if (child / "summary.json").is_file():
                candidates = [child]
            else:
                candidates = [g for g in child.iterdir() if g.is_dir() and (g / "summary.json").is_file()]
            for run in candidates:
                summary = _read_json(run / "summary.json")
                if summary.get("status") == "complete":
                    found.append((run, summary))
    found.sort(key=lambda item: (str(item[1].get("finished", "")), item[0].name), reverse=True)
    return found


def _find_cached(keys: Mapping[str, str], runs: list[tuple[Path, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """For each notebook whose key an earlier run has (ok, not itself a copy of a failure): where."""
    hits: dict[str, dict[str, Any]] = {}
    for run, summary in runs:
        for entry in summary.get("notebooks") or ():
            if not isinstance(entry, dict):
                continue
            name = entry.get("name")
            if name in keys and name not in hits and entry.get("cache_key") == keys[name] \
                    and entry.get("status") == "ok" and (run / str(name)).is_dir():
                hits[name] = {"dir": run / str(name), "run_id": summary.get("run_id"),
                              "run_name": summary.get("run_name"), "run_dir": run,
                              "entry": entry}
    return hits


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _reuse(hit: Mapping[str, Any], run_dir: Path, name: str, out: Path) -> _Outcome:
    """Link (or copy) an earlier run's folder of this notebook into the run."""
    start = time.perf_counter()
    shutil.copytree(hit["dir"], run_dir / name, copy_function=_link_or_copy)
    try:
        shown = Path(hit["run_dir"]).relative_to(out).as_posix()
    except ValueError:
        shown = str(hit["run_dir"])
    cached_from = {"run": shown, "run_id": hit["run_id"], "run_name": hit["run_name"]}
    return _Outcome(name, time.perf_counter() - start, cached_from=cached_from)


# --------------------------------------------------------------------------- comparison

#: ``compare_to`` default: the most recent earlier complete run of the same name in ``out``.
AUTO = "auto"


def _choose_comparison(
    compare_to: Any, out: Path, history: Path, run_name: str | None
) -> tuple[Path | None, str]:
    """The run to compare with, and why (a sentence for the log, the index and the summary)."""
    if compare_to is None or compare_to is False:
        return None, "no comparison (turned off)"
    if compare_to != AUTO:
        from .diff import RunNotFoundError, resolve_run

        try:
            return resolve_run(compare_to, out), "given with --compare-to"
        except RunNotFoundError as exc:
            raise ReportUsageError(f"--compare-to: {exc}") from None
    for run, summary in _complete_runs(history):
        if summary.get("run_name") == run_name:
            named = f" named {run_name}" if run_name else ""
            return run, (
                f"the most recent complete earlier run{named} in {history} "
                f"(finished {summary.get('finished', '?')})"
            )
    named = f" named {run_name}" if run_name else ""
    return None, f"no earlier complete run{named} in {history} to compare with"


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


@dataclass
class _Batch:
    """Context of a run inside a scheduled batch (see :mod:`alignment_stats.runs`)."""

    root: Path  # the batch's --out: earlier batches live here
    pool: Any = None  # a KernelPool shared by the batch's runs (local executor)
    client: Any = None  # a Dask client shared by the batch's runs


def run_report(
    notebooks: NotebookSpec = None,
    params: Params | None = None,
    out: str | Path = REPORTS_DIR,
    run_id: str | None = None,
    html: bool = True,
    jobs: int | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    progress: bool | ProgressCallback | None = None,
    *,
    executor: str = "local",
    scheduler: Any = None,
    force: bool = False,
    compare_to: str | os.PathLike[str] | None = AUTO,
    fresh_kernels: bool = False,
    run_name: str | None = None,
    _batch: _Batch | None = None,
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
        admits it. Typed values must fit that type. Every value is then
        checked against :data:`PARAMETER_RULES` (ranges, known method and
        study names, existing files). ``output_dir`` is reserved: the runner
        sets it to the notebook's folder in the run directory.
    out : str or Path, default :data:`REPORTS_DIR`
        Parent folder of run directories (created if missing).
    run_id : str, optional
        Folder name of this run; default :func:`new_run_id`. Validated by
        :func:`validate_run_id`; an existing run is never overwritten.
    html : bool, default True
        Export each executed notebook to HTML (code hidden).
    jobs : int, optional
        Notebooks run at once (default ``os.cpu_count()``).
    kernel_name : str, default "alignment-stats"
        Jupyter kernel to execute on (``make install`` registers it).
    progress : bool or callable, optional
        ``None``: a tqdm bar when stderr is a terminal, log lines
        (``[1/4] 00_data_audit ... ok (3.2 s)``) otherwise, and a final line
        on stdout saying where the report is. ``False``: silent. A callable
        ``f(done, total, NotebookResult)`` is called as each notebook
        finishes (and nothing is printed).
    executor : {"local", "dask"}, default "local"
        ``"local"``: threads of this process on warm kernels
        (:mod:`alignment_stats.engine`). ``"dask"``: one task per notebook on
        the Dask cluster at ``scheduler``.
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``) or a client; only with
        ``executor="dask"``.
    force : bool, default False
        Execute every notebook even when an earlier complete run under
        ``out`` has its outputs for the same cache key.
    compare_to : "auto", str, Path or None, default "auto"
        Run to compare with in the index (a run folder, or a run id in
        ``out``). ``"auto"``: the most recent earlier complete run in
        ``out`` with the same ``run_name``; ``None``: no comparison.
    fresh_kernels : bool, default False
        Give every notebook its own (warm) kernel instead of resetting and
        reusing kernels between notebooks.
    run_name : str, optional
        Name of a scheduled run (recorded in the summary; set by
        :func:`alignment_stats.runs.run_config`).

    Returns
    -------
    ReportResult
        ``status`` is ``"complete"`` or ``"failed"``; ``path`` is the final
        directory (``<out>/<run_id>`` or ``<out>/<run_id>.failed``).

    Raises
    ------
    ReportError
        Before anything runs: unknown notebook or parameter, a value that
        breaks a rule (:class:`ReportUsageError`, also a ``ValueError``),
        invalid run id, missing kernel (:class:`KernelNotFoundError`),
        existing run (:class:`RunExistsError`), Dask not installed or its
        scheduler unreachable, ``compare_to`` not found.
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
    if executor not in EXECUTORS:
        raise ReportUsageError(f"executor {executor!r} is not known; choose one of: {', '.join(EXECUTORS)}")
    if executor == "local" and scheduler is not None:
        raise ReportUsageError("a Dask scheduler is only used with --executor dask")
    run_id = new_run_id() if run_id is None else validate_run_id(run_id)
    plan = _plan(sources, params, lenient=_batch is not None)
    if executor == "local":
        check_kernel(kernel_name)

    out = Path(out).expanduser().resolve()
    final, failed = out / run_id, out / f"{run_id}.failed"
    for existing in (final, failed):
        if existing.exists():
            raise RunExistsError(
                f"{existing} already exists; reports are never overwritten: choose another "
                "run id (or leave it out for a fresh one)"
            )
    history = _batch.root if _batch is not None else out
    previous, reason = _choose_comparison(compare_to, out, history, run_name)

    # What each notebook depends on; unchanged notebooks are reused, not run.
    versions, inputs, code = _package_versions(), _input_hashes(RAW_DATA_DIR), _code_hash()
    keys = {
        path.stem: _cache_key(path, values, code=code, inputs=inputs, versions=versions,
                              kernel_name=kernel_name, html=html)
        for path, values in plan
    }
    roots = [history] + ([out] if out != history else [])
    hits = {} if force else _find_cached(keys, _complete_runs(*roots))
    to_run = [(path, values) for path, values in plan if path.stem not in hits]

    client, own_client = (None, False)
    pool, own_pool = (None, False)
    workers = max(1, min(jobs, len(to_run)))
    if to_run and executor == "dask":
        if _batch is not None and _batch.client is not None:
            client = _batch.client
        else:
            client, own_client = _dask_client(scheduler)
    elif to_run:  # start the kernels now: they warm up while the rest is prepared
        from . import engine

        if _batch is not None and _batch.pool is not None:
            pool = _batch.pool
            pool.expect(len(to_run))
        else:
            size = min(len(to_run), 2 * workers) if fresh_kernels else workers
            pool = engine.KernelPool(kernel_name, size, PROJECT_ROOT,
                                     engine.warm_imports(p for p, _ in to_run),
                                     fresh=fresh_kernels, expected=len(to_run))
            own_pool = True

    try:
        intro = _intro(plan, to_run, hits, notebooks, kernel_name, workers, executor, scheduler,
                       fresh_kernels, run_id, previous, reason, out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            tmp = _make_tmp_dir(out, run_id)
        except OSError as exc:
            raise ReportError(f"cannot write reports to {out}: {exc.strerror or exc}") from None

        feedback: _Progress | None = None
        try:
            started = _now()
            cells = sum(_code_cells(path) for path, _values in to_run)
            feedback = _Progress(len(plan), progress, intro, cells)
            outcomes: dict[str, _Outcome] = {}
            for path, _values in plan:
                if path.stem in hits:
                    outcomes[path.stem] = _reuse(hits[path.stem], tmp, path.stem, out)
                    feedback.update(_result(outcomes[path.stem], tmp))
            tasks = [
                _Task(path.stem, str(path), values, str(tmp), kernel_name, html, str(PROJECT_ROOT))
                for path, values in to_run
            ]
            if tasks and executor == "dask":
                outcomes.update(_run_dask(tasks, client, feedback, tmp))
            elif tasks:
                outcomes.update(_run_local(tasks, workers, pool, feedback, tmp))
            feedback.close()
            results = tuple(_result(outcomes[path.stem], tmp) for path, _ in plan)
            status = "complete" if all(r.ok for r in results) else "failed"
            summary = {
                "schema_version": SCHEMA_VERSION,
                "run_id": run_id,
                "run_name": run_name,
                "status": status,
                "started": started,
                "finished": _now(),
                "kernel": kernel_name,
                "parameters": params,
                "package_versions": versions,
                "input_hashes": inputs,
                "executor": {
                    "name": executor,
                    "workers": workers if tasks else 0,
                    "scheduler": _scheduler_address(client, scheduler),
                    "kernels": ("per notebook (papermill)" if executor == "dask"
                                else "fresh warm kernel per notebook" if fresh_kernels
                                else "warm, reused between notebooks"),
                },
                "cache": {"enabled": not force, "reused": sorted(hits)},
                "comparison": None,
                "notebooks": [
                    _notebook_entry(path, values, result, outcomes[result.name], tmp, keys[result.name])
                    for (path, values), result in zip(plan, results)
                ],
            }
            comparison = None
            if previous is not None:
                from .diff import diff_runs

                (tmp / "summary.json").write_text(json.dumps(summary, default=str), encoding="utf-8")
                comparison = diff_runs(previous, tmp)
                summary["comparison"] = {
                    "run_id": comparison.a_id,
                    "path": os.path.relpath(previous, final.parent / run_id),
                    "reason": reason,
                    "changed": comparison.changed,
                    "differences": comparison.counts(),
                }
            text = json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n"
            (tmp / "summary.json").write_text(text, encoding="utf-8")
            from .html import write_index

            write_index(tmp, summary, comparison)
            target = final if status == "complete" else failed
            if final.exists() or failed.exists():  # a concurrent run with the same id finished first
                raise RunExistsError(f"{target} appeared while this run was running; not overwriting it")
            os.rename(tmp, target)  # atomic: the run appears complete (or .failed) in one step
        except BaseException:
            if feedback is not None:
                feedback.close()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        if own_pool:
            pool.shutdown()
        if own_client:
            client.close()

    report = ReportResult(run_id=run_id, path=target, status=status, notebooks=results,
                          compared_with=previous)
    if progress is None and _batch is None:
        if comparison is not None:
            what = "results or verdicts changed" if comparison.results_changed else "same results and verdicts"
            print(f"Compared with {comparison.a_id}: {what} (details in the index; "
                  f"alignment-stats diff {previous} {target})", file=sys.stderr, flush=True)
        if report.ok:
            print(f"Report complete: {report.index}", flush=True)
        else:
            bad = sum(1 for r in results if not r.ok)
            print(
                f"Report FAILED ({bad} of {len(results)} notebooks failed): {report.index}",
                flush=True,
            )
    return report


def _intro(plan: list[tuple[Path, dict[str, Any]]], to_run: list[tuple[Path, dict[str, Any]]],
           hits: Mapping[str, Any], notebooks: NotebookSpec, kernel_name: str, workers: int,
           executor: str, scheduler: Any, fresh: bool, run_id: str, previous: Path | None,
           reason: str, out: Path) -> str:
    lines = []
    if notebooks is None:  # everything that exists: say which promised analyses do not yet
        names = [path.stem for path, _ in plan]
        missing = [name for name in EXPECTED_NOTEBOOKS if name not in names]
        if missing:
            lines.append(f"Note: running the analyses that exist ({', '.join(names)}); "
                         f"not there yet: {', '.join(missing)}.")
    n = len(to_run)
    where = (f"on the Dask cluster at {scheduler}" if executor == "dask"
             else f"kernel {kernel_name}, {workers} at a time{', fresh kernels' if fresh else ''}")
    if n:
        lines.append(f"Running {n} notebook{'s' if n != 1 else ''} ({where}) for run {run_id}")
    else:
        lines.append(f"Nothing to execute for run {run_id}: every notebook is unchanged")
    if hits:
        sources = sorted({str(h["run_id"]) for h in hits.values()})
        lines.append(f"Unchanged since an earlier run, reused without running (--force runs them): "
                     f"{', '.join(sorted(hits))} (from {', '.join(sources)})")
    if previous is not None:
        lines.append(f"Comparing with {_relative(previous, out)}: {reason}")
    return "\n".join(lines)


def _scheduler_address(client: Any, scheduler: Any) -> str | None:
    address = getattr(getattr(client, "scheduler", None), "address", None)
    if address:
        return str(address)
    return None if scheduler is None or not isinstance(scheduler, str) else scheduler


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _notebook_entry(
    path: Path, values: dict[str, Any], result: NotebookResult, outcome: _Outcome, run_dir: Path,
    cache_key: str,
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
        "cache_key": cache_key,
        "cached_from": outcome.cached_from,
        "kernel_stderr": outcome.kernel_stderr,
    }
