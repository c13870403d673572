"""sources.claims: the bundled claims (verbatim in their seeds, referencing bundled figures) and claims validation.

References: the claim ids and kinds are listed here by hand from the seed
articles; each quote is searched verbatim in its seed; each reference is
looked up in the figures table with plain pandas; the skip reasons and error
messages are the ones the module documents, written out here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from alignment_stats.config import BUNDLED_CLAIMS, SOURCES_DIR
from alignment_stats.schema import CLAIM_COLUMNS, DataValidationError
from alignment_stats.sources import (
    load_claims,
    load_figures,
    read_claims,
    resolve_claims,
)

SEEDS = SOURCES_DIR / "seeds"
HEADER = ",".join(CLAIM_COLUMNS)
ROW = ("c1,difference,leapfrog_2015,003.txt,Marketers are much more optimistic than IT,"
       "very_collaborative/marketing,>,very_collaborative/it")

CLAIM_IDS = {
    "marketers_more_optimistic": "difference",
    "both_lack_shared_incentives": "agreement",
    "both_deliver_omnichannel": "agreement",
    "it_sees_omnichannel_developed": "difference",
    "marketing_prioritises_omnichannel": "difference",
    "skills_trail_importance": "gap",
    "expertise_mostly_mass_marketing": "gap",
    "it_more_collaborative_than_marketing": "difference",
    "vendor_bypass_disconnect": "difference",
}


def test_claims_quote_verbatim_and_reference_figures(figures):
    claims = load_claims(known=figures)
    assert dict(zip(claims["claim_id"], claims["kind"])) == CLAIM_IDS
    for row in claims.itertuples():
        text = (SEEDS / row.source).read_text(encoding="utf-8")
        assert row.quote in text, row.claim_id
        for item, group in ((row.item_a, row.group_a), (row.item_b, row.group_b)):
            match = figures[(figures["study"] == row.study) & (figures["item"] == item) & (figures["group"] == group)]
            assert len(match) == 1, (row.claim_id, item, group)
    # a gap compares two measures of the same respondents; a difference two groups
    gaps = claims[claims["kind"] == "gap"]
    assert (gaps["group_a"] == gaps["group_b"]).all()
    differences = claims[claims["kind"] != "gap"]
    assert (differences["group_a"] != differences["group_b"]).all()
    assert len(claims[claims["claim_id"] == "skills_trail_importance"]) == 4
    # the relation fits the kind: '=' for agreement only
    assert ((claims["kind"] == "agreement") == (claims["relation"] == "=")).all()


def test_read_claims_columns_and_lines():
    claims = read_claims()
    assert list(claims.columns) == [*CLAIM_COLUMNS, "line", "item_a", "group_a", "item_b", "group_b"]
    raw = pd.read_csv(BUNDLED_CLAIMS)
    assert len(claims) == len(raw)
    assert claims["line"].tolist() == list(range(2, len(raw) + 2))
    assert (claims["item_a"] + "/" + claims["group_a"]).tolist() == raw["figure_a"].tolist()


def test_claim_with_unknown_figure_is_rejected(tmp_path, figures):
    text = BUNDLED_CLAIMS.read_text(encoding="utf-8")
    bad = tmp_path / "claims.csv"
    bad.write_text(text.replace("very_collaborative/it", "very_colaborative/it", 1), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"claims.csv line 2, column figure_b: 'very_colaborative/it' "
                                                  r"is not a figure of study 'leapfrog_2015'"):
        load_claims(bad, known=figures)


def test_bundled_claims_on_another_input_are_skipped_with_a_reason(figures):
    claims = read_claims()
    econsultancy = figures[figures["study"] == "econsultancy_2015"]
    kept, skipped = resolve_claims(claims, econsultancy, strict=False)
    assert kept["claim_id"].unique().tolist() == ["it_more_collaborative_than_marketing"]
    assert skipped["vendor_bypass_disconnect"] == "study accenture_2014 is not in the input"
    assert set(skipped) == set(CLAIM_IDS) - {"it_more_collaborative_than_marketing"}
    # a study present but one figure missing: the whole claim goes, with the figure named
    leapfrog = figures[(figures["study"] == "leapfrog_2015")
                       & ~((figures["item"] == "improved_alignment") & (figures["group"] == "it"))]
    kept, skipped = resolve_claims(claims, leapfrog, strict=False)
    assert skipped["marketers_more_optimistic"] == "figure improved_alignment/it of study leapfrog_2015 is not in the input"
    assert "marketers_more_optimistic" not in set(kept["claim_id"])
    assert "both_lack_shared_incentives" in set(kept["claim_id"])


def test_strict_resolution_names_the_figures_of_the_study(figures):
    claims = read_claims()
    without = figures[~((figures["study"] == "leapfrog_2015") & (figures["item"] == "very_collaborative"))]
    with pytest.raises(DataValidationError) as info:
        resolve_claims(claims, without, path="claims.csv", strict=True)
    message = str(info.value)
    assert message.startswith("claims.csv line 2, column figure_a: 'very_collaborative/marketing' is not a figure")
    assert "improved_alignment/it" in message  # the study's figures, listed


def test_studies_argument_restricts_the_claims(figures):
    claims = load_claims(studies=["accenture_2014"])
    assert claims["claim_id"].unique().tolist() == ["vendor_bypass_disconnect"]


def test_user_claims_file_of_a_new_study():
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "published_sizes"
    figures = load_figures(folder / "figures.csv")
    claims = load_claims(folder / "claims.csv", known=figures)
    raw = pd.read_csv(folder / "claims.csv")
    assert claims["claim_id"].tolist() == raw["claim_id"].tolist()
    assert set(claims["study"]) == {"acme_2024"}


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "claims.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_claims(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.mark.parametrize(
    "row, expected",
    [
        (ROW.replace("difference", "contrast"), r"line 2, column kind: 'contrast'"),
        (ROW.replace(",>,", ",>=,"), r"line 2, column relation: '>='"),
        (ROW.replace(",>,", ",=,"), r"line 2, column relation: '=' does not fit kind 'difference' \(use '>' or '<'\)"),
        (ROW.replace("difference", "agreement"), (r"line 2, column relation: '>' does not fit kind 'agreement' "
                                                 r"\(use '='\)")),
        (ROW.replace("very_collaborative/it", "very_collaborative"), (r"line 2, column figure_b: 'very_collaborative' "
                                                                     r"must reference a figure as item/group")),
        (ROW.replace("c1,", "Claim One,"), r"line 2, column claim_id: 'Claim One' must be a snake_case id"),
        (ROW.replace("Marketers are much more optimistic than IT", "short"), r"line 2, column quote: 'short'"),
        (ROW + ",x", r"line 2: 9 fields, expected 8"),
    ],
)
def test_bad_claim_rows(tmp_path, row, expected):
    message = _error(tmp_path, f"{HEADER}\n{row}\n")
    assert re.search(expected, message), message


def test_missing_columns_and_empty(tmp_path):
    assert "line 1: missing column(s) relation" in _error(tmp_path, HEADER.replace(",relation", "") + "\n" + ROW + "\n")
    assert "no data rows" in _error(tmp_path, HEADER + "\n")
