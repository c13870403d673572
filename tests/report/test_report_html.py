"""HTML of a report (``report.html`` and the jinja2 templates; issue 16 item 1, runner part).

References: html.parser from the standard library (the tags, attributes,
attribute values and script contents of a page); the clean run of the same
input as the baseline for the payload run (the same set of (tag, attribute)
pairs); MathJax 2's documented tex2jax rules (``$...$`` in a text node is
typeset unless escaped as ``\\$`` or inside an ignored element) for the
notebook pages, which load MathJax.
"""

from __future__ import annotations

import re

import pytest
from report_testing import PAYLOAD, parse_html

from alignment_stats.report.html import (
    STATUS_WORDS,
    render_batch,
    render_index,
    verdict_class,
)
from alignment_stats.schema import NOTEBOOK_STATUSES, VERDICTS

SCRIPT = "<script>alert(1)</script>"
PAGES = ["index.html", "00_data_audit/00_data_audit.html", "01_perception_gap/01_perception_gap.html"]


def test_every_verdict_and_status_has_its_word():
    assert [verdict_class(v) for v in VERDICTS] == ["supported", "not-supported", "undecidable", "illustrative",
                                                    "not-assessable"]
    assert verdict_class("<b>") == "unknown"
    assert set(STATUS_WORDS) == set(NOTEBOOK_STATUSES)


def test_render_index_escapes_all_text(tmp_path):
    (tmp_path / "00_a" / "results").mkdir(parents=True)
    (tmp_path / "00_a" / "results" / "claims.csv").write_text(
        f'claim_id,quote,verdict,detail\nC<1>,"{SCRIPT}",supported,a & b\n', encoding="utf-8")
    summary = {
        "run_id": "r<1>", "run_name": "<i>n</i>", "status": "failed", "started": "s", "finished": "f", "kernel": "k",
        "parameters": {"label": "<b>x</b>"}, "package_versions": {}, "input_hashes": {},
        "executor": {"name": "local"}, "cache": {"enabled": True, "reused": []}, "comparison": None,
        "notebooks": [{"name": "00_a", "status": "failed", "seconds": 1.0,
                       "reason": "ValueError: <img src=x onerror=alert(1)>", "notebook": "00_a/00_a.ipynb",
                       "html": None, "kernel_stderr": "<stderr>", "cached_from": None}],
        "files": [{"path": "00_a/results/a&b.csv", "sha256": "0" * 64, "bytes": 1},
                  {"path": '00_a/figures/"q".png', "sha256": "0" * 64, "bytes": 1}],
        "claims": [{"notebook": "00_a", "claim_id": "C<1>", "study": "s", "verdict": "supported", "comparisons": []}],
    }
    page = render_index(summary, tmp_path, notes=["<bad note>"])
    for raw in (SCRIPT, "<img src=x", "<b>x</b>", "<i>n</i>", "<bad note>", "r<1>", "C<1>", '"q"', "<stderr>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &amp; b" in page
    assert "ValueError: &lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="00_a/results/a%26b.csv"' in page and 'src="00_a/figures/%22q%22.png"' in page
    tags = set(re.findall(r"<([a-z0-9]+)", page))
    assert "img" in tags and "script" not in tags and "FAILED" in page


def test_render_batch_escapes_all_text():
    batch = {"schema_version": 2, "kind": "batch", "run_id": "b<1>", "status": "failed", "config": "<c>.yaml",
             "started": "s", "finished": "f",
             "runs": [{"name": "r1", "description": SCRIPT, "status": "failed", "path": "r1.failed",
                       "notebooks": ["00_data_audit"], "reused": [], "not_applicable": [],
                       "parameters": {"x": "<img src=x onerror=alert(1)>"}}]}
    page = render_batch(batch)
    assert SCRIPT not in page and "<img" not in page and "b<1>" not in page and "<c>" not in page
    assert "&lt;script&gt;" in page and 'href="r1.failed/index.html"' in page


# --------------------------------------------------------------------------- payloads through a real run


@pytest.fixture(scope="module")
def both(complete, payload_run):
    assert payload_run.proc.returncode == 0, payload_run.proc.stderr[-3000:]
    return complete.path, payload_run.path


def test_payload_run_is_complete_with_the_payloads_in_its_inputs(both, payload_run):
    assert PAYLOAD in (payload_run.input / "figures.csv").read_text(encoding="utf-8")
    assert PAYLOAD in (payload_run.input / "claims.csv").read_text(encoding="utf-8")
    assert "<script>" in (payload_run.input / "studies.yaml").read_text(encoding="utf-8")
    page = (both[1] / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the payload reached the page, as text


@pytest.mark.parametrize("page", PAGES)
def test_payloads_add_no_tag_or_attribute(both, page):
    clean, payload = (parse_html(run / page) for run in both)
    assert payload.pairs == clean.pairs
    assert payload.tags == clean.tags


@pytest.mark.parametrize("page", PAGES)
def test_no_payload_is_live(both, page):
    parsed = parse_html(both[1] / page)
    assert not any("alert(1)" in text for text in parsed.scripts), "a payload became script code"
    assert [(t, a) for t, a, _ in parsed.values if a.startswith("on")] == \
        [(t, a) for t, a, _ in parse_html(both[0] / page).values if a.startswith("on")]
    assert [v for _, a, v in parsed.values if v.strip().lower().startswith("javascript:")] == []
    assert [v for _, a, v in parsed.values if "alert(1)" in v] == []
    raw = (both[1] / page).read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x onerror" not in raw and 'href="javascript:' not in raw


@pytest.mark.parametrize("page", PAGES[1:])
def test_dollar_signs_are_not_left_for_mathjax(both, page):
    """The notebook pages load MathJax (inline ``$...$``, processEscapes): a user's ``$x^2$`` must not reach a
    text node unescaped, or it is typeset as a formula (issue 12 item 7)."""
    raw = (both[1] / page).read_text(encoding="utf-8")
    assert "inlineMath" not in raw or "processEscapes" in raw
    text = "".join(parse_html(both[1] / page).text)
    live = [m.start() for m in re.finditer(r"\$x\^2\$", text) if m.start() == 0 or text[m.start() - 1] != "\\"]
    assert live == [], f"{len(live)} unescaped $x^2$ in the text of {page}"
