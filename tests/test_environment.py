"""pyproject.toml is the source of truth; environment.yml must list the same."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
# PyPI and conda-forge name a few packages differently.
PYPI_TO_CONDA: dict[str, str] = {}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    name = match.group(1).lower().replace("_", "-")
    spec = ",".join(sorted(part.strip() for part in match.group(2).split(",") if part.strip()))
    return PYPI_TO_CONDA.get(name, name), spec


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    return dict(_split(r) for r in requirements)


def _environment() -> tuple[dict[str, str], dict]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    packages = dict(_split(d) for d in conda if not d.startswith(("python", "pip")))
    return packages, {"conda": conda, "pip": pip, "channels": env["channels"]}


def test_environment_lists_exactly_the_pyproject_dependencies():
    packages, _ = _environment()
    assert packages == _pyproject()


def test_environment_python_and_channels_match():
    _, env = _environment()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"python{requires}" in env["conda"]
    assert env["channels"][0] == "conda-forge"


def test_environment_installs_the_project_with_pip():
    _, env = _environment()
    assert env["pip"] == [{"pip": ["-e ."]}]


def test_sync_check_detects_a_difference(tmp_path):
    # The comparison itself must be able to fail: a changed pin is noticed.
    assert _split("pandas>=2.1,<4") != _split("pandas>=2.2,<4")
    assert _split("PyYAML>=6.0,<7") == _split("pyyaml <7, >=6.0")
