"""Where things are: every path of the project, built from the package location.

papermill runs a notebook in the working directory of whoever launched it
while Jupyter uses the notebook's folder, so no path here depends on
``os.getcwd()``.

Examples
--------
>>> (PROJECT_ROOT / "alignment_stats" / "config.py").is_file()
True
>>> BUNDLED_FIGURES.relative_to(PROJECT_ROOT).as_posix()
'data/raw/benchmark_figures.csv'
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "PROJECT_ROOT",
    "DATA_DIR",
    "RAW_DIR",
    "PROCESSED_DIR",
    "SOURCES_DIR",
    "DEMO_DIR",
    "BUNDLED_FIGURES",
    "BUNDLED_STUDIES",
    "BUNDLED_CLAIMS",
    "DEMO_SURVEY",
    "DEMO_CODEBOOK",
    "NOTEBOOK_DIR",
    "REPORTS_DIR",
    "INTERACTIVE_DIR",
]

#: The installed package (never written to).
PACKAGE_DIR = Path(__file__).resolve().parent
#: The folder holding ``alignment_stats/``, ``notebooks/`` and ``data/``.
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
#: Raw inputs: read, never written.
RAW_DIR = DATA_DIR / "raw"
#: Generated counts, one folder per input (``data/processed/<key>/``).
PROCESSED_DIR = DATA_DIR / "processed"
#: Copies of the seed articles and of SOURCES.md, against which quotes are checked.
SOURCES_DIR = RAW_DIR / "sources"
#: The synthetic demo survey.
DEMO_DIR = RAW_DIR / "demo"

BUNDLED_FIGURES = RAW_DIR / "benchmark_figures.csv"
BUNDLED_STUDIES = RAW_DIR / "studies.yaml"
BUNDLED_CLAIMS = RAW_DIR / "claims.csv"
DEMO_SURVEY = DEMO_DIR / "leapfrog_demo_survey.csv"
DEMO_CODEBOOK = DEMO_DIR / "leapfrog_demo_codebook.yaml"

#: The analysis notebooks (``NN_name.ipynb`` with their ``NN_name.py`` jupytext pair).
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
#: Default parent folder of report runs.
REPORTS_DIR = PROJECT_ROOT / "reports"
#: Where a notebook run by hand writes its results when no ``output_dir`` is given.
INTERACTIVE_DIR = REPORTS_DIR / "interactive"
