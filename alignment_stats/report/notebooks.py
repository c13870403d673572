"""Which notebooks a report runs, and what parameters each declares.

The analysis notebooks of ``notebooks/`` (``NN_name.ipynb``) take the
parameters of their settings model (:mod:`alignment_stats.analyses.settings`);
any other notebook (a user's own ``05_mine.ipynb``, or one given by path)
takes what its ``parameters`` cell declares, read by papermill.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..analyses.settings import Settings, settings_for
from ..config import NOTEBOOK_DIR
from .errors import KernelNotFoundError, ReportError

__all__ = ["NOTEBOOK_GLOB", "Declared", "discover_notebooks", "select_notebooks", "declared_parameters", "new_run_id",
           "validate_run_id", "check_kernel"]

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_MAX_RUN_ID = 100


def discover_notebooks(notebook_dir: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """Analysis notebooks ``NN_*.ipynb`` in ``notebook_dir``, sorted by name (checkpoints and hidden files skipped)."""
    folder = Path(notebook_dir)
    if not folder.is_dir():
        return []
    return sorted(p.resolve() for p in folder.glob(NOTEBOOK_GLOB) if p.is_file() and not p.stem.endswith("-checkpoint"))


def select_notebooks(notebooks: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
                     notebook_dir: str | Path | None = None) -> list[Path]:
    """Notebook names or paths resolved to ``.ipynb`` files, in reading order.

    A name is a stem (``01_perception_gap``), its number (``01``) or the stem
    without the number (``perception_gap``); anything ending in ``.ipynb``
    or holding a path separator is a file.

    Raises
    ------
    ReportError
        An unknown or ambiguous name (listing the available ones), a missing
        file, two notebooks with one stem, or a stem that is not a safe folder name.
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
                    raise ReportError(f"notebook {text[:200]}: no such file")
                chosen.append(path)
                continue
            matches = [p for p in available if text in (p.stem, p.stem[:2]) or p.stem.partition("_")[2] == text]
            if len(matches) != 1:
                known = ", ".join(p.stem for p in available) or f"none in {folder}"
                problem = "is ambiguous" if matches else "is not a notebook"
                raise ReportError(f"notebook {text[:200]!r} {problem}; available: {known}")
            chosen.append(matches[0])
    unique = sorted(dict.fromkeys(chosen), key=lambda p: (p.stem, str(p)))
    seen: dict[str, Path] = {}
    for path in unique:
        if not _SAFE_NAME.fullmatch(path.stem):
            raise ReportError(f"notebook {path.name}: its name becomes a folder and a link, so use only letters, "
                              "digits, '.', '_' and '-' (not starting with '.' or '-')")
        if path.stem in seen:
            raise ReportError(f"two notebooks named {path.stem}: {seen[path.stem]} and {path}")
        seen[path.stem] = path
    return unique


class Declared:
    """The parameters a notebook takes: its settings model, or the names and types its parameters cell declares."""

    def __init__(self, path: Path, model: type[Settings] | None, types: dict[str, str]) -> None:
        self.path, self.model, self.types = path, model, types

    @property
    def names(self) -> list[str]:
        return list(self.model.model_fields) if self.model is not None else list(self.types)


def declared_parameters(path: Path) -> Declared:
    """What a notebook declares: the settings model of an analysis notebook, else its parameters cell (papermill).

    Raises
    ------
    ReportError
        The notebook cannot be read, has no ``parameters`` cell, or declares no ``output_dir``.
    """
    model = settings_for(path.stem) if path.parent.resolve() == NOTEBOOK_DIR.resolve() else None
    if model is not None:
        return Declared(path, model, {})
    import papermill

    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as exc:  # papermill raises its own, nbformat's and JSON errors
        raise ReportError(f"notebook {path.name} cannot be read: {' '.join(str(exc).split())[:200]}") from None
    if not found:
        raise ReportError(f"notebook {path.name} has no cell tagged 'parameters' declaring output_dir; every "
                          "analysis notebook declares its parameters (at least output_dir) in one")
    if "output_dir" not in found:
        raise ReportError(f"notebook {path.name} has no output_dir in its 'parameters' cell; every analysis notebook "
                          "must declare output_dir and write its results/ and figures/ there")
    types = {name: spec["inferred_type_name"] for name, spec in found.items()}
    return Declared(path, None, types)


def new_run_id() -> str:
    """A fresh run id: UTC time ``YYYYMMDDTHHMMSSZ`` plus a random suffix.

    >>> bool(re.fullmatch(r"\\d{8}T\\d{6}Z-[0-9a-f]{6}", new_run_id()))
    True
    """
    return f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def validate_run_id(run_id: Any, what: str = "run id") -> str:
    """``run_id`` if it is a safe folder name, else ReportError.

    >>> validate_run_id("2024-wave2")
    '2024-wave2'
    >>> validate_run_id("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    alignment_stats.report.errors.ReportError: run id '../x' is not allowed: use only letters, ...
    """
    if not isinstance(run_id, str) or not _SAFE_NAME.fullmatch(run_id) or len(run_id) > _MAX_RUN_ID:
        shown = repr(run_id) if len(repr(run_id)) <= 200 else repr(run_id)[:196] + "...'"
        raise ReportError(f"{what} {shown} is not allowed: use only letters, digits, '.', '_' and '-', not "
                          f"starting with '.' or '-' (at most {_MAX_RUN_ID} characters)")
    if run_id.endswith(".failed"):
        raise ReportError(f"{what} {run_id!r} is not allowed: '.failed' marks failed runs")
    return run_id


def check_kernel(kernel_name: str) -> None:
    """KernelNotFoundError unless Jupyter knows ``kernel_name``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(kernel_name)
    except NoSuchKernel:
        installed = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise KernelNotFoundError(f"Jupyter kernel {kernel_name!r} is not installed; run `make install` to register "
                                  f"it, or choose another kernel (--kernel NAME; installed: {installed})") from None
