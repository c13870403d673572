"""The perception gap in words and tables (``present.perception``, ``present.crosstab``).

References: the counts and percentages are derived by hand in the comments
(half-up percentages of exact fractions), the shares in the sentences are
checked against ``k / n`` computed here, the crosstab cells against the
published figures, and the significance letters of the crosstab against
scipy's pooled z test.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from statsmodels.stats.proportion import test_proportions_2indep as pooled_z_test

from alignment_stats.present import crosstab, perception, write_results


@pytest.fixture(scope="module")
def default(runs):
    return runs("perception")


def _row(table, study, item):
    match = table[(table["study"] == study) & (table["item"] == item)]
    assert len(match) == 1
    return next(match.itertuples())


def test_item_sentence_words_the_counts(default):
    row = _row(default.table, "leapfrog_2015", "very_collaborative")
    text = perception.item_sentence(row, 0.05)
    # 32/106 = 30.19% -> 30.2%, 3/24 = 12.5%; the difference +17.7 points reads +18; the groups as studies.yaml
    # names them (leapfrog_2015: marketing executives, IT executives)
    assert text.startswith("Marketing executives 32/106 (30.2%) vs IT executives 3/24 (12.5%): +18 points (95% CI ")
    assert "not significant (adjusted p = 0.62)" in text
    assert "chance that the true share of Marketing executives is the higher one is 97%" in text
    assert "[group sizes assumed" not in text


def test_item_sentence_flags_assumed_sizes_and_untested_items(default):
    assumed = perception.item_sentence(_row(default.table, "accenture_2014", "bypass_it"), 0.05)
    assert assumed.startswith("CMOs 21/100 (21.0%) vs CIOs 34/100 (34.0%)")  # accenture_2014's names of the groups
    assert assumed.endswith("[group sizes assumed: 100 and 100; illustrative, not a finding]")
    # p = 0.057 unadjusted: the Newcombe interval excludes 0, the Holm-adjusted p (0.11) is above 0.05
    assert "the interval excludes 0 but not after adjusting for 3 comparisons (adjusted p = 0.11)" in assumed
    untested = perception.item_sentence(_row(default.table, "leapfrog_2015", "omnichannel_confidence"), 0.05)
    assert untested == "not tested: a published percentage fits no whole count at its group size (see the data audit)"


def test_reading_names_each_study_and_the_claims(default):
    text = perception.reading(default)
    for study in ("leapfrog\\_2015", "econsultancy\\_2015", "accenture\\_2014"):
        assert f"**{study}**" in text
    assert re.search(r"\*\*accenture\\_2014\*\*: 0 of 3 compared item(s|\(s\))? differ significantly", text)
    assert "under the sizes 100 and 100 the result is an illustration, not a finding" in text
    assert "**undecidable with this sample**" in text and "**illustrative**" in text
    assert "Not tested (2)" in text


def test_reading_notes_the_skipped_bundled_claims(runs):
    from analysis_runs import study_input

    text = perception.reading(runs("perception", **study_input("no_sizes")))
    assert re.search(r"9 bundled claim(s|\(s\)) not judged here: their studies or figures are not in this input\.",
                     text)


def test_reading_gives_one_number_for_a_one_value_range(runs):
    # zenith_2023 has one untested-significant item: its detectable gap is one number, not "18 to 18 points"
    from analysis_runs import study_input

    claims = study_input("published_sizes")["input"].replace("figures.csv", "claims.csv")
    for name, extra in (("total_and_shares", {}), ("published_sizes", {"claims": claims})):
        text = perception.reading(runs("perception", **study_input(name), **extra))
        repeated = [m.group(0) for m in re.finditer(r"(\d+) to (\d+) points", text) if m.group(1) == m.group(2)]
        assert repeated == [], (name, repeated)


def test_display_table_in_percent(default):
    shown = perception.display_table(default).set_index(["study", "item"])
    row = shown.loc[("leapfrog_2015", "very_collaborative")]
    assert row["p1"] == pytest.approx(30.2) and row["p2"] == pytest.approx(12.5) and row["diff"] == pytest.approx(17.7)
    untested = shown.loc[("leapfrog_2015", "omnichannel_confidence")]
    assert untested["p_value"] == "–" and untested["k2"] == "–"


def test_summary_line(default):
    assert perception.summary_line(default) == ("13 items asked of both groups (11 tested), from bundled benchmark "
                                                "figures; CI newcombe, test fisher, adjustment holm")


def test_comparison_sentence(default):
    row = next(r for r in default.comparisons.itertuples() if r.claim_id == "it_more_collaborative_than_marketing")
    # IT 86/110 - marketing 58/100 = 78.18% - 58% = +20.2 points -> +20
    assert perception.comparison_sentence(row).startswith("work_collaboratively: it - marketing = +20 points, 95% CI ")


def test_crosstab_cells_and_letters(default):
    assert default.crosstab_study == "leapfrog_2015"
    wide = crosstab.crosstab_table(default.crosstab)
    assert list(wide.columns) == ["Marketing (A)", "IT (B)"]
    # 3/24 = 12.5% shown half up, as published
    assert wide.loc["very_collaborative", "IT (B)"] == "13% (24)"
    assert wide.loc["very_collaborative", "Marketing (A)"] == "30% (106)"
    # 64/106 vs no IT figure: a dash
    assert wide.loc["importance_data_tracking_analytics", "IT (B)"] == "–"
    # SPSS letters: pooled z test, Bonferroni within a row (one pair: no adjustment); 32/106 vs 3/24 p = 0.06
    p = pooled_z_test(32, 106, 3, 24, method="score", correction=False).pvalue
    assert p > 0.05 and not wide.loc["very_collaborative", "Marketing (A)"].endswith("B")


def test_crosstab_with_letters_and_shading():
    cells = pd.DataFrame({"item": "a", "group": ["marketing", "it"], "k": [64, 3], "n": [106, 24]})
    from alignment_stats.stats import significance_letters

    wide = crosstab.crosstab_table(significance_letters(cells), labels={"marketing": "Marketing", "it": "IT"})
    # 64/106 vs 3/24: z test p far below 0.05 -> marketing is higher than IT
    assert pooled_z_test(64, 106, 3, 24, method="score", correction=False).pvalue < 0.001
    assert wide.loc["a", "Marketing (A)"] == "60% (106) B"
    first, second = crosstab.style_crosstab(wide, "c").to_html(), crosstab.style_crosstab(wide, "c").to_html()
    assert first == second and "T_crosstab" in first  # a fixed table id: the same HTML on every run
    assert first.count("font-weight: bold") >= 1  # the cell with a letter is shaded


def test_crosstab_of_assumed_sizes_is_a_note(runs):
    view = crosstab.view(runs("perception", study="accenture_2014"))
    assert isinstance(view, pd.DataFrame) and "restate the assumption" in view.iloc[0, 0]


def test_write_results(runs, tmp_path):
    result = runs("perception", study="econsultancy_2015")
    written = write_results(result)
    assert sorted(p.name for p in written) == ["claim_comparisons.csv", "claims.csv", "perception_gap.csv",
                                               "sensitivity.csv"]
    back = pd.read_csv(written[0].parent / "claims.csv")
    assert list(back.columns) == ["claim_id", "study", "quote", "verdict", "detail"]
    assert back["verdict"].tolist() == ["supported"]
    table = pd.read_csv(written[0].parent / "perception_gap.csv")
    assert table[["k1", "n1", "k2", "n2"]].values.tolist() == [[58, 100, 86, 110]]
