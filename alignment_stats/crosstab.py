"""Crosstab view with significance letters, as survey researchers know it.

Items are rows, groups are columns; each cell shows a share and its base n.
Every column gets a letter (A, B, C, ...). A cell carries the letters of the
columns whose share is significantly *lower* than its own, from pairwise
two-proportion z tests within each row, adjusted for multiplicity. Two
conventions are built in:

``spss``
    SPSS Custom Tables, "Compare column proportions": pooled z test per pair
    of columns, Bonferroni adjustment within each row (over its pairs),
    upper-case letters at ``alpha`` (default 0.05). The APA-style variant
    (``subscripts``) gives every cell subscript letters instead: cells of a
    row that share a subscript do not differ significantly.
``q``
    Q research software: the same pairwise tests, False Discovery Rate
    (Benjamini-Hochberg) correction across the whole table, upper-case
    letters where ``p < 0.001`` and lower-case where ``p < 0.05``.
"""

from __future__ import annotations

import string
from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

from .proportions import adjust_pvalues, compare_proportions
from .outputs import percent_text

__all__ = ["CONVENTIONS", "crosstab", "crosstab_table", "style_crosstab"]

CONVENTIONS = ("spss", "q")


def _letters(count: int) -> list[str]:
    if count > len(string.ascii_uppercase):
        raise ValueError(f"groups: at most {len(string.ascii_uppercase)} columns can be lettered, got {count}")
    return list(string.ascii_uppercase[:count])


def _subscripts(shares: np.ndarray, differs: np.ndarray) -> list[str]:
    """APA subscripts (compact letter display) for one row.

    Columns are sorted by share; every maximal run of consecutive columns in
    which no pair differs significantly gets a letter, and each column gets
    the letters of the runs it belongs to.
    """
    order = np.argsort(-shares, kind="stable")
    runs: list[tuple[int, int]] = []
    m = len(order)
    for start in range(m):
        end = start
        while end + 1 < m and not any(differs[order[i], order[end + 1]] for i in range(start, end + 1)):
            end += 1
        if not runs or end > runs[-1][1]:
            runs.append((start, end))
    subs = [""] * m
    for letter, (start, end) in zip(string.ascii_lowercase, runs):
        for position in range(start, end + 1):
            subs[order[position]] += letter
    return subs


def crosstab(
    counts: pd.DataFrame,
    study: str,
    groups: Sequence[str] | None = None,
    alpha: float = 0.05,
    convention: str = "spss",
) -> pd.DataFrame:
    """Pairwise column comparisons for every item of one study.

    Parameters
    ----------
    counts : pandas.DataFrame
        A counts table (``study, item, group, k, n``).
    study : str
        The study whose items become rows.
    groups : list of str, optional
        Columns in order (default: the study's groups in order of
        appearance). Letters follow this order.
    alpha : float, default 0.05
        Level for ``spss`` letters and subscripts; ``q`` uses 0.05 and 0.001.
    convention : {"spss", "q"}, default "spss"

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (item, group): ``item, group, letter, k, n,
        share, higher_than`` (letters of the columns this cell is
        significantly higher than; lower-case for Q's 0.05 level),
        ``subscript`` (APA style, ``spss`` only), ``min_p_adjusted``.
        Cells without counts have ``share`` NaN and take part in no test.

    Examples
    --------
    >>> counts = pd.DataFrame({"study": "s", "item": "x", "group": ["cmo", "cio", "cdo"],
    ...                        "k": [30, 60, 35], "n": [100, 100, 100]})
    >>> table = crosstab(counts, "s")
    >>> print(table[["group", "letter", "share", "higher_than", "subscript"]].to_string(index=False))
    group letter  share higher_than subscript
      cmo      A   0.30                     b
      cio      B   0.60          AC         a
      cdo      C   0.35                     b
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention: {convention!r} is not known (known: {', '.join(CONVENTIONS)})")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha: {alpha!r} must be between 0 and 0.5")
    data = counts[counts["study"] == study]
    if data.empty:
        raise ValueError(f"study: {study!r} not in the counts (known: {', '.join(sorted(set(counts['study'])))})")
    present = list(dict.fromkeys(data["group"]))
    groups = list(groups) if groups is not None else present
    unknown = [g for g in groups if g not in present]
    if unknown:
        raise ValueError(f"groups: {', '.join(unknown)} not reported in study {study!r} (its groups: {', '.join(present)})")
    letters = dict(zip(groups, _letters(len(groups))))
    items = list(dict.fromkeys(data["item"]))
    cells = (
        pd.MultiIndex.from_product([items, groups], names=["item", "group"]).to_frame(index=False)
        .merge(data[["item", "group", "k", "n"]], on=["item", "group"], how="left")
    )
    cells["letter"] = cells["group"].map(letters)
    k = pd.to_numeric(cells["k"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(cells["n"], errors="coerce").to_numpy(dtype=float)
    cells["share"] = k / n

    pairs = []
    for i, item in enumerate(items):
        for a, b in combinations(range(len(groups)), 2):
            ia, ib = i * len(groups) + a, i * len(groups) + b
            if np.isfinite(k[ia]) and np.isfinite(k[ib]):
                pairs.append((i, a, b, ia, ib))
    p_adj = np.array([])
    if pairs:
        ia = np.array([p[3] for p in pairs])
        ib = np.array([p[4] for p in pairs])
        res = compare_proportions(k[ia].astype(int), n[ia].astype(int), k[ib].astype(int), n[ib].astype(int),
                                  test="z", alpha=alpha)
        p = res["p_value"].to_numpy()
        if convention == "spss":
            p_adj = np.empty_like(p)
            rows_of = np.array([q[0] for q in pairs])
            for row in np.unique(rows_of):
                mask = rows_of == row
                p_adj[mask] = adjust_pvalues(p[mask], "bonferroni")
        else:
            p_adj = adjust_pvalues(p, "fdr_bh")

    higher = [""] * len(cells)
    min_p = np.full(len(cells), np.nan)
    differs = np.zeros((len(items), len(groups), len(groups)), dtype=bool)
    for (i, a, b, ia, ib), q in zip(pairs, p_adj):
        for cell in (ia, ib):
            min_p[cell] = q if np.isnan(min_p[cell]) else min(min_p[cell], q)
        if convention == "spss":
            mark = q < alpha
            code = lambda letter: letter  # noqa: E731
        else:
            mark = q < 0.05
            code = (lambda letter: letter) if q < 0.001 else (lambda letter: letter.lower())  # noqa: E731
        if not mark:
            continue
        differs[i, a, b] = differs[i, b, a] = True
        hi, lo = (ia, b) if k[ia] / n[ia] > k[ib] / n[ib] else (ib, a)
        higher[hi] += code(letters[groups[lo]])
    cells["higher_than"] = ["".join(sorted(h, key=str.upper)) for h in higher]
    cells["min_p_adjusted"] = min_p
    if convention == "spss":
        subs = []
        for i in range(len(items)):
            block = slice(i * len(groups), (i + 1) * len(groups))
            shares = cells["share"].to_numpy()[block]
            valid = np.isfinite(shares)
            row_subs = [""] * len(groups)
            if valid.any():
                idx = np.flatnonzero(valid)
                sub = _subscripts(shares[idx], differs[i][np.ix_(idx, idx)])
                for j, s in zip(idx, sub):
                    row_subs[j] = s
            subs.extend(row_subs)
        cells["subscript"] = subs
    else:
        cells["subscript"] = ""
    cells["k"] = cells["k"].astype("Int64")
    cells["n"] = cells["n"].astype("Int64")
    return cells[["item", "group", "letter", "k", "n", "share", "higher_than", "subscript", "min_p_adjusted"]]


def crosstab_table(cells: pd.DataFrame, labels: dict[str, str] | None = None, subscripts: bool = False) -> pd.DataFrame:
    """Wide display of :func:`crosstab`: items x groups, cells like ``30% (106) B``.

    Parameters
    ----------
    cells : pandas.DataFrame
        :func:`crosstab` output.
    labels : dict, optional
        Display names of the groups.
    subscripts : bool, default False
        Show APA subscripts (``30%_a``) instead of letters.

    Examples
    --------
    >>> counts = pd.DataFrame({"study": "s", "item": "x", "group": ["m", "i"], "k": [30, 60], "n": [100, 100]})
    >>> crosstab_table(crosstab(counts, "s")).to_dict("records")
    [{'m (A)': '30% (100)', 'i (B)': '60% (100) A'}]
    """
    labels = labels or {}

    def cell(row: pd.Series) -> str:
        if pd.isna(row["share"]):
            return "–"
        text = f"{percent_text(row['share'])} ({row['n']})"
        mark = f"_{row['subscript']}" if subscripts else (f" {row['higher_than']}" if row["higher_than"] else "")
        return text + mark

    shown = cells.assign(
        cell=cells.apply(cell, axis=1),
        column=cells["group"].map(lambda g: labels.get(g, g)) + " (" + cells["letter"] + ")",
    )
    wide = shown.pivot(index="item", columns="column", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(cells["item"])), columns=list(dict.fromkeys(shown["column"])))
    wide.columns.name = None
    wide.index.name = None
    return wide


def style_crosstab(wide: pd.DataFrame, caption: str = "") -> "pd.io.formats.style.Styler":
    """A styled crosstab for notebooks and HTML reports.

    Cells carrying significance letters are shaded; the table id is fixed
    (not random) so the rendered HTML is the same on every run.

    Examples
    --------
    >>> counts = pd.DataFrame({"study": "s", "item": "x", "group": ["m", "i"], "k": [30, 60], "n": [100, 100]})
    >>> html = style_crosstab(crosstab_table(crosstab(counts, "s")), "demo").to_html()
    >>> "T_crosstab" in html and "60% (100) A" in html
    True
    """
    def shade(value: object) -> str:
        text = str(value)
        letters = text.rsplit(")", 1)[-1].strip() if ")" in text else ""
        return "background-color: #dbe9f3; font-weight: bold" if letters else ""

    styler = wide.style.set_uuid("crosstab").map(shade)
    if caption:
        styler = styler.set_caption(caption)
    return styler.set_table_styles([{"selector": "caption", "props": "caption-side: bottom; font-size: 0.85em;"}])
