"""The two survey fixtures' codebook rules, transcribed by hand, and their weighted shares by plain pandas.

Not a test module: the reference of the weighting tests in ``tests/analyses`` and ``tests/present``. The rules
are read off ``tests/fixtures/survey/codebook.yaml`` and ``data/raw/demo/leapfrog_demo_codebook.yaml`` by a
person, not by the package's codebook reader.
"""

from __future__ import annotations

import pandas as pd


def _yes_codes(codes):
    return lambda s: s.isin([str(c) for c in codes])


# item -> (column, yes rule on the raw text), transcribed from tests/fixtures/survey/codebook.yaml
SURVEY_ITEMS = {
    "very_collaborative": ("q1_collab", _yes_codes([4])),  # yes_if: Very collaborative (code 4)
    "no_shared_incentives": ("q2_kpis", lambda s: s.str.strip().str.lower() == "no"),  # yes_if: ["No"]
    "budget_agreed": ("q3_budget", lambda s: pd.to_numeric(s, errors="coerce").between(4, 5)),  # ">= 4" of 1..5
    "importance_ai": ("imp_ai", _yes_codes([5])),  # "== 5"
    "expertise_ai": ("exp_ai", lambda s: pd.to_numeric(s, errors="coerce").between(4, 5)),  # ">= 4"
}
SURVEY_GROUPS = ("dept", {"Marketing": "marketing", "Technology": "it"}, "w", {"", "99"})

# transcribed from data/raw/demo/leapfrog_demo_codebook.yaml
DEMO_ITEMS = {
    "very_collaborative": ("q_relationship", lambda s: s == "Very collaborative and productive"),
    "improved_alignment": ("q_improved_alignment", lambda s: s == "Yes"),
    "no_shared_incentives": ("q_shared_incentives", lambda s: s == "No"),
    "deliver_omnichannel": ("q_delivers_omnichannel", lambda s: s == "Yes"),
    "omnichannel_important": ("q_omnichannel_importance", lambda s: s.isin(["Very important",
                                                                          "Extremely important"])),
    "importance_omnichannel": ("imp_omnichannel", lambda s: s == "Extremely important"),
    "expertise_omnichannel": ("exp_omnichannel", lambda s: s.isin(["Advanced", "Expert"])),
}
DEMO_GROUPS = ("department", {"Marketing": "marketing", "IT": "it"}, "weight", {"", "-9", "Not asked"})


def weighted(path, groups, items, item, group):
    """(weighted share, unweighted base) of one item and group, by plain pandas."""
    column_group, labels, weight, missing = groups
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    column, yes = items[item]
    mine = raw[(raw[column_group].map(labels) == group) & ~raw[column].isin(missing)]
    w = mine[weight].astype(float)
    return float((w * yes(mine[column])).sum() / w.sum()), len(mine)
