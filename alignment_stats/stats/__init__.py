"""Statistics: arrays in, tidy frames out.

No file is read, nothing is drawn, nothing knows about reports. Each module
is one family of methods; the public names are re-exported here. The size
limits of the exact methods are in :mod:`alignment_stats.stats.limits`.
"""

from . import limits
from .bayes import bayes_compare
from .equivalence import (
    PLANNING_METHODS,
    TOST_METHODS,
    equivalence_power,
    equivalence_sample_size,
    equivalence_test,
)
from .intervals import CI_METHODS, difference_interval, wilson_interval
from .letters import CONVENTIONS, significance_letters
from .multiplicity import ADJUST_METHODS, adjust_pvalues, adjust_rows
from .paired import (
    PAIRED_CI_METHODS,
    PAIRED_TEST_METHODS,
    compatible_tables,
    mcnemar_asymptotic,
    mcnemar_exact,
    paired_compare,
    paired_gap_bounds,
    paired_interval,
    paired_pvalues,
)
from .power import (
    POWER_TESTS,
    cohens_h,
    minimal_detectable_difference,
    power_two_proportions,
    significance_by_size,
    smallest_significant_n,
)
from .proportions import TEST_METHODS, compare_proportions, two_sided_pvalues
from .pvalues import design_pvalues

__all__ = [
    "ADJUST_METHODS",
    "CI_METHODS",
    "CONVENTIONS",
    "PAIRED_CI_METHODS",
    "PAIRED_TEST_METHODS",
    "PLANNING_METHODS",
    "POWER_TESTS",
    "TEST_METHODS",
    "TOST_METHODS",
    "adjust_pvalues",
    "adjust_rows",
    "bayes_compare",
    "cohens_h",
    "compare_proportions",
    "compatible_tables",
    "design_pvalues",
    "difference_interval",
    "equivalence_power",
    "equivalence_sample_size",
    "equivalence_test",
    "limits",
    "mcnemar_asymptotic",
    "mcnemar_exact",
    "minimal_detectable_difference",
    "paired_compare",
    "paired_gap_bounds",
    "paired_interval",
    "paired_pvalues",
    "power_two_proportions",
    "significance_by_size",
    "significance_letters",
    "smallest_significant_n",
    "two_sided_pvalues",
    "wilson_interval",
]
