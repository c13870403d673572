"""Results regression: the analyses' results tables must not change unnoticed.

Each analysis's library entry point (what its notebook calls) runs with its
default parameters, writes ``results/*.csv`` with ``.write()``, and every
file is compared with ``tests/expected/<notebook>/<name>.csv``: numbers
within rtol 1e-9 / atol 1e-12 (NaN equals NaN), everything else exactly,
same columns, same rows in the same order.

These expected files are regression SNAPSHOTS taken from the code itself,
not correctness evidence: they say "the results did not change", never
"the results are right". Correctness is tested against independent
sources (published tables, statsmodels/scipy) in test_proportions.py,
test_reconstruct.py, test_perception.py and the other module tests. When a
change of results is intended, regenerate the snapshots and review the
diff of ``tests/expected/`` in the commit::

    python -m tests.test_results_regression --update

Entry points whose module does not exist yet are skipped with a reason.
"""

from __future__ import annotations

import csv
import importlib
import math
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

EXPECTED = Path(__file__).resolve().parent / "expected"
PROJECT = Path(__file__).resolve().parents[1]
RTOL, ATOL = 1e-9, 1e-12
DEMO = {
    "input": str(PROJECT / "data/raw/demo/leapfrog_demo_survey.csv"),
    "codebook": str(PROJECT / "data/raw/demo/leapfrog_demo_codebook.yaml"),
}

#: notebook -> (module, function, keyword arguments: the notebook's defaults, write options)
ANALYSES: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {
    "00_data_audit": ("alignment_stats.audit", "run_audit", {}, {"processed_dir": None}),
    "01_perception_gap": ("alignment_stats.perception", "run_perception", {}, {}),
    "02_shared_incentives": ("alignment_stats.incentives", "run_incentives", {"study": "leapfrog_2015"}, {}),
    "03_skills_gap": ("alignment_stats.skills", "run_skills", {}, {}),
    "04_benchmark_comparison": ("alignment_stats.benchmark", "run_benchmark", DEMO, {}),
}


def _entry_point(notebook: str) -> Callable[..., Any]:
    module, function, _kwargs, _write = ANALYSES[notebook]
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"{module}.{function} does not exist yet ({exc})")


def _run(notebook: str, out: Path) -> list[Path]:
    _module, _function, kwargs, write = ANALYSES[notebook]
    if notebook == "04_benchmark_comparison" and not all(Path(p).is_file() for p in DEMO.values()):
        pytest.skip("the demo survey files are not there yet")
    result = _entry_point(notebook)(**kwargs)
    result.write(out, **write)
    return sorted((out / "results").glob("*.csv"))


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return (rows[0], rows[1:]) if rows else ([], [])


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _same(actual: str, expected: str) -> bool:
    if actual == expected:
        return True
    a, e = _number(actual), _number(expected)
    if a is None or e is None:
        return False
    if math.isnan(a) or math.isnan(e):
        return math.isnan(a) and math.isnan(e)
    return math.isclose(a, e, rel_tol=RTOL, abs_tol=ATOL) or abs(a - e) <= ATOL + RTOL * abs(e)


@pytest.mark.parametrize("notebook", list(ANALYSES))
def test_results_match_snapshot(notebook, tmp_path):
    files = _run(notebook, tmp_path)
    expected_dir = EXPECTED / notebook
    expected = sorted(expected_dir.glob("*.csv"))
    assert expected, f"no snapshots in {expected_dir}; run python -m tests.test_results_regression --update"
    assert [p.name for p in files] == [p.name for p in expected], "results files differ from the snapshot"
    problems = []
    for new, old in zip(files, expected):
        head_new, rows_new = _read(new)
        head_old, rows_old = _read(old)
        if head_new != head_old:
            problems.append(f"{new.name}: columns {head_new} != {head_old}")
            continue
        if len(rows_new) != len(rows_old):
            problems.append(f"{new.name}: {len(rows_new)} rows, snapshot has {len(rows_old)}")
            continue
        for i, (row_new, row_old) in enumerate(zip(rows_new, rows_old), start=2):
            for column, a, e in zip(head_new, row_new, row_old):
                if not _same(a, e):
                    problems.append(f"{new.name} line {i}, column {column}: {a!r} != snapshot {e!r}")
    assert not problems, "\n".join(problems[:30])


def update(notebooks: list[str] | None = None) -> None:
    """Rewrite the snapshots of ``notebooks`` (default all) from the current code."""
    import shutil
    import tempfile

    for notebook in notebooks or list(ANALYSES):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                files = _run(notebook, Path(tmp))
            except pytest.skip.Exception as exc:
                print(f"{notebook}: skipped ({exc})")
                continue
            target = EXPECTED / notebook
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for path in files:
                shutil.copyfile(path, target / path.name)
            print(f"{notebook}: {len(files)} snapshot(s) written to {target.relative_to(PROJECT)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "--update":
        sys.exit("usage: python -m tests.test_results_regression --update [NOTEBOOK ...]")
    update(args[1:] or None)
