"""Count a package's lines of code: lines holding a token that is neither a comment nor a docstring.

Usage::

    python tools/count_code_lines.py [FOLDER]          # default: alignment_stats
    python tools/count_code_lines.py --by-folder FOLDER

A line counts once however many tokens it holds; blank lines, comment lines
and every line of a module, class or function docstring do not count.
Templates and data files are not Python and are not counted.
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from collections import Counter
from pathlib import Path

_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def docstring_lines(tree: ast.AST) -> set[int]:
    """Line numbers of every module, class and function docstring."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_lines(source: str) -> int:
    r"""Lines of ``source`` with a token that is not a comment or part of a docstring.

    >>> code_lines("x = 1  # set x\n# a comment\n\ndef f():\n    return x\n")
    3
    """
    skip = docstring_lines(ast.parse(source))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _SKIP:
            lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in skip)
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="alignment_stats", type=Path)
    parser.add_argument("--by-folder", action="store_true", help="a subtotal per sub-folder")
    args = parser.parse_args(argv)
    counts = {path: code_lines(path.read_text(encoding="utf-8")) for path in sorted(args.folder.rglob("*.py"))}
    if args.by_folder:
        folders: Counter[str] = Counter()
        for path, n in counts.items():
            rel = path.relative_to(args.folder)
            folders[rel.parts[0] if len(rel.parts) > 1 else "(top level)"] += n
        for name, n in sorted(folders.items()):
            print(f"{n:6d}  {name}")
    else:
        for path, n in counts.items():
            print(f"{n:6d}  {path}")
    print(f"{sum(counts.values()):6d}  total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
