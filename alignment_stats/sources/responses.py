"""Respondent-level survey files read through their codebook.

:func:`read_responses` reads a ``.csv``, ``.xlsx``, ``.sav`` (SPSS, value
labels used) or ``.parquet`` file, only the columns the codebook names,
checks every answer against the codebook (one error naming the file, row,
column and value), maps each respondent to a group, reads the weights when
asked to, and codes each item's answers as missing / no / yes. Counting the
answers is the counts layer's job (:mod:`alignment_stats.counts.observed`);
here each item keeps the frequency of every answer per group, from which the
counts follow without a second pass over the file.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import DESIGNS, DataValidationError
from .codebook import NA, Codebook, CodebookKeyError, load_codebook, normalise, yes_codes
from .text import likely_encoding, shown

__all__ = ["FORMATS", "CodedColumn", "ItemAnswers", "Responses", "code_column", "read_responses"]

#: File types :func:`read_responses` reads, by suffix.
FORMATS = {".csv": "csv", ".xlsx": "excel", ".sav": "spss", ".parquet": "parquet"}


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
            yes = yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
        except CodebookKeyError as exc:
            raise DataValidationError(f"codebook {book.path}, key {exc.key}: {exc.message}") from None
    else:
        yes = yes_codes(scale, item.yes_if, f"items.{item_id}.yes_if")
    missing = {normalise(m) for m in [*book.missing, *item.missing]}
    shown = ", ".join(f"{c}={v}" for c, v in scale.items())
    return _Resolved({normalise(c): c for c in scale}, {normalise(v): normalise(c) for c, v in scale.items()}, yes, missing,
                     shown)


def _match(value: Any, resolved: _Resolved, file_labels: dict[Any, str] | None) -> Any:
    """Normalised code of a file value, ``NA`` for missing, None if unknown."""
    norm = normalise(value)
    if norm is NA or norm in resolved.missing:
        return NA
    if isinstance(value, str) and norm in resolved.labels:
        return resolved.labels[norm]
    if norm in resolved.codes:
        return norm
    if norm in resolved.labels:
        return resolved.labels[norm]
    if file_labels and norm in file_labels:  # an SPSS code whose value label is in the codebook
        label = normalise(file_labels[norm])
        if label in resolved.missing:
            return NA
        if label in resolved.labels:
            return resolved.labels[label]
    return None



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


def _file_columns(path: Path, kind: str, sheet: Any, encoding: str | None) -> list[str]:
    if kind == "csv":
        with open(path, encoding=encoding or "utf-8-sig", newline="") as handle:
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


def _read_columns(path: Path, kind: str, columns: list[str], sheet: Any, encoding: str | None) -> _Read:
    if kind == "parquet":
        return _Read(_read_parquet(path, columns), {}, kind)
    labels: dict[str, dict[Any, str]] = {}
    if kind == "csv":
        frame = pd.read_csv(path, usecols=columns, encoding=encoding or "utf-8-sig", keep_default_na=False,
                            na_values=[""], low_memory=False)
    elif kind == "excel":
        frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, usecols=columns,
                              engine="openpyxl", keep_default_na=False, na_values=[""])
    else:
        import pyreadstat

        frame, meta = pyreadstat.read_sav(str(path), usecols=columns, apply_value_formats=False)
        labels = {col: {normalise(code): label for code, label in values.items()}
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
    if path.is_dir():
        raise DataValidationError(f"{path}: is a directory, not a response file")
    if not path.exists():
        raise DataValidationError(f"{path}: response file not found")
    try:
        available = _file_columns(path, kind, book.sheet, book.encoding)
    except UnicodeDecodeError:
        raise DataValidationError(_not_utf8(path)) from None
    except Exception as exc:  # each reader has its own exception types
        raise DataValidationError(f"{path}: cannot be read as {kind} ({_short(exc)})") from None
    for key, column in _column_keys(book, columns):
        if column not in available:
            shown = ", ".join(available) if len(available) <= 40 else ", ".join(available[:40]) + ", ..."
            raise DataValidationError(
                f"codebook {book.path}, key {key}: column {column!r} is not in {path.name} (available: {shown})"
            )
    try:
        read = _read_columns(path, kind, columns, book.sheet, book.encoding)
    except UnicodeDecodeError:
        raise DataValidationError(_not_utf8(path)) from None
    except Exception as exc:
        raise DataValidationError(f"{path}: cannot be read as {kind} ({_short(exc)})") from None
    if read.n_rows == 0:
        raise DataValidationError(f"{path}: no respondents (no data rows)")
    return read


def _not_utf8(path: Path) -> str:
    """Where a CSV stops being UTF-8, and what it probably is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    head = b""
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            head = head or chunk[:4096]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                offset += exc.start
                break
            offset += len(chunk)
    return (f"{path}: byte {offset} is not valid UTF-8 (looks like {likely_encoding(head)}); save it as UTF-8, "
            "or declare the file's encoding in the codebook (encoding: cp1252)")


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



_RANGE_MAX = 1 << 16
_CHUNK = 1 << 18  # rows tabulated at once: bounds the temporary index arrays


@dataclass(frozen=True)
class CodedColumn:
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


def code_column(column: pd.Series) -> CodedColumn:
    """Integer codes of a column and the distinct values they stand for."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return CodedColumn(column.cat.codes.to_numpy(), 0, list(column.cat.categories))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(column):
        values = column.to_numpy()
        low, high = int(values.min()), int(values.max())
        if high - low < _RANGE_MAX:  # small integer codes (the usual survey file): no hashing, no copy
            return CodedColumn(values, low, list(range(low, high + 1)))
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return CodedColumn(codes, 0, list(uniques))


def _tabulate(coded: CodedColumn, group: np.ndarray | None, n_groups: int, weights: np.ndarray | None
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


def _map_rows(coded: CodedColumn, lookup: np.ndarray) -> np.ndarray:
    """``lookup[code + 1]`` for every row, in chunks (result has lookup's dtype)."""
    out = np.empty(len(coded.raw), dtype=lookup.dtype)
    for start in range(0, len(coded.raw), _CHUNK):
        out[start:start + _CHUNK] = lookup[coded.slots(start, start + _CHUNK)]
    return out


@dataclass(frozen=True)
class ItemAnswers:
    """One item's answers: how often each distinct answer occurs per group, and what it counts as.

    ``freq[g, s]`` counts respondents of group ``g`` (the last row: those left
    out) giving distinct answer ``s`` (slot 0: empty); ``wsum`` / ``wsq`` are
    the same for their weights and squared weights (None unweighted).
    ``state[s]`` is 0 (missing), 1 (no) or 2 (yes).
    """

    item_id: str
    column: CodedColumn
    state: np.ndarray
    freq: np.ndarray
    wsum: np.ndarray | None = None
    wsq: np.ndarray | None = None

    def states(self) -> np.ndarray:
        """Each respondent's answer coded 0 (missing), 1 (no) or 2 (yes), as int8."""
        return _map_rows(self.column, self.state)


@dataclass(frozen=True)
class Responses:
    """A response file read and checked through its codebook.

    ``group[i]`` is respondent ``i``'s index in ``group_ids`` (``len(group_ids)``
    when left out: missing or mapped to null); ``weights`` is None unless
    weighting was asked for.
    """

    path: Path
    codebook: Codebook
    group: np.ndarray
    group_ids: list[str]
    items: dict[str, ItemAnswers]
    n_rows: int
    n_excluded: int
    weights: np.ndarray | None = None

    @property
    def weighted(self) -> bool:
        return self.weights is not None


def read_responses(path: str | Path, codebook: str | Path | Codebook, design: str = "unweighted") -> Responses:
    """Read respondent-level answers and check them against the codebook.

    Parameters
    ----------
    path : str or Path
        The response file: ``.csv`` (UTF-8 unless the codebook declares an
        ``encoding``), ``.xlsx``, ``.sav`` or ``.parquet``.
    codebook : str, Path or Codebook
        The YAML codebook or a loaded one.
    design : {"unweighted", "weighted"}, default "unweighted"
        ``weighted`` reads the codebook's weight column too.

    Returns
    -------
    Responses

    Raises
    ------
    DataValidationError
        One error naming the file, row, column and value (and the codebook
        key where the codebook is at fault): a column the file lacks (with
        the columns it has), an answer not in the codebook, a group answer
        not mapped, an item nobody answered, a missing or negative weight, a
        duplicate respondent id, an unreadable or truncated file, a CSV that
        is not in its declared encoding.

    Examples
    --------
    >>> from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
    >>> answers = read_responses(DEMO_SURVEY, DEMO_CODEBOOK)
    >>> answers.n_rows, answers.group_ids, len(answers.items)
    (130, ['marketing', 'it'], 14)
    """
    if design not in DESIGNS:
        raise ValueError(f"design={design!r} is not known; use one of: {', '.join(DESIGNS)}")
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    path = Path(path)
    weighted = design == "weighted"
    if weighted and not book.weight:
        raise DataValidationError(f"codebook {book.path}: design 'weighted' but the codebook names no weight column "
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
                f"{path} {_where(kind, row)}, column {book.respondent_id}: {shown(ids.iloc[row])} is a duplicate "
                "respondent id"
            )

    # groups: a code per row, n_groups for respondents left out
    group_ids = list(dict.fromkeys(g for g in book.group.labels.values() if g is not None))
    gcol = book.group.column
    coded = code_column(frame[gcol])
    file_labels = read.value_labels.get(gcol)
    label_map = {normalise(k): v for k, v in book.group.labels.items()}
    missing = {normalise(m) for m in book.missing}
    n_groups = len(group_ids)
    lookup = np.full(len(coded.uniques) + 1, n_groups, dtype=np.int16)  # slot 0: NA; n_groups: left out
    present = _tabulate(coded, None, 0, None)[0][0]
    for j, value in enumerate(coded.uniques, start=1):
        if not present[j]:
            continue
        norm = normalise(value)
        if norm is NA or norm in missing:
            continue
        target = label_map.get(norm, NA)
        if target is NA and file_labels and norm in file_labels:
            label = normalise(file_labels[norm])
            if label in missing:
                continue
            target = label_map.get(label, NA)
        if target is NA:
            row = coded.first_row(j - 1)
            known = ", ".join(repr(k) for k in book.group.labels)
            raise DataValidationError(
                f"{path} {_where(kind, row)}, column {gcol}: {shown(value)} is not a group label of codebook "
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
            value = wcol.iloc[row]
            blank = pd.isna(value) or str(value).strip() == ""
            what = "empty: the weight is missing" if blank else f"{shown(value)} is not a weight (a number >= 0)"
            raise DataValidationError(
                f"{path} {_where(kind, row)}, column {book.weight}: {what}; every respondent needs a weight >= 0"
            )
        weights = values

    items: dict[str, ItemAnswers] = {}
    for item_id, item in book.items.items():
        labels = read.value_labels.get(item.column)
        resolved = _resolve_item(book, item_id, labels)
        coded = code_column(frame[item.column])
        freq, wsum, wsq = _tabulate(coded, group, n_groups, weights)
        state = np.zeros(len(coded.uniques) + 1, dtype=np.int8)  # 0 missing, 1 no, 2 yes
        present = freq.sum(axis=0)
        for j, value in enumerate(coded.uniques, start=1):
            if not present[j]:
                continue
            code = _match(value, resolved, labels)
            if code is None:
                row = coded.first_row(j - 1)
                raise DataValidationError(
                    f"{path} {_where(kind, row)}, column {item.column}: {shown(value)} is not an answer of item "
                    f"{item_id} in codebook {book.name} (answers: {resolved.shown}; missing: "
                    f"{', '.join(repr(m) for m in [*book.missing, *item.missing]) or 'none'})"
                )
            state[j] = 0 if code is NA else (2 if code in resolved.yes else 1)
        if not (freq[:n_groups] * (state > 0)[None, :]).any():
            raise DataValidationError(
                f"{path}, column {item.column}: every answer to item {item_id} is missing (values found: "
                f"{', '.join(shown(u) for u, p in zip(coded.uniques, present[1:]) if p)[:200] or 'none'})"
            )
        items[item_id] = ItemAnswers(item_id, coded, state, freq, wsum, wsq)
    return Responses(path, book, group, group_ids, items, n_rows, n_excluded, weights)
