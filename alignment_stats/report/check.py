"""``alignment-stats check``: read and validate an input without running anything.

The same reading the report does before any kernel starts (figures and
their studies, or a counts table, or responses and their codebook, and the
claims), in memory: nothing is written, not even the processed counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..counts import CountsBundle, load_counts
from ..present.numbers import plural
from ..schema import DataValidationError
from ..sources.paths import resolve
from .errors import ReportError

__all__ = ["check_input", "check_text"]


def check_input(input: str | Path | None = None, codebook: str | Path | None = None,
                studies: str | Path | None = None, claims: str | Path | None = None, *,
                base: str | Path | None = None, **options: Any) -> CountsBundle:
    """Validate an input and build its counts in memory.

    Parameters
    ----------
    input, codebook, studies, claims : str or Path, optional
        As the parameters of the same names; relative paths are taken from
        ``base`` (default: the current folder).
    base : str or Path, optional
    **options
        ``rounding``, ``max_missing``, ``max_unclassified``, ``design``.

    Raises
    ------
    ReportError
        One line naming the file, row and field and the rule broken.
    """
    base = Path.cwd() if base is None else Path(base)
    paths = [None if p in (None, "") else resolve(p, base) for p in (input, codebook, studies, claims)]
    try:
        return load_counts(*paths, store=None, **options)
    except (DataValidationError, ValueError) as exc:
        raise ReportError(str(exc)) from None


def check_text(bundle: CountsBundle) -> str:
    """What ``check`` read, in a few lines."""
    counts = bundle.counts
    lines = [f"ok: {bundle.source} ({bundle.kind})"]
    lines += [f"  {role}: {path}" for role, path in bundle.files.items()]
    studies, items = counts["study"].nunique(), counts["item"].nunique()
    rows = "figure" if bundle.kind == "figures" else "count"
    lines.append(f"  {plural(studies, 'study', 'studies')} ({', '.join(bundle.study_ids)}), "
                 f"{plural(len(counts), rows)}, {plural(items, 'item')}")
    if bundle.kind == "figures":
        sized, feasible = int(counts["n"].notna().sum()), int(counts["k"].notna().sum())
        line = (f"  {sized} of {len(counts)} figures have a published or inferred group size, {feasible} of them "
                f"a feasible count under rounding {bundle.options.rounding}")
        if feasible < len(counts):
            line += "; the data audit (notebook 00) says why the others do not"
        lines.append(line)
    claims = bundle.claims["claim_id"].nunique() if len(bundle.claims) else 0
    skipped = len(bundle.skipped_claims)
    lines.append(f"  {plural(claims, 'claim')} to judge" + (
        f"; {plural(skipped, 'bundled claim')} skipped (their studies are not in the input)" if skipped else ""))
    if bundle.synthetic:
        lines.append("  the codebook says these data are SYNTHETIC")
    return "\n".join(lines) + "\n"
