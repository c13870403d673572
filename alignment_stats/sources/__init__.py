"""Sources: raw files in, validated tables out.

Published figures and their studies, claims, codebooks and respondent-level
files, each read and checked by one module; :func:`read_sources` reads a
whole input. Raw files are only ever read; every problem is one
:class:`~alignment_stats.schema.DataValidationError` naming file, row and field.
"""

from .claims import load_claims, read_claims, resolve_claims
from .codebook import Codebook, load_codebook
from .demo import DEMO_COUNTS, make_demo_survey
from .figures import load_benchmark, load_figures
from .inputs import Sources, read_sources
from .paths import check_writable, output_folder, resolve
from .responses import FORMATS, Responses, read_responses
from .studies import load_studies

__all__ = [
    "DEMO_COUNTS",
    "FORMATS",
    "Codebook",
    "Responses",
    "Sources",
    "check_writable",
    "load_benchmark",
    "load_claims",
    "load_codebook",
    "load_figures",
    "load_studies",
    "make_demo_survey",
    "output_folder",
    "read_claims",
    "read_responses",
    "read_sources",
    "resolve",
    "resolve_claims",
]
