"""Counts: published percentages to feasible counts, group sizes and scenarios; answers to observed counts.

``feasible`` holds the exact GRIM arithmetic, ``sizes`` the joint splits of
a study's sample, ``scenarios`` the one enumeration of rounding rules x group
sizes x feasible counts every analysis uses, ``reconstruct`` the counts table
of published figures, ``checks`` the audit's cross-figure checks,
``observed`` the counts of respondent-level data, and ``store`` the bundle
built once per input into ``data/processed/<key>/`` and read by every analysis
through :func:`load_counts`.
"""

from .checks import audit_checks, feasibility_grid, rounding_sensitivity
from .feasible import (
    consistent_group_sizes,
    count_ranges,
    feasible_counts,
    infer_group_sizes,
    is_consistent,
    mixture_consistent,
    nested_consistent,
    shares_sum_consistent,
)
from .observed import ObservedCounts, count_responses, load_responses
from .reconstruct import Reconstruction, reconstruct, reconstruct_counts
from .scenarios import assumed_sizes, choose_sizes, chosen_ranges, expand_counts, figure_ranges, pair_scenarios
from .sizes import assumable_groups, candidate_sizes
from .store import CountsBundle, CountsOptions, build_counts, load_counts

__all__ = [
    "CountsBundle",
    "CountsOptions",
    "ObservedCounts",
    "Reconstruction",
    "assumable_groups",
    "assumed_sizes",
    "audit_checks",
    "build_counts",
    "candidate_sizes",
    "choose_sizes",
    "chosen_ranges",
    "consistent_group_sizes",
    "count_ranges",
    "count_responses",
    "expand_counts",
    "feasibility_grid",
    "feasible_counts",
    "figure_ranges",
    "infer_group_sizes",
    "is_consistent",
    "load_counts",
    "load_responses",
    "mixture_consistent",
    "nested_consistent",
    "pair_scenarios",
    "reconstruct",
    "reconstruct_counts",
    "rounding_sensitivity",
    "shares_sum_consistent",
]
