"""Crosstabs as survey researchers read them: cells like ``30% (106) B``, shaded where letters stand."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..schema import GROUP_LABELS
from .escape import escape_html, escaped_styler
from .numbers import MISSING, percent

__all__ = ["crosstab_table", "style_crosstab", "crosstab_caption", "view"]


def crosstab_table(cells: pd.DataFrame, labels: dict[str, str] | None = None, subscripts: bool = False) -> pd.DataFrame:
    """Wide display of :func:`alignment_stats.stats.significance_letters`: items x groups.

    Parameters
    ----------
    cells : pandas.DataFrame
        The letters table.
    labels : dict, optional
        Display names of the groups (default: the usual group labels).
    subscripts : bool, default False
        Show APA subscripts (``30%_a``) instead of letters.

    Examples
    --------
    >>> from alignment_stats.stats import significance_letters
    >>> cells = pd.DataFrame({"item": "x", "group": ["m", "i"], "k": [30, 60], "n": [100, 100]})
    >>> crosstab_table(significance_letters(cells)).to_dict("records")
    [{'m (A)': '30% (100)', 'i (B)': '60% (100) A'}]
    """
    labels = labels if labels is not None else GROUP_LABELS

    def cell(row: pd.Series) -> str:
        if pd.isna(row["share"]):
            return MISSING
        mark = f"_{row['subscript']}" if subscripts else (f" {row['higher_than']}" if row["higher_than"] else "")
        return f"{percent(row['share'])} ({row['n']})" + mark

    shown = cells.assign(cell=cells.apply(cell, axis=1),
                         column=cells["group"].map(lambda g: labels.get(g, g)) + " (" + cells["letter"] + ")")
    wide = shown.pivot(index="item", columns="column", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(cells["item"])), columns=list(dict.fromkeys(shown["column"])))
    wide.columns.name = None
    wide.index.name = None
    return wide


def crosstab_caption(study: str, convention: str, alpha: float) -> str:
    """What the letters of a crosstab mean."""
    if convention == "spss":
        rule = (f"letters: columns this cell is significantly higher than (z tests, Bonferroni within a row, "
                f"alpha = {alpha:g})")
    else:
        rule = "letters: columns this cell is higher than (z tests, FDR); upper case p < 0.001, lower case p < 0.05"
    return f"{study}: share (base n); {rule}"


def style_crosstab(wide: pd.DataFrame, caption: str = "") -> Any:
    """A styled, HTML-escaped crosstab with a fixed table id (the same HTML on every run).

    Examples
    --------
    >>> wide = pd.DataFrame({"A (A)": ["60% (100) B", "<b>x</b>"]}, index=["x", "y"])
    >>> html = style_crosstab(wide, "demo").to_html()
    >>> "T_crosstab" in html, "<b>x</b>" in html, "&lt;b&gt;x&lt;/b&gt;" in html
    (True, False, True)
    """
    def shade(value: object) -> str:
        text = str(value)
        letters = text.rsplit(")", 1)[-1].strip() if ")" in text else ""
        return "background-color: #dbe9f3; font-weight: bold" if letters else ""

    styler = escaped_styler(wide.style.set_uuid("crosstab").map(shade))
    if caption:
        styler = styler.set_caption(escape_html(caption))
    return styler.set_table_styles([{"selector": "caption", "props": "caption-side: bottom; font-size: 0.85em;"}])


def view(result: Any, subscripts: bool = False) -> Any:
    """The crosstab of a perception-gap result, styled; a one-line note when no study qualifies."""
    if result.crosstab is None:
        return pd.DataFrame({"crosstab": ["No analysed study has published, inferred or observed group sizes for a "
                                          "crosstab; one at assumed sizes would only restate the assumption."]})
    wide = crosstab_table(result.crosstab, subscripts=subscripts)
    s = result.settings
    return style_crosstab(wide, crosstab_caption(result.crosstab_study, s.convention, s.alpha))
