"""The plan of a report (``report.plan``, ``report.parameters``, ``report.notebooks``), with no kernel.

Reference: the documented rules (docs/reports.md, the settings models'
bounds as declared in ``analyses/settings.py``, issue 13): each expected
value below is written out by hand from those rules (a string parameter
converted to the declared type, the bound that is broken, the run-id
alphabet), never taken from the code's output. Every test runs under the
``no_kernels`` hook and checks that nothing was created under ``--out``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from report_testing import PUBLISHED, entries, make_notebook

from alignment_stats.config import NOTEBOOK_DIR, PACKAGE_DIR, RAW_DIR
from alignment_stats.report import (
    AUTO,
    KernelNotFoundError,
    Options,
    ReportError,
    RunExistsError,
    declared_parameters,
    discover_notebooks,
    make_plan,
    select_notebooks,
)
from alignment_stats.report.notebooks import new_run_id, validate_run_id
from alignment_stats.report.parameters import check_known, notebook_values, text_value

NOTEBOOKS = ["00_data_audit", "01_perception_gap", "02_shared_incentives", "03_skills_gap",
             "04_benchmark_comparison"]


def plan(notebooks, tmp_path, params=None, **options):
    run_id = options.pop("run_id", "r")
    return make_plan(notebooks, params or {}, tmp_path / "reports", run_id, Options(**{"compare_to": None, **options}))


# --------------------------------------------------------------------------- text values


@pytest.mark.parametrize(("text", "type_name", "expected"), [
    ("0.01", "float", 0.01), ("1", "float", 1.0), (" 25 ", "int", 25), ("-3", "int", -3),
    ("False", "bool", False), ("no", "bool", False), ("yes", "bool", True), ("ON", "bool", True),
    ("007", "str", "007"), ("None", "str", "None"), ("None", "Optional[int]", None), ("12", "Optional[int]", 12),
    ("a, b,,c ", "list[str]", ["a", "b", "c"]), ("None", "Optional[list[str]]", None),
    ("x", "Optional[list[str]]", ["x"]),
])
def test_text_value_converts_to_the_declared_type(text, type_name, expected):
    value = text_value(text, type_name)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "type_name", "message"), [
    ("abc", "float", "is not a number"), ("2.5", "int", "is not a whole number"),
    ("maybe", "bool", "is not true/false"), ("", "Optional[float]", "is not a number"),
])
def test_text_value_refuses_what_the_type_cannot_hold(text, type_name, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        text_value(text, type_name)


# --------------------------------------------------------------------------- tiny notebooks


def test_each_notebook_gets_the_parameters_it_declares_typed(no_kernels, tiny, tmp_path):
    p = plan(tiny, tmp_path, {"alpha": "0.1", "flag": "no", "items": "x,y", "n": "7"})
    first, second = p.steps
    assert first.values == {"alpha": 0.1}  # 00_first declares alpha only
    assert second.values == {"alpha": 0.1, "flag": False, "items": ["x", "y"], "n": 7}
    assert [s.status for s in p.steps] == ["run", "run"] and p.to_run == list(p.steps)
    assert p.final == tmp_path / "reports" / "r" and p.failed == tmp_path / "reports" / "r.failed"
    assert entries(tmp_path / "reports") == [] and no_kernels == []


def test_typed_values_pass_unchanged(no_kernels, tiny, tmp_path):
    second = plan(tiny[1:], tmp_path, {"alpha": 0.2, "items": None, "label": "None"}).steps[0]
    assert second.values == {"alpha": 0.2, "items": None, "label": "None"}


@pytest.mark.parametrize(("name", "text", "message"), [
    ("alpha", "abc", "parameter alpha of 00_first: 'abc' is not a number"),
    ("n", "2.5", "parameter n of 01_second: '2.5' is not a whole number"),
    ("flag", "maybe", "parameter flag of 01_second: 'maybe' is not true/false"),
])
def test_bad_value_names_parameter_and_notebook(no_kernels, tiny, tmp_path, name, text, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        plan(tiny, tmp_path, {name: text})
    assert entries(tmp_path / "reports") == []


def test_long_values_are_cut_in_messages(no_kernels, tiny, tmp_path):
    with pytest.raises(ReportError) as info:
        plan(tiny, tmp_path, {"alpha": "x" * 100_000})
    assert len(str(info.value)) < 400


def test_unknown_parameter_names_it_and_lists_the_known_ones(no_kernels, tiny, tmp_path):
    with pytest.raises(ReportError) as info:
        plan(tiny, tmp_path, {"alhpa": "0.1"})
    message = str(info.value)
    assert "'alhpa'" in message and "no selected notebook declares it" in message
    for known in ("alpha", "flag", "items", "label", "n"):
        assert re.search(rf"\b{known}\b", message.split("known parameters:")[1])
    assert "output_dir" not in message.split("known parameters:")[1]
    assert entries(tmp_path / "reports") == []


def test_check_known_lenient_wording(tiny):
    declared = [declared_parameters(p) for p in tiny]
    check_known({"alpha": 1}, declared)
    with pytest.raises(ReportError, match="no notebook declares it"):
        check_known({"zzz": 1}, declared, lenient=True)


def test_output_dir_is_the_runners(no_kernels, tiny, tmp_path):
    with pytest.raises(ReportError, match="output_dir is set by the report runner.*--out"):
        plan(tiny, tmp_path, {"output_dir": str(tmp_path / "elsewhere")})
    assert not (tmp_path / "elsewhere").exists() and entries(tmp_path / "reports") == []


def test_notebook_without_output_dir_or_parameters_cell_is_refused(no_kernels, tmp_path):
    no_out = make_notebook(tmp_path / "00_x.ipynb", params="alpha: float = 0.05\n")
    with pytest.raises(ReportError, match="no output_dir"):
        plan([no_out], tmp_path)
    import nbformat

    bare = nbformat.v4.new_notebook()
    bare.metadata["kernelspec"] = {"name": "alignment-stats", "language": "python", "display_name": "x"}
    bare.cells = [nbformat.v4.new_code_cell("output_dir = None")]
    nbformat.write(bare, str(tmp_path / "01_y.ipynb"))
    with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
        plan([tmp_path / "01_y.ipynb"], tmp_path)
    (tmp_path / "02_z.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError, match="02_z.ipynb cannot be read"):
        plan([tmp_path / "02_z.ipynb"], tmp_path)


# --------------------------------------------------------------------------- run ids and the output folder


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", "-x", "", "x.failed", "a b", "x" * 101, "ü", "a\nb"])
def test_invalid_run_id_refused_before_anything_is_created(no_kernels, tiny, tmp_path, bad):
    with pytest.raises(ReportError, match="run id"):
        plan(tiny, tmp_path, run_id=bad)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("good", ["2024-wave2", "a.b_c-1", "_x", "x" * 100, "20260101T020000Z-abc123"])
def test_safe_run_ids_accepted(good):
    assert validate_run_id(good) == good


def test_default_run_id_is_utc_time_plus_random_suffix():
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", i) and validate_run_id(i) == i for i in ids)


@pytest.mark.parametrize("existing", ["r", "r.failed"])
def test_existing_run_is_never_overwritten(no_kernels, tiny, tmp_path, existing):
    folder = tmp_path / "reports" / existing
    folder.mkdir(parents=True)
    (folder / "keep.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RunExistsError, match="never overwritten"):
        plan(tiny, tmp_path)
    assert entries(tmp_path / "reports") == [existing, f"{existing}/keep.txt"]
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "old"


@pytest.mark.parametrize("where", [RAW_DIR / "out", RAW_DIR, PACKAGE_DIR / "reports"])
def test_output_folder_in_raw_data_or_package_refused(no_kernels, tiny, where):
    existed = where.exists()
    with pytest.raises(ReportError, match="never written to"):
        make_plan(tiny, {}, where, "r", Options(compare_to=None))
    assert where.exists() == existed


def test_missing_kernel_names_it_and_says_make_install(no_kernels, tiny, tmp_path):
    with pytest.raises(KernelNotFoundError) as info:
        plan(tiny, tmp_path, kernel_name="no-such-kernel-xyz")
    message = str(info.value)
    assert "'no-such-kernel-xyz'" in message and "make install" in message and "alignment-stats" in message


@pytest.mark.parametrize(("options", "message"), [
    ({"jobs": 0}, "jobs must be a whole number >= 1"), ({"jobs": True}, "jobs must be"),
    ({"jobs": 1.5}, "jobs must be"), ({"executor": "slurm"}, "executor 'slurm' is not known"),
    ({"scheduler": "tcp://127.0.0.1:1"}, "only used with --executor dask"),
    ({"dask_timeout": 0}, "--dask-timeout"), ({"dask_timeout": 3601}, "--dask-timeout"),
])
def test_bad_options_refused(no_kernels, tiny, tmp_path, options, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        plan(tiny, tmp_path, **options)
    assert entries(tmp_path / "reports") == []


# --------------------------------------------------------------------------- comparison with an earlier run


def _summary(folder: Path, run_id: str, finished: str, status: str = "complete", run_name=None) -> None:
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps({
        "schema_version": 3, "run_id": run_id, "run_name": run_name, "status": status, "finished": finished,
        "notebooks": []}), encoding="utf-8")


def test_compares_with_the_most_recent_complete_run_of_the_same_name(no_kernels, tiny, tmp_path):
    out = tmp_path / "reports"
    _summary(out / "old", "old", "2026-01-01T00:00:00+00:00")
    _summary(out / "new", "new", "2026-02-01T00:00:00+00:00")
    _summary(out / "later.failed", "later", "2026-03-01T00:00:00+00:00", status="failed")
    _summary(out / "named", "named", "2026-04-01T00:00:00+00:00", run_name="nightly")
    p = plan(tiny, tmp_path, compare_to=AUTO)
    assert p.previous == out / "new"
    assert "most recent complete earlier run" in p.comparison_reason and "2026-02-01" in p.comparison_reason
    named = make_plan(tiny, {}, out, "n2", Options(compare_to=AUTO), run_name="nightly")
    assert named.previous == out / "named"


def test_no_earlier_run_and_turned_off(no_kernels, tiny, tmp_path):
    assert plan(tiny, tmp_path, compare_to=AUTO).previous is None
    off = plan(tiny, tmp_path, compare_to=None)
    assert off.previous is None and "turned off" in off.comparison_reason


def test_compare_to_unknown_run_is_an_error(no_kernels, tiny, tmp_path):
    with pytest.raises(ReportError, match="--compare-to: run 'no-such-run'"):
        plan(tiny, tmp_path, compare_to="no-such-run")
    assert entries(tmp_path / "reports") == []


# --------------------------------------------------------------------------- notebook selection


def test_discover_notebooks_sorted_skipping_others(tmp_path):
    for name in ["02_b.ipynb", "00_a.ipynb", "10_c.ipynb", "notes.ipynb", "3_x.ipynb", "01_a-checkpoint.ipynb",
                 ".ipynb_checkpoints/00_a-checkpoint.ipynb", "01_data.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in discover_notebooks(tmp_path)] == ["00_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert discover_notebooks(tmp_path / "missing") == []


def test_the_project_has_the_five_analysis_notebooks():
    assert [p.stem for p in discover_notebooks()] == NOTEBOOKS


@pytest.mark.parametrize(("names", "expected"), [
    (["01"], ["01_perception_gap"]), (["perception_gap", "00"], ["00_data_audit", "01_perception_gap"]),
    ("03_skills_gap", ["03_skills_gap"]), (["04", "04_benchmark_comparison"], ["04_benchmark_comparison"]),
    (None, NOTEBOOKS),
])
def test_select_by_stem_number_or_name(names, expected):
    assert [p.stem for p in select_notebooks(names)] == expected


def test_select_errors(tmp_path):
    with pytest.raises(ReportError, match="'skills' is not a notebook; available: 00_data_audit, 01_perception_gap"):
        select_notebooks(["skills"])
    with pytest.raises(ReportError, match="no such file"):
        select_notebooks([str(tmp_path / "99_nope.ipynb")])
    a = make_notebook(tmp_path / "a" / "00_x.ipynb")
    b = make_notebook(tmp_path / "b" / "00_x.ipynb")
    with pytest.raises(ReportError, match="two notebooks named 00_x"):
        select_notebooks([a, b])
    odd = make_notebook(tmp_path / "00 odd name.ipynb")
    with pytest.raises(ReportError, match="only letters, digits"):
        select_notebooks([odd])


def test_analysis_notebooks_declare_their_settings_model():
    for path in select_notebooks(None):
        declared = declared_parameters(path)
        assert declared.model is not None and declared.model.notebook == path.stem
        assert {"input", "codebook", "studies", "claims", "rounding", "output_dir"} <= set(declared.names)


# --------------------------------------------------------------------------- the analysis notebooks' rules


def _values(notebook: str, params: dict, base=None):
    return notebook_values(declared_parameters(NOTEBOOK_DIR / f"{notebook}.ipynb"), params, base)


@pytest.mark.parametrize(("notebook", "params", "message"), [
    ("01_perception_gap", {"alpha": "0.7"}, "parameter alpha of 01_perception_gap: 0.7 must be less than 0.5"),
    ("01_perception_gap", {"alpha": "0"}, "parameter alpha of 01_perception_gap: 0.0 must be greater than 0"),
    ("01_perception_gap", {"ci": "tango"}, "parameter ci of 01_perception_gap: 'tango'"),
    ("01_perception_gap", {"assumed_n": "1000000000000"}, "parameter assumed_n of 01_perception_gap: 1000000000000"),
    ("01_perception_gap", {"assumed_n": "0"}, "parameter assumed_n of 01_perception_gap: 0 must be greater than"),
    ("00_data_audit", {"rounding": "banker"}, "parameter rounding of 00_data_audit: 'banker'"),
    ("00_data_audit", {"decimals": "7"}, "parameter decimals of 00_data_audit: 7"),
    ("02_shared_incentives", {"design_effect": "0.5"}, "parameter design_effect of 02_shared_incentives: 0.5"),
    ("03_skills_gap", {"ci": "wald"}, "parameter ci of 03_skills_gap: 'wald'"),
    ("01_perception_gap", {"study": "Not Snake"}, "parameter study of 01_perception_gap: 'Not Snake'"),
])
def test_settings_rules_refuse(notebook, params, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        _values(notebook, params)


def test_paired_interval_belongs_to_the_skills_gap():
    values, settings = _values("03_skills_gap", {"ci": "tango", "seed": "7"})
    assert values == {"ci": "tango", "seed": 7} and settings.ci == "tango" and settings.seed == 7


def test_input_without_codebook_never_gets_a_default_codebook():
    """04's codebook defaults to the demo codebook; an input given alone must not be paired with it."""
    figures = str(PUBLISHED / "figures.csv")
    values, settings = _values("04_benchmark_comparison", {"input": figures})
    assert values["codebook"] is None and settings.codebook is None
    values, _ = _values("04_benchmark_comparison", {"input": figures, "codebook": str(PUBLISHED / "x.yaml")})
    assert values["codebook"] == str(PUBLISHED / "x.yaml")


def test_relative_paths_are_taken_from_base():
    values, _ = _values("01_perception_gap", {"input": "figures.csv", "claims": "claims.csv"}, base=PUBLISHED)
    assert values["input"] == str(PUBLISHED / "figures.csv") and values["claims"] == str(PUBLISHED / "claims.csv")


def test_a_study_in_no_notebooks_input_is_an_error(no_kernels, tmp_path):
    # a typo: no notebook's input has it, so skipping every notebook would hide it
    with pytest.raises(ReportError, match=r"parameter study: 'nope_2099' is not a study of any notebook's input "
                                          r"\(studies: acme_2024\)"):
        plan(["01"], tmp_path, {"input": str(PUBLISHED / "figures.csv"), "study": "nope_2099"})
    assert entries(tmp_path / "reports") == []


def test_a_study_missing_from_one_notebooks_input_makes_it_not_applicable(no_kernels, tmp_path):
    # issue 15 item 8: study=accenture_2014 is in the bundled figures (01) but not in 04's demo survey
    made = plan(["01", "04"], tmp_path, {"study": "accenture_2014"})
    status = {s.name: (s.status, s.reason) for s in made.steps}
    assert status["01_perception_gap"][0] == "run"
    assert status["04_benchmark_comparison"][0] == "not_applicable"
    assert "study accenture_2014 is not in this notebook's input" in status["04_benchmark_comparison"][1]
