"""Shared incentives in words and tables (``present.incentives``).

References: counts and percentages by hand (half-up percentages of exact
fractions, in the comments); the smallest demonstrable margin and size
needed are read from the analysis table and must appear in the sentence as
the table says (the sentence words what the analysis computed).
"""

from __future__ import annotations

import pandas as pd
import pytest

from alignment_stats.analyses.incentives import shared_incentives
from alignment_stats.present import incentives, write_results
from alignment_stats.present.numbers import points


@pytest.fixture(scope="module")
def default(runs):
    return runs("incentives")


def _row(table, item):
    return next(r for r in table.itertuples() if r.item == item)


def test_item_sentence_for_leapfrog(default):
    row = _row(default.table, "no_shared_incentives")
    text = incentives.item_sentence(row)
    # 67/106 = 63.2%, 15/24 = 62.5%
    assert text.startswith("Marketing executives 67/106 (63.2%) vs IT executives 15/24 (62.5%): +0.7 points, 90% CI ")
    assert "far too small to show it" in text
    assert f"it rules out only differences beyond \u00b1{100 * row.min_margin:.1f} points" in text
    assert f"about {int(row.n_required)} per group" in text and "this study: 106 and 24" in text


def test_reading(default):
    text = incentives.reading(default)
    assert "not evidence of agreement" in text and "**undecidable with this sample**" in text
    assert "never changes" in text and "90% interval" in text


def test_display_table_in_percent(default):
    shown = incentives.display_table(default).set_index("item")
    assert (shown.loc["no_shared_incentives", "p1"], shown.loc["no_shared_incentives", "p2"]) == (63.2, 62.5)
    row = _row(default.table, "no_shared_incentives")
    assert shown.loc["no_shared_incentives", "min_margin"] == pytest.approx(round(100 * row.min_margin, 1))


def test_findings_in_words():
    rows = [("big", "marketing", 1000, 2000), ("big", "it", 1000, 2000),
            ("tiny_but_real", "marketing", 5300, 10000), ("tiny_but_real", "it", 5000, 10000),
            ("clear_gap", "marketing", 300, 1000), ("clear_gap", "it", 600, 1000),
            ("no_size", "marketing", 50, 100), ("no_size", "it", None, None),
            ("pair_x", "marketing", 40, 100), ("pair_y", "marketing", 45, 100)]
    counts = pd.DataFrame(rows, columns=["item", "group", "k", "n"]).assign(study="s")
    known = counts["n"].notna()
    counts = counts.astype({"k": "Int64", "n": "Int64"})
    share = (counts["k"].astype(float) / counts["n"].astype(float)).to_numpy(dtype=float, na_value=float("nan"))
    counts = counts.assign(k_low=counts["k"], k_high=counts["k"], p=share, value=100 * share, low=float("nan"),
                           high=float("nan"),
                           n_source=["published" if x else pd.NA for x in known],
                           status=["ok" if x else "no_size" for x in known])
    items = pd.DataFrame([{"study": "s", "item": i, "item1": i, "group1": "marketing", "item2": i, "group2": "it"}
                          for i in ("big", "tiny_but_real", "clear_gap", "no_size")]
                         + [{"study": "s", "item": "pair_x vs pair_y", "item1": "pair_x", "group1": "marketing",
                             "item2": "pair_y", "group2": "marketing"}])
    table = shared_incentives(counts, items)
    words = {r.item: incentives.item_sentence(r) for r in table.itertuples()}
    assert "equivalent within \u00b110 points" in words["big"] and "the data support agreement" in words["big"]
    # 53% vs 50% of 10,000: significant yet equivalent
    assert "statistically significant" in words["tiny_but_real"]
    assert "this is not agreement" in words["clear_gap"] and "excludes 0" in words["clear_gap"]
    assert words["no_size"] == "not tested: nothing publishes the group sizes and none was assumed"
    assert words["pair_x vs pair_y"].startswith("not tested: both figures describe the same respondents")


def test_comparison_sentence_and_claims_detail(default):
    tables = incentives.results_tables(default)
    detail = tables["claims"].set_index("claim_id").loc["both_lack_shared_incentives", "detail"]
    row = _row(default.table, "no_shared_incentives")
    # 67/106 -> 63%, 15/24 = 62.5% -> 63% (half up)
    assert detail.startswith("no_shared_incentives: Marketing 63% vs IT 63%, difference +0.7 points (90% CI ")
    assert f"TOST p = {row.p_value:.2f} against \u00b110 points" in detail
    assert f"\u00b1{points(row.min_margin, 1, signed=False)} points or wider" in detail
    assert f"would need about {int(row.n_required)} per group" in detail


def test_write_results(default):
    written = write_results(default)
    assert sorted(p.name for p in written) == ["claim_comparisons.csv", "claims.csv", "required_n.csv",
                                               "sensitivity.csv", "shared_incentives.csv"]
    back = pd.read_csv(written[0].parent / "shared_incentives.csv")
    assert back["k1"].tolist() == [67, 57]
    assert {"ci_low", "ci_high", "ci_level", "tost_ci_low", "tost_ci_high", "test"} <= set(back.columns)


def test_an_input_without_agreement_items_says_so(runs, tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"study": ["other"] * 2, "item": ["x", "x"], "group": ["marketing", "it"], "n": [50, 50],
                  "k": [20, 21]}).to_csv(path, index=False)
    result = runs("incentives", input=str(path))
    assert incentives.reading(result) == "No agreement item to test in this input."
    assert incentives.sensitivity_table(result).iloc[0, 0] == "No agreement item could be tested."
