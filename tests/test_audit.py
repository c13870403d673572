"""Whole-study audit on the bundled figures.

Expected values are worked out by hand in the comments (k/n as exact
fractions), not taken from the code under test.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from alignment_stats.audit import (
    COUNT_COLUMNS,
    audit_study_checks,
    candidate_sizes,
    reconstruct_counts,
    rounding_sensitivity,
    run_audit,
    write_counts,
)
from alignment_stats.data import RAW_DIR


def _get(counts, study, item, group):
    row = counts[(counts["study"] == study) & (counts["item"] == item) & (counts["group"] == group)]
    assert len(row) == 1
    return row.iloc[0]


def test_counts_table_has_the_documented_columns(counts, figures):
    assert list(counts.columns) == list(COUNT_COLUMNS)
    assert len(counts) == len(figures)
    assert not counts.duplicated(["study", "item", "group"]).any()


def test_leapfrog_composition_candidates(figures, studies):
    # 131 x 81% = 106.11: 106/131 = 80.92% -> 81 and 25/131 = 19.08% -> 19 (half up);
    # 105/131 = 80.15% and 24/131 = 18.32% do not round to the shares.
    sizes = candidate_sizes(figures, studies, rounding="half_up", max_missing=1)
    leap = sizes[sizes["study"] == "leapfrog_2015"]
    assert leap[leap["basis"].str.startswith("composition")].set_index("group")["n"].to_dict() == {
        "marketing": 106,
        "it": 25,
    }
    # item bases one lower are allowed, but less preferred
    assert set(leap.loc[leap["group"] == "it", "n"]) == {25, 24}
    assert leap.loc[(leap["group"] == "it") & (leap["n"] == 24), "preference"].item() == 1


def test_leapfrog_it_needs_an_item_base_of_24(counts):
    # With 25 IT respondents: 13% needs 3.25 people (3/25 = 12%, 4/25 = 16%),
    # 63% needs 15.75 (15/25 = 60%, 16/25 = 64%), 50% needs 12.5 (48%, 52%).
    # With 24: 3/24 = 12.5% -> 13, 15/24 = 62.5% -> 63, 12/24 = 50%, 1/24 = 4.17% -> 4.
    for item, k in [("very_collaborative", 3), ("no_shared_incentives", 15),
                    ("deliver_omnichannel", 12), ("improved_alignment", 1)]:
        row = _get(counts, "leapfrog_2015", item, "it")
        assert (row["n"], row["k"], row["k_low"], row["k_high"], row["consistent"]) == (24, k, k, k, True)
    reason = _get(counts, "leapfrog_2015", "very_collaborative", "it")["n_reason"]
    assert "item base" in reason and "25" in reason
    assert "very_collaborative" in _get(counts, "leapfrog_2015", "very_collaborative", "it")["n_alternatives"]


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
        assert row["consistent"] is False or row["consistent"] == False  # noqa: E712
        assert pd.isna(row["k"]) and pd.isna(row["k_low"])


def test_interval_figures_get_a_count_range(counts):
    # "one fifth" as 17-23% of 106: 18.02 <= k <= 24.38 -> 19..24; best count nearest 20% = 21.2 -> 21.
    row = _get(counts, "leapfrog_2015", "omnichannel_developed", "marketing")
    assert (row["k_low"], row["k_high"], row["k"]) == (19, 24, 21)


def test_unknown_group_sizes_stay_unknown(counts):
    row = _get(counts, "accenture_2014", "bypass_it", "it")
    assert pd.isna(row["n"]) and pd.isna(row["k"]) and pd.isna(row["consistent"])
    assert "assume" in row["n_reason"]


def test_published_sizes_are_used(counts):
    # 78% of 110 = 85.8 -> 86 (86/110 = 78.18%); 58% of 100 = 58.
    assert _get(counts, "econsultancy_2015", "work_collaboratively", "it")[["n", "k"]].tolist() == [110, 86]
    assert _get(counts, "econsultancy_2015", "work_collaboratively", "marketing")[["n", "k"]].tolist() == [100, 58]


def test_half_even_rules_out_24_and_truncate_the_composition(figures, studies):
    # half even: 12.5% -> 12 and 62.5% -> 62, so 13% and 63% are impossible with 24.
    even = reconstruct_counts(figures, studies, rounding="half_even")
    assert _get(even, "leapfrog_2015", "very_collaborative", "it")["consistent"] == False  # noqa: E712
    # truncate: 81% of 131 needs 106.11 <= m < 107.42 -> 107, 19% needs 24.89 <= i < 26.2 -> 25 or 26;
    # 107 + 25 = 132 > 131, so no split of 131 exists.
    table = rounding_sensitivity(figures, studies)
    truncate = table[(table["study"] == "leapfrog_2015") & (table["rule"] == "truncate")]
    assert truncate["n"].isna().all()
    assert (truncate["n_inconsistent"] == truncate["n_figures"]).all()
    half_up = table[(table["study"] == "leapfrog_2015") & (table["rule"] == "half_up")].set_index("group")
    assert half_up.loc["marketing", "n_inconsistent"] == 0
    assert set(half_up.loc["it", "inconsistent"].split(", ")) == {
        "omnichannel_confidence", "at_least_somewhat_collaborative"}


def test_cross_figure_checks(figures, studies, counts):
    checks = audit_study_checks(figures, studies, counts)
    pooled = checks[checks["check"] == "pooled"].iloc[0]
    # (67 + 15) / (106 + 24) = 82/130 = 63.08% -> 63%
    assert pooled["ok"] == True and "82 of 130" in pooled["detail"]  # noqa: E712
    same = checks[checks["check"] == "same_figure"].set_index("study")
    # 78% of 110 -> k = 86 only; 79% -> k = 87 only (86.35 <= k < 87.45): no common count under half up.
    assert same.loc["econsultancy_2015", "ok"] == False  # noqa: E712
    assert "k 86" in same.loc["econsultancy_2015", "detail"] and "k 87" in same.loc["econsultancy_2015", "detail"]
    # 57% of 405 -> 229..232 (228.83 <= k < 232.88); 56% -> 225..228: disjoint.
    assert same.loc["accenture_2013", "ok"] == False  # noqa: E712
    composition = checks[checks["check"] == "composition"].iloc[0]
    assert composition["ok"] == True and "marketing 106, it 25" in composition["detail"]  # noqa: E712
    nested = checks[checks["check"] == "nested"]
    assert nested["ok"].dropna().astype(bool).all()


def test_findings_name_every_inconsistency():
    audit = run_audit()
    text = "\n".join(audit.findings)
    for needle in ("omnichannel_confidence/it", "at_least_somewhat_collaborative/it", "episerver_2015",
                   "accenture_2013_estrategy", "item base", "bypass_it"):
        assert needle in text, needle
    assert audit.findings_markdown().startswith("- ")


def test_decimals_contradicting_written_precision(tmp_path):
    text = (RAW_DIR / "benchmark_figures.csv").read_text(encoding="utf-8")
    changed = text.replace("leapfrog_2015,2015,very_collaborative,consider the marketing-IT relationship very "
                           "collaborative and productive,it,IT leaders,13,", "leapfrog_2015,2015,very_collaborative,"
                           "consider the marketing-IT relationship very collaborative and productive,it,IT leaders,12.5,")
    assert changed != text
    (tmp_path / "benchmark_figures.csv").write_text(changed, encoding="utf-8")
    shutil.copy(RAW_DIR / "studies.yaml", tmp_path / "studies.yaml")
    with pytest.raises(ValueError, match=r"very_collaborative/it\), field value: written with 1 decimal"):
        run_audit(tmp_path / "benchmark_figures.csv", decimals=0)
    audit = run_audit(tmp_path / "benchmark_figures.csv")  # decimals as written: 1 for this row, 0 elsewhere
    # 12.5% of 24 = 3 exactly
    assert _get(audit.counts, "leapfrog_2015", "very_collaborative", "it")["k"] == 3


def test_bad_parameters():
    with pytest.raises(ValueError, match="rounding: 'bankers' is not a known rule"):
        run_audit(rounding="bankers")
    with pytest.raises(ValueError, match="max_missing"):
        run_audit(max_missing=-1)
    with pytest.raises(ValueError, match="decimals"):
        run_audit(decimals=1.5)


def test_write_counts_is_atomic(tmp_path, counts, monkeypatch):
    parquet, csv = write_counts(counts, tmp_path)
    assert pd.read_parquet(parquet).shape == counts.shape
    assert list(pd.read_csv(csv).columns) == list(COUNT_COLUMNS)
    before = csv.read_bytes()

    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError):
        write_counts(counts.head(3), tmp_path)
    assert csv.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv", "counts.parquet"]


def test_audit_does_not_touch_raw_data(tmp_path):
    before = {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()}
    run_audit().write(tmp_path / "out", processed_dir=tmp_path / "processed")
    assert {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()} == before
    assert (tmp_path / "processed" / "counts.parquet").exists()
    assert sorted(p.name for p in (tmp_path / "out" / "results").iterdir()) == [
        "checks.csv", "counts.csv", "findings.csv", "rounding_sensitivity.csv"]


def test_respondent_level_input_needs_no_reconstruction(tmp_path):
    from alignment_stats.survey import DEMO_CODEBOOK, DEMO_SURVEY

    audit = run_audit(DEMO_SURVEY, codebook=DEMO_CODEBOOK)
    assert audit.figures.empty and audit.grid.empty
    assert audit.counts["consistent"].all() and (audit.checks["ok"] == True).all()  # noqa: E712
    assert "every count is observed" in audit.findings[0]
    # the demo survey was built so that 32 of 106 marketers call the relationship very collaborative
    row = _get(audit.counts, "leapfrog_2015_demo", "very_collaborative", "marketing")
    assert (row["k"], row["n"]) == (32, 106)
    written = audit.write(tmp_path / "out", processed_dir=tmp_path / "processed")
    assert (tmp_path / "processed" / "counts.csv") in written
