"""Fixtures of the present tests: the same cached analysis runs as ``tests/analyses`` (one per process)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analyses"))
import analysis_runs


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """``runs("perception", rounding="truncate")``: the cached result of ``run_perception(rounding="truncate")``."""
    analysis_runs.configure(tmp_path_factory.mktemp("analysis-runs"))
    return analysis_runs.run


@pytest.fixture(autouse=True, scope="module")
def _counts_in_tmp(runs):
    """Direct ``run_*`` calls of a test module store their counts in the session's tmp folder too."""
    with analysis_runs.redirect_store():
        yield
