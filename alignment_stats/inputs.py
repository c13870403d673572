"""One ``input`` parameter for every notebook: figures or counts.

An analysis can start from published figures (a ``benchmark_figures.csv``,
reconstructed into counts by the data audit) or from a counts table already
made (``data/processed/counts.parquet`` / ``.csv``), or from respondent-level
answers (a ``.csv``, ``.xlsx``, ``.sav`` or ``.parquet`` response file with a
YAML codebook, counted by :func:`alignment_stats.survey.load_responses`).
:func:`load_input` tells them apart and returns the counts, plus the figures
and study facts when it had them, or the observed paired tables when it read
respondents.
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


def _looks_aggregated(path: Path) -> bool:
    """Whether a .csv/.parquet file is a figures or counts table (by its header)."""
    try:
        if path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = set(next(csv.reader(handle), []))
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            header = set(pq.read_schema(path).names)
        else:
            return False
    except Exception:  # unreadable: the survey reader reports it properly
        return False
    return {"study", "item", "group"} <= header and bool({"k", "value"} & header)


def load_input(
    input: str | Path | None = None,
    rounding: str = "half_up",
    max_missing: int = 1,
    codebook: str | Path | None = None,
    weighted: bool = False,
) -> AnalysisInput:
    """Load the counts an analysis runs on.

    Parameters
    ----------
    input : str or Path, optional
        ``None``: the bundled benchmark figures, reconstructed by the audit.
        A figures CSV (``benchmark_figures.csv`` format, with its
        ``studies.yaml`` beside it or the bundled one): reconstructed the
        same way. A counts table (``.parquet``, or ``.csv`` with columns
        ``study, item, group, n, k``): used as it is. With ``codebook``: a
        response file (``.csv``, ``.xlsx``, ``.sav``, ``.parquet``), one row
        per respondent. Relative paths are relative to the project root.
    rounding, max_missing
        Passed to the audit when figures are reconstructed.
    codebook : str or Path, optional
        A YAML codebook (see :mod:`alignment_stats.survey`): ``input`` is
        then respondent-level data, counted by
        :func:`alignment_stats.survey.load_responses`.
    weighted : bool, default False
        With ``codebook``: weight by its ``weight`` column (Kish effective
        sample sizes). Ignored otherwise.

    Returns
    -------
    AnalysisInput
        From respondent-level data: ``figures`` and ``studies`` are None and
        ``paired`` holds the observed paired 2x2 tables (None if the codebook
        pairs no items).

    Raises
    ------
    DataValidationError
        A missing file, a counts table without its required columns, a
        codebook without a response file, or any problem of the response
        file or codebook (see :func:`alignment_stats.survey.load_responses`).

    Examples
    --------
    >>> loaded = load_input()
    >>> loaded.source, len(loaded.counts) == len(loaded.figures)
    ('bundled benchmark figures', True)
    >>> survey = load_input("data/raw/demo/leapfrog_demo_survey.csv",
    ...                     codebook="data/raw/demo/leapfrog_demo_codebook.yaml")
    >>> survey.source
    'SYNTHETIC demo survey (make_demo_survey, seed 2015), not real respondents'
    >>> survey.figures is None, len(survey.counts), len(survey.paired)
    (True, 19, 4)
    """
    from .audit import reconstruct_counts

    if codebook is not None and str(codebook) != "":
        from .survey import load_responses

        if input is None or str(input) == "":
            raise DataValidationError(
                f"codebook {codebook} given without a response file: pass input=<file of answers, one row per "
                "respondent>, or drop the codebook to analyse the bundled figures"
            )
        path = _resolve(input)
        if _looks_aggregated(path):
            raise DataValidationError(
                f"{path}: holds study/item/group rows (published figures or a counts table), not one row per "
                "respondent; drop the codebook (codebook=None) to use it as it is"
            )
        survey = load_responses(path, _resolve(codebook), weighted=weighted)
        return AnalysisInput(survey.counts, None, None, survey.source, survey.paired)
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
    elif path.suffix.lower() in (".xlsx", ".sav"):
        raise DataValidationError(
            f"{path}: a {path.suffix} file holds respondent-level answers; give its codebook too (codebook=...)"
        )
    else:
        raise DataValidationError(f"{path}: unknown input type {path.suffix!r} (use a figures or counts .csv, or .parquet)")
    missing = [c for c in COUNT_REQUIRED if c not in counts.columns]
    if missing:
        raise DataValidationError(
            f"{path}: counts table lacks column(s) {', '.join(missing)} (a file with one row per respondent "
            "needs its codebook: codebook=...)"
        )
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
