"""Claims and their verdicts in words: the ``detail`` of every claim, and why a comparison was not made.

Every analysis's verdict table is turned into ``results/claims.csv``
(:data:`~alignment_stats.schema.CLAIM_VERDICT_COLUMNS`: ``claim_id, study,
quote, verdict, detail``) and ``results/claim_comparisons.csv`` (the
comparisons, :data:`~alignment_stats.schema.COMPARISON_COLUMNS` first) by
:func:`claims_tables`; the index page and ``summary.json`` read these files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..schema import CLAIM_VERDICT_COLUMNS, COMPARISON_COLUMNS, ILLUSTRATIVE
from .escape import escape
from .numbers import missing

__all__ = ["STATUS_TEXT", "status_text", "claims_tables", "claims_markdown", "size_note"]

#: Why a figure or comparison was not tested, by ``status``.
STATUS_TEXT = {
    "no_count": "a published percentage fits no whole count at its group size (see the data audit)",
    "no_split": ("the study's published composition fits no split of its sample under the rounding rule in force, "
                 "so its figures are not assessable under that rule"),
    "no_size": "nothing publishes the group sizes and none was assumed",
    "same_group": "both figures describe the same respondents, which needs their paired table (respondent data)",
    "not_compared": "the claim compares figures this analysis does not compare",
    "one_measure": "only one of the two measures was asked",
    "no_figure": "the benchmark has no figure for this item and group",
}


def status_text(status: Any) -> str:
    """Why something was not tested, in words (``""`` for ``ok``).

    >>> status_text("no_size")
    'nothing publishes the group sizes and none was assumed'
    """
    return "" if missing(status) or status == "ok" else STATUS_TEXT.get(str(status), str(status))


def size_note(n_source: Any, n1: Any, n2: Any) -> str:
    """A bracketed note when a comparison rests on sizes the data do not give.

    >>> size_note("assumed", 100, 100)
    ' [group sizes assumed: 100 and 100; illustrative, not a finding]'
    """
    if n_source == "assumed":
        return f" [group sizes assumed: {n1} and {n2}; {ILLUSTRATIVE}, not a finding]"
    if n_source == "override":
        return f" [group sizes set by the user: {n1} and {n2}; {ILLUSTRATIVE}, not a finding]"
    return ""


def claims_tables(claims: pd.DataFrame, comparisons: pd.DataFrame,
                  describe: Callable[[Any], str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``results/claims.csv`` and ``results/claim_comparisons.csv`` of an analysis.

    ``describe`` turns one comparison row (a namedtuple) into its sentence;
    a claim's ``detail`` joins its comparisons' sentences.
    """
    details = {}
    for row in comparisons.itertuples(index=False):
        text = status_text(getattr(row, "status", "ok"))
        sentence = describe(row) if not text else f"{row.item}: not tested ({text})"
        details.setdefault(row.claim_id, []).append(sentence)
    table = claims.assign(detail=[ "; ".join(details.get(c, [])) for c in claims["claim_id"]])
    front = [c for c in COMPARISON_COLUMNS if c in comparisons.columns]
    return (table.reindex(columns=list(CLAIM_VERDICT_COLUMNS)),
            comparisons[front + [c for c in comparisons.columns if c not in front]])


def claims_markdown(claims: pd.DataFrame) -> str:
    """One bullet per claim: its quote and verdict (the quote escaped: it is the article's text)."""
    return "\n".join(f"- Claim *\u201c{escape(r.quote)}\u201d*: **{r.verdict}**." for r in claims.itertuples())
