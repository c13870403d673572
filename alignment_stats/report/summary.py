"""``summary.json``, schema version 3: what a run did, file by file and claim by claim.

The schema is these pydantic models; ``docs/summary.schema.json`` is their
JSON Schema (a test keeps it current and validates real summaries against
it) and ``docs/reports.md`` explains every field.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..schema import NotebookStatus, Verdict
from ..sources.paths import sha256_file

__all__ = ["SCHEMA_VERSION", "Summary", "NotebookEntry", "FileEntry", "ClaimEntry", "ComparisonEntry",
           "json_schema", "run_files", "read_claims", "headline", "write_summary", "utc_now"]

SCHEMA_VERSION = 3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotebookEntry(_Model):
    """One notebook of the run."""

    name: str
    status: NotebookStatus = Field(description="complete, failed, cached (reused from an earlier run) or "
                                               "not_applicable (the analysis does not apply to the input)")
    reason: Optional[str] = Field(None, description="why not applicable, or the error of a failed notebook")
    seconds: float
    source: str = Field(description="the notebook file, relative to the project")
    parameters: dict[str, Any] = Field(description="what the notebook received, typed")
    notebook: Optional[str] = Field(None, description="the executed notebook, relative to the run")
    html: Optional[str] = Field(None, description="its HTML export, relative to the run")
    cache_key: Optional[str] = None
    counts_key: Optional[str] = Field(None, description="the data/processed/<key>/ folder of its counts")
    cached_from: Optional[dict[str, Any]] = Field(None, description="run, run_id, run_name of the reused run")
    kernel_stderr: Optional[str] = None


class FileEntry(_Model):
    """One file of the run folder."""

    path: str = Field(description="relative to the run folder")
    sha256: str
    bytes: int


class ComparisonEntry(_Model):
    """One comparison a claim rests on."""

    item: Optional[str]
    group1: Optional[str]
    group2: Optional[str]
    k1: Optional[int]
    n1: Optional[int]
    k2: Optional[int]
    n2: Optional[int]
    diff: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    ci_level: Optional[float]
    p_adjusted: Optional[float]
    n_source: Optional[str]
    verdict: Optional[Verdict] = None


class ClaimEntry(_Model):
    """A claim of the source articles and its verdict."""

    notebook: str = Field(description="the analysis that judged it")
    claim_id: str
    study: str
    verdict: Verdict
    comparisons: list[ComparisonEntry]


class Summary(_Model):
    """A run's ``summary.json``."""

    schema_version: Literal[3]
    run_id: str
    run_name: Optional[str]
    status: Literal["complete", "failed"]
    started: str
    finished: str
    kernel: str
    parameters: dict[str, Any]
    package_versions: dict[str, Optional[str]]
    input_hashes: dict[str, str]
    executor: dict[str, Any]
    cache: dict[str, Any]
    comparison: Optional[dict[str, Any]]
    notebooks: list[NotebookEntry]
    files: list[FileEntry]
    claims: list[ClaimEntry]
    headline: dict[str, Any]


def utc_now() -> str:
    """The time now, UTC, as summary.json writes it (ISO 8601, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``summary.json`` (written to ``docs/summary.schema.json``)."""
    return Summary.model_json_schema()


def run_files(run_dir: Path) -> list[dict[str, Any]]:
    """``path, sha256, bytes`` of every file of a run folder (``summary.json`` and ``index.html`` excepted)."""
    out = []
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(run_dir).as_posix()
        if relative in ("summary.json", "index.html") or any(part.startswith(".") for part in Path(relative).parts):
            continue
        out.append({"path": relative, "sha256": sha256_file(path), "bytes": path.stat().st_size})
    return out


def _number(text: str | None, kind: type) -> Any:
    if text is None or text.strip() == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if math.isnan(value):
        return None
    return int(value) if kind is int else value


def read_claims(run_dir: Path, notebook: str) -> list[dict[str, Any]]:
    """The claims one notebook wrote (``results/claims.csv`` and ``results/claim_comparisons.csv``).

    Raises
    ------
    ValueError
        A claims file that is not readable CSV (names the file).
    """
    folder = run_dir / notebook / "results"
    claims_csv, comparisons_csv = folder / "claims.csv", folder / "claim_comparisons.csv"
    if not claims_csv.is_file():
        return []
    try:
        with claims_csv.open(newline="", encoding="utf-8") as handle:
            claims = list(csv.DictReader(handle))
        rows = []
        if comparisons_csv.is_file():
            with comparisons_csv.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{claims_csv}: cannot be read as CSV ({exc})") from exc
    out = []
    for claim in claims:
        mine = [r for r in rows if r.get("claim_id") == claim.get("claim_id")]
        out.append({
            "notebook": notebook, "claim_id": claim.get("claim_id", ""), "study": claim.get("study", ""),
            "verdict": claim.get("verdict", ""),
            "comparisons": [{
                "item": r.get("item") or None, "group1": r.get("group1") or None, "group2": r.get("group2") or None,
                **{c: _number(r.get(c), int) for c in ("k1", "n1", "k2", "n2")},
                **{c: _number(r.get(c), float) for c in ("diff", "ci_low", "ci_high", "ci_level", "p_adjusted")},
                "n_source": r.get("n_source") or None, "verdict": r.get("verdict") or None,
            } for r in mine],
        })
    return out


def headline(notebooks: list[dict[str, Any]], claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The run in numbers: notebooks by status, claims by verdict."""
    def tally(values: list[str]) -> dict[str, int]:
        return {v: values.count(v) for v in dict.fromkeys(values)}

    return {"notebooks": tally([n["status"] for n in notebooks]), "claims": tally([c["verdict"] for c in claims])}


def write_summary(path: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """Validate ``summary`` against the schema and write it; returns it as written."""
    checked = Summary(**summary).model_dump(mode="json")
    path.write_text(json.dumps(checked, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return checked
