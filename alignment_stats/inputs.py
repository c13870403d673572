"""One ``input`` parameter for every notebook: figures or counts.

An analysis can start from published figures (a ``benchmark_figures.csv``,
reconstructed into counts by the data audit) or from a counts table already
made (``data/processed/counts.parquet`` / ``.csv``, or one produced from
respondent-level data). :func:`load_input` tells them apart and returns the
counts, plus the figures and study facts when it had them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .data import DataValidationError, PROJECT_ROOT, load_benchmark, load_studies

__all__ = ["AnalysisInput", "load_input"]

COUNT_REQUIRED = ("study", "item", "group", "n", "k")


@dataclass(frozen=True)
class AnalysisInput:
    """Counts for the analyses, and the figures they came from if known.

    ``paired`` holds, for respondent-level data only, the observed 2x2 table
    of every paired item (e.g. importance and expertise of the same skill):
    columns ``study, pair, group, n, both, a_only, b_only, neither`` where
    ``a`` is the first measure (importance) and ``b`` the second (expertise).
    From published figures it is None: only the margins are known.
    """

    counts: pd.DataFrame
    figures: pd.DataFrame | None
    studies: dict[str, dict[str, Any]] | None
    source: str
    paired: pd.DataFrame | None = None


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_input(
    input: str | Path | None = None, rounding: str = "half_up", max_missing: int = 1
) -> AnalysisInput:
    """Load the counts an analysis runs on.

    Parameters
    ----------
    input : str or Path, optional
        ``None``: the bundled benchmark figures, reconstructed by the audit.
        A figures CSV (``benchmark_figures.csv`` format, with its
        ``studies.yaml`` beside it or the bundled one): reconstructed the
        same way. A counts table (``.parquet``, or ``.csv`` with columns
        ``study, item, group, n, k``): used as it is. Relative paths are
        relative to the project root.
    rounding, max_missing
        Passed to the audit when figures are reconstructed.

    Returns
    -------
    AnalysisInput

    Raises
    ------
    DataValidationError
        A missing file, or a counts table without its required columns.

    Examples
    --------
    >>> loaded = load_input()
    >>> loaded.source, len(loaded.counts) == len(loaded.figures)
    ('bundled benchmark figures', True)
    """
    from .audit import reconstruct_counts

    if input is None or str(input) == "":
        figures, studies = load_benchmark(), load_studies()
        return AnalysisInput(reconstruct_counts(figures, studies, rounding, max_missing), figures, studies,
                             "bundled benchmark figures")
    path = _resolve(input)
    if not path.exists():
        raise DataValidationError(f"{path}: file not found")
    if path.suffix == ".parquet":
        counts = pd.read_parquet(path)
    elif path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        if "k" not in header:
            figures = load_benchmark(path)
            beside = path.parent / "studies.yaml"
            studies = load_studies(beside if beside.exists() else None)
            return AnalysisInput(reconstruct_counts(figures, studies, rounding, max_missing), figures, studies,
                                 f"figures from {path.name}")
        counts = pd.read_csv(path)
    else:
        raise DataValidationError(f"{path}: unknown input type {path.suffix!r} (use a figures or counts .csv, or .parquet)")
    missing = [c for c in COUNT_REQUIRED if c not in counts.columns]
    if missing:
        raise DataValidationError(f"{path}: counts table lacks column(s) {', '.join(missing)}")
    for column in ("value", "low", "high"):
        if column not in counts.columns:
            counts[column] = (100 * counts["k"] / counts["n"]) if column == "value" else float("nan")
    if "consistent" not in counts.columns:
        counts["consistent"] = True
    for column in ("k_low", "k_high"):
        if column not in counts.columns:
            counts[column] = counts["k"]
    counts = counts.astype({"n": "Int64", "k": "Int64", "k_low": "Int64", "k_high": "Int64", "consistent": "boolean"})
    return AnalysisInput(counts, None, None, f"counts from {path.name}")
