"""alignment_stats: honest statistics for published marketing-IT alignment figures.

The public names of DESIGN.md are importable from the package itself, e.g.
``from alignment_stats import load_benchmark, feasible_counts``. Submodules
are imported lazily, on first use of one of their names, so the command line
and notebook kernels do not pay for statsmodels until they need it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "data": ("load_benchmark", "load_studies", "load_claims", "DataValidationError"),
    "reconstruct": (
        "feasible_counts",
        "count_ranges",
        "is_consistent",
        "infer_group_sizes",
        "consistent_group_sizes",
        "mixture_consistent",
        "nested_consistent",
        "shares_sum_consistent",
    ),
    "audit": (
        "candidate_sizes",
        "reconstruct_counts",
        "audit_study_checks",
        "audit_findings",
        "write_counts",
        "run_audit",
    ),
    "proportions": (
        "compare_proportions",
        "adjust_pvalues",
        "power_two_proportions",
        "minimal_detectable_difference",
        "bayes_compare",
    ),
    "perception": ("perception_gap", "perception_sensitivity", "difference_verdicts", "run_perception"),
    "crosstab": ("crosstab", "crosstab_table"),
    "inputs": ("load_input",),
    "equivalence": ("equivalence_test", "equivalence_power", "equivalence_sample_size"),
    "incentives": ("shared_incentives", "agreement_verdicts", "run_incentives"),
    "paired": ("paired_gap_bounds", "paired_compare"),
    "skills": ("skills_gap", "gap_verdicts", "run_skills"),
    "survey": ("load_responses", "load_codebook", "make_demo_survey"),
    "benchmark": ("compare_to_benchmark", "run_benchmark"),
    "report": ("run_report",),
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(_WHERE) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'alignment_stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
