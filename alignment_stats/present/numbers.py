"""Numbers as people read them: percentages rounded half up, points, p-values, ranges.

Every function returns text for a value and ``"–"`` for a missing one, so
no table or sentence ever shows ``nan``, ``None`` or ``<NA>``; sentences
should say *why* a value is missing instead of printing the dash.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

__all__ = ["MISSING", "missing", "percent", "points", "p_text", "p_equals", "plural", "span", "count", "ratio", "percent_table",
           "for_display"]

#: What a table shows for a value the data do not give.
MISSING = "–"


def missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA.

    >>> missing(None), missing(float("nan")), missing(pd.NA), missing(0)
    (True, True, True, False)
    """
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _half_up(value: float, decimals: int) -> Decimal:
    out = Decimal(repr(round(float(value), 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return out if out != 0 else abs(out)  # never "-0"


def percent(share: Any, decimals: int = 0) -> str:
    """A proportion as a percentage rounded half up, as surveys publish it.

    Python rounds ties to even (``f"{12.5:.0f}"`` is ``'12'``), which would
    print 3 of 24 as 12% where the study says 13%.

    >>> percent(3 / 24), percent(0.125, 1), percent(float("nan"))
    ('13%', '12.5%', '–')
    """
    return MISSING if missing(share) else f"{_half_up(100 * float(share), decimals)}%"


def points(diff: Any, decimals: int = 0, signed: bool = True) -> str:
    """A difference of proportions in percentage points (``+17``, ``-2.5``), half up.

    >>> points(0.1769), points(-0.025, 1), points(0.004), points(None)
    ('+18', '-2.5', '0', '–')
    """
    if missing(diff):
        return MISSING
    value = _half_up(100 * float(diff), decimals)
    return f"{value:+}" if signed and value != 0 else f"{value}"


def p_text(p: Any) -> str:
    """A p-value: two decimals, or two significant digits below 0.01, ``< 0.0001`` below that.

    >>> p_text(0.2036), p_text(0.0093), p_text(1e-7), p_text(None)
    ('0.20', '0.0093', '< 0.0001', '–')
    """
    if missing(p):
        return MISSING
    p = float(p)
    if p < 1e-4:
        return "< 0.0001"
    return f"{p:.2f}" if p >= 0.01 else f"{p:.2g}"


def p_equals(p: Any) -> str:
    """A p-value after its name in a sentence: ``= 0.20``, ``< 0.0001``, or ``not computed``.

    >>> "adjusted p " + p_equals(0.2036), "p " + p_equals(1e-7)
    ('adjusted p = 0.20', 'p < 0.0001')
    """
    if missing(p):
        return "not computed"
    text = p_text(p)
    return text if text.startswith("<") else f"= {text}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n word`` with the word in the plural unless ``n`` is 1.

    >>> plural(1, "item"), plural(2, "study", "studies"), plural(0, "figure")
    ('1 item', '2 studies', '0 figures')
    """
    return f"{n} {word if n == 1 else many or word + 's'}"


def span(low: Any, high: Any, fmt: Any = str) -> str:
    """``low to high`` (or one value when they are equal) formatted by ``fmt``.

    >>> span(3, 3), span(19, 24), span(0.1, 0.25, percent), span(None, 3)
    ('3', '19 to 24', '10% to 25%', '–')
    """
    if missing(low) or missing(high):
        return MISSING
    a, b = fmt(low), fmt(high)
    return a if a == b else f"{a} to {b}"


def count(k: Any, n: Any) -> str:
    """``k/n``, or the dash.

    >>> count(3, 24), count(None, 24)
    ('3/24', '–')
    """
    return MISSING if missing(k) or missing(n) else f"{int(k)}/{int(n)}"


def ratio(numerator: Any, denominator: Any) -> float:
    """``numerator / denominator`` as a float, NaN when either is missing or the denominator is 0."""
    if missing(numerator) or missing(denominator) or float(denominator) == 0:
        return float("nan")
    return float(numerator) / float(denominator)


def percent_table(table: pd.DataFrame, shares: tuple[str, ...], probabilities: tuple[str, ...] = (),
                  decimals: int = 1) -> pd.DataFrame:
    """A copy of ``table`` for display: ``shares`` in percent (``decimals``), ``probabilities`` to 4 decimals.

    >>> percent_table(pd.DataFrame({"p": [0.30189], "p_value": [0.12346]}), ("p",), ("p_value",))
          p  p_value
    0  30.2   0.1235
    """
    out = table.copy()
    for column in shares:
        if column in out:
            out[column] = (100 * pd.to_numeric(out[column], errors="coerce")).round(decimals) + 0.0
    for column in probabilities:
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce").round(4)
            tiny = pd.to_numeric(out[column], errors="coerce") < 1e-4
            out[column] = values.astype(object).where(~tiny, "< 0.0001") if tiny.any() else values
    return out


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` for a page: missing cells read ``"–"``, text never starts a formula.

    Never ``NaN``, ``None`` or ``<NA>``; a ``$`` in text (a user's source or
    wording) becomes backslash-dollar, which MathJax (processEscapes) shows
    as a plain dollar sign instead of typesetting what follows. pandas
    escapes the HTML of the cells itself.

    >>> for_display(pd.DataFrame({"n": pd.array([24, None], dtype="Int64"), "x": [0.5, float("nan")]}))
        n    x
    0  24  0.5
    1   –    –
    >>> for_display(pd.DataFrame({"source": ["costs $5"]}))["source"].iloc[0]
    'costs \\\\$5'
    """
    out = table.astype(object).where(table.notna(), MISSING)
    return out.map(lambda v: v.replace("$", "\\$") if isinstance(v, str) else v)
