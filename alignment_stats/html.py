"""HTML for reports: one executed notebook as HTML, and the run's ``index.html``.

:func:`export_notebook_html` converts an executed notebook in-process with
nbconvert's :class:`~nbconvert.HTMLExporter` (code hidden by default: a
report shows results, the ``.ipynb`` beside it keeps the code).

:func:`render_index` turns a run's ``summary.json`` (see
:mod:`alignment_stats.report` for its schema) and the claims the notebooks
wrote into one static page without JavaScript. Every piece of text that
comes from a notebook, a data file or an error message is escaped with
:func:`html.escape`, and every link is built from file names the runner
itself derived from notebook stems, percent-quoted.
"""

from __future__ import annotations

import csv
import html as _html
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = [
    "CLAIM_COLUMNS",
    "export_notebook_html",
    "read_claims",
    "render_batch_index",
    "render_comparison",
    "render_index",
    "write_index",
]

#: Columns of ``results/claims.csv`` shown in the index's "Claims" section.
CLAIM_COLUMNS = ("claim_id", "quote", "verdict", "detail")

#: Verdict → CSS class; any other verdict is shown unstyled.
_VERDICT_CLASSES = {
    "supported": "supported",
    "not supported": "not-supported",
    "not_supported": "not-supported",
    "undecidable": "undecidable",
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.4; }
h1 { margin-bottom: .2rem; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.status-ok, .status-complete { color: #11661d; font-weight: bold; }
.status-failed { color: #b00020; font-weight: bold; }
.banner-failed { background: #fde8eb; border: 2px solid #b00020; color: #b00020;
                 padding: .6rem 1rem; font-weight: bold; }
pre.error { color: #b00020; white-space: pre-wrap; margin: .3rem 0 0 0; }
.figures img { max-width: 100%; border: 1px solid #ddd; margin: .3rem 0; }
.supported { color: #11661d; } .not-supported { color: #b00020; } .undecidable { color: #8a5a00; }
.meta { color: #555; }
.cached { font-style: italic; }
.changes td.old { color: #6b6b6b; } .changes td.new { font-weight: bold; }
"""


_EXPORTERS: dict[bool, Any] = {}
_EXPORT_LOCK = threading.Lock()


def export_notebook_html(
    notebook: str | Path | Mapping[str, Any], target: str | Path, exclude_input: bool = True
) -> Path:
    """Write an executed notebook as a standalone HTML page.

    Parameters
    ----------
    notebook : str, Path or notebook node
        Executed ``.ipynb`` file, or the notebook itself (as papermill returns it).
    target : str or Path
        HTML file to write.
    exclude_input : bool, default True
        Hide code cells' source and prompts (outputs and markdown stay).

    Returns
    -------
    Path
        ``target``.

    Notes
    -----
    One exporter per ``exclude_input`` is kept (its templates load once) and
    used by one thread at a time.
    """
    import nbformat
    from nbconvert import HTMLExporter

    if isinstance(notebook, Mapping):
        node = nbformat.from_dict(notebook)
    else:
        node = nbformat.read(str(notebook), as_version=4)
    with _EXPORT_LOCK:
        exporter = _EXPORTERS.get(exclude_input)
        if exporter is None:
            exporter = HTMLExporter(exclude_input=exclude_input, exclude_input_prompt=exclude_input)
            _EXPORTERS[exclude_input] = exporter
        body, _resources = exporter.from_notebook_node(node)
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


def read_claims(csv_path: str | Path) -> list[dict[str, str]]:
    """Read a notebook's ``results/claims.csv`` into a list of rows.

    Missing columns among :data:`CLAIM_COLUMNS` are returned as ``""``;
    extra columns are ignored.

    Raises
    ------
    ValueError
        When the file is not readable as CSV text (message names the file).
    """
    path = Path(csv_path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path.name}: cannot be read as CSV ({exc})") from exc
    return [{col: (row.get(col) or "") for col in CLAIM_COLUMNS} for row in rows]


def _e(text: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return _html.escape("" if text is None else str(text), quote=True)


def _href(relpath: str) -> str:
    """A relative link to a file inside the run directory, quoted and escaped."""
    return _e(quote(relpath))


def _status_cell(status: str) -> str:
    label = "ok" if status == "ok" else "FAILED" if status == "failed" else status
    return f'<span class="status-{_e(status)}">{_e(label)}</span>'


def _error_text(error: Mapping[str, Any] | None) -> str:
    if not error:
        return ""
    ename, evalue = error.get("ename") or "", error.get("evalue") or ""
    return f"{ename}: {evalue}" if evalue else str(ename)


def _links(entry: Mapping[str, Any]) -> str:
    links = []
    if entry.get("html"):
        links.append(f'<a href="{_href(str(entry["html"]))}">HTML</a>')
    if entry.get("notebook"):
        links.append(f'<a href="{_href(str(entry["notebook"]))}">notebook (.ipynb)</a>')
    for csv_path in entry.get("results") or ():
        name = str(csv_path).rsplit("/", 1)[-1]
        links.append(f'<a href="{_href(str(csv_path))}">{_e(name)}</a>')
    return " · ".join(links)


def _analysis_rows(notebooks: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for entry in notebooks:
        name = str(entry.get("name", ""))
        status = str(entry.get("status", ""))
        seconds = entry.get("seconds")
        error = _error_text(entry.get("error"))
        error_html = f'<pre class="error">{_e(error)}</pre>' if error else ""
        stderr = entry.get("kernel_stderr")
        if stderr:
            error_html += f"<details><summary>kernel stderr</summary><pre class=\"error\">{_e(stderr)}</pre></details>"
        cached = entry.get("cached_from")
        if isinstance(cached, Mapping):
            error_html += (
                f'<div class="meta cached">unchanged: reused from run {_e(cached.get("run_id") or cached.get("run"))}'
                " (nothing it depends on changed; not executed again)</div>"
            )
        row_id = f"nb-{name}"
        rows.append(
            f'<tr id="{_e(row_id)}"><td><a href="#fig-{_e(name)}">{_e(name)}</a></td>'
            f"<td>{_status_cell(status)}{error_html}</td>"
            f"<td>{_e(f'{seconds:.1f} s') if isinstance(seconds, (int, float)) else ''}</td>"
            f"<td>{_links(entry)}</td></tr>"
        )
    return "\n".join(rows)


def _figure_sections(notebooks: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for entry in notebooks:
        name = str(entry.get("name", ""))
        figures = list(entry.get("figures") or ())
        imgs = "\n".join(
            f'<figure><img src="{_href(str(fig))}" alt="{_e(str(fig).rsplit("/", 1)[-1])}">'
            f"<figcaption>{_e(str(fig).rsplit('/', 1)[-1])}</figcaption></figure>"
            for fig in figures
        )
        body = imgs or '<p class="meta">No figures.</p>'
        parts.append(
            f'<section class="figures" id="fig-{_e(name)}"><h3>{_e(name)}</h3>\n{body}</section>'
        )
    return "\n".join(parts)


def _claims_section(claims: Iterable[Mapping[str, str]]) -> str:
    rows = []
    for claim in claims:
        verdict = str(claim.get("verdict", ""))
        css = _VERDICT_CLASSES.get(verdict.strip().lower(), "")
        cls = f' class="{css}"' if css else ""
        rows.append(
            f"<tr><td>{_e(claim.get('analysis', ''))}</td><td>{_e(claim.get('claim_id', ''))}</td>"
            f"<td>{_e(claim.get('quote', ''))}</td><td{cls}>{_e(verdict)}</td>"
            f"<td>{_e(claim.get('detail', ''))}</td></tr>"
        )
    if not rows:
        return ""
    return (
        '<h2 id="claims">Claims</h2>\n<table><thead><tr><th>Analysis</th><th>Claim</th>'
        "<th>Quote</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _mapping_table(title: str, mapping: Mapping[str, Any]) -> str:
    if not mapping:
        return f'<p class="meta">{_e(title)}: none.</p>'
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in mapping.items())
    return f"<details><summary>{_e(title)}</summary><table>{rows}</table></details>"


def _rows(rows: Iterable[Sequence[Any]], head: Sequence[str]) -> str:
    body = "".join(
        "<tr>" + "".join(
            f'<td class="{cls}">{_e(value)}</td>' if cls else f"<td>{_e(value)}</td>"
            for value, cls in zip(row, ("", "old", "new", "") if len(row) >= 3 else ("", "", "", ""))
        ) + "</tr>"
        for row in rows
    )
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f'<table class="changes"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else str(value)


def render_comparison(diff: Any, comparison: Mapping[str, Any] | None = None) -> str:
    """The "Changes since" section of an index from a :class:`alignment_stats.diff.RunDiff`.

    ``comparison`` is the summary's ``comparison`` object (link and reason).
    Everything is escaped.
    """
    comparison = comparison or {}
    link = comparison.get("path")
    name = _e(diff.a_id)
    title = f'<a href="{_href(str(link) + "/index.html")}">{name}</a>' if link else name
    parts = [f'<h2 id="changes">Changes since run {title}</h2>']
    reason = comparison.get("reason")
    if reason:
        parts.append(f'<p class="meta">Compared with {name}: {_e(reason)}. Numbers count as equal within '
                     f"rtol {_e(f'{diff.rtol:g}')}, atol {_e(f'{diff.atol:g}')}.</p>")
    if not diff.changed:
        parts.append("<p>No differences: same results, verdicts, parameters, package versions and inputs.</p>")
        return "\n".join(parts)
    if diff.claims:
        rows = []
        for c in diff.claims:
            rows.append((f"{c.notebook} · {c.claim_id}", _value(c.old_verdict), _value(c.new_verdict),
                         c.quote + (f" — detail: {_value(c.old_detail)} → {_value(c.new_detail)}"
                                    if c.old_detail != c.new_detail and c.old_detail is not None
                                    and c.new_detail is not None else "")))
        parts.append("<h3>Claim verdicts</h3>" + _rows(rows, ("Claim", "Before", "Now", "Quote")))
    if diff.tables:
        rows = []
        for t in diff.tables:
            rows.append((f"{t.notebook}/results/{t.file}", "", "", t.summary_text()))
            for cell in t.cells:
                rows.append((f"  {cell.row} · {cell.column}", cell.old, cell.new, ""))
            if t.n_cells > len(t.cells):
                rows.append(("", "", "", f"... and {t.n_cells - len(t.cells)} more cells"))
            for label in t.rows_added[:20]:
                rows.append((f"  + {label}", "", "", "row added"))
            for label in t.rows_removed[:20]:
                rows.append((f"  - {label}", "", "", "row removed"))
        parts.append("<h3>Results</h3>" + _rows(rows, ("Table / cell", "Before", "Now", "")))
    reasons = [("Parameters", diff.parameters), ("Package versions", diff.package_versions),
               ("Input files (sha256)", diff.input_files), ("Notebook status", diff.notebooks)]
    for label, changes in reasons:
        if changes:
            parts.append(f"<h3>{_e(label)}</h3>" + _rows(
                [(n, _value(o), _value(v), "") for n, o, v in changes], ("Name", "Before", "Now", "")))
    return "\n".join(parts)


def render_index(
    summary: Mapping[str, Any],
    claims: Iterable[Mapping[str, str]] = (),
    notes: Iterable[str] = (),
    comparison: Any = None,
) -> str:
    """Render a run's ``index.html``.

    Parameters
    ----------
    summary : mapping
        The run summary (``summary.json`` schema version 1).
    claims : iterable of mappings
        Claim rows with keys ``analysis`` (notebook name) and
        :data:`CLAIM_COLUMNS`; shown in a "Claims" section when not empty.
    notes : iterable of str
        Extra plain-text remarks (e.g. a claims file that could not be read).
    comparison : RunDiff, optional
        Differences from an earlier run, shown as "Changes since".

    Returns
    -------
    str
        The complete HTML document; all text is escaped.
    """
    notebooks: Sequence[Mapping[str, Any]] = list(summary.get("notebooks") or ())
    run_id = str(summary.get("run_id", ""))
    status = str(summary.get("status", ""))
    n_failed = sum(1 for nb in notebooks if nb.get("status") != "ok")
    banner = ""
    if status != "complete":
        banner = (
            f'<p class="banner-failed">This run FAILED: {n_failed} of {len(notebooks)} '
            "analyses failed, so this report is incomplete. The failing notebooks are kept "
            "with their error cells for debugging.</p>"
        )
    notes_html = "".join(f'<p class="meta">{_e(note)}</p>' for note in notes)
    changes_html = render_comparison(comparison, summary.get("comparison")) if comparison is not None else ""
    cache = summary.get("cache") or {}
    reused = list(cache.get("reused") or ())
    executor = summary.get("executor") or {}
    run_name = summary.get("run_name")
    extra = []
    if run_name:
        extra.append(f"scheduled run <code>{_e(run_name)}</code>")
    if executor:
        extra.append(f"executor {_e(executor.get('name', ''))}")
    if reused:
        extra.append(f"{len(reused)} unchanged notebook{'s' if len(reused) != 1 else ''} reused from earlier runs")
    elif cache and not cache.get("enabled", True):
        extra.append("every notebook executed (--force)")
    extra_html = f'<p class="meta">{" · ".join(extra)}</p>' if extra else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alignment statistics report {_e(run_id)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Alignment statistics report</h1>
<p class="meta">Run <code>{_e(run_id)}</code> · status {_status_cell(status)} ·
started {_e(summary.get("started", ""))} · finished {_e(summary.get("finished", ""))} ·
kernel {_e(summary.get("kernel", ""))} · <a href="summary.json">summary.json</a></p>
{extra_html}
{banner}
<h2>Analyses</h2>
<table><thead><tr><th>Analysis</th><th>Status</th><th>Time</th><th>Outputs</th></tr></thead>
<tbody>
{_analysis_rows(notebooks)}
</tbody></table>
{_claims_section(claims)}
{changes_html}
{notes_html}
<h2>Figures</h2>
{_figure_sections(notebooks)}
<h2>Run details</h2>
{_mapping_table("Parameters", summary.get("parameters") or {})}
{_mapping_table("Package versions", summary.get("package_versions") or {})}
{_mapping_table("Input files (sha256)", summary.get("input_hashes") or {})}
</body>
</html>
"""


def write_index(run_dir: str | Path, summary: Mapping[str, Any], comparison: Any = None) -> Path:
    """Write ``index.html`` into ``run_dir`` from its summary and claims files.

    Claims are read from ``<run_dir>/<notebook>/results/claims.csv`` for each
    notebook in the summary; a claims file that cannot be read is reported
    on the page instead of failing the report.
    """
    run_dir = Path(run_dir)
    claims: list[dict[str, str]] = []
    notes: list[str] = []
    for entry in summary.get("notebooks") or ():
        name = str(entry.get("name", ""))
        claims_csv = run_dir / name / "results" / "claims.csv"
        if not claims_csv.is_file():
            continue
        try:
            rows = read_claims(claims_csv)
        except ValueError as exc:
            notes.append(f"{name}: {exc}")
            continue
        claims.extend({"analysis": name, **row} for row in rows)
    target = run_dir / "index.html"
    target.write_text(render_index(summary, claims, notes, comparison), encoding="utf-8")
    return target


def render_batch_index(batch: Mapping[str, Any]) -> str:
    """The index of a scheduled batch (``alignment-stats report --config``): one row per named run.

    ``batch`` is the batch's ``runs.json`` (see docs/reports.md): ``run_id``,
    ``status``, ``config``, ``started``, ``finished`` and ``runs``, each with
    ``name``, ``status``, ``path`` (relative to the batch folder),
    ``notebooks`` and ``reused``.
    """
    rows = []
    for run in batch.get("runs") or ():
        path = str(run.get("path", ""))
        name = _e(run.get("name", ""))
        link = f'<a href="{_href(path + "/index.html")}">{name}</a>' if path else name
        rows.append(
            f"<tr><td>{link}</td><td>{_status_cell(str(run.get('status', '')))}</td>"
            f"<td>{_e(', '.join(run.get('notebooks') or ()))}</td>"
            f"<td>{_e(', '.join(run.get('reused') or ()) or '–')}</td>"
            f"<td>{_e(run.get('description') or '')}</td></tr>"
        )
    status = str(batch.get("status", ""))
    banner = ""
    if status != "complete":
        banner = '<p class="banner-failed">Some scheduled runs FAILED; their folders end in .failed.</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scheduled reports {_e(batch.get("run_id", ""))}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Scheduled reports</h1>
<p class="meta">Batch <code>{_e(batch.get("run_id", ""))}</code> · status {_status_cell(status)} ·
config {_e(batch.get("config", ""))} · started {_e(batch.get("started", ""))} ·
finished {_e(batch.get("finished", ""))} · <a href="runs.json">runs.json</a></p>
{banner}
<table><thead><tr><th>Run</th><th>Status</th><th>Notebooks</th><th>Reused unchanged</th>
<th>Description</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body>
</html>
"""
