"""Claims: what the articles conclude from the figures (``claims.csv``), read and checked.

A claim is a sentence of a source article ("marketers are much more
optimistic than IT") and the comparisons it rests on, one row each:
``figure_a relation figure_b`` with figures referenced as ``item/group`` of
the claim's study. Its ``kind`` says which analysis judges it:
``difference`` (perception gap), ``agreement`` (shared incentives) or
``gap`` (skills gap).

A user's claims file is checked strictly: every reference must name a
figure of the input. The bundled claims, used with another input, are kept
only for the input's studies and only where their figures exist; the rest
are skipped and :func:`resolve_claims` says which and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import BUNDLED_CLAIMS
from ..schema import CLAIM_COLUMNS, DataValidationError
from .figures import load_figures
from .text import first_error, read_csv_rows, shown

__all__ = ["CLAIM_KINDS", "ClaimRow", "read_claims", "resolve_claims", "load_claims"]

CLAIM_KINDS = ("difference", "agreement", "gap")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class ClaimRow(BaseModel):
    """One comparison a claim rests on, as written in a claims CSV."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    claim_id: str
    kind: Literal["difference", "agreement", "gap"]
    study: str
    source: str
    quote: str = Field(min_length=8)
    figure_a: str
    relation: Literal[">", "<", "="]
    figure_b: str

    @field_validator("claim_id", "study")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not _SNAKE.match(value):
            raise ValueError("must be a snake_case id (lower-case letters, digits, _)")
        return value

    @field_validator("figure_a", "figure_b")
    @classmethod
    def _figure_ref(cls, value: str) -> str:
        parts = value.split("/")
        if len(parts) != 2 or not all(_SNAKE.match(p) for p in parts):
            raise ValueError("must reference a figure as item/group")
        return value


def read_claims(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a claims file, without resolving its figure references.

    Returns
    -------
    pandas.DataFrame
        :data:`alignment_stats.schema.CLAIM_COLUMNS` plus ``item_a, group_a,
        item_b, group_b`` (the split references) and ``line`` (where the row
        is in the file).

    Raises
    ------
    DataValidationError
        A missing or unknown column, an unknown kind or relation, a reference
        that is not ``item/group``, a relation that does not fit the kind
        (``=`` only for agreement, ``>``/``<`` for the others).
    """
    path = Path(path) if path is not None else BUNDLED_CLAIMS
    records = []
    for line, raw in read_csv_rows(path, CLAIM_COLUMNS):
        try:
            row = ClaimRow(**raw)
        except ValidationError as exc:
            raise DataValidationError(first_error(path, line, exc, raw)) from None
        if (row.kind == "agreement") != (row.relation == "="):
            wanted = "'='" if row.kind == "agreement" else "'>' or '<'"
            raise DataValidationError(
                f"{path} line {line}, column relation: {shown(row.relation)} does not fit kind {row.kind!r} "
                f"(use {wanted})"
            )
        records.append({**row.model_dump(), "line": line})
    frame = pd.DataFrame.from_records(records, columns=[*CLAIM_COLUMNS, "line"])
    frame[["item_a", "group_a"]] = frame["figure_a"].str.split("/", expand=True)
    frame[["item_b", "group_b"]] = frame["figure_b"].str.split("/", expand=True)
    return frame


def resolve_claims(
    claims: pd.DataFrame, known: pd.DataFrame, path: str | Path = "claims", strict: bool = True
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Keep the claims whose figures the input has.

    Parameters
    ----------
    claims : pandas.DataFrame
        :func:`read_claims` output.
    known : pandas.DataFrame
        The input's figures or counts (columns ``study, item, group``).
    path : str or Path
        The claims file, for messages.
    strict : bool, default True
        A user's own claims file: a reference to a figure the input lacks is
        an error. False (the bundled claims with another input): such claims
        are skipped.

    Returns
    -------
    (pandas.DataFrame, dict)
        The claims kept (every row of a claim, or none of them), and
        ``{claim_id: why it was skipped}`` with the reasons "study X is not
        in the input" or "figure item/group of study X is not in the input".

    Raises
    ------
    DataValidationError
        ``strict`` and a reference the input lacks: names the file, line and column.

    Examples
    --------
    >>> from alignment_stats.sources.figures import load_figures
    >>> claims = read_claims()
    >>> figures = load_figures().query("study == 'econsultancy_2015'")
    >>> kept, skipped = resolve_claims(claims, figures, strict=False)
    >>> kept["claim_id"].unique().tolist(), skipped["vendor_bypass_disconnect"]
    (['it_more_collaborative_than_marketing'], 'study accenture_2014 is not in the input')
    """
    present = set(zip(known["study"], known["item"], known["group"]))
    studies = set(known["study"])
    skipped: dict[str, str] = {}
    for row in claims.itertuples():
        for column, item, group in (("figure_a", row.item_a, row.group_a), ("figure_b", row.item_b, row.group_b)):
            if (row.study, item, group) in present:
                continue
            if strict:
                raise DataValidationError(
                    f"{path} line {row.line}, column {column}: {shown(f'{item}/{group}')} is not a figure of "
                    f"study {row.study!r} in the input (its figures: "
                    f"{', '.join(sorted(f'{i}/{g}' for s, i, g in present if s == row.study)) or 'none'})"
                )
            why = (f"study {row.study} is not in the input" if row.study not in studies else
                   f"figure {item}/{group} of study {row.study} is not in the input")
            skipped.setdefault(row.claim_id, why)
    kept = claims[~claims["claim_id"].isin(skipped)].reset_index(drop=True)
    return kept, skipped


def load_claims(path: str | Path | None = None, known: pd.DataFrame | None = None,
                studies: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a claims file and check every reference against ``known`` (default: the bundled figures).

    ``studies`` restricts the claims to those studies first.

    Examples
    --------
    >>> claims = load_claims()
    >>> sorted(claims["kind"].unique())
    ['agreement', 'difference', 'gap']
    """
    claims = read_claims(path)
    if studies is not None:
        claims = claims[claims["study"].isin(set(studies))]
    known = load_figures() if known is None else known
    return resolve_claims(claims, known, path if path is not None else BUNDLED_CLAIMS, strict=True)[0]
