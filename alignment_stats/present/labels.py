"""How groups and items are named for readers: the study's own names and wordings, wrapped for figures.

Result tables carry each side's ``group_label`` (the study's name for the
group, e.g. "IT executives") and the item's ``wording`` ("consider the
relationship very collaborative"); tables without them fall back to the
shared names of :data:`~alignment_stats.schema.GROUP_LABELS` and the item id.
The text is the user's: sentences escape it where they are placed, figures
through :func:`~alignment_stats.present.escape.label`.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..schema import group_label
from .numbers import missing

__all__ = ["group_name", "item_name", "wrapped"]


def group_name(row: Any, side: str = "") -> str:
    """The name of a row's group (``side`` ``"1"`` or ``"2"`` for two-group rows).

    >>> from types import SimpleNamespace as Row
    >>> group_name(Row(group1="it", group_label1="IT executives"), "1"), group_name(Row(group="marketing"))
    ('IT executives', 'Marketing')
    """
    group = getattr(row, f"group{side}")
    named = getattr(row, f"group_label{side}", None)
    return group_label(str(group), None if missing(named) else str(named))


def item_name(row: Any, suffix: str = "") -> str:
    """An item as readers see it: its wording, else its id with spaces.

    >>> from types import SimpleNamespace as Row
    >>> item_name(Row(item="very_collaborative", wording=None)), item_name(Row(item="x", wording="say so"))
    ('very collaborative', 'say so')
    """
    wording = getattr(row, f"wording{suffix}", None)
    return " ".join(str(wording).split()) if not missing(wording) and str(wording).strip() else str(
        getattr(row, f"item{suffix}")).replace("_", " ")


def wrapped(text: str, width: int = 38, lines: int = 2) -> str:
    """``text`` on at most ``lines`` lines of ``width`` characters (cut with an ellipsis), for a tick label.

    >>> print(wrapped("consider the marketing-IT relationship very collaborative and productive", 30))
    consider the marketing-IT
    relationship very…
    """
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…")) or text
