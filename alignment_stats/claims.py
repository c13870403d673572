"""Verdicts on the claims of the source articles.

Every analysis judges the claims of its kind (``data/raw/claims.csv``) one
comparison at a time; a claim that rests on several comparisons is then
judged as a whole by :func:`overall_verdict`, and all analyses report the
same columns (:data:`VERDICT_COLUMNS`, which the report index reads).
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

__all__ = ["SUPPORTED", "NOT_SUPPORTED", "UNDECIDABLE", "VERDICT_COLUMNS", "overall_verdict", "verdict_row"]

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
UNDECIDABLE = "undecidable with this sample"
VERDICT_COLUMNS = ["claim_id", "study", "quote", "verdict", "detail"]


def overall_verdict(verdicts: Iterable[str]) -> str:
    """A claim's verdict from those of the comparisons it rests on.

    Supported only if every comparison is (an intersection-union rule, so no
    multiplicity adjustment is needed); not supported if any comparison is
    not; undecidable otherwise.

    Examples
    --------
    >>> overall_verdict(["supported", "supported"])
    'supported'
    >>> overall_verdict(["supported", "undecidable with this sample"])
    'undecidable with this sample'
    >>> overall_verdict(["undecidable with this sample", "not supported"])
    'not supported'
    """
    verdicts = list(verdicts)
    if verdicts and all(v == SUPPORTED for v in verdicts):
        return SUPPORTED
    if any(v == NOT_SUPPORTED for v in verdicts):
        return NOT_SUPPORTED
    return UNDECIDABLE


def verdict_row(claim_id: str, part: pd.DataFrame, verdicts: list[str], details: list[str]) -> dict[str, str]:
    """One row of a verdict table for the claim whose comparisons are ``part``."""
    first = part.iloc[0]
    return {"claim_id": claim_id, "study": first["study"], "quote": first["quote"],
            "verdict": overall_verdict(verdicts), "detail": "; ".join(details)}
