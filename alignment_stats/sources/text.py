"""Reading text files safely: encodings, CSV rows, and error messages that say where.

Every raw file the project reads as text (figures, studies, claims, codebooks,
``runs.yaml``) must be UTF-8; a byte-order mark is accepted and dropped. Any
other encoding gets one line naming the file, the byte offset and the likely
encoding. Values echoed back in messages are cut to :data:`MAX_SHOWN`
characters.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..schema import DataValidationError

__all__ = ["MAX_SHOWN", "shown", "read_text", "read_csv_rows", "first_error", "likely_encoding"]

#: Longest value echoed back in an error message (longer ones are cut, with "...").
MAX_SHOWN = 200


def shown(value: Any) -> str:
    """``repr(value)`` as the user wrote it (a numpy scalar as a plain number), cut to :data:`MAX_SHOWN` characters.

    >>> shown("x" * 300)[-10:], len(shown("x" * 300)), shown(np.int64(0))
    ("xxxxxx...'", 200, '0')
    """
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 4] + "...'"


def likely_encoding(raw: bytes) -> str:
    """A guess at the encoding of bytes that are not UTF-8, for an error message.

    >>> likely_encoding("Größe".encode("cp1252")), likely_encoding("a,b".encode("utf-16"))
    ('Windows-1252 or Latin-1', 'UTF-16')
    """
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = raw[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > 0.3 * len(head) / 2 and min(even, odd) < 0.05 * len(head) / 2:
            return "UTF-16 (no byte-order mark)"
        return "binary, not text"
    return "Windows-1252 or Latin-1"


def read_text(path: Path, what: str = "file") -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped).

    Raises
    ------
    DataValidationError
        The file is missing, a directory, unreadable, empty, or not UTF-8
        (with the byte offset, line and likely encoding).
    """
    path = Path(path)
    if path.is_dir():
        raise DataValidationError(f"{path}: is a directory, not a {what}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise DataValidationError(f"{path}: cannot be read ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise DataValidationError(
            f"{path}: byte 0: not UTF-8 text (looks like {likely_encoding(raw)}); save it as UTF-8"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"{path} line {line}: byte {exc.start} (0x{raw[exc.start]:02x}) is not valid UTF-8 "
            f"(looks like {likely_encoding(raw)}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise DataValidationError(f"{path}: {what} is empty")
    return text


def read_csv_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` of every non-blank data row, after checking the header.

    Raises
    ------
    DataValidationError
        Missing, unknown or duplicate columns; a row with the wrong number of
        fields; malformed CSV; no data rows.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:  # pragma: no cover - csv rarely fails on a header
        raise DataValidationError(f"{path} line 1: malformed CSV header ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise DataValidationError(
            f"{path} line 1: missing column(s) {', '.join(missing)} (required: {', '.join(required)})"
        )
    known = set(required) | set(optional)
    extra = [c for c in header if c not in known]
    if extra:
        raise DataValidationError(
            f"{path} line 1: unknown column(s) {', '.join(shown(c) for c in extra)} "
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
                    f"{path} line {start}: {len(values)} fields, expected {len(header)} (check for an unquoted comma)"
                )
            rows.append((start, dict(zip(header, values))))
    except csv.Error as exc:
        raise DataValidationError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from None
    if not rows:
        raise DataValidationError(f"{path}: no data rows below the header")
    return rows


def first_error(path: Path, line: int, exc: ValidationError, row: dict[str, Any]) -> str:
    """One line from a pydantic error on a CSV row: file, line, column, the value shown, the rule."""
    errors = exc.errors()
    err = errors[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    message = err["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem(s) in this row)" if len(errors) > 1 else ""
    if field:
        return f"{path} line {line}, column {field}: {shown(row.get(field, ''))} {message}{more}"
    return f"{path} line {line}: {message}{more}"
