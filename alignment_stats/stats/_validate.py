"""Argument checks shared by the statistics: one wording per error.

Every public statistic takes scalars, lists, NumPy arrays or pandas Series,
broadcasts them against each other and raises :class:`ValueError` naming the
argument (and, for arrays, the first offending position). Method names are
checked by :func:`check_choice`, which lists the known ones.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .limits import COUNT_MAX

__all__ = [
    "check_choice",
    "check_open_unit",
    "check_real",
    "as_1d",
    "broadcast",
    "position",
    "whole_counts",
    "two_sample_counts",
    "check_sizes",
    "check_proportions",
    "check_margins",
    "check_design_effect",
    "result_index",
    "check_total",
    "check_whole_sizes",
    "text_column",
]


def check_choice(value: object, name: str, known: Sequence[str]) -> str:
    """``value`` if it is one of ``known``, else ValueError listing them.

    >>> check_choice("wald", "ci", ("newcombe", "wald"))
    'wald'
    >>> check_choice("x", "ci", ("newcombe", "wald"))
    Traceback (most recent call last):
    ...
    ValueError: ci='x' is not a known method; use one of: 'newcombe', 'wald'
    """
    if not isinstance(value, str) or value not in known:
        raise ValueError(f"{name}={value!r} is not a known method; use one of: " + ", ".join(repr(k) for k in known))
    return value


def check_real(value: object, name: str) -> float:
    """A finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return float(value)


def check_open_unit(value: object, name: str, high: float = 1.0, why: str = "") -> float:
    """A number strictly between 0 and ``high`` (1, or 0.5 for a TOST's alpha).

    >>> check_open_unit(0.6, "alpha", 0.5, "a TOST uses the 1 - 2*alpha interval")
    Traceback (most recent call last):
    ...
    ValueError: alpha must be a number strictly between 0 and 0.5 (a TOST uses the 1 - 2*alpha interval); got 0.6
    """
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value))
    if bad or not 0.0 < float(value) < high:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name} must be a number strictly between 0 and {high:g}{reason}; got {value!r}")
    return float(value)


def as_1d(x: object, name: str, what: str = "numbers") -> tuple[np.ndarray, bool]:
    """``x`` as a 1-D numeric array, and whether it was a scalar."""
    if isinstance(x, (pd.Series, pd.Index)) or isinstance(getattr(x, "dtype", None), pd.api.extensions.ExtensionDtype):
        if pd.api.types.is_bool_dtype(x.dtype):
            raise ValueError(f"{name} must hold {what}, not booleans")
        try:
            arr = pd.Series(x).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must hold {what}; got {x!r}") from err
    else:
        arr = np.asarray(x)
    if arr.dtype.kind == "b":
        raise ValueError(f"{name} must hold {what}, not booleans")
    if arr.dtype.kind not in "iuf":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must hold {what}; got {x!r}") from err
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional; got shape {arr.shape}")
    return arr.reshape(-1), arr.ndim == 0


def broadcast(named: Sequence[tuple[str, object]], what: str = "numbers") -> tuple[list[np.ndarray], bool, pd.Index | None]:
    """Broadcast scalars and equal-length 1-D inputs.

    Returns the arrays, whether every input was a scalar, and the shared
    index of the Series inputs (None if there are none or it does not fit).
    """
    arrays, scalars = [], []
    index: pd.Index | None = None
    index_owner = ""
    for name, value in named:
        if isinstance(value, pd.Series):
            if index is None:
                index, index_owner = value.index, name
            elif not value.index.equals(index):
                raise ValueError(
                    f"{name} is a Series whose index differs from {index_owner}'s; "
                    "align them first or pass plain arrays (.to_numpy()) to pair rows by position"
                )
        arr, scalar = as_1d(value, name, what)
        arrays.append(arr)
        scalars.append(scalar)
    length, owner = 1, ""
    for (name, _), arr, scalar in zip(named, arrays, scalars):
        if not scalar and arr.size != 1:
            if owner and arr.size != length:
                raise ValueError(f"{name} has {arr.size} values but {owner} has {length}; "
                                 "give arrays of equal length (or scalars)")
            length, owner = arr.size, owner or name
    out = [np.broadcast_to(arr, (length,)) for arr in arrays]
    if index is not None and len(index) != length:
        index = None
    return out, all(scalars), index


def position(i: int, all_scalar: bool) -> str:
    """``" at position i"`` for arrays, nothing for scalars (for error messages)."""
    return "" if all_scalar else f" at position {i}"


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def whole_counts(named: Sequence[tuple[str, object]]) -> tuple[list[np.ndarray], bool, pd.Index | None]:
    """Whole, non-negative counts of equal length (scalars broadcast), as int64."""
    arrays, all_scalar, index = broadcast(named, "counts")
    out = []
    for (name, _), arr in zip(named, arrays):
        if arr.dtype.kind == "f":
            bad = ~np.isfinite(arr) | (arr != np.round(arr))
            if bad.any():
                i = _first(bad)
                raise ValueError(f"{name} must be whole numbers (counts); got {arr[i].item()!r}{position(i, all_scalar)}")
            if (np.abs(arr) >= float(COUNT_MAX)).any():
                i = _first(np.abs(arr) >= float(COUNT_MAX))
                raise ValueError(f"{name} is too large for a count (at most 2**62); got {arr[i].item()!r}"
                                 f"{position(i, all_scalar)}")
        elif arr.dtype.kind == "u" and (arr >= COUNT_MAX).any():
            # a Python int of 2**63 or more arrives as uint64: it is too large, not negative
            i = _first(arr >= COUNT_MAX)
            raise ValueError(f"{name} is too large for a count (at most 2**62); got {arr[i].item()!r}"
                             f"{position(i, all_scalar)}")
        arr = arr.astype(np.int64)
        if (arr >= COUNT_MAX).any():
            i = _first(arr >= COUNT_MAX)
            raise ValueError(f"{name} is too large for a count (at most 2**62); got {arr[i].item()!r}"
                             f"{position(i, all_scalar)}")
        bad = arr < 0
        if bad.any():
            i = _first(bad)
            raise ValueError(f"{name} must be non-negative; got {arr[i]}{position(i, all_scalar)}")
        out.append(arr)
    return out, all_scalar, index


def two_sample_counts(k1: object, n1: object, k2: object, n2: object):
    """Counts ``k <= n`` and group sizes ``n >= 1`` of two independent samples.

    Returns ``k1, n1, k2, n2`` (int64 arrays) and the Series index (or None).
    """
    (a, m, c, r), all_scalar, index = whole_counts((("k1", k1), ("n1", n1), ("k2", k2), ("n2", n2)))
    for kname, k, nname, n in (("k1", a, "n1", m), ("k2", c, "n2", r)):
        bad = n == 0
        if bad.any():
            raise ValueError(f"{nname} must be at least 1 (a group needs respondents); got 0"
                             f"{position(_first(bad), all_scalar)}")
        bad = k > n
        if bad.any():
            i = _first(bad)
            raise ValueError(f"{kname} cannot exceed {nname}: {kname}={k[i]} > {nname}={n[i]}{position(i, all_scalar)}")
    return a, m, c, r, index


def check_sizes(arr: np.ndarray, name: str, all_scalar: bool = False) -> np.ndarray:
    """Positive, finite group sizes (float)."""
    arr = np.asarray(arr, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = _first(bad)
        raise ValueError(f"{name} must be a positive group size; got {arr[i].item()!r}{position(i, all_scalar or arr.size == 1)}")
    return arr


def check_proportions(arr: np.ndarray, name: str, all_scalar: bool = False) -> np.ndarray:
    """Proportions in [0, 1] (float)."""
    arr = np.asarray(arr, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        i = _first(bad)
        raise ValueError(f"{name} must be a proportion in [0, 1]; got {arr[i].item()!r}{position(i, all_scalar or arr.size == 1)}")
    return arr


def check_margins(arr: np.ndarray, name: str = "margin") -> np.ndarray:
    """Equivalence margins strictly between 0 and 1 (float)."""
    arr = np.asarray(arr, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0.0) | (arr >= 1.0)
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"{name} must be strictly between 0 and 1 (a difference of proportions, e.g. 0.10 for "
            f"+-10 points); got {arr[i].item()!r}{position(i, arr.size == 1)}"
        )
    return arr


def check_design_effect(value: object) -> float:
    """A design effect: a number of at least 1."""
    deff = check_real(value, "design_effect")
    if deff < 1.0:
        raise ValueError(f"design_effect must be at least 1 (1 = simple random sample; weighting and clustering "
                         f"inflate it); got {value!r}")
    return deff


def result_index(index: pd.Index | None, size: int) -> pd.Index:
    """The index a result table gets: the inputs' Series index when it fits, else 0..size-1."""
    return index if index is not None and len(index) == size else pd.RangeIndex(size)


def check_total(n1: np.ndarray, n2: np.ndarray, limit: int, what: str, all_scalar: bool = False) -> None:
    """Refuse tables whose ``n1 + n2`` exceeds the documented ``limit`` of an exact method.

    >>> check_total(np.array([10, 600]), np.array([10, 500]), 1000, "test='boschloo'")
    Traceback (most recent call last):
    ...
    ValueError: n1 + n2 = 1100 at position 1 is too large for test='boschloo' (at most 1000, alignment_stats.stats.limits); use test='z' or 'chi2' for samples this large
    """
    total = np.asarray(n1, dtype=np.int64) + np.asarray(n2, dtype=np.int64)
    bad = total > limit
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"n1 + n2 = {int(total[i])}{position(i, all_scalar or total.size == 1)} is too large for {what} "
            f"(at most {limit}, "
            "alignment_stats.stats.limits); use test='z' or 'chi2' for samples this large"
        )


def check_whole_sizes(arr: np.ndarray, name: str, why: str, all_scalar: bool = False) -> np.ndarray:
    """Group sizes that are whole numbers (for methods that enumerate every possible count).

    >>> check_whole_sizes(np.array([10.0, 10.5]), "n1", "test='fisher' enumerates the possible counts")
    Traceback (most recent call last):
    ...
    ValueError: n1 must be whole numbers (test='fisher' enumerates the possible counts); got 10.5 at position 1
    """
    arr = np.asarray(arr, dtype=float)
    bad = arr != np.round(arr)
    if bad.any():
        i = _first(bad)
        raise ValueError(f"{name} must be whole numbers ({why}); got {arr[i].item()!r}{position(i, all_scalar)}")
    too_big = arr >= float(COUNT_MAX)
    if too_big.any():
        i = _first(too_big)
        raise ValueError(f"{name} is too large for a group size (at most 2**62); got {arr[i].item()!r}"
                         f"{position(i, all_scalar)}")
    return arr


def text_column(values: object) -> np.ndarray:
    """A column of labels that gets the same dtype whether or not it is empty.

    pandas infers a string dtype from an object array of strings but keeps
    an empty object array as object; an empty unicode array is inferred like
    the non-empty case.

    >>> text_column([]).dtype.kind, text_column(["exact", None]).dtype.kind
    ('U', 'O')
    """
    arr = np.asarray(values, dtype=object).reshape(-1)
    return np.array([], dtype=str) if arr.size == 0 else arr
