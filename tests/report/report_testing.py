"""Shared helpers of the runner tests: tiny notebooks, the one-line error check, processes, payloads, HTML tags.

Tests import them as ``from report_testing import ...`` (pytest puts this
folder on ``sys.path``); fixtures live in ``conftest.py`` beside it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import yaml

from alignment_stats.config import PROJECT_ROOT
from alignment_stats.report.engine import KERNEL_DIR_PREFIX

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with the test extras
    psutil = None

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PUBLISHED = FIXTURES / "studies" / "published_sizes"
SURVEY_DIR = FIXTURES / "survey"
KERNEL = "alignment-stats"
PYTHON = sys.executable
#: One payload of every kind issue 16 names: a script element, an event handler, a javascript: link, TeX.
PAYLOAD = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) $x^2$"
FIGURE_TEXT_FIELDS = ("wording", "group_label", "quote", "note", "source")
STUDY_TEXT_FIELDS = ("title", "publisher", "population")


# --------------------------------------------------------------------------- notebooks


def make_notebook(path: Path, body: str = "print('hi')", params: str | None = None) -> Path:
    """A tiny notebook outside notebooks/: markdown, a typed ``parameters`` cell, one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "language": "python", "display_name": "Python (alignment_stats)"}
    if params is None:
        params = "from typing import Optional\noutput_dir: Optional[str] = None\nalpha: float = 0.05\n"
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), cell, nbformat.v4.new_code_cell(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


# --------------------------------------------------------------------------- command-line output


def one_line(err: str) -> str:
    """The single non-empty line of ``err``; fails on several lines or a traceback."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    return lines[0]


def error_line(err: str) -> str:
    """The one error line of ``err`` (progress lines may precede it); fails on a traceback or several errors."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, f"expected one error line on stderr, got {len(lines)}:\n{err}"
    assert lines[0] == err.rstrip("\n").splitlines()[-1], f"the error is not the last line:\n{err}"
    return lines[0]


def entries(folder: Path) -> list[str]:
    """Everything under ``folder`` (hidden entries included), relative; [] when it does not exist."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def tmp_folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob(".tmp-*")) if out.exists() else []


def kernel_dirs(pid: int) -> list[Path]:
    """The kernels' stderr folders a runner with ``pid`` made in the system's temp folder."""
    return sorted(Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}{pid}-*"))


def cli_command(*args: str) -> list[str]:
    return [PYTHON, "-m", "alignment_stats", *args]


def run_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """``python -m alignment_stats ARGS`` in the project root (text output captured)."""
    return subprocess.run(cli_command(*args), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False, **kwargs)


# --------------------------------------------------------------------------- processes


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (psutil, else /proc)."""
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        todo += kids
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def kernel_processes(pid: int) -> list[int]:
    """Descendants of ``pid`` that are ipykernel processes."""
    return [c for c in _children(pid) if "ipykernel" in _cmdline(c)]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    if psutil is not None:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def still_alive(pids, grace: float = 2.0) -> list[int]:
    """Those of ``pids`` still running after up to ``grace`` seconds."""
    deadline = time.monotonic() + grace
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [p for p in left if alive(p)]
    return left


def kill_all(pids) -> None:
    """Kill processes this test started (by pid), ignoring those already gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, step: float = 0.02):
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` s (or when ``proc`` ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"the command ended (exit {proc.returncode}) before {what}:\n{err[-3000:]}")
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# --------------------------------------------------------------------------- inputs


def copy_published(target: Path, token: str = "") -> Path:
    """A copy of the published_sizes fixture (figures, studies, claims); ``token`` goes into one note."""
    shutil.copytree(PUBLISHED, target)
    if token:
        rows, fields = read_rows(target / "figures.csv")
        rows[-1]["note"] = f"copy {token}"
        write_rows(target / "figures.csv", rows, fields)
    return target


def read_rows(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader), list(reader.fieldnames or [])


def write_rows(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def add_payload(folder: Path, payload: str = PAYLOAD) -> Path:
    """Append ``payload`` to every text field of figures.csv, studies.yaml and claims.csv in ``folder``."""
    rows, fields = read_rows(folder / "figures.csv")
    for row in rows:
        for name in FIGURE_TEXT_FIELDS:
            row[name] = f"{row[name]} {payload}".strip()
    write_rows(folder / "figures.csv", rows, fields)
    studies = yaml.safe_load((folder / "studies.yaml").read_text(encoding="utf-8"))
    for study in studies.values():
        for name in STUDY_TEXT_FIELDS:
            study[name] = f"{study[name]} {payload}"
        for source in study.get("sources") or ():
            source["quote"] = f"{source['quote']} {payload}"
    (folder / "studies.yaml").write_text(yaml.safe_dump(studies, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    rows, fields = read_rows(folder / "claims.csv")
    for row in rows:
        row["quote"] = f"{row['quote']} {payload}"
    write_rows(folder / "claims.csv", rows, fields)
    return folder


# --------------------------------------------------------------------------- cache keys


def refresh_keys(run_dir: Path, params: dict, notebooks=("00", "01")) -> dict:
    """Set the cache keys in ``run_dir/summary.json`` to what the code computes now for the same run.

    The key hashes the package's code, which other people edit while the suite runs; a test of what the cache
    does with a damaged or intact run (not of the key) starts from keys that match.
    """
    from alignment_stats.report import Options, make_plan

    plan = make_plan(list(notebooks), params, run_dir.parent, "refresh-keys", Options(force=True, compare_to=None))
    keys = {s.name: s.cache_key for s in plan.steps}
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    for entry in summary["notebooks"]:
        entry["cache_key"] = keys.get(entry["name"], entry["cache_key"])
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return keys


# --------------------------------------------------------------------------- HTML


class Tags(HTMLParser):
    """The (tag, attribute) pairs of a page, its attribute values, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.tags: set[str] = set()
        self.values: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.pairs.add((tag, name))
            self.values.append((tag, name, value or ""))
        ignored = tag in ("script", "style", "pre", "code", "textarea") or any(
            name == "class" and "tex2jax_ignore" in (value or "") for name, value in attrs)
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "source", "wbr"):
            self._stack.append((tag, ignored))

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1][0] == "script":
            self.scripts.append(data)
        elif not any(ignored for _, ignored in self._stack):
            self.text.append(data)


def parse_html(path: Path) -> Tags:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser
