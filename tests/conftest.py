"""Fixtures shared by every layer's tests: the bundled data, the new-study and survey fixtures.

Tests treat these as read-only; one that needs to change a file copies it to
``tmp_path`` first. The layer folders (``tests/sources``, ``tests/counts``,
``tests/stats``, ``tests/analyses``, ``tests/present``, ``tests/report``)
mirror the package.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignment_stats.counts import CountsBundle, load_counts
from alignment_stats.sources import load_benchmark, load_studies

FIXTURES = Path(__file__).parent / "fixtures"
#: Three made-up studies whose ids are not in the bundled data: group sizes published (acme_2024), only a
#: total and shares (zenith_2023: 240 executives, 60% / 40%), neither (orbit_2022).
NEW_STUDIES = {name: FIXTURES / "studies" / name for name in ("published_sizes", "total_and_shares", "no_sizes")}
#: A made-up survey with a hand-written codebook (not the demo survey).
SURVEY = FIXTURES / "survey" / "responses.csv"
SURVEY_CODEBOOK = FIXTURES / "survey" / "codebook.yaml"


@pytest.fixture(scope="session")
def figures() -> pd.DataFrame:
    """The bundled benchmark figures."""
    return load_benchmark()


@pytest.fixture(scope="session")
def studies() -> dict:
    """The bundled study facts."""
    return load_studies()


@pytest.fixture(scope="session")
def bundle() -> CountsBundle:
    """The counts bundle of the bundled figures (default options), built in memory."""
    return load_counts(store=None)


@pytest.fixture(scope="session")
def counts(bundle) -> pd.DataFrame:
    """The counts table of the bundled figures (half-up rounding)."""
    return bundle.counts


@pytest.fixture(params=sorted(NEW_STUDIES))
def new_study(request) -> Path:
    """Each new-study fixture's folder (figures.csv + studies.yaml, acme_2024 also claims.csv)."""
    return NEW_STUDIES[request.param]
