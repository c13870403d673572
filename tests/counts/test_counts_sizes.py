"""counts.sizes and the choice of a split: joint group sizes from a published total and shares (issue 15).

References: the brute force of ``counts_reference.py``: every pair of group
sizes in ``0..total`` is tried, each size's share of the total rounded with
explicit rules on exact fractions, the split kept when the sizes sum to
``total - u`` with ``0 <= u <= max_unclassified``; the best split is chosen
by brute force with the rule of issue 15 (most figures feasible, then fewer
unclassified, then the smallest sum |n_g/total - share_g|). Hand-worked
cases are in the comments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from counts_reference import (
    RULES,
    figures_frame,
    ref_choose,
    ref_feasible,
    ref_sizes,
    ref_splits,
    reports_as,
    study_facts,
    written_decimals,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment_stats.counts import (
    assumable_groups,
    assumed_sizes,
    candidate_sizes,
    load_counts,
    reconstruct,
)
from alignment_stats.counts.scenarios import choose_sizes
from alignment_stats.schema import SIZE_COLUMNS
from alignment_stats.sources import load_figures, load_studies

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"
ZENITH = FIXTURES / "total_and_shares"


def _splits_of(sizes: pd.DataFrame, study: str, rule: str) -> set:
    """The splits of ``candidate_sizes`` as sets of ((group, size), ...), with their u."""
    part = sizes[(sizes["study"] == study) & (sizes["rule"] == rule) & (sizes["item_missing"] == 0)]
    out = set()
    for _, split in part.groupby("split"):
        assert split["split_unclassified"].nunique() == 1 and split["split_total"].nunique() == 1
        out.add(tuple(zip(split["group"], split["group_n"].astype(int))))
    return out


def _chosen(counts: pd.DataFrame, study: str) -> dict:
    rows = counts[counts["study"] == study].drop_duplicates("group")
    return {r.group: (None if pd.isna(r.group_n) else int(r.group_n)) for r in rows.itertuples()}


def _study_folder(tmp_path: Path, **facts) -> Path:
    """The zenith fixture copied to tmp_path with its study facts changed."""
    shutil.copy(ZENITH / "figures.csv", tmp_path / "figures.csv")
    studies = yaml.safe_load((ZENITH / "studies.yaml").read_text(encoding="utf-8"))
    studies["zenith_2023"].update(facts)
    (tmp_path / "studies.yaml").write_text(yaml.safe_dump(studies, sort_keys=False), encoding="utf-8")
    return tmp_path / "figures.csv"


# ---------------------------------------------------------------------------
# 240 executives, 60% / 40%; 1000 with 60% / 40%
# ---------------------------------------------------------------------------
def test_240_at_60_40_is_144_plus_96():
    # 60% of 240 = 144 exactly and 40% = 96: that split deviates by 0. Half up, marketing may be 143..145
    # ([59.5, 60.5)% of 240 = [142.8, 145.2)) and IT 95..97, but only 143+97, 144+96 and 145+95 sum to 240.
    counts = load_counts(ZENITH / "figures.csv", store=None).counts
    assert _chosen(counts, "zenith_2023") == {"marketing": 144, "it": 96}
    assert set(counts["split_total"]) == {240} and set(counts["split_unclassified"]) == {0}
    assert set(counts["n_source"]) == {"inferred"}
    sizes = candidate_sizes(load_figures(ZENITH / "figures.csv"), load_studies(ZENITH / "studies.yaml"),
                            rules=["half_up"])
    assert _splits_of(sizes, "zenith_2023", "half_up") == {
        (("marketing", 143), ("it", 97)), (("marketing", 144), ("it", 96)), (("marketing", 145), ("it", 95))}
    # 145 + 97 = 242 people would be two groups chosen one at a time: never a split
    assert (("marketing", 145), ("it", 97)) not in _splits_of(sizes, "zenith_2023", "half_up")


def test_every_joint_candidate_is_a_scenario_of_every_figure():
    bundle = load_counts(ZENITH / "figures.csv", store=None)
    sizes, ranges = bundle.sizes, bundle.ranges
    for rule in RULES:
        splits = set(sizes.loc[sizes["rule"] == rule, "split"])
        assert splits == set(range(len(_splits_of(sizes, "zenith_2023", rule))))
        for (_, _), part in ranges[ranges["rule"] == rule].groupby(["item", "group"]):
            # each figure under each split, at each item base (max_missing = 1: two)
            assert set(part["split"]) == splits
            assert len(part) == 2 * len(splits)


@pytest.mark.parametrize("rule", RULES)
def test_240_every_rule_sums_to_the_total(rule):
    counts = load_counts(ZENITH / "figures.csv", rounding=rule, store=None).counts
    chosen = _chosen(counts, "zenith_2023")
    assert sum(chosen.values()) == 240
    figures = load_figures(ZENITH / "figures.csv")
    refs = [{"group": r.group, "value": r.value, "decimals": int(r.decimals), "rounding": r.rounding}
            for r in figures.itertuples()]
    optimal, _ = ref_choose(240, {"marketing": 60.0, "it": 40.0}, refs, rule, max_missing=1, max_unclassified=0)
    assert tuple(chosen.items()) in optimal


def test_1000_at_60_40_is_600_plus_400(tmp_path):
    # 59.5%..60.5% of 1000 is 595..604 (half up): ten splits sum to 1000; 600 + 400 deviates by 0
    path = _study_folder(tmp_path, total_n=1000)
    counts = load_counts(path, store=None).counts
    assert _chosen(counts, "zenith_2023") == {"marketing": 600, "it": 400}
    assert set(counts["split_total"]) == {1000}
    sizes = candidate_sizes(load_figures(path), load_studies(tmp_path / "studies.yaml"), rules=["half_up"])
    assert _splits_of(sizes, "zenith_2023", "half_up") == {
        (("marketing", m), ("it", 1000 - m)) for m in range(596, 605)}  # it 396..404 too: 40% -> [395, 405)


def test_leapfrog_stays_106_plus_25_with_an_it_item_base_of_24(counts, bundle):
    # 106/131 = 80.92% -> 81 and 25/131 = 19.08% -> 19; 105/131 = 80.15% and 24/131 = 18.32% do not fit.
    assert ref_splits(131, {"marketing": 81, "it": 19}, "half_up", 0) == {(("marketing", 106), ("it", 25))}
    leap = counts[counts["study"] == "leapfrog_2015"]
    it = leap[leap["group"] == "it"]
    marketing = leap[leap["group"] == "marketing"]
    assert set(marketing["group_n"]) == {106} and set(marketing["item_missing"]) == {0} and set(marketing["n"]) == {106}
    assert set(it["group_n"]) == {25} and set(it["item_missing"]) == {1} and set(it["n"]) == {24}
    assert set(leap["split_total"]) == {131} and set(leap["split_unclassified"]) == {0}
    # 106 + 25 = 131 - 0
    sizes = bundle.sizes
    split = sizes[(sizes["study"] == "leapfrog_2015") & (sizes["rule"] == "half_up") & (sizes["item_missing"] == 0)]
    assert dict(zip(split["group"], split["group_n"])) == {"marketing": 106, "it": 25}
    # item bases one lower are candidates too (max_missing = 1), but chosen only where they fit more figures
    it_bases = sizes[(sizes["study"] == "leapfrog_2015") & (sizes["rule"] == "half_up") & (sizes["group"] == "it")]
    assert sorted(zip(it_bases["item_missing"], it_bases["n"])) == [(0, 25), (1, 24)]


# ---------------------------------------------------------------------------
# every candidate split, by brute force
# ---------------------------------------------------------------------------
COMPOSITIONS = [(240, 60, 40), (1000, 60, 40), (131, 81, 19), (200, 50, 50), (131, 80, 19), (57, 33, 67), (10, 50, 50)]


@pytest.mark.parametrize("total, m, i", COMPOSITIONS)
def test_candidate_splits_are_every_split_that_fits(total, m, i):
    figures = figures_frame([{"study": "s", "item": "x", "group": g, "value": 50.0} for g in ("marketing", "it")])
    studies = {"s": study_facts(total_n=total, group_shares={"marketing": float(m), "it": float(i)})}
    for max_unclassified, rule in ((u, r) for u in (0, 1, 3) for r in RULES):
        sizes = candidate_sizes(figures, studies, [rule], max_missing=0, max_unclassified=max_unclassified)
        expected = ref_splits(total, {"marketing": m, "it": i}, rule, max_unclassified)
        expected = {s for s in expected if all(size >= 1 for _, size in s)}
        assert _splits_of(sizes, "s", rule) == expected, rule
        part = sizes[(sizes["rule"] == rule)]
        assert (part["split_total"] == total).all()
        # every split shares out total - u, 0 <= u <= max_unclassified
        for _, split in part.groupby("split"):
            u = int(split["split_unclassified"].iloc[0])
            assert 0 <= u <= max_unclassified
            assert int(split["group_n"].sum()) == total - u


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(total=st.integers(2, 400), m=st.integers(1, 99), delta=st.integers(-1, 1), decimals=st.integers(0, 1),
       max_unclassified=st.integers(0, 3), rule=st.sampled_from(RULES))
def test_candidate_splits_match_bruteforce_random(total, m, delta, decimals, max_unclassified, rule):
    share_m = m + (0.5 if decimals else 0.0)
    share_i = 100 - share_m + delta
    if not 0 < share_i < 100 or max_unclassified >= total:
        return
    figures = figures_frame([{"study": "s", "item": "x", "group": g, "value": 50.0} for g in ("marketing", "it")])
    studies = {"s": study_facts(total_n=total, group_shares={"marketing": share_m, "it": share_i})}
    sizes = candidate_sizes(figures, studies, [rule], max_missing=0, max_unclassified=max_unclassified)
    expected = {s for s in ref_splits(total, {"marketing": share_m, "it": share_i}, rule, max_unclassified)
                if all(size >= 1 for _, size in s)}
    assert _splits_of(sizes, "s", rule) == expected


def test_size_table_columns_and_item_bases(figures, studies):
    sizes = candidate_sizes(figures, studies, max_missing=2)
    assert list(sizes.columns) == list(SIZE_COLUMNS)
    inferred = sizes[sizes["n_source"] == "inferred"]
    assert (inferred["n"] == inferred["group_n"] - inferred["item_missing"]).all()
    assert set(inferred["item_missing"]) == {0, 1, 2}
    published = sizes[sizes["n_source"] == "published"]
    assert (published["item_missing"] == 0).all() and (published["n"] == published["group_n"]).all()
    # deviation: sum |n_g / total - share_g| over the split's groups, e.g. Leapfrog 106 + 25 of 131:
    # |106/131 - 0.81| + |25/131 - 0.19| = 0.000840 + 0.000840
    leap = inferred[(inferred["study"] == "leapfrog_2015") & (inferred["rule"] == "half_up")]
    assert leap["deviation"].iloc[0] == pytest.approx(abs(106 / 131 - 0.81) + abs(25 / 131 - 0.19), abs=1e-12)
    with pytest.raises(ValueError, match="max_missing"):
        candidate_sizes(figures, studies, max_missing=-1)
    with pytest.raises(ValueError, match="max_unclassified"):
        candidate_sizes(figures, studies, max_unclassified=1.5)


# ---------------------------------------------------------------------------
# the choice: most figures feasible, then smaller u, then least deviation
# ---------------------------------------------------------------------------
def _choose(total, shares, rows, rule="half_up", max_missing=0, max_unclassified=0):
    figures = figures_frame([{"study": "s", "item": f"x{i}", **row} for i, row in enumerate(rows)])
    studies = {"s": study_facts(total_n=total, group_shares=shares)}
    counts = reconstruct(figures, studies, rule, max_missing, max_unclassified).counts
    return _chosen(counts, "s"), counts


def test_most_figures_feasible_beats_fewer_unclassified():
    # 200 at 50% / 50%, up to 1 unclassified: 100 + 100 (u = 0), 99 + 100 and 100 + 99 (u = 1).
    # 5.1% (one decimal) fits 99 marketers (5/99 = 5.05%) but not 100 (5% or 6%): the u = 1 split wins.
    assert ref_feasible(5.1, 99, 1) == [5] and ref_feasible(5.1, 100, 1) == []
    chosen, counts = _choose(200, {"marketing": 50.0, "it": 50.0},
                             [{"group": "marketing", "value": 5.1, "decimals": 1}, {"group": "it", "value": 50.0}],
                             max_unclassified=1)
    assert chosen == {"marketing": 99, "it": 100}
    assert set(counts["split_unclassified"]) == {1} and counts["consistent"].all()


def test_fewer_unclassified_beats_smaller_deviation():
    # 240 at 60% / 40%, up to 1 unclassified. IT 1.1% fits 95 (1/95 = 1.05%) only; marketing 6.9% fits 144 and
    # 145 (10/144 = 6.94%, 10/145 = 6.90%) but not 143 (10/143 = 6.99%). Both figures fit 145 + 95 (u = 0,
    # deviation 2/240) and 144 + 95 (u = 1, deviation 1/240): the smaller u wins over the smaller deviation.
    assert ref_feasible(1.1, 95, 1) and not ref_feasible(1.1, 96, 1) and not ref_feasible(1.1, 97, 1)
    assert ref_feasible(6.9, 144, 1) and ref_feasible(6.9, 145, 1) and not ref_feasible(6.9, 143, 1)
    rows = [{"group": "marketing", "value": 6.9, "decimals": 1}, {"group": "it", "value": 1.1, "decimals": 1}]
    chosen, counts = _choose(240, {"marketing": 60.0, "it": 40.0}, rows, max_unclassified=1)
    assert chosen == {"marketing": 145, "it": 95}
    assert set(counts["split_unclassified"]) == {0}
    optimal, _ = ref_choose(240, {"marketing": 60.0, "it": 40.0}, rows, "half_up", 0, 1)
    assert optimal == {(("marketing", 145), ("it", 95))}


def test_smallest_deviation_breaks_the_last_tie():
    # 50% fits every even base, and with one item non-response allowed every group of every split has one: all
    # splits of 240 (u = 0, 1, 2) fit both figures; u = 0 leaves 143 + 97, 144 + 96, 145 + 95; 144 + 96 deviates by 0
    assert ref_feasible(50, 96) == [48] and ref_feasible(50, 97) == [] and ref_feasible(50, 144) == [72]
    rows = [{"group": "marketing", "value": 50.0}, {"group": "it", "value": 50.0}]
    chosen, _ = _choose(240, {"marketing": 60.0, "it": 40.0}, rows, max_missing=1, max_unclassified=2)
    assert chosen == {"marketing": 144, "it": 96}
    optimal, _ = ref_choose(240, {"marketing": 60.0, "it": 40.0}, rows, "half_up", 1, 2)
    assert optimal == {(("marketing", 144), ("it", 96))}


def test_item_base_falls_short_of_the_group_size():
    # 240 at 60/40, half up: IT 1.1% fits 95 only. With max_missing 1 the split 144 + 96 keeps IT's group at 96
    # and takes an item base of 95 = 96 - 1; without item non-response, 145 + 95 is the only split fitting both.
    rows = [{"group": "marketing", "value": 50.0}, {"group": "it", "value": 1.1, "decimals": 1}]
    chosen, counts = _choose(240, {"marketing": 60.0, "it": 40.0}, rows, max_missing=1)
    assert chosen == {"marketing": 144, "it": 96}
    it = counts[counts["group"] == "it"].iloc[0]
    assert (it["group_n"], it["item_missing"], it["n"], it["k"]) == (96, 1, 95, 1)
    chosen, _ = _choose(240, {"marketing": 60.0, "it": 40.0}, rows, max_missing=0)
    assert chosen == {"marketing": 145, "it": 95}


@st.composite
def studies_with_figures(draw):
    total = draw(st.integers(10, 200))
    m = draw(st.integers(5, 95))
    shares = {"marketing": float(m), "it": float(100 - m + draw(st.integers(-1, 1)))}
    rows = []
    for group in ("marketing", "it"):
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.booleans()):
                value = float(draw(st.integers(0, 100)))
            else:  # a figure some base near the group's share fits
                base = max(1, round(total * shares[group] / 100) + draw(st.integers(-2, 2)))
                k = draw(st.integers(0, base))
                value = float(round(100 * k / base))
            rows.append({"group": group, "value": value,
                         "rounding": draw(st.sampled_from(["unknown", "unknown", "half_up", "ceil"]))})
    return total, shares, rows


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=studies_with_figures(), rule=st.sampled_from(RULES), max_missing=st.integers(0, 1),
       max_unclassified=st.integers(0, 2))
def test_chosen_split_is_a_bruteforce_optimum(case, rule, max_missing, max_unclassified):
    total, shares, rows = case
    chosen, counts = _choose(total, shares, rows, rule, max_missing, max_unclassified)
    optimal, missing = ref_choose(total, shares, rows, rule, max_missing, max_unclassified)
    optimal = {s for s in optimal if all(size >= 1 for _, size in s)}
    if not optimal:
        assert counts["n"].isna().all() and counts["n_source"].isna().all()
        return
    split = tuple(chosen.items())
    assert split in optimal, (split, optimal)
    for row in counts.itertuples():
        assert row.item_missing == missing[split][row.group]
        assert row.n == row.group_n - row.item_missing
        assert row.split_unclassified == total - sum(chosen.values())


# ---------------------------------------------------------------------------
# max_unclassified: a parameter and a studies.yaml key
# ---------------------------------------------------------------------------
def test_max_unclassified_parameter_and_studies_key(tmp_path):
    # 131 at 80% / 19%: marketing [79.5, 80.5)% -> 104.1..105.4 -> 105, IT [18.5, 19.5)% -> 24.2..25.5 -> 25;
    # 105 + 25 = 130, so one respondent of the 131 belongs to no listed group.
    assert ref_splits(131, {"marketing": 80, "it": 19}, "half_up", 0) == set()
    assert ref_splits(131, {"marketing": 80, "it": 19}, "half_up", 1) == {(("marketing", 105), ("it", 25))}
    path = _study_folder(tmp_path, total_n=131, group_shares={"marketing": 80, "it": 19})
    none = load_counts(path, store=None).counts
    assert none["n"].isna().all()  # no split without unclassified respondents: no size
    by_parameter = load_counts(path, max_unclassified=1, store=None).counts
    assert _chosen(by_parameter, "zenith_2023") == {"marketing": 105, "it": 25}
    assert set(by_parameter["split_unclassified"]) == {1} and set(by_parameter["split_total"]) == {131}
    # the same through studies.yaml, with the run's default max_unclassified = 0
    path = _study_folder(tmp_path, total_n=131, group_shares={"marketing": 80, "it": 19}, max_unclassified=1)
    by_key = load_counts(path, store=None).counts
    pd.testing.assert_frame_equal(by_key, by_parameter)
    # the study's own key takes precedence over the run's parameter
    path = _study_folder(tmp_path, total_n=131, group_shares={"marketing": 80, "it": 19}, max_unclassified=0)
    assert load_counts(path, max_unclassified=2, store=None).counts["n"].isna().all()


def test_run_max_unclassified_larger_than_a_small_study(tmp_path):
    # a run's max_unclassified (0..1000) may exceed a small study's total: at most all 4 are unclassified,
    # never an error. 4 at 50% / 50% half up: sizes 2 each ([1.98, 2.02)); with u <= 4 only 2 + 2 (u = 0).
    path = _study_folder(tmp_path, total_n=4, group_shares={"marketing": 50, "it": 50})
    assert ref_splits(4, {"marketing": 50, "it": 50}, "half_up", 4) == {(("marketing", 2), ("it", 2))}
    counts = load_counts(path, max_unclassified=5, store=None).counts
    assert _chosen(counts, "zenith_2023") == {"marketing": 2, "it": 2}


def test_published_sizes_with_a_larger_total(tmp_path):
    # 300 surveyed, 150 marketers and 120 IT leaders published: 30 in neither group
    path = _study_folder(tmp_path, total_n=300, group_shares=None, group_n={"marketing": 150, "it": 120})
    counts = load_counts(path, store=None).counts
    assert _chosen(counts, "zenith_2023") == {"marketing": 150, "it": 120}
    assert set(counts["split_total"]) == {300} and set(counts["split_unclassified"]) == {30}
    assert set(counts["n_source"]) == {"published"} and set(counts["item_missing"]) == {0}


# ---------------------------------------------------------------------------
# never invent a size where the study publishes one (issue 15, item 2)
# ---------------------------------------------------------------------------
def test_truncate_leapfrog_has_no_split_and_no_invented_size(figures, studies):
    # truncate: 81% of 131 needs 106.11 <= m < 107.42 -> 107, 19% needs 24.89 <= i < 26.2 -> 25 or 26;
    # 107 + 25 = 132 > 131, so no split of 131 exists (nor with max_unclassified 0).
    assert ref_sizes(131, 81, 0, "truncate") == (107,) and ref_sizes(131, 19, 0, "truncate") == (25, 26)
    assert ref_splits(131, {"marketing": 81, "it": 19}, "truncate", 0) == set()
    bundle = load_counts(rounding="truncate", store=None)
    leap = bundle.counts[bundle.counts["study"] == "leapfrog_2015"]
    assert len(leap) == 25
    for column in ("n", "k", "k_low", "k_high", "consistent", "group_n", "split_total", "n_source"):
        assert leap[column].isna().all(), column
    # not assumable: its composition is published, so no analysis may assume a size for it
    assert not {("leapfrog_2015", "marketing"), ("leapfrog_2015", "it")} & bundle.assumable
    assumed = assumed_sizes(bundle.assumable, ["truncate"], 100)
    assert "leapfrog_2015" not in set(assumed["study"])
    sizes = bundle.sizes
    assert sizes[(sizes["study"] == "leapfrog_2015") & (sizes["rule"] == "truncate")].empty
    assert "leapfrog_2015" not in set(choose_sizes(bundle.ranges, "truncate")["study"])
    # the other rules still size Leapfrog; truncate does not change any other study's sizes
    half_up = load_counts(store=None).counts
    others = ~half_up["study"].eq("leapfrog_2015")
    pd.testing.assert_series_equal(bundle.counts.loc[others, "n"], half_up.loc[others, "n"])


def test_assumable_groups_by_hand(figures, studies, new_study):
    # bundled: Accenture 2014 publishes a total but no split; the CDO projection and Black Friday publish nothing
    assert assumable_groups(figures, studies) == {("accenture_2014", "it"), ("accenture_2014", "marketing"),
                                                  ("black_friday_ios", "all"), ("cdo_projection_2015", "all")}
    mine = load_figures(new_study / "figures.csv")
    facts = load_studies(new_study / "studies.yaml")
    expected = {"published_sizes": set(), "total_and_shares": set(),
                "no_sizes": {("orbit_2022", "marketing"), ("orbit_2022", "it")}}[new_study.name]
    assert assumable_groups(mine, facts) == expected


def test_shares_rounding_check_of_the_reference():
    # the reference itself: 144/240 = 60% exactly, 145/240 = 60.42% -> 60, 146/240 = 60.83% -> 61 (half up)
    assert reports_as(144, 240, 60, 0, "half_up") and reports_as(145, 240, 60, 0, "half_up")
    assert not reports_as(146, 240, 60, 0, "half_up")
    assert written_decimals(60.0) == 0 and written_decimals(60.5) == 1
