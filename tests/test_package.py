"""The package's shape: public names, lazy import, no import cycle, no imports hidden in functions.

The layer contracts themselves are checked by ``lint-imports`` (``make
lint``, run by ``make test``); these tests check what import-linter does not:
that the module graph (built by grimp, import-linter's own graph library)
has no cycle at all, and that no module imports the package inside a
function except ``cli.py`` and ``__init__.py`` (start-up speed).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import alignment_stats

PACKAGE = Path(alignment_stats.__file__).parent
ALLOWED_LOCAL_IMPORTS = {PACKAGE / "cli.py", PACKAGE / "__init__.py"}


def test_every_public_name_resolves_and_is_documented():
    for name in alignment_stats.__all__:
        value = getattr(alignment_stats, name)
        if callable(value) and not isinstance(value, type):
            assert value.__doc__ and "Examples" in value.__doc__, name


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="calc2"):
        alignment_stats.calc2  # noqa: B018


def test_import_is_lazy():
    # importing the package must not import statsmodels (slow) until a name needs it
    code = "import sys, alignment_stats; print('statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def _package_modules_only(graph: grimp.ImportGraph) -> grimp.ImportGraph:
    """The graph without package ``__init__`` modules' re-exports (``a/__init__`` importing ``a.b`` is no cycle)."""
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    return graph


def test_the_module_graph_has_no_cycle():
    graph = _package_modules_only(grimp.build_graph("alignment_stats"))
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b"]]


def _imports_inside_functions(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith(
                    "alignment_stats")):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("alignment_stats") for a in node.names):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_module_imports_the_package_inside_a_function():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path not in ALLOWED_LOCAL_IMPORTS
             for hit in _imports_inside_functions(path)]
    assert found == []


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from .top import z\n\ndef f():\n    from .x import y\n    import os\n"
                      "    import alignment_stats.cli\n    return y\n")
    assert _imports_inside_functions(module, tmp_path) == ["m.py:4", "m.py:6"]
