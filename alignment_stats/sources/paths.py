"""Paths the user gives: where they are resolved from, and where nothing may be written.

Inside the library a relative path is taken from the project root (Jupyter
runs notebooks in ``notebooks/``, papermill in the caller's folder, so the
working directory means nothing). The command line makes its paths absolute
from the current folder and a ``runs.yaml`` from its own folder before they
reach the library.

Raw data and the installed package are never written to: an output folder
under ``data/raw/`` or inside ``alignment_stats/`` is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import INTERACTIVE_DIR, PACKAGE_DIR, PROJECT_ROOT, RAW_DIR
from ..schema import DataValidationError

__all__ = ["resolve", "protected_root", "check_writable", "output_folder", "sha256_file"]


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB chunks.

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "x"; _ = f.write_bytes(b"abc")
    >>> sha256_file(f)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve(path: str | Path, base: str | Path | None = None) -> Path:
    """``path`` made absolute: from ``base`` (default the project root) when relative, ``~`` expanded.

    >>> resolve("data/raw/claims.csv").relative_to(PROJECT_ROOT).as_posix()
    'data/raw/claims.csv'
    >>> resolve("/tmp/x.csv", base="/elsewhere").as_posix()
    '/tmp/x.csv'
    """
    path = Path(path).expanduser()
    return path if path.is_absolute() else Path(base if base is not None else PROJECT_ROOT) / path


def protected_root(path: str | Path) -> Path | None:
    """The protected folder (raw data, or the package) that ``path`` lies in, else None.

    >>> protected_root(RAW_DIR / "x") == RAW_DIR, protected_root(PROJECT_ROOT / "reports") is None
    (True, True)
    """
    target = Path(path).resolve()
    for root in (RAW_DIR.resolve(), PACKAGE_DIR.resolve()):
        if target == root or root in target.parents:
            return root
    return None


def check_writable(path: str | Path, what: str = "output folder") -> Path:
    """``path`` (absolute) if results may be written there; raw data and the package are refused.

    Raises
    ------
    DataValidationError
        ``path`` is inside ``data/raw/`` or the installed package.

    Examples
    --------
    >>> check_writable(RAW_DIR / "out")
    Traceback (most recent call last):
    ...
    alignment_stats.schema.DataValidationError: output folder .../data/raw/out: inside data/raw/, which holds the raw data and is never written to; choose another folder
    """
    target = resolve(path)
    root = protected_root(target)
    if root is not None:
        name = "data/raw/" if root == RAW_DIR.resolve() else "the installed package"
        hold = "holds the raw data" if root == RAW_DIR.resolve() else "holds the code"
        raise DataValidationError(f"{what} {target}: inside {name}, which {hold} and is never written to; "
                                  "choose another folder")
    return target


def output_folder(output_dir: str | Path | None, notebook: str) -> Path:
    """Where a notebook writes: ``output_dir`` (checked), or ``reports/interactive/<notebook>`` by default.

    >>> output_folder(None, "00_data_audit").relative_to(PROJECT_ROOT).as_posix()
    'reports/interactive/00_data_audit'
    """
    return check_writable(output_dir if output_dir not in (None, "") else INTERACTIVE_DIR / notebook)
