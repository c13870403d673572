"""GRIM-style reconstruction of counts from published percentages.

A published percentage such as "13% of 24 IT leaders" is the rounded value
of ``100 * k / n`` for some whole number of respondents ``k``.  This module
finds every ``k`` that fits (the *feasible counts*), flags figures with no
feasible count (GRIM-inconsistent), infers group sizes from a published total
and group shares, ranks candidate group sizes by how many figures they make
feasible, and runs cross-figure checks (pooled totals, nested figures, shares
of one whole).

All arithmetic is exact.  A reported value is turned into an integer ``V`` in
units of its last decimal place (``12.5`` with one decimal becomes ``125``)
and the rounding rule becomes a pair of integer inequalities on ``k``, solved
with integer floor/ceil division in int64.  No float is ever compared with a
tie such as 12.5.

Rounding rules (``rounding=``), for a true percentage ``x`` in units of the
last decimal place (``x = S * k / n`` with ``S = 100 * 10**decimals``):

==============  ==============================  ==============================
rule            ``x`` reported as ``V`` when     integer form (on ``2*S*k``)
==============  ==============================  ==============================
``half_up``     ``V - 1/2 <= x <  V + 1/2``      ``(2V-1)n <= 2Sk <  (2V+1)n``
``half_even``   ``V - 1/2 <= x <= V + 1/2``      as half_up, both ends closed
                (V even) or both ends open       if V is even, both open if odd
                (V odd): ties go to even
``truncate``    ``V <= x < V + 1`` (floor)       ``2Vn <= 2Sk < (2V+2)n``
``ceil``        ``V - 1 < x <= V``               ``(2V-2)n < 2Sk <= 2Vn``
``unknown``     ``V - 1 < x < V + 1``            ``(2V-2)n < 2Sk < (2V+2)n``
==============  ==============================  ==============================

``unknown`` is for sources whose rounding is not known: it is the union of
the four other rules.  Proof: truncate gives
``[V, V+1)``, ceil gives ``(V-1, V]``, and half_up / half_even lie inside
``[V-1/2, V+1/2]``; the union is ``(V-1, V+1)``, i.e. everything within one
unit of the last place.  Percentages are never negative, so "half up" and
"half away from zero" coincide.

Why the feasible set is always one contiguous range ``k_low..k_high``: for a
fixed ``n`` the map ``k -> S*k/n`` is strictly increasing, and every rule above
(and every closed interval ``[low, high]`` from a vague wording) accepts the
true percentage on one real interval ``I`` (``unknown``: a union of intervals
that all contain ``V``, hence an interval).  The preimage of an interval under
a strictly increasing map is an interval, so the feasible ``k`` are the
integers of an interval of the real line: a contiguous range, possibly empty.
``tests/test_reconstruct.py`` checks this against brute-force enumeration.

References
----------
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
technique detects numerous anomalies in the reporting of results in
psychology. *Social Psychological and Personality Science*, 8(4), 363-369.
https://doi.org/10.1177/1948550616673876
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import pandas as pd

from ..schema import ROUNDING_RULES

__all__ = [
    "feasible_counts",
    "count_ranges",
    "is_consistent",
    "infer_group_sizes",
    "consistent_group_sizes",
    "mixture_consistent",
    "nested_consistent",
    "shares_sum_consistent",
]

ArrayLike = Union[float, int, Sequence[Any], np.ndarray, pd.Series, None]

_RULE_CODE = {name: code for code, name in enumerate(ROUNDING_RULES)}

# Bounds on 2*S*k are (2V + _LO_OFF) * n and (2V + _HI_OFF) * n, indexed by
# rule code (half_up, half_even, truncate, ceil, unknown).  _LO_INC / _HI_INC say
# whether the bound is inclusive: 1 yes, 0 no, -1 "yes iff V is even".
_LO_OFF = np.array([-1, -1, 0, -2, -2], dtype=np.int64)
_HI_OFF = np.array([1, 1, 2, 0, 2], dtype=np.int64)
_LO_INC = np.array([1, -1, 1, 0, 0], dtype=np.int64)
_HI_INC = np.array([0, -1, 0, 1, 0], dtype=np.int64)

_MAX_DECIMALS = 6
_POW10_F = 10.0 ** np.arange(_MAX_DECIMALS + 1)
_POW10_I = 10 ** np.arange(_MAX_DECIMALS + 1, dtype=np.int64)
_REL_TOL = 1e-9
# Every product formed below stays under 2**62 (checked per row), far from the
# int64 limit 2**63 - 1, so floor/ceil division is exact.
_INT64_SAFE = 2.0**62
_INT64_MAX = 2**63 - 1

# ---------------------------------------------------------------------------
# Input normalisation and validation (all errors name row and field)
# ---------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """Shortest decimal text of a float (``12.5``, ``13``, ``0.1``)."""
    if not np.isfinite(x):
        return str(x)
    return np.format_float_positional(float(x), trim="-")


def _written_decimals(x: float, limit: int = 15) -> int | None:
    """Number of decimal places needed to write ``x``; None if more than ``limit``."""
    for j in range(limit + 1):
        y = x * 10.0**j
        if abs(y - round(y)) <= _REL_TOL * max(1.0, abs(y)):
            return j
    return None


@dataclass(frozen=True)
class _Where:
    """Locates a bad entry for error messages: ``row <label>, field <name>``.

    Fields given as one scalar for all rows are named without a row.
    """

    index: pd.Index
    scalar: frozenset = frozenset()

    def __call__(self, i: int, field: str) -> str:
        if field in self.scalar:
            return f"field {field}"
        return f"row {self.index[i]}, field {field}"


def _is_scalar(x: Any) -> bool:
    return x is None or isinstance(x, str) or np.ndim(x) == 0


def _raw(x: Any, field: str) -> tuple[Any, pd.Index | None]:
    """Array (or scalar) of an input and the index of a Series input."""
    if isinstance(x, pd.Series):
        return x.to_numpy(), x.index
    if isinstance(x, (pd.Index, pd.api.extensions.ExtensionArray)):
        return x.to_numpy(), None
    if isinstance(x, str) or np.ndim(x) == 0:
        return x, None
    if isinstance(x, Mapping):
        raise ValueError(f"field {field}: expected a scalar, list, array or Series, got a mapping")
    arr = np.asarray(x, dtype=object) if isinstance(x, (list, tuple)) else np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"field {field}: expected a scalar or 1-D array, got shape {arr.shape}")
    return arr, None


def _broadcast_plan(
    fields: dict[str, Any],
) -> tuple[int, _Where, dict[str, Any]]:
    """Common length and index of several inputs (scalars and length-1 broadcast)."""
    raw: dict[str, Any] = {}
    indexes: list[tuple[str, pd.Index]] = []
    length = None
    length_field = ""
    for field, x in fields.items():
        arr, idx = _raw(x, field)
        raw[field] = arr
        if idx is not None:
            indexes.append((field, idx))
    for field, arr in raw.items():
        if _is_scalar(arr) or len(arr) == 1:
            continue
        if length is None:
            length, length_field = len(arr), field
        elif len(arr) != length:
            raise ValueError(
                f"mismatched lengths: field {length_field} has {length} rows "
                f"but field {field} has {len(arr)} rows"
            )
    if length is None:  # only scalars and length-1 arrays
        length = 1
    index: pd.Index = pd.RangeIndex(length)
    chosen = None
    for field, idx in indexes:
        if len(idx) != length:
            continue
        if chosen is None:
            chosen, index = field, idx
        elif not idx.equals(index):
            raise ValueError(
                f"field {field}: its Series index differs from the index of field {chosen}; "
                "align the inputs first (values are matched by position)"
            )
    scalar = frozenset(field for field, arr in raw.items() if _is_scalar(arr))
    return length, _Where(index, scalar), raw


def _to_float(arr: Any, length: int, field: str, where: _Where) -> np.ndarray:
    """Float64 array of length ``length``; None / NA become NaN."""
    if arr is None:
        return np.full(length, np.nan)
    if _is_scalar(arr):
        try:
            v = np.nan if arr is None or arr is pd.NA else float(arr)
        except (TypeError, ValueError):
            raise ValueError(f"field {field}: {arr!r} is not a number") from None
        return np.full(length, v)
    a = np.asarray(arr)
    if a.dtype.kind in "biuf":
        out = a.astype(np.float64)
    else:
        try:
            out = pd.array(a).to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            out = np.empty(len(a))
            for i, v in enumerate(a):
                try:
                    out[i] = np.nan if v is None or v is pd.NA else float(v)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"{where(i, field)}: {v!r} is not a number"
                    ) from None
    if len(out) == 1 and length != 1:
        out = np.full(length, out[0])
    return out


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_counts(
    ns: Any, length: int, where: _Where, field: str = "n", *, allow_zero: bool = False
) -> np.ndarray:
    """Validate whole, positive counts; return int64 (exact for any integer up to 2**63 - 1)."""
    if isinstance(ns, (int, np.integer)) and not isinstance(ns, bool):
        if abs(int(ns)) > _INT64_MAX:
            raise ValueError(f"{where(0, field)}: {int(ns)} is too large (at most 2**63 - 1)")
        ns = np.full(length, int(ns), dtype=np.int64)
    elif not _is_scalar(ns) and np.asarray(ns).dtype == object and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in ns):
        big = [i for i, v in enumerate(ns) if abs(int(v)) > _INT64_MAX]
        if big:
            raise ValueError(f"{where(big[0], field)}: {int(ns[big[0]])} is too large (at most 2**63 - 1)")
        ns = np.array([int(v) for v in ns], dtype=np.int64)
    if not _is_scalar(ns) and np.asarray(ns).dtype.kind in "iu":
        arr = np.asarray(ns)
        if arr.dtype.kind == "u" and arr.size and int(arr.max()) > _INT64_MAX:
            i = _first(arr > _INT64_MAX)
            raise ValueError(f"{where(i, field)}: {int(arr[i])} is too large (at most 2**63 - 1)")
        n = arr.astype(np.int64)
        if len(n) == 1 and length != 1:
            n = np.full(length, n[0], dtype=np.int64)
    else:
        f = _to_float(ns, length, field, where)
        bad = np.isnan(f)
        if bad.any():
            i = _first(bad)
            raise ValueError(f"{where(i, field)}: missing (NaN)")
        bad = ~np.isfinite(f) | (f != np.floor(f))
        if bad.any():
            i = _first(bad)
            raise ValueError(
                f"{where(i, field)}: {_fmt(f[i])} is not a whole number"
            )
        if (np.abs(f) >= 2.0**63).any():
            i = _first(np.abs(f) >= 2.0**63)
            raise ValueError(
                f"{where(i, field)}: {_fmt(f[i])} is too large"
            )
        n = f.astype(np.int64)
    bad = n < 0 if allow_zero else n <= 0
    if bad.any():
        i = _first(bad)
        what = "a non-negative" if allow_zero else "a positive"
        raise ValueError(
            f"{where(i, field)}: must be {what} count, got {int(n[i])}"
        )
    return n


def _check_decimals(decimals: Any, length: int, where: _Where) -> np.ndarray:
    d = _to_float(decimals, length, "decimals", where)
    bad = np.isnan(d) | (d != np.floor(d)) | (d < 0) | (d > _MAX_DECIMALS)
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"{where(i, 'decimals')}: {_fmt(d[i])} is not a whole number "
            f"between 0 and {_MAX_DECIMALS}"
        )
    return d.astype(np.int64)


def _unknown_rule(rule: Any) -> str:
    known = ", ".join(ROUNDING_RULES)
    return f"unknown rounding rule {rule!r}; known rules: {known} (unknown = any of the four others)"


def _rule_codes(rounding: Any, length: int, where: _Where) -> np.ndarray:
    """Integer rule codes, one per row."""
    if _is_scalar(rounding):
        if not isinstance(rounding, str) or rounding not in _RULE_CODE:
            raise ValueError(f"field rounding: {_unknown_rule(rounding)}")
        return np.full(length, _RULE_CODE[rounding], dtype=np.int64)
    codes, uniques = pd.factorize(np.asarray(rounding, dtype=object), use_na_sentinel=True)
    if (codes < 0).any():
        i = _first(codes < 0)
        raise ValueError(f"{where(i, 'rounding')}: missing")
    table = np.empty(len(uniques), dtype=np.int64)
    for j, rule in enumerate(uniques):
        if not isinstance(rule, str) or rule not in _RULE_CODE:
            i = _first(codes == j)
            raise ValueError(f"{where(i, 'rounding')}: {_unknown_rule(rule)}")
        table[j] = _RULE_CODE[rule]
    out = table[codes]
    if len(out) == 1 and length != 1:
        out = np.full(length, out[0], dtype=np.int64)
    return out


def _check_percent(x: np.ndarray, field: str, where: _Where) -> None:
    """Non-missing entries must lie in 0..100."""
    bad = ~np.isnan(x) & ~((x >= 0) & (x <= 100))
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"{where(i, field)}: {_fmt(x[i])} is not a percentage (0-100)"
        )


def _scaled(x: np.ndarray, pow10: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest integers to ``x * pow10`` and a mask of entries that are not integral."""
    y = x * pow10
    r = np.rint(y)
    bad = np.abs(y - r) > _REL_TOL * np.maximum(1.0, np.abs(y))
    return r, bad


@dataclass(frozen=True)
class _Prepared:
    """Exact integer form of figures, independent of n.

    Row i is feasible for count k out of n when
    ``lo[i] * n  (<= if lo_inc else <)  mult[i] * k  (<= if hi_inc else <)  hi[i] * n``.
    """

    lo: np.ndarray
    hi: np.ndarray
    lo_inc: np.ndarray
    hi_inc: np.ndarray
    mult: np.ndarray
    coef_max: np.ndarray  # max(|lo|, |hi|), for the overflow check

    def take(self, rows: np.ndarray) -> _Prepared:
        return _Prepared(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def _prepare(
    value: np.ndarray,
    low: np.ndarray | None,
    high: np.ndarray | None,
    decimals: np.ndarray,
    codes: np.ndarray,
    where: _Where,
) -> _Prepared:
    """Validate reported figures and convert them to exact integer bounds."""
    length = len(value)
    _check_percent(value, "value", where)
    is_interval = np.isnan(value)

    # Point values: V = value * 10**decimals must be integral.
    d_pow = _POW10_F[decimals]
    v_f, bad = _scaled(np.where(is_interval, 0.0, value), d_pow)
    if bad.any():
        i = _first(bad)
        j = _written_decimals(float(value[i]))
        written = f"{j} decimal place(s)" if j is not None else "more than 15 decimal places"
        raise ValueError(
            f"{where(i, 'value')}: {_fmt(value[i])} has {written} "
            f"but decimals={int(decimals[i])}"
        )
    v = v_f.astype(np.int64)
    lo = 2 * v + _LO_OFF[codes]
    hi = 2 * v + _HI_OFF[codes]
    even = (v % 2) == 0
    lo_code = _LO_INC[codes]
    hi_code = _HI_INC[codes]
    lo_inc = np.where(lo_code < 0, even, lo_code == 1)
    hi_inc = np.where(hi_code < 0, even, hi_code == 1)
    mult = 2 * 100 * _POW10_I[decimals]

    has_low = low is not None and not np.isnan(low).all()
    has_high = high is not None and not np.isnan(high).all()
    if has_low or has_high:
        low_a = low if low is not None else np.full(length, np.nan)
        high_a = high if high is not None else np.full(length, np.nan)
        _check_percent(low_a, "low", where)
        _check_percent(high_a, "high", where)
        bad = low_a > high_a  # NaN compares False
        if bad.any():
            i = _first(bad)
            raise ValueError(
                f"{where(i, 'low')}: {_fmt(low_a[i])} is greater than "
                f"high {_fmt(high_a[i])}"
            )
    else:
        low_a = high_a = np.full(length, np.nan)

    if is_interval.any():
        both_missing = is_interval & np.isnan(low_a) & np.isnan(high_a)
        if both_missing.any():
            i = _first(both_missing)
            raise ValueError(
                f"{where(i, 'value')}: missing (NaN) and neither low nor high "
                "is given; give the value, or low/high for a vague wording"
            )
        rows = np.flatnonzero(is_interval)
        # A one-sided wording ("more than half") leaves the other end open: 0 or 100.
        lo_pct = np.where(np.isnan(low_a[rows]), 0.0, low_a[rows])
        hi_pct = np.where(np.isnan(high_a[rows]), 100.0, high_a[rows])
        # Use the number of decimals actually written (up to 6) for each end.
        written = np.full((2, len(rows)), -1, dtype=np.int64)
        for j in range(_MAX_DECIMALS, -1, -1):
            for e, x in enumerate((lo_pct, hi_pct)):
                _, not_int = _scaled(x, _POW10_F[j])
                written[e, ~not_int] = j
        for e, field in enumerate(("low", "high")):
            if (written[e] < 0).any():
                t = _first(written[e] < 0)
                x = (lo_pct, hi_pct)[e][t]
                raise ValueError(
                    f"{where(rows[t], field)}: {_fmt(x)} has more than "
                    f"{_MAX_DECIMALS} decimal places"
                )
        di = written.max(axis=0)
        lo_i = np.rint(lo_pct * _POW10_F[di]).astype(np.int64)
        hi_i = np.rint(hi_pct * _POW10_F[di]).astype(np.int64)
        lo[rows] = lo_i
        hi[rows] = hi_i
        lo_inc[rows] = True
        hi_inc[rows] = True
        mult[rows] = 100 * _POW10_I[di]

    coef_max = np.maximum(np.abs(lo), np.abs(hi))
    return _Prepared(lo, hi, lo_inc, hi_inc, mult, coef_max)


def _bounds(
    prep: _Prepared, n: np.ndarray, labels: pd.Index, field: str = "n"
) -> tuple[np.ndarray, np.ndarray]:
    """Feasible count range per row (``k_low > k_high`` when empty).

    Rows whose products would leave int64 (a very large ``n``) are computed
    with Python's arbitrary-precision integers instead: exact for any ``n``.
    """
    too_big = prep.coef_max.astype(np.float64) * n.astype(np.float64) >= _INT64_SAFE
    safe_n = np.where(too_big, 0, n)
    a = prep.lo * safe_n
    b = prep.hi * safe_n
    m = prep.mult
    # Smallest k with m*k >= a is ceil(a/m); with m*k > a it is floor(a/m) + 1.
    k_low = np.where(prep.lo_inc, -((-a) // m), a // m + 1)
    # Largest k with m*k <= b is floor(b/m); with m*k < b it is floor((b-1)/m).
    k_high = np.where(prep.hi_inc, b // m, (b - 1) // m)
    for i in np.flatnonzero(too_big):
        big_n = int(n[i])
        big_a, big_b, mi = int(prep.lo[i]) * big_n, int(prep.hi[i]) * big_n, int(m[i])
        low = max(-((-big_a) // mi) if prep.lo_inc[i] else big_a // mi + 1, 0)
        high = min(big_b // mi if prep.hi_inc[i] else (big_b - 1) // mi, big_n)
        k_low[i], k_high[i] = (low, high) if low <= high else (1, 0)  # (1, 0): empty, within int64
    np.maximum(k_low, 0, out=k_low)
    np.minimum(k_high, n, out=k_high)
    return k_low, k_high


def _ranges(
    values: ArrayLike,
    ns: ArrayLike,
    decimals: ArrayLike,
    rounding: Any,
    lows: ArrayLike,
    highs: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    length, where, raw = _broadcast_plan(
        {
            "value": values,
            "n": ns,
            "decimals": decimals,
            "rounding": rounding,
            "low": lows,
            "high": highs,
        }
    )
    n = _check_counts(raw["n"], length, where)
    d = _check_decimals(raw["decimals"], length, where)
    codes = _rule_codes(raw["rounding"], length, where)
    value = _to_float(raw["value"], length, "value", where)
    low = None if raw["low"] is None else _to_float(raw["low"], length, "low", where)
    high = None if raw["high"] is None else _to_float(raw["high"], length, "high", where)
    prep = _prepare(value, low, high, d, codes, where)
    k_low, k_high = _bounds(prep, n, where.index)
    return k_low, k_high, where.index


def _nullable(values: np.ndarray, mask: np.ndarray) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.IntegerArray(values.astype(np.int64, copy=False), mask.copy())


# ---------------------------------------------------------------------------
# Public API: single figures and columns of figures
# ---------------------------------------------------------------------------


def feasible_counts(
    value: float | None,
    n: int,
    decimals: int = 0,
    rounding: str = "half_up",
    *,
    low: float | None = None,
    high: float | None = None,
) -> range:
    """Counts ``k`` out of ``n`` whose percentage rounds to a reported value.

    Parameters
    ----------
    value : float or None
        The reported percentage (0-100), e.g. ``30`` or ``12.5``.  None or
        NaN for a vague wording, which is then given by ``low`` / ``high``.
    n : int
        Group size (a positive whole number).
    decimals : int, default 0
        Decimal places the value was reported with (0-6).
    rounding : str, default "half_up"
        One of :data:`alignment_stats.schema.ROUNDING_RULES` (``"unknown"`` = any of the four others).
    low, high : float, optional
        Closed interval in percent for a vague wording when ``value`` is
        missing: ``"one third"`` as ``low=30, high=37``, ``"less than one
        quarter"`` as ``low=0, high=25``.  A missing end defaults to 0 / 100.

    Returns
    -------
    range
        Every feasible ``k`` in ``0..n``, ascending (empty when the figure is
        GRIM-inconsistent with ``n``). A range, not an array: it holds any
        number of counts (``n`` up to 2**62) without allocating them.

    Raises
    ------
    ValueError
        If ``n`` is not a positive whole number, the value is outside 0-100 or
        written with more decimals than ``decimals``, the rule is unknown, the
        value is missing without ``low`` / ``high`` or given together with
        them; also if any argument is not a scalar.

    See Also
    --------
    count_ranges : the same for whole columns, as ranges.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from alignment_stats.counts.feasible import feasible_counts
    >>> feasible_counts(30, 106)
    range(32, 33)
    >>> list(feasible_counts(13, 24))  # 3/24 = 12.5% rounds half up to 13
    [3]
    >>> list(feasible_counts(13, 24, rounding="half_even"))  # ... but to 12 half to even
    []
    >>> list(feasible_counts(None, 24, low=30, high=37))  # "about one third" of 24
    [8]
    >>> len(feasible_counts(13, 10**12))  # 12.5% to 13.5% of a trillion, never allocated
    10000000000
    """
    for name, x in (("value", value), ("n", n), ("decimals", decimals), ("low", low), ("high", high)):
        if not _is_scalar(x):
            raise ValueError(f"field {name}: feasible_counts takes one figure; use count_ranges for columns")
    given = value is not None and not (isinstance(value, float) and np.isnan(value))
    if given and (low is not None or high is not None):
        raise ValueError("field value: give either the value or low/high (an interval for a vague wording), not both")
    k_low, k_high, _ = _ranges(value, n, decimals, rounding, low, high)
    return range(int(k_low[0]), max(int(k_high[0]), int(k_low[0]) - 1) + 1)


def count_ranges(
    values: ArrayLike,
    ns: ArrayLike,
    decimals: ArrayLike = 0,
    rounding: str | Sequence[str] | np.ndarray | pd.Series = "half_up",
    *,
    lows: ArrayLike = None,
    highs: ArrayLike = None,
) -> pd.DataFrame:
    """Feasible count range for every (value, n) row, vectorized.

    The feasible counts of one figure always form one contiguous range
    (see the module docstring for the proof), so a range is a complete
    answer.

    Parameters
    ----------
    values : array-like or Series
        Reported percentages (0-100).  NaN / None where the figure is a
        vague wording given by ``lows`` / ``highs``.
    ns : array-like or Series
        Group sizes (positive whole numbers).
    decimals : int or array-like, default 0
        Decimal places of each value (0-6), a scalar or one per row.
    rounding : str or array-like of str, default "half_up"
        Rounding rule, a scalar or one per row; see :data:`alignment_stats.schema.ROUNDING_RULES`.
    lows, highs : array-like or Series, optional
        Closed intervals in percent, used on rows whose value is NaN; a
        missing end defaults to 0 / 100.  Non-missing entries are checked on
        every row.

    Returns
    -------
    pandas.DataFrame
        One row per input row, indexed by the index of the (first) Series
        input, else a RangeIndex, with columns

        - ``k_low`` (Int64): smallest feasible count, <NA> when none;
        - ``k_high`` (Int64): largest feasible count, <NA> when none;
        - ``n_feasible`` (int64): number of feasible counts (0 = inconsistent).

    Raises
    ------
    ValueError
        With the offending row label and field: n not a positive whole
        number; value, low or high outside 0-100; low > high; a value written
        with more decimals than ``decimals``; an unknown rounding rule; a
        missing value without low/high; mismatched lengths; Series inputs
        with different indexes; n too large for exact int64 arithmetic.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from alignment_stats.counts.feasible import count_ranges
    >>> count_ranges([30, 13, 13, None], [106, 24, 25, 24],
    ...              lows=[None, None, None, 0], highs=[None, None, None, 25])
       k_low  k_high  n_feasible
    0     32      32           1
    1      3       3           1
    2   <NA>    <NA>           0
    3      0       6           7
    >>> count_ranges([12.5, 12.5], 24, decimals=1, rounding=["half_up", "truncate"])
       k_low  k_high  n_feasible
    0      3       3           1
    1      3       3           1
    """
    k_low, k_high, index = _ranges(values, ns, decimals, rounding, lows, highs)
    empty = k_low > k_high
    n_feasible = np.where(empty, 0, k_high - k_low + 1)
    return pd.DataFrame(
        {
            "k_low": _nullable(np.where(empty, 0, k_low), empty),
            "k_high": _nullable(np.where(empty, 0, k_high), empty),
            "n_feasible": n_feasible.astype(np.int64),
        },
        index=index,
    )


def is_consistent(
    value: ArrayLike,
    n: ArrayLike,
    decimals: ArrayLike = 0,
    rounding: str | Sequence[str] | np.ndarray | pd.Series = "half_up",
    *,
    low: ArrayLike = None,
    high: ArrayLike = None,
) -> bool | np.ndarray:
    """GRIM test: is at least one count ``k`` out of ``n`` feasible?

    Parameters
    ----------
    value : float, array-like or Series
        Reported percentage(s), 0-100; NaN / None for a vague wording.
    n : int, array-like or Series
        Group size(s).
    decimals : int or array-like, default 0
        Decimal places of each value (0-6).
    rounding : str or array-like of str, default "half_up"
        Rounding rule(s); see :data:`alignment_stats.schema.ROUNDING_RULES`.
    low, high : float or array-like, optional
        Closed intervals for vague wordings (rows whose value is NaN).

    Returns
    -------
    bool or numpy.ndarray
        A Python bool when every input is a scalar, else a bool array with one
        entry per row: True when the figure is consistent with ``n``.

    Raises
    ------
    ValueError
        As :func:`count_ranges`.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from alignment_stats.counts.feasible import is_consistent
    >>> is_consistent(13, 25)
    False
    >>> is_consistent([13, 4, 63, 50], 24)
    array([ True,  True,  True,  True])
    >>> is_consistent([13, 4, 63, 50], 24, rounding="half_even")
    array([False,  True, False,  True])
    """
    k_low, k_high, _ = _ranges(value, n, decimals, rounding, low, high)
    ok = k_low <= k_high
    if all(_is_scalar(x) for x in (value, n, decimals, rounding, low, high)):
        return bool(ok[0])
    return ok


# ---------------------------------------------------------------------------
# Group sizes
# ---------------------------------------------------------------------------


def infer_group_sizes(
    total: int,
    shares: Mapping[Hashable, float] | Sequence[float] | pd.Series,
    decimals: int | Sequence[int] = 0,
    rounding: str | Sequence[str] = "half_up",
    max_unclassified: int = 0,
    *,
    max_combinations: int = 1_000_000,
) -> pd.DataFrame:
    """Every split of ``total`` respondents into groups matching reported shares.

    Studies often publish only a total and group shares ("131 executives,
    81% marketing, 19% IT").  A candidate is one size per group such that
    each size's share *of the total* rounds to the reported share, and the
    sizes add up to between ``total - max_unclassified`` and ``total``
    (respondents who belong to none of the listed groups).

    Each group's feasible sizes come from :func:`count_ranges`; the ranges
    are combined as a Cartesian product of all groups but the last, whose
    size is then a range fixed by the sum constraint.

    Parameters
    ----------
    total : int
        Number of respondents the shares are percentages of.
    shares : mapping, sequence or Series
        ``{group: percent}``; a sequence gives groups ``0..m-1``; a Series
        uses its index as the groups.
    decimals : int or sequence of int, default 0
        Decimal places of the shares (scalar or one per group).
    rounding : str or sequence of str, default "half_up"
        Rounding rule(s); see :data:`alignment_stats.schema.ROUNDING_RULES`.
    max_unclassified : int, default 0
        How many respondents may belong to no listed group.
    max_combinations : int, default 1_000_000
        Guard against a combinatorial explosion (many groups with wide
        ranges): the number of partial combinations enumerated and the number
        of candidates returned may not exceed it.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (candidate, group), candidates ordered by
        ``n_unclassified`` then by group sizes (in the groups' order); empty when no
        split fits.  Columns:

        - ``candidate`` (int64): 0-based candidate id;
        - ``group``: the group label;
        - ``share`` (float64): the reported share;
        - ``n`` (int64): the group size in this candidate;
        - ``n_unclassified`` (int64): ``total`` minus the candidate's sum of sizes;
        - ``n_total`` (int64): ``total``.

    Raises
    ------
    ValueError
        If ``total`` is not a positive whole number, ``max_unclassified`` is not a
        whole number in ``0..total``, no shares are given, a share is invalid
        (see :func:`count_ranges`; the message names the group), or the
        enumeration would exceed ``max_combinations``.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    Leapfrog 2015: 131 executives, 81% marketing and 19% IT:

    >>> from alignment_stats.counts.feasible import infer_group_sizes
    >>> infer_group_sizes(131, {"marketing": 81, "it": 19})
       candidate      group  share    n  n_unclassified  n_total
    0          0  marketing   81.0  106               0      131
    1          0         it   19.0   25               0      131

    Two halves of 200 with up to one respondent unclassified:

    >>> infer_group_sizes(200, [50, 50], max_unclassified=1)
       candidate group  share    n  n_unclassified  n_total
    0          0     0   50.0  100               0      200
    1          0     1   50.0  100               0      200
    2          1     0   50.0   99               1      200
    3          1     1   50.0  100               1      200
    4          2     0   50.0  100               1      200
    5          2     1   50.0   99               1      200
    """
    for name, x in (("total", total), ("max_unclassified", max_unclassified)):
        if not _is_scalar(x):
            raise ValueError(f"field {name}: expected one whole number")
    one = _Where(pd.RangeIndex(1), frozenset({"total", "max_unclassified"}))
    total_i = int(_check_counts(total, 1, one, "total")[0])
    max_uncl = int(_check_counts(max_unclassified, 1, one, "max_unclassified", allow_zero=True)[0])
    if max_uncl > total_i:
        raise ValueError(f"field max_unclassified: {max_uncl} exceeds total {total_i}")
    share_s = _shares_series(shares)
    groups = share_s.index
    ranges = count_ranges(share_s, total_i, decimals, rounding)
    share_f = _to_float(share_s.to_numpy(), len(share_s), "value", _Where(groups))
    columns = ["candidate", "group", "share", "n", "n_unclassified", "n_total"]

    if (ranges["n_feasible"] == 0).any():
        sizes = np.empty((0, len(groups)), dtype=np.int64)
    else:
        lo = ranges["k_low"].to_numpy(dtype=np.int64)
        hi = ranges["k_high"].to_numpy(dtype=np.int64)
        widths = hi[:-1] - lo[:-1] + 1
        n_partial = int(np.prod(widths.astype(object))) if len(widths) else 1
        if n_partial > max_combinations:
            raise ValueError(
                f"field shares: {n_partial} combinations of group sizes to enumerate "
                f"(more than max_combinations={max_combinations}); raise max_combinations "
                "or report the shares with more decimals"
            )
        grids = np.meshgrid(*[np.arange(a, b + 1) for a, b in zip(lo[:-1], hi[:-1])], indexing="ij")
        partial = np.stack([g.ravel() for g in grids], axis=1) if grids else np.zeros((1, 0), np.int64)
        s = partial.sum(axis=1)
        last_lo = np.maximum(lo[-1], total_i - max_uncl - s)
        last_hi = np.minimum(hi[-1], total_i - s)
        count = np.clip(last_hi - last_lo + 1, 0, None)
        n_cand = int(count.sum())
        if n_cand > max_combinations:
            raise ValueError(
                f"field shares: {n_cand} candidate splits (more than "
                f"max_combinations={max_combinations}); raise max_combinations or lower max_unclassified"
            )
        rep = np.repeat(np.arange(len(partial)), count)
        offset = np.arange(n_cand) - np.repeat(np.cumsum(count) - count, count)
        last = last_lo[rep] + offset
        sizes = np.column_stack([partial[rep], last]).astype(np.int64)
        missing = total_i - sizes.sum(axis=1)
        order = np.lexsort(tuple(sizes[:, j] for j in range(sizes.shape[1] - 1, -1, -1)) + (missing,))
        sizes = sizes[order]

    n_cand, m = sizes.shape
    missing = total_i - sizes.sum(axis=1)
    out = pd.DataFrame(
        {
            "candidate": np.repeat(np.arange(n_cand, dtype=np.int64), m),
            "group": np.tile(np.asarray(groups, dtype=object), n_cand),
            "share": np.tile(share_f, n_cand),
            "n": sizes.ravel(),
            "n_unclassified": np.repeat(missing, m).astype(np.int64),
            "n_total": np.full(n_cand * m, total_i, dtype=np.int64),
        },
        columns=columns,
    )
    return out


def _shares_series(shares: Any) -> pd.Series:
    """Shares as a Series indexed by group (0..m-1 for a sequence)."""
    if isinstance(shares, pd.Series):
        share_s = shares
    elif isinstance(shares, Mapping):
        groups = pd.Index(list(shares.keys()), dtype=object)
        share_s = pd.Series(list(shares.values()), index=groups, dtype=object)
    elif isinstance(shares, (str, bytes)) or np.ndim(shares) != 1:
        raise ValueError("field shares: expected a mapping {group: percent} or a sequence of percents")
    else:
        share_s = pd.Series(list(shares), dtype=object)
    if len(share_s) == 0:
        raise ValueError("field shares: no groups given")
    return share_s


def consistent_group_sizes(
    figures: pd.DataFrame,
    candidates: pd.DataFrame,
    decimals: int = 0,
    rounding: str = "half_up",
) -> pd.DataFrame:
    """Score candidate group sizes by how many of a study's figures they allow.

    Every figure of a (study, group) is checked with every candidate size of
    that (study, group) in one vectorized pass: figures and candidates are
    merged on ``study, group`` and the merged rows go through the same exact
    range computation as :func:`count_ranges`.

    Parameters
    ----------
    figures : pandas.DataFrame
        Columns ``study, item, group, value`` and optionally ``low, high``
        (value NaN for vague wordings), ``decimals`` and ``rounding`` (per-row
        overrides of the arguments; missing entries use the arguments).
    candidates : pandas.DataFrame
        Columns ``study, group, n``: the sizes to try for each (study, group),
        listed in order of prior preference (earlier = preferred on ties).
    decimals : int, default 0
        Decimal places of figures without their own ``decimals``.
    rounding : str, default "half_up"
        Rounding rule of figures without their own ``rounding``.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, in the candidates' order and with their index.
        Columns:

        - ``study``, ``group``, ``n``: the candidate;
        - ``n_figures`` (int64): figures of that study and group;
        - ``n_feasible`` (int64): of those, how many have a feasible count at ``n``;
        - ``all_feasible`` (bool): every figure is feasible (True when there
          are no figures);
        - ``ruled_out_by`` (str): sorted, comma-separated ids of the items
          that are infeasible at ``n``, ``''`` if none;
        - ``rank`` (int64): 1 = best within (study, group): most feasible
          figures first, ties broken by the candidates' order.

    Raises
    ------
    ValueError
        If a required column is missing, or a figure or candidate is invalid
        (the message names the row label of ``figures`` or ``candidates`` and
        the field; see :func:`count_ranges`).

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    Four IT figures of Leapfrog 2015 against IT group sizes 24 and 25:

    >>> import pandas as pd
    >>> from alignment_stats.counts.feasible import consistent_group_sizes
    >>> figures = pd.DataFrame({
    ...     "study": "leapfrog", "group": "it",
    ...     "item": ["collaborative", "improved", "no_shared_incentives", "omnichannel"],
    ...     "value": [13, 4, 63, 50]})
    >>> candidates = pd.DataFrame({"study": "leapfrog", "group": "it", "n": [25, 24]})
    >>> out = consistent_group_sizes(figures, candidates)
    >>> out[["n", "n_feasible", "all_feasible", "rank"]]
        n  n_feasible  all_feasible  rank
    0  25           1         False     2
    1  24           4          True     1
    >>> print(out.loc[0, "ruled_out_by"])
    collaborative, no_shared_incentives, omnichannel
    """
    for name, frame, required in (
        ("figures", figures, ("study", "item", "group", "value")),
        ("candidates", candidates, ("study", "group", "n")),
    ):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name}: expected a DataFrame, got {type(frame).__name__}")
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")

    f_index = figures.index
    nf = len(figures)
    f_where = _Where(f_index, frozenset(c for c in ("decimals", "rounding") if c not in figures.columns))
    if "decimals" in figures.columns:
        d_col = _to_float(figures["decimals"].to_numpy(), nf, "decimals", f_where)
        d_col = np.where(np.isnan(d_col), float(decimals), d_col)
    else:
        d_col = decimals
    if "rounding" in figures.columns:
        r_col = figures["rounding"].astype(object).to_numpy()
        r_col = np.where(pd.isna(r_col), rounding, r_col)
    else:
        r_col = rounding
    d = _check_decimals(d_col, nf, f_where)
    codes = _rule_codes(r_col, nf, f_where)
    value = _to_float(figures["value"].to_numpy(), nf, "value", f_where)
    low = _to_float(figures["low"].to_numpy(), nf, "low", f_where) if "low" in figures.columns else None
    high = _to_float(figures["high"].to_numpy(), nf, "high", f_where) if "high" in figures.columns else None
    prep = _prepare(value, low, high, d, codes, f_where)

    nc = len(candidates)
    c_index = candidates.index
    cand_n = _check_counts(candidates["n"].to_numpy(), nc, _Where(c_index))

    keys = ["study", "group"]
    c_keys = pd.DataFrame({k: candidates[k].to_numpy() for k in keys}).assign(_cand=np.arange(nc))
    f_keys = pd.DataFrame({k: figures[k].to_numpy() for k in keys}).assign(_fig=np.arange(nf))
    merged = c_keys.merge(f_keys, on=keys, how="inner", sort=False)
    ci = merged["_cand"].to_numpy(dtype=np.int64)
    fi = merged["_fig"].to_numpy(dtype=np.int64)

    k_low, k_high = _bounds(prep.take(fi), cand_n[ci], c_index[ci])
    feasible = k_low <= k_high
    n_figures = np.bincount(ci, minlength=nc).astype(np.int64)
    n_feasible = np.bincount(ci, weights=feasible.astype(np.float64), minlength=nc).astype(np.int64)

    ruled_out = np.full(nc, "", dtype=object)
    bad = ~feasible
    if bad.any():
        items = figures["item"].to_numpy(dtype=object)[fi[bad]]
        for c, group_items in pd.Series(items).groupby(ci[bad], sort=False):
            ruled_out[c] = ", ".join(_sorted_ids(group_items.tolist()))

    out = pd.DataFrame(
        {
            "study": candidates["study"].to_numpy(),
            "group": candidates["group"].to_numpy(),
            "n": cand_n,
            "n_figures": n_figures,
            "n_feasible": n_feasible,
            "all_feasible": n_feasible == n_figures,
            "ruled_out_by": ruled_out,
        }
    )
    order = pd.DataFrame(
        {"study": out["study"], "group": out["group"], "neg": -n_feasible, "pos": np.arange(nc)}
    )
    order = order.sort_values(["neg", "pos"], kind="stable")
    rank = order.groupby(["study", "group"], sort=False, dropna=False).cumcount() + 1
    out["rank"] = rank.sort_index().to_numpy(dtype=np.int64)
    out.index = c_index
    return out


def _sorted_ids(ids: list[Any]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    try:
        unique.sort()
    except TypeError:
        unique.sort(key=str)
    return [str(x) for x in unique]


# ---------------------------------------------------------------------------
# Cross-figure checks
# ---------------------------------------------------------------------------


def _int_column(x: Any, length: int, field: str, where: _Where) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers with a missing mask (NA from count_ranges stays missing)."""
    f = _to_float(x, length, field, where)
    missing = np.isnan(f)
    bad = ~missing & (~np.isfinite(f) | (f != np.floor(f)) | (f < 0))
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"{where(i, field)}: {_fmt(f[i])} is not a non-negative whole number"
        )
    return np.where(missing, 0, f).astype(np.int64), missing


def _labels_for(labels: Any, index: pd.Index, length: int, field: str) -> list[Any]:
    if labels is None:
        return list(index)
    lab = [labels] * length if _is_scalar(labels) else list(labels)
    if len(lab) != length:
        raise ValueError(
            f"mismatched lengths: field {field} has {len(lab)} entries but there are {length} rows"
        )
    return lab


def _range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}..{hi}"


def mixture_consistent(
    k_lows: ArrayLike,
    k_highs: ArrayLike,
    ns: ArrayLike,
    total_value: float,
    decimals: int = 0,
    rounding: str = "half_up",
    *,
    labels: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Can subgroup counts add up to a pooled count matching a reported total?

    Subgroup ``i`` has ``k_lows[i] <= k_i <= k_highs[i]`` out of ``ns[i]``.
    The pooled count ``sum k_i`` then takes every whole value in
    ``[sum k_lows, sum k_highs]`` out of ``sum ns``; the check is whether this
    range meets ``feasible_counts(total_value, sum(ns))``.  Use it for a
    figure reported "in both groups" (it must also hold for the pooled
    sample) and for subgroup figures that must reproduce a reported total.

    Parameters
    ----------
    k_lows, k_highs : array-like or Series
        Feasible count range of each subgroup (e.g. the ``k_low`` / ``k_high``
        columns of :func:`count_ranges`); <NA> marks a subgroup with no
        feasible count, which makes the check fail.
    ns : array-like or Series
        Subgroup sizes.
    total_value : float
        Reported percentage for the pooled sample.
    decimals : int, default 0
        Decimal places of ``total_value``.
    rounding : str, default "half_up"
        Rounding rule of ``total_value``; see :data:`alignment_stats.schema.ROUNDING_RULES`.
    labels : sequence, optional
        Names of the subgroup figures; default the Series index of
        ``k_lows`` or the positions ``0..m-1``.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``figures`` (the subgroup labels, comma-separated),
        ``n`` (pooled size), ``k_low``, ``k_high`` (pooled count range, Int64),
        ``total_value``, ``total_k_low``, ``total_k_high`` (counts out of ``n``
        matching ``total_value``, Int64, <NA> when none), ``ok`` (bool) and
        ``detail`` (the numbers, in words).

    Raises
    ------
    ValueError
        Mismatched lengths, sizes that are not positive whole numbers, counts
        that are not whole numbers in ``0..n`` or with ``k_low > k_high``, or
        an invalid ``total_value`` (see :func:`count_ranges`).

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    Leapfrog: 63% of marketing (67 of 106) and 63% of IT (15 of 24) do not
    share incentives; pooled that is 82 of 130 = 63.08%:

    >>> from alignment_stats.counts.feasible import mixture_consistent
    >>> res = mixture_consistent([67, 15], [67, 15], [106, 24], 63,
    ...                          labels=["marketing", "it"])
    >>> res[["figures", "n", "k_low", "k_high", "ok"]]
             figures    n  k_low  k_high    ok
    0  marketing, it  130     82      82  True
    >>> print(res.loc[0, "detail"])
    pooled k 82 of n=130 (63.08%); 63% needs k 82: ok
    """
    length, where, raw = _broadcast_plan({"k_lows": k_lows, "k_highs": k_highs, "ns": ns})
    index = where.index
    n = _check_counts(raw["ns"], length, where, "ns")
    lo, lo_na = _int_column(raw["k_lows"], length, "k_lows", where)
    hi, hi_na = _int_column(raw["k_highs"], length, "k_highs", where)
    if (lo_na != hi_na).any():
        i = _first(lo_na != hi_na)
        raise ValueError(f"{where(i, 'k_lows')}: only one of k_low / k_high is missing")
    for field, arr in (("k_lows", lo), ("k_highs", hi)):
        bad = arr > n
        if bad.any():
            i = _first(bad)
            raise ValueError(
                f"{where(i, field)}: {int(arr[i])} exceeds n={int(n[i])}"
            )
    bad = lo > hi
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"{where(i, 'k_lows')}: {int(lo[i])} is greater than k_high {int(hi[i])}"
        )
    names = _labels_for(labels, index, length, "labels")
    n_tot = int(n.sum())
    t_lo, t_hi, _ = _ranges(total_value, n_tot, decimals, rounding, None, None)
    t_lo_i, t_hi_i = int(t_lo[0]), int(t_hi[0])
    total_ok = t_lo_i <= t_hi_i
    p_lo, p_hi = int(lo.sum()), int(hi.sum())
    value_txt = f"{_fmt(float(total_value))}%"
    if lo_na.any():
        ok = False
        missing = ", ".join(str(names[i]) for i in np.flatnonzero(lo_na))
        detail = f"no feasible count for subgroup(s) {missing}"
    else:
        ok = total_ok and max(p_lo, t_lo_i) <= min(p_hi, t_hi_i)
        pct = _fmt(round(100 * p_lo / n_tot, 2)) if p_lo == p_hi else (
            f"{_fmt(round(100 * p_lo / n_tot, 2))}-{_fmt(round(100 * p_hi / n_tot, 2))}"
        )
        pooled = f"pooled k {_range_text(p_lo, p_hi)} of n={n_tot} ({pct}%)"
        if total_ok:
            verdict = "ok" if ok else "no overlap"
            detail = f"{pooled}; {value_txt} needs k {_range_text(t_lo_i, t_hi_i)}: {verdict}"
        else:
            detail = f"{pooled}; {value_txt} is impossible with n={n_tot}"
    na = lo_na.any()
    return pd.DataFrame(
        {
            "figures": [", ".join(str(x) for x in names)],
            "n": np.array([n_tot], dtype=np.int64),
            "k_low": _nullable(np.array([0 if na else p_lo]), np.array([na])),
            "k_high": _nullable(np.array([0 if na else p_hi]), np.array([na])),
            "total_value": [float(total_value)],
            "total_k_low": _nullable(np.array([t_lo_i if total_ok else 0]), np.array([not total_ok])),
            "total_k_high": _nullable(np.array([t_hi_i if total_ok else 0]), np.array([not total_ok])),
            "ok": np.array([ok], dtype=bool),
            "detail": [detail],
        }
    )


def nested_consistent(
    sub_k_low: ArrayLike,
    sup_k_high: ArrayLike,
    *,
    sub_labels: Sequence[Hashable] | Hashable | None = None,
    sup_labels: Sequence[Hashable] | Hashable | None = None,
) -> pd.DataFrame:
    """Is a subset figure no larger than its superset figure (same base)?

    When one answer implies another ("very collaborative" implies
    "collaborative") and both are shares of the same respondents, some pair
    of feasible counts must satisfy ``k_sub <= k_sup``; that exists exactly
    when ``sub_k_low <= sup_k_high``.  Vectorized over rows.

    Parameters
    ----------
    sub_k_low : array-like or Series
        Smallest feasible count of each subset figure (<NA> = none feasible).
    sup_k_high : array-like or Series
        Largest feasible count of the matching superset figure.
    sub_labels, sup_labels : label or sequence of labels, optional
        Names of the figures; default the row labels.

    Returns
    -------
    pandas.DataFrame
        One row per pair (index of the first Series input, else a RangeIndex)
        with columns ``sub``, ``sup`` (labels), ``sub_k_low``, ``sup_k_high``
        (Int64), ``ok`` (bool; False when either side has no feasible count)
        and ``detail``.

    Raises
    ------
    ValueError
        Mismatched lengths, or counts that are not non-negative whole numbers.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from alignment_stats.counts.feasible import nested_consistent
    >>> res = nested_consistent([32, 32], [82, 25], sub_labels="very_collaborative",
    ...                         sup_labels=["collaborative", "improved"])
    >>> res[["sub", "sup", "sub_k_low", "sup_k_high", "ok"]]
                      sub            sup  sub_k_low  sup_k_high     ok
    0  very_collaborative  collaborative         32          82   True
    1  very_collaborative       improved         32          25  False
    >>> print(res.loc[1, "detail"])
    subset k >= 32 but superset k <= 25
    """
    length, where, raw = _broadcast_plan({"sub_k_low": sub_k_low, "sup_k_high": sup_k_high})
    index = where.index
    lo, lo_na = _int_column(raw["sub_k_low"], length, "sub_k_low", where)
    hi, hi_na = _int_column(raw["sup_k_high"], length, "sup_k_high", where)
    ok = ~lo_na & ~hi_na & (lo <= hi)
    detail = []
    for i in range(length):
        if lo_na[i] or hi_na[i]:
            side = "subset" if lo_na[i] else "superset"
            detail.append(f"no feasible count for the {side}")
        elif ok[i]:
            detail.append(f"subset k >= {lo[i]}, superset k <= {hi[i]}: ok")
        else:
            detail.append(f"subset k >= {lo[i]} but superset k <= {hi[i]}")
    return pd.DataFrame(
        {
            "sub": _labels_for(sub_labels, index, length, "sub_labels"),
            "sup": _labels_for(sup_labels, index, length, "sup_labels"),
            "sub_k_low": _nullable(lo, lo_na),
            "sup_k_high": _nullable(hi, hi_na),
            "ok": ok,
            "detail": detail,
        },
        index=index,
    )


def shares_sum_consistent(
    shares: Mapping[Hashable, float] | Sequence[float] | pd.Series,
    decimals: int | Sequence[int] = 0,
    rounding: str | Sequence[str] = "half_up",
) -> pd.DataFrame:
    """Can rounded shares of one whole come from true shares summing to 100%?

    Each reported share ``V_i`` comes from a true share ``x_i`` in an
    interval fixed by the rounding rule (e.g. half up: ``[V-0.5, V+0.5)`` in
    units of the last decimal), intersected with ``[0, 100]``.  True shares
    with ``sum x_i = 100`` exist exactly when 100 lies in the interval of
    achievable sums: from the sum of lower edges (included only if every
    lower edge is included) to the sum of upper edges (likewise).  Computed
    exactly in integers of half a unit of the last decimal.  The groups must
    exhaust the whole; with a known total, :func:`infer_group_sizes` is the
    sharper test.

    Parameters
    ----------
    shares : mapping, sequence or Series
        Reported percentages of one whole, ``{group: percent}`` or a sequence.
    decimals : int or sequence of int, default 0
        Decimal places of each share.
    rounding : str or sequence of str, default "half_up"
        Rounding rule(s); see :data:`alignment_stats.schema.ROUNDING_RULES`.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``figures`` (the group labels, comma-separated),
        ``sum_reported`` (float), ``sum_low``, ``sum_high`` (float, edges of
        the achievable sum of true shares), ``ok`` (bool) and ``detail``
        (the sum and the interval, ``[`` / ``(`` marking closed / open ends).

    Raises
    ------
    ValueError
        No shares, or an invalid share (see :func:`count_ranges`).

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple
    technique detects numerous anomalies in the reporting of results in
    psychology. *Social Psychological and Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from alignment_stats.counts.feasible import shares_sum_consistent
    >>> res = shares_sum_consistent({"marketing": 81, "it": 19})
    >>> res[["figures", "sum_reported", "sum_low", "sum_high", "ok"]]
             figures  sum_reported  sum_low  sum_high    ok
    0  marketing, it         100.0     99.0     101.0  True
    >>> print(res.loc[0, "detail"])
    81 + 19 = 100; true shares sum to [99, 101): ok
    >>> print(shares_sum_consistent([40, 40, 40]).loc[0, "detail"])
    40 + 40 + 40 = 120; true shares sum to [118.5, 121.5): 100 is impossible
    """
    share_s = _shares_series(shares)
    length, where, raw = _broadcast_plan({"value": share_s, "decimals": decimals, "rounding": rounding})
    index = where.index
    d = _check_decimals(raw["decimals"], length, where)
    codes = _rule_codes(raw["rounding"], length, where)
    value = _to_float(raw["value"], length, "value", where)
    if np.isnan(value).any():
        i = _first(np.isnan(value))
        raise ValueError(f"{where(i, 'value')}: missing (NaN)")
    # Edges on 2*S*k with n = 1 are exactly the edges of 2*x (half units).
    prep = _prepare(value, None, None, d, codes, where)
    top = int(d.max())
    scale = _POW10_I[top - d]  # bring every share to the finest decimals
    full = 2 * 100 * 10**top  # 100% in half units of the finest decimal
    lo = prep.lo * scale
    hi = prep.hi * scale
    lo_inc = prep.lo_inc.copy()
    hi_inc = prep.hi_inc.copy()
    # True shares lie in [0, 100]: clip the edges, which closes a clipped edge.
    lo_inc[lo < 0] = True
    lo = np.maximum(lo, 0)
    hi_inc[hi > full] = True
    hi = np.minimum(hi, full)
    s_lo, s_hi = int(lo.sum()), int(hi.sum())
    s_lo_inc, s_hi_inc = bool(lo_inc.all()), bool(hi_inc.all())
    ok = (s_lo < full or (s_lo == full and s_lo_inc)) and (full < s_hi or (s_hi == full and s_hi_inc))
    unit = 2 * 10**top

    def pct(x: int) -> str:
        return _fmt(x / unit)

    reported = " + ".join(_fmt(x) for x in value)
    total = _fmt(round(float(value.sum()), top))
    interval = f"{'[' if s_lo_inc else '('}{pct(s_lo)}, {pct(s_hi)}{']' if s_hi_inc else ')'}"
    detail = f"{reported} = {total}; true shares sum to {interval}: {'ok' if ok else '100 is impossible'}"
    return pd.DataFrame(
        {
            "figures": [", ".join(str(x) for x in index)],
            "sum_reported": [round(float(value.sum()), top)],
            "sum_low": [s_lo / unit],
            "sum_high": [s_hi / unit],
            "ok": np.array([ok], dtype=bool),
            "detail": [detail],
        }
    )
