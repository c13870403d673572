"""The one numeric comparison: are two tables' cells the same, numbers within a stated tolerance?

Used by ``alignment-stats diff`` and by the regression tests. Cells are
compared as written in CSV: text exactly, numbers with ``|a - b| <= atol +
rtol * |b|`` (``numpy.isclose``); NaN (an empty cell, ``nan``, ``<NA>``)
equals NaN; infinities equal only themselves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_RTOL", "DEFAULT_ATOL", "read_cells", "text_cells", "cells_equal", "frame_problems"]

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12
_MISSING = {"", "nan", "NaN", "<NA>", "NA", "None"}


def read_cells(path: str | Path) -> pd.DataFrame:
    """A CSV file as text cells (nothing parsed, nothing treated as missing).

    Raises
    ------
    ValueError
        The file cannot be read as UTF-8 CSV (the message names it).
    """
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path}: cannot be read as CSV ({' '.join(str(exc).split())[:200]})") from None


def _parse(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of the cells (NaN for missing ones) and which cells are text that is not a number."""
    missing = np.isin(cells, list(_MISSING))
    values = pd.to_numeric(pd.Series(cells).where(~missing), errors="coerce").to_numpy(dtype=float)
    return values, ~missing & np.isnan(values)


def text_cells(cells: np.ndarray) -> np.ndarray:
    """Which cells hold text that is not a number (missing cells are not text).

    >>> text_cells(np.array(["a", "1.5", "", "nan"])).tolist()
    [True, False, False, False]
    """
    return _parse(np.asarray(cells, dtype=str))[1]


def cells_equal(old: np.ndarray, new: np.ndarray, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> np.ndarray:
    """Element-wise: the same text, or numbers within tolerance (NaN equals NaN).

    >>> cells_equal(np.array(["0.1", "a", "", "1e400"]), np.array(["0.10000000001", "a", "nan", "inf"])).tolist()
    [True, True, True, True]
    >>> cells_equal(np.array(["0.1", "a"]), np.array(["0.2", "b"])).tolist()
    [False, False]
    """
    old, new = np.asarray(old, dtype=str), np.asarray(new, dtype=str)
    (x, x_text), (y, y_text) = _parse(old), _parse(new)
    return (old == new) | (~x_text & ~y_text & np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


def frame_problems(old: pd.DataFrame, new: pd.DataFrame, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                   name: str = "table") -> list[str]:
    """What differs between two tables of the same shape, as lines (empty when they match).

    >>> a = pd.DataFrame({"x": ["1.0", "b"]}); b = pd.DataFrame({"x": ["1.0000000000001", "c"]})
    >>> frame_problems(a, b)
    ["table line 3, column x: 'c' != expected 'b'"]
    """
    if list(old.columns) != list(new.columns):
        return [f"{name}: columns {list(new.columns)} != expected {list(old.columns)}"]
    if len(old) != len(new):
        return [f"{name}: {len(new)} rows, expected {len(old)}"]
    problems = []
    for column in old.columns:
        ok = cells_equal(old[column].to_numpy(), new[column].to_numpy(), rtol, atol)
        for i in np.flatnonzero(~ok):
            problems.append(f"{name} line {i + 2}, column {column}: {new[column].iloc[i]!r} != expected "
                            f"{old[column].iloc[i]!r}")
    return problems
