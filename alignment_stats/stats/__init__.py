"""Statistics: arrays in, tidy frames out.

No file is read, nothing is drawn, nothing knows about reports. Each module
is one family of methods; the public names are re-exported here.
"""

from .bayes import bayes_compare
from .equivalence import TOST_METHODS, equivalence_power, equivalence_sample_size, equivalence_test
from .intervals import CI_METHODS, difference_interval, wilson_interval
from .letters import CONVENTIONS, significance_letters
from .multiplicity import ADJUST_METHODS, adjust_pvalues, adjust_rows
from .paired import (
    PAIRED_CI_METHODS,
    PAIRED_TEST_METHODS,
    compatible_tables,
    mcnemar_exact,
    paired_compare,
    paired_gap_bounds,
    paired_interval,
)
from .power import cohens_h, minimal_detectable_difference, power_two_proportions
from .proportions import TEST_METHODS, compare_proportions, two_sided_pvalues

__all__ = [
    "ADJUST_METHODS",
    "CI_METHODS",
    "CONVENTIONS",
    "PAIRED_CI_METHODS",
    "PAIRED_TEST_METHODS",
    "TEST_METHODS",
    "TOST_METHODS",
    "adjust_pvalues",
    "adjust_rows",
    "bayes_compare",
    "cohens_h",
    "compare_proportions",
    "compatible_tables",
    "difference_interval",
    "equivalence_power",
    "equivalence_sample_size",
    "equivalence_test",
    "mcnemar_exact",
    "minimal_detectable_difference",
    "paired_compare",
    "paired_gap_bounds",
    "paired_interval",
    "power_two_proportions",
    "significance_letters",
    "two_sided_pvalues",
    "wilson_interval",
]
