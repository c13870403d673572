"""Published figures: ``benchmark_figures.csv`` (or a user's file of the same format) read and validated.

One row per published figure: study, item, group, the value (or ``low``-``high``
for a vague wording such as "one third"), unit, how the source rounded, the
group size where published, the source (seed file or URL) and the exact quote.
Every study a figure names must be described in the ``studies.yaml`` beside
the file (or the one given).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal, Optional

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import BUNDLED_FIGURES
from ..schema import FIGURE_COLUMNS, GROUPS, DataValidationError, RoundingRule
from .studies import load_studies, studies_for
from .text import first_error, read_csv_rows, shown

__all__ = ["REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "FigureRow", "load_figures", "load_benchmark"]

REQUIRED_COLUMNS = ("study", "item", "group", "value", "low", "high", "unit", "rounding", "n", "source", "quote")
OPTIONAL_COLUMNS = ("year", "wording", "group_label", "pair", "measure", "source_kind", "note")
MEASURES = ("importance", "expertise")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _written_decimals(text: str | None) -> int:
    if text is None or "." not in text:
        return 0
    return len(text.split(".", 1)[1])


class FigureRow(BaseModel):
    """One published figure, as written in a figures CSV."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    study: str
    year: Optional[int] = None
    item: str
    wording: Optional[str] = None
    group: str
    group_label: Optional[str] = None
    value: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    unit: Literal["percent", "count"]
    rounding: RoundingRule
    n: Optional[int] = Field(default=None, gt=0, lt=2**53)
    pair: Optional[str] = None
    measure: Optional[Literal["importance", "expertise"]] = None
    source: str
    source_kind: Literal["seed", "external"] = "seed"
    quote: str
    note: Optional[str] = None

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("study", "item", "pair")
    @classmethod
    def _snake_case(cls, value: str | None) -> str | None:
        if value is not None and not SNAKE.match(value):
            raise ValueError("must be a snake_case id (lower-case letters, digits, _)")
        return value

    @field_validator("group")
    @classmethod
    def _known_group(cls, value: str) -> str:
        if value not in GROUPS:
            raise ValueError(f"is not a known group (known: {', '.join(GROUPS)})")
        return value

    @field_validator("value", "low", "high")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("quote")
    @classmethod
    def _quote_present(cls, value: str) -> str:
        if len(value) < 8:
            raise ValueError("is too short to be the exact quote the figure comes from")
        return value

    @model_validator(mode="after")
    def _value_or_interval(self) -> FigureRow:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("row has neither a value nor both low and high; give the published "
                             "value, or an interval for a vague wording")
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("row gives both a value and low/high; use one or the other")
        return self


def _check_ranges(path: Path, line: int, row: FigureRow, raw: dict[str, str]) -> None:
    def fail(column: str, rule: str) -> None:
        raise DataValidationError(f"{path} line {line}, column {column}: {shown(raw.get(column, ''))} {rule}")

    if row.unit == "percent":
        for column in ("value", "low", "high"):
            v = getattr(row, column)
            if v is not None and not 0 <= v <= 100:
                fail(column, "is not a percentage (0-100)")
    else:
        for column in ("value", "low", "high"):
            v = getattr(row, column)
            if v is not None and (v < 0 or v != int(v)):
                fail(column, "is not a count (a non-negative whole number)")
            if v is not None and row.n is not None and v > row.n:
                fail(column, f"is larger than the group size n = {row.n}")
    if row.low is not None and row.high is not None and row.low > row.high:
        fail("low", f"is greater than high ({raw.get('high')})")
    if row.measure is not None and row.pair is None:
        fail("pair", "is empty but measure is set: a paired item needs its pairing key")
    if row.pair is not None and row.measure is None:
        fail("measure", f"is empty but pair is set (known: {', '.join(MEASURES)})")
    for column in ("value", "low", "high"):
        if _written_decimals(raw.get(column, "").strip() or None) > 6:
            fail(column, "has more than 6 decimal places")


def load_figures(path: str | Path | None = None, studies: str | Path | None = None) -> pd.DataFrame:
    """Load and validate published figures.

    Parameters
    ----------
    path : str or Path, optional
        A CSV in the ``benchmark_figures.csv`` format. Default: the bundled
        ``data/raw/benchmark_figures.csv``.
    studies : str or Path, optional
        The matching ``studies.yaml``. Default: ``studies.yaml`` beside
        ``path`` if it exists, else the bundled one.

    Returns
    -------
    pandas.DataFrame
        One row per figure with the columns of
        :data:`alignment_stats.schema.FIGURE_COLUMNS`: ``study, year, item,
        wording, group, group_label, value, low, high, unit, rounding,
        decimals, n, pair, measure, source, source_kind, quote, note``.
        ``value`` is NaN for interval figures (vague wordings), whose bounds
        are in ``low``/``high``. ``decimals`` is the number of decimal places
        the value was written with. ``year`` and ``n`` are nullable integers.

    Raises
    ------
    DataValidationError
        With file, line, column, value and rule: a missing or unknown column,
        a non-numeric value, a percentage outside 0-100, ``low > high``, an
        unknown rounding rule, group or study, a duplicate
        (study, item, group), an empty or non-UTF-8 file, a missing quote.

    Examples
    --------
    >>> figures = load_figures()
    >>> row = figures.query("study == 'leapfrog_2015' and item == 'very_collaborative'")
    >>> print(row[["group", "value", "n", "source"]].to_string(index=False))
        group  value    n                   source
    marketing   30.0 <NA> 003_ffd68ac069cfeee4.txt
           it   13.0 <NA> 003_ffd68ac069cfeee4.txt
    """
    path = Path(path) if path is not None else BUNDLED_FIGURES
    studies_path = Path(studies) if studies is not None else studies_for(path)
    study_facts = load_studies(studies_path)

    records = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, raw in read_csv_rows(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS):
        try:
            row = FigureRow(**raw)
        except ValidationError as exc:
            raise DataValidationError(first_error(path, line, exc, raw)) from None
        _check_ranges(path, line, row, raw)
        if row.study not in study_facts:
            hint = ("" if studies is not None or studies_path.parent == path.parent else
                    f"; describe it in a studies.yaml beside {path.name} (README: adding a study) or give one "
                    "with --studies")
            raise DataValidationError(
                f"{path} line {line}, column study: {shown(row.study)} is not described in {studies_path} "
                f"(known: {', '.join(sorted(study_facts))}){hint}"
            )
        declared = study_facts[row.study]["groups"]
        if row.group not in declared:
            raise DataValidationError(
                f"{path} line {line}, column group: {shown(row.group)} is not a group of study "
                f"{row.study!r} (its groups: {', '.join(declared)})"
            )
        key = (row.study, row.item, row.group)
        if key in seen:
            raise DataValidationError(
                f"{path} line {line}, columns study/item/group: duplicate figure {'/'.join(key)} "
                f"(first given on line {seen[key]})"
            )
        seen[key] = line
        record = row.model_dump()
        record["decimals"] = max(_written_decimals(raw.get(c, "").strip() or None) for c in ("value", "low", "high"))
        records.append(record)

    frame = pd.DataFrame.from_records(records).reindex(columns=list(FIGURE_COLUMNS))
    for column in ("year", "n"):
        frame[column] = frame[column].astype("Int64")
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype(float)
    frame["decimals"] = frame["decimals"].astype(int)
    return frame


#: The name DESIGN.md gives the loader of the bundled benchmark figures.
load_benchmark = load_figures
