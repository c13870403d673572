"""The one way user-supplied text reaches a page: escaped.

Quotes, wordings, study titles, codebook sources, claims, file names and
parameter values are the user's text. Wherever such text reaches Markdown
(``display(Markdown(...))``, which Jupyter and nbconvert render as HTML), an
HTML table or a figure label, it goes through :func:`escape` (Markdown and
HTML) or :func:`label` (a matplotlib label). Both neutralise ``$``, which
nbconvert's MathJax and matplotlib's mathtext would typeset.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["escape", "escape_html", "label", "escaped_styler"]

# Markdown's metacharacters (CommonMark backslash escapes), dollar signs for MathJax
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape(text: Any) -> str:
    """User text made safe for Markdown that is rendered to HTML.

    HTML special characters become entities (no tag, attribute or link can
    appear), Markdown metacharacters are backslash-escaped (no emphasis,
    link or heading is formed), and line breaks become
    spaces (no new paragraph or list item). A ``$`` becomes an escaped
    backslash and the dollar sign, so the rendered HTML holds a
    backslash-dollar, which MathJax (configured with processEscapes in
    nbconvert's pages and in JupyterLab) shows as a plain dollar sign and
    never as the start of a formula; nbconvert's Markdown renderer would turn
    a simply escaped dollar back into a bare one.

    Examples
    --------
    >>> escape('<script>alert(1)</script>')
    '&lt;script&gt;alert\\\\(1\\\\)&lt;/script&gt;'
    >>> escape("[click](javascript:alert(1)) costs $5 *now*")
    '\\\\[click\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\) costs \\\\\\\\$5 \\\\*now\\\\*'
    >>> escape(None)
    ''
    """
    if text is None:
        return ""
    plain = " ".join(str(text).split())
    escaped = _MARKDOWN.sub(r"\\\1", plain).replace("$", "\\\\$")
    return html.escape(escaped, quote=True)


def escape_html(text: Any) -> str:
    """User text made safe for HTML (a caption, an attribute): special characters become entities.

    >>> escape_html('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return "" if text is None else html.escape(str(text), quote=True)


def label(text: Any) -> str:
    """User text made safe for a matplotlib label: ``$`` escaped so mathtext stays off.

    >>> label("costs $5 or $6")
    'costs \\\\$5 or \\\\$6'
    """
    return "" if text is None else str(text).replace("\\", "\\\\").replace("$", r"\$")


def escaped_styler(styler: Any) -> Any:
    """A pandas Styler whose cells and headers are HTML-escaped (Styler does not escape by default)."""
    return styler.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
