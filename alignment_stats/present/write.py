"""Writing results: tables to ``results/<name>.csv`` and figures to ``figures/<name>.png``, atomically.

A reader never sees a half-written file, a failure leaves the previous
version in place, and files get the permissions the user's umask allows
(0644 under the usual 022), not the 0600 of a temporary file. Where a
notebook writes comes from its settings (``output_dir``, checked: never
inside ``data/raw/`` or the package).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["atomic_write", "write_table", "save_figure", "write_tables"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[str], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = atomic_write(Path(folder) / "x.txt", lambda tmp: Path(tmp).write_text("hi"))
    ...     oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask()), target.read_text()
    (True, 'hi')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"name: {name!r} is not a safe file name (letters, digits, _ . -)")
    return name


def write_table(table: pd.DataFrame, output_dir: str | Path, name: str) -> Path:
    """Write ``table`` to ``<output_dir>/results/<name>.csv``."""
    path = Path(output_dir) / "results" / f"{_check_name(name)}.csv"
    return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def save_figure(figure: Any, output_dir: str | Path, name: str, dpi: int = 120) -> Path:
    """Save a matplotlib figure to ``<output_dir>/figures/<name>.png``."""
    path = Path(output_dir) / "figures" / f"{_check_name(name)}.png"
    return atomic_write(path, lambda tmp: figure.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png"))


def write_tables(tables: dict[str, pd.DataFrame | None], output_dir: str | Path) -> list[Path]:
    """Write every table of ``{name: table}`` (None skipped) under ``<output_dir>/results/``."""
    return [write_table(table, output_dir, name) for name, table in tables.items() if table is not None]
