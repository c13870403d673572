"""Crosstab significance letters (alignment_stats.stats.letters), against statsmodels' pairwise z tests."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import test_proportions_2indep as sm_test_2indep

from alignment_stats.stats.letters import significance_letters

# Three executive groups on two items (hypothetical counts, as in a CMO/CIO/CDO survey)
COUNTS = pd.DataFrame({
    "study": "s",
    "item": ["x", "x", "x", "y", "y", "y"],
    "group": ["cmo", "cio", "cdo"] * 2,
    "k": [30, 60, 35, 50, 55, 38],
    "n": [100, 100, 100, 100, 100, 80],
})


def _z_p(a, b):
    return sm_test_2indep(a[0], a[1], b[0], b[1], method="score", correction=False).pvalue


def _expected_letters(adjusted, groups, shares, rule):
    letters = dict(zip(groups, "ABC"))
    higher = {g: "" for g in groups}
    for (a, b), p in adjusted.items():
        mark = rule(p)
        if mark:
            hi, lo = (a, b) if shares[a] > shares[b] else (b, a)
            higher[hi] += mark(letters[lo])
    return {g: "".join(sorted(v, key=str.upper)) for g, v in higher.items()}


@pytest.mark.parametrize("item", ["x", "y"])
def test_spss_letters_bonferroni_within_row(item):
    rows = COUNTS[COUNTS["item"] == item].set_index("group")
    groups = ["cmo", "cio", "cdo"]
    pairs = list(combinations(groups, 2))
    raw = [_z_p((rows.loc[a, "k"], rows.loc[a, "n"]), (rows.loc[b, "k"], rows.loc[b, "n"])) for a, b in pairs]
    adjusted = dict(zip(pairs, multipletests(raw, method="bonferroni")[1]))
    shares = {g: rows.loc[g, "k"] / rows.loc[g, "n"] for g in groups}
    expected = _expected_letters(adjusted, groups, shares, lambda p: (lambda s: s) if p < 0.05 else None)
    table = significance_letters(COUNTS, groups, convention="spss")
    got = table[table["item"] == item].set_index("group")["higher_than"].to_dict()
    assert got == expected


def test_q_letters_fdr_across_table():
    groups = ["cmo", "cio", "cdo"]
    keys, raw = [], []
    for item in ("x", "y"):
        rows = COUNTS[COUNTS["item"] == item].set_index("group")
        for a, b in combinations(groups, 2):
            keys.append((item, a, b))
            raw.append(_z_p((rows.loc[a, "k"], rows.loc[a, "n"]), (rows.loc[b, "k"], rows.loc[b, "n"])))
    adjusted = multipletests(raw, method="fdr_bh")[1]
    table = significance_letters(COUNTS, groups, convention="q")
    for item in ("x", "y"):
        rows = COUNTS[COUNTS["item"] == item].set_index("group")
        shares = {g: rows.loc[g, "k"] / rows.loc[g, "n"] for g in groups}
        item_adj = {(a, b): p for (i, a, b), p in zip(keys, adjusted) if i == item}
        rule = lambda p: (lambda s: s) if p < 0.001 else ((lambda s: s.lower()) if p < 0.05 else None)  # noqa: E731
        expected = _expected_letters(item_adj, groups, shares, rule)
        got = table[table["item"] == item].set_index("group")["higher_than"].to_dict()
        assert got == expected


def test_apa_subscripts_for_a_hand_worked_row():
    # item x: CIO 60% differs from CMO 30% and CDO 35%; CMO and CDO do not differ
    table = significance_letters(COUNTS, ["cmo", "cio", "cdo"])
    x = table[table["item"] == "x"].set_index("group")["subscript"].to_dict()
    assert x["cmo"] == x["cdo"] != x["cio"]


def test_two_groups_and_missing_cells():
    counts = pd.DataFrame({"study": "s", "item": ["a", "a", "b"], "group": ["marketing", "it", "marketing"],
                           "k": [64, 3, 10], "n": [106, 24, 106]})
    table = significance_letters(counts)
    b_it = table[(table["item"] == "b") & (table["group"] == "it")].iloc[0]
    assert pd.isna(b_it["share"]) and b_it["higher_than"] == ""
    # 64/106 vs 3/24: z test p far below 0.05 -> marketing is higher than IT
    a_marketing = table[(table["item"] == "a") & (table["group"] == "marketing")].iloc[0]
    assert a_marketing["letter"] == "A" and a_marketing["higher_than"] == "B"


@pytest.mark.parametrize("kwargs, message", [
    ({"convention": "spss2"}, "convention"),
    ({"alpha": 0}, "alpha"),
    ({"groups": ["cmo", "ceo"]}, "groups: ceo not among the cells' groups"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        significance_letters(COUNTS, **kwargs)
