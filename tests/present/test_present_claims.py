"""Claims tables and their words (``present.claims``): verdicts, reasons, and no finding on assumed sizes.

References: the rule of issue 12 (restated in ``tests/analyses/test_analyses_verdicts.py``), the five verdict
strings of the design document, and the Accenture counts at an assumed 500 per group by hand (21% and 34% of
500: 105 and 170).
"""

from __future__ import annotations

import pandas as pd

from alignment_stats.present import claims, incentives, perception, skills
from alignment_stats.schema import CLAIM_VERDICT_COLUMNS, COMPARISON_COLUMNS

FIVE = {"supported", "not supported", "undecidable with this sample", "illustrative", "not assessable"}


def test_assumed_sizes_are_illustrative_in_the_claims_files(runs):
    result = runs("perception", study="accenture_2014", assumed_n=500)
    table, comparisons = claims.claims_tables(result.claims, result.comparisons, perception.comparison_sentence)
    assert list(table.columns) == list(CLAIM_VERDICT_COLUMNS)
    assert list(comparisons.columns[: len(COMPARISON_COLUMNS)]) == list(COMPARISON_COLUMNS)
    assert table.set_index("claim_id").loc["vendor_bypass_disconnect", "verdict"] == "illustrative"
    row = comparisons.iloc[0]
    assert (row["k1"], row["n1"], row["k2"], row["n2"], row["n_source"]) == (170, 500, 105, 500, "assumed")
    assert row["verdict"] == "illustrative"
    detail = table.iloc[0]["detail"]
    assert detail.endswith("[group sizes assumed: 500 and 500; illustrative, not a finding]")
    assert "**illustrative**" in claims.claims_markdown(result.claims)


def test_not_assessable_claims_say_why(runs):
    result = runs("perception", rounding="truncate")
    table, _ = claims.claims_tables(result.claims, result.comparisons, perception.comparison_sentence)
    row = table.set_index("claim_id").loc["marketers_more_optimistic"]
    assert row["verdict"] == "not assessable"
    assert "not tested" in row["detail"] and "not assessable under that rule" in row["detail"]


def test_every_claims_file_uses_the_vocabulary(runs):
    for result, module in ((runs("perception"), perception), (runs("perception", rounding="truncate"), perception),
                           (runs("incentives"), incentives), (runs("skills"), skills)):
        tables = module.results_tables(result)
        assert set(tables["claims"]["verdict"]) <= FIVE
        assert set(tables["claim_comparisons"]["verdict"]) <= FIVE
        assert tables["claims"]["detail"].map(lambda d: isinstance(d, str) and len(d) > 0).all()


def test_status_text_and_size_note():
    assert claims.status_text("ok") == "" and claims.status_text(None) == ""
    assert "not assessable" in claims.status_text("no_split")
    assert claims.size_note("published", 100, 110) == ""
    assert claims.size_note("override", 647, 500) == (" [group sizes set by the user: 647 and 500; illustrative, "
                                                      "not a finding]")


def test_claims_markdown_escapes_the_quote():
    table = pd.DataFrame({"quote": ["a *bold* <b>claim</b> $5"], "verdict": ["supported"]})
    text = claims.claims_markdown(table)
    assert "<b>" not in text and "\\*bold\\*" in text and text.endswith("**supported**.")
