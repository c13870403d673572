"""Fixtures shared by the test modules: the bundled data, loaded once.

Tests treat these as read-only; one that needs to change them takes a copy.
"""

from __future__ import annotations

import pandas as pd
import pytest

from alignment_stats.audit import reconstruct_counts
from alignment_stats.data import load_benchmark, load_studies


@pytest.fixture(scope="session")
def figures() -> pd.DataFrame:
    """The bundled benchmark figures."""
    return load_benchmark()


@pytest.fixture(scope="session")
def studies() -> dict:
    """The bundled study facts."""
    return load_studies()


@pytest.fixture(scope="session")
def counts(figures, studies) -> pd.DataFrame:
    """The audit's counts table of the bundled figures (half-up rounding)."""
    return reconstruct_counts(figures, studies, rounding="half_up")
