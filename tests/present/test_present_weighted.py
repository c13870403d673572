"""Weighted shares in what a reader sees (issue 15 item 10): sentences and display tables.

Reference: ``sum(w * yes) / sum(w)`` over the answering respondents of a group, by plain pandas from the
response file and the codebook rules (transcribed in ``tests/analyses/survey_rules.py``), rounded
half up with ``decimal`` to the one decimal the sentences print; the unweighted base counted the same way.
A base below 30 must be flagged; the interval method used under weighting must be named.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from analysis_runs import SURVEY, survey_input
from survey_rules import DEMO_GROUPS, DEMO_ITEMS, SURVEY_GROUPS, SURVEY_ITEMS, weighted

from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY
from alignment_stats.present import benchmark, incentives, perception

INPUTS = {
    "survey": (survey_input(design="weighted"), SURVEY, SURVEY_GROUPS, SURVEY_ITEMS),
    "demo": ({"input": str(DEMO_SURVEY), "codebook": str(DEMO_CODEBOOK), "design": "weighted"}, DEMO_SURVEY,
             DEMO_GROUPS, DEMO_ITEMS),
}


def label(groups, group):
    """The group's name in sentences: the codebook's answer label of that group (e.g. Technology for it)."""
    return next(answer for answer, group_id in groups[1].items() if group_id == group)


def one_decimal(share: float) -> str:
    return f"{Decimal(repr(100 * share)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def expected_share_text(path, groups, items, item, group):
    share, base = weighted(path, groups, items, item, group)
    flag = ", below 30" if base < 30 else ""
    return f"{one_decimal(share)} weighted ({base} respondents{flag})", base


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_perception_sentences_show_the_weighted_share_and_its_base(runs, name):
    parameters, path, groups, items = INPUTS[name]
    result = runs("perception", **parameters)
    small = 0
    for row in result.table.itertuples():
        text = perception.item_sentence(row, 0.05)
        for group in (row.group1, row.group2):
            words, base = expected_share_text(path, groups, items, row.item, group)
            assert f"{label(groups, group)} {words}" in text, (text, words)
            small += base < 30
    if name == "demo":
        assert small  # the 24 IT respondents are flagged
    shown = perception.display_table(result)
    assert {"n_raw1", "n_raw2"} <= set(shown.columns)
    assert "Kish" in result.table["ci_method"].iloc[0]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_incentives_sentences_show_the_weighted_share_and_its_base(runs, name):
    parameters, path, groups, items = INPUTS[name]
    result = runs("incentives", **parameters)
    for row in result.table.itertuples():
        text = incentives.item_sentence(row)
        for group in (row.group1, row.group2):
            words, _ = expected_share_text(path, groups, items, row.item, group)
            assert f"{label(groups, group)} {words}" in text, (text, words)
    assert "Kish" in incentives.summary_line(result) + " ".join(result.table["test"])


def test_benchmark_sentences_show_the_weighted_share_and_its_base(runs):
    parameters, path, groups, items = INPUTS["demo"]
    result = runs("benchmark", **parameters)
    for row in result.table.itertuples():
        if row.item not in items:
            continue
        words, _ = expected_share_text(path, groups, items, row.item, row.group)
        assert f"you {words}" in benchmark.row_sentence(row, 0.05), words
    assert "Kish" in benchmark.reading(result)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_every_percentage_in_the_perception_reading_is_a_weighted_share(runs, name):
    # no k/n of rounded effective counts beside a weighted share (the old "IT 3/6 (50.0%)")
    parameters = INPUTS[name][0]
    text = perception.verdicts_markdown(runs("perception", **parameters))
    assert not re.search(r"\d+/\d+ \\\(", text), text[:300]
