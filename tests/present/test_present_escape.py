"""Escaping (issue 16 item 1, issue 12 item 7): user text reaches Markdown, HTML and figure labels inert.

References: the Markdown renderer nbconvert uses for notebook pages
(``nbconvert.filters.markdown_mistune.markdown2html_mistune``), Python's
``html.parser`` to list the tags and attributes of the rendered HTML, the
MathJax 2 configuration of nbconvert's templates (``tex2jax``: ``$...$`` is
inline math, ``processEscapes`` is on and the default ``ignoreClass`` is
``tex2jax_ignore``, so a ``$`` stays literal only when a backslash precedes
it in the page or it sits inside an element of that class), and
matplotlib's own mathtext detection (``Text._preprocess_math``) on a drawn
figure. The only markup the escaping may add is that span: it comes from
the helper, never from the user's text.
"""

from __future__ import annotations

import re
import shutil
import warnings
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from analysis_runs import STUDIES_DIR, SURVEY, SURVEY_CODEBOOK
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from alignment_stats.present import audit, benchmark, claims, crosstab, perception
from alignment_stats.present.escape import escape, escape_html, escaped_styler, label

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "**bold**",
            "$x^2$", '<a href="javascript:alert(1)">x</a>', "costs $5 and $6", "# heading", "- item\n- other"]
PAYLOAD = " ".join(PAYLOADS[:5])


#: The one element the escaping helper may add: a span MathJax's tex2jax skips.
NO_MATH = ("span", (("class", "tex2jax_ignore"),))


class Tags(HTMLParser):
    """Every (tag, attributes) of a piece of HTML (attribute values kept for class, else only names), and the
    text MathJax would scan: outside any element of class tex2jax_ignore."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, tuple]] = set()
        self.stack: list[bool] = []
        self.scanned: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.add((tag, tuple(sorted((a, v) if a == "class" else (a, None) for a, v in attrs))))
        ignored = any(a == "class" and "tex2jax_ignore" in (v or "").split() for a, v in attrs)
        self.stack.append(ignored or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.scanned.append(data)


def tags(html: str) -> set:
    parser = Tags()
    parser.feed(html)
    return parser.found


def unescaped_dollars(html: str) -> list[str]:
    """Text pieces with a ``$`` MathJax would read as a delimiter: outside tex2jax_ignore, no backslash before it."""
    parser = Tags()
    parser.feed(html)
    return [piece for piece in parser.scanned if re.search(r"(?<!\\)\$", piece)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_renders_without_tags(payload):
    html = markdown2html_mistune(escape(payload))
    assert tags(html) <= {("p", ()), NO_MATH}, html
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<strong>" not in html
    assert "<h1" not in html and "<li>" not in html


def test_escaped_text_reads_as_written():
    # what the reader sees is the text itself (entities decoded), not a formatted version of it
    from html import unescape

    for payload in PAYLOADS:
        html = markdown2html_mistune(escape(payload))
        visible = unescape(re.sub(r"<[^>]+>", "", html)).strip().replace("\\$", "$")
        assert visible == " ".join(payload.split()), payload


@pytest.mark.parametrize("payload", ["$x^2$", "costs $5 and $6", "\\$x\\$"])
def test_dollars_stay_literal_after_markdown_rendering(payload):
    # nbconvert's pages run MathJax with $...$ as inline math and processEscapes on: a $ survives as text only
    # when the rendered page has a backslash before it
    html = markdown2html_mistune(escape(payload))
    assert "$" in html
    assert unescaped_dollars(html) == [], html


def test_escape_html_and_styled_tables():
    assert "<" not in escape_html(PAYLOAD) and ">" not in escape_html(PAYLOAD)
    table = pd.DataFrame({PAYLOAD: [PAYLOAD]}, index=[PAYLOAD])
    html = escaped_styler(table.style).to_html()
    found = {tag for tag, _ in tags(html) - {NO_MATH}}
    assert "script" not in found and "img" not in found and "a" not in found


def test_label_keeps_matplotlib_off_mathtext():
    fig, ax = plt.subplots()
    text = ax.set_title(label("costs $5 and $x^2$"))
    xlabel = ax.set_xlabel(label("$\\alpha$ share"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    for item in (text, xlabel):
        _shown, is_math = item._preprocess_math(item.get_text())
        assert is_math is False
    # without the helper, matplotlib would typeset it
    raw = ax.text(0, 0, "$x^2$")
    assert raw._preprocess_math(raw.get_text())[1] is True
    plt.close(fig)


def test_figures_escape_their_labels(runs):
    from alignment_stats.present import figures

    result = runs("perception", study="econsultancy_2015")
    table = result.table.assign(study="a$b$c", item="x$y$")
    fig = figures.forest_plot(table)
    fig.canvas.draw()
    for tick in fig.axes[0].get_yticklabels():
        assert tick._preprocess_math(tick.get_text())[1] is False
    message = figures.message_figure("no data for $x$")
    assert message.axes[0].texts[0]._preprocess_math(message.axes[0].texts[0].get_text())[1] is False


# ---------------------------------------------------------------------------
# sentences built from inputs whose every free-text field is a payload
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def payload_inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("payload")
    source = STUDIES_DIR / "published_sizes"
    figures = pd.read_csv(source / "figures.csv", dtype=str, keep_default_na=False)
    for column in ("wording", "group_label", "quote", "note", "source"):
        figures[column] = PAYLOAD
    figures.to_csv(folder / "figures.csv", index=False)
    facts = yaml.safe_load((source / "studies.yaml").read_text(encoding="utf-8"))
    study = facts["acme_2024"]
    study.update(title=PAYLOAD, population=PAYLOAD, publisher=PAYLOAD, groups={"marketing": PAYLOAD, "it": PAYLOAD})
    study["sources"][0]["quote"] = PAYLOAD
    (folder / "studies.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    claims_table = pd.read_csv(source / "claims.csv", dtype=str, keep_default_na=False)
    claims_table["quote"] = PAYLOAD + " (quoted)"
    claims_table["source"] = PAYLOAD
    claims_table.to_csv(folder / "claims.csv", index=False)
    book = yaml.safe_load(SURVEY_CODEBOOK.read_text(encoding="utf-8"))
    book.update(source=PAYLOAD, title=PAYLOAD, synthetic=True)
    for item in book["items"].values():
        item["wording"] = PAYLOAD
    (folder / "codebook.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    shutil.copy(SURVEY, folder / "responses.csv")
    return {"figures": {"input": str(folder / "figures.csv"), "claims": str(folder / "claims.csv")},
            "survey": {"input": str(folder / "responses.csv"), "codebook": str(folder / "codebook.yaml")}}


def _markdown(runs, figures_input, survey_input, with_benchmark=False):
    """Every Markdown text the notebooks display, for one figures input and one survey input."""
    if with_benchmark:
        b = runs("benchmark", **survey_input)
        return [benchmark.synthetic_banner(b), benchmark.reading(b), benchmark.verdicts_markdown(b)]
    p = runs("perception", **figures_input)
    a = runs("audit", **figures_input)
    survey = runs("perception", **survey_input)
    return [perception.verdicts_markdown(p), perception.reading(p), audit.reading(a), claims.claims_markdown(p.claims),
            perception.reading(survey), perception.verdicts_markdown(survey)]


@pytest.mark.parametrize("with_benchmark", [False, True], ids=["analyses", "benchmark"])
def test_payload_pages_have_the_tags_of_a_clean_run(runs, payload_inputs, with_benchmark):
    clean_figures = {"input": str(STUDIES_DIR / "published_sizes" / "figures.csv"),
                     "claims": str(STUDIES_DIR / "published_sizes" / "claims.csv")}
    payload = _markdown(runs, payload_inputs["figures"], payload_inputs["survey"], with_benchmark)
    clean = _markdown(runs, clean_figures, {"input": str(SURVEY), "codebook": str(SURVEY_CODEBOOK)}, with_benchmark)
    for dirty, fine in zip(payload, clean):
        html = markdown2html_mistune(dirty)
        found = tags(html)
        allowed = tags(markdown2html_mistune(fine)) | {("p", ()), ("blockquote", ()), ("strong", ()), NO_MATH}
        assert found <= allowed, (found - allowed, dirty[:300])
        assert "<script" not in html and "<img" not in html and "javascript:" not in "".join(
            str(v) for t in found for a in t[1] for v in a)


def test_payload_dollars_stay_literal_in_pages(runs, payload_inputs):
    texts = _markdown(runs, payload_inputs["figures"], payload_inputs["survey"])
    with_payload = [t for t in texts if "x^2" in t]
    assert with_payload  # the payload does reach the pages (escaped)
    for text in with_payload:
        html = markdown2html_mistune(text)
        assert unescaped_dollars(html) == [], html[:300]


def test_display_tables_keep_user_text_inert(runs, payload_inputs):
    # the tables the notebooks display as HTML (pandas escapes tags; a $ must not start MathJax either)
    result = runs("audit", **payload_inputs["figures"])
    gaps = runs("perception", **payload_inputs["figures"])
    for name, table in (("figures_table", audit.figures_table(result)), ("counts_table", audit.counts_table(result)),
                        ("sizes_table", audit.sizes_table(result)), ("cross_checks", audit.cross_checks(result)),
                        ("perception.display_table", perception.display_table(gaps))):
        html = table.to_html()
        assert {tag for tag, _ in tags(html)} <= {"table", "thead", "tbody", "tr", "th", "td", "span"}, name
        assert unescaped_dollars(html) == [], name


def test_crosstab_caption_and_cells_are_escaped(runs):
    result = runs("perception")
    wide = crosstab.crosstab_table(result.crosstab)
    wide.index = [PAYLOAD] + list(wide.index[1:])
    html = crosstab.style_crosstab(wide, PAYLOAD).to_html()
    found = {tag for tag, _ in tags(html)}
    assert "script" not in found and "img" not in found
