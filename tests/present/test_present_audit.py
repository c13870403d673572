"""The data audit in words (``present.audit``): findings, and where every group size comes from.

References: the arithmetic of every size sentence is re-done here from the
numbers the sentence states (issue 15: "a test checks the arithmetic for
every study x rule"), and the split of each published total is recomputed
by exact enumeration (:mod:`rounding_brute`); the findings must name every
figure that hand arithmetic shows impossible.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import rounding_brute as brute
from analysis_runs import RULES, SURVEY, study_input, survey_input

from alignment_stats.present import audit

SIZE_SENTENCE = re.compile(
    r"^(?P<parts>.+?) = (?P<classified>\d+) of (?P<total>\d+) respondents (?:\((?P<rule>\w+) rounding of the shares\)|"
    r"in the file), (?P<unclassified>\d+) (?:unclassified|left out) \((?P<c2>\d+) \+ (?P<u2>\d+) = (?P<t2>\d+)\)"
    r"(?:; item base (?P<base>\d+) = (?P<group_n>\d+) - (?P<missing>\d+) non-respons(?:e|es|e\(s\)))?$")

INPUTS = {"bundled": {}, "total_and_shares": study_input("total_and_shares"),
          "published_sizes": study_input("published_sizes"), "no_sizes": study_input("no_sizes")}


CASES = [(name, rule) for name in ("bundled", "total_and_shares") for rule in RULES] + [
    ("published_sizes", "half_up"), ("no_sizes", "half_up")]  # published or no sizes: the rule changes no size


@pytest.mark.parametrize("name, rule", CASES)
def test_every_size_sentence_adds_up(runs, name, rule):
    result = runs("audit", rounding=rule, **INPUTS[name])
    table = audit.sizes_table(result)
    facts = result.bundle.studies or {}
    for row in table.itertuples():
        size = result.sizes[(result.sizes["study"] == row.study) & (result.sizes["group"] == row.group)].iloc[0]
        if row.n_source == "published":
            assert row.reason == f"published: n = {row.n}"
            continue
        if row.n == "–":
            assert "assume" in row.reason or f"under {rule} rounding" in row.reason
            continue
        match = SIZE_SENTENCE.match(row.reason)
        assert match, row.reason
        parts = {g: int(n) for g, n in re.findall(r"(\w+) (\d+)", match["parts"])}
        classified, total, unclassified = int(match["classified"]), int(match["total"]), int(match["unclassified"])
        assert sum(parts.values()) == classified and classified + unclassified == total
        assert (int(match["c2"]), int(match["u2"]), int(match["t2"])) == (classified, unclassified, total)
        assert (total, unclassified) == (size["split_total"], size["split_unclassified"])
        base = int(match["base"]) if match["base"] else parts[row.group]
        if match["base"]:
            assert int(match["group_n"]) - int(match["missing"]) == base == row.n
        assert base == row.n
        if row.n_source == "inferred":
            study = facts[row.study]
            assert total == study["total_n"] and match["rule"] == rule
            # the split is one the published shares allow under the rule (exact enumeration)
            allowed = [s["sizes"] for s in brute.splits(total, study["group_shares"], rule, unclassified)]
            assert parts in allowed, (parts, allowed)


def test_total_and_shares_sentence(runs):
    table = audit.sizes_table(runs("audit", **study_input("total_and_shares"))).set_index("group")
    # 144 + 96 = 240: 60% and 40% of 240 exactly
    assert table.loc["marketing", "reason"] == ("marketing 144 + it 96 = 240 of 240 respondents (half_up rounding of "
                                                "the shares), 0 unclassified (240 + 0 = 240)")


def test_leapfrog_it_sentence_names_the_item_base(runs):
    table = audit.sizes_table(runs("audit")).set_index(["study", "group"])
    reason = table.loc[("leapfrog_2015", "it"), "reason"]
    assert re.search(r"; item base 24 = 25 - 1 non-response(\(s\))?$", reason), reason
    assert reason.startswith("marketing 106 + it 25 = 131 of 131 respondents")
    assert "assume" in table.loc[("accenture_2014", "it"), "reason"]


def test_truncation_sentence_says_not_assessable(runs):
    table = audit.sizes_table(runs("audit", rounding="truncate")).set_index(["study", "group"])
    assert table.loc[("leapfrog_2015", "marketing"), "reason"] == (
        "no split of the published sample gives the published shares under truncate rounding: its figures are not "
        "assessable under this rule")


def test_findings_name_every_inconsistency(runs):
    result = runs("audit")
    # 40% and 74% of 24 have no count; eConsultancy 78% vs EPiServer 79% of 110; Accenture 57% vs 56% of 405
    assert brute.feasible(40, 24, "half_up") == [] and brute.feasible(74, 24, "half_up") == []
    text = "\n".join(audit.findings(result))
    for needle in ("omnichannel_confidence/it", "at_least_somewhat_collaborative/it", "episerver_2015",
                   "accenture_2013_estrategy", "item base", "bypass_it"):
        assert needle in text, needle
    assert audit.reading(result).startswith("- ")
    assert "only half_up, half_even rounding fits every figure" in text


def test_respondent_level_findings(runs):
    result = runs("audit", **survey_input())
    assert audit.findings(result)[0].startswith("Respondent-level data (alignment pulse 2024 test survey): every count "
                                                "is observed")
    assert audit.describe(result) == "8 observed counts from alignment pulse 2024 test survey: nothing to reconstruct"
    assert audit.sensitivity_table(result).iloc[0, 0] == "Respondent-level data: no rounding to test."
    # counted with pandas: 43 Marketing + 33 Technology of the 90 rows; Finance and a blank department left out
    departments = pd.read_csv(SURVEY, dtype=str, keep_default_na=False)["dept"].value_counts()
    assert (departments["Marketing"], departments["Technology"], departments.sum()) == (43, 33, 90)
    reason = audit.sizes_table(result).iloc[0]["reason"]
    assert reason == "marketing 43 + it 33 = 76 of 90 respondents in the file, 14 left out (76 + 14 = 90)"
