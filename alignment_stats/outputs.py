"""Where a notebook's results and figures go, and writing them safely.

Every analysis notebook has an ``output_dir`` parameter. The report runner
sets it to the notebook's folder inside the run; when a researcher runs a
notebook interactively it defaults to ``reports/interactive/<notebook>``.
Inside, tables go to ``results/<name>.csv`` and figures to
``figures/<name>.png``: the layout the report index reads.
"""

from __future__ import annotations

import os
import re
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from .data import PROJECT_ROOT

__all__ = ["resolve_output_dir", "write_result", "save_figure", "percent_text", "atomic_write"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def resolve_output_dir(output_dir: str | Path | None, notebook: str) -> Path:
    """The directory a notebook writes to, created if needed.

    Parameters
    ----------
    output_dir : str, Path or None
        Given by the runner or the user; relative paths are taken relative to
        the project root (not the current directory, which differs between
        Jupyter and papermill).
    notebook : str
        The notebook's name, used for the interactive default.

    Examples
    --------
    >>> resolve_output_dir(None, "00_data_audit").relative_to(PROJECT_ROOT).as_posix()
    'reports/interactive/00_data_audit'
    """
    path = Path(output_dir) if output_dir else PROJECT_ROOT / "reports" / "interactive" / notebook
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"name: {name!r} is not a safe file name (letters, digits, _ . -)")
    return name


def atomic_write(path: Path, write: Any) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    A reader never sees a half-written file, and a failure leaves the previous
    version in place and no temporary file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_result(table: pd.DataFrame, output_dir: str | Path, name: str) -> Path:
    """Write ``table`` to ``<output_dir>/results/<name>.csv`` atomically."""
    path = Path(output_dir) / "results" / f"{_check_name(name)}.csv"
    return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def save_figure(figure: Any, output_dir: str | Path, name: str, dpi: int = 120) -> Path:
    """Save a matplotlib figure to ``<output_dir>/figures/<name>.png`` atomically."""
    path = Path(output_dir) / "figures" / f"{_check_name(name)}.png"
    return atomic_write(path, lambda tmp: figure.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))


def percent_text(share: float, decimals: int = 0) -> str:
    """A proportion as a percentage rounded half up, as surveys publish it.

    Python's own formatting rounds ties to even (``f"{12.5:.0f}"`` is
    ``'12'``), which would print 3 of 24 as 12% where the study says 13%.

    Examples
    --------
    >>> percent_text(3 / 24), percent_text(0.125, 1), percent_text(float("nan"))
    ('13%', '12.5%', '–')
    """
    if share is None or share != share:
        return "–"
    value = Decimal(repr(round(100 * float(share), 9)))
    step = Decimal(1).scaleb(-decimals)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP)}%"
