"""The verdict vocabulary (issue 12 item 2, issue 15 item 3) in every analysis's claims and comparisons.

Reference: the rule as the issue states it, written out here: "any not
supported -> not supported; else any not assessable -> not assessable; else
any illustrative -> illustrative; all supported -> supported; otherwise
undecidable with this sample"; and the five strings of the design document.
"""

from __future__ import annotations

from itertools import product

import pytest
from analysis_runs import study_input

from alignment_stats.schema import VERDICTS, combine_verdicts, comparison_verdict

FIVE = ("supported", "not supported", "undecidable with this sample", "illustrative", "not assessable")


def issue_rule(verdicts):
    """Issue 12, item 2, word for word."""
    if "not supported" in verdicts:
        return "not supported"
    if "not assessable" in verdicts:
        return "not assessable"
    if "illustrative" in verdicts:
        return "illustrative"
    if all(v == "supported" for v in verdicts):
        return "supported"
    return "undecidable with this sample"


def test_the_five_verdicts():
    assert tuple(VERDICTS) == FIVE


@pytest.mark.parametrize("size", [1, 2, 3])
def test_combine_verdicts_follows_the_issue(size):
    for verdicts in product(FIVE, repeat=size):
        assert combine_verdicts(list(verdicts)) == issue_rule(verdicts), verdicts


def test_combine_verdicts_refuses_other_words():
    with pytest.raises(ValueError, match="verdict"):
        combine_verdicts(["supported", "undecidable"])


def test_a_comparison_on_assumed_or_user_set_sizes_is_illustrative():
    for outcome in ("supported", "not supported", "undecidable with this sample"):
        for source in ("assumed", "override"):
            assert comparison_verdict(outcome, source) == "illustrative"
        for source in ("published", "inferred", "observed"):
            assert comparison_verdict(outcome, source) == outcome
        assert comparison_verdict(outcome, "assumed", assessable=False) == "not assessable"


RUNS = [
    ("perception", {}), ("perception", {"rounding": "truncate"}), ("perception", {"rounding": "half_even"}),
    ("perception", {"study": "accenture_2014", "assumed_n": 500}), ("perception", {"study": "accenture_2014"}),
    ("perception", {"study": "accenture_2014", "n_overrides": "accenture_2014/it=150, accenture_2014/marketing:160"}),
    ("incentives", {}), ("incentives", {"rounding": "truncate"}), ("skills", {}), ("skills", {"rounding": "truncate"}),
    ("perception", study_input("no_sizes")), ("perception", study_input("total_and_shares")),
]


@pytest.mark.parametrize("analysis, parameters", RUNS, ids=[f"{a}-{'-'.join(map(str, p.values())) or 'default'}"
                                                            for a, p in RUNS])
def test_every_verdict_is_one_of_the_five_and_claims_combine_their_comparisons(runs, analysis, parameters):
    result = runs(analysis, **parameters)
    assert set(result.claims["verdict"]) <= set(FIVE)
    assert set(result.comparisons["verdict"]) <= set(FIVE)
    for claim in result.claims.itertuples():
        rows = result.comparisons[result.comparisons["claim_id"] == claim.claim_id]
        assert len(rows) == claim.comparisons
        assert claim.verdict == issue_rule(rows["verdict"].tolist()), claim.claim_id
    # never a finding on a size the data do not give
    resting = result.comparisons[result.comparisons["n_source"].isin(["assumed", "override"])]
    assert not resting["verdict"].isin(["supported", "not supported"]).any()
