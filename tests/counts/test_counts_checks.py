"""counts.checks: the audit's cross-figure checks, rounding sensitivity, the feasibility grid, and linear growth.

References: expected values worked out by hand in the comments (k/n as exact
fractions) or recomputed by brute force with ``fractions.Fraction``
(``counts_reference.py``); linear growth (issue 16, item 8) is checked by
the number of rows and the peak memory (``tracemalloc``) of a synthetic
figures table and one ten times larger, never by timing.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from counts_reference import SPECIFIC, figures_frame, ref_feasible, study_facts

from alignment_stats.counts import (
    audit_checks,
    feasibility_grid,
    load_counts,
    reconstruct,
    rounding_sensitivity,
)
from alignment_stats.counts.checks import CHECK_COLUMNS, SENSITIVITY_COLUMNS
from alignment_stats.sources import load_figures, load_studies

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"


@pytest.fixture(scope="module")
def checks(figures, studies):
    return audit_checks(figures, studies, reconstruct(figures, studies))


def _one(checks, **where):
    rows = checks
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_check_table_columns_and_kinds(checks, figures, counts):
    assert list(checks.columns) == list(CHECK_COLUMNS)
    assert set(checks["check"]) == {"composition", "figure", "group_size", "pooled", "nested", "same_figure"}
    # one figure check per figure with a size, one group_size check per (study, group)
    assert (checks["check"] == "figure").sum() == counts["n"].notna().sum()
    assert (checks["check"] == "group_size").sum() == len(figures.drop_duplicates(["study", "group"]))


def test_pooled_shared_incentives(checks):
    # (67 + 15) / (106 + 24) = 82/130 = 63.08% -> 63%
    pooled = _one(checks, check="pooled")
    assert pooled["ok"] == True and "82 of 130" in pooled["detail"]
    assert pooled["figures"] == "no_shared_incentives/marketing, no_shared_incentives/it"


def test_same_figure_reports_disagree(checks):
    same = checks[checks["check"] == "same_figure"].set_index("study")
    # 78% of 110 -> k = 86 only; 79% -> k = 87 only (86.35 <= k < 87.45): no common count under half up.
    assert ref_feasible(78, 110) == [86] and ref_feasible(79, 110) == [87]
    assert same.loc["econsultancy_2015", "ok"] == False
    assert "k 86" in same.loc["econsultancy_2015", "detail"] and "k 87" in same.loc["econsultancy_2015", "detail"]
    # ... but under unknown rounding 78% -> 85..86 and 79% -> 86..87 share 86
    assert ref_feasible(78, 110, rule="unknown") == [85, 86] and ref_feasible(79, 110, rule="unknown") == [86, 87]
    assert "rounded differently" in same.loc["econsultancy_2015", "detail"]
    # 57% of 405 -> 229..232 (228.83 <= k < 232.88); 56% -> 225..228: disjoint.
    assert ref_feasible(57, 405) == list(range(229, 233)) and ref_feasible(56, 405) == list(range(225, 229))
    assert same.loc["accenture_2013", "ok"] == False


def test_composition(checks, figures, studies):
    composition = _one(checks, check="composition")
    assert composition["ok"] == True and "marketing 106, it 25" in composition["detail"]
    truncate = audit_checks(figures, studies, reconstruct(figures, studies, "truncate"), "truncate")
    composition = _one(truncate, check="composition")
    assert composition["ok"] == False
    assert "no split of 131 respondents gives these shares" in composition["detail"]


def test_composition_lists_every_joint_split():
    folder = FIXTURES / "total_and_shares"
    figures, studies = load_figures(folder / "figures.csv"), load_studies(folder / "studies.yaml")
    checks = audit_checks(figures, studies, reconstruct(figures, studies))
    detail = _one(checks, check="composition")["detail"]
    assert "of 240 respondents they allow: marketing 143, it 97 | marketing 144, it 96 | marketing 145, it 95" in detail


def test_composition_check_sees_the_runs_max_unclassified():
    # 131 at 80% / 19%: no split without unclassified respondents; with one allowed, 105 + 25 (+ 1):
    # 105/131 = 80.15% -> 80, 25/131 = 19.08% -> 19. The counts use that split; the composition check of the
    # same reconstruction must list it too, not say that no split exists.
    figures = figures_frame([{"study": "s", "item": "a", "group": "marketing", "value": 50.0},
                             {"study": "s", "item": "a", "group": "it", "value": 40.0}])
    studies = {"s": study_facts(total_n=131, group_shares={"marketing": 80.0, "it": 19.0})}
    built = reconstruct(figures, studies, max_unclassified=1)
    assert built.counts["group_n"].tolist() == [105, 25] and set(built.counts["split_unclassified"]) == {1}
    checks = audit_checks(figures, studies, built)
    sizes = checks[checks["check"] == "group_size"]
    assert sizes["detail"].str.contains("marketing 105 + it 25 (1 unclassified)", regex=False).all()
    composition = _one(checks, check="composition")
    assert "marketing 105, it 25" in composition["detail"], composition["detail"]


def test_nested(checks):
    nested = checks[checks["check"] == "nested"]
    assert nested["ok"].dropna().astype(bool).all()
    # at_least_somewhat_collaborative/it (74% of 24) has no count: the nesting cannot be checked
    row = _one(checks, check="nested", figures="very_collaborative/it within at_least_somewhat_collaborative/it")
    assert pd.isna(row["ok"])


def test_impossible_figures_name_the_nearest_bases(checks):
    # 40% of 24: 9/24 = 37.5%, 10/24 = 41.67%. Bases tried at distance 1, 2, ...: 25 fits (10/25 = 40%),
    # then 20 (8/20 = 40%); 23, 22, 26, 21, 27 do not.
    row = _one(checks, check="figure", figures="omnichannel_confidence/it")
    assert row["ok"] == False
    fits = [n for d in range(1, 6) for n in (24 - d, 24 + d) if ref_feasible(40, n)]
    assert fits[:2] == [25, 20]
    assert "the nearest bases that fit: 25 (k = 10), 20 (k = 8)" in row["detail"]
    for row in checks[(checks["check"] == "figure") & (checks["ok"] == True)].itertuples():
        assert "of " in row.detail and "count" in row.detail


def test_group_size_says_how_each_size_was_obtained(checks):
    it = _one(checks, check="group_size", study="leapfrog_2015", figures="it (n = 24)")
    assert "split of 131 respondents: marketing 106 + it 25 (0 unclassified)" in it["detail"]
    assert "item base 24 = 25 - 1 non-response(s)" in it["detail"]
    # at the group's own size, 25, these Leapfrog IT figures have no count (half up, by brute force)
    leap_it = {"very_collaborative": 13, "improved_alignment": 4, "no_shared_incentives": 63,
               "deliver_omnichannel": 50, "omnichannel_confidence": 40, "at_least_somewhat_collaborative": 74}
    ruled_out = sorted(item for item, v in leap_it.items() if not ref_feasible(v, 25))
    assert ruled_out == ["at_least_somewhat_collaborative", "deliver_omnichannel", "no_shared_incentives",
                         "very_collaborative"]
    assert f"while base 25 rules out {', '.join(ruled_out)}" in it["detail"]
    marketing = _one(checks, check="group_size", study="leapfrog_2015", figures="marketing (n = 106)")
    assert marketing["ok"] == True and "fits 17 of 17 figure(s)" in marketing["detail"]
    published = _one(checks, check="group_size", study="econsultancy_2015", figures="it (n = 110)")
    assert "published" in published["detail"]
    unknown = checks[(checks["check"] == "group_size") & (checks["study"] == "accenture_2014")
                     & checks["figures"].str.contains("bypass_it/it")].iloc[0]
    assert pd.isna(unknown["ok"]) and "neither published nor inferable" in unknown["detail"]


def test_the_figures_that_fit_no_count_are_named_at_the_base_they_fail(checks):
    # Leapfrog IT under half up has two candidate bases, 25 (its group) and 24 (one non-response), and the
    # chosen base is 24. 74% fits neither (17/24 = 70.8%, 18/24 = 75%; 18/25 = 72%, 19/25 = 76%); 40% fits 25
    # (10/25) but not 24: both fail at base 24, and the sentence says it of base 24 only.
    assert not ref_feasible(74, 24) and not ref_feasible(74, 25)
    assert not ref_feasible(40, 24) and ref_feasible(40, 25) == [10]
    detail = _one(checks, check="group_size", study="leapfrog_2015", figures="it (n = 24)")["detail"]
    assert "no candidate fits" not in detail
    named = detail.split("at base 24 no count fits ")[1].split(";")[0].split(", ")
    assert sorted(named) == ["at_least_somewhat_collaborative", "omnichannel_confidence"], detail


@pytest.mark.parametrize("folder", [None, "total_and_shares", "published_sizes"])
def test_group_size_sentences_add_up(folder):
    """Every 'split of T respondents: a + b (u unclassified)' has a + b = T - u; every 'item base n = g - m' holds."""
    if folder is None:
        figures, studies = load_figures(), load_studies()
    else:
        figures = load_figures(FIXTURES / folder / "figures.csv")
        studies = load_studies(FIXTURES / folder / "studies.yaml")
    seen = 0
    for rule in (*SPECIFIC, "unknown"):
        checks = audit_checks(figures, studies, reconstruct(figures, studies, rule), rule)
        for detail in checks.loc[checks["check"] == "group_size", "detail"]:
            split = re.search(r"split of (\d+) respondents: (.+?) \((\d+) unclassified\)", detail)
            if split:
                total, parts, unclassified = int(split[1]), split[2], int(split[3])
                sizes = [int(x) for x in re.findall(r"\b(\d+)\b", parts)]
                assert sum(sizes) == total - unclassified, detail
                seen += 1
            base = re.search(r"item base (\d+) = (\d+) - (\d+) non-response", detail)
            if base:
                assert int(base[1]) == int(base[2]) - int(base[3]), detail
    assert seen > 0 or folder == "published_sizes"


def test_group_size_under_a_rule_no_split_fits(figures, studies):
    truncate = audit_checks(figures, studies, reconstruct(figures, studies, "truncate"), "truncate")
    rows = truncate[(truncate["check"] == "group_size") & (truncate["study"] == "leapfrog_2015")]
    assert len(rows) == 2 and rows["ok"].isna().all()
    assert rows["detail"].str.contains("not assessable under this rule").all()
    assert not rows["detail"].str.contains("assume").any()  # not offered an assumed size


def test_rounding_sensitivity_table(bundle):
    table = rounding_sensitivity(reconstruct(bundle.figures, bundle.studies))
    assert list(table.columns) == list(SENSITIVITY_COLUMNS)
    assert set(table["rule"]) == set(SPECIFIC)
    it = table[(table["study"] == "leapfrog_2015") & (table["group"] == "it")].set_index("rule")
    # half up: base 24 leaves 2 impossible; half even: 12.5 -> 12, 62.5 -> 62 rule out more at 24
    assert it.loc["half_up", "n"] == 24 and it.loc["half_up", "n_inconsistent"] == 2
    assert pd.isna(it.loc["truncate", "n"]) and it.loc["truncate", "n_inconsistent"] == it.loc["truncate", "n_figures"]
    assert pd.isna(it.loc["ceil", "n"])
    # recomputed by brute force: the figures of Leapfrog IT with no count at the chosen base of each rule
    values = {"very_collaborative": 13, "improved_alignment": 4, "no_shared_incentives": 63, "deliver_omnichannel": 50,
              "omnichannel_confidence": 40, "at_least_somewhat_collaborative": 74}
    intervals = {"omnichannel_developed": (30, 37), "omnichannel_important": (30, 37)}
    for rule in ("half_up", "half_even"):
        n = int(it.loc[rule, "n"])
        bad = sorted([i for i, v in values.items() if not ref_feasible(v, n, 0, rule)]
                     + [i for i, (lo, hi) in intervals.items() if not ref_feasible(None, n, low=lo, high=hi)])
        assert it.loc[rule, "inconsistent"] == ", ".join(bad), rule


def test_feasibility_grid(figures):
    grid = feasibility_grid(figures, {("leapfrog_2015", "it"): [24, 25]})
    assert list(grid.columns) == ["study", "group", "item", "n", "feasible", "k_low", "k_high"]
    for row in grid.itertuples():
        figure = figures[(figures["study"] == row.study) & (figures["item"] == row.item)
                         & (figures["group"] == row.group)].iloc[0]
        value = None if pd.isna(figure["value"]) else figure["value"]
        assert row.feasible == bool(ref_feasible(value, row.n, 0, "half_up", figure["low"], figure["high"]))
    assert feasibility_grid(figures, {}).empty


def test_checks_of_a_counts_bundle_on_a_new_study(new_study):
    bundle = load_counts(new_study / "figures.csv", store=None)
    checks = audit_checks(bundle.figures, bundle.studies,
                          reconstruct(bundle.figures, bundle.studies, bundle.options.rounding))
    sizes = checks[checks["check"] == "group_size"]
    if new_study.name == "no_sizes":
        assert sizes["ok"].isna().all() and sizes["detail"].str.contains("must assume one").all()
    else:
        assert sizes["ok"].notna().all()


# ---------------------------------------------------------------------------
# linear in the number of figures (issue 16, item 8): rows and peak memory, no timing
# ---------------------------------------------------------------------------
def synthetic(n_figures: int, n_studies: int, seed: int = 0):
    """``n_figures`` figures (two groups per item) in ``n_studies`` studies: a third with a total and shares,
    a third with published sizes, a third with neither; each with a pooled and a nested check."""
    rng = np.random.default_rng(seed)
    per_study = n_figures // n_studies // 2
    rows, studies = [], {}
    for s in range(n_studies):
        sid = f"s{s:05d}"
        kind = s % 3
        facts = ({"total_n": 240, "group_shares": {"marketing": 60.0, "it": 40.0}} if kind == 0 else
                 {"group_n": {"marketing": 100, "it": 110}} if kind == 1 else {})
        studies[sid] = study_facts(**facts, checks=[{"kind": "pooled", "items": ["i0"]},
                                                    {"kind": "nested", "subset": "i1", "superset": "i2"}])
        values = rng.integers(0, 101, size=2 * per_study)
        for i in range(per_study):
            for j, group in enumerate(("marketing", "it")):
                rows.append({"study": sid, "item": f"i{i}", "group": group, "value": float(values[2 * i + j])})
    return figures_frame(rows), studies


def _measure(n_figures: int, n_studies: int) -> tuple[int, int, int]:
    figures, studies = synthetic(n_figures, n_studies)
    built = reconstruct(figures, studies)
    tracemalloc.start()
    try:
        rows = audit_checks(figures, studies, built)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return len(rows), len(built.ranges), peak


@pytest.mark.parametrize("small, large", [((600, 6), (6_000, 6)), ((60, 6), (600, 60))],
                         ids=["more figures per study", "more studies"])
def test_audit_checks_grow_linearly(small, large):
    rows_1, ranges_1, peak_1 = _measure(*small)
    rows_10, ranges_10, peak_10 = _measure(*large)
    assert rows_10 <= 10 * rows_1 + 100
    assert ranges_10 <= 10 * ranges_1 + 100
    # ten times the figures: peak memory at most about ten times (quadratic would be a hundred)
    assert peak_10 / peak_1 < 20, (peak_1, peak_10)
