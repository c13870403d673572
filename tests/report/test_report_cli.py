"""The command line (``alignment_stats.cli``): usage, help, ``params``, ``check``, exit statuses, bad input.

References: issue 13's done-when (for three or more bad files of each kind
-- figures, studies, claims, codebook, responses, runs.yaml -- and bad
parameters: exit 2 within 5 s, one line on stderr naming the file and the
row or field, no kernel started, nothing under ``--out``), the exit codes
of issue 12 item 2 (0, 1, 2, 128 + signal), the settings models as
declared (for ``params``), and plain csv counting of the fixtures (for
``check``). The bad files are the fixtures with one hand-made defect each;
the expected row and field are where the test put the defect.

Runs in-process with the ``no_kernels`` hook; the 5 s bound is measured
around ``main()``. One case also runs in a fresh interpreter with a
kernel-start hook inside it; its bound is generous (15 s) because a cold
interpreter spends 3-5 s importing pandas and scipy on a loaded machine.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from report_testing import (
    PUBLISHED,
    SURVEY_DIR,
    copy_published,
    entries,
    one_line,
    read_rows,
    run_cli,
)

from alignment_stats import report, schema
from alignment_stats.analyses.settings import SETTINGS, PerceptionSettings
from alignment_stats.cli import main
from alignment_stats.config import PROCESSED_DIR, PROJECT_ROOT
from alignment_stats.schema import EXIT_COMPLETE, EXIT_USAGE, ROUNDING_RULES
from alignment_stats.stats import TEST_METHODS

NEW_STUDIES = sorted(p for p in (PUBLISHED.parent).iterdir() if p.is_dir())


def call(capsys, argv):
    """``main(argv)`` in-process: (status, stdout, stderr, seconds); an exception is a traceback."""
    start = time.monotonic()
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:  # pragma: no cover - main() returns instead
        status = exc.code
    except Exception as exc:  # noqa: BLE001 - any exception is the failure under test
        pytest.fail(f"{argv[0]} raised {type(exc).__name__}: {exc} (a traceback, not one line)")
    seconds = time.monotonic() - start
    captured = capsys.readouterr()
    return status, captured.out, captured.err, seconds


# --------------------------------------------------------------------------- exit statuses


def test_exit_status_vocabulary():
    """Issue 12 item 2: 0 complete, 1 failed / OS error / differences, 2 bad input or usage, 128 + N after signal N."""
    assert (schema.EXIT_COMPLETE, schema.EXIT_FAILED, schema.EXIT_DIFFERENCES, schema.EXIT_USAGE,
            schema.EXIT_SIGNAL_BASE) == (0, 1, 1, 2, 128)
    assert (report.EXIT_COMPLETE, report.EXIT_FAILED, report.EXIT_DIFFERENCES, report.EXIT_USAGE,
            report.EXIT_SIGNAL_BASE) == (0, 1, 1, 2, 128)
    assert report.ReportError.exit_status == schema.EXIT_USAGE and report.OutputError.exit_status == 1
    assert [report.Stopped(s).exit_status for s in (1, 2, 15)] == [129, 130, 143]
    from alignment_stats import cli

    assert sorted(s.name for s in cli.STOP_SIGNALS) == ["SIGHUP", "SIGINT", "SIGTERM"]


# --------------------------------------------------------------------------- usage and help


@pytest.fixture
def tiny_args(tiny, tmp_path):
    return ["report", "--notebooks", *map(str, tiny), "--out", tmp_path / "out", "--no-html", "--jobs", "1"]


@pytest.mark.parametrize(("args", "expected"), [
    (["-p", "alpha"], "expected name=value"),
    (["-p", "alpha=1", "-p", "alpha=2"], "parameter alpha given twice"),
    (["--input", "a.csv", "-p", "input=b.csv"], "not both"),
    (["--run-id", "../x"], "run id '../x' is not allowed"),
    (["--run-id", "x.failed"], "'.failed' marks failed runs"),
    (["--jobs", "0"], "expected a whole number >= 1"),
    (["--kernel", "no-such-kernel-xyz"], "make install"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler is only used with --executor dask"),
    (["--executor", "dask"], "needs the scheduler's address"),
    (["--executor", "yarn"], "invalid choice"),
    (["--dask-timeout", "0"], "expected seconds between 0 and 3600"),
    (["--only", "x"], "--only selects runs of a --config file"),
    (["--compare-to", "a", "--no-compare"], "not allowed with argument"),
    (["--bogus"], "unrecognized arguments"),
    (["-p", "alhpa=0.1"], "unknown parameter 'alhpa'"),
    (["-p", "alpha=abc"], "parameter alpha of 00_first: 'abc' is not a number"),
])
def test_bad_usage_exits_2_with_one_line(no_kernels, tiny_args, tmp_path, capsys, args, expected):
    status, _, err, _ = call(capsys, [*tiny_args, *args])
    assert status == EXIT_USAGE
    assert expected in one_line(err)
    assert entries(tmp_path / "out") == [] and no_kernels == []


def test_config_excludes_notebooks_parameters_and_compare_to(no_kernels, tmp_path, capsys):
    config = tmp_path / "runs.yaml"
    config.write_text("version: 1\nruns:\n  - name: a\n", encoding="utf-8")
    base = ["report", "--config", config, "--out", tmp_path / "out"]
    for extra, words in ((["-p", "alpha=0.1"], "come from the config file"),
                         (["--notebooks", "00"], "come from the config file"),
                         (["--input", "x.csv"], "come from the config file"),
                         (["--compare-to", "x"], "--compare-to is for single runs")):
        status, _, err, _ = call(capsys, [*base, *extra])
        assert status == EXIT_USAGE and words in one_line(err)
    assert entries(tmp_path / "out") == []


def test_no_command_or_unknown_command_exits_2(capsys):
    status, _, err, _ = call(capsys, [])
    assert status == EXIT_USAGE and "report" in err and "params" in err
    status, _, err, _ = call(capsys, ["reprot"])
    assert status == EXIT_USAGE and "invalid choice" in one_line(err)


@pytest.mark.parametrize(("command", "options"), [
    ("report", ("--notebooks", "--param", "--input", "--codebook", "--studies", "--claims", "--out", "--run-id",
                "--no-html", "--jobs", "--kernel", "--config", "--only", "--executor", "--scheduler",
                "--dask-timeout", "--force", "--compare-to", "--no-compare", "--fresh-kernels")),
    ("params", ("NOTEBOOK",)), ("check", ("--input", "--codebook", "--studies", "--claims", "--param")),
    ("diff", ("RUN_A", "RUN_B", "--out", "--rtol", "--atol")),
])
def test_help_exits_0_and_lists_the_options(capsys, command, options):
    status, out, err, _ = call(capsys, [command, "--help"])
    assert status == EXIT_COMPLETE and err == ""
    assert out.startswith(f"usage: alignment-stats {command}")
    assert [o for o in options if o not in out] == []
    assert "Exit status" in out or command == "params"


def test_python_m_help():
    done = run_cli("--help", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: alignment-stats") and "report" in done.stdout and "diff" in done.stdout


# --------------------------------------------------------------------------- params


def test_params_01_lists_every_parameter_with_type_default_allowed_and_help(capsys):
    status, out, err, _ = call(capsys, ["params", "01"])
    assert status == EXIT_COMPLETE and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("01_perception_gap")
    for name, field in PerceptionSettings.model_fields.items():
        if name == "output_dir":
            assert not any(line.lstrip().startswith("output_dir:") for line in lines)
            continue
        [i] = [i for i, line in enumerate(lines) if line.startswith(f"  {name}: ")]
        assert lines[i + 1].strip() == field.description, name
    # written out from the settings model's declarations and schema/stats vocabularies
    assert "  alpha: float = 0.05  [> 0 and < 0.5]" in lines
    assert "  assumed_n: Optional[int] = 100  [>= 1 and <= 100000]" in lines
    assert "  study: Optional[str] = None" in lines
    assert f"  rounding: str = 'half_up'  [{', '.join(ROUNDING_RULES)}]" in lines
    assert f"  test: str = 'fisher'  [{', '.join(TEST_METHODS)}]" in lines
    assert "  ci: str = 'newcombe'  [newcombe, agresti-caffo, wald, score]" in lines


def test_params_without_argument_lists_all_five_notebooks(capsys):
    status, out, _, _ = call(capsys, ["params"])
    assert status == EXIT_COMPLETE
    heads = [line.split(" ")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert heads == list(SETTINGS)
    for model in SETTINGS.values():
        block = out.split(model.notebook, 1)[1]
        assert all(f"  {name}: " in block for name in model.model_fields if name != "output_dir")


def test_params_of_an_unknown_notebook_exits_2(capsys):
    status, _, err, _ = call(capsys, ["params", "99"])
    assert status == EXIT_USAGE and "available: 00_data_audit" in one_line(err)


# --------------------------------------------------------------------------- check


def _manifests_naming(folder: Path) -> list[Path]:
    return [m for m in PROCESSED_DIR.glob("*/manifest.json") if str(folder) in m.read_text(encoding="utf-8")]


def test_check_bundled_input(no_kernels, capsys):
    status, out, err, _ = call(capsys, ["check"])
    assert status == EXIT_COMPLETE and err == ""
    with (PROJECT_ROOT / "data/raw/benchmark_figures.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    studies = len({r["study"] for r in rows})
    assert out.startswith("ok: bundled benchmark figures (figures)")
    assert f"{studies} studies" in out and f"{len(rows)} figures" in out


@pytest.mark.parametrize("folder", NEW_STUDIES, ids=lambda p: p.name)
def test_check_each_new_study_fixture(no_kernels, capsys, tmp_path, folder):
    copy = copy_published(tmp_path / "in") if folder == PUBLISHED else Path(shutil.copytree(folder, tmp_path / "in"))
    rows, _ = read_rows(copy / "figures.csv")
    args = ["check", "--input", copy / "figures.csv"]
    if (copy / "claims.csv").is_file():
        args += ["--claims", copy / "claims.csv"]
    status, out, err, _ = call(capsys, args)
    assert status == EXIT_COMPLETE and err == ""
    assert out.startswith("ok: ") and f"{len(rows)} figures" in out
    study = rows[0]["study"]
    assert f"1 study ({study})" in out
    if (copy / "claims.csv").is_file():
        claims, _ = read_rows(copy / "claims.csv")
        assert f"{len({c['claim_id'] for c in claims})} claims to judge" in out
    assert _manifests_naming(tmp_path) == []  # nothing written, not even data/processed


def test_check_survey_with_its_codebook(no_kernels, capsys, tmp_path):
    copy = Path(shutil.copytree(SURVEY_DIR, tmp_path / "survey"))
    status, out, err, _ = call(capsys, ["check", "--input", copy / "responses.csv", "--codebook",
                                        copy / "codebook.yaml"])
    assert status == EXIT_COMPLETE and err == ""
    assert "(responses)" in out.splitlines()[0] and "1 study (pulse_2024)" in out
    assert "5 items" in out  # the codebook's items: very_collaborative ... expertise_ai
    assert _manifests_naming(tmp_path) == []


@pytest.mark.parametrize(("edit", "words"), [
    ("value_130", "figures.csv line 2, column value"), ("no_codebook", "need a codebook"),
    ("bad_codebook", "codebook.yaml, key items.very_collaborative.column"),
])
def test_check_bad_input_exits_2_with_one_line_writing_nothing(no_kernels, capsys, tmp_path, edit, words):
    if edit == "value_130":
        copy = copy_published(tmp_path / "in")
        path = copy / "figures.csv"
        path.write_text(path.read_text().replace(",62,", ",130,", 1))
        args = ["--input", path]
    else:
        copy = Path(shutil.copytree(SURVEY_DIR, tmp_path / "in"))
        args = ["--input", copy / "responses.csv"]
        if edit == "bad_codebook":
            cb = copy / "codebook.yaml"
            cb.write_text(cb.read_text().replace("column: q1_collab", "column: q1_colab"))
            args += ["--codebook", cb]
    status, out, err, _ = call(capsys, ["check", *args])
    assert status == EXIT_USAGE and out == "" and words in one_line(err)
    assert _manifests_naming(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_check_refuses_options_it_does_not_take(capsys):
    status, _, err, _ = call(capsys, ["check", "-p", "alpha=0.1"])
    assert status == EXIT_USAGE and "not alpha" in one_line(err)
    status, _, err, _ = call(capsys, ["check", "-p", "max_missing=x"])
    assert status == EXIT_USAGE and "max_missing" in one_line(err)


# --------------------------------------------------------------------------- bad input before any kernel (issue 13)


def _replace(old: str, new: str):
    def edit(data: bytes) -> bytes:
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode(), 1)
    return edit


def _latin1(old: str, new: str):
    def edit(data: bytes) -> bytes:
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode("latin-1"), 1)
    return edit


def _append_line(line_number: int):
    def edit(data: bytes) -> bytes:
        return data + data.splitlines(keepends=True)[line_number - 1]
    return edit


#: (kind, file edited, edit, what the one line must say besides the file's path)
BAD_FILES = [
    ("figures", "figures.csv", _replace(",62,", ",130,"), ["line 2, column value", "130"]),
    ("figures", "figures.csv", _replace(",marketing,marketers,62", ",sales,marketers,62"), ["line 2, column group"]),
    ("figures", "figures.csv", _replace(",half_up,", ",halfup,"), ["line 2, column rounding"]),
    ("figures", "figures.csv", _replace(",62,", ",sixty,"), ["line 2, column value"]),
    ("figures", "figures.csv", _append_line(2), ["line 10", "duplicate"]),
    ("figures", "figures.csv", _replace("acme_2024,2024,joint", "nobody_2024,2024,joint"), ["line 2, column study"]),
    ("figures", "figures.csv", _latin1("plan campaigns jointly", "plän campaigns jointly"), ["line 2", "byte", "UTF-8"]),
    ("studies", "studies.yaml", _replace("marketing: 150", "marketing: -5"), ["acme_2024", "group_n"]),
    ("studies", "studies.yaml", _replace("groups:", "groups: [:"), ["line 7"]),
    ("studies", "studies.yaml", _replace("publisher:", "publsher:"), ["acme_2024", "publisher"]),
    ("studies", "studies.yaml", _replace("  year: 2024\n", "  year: 2024\n  evil: !!python/object/apply:os.system [id]\n"),
     ["line 5"]),
    ("studies", "studies.yaml", _latin1("ACME Research", "ACMÉ Research"), ["line 3", "byte", "UTF-8"]),
    ("claims", "claims.csv", _replace(",>,", ",>>,"), ["line 2, column relation"]),
    ("claims", "claims.csv", _replace("joint_planning/marketing", "nonexistent/marketing"), ["line 2, column figure_a"]),
    ("claims", "claims.csv", _replace("difference", "differnce"), ["line 2, column kind"]),
    ("claims", "claims.csv", _replace("claim_id,", "claimid,"), ["line 1", "claim_id"]),
    ("claims", "claims.csv", _latin1("Marketers plan", "Märketers plan"), ["line 2", "byte", "UTF-8"]),
    ("codebook", "codebook.yaml", _replace("column: q1_collab", "column: q1_colab"),
     ["items.very_collaborative.column", "q1_colab"]),
    ("codebook", "codebook.yaml", _replace('yes_if: ">= 4"', 'yes_if: ">= banana"'), ["items.budget_agreed.yes_if"]),
    ("codebook", "codebook.yaml", _replace("scale: agree5\n    yes_if: \">= 4\"\n  importance",
                                           "scale: agree7\n    yes_if: \">= 4\"\n  importance"),
     ["items.budget_agreed.scale", "agree7"]),
    ("codebook", "codebook.yaml", _replace("items:", "items: [:"), ["line 17"]),
    ("responses", "responses.csv", _replace("r001,Technology,2,", "r001,Technology,7,"), ["line 2, column q1_collab"]),
    ("responses", "responses.csv", _replace("r002,", "r001,"), ["line 3, column resp", "duplicate"]),
    ("responses", "responses.csv", _replace("r001,Technology", "r001,Sales"), ["line 2, column dept", "Sales"]),
    ("responses", "responses.csv", lambda data: b"\x00\xff\xfe" + bytes(range(256)) * 4, ["byte", "UTF-8"]),
]


def _inputs(kind: str, folder: Path) -> list:
    if kind in ("codebook", "responses"):
        return ["--input", folder / "responses.csv", "--codebook", folder / "codebook.yaml"]
    return ["--input", folder / "figures.csv", "--claims", folder / "claims.csv"]


@pytest.mark.parametrize(("kind", "name", "edit", "words"), BAD_FILES,
                         ids=[f"{k}-{i}" for i, (k, *_) in enumerate(BAD_FILES)])
def test_bad_file_exits_2_fast_with_one_line_and_no_kernel(no_kernels, capsys, tmp_path, kind, name, edit, words):
    source = SURVEY_DIR if kind in ("codebook", "responses") else PUBLISHED
    folder = Path(shutil.copytree(source, tmp_path / "in"))
    bad = folder / name
    bad.write_bytes(edit(bad.read_bytes()))
    out = tmp_path / "out"
    status, stdout, err, seconds = call(capsys, ["report", "--notebooks", "00", "01", *_inputs(kind, folder),
                                                 "--out", out, "--no-html"])
    assert status == EXIT_USAGE, err
    line = one_line(err)
    assert str(bad) in line, line
    assert [w for w in words if w not in line] == [], line
    assert seconds <= 5
    assert no_kernels == [] and entries(out) == [] and stdout == ""


def test_respondent_data_without_codebook_says_how_to_write_one(no_kernels, capsys, tmp_path):
    folder = Path(shutil.copytree(SURVEY_DIR, tmp_path / "in"))
    out = tmp_path / "out"
    status, _, err, seconds = call(capsys, ["report", "--notebooks", "00", "01", "--input", folder / "responses.csv",
                                            "--out", out])
    line = one_line(err)
    assert status == EXIT_USAGE and seconds <= 5 and str(folder / "responses.csv") in line
    assert "need a codebook" in line and "YAML codebook" in line and "--codebook" in line
    assert re.search(r"example: \S+codebook\.yaml", line), line
    assert no_kernels == [] and entries(out) == []


RUNS_FILES = [
    ("version: 1\nruns:\n  - name: x\n    parameters: !!python/object/apply:os.system ['echo hi']\n", ["line 4"]),
    ("version: 1\nruns:\n  - name: ../evil\n", ["runs.0.name", "'../evil'"]),
    ("version: 1\nruns:\n  - name: a\n  - name: a\n", ["'a' is used twice"]),
    ("version: 1\nruns:\n  - name: a\n    notebook: ['00']\n", ["runs.0.notebook"]),
    ("version: 2\nruns:\n  - name: a\n", ["version"]),
    ("version: 1\nruns: [\n", ["line 3", "not valid YAML"]),
    ("version: 1\nruns:\n  - name: a\n    parameters: {alhpa: 0.1}\n", ["run a", "unknown parameter 'alhpa'"]),
    ("version: 1\nruns:\n  - name: a\n    parameters: {alpha: 0.9}\n", ["run a", "parameter alpha", "0.9"]),
    ("version: 1\nruns:\n  - name: a\n    notebooks: [99_nope]\n", ["run a", "'99_nope'"]),
    ("version: 1\nruns:\n  - name: a\n    parameters: {output_dir: /tmp/x}\n", ["run a", "output_dir"]),
    ("version: 1\nruns:\n  - name: a\n    parameters: {input: no_such.csv}\n", ["run a", "no_such.csv"]),
    (b"version: 1\nruns:\n  - name: a\n    description: caf\xe9\n", ["line 4", "byte", "UTF-8"]),
]


@pytest.mark.parametrize(("text", "words"), RUNS_FILES, ids=[f"runs-{i}" for i in range(len(RUNS_FILES))])
def test_bad_runs_file_exits_2_fast_with_one_line_and_no_kernel(no_kernels, capsys, tmp_path, text, words):
    config = tmp_path / "runs.yaml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    marker = tmp_path / "pwned"
    out = tmp_path / "out"
    status, _, err, seconds = call(capsys, ["report", "--config", config, "--out", out, "--no-html"])
    line = one_line(err)
    assert status == EXIT_USAGE and seconds <= 5 and str(config) in line
    assert [w for w in words if w not in line] == [], line
    assert no_kernels == [] and entries(out) == [] and not marker.exists()


@pytest.mark.parametrize(("param", "words"), [
    ("assumed_n=1000000000000", ["parameter assumed_n", "1000000000000", "100000"]),
    ("alpha=0.7", ["parameter alpha", "0.7", "0.5"]),
    ("alhpa=0.01", ["unknown parameter 'alhpa'", "alpha"]),
    ("rounding=banker", ["parameter rounding", "'banker'"]),
    ("study=nobody_2099", ["parameter study", "'nobody_2099'", "acme_2024"]),
])
def test_bad_parameter_exits_2_fast_with_one_line_and_no_kernel(no_kernels, capsys, tmp_path, param, words):
    out = tmp_path / "out"
    status, _, err, seconds = call(capsys, ["report", "--notebooks", "00", "01", "--input", PUBLISHED / "figures.csv",
                                            "-p", param, "--out", out, "--no-html"])
    line = one_line(err)
    assert status == EXIT_USAGE and seconds <= 5
    assert [w for w in words if w not in line] == [], line
    assert no_kernels == [] and entries(out) == []


def test_output_dir_parameter_is_refused(no_kernels, capsys, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    status, _, err, _ = call(capsys, ["report", "--notebooks", "00", "-p", f"output_dir={elsewhere}", "--out", out])
    assert status == EXIT_USAGE and "output_dir is set by the report runner" in one_line(err)
    assert entries(out) == [] and not elsewhere.exists() and no_kernels == []


# --------------------------------------------------------------------------- the same in a real process

HOOKED = ("import os, sys, jupyter_client.manager as m\n"
          "def refuse(*a, **k):\n    print('KERNEL STARTED', file=sys.stderr, flush=True); os._exit(99)\n"
          "m.KernelManager.start_kernel = refuse\n"
          "from alignment_stats.cli import main\nsys.exit(main(sys.argv[1:]))\n")


def test_bad_input_in_a_real_process(tmp_path):
    out = tmp_path / "out"
    folder = Path(shutil.copytree(PUBLISHED, tmp_path / "in"))
    bad = folder / "figures.csv"
    bad.write_bytes(bad.read_bytes().replace(b",62,", b",130,", 1))
    args = ["report", "--notebooks", "00", "01", "--input", str(bad), "--out", str(out)]
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", HOOKED, *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    seconds = time.monotonic() - start
    assert done.returncode == EXIT_USAGE, done.stderr
    line = one_line(done.stderr)
    assert str(bad) in line and "line 2, column value" in line and done.stdout == ""
    assert seconds < 15 and entries(out) == []
