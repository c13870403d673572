"""Number formatting (``present.numbers``) against ``decimal.Decimal`` with ROUND_HALF_UP on exact fractions.

The percentages surveys publish are rounded half up; Python's own
formatting rounds ties to even (``f"{12.5:.0f}" == "12"``). Every expected
string is built here from exact integers with the decimal module.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_stats.present.numbers import (
    MISSING,
    count,
    for_display,
    missing,
    p_equals,
    p_text,
    percent,
    percent_table,
    points,
    span,
)


def half_up_percent(k: int, n: int, decimals: int) -> str:
    exact = Decimal(100 * k) / Decimal(n)
    return f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}%"


def test_percent_rounds_half_up_as_surveys_publish():
    assert percent(3 / 24) == "13%"  # 12.5% -> 13 (Python's own format gives 12)
    assert f"{100 * 3 / 24:.0f}" == "12"
    assert percent(15 / 24) == "63%"  # 62.5% -> 63
    assert percent(1 / 8, 1) == "12.5%"
    assert percent(0.0) == "0%" and percent(1.0) == "100%"


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10_000), data=st.data(), decimals=st.integers(0, 2))
def test_percent_equals_decimal_half_up(n, data, decimals):
    k = data.draw(st.integers(0, n))
    assert percent(k / n, decimals) == half_up_percent(k, n, decimals)


def test_percent_on_every_tie_of_small_groups():
    # every k/n with n <= 200 whose percentage ends in exactly .5 (the cases half up and half even disagree on)
    ties = [(k, n) for n in range(1, 201) for k in range(n + 1) if (200 * k) % n == 0 and (200 * k // n) % 2 == 1]
    assert len(ties) > 100
    for k, n in ties:
        assert percent(k / n) == half_up_percent(k, n, 0), (k, n)


def test_points_round_half_up_and_carry_a_sign():
    assert points(0.1769) == "+18" and points(-0.1769) == "-18"
    assert points(0.125) == "+13"  # 12.5 points
    assert points(0.004) == "0" and points(-0.004) == "0"  # never "-0" or "+0"
    assert points(0.1769, signed=False) == "18" and points(-0.025, 1) == "-2.5"


def test_p_values_in_sentences():
    assert p_text(0.2036) == "0.20" and p_text(0.0093) == "0.0093" and p_text(1e-7) == "< 0.0001"
    assert "adjusted p " + p_equals(0.2036) == "adjusted p = 0.20"
    assert "p " + p_equals(1e-7) == "p < 0.0001"  # not "p = < 0.0001"
    assert "=" not in p_equals(3e-5)
    assert p_equals(None) == "not computed" and p_equals(float("nan")) == "not computed"


def test_missing_values_never_print_as_nan_none_or_na():
    for value in (None, float("nan"), pd.NA, np.nan):
        assert missing(value)
        assert percent(value) == points(value) == p_text(value) == MISSING
        assert span(value, 3) == MISSING and count(value, 24) == MISSING
    assert not missing(0) and not missing("")
    assert span(3, 3) == "3" and span(19, 24) == "19 to 24" and span(0.1, 0.25, percent) == "10% to 25%"
    assert count(3, 24) == "3/24"


def test_for_display_has_no_missing_markers():
    table = pd.DataFrame({"n": pd.array([24, None], dtype="Int64"), "x": [0.5, float("nan")], "s": ["a", None],
                          "b": pd.array([True, pd.NA], dtype="boolean")})
    shown = for_display(table)
    text = shown.to_string() + shown.to_html()
    for marker in ("nan", "NaN", "None", "<NA>", "&lt;NA&gt;"):
        assert marker not in text, marker
    assert shown.loc[1].tolist() == [MISSING] * 4
    assert shown.loc[0, "n"] == 24


def test_percent_table():
    shown = percent_table(pd.DataFrame({"p": [0.30189, None], "p_value": [0.12346, 3e-6]}), ("p",), ("p_value",))
    assert shown.loc[0, "p"] == pytest.approx(30.2) and shown.loc[0, "p_value"] == pytest.approx(0.1235)
    assert shown.loc[1, "p_value"] == "< 0.0001"
