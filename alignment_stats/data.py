"""Bundled benchmark figures: loading and schema validation.

Three files under ``data/raw/`` describe what the source articles publish:

``benchmark_figures.csv``
    One row per published figure (study, item, group, value or interval,
    rounding, group size where published, source file or URL and the exact
    quote).
``studies.yaml``
    Per-study facts: title, publisher, year, population, group names,
    sample composition and the cross-figure checks the audit runs.
``claims.csv``
    The claims the articles draw from the figures, one row per compared pair
    of figures.

Every loader validates what it reads and raises :class:`DataValidationError`
(a :class:`ValueError`) whose message names the file, line, column, bad value
and the rule it breaks. Raw files are only ever read.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any, Literal, Optional

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "DATA_DIR",
    "RAW_DIR",
    "PROCESSED_DIR",
    "FIGURE_COLUMNS",
    "GROUPS",
    "GROUP_LABELS",
    "ROUNDING",
    "DataValidationError",
    "load_benchmark",
    "load_studies",
    "load_claims",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
SOURCES_DIR = RAW_DIR / "sources"

#: Groups a figure may describe: one function, the other, or both pooled.
GROUPS = ("marketing", "it", "all")
#: How groups are named in tables, verdicts and figures.
GROUP_LABELS = {"marketing": "Marketing", "it": "IT", "all": "All"}
#: How a source rounded its percentages (``unknown`` = any rule).
ROUNDING = ("half_up", "half_even", "truncate", "ceil", "unknown")
UNITS = ("percent", "count")
SOURCE_KINDS = ("seed", "external")
MEASURES = ("importance", "expertise")
CLAIM_KINDS = ("difference", "agreement", "gap")
RELATIONS = (">", "<", "=")

REQUIRED_COLUMNS = (
    "study", "item", "group", "value", "low", "high",
    "unit", "rounding", "n", "source", "quote",
)
OPTIONAL_COLUMNS = (
    "year", "wording", "group_label", "pair", "measure", "source_kind", "note",
)
#: Columns of the figures table, in order.
FIGURE_COLUMNS = (
    "study", "year", "item", "wording", "group", "group_label", "value", "low",
    "high", "unit", "rounding", "decimals", "n", "pair", "measure", "source",
    "source_kind", "quote", "note",
)
CLAIM_COLUMNS = (
    "claim_id", "kind", "study", "source", "quote", "figure_a", "relation", "figure_b",
)

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class DataValidationError(ValueError):
    """A data file breaks the schema; the message says where and how."""


# ----------------------------------------------------------------------------
# reading text safely
# ----------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    """Read a UTF-8 file (a UTF-8 byte-order mark is accepted and dropped)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataValidationError(f"{path}: cannot be read ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataValidationError(
            f"{path}: file is UTF-16 encoded (byte-order mark found); save it as UTF-8"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"{path} line {line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8; "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise DataValidationError(f"{path}: file is empty")
    return text


def _read_csv_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...]):
    """Yield ``(line_number, row_dict)`` after checking the header."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:  # pragma: no cover - csv rarely fails on a header
        raise DataValidationError(f"{path} line 1: malformed CSV header ({exc})") from None
    header = [h.strip() for h in header]
    known = set(required) | set(optional)
    missing = [c for c in required if c not in header]
    if missing:
        raise DataValidationError(
            f"{path} line 1: missing column(s) {', '.join(missing)} "
            f"(required: {', '.join(required)})"
        )
    extra = [c for c in header if c not in known]
    if extra:
        raise DataValidationError(
            f"{path} line 1: unknown column(s) {', '.join(extra)} "
            f"(allowed: {', '.join(required + optional)})"
        )
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise DataValidationError(f"{path} line 1: duplicate column(s) {', '.join(dupes)}")
    rows = []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise DataValidationError(
                    f"{path} line {start}: {len(values)} fields, expected {len(header)} "
                    "(check for an unquoted comma)"
                )
            rows.append((start, dict(zip(header, values))))
    except csv.Error as exc:
        raise DataValidationError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from None
    if not rows:
        raise DataValidationError(f"{path}: no data rows below the header")
    return rows


def _first_error(path: Path, line: int, exc: ValidationError, row: dict[str, Any]) -> str:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "row"
    value = row.get(field, "")
    msg = err["msg"].removeprefix("Value error, ")
    where = f"{path} line {line}, column {field}" if err["loc"] else f"{path} line {line}"
    shown = f": {value!r} " if err["loc"] else ": "
    more = f" (and {len(exc.errors()) - 1} more problem(s) in this row)" if len(exc.errors()) > 1 else ""
    return f"{where}{shown}{msg}{more}"


# ----------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------
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
    """One published figure, as written in ``benchmark_figures.csv``."""

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
    rounding: Literal["half_up", "half_even", "truncate", "ceil", "unknown"]
    n: Optional[int] = Field(default=None, gt=0)
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
        if value is not None and not _SNAKE.match(value):
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
    def _value_or_interval(self) -> "FigureRow":
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError(
                "row has neither a value nor both low and high; give the published "
                "value, or an interval for a vague wording"
            )
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("row gives both a value and low/high; use one or the other")
        return self


def _check_ranges(path: Path, line: int, row: FigureRow, raw: dict[str, str]) -> None:
    def fail(column: str, rule: str) -> None:
        raise DataValidationError(f"{path} line {line}, column {column}: {raw.get(column, '')!r} {rule}")

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


def load_benchmark(path: str | Path | None = None, studies: str | Path | None = None) -> pd.DataFrame:
    """Load and validate published benchmark figures.

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
        One row per figure with the columns of :data:`FIGURE_COLUMNS`:
        ``study, year, item, wording, group, group_label, value, low, high,
        unit, rounding, decimals, n, pair, measure, source, source_kind,
        quote, note``. ``value`` is NaN for interval figures (vague
        wordings), whose bounds are in ``low``/``high``. ``decimals`` is the
        number of decimal places the value was written with. ``year`` and
        ``n`` are nullable integers.

    Raises
    ------
    DataValidationError
        With file, line, column, value and rule: a missing or unknown column,
        a non-numeric value, a percentage outside 0-100, ``low > high``, an
        unknown rounding rule, group or study, a duplicate
        (study, item, group), an empty or non-UTF-8 file, a missing quote.

    Examples
    --------
    >>> figures = load_benchmark()
    >>> row = figures.query("study == 'leapfrog_2015' and item == 'very_collaborative'")
    >>> print(row[["group", "value", "n", "source"]].to_string(index=False))
        group  value    n                   source
    marketing   30.0 <NA> 003_ffd68ac069cfeee4.txt
           it   13.0 <NA> 003_ffd68ac069cfeee4.txt
    """
    path = Path(path) if path is not None else RAW_DIR / "benchmark_figures.csv"
    if studies is None:
        beside = path.parent / "studies.yaml"
        studies = beside if beside.exists() else RAW_DIR / "studies.yaml"
    study_facts = load_studies(studies)

    records = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, raw in _read_csv_rows(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS):
        try:
            row = FigureRow(**raw)
        except ValidationError as exc:
            raise DataValidationError(_first_error(path, line, exc, raw)) from None
        _check_ranges(path, line, row, raw)
        if row.study not in study_facts:
            raise DataValidationError(
                f"{path} line {line}, column study: {row.study!r} is not described in {studies} "
                f"(known: {', '.join(sorted(study_facts))})"
            )
        declared = study_facts[row.study]["groups"]
        if row.group not in declared:
            raise DataValidationError(
                f"{path} line {line}, column group: {row.group!r} is not a group of study "
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

    frame = pd.DataFrame.from_records(records)
    frame = frame.reindex(columns=list(FIGURE_COLUMNS))
    for column in ("year", "n"):
        frame[column] = frame[column].astype("Int64")
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype(float)
    frame["decimals"] = frame["decimals"].astype(int)
    return frame


# ----------------------------------------------------------------------------
# studies
# ----------------------------------------------------------------------------
class SourceRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["seed", "external"]
    file: Optional[str] = None
    url: Optional[str] = None
    citation: Optional[str] = None
    quote: str = Field(min_length=8)

    @model_validator(mode="after")
    def _where(self) -> "SourceRef":
        if self.kind == "seed" and not self.file:
            raise ValueError("a seed source needs `file`")
        if self.kind == "external" and not (self.url or self.citation):
            raise ValueError("an external source needs `url` or `citation`")
        return self


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["pooled", "nested", "same_figure"]
    items: Optional[list[str]] = None
    subset: Optional[str] = None
    superset: Optional[str] = None
    figures: Optional[list[str]] = None

    @model_validator(mode="after")
    def _fields(self) -> "Check":
        needs = {"pooled": ("items",), "nested": ("subset", "superset"), "same_figure": ("figures",)}
        missing = [f for f in needs[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} check needs {', '.join(missing)}")
        return self


class Study(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    publisher: str
    sponsor: Optional[str] = None
    year: Optional[int] = None
    survey: str
    population: str
    groups: dict[str, str]
    total_n: Optional[int] = Field(default=None, gt=0)
    group_shares: Optional[dict[str, float]] = None
    group_n: Optional[dict[str, int]] = None
    sources: list[SourceRef] = Field(min_length=1)
    checks: list[Check] = []
    notes: Optional[str] = None

    @model_validator(mode="after")
    def _groups_known(self) -> "Study":
        for group in self.groups:
            if group not in GROUPS:
                raise ValueError(f"group {group!r} is not known (known: {', '.join(GROUPS)})")
        for name in ("group_shares", "group_n"):
            for group in getattr(self, name) or {}:
                if group not in self.groups:
                    raise ValueError(f"{name} names {group!r}, which is not one of the study's groups")
        for group, share in (self.group_shares or {}).items():
            if not 0 <= share <= 100:
                raise ValueError(f"group_shares[{group}] = {share} is not a percentage (0-100)")
        for group, size in (self.group_n or {}).items():
            if size <= 0:
                raise ValueError(f"group_n[{group}] = {size} must be a positive count")
        return self


def _yaml_line(text: str, study: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{study}:"):
            return number
    return 1


def load_studies(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Load and validate ``studies.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        Default: the bundled ``data/raw/studies.yaml``.

    Returns
    -------
    dict
        ``{study_id: facts}`` where facts has ``title, publisher, sponsor,
        year, survey, population, groups, total_n, group_shares, group_n,
        sources, checks, notes``.

    Raises
    ------
    DataValidationError
        Malformed YAML (with its line), a study that is not a mapping, an
        unknown or missing field, an unknown group, a share outside 0-100.

    Examples
    --------
    >>> studies = load_studies()
    >>> studies["leapfrog_2015"]["total_n"], studies["leapfrog_2015"]["group_shares"]
    (131, {'marketing': 81.0, 'it': 19.0})
    """
    path = Path(path) if path is not None else RAW_DIR / "studies.yaml"
    text = _read_text(path)
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DataValidationError(f"{path}{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(content, dict) or not content:
        raise DataValidationError(f"{path}: expected a mapping of study ids to study facts")
    studies = {}
    for study_id, facts in content.items():
        line = _yaml_line(text, str(study_id))
        if not isinstance(study_id, str) or not _SNAKE.match(study_id):
            raise DataValidationError(f"{path} line {line}: study id {study_id!r} must be a snake_case id")
        if not isinstance(facts, dict):
            raise DataValidationError(f"{path} line {line}, study {study_id}: expected a mapping of facts")
        try:
            studies[study_id] = Study(**facts).model_dump()
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "study"
            msg = err["msg"].removeprefix("Value error, ")
            raise DataValidationError(f"{path} line {line}, study {study_id}, field {field}: {msg}") from None
    return studies


# ----------------------------------------------------------------------------
# claims
# ----------------------------------------------------------------------------
class ClaimRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    claim_id: str
    kind: Literal["difference", "agreement", "gap"]
    study: str
    source: str
    quote: str = Field(min_length=8)
    figure_a: str
    relation: Literal[">", "<", "="]
    figure_b: str

    @field_validator("figure_a", "figure_b")
    @classmethod
    def _figure_ref(cls, value: str) -> str:
        parts = value.split("/")
        if len(parts) != 2 or not all(_SNAKE.match(p) for p in parts):
            raise ValueError("must reference a figure as item/group")
        return value


def load_claims(path: str | Path | None = None, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``claims.csv``: what the articles claim from the figures.

    Parameters
    ----------
    path : str or Path, optional
        Default: the bundled ``data/raw/claims.csv``.
    figures : pandas.DataFrame, optional
        Figures table to resolve references against (default:
        :func:`load_benchmark`). Every ``figure_a``/``figure_b`` must name an
        ``item/group`` of the claim's study.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, kind, study, source, quote, figure_a, relation,
        figure_b`` plus the split references ``item_a, group_a, item_b,
        group_b``. A claim resting on several comparisons has several rows.

    Examples
    --------
    >>> claims = load_claims()
    >>> sorted(claims["kind"].unique())
    ['agreement', 'difference', 'gap']
    """
    path = Path(path) if path is not None else RAW_DIR / "claims.csv"
    figures = load_benchmark() if figures is None else figures
    known = set(zip(figures["study"], figures["item"], figures["group"]))
    records = []
    for line, raw in _read_csv_rows(path, CLAIM_COLUMNS, ()):
        try:
            row = ClaimRow(**raw)
        except ValidationError as exc:
            raise DataValidationError(_first_error(path, line, exc, raw)) from None
        for column in ("figure_a", "figure_b"):
            item, group = getattr(row, column).split("/")
            if (row.study, item, group) not in known:
                raise DataValidationError(
                    f"{path} line {line}, column {column}: {getattr(row, column)!r} is not a figure "
                    f"of study {row.study!r}"
                )
        records.append(row.model_dump())
    frame = pd.DataFrame.from_records(records, columns=list(CLAIM_COLUMNS))
    frame[["item_a", "group_a"]] = frame["figure_a"].str.split("/", expand=True)
    frame[["item_b", "group_b"]] = frame["figure_b"].str.split("/", expand=True)
    return frame
