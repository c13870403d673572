"""Library edges (issue 16, item 10): huge counts, documented size limits, empty inputs.

Each case failed before: MemoryError for Fisher and the paired bounds at
n = 1e12 and Boschloo at n = 1e5, "must be non-negative" for n = 2**63, an
IndexError for ``paired_gap_bounds([], [], [])``. The limits asserted here
are the documented constants of alignment_stats.stats.limits.
"""

from __future__ import annotations

import numpy as np
import pytest

import alignment_stats.stats as S
from alignment_stats.stats import limits

HUGE = 10**12


# ---------------------------------------------------------------------------
# exact tests beyond their limits: a clear ValueError, no MemoryError
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("test", "limit"), [("fisher", limits.FISHER_MAX_TOTAL), ("fisher_midp", limits.FISHER_MAX_TOTAL),
                                             ("boschloo", limits.BOSCHLOO_MAX_TOTAL),
                                             ("boschloo_fisher", limits.BOSCHLOO_MAX_TOTAL)])
def test_exact_tests_refuse_tables_above_their_limit(test, limit):
    for n1 in (HUGE, 10**5, limit):  # limit + 10 in all
        if n1 + 10 <= limit:
            continue
        with pytest.raises(ValueError, match=rf"n1 \+ n2 = {n1 + 10} is too large for test='{test}' "
                                             rf"\(at most {limit}, alignment_stats.stats.limits\)"):
            S.compare_proportions(1, n1, 1, 10, test=test)
    # the position is named for arrays, and the closed-form tests take any size
    with pytest.raises(ValueError, match=r"at position 1 is too large"):
        S.compare_proportions([1, 1], [10, HUGE], 1, 10, test=test)
    assert S.compare_proportions(1, HUGE, 1, 10, test="z")["p_value"].iloc[0] < 1e-10


def test_limits_are_the_documented_values():
    assert limits.FISHER_MAX_TOTAL == 1_000_000 and limits.BOSCHLOO_MAX_TOTAL == 1_000
    assert limits.PAIRED_BOUNDS_MAX_N == 1_000_000 and limits.COUNT_MAX == 2**62
    for name in limits.__all__:
        assert name in (limits.__doc__ or "")


def test_fisher_at_its_limit_still_works():
    # 500,000 against 500,000 respondents: n1 + n2 = FISHER_MAX_TOTAL exactly
    res = S.compare_proportions(300_000, 500_000, 300_500, 500_000, test="fisher")
    # a 0.1-point gap on 500,000 each: z = 0.001 / sqrt(2 * 0.6 * 0.4 / 5e5) = 1.0206; Fisher is close to it
    assert 0.25 < res["p_value"].iloc[0] < 0.35


def test_paired_bounds_refuse_huge_n():
    message = r"n = 1000000000000 is too large for the paired bounds \(at most 1,000,000 respondents"
    with pytest.raises(ValueError, match=message):
        S.paired_gap_bounds(5, 5, HUGE)
    with pytest.raises(ValueError, match=message):
        S.compatible_tables(5, 5, HUGE)
    with pytest.raises(ValueError, match=r"n = 1000001 at position 1 is too large"):
        S.paired_gap_bounds([5, 500_000], [5, 500_000], [10, 1_000_001])
    # many rows whose compatible tables add up beyond PAIRED_BOUNDS_MAX_TABLES
    with pytest.raises(ValueError, match=r"compatible tables in all, more than 10,000,000"):
        S.compatible_tables(np.full(30, 400_000), np.full(30, 400_000), 800_000)
    # the McNemar tests themselves are closed forms: any size
    assert S.mcnemar_exact(HUGE, HUGE).tolist() == [1.0]
    assert S.paired_compare(1, HUGE, HUGE + 10**7, 1, test="mcnemar")["p_value"].iloc[0] < 1e-10


@pytest.mark.parametrize("value", [2**63, [2**63], np.uint64(2**63), 2**64, 2.0**63, 2**62])
def test_counts_of_2_to_the_63_are_too_large_not_negative(value):
    calls = [
        lambda: S.compare_proportions(1, value, 1, 10, test="z"),
        lambda: S.equivalence_test(1, value, 1, 10),
        lambda: S.paired_gap_bounds(1, 1, value),
        lambda: S.mcnemar_exact(value, 1),
        lambda: S.bayes_compare(1, value, 1, 10),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"is too large for a count \(at most 2\*\*62\)"):
            call()


def test_planning_functions_refuse_huge_whole_sizes():
    with pytest.raises(ValueError, match=r"n1 is too large for a group size \(at most 2\*\*62\)"):
        S.power_two_proportions(0.3, 0.2, 2.0**63, 10)
    # a trillion respondents is fine for the approximations
    res = S.power_two_proportions(0.3, 0.2, HUGE, HUGE)
    assert res["power"].iloc[0] == 1.0 and res["power_method"].iloc[0] == "normal approximation (pooled z)"
    assert S.equivalence_power(0.5, 0.5, HUGE, HUGE, 0.01)["power_method"].iloc[0].startswith("normal")


# ---------------------------------------------------------------------------
# empty inputs: an empty table with the columns (and dtypes) of a non-empty one
# ---------------------------------------------------------------------------

EMPTY_CALLS = {
    "compare_proportions": (lambda e: S.compare_proportions(e, e, e, e, ratio=True, odds_ratio=True, adjust="holm"),
                            lambda: S.compare_proportions([1], [3], [2], [4], ratio=True, odds_ratio=True,
                                                          adjust="holm")),
    "compare_boschloo_fisher": (lambda e: S.compare_proportions(e, e, e, e, test="boschloo_fisher"),
                                lambda: S.compare_proportions([1], [3], [2], [4], test="boschloo_fisher")),
    "equivalence_test": (lambda e: S.equivalence_test(e, e, e, e), lambda: S.equivalence_test([1], [3], [2], [4])),
    "equivalence_power": (lambda e: S.equivalence_power(e, e, e, e), lambda: S.equivalence_power(0.5, 0.5, 30, 40)),
    "equivalence_sample_size": (lambda e: S.equivalence_sample_size(e, e), lambda: S.equivalence_sample_size(0.5, 0.5)),
    "power_two_proportions": (lambda e: S.power_two_proportions(e, e, e, e),
                              lambda: S.power_two_proportions(0.5, 0.3, 30, 20)),
    "minimal_detectable_difference": (lambda e: S.minimal_detectable_difference(e, e, e),
                                      lambda: S.minimal_detectable_difference(30, 20, 0.3)),
    "smallest_significant_n": (lambda e: S.smallest_significant_n(e, e), lambda: S.smallest_significant_n(0.3, 0.1)),
    "significance_by_size": (lambda e: S.significance_by_size(e, e, [10, 20]),
                             lambda: S.significance_by_size(0.3, 0.1, [10, 20])),
    "significance_by_size_no_sizes": (lambda e: S.significance_by_size(0.3, 0.1, e),
                                      lambda: S.significance_by_size(0.3, 0.1, [10, 20])),
    "paired_compare": (lambda e: S.paired_compare(e, e, e, e), lambda: S.paired_compare(1, 2, 3, 4)),
    "paired_gap_bounds": (lambda e: S.paired_gap_bounds(e, e, e), lambda: S.paired_gap_bounds(3, 2, 5)),
    "compatible_tables": (lambda e: S.compatible_tables(e, e, e), lambda: S.compatible_tables(3, 2, 5)),
    "bayes_compare": (lambda e: S.bayes_compare(e, e, e, e), lambda: S.bayes_compare(1, 3, 2, 4, draws=100)),
}


@pytest.mark.parametrize("name", sorted(EMPTY_CALLS))
def test_empty_inputs_give_an_empty_table_with_the_columns(name):
    empty_call, full_call = EMPTY_CALLS[name]
    empty, full = empty_call([]), full_call()
    assert len(empty) == 0 and len(full) > 0
    assert list(empty.columns) == list(full.columns)
    assert empty.dtypes.astype(str).tolist() == full.dtypes.astype(str).tolist()


def test_empty_arrays_of_the_building_blocks():
    assert S.mcnemar_exact([], []).shape == (0,)
    assert S.mcnemar_asymptotic([], []).shape == (0,)
    assert S.adjust_pvalues([]).shape == (0,)
    low, high = S.paired_interval([], [], [], [])
    assert low.shape == high.shape == (0,)
    assert S.two_sided_pvalues(np.array([], int), np.array([], int), np.array([], int), np.array([], int),
                               "fisher").shape == (0,)
