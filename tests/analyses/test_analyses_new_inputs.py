"""A researcher's own study through the Python API (issue 15 items 4 and 8): claims files, skipped claims, applicability.

References: scipy ``fisher_exact`` and statsmodels ``multipletests`` /
``confint_proportions_2indep`` on counts derived by hand from the fixture
figures (in the comments, checked by exact enumeration); the bundled claims
file read with the ``csv`` module.
"""

from __future__ import annotations

import csv
import shutil
import warnings

import pandas as pd
import pytest
import rounding_brute as brute
from analysis_runs import STUDIES_DIR, run, store, study_input
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from alignment_stats.analyses import ANALYSES
from alignment_stats.config import BUNDLED_CLAIMS, BUNDLED_FIGURES, BUNDLED_STUDIES
from alignment_stats.counts import load_counts
from alignment_stats.schema import VERDICTS

PUBLISHED = STUDIES_DIR / "published_sizes"
NAMES = {"00_data_audit": "audit", "01_perception_gap": "perception", "02_shared_incentives": "incentives",
         "03_skills_gap": "skills", "04_benchmark_comparison": "benchmark"}


def _fisher(k1, n1, k2, n2):
    return fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1]


def _bundled_claim_ids():
    with open(BUNDLED_CLAIMS, encoding="utf-8", newline="") as handle:
        return {r["claim_id"]: r["study"] for r in csv.DictReader(handle)}


def _parameters(notebook, **parameters):
    """Settings of one notebook for an input of published figures (04 then has no codebook)."""
    if notebook == "04_benchmark_comparison" and "input" in parameters:
        parameters.setdefault("codebook", None)
    if notebook == "00_data_audit":
        parameters.pop("study", None)
    return parameters


def _applicability(notebook, **parameters):
    analysis = ANALYSES[notebook]
    settings = analysis.settings(**_parameters(notebook, **parameters))
    bundle = load_counts(**settings.counts_options(), store=store())
    return analysis.applicable(bundle, settings)


def test_published_sizes_with_claims_runs_every_applicable_analysis(runs):
    parameters = {"input": str(PUBLISHED / "figures.csv"), "claims": str(PUBLISHED / "claims.csv")}
    applicable = {name: _applicability(name, **parameters) for name in ANALYSES}
    # no acme_2024 item is a Leapfrog item, so only the comparison with the benchmark does not apply
    assert [n for n, why in applicable.items() if why is None] == ["00_data_audit", "01_perception_gap",
                                                                    "02_shared_incentives", "03_skills_gap"]
    assert isinstance(applicable["04_benchmark_comparison"], str)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = {name: runs(NAMES[name], **_parameters(name, **parameters)) for name, why in applicable.items()
                   if why is None}
    # published sizes 150 and 120: 62% of 150 = 93, 41% of 120 = 49.2 -> 49; 48% of 150 = 72; 71% of 120 = 85.2 -> 85
    assert brute.feasible(41, 120, "half_up") == [49] and brute.feasible(71, 120, "half_up") == [85]
    gaps = results["01_perception_gap"].table.set_index("item")
    assert tuple(gaps.loc["joint_planning", ["k1", "n1", "k2", "n2"]]) == (93, 150, 49, 120)
    assert tuple(gaps.loc["trust_data", ["k1", "n1", "k2", "n2"]]) == (72, 150, 85, 120)
    assert (gaps["n_source"] == "published").all()
    tested = gaps[gaps["status"] == "ok"]
    pvalues = [_fisher(*tuple(r)) for r in tested[["k1", "n1", "k2", "n2"]].itertuples(index=False)]
    assert tested["p_adjusted"].to_numpy() == pytest.approx(multipletests(pvalues, method="holm")[1], abs=1e-12)
    # the claims file's own claims are judged: marketers plan more (62% vs 41%), IT trusts data more (71% vs 48%)
    assert confint_proportions_2indep(93, 150, 49, 120, method="newcomb")[0] > 0
    assert confint_proportions_2indep(85, 120, 72, 150, method="newcomb")[0] > 0
    verdicts = results["01_perception_gap"].claims.set_index("claim_id")["verdict"].to_dict()
    assert verdicts == {"marketers_plan_more": "supported", "it_trusts_data_more": "supported"}
    agreement = results["02_shared_incentives"]
    assert agreement.table["item"].tolist() == ["shared_kpis"]
    assert agreement.claims.set_index("claim_id")["verdict"].to_dict() == {"both_share_kpis":
                                                                          "undecidable with this sample"}
    skills = results["03_skills_gap"].table.set_index("pair")
    # 70% and 38% of the same 150 marketers: 105 and 57
    assert tuple(skills.loc["analytics", ["n", "k_a", "k_b"]]) == (150, 105, 57)
    sizes = results["00_data_audit"].sizes.set_index("group")
    assert sizes.loc["marketing", "n"] == 150 and sizes.loc["it", "n"] == 120
    assert (sizes["n_source"] == "published").all()


@pytest.mark.parametrize("name", ["published_sizes", "total_and_shares", "no_sizes"])
def test_a_new_study_without_claims_skips_the_bundled_claims(name):
    bundle = load_counts(**study_input(name), store=store())
    bundled = _bundled_claim_ids()
    # none of the bundled claims' studies is in the input: every one is skipped, with the reason
    assert set(bundle.skipped_claims) == set(bundled)
    for claim_id, why in bundle.skipped_claims.items():
        assert bundled[claim_id] in why and "not in the input" in why
    assert bundle.claims.empty
    if name == "no_sizes":  # and the analyses judge none of them
        result = run("perception", **study_input(name))
        assert result.claims.empty and result.comparisons.empty


def test_bundled_claims_are_kept_for_the_studies_in_the_input(tmp_path):
    # an input with two of the bundled studies: their claims are judged, the others skipped
    path = tmp_path / "figures.csv"
    raw = pd.read_csv(BUNDLED_FIGURES, dtype=str, keep_default_na=False)
    raw[raw["study"].isin(["econsultancy_2015", "episerver_2015"])].to_csv(path, index=False)
    shutil.copy(BUNDLED_STUDIES, tmp_path / "studies.yaml")
    result = run("perception", input=str(path))
    bundle = result.bundle
    bundled = _bundled_claim_ids()
    kept = {c for c, s in bundled.items() if s == "econsultancy_2015"}
    assert set(bundle.claims["claim_id"]) == kept == {"it_more_collaborative_than_marketing"}
    assert set(bundle.skipped_claims) == set(bundled) - kept
    verdicts = result.claims.set_index("claim_id")["verdict"].to_dict()
    assert verdicts == {"it_more_collaborative_than_marketing": "supported"}


def test_a_claims_file_replaces_the_bundled_claims(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,kind,study,source,quote,figure_a,relation,figure_b\n"
                    "marketing_less_collaborative,difference,econsultancy_2015,own,Marketers see less collaboration "
                    "than IT does.,work_collaboratively/marketing,<,work_collaboratively/it\n", encoding="utf-8")
    result = run("perception", claims=str(path), study="econsultancy_2015")
    bundle = result.bundle
    assert bundle.claims["claim_id"].tolist() == ["marketing_less_collaborative"] and bundle.skipped_claims == {}
    # 58/100 marketers vs 86/110 IT: the interval of marketing - IT lies below 0
    assert confint_proportions_2indep(58, 100, 86, 110, method="newcomb")[1] < 0
    assert result.claims.set_index("claim_id")["verdict"].to_dict() == {"marketing_less_collaborative": "supported"}
    assert "marketers_more_optimistic" not in set(result.comparisons["claim_id"])
    # no agreement claim left, so the agreement analysis has nothing to test on the bundled figures
    assert isinstance(_applicability("02_shared_incentives", claims=str(path)), str)


def test_total_and_shares_and_no_sizes_run_end_to_end(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split = runs("perception", **study_input("total_and_shares")).table
        assumed = runs("perception", **study_input("no_sizes")).table
        skills = runs("skills", **study_input("no_sizes")).table
    assert (split["n1"] == 144).all() and (split["n2"] == 96).all()
    # orbit_2022 publishes no size: 100 per group assumed, flagged, illustrative
    assert (assumed["n_source"] == "assumed").all() and (assumed["n1"] == 100).all() and (assumed["n2"] == 100).all()
    # 62% and 41% of an assumed 100: 62 and 41
    assert tuple(assumed.set_index("item").loc["joint_planning", ["k1", "k2"]]) == (62, 41)
    # the skills gap assumes nothing: without a size it is not compared
    assert skills["status"].tolist() == ["no_size"] and skills["gap"].isna().all()
    assert isinstance(_applicability("02_shared_incentives", **study_input("no_sizes")), str)


# ---------------------------------------------------------------------------
# issue 15 item 8: not applicable instead of failing
# ---------------------------------------------------------------------------


def test_applicability_for_accenture_2014():
    assert _applicability("01_perception_gap", study="accenture_2014") is None
    skills = _applicability("03_skills_gap", study="accenture_2014")
    assert isinstance(skills, str) and "accenture_2014" in skills and "paired" in skills
    agreement = _applicability("02_shared_incentives", study="accenture_2014")
    assert isinstance(agreement, str) and "agreement" in agreement


def test_benchmark_does_not_apply_to_a_study_outside_its_input():
    # notebook 04 reads the demo survey by default; accenture_2014 is not in it: a reason, not an exception
    reason = _applicability("04_benchmark_comparison", study="accenture_2014")
    assert isinstance(reason, str) and "accenture_2014" in reason


def test_every_new_study_gets_verdicts_from_the_vocabulary(new_study, runs):
    claims = new_study / "claims.csv"
    parameters = {"input": str(new_study / "figures.csv"), **({"claims": str(claims)} if claims.exists() else {})}
    for name in ("perception", "incentives", "skills"):
        result = runs(name, **parameters)
        assert set(result.claims["verdict"]) <= set(VERDICTS)
        assert set(result.comparisons["verdict"]) <= set(VERDICTS)
