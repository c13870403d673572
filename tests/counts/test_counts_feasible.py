"""counts.feasible: exact GRIM arithmetic (feasible counts, group sizes from shares, cross-figure checks).

Reference values are either worked by hand (in the comments) or come from the
brute-force reference of ``counts_reference.py`` (``fractions.Fraction`` and
explicit rounding rules, every k in 0..n), which never uses the module's
integer inequalities, so agreement is an independent check. For very large
n (issue 16, item 10) the reference bisects on the same explicit rounding of
exact fractions.

Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test. Social
Psychological and Personality Science, 8(4), 363-369.
"""

from __future__ import annotations

import re
import tracemalloc
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from counts_reference import (
    SPECIFIC,
    exact,
    ref_feasible,
    ref_round,
    ref_unknown_interval,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_stats.counts.feasible import (
    consistent_group_sizes,
    count_ranges,
    feasible_counts,
    infer_group_sizes,
    is_consistent,
    mixture_consistent,
    nested_consistent,
    shares_sum_consistent,
)
from alignment_stats.schema import ROUNDING_RULES


def as_list(arr) -> list[int]:
    return [int(x) for x in arr]


def test_reference_rounding_agrees_with_python_round():
    # Python's round() on a Fraction is round-half-even; a sanity check of the reference.
    for num in range(400):
        q = Fraction(num, 8)
        assert ref_round(q, "half_even") == round(q)
        assert ref_round(q, "truncate") == int(q)
    assert ref_round(Fraction(25, 2), "half_up") == 13
    assert ref_round(Fraction(25, 2), "half_even") == 12
    assert ref_round(Fraction(27, 2), "half_even") == 14
    assert ref_round(Fraction(1, 3), "ceil") == 1 and ref_round(Fraction(3, 1), "ceil") == 3


def test_rules_are_the_schema_rules():
    assert ROUNDING_RULES == ("half_up", "half_even", "truncate", "ceil", "unknown")


# ---------------------------------------------------------------------------
# Hand-enumerated small cases, every rule
# ---------------------------------------------------------------------------

# (value, n, decimals, {rule: expected counts}); worked by hand:
HAND_CASES = [
    # n=1: 0% or 100%.
    (0, 1, 0, {"half_up": [0], "half_even": [0], "truncate": [0], "ceil": [0], "unknown": [0]}),
    (100, 1, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    (50, 1, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [], "unknown": []}),
    # n=2: 0, 50, 100. 'unknown' for 49 is (48, 50) open: 50 excluded.
    (50, 2, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    (49, 2, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [], "unknown": []}),
    # n=3: 0, 33.33, 66.67, 100.
    (33, 3, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [], "unknown": [1]}),
    (34, 3, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [1], "unknown": [1]}),
    (67, 3, 0, {"half_up": [2], "half_even": [2], "truncate": [], "ceil": [2], "unknown": [2]}),
    (66, 3, 0, {"half_up": [], "half_even": [], "truncate": [2], "ceil": [], "unknown": [2]}),
    (33.3, 3, 1, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [], "unknown": [1]}),
    (66.7, 3, 1, {"half_up": [2], "half_even": [2], "truncate": [], "ceil": [2], "unknown": [2]}),
    # n=4: 0, 25, 50, 75, 100; 24: 'unknown' is (23, 25) open -> nothing.
    (25, 4, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    (24, 4, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [], "unknown": []}),
    # n=5: multiples of 20.
    (20, 5, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    # 21 is never a report: 20% is exact, and 'unknown' is (20, 22) open.
    (21, 5, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [], "unknown": []}),
    # n=6: 16.67, 33.33, 50, ...
    (17, 6, 0, {"half_up": [1], "half_even": [1], "truncate": [], "ceil": [1], "unknown": [1]}),
    (16, 6, 0, {"half_up": [], "half_even": [], "truncate": [1], "ceil": [], "unknown": [1]}),
    # n=7: 14.29, 28.57, 42.86, ...
    (14, 7, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [], "unknown": [1]}),
    (29, 7, 0, {"half_up": [2], "half_even": [2], "truncate": [], "ceil": [2], "unknown": [2]}),
    (43, 7, 0, {"half_up": [3], "half_even": [3], "truncate": [], "ceil": [3], "unknown": [3]}),
    # n=8: 12.5, 25, 37.5, 50, 62.5, 75, 87.5 -- the ties.
    (13, 8, 0, {"half_up": [1], "half_even": [], "truncate": [], "ceil": [1], "unknown": [1]}),  # 12.5 -> 12 even
    (12, 8, 0, {"half_up": [], "half_even": [1], "truncate": [1], "ceil": [], "unknown": [1]}),
    (38, 8, 0, {"half_up": [3], "half_even": [3], "truncate": [], "ceil": [3], "unknown": [3]}),  # 37.5 -> 38 even
    (37, 8, 0, {"half_up": [], "half_even": [], "truncate": [3], "ceil": [], "unknown": [3]}),
    (63, 8, 0, {"half_up": [5], "half_even": [], "truncate": [], "ceil": [5], "unknown": [5]}),  # 62.5 -> 62
    (62, 8, 0, {"half_up": [], "half_even": [5], "truncate": [5], "ceil": [], "unknown": [5]}),
    (88, 8, 0, {"half_up": [7], "half_even": [7], "truncate": [], "ceil": [7], "unknown": [7]}),
    (12.5, 8, 1, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    # n=24: 3/24 = 12.5, 1/24 = 4.17, 15/24 = 62.5, 12/24 = 50.
    (13, 24, 0, {"half_up": [3], "half_even": [], "truncate": [], "ceil": [3], "unknown": [3]}),
    (4, 24, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [], "unknown": [1]}),
    (63, 24, 0, {"half_up": [15], "half_even": [], "truncate": [], "ceil": [15], "unknown": [15]}),
    (50, 24, 0, {"half_up": [12], "half_even": [12], "truncate": [12], "ceil": [12], "unknown": [12]}),
    (0, 24, 0, {"half_up": [0], "half_even": [0], "truncate": [0], "ceil": [0], "unknown": [0]}),
    (100, 24, 0, {"half_up": [24], "half_even": [24], "truncate": [24], "ceil": [24], "unknown": [24]}),
    (12.5, 24, 1, {"half_up": [3], "half_even": [3], "truncate": [3], "ceil": [3], "unknown": [3]}),
    # n=25: multiples of 4%; 13 is impossible under every rule ((12, 14) open for 'unknown').
    (13, 25, 0, {"half_up": [], "half_even": [], "truncate": [], "ceil": [], "unknown": []}),
    (12, 25, 0, {"half_up": [3], "half_even": [3], "truncate": [3], "ceil": [3], "unknown": [3]}),
    (4, 25, 0, {"half_up": [1], "half_even": [1], "truncate": [1], "ceil": [1], "unknown": [1]}),
    # n=1000: k/10 percent, so ranges: half_up [49.5, 50.5) -> 495..504;
    # half_even (50 even) [49.5, 50.5] -> 495..505; truncate [50, 51) -> 500..509;
    # ceil (49, 50] -> 491..500; unknown (49, 51) -> 491..509.
    (50, 1000, 0, {
        "half_up": list(range(495, 505)), "half_even": list(range(495, 506)),
        "truncate": list(range(500, 510)), "ceil": list(range(491, 501)), "unknown": list(range(491, 510))}),
    # 51 odd under half_even: (50.5, 51.5) open -> 506..514.
    (51, 1000, 0, {
        "half_up": list(range(505, 515)), "half_even": list(range(506, 515)),
        "truncate": list(range(510, 520)), "ceil": list(range(501, 511)), "unknown": list(range(501, 520))}),
]


@pytest.mark.parametrize("value, n, decimals, expected", HAND_CASES)
def test_hand_enumerated(value, n, decimals, expected):
    assert set(expected) == set(ROUNDING_RULES)
    for rule in ROUNDING_RULES:
        got = feasible_counts(value, n, decimals, rule)
        assert isinstance(got, range)
        assert as_list(got) == expected[rule], rule
        # The independent brute force agrees with the hand enumeration.
        assert ref_feasible(value, n, decimals, rule) == expected[rule], rule


def test_spec_examples():
    assert as_list(feasible_counts(30, 106)) == [32]
    assert as_list(feasible_counts(13, 24)) == [3]
    assert as_list(feasible_counts(13, 24, rounding="half_even")) == []
    assert feasible_counts(13, 24, rounding="half_even") == range(0)


def test_unknown_is_within_one_unit_of_the_last_place():
    assert as_list(feasible_counts(50, 1000, rounding="unknown")) == list(range(491, 510))


@pytest.mark.parametrize(
    "n, low, high, expected",
    [
        (24, 30, 37, [8]),  # "one third": 100k/24 in [30, 37] -> k in [7.2, 8.88]
        (24, 0, 25, list(range(7))),  # "less than one quarter", closed: 6/24 = 25% included
        (106, 30, 37, list(range(32, 40))),  # [31.8, 39.22]
        (3, 33.333333, 33.333334, [1]),  # six written decimals
        (6, 33.333333, 33.333334, [2]),
        (4, 25, 25, [1]),
        (3, 50, 60, []),
    ],
)
def test_intervals(n, low, high, expected):
    assert as_list(feasible_counts(None, n, low=low, high=high)) == expected
    assert as_list(feasible_counts(np.nan, n, low=low, high=high)) == expected
    assert ref_feasible(None, n, low=low, high=high) == expected


def test_one_sided_interval_defaults():
    # "more than half" of 10 with only low given: [50, 100] -> 5..10.
    assert as_list(feasible_counts(None, 10, low=50)) == list(range(5, 11))
    assert as_list(feasible_counts(None, 10, high=20)) == [0, 1, 2]


# ---------------------------------------------------------------------------
# Exhaustive and property-based comparison with the brute force
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("decimals", [0, 1])
@pytest.mark.parametrize("rule", ROUNDING_RULES)
def test_exhaustive_small_n_matches_bruteforce_and_is_contiguous(rule, decimals):
    # For every n in 1..60 and every reportable value, compare count_ranges with
    # the brute force, and check that the brute-force set is one contiguous range.
    scale = 10**decimals
    rules = SPECIFIC if rule == "unknown" else (rule,)
    values, ns, expected = [], [], []
    for n in range(1, 61 if decimals == 0 else 31):
        reported = {r: [ref_round(Fraction(100 * k * scale, n), r) for k in range(n + 1)] for r in rules}
        for v in range(100 * scale + 1):
            ks = [k for k in range(n + 1) if any(reported[r][k] == v for r in rules)]
            if ks:
                assert ks == list(range(ks[0], ks[-1] + 1))  # contiguous
            values.append(v / scale)
            ns.append(n)
            expected.append(ks)
    out = count_ranges(values, ns, decimals, rule)
    n_feasible = out["n_feasible"].to_numpy()
    k_low = out["k_low"].to_numpy(dtype=float, na_value=np.nan)
    k_high = out["k_high"].to_numpy(dtype=float, na_value=np.nan)
    for i, ks in enumerate(expected):
        assert n_feasible[i] == len(ks)
        if ks:
            assert (k_low[i], k_high[i]) == (ks[0], ks[-1])
        else:
            assert np.isnan(k_low[i]) and np.isnan(k_high[i])


def test_unknown_is_union_and_open_interval_exhaustive():
    pairs = [(v, n) for n in range(1, 41) for v in range(101)]
    values, ns = [v for v, _ in pairs], [n for _, n in pairs]

    def spans(rule):
        out = count_ranges(values, ns, 0, rule)
        lo = out["k_low"].to_numpy(dtype=float, na_value=-1).astype(int)
        hi = out["k_high"].to_numpy(dtype=float, na_value=-2).astype(int)
        return lo, hi

    unknown = spans("unknown")
    rules = [spans(r) for r in SPECIFIC]
    for i, (v, n) in enumerate(pairs):
        got = list(range(unknown[0][i], unknown[1][i] + 1))
        union = sorted(set().union(*(range(lo[i], hi[i] + 1) for lo, hi in rules)))
        assert got == union == ref_unknown_interval(v, n), (v, n)
    # the single-figure function agrees on a few
    for v, n in ((13, 24), (50, 7), (0, 1), (33, 3)):
        assert as_list(feasible_counts(v, n, rounding="unknown")) == ref_unknown_interval(v, n)


TRAPS = [(12.5, 1), (0.1, 1), (33.3, 1), (66.7, 1), (0.3, 1), (2.675, 3), (1.005, 3), (14.29, 2), (57.15, 2)]


@st.composite
def reported_values(draw, max_decimals: int = 2):
    """(value, decimals) pairs including the binary float traps."""
    trap = st.sampled_from(TRAPS).flatmap(
        lambda t: st.tuples(st.just(t[0]), st.integers(t[1], max(t[1], max_decimals)))
    )
    d = draw(st.integers(0, max_decimals))
    generic = st.integers(0, 100 * 10**d).map(lambda v: (float(Fraction(v, 10**d)), d))
    return draw(st.one_of(trap, generic))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(1, 10_000), decimals=st.integers(0, 2), rule=st.sampled_from(SPECIFIC))
def test_round_trip_contains_true_count(data, n, decimals, rule):
    k = data.draw(st.integers(0, n), label="k")
    reported = ref_round(Fraction(100 * k * 10**decimals, n), rule)
    value = float(Fraction(reported, 10**decimals))  # e.g. 333/10 -> 33.3
    for r in (rule, "unknown"):
        out = count_ranges([value], [n], decimals, r)
        assert out["k_low"].iloc[0] <= k <= out["k_high"].iloc[0]
        assert is_consistent(value, n, decimals, r) is True


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(reported_values(), st.integers(1, 150), st.sampled_from(ROUNDING_RULES)),
        min_size=1,
        max_size=12,
    )
)
def test_count_ranges_matches_bruteforce(rows):
    values = [v for (v, _), _, _ in rows]
    decimals = [d for (_, d), _, _ in rows]
    ns = [n for _, n, _ in rows]
    rules = [r for _, _, r in rows]
    out = count_ranges(values, ns, decimals, rules)
    for i, ((v, d), n, r) in enumerate(rows):
        ks = ref_feasible(v, n, d, r)
        assert out["n_feasible"].iloc[i] == len(ks)
        if ks:
            assert ks == list(range(ks[0], ks[-1] + 1))
            assert (out["k_low"].iloc[i], out["k_high"].iloc[i]) == (ks[0], ks[-1])
        else:
            assert out["k_low"].isna().iloc[i] and out["k_high"].isna().iloc[i]
        if r == "unknown":
            assert ks == ref_unknown_interval(v, n, d)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 200),
    a=st.integers(0, 10_000),
    b=st.integers(0, 10_000),
    da=st.integers(0, 2),
    db=st.integers(0, 2),
)
def test_intervals_match_bruteforce(n, a, b, da, db):
    low = float(Fraction(min(a, b) // 10**(2 - da) * 10**(2 - da), 100))
    high = float(Fraction(max(a, b) // 10**(2 - db) * 10**(2 - db), 100))
    if low > high:
        low, high = high, low
    got = as_list(feasible_counts(None, n, low=low, high=high))
    assert got == ref_feasible(None, n, low=low, high=high)


# ---------------------------------------------------------------------------
# count_ranges / is_consistent interface
# ---------------------------------------------------------------------------


def test_count_ranges_columns_dtypes_and_index():
    s = pd.Series([30, 13, 13], index=["a", "b", "c"])
    out = count_ranges(s, [106, 24, 25])
    assert list(out.columns) == ["k_low", "k_high", "n_feasible"]
    assert list(out.index) == ["a", "b", "c"]
    assert str(out["k_low"].dtype) == "Int64" and str(out["k_high"].dtype) == "Int64"
    assert out["n_feasible"].dtype == np.int64
    assert out["k_low"].tolist()[:2] == [32, 3]
    assert out["k_low"].isna().tolist() == [False, False, True]
    assert out["n_feasible"].tolist() == [1, 1, 0]
    plain = count_ranges([30, 13], 106)
    assert isinstance(plain.index, pd.RangeIndex)


def test_count_ranges_per_row_rules_and_decimals_and_intervals():
    out = count_ranges(
        pd.Series([13.0, 13.0, 12.5, np.nan], dtype="Float64"),
        24,
        decimals=[0, 0, 1, 0],
        rounding=["half_up", "half_even", "truncate", "half_up"],
        lows=[None, None, None, 30],
        highs=[None, None, None, 37],
    )
    assert out["n_feasible"].tolist() == [1, 0, 1, 1]
    assert out["k_low"].iloc[3] == 8


def test_count_ranges_empty_input():
    out = count_ranges([], [])
    assert len(out) == 0 and list(out.columns) == ["k_low", "k_high", "n_feasible"]


def test_large_n_exact():
    # 10**17 was once refused; now exact: 50% half up of 10**17 -> [49.5%, 50.5%) -> 495e14 .. 505e14 - 1
    out = count_ranges([50], [10**17])
    assert (out["k_low"].iloc[0], out["k_high"].iloc[0]) == (495 * 10**14, 505 * 10**14 - 1)
    # half_up, 33.333 with 3 decimals: 33.3325 <= 100k/1e9 < 33.3335 -> k in [333325000, 333335000).
    out = count_ranges([33.333], [10**9], decimals=3)
    assert (out["k_low"].iloc[0], out["k_high"].iloc[0]) == (333_325_000, 333_334_999)
    out = count_ranges([33.333333], [10**9], decimals=6, rounding="truncate")
    # [33.333333, 33.333334) -> k in [333333330, 333333340)
    assert (out["k_low"].iloc[0], out["k_high"].iloc[0]) == (333_333_330, 333_333_339)


def test_is_consistent_types():
    assert is_consistent(30, 106) is True
    assert is_consistent(13, 25) is False
    arr = is_consistent([13, 4, 63, 50], 25)
    assert isinstance(arr, np.ndarray) and arr.dtype == bool
    assert arr.tolist() == [False, True, False, False]
    assert is_consistent(pd.Series([13, 12]), 25).tolist() == [False, True]
    assert is_consistent(None, 24, low=30, high=37) is True


# ---------------------------------------------------------------------------
# Bad input: ValueError naming row and field
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": [10, 20, 30], "ns": [10, 0, 5]}, "row 1, field n: must be a positive count, got 0"),
        ({"values": [10], "ns": [-3]}, "row 0, field n: must be a positive count, got -3"),
        ({"values": [10, 20, 30], "ns": [10, 20, 10.5]}, "row 2, field n: 10.5 is not a whole number"),
        ({"values": [10, 20], "ns": [10, np.nan]}, "row 1, field n: missing"),
        ({"values": [10, 130], "ns": 10}, "row 1, field value: 130 is not a percentage (0-100)"),
        ({"values": [-1], "ns": 10}, "row 0, field value: -1 is not a percentage"),
        ({"values": [np.inf], "ns": 10}, "row 0, field value: inf is not a percentage"),
        ({"values": [None, None], "ns": 10, "lows": [0, 120], "highs": [10, 130]}, "row 1, field low: 120 is not a percentage"),
        ({"values": [None], "ns": 10, "lows": [0], "highs": [101]}, "row 0, field high: 101 is not a percentage"),
        ({"values": [None, None], "ns": 10, "lows": [0, 40], "highs": [10, 30]}, "row 1, field low: 40 is greater than high 30"),
        (
            {"values": [10, 20, 30, 12.5], "ns": 24},
            "row 3, field value: 12.5 has 1 decimal place(s) but decimals=0",
        ),
        ({"values": [33.33], "ns": 24, "decimals": 1}, "row 0, field value: 33.33 has 2 decimal place(s) but decimals=1"),
        ({"values": [None], "ns": 10, "lows": [33.3333333], "highs": [40]}, "row 0, field low: 33.3333333 has more than 6 decimal places"),
        ({"values": [10, None], "ns": 10}, "row 1, field value: missing (NaN) and neither low nor high"),
        ({"values": [10, 20], "ns": 10, "decimals": [0, 7]}, "row 1, field decimals: 7 is not a whole number between 0 and 6"),
        ({"values": [10], "ns": 10, "decimals": 1.5}, "field decimals: 1.5 is not a whole number"),
        ({"values": [10, 20], "ns": 10, "rounding": ["half_up", "bankers"]}, "row 1, field rounding: unknown rounding rule 'bankers'"),
        ({"values": [10, 20, 30], "ns": [10, 20]}, "mismatched lengths: field value has 3 rows but field n has 2 rows"),
        ({"values": [10, "x"], "ns": 10}, "row 1, field value: 'x' is not a number"),
        ({"values": [50], "ns": [2**63]}, "row 0, field n: "),
    ],
)
def test_bad_input_names_row_and_field(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        count_ranges(**kwargs)


def test_unknown_rule_lists_known_rules():
    with pytest.raises(ValueError, match=r"field rounding: unknown rounding rule 'bankers'; known rules: "
                       r"half_up, half_even, truncate, ceil, unknown \(unknown = any of the four others\)"):
        feasible_counts(10, 10, rounding="bankers")


def test_bad_input_uses_series_labels():
    with pytest.raises(ValueError, match=re.escape("row it, field value: 130 is not a percentage")):
        count_ranges(pd.Series([30, 130], index=["marketing", "it"]), 100)


def test_series_with_different_indexes_rejected():
    with pytest.raises(ValueError, match="field n: its Series index differs"):
        count_ranges(pd.Series([30, 13], index=[0, 1]), pd.Series([106, 24], index=[1, 0]))


def test_feasible_counts_rejects_arrays():
    with pytest.raises(ValueError, match="field value: feasible_counts takes one figure"):
        feasible_counts([30, 13], 106)


def test_scalar_inputs_are_named_without_a_row():
    with pytest.raises(ValueError, match=r"^field n: 10\.5 is not a whole number$"):
        is_consistent(30, 10.5)
    with pytest.raises(ValueError, match=r"^field value: 12\.5 has 1 decimal place\(s\) but decimals=0$"):
        feasible_counts(12.5, 24)
    with pytest.raises(ValueError, match=r"^row 1, field n: 10\.5 is not a whole number$"):
        is_consistent(30, [10, 10.5])


# ---------------------------------------------------------------------------
# infer_group_sizes
# ---------------------------------------------------------------------------


def sizes_of(out: pd.DataFrame) -> list[tuple]:
    return [tuple(g["n"]) for _, g in out.groupby("candidate", sort=True)]


@pytest.mark.parametrize("max_unclassified", [0, 1])
def test_infer_leapfrog(max_unclassified):
    # 131 executives, 81% marketing, 19% IT: 106/131 = 80.92%, 25/131 = 19.08%;
    # marketing needs k in [105.46, 106.77) -> 106, IT [24.24, 25.55) -> 25; sum 131.
    out = infer_group_sizes(131, {"marketing": 81, "it": 19}, max_unclassified=max_unclassified)
    assert list(out.columns) == ["candidate", "group", "share", "n", "n_unclassified", "n_total"]
    assert out["candidate"].tolist() == [0, 0]
    assert out["group"].tolist() == ["marketing", "it"]
    assert out["n"].tolist() == [106, 25]
    assert out["share"].tolist() == [81.0, 19.0]
    assert out["n_unclassified"].tolist() == [0, 0]
    assert out["n_total"].tolist() == [131, 131]


def test_infer_leapfrog_it_24_never_a_size():
    # 24/131 = 18.32% rounds to 18, so IT = 24 is impossible however many are missing.
    assert as_list(feasible_counts(19, 131)) == [25]
    for max_unclassified in range(11):
        out = infer_group_sizes(131, {"marketing": 81, "it": 19}, max_unclassified=max_unclassified)
        assert 24 not in out.loc[out["group"] == "it", "n"].tolist()


def test_infer_three_groups():
    # 24 respondents: 12/24 = 50%, 9/24 = 37.5% -> 38, 3/24 = 12.5% -> 13 (half up).
    out = infer_group_sizes(24, {"a": 50, "b": 38, "c": 13})
    assert sizes_of(out) == [(12, 9, 3)]
    # Half to even 12.5% -> 12 and 37.5% -> 38: c=3 is impossible, so no split.
    assert len(infer_group_sizes(24, {"a": 50, "b": 38, "c": 13}, rounding="half_even")) == 0
    # Thirds of 300: each share [32.5, 33.5)% -> 98..100; only 100+100+100 = 300.
    assert sizes_of(infer_group_sizes(300, [33, 33, 33])) == [(100, 100, 100)]


def test_infer_max_unclassified_behaviour():
    # Thirds of 200: each group in 65..66 ([32.5, 33.5)% of 200 = [65, 67)), sums 195..198.
    assert len(infer_group_sizes(200, [33, 33, 33])) == 0
    assert len(infer_group_sizes(200, [33, 33, 33], max_unclassified=1)) == 0
    out = infer_group_sizes(200, [33, 33, 33], max_unclassified=2)
    assert sizes_of(out) == [(66, 66, 66)]
    assert out["n_unclassified"].unique().tolist() == [2]
    out = infer_group_sizes(200, [33, 33, 33], max_unclassified=3)
    assert sizes_of(out) == [(66, 66, 66), (65, 66, 66), (66, 65, 66), (66, 66, 65)]
    assert out.groupby("candidate")["n_unclassified"].first().tolist() == [2, 3, 3, 3]
    # Halves of 200: 99 or 100 each ([49.5, 50.5)% of 200 = [99, 101)).
    assert sizes_of(infer_group_sizes(200, [50, 50])) == [(100, 100)]
    assert sizes_of(infer_group_sizes(200, [50, 50], max_unclassified=1)) == [(100, 100), (99, 100), (100, 99)]
    out = infer_group_sizes(200, [50, 50], max_unclassified=2)
    assert sizes_of(out) == [(100, 100), (99, 100), (100, 99), (99, 99)]
    assert (out["n_unclassified"] == 200 - out.groupby("candidate")["n"].transform("sum")).all()
    assert out["group"].tolist()[:2] == [0, 1]


def test_infer_decimals_and_series():
    shares = pd.Series([80.9, 19.1], index=["marketing", "it"])
    out = infer_group_sizes(131, shares, decimals=1)
    assert sizes_of(out) == [(106, 25)]


def test_infer_guard_against_explosion():
    with pytest.raises(ValueError, match="max_combinations"):
        infer_group_sizes(10**6, [20, 20, 20, 20, 20], max_unclassified=10)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((0, [50, 50]), {}, "field total: must be a positive count, got 0"),
        ((10.5, [50, 50]), {}, "field total: 10.5 is not a whole number"),
        ((100, [50, 50]), {"max_unclassified": -1}, "field max_unclassified: must be a non-negative count, got -1"),
        ((100, [50, 50]), {"max_unclassified": 101}, "field max_unclassified: 101 exceeds total 100"),
        ((100, {"marketing": 81, "it": 190}), {}, "row it, field value: 190 is not a percentage"),
        ((100, {}), {}, "field shares: no groups given"),
    ],
)
def test_infer_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        infer_group_sizes(*args, **kwargs)


# ---------------------------------------------------------------------------
# consistent_group_sizes
# ---------------------------------------------------------------------------


def leapfrog_it_figures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": "leapfrog",
            "item": ["very_collaborative", "improved_alignment", "no_shared_incentives", "omnichannel"],
            "group": "it",
            "value": [13.0, 4.0, 63.0, 50.0],
            "low": np.nan,
            "high": np.nan,
        }
    )


def test_consistent_group_sizes_half_up():
    # n=24: 3/24 = 12.5 -> 13, 1/24 = 4.2 -> 4, 15/24 = 62.5 -> 63, 12/24 = 50: all feasible.
    # n=25: 3/25 = 12%, 4/25 = 16%; 15/25 = 60%, 16/25 = 64%; 12/25 = 48%, 13/25 = 52%
    #       -> 13, 63 and 50 ruled out; 1/25 = 4% fine.
    candidates = pd.DataFrame({"study": "leapfrog", "group": "it", "n": [24, 25]})
    out = consistent_group_sizes(leapfrog_it_figures(), candidates)
    assert list(out.columns) == [
        "study", "group", "n", "n_figures", "n_feasible", "all_feasible", "ruled_out_by", "rank"
    ]
    assert out["n"].tolist() == [24, 25]
    assert out["n_figures"].tolist() == [4, 4]
    assert out["n_feasible"].tolist() == [4, 1]
    assert out["all_feasible"].tolist() == [True, False]
    assert out["ruled_out_by"].tolist() == ["", "no_shared_incentives, omnichannel, very_collaborative"]
    assert out["rank"].tolist() == [1, 2]


def test_consistent_group_sizes_half_even():
    # Half to even: 12.5 -> 12 rules out 13, 62.5 -> 62 rules out 63 at n=24.
    candidates = pd.DataFrame({"study": "leapfrog", "group": "it", "n": [25, 24]})
    out = consistent_group_sizes(leapfrog_it_figures(), candidates, rounding="half_even")
    assert out["n_feasible"].tolist() == [1, 2]
    assert out["ruled_out_by"].tolist()[1] == "no_shared_incentives, very_collaborative"
    assert out["rank"].tolist() == [2, 1]


def test_consistent_group_sizes_ties_rank_by_candidate_order_and_groups():
    figures = pd.concat(
        [
            leapfrog_it_figures(),
            pd.DataFrame(
                {
                    "study": "leapfrog",
                    "item": ["very_collaborative", "one_third", "precise"],
                    "group": "marketing",
                    "value": [30.0, np.nan, 30.2],
                    "low": [np.nan, 30, np.nan],
                    "high": [np.nan, 37, np.nan],
                    "decimals": [np.nan, np.nan, 1],
                }
            ),
        ],
        ignore_index=True,
    )
    candidates = pd.DataFrame(
        {
            "study": ["leapfrog"] * 5,
            "group": ["marketing", "it", "marketing", "it", "other"],
            "n": [105, 23, 106, 22, 10],
        },
        index=[10, 11, 12, 13, 14],
    )
    out = consistent_group_sizes(figures, candidates)
    assert list(out.index) == [10, 11, 12, 13, 14]
    # Marketing: 30% of 106 -> 32 (30.19%, which is also 30.2 with one decimal); of 105:
    # 31/105 = 29.52 -> 30 but 29.5 or 29.6 with one decimal, so "precise" fails.
    assert out.loc[12, "all_feasible"] and out.loc[12, "rank"] == 1
    assert out.loc[10, "ruled_out_by"] == "precise" and out.loc[10, "rank"] == 2
    # IT at 23: 3/23 = 13.04, 1/23 = 4.35, 14/23 = 60.87 / 15/23 = 65.2 (63 fails),
    # 11/23 = 47.8 / 12/23 = 52.2 (50 fails).  At 22: 3/22 = 13.6 -> 14 (fails),
    # 1/22 = 4.5 -> 5 (fails), 14/22 = 63.6 -> 64 (fails), 11/22 = 50 (ok).
    assert out.loc[11, "n_feasible"] == 2 and out.loc[13, "n_feasible"] == 1
    assert out.loc[11, "rank"] == 1 and out.loc[13, "rank"] == 2
    # A candidate without figures: vacuously all feasible.
    assert out.loc[14, "n_figures"] == 0 and out.loc[14, "all_feasible"] and out.loc[14, "rank"] == 1
    assert out.loc[14, "ruled_out_by"] == ""


def test_consistent_group_sizes_equal_scores_keep_given_order():
    figures = leapfrog_it_figures().iloc[[3]]  # 50%: fits any even n
    candidates = pd.DataFrame({"study": "leapfrog", "group": "it", "n": [26, 24, 28]})
    assert consistent_group_sizes(figures, candidates)["rank"].tolist() == [1, 2, 3]


def test_consistent_group_sizes_bad_input():
    figures = leapfrog_it_figures()
    figures.index = ["f1", "f2", "f3", "f4"]
    figures.loc["f3", "value"] = 163
    candidates = pd.DataFrame({"study": "leapfrog", "group": "it", "n": [24, 0]})
    with pytest.raises(ValueError, match=re.escape("row f3, field value: 163 is not a percentage")):
        consistent_group_sizes(figures, candidates)
    with pytest.raises(ValueError, match=re.escape("row 1, field n: must be a positive count, got 0")):
        consistent_group_sizes(leapfrog_it_figures(), candidates)
    with pytest.raises(ValueError, match="candidates: missing column"):
        consistent_group_sizes(leapfrog_it_figures(), candidates.drop(columns="n"))


# ---------------------------------------------------------------------------
# Cross-figure checks
# ---------------------------------------------------------------------------


def test_mixture_pooled_shared_incentives_true():
    # 63% of 106 marketing -> [62.5, 63.5)% -> k = 67; 63% of 24 IT -> [15, 15.24) -> k = 15.
    assert as_list(feasible_counts(63, 106)) == [67]
    assert as_list(feasible_counts(63, 24)) == [15]
    # Pooled 82/130 = 63.08% -> 63; 63% of 130 needs k in [81.25, 82.55) -> 82.
    out = mixture_consistent([67, 15], [67, 15], [106, 24], 63, labels=["marketing", "it"])
    row = out.iloc[0]
    assert bool(row["ok"]) is True
    assert (row["n"], row["k_low"], row["k_high"]) == (130, 82, 82)
    assert (row["total_k_low"], row["total_k_high"]) == (82, 82)
    assert row["figures"] == "marketing, it"
    assert "82" in row["detail"] and "130" in row["detail"]


def test_mixture_false_case():
    # Marketing 30% of 106 (k = 32) and IT 13% of 24 (k = 3): pooled 35/130 = 26.9%.
    # A reported pooled 30% would need k in [38.35, 39.65) -> 39: impossible.
    out = mixture_consistent([32, 3], [32, 3], [106, 24], 30)
    assert bool(out["ok"].iloc[0]) is False
    assert out["figures"].iloc[0] == "0, 1"
    assert "pooled k 35 of n=130" in out["detail"].iloc[0]
    assert "30% needs k 39" in out["detail"].iloc[0]


def test_mixture_ranges_and_missing():
    # Ranges overlap: 0..2 + 5..6 = 5..8 out of 20; 40% of 20 = 8 exactly.
    assert bool(mixture_consistent([0, 5], [2, 6], [10, 10], 40)["ok"].iloc[0])
    assert not bool(mixture_consistent([0, 5], [2, 6], [10, 10], 45)["ok"].iloc[0])  # needs 9
    ranges = count_ranges([13, 63], [25, 106])  # 13% of 25 is infeasible
    out = mixture_consistent(ranges["k_low"], ranges["k_high"], [25, 106], 50)
    assert not bool(out["ok"].iloc[0]) and "no feasible count" in out["detail"].iloc[0]
    with pytest.raises(ValueError, match=re.escape("row 1, field k_highs: 30 exceeds n=24")):
        mixture_consistent([67, 15], [67, 30], [106, 24], 63)
    with pytest.raises(ValueError, match=re.escape("row 0, field k_lows: 68 is greater than k_high 67")):
        mixture_consistent([68, 15], [67, 15], [106, 24], 63)


def test_nested():
    # 30% very collaborative (k = 32 of 106) within "collaborative": sup 78% (k 82..83) fine;
    # a superset of 20% (k = 21) cannot contain it.
    out = nested_consistent(
        [32, 32, pd.NA], [83, 21, 50], sub_labels="very_collaborative", sup_labels=["collaborative", "improved", "x"]
    )
    assert out["ok"].tolist() == [True, False, False]
    assert out["detail"].tolist()[1] == "subset k >= 32 but superset k <= 21"
    assert out["detail"].tolist()[2] == "no feasible count for the subset"
    assert str(out["sub_k_low"].dtype) == "Int64"
    # Equal counts are allowed.
    assert nested_consistent([5], [5])["ok"].tolist() == [True]


@pytest.mark.parametrize(
    "shares, decimals, rounding, ok",
    [
        ({"marketing": 81, "it": 19}, 0, "half_up", True),  # [99, 101)
        ([33, 33, 33], 0, "half_up", True),  # [97.5, 100.5)
        ([40, 40, 40], 0, "half_up", False),  # [118.5, 121.5)
        ([34, 34, 34], 0, "half_up", False),  # lower 100.5 > 100
        ([60, 41], 0, "half_up", True),  # lower 59.5 + 40.5 = 100, closed
        ([60, 41], 0, "half_even", False),  # 41 odd: 40.5 excluded, so the lower sum 100 is open
        ([59, 40], 0, "half_up", False),  # upper 59.5 + 40.5 = 100, open
        ([60, 40], 0, "truncate", True),  # lower 100 closed
        ([59, 39], 0, "truncate", False),  # upper 60 + 40 = 100 open
        ([61, 41], 0, "ceil", False),  # lower 60 + 40 = 100 open
        ([60, 40], 0, "ceil", True),  # upper 100 closed
        ([100, 0], 0, "truncate", True),  # 100 -> [100, 100] after clipping
        ([0, 100], 0, "ceil", True),  # 0 -> [0, 0] after clipping
        ([0, 0], 0, "half_up", False),  # [0, 1)
        ([33.3, 33.3, 33.3], 1, "half_up", True),  # [99.75, 100.05)
        ([50, 49.5], [0, 1], "half_up", True),  # [98.95, 100.05)
        ([41, 41], 0, "unknown", False),  # (80, 84)
        ([49, 50], 0, "unknown", True),  # (97, 101)
    ],
)
def test_shares_sum(shares, decimals, rounding, ok):
    out = shares_sum_consistent(shares, decimals, rounding)
    assert bool(out["ok"].iloc[0]) is ok
    assert list(out.columns) == ["figures", "sum_reported", "sum_low", "sum_high", "ok", "detail"]


def test_shares_sum_any_edges():
    # 'any': each share in (V-1, V+1); 49 + 49 -> (96, 100): 100 excluded; 49 + 50 -> (97, 101).
    assert not bool(shares_sum_consistent([49, 49], rounding="unknown")["ok"].iloc[0])
    assert bool(shares_sum_consistent([49, 50], rounding="unknown")["ok"].iloc[0])
    out = shares_sum_consistent([40, 40, 40])
    assert out["detail"].iloc[0] == "40 + 40 + 40 = 120; true shares sum to [118.5, 121.5): 100 is impossible"
    assert (out["sum_low"].iloc[0], out["sum_high"].iloc[0]) == (118.5, 121.5)


def test_shares_sum_bad_input():
    with pytest.raises(ValueError, match=re.escape("row it, field value: 19.5 has 1 decimal place(s) but decimals=0")):
        shares_sum_consistent({"marketing": 81, "it": 19.5})


# ---------------------------------------------------------------------------
# Library edges (issue 16, item 10): any int64 n, no allocation per count, clear refusals
# ---------------------------------------------------------------------------


def _reported(k: int, n: int, decimals: int, rule: str) -> int:
    return ref_round(Fraction(100 * k * 10**decimals, n), rule)


def ref_range_bisect(value: float, n: int, decimals: int, rule: str) -> tuple[int, int] | None:
    """(first, last) feasible count by bisection on the explicit rounding of exact fractions (monotone in k)."""
    target = exact(value) * 10**decimals

    def first(pred):  # smallest k in 0..n+1 with pred(k), pred monotone
        lo, hi = 0, n + 1
        while lo < hi:
            mid = (lo + hi) // 2
            if mid <= n and pred(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    low = first(lambda k: _reported(k, n, decimals, rule) >= target)
    high = first(lambda k: _reported(k, n, decimals, rule) > target) - 1
    return (low, high) if low <= high else None


# sizes a float64 holds exactly (so any conversion through float would go unnoticed) ...
BIG_N = [10**12, 10**15 + 7, 2**62]
# ... and sizes it does not: 2**53 + 1 and 2**62 - 1 become 2**53 and 2**62 as floats
UNFLOATABLE_N = [2**53 + 1, 2**62 - 1]


@pytest.mark.parametrize("n", BIG_N)
@pytest.mark.parametrize("value, decimals", [(13, 0), (50, 0), (0, 0), (100, 0), (33.3, 1), (12.345, 3)])
@pytest.mark.parametrize("rule", SPECIFIC)
def test_huge_n_gives_a_range_matching_exact_arithmetic(n, value, decimals, rule):
    got = feasible_counts(value, n, decimals, rule)
    assert isinstance(got, range) and got.step == 1
    expected = ref_range_bisect(value, n, decimals, rule)
    if expected is None:
        assert len(got) == 0
    else:
        assert (got[0], got[-1], len(got)) == (expected[0], expected[1], expected[1] - expected[0] + 1)


@pytest.mark.parametrize("n", BIG_N)
def test_huge_n_unknown_is_the_union_of_the_four_rules(n):
    got = feasible_counts(13, n, rounding="unknown")
    parts = [ref_range_bisect(13, n, 0, r) for r in SPECIFIC]
    assert (got[0], got[-1]) == (min(p[0] for p in parts), max(p[1] for p in parts))


@pytest.mark.parametrize("n", UNFLOATABLE_N)
def test_huge_n_is_exact_where_a_float_is_not(n):
    assert float(n) != n
    for value, decimals, rule in ((13, 0, "half_up"), (50, 0, "truncate"), (100, 0, "ceil"), (33.3, 1, "half_even")):
        got = feasible_counts(value, n, decimals, rule)
        low, high = ref_range_bisect(value, n, decimals, rule)
        assert (got[0], got[-1]) == (low, high), (value, rule)
    # a Python list of such sizes, too
    out = count_ranges([13], [n])
    assert (out["k_low"].iloc[0], out["k_high"].iloc[0]) == ref_range_bisect(13, n, 0, "half_up")


def test_huge_n_is_not_allocated():
    tracemalloc.start()
    try:
        got = feasible_counts(13, 10**12)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 12.5% to 13.5% of a trillion: ten billion counts, held as a range
    assert len(got) == 10**10 and got[0] == 125 * 10**9 and got[-1] == 135 * 10**9 - 1
    assert peak < 1_000_000


def test_count_ranges_with_huge_int64_sizes():
    ns = np.array([2**62, 10**18, 10**12], dtype=np.int64)
    out = count_ranges([50, 13, 13], ns)
    for i, n in enumerate(ns.tolist()):
        low, high = ref_range_bisect([50, 13, 13][i], n, 0, "half_up")
        assert (out["k_low"].iloc[i], out["k_high"].iloc[i], out["n_feasible"].iloc[i]) == (low, high, high - low + 1)


def test_the_largest_int64_n():
    # issue 16: "range functions such as feasible_counts work for any int64 n"
    n = 2**63 - 1
    got = feasible_counts(50, n)
    low, high = ref_range_bisect(50, n, 0, "half_up")
    assert (got[0], got[-1]) == (low, high)


@pytest.mark.parametrize("n", [2**63, 2**64, np.uint64(2**63), 10**30])
def test_n_beyond_int64_is_refused_clearly(n):
    with pytest.raises(ValueError) as info:
        feasible_counts(13, n)
    message = str(info.value)
    assert message.startswith("field n: ") and "too large" in message, message
    assert "non-negative" not in message and "positive" not in message


def test_n_beyond_int64_in_a_column_is_refused_clearly():
    with pytest.raises(ValueError, match=r"^row 1, field n: \d+ is too large"):
        count_ranges([50, 50], np.array([10, 2**63], dtype=np.uint64))
    with pytest.raises(ValueError, match=r"^row 0, field n: .* is too large"):
        count_ranges([50], [2**63])


@pytest.mark.parametrize("kwargs", [{"low": 10}, {"high": 20}, {"low": 10, "high": 20}])
@pytest.mark.parametrize("value", [13, 13.0, np.float64(13)])
def test_value_together_with_low_or_high_is_refused(value, kwargs):
    with pytest.raises(ValueError, match="give either the value or low/high"):
        feasible_counts(value, 24, **kwargs)


def test_interval_without_value_is_accepted():
    # 10-20% of 24: 100k/24 in [10, 20] -> k in [2.4, 4.8] -> 3, 4
    for value in (None, float("nan"), np.nan):
        assert list(feasible_counts(value, 24, low=10, high=20)) == [3, 4] == ref_feasible(None, 24, low=10, high=20)


def test_bad_n_messages():
    with pytest.raises(ValueError, match=r"^field n: must be a positive count, got -5$"):
        feasible_counts(13, -5)
    with pytest.raises(ValueError, match=r"^field n: must be a positive count, got 0$"):
        feasible_counts(13, 0)
