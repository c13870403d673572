"""What changed between two report runs: results, claim verdicts, and why.

:func:`diff_runs` compares two run folders:

- every ``<notebook>/results/*.csv`` cell by cell with the one numeric
  comparison (:mod:`alignment_stats.report.numeric`); rows are matched by
  their label columns (the shortest run of leading text columns that
  identifies every row of both tables), else by position; files, rows and
  columns added or removed;
- claim verdicts (``results/claims.csv``) by ``claim_id``;
- from ``summary.json``: parameters, package versions, input hashes and
  notebook statuses, the reasons results may differ.

A run whose ``summary.json`` is malformed, or a results file that cannot be
read, is an error (:class:`DiffError`, exit status 1 naming the file), never
"no differences".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .numeric import DEFAULT_ATOL, DEFAULT_RTOL, cells_equal, read_cells, text_cells

__all__ = ["DEFAULT_ATOL", "DEFAULT_RTOL", "MAX_LISTED", "RunNotFoundError", "DiffError", "CellChange", "ClaimChange",
           "TableDiff", "RunDiff", "resolve_run", "read_summary", "diff_runs"]

#: Changed cells listed per table (the count is always complete).
MAX_LISTED = 20
CLAIMS_FILE = "claims.csv"


class RunNotFoundError(ValueError):
    """A run folder (or its summary.json) does not exist (exit status 2)."""


class DiffError(ValueError):
    """A run's summary or results cannot be read (exit status 1)."""


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class TableDiff:
    """Differences of one results file; ``status`` is ``changed``, ``added`` or ``removed``."""

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
        parts = [f"{len(v)} {label}{'s' if len(v) != 1 else ''} {verb}" for v, label, verb in (
            (range(self.n_cells), "cell", "changed"), (self.rows_added, "row", "added"),
            (self.rows_removed, "row", "removed")) if len(v)]
        parts += [f"columns {verb}: {', '.join(v)}" for v, verb in ((self.columns_added, "added"),
                                                                    (self.columns_removed, "removed")) if v]
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
    """Everything that differs between run ``a`` (older) and run ``b`` (newer)."""

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

    @property
    def changed(self) -> bool:
        """Any result, claim, parameter, version, input or status differs."""
        return bool(self.parameters or self.package_versions or self.input_files or self.notebooks or self.claims
                    or self.tables)

    @property
    def results_changed(self) -> bool:
        """Results or claim verdicts differ (the reasons aside)."""
        return bool(self.claims or self.tables)

    def counts(self) -> dict[str, int]:
        """Numbers of differences by kind (for summary.json)."""
        return {"parameters": len(self.parameters), "package_versions": len(self.package_versions),
                "input_files": len(self.input_files), "notebooks": len(self.notebooks), "claims": len(self.claims),
                "verdicts": sum(1 for c in self.claims if c.status == "verdict changed"),
                "tables": len(self.tables), "cells": sum(t.n_cells for t in self.tables)}

    def to_text(self) -> str:
        """The comparison as plain text (what ``alignment-stats diff`` prints)."""
        lines = [f"Comparing {self.a_id} ({self.a}) with {self.b_id} ({self.b})",
                 f"numbers equal within rtol={self.rtol:g}, atol={self.atol:g}"]
        if not self.changed:
            return "\n".join(lines + ["No differences."]) + "\n"

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
                lines.append({"added": f"  {where}: new claim, {c.new_verdict}",
                              "removed": f"  {where}: no longer assessed (was {c.old_verdict})",
                              "verdict changed": f"  {where}: {c.old_verdict} -> {c.new_verdict}"}.get(
                    c.status, f"  {where}: {c.new_verdict} (detail changed)"))
                if c.quote:
                    lines.append(f'      "{c.quote}"')
        if self.tables:
            lines.append("\nResults:")
            for t in self.tables:
                lines.append(f"  {t.notebook}/results/{t.file}: {t.summary_text()}")
                lines.extend(f"      {c.row} · {c.column}: {c.old} -> {c.new}" for c in t.cells)
                if t.n_cells > len(t.cells):
                    lines.append(f"      ... and {t.n_cells - len(t.cells)} more cells")
                lines.extend(f"      + {label}" for label in t.rows_added[:MAX_LISTED])
                lines.extend(f"      - {label}" for label in t.rows_removed[:MAX_LISTED])
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _short(digest: Any) -> Any:
    return digest[:12] if isinstance(digest, str) else digest


def resolve_run(text: str | Path, out: str | Path | None = None) -> Path:
    """A run folder from a path, or a run id (or ``batch/run-name``) inside ``out``."""
    path = Path(text).expanduser()
    candidates = [path] + ([Path(out).expanduser() / path] if out is not None and not path.is_absolute() else [])
    for candidate in candidates:
        if (candidate / "summary.json").is_file():
            return candidate.resolve()
    where = f" (nor in {out})" if out is not None else ""
    raise RunNotFoundError(f"run {str(text)[:200]!r}: no such run folder with a summary.json{where}")


def read_summary(run: str | Path) -> dict[str, Any]:
    """The run's ``summary.json``.

    Raises
    ------
    DiffError
        It is missing, not JSON, or not an object.
    """
    path = Path(run) / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DiffError(f"{path}: cannot be read as JSON ({' '.join(str(exc).split())[:200]})") from None
    if not isinstance(data, dict):
        raise DiffError(f"{path}: is not a JSON object")
    return data


def _label_columns(old: pd.DataFrame, new: pd.DataFrame, common: list[str]) -> list[str]:
    """Shortest run of leading text columns that identifies every row of both tables."""
    both = pd.concat([old[common], new[common]], ignore_index=True)
    text = [c for c in common if not (~text_cells(both[c].to_numpy()) & (both[c] != "").to_numpy()).any()]
    key: list[str] = []
    for column in text:
        key.append(column)
        if not old.duplicated(key).any() and not new.duplicated(key).any():
            return key
    return []


def _diff_table(notebook: str, name: str, old_path: Path, new_path: Path, rtol: float, atol: float) -> TableDiff | None:
    try:
        old, new = read_cells(old_path), read_cells(new_path)
    except ValueError as exc:
        raise DiffError(str(exc)) from None
    common = [c for c in old.columns if c in new.columns]
    key = _label_columns(old, new, common)
    if key:
        matched_by = ", ".join(key)
        old_i, new_i = old.set_index(key, drop=False), new.set_index(key, drop=False)
        shared = [k for k in old_i.index if k in new_i.index]
        label = (lambda k: " · ".join(k) if isinstance(k, tuple) else str(k))
        pairs = [(label(k), old_i.loc[k], new_i.loc[k]) for k in shared]
        added = tuple(label(k) for k in new_i.index if k not in old_i.index)
        removed = tuple(label(k) for k in old_i.index if k not in new_i.index)
    else:
        matched_by = "row order"
        n = min(len(old), len(new))
        pairs = [(f"row {i + 1}", old.iloc[i], new.iloc[i]) for i in range(n)]
        added = tuple(f"row {i + 1}" for i in range(n, len(new)))
        removed = tuple(f"row {i + 1}" for i in range(n, len(old)))
    cells, n_cells = [], 0
    values = [c for c in common if c not in key]
    if pairs and values:
        a = np.array([[row_a[c] for c in values] for _, row_a, _ in pairs], dtype=str)
        b = np.array([[row_b[c] for c in values] for _, _, row_b in pairs], dtype=str)
        differ = ~cells_equal(a.ravel(), b.ravel(), rtol, atol).reshape(a.shape)
        n_cells = int(differ.sum())
        for i, j in zip(*np.nonzero(differ)):
            if len(cells) < MAX_LISTED:
                cells.append(CellChange(pairs[i][0], values[j], a[i, j], b[i, j]))
    columns_added = tuple(c for c in new.columns if c not in old.columns)
    columns_removed = tuple(c for c in old.columns if c not in new.columns)
    if not (n_cells or added or removed or columns_added or columns_removed):
        return None
    return TableDiff(notebook, name, "changed", tuple(cells), n_cells, added, removed, columns_added,
                     columns_removed, matched_by)


def _claims(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    try:
        table = read_cells(path)
    except ValueError as exc:
        raise DiffError(str(exc)) from None
    return {row["claim_id"]: row for row in table.to_dict("records")} if "claim_id" in table else {}


def _diff_claims(notebook: str, old: Path, new: Path) -> list[ClaimChange]:
    a, b = _claims(old), _claims(new)
    changes = []
    for claim_id in list(a) + [c for c in b if c not in a]:
        ca, cb = a.get(claim_id), b.get(claim_id)
        va, vb = (None if c is None else c.get("verdict", "") for c in (ca, cb))
        da, db = (None if c is None else c.get("detail", "") for c in (ca, cb))
        if va != vb or da != db:
            changes.append(ClaimChange(notebook, claim_id, (cb or ca or {}).get("quote", ""), va, vb, da, db))
    return changes


def _mapping_changes(a: Any, b: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    a, b = (x if isinstance(x, dict) else {} for x in (a, b))
    return [(f"{prefix}{key}", a.get(key), b.get(key)) for key in list(a) + [k for k in b if k not in a]
            if a.get(key) != b.get(key)]


def _notebook_names(run: Path, summary: dict[str, Any]) -> list[str]:
    names = [str(e["name"]) for e in summary.get("notebooks") or () if isinstance(e, dict) and e.get("name")]
    return names or sorted(p.parent.parent.name for p in run.glob("*/results/*.csv"))


def diff_runs(run_a: str | Path, run_b: str | Path, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> RunDiff:
    """Compare run folder ``run_a`` (older) with ``run_b`` (newer).

    Raises
    ------
    RunNotFoundError
        A folder without ``summary.json``.
    DiffError
        A malformed ``summary.json`` or an unreadable results file.
    """
    a, b = resolve_run(run_a), resolve_run(run_b)
    sa, sb = read_summary(a), read_summary(b)
    entries = [{str(e.get("name")): e for e in s.get("notebooks") or () if isinstance(e, dict)} for s in (sa, sb)]
    names = _notebook_names(a, sa) + [n for n in _notebook_names(b, sb) if n not in _notebook_names(a, sa)]
    parameters = _mapping_changes(sa.get("parameters"), sb.get("parameters"))
    statuses = []
    for name in names:
        ea, eb = entries[0].get(name), entries[1].get(name)
        if ea is not None and eb is not None:
            parameters += _mapping_changes(ea.get("parameters"), eb.get("parameters"), prefix=f"{name}: ")
        st_a, st_b = (None if e is None else e.get("status") for e in (ea, eb))
        if st_a != st_b and {st_a, st_b} != {"complete", "cached"}:
            statuses.append((name, st_a, st_b))
    tables: list[TableDiff] = []
    claims: list[ClaimChange] = []
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
            elif (found := _diff_table(name, file, folder_a / file, folder_b / file, rtol, atol)) is not None:
                tables.append(found)
    return RunDiff(a, b, str(sa.get("run_id") or a.name), str(sb.get("run_id") or b.name), tuple(parameters),
                   tuple(_mapping_changes(sa.get("package_versions"), sb.get("package_versions"))),
                   tuple(_mapping_changes(sa.get("input_hashes"), sb.get("input_hashes"))), tuple(statuses),
                   tuple(claims), tuple(tables), rtol, atol)
