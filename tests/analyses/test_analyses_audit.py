"""Data audit (notebook 00) through ``run_audit``: counts, chosen sizes, checks and the rounding sensitivity.

Expected values are worked out by hand in the comments (k/n as exact
fractions) and by exact enumeration (:mod:`rounding_brute`), never taken
from the code under test; respondent counts by plain pandas.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import rounding_brute as brute
from pydantic import ValidationError

from alignment_stats.analyses import ANALYSES, run_audit
from alignment_stats.analyses.settings import AuditSettings
from alignment_stats.config import (
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
    DEMO_SURVEY,
    RAW_DIR,
)
from alignment_stats.schema import COUNT_COLUMNS, DataValidationError


def _get(counts, study, item, group):
    row = counts[(counts["study"] == study) & (counts["item"] == item) & (counts["group"] == group)]
    assert len(row) == 1, (study, item, group)
    return row.iloc[0]


@pytest.fixture(scope="module")
def audit(runs):
    return runs("audit")


def test_counts_table_has_the_documented_columns(audit, figures):
    assert list(audit.table.columns[: len(COUNT_COLUMNS)]) == list(COUNT_COLUMNS)
    assert len(audit.table) == len(figures)
    assert not audit.table.duplicated(["study", "item", "group"]).any()


def test_leapfrog_sizes(audit):
    # 131 x 81% = 106.11: 106/131 = 80.92% -> 81 and 25/131 = 19.08% -> 19 (half up), the only split
    assert brute.splits(131, {"marketing": 81, "it": 19}, "half_up")[0]["sizes"] == {"marketing": 106, "it": 25}
    sizes = audit.sizes.set_index(["study", "group"])
    assert tuple(sizes.loc[("leapfrog_2015", "marketing"), ["n", "group_n", "item_missing"]]) == (106, 106, 0)
    # the IT items were answered by 24 of the 25: an item base one short
    assert tuple(sizes.loc[("leapfrog_2015", "it"), ["n", "group_n", "item_missing"]]) == (24, 25, 1)
    assert tuple(sizes.loc[("leapfrog_2015", "it"), ["split_total", "split_unclassified"]]) == (131, 0)
    assert audit.chosen_map[("leapfrog_2015", "it")] == 24
    splits = audit.splits[audit.splits["study"] == "leapfrog_2015"].set_index("group")["group_n"].to_dict()
    assert splits == {"marketing": 106, "it": 25}


def test_leapfrog_it_needs_an_item_base_of_24(audit):
    # With 25 IT respondents: 13% needs 3.25 people (3/25 = 12%, 4/25 = 16%), 63% needs 15.75 (15/25 = 60%,
    # 16/25 = 64%), 50% needs 12.5 (48%, 52%). With 24: 3/24 = 12.5% -> 13, 15/24 = 62.5% -> 63, 12/24 = 50%,
    # 1/24 = 4.17% -> 4.
    for item, value, k in [("very_collaborative", 13, 3), ("no_shared_incentives", 63, 15),
                           ("deliver_omnichannel", 50, 12), ("improved_alignment", 4, 1)]:
        assert brute.feasible(value, 24, "half_up") == [k]
        row = _get(audit.table, "leapfrog_2015", item, "it")
        assert (row["n"], row["k"], row["k_low"], row["k_high"], bool(row["consistent"])) == (24, k, k, k, True)
    assert brute.feasible(13, 25, "half_up") == [] and brute.feasible(63, 25, "half_up") == []


def test_leapfrog_marketing_counts(audit):
    # 106 marketers: 32/106 = 30.19%, 21/106 = 19.81%, 67/106 = 63.21%, 57/106 = 53.77%, 64/106 = 60.38%,
    # 16/106 = 15.09%: one count each at 1% resolution
    for item, value, k in [("very_collaborative", 30, 32), ("improved_alignment", 20, 21),
                           ("no_shared_incentives", 63, 67), ("deliver_omnichannel", 54, 57),
                           ("importance_data_tracking_analytics", 60, 64), ("expertise_omnichannel", 15, 16)]:
        assert brute.feasible(value, 106, "half_up") == [k]
        row = _get(audit.table, "leapfrog_2015", item, "marketing")
        assert (row["n"], row["k"], bool(row["consistent"]), row["n_source"]) == (106, k, True, "inferred")


def test_external_leapfrog_it_figures_are_flagged_not_fixed(audit):
    # 40% of 24: 9/24 = 37.5%, 10/24 = 41.67%; 74% of 24: 17/24 = 70.83%, 18/24 = 75%
    for item, value in (("omnichannel_confidence", 40), ("at_least_somewhat_collaborative", 74)):
        assert brute.feasible(value, 24, "half_up") == []
        row = _get(audit.table, "leapfrog_2015", item, "it")
        assert row["consistent"] == False
        assert pd.isna(row["k"]) and pd.isna(row["k_low"])


def test_interval_figures_get_a_count_range(audit):
    # "one fifth" as 17-23% of 106: 18.02 <= k <= 24.38 -> 19..24; best count nearest 20% = 21.2 -> 21
    assert brute.feasible_interval(17, 23, 106) == list(range(19, 25))
    row = _get(audit.table, "leapfrog_2015", "omnichannel_developed", "marketing")
    assert (row["k_low"], row["k_high"], row["k"]) == (19, 24, 21)


def test_unknown_group_sizes_stay_unknown(audit):
    row = _get(audit.table, "accenture_2014", "bypass_it", "it")
    assert pd.isna(row["n"]) and pd.isna(row["k"]) and pd.isna(row["consistent"])
    assert ("accenture_2014", "it") in audit.bundle.assumable


def test_published_sizes_are_used(audit):
    # 78% of 110 = 85.8 -> 86 (86/110 = 78.18%); 58% of 100 = 58
    assert brute.feasible(78, 110, "half_up") == [86]
    assert _get(audit.table, "econsultancy_2015", "work_collaboratively", "it")[["n", "k"]].tolist() == [110, 86]
    assert _get(audit.table, "econsultancy_2015", "work_collaboratively", "marketing")[["n", "k"]].tolist() == [100, 58]


def test_half_even_rules_out_24_and_truncate_the_composition(runs, audit):
    # half even: 12.5% -> 12 and 62.5% -> 62, so 13% and 63% are impossible with 24
    assert brute.feasible(13, 24, "half_even") == [] and brute.feasible(63, 24, "half_even") == []
    even = runs("audit", rounding="half_even").table
    assert _get(even, "leapfrog_2015", "very_collaborative", "it")["consistent"] == False
    # truncate: 81% of 131 needs 106.11 <= m < 107.42 -> 107, 19% needs 24.89 <= i < 26.2 -> 25 or 26;
    # 107 + 25 = 132 > 131, so no split of 131 exists (ceil: 105..106 + 24 = 129..130, none either)
    assert brute.splits(131, {"marketing": 81, "it": 19}, "truncate") == []
    assert brute.splits(131, {"marketing": 81, "it": 19}, "ceil") == []
    table = audit.sensitivity
    for rule in ("truncate", "ceil"):
        part = table[(table["study"] == "leapfrog_2015") & (table["rule"] == rule)]
        assert part["n"].isna().all() and (part["n_inconsistent"] == part["n_figures"]).all()
    half_up = table[(table["study"] == "leapfrog_2015") & (table["rule"] == "half_up")].set_index("group")
    assert half_up.loc["marketing", "n_inconsistent"] == 0
    assert set(half_up.loc["it", "inconsistent"].split(", ")) == {"omnichannel_confidence",
                                                                  "at_least_somewhat_collaborative"}


def test_cross_figure_checks(audit):
    checks = audit.checks
    pooled = checks[checks["check"] == "pooled"].iloc[0]
    # (67 + 15) / (106 + 24) = 82/130 = 63.08% -> 63%
    assert pooled["ok"] == True and "82 of 130" in pooled["detail"]
    same = checks[checks["check"] == "same_figure"].set_index("study")
    # 78% of 110 -> k = 86 only; 79% -> k = 87 only (86.35 <= k < 87.45): no common count under half up
    assert brute.feasible(79, 110, "half_up") == [87]
    assert same.loc["econsultancy_2015", "ok"] == False
    assert "k 86" in same.loc["econsultancy_2015", "detail"] and "k 87" in same.loc["econsultancy_2015", "detail"]
    # 57% of 405 -> 229..232 (228.83 <= k < 232.88); 56% -> 225..228: disjoint
    assert brute.feasible(57, 405, "half_up") == list(range(229, 233))
    assert brute.feasible(56, 405, "half_up") == list(range(225, 229))
    assert same.loc["accenture_2013", "ok"] == False
    composition = checks[checks["check"] == "composition"].iloc[0]
    assert composition["ok"] == True and "marketing 106, it 25" in composition["detail"]
    nested = checks[checks["check"] == "nested"]
    assert nested["ok"].dropna().astype(bool).all()


def test_feasibility_grid_by_enumeration(audit):
    grid = audit.grid
    part = grid[(grid["study"] == "leapfrog_2015") & (grid["group"] == "it") & (grid["item"] == "very_collaborative")]
    assert len(part)
    for row in part.itertuples():
        assert bool(row.feasible) == bool(brute.feasible(13, int(row.n), "half_up")), row.n


def test_decimals_contradicting_written_precision(tmp_path):
    text = BUNDLED_FIGURES.read_text(encoding="utf-8")
    changed = text.replace("leapfrog_2015,2015,very_collaborative,consider the marketing-IT relationship very "
                           "collaborative and productive,it,IT leaders,13,", "leapfrog_2015,2015,very_collaborative,"
                           "consider the marketing-IT relationship very collaborative and productive,it,IT leaders,12.5,")
    assert changed != text
    (tmp_path / "benchmark_figures.csv").write_text(changed, encoding="utf-8")
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    path = str(tmp_path / "benchmark_figures.csv")
    with pytest.raises(DataValidationError, match=r"very_collaborative/it, field value: written with 1 decimal"):
        run_audit(input=path, decimals=0, output_dir=str(tmp_path / "out"))
    audit = run_audit(input=path, output_dir=str(tmp_path / "out"))  # decimals as written: 1 here, 0 elsewhere
    # 12.5% of 24 = 3 exactly
    assert _get(audit.table, "leapfrog_2015", "very_collaborative", "it")["k"] == 3


@pytest.mark.parametrize("kwargs", [{"rounding": "bankers"}, {"max_missing": -1}, {"decimals": 1.5},
                                    {"max_unclassified": -1}, {"grid_reach": 99}, {"study": "leapfrog_2015"}])
def test_bad_parameters(kwargs):
    with pytest.raises(ValidationError):
        run_audit(**kwargs)


def test_audit_does_not_touch_raw_data(audit):
    from alignment_stats.present import write_results

    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in RAW_DIR.rglob("*") if p.is_file()}
    written = write_results(audit)
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in RAW_DIR.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in written) == ["checks.csv", "counts.csv", "findings.csv", "rounding_sensitivity.csv"]
    assert all(p.parent == audit.settings.output_path() / "results" for p in written)
    assert not any(RAW_DIR in p.parents for p in written)


def test_respondent_level_input_needs_no_reconstruction(runs):
    audit = runs("audit", input=str(DEMO_SURVEY), codebook=str(DEMO_CODEBOOK))
    assert audit.bundle.figures is None and audit.grid.empty and audit.sensitivity.empty
    assert audit.table["consistent"].all() and (audit.checks["ok"] == True).all()
    assert (audit.table["n_source"] == "observed").all()
    # the demo survey was built so that 32 of 106 marketers call the relationship very collaborative
    raw = pd.read_csv(DEMO_SURVEY)
    mkt = raw[raw["department"] == "Marketing"]
    row = _get(audit.table, "leapfrog_2015_demo", "very_collaborative", "marketing")
    assert (row["k"], row["n"]) == ((mkt["q_relationship"] == "Very collaborative and productive").sum(), len(mkt))
    assert (row["k"], row["n"]) == (32, 106)


def test_audit_applies_to_every_input(bundle):
    assert ANALYSES["00_data_audit"].applicable(bundle, AuditSettings()) is None
