"""Weighted shares are the weighted estimate (issue 15 item 10), in the analyses' tables.

Reference: ``sum(w * yes) / sum(w)`` over the respondents of a group who
answered the item, computed with plain pandas from the response file and
the codebook's rules (transcribed by hand in :mod:`survey_rules`), and the unweighted count
of those respondents. Applies to the hand-written survey fixture and to the
demo survey.
"""

from __future__ import annotations

import pytest
from analysis_runs import SURVEY, survey_input
from survey_rules import DEMO_GROUPS, DEMO_ITEMS, SURVEY_GROUPS, SURVEY_ITEMS, weighted

from alignment_stats.config import DEMO_CODEBOOK, DEMO_SURVEY

INPUTS = {
    "survey": (survey_input(design="weighted"), SURVEY, SURVEY_GROUPS, SURVEY_ITEMS),
    "demo": ({"input": str(DEMO_SURVEY), "codebook": str(DEMO_CODEBOOK), "design": "weighted"}, DEMO_SURVEY,
             DEMO_GROUPS, DEMO_ITEMS),
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_perception_shares_are_weighted(runs, name):
    parameters, path, groups, items = INPUTS[name]
    table = runs("perception", **parameters).table
    checked = 0
    for row in table.itertuples():
        if row.item not in items:
            continue
        share1, base1 = weighted(path, groups, items, row.item, row.group1)
        share2, base2 = weighted(path, groups, items, row.item, row.group2)
        assert (row.p1, row.p2) == pytest.approx((share1, share2), abs=1e-12), row.item
        assert row.diff == pytest.approx(share1 - share2, abs=1e-12)
        assert (row.n_raw1, row.n_raw2) == (base1, base2), row.item
        assert "Kish" in row.ci_method
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_incentives_shares_are_weighted_with_their_base(runs, name):
    parameters, path, groups, items = INPUTS[name]
    table = runs("incentives", **parameters).table
    assert len(table)
    for row in table.itertuples():
        if row.item not in items:
            continue
        share1, _base1 = weighted(path, groups, items, row.item, row.group1)
        share2, _base2 = weighted(path, groups, items, row.item, row.group2)
        assert (row.p1, row.p2) == pytest.approx((share1, share2), abs=1e-12), row.item
        assert "Kish" in row.test
    # the unweighted base beside each weighted share
    assert {"n_raw1", "n_raw2"} <= set(table.columns)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_skills_shares_are_weighted_with_their_base(runs, name):
    parameters, path, groups, items = INPUTS[name]
    table = runs("skills", **parameters).table
    for row in table[table["basis"] == "exact (respondent data)"].itertuples():
        item_a, item_b = row.item_a, row.item_b
        if item_a not in items or item_b not in items:
            continue
        share_a, base = weighted(path, groups, items, item_a, row.group)
        share_b, _ = weighted(path, groups, items, item_b, row.group)
        assert (row.p_a, row.p_b) == pytest.approx((share_a, share_b), abs=1e-12)
        assert row.gap == pytest.approx(share_a - share_b, abs=1e-12)
        assert row.n_raw == base


def test_benchmark_shares_are_weighted_with_their_base(runs):
    parameters, path, groups, items = INPUTS["demo"]
    table = runs("benchmark", **parameters).table
    for row in table.itertuples():
        if row.item in items:
            share, _ = weighted(path, groups, items, row.item, row.group)
            assert row.p1 == pytest.approx(share, abs=1e-12), (row.item, row.group)
            assert "Kish" in row.ci_method
    assert "n_raw1" in table.columns  # the unweighted base beside the weighted share
