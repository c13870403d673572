"""counts.reconstruct: the counts table of published figures, and the arithmetic of its split columns.

References: counts worked by hand in the comments (k/n as exact fractions);
for every figure of the bundled data and the new-study fixtures under every
rule, the feasible counts recomputed by brute force with
``fractions.Fraction`` (``counts_reference.py``) and the nearest count chosen
by plain arithmetic; the split columns (``split_total``,
``split_unclassified``, ``group_n``, ``item_missing``) checked against the
published study facts with the arithmetic the counts-table documentation
states: the groups of a split share out ``split_total - split_unclassified``
respondents, and a figure's base is ``group_n - item_missing``.
"""

from __future__ import annotations

import functools
import shutil
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from counts_reference import RULES, exact, ref_feasible, reports_as, written_decimals

from alignment_stats.config import (
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    DEMO_CODEBOOK,
    DEMO_SURVEY,
)
from alignment_stats.counts import (
    load_counts,
    reconstruct,
    reconstruct_counts,
    rounding_sensitivity,
)
from alignment_stats.schema import COUNT_COLUMNS, DataValidationError
from alignment_stats.sources import DEMO_COUNTS, load_figures, load_studies

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"


def _inputs():
    out = {"bundled": (BUNDLED_FIGURES, BUNDLED_STUDIES)}
    for name in ("published_sizes", "total_and_shares", "no_sizes"):
        out[name] = (FIXTURES / name / "figures.csv", FIXTURES / name / "studies.yaml")
    return out


INPUTS = _inputs()


def _get(counts, study, item, group):
    row = counts[(counts["study"] == study) & (counts["item"] == item) & (counts["group"] == group)]
    assert len(row) == 1
    return row.iloc[0]


@functools.cache
def _built(name: str):
    """The figures, studies and reconstruction under every rule of one input (built once per module)."""
    figures_path, studies_path = INPUTS[name]
    figures, studies = load_figures(figures_path), load_studies(studies_path)
    return figures, studies, {rule: reconstruct(figures, studies, rule) for rule in RULES}


@pytest.fixture(scope="module")
def by_rule():
    return _built("bundled")[2]


def test_counts_table_has_the_documented_columns(counts, figures):
    assert list(counts.columns) == list(COUNT_COLUMNS)
    assert len(counts) == len(figures)
    assert not counts.duplicated(["study", "item", "group"]).any()
    # one row per figure, in the figures' order
    assert counts[["study", "item", "group"]].values.tolist() == figures[["study", "item", "group"]].values.tolist()
    for column in ("n", "k", "k_low", "k_high", "split", "group_n", "split_total", "split_unclassified",
                   "item_missing"):
        assert str(counts[column].dtype) == "Int64", column
    assert str(counts["consistent"].dtype) == "boolean"


def test_reconstruct_counts_is_the_table_of_reconstruct(figures, studies, counts):
    pd.testing.assert_frame_equal(reconstruct_counts(figures, studies), counts)
    pd.testing.assert_frame_equal(reconstruct(figures, studies).counts, counts)


def test_leapfrog_it_needs_an_item_base_of_24(counts):
    # With 25 IT respondents: 13% needs 3.25 people (3/25 = 12%, 4/25 = 16%),
    # 63% needs 15.75 (15/25 = 60%, 16/25 = 64%), 50% needs 12.5 (48%, 52%).
    # With 24: 3/24 = 12.5% -> 13, 15/24 = 62.5% -> 63, 12/24 = 50%, 1/24 = 4.17% -> 4.
    for item, k in [("very_collaborative", 3), ("no_shared_incentives", 15),
                    ("deliver_omnichannel", 12), ("improved_alignment", 1)]:
        row = _get(counts, "leapfrog_2015", item, "it")
        assert (row["n"], row["k"], row["k_low"], row["k_high"], row["consistent"]) == (24, k, k, k, True)
        assert (row["group_n"], row["item_missing"], row["n_source"]) == (25, 1, "inferred")


def test_leapfrog_marketing_counts(counts):
    # 106 marketers: 32/106 = 30.19%, 21/106 = 19.81%, 67/106 = 63.21%, 57/106 = 53.77%,
    # 64/106 = 60.38%, 16/106 = 15.09%: one count each at 1% resolution.
    for item, k in [("very_collaborative", 32), ("improved_alignment", 21), ("no_shared_incentives", 67),
                    ("deliver_omnichannel", 57), ("importance_data_tracking_analytics", 64),
                    ("expertise_omnichannel", 16)]:
        row = _get(counts, "leapfrog_2015", item, "marketing")
        assert (row["n"], row["k"], row["consistent"]) == (106, k, True)


def test_external_leapfrog_it_figures_are_flagged_not_fixed(counts):
    # 40% of 24: 9/24 = 37.5%, 10/24 = 41.67%; 74% of 24: 17/24 = 70.83%, 18/24 = 75%.
    for item in ("omnichannel_confidence", "at_least_somewhat_collaborative"):
        row = _get(counts, "leapfrog_2015", item, "it")
        assert row["consistent"] == False
        assert pd.isna(row["k"]) and pd.isna(row["k_low"]) and pd.isna(row["k_high"])
        assert row["n"] == 24  # the size stays: the figure is impossible at it, not re-based


def test_interval_figures_get_a_count_range(counts):
    # "one fifth" as 17-23% of 106: 18.02 <= k <= 24.38 -> 19..24; best count nearest 20% = 21.2 -> 21.
    row = _get(counts, "leapfrog_2015", "omnichannel_developed", "marketing")
    assert (row["k_low"], row["k_high"], row["k"]) == (19, 24, 21)
    # "about half" as 45-55% of 106: 47.7 <= k <= 58.3 -> 48..58; nearest 50% = 53
    row = _get(counts, "leapfrog_2015", "omnichannel_important", "marketing")
    assert (row["k_low"], row["k_high"], row["k"]) == (48, 58, 53)


def test_unknown_group_sizes_stay_unknown(counts):
    row = _get(counts, "accenture_2014", "bypass_it", "it")
    assert pd.isna(row["n"]) and pd.isna(row["k"]) and pd.isna(row["consistent"]) and pd.isna(row["n_source"])
    # the pooled figure of the same study has the published total
    row = _get(counts, "accenture_2014", "system_problems", "all")
    assert (row["n"], row["n_source"]) == (1147, "published")


def test_published_sizes_are_used(counts):
    # 78% of 110 = 85.8 -> 86 (86/110 = 78.18%); 58% of 100 = 58.
    assert _get(counts, "econsultancy_2015", "work_collaboratively", "it")[["n", "k"]].tolist() == [110, 86]
    assert _get(counts, "econsultancy_2015", "work_collaboratively", "marketing")[["n", "k"]].tolist() == [100, 58]


def test_demo_counts_are_the_reconstructed_counts(counts):
    # the demo survey was built from the reconstruction of the published Leapfrog figures
    leap = counts[counts["study"] == "leapfrog_2015"].set_index(["item", "group"])
    for item, groups in DEMO_COUNTS.items():
        for group, (k, n) in groups.items():
            row = leap.loc[(item, group)]
            assert (int(row["k"]), int(row["n"])) == (k, n), (item, group)


def test_half_even_and_truncate(figures, studies, by_rule):
    # half even: 12.5% -> 12 and 62.5% -> 62, so 13% and 63% are impossible with 24.
    even = by_rule["half_even"].counts
    assert _get(even, "leapfrog_2015", "very_collaborative", "it")["consistent"] == False
    # truncate: 81% of 131 needs 106.11 <= m < 107.42 -> 107, 19% needs 24.89 <= i < 26.2 -> 25 or 26;
    # 107 + 25 = 132 > 131, so no split of 131 exists.
    table = rounding_sensitivity(by_rule["half_up"])
    truncate = table[(table["study"] == "leapfrog_2015") & (table["rule"] == "truncate")]
    assert truncate["n"].isna().all()
    assert (truncate["n_inconsistent"] == truncate["n_figures"]).all()
    half_up = table[(table["study"] == "leapfrog_2015") & (table["rule"] == "half_up")].set_index("group")
    assert half_up.loc["marketing", "n_inconsistent"] == 0
    assert set(half_up.loc["it", "inconsistent"].split(", ")) == {
        "omnichannel_confidence", "at_least_somewhat_collaborative"}
    assert half_up.loc["it", "n"] == 24 and half_up.loc["marketing", "n"] == 106


def test_rounding_in_force(figures, by_rule):
    # every bundled figure states 'unknown': the run's rule applies to each
    assert set(figures["rounding"]) == {"unknown"}
    for rule, built in by_rule.items():
        assert set(built.counts["rounding"]) == {rule}
    with pytest.raises(ValueError, match="rounding: 'bankers' is not a known rule"):
        reconstruct(figures, load_studies(), rounding="bankers")


# ---------------------------------------------------------------------------
# every count, every rule, by brute force
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=sorted(INPUTS))
def source(request):
    return (request.param, *_built(request.param))


def test_every_count_matches_bruteforce(source):
    _, figures, _, built = source
    for rule, reconstruction in built.items():
        counts = reconstruction.counts.merge(figures[["study", "item", "group", "rounding"]],
                                             on=["study", "item", "group"], suffixes=("", "_stated"))
        for row in counts[counts["n"].notna()].itertuples():
            in_force = rule if row.rounding_stated == "unknown" else row.rounding_stated
            assert row.rounding == in_force
            value = None if pd.isna(row.value) else row.value
            ks = ref_feasible(value, int(row.n), int(row.decimals), in_force, row.low, row.high)
            assert bool(row.consistent) == bool(ks), (rule, row)
            if not ks:
                assert pd.isna(row.k) and pd.isna(row.k_low) and pd.isna(row.k_high)
                continue
            assert (row.k_low, row.k_high) == (ks[0], ks[-1]), (rule, row)
            share = exact(row.value) if value is not None else (exact(row.low) + exact(row.high)) / 2
            target = share * int(row.n) / 100
            nearest = min(ks, key=lambda k: (abs(Fraction(k) - target), k))  # ties to the lower
            assert row.k == nearest, (rule, row)


def test_split_columns_arithmetic(source):
    """For every study x rule: one split per study; its groups share out split_total - split_unclassified."""
    name, _, studies, built = source
    for rule, reconstruction in built.items():
        counts = reconstruction.counts
        for study, part in counts.groupby("study", sort=False):
            sized = part[part["n"].notna()]
            if sized.empty:
                continue
            facts = studies[study]
            where = f"{name}: {study} under {rule}"
            assert (sized["n"] == sized["group_n"] - sized["item_missing"]).all(), where
            assert sized[["split", "split_total", "split_unclassified"]].drop_duplicates().shape[0] == 1, (
                f"{where}: one split, one total: {sized[['group', 'split_total', 'split_unclassified']].values.tolist()}")
            total, unclassified = int(sized["split_total"].iloc[0]), int(sized["split_unclassified"].iloc[0])
            sizes = sized.drop_duplicates("group").set_index("group")["group_n"].astype(int).to_dict()
            assert sized.groupby("group")["group_n"].nunique().max() == 1, where
            if set(sized["n_source"]) == {"inferred"}:
                shares = facts["group_shares"]
                limit = facts["max_unclassified"] if facts["max_unclassified"] is not None else 0
                assert total == facts["total_n"], where
                assert 0 <= unclassified <= limit, where
                assert sized["item_missing"].between(0, 1).all(), where  # max_missing = 1
                assert set(shares) <= set(sizes), where  # every group of the split has figures here
                assert sum(sizes[g] for g in shares) == total - unclassified, where
                for group, share in shares.items():
                    assert reports_as(sizes[group], total, share, written_decimals(share), rule), (where, group)
            else:
                assert set(sized["n_source"]) == {"published"}, where
                assert (sized["item_missing"] == 0).all(), where
                published = facts["group_n"] or {}
                if set(sizes) == {"all"}:
                    assert (total, unclassified, sizes["all"]) == (facts["total_n"], 0, facts["total_n"]), where
                    continue
                expected_total = facts["total_n"] or sum(published.values())
                assert total == expected_total, f"{where}: split_total {total}, the study's sample {expected_total}"
                assert sum(published.values()) == total - unclassified, where
                assert all(sizes[g] == published[g] for g in sizes), where


def test_new_study_counts_by_hand(new_study):
    counts = load_counts(new_study / "figures.csv", store=None).counts
    row = counts[(counts["item"] == "joint_planning") & (counts["group"] == "marketing")].iloc[0]
    if new_study.name == "published_sizes":
        # 62% of 150 = 93 exactly; 41% of 120 = 49.2 -> 49 (49/120 = 40.83%)
        assert (row["n"], row["k"], row["n_source"]) == (150, 93, "published")
        it = counts[(counts["item"] == "joint_planning") & (counts["group"] == "it")].iloc[0]
        assert (it["n"], it["k"]) == (120, 49)
    elif new_study.name == "total_and_shares":
        # 62% of 144 = 89.28 -> 89 (89/144 = 61.81%)
        assert (row["n"], row["k"], row["n_source"]) == (144, 89, "inferred")
    else:
        assert counts["n"].isna().all() and counts["k"].isna().all()


# ---------------------------------------------------------------------------
# options through load_counts
# ---------------------------------------------------------------------------
def test_figures_copy_gives_the_bundled_counts(tmp_path, counts):
    shutil.copy(BUNDLED_FIGURES, tmp_path / "figures.csv")
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    bundle = load_counts(tmp_path / "figures.csv", store=None)
    assert bundle.source == "figures from figures.csv"
    pd.testing.assert_frame_equal(bundle.counts, counts)


def test_decimals_contradicting_written_precision(tmp_path):
    text = BUNDLED_FIGURES.read_text(encoding="utf-8")
    old = ("leapfrog_2015,2015,very_collaborative,consider the marketing-IT relationship very collaborative and "
           "productive,it,IT leaders,13,")
    assert old in text
    (tmp_path / "benchmark_figures.csv").write_text(text.replace(old, old[:-3] + "12.5,"), encoding="utf-8")
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    with pytest.raises(DataValidationError, match=r"very_collaborative/it, field value: written with 1 decimal"):
        load_counts(tmp_path / "benchmark_figures.csv", decimals=0, store=None)
    counts = load_counts(tmp_path / "benchmark_figures.csv", store=None).counts  # decimals as written
    # 12.5% of 24 = 3 exactly (one decimal: 3/24 = 12.50%)
    row = _get(counts, "leapfrog_2015", "very_collaborative", "it")
    assert (row["k"], row["decimals"]) == (3, 1)
    # decimals=1 on every figure: 30.0% of 106 needs 29.95 <= 100k/106 < 30.05 -> none (32/106 = 30.19%)
    counts = load_counts(tmp_path / "benchmark_figures.csv", decimals=1, store=None).counts
    assert _get(counts, "leapfrog_2015", "very_collaborative", "marketing")["consistent"] == False


@pytest.mark.parametrize("kwargs, message", [
    ({"rounding": "bankers"}, "rounding: 'bankers' is not a known rule"),
    ({"rounding": "any"}, "rounding: 'any' is not a known rule"),
    ({"max_missing": -1}, "max_missing"),
    ({"max_missing": True}, "max_missing"),
    ({"max_unclassified": 1001}, "max_unclassified"),
    ({"decimals": 1.5}, "decimals"),
    ({"decimals": 7}, "decimals"),
    ({"design": "stratified"}, "design: 'stratified' is not known"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_counts(store=None, **kwargs)


def test_counts_table_input_is_completed(tmp_path):
    # a hand-made counts table: 30 of 100 and 3 of 24
    table = pd.DataFrame({"study": "s", "item": "x", "group": ["marketing", "it"], "n": [100, 24], "k": [30, 3]})
    for suffix in ("csv", "parquet"):
        path = tmp_path / f"counts.{suffix}"
        table.to_csv(path, index=False) if suffix == "csv" else table.to_parquet(path, index=False)
        bundle = load_counts(path, store=None)
        counts = bundle.counts
        assert bundle.kind == "counts" and bundle.figures is None
        assert list(counts.columns[: len(COUNT_COLUMNS)]) == list(COUNT_COLUMNS)
        assert counts["value"].tolist() == [30.0, 12.5]
        assert counts["k_low"].tolist() == [30, 3] and counts["k_high"].tolist() == [30, 3]
        assert counts["consistent"].all() and counts["low"].isna().all()
        assert str(counts["n"].dtype) == "Int64" and set(counts["n_source"]) == {"published"}
        assert (counts["group_n"] == counts["n"]).all() and (counts["item_missing"] == 0).all()
        assert len(bundle.ranges) == 2 and (bundle.ranges["n_feasible"] == 1).all()


def test_responses_input_is_counted(tmp_path):
    bundle = load_counts(DEMO_SURVEY, codebook=DEMO_CODEBOOK, store=None)
    assert bundle.kind == "responses" and bundle.synthetic
    row = _get(bundle.counts, "leapfrog_2015_demo", "very_collaborative", "marketing")
    assert (row["k"], row["n"], row["n_source"]) == (32, 106, "observed")
    assert bundle.paired is not None and len(bundle.paired) == 4
