"""One input, whatever it is: published figures, a counts table, or respondent-level answers.

:func:`read_sources` tells them apart and reads everything an analysis
needs from them, validated: the figures and their studies, or the counts
table, or the answers through their codebook; and the claims to judge (a
user's own claims file, or the bundled claims of the studies the input
holds). Every problem is one :class:`~alignment_stats.schema.DataValidationError`
naming the file, row and field.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..config import BUNDLED_CLAIMS, BUNDLED_FIGURES
from ..schema import DataValidationError
from .claims import read_claims, resolve_claims
from .codebook import load_codebook
from .figures import load_figures
from .paths import resolve
from .responses import FORMATS, Responses, read_responses
from .studies import load_studies, studies_for
from .text import read_text, shown

__all__ = ["COUNTS_REQUIRED", "Sources", "input_files", "input_kind", "read_counts_table", "read_sources"]

#: Columns a counts-table input must have.
COUNTS_REQUIRED = ("study", "item", "group", "n", "k")
_CODEBOOK_HINT = ("describe it in a YAML codebook (group column, items, which answers count as yes; "
                  "README: Bring your own survey; example: data/raw/demo/leapfrog_demo_codebook.yaml) "
                  "and pass it with --codebook / codebook=")


@dataclass(frozen=True)
class Sources:
    """Everything read from one input, validated.

    Attributes
    ----------
    kind : {"figures", "counts", "responses"}
    source : str
        How results cite the data.
    files : dict
        ``{role: path}`` of every file read (figures, studies, claims,
        counts, responses, codebook).
    figures, studies
        Published figures and their study facts (``kind == "figures"``).
    counts : pandas.DataFrame or None
        A counts table given as input (``kind == "counts"``).
    responses : Responses or None
        Respondent-level answers (``kind == "responses"``).
    claims : pandas.DataFrame
        The claims to judge (:func:`alignment_stats.sources.claims.read_claims` columns).
    skipped_claims : dict
        ``{claim_id: why}`` of bundled claims left out for this input.
    synthetic : bool
        The codebook says the data are synthetic.
    """

    kind: Literal["figures", "counts", "responses"]
    source: str
    files: dict[str, Path]
    claims: pd.DataFrame
    figures: pd.DataFrame | None = None
    studies: dict[str, dict[str, Any]] | None = None
    counts: pd.DataFrame | None = None
    responses: Responses | None = None
    skipped_claims: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False

    def known(self) -> pd.DataFrame:
        """``study, item, group`` of every figure the input has (what claims may reference)."""
        if self.figures is not None:
            return self.figures[["study", "item", "group"]]
        if self.counts is not None:
            return self.counts[["study", "item", "group"]]
        book = self.responses.codebook
        return pd.DataFrame([(book.study, item, group) for item in book.items for group in self.responses.group_ids],
                            columns=["study", "item", "group"])


def _header(path: Path) -> set[str] | None:
    """The column names of a CSV or Parquet file; None for a CSV that is not UTF-8.

    Empty when unreadable otherwise: the reader that follows says why.
    """
    try:
        if path.suffix.lower() == ".csv":
            with open(path, "rb") as raw:
                head = raw.read(4096)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
                return None  # UTF-16 or binary, which UTF-8 decoding would not notice
            with open(path, encoding="utf-8-sig", newline="") as handle:
                return {h.strip() for h in next(csv.reader(handle), [])}
        if path.suffix.lower() == ".parquet":
            return set(pq.read_schema(path).names)
    except UnicodeDecodeError:
        return None
    except Exception:  # OSError, csv.Error and pyarrow's own errors: the reader that follows says why
        return set()
    return set()


def input_kind(path: Path, codebook: Path | None) -> str:
    """``figures``, ``counts`` or ``responses``, from the codebook and the file's header.

    Raises
    ------
    DataValidationError
        A missing file or a directory; a response file without codebook; a
        figures or counts table given with a codebook; an unknown file type.
    """
    if path.is_dir():
        raise DataValidationError(f"{path}: is a directory; give a file (figures CSV, counts table or responses)")
    if not path.exists():
        raise DataValidationError(f"{path}: input file not found")
    header = _header(path)
    if header is None and codebook is None:
        read_text(path, "input file")  # not UTF-8: says where and what it probably is (a codebook may declare
        # the encoding of a response file)
    header = header or set()
    aggregated = {"study", "item", "group"} <= header and bool({"k", "value"} & header)
    suffix = path.suffix.lower()
    if codebook is not None:
        if aggregated:
            raise DataValidationError(
                f"{path}: holds study/item/group rows (published figures or a counts table), not one row per "
                "respondent; drop the codebook to use it as it is"
            )
        if suffix not in FORMATS:
            raise DataValidationError(f"{path}: unknown response file type {suffix!r} (use {', '.join(FORMATS)})")
        return "responses"
    if suffix in (".csv", ".parquet") and aggregated:
        return "counts" if "k" in header else "figures"
    if suffix in FORMATS:
        raise DataValidationError(
            f"{path}: looks like respondent-level answers (no study/item/group/value columns), which need a "
            f"codebook: {_CODEBOOK_HINT}"
        )
    raise DataValidationError(f"{path}: unknown input type {suffix!r} (use a figures or counts .csv or .parquet, "
                              f"or a response file {', '.join(FORMATS)} with its codebook)")


def _bad(path: Path, row: int, column: str, value: Any, rule: str) -> DataValidationError:
    return DataValidationError(f"{path} row {row + 1}, column {column}: {shown(value)} {rule}")


def read_counts_table(path: Path) -> pd.DataFrame:
    """A counts table given as input (``study, item, group, n, k``, optionally ``k_low``, ``k_high`` ...).

    Raises
    ------
    DataValidationError
        A missing column, a count that is not a whole number, ``n < 1``,
        ``k`` outside ``0..n`` or outside ``k_low..k_high``, a duplicate
        (study, item, group).
    """
    try:
        frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataValidationError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except Exception as exc:
        raise DataValidationError(f"{path}: cannot be read as a counts table ({' '.join(str(exc).split())[:200]})") from None
    missing = [c for c in COUNTS_REQUIRED if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{path}: counts table lacks column(s) {', '.join(missing)}")
    for column in ("n", "k", "k_low", "k_high"):
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < (1 if column == "n" else 0)) | (values >= 2**53)
        if column != "n" and column != "k":
            bad &= frame[column].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            rule = "must be a whole number >= 1" if column == "n" else "must be a whole number >= 0"
            raise _bad(path, i, column, frame[column].iloc[i], rule)
        frame[column] = values.astype("Int64")
    over = frame["k"] > frame["n"]
    if over.any():
        i = int(np.flatnonzero(over.to_numpy())[0])
        raise _bad(path, i, "k", frame["k"].iloc[i], f"exceeds n = {frame['n'].iloc[i]}")
    for column in ("study", "item", "group"):
        frame[column] = frame[column].astype(str)
    dupes = frame.duplicated(["study", "item", "group"])
    if dupes.any():
        i = int(np.flatnonzero(dupes.to_numpy())[0])
        raise _bad(path, i, "study/item/group", "/".join(frame.loc[i, ["study", "item", "group"]]), "is a duplicate")
    return frame


def read_sources(
    input: str | Path | None = None,
    codebook: str | Path | None = None,
    studies: str | Path | None = None,
    claims: str | Path | None = None,
    design: str = "unweighted",
) -> Sources:
    """Read and validate one input and the claims to judge on it.

    Parameters
    ----------
    input : str or Path, optional
        ``None``: the bundled benchmark figures. A figures CSV
        (``benchmark_figures.csv`` format; its studies in the
        ``studies.yaml`` beside it, or ``studies``). A counts table
        (``.parquet``, or ``.csv`` with columns ``study, item, group, n,
        k``). With ``codebook``: a response file (``.csv``, ``.xlsx``,
        ``.sav``, ``.parquet``), one row per respondent. Relative paths are
        taken from the project root.
    codebook : str or Path, optional
        The YAML codebook of a response file.
    studies : str or Path, optional
        The ``studies.yaml`` of a figures input.
    claims : str or Path, optional
        A claims file: it replaces the bundled claims, and every reference
        must name a figure of the input. Default: the bundled claims of the
        studies the input holds (others skipped, see ``skipped_claims``).
    design : {"unweighted", "weighted"}, default "unweighted"
        For respondent-level data: read the codebook's weight column too.

    Returns
    -------
    Sources

    Raises
    ------
    DataValidationError
        Anything wrong with any of the files, naming file, row and field.

    Examples
    --------
    >>> bundled = read_sources()
    >>> bundled.kind, bundled.source, len(bundled.figures), bundled.skipped_claims
    ('figures', 'bundled benchmark figures', 42, {})
    """
    files = input_files(input, codebook, studies, claims)
    kind = files.pop("kind")
    path = files.get("figures") or files.get("counts") or files.get("responses")
    kwargs: dict[str, Any] = {}
    if kind == "figures":
        figures = load_figures(path, files["studies"])
        kwargs.update(figures=figures, studies=load_studies(files["studies"]))
        source = "bundled benchmark figures" if path == BUNDLED_FIGURES else f"figures from {path.name}"
    elif kind == "counts":
        kwargs["counts"] = read_counts_table(path)
        source = f"counts from {path.name}"
    else:
        book = load_codebook(files["codebook"])
        answers = read_responses(path, book, design)
        kwargs.update(responses=answers, synthetic=book.synthetic)
        source = book.source or f"responses from {path.name}"
        if answers.weighted:
            source += f" (weighted by {book.weight})"
    known = Sources(kind, source, files, pd.DataFrame(), **kwargs).known()
    own = files["claims"] != BUNDLED_CLAIMS
    kept, skipped = resolve_claims(read_claims(files["claims"]), known, files["claims"], strict=own)
    return Sources(kind, source, files, kept, skipped_claims=skipped, **kwargs)


def input_files(
    input: str | Path | None = None,
    codebook: str | Path | None = None,
    studies: str | Path | None = None,
    claims: str | Path | None = None,
) -> dict[str, Any]:
    """Which files an input consists of, without reading them: ``{"kind": ..., role: path}``.

    Roles: ``figures`` and ``studies``; or ``counts``; or ``responses`` and
    ``codebook``; and always ``claims``. Raises as :func:`input_kind`.

    Examples
    --------
    >>> sorted(input_files())
    ['claims', 'figures', 'kind', 'studies']
    """
    codebook_path = resolve(codebook) if codebook not in (None, "") else None
    files: dict[str, Any] = {}
    if input in (None, ""):
        if codebook_path is not None:
            raise DataValidationError(
                f"codebook {codebook_path} given without a response file: give the answers (one row per "
                "respondent) as the input, or drop the codebook to analyse the bundled figures"
            )
        path, kind = BUNDLED_FIGURES, "figures"
    else:
        path = resolve(input)
        kind = input_kind(path, codebook_path)
    files["kind"] = kind
    if kind == "figures":
        files.update(figures=path, studies=resolve(studies) if studies not in (None, "") else studies_for(path))
    elif kind == "counts":
        files["counts"] = path
    else:
        files.update(responses=path, codebook=codebook_path)
    files["claims"] = resolve(claims) if claims not in (None, "") else BUNDLED_CLAIMS
    return files
