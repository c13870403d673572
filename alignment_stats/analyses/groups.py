"""Which studies and groups an analysis looks at.

The analyses compare two groups of a study: marketing and IT where a study
reports both, otherwise the study's first two groups in order of appearance
(a codebook may name its groups anything). ``study`` narrows an analysis to
one study of the input.
"""

from __future__ import annotations

import pandas as pd

from ..schema import DataValidationError

__all__ = ["PREFERRED", "select_studies", "two_groups", "items_of_both"]

#: The groups compared when a study has them (``p1`` is the first).
PREFERRED = ("marketing", "it")


def select_studies(counts: pd.DataFrame, study: str | None, what: str = "the input") -> list[str]:
    """The studies an analysis covers: ``[study]``, or every study of ``counts``.

    Raises
    ------
    DataValidationError
        ``study`` is not in ``counts``.
    """
    known = list(dict.fromkeys(counts["study"]))
    if study is None:
        return known
    if study not in known:
        raise DataValidationError(f"study: {study!r} is not a study of {what} (its studies: {', '.join(known)})")
    return [study]


def two_groups(counts: pd.DataFrame, study: str) -> tuple[str, str] | None:
    """The two groups compared in ``study`` (marketing and IT when both are there), or None.

    >>> counts = pd.DataFrame({"study": "s", "item": "x", "group": ["cio", "cmo", "all"]})
    >>> two_groups(counts, "s")
    ('cio', 'cmo')
    """
    groups = [g for g in dict.fromkeys(counts.loc[counts["study"] == study, "group"]) if g != "all"]
    if all(g in groups for g in PREFERRED):
        return PREFERRED
    return (groups[0], groups[1]) if len(groups) >= 2 else None


def items_of_both(counts: pd.DataFrame, studies: list[str]) -> pd.DataFrame:
    """Every item a study reports for both of its compared groups: ``study, item, item1, group1, item2, group2``."""
    rows = []
    for study in studies:
        groups = two_groups(counts, study)
        if groups is None:
            continue
        part = counts[counts["study"] == study]
        have = part.groupby("item", sort=False)["group"].agg(set)
        for item, present in have.items():
            if groups[0] in present and groups[1] in present:
                rows.append({"study": study, "item": item, "item1": item, "group1": groups[0], "item2": item,
                             "group2": groups[1]})
    return pd.DataFrame(rows, columns=["study", "item", "item1", "group1", "item2", "group2"])
