"""HTML for reports: each executed notebook as HTML, and the run's and batch's index pages.

The index pages are jinja2 templates (``report/templates/``) with
autoescaping on: every piece of text, from a notebook, a data file or an
error message, is escaped; links are built from file names the runner
itself derived, URL-quoted. Notebooks are exported in-process with
nbconvert's :class:`~nbconvert.HTMLExporter`, code hidden.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from ..schema import VERDICTS

__all__ = ["STATUS_WORDS", "verdict_class", "export_notebook_html", "render_index", "render_batch", "write_index"]

#: How each notebook status is shown.
STATUS_WORDS = {"complete": "ok", "cached": "ok (reused)", "failed": "FAILED", "not_applicable": "not applicable"}
_FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_EXPORTERS: dict[bool, Any] = {}
_EXPORT_LOCK = threading.Lock()


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict (one per verdict string; others unstyled).

    >>> [verdict_class(v) for v in VERDICTS]
    ['supported', 'not-supported', 'undecidable', 'illustrative', 'not-assessable']
    """
    if verdict not in VERDICTS:
        return "unknown"
    return "undecidable" if verdict.startswith("undecidable") else verdict.replace(" ", "-")


def export_notebook_html(notebook: str | Path | Mapping[str, Any], target: str | Path, exclude_input: bool = True
                         ) -> Path:
    """Write an executed notebook (file or node) as a standalone HTML page, code hidden by default."""
    import nbformat
    from nbconvert import HTMLExporter

    node = nbformat.from_dict(notebook) if isinstance(notebook, Mapping) else nbformat.read(str(notebook), as_version=4)
    with _EXPORT_LOCK:
        exporter = _EXPORTERS.get(exclude_input)
        if exporter is None:
            exporter = _EXPORTERS[exclude_input] = HTMLExporter(exclude_input=exclude_input,
                                                                exclude_input_prompt=exclude_input)
        body, _ = exporter.from_notebook_node(node)
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


def _outputs(summary: Mapping[str, Any]) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[str]]]:
    links: dict[str, list[tuple[str, str]]] = {}
    figures: dict[str, list[str]] = {}
    paths = [str(f["path"]) for f in summary.get("files") or ()]
    for entry in summary.get("notebooks") or ():
        name = str(entry["name"])
        mine = [p for p in paths if p.startswith(f"{name}/")]
        links[name] = ([("HTML", entry["html"])] if entry.get("html") else []) + \
                      ([("notebook (.ipynb)", entry["notebook"])] if entry.get("notebook") else []) + \
                      [(p.rsplit("/", 1)[-1], p) for p in mine if "/results/" in p and p.endswith(".csv")]
        figures[name] = [p for p in mine if "/figures/" in p and p.lower().endswith(_FIGURE_SUFFIXES)]
    return links, figures


def _quotes(run_dir: Path, notebook: str) -> dict[str, dict[str, str]]:
    path = run_dir / notebook / "results" / "claims.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return {row.get("claim_id", ""): row for row in csv.DictReader(handle)}


def render_index(summary: Mapping[str, Any], run_dir: Path | None = None, diff: Any = None,
                 notes: list[str] | None = None) -> str:
    """A run's ``index.html`` from its summary (and, for quotes and details, its claims files)."""
    notes = list(notes or [])
    claims = []
    texts: dict[str, dict[str, dict[str, str]]] = {}
    for claim in summary.get("claims") or ():
        notebook = claim["notebook"]
        if notebook not in texts:
            try:
                texts[notebook] = _quotes(run_dir, notebook) if run_dir is not None else {}
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                texts[notebook] = {}
                notes.append(f"{notebook}: results/claims.csv cannot be read ({exc})")
        row = texts[notebook].get(claim["claim_id"], {})
        claims.append({**claim, "quote": row.get("quote", ""), "detail": row.get("detail", "")})
    links, figures = _outputs(summary)
    executor = summary.get("executor") or {}
    cache = summary.get("cache") or {}
    meta = []
    if summary.get("run_name"):
        meta.append(f"scheduled run {summary['run_name']}")
    if executor:
        meta.append(f"executor {executor.get('name', '')}")
    reused = list(cache.get("reused") or ())
    if reused:
        meta.append(f"{len(reused)} unchanged notebook{'s' if len(reused) != 1 else ''} reused from earlier runs")
    elif cache and not cache.get("enabled", True):
        meta.append("every notebook executed (--force)")
    reasons = []
    if diff is not None:
        reasons = [("Parameters", diff.parameters), ("Package versions", diff.package_versions),
                   ("Input files (sha256)", diff.input_files), ("Notebook status", diff.notebooks)]
    details = [("Parameters", summary.get("parameters") or {}), ("Package versions", summary.get("package_versions") or {}),
               ("Input files (sha256)", summary.get("input_hashes") or {})]
    failed = sum(1 for nb in summary.get("notebooks") or () if nb.get("status") == "failed")
    return _ENV.get_template("index.html.j2").render(
        s=summary, meta=meta, failed=failed, outputs=links, figures=figures, claims=claims, diff=diff, reasons=reasons,
        notes=notes, details=details, status_words=STATUS_WORDS, verdict_class=verdict_class)


def write_index(run_dir: Path, summary: Mapping[str, Any], diff: Any = None) -> Path:
    """Write ``index.html`` into ``run_dir``."""
    target = Path(run_dir) / "index.html"
    target.write_text(render_index(summary, Path(run_dir), diff), encoding="utf-8")
    return target


def render_batch(batch: Mapping[str, Any]) -> str:
    """The index of a scheduled batch: one row per named run (from its ``runs.json``)."""
    return _ENV.get_template("batch.html.j2").render(b=batch)
