"""Every scheduled run and three new studies, end to end: nothing a reader sees is nan, None or a warning (issue 15).

One batch (``run_batch``) runs every run of the project's ``runs.yaml`` plus
one run per new-study fixture (their study ids are not in the bundled data:
sizes published with a claims file, a total and shares, no sizes), with
HTML. Then every results table, executed notebook, HTML page and the
summaries are read back and checked against the project's rules:

- no ``nan``, ``NaN``, ``None`` or ``<NA>`` in any table cell shown, any
  notebook output or any page's text (scripts and styles aside);
- no stderr output (warnings, tracebacks) in any executed notebook;
- every run complete, every notebook complete or not applicable (with a reason);
- no verdict ``supported`` or ``not supported`` resting on a comparison whose
  group sizes are assumed (summary.json and claims.csv);
- every verdict one of the five words.

It takes about a minute, so ``make test`` leaves it out and ``make scan``
(run by CI after ``make test``) runs it.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from alignment_stats.config import PROJECT_ROOT
from alignment_stats.report import run_batch
from alignment_stats.schema import VERDICTS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"
MARKERS = re.compile(r"\bnan\b|\bNaN\b|\bNone\b|<NA>")
ASSUMED_FORBIDDEN = {"supported", "not supported"}


class _Text(HTMLParser):
    """The text of a page, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan")
    config = yaml.safe_load((PROJECT_ROOT / "runs.yaml").read_text(encoding="utf-8"))
    for run in config["runs"]:  # the project's relative paths, taken from the project folder
        params = run.get("parameters") or {}
        for key in ("input", "codebook", "studies", "claims"):
            if key in params:
                params[key] = str(PROJECT_ROOT / params[key])
    # issue 15 item 3: with assumed sizes of 500 the Accenture vendor claim showed "supported"
    config["runs"].append({"name": "assumed_500", "description": "assumed group sizes of 500",
                           "notebooks": ["01_perception_gap"], "parameters": {"assumed_n": 500}})
    for name in ("published_sizes", "total_and_shares", "no_sizes"):
        params = {"input": str(FIXTURES / name / "figures.csv")}
        if (FIXTURES / name / "claims.csv").is_file():
            params["claims"] = str(FIXTURES / name / "claims.csv")
        config["runs"].append({"name": f"new_study_{name}", "description": f"new-study fixture {name}",
                               "parameters": params})
    path = folder / "runs.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_batch(path, folder / "reports", progress=False, compare=False)
    return result


def test_the_scan_sees_what_it_looks_for(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><script>if (isNaN(x)) y = None;</script><p>diff = nan points</p></html>", encoding="utf-8")
    assert MARKERS.findall(page_text(page)) == ["nan"]
    assert MARKERS.search("None of the items")  # a capitalised None is flagged (no sentence of ours begins so)
    assert MARKERS.search("none of them") is None and MARKERS.search("finance") is None


def test_every_run_is_complete(batch):
    assert batch.ok, [r.run_id for r in batch.runs if not r.ok]
    names = {r.run_id for r in batch.runs}
    assert {"bundled", "rounding_truncate", "demo_survey", "new_study_no_sizes"} <= names
    for run in batch.runs:
        for notebook in run.notebooks:
            assert notebook.status in ("complete", "cached", "not_applicable"), (run.run_id, notebook.name)
            if notebook.status == "not_applicable":
                assert notebook.reason and not MARKERS.search(notebook.reason), (run.run_id, notebook.name)


def test_no_table_cell_reads_nan_none_or_na(batch):
    found = []
    for path in sorted(batch.path.glob("*/*/results/*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                # an empty cell is how CSV writes a missing value; a word is not
                found += [f"{path.relative_to(batch.path)} line {line}: {cell!r}" for cell in row
                          if MARKERS.fullmatch(cell.strip()) or (len(cell) > 4 and MARKERS.search(cell))]
    assert found[:20] == []


def test_no_notebook_output_shows_nan_none_or_stderr(batch):
    found = []
    for path in sorted(batch.path.glob("*/*/*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for number, cell in enumerate(notebook["cells"]):
            for output in cell.get("outputs", []):
                where = f"{path.relative_to(batch.path)} cell {number}"
                if output.get("name") == "stderr" or output["output_type"] == "error":
                    found.append(f"{where}: {output.get('text', output.get('ename'))!r:.300}")
                data = output.get("data", {})
                text = "".join(output.get("text", [])) + "".join(data.get("text/markdown", [])) + "".join(
                    data.get("text/plain", []))
                if MARKERS.search(text):
                    found.append(f"{where}: {MARKERS.findall(text)} in {text[:200]!r}")
    assert found[:20] == []


def test_no_page_shows_nan_or_none(batch):
    found = []
    for path in sorted(batch.path.rglob("*.html")):
        text = page_text(path)
        if MARKERS.search(text):
            at = MARKERS.search(text).start()
            found.append(f"{path.relative_to(batch.path)}: ...{text[max(0, at - 120):at + 40]}...")
    assert found[:20] == []


def test_no_finding_rests_on_assumed_sizes(batch):
    found = []
    for summary_path in sorted(batch.path.glob("*/summary.json")):
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        for claim in summary["claims"]:
            assert claim["verdict"] in VERDICTS, claim
            assumed = any(c["n_source"] == "assumed" for c in claim["comparisons"])
            if assumed and claim["verdict"] in ASSUMED_FORBIDDEN:
                found.append(f"{summary_path.parent.name}: {claim['claim_id']} is {claim['verdict']} on assumed sizes")
            for comparison in claim["comparisons"]:
                if comparison["n_source"] == "assumed" and comparison.get("verdict") in ASSUMED_FORBIDDEN:
                    found.append(f"{summary_path.parent.name}: {claim['claim_id']}/{comparison['item']} is "
                                 f"{comparison['verdict']} on assumed sizes")
    assert found == []
    assert any(json.loads(p.read_text())["claims"] for p in batch.path.glob("*/summary.json"))
