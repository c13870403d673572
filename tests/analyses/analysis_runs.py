"""Analysis runs shared by ``tests/analyses`` and ``tests/present``: each configuration is run once per process.

Not a test module. Both folders' ``conftest.py`` import it (``tests/present``
puts this folder on ``sys.path``), so a run that both folders need is
computed once per pytest process (once per xdist worker).

One thing differs from a user's call, and it is not what is tested: counts
are stored in a temporary folder of the session, never in
``data/processed``. :func:`redirect_store` replaces the ``load_counts``
name the analysis modules imported by one whose ``store`` is that folder
(the store code itself runs as usual); the conftests apply it per test
module and undo it afterwards, so other folders' tests never see it.

Runs are keyed by their validated settings, so ``run("audit")`` and
``run("audit", rounding="half_up")`` are one run.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

import pytest

import alignment_stats.analyses.audit as audit_module
import alignment_stats.analyses.benchmark as benchmark_module
import alignment_stats.analyses.incentives as incentives_module
import alignment_stats.analyses.perception as perception_module
import alignment_stats.analyses.skills as skills_module
from alignment_stats.analyses import (
    AuditSettings,
    BenchmarkSettings,
    IncentivesSettings,
    PerceptionSettings,
    SkillsSettings,
    run_audit,
    run_benchmark,
    run_incentives,
    run_perception,
    run_skills,
)
from alignment_stats.counts import load_counts

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"
STUDIES_DIR = FIXTURES / "studies"
SURVEY = FIXTURES / "survey" / "responses.csv"
SURVEY_CODEBOOK = FIXTURES / "survey" / "codebook.yaml"
NEW_STUDIES = ("published_sizes", "total_and_shares", "no_sizes")
RULES = ("half_up", "half_even", "truncate", "ceil", "unknown")
#: Bootstrap replicates of the skills ranking in shared runs (the ranking tests set their own).
REPLICATES = 300

RUNNERS = {"audit": run_audit, "perception": run_perception, "incentives": run_incentives, "skills": run_skills,
           "benchmark": run_benchmark}
SETTINGS = {"audit": AuditSettings, "perception": PerceptionSettings, "incentives": IncentivesSettings,
            "skills": SkillsSettings, "benchmark": BenchmarkSettings}
_MODULES = (audit_module, benchmark_module, incentives_module, perception_module, skills_module)
_CACHE: dict[tuple, Any] = {}
_PLACE: dict[str, Path] = {}


def configure(root: Path) -> Path:
    """Set the folder (from ``tmp_path_factory``) for stored counts and outputs; the first call of a process wins."""
    return _PLACE.setdefault("root", Path(root))


def store() -> Path:
    """Where the counts of this process's runs are stored."""
    return _PLACE["root"] / "processed"


def study_input(name: str) -> dict[str, str]:
    """The parameters of a new-study fixture as input (its figures; its studies.yaml sits beside them)."""
    return {"input": str(STUDIES_DIR / name / "figures.csv")}


def survey_input(**extra: Any) -> dict[str, Any]:
    """The hand-written survey fixture as input."""
    return {"input": str(SURVEY), "codebook": str(SURVEY_CODEBOOK), **extra}


@contextlib.contextmanager
def redirect_store():
    """Within the block, every analysis module's ``load_counts`` stores counts in :func:`store`."""
    stored = functools.partial(load_counts, store=store())
    with pytest.MonkeyPatch.context() as patch:
        for module in _MODULES:
            patch.setattr(module, "load_counts", stored)
        yield


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def run(analysis: str, **parameters: Any) -> Any:
    """``run_<analysis>(**parameters)`` with ``output_dir`` in the session's temporary folder, cached."""
    if analysis == "skills":
        parameters.setdefault("replicates", REPLICATES)
    # the key is the validated settings, so that {} and {"rounding": "half_up"} are one run
    key = (analysis, _frozen(SETTINGS[analysis](**parameters).model_dump(exclude={"output_dir"})))
    if key not in _CACHE:
        out = _PLACE["root"] / "out" / f"{analysis}-{len(_CACHE)}"
        with redirect_store():
            try:
                _CACHE[key] = RUNNERS[analysis](output_dir=str(out), **parameters)
            except Exception as exc:  # noqa: BLE001 - a failing run fails every test that needs it, once
                _CACHE[key] = exc
    if isinstance(_CACHE[key], Exception):
        raise _CACHE[key]
    return _CACHE[key]
