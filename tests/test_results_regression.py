"""Results regression: the analyses' results tables must not change unnoticed.

Each analysis runs with its notebook's default parameters, writes
``results/*.csv`` through :func:`alignment_stats.present.write_results`, and
every file is compared with ``tests/expected/<notebook>/<name>.csv`` by the
one numeric comparison of the package (:func:`alignment_stats.report.numeric.frame_problems`,
also used by ``alignment-stats diff``): numbers within rtol 1e-9 / atol 1e-12
(NaN equals NaN), everything else exactly, same columns, rows in order.

These expected files are regression SNAPSHOTS taken from the code itself,
not correctness evidence: they say "the results did not change", never
"the results are right". Correctness is tested against independent sources
(published tables, R, statsmodels/scipy, exact enumeration) in the layer
folders. When a change of results is intended, regenerate the snapshots and
review the diff of ``tests/expected/`` in the commit (``docs/columns.md``
maps the columns of the snapshots before the layered redesign to today's)::

    .venv/bin/python tests/test_results_regression.py --update
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from alignment_stats.analyses import ANALYSES
from alignment_stats.present import write_results
from alignment_stats.report.numeric import frame_problems, read_cells

EXPECTED = Path(__file__).resolve().parent / "expected"


def _run(notebook: str, out: Path) -> list[Path]:
    analysis = ANALYSES[notebook]
    write_results(analysis.run(output_dir=str(out)))
    return sorted((out / "results").glob("*.csv"))


@pytest.mark.parametrize("notebook", sorted(ANALYSES))
def test_results_match_the_snapshots(notebook, tmp_path):
    produced = _run(notebook, tmp_path)
    expected = sorted((EXPECTED / notebook).glob("*.csv"))
    assert [p.name for p in produced] == [p.name for p in expected]
    problems = [line for old, new in zip(expected, produced)
                for line in frame_problems(read_cells(old), read_cells(new), name=f"{notebook}/{new.name}")]
    assert problems[:20] == []


def test_the_comparison_notices_a_changed_number(tmp_path):
    source = sorted((EXPECTED / "01_perception_gap").glob("perception_gap.csv"))[0]
    changed = tmp_path / "changed.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    column = header.index("p_value")
    first[column] = repr(float(first[column]) * (1 + 1e-6))
    changed.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    problems = frame_problems(read_cells(source), read_cells(changed))
    assert len(problems) == 1 and "column p_value" in problems[0]


def _update() -> None:
    for notebook in sorted(ANALYSES):
        target = EXPECTED / notebook
        shutil.rmtree(target, ignore_errors=True)
        out = EXPECTED / f".tmp-{notebook}"
        shutil.rmtree(out, ignore_errors=True)
        for path in _run(notebook, out):
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.name)
        shutil.rmtree(out)
        print(f"updated {target}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_results_regression.py --update")
    _update()
