"""The analysis notebooks as the runner sees them: parameters cells, papermill's view of them, jupytext pairs.

References: papermill itself (``papermill --help-notebook`` as a subprocess
of ``.venv/bin/papermill``, ``papermill.inspect_notebook``) and jupytext
(``jupytext.read`` of both files of a pair), against the settings models'
declarations (issue 13 items 2 and "done when"; issue 14 item 1). Nothing
is executed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest

from alignment_stats.analyses.settings import SETTINGS, parameters_cell
from alignment_stats.config import NOTEBOOK_DIR, PROJECT_ROOT
from alignment_stats.report import DEFAULT_KERNEL

PAPERMILL = PROJECT_ROOT / ".venv" / "bin" / "papermill"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_the_five_notebooks_and_their_models():
    assert [p.stem for p in NOTEBOOKS] == list(SETTINGS)


# --------------------------------------------------------------------------- papermill --help-notebook


#: papermill's own command-line entry point, run once for several notebooks (each cold start costs ~4 s)
_HELP_ALL = ("import sys\nfrom papermill.cli import papermill as cli\nfor nb in sys.argv[1:]:\n"
             "    print(f'=== {nb}', flush=True)\n    try:\n"
             "        cli.main(['--help-notebook', nb], prog_name='papermill', standalone_mode=False)\n"
             "    except SystemExit as exc:\n        print(f'=== exit {exc.code}', flush=True)\n")


@pytest.fixture(scope="module")
def help_texts():
    """``papermill --help-notebook`` of every notebook: 01 through ``.venv/bin/papermill``, all five through
    papermill's click command in one interpreter (the same code the console script runs), side by side."""
    if not PAPERMILL.is_file():
        pytest.skip(f"{PAPERMILL} is not installed")
    script = subprocess.Popen([str(PAPERMILL), "--help-notebook", str(NOTEBOOK_DIR / "01_perception_gap.ipynb")],
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    python = PAPERMILL.parent / "python"
    every = subprocess.run([str(python), "-c", _HELP_ALL, *map(str, NOTEBOOKS)], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, timeout=120, check=False)
    out, err = script.communicate(timeout=120)
    texts = {"papermill 01_perception_gap": (script.returncode, out, err)}
    assert every.returncode == 0, every.stderr
    for chunk in every.stdout.split("=== ")[1:]:
        head, _, body = chunk.partition("\n")
        if not head.startswith("exit"):
            texts[Path(head).stem] = (0, body, every.stderr)
    return texts


@pytest.mark.parametrize("name", [*SETTINGS, "papermill 01_perception_gap"])
def test_help_notebook_lists_every_parameter_with_a_type(help_texts, name):
    status, out, err = help_texts[name]
    model = SETTINGS[name.split(" ")[-1]]
    assert status == 0, err
    assert "Unknown type" not in out and "Unable to parse" not in out + err
    listed = {}
    for line in out.splitlines():
        stripped = line.strip()
        if line.startswith("  ") and not line.startswith("   ") and ": " in stripped and "(default " in stripped:
            pname, rest = stripped.split(": ", 1)
            listed[pname] = rest.split(" (default ", 1)[0]
    assert sorted(listed) == sorted(model.model_fields)  # output_dir included
    assert all(listed.values()), listed


# --------------------------------------------------------------------------- the parameters cell


def _inspect_source(source: str, tmp_path: Path) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": DEFAULT_KERNEL, "language": "python", "display_name": "x"}
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "generated.ipynb"
    nbformat.write(nb, str(path))
    return papermill.inspect_notebook(str(path))


def _parameters_cells(path: Path) -> list:
    return [c for c in nbformat.read(str(path), as_version=4).cells if "parameters" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_matches_the_model_in_names_types_and_defaults(path, tmp_path, caplog):
    assert len(_parameters_cells(path)) == 1
    with caplog.at_level(logging.WARNING, logger="papermill"):
        found = papermill.inspect_notebook(str(path))
    assert [r.getMessage() for r in caplog.records if "Unable to parse" in r.getMessage()] == []
    expected = _inspect_source(parameters_cell(SETTINGS[path.stem]), tmp_path)
    view = {n: (p["inferred_type_name"], p["default"]) for n, p in found.items()}
    assert view == {n: (p["inferred_type_name"], p["default"]) for n, p in expected.items()}
    assert list(view) == list(expected)  # same order
    assert sorted(view) == sorted(SETTINGS[path.stem].model_fields)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_generated_from_the_model(path):
    """docs/architecture.md: the parameters cell *is* parameters_cell(<Settings>), help text included."""
    [cell] = _parameters_cells(path)
    assert cell.source == parameters_cell(SETTINGS[path.stem]), \
        f"{path.name}: parameters cell differs from parameters_cell({SETTINGS[path.stem].__name__}); `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_use_the_project_kernel(path):
    assert nbformat.read(str(path), as_version=4).metadata["kernelspec"]["name"] == DEFAULT_KERNEL


# --------------------------------------------------------------------------- jupytext pairs


def pair_differences(ipynb: Path, script: Path) -> list[str]:
    """How the two files of a jupytext pair differ (cell types, sources, parameters tag); [] when in sync."""
    a, b = jupytext.read(str(ipynb)), jupytext.read(str(script))
    cells_a = [(c.cell_type, c.source, "parameters" in c.metadata.get("tags", [])) for c in a.cells]
    cells_b = [(c.cell_type, c.source, "parameters" in c.metadata.get("tags", [])) for c in b.cells]
    problems = []
    if len(cells_a) != len(cells_b):
        problems.append(f"{len(cells_a)} cells in {ipynb.name}, {len(cells_b)} in {script.name}")
    for i, (x, y) in enumerate(zip(cells_a, cells_b), start=1):
        if x != y:
            problems.append(f"cell {i}: {x[0]} {x[1][:60]!r} != {y[0]} {y[1][:60]!r}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupytext_pair_is_in_sync(path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{script.name} is missing"
    assert pair_differences(path, script) == []
    assert "formats: ipynb,py:percent" in script.read_text(encoding="utf-8")


def test_the_pair_check_fails_when_a_pair_differs(tmp_path):
    ipynb = Path(shutil.copy(NOTEBOOK_DIR / "01_perception_gap.ipynb", tmp_path))
    script = Path(shutil.copy(NOTEBOOK_DIR / "01_perception_gap.py", tmp_path))
    assert pair_differences(ipynb, script) == []
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("alpha: float = 0.05", "alpha: float = 0.01", 1), encoding="utf-8")
    [problem] = pair_differences(ipynb, script)
    assert "alpha" in problem or problem.startswith("cell ")
    script.write_text(text + "\n# %%\nprint('a cell only the script has')\n", encoding="utf-8")
    assert any("cells in" in p for p in pair_differences(ipynb, script))
    script.write_text(text.replace('# %% tags=["parameters"]', "# %%", 1), encoding="utf-8")
    assert pair_differences(ipynb, script) != []  # the parameters tag is lost
