"""Respondent-level survey files + a codebook -> the counts table.

A researcher with the answers of every respondent (not just published
percentages) describes the file in a small YAML *codebook*;
:func:`load_responses` reads the file (CSV, Excel ``.xlsx``, SPSS ``.sav``
with its value labels, or Parquet), reading only the columns the codebook
names, and returns the same counts table the data audit reconstructs from
published figures (:data:`alignment_stats.audit.COUNT_COLUMNS`), plus the
*observed* 2x2 table of every paired item (importance and expertise of one
skill), which published figures cannot give (there only the margins are
known and the table is bounded, not identified).

Codebook format
---------------
An example (the shipped ``data/raw/demo/leapfrog_demo_codebook.yaml``,
shortened)::

    study: leapfrog_2015_demo            # snake_case id of the survey
    title: SYNTHETIC demo survey ...     # optional, free text
    source: SYNTHETIC demo ...           # optional: how results cite the data
    synthetic: true                      # optional flag, default false
    respondent_id: respondent_id         # optional: checked for duplicates
    group:
      column: department                 # the column holding the group
      labels:                            # answer (code or label) -> group id
        Marketing: marketing             #   (null = leave these respondents out)
        IT: it
    weight: weight                       # optional weight column (used only
                                         # when weighting is asked for)
    missing: [-9, Not asked]             # answers that mean "no answer"
    scales:                              # named answer scales: code -> label
      importance5: {1: Not at all important, 2: Slightly important,
                    3: Moderately important, 4: Very important,
                    5: Extremely important}
      yes_no: {1: "Yes", 2: "No"}        # quote Yes/No: YAML reads them as booleans
    items:
      very_collaborative:                # item id (matches the benchmark's ids)
        column: q_relationship
        wording: consider the marketing-IT relationship very collaborative
        answers: {1: Not collaborative, 2: Somewhat collaborative,
                  3: Collaborative, 4: Very collaborative and productive}
        yes_if: Very collaborative and productive     # one answer (top box)
      improved_alignment:
        column: q_improved_alignment
        wording: say working together has significantly improved alignment
        scale: yes_no
        yes_if: [1]                      # a list of codes (or labels)
      importance_sem_seo:
        column: imp_sem_seo
        wording: call SEM and SEO extremely important
        scale: importance5
        yes_if: Extremely important
        pair: sem_seo                    # paired items share a pair id ...
        measure: importance              # ... one importance, one expertise
      expertise_sem_seo:
        column: exp_sem_seo
        wording: have expertise in SEM or SEO
        scale: expertise5
        yes_if: ">= 4"                   # a threshold on the answer code

Rules: every item gives its answers (``answers`` inline or a named
``scale``; for a ``.sav`` file the column's own value labels may stand in);
an answer in the file may be written as its code or its label (labels match
ignoring case and surrounding spaces); ``yes_if`` is one answer, a list of
answers, or a threshold (``>= 4``, ``> 3``, ``<= 2``, ``< 2``, ``== 5``) on
the code. Empty cells, SPSS system- and user-missing values and the answers
listed under ``missing`` (top level, or per item) are missing; a respondent
with a missing answer does not count for that item. Any other answer that is
not in the codebook is an error. The codebook is read with ``yaml.safe_load``
and validated with pydantic; an error names the codebook file and the key.

Weights
-------
Unweighted by default. With ``weighted=True`` the ``weight`` column gives
weighted shares ``p_w = sum(w * yes) / sum(w)`` over the respondents who
answered, and Kish's effective sample size ``n_eff = (sum w)^2 / sum(w^2)``
stands in for ``n`` in tests and intervals. The counts table must hold whole
numbers, so a weighted row carries ``n = round(n_eff)`` and ``k = round(p_w *
n_eff)`` (half up), ``value = 100 * p_w``, and two extra columns ``n_raw``
(respondents who answered) and ``weighted_share`` (``p_w``). This is an
approximation: the design effect is summarised by ``n_eff`` alone, and the
rounding moves the share ``k / n`` by at most ``1 / (2 n)`` from ``p_w``.

References
----------
.. [1] Kish, L. (1965). Survey Sampling. Wiley, section 11.7 (effective
   sample size ``(sum w)^2 / sum w^2``).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .audit import COUNT_COLUMNS
from .data import RAW_DIR, DataValidationError

__all__ = [
    "FORMATS",
    "DEMO_DIR",
    "DEMO_SURVEY",
    "DEMO_CODEBOOK",
    "DEMO_COUNTS",
    "PAIRED_COLUMNS",
    "Codebook",
    "SurveyCounts",
    "load_codebook",
    "load_responses",
    "make_demo_survey",
]

#: File types :func:`load_responses` reads, by suffix.
FORMATS = {".csv": "csv", ".xlsx": "excel", ".sav": "spss", ".parquet": "parquet"}
#: The shipped synthetic demo survey and its codebook.
DEMO_DIR = RAW_DIR / "demo"
DEMO_SURVEY = DEMO_DIR / "leapfrog_demo_survey.csv"
DEMO_CODEBOOK = DEMO_DIR / "leapfrog_demo_codebook.yaml"
#: Columns of the observed paired tables (``a`` = importance, ``b`` = expertise).
PAIRED_COLUMNS = ("study", "pair", "group", "n", "both", "a_only", "b_only", "neither", "item_a", "item_b")

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_THRESHOLD = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_MEASURES = ("importance", "expertise")  # a = importance, b = expertise

Answer = Union[int, float, str]


# ---------------------------------------------------------------------------
# the codebook
# ---------------------------------------------------------------------------
def _no_booleans(value: Any) -> Any:
    """YAML 1.1 reads unquoted yes/no/on/off as booleans: refuse them clearly."""
    def check(v: Any) -> None:
        if isinstance(v, bool):
            raise ValueError(
                f"{v!r} is a YAML boolean: an unquoted Yes/No/On/Off is read as true/false; "
                'quote the answer, e.g. "Yes"'
            )
    if isinstance(value, dict):
        for key, v in value.items():
            check(key)
            check(v)
    elif isinstance(value, list):
        for v in value:
            check(v)
    else:
        check(value)
    return value


class GroupSpec(BaseModel):
    """Which column holds the group, and how its answers map to group ids."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    labels: dict[Answer, Optional[str]] = Field(min_length=1)

    _booleans = field_validator("labels", mode="before")(classmethod(lambda cls, v: _no_booleans(v)))

    @field_validator("labels")
    @classmethod
    def _group_ids(cls, value: dict[Answer, Optional[str]]) -> dict[Answer, Optional[str]]:
        for answer, group in value.items():
            if group is not None and not _SNAKE.match(group):
                raise ValueError(f"group id {group!r} (for answer {answer!r}) must be a snake_case id")
        if not any(g is not None for g in value.values()):
            raise ValueError("maps every answer to null: no group is left to analyse")
        return value


class ItemSpec(BaseModel):
    """One item: its column, wording, answers and which answers count as yes."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    wording: str = Field(min_length=3)
    scale: Optional[str] = None
    answers: Optional[dict[Answer, str]] = None
    yes_if: Union[int, float, str, list[Answer]]
    missing: list[Answer] = []
    pair: Optional[str] = None
    measure: Optional[Literal["importance", "expertise"]] = None

    _booleans = field_validator("answers", "yes_if", "missing", mode="before")(
        classmethod(lambda cls, v: _no_booleans(v))
    )

    @field_validator("yes_if")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("is an empty list: name at least one answer that counts as yes")
        return value

    @field_validator("pair")
    @classmethod
    def _pair_id(cls, value: str | None) -> str | None:
        if value is not None and not _SNAKE.match(value):
            raise ValueError("must be a snake_case id")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "ItemSpec":
        if self.scale is not None and self.answers is not None:
            raise ValueError("gives both scale and answers; use one")
        if (self.pair is None) != (self.measure is None):
            raise ValueError("pair and measure go together: a paired item needs both")
        return self


class Codebook(BaseModel):
    """A validated codebook (see the module docstring for the format)."""

    model_config = ConfigDict(extra="forbid")
    study: str
    title: Optional[str] = None
    source: Optional[str] = None
    synthetic: bool = False
    respondent_id: Optional[str] = None
    sheet: Optional[Union[int, str]] = None
    group: GroupSpec
    weight: Optional[str] = None
    missing: list[Answer] = []
    scales: dict[str, dict[Answer, str]] = {}
    items: dict[str, ItemSpec] = Field(min_length=1)
    path: Optional[str] = Field(default=None, exclude=True)

    _booleans = field_validator("missing", mode="before")(classmethod(lambda cls, v: _no_booleans(v)))

    @field_validator("scales", mode="before")
    @classmethod
    def _scale_booleans(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for scale in value.values():
                _no_booleans(scale)
        return value

    @field_validator("study")
    @classmethod
    def _study_id(cls, value: str) -> str:
        if not _SNAKE.match(value):
            raise ValueError("must be a snake_case id (lower-case letters, digits, _)")
        return value

    @field_validator("items")
    @classmethod
    def _item_ids(cls, value: dict[str, ItemSpec]) -> dict[str, ItemSpec]:
        for item in value:
            if not _SNAKE.match(str(item)):
                raise ValueError(f"item id {item!r} must be a snake_case id")
        return value

    @model_validator(mode="after")
    def _references(self) -> "Codebook":
        seen: dict[tuple[str, str], str] = {}
        for item_id, item in self.items.items():
            if item.scale is not None and item.scale not in self.scales:
                known = ", ".join(self.scales) or "none"
                raise _KeyError(f"items.{item_id}.scale", f"{item.scale!r} is not a scale (known: {known})")
            scale = self.answers_of(item_id)
            if scale is not None:
                missing = {_norm(m) for m in [*self.missing, *item.missing]}
                clash = [c for c in scale if _norm(c) in missing or _norm(scale[c]) in missing]
                if clash:
                    raise _KeyError(f"items.{item_id}.missing",
                                    f"answer {clash[0]!r} is both an answer and a missing code")
                _yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
            if item.pair is not None:
                key = (item.pair, item.measure)
                if key in seen:
                    raise _KeyError(f"items.{item_id}.pair",
                                    f"pair {item.pair!r} already has a {item.measure} item ({seen[key]})")
                seen[key] = item_id
        return self

    def answers_of(self, item_id: str) -> dict[Answer, str] | None:
        """The answer scale (code -> label) of an item, or None if the file must supply it."""
        item = self.items[item_id]
        return self.scales[item.scale] if item.scale is not None else item.answers

    def columns(self, weighted: bool = False) -> list[str]:
        """The file columns this codebook reads, in order, without repeats."""
        wanted = [self.group.column, *(i.column for i in self.items.values())]
        if self.respondent_id:
            wanted.insert(0, self.respondent_id)
        if weighted and self.weight:
            wanted.append(self.weight)
        return list(dict.fromkeys(wanted))

    @property
    def name(self) -> str:
        """The codebook's file name (for messages)."""
        return Path(self.path).name if self.path else "codebook"


class _KeyError(ValueError):
    """A codebook error at a known key (raised inside validators)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook.

    Parameters
    ----------
    path : str or Path
        The codebook (read with ``yaml.safe_load``).

    Returns
    -------
    Codebook

    Raises
    ------
    DataValidationError
        Naming the file and the key: malformed YAML, an unknown or missing
        key, an id that is not snake_case, a ``yes_if`` answer that is not an
        answer of the item, an unknown scale, an unquoted Yes/No, a pair with
        two items of one measure.

    Examples
    --------
    >>> book = load_codebook(DEMO_CODEBOOK)
    >>> book.study, book.group.column, len(book.items), book.synthetic
    ('leapfrog_2015_demo', 'department', 14, True)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataValidationError(f"{path}: codebook not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{path}: codebook cannot be read ({exc})") from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DataValidationError(f"codebook {path}{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(content, dict):
        raise DataValidationError(f"codebook {path}: expected a mapping with keys study, group, items")
    try:
        return Codebook(**{str(k): v for k, v in content.items()}, path=str(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, _KeyError):
            key, message = original.key, original.message
        else:
            key = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "union[")))
            key = re.sub(r"\.(int|float|str|list\[.*?\])(?=\.|$)", "", key) or "codebook"
            message = err["msg"].removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise DataValidationError(f"codebook {path}, key {key}: {message}{more}") from None


# ---------------------------------------------------------------------------
# answers
# ---------------------------------------------------------------------------
_NA = object()


def _norm(value: Any) -> Any:
    """A comparable form of an answer: numbers as int/float, text casefolded."""
    if value is None or value is pd.NA or value is pd.NaT:
        return _NA
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return _NA
        return int(value) if float(value).is_integer() else float(value)
    text = str(value).strip()
    if not text:
        return _NA
    try:
        number = float(text)
    except ValueError:
        return text.casefold()
    if math.isfinite(number):
        return int(number) if number.is_integer() else number
    return text.casefold()


def _yes_codes(scale: dict[Answer, str], yes_if: Any, key: str) -> set[Any]:
    """The codes of ``scale`` that count as yes."""
    codes = {_norm(c): c for c in scale}
    labels = {_norm(v): c for c, v in scale.items()}
    shown = ", ".join(f"{c}={v}" for c, v in scale.items())
    if isinstance(yes_if, str):
        match = _THRESHOLD.match(yes_if)
        if match:
            op, bound = match.group(1), float(match.group(2))
            if not all(isinstance(_norm(c), (int, float)) for c in scale):
                raise _KeyError(key, f"threshold {yes_if!r} needs numeric answer codes (answers: {shown})")
            test = {">=": np.greater_equal, "<=": np.less_equal, "==": np.equal, ">": np.greater,
                    "<": np.less}[op]
            chosen = {_norm(c) for c in scale if test(_norm(c), bound)}
            if not chosen:
                raise _KeyError(key, f"threshold {yes_if!r} selects no answer (answers: {shown})")
            return chosen
    wanted = yes_if if isinstance(yes_if, list) else [yes_if]
    chosen = set()
    for answer in wanted:
        norm = _norm(answer)
        if isinstance(answer, str) and norm in labels:
            chosen.add(_norm(labels[norm]))
        elif norm in codes:
            chosen.add(norm)
        elif norm in labels:
            chosen.add(_norm(labels[norm]))
        else:
            raise _KeyError(key, f"{answer!r} is not an answer of this item (answers: {shown})")
    return chosen


@dataclass(frozen=True)
class _Resolved:
    """An item's answers with the file's value labels folded in."""

    codes: dict[Any, Any]  # normalised code -> code
    labels: dict[Any, Any]  # normalised label -> normalised code
    yes: set[Any]
    missing: set[Any]
    shown: str


def _resolve_item(book: Codebook, item_id: str, file_labels: dict[Any, str] | None) -> _Resolved:
    item = book.items[item_id]
    scale = book.answers_of(item_id)
    if scale is None:
        if not file_labels:
            raise DataValidationError(
                f"codebook {book.path}, key items.{item_id}: no answers or scale, and the file has no value "
                f"labels for column {item.column!r}; list the answers (code: label) in the codebook"
            )
        scale = dict(file_labels)
        try:
            yes = _yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
        except _KeyError as exc:
            raise DataValidationError(f"codebook {book.path}, key {exc.key}: {exc.message}") from None
    else:
        yes = _yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
    missing = {_norm(m) for m in [*book.missing, *item.missing]}
    shown = ", ".join(f"{c}={v}" for c, v in scale.items())
    return _Resolved({_norm(c): c for c in scale}, {_norm(v): _norm(c) for c, v in scale.items()}, yes, missing,
                     shown)


def _match(value: Any, resolved: _Resolved, file_labels: dict[Any, str] | None) -> Any:
    """Normalised code of a file value, ``_NA`` for missing, None if unknown."""
    norm = _norm(value)
    if norm is _NA or norm in resolved.missing:
        return _NA
    if isinstance(value, str) and norm in resolved.labels:
        return resolved.labels[norm]
    if norm in resolved.codes:
        return norm
    if norm in resolved.labels:
        return resolved.labels[norm]
    if file_labels and norm in file_labels:  # an SPSS code whose value label is in the codebook
        label = _norm(file_labels[norm])
        if label in resolved.missing:
            return _NA
        if label in resolved.labels:
            return resolved.labels[label]
    return None


# ---------------------------------------------------------------------------
# reading files
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Read:
    """The columns read, one Series each (never consolidated into one block)."""

    columns: dict[str, pd.Series]
    value_labels: dict[str, dict[Any, str]]
    kind: str

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values())))


def _where(kind: str, row: int) -> str:
    """Where a data row (0-based) is, in the file's own terms."""
    return {"csv": f"line {row + 2}", "excel": f"row {row + 2}", "spss": f"case {row + 1}"}.get(kind, f"row {row + 1}")


def _file_columns(path: Path, kind: str, sheet: Any) -> list[str]:
    if kind == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    if kind == "excel":
        return [str(c) for c in pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, nrows=0,
                                              engine="openpyxl").columns]
    if kind == "spss":
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return list(meta.column_names)
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)


def _read_columns(path: Path, kind: str, columns: list[str], sheet: Any) -> _Read:
    if kind == "parquet":
        return _Read(_read_parquet(path, columns), {}, kind)
    labels: dict[str, dict[Any, str]] = {}
    if kind == "csv":
        frame = pd.read_csv(path, usecols=columns, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                            low_memory=False)
    elif kind == "excel":
        frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, usecols=columns,
                              engine="openpyxl", keep_default_na=False, na_values=[""])
    else:
        import pyreadstat

        frame, meta = pyreadstat.read_sav(str(path), usecols=columns, apply_value_formats=False)
        labels = {col: {_norm(code): label for code, label in values.items()}
                  for col, values in meta.variable_value_labels.items()}
    return _Read({c: frame[c] for c in columns}, labels, kind)


def _read_parquet(path: Path, columns: list[str]) -> dict[str, pd.Series]:
    """The named columns of a Parquet file, one at a time.

    Each column is decoded on its own (single-threaded: one column gains
    little from threads, and per-thread allocator caches would hold on to
    decoding buffers), converted to pandas while its Arrow buffers are
    released (``self_destruct``), and the Arrow pool is asked to return what
    it no longer uses. So the columns are held once, plus one column's
    decoding buffers, where ``pd.read_parquet`` holds the whole table twice
    during conversion.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    read = {}
    for column in columns:
        table = source.read(columns=[column], use_threads=False, use_pandas_metadata=False)
        read[column] = table.to_pandas(split_blocks=True, self_destruct=True, use_threads=False)[column]
        del table
        pa.default_memory_pool().release_unused()
    return read


def _read(path: Path, book: Codebook, columns: list[str]) -> _Read:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataValidationError(
            f"{path}: unknown response file type {path.suffix!r} (use {', '.join(FORMATS)})"
        )
    if not path.exists():
        raise DataValidationError(f"{path}: file not found")
    try:
        available = _file_columns(path, kind, book.sheet)
    except Exception as exc:  # each reader has its own exception types
        raise DataValidationError(f"{path}: cannot be read as {kind} ({_short(exc)})") from None
    for key, column in _column_keys(book, columns):
        if column not in available:
            shown = ", ".join(available) if len(available) <= 40 else ", ".join(available[:40]) + ", ..."
            raise DataValidationError(
                f"codebook {book.path}, key {key}: column {column!r} is not in {path.name} (available: {shown})"
            )
    try:
        read = _read_columns(path, kind, columns, book.sheet)
    except Exception as exc:
        raise DataValidationError(f"{path}: cannot be read as {kind} ({_short(exc)})") from None
    if read.n_rows == 0:
        raise DataValidationError(f"{path}: no respondents (no data rows)")
    return read


def _show(value: Any) -> str:
    """A file value as the user wrote it (numpy scalars as plain numbers)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _column_keys(book: Codebook, columns: list[str]) -> list[tuple[str, str]]:
    keys = [("group.column", book.group.column)]
    if book.respondent_id:
        keys.append(("respondent_id", book.respondent_id))
    keys += [(f"items.{i}.column", item.column) for i, item in book.items.items()]
    if book.weight in columns:
        keys.append(("weight", book.weight))
    return keys


# ---------------------------------------------------------------------------
# tabulating, vectorized
# ---------------------------------------------------------------------------
_RANGE_MAX = 1 << 16
_CHUNK = 1 << 18  # rows tabulated at once: bounds the temporary index arrays


@dataclass(frozen=True)
class _Coded:
    """A column as small integers: row ``i`` holds distinct value ``raw[i] - offset``
    (``-1`` = NA) of ``uniques``. ``raw`` is the column's own integer array where
    possible (no copy), so only chunk-sized temporaries are made."""

    raw: np.ndarray
    offset: int
    uniques: list[Any]

    def slots(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """``code + 1`` (0 = NA) for rows ``start:stop``, as intp."""
        out = self.raw[start:stop].astype(np.intp)
        out += 1 - self.offset
        return out

    def first_row(self, j: int) -> int:
        """The first row holding distinct value ``j`` (0-based)."""
        return int(np.flatnonzero(self.raw == j + self.offset)[0])


def _codes(column: pd.Series) -> _Coded:
    """Integer codes of a column and the distinct values they stand for."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _Coded(column.cat.codes.to_numpy(), 0, list(column.cat.categories))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(column):
        values = column.to_numpy()
        low, high = int(values.min()), int(values.max())
        if high - low < _RANGE_MAX:  # small integer codes (the usual survey file): no hashing, no copy
            return _Coded(values, low, list(range(low, high + 1)))
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return _Coded(codes, 0, list(uniques))


def _tabulate(coded: _Coded, group: np.ndarray | None, n_groups: int, weights: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Counts (and weight sums, squared-weight sums) per (group, value), in row chunks.

    Shape ``(n_groups + 1, len(uniques) + 1)``: the last group row holds the
    respondents left out, value column 0 the NAs. ``group`` None: one group.
    """
    width = len(coded.uniques) + 1
    size = (n_groups + 1) * width
    counts = np.zeros(size, dtype=np.int64)
    sums = squares = None
    if weights is not None:
        sums, squares = np.zeros(size), np.zeros(size)
    for start in range(0, len(coded.raw), _CHUNK):
        stop = start + _CHUNK
        index = coded.slots(start, stop)
        if group is not None:
            index += group[start:stop].astype(np.intp) * width
        counts += np.bincount(index, minlength=size)
        if weights is not None:
            w = weights[start:stop]
            sums += np.bincount(index, weights=w, minlength=size)
            squares += np.bincount(index, weights=w * w, minlength=size)
    shape = (n_groups + 1, width)
    return (counts.reshape(shape), None if sums is None else sums.reshape(shape),
            None if squares is None else squares.reshape(shape))


def _map_rows(coded: _Coded, lookup: np.ndarray) -> np.ndarray:
    """``lookup[code + 1]`` for every row, in chunks (result has lookup's dtype)."""
    out = np.empty(len(coded.raw), dtype=lookup.dtype)
    for start in range(0, len(coded.raw), _CHUNK):
        out[start:start + _CHUNK] = lookup[coded.slots(start, start + _CHUNK)]
    return out


def _half_up(x: np.ndarray | float) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5 + 1e-9).astype(np.int64)


@dataclass(frozen=True)
class SurveyCounts:
    """What :func:`load_responses` returns.

    Attributes
    ----------
    counts : pandas.DataFrame
        The counts table (:data:`alignment_stats.audit.COUNT_COLUMNS`; weighted
        data add ``n_raw`` and ``weighted_share``), one row per (item, group)
        with at least one answer.
    paired : pandas.DataFrame or None
        Observed 2x2 tables of the paired items (:data:`PAIRED_COLUMNS`),
        over respondents who answered both; None without paired items.
        Weighted: ``n = round(n_eff)`` of those respondents, the margins
        ``round(share x n_eff)`` as in the counts table, ``both`` the rounded
        weighted overlap kept within the bounds the margins allow, plus
        ``n_raw``.
    n_respondents : int
        Rows in the file.
    source : str
        How results cite the data.
    study : str
    weighted : bool
    n_excluded : int
        Respondents left out for a missing group or a group mapped to null.
    """

    counts: pd.DataFrame
    paired: pd.DataFrame | None
    n_respondents: int
    source: str
    study: str = ""
    weighted: bool = False
    n_excluded: int = 0


def load_responses(
    path: str | Path,
    codebook: str | Path | Codebook,
    weighted: bool = False,
) -> SurveyCounts:
    """Read respondent-level answers and count them as the audit does.

    Parameters
    ----------
    path : str or Path
        The response file: ``.csv`` (UTF-8), ``.xlsx``, ``.sav`` (SPSS, read
        with pyreadstat; value labels are used) or ``.parquet``. Only the
        columns the codebook names are read.
    codebook : str, Path or Codebook
        The YAML codebook (see the module docstring) or a loaded one.
    weighted : bool, default False
        Weight by the codebook's ``weight`` column (Kish effective sizes; see
        the module docstring). False ignores (and does not read) weights.

    Returns
    -------
    SurveyCounts
        ``counts``: the counts table with ``n`` = respondents who answered,
        ``k`` = those whose answer counts as yes, ``k_low = k_high = k``,
        ``consistent = True``, ``n_alternatives = ""``, ``value = 100 k / n``,
        ``low``/``high`` NaN, ``rounding = "exact"`` (``"kish"`` weighted),
        ``pair``/``measure`` from the codebook. ``paired``: per pair and
        group ``n`` (answered both), ``both``, ``a_only`` (important, no
        expertise), ``b_only``, ``neither``.

    Raises
    ------
    DataValidationError
        One error naming the file, column and value (and the codebook key
        where the codebook is at fault): a column the file lacks (with the
        columns it has), an answer not in the codebook, a group answer not
        mapped, an item nobody answered, a missing or negative weight, a
        duplicate respondent id, an unreadable or truncated file.

    Examples
    --------
    >>> survey = load_responses(DEMO_SURVEY, DEMO_CODEBOOK)
    >>> survey.n_respondents, survey.study
    (130, 'leapfrog_2015_demo')
    >>> rows = survey.counts.query("item == 'very_collaborative'")
    >>> print(rows[["group", "n", "k", "value", "rounding"]].round(2).to_string(index=False))
        group   n  k  value rounding
    marketing 106 32  30.19    exact
           it  24  3  12.50    exact
    >>> print(survey.paired[["pair", "n", "both", "a_only", "b_only", "neither"]].to_string(index=False))
                       pair   n  both  a_only  b_only  neither
    data_tracking_analytics 106    34      30       9       33
                 mobile_web 106    32      23      10       41
                    sem_seo 106    21      25       8       52
                omnichannel 106    11      26       5       64
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    path = Path(path)
    if weighted and not book.weight:
        raise DataValidationError(f"codebook {book.path}: weighted=True but the codebook names no weight column "
                                  "(add `weight: <column>`)")
    columns = book.columns(weighted)
    read = _read(path, book, columns)
    frame, kind = read.columns, read.kind
    n_rows = read.n_rows

    if book.respondent_id:
        ids = frame[book.respondent_id]
        dupes = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
        if dupes.any():
            row = int(np.flatnonzero(dupes)[0])
            raise DataValidationError(
                f"{path} {_where(kind, row)}, column {book.respondent_id}: {_show(ids.iloc[row])} is a duplicate "
                "respondent id"
            )

    # groups: a code per row, n_groups for respondents left out
    group_ids = list(dict.fromkeys(g for g in book.group.labels.values() if g is not None))
    gcol = book.group.column
    coded = _codes(frame[gcol])
    uniques = coded.uniques
    file_labels = read.value_labels.get(gcol)
    label_map = {_norm(k): v for k, v in book.group.labels.items()}
    missing = {_norm(m) for m in book.missing}
    n_groups = len(group_ids)
    lookup = np.full(len(uniques) + 1, n_groups, dtype=np.int16)  # slot 0: NA; n_groups: left out
    present = _tabulate(coded, None, 0, None)[0][0]
    for j, value in enumerate(uniques, start=1):
        if not present[j]:
            continue
        norm = _norm(value)
        if norm is _NA or norm in missing:
            continue
        target = label_map.get(norm, _NA)
        if target is _NA and file_labels and norm in file_labels:
            label = _norm(file_labels[norm])
            if label in missing:
                continue
            target = label_map.get(label, _NA)
        if target is _NA:
            row = coded.first_row(j - 1)
            known = ", ".join(repr(k) for k in book.group.labels)
            raise DataValidationError(
                f"{path} {_where(kind, row)}, column {gcol}: {_show(value)} is not a group label of codebook "
                f"{book.name} (group.labels: {known}; map it to a group id, or to null to leave it out)"
            )
        if target is not None:
            lookup[j] = group_ids.index(target)
    group = _map_rows(coded, lookup)
    n_excluded = int(present[lookup == n_groups].sum())
    if n_excluded == n_rows:
        raise DataValidationError(f"{path}, column {gcol}: no respondent belongs to a group of codebook {book.name}")

    weights = None
    if weighted:
        wcol = frame[book.weight]
        values = pd.to_numeric(wcol, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            shown = wcol.iloc[row]
            blank = pd.isna(shown) or str(shown).strip() == ""
            what = "empty: the weight is missing" if blank else f"{_show(shown)} is not a weight (a number >= 0)"
            raise DataValidationError(
                f"{path} {_where(kind, row)}, column {book.weight}: {what}; every respondent needs a weight >= 0"
            )
        weights = values

    rows: list[dict[str, Any]] = []
    states: dict[str, np.ndarray] = {}
    paired_items = {i for i, item in book.items.items() if item.pair is not None}
    for item_id, item in book.items.items():
        labels = read.value_labels.get(item.column)
        resolved = _resolve_item(book, item_id, labels)
        coded = _codes(frame[item.column])
        uniques = coded.uniques
        table, sums, squares = _tabulate(coded, group, n_groups, weights)
        state = np.zeros(len(uniques) + 1, dtype=np.int8)  # 0 missing, 1 no, 2 yes
        present = table.sum(axis=0)
        for j, value in enumerate(uniques, start=1):
            if not present[j]:
                continue
            code = _match(value, resolved, labels)
            if code is None:
                row = coded.first_row(j - 1)
                raise DataValidationError(
                    f"{path} {_where(kind, row)}, column {item.column}: {_show(value)} is not an answer of item "
                    f"{item_id} in codebook {book.name} (answers: {resolved.shown}; missing: "
                    f"{', '.join(repr(m) for m in [*book.missing, *item.missing]) or 'none'})"
                )
            state[j] = 0 if code is _NA else (2 if code in resolved.yes else 1)
        answered = (state > 0)[None, :]
        yes = (state == 2)[None, :]
        n_raw = (table * answered).sum(axis=1)[:n_groups]
        if n_raw.sum() == 0:
            raise DataValidationError(
                f"{path}, column {item.column}: every answer to item {item_id} is missing (values found: "
                f"{', '.join(_show(u) for u, p in zip(uniques, present[1:]) if p)[:200] or 'none'})"
            )
        k_raw = (table * yes).sum(axis=1)[:n_groups]
        if weights is not None:
            sw = (sums * answered).sum(axis=1)[:n_groups]
            sw2 = (squares * answered).sum(axis=1)[:n_groups]
            swy = (sums * yes).sum(axis=1)[:n_groups]
        for g, group_id in enumerate(group_ids):
            if n_raw[g] == 0:
                continue  # not asked of this group
            row = {"study": book.study, "item": item_id, "group": group_id, "pair": item.pair,
                   "measure": item.measure}
            if weights is None:
                n, k = int(n_raw[g]), int(k_raw[g])
                missing_n = int(table[g, 1:][state[1:] == 0].sum() + table[g, 0])
                reason = "respondent-level data"
                if missing_n:
                    reason += f"; {missing_n} respondent(s) without an answer left out"
                row.update(n=n, k=k, value=100 * k / n, rounding="exact", n_reason=reason)
            else:
                if sw[g] <= 0:
                    raise DataValidationError(
                        f"{path}, column {book.weight}: the weights of the {group_id} respondents answering "
                        f"{item_id} sum to 0; no weighted share exists"
                    )
                share = swy[g] / sw[g]
                n_eff = sw[g] ** 2 / sw2[g]
                n = max(int(_half_up(n_eff)), 1)
                k = min(int(_half_up(share * n_eff)), n)
                row.update(n=n, k=k, value=100 * share, rounding="kish", n_raw=int(n_raw[g]),
                           weighted_share=share,
                           n_reason=(f"respondent-level data weighted by {book.weight}: Kish effective n "
                                     f"{n_eff:.1f} of {int(n_raw[g])} answering; n = round(n_eff), "
                                     "k = round(weighted share x n_eff)"))
            rows.append(row)
        if item_id in paired_items:
            states[item_id] = _map_rows(coded, state)

    counts = pd.DataFrame(rows)
    counts["k_low"] = counts["k"]
    counts["k_high"] = counts["k"]
    counts["consistent"] = True
    counts["n_alternatives"] = ""
    counts["low"] = np.nan
    counts["high"] = np.nan
    columns_out = list(COUNT_COLUMNS) + (["n_raw", "weighted_share"] if weights is not None else [])
    counts = counts.reindex(columns=columns_out).astype(
        {"n": "Int64", "k": "Int64", "k_low": "Int64", "k_high": "Int64", "consistent": "boolean",
         "value": float, "low": float, "high": float}
    )
    if weights is not None:
        counts = counts.astype({"n_raw": "Int64", "weighted_share": float})

    paired = _paired_tables(book, states, group, group_ids, weights)
    source = book.source or f"responses from {path.name}"
    if weights is not None:
        source += f" (weighted by {book.weight})"
    return SurveyCounts(counts, paired, n_rows, source, book.study, weights is not None, n_excluded)


def _paired_tables(book: Codebook, states: dict[str, np.ndarray], group: np.ndarray, group_ids: list[str],
                   weights: np.ndarray | None) -> pd.DataFrame | None:
    pairs: dict[str, dict[str, str]] = {}
    for item_id, item in book.items.items():
        if item.pair is not None:
            pairs.setdefault(item.pair, {})[item.measure] = item_id
    rows = []
    n_groups = len(group_ids)
    for pair, members in pairs.items():
        if set(members) != set(_MEASURES):
            continue  # only one measure of this pair was asked
        a, b = states[members["importance"]], states[members["expertise"]]
        size = (n_groups + 1) * 9
        cells, wcells, wsq = np.zeros(size, dtype=np.int64), np.zeros(size), np.zeros(size)
        for start in range(0, len(group), _CHUNK):  # cell = group * 9 + state_a * 3 + state_b
            stop = start + _CHUNK
            index = group[start:stop].astype(np.intp) * 9
            index += a[start:stop] * 3
            index += b[start:stop]
            cells += np.bincount(index, minlength=size)
            if weights is not None:
                w = weights[start:stop]
                wcells += np.bincount(index, weights=w, minlength=size)
                wsq += np.bincount(index, weights=w * w, minlength=size)
        cells, wcells, wsq = (x.reshape(n_groups + 1, 3, 3) for x in (cells, wcells, wsq))
        for g, group_id in enumerate(group_ids):
            block = cells[g, 1:, 1:]  # answered both: rows a no/yes, columns b no/yes
            n_raw = int(block.sum())
            if n_raw == 0:
                continue
            if weights is None:
                both, a_only, b_only, neither = (int(block[1, 1]), int(block[1, 0]), int(block[0, 1]),
                                                 int(block[0, 0]))
                n = n_raw
            else:
                wb = wcells[g, 1:, 1:]
                sw, sw2 = wb.sum(), wsq[g, 1:, 1:].sum()
                if sw <= 0:
                    continue
                # the margins are rounded exactly as the counts table rounds each item
                # (k = round(share x n_eff)), the overlap within the Frechet bounds they allow
                n_eff = sw**2 / sw2
                n = max(int(_half_up(n_eff)), 1)
                k_a = min(int(_half_up((wb[1, 1] + wb[1, 0]) / sw * n_eff)), n)
                k_b = min(int(_half_up((wb[1, 1] + wb[0, 1]) / sw * n_eff)), n)
                both = int(np.clip(_half_up(wb[1, 1] / sw * n_eff), max(0, k_a + k_b - n), min(k_a, k_b)))
                a_only, b_only, neither = k_a - both, k_b - both, n - k_a - k_b + both
            row = {"study": book.study, "pair": pair, "group": group_id, "n": n, "both": both, "a_only": a_only,
                   "b_only": b_only, "neither": neither, "item_a": members["importance"],
                   "item_b": members["expertise"]}
            if weights is not None:
                row["n_raw"] = n_raw
            rows.append(row)
    if not rows:
        return None
    columns = list(PAIRED_COLUMNS) + (["n_raw"] if weights is not None else [])
    return pd.DataFrame(rows, columns=columns).astype(
        {c: "int64" for c in ("n", "both", "a_only", "b_only", "neither")})


# ---------------------------------------------------------------------------
# the synthetic demo survey
# ---------------------------------------------------------------------------
#: Per-item counts of the demo survey: the data audit's reconstruction of the
#: Leapfrog 2015 figures (``run_audit().counts``, leapfrog_2015): ``(k, n)``
#: per group. 32/106 = 30.2% and 3/24 = 12.5% are published as 30% and 13%;
#: ``omnichannel_important`` ("about half", "one third") is an interval figure,
#: whose audit count is the one nearest the interval's midpoint.
DEMO_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    "very_collaborative": {"marketing": (32, 106), "it": (3, 24)},
    "improved_alignment": {"marketing": (21, 106), "it": (1, 24)},
    "no_shared_incentives": {"marketing": (67, 106), "it": (15, 24)},
    "deliver_omnichannel": {"marketing": (57, 106), "it": (12, 24)},
    "omnichannel_important": {"marketing": (53, 106), "it": (8, 24)},
    "importance_data_tracking_analytics": {"marketing": (64, 106)},
    "importance_mobile_web": {"marketing": (55, 106)},
    "importance_sem_seo": {"marketing": (46, 106)},
    "importance_omnichannel": {"marketing": (37, 106)},
    "expertise_mass_marketing": {"marketing": (47, 106)},
    "expertise_data_tracking_analytics": {"marketing": (43, 106)},
    "expertise_mobile_web": {"marketing": (42, 106)},
    "expertise_sem_seo": {"marketing": (29, 106)},
    "expertise_omnichannel": {"marketing": (16, 106)},
}

_SCALES: dict[str, dict[int, str]] = {
    "relationship4": {1: "Not collaborative", 2: "Somewhat collaborative", 3: "Collaborative",
                      4: "Very collaborative and productive"},
    "yes_no": {1: "Yes", 2: "No"},
    "importance5": {1: "Not at all important", 2: "Slightly important", 3: "Moderately important",
                    4: "Very important", 5: "Extremely important"},
    "expertise5": {1: "No expertise", 2: "Basic", 3: "Moderate", 4: "Advanced", 5: "Expert"},
}
_NOT_ASKED = (-9, "Not asked")
# item -> (column, scale, answers that count as yes, answers drawn for "no" with their weights)
_DEMO_ITEMS: dict[str, tuple[str, str, tuple[int, ...], tuple[tuple[int, ...], tuple[float, ...]]]] = {
    "very_collaborative": ("q_relationship", "relationship4", (4,), ((1, 2, 3), (0.2, 0.45, 0.35))),
    "improved_alignment": ("q_improved_alignment", "yes_no", (1,), ((2,), (1.0,))),
    "no_shared_incentives": ("q_shared_incentives", "yes_no", (2,), ((1,), (1.0,))),
    "deliver_omnichannel": ("q_delivers_omnichannel", "yes_no", (1,), ((2,), (1.0,))),
    "omnichannel_important": ("q_omnichannel_importance", "importance5", (4, 5), ((1, 2, 3), (0.15, 0.35, 0.5))),
    **{f"importance_{s}": (f"imp_{c}", "importance5", (5,), ((1, 2, 3, 4), (0.05, 0.15, 0.35, 0.45)))
       for s, c in (("data_tracking_analytics", "data_tracking"), ("mobile_web", "mobile_web"),
                    ("sem_seo", "sem_seo"), ("omnichannel", "omnichannel"))},
    **{f"expertise_{s}": (f"exp_{c}", "expertise5", (4, 5), ((1, 2, 3), (0.2, 0.4, 0.4)))
       for s, c in (("mass_marketing", "mass_marketing"), ("data_tracking_analytics", "data_tracking"),
                    ("mobile_web", "mobile_web"), ("sem_seo", "sem_seo"), ("omnichannel", "omnichannel"))},
}
_YES_WEIGHTS = {(4, 5): (0.65, 0.35)}
_DEMO_PAIRS = ("data_tracking_analytics", "mobile_web", "sem_seo", "omnichannel")


def _both_count(a: int, b: int, n: int) -> int:
    """Respondents saying yes to both paired items: halfway from independence to
    the largest overlap (Fréchet upper bound), a plausible positive dependence."""
    independent = a * b / n
    return int(_half_up(independent + 0.5 * (min(a, b) - independent)))


def _demo_codes(n_respondents: int | None, seed: int) -> pd.DataFrame:
    """The demo survey with numeric answer codes (-9 = not asked)."""
    sizes = {g: n for g, (_, n) in DEMO_COUNTS["very_collaborative"].items()}
    targets = {item: {g: k for g, (k, _) in groups.items()} for item, groups in DEMO_COUNTS.items()}
    if n_respondents is not None:
        if int(n_respondents) != n_respondents or n_respondents < 10:
            raise ValueError(f"n_respondents: {n_respondents!r} must be a whole number >= 10 (or None)")
        total = sum(sizes.values())
        marketing = int(_half_up(n_respondents * sizes["marketing"] / total))
        new = {"marketing": marketing, "it": int(n_respondents) - marketing}
        targets = {item: {g: int(_half_up(k * new[g] / sizes[g])) for g, k in groups.items()}
                   for item, groups in targets.items()}
        sizes = new
    rng = np.random.default_rng(seed)
    total = sum(sizes.values())
    department = np.array(["marketing"] * sizes["marketing"] + ["it"] * sizes["it"])[rng.permutation(total)]
    members = {g: np.flatnonzero(department == g) for g in sizes}
    asked = {item: np.isin(department, list(groups)) for item, groups in targets.items()}
    yes = {item: np.zeros(total, dtype=bool) for item in _DEMO_ITEMS}
    for item in _DEMO_ITEMS:
        skill = item.removeprefix("expertise_")
        if item.startswith("expertise_") and skill in _DEMO_PAIRS:
            continue  # drawn together with its importance item
        partner = "expertise_" + item.removeprefix("importance_") if item.startswith("importance_") else None
        for g, k in targets[item].items():
            order = members[g][rng.permutation(len(members[g]))]
            yes[item][order[:k]] = True
            if partner is not None:
                k_b = targets[partner][g]
                both = min(max(_both_count(k, k_b, len(order)), k + k_b - len(order)), k, k_b)
                yes[partner][order[:both]] = True  # important, with expertise
                yes[partner][order[k:k + k_b - both]] = True  # expertise only
    frame = pd.DataFrame({"respondent_id": [f"demo-{i + 1:04d}" for i in range(total)],
                          "department": np.where(department == "marketing", "Marketing", "IT")})
    for item, (column, scale, yes_answers, (no_answers, no_p)) in _DEMO_ITEMS.items():
        flags = yes[item]
        yes_p = _YES_WEIGHTS.get(yes_answers, (1.0,) * len(yes_answers))
        drawn_yes = rng.choice(np.array(yes_answers), size=total, p=np.array(yes_p) / sum(yes_p))
        drawn_no = rng.choice(np.array(no_answers), size=total, p=np.array(no_p) / sum(no_p))
        frame[column] = np.where(asked[item], np.where(flags, drawn_yes, drawn_no), _NOT_ASKED[0]).astype(np.int64)
    raw = rng.lognormal(0.0, 0.3, size=total)
    thousandths = _half_up(1000 * raw / raw.mean())
    thousandths[int(np.argmax(thousandths))] += 1000 * total - int(thousandths.sum())  # mean exactly 1
    frame["weight"] = thousandths / 1000
    return frame


def _demo_labels(codes: pd.DataFrame) -> pd.DataFrame:
    frame = codes.copy()
    for column, scale in _demo_columns().items():
        mapping = {**_SCALES[scale], _NOT_ASKED[0]: _NOT_ASKED[1]}
        frame[column] = codes[column].map(mapping)
    return frame


def _demo_columns() -> dict[str, str]:
    return {column: scale for column, scale, _, _ in _DEMO_ITEMS.values()}


def make_demo_survey(
    n_respondents: int | None = None, seed: int = 2015, path: str | Path | None = None
) -> pd.DataFrame:
    """A SYNTHETIC respondent-level survey matching the Leapfrog 2015 figures.

    Not real respondents: a deterministic illustration for the respondent-level
    workflow. With the default size it has the data audit's group sizes (106
    marketing, 24 IT respondents) and, for every item, exactly the audit's
    count of "yes" answers per group (:data:`DEMO_COUNTS`), assigned by a
    seeded permutation; so every percentage rounds (half up) to the
    published one. Paired skills are dependent: the number of marketers with
    both importance and expertise lies halfway between independence and the
    largest possible overlap, with exact margins. Answers are Likert-style
    labels (``Extremely important`` ... ``Not at all important``); IT
    respondents were "Not asked" the skills questions; ``weight`` is a seeded
    log-normal weight with mean exactly 1.

    Parameters
    ----------
    n_respondents : int, optional
        Default (None): 130, the audit's 106 + 24 with exact counts. Any
        other size keeps the 106:24 split and scales each count (half up),
        so shares match the figures only approximately.
    seed : int, default 2015
    path : str or Path, optional
        Also write the survey there, by suffix: ``.csv`` (answer labels),
        ``.xlsx`` (labels), ``.parquet`` (labels) or ``.sav`` (numeric codes
        with value labels, -9 "Not asked" declared missing).

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, department``, one column per item (answer labels)
        and ``weight``; one row per respondent.

    Examples
    --------
    >>> demo = make_demo_survey()
    >>> demo.shape, demo["department"].value_counts().to_dict()
    ((130, 17), {'Marketing': 106, 'IT': 24})
    >>> int((demo.loc[demo["department"] == "IT", "q_relationship"] == "Very collaborative and productive").sum())
    3
    >>> round(float(demo["weight"].mean()), 12)
    1.0
    """
    codes = _demo_codes(n_respondents, seed)
    labelled = _demo_labels(codes)
    if path is not None:
        _write_demo(codes, labelled, Path(path))
    return labelled


def _write_demo(codes: pd.DataFrame, labelled: pd.DataFrame, path: Path) -> None:
    kind = FORMATS.get(path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        labelled.to_csv(path, index=False, lineterminator="\n", float_format="%.3f")
    elif kind == "excel":
        labelled.to_excel(path, index=False, engine="openpyxl")
    elif kind == "parquet":
        labelled.to_parquet(path, index=False)
    elif kind == "spss":
        import pyreadstat

        columns = _demo_columns()
        value_labels = {c: {**_SCALES[s], _NOT_ASKED[0]: _NOT_ASKED[1]} for c, s in columns.items()}
        value_labels["department_code"] = {1: "Marketing", 2: "IT"}
        frame = codes.copy()
        frame.insert(1, "department_code", np.where(frame["department"] == "Marketing", 1, 2))
        frame = frame.drop(columns="department").rename(columns={"department_code": "department"})
        value_labels["department"] = value_labels.pop("department_code")
        pyreadstat.write_sav(frame, str(path), variable_value_labels=value_labels,
                             missing_ranges={c: [_NOT_ASKED[0]] for c in columns},
                             file_label="SYNTHETIC demo survey (alignment_stats.make_demo_survey) - not real data")
    else:
        raise ValueError(f"path: unknown suffix {path.suffix!r} (use {', '.join(FORMATS)})")
