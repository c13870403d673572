"""alignment_stats: honest statistics for published marketing-IT alignment figures.

The public names are importable from the package itself, e.g. ``from
alignment_stats import load_benchmark, feasible_counts``. The layers they
come from (``sources``, ``counts``, ``stats``, ``analyses``, ``present``,
``report``; docs/architecture.md) are imported lazily, on first use of one
of their names, so the command line and notebook kernels do not pay for
statsmodels until they need it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_PUBLIC = {
    "schema": ("DataValidationError",),
    "sources": ("load_benchmark", "load_studies", "load_claims", "load_codebook", "read_sources",
                "make_demo_survey"),
    "counts": ("feasible_counts", "count_ranges", "is_consistent", "infer_group_sizes", "consistent_group_sizes",
               "candidate_sizes", "reconstruct_counts", "load_counts", "load_responses"),
    "stats": ("compare_proportions", "adjust_pvalues", "power_two_proportions", "minimal_detectable_difference",
              "bayes_compare", "equivalence_test", "equivalence_power", "equivalence_sample_size",
              "paired_gap_bounds", "paired_compare", "wilson_interval", "difference_interval"),
    "analyses.perception": ("perception_gap",),
    "analyses.incentives": ("shared_incentives",),
    "analyses.skills": ("skills_gap",),
    "analyses.benchmark": ("compare_to_benchmark",),
    "analyses": ("run_audit", "run_perception", "run_incentives", "run_skills", "run_benchmark"),
    "report": ("run_report", "run_batch"),
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
