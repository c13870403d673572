"""Analyses: counts in, result tables and verdicts out.

One module per notebook; each has a settings model
(:mod:`~alignment_stats.analyses.settings`), an ``applicable(bundle,
settings)`` check that says why the analysis does not apply to an input, and
a ``run_*`` function returning a result object whose ``table`` is its main
tidy, unrounded table. No prose, no display rounding, no files: those are
:mod:`alignment_stats.present`'s.
"""

from dataclasses import dataclass
from typing import Any, Callable

from . import audit, benchmark, incentives, perception, skills
from .audit import AuditResult, run_audit
from .benchmark import BenchmarkResult, run_benchmark
from .incentives import IncentivesResult, run_incentives
from .perception import PerceptionResult, run_perception
from .settings import (
    SETTINGS,
    AuditSettings,
    BenchmarkSettings,
    IncentivesSettings,
    PerceptionSettings,
    Settings,
    SkillsSettings,
    settings_for,
)
from .skills import SkillsResult, run_skills


@dataclass(frozen=True)
class Analysis:
    """One analysis: its notebook, settings model, run function and applicability check."""

    notebook: str
    settings: type[Settings]
    run: Callable[..., Any]
    applicable: Callable[[Any, Any], str | None]


#: Every analysis, by notebook name.
ANALYSES: dict[str, Analysis] = {
    a.notebook: a for a in (
        Analysis("00_data_audit", AuditSettings, run_audit, audit.applicable),
        Analysis("01_perception_gap", PerceptionSettings, run_perception, perception.applicable),
        Analysis("02_shared_incentives", IncentivesSettings, run_incentives, incentives.applicable),
        Analysis("03_skills_gap", SkillsSettings, run_skills, skills.applicable),
        Analysis("04_benchmark_comparison", BenchmarkSettings, run_benchmark, benchmark.applicable),
    )
}

__all__ = [
    "ANALYSES",
    "SETTINGS",
    "Analysis",
    "AuditResult",
    "AuditSettings",
    "BenchmarkResult",
    "BenchmarkSettings",
    "IncentivesResult",
    "IncentivesSettings",
    "PerceptionResult",
    "PerceptionSettings",
    "Settings",
    "SkillsResult",
    "SkillsSettings",
    "run_audit",
    "run_benchmark",
    "run_incentives",
    "run_perception",
    "run_skills",
    "settings_for",
]
