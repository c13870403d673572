"""Verdicts on the claims of the source articles, the same way in every analysis.

An analysis judges each comparison a claim rests on (a row of the claims
file) and gives it a verdict with
:func:`~alignment_stats.schema.comparison_verdict`; :func:`judge` collects
them into two tables: one row per comparison
(:data:`~alignment_stats.schema.COMPARISON_COLUMNS` and whatever else the
analysis reports about it), and one row per claim with the verdict
:func:`~alignment_stats.schema.combine_verdicts` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..schema import COMPARISON_COLUMNS, combine_verdicts

__all__ = ["CLAIM_TABLE_COLUMNS", "judge", "claims_of"]

#: One row per claim (the prose ``detail`` is added when results are written).
CLAIM_TABLE_COLUMNS = ("claim_id", "study", "kind", "quote", "verdict", "comparisons")


def claims_of(claims: pd.DataFrame, kind: str, studies: list[str] | None = None) -> pd.DataFrame:
    """The claims of one kind (``difference``, ``agreement``, ``gap``), for some studies only."""
    rows = claims[claims["kind"] == kind]
    if studies is not None:
        rows = rows[rows["study"].isin(set(studies))]
    return rows.reset_index(drop=True)


def judge(claims: pd.DataFrame, compare: Callable[[Any], dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge every comparison of every claim, then every claim.

    Parameters
    ----------
    claims : pandas.DataFrame
        Claims rows (one per comparison) of one kind.
    compare : callable
        Takes a claims row (a namedtuple with ``claim_id, study, item_a,
        group_a, relation, item_b, group_b, ...``) and returns the
        comparison's record, with at least ``verdict`` and the
        :data:`~alignment_stats.schema.COMPARISON_COLUMNS` it can fill.

    Returns
    -------
    (claims_table, comparisons)
        ``claims_table``: :data:`CLAIM_TABLE_COLUMNS`, one row per claim;
        ``comparisons``: one row per comparison, the comparison columns
        first.

    Examples
    --------
    >>> claims = pd.DataFrame({"claim_id": ["c", "c"], "study": "s", "kind": "difference", "quote": "q",
    ...                        "item_a": ["x", "y"]})
    >>> verdicts = {"x": "supported", "y": "undecidable with this sample"}
    >>> table, rows = judge(claims, lambda c: {"item": c.item_a, "verdict": verdicts[c.item_a]})
    >>> table[["claim_id", "verdict", "comparisons"]].to_dict("records")
    [{'claim_id': 'c', 'verdict': 'undecidable with this sample', 'comparisons': 2}]
    """
    records = []
    for row in claims.itertuples(index=False):
        record = {"claim_id": row.claim_id, "study": row.study, **compare(row)}
        records.append(record)
    comparisons = pd.DataFrame.from_records(records)
    if comparisons.empty:
        comparisons = pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    front = [c for c in COMPARISON_COLUMNS if c in comparisons.columns]
    comparisons = comparisons[front + [c for c in comparisons.columns if c not in front]]
    table = []
    for claim_id, part in claims.groupby("claim_id", sort=False):
        verdicts = comparisons.loc[comparisons["claim_id"] == claim_id, "verdict"].tolist()
        first = part.iloc[0]
        table.append({"claim_id": claim_id, "study": first["study"], "kind": first["kind"], "quote": first["quote"],
                      "verdict": combine_verdicts(verdicts), "comparisons": len(verdicts)})
    return pd.DataFrame(table, columns=list(CLAIM_TABLE_COLUMNS)), comparisons
