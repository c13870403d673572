"""Write each analysis notebook's ``parameters`` cell from its settings model (run by ``make notebooks``).

The cell is :func:`alignment_stats.analyses.settings.parameters_cell` of the
notebook's model, so names, types, defaults and help never drift from the
model; a test checks the stored notebooks against it. Usage::

    .venv/bin/python tools/parameters_cells.py [--check]

``--check`` writes nothing and exits 1 when a cell differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

from alignment_stats.analyses.settings import parameters_cell, settings_for

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report cells that differ")
    args = parser.parse_args(argv)
    stale = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        model = settings_for(path.stem)
        if model is None:
            continue
        notebook = jupytext.read(path)
        cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        if len(cells) != 1:
            print(f"{path.name}: expected one cell tagged parameters, found {len(cells)}", file=sys.stderr)
            return 1
        wanted = parameters_cell(model)
        if cells[0].source != wanted:
            stale.append(path.name)
            if not args.check:
                cells[0].source = wanted
                jupytext.write(notebook, path, fmt="py:percent")
    for name in stale:
        print(f"{name}: parameters cell {'differs from' if args.check else 'rewritten from'} its settings model")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
