"""What changed between two report runs: results, claim verdicts, and why.

:func:`diff_runs` compares two run folders written by
:func:`alignment_stats.report.run_report` (``reports/<run-id>/``):

- every ``<notebook>/results/*.csv``: cells compared one by one, numbers
  within a tolerance (``|a - b| <= atol + rtol * |b|``, NaN equals NaN),
  everything else exactly; rows are matched by their label columns (the
  shortest run of leading text columns that identifies every row in both
  tables), else by position; added and removed files, rows and columns;
- ``results/claims.csv``: claim verdicts (and details) by ``claim_id``;
- from ``summary.json``: parameters (the run's and each notebook's),
  package versions, input-file hashes, notebook statuses and cache keys,
  i.e. the reasons results may differ (new data, other parameters, a new
  package version).

``alignment-stats diff RUN_A RUN_B`` prints :meth:`RunDiff.to_text`;
``alignment-stats report`` puts the same comparison, HTML-escaped, into the
index of the newer run (see :mod:`alignment_stats.html`).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_ATOL",
    "RunNotFoundError",
    "DEFAULT_RTOL",
    "CellChange",
    "ClaimChange",
    "RunDiff",
    "TableDiff",
    "diff_runs",
    "read_summary",
    "resolve_run",
]

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12
#: Changed cells listed per table in text and HTML (the count is always complete).
MAX_LISTED = 20

CLAIMS_FILE = "claims.csv"


class RunNotFoundError(ValueError):
    """A run folder (or its summary.json) does not exist or cannot be read."""


@dataclass(frozen=True)
class CellChange:
    """One cell whose value differs: row label, column, old and new text."""

    row: str
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class TableDiff:
    """Differences of one ``results/*.csv`` file between two runs.

    ``status``: ``"changed"``, ``"added"`` (only in the newer run) or
    ``"removed"`` (only in the older run).
    """

    notebook: str
    file: str
    status: str
    cells: tuple[CellChange, ...] = ()
    n_cells: int = 0
    rows_added: tuple[str, ...] = ()
    rows_removed: tuple[str, ...] = ()
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    matched_by: str = ""

    def summary_text(self) -> str:
        if self.status != "changed":
            return f"only in the {'newer' if self.status == 'added' else 'older'} run"
        parts = []
        if self.n_cells:
            parts.append(f"{self.n_cells} cell{'s' if self.n_cells != 1 else ''} changed")
        if self.rows_added:
            parts.append(f"{len(self.rows_added)} row{'s' if len(self.rows_added) != 1 else ''} added")
        if self.rows_removed:
            parts.append(f"{len(self.rows_removed)} row{'s' if len(self.rows_removed) != 1 else ''} removed")
        if self.columns_added:
            parts.append("columns added: " + ", ".join(self.columns_added))
        if self.columns_removed:
            parts.append("columns removed: " + ", ".join(self.columns_removed))
        return "; ".join(parts)


@dataclass(frozen=True)
class ClaimChange:
    """A claim whose verdict or detail changed, or that appeared or disappeared."""

    notebook: str
    claim_id: str
    quote: str
    old_verdict: str | None
    new_verdict: str | None
    old_detail: str | None
    new_detail: str | None

    @property
    def status(self) -> str:
        if self.old_verdict is None:
            return "added"
        if self.new_verdict is None:
            return "removed"
        return "verdict changed" if self.old_verdict != self.new_verdict else "detail changed"


@dataclass(frozen=True)
class RunDiff:
    """Everything that differs between run ``a`` (older) and run ``b`` (newer).

    Each of ``parameters``, ``package_versions``, ``input_files``,
    ``notebooks`` is a tuple of ``(name, old, new)`` with ``None`` for
    "absent".
    """

    a: Path
    b: Path
    a_id: str
    b_id: str
    parameters: tuple[tuple[str, Any, Any], ...] = ()
    package_versions: tuple[tuple[str, Any, Any], ...] = ()
    input_files: tuple[tuple[str, Any, Any], ...] = ()
    notebooks: tuple[tuple[str, Any, Any], ...] = ()
    claims: tuple[ClaimChange, ...] = ()
    tables: tuple[TableDiff, ...] = ()
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when any result, claim, parameter, version, input or status differs."""
        return bool(self.parameters or self.package_versions or self.input_files or self.notebooks
                    or self.claims or self.tables)

    @property
    def results_changed(self) -> bool:
        """True when results or claim verdicts differ (the reasons aside)."""
        return bool(self.claims or self.tables)

    def counts(self) -> dict[str, int]:
        """Numbers of differences by kind (for summary.json)."""
        return {
            "parameters": len(self.parameters),
            "package_versions": len(self.package_versions),
            "input_files": len(self.input_files),
            "notebooks": len(self.notebooks),
            "claims": len(self.claims),
            "verdicts": sum(1 for c in self.claims if c.status == "verdict changed"),
            "tables": len(self.tables),
            "cells": sum(t.n_cells for t in self.tables),
        }

    def to_text(self) -> str:
        """The comparison as plain text (what ``alignment-stats diff`` prints)."""
        lines = [f"Comparing {self.a_id} ({self.a}) with {self.b_id} ({self.b})"]
        lines.append(f"numbers equal within rtol={self.rtol:g}, atol={self.atol:g}")
        if not self.changed:
            lines.append("No differences.")
            lines.extend(self.notes)
            return "\n".join(lines) + "\n"

        def section(title: str, rows: Sequence[tuple[str, Any, Any]]) -> None:
            if rows:
                lines.append(f"\n{title}:")
                lines.extend(f"  {name}: {_show(old)} -> {_show(new)}" for name, old, new in rows)

        section("Parameters", self.parameters)
        section("Package versions", self.package_versions)
        section("Input files (sha256)", [(n, _short(o), _short(v)) for n, o, v in self.input_files])
        section("Notebooks (status)", self.notebooks)
        if self.claims:
            lines.append("\nClaim verdicts:")
            for c in self.claims:
                where = f"{c.notebook} {c.claim_id}"
                if c.status == "added":
                    lines.append(f"  {where}: new claim, {c.new_verdict}")
                elif c.status == "removed":
                    lines.append(f"  {where}: no longer assessed (was {c.old_verdict})")
                elif c.status == "verdict changed":
                    lines.append(f"  {where}: {c.old_verdict} -> {c.new_verdict}")
                else:
                    lines.append(f"  {where}: {c.new_verdict} (detail changed)")
                if c.quote:
                    lines.append(f"      \"{c.quote}\"")
                if c.old_detail != c.new_detail and c.old_detail is not None and c.new_detail is not None:
                    lines.append(f"      detail: {c.old_detail} -> {c.new_detail}")
        if self.tables:
            lines.append("\nResults:")
            for t in self.tables:
                lines.append(f"  {t.notebook}/results/{t.file}: {t.summary_text()}")
                for cell in t.cells:
                    lines.append(f"      {cell.row} · {cell.column}: {cell.old} -> {cell.new}")
                if t.n_cells > len(t.cells):
                    lines.append(f"      ... and {t.n_cells - len(t.cells)} more cells")
                for label in t.rows_added[:MAX_LISTED]:
                    lines.append(f"      + {label}")
                for label in t.rows_removed[:MAX_LISTED]:
                    lines.append(f"      - {label}")
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _short(digest: Any) -> Any:
    return digest[:12] if isinstance(digest, str) else digest


# --------------------------------------------------------------------------- runs


def resolve_run(text: str | Path, out: str | Path | None = None) -> Path:
    """A run folder from a path, or a run id (or ``batch/run-name``) inside ``out``.

    Raises
    ------
    RunNotFoundError
        Neither exists, or the folder has no ``summary.json``.
    """
    path = Path(text).expanduser()
    candidates = [path]
    if out is not None and not path.is_absolute():
        candidates.append(Path(out).expanduser() / path)
    for candidate in candidates:
        if (candidate / "summary.json").is_file():
            return candidate.resolve()
    where = f" (nor in {out})" if out is not None else ""
    raise RunNotFoundError(f"run {str(text)!r}: no such run folder with a summary.json{where}")


def read_summary(run: str | Path) -> dict[str, Any]:
    """The run's ``summary.json`` (an empty dict if it is missing or unreadable)."""
    try:
        data = json.loads((Path(run) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- csv


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    width = len(header)
    return header, [(row + [""] * width)[:width] for row in body]


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        lowered = text.lower()
        if lowered in ("nan", "<na>", "na"):
            return math.nan
        return None


def _same(a: str, b: str, rtol: float, atol: float) -> bool:
    if a == b:
        return True
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= atol + rtol * abs(y)


def _label_columns(header: list[str], a: list[list[str]], b: list[list[str]]) -> list[int]:
    """Shortest run of leading text columns that identifies every row of both tables."""
    text_cols = [
        j for j in range(len(header))
        if all(_number(row[j]) is None for row in (*a, *b) if row[j].strip())
    ]
    key: list[int] = []
    for j in text_cols:
        key.append(j)
        if all(len({tuple(r[k] for k in key) for r in rows}) == len(rows) for rows in (a, b)):
            return key
    return []


def _diff_table(notebook: str, name: str, old: Path, new: Path, rtol: float, atol: float) -> TableDiff | None:
    head_a, rows_a = _read_csv(old)
    head_b, rows_b = _read_csv(new)
    common = [c for c in head_a if c in head_b]
    ia = {c: head_a.index(c) for c in common}
    ib = {c: head_b.index(c) for c in common}
    proj_a = [[r[ia[c]] for c in common] for r in rows_a]
    proj_b = [[r[ib[c]] for c in common] for r in rows_b]
    key = _label_columns(common, proj_a, proj_b)
    if key:
        matched_by = ", ".join(common[k] for k in key)

        def label(row: list[str]) -> str:
            return " · ".join(row[k] for k in key)

        map_a = {tuple(r[k] for k in key): r for r in proj_a}
        map_b = {tuple(r[k] for k in key): r for r in proj_b}
        pairs = [(label(map_a[k]), map_a[k], map_b[k]) for k in map_a if k in map_b]
        added = tuple(label(map_b[k]) for k in map_b if k not in map_a)
        removed = tuple(label(map_a[k]) for k in map_a if k not in map_b)
    else:
        matched_by = "row order"
        n = min(len(proj_a), len(proj_b))
        pairs = [(f"row {i + 1}", proj_a[i], proj_b[i]) for i in range(n)]
        added = tuple(f"row {i + 1}" for i in range(n, len(proj_b)))
        removed = tuple(f"row {i + 1}" for i in range(n, len(proj_a)))
    cells = []
    n_cells = 0
    for row_label, ra, rb in pairs:
        for j, column in enumerate(common):
            if j in key:
                continue
            if not _same(ra[j], rb[j], rtol, atol):
                n_cells += 1
                if len(cells) < MAX_LISTED:
                    cells.append(CellChange(row_label, column, ra[j], rb[j]))
    columns_added = tuple(c for c in head_b if c not in head_a)
    columns_removed = tuple(c for c in head_a if c not in head_b)
    if not (n_cells or added or removed or columns_added or columns_removed):
        return None
    return TableDiff(notebook, name, "changed", tuple(cells), n_cells, added, removed,
                     columns_added, columns_removed, matched_by)


def _claims(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    header, rows = _read_csv(path)
    if "claim_id" not in header:
        return {}
    return {row[header.index("claim_id")]: dict(zip(header, row)) for row in rows}


def _diff_claims(notebook: str, old: Path, new: Path) -> list[ClaimChange]:
    a, b = _claims(old), _claims(new)
    changes = []
    for claim_id in list(a) + [c for c in b if c not in a]:
        ca, cb = a.get(claim_id), b.get(claim_id)
        va = None if ca is None else ca.get("verdict", "")
        vb = None if cb is None else cb.get("verdict", "")
        da = None if ca is None else ca.get("detail", "")
        db = None if cb is None else cb.get("detail", "")
        if va == vb and da == db:
            continue
        quote = (cb or ca or {}).get("quote", "")
        changes.append(ClaimChange(notebook, claim_id, quote, va, vb, da, db))
    return changes


# --------------------------------------------------------------------------- summaries


def _mapping_changes(a: Any, b: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    a = a if isinstance(a, dict) else {}
    b = b if isinstance(b, dict) else {}
    return [
        (f"{prefix}{key}", a.get(key), b.get(key))
        for key in list(a) + [k for k in b if k not in a]
        if a.get(key) != b.get(key)
    ]


def _notebook_names(run: Path, summary: dict[str, Any]) -> list[str]:
    names = [str(e.get("name")) for e in summary.get("notebooks") or () if isinstance(e, dict) and e.get("name")]
    if names:
        return names
    return sorted(p.parent.parent.name for p in run.glob("*/results/*.csv"))


def diff_runs(
    run_a: str | Path,
    run_b: str | Path,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> RunDiff:
    """Compare run folder ``run_a`` (older) with ``run_b`` (newer).

    Parameters
    ----------
    run_a, run_b : str or Path
        Run folders (each with a ``summary.json``).
    rtol, atol : float
        Numbers ``a`` (old) and ``b`` (new) are equal when
        ``|a - b| <= atol + rtol * |b|``.

    Returns
    -------
    RunDiff

    Raises
    ------
    RunNotFoundError
        A folder without ``summary.json``.
    """
    a, b = resolve_run(run_a), resolve_run(run_b)
    sa, sb = read_summary(a), read_summary(b)
    entries_a = {str(e.get("name")): e for e in sa.get("notebooks") or () if isinstance(e, dict)}
    entries_b = {str(e.get("name")): e for e in sb.get("notebooks") or () if isinstance(e, dict)}

    parameters = _mapping_changes(sa.get("parameters"), sb.get("parameters"))
    names = _notebook_names(a, sa) + [n for n in _notebook_names(b, sb) if n not in _notebook_names(a, sa)]
    statuses = []
    for name in names:
        ea, eb = entries_a.get(name), entries_b.get(name)
        if ea is not None and eb is not None:
            parameters += _mapping_changes(ea.get("parameters"), eb.get("parameters"), prefix=f"{name}: ")
        st_a = None if ea is None else ea.get("status")
        st_b = None if eb is None else eb.get("status")
        if st_a != st_b:
            statuses.append((name, st_a, st_b))

    tables: list[TableDiff] = []
    claims: list[ClaimChange] = []
    notes: list[str] = []
    for name in names:
        folder_a, folder_b = a / name / "results", b / name / "results"
        files_a = {p.name for p in folder_a.glob("*.csv")} if folder_a.is_dir() else set()
        files_b = {p.name for p in folder_b.glob("*.csv")} if folder_b.is_dir() else set()
        if CLAIMS_FILE in files_a | files_b:
            claims += _diff_claims(name, folder_a / CLAIMS_FILE, folder_b / CLAIMS_FILE)
        for file in sorted((files_a | files_b) - {CLAIMS_FILE}):
            if file not in files_b:
                tables.append(TableDiff(name, file, "removed"))
            elif file not in files_a:
                tables.append(TableDiff(name, file, "added"))
            else:
                try:
                    found = _diff_table(name, file, folder_a / file, folder_b / file, rtol, atol)
                except (OSError, UnicodeDecodeError, csv.Error) as exc:
                    notes.append(f"{name}/results/{file}: not compared ({exc})")
                    continue
                if found is not None:
                    tables.append(found)
    return RunDiff(
        a=a,
        b=b,
        a_id=str(sa.get("run_id") or a.name),
        b_id=str(sb.get("run_id") or b.name),
        parameters=tuple(parameters),
        package_versions=tuple(_mapping_changes(sa.get("package_versions"), sb.get("package_versions"))),
        input_files=tuple(_mapping_changes(sa.get("input_hashes"), sb.get("input_hashes"))),
        notebooks=tuple(statuses),
        claims=tuple(claims),
        tables=tuple(tables),
        rtol=rtol,
        atol=atol,
        notes=tuple(notes),
    )

