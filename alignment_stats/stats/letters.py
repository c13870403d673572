"""Significance letters of a crosstab, as survey researchers know them.

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

from ._validate import check_choice, check_open_unit
from .multiplicity import adjust_pvalues
from .proportions import compare_proportions

__all__ = ["CONVENTIONS", "significance_letters"]

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


def significance_letters(
    cells: pd.DataFrame,
    groups: Sequence[str] | None = None,
    alpha: float = 0.05,
    convention: str = "spss",
) -> pd.DataFrame:
    """Pairwise column comparisons for every row (item) of a crosstab.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cell: ``item`` (the crosstab's row), ``group`` (its
        column), ``k`` and ``n``.
    groups : list of str, optional
        Columns in order (default: in order of appearance). Letters follow
        this order.
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
    >>> cells = pd.DataFrame({"item": "x", "group": ["cmo", "cio", "cdo"], "k": [30, 60, 35], "n": [100, 100, 100]})
    >>> table = significance_letters(cells)
    >>> print(table[["group", "letter", "share", "higher_than", "subscript"]].to_string(index=False))
    group letter  share higher_than subscript
      cmo      A   0.30                     b
      cio      B   0.60          AC         a
      cdo      C   0.35                     b
    """
    check_choice(convention, "convention", CONVENTIONS)
    check_open_unit(alpha, "alpha")
    data = cells
    present = list(dict.fromkeys(data["group"]))
    groups = list(groups) if groups is not None else present
    unknown = [g for g in groups if g not in present]
    if unknown:
        raise ValueError(f"groups: {', '.join(unknown)} not among the cells' groups ({', '.join(present)})")
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
