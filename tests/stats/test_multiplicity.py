"""Tests for alignment_stats.stats.multiplicity: Holm, Benjamini-Hochberg, Bonferroni.

Expected values are worked by hand in the comments or come from statsmodels
``multipletests`` on the same p-values.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from stats_testing import fast_multipletests

from alignment_stats.stats.multiplicity import ADJUST_METHODS, adjust_pvalues, adjust_rows


def test_adjust_pvalues_hand_examples():
    # Holm: sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, max(0.06, 1*0.04)
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    # Benjamini-Hochberg: p_(i) * m / i with a running minimum from the top
    np.testing.assert_allclose(
        adjust_pvalues([0.01, 0.04, 0.03, 0.5], "fdr_bh"), [0.04, 0.16 / 3, 0.16 / 3, 0.5]
    )
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.4], "bonferroni"), [0.02, 0.8])
    np.testing.assert_allclose(adjust_pvalues([0.6, 0.7], "bonferroni"), [1.0, 1.0])
    np.testing.assert_array_equal(adjust_pvalues([0.2, 0.01], "none"), [0.2, 0.01])
    assert adjust_pvalues([], "holm").shape == (0,)
    assert adjust_pvalues(0.2, "holm").tolist() == [0.2]


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_adjust_pvalues_equals_multipletests(method):
    p = np.random.default_rng(21).uniform(0, 0.2, 50)
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1])


def test_holm_is_bit_for_bit_multipletests():
    # adjust_pvalues computes Holm itself (statsmodels collects garbage on every call):
    # the same numbers exactly, ties and p-values near 1 included
    rng = np.random.default_rng(25)
    with fast_multipletests():
        for size in (1, 2, 3, 7, 20, 101):
            for _ in range(10):
                p = rng.uniform(0, 1, size) ** 3
                if size > 2:
                    p[1] = p[2]
                np.testing.assert_array_equal(adjust_pvalues(p, "holm"), multipletests(p, method="holm")[1])


def test_adjust_pvalues_errors():
    with pytest.raises(ValueError, match=r"method='BH'.*'holm', 'fdr_bh', 'bonferroni', 'none'"):
        adjust_pvalues([0.1], "BH")
    with pytest.raises(ValueError, match=r"p must be p-values in \[0, 1\]; got 1.2 at position 1"):
        adjust_pvalues([0.1, 1.2])
    with pytest.raises(ValueError, match=r"got nan at position 0"):
        adjust_pvalues([np.nan])
    assert set(ADJUST_METHODS) == {"holm", "fdr_bh", "bonferroni", "none"}


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni", "none"])
def test_adjust_rows_equals_multipletests_row_by_row(method):
    rng = np.random.default_rng(23)
    p = rng.uniform(0, 0.3, (40, 7))
    p[::5, 2] = p[::5, 4]  # ties
    got = adjust_rows(p, method)
    with fast_multipletests():
        for row, adjusted in zip(p, got):
            expected = row if method == "none" else multipletests(row, method=method)[1]
            np.testing.assert_allclose(adjusted, expected, atol=1e-15, rtol=0)
