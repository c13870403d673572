"""sources.figures: the bundled benchmark figures (provenance, completeness) and validation of any figures CSV.

References: the expected figures are listed by hand from the seed articles
(``data/raw/sources/seeds/``, copies of ``../shared/seeds/``), not derived
from the CSV they check; quotes are searched verbatim in the seeds and in
``SOURCES.md``; every number of the seeds is either a bundled figure or
listed with the reason it is not one. Bad input is checked against the
message the rule requires (file, line, column, value, rule), written here.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from alignment_stats.config import (
    BUNDLED_CLAIMS,
    BUNDLED_FIGURES,
    BUNDLED_STUDIES,
    PROJECT_ROOT,
    RAW_DIR,
    SOURCES_DIR,
)
from alignment_stats.schema import FIGURE_COLUMNS, DataValidationError
from alignment_stats.sources import load_benchmark, load_figures, read_claims

SEEDS = SOURCES_DIR / "seeds"
SOURCES_MD = SOURCES_DIR / "SOURCES.md"
SHARED = PROJECT_ROOT.parent / "shared"

S0, S1, S3, S4 = (
    "000_09e109b8ac1bbfdc.txt",
    "001_b2508f9a913de5cd.txt",
    "003_ffd68ac069cfeee4.txt",
    "004_036b5e5f9a73693d.txt",
)

# Every quantitative figure of the seed articles, read off the seeds by hand:
# (seed, study, item, group, value) with value a number or a (low, high)
# interval for a vague wording.
SEED_FIGURES = {
    (S0, "econsultancy_2015", "work_collaboratively", "it", 78),
    (S0, "econsultancy_2015", "work_collaboratively", "marketing", 58),
    (S1, "accenture_2014", "good_stride", "marketing", (0, 25)),  # "less than one-quarter"
    (S3, "leapfrog_2015", "very_collaborative", "marketing", 30),
    (S3, "leapfrog_2015", "very_collaborative", "it", 13),
    (S3, "leapfrog_2015", "improved_alignment", "marketing", 20),
    (S3, "leapfrog_2015", "improved_alignment", "it", 4),
    (S3, "leapfrog_2015", "no_shared_incentives", "marketing", 63),
    (S3, "leapfrog_2015", "no_shared_incentives", "it", 63),
    (S3, "leapfrog_2015", "deliver_omnichannel", "marketing", 54),
    (S3, "leapfrog_2015", "deliver_omnichannel", "it", 50),
    (S3, "leapfrog_2015", "omnichannel_developed", "it", (30, 37)),  # "one third"
    (S3, "leapfrog_2015", "omnichannel_developed", "marketing", (17, 23)),  # "one fifth"
    (S3, "leapfrog_2015", "omnichannel_important", "marketing", (45, 55)),  # "about half"
    (S3, "leapfrog_2015", "omnichannel_important", "it", (30, 37)),  # "one third"
    (S3, "leapfrog_2015", "importance_data_tracking_analytics", "marketing", 60),
    (S3, "leapfrog_2015", "importance_mobile_web", "marketing", 52),
    (S3, "leapfrog_2015", "importance_sem_seo", "marketing", 43),
    (S3, "leapfrog_2015", "importance_omnichannel", "marketing", 35),
    (S3, "leapfrog_2015", "expertise_mass_marketing", "marketing", 44),
    (S3, "leapfrog_2015", "expertise_data_tracking_analytics", "marketing", 41),
    (S3, "leapfrog_2015", "expertise_mobile_web", "marketing", 40),
    (S3, "leapfrog_2015", "expertise_sem_seo", "marketing", 27),
    (S3, "leapfrog_2015", "expertise_omnichannel", "marketing", 15),
    (S4, "cdo_projection_2015", "chief_digital_officer", "all", 25),
    (S4, "black_friday_ios", "ios_purchases", "all", 20),
    (S4, "accenture_2014", "system_problems", "all", 44),
    (S4, "accenture_2014", "bypass_it", "it", 34),
    (S4, "accenture_2014", "bypass_it", "marketing", 21),
}

# Numbers in the seeds that are not survey figures, with the reason.
NOT_FIGURES = {
    (S0, "1. Respect"), (S0, "2. Conduct"), (S0, "3. Create"), (S0, "4. Agree"), (S0, "5. Meet"),  # list numbering
    (S1, "Office 365"),  # product name
    (S1, "as many as 250 people"),  # product capability, not a survey result
    (S3, "3 Pitfalls"),  # headline
    (S3, "2015 CMO Digital"),  # study title
    (S3, "2017 Marketing Hall"),  # page furniture
    (S4, "last 5 years than in the last 25"),  # rhetoric, not a measured share
    (S4, "Officer in 2015"),  # year of the projection (kept as the row's year)
    (S4, "than in 2012"),  # year of comparison, no figure given
}

NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?|one[- ](?:third|fifth|quarter)|about half")


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _as_value(row) -> float | tuple[float, float]:
    return (row.low, row.high) if math.isnan(row.value) else row.value


# ---------------------------------------------------------------------------
# the bundled figures
# ---------------------------------------------------------------------------
def test_bundled_table_has_the_documented_columns_and_types(figures):
    assert list(figures.columns) == list(FIGURE_COLUMNS)
    assert str(figures["n"].dtype) == "Int64" and str(figures["year"].dtype) == "Int64"
    assert figures["value"].dtype == float and figures["decimals"].dtype == int
    assert not figures.duplicated(["study", "item", "group"]).any()
    # 29 seed figures (above) and 13 from external pages (SOURCES.md)
    assert len(figures) == 42 and (figures["source_kind"] == "seed").sum() == 29


def test_every_seed_figure_is_bundled_and_nothing_else(figures):
    seed_rows = figures[figures["source_kind"] == "seed"]
    bundled = {(r.source, r.study, r.item, r.group, _as_value(r)) for r in seed_rows.itertuples()}
    assert bundled == SEED_FIGURES


def test_vague_wordings_are_intervals_not_points(figures):
    seed_rows = figures[figures["source_kind"] == "seed"]
    vague = seed_rows[seed_rows["quote"].str.contains("one third|one fifth|about half|one-quarter")]
    assert len(vague) == 5
    assert vague["value"].isna().all()
    assert (vague["low"] < vague["high"]).all()


def test_seed_quotes_occur_verbatim_in_their_seed(figures):
    for row in figures[figures["source_kind"] == "seed"].itertuples():
        text = (SEEDS / row.source).read_text(encoding="utf-8")
        assert row.quote in text, f"{row.study}/{row.item}/{row.group}: quote not in {row.source}"


def test_external_quotes_occur_in_sources_md(figures, studies):
    sources = _normalise(SOURCES_MD.read_text(encoding="utf-8"))
    external = figures[figures["source_kind"] == "external"]
    assert len(external) > 0
    for row in external.itertuples():
        assert row.source.startswith("http"), row
        assert _normalise(row.quote) in sources, f"{row.study}/{row.item}: {row.quote!r}"
    for study_id, facts in studies.items():
        for ref in facts["sources"]:
            if ref["kind"] == "external":
                assert _normalise(ref["quote"]) in sources, (study_id, ref["quote"])
            else:
                text = (SEEDS / ref["file"]).read_text(encoding="utf-8")
                assert ref["quote"] in text, (study_id, ref["quote"])


def test_every_number_in_the_seeds_is_a_figure_or_explained(figures, studies):
    quotes: dict[str, list[str]] = {}
    for row in figures[figures["source_kind"] == "seed"].itertuples():
        quotes.setdefault(row.source, []).append(row.quote)
    for facts in studies.values():
        for ref in facts["sources"]:
            if ref["kind"] == "seed":
                quotes.setdefault(ref["file"], []).append(ref["quote"])
    for seed in (S0, S1, S3, S4):
        text = (SEEDS / seed).read_text(encoding="utf-8")
        covered = [
            (m.start(), m.end()) for q in quotes.get(seed, []) for m in re.finditer(re.escape(q), text)
        ] + [
            (m.start(), m.end()) for s, ctx in NOT_FIGURES if s == seed for m in re.finditer(re.escape(ctx), text)
        ]
        for match in NUMBER.finditer(text):
            inside = any(a <= match.start() and match.end() <= b for a, b in covered)
            context = text[max(0, match.start() - 30): match.end() + 30]
            assert inside, f"{seed}: {match.group()!r} in '...{context}...' is neither bundled nor explained"


def test_discrepancies_are_carried_as_data(figures, studies):
    # SOURCES.md: EPiServer reports 79% where eConsultancy says 78%; a 2014
    # summary gives 56% where Accenture's 2013 release says 57%.
    it = figures.query("item == 'work_collaboratively' and group == 'it'").set_index("study")["value"]
    assert it.to_dict() == {"econsultancy_2015": 78.0, "episerver_2015": 79.0}
    assert studies["episerver_2015"]["survey"] == studies["econsultancy_2015"]["survey"]
    cmo = figures.query("item == 'alignment_important' and group == 'marketing'")["value"]
    assert sorted(cmo) == [56.0, 57.0]


def test_bundled_sources_match_shared_copies():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    for seed in SEEDS.glob("*.txt"):
        assert seed.read_bytes() == (SHARED / "seeds" / seed.name).read_bytes()
    assert SOURCES_MD.read_bytes() == (SHARED / "SOURCES.md").read_bytes()


def test_load_benchmark_is_load_figures_of_the_bundled_file(figures):
    assert load_benchmark is load_figures
    pd.testing.assert_frame_equal(load_figures(BUNDLED_FIGURES, BUNDLED_STUDIES), figures)


def test_raw_files_are_not_modified_by_reading():
    before = {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()}
    load_figures()
    read_claims()
    assert {p: p.read_bytes() for p in RAW_DIR.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------------------
# a user's figures file: good and bad rows
# ---------------------------------------------------------------------------
HEADER = "study,item,group,value,low,high,unit,rounding,n,source,quote"
GOOD = "leapfrog_2015,very_collaborative,it,13,,,percent,unknown,,003.txt,only 13% of IT leaders feel the same way"


def _write(tmp_path: Path, text: str | bytes, name: str = "figures.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    return path


def _load_error(tmp_path: Path, text: str | bytes) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(DataValidationError) as info:
        load_figures(path)
    message = str(info.value)
    assert str(path) in message
    assert "\n" not in message  # one line
    return message


def test_minimal_compatible_csv_loads(tmp_path):
    frame = load_figures(_write(tmp_path, f"{HEADER}\n{GOOD}\n"))
    assert frame.loc[0, "value"] == 13.0 and frame.loc[0, "source_kind"] == "seed"
    assert pd.isna(frame.loc[0, "n"]) and frame.loc[0, "decimals"] == 0
    assert list(frame.columns) == list(FIGURE_COLUMNS)


def test_written_decimals_are_recorded(tmp_path):
    rows = [GOOD.replace(",13,", ",12.5,"), GOOD.replace("very_collaborative", "x").replace(",13,,,", ",,30.25,37,")]
    frame = load_figures(_write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert frame["decimals"].tolist() == [1, 2]  # "12.5" has 1 place; "30.25" has 2


@pytest.mark.parametrize(
    "row, expected",
    [
        (GOOD.replace(",13,", ",thirteen,"), r"line 2, column value: 'thirteen' .*number"),
        (GOOD.replace(",13,", ",130,"), r"line 2, column value: '130' is not a percentage \(0-100\)"),
        (GOOD.replace(",13,", ",-1,"), r"line 2, column value: '-1' is not a percentage"),
        (GOOD.replace(",13,", ",nan,"), r"line 2, column value: 'nan' must be a finite number"),
        (GOOD.replace(",13,", ",12.1234567,"), r"line 2, column value: '12.1234567' has more than 6 decimal places"),
        (GOOD.replace(",13,,,", ",,40,30,"), r"line 2, column low: '40' is greater than high \(30\)"),
        (GOOD.replace(",13,,,", ",,,,"), r"line 2: .*neither a value nor both low and high"),
        (GOOD.replace(",13,,,", ",13,10,20,"), r"line 2: .*both a value and low/high"),
        (GOOD.replace("unknown", "bankers"), r"line 2, column rounding: 'bankers' .*half_up"),
        (GOOD.replace("unknown", "any"), r"line 2, column rounding: 'any' .*'unknown'"),
        (GOOD.replace(",it,", ",cdo,"), r"line 2, column group: 'cdo' is not a known group \(known: marketing, it, all\)"),
        (GOOD.replace("leapfrog_2015", "leapfrog_2099"), r"line 2, column study: 'leapfrog_2099' is not described"),
        (GOOD.replace("leapfrog_2015", "Leapfrog 2015"), r"line 2, column study: 'Leapfrog 2015' must be a snake_case"),
        (GOOD.replace(",,003", ",0,003"), r"line 2, column n: '0' .*greater than 0"),
        (GOOD.replace(",,003", ",10.5,003"), r"line 2, column n: '10.5' .*integer"),
        (GOOD.replace("only 13% of IT leaders feel the same way", ""), r"line 2, column quote: ''"),
        (GOOD.replace("only 13% of IT leaders feel the same way", "13%"), r"line 2, column quote: '13%' is too short"),
        (GOOD.replace(",percent,", ",permille,"), r"line 2, column unit: 'permille'"),
        (GOOD.replace(",percent,", ",count,").replace(",13,", ",2.5,"), r"line 2, column value: '2.5' is not a count"),
        (GOOD.replace(",percent,", ",count,").replace(",,003", ",10,003"), (r"line 2, column value: '13' is larger than "
                                                                            r"the group size n = 10")),
        (GOOD + ",extra", r"line 2: 12 fields, expected 11"),
    ],
)
def test_bad_rows_name_file_line_column_and_rule(tmp_path, row, expected):
    message = _load_error(tmp_path, f"{HEADER}\n{row}\n")
    assert re.search(expected, message), message


def test_error_on_a_later_line_names_that_line(tmp_path):
    other = GOOD.replace("very_collaborative", "improved_alignment")
    message = _load_error(tmp_path, f"{HEADER}\n{GOOD}\n\n{other.replace(',13,', ',x,')}\n")
    assert "line 4, column value: 'x'" in message  # the blank line 3 is skipped, not renumbered


def test_paired_items_need_both_pair_and_measure(tmp_path):
    header = HEADER + ",pair,measure"
    message = _load_error(tmp_path, f"{header}\n{GOOD},,importance\n")
    assert "column pair: '' is empty but measure is set" in message
    message = _load_error(tmp_path, f"{header}\n{GOOD},skill,\n")
    assert "column measure: '' is empty but pair is set" in message


def test_all_group_must_be_declared_by_the_study(tmp_path):
    message = _load_error(tmp_path, f"{HEADER}\n{GOOD.replace(',it,', ',all,')}\n")
    assert "'all' is not a group of study 'leapfrog_2015' (its groups: marketing, it)" in message


def test_duplicate_figure(tmp_path):
    message = _load_error(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD}\n")
    assert ("line 3, columns study/item/group: duplicate figure leapfrog_2015/very_collaborative/it "
            "(first given on line 2)") in message


def test_missing_unknown_and_duplicate_columns(tmp_path):
    message = _load_error(tmp_path, HEADER.replace(",quote", "") + "\n" + GOOD.rsplit(",", 1)[0] + "\n")
    assert "line 1: missing column(s) quote" in message
    message = _load_error(tmp_path, HEADER + ",colour\n" + GOOD + ",red\n")
    assert "line 1: unknown column(s) 'colour'" in message
    message = _load_error(tmp_path, HEADER + ",note,note\n" + GOOD + ",a,b\n")
    assert "line 1: duplicate column(s) note" in message


def test_empty_files(tmp_path):
    assert "file is empty" in _load_error(tmp_path, "")
    assert "file is empty" in _load_error(tmp_path, "  \n\n")
    assert "no data rows" in _load_error(tmp_path, HEADER + "\n")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataValidationError, match="file not found"):
        load_figures(tmp_path / "nope.csv", studies=BUNDLED_STUDIES)
    folder = tmp_path / "figures.csv"
    folder.mkdir()
    with pytest.raises(DataValidationError) as info:
        load_figures(folder, studies=BUNDLED_STUDIES)
    assert str(info.value) == f"{folder}: is a directory, not a file"


def test_study_not_described_beside_the_file_hints_at_studies_yaml(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\n{GOOD.replace('leapfrog_2015', 'my_study_2024')}\n", encoding="utf-8")
    # no studies.yaml beside it: the bundled one is used, and the message says how to describe the study
    with pytest.raises(DataValidationError) as info:
        load_figures(path)
    message = str(info.value)
    assert f"not described in {BUNDLED_STUDIES}" in message
    assert "studies.yaml beside figures.csv" in message and "--studies" in message


def test_studies_given_explicitly(tmp_path, new_study):
    figures = load_figures(new_study / "figures.csv")
    moved = tmp_path / "elsewhere.csv"
    shutil.copy(new_study / "figures.csv", moved)
    pd.testing.assert_frame_equal(load_figures(moved, studies=new_study / "studies.yaml"), figures)


def test_new_study_fixtures_load_by_hand_count(new_study):
    figures = load_figures(new_study / "figures.csv")
    raw = pd.read_csv(new_study / "figures.csv")
    assert len(figures) == len(raw) == 8
    assert figures["value"].tolist() == raw["value"].astype(float).tolist()
    assert set(figures["study"]).isdisjoint(set(load_figures()["study"]))


def test_claims_csv_is_not_a_figures_file():
    with pytest.raises(DataValidationError, match=r"line 1: missing column\(s\) item, group, value"):
        load_figures(BUNDLED_CLAIMS, studies=BUNDLED_STUDIES)
