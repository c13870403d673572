"""summary.json v3 (``report.summary``; issue 12 item 6) and the files of a real run (issue 16 item 11, umask).

References: the JSON Schema in ``docs/summary.schema.json`` checked with the
``jsonschema`` package (an implementation independent of pydantic);
hashlib and a plain directory walk for ``files``; the csv module on the
run's own ``claims.csv``/``claim_comparisons.csv`` for ``claims``; counts
derived by hand from the published_sizes fixture (62% of 150 marketers is
93, the only count that rounds half-up to 62%; 41% of 120 is 49 only) and
statsmodels' Newcombe interval for the difference; ``stat`` mode bits for
files created under umask 022.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError
from statsmodels.stats.proportion import confint_proportions_2indep

from alignment_stats.config import PROCESSED_DIR, PROJECT_ROOT
from alignment_stats.report.summary import (
    SCHEMA_VERSION,
    headline,
    json_schema,
    read_claims,
    write_summary,
)
from alignment_stats.schema import NOTEBOOK_STATUSES, VERDICTS

SCHEMA_FILE = PROJECT_ROOT / "docs" / "summary.schema.json"


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """The committed schema, or (not committed yet) json_schema() written to a temporary file."""
    if SCHEMA_FILE.is_file():
        return load(SCHEMA_FILE)
    path = tmp_path_factory.mktemp("schema") / "summary.schema.json"
    path.write_text(json.dumps(json_schema(), indent=2), encoding="utf-8")
    return load(path)


def test_committed_schema_is_current():
    if not SCHEMA_FILE.is_file():
        pytest.skip("docs/summary.schema.json is not written yet (the other tests use json_schema())")
    assert load(SCHEMA_FILE) == json.loads(json.dumps(json_schema())), \
        "docs/summary.schema.json differs from alignment_stats.report.summary.json_schema(); regenerate it"


def test_schema_is_a_valid_json_schema(schema):
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schema["properties"]["schema_version"].get("const") == SCHEMA_VERSION == 3


def test_real_summary_validates_against_the_schema(complete, schema):
    summary = load(complete.path / "summary.json")
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(summary)]
    assert problems == []
    assert summary["schema_version"] == 3 and summary["status"] == "complete" and summary["run_id"] == "clean"


def test_schema_rejects_what_v3_forbids(complete, schema):
    summary = load(complete.path / "summary.json")
    validator = jsonschema.validators.validator_for(schema)(schema)
    for broken in ({**summary, "schema_version": 2}, {**summary, "status": "ok"}, {**summary, "surprise": 1},
                   {**summary, "notebooks": [{**summary["notebooks"][0], "status": "ok"}]},
                   {**summary, "files": [{"path": "x", "sha256": "0" * 64}]}):
        assert not validator.is_valid(broken)


def test_files_list_every_file_with_its_sha256_and_size(complete):
    summary = load(complete.path / "summary.json")
    expected = []
    for root, dirs, names in os.walk(complete.path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(root) / name
            rel = path.relative_to(complete.path).as_posix()
            if name.startswith(".") or rel in ("summary.json", "index.html"):
                continue
            data = path.read_bytes()
            expected.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    assert sorted(summary["files"], key=lambda f: f["path"]) == sorted(expected, key=lambda f: f["path"])
    paths = {f["path"] for f in summary["files"]}
    for nb in summary["notebooks"]:
        assert {nb["notebook"], nb["html"]} <= paths


def test_claims_are_those_of_the_claims_files(complete):
    summary = load(complete.path / "summary.json")
    results = complete.path / "01_perception_gap" / "results"
    with (results / "claims.csv").open(newline="", encoding="utf-8") as handle:
        claims = list(csv.DictReader(handle))
    with (results / "claim_comparisons.csv").open(newline="", encoding="utf-8") as handle:
        comparisons = list(csv.DictReader(handle))
    assert [(c["notebook"], c["claim_id"], c["study"], c["verdict"]) for c in summary["claims"]] == [
        ("01_perception_gap", c["claim_id"], c["study"], c["verdict"]) for c in claims]
    for claim in summary["claims"]:
        rows = [r for r in comparisons if r["claim_id"] == claim["claim_id"]]
        assert [(c["item"], c["k1"], c["n1"], c["k2"], c["n2"]) for c in claim["comparisons"]] == [
            (r["item"], int(r["k1"]), int(r["n1"]), int(r["k2"]), int(r["n2"])) for r in rows]
    assert summary["headline"]["claims"] == dict(Counter(c["verdict"] for c in claims))
    assert summary["headline"]["notebooks"] == {"complete": 2}
    assert {c["verdict"] for c in summary["claims"]} <= set(VERDICTS)


def test_claim_counts_and_interval_from_first_principles(complete):
    """62% of 150 and 41% of 120 (half-up) admit one count each: 93 and 49; the CI is Newcombe's."""
    summary = load(complete.path / "summary.json")
    [claim] = [c for c in summary["claims"] if c["claim_id"] == "marketers_plan_more"]
    [comparison] = claim["comparisons"]
    assert [k for k in range(151) if int(100 * k / 150 + 0.5) == 62] == [93]
    assert [k for k in range(121) if int(100 * k / 120 + 0.5) == 41] == [49]
    assert (comparison["group1"], comparison["k1"], comparison["n1"]) == ("marketing", 93, 150)
    assert (comparison["group2"], comparison["k2"], comparison["n2"]) == ("it", 49, 120)
    assert comparison["diff"] == pytest.approx(93 / 150 - 49 / 120, abs=1e-12)
    low, high = confint_proportions_2indep(93, 150, 49, 120, method="newcomb", compare="diff", alpha=0.05)
    assert (comparison["ci_low"], comparison["ci_high"]) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert comparison["ci_level"] == 0.95 and comparison["n_source"] == "published"


def test_notebook_entries(complete):
    summary = load(complete.path / "summary.json")
    assert [nb["name"] for nb in summary["notebooks"]] == ["00_data_audit", "01_perception_gap"]
    for nb in summary["notebooks"]:
        assert nb["status"] in NOTEBOOK_STATUSES and nb["status"] == "complete" and nb["cached_from"] is None
        assert nb["source"] == f"notebooks/{nb['name']}.ipynb" and nb["seconds"] > 0
        assert nb["parameters"]["input"] == complete.params["input"]
        assert (PROCESSED_DIR / nb["counts_key"] / "manifest.json").is_file()
    assert summary["executor"]["name"] == "local" and summary["cache"]["enabled"] is True
    assert summary["parameters"] == complete.params  # as given on the command line (made absolute)
    assert "Traceback" not in complete.proc.stderr
    assert f"Report complete: {complete.path / 'index.html'}" in complete.proc.stdout


def test_run_files_are_0644_under_umask_022(complete):
    """Issue 16 item 11: results, figures, notebooks, summary and processed counts follow the umask."""
    summary = load(complete.path / "summary.json")
    wrong = {}
    files = [complete.path / f["path"] for f in summary["files"]] + [complete.path / "summary.json",
                                                                     complete.path / "index.html"]
    for nb in summary["notebooks"]:
        files += [p for p in (PROCESSED_DIR / nb["counts_key"]).iterdir() if p.is_file()]
    for path in files:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o644:
            wrong[str(path)] = oct(mode)
    folders = [complete.path, *[p for p in complete.path.rglob("*") if p.is_dir()]]
    wrong.update({str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in folders
                  if stat.S_IMODE(p.stat().st_mode) != 0o755})
    assert any("/results/" in str(p) for p in files) and any("/figures/" in str(p) for p in files)
    assert wrong == {}


# --------------------------------------------------------------------------- the functions, by hand


def test_write_summary_refuses_a_summary_the_schema_refuses(tmp_path, complete):
    summary = load(complete.path / "summary.json")
    for broken in ({**summary, "schema_version": 2}, {**summary, "extra": 1}, {**summary, "status": "ok"}):
        with pytest.raises(ValidationError):
            write_summary(tmp_path / "s.json", broken)
    assert not (tmp_path / "s.json").exists()
    written = write_summary(tmp_path / "s.json", summary)
    assert load(tmp_path / "s.json") == written == summary


def test_read_claims_and_headline_by_hand(tmp_path):
    results = tmp_path / "01_x" / "results"
    results.mkdir(parents=True)
    (results / "claims.csv").write_text("claim_id,study,quote,verdict\nc1,s,q,supported\nc2,s,q,illustrative\n",
                                        encoding="utf-8")
    (results / "claim_comparisons.csv").write_text(
        "claim_id,item,group1,group2,k1,n1,k2,n2,diff,ci_low,ci_high,ci_level,p_adjusted,n_source,verdict\n"
        "c1,i,marketing,it,3,10,1,10,0.2,,,0.95,nan,published,supported\n", encoding="utf-8")
    claims = read_claims(tmp_path, "01_x")
    assert [c["claim_id"] for c in claims] == ["c1", "c2"] and claims[1]["comparisons"] == []
    first = claims[0]["comparisons"][0]
    assert (first["k1"], first["n1"], first["diff"], first["ci_low"], first["p_adjusted"]) == (3, 10, 0.2, None, None)
    assert read_claims(tmp_path, "02_none") == []
    (results / "claims.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="claims.csv"):
        read_claims(tmp_path, "01_x")
    notebooks = [{"status": "complete"}, {"status": "cached"}, {"status": "complete"}]
    assert headline(notebooks, [{"verdict": "supported"}]) == {
        "notebooks": {"complete": 2, "cached": 1}, "claims": {"supported": 1}}
