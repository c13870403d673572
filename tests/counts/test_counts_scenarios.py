"""counts.scenarios: the one enumeration of rule x split x item base x count (issue 12, item 3, counts part).

References: the rule of issue 12 ("a run's rounding parameter applies only
to figures whose stated rule is unknown"; unknown = any of the four rules),
and for every scenario row the feasible counts recomputed by brute force
with ``fractions.Fraction`` (``counts_reference.py``) at the scenario's item
base, the base checked against the study's published shares under the
scenario's rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from counts_reference import (
    RULES,
    SPECIFIC,
    figures_frame,
    ref_feasible,
    reports_as,
    study_facts,
)

from alignment_stats.counts import (
    assumed_sizes,
    candidate_sizes,
    chosen_ranges,
    expand_counts,
    figure_ranges,
    pair_scenarios,
    reconstruct,
)
from alignment_stats.counts.scenarios import MAX_COUNTS, RANGE_COLUMNS

# one study with a total and shares (the split follows the scenario's rule), one whose size nothing publishes
STUDIES = {
    "shares": study_facts(total_n=240, group_shares={"marketing": 60.0, "it": 40.0}),
    "nothing": study_facts(),
}
FIGURES = figures_frame([
    {"study": "shares", "item": "stated_unknown", "group": "marketing", "value": 62.0},
    {"study": "shares", "item": "stated_ceil", "group": "marketing", "value": 62.0, "rounding": "ceil"},
    {"study": "shares", "item": "stated_unknown", "group": "it", "value": 13.0},
    {"study": "shares", "item": "stated_ceil", "group": "it", "value": 13.0, "rounding": "ceil"},
    {"study": "shares", "item": "interval", "group": "it", "value": None, "low": 30.0, "high": 37.0},
    {"study": "nothing", "item": "stated_unknown", "group": "it", "value": 13.0},
    {"study": "nothing", "item": "stated_ceil", "group": "it", "value": 13.0, "rounding": "ceil"},
])
PAIRS = pd.DataFrame({"study": ["shares", "shares", "nothing"], "item1": ["stated_unknown"] * 3,
                      "group1": ["marketing", "it", "it"], "item2": ["stated_ceil"] * 3,
                      "group2": ["marketing", "it", "it"]})


@pytest.fixture(scope="module")
def ranges():
    sizes = pd.concat([candidate_sizes(FIGURES, STUDIES, RULES, max_missing=1),
                       assumed_sizes([("nothing", "it")], RULES, 24)], ignore_index=True)
    return figure_ranges(FIGURES, sizes)


def _stated(item: str) -> str:
    return "ceil" if item == "stated_ceil" else "unknown"


def test_range_table_columns(ranges):
    assert list(ranges.columns) == list(RANGE_COLUMNS)
    assert set(ranges["rule"]) == set(RULES)


def test_stated_ceil_keeps_ceil_under_every_run_rule(ranges):
    ceil = ranges[ranges["item"] == "stated_ceil"]
    assert set(ceil["rule"]) == set(RULES)
    assert set(ceil["rounding"]) == {"ceil"}
    unknown = ranges[ranges["item"] == "stated_unknown"]
    assert (unknown["rounding"] == unknown["rule"]).all()
    assert set(unknown["rounding"]) == set(RULES)


def test_every_scenario_against_bruteforce(ranges):
    for row in ranges.itertuples():
        assert row.n == row.group_n - row.item_missing
        if row.item != "interval":
            assert row.rounding == (row.rule if _stated(row.item) == "unknown" else "ceil")
        figure = FIGURES[(FIGURES["study"] == row.study) & (FIGURES["item"] == row.item)
                         & (FIGURES["group"] == row.group)].iloc[0]
        value = None if pd.isna(figure["value"]) else figure["value"]
        ks = ref_feasible(value, int(row.n), 0, row.rounding, figure["low"], figure["high"])
        assert row.n_feasible == len(ks), row
        if ks:
            assert (row.k_low, row.k_high) == (ks[0], ks[-1]), row
        else:
            assert pd.isna(row.k_low) and pd.isna(row.k_high)
        if row.n_source == "inferred":
            # the base's group is a size whose share of 240 rounds to the published share under the scenario's rule
            share = STUDIES["shares"]["group_shares"][row.group]
            assert reports_as(int(row.group_n), 240, share, 0, row.rule), row
            assert row.split_total == 240
        else:
            assert (row.study, row.n_source, row.n) == ("nothing", "assumed", 24)


def test_scenario_splits_follow_the_rule_not_the_figures_rounding(ranges):
    # 13% ceil of an IT base: (12, 13]% -> for 96: 11.52 < k <= 12.48 -> 12; the same figure stated unknown under
    # half_up: [12.5, 13.5)% of 96 -> 12.0 <= k < 12.96 -> 12. Under the truncate scenario marketing may be
    # 144..146 ([60, 61)% of 240) and IT 96..98 ([40, 41)%): 144 + 96 is the only split summing to 240.
    truncate = ranges[(ranges["rule"] == "truncate") & (ranges["study"] == "shares") & (ranges["item_missing"] == 0)]
    assert set(truncate["group_n"]) == {144, 96}
    ceil_it = truncate[(truncate["item"] == "stated_ceil") & (truncate["group"] == "it")].iloc[0]
    assert (ceil_it["rounding"], ceil_it["k_low"], ceil_it["k_high"]) == ("ceil", 12, 12)


def test_pair_scenarios_sweep_four_rules_for_unknown_and_ceil_only_for_ceil(ranges):
    pairs = pair_scenarios(ranges, PAIRS)
    assert set(pairs["rule"]) == set(SPECIFIC)  # 'unknown' is the union of the four: no scenario of its own
    assert set(pairs["rounding2"]) == {"ceil"}
    assert (pairs["rounding1"] == pairs["rule"]).all()
    assert set(pairs["rounding1"]) == set(SPECIFIC)
    for row in pairs[pairs["feasible"]].itertuples():
        assert row.k1 in ref_feasible(13.0 if row.group1 == "it" else 62.0, int(row.n1), 0, row.rounding1)
        assert row.k2 in ref_feasible(13.0 if row.group2 == "it" else 62.0, int(row.n2), 0, "ceil")
    # every pair of feasible counts of a scenario is listed (no range here is wider than MAX_COUNTS)
    keys = ["study", "group1", "rule", "split", "n1", "n2"]
    for key, part in pairs[pairs["feasible"]].groupby(keys):
        _study, group, rule, _, n1, n2 = key
        value = 13.0 if group == "it" else 62.0
        expected = {(a, b) for a in ref_feasible(value, int(n1), 0, rule) for b in ref_feasible(value, int(n2), 0, "ceil")}
        assert set(zip(part["k1"], part["k2"])) == expected, key
    # scenarios where a side has no count are kept once, untested
    bad = pairs[~pairs["feasible"]]
    assert bad["k1"].isna().all() and bad["k2"].isna().all()
    assert not bad.duplicated(keys + ["item_missing1", "item_missing2"]).any()


def test_pair_scenarios_same_base(ranges):
    pairs = pair_scenarios(ranges, PAIRS, same_base=True)
    assert (pairs["n1"] == pairs["n2"]).all()
    assert len(pairs) < len(pair_scenarios(ranges, PAIRS))


@pytest.mark.parametrize("rule", RULES)
def test_reconstruct_keeps_a_stated_rule(rule):
    counts = reconstruct(FIGURES, STUDIES, rounding=rule).counts
    ceil = counts[counts["item"] == "stated_ceil"]
    assert set(ceil["rounding"]) == {"ceil"}
    unknown = counts[counts["item"] == "stated_unknown"]
    assert set(unknown["rounding"]) == {rule}
    for row in counts[counts["n"].notna()].itertuples():
        figure = FIGURES[(FIGURES["study"] == row.study) & (FIGURES["item"] == row.item)
                         & (FIGURES["group"] == row.group)].iloc[0]
        value = None if pd.isna(figure["value"]) else figure["value"]
        ks = ref_feasible(value, int(row.n), 0, row.rounding, figure["low"], figure["high"])
        assert bool(row.consistent) == bool(ks)


def test_chosen_ranges_one_row_per_figure(ranges):
    for rule in RULES:
        chosen = chosen_ranges(ranges, rule)
        assert not chosen.duplicated(["study", "item", "group"]).any()
        assert (chosen["rule"] == rule).all()
        # the group with no published size keeps only the scenario added for it
        assert set(chosen.loc[chosen["study"] == "nothing", "n_source"]) == {"assumed"}


def test_assumed_sizes():
    table = assumed_sizes([("s", "it"), ("s", "it"), ("s", "marketing")], ["half_up", "ceil"], 100)
    assert len(table) == 4 and set(table["n_source"]) == {"assumed"} and set(table["n"]) == {100}
    for bad in (0, 1.5, True, 2**53, -3):
        with pytest.raises(ValueError, match="assumed_n"):
            assumed_sizes([("s", "it")], ["half_up"], bad)


def test_expand_counts_lists_and_thins():
    ranges = pd.DataFrame({"item": ["x", "y", "z"], "k_low": pd.array([3, 0, pd.NA], dtype="Int64"),
                           "k_high": pd.array([4, 1000, pd.NA], dtype="Int64")})
    out = expand_counts(ranges)
    assert out.loc[out["item"] == "x", "k"].tolist() == [3, 4]
    ys = out.loc[out["item"] == "y", "k"].to_numpy()
    assert len(ys) == MAX_COUNTS and ys[0] == 0 and ys[-1] == 1000  # both ends kept
    steps = np.diff(ys)
    assert steps.min() >= 1 and steps.max() - steps.min() <= 1  # evenly spaced
    assert out.loc[out["item"] == "y", "k_thinned"].all() and not out.loc[out["item"] == "x", "k_thinned"].any()
    assert "z" not in set(out["item"])  # no feasible count: no row
