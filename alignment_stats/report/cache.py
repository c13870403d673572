"""The report cache: a notebook whose inputs did not change is not executed again.

A notebook's cache key hashes what its outputs depend on: the notebook file,
the package's code, every file under ``data/raw/``, every file a parameter
names, the parameters, the package versions, the kernel and the HTML option.
An earlier *complete* run with the same key for the notebook is reused, but
only when every file it recorded for the notebook (``summary.json``'s
``files``, with their sha256) is still there unchanged: a damaged earlier run
is executed again, never copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..config import PACKAGE_DIR, PROJECT_ROOT, RAW_DIR
from ..sources.paths import sha256_file

__all__ = ["CACHE_KEY_VERSION", "code_hash", "input_hashes", "cache_key", "complete_runs",
           "find_cached", "files_intact", "reuse"]

CACHE_KEY_VERSION = 2


def code_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 of the package's source files (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in package_dir.rglob("*") if p.suffix in (".py", ".j2") and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def input_hashes(raw_dir: Path = RAW_DIR) -> dict[str, str]:
    """``{path under data/raw/: sha256}`` of every raw file."""
    if not raw_dir.is_dir():
        return {}
    return {p.relative_to(raw_dir).as_posix(): sha256_file(p) for p in sorted(raw_dir.rglob("*")) if p.is_file()}


def _parameter_files(values: Mapping[str, Any]) -> dict[str, str]:
    files = {}
    for name, value in sorted(values.items()):
        if isinstance(value, str) and value.strip() and len(value) < 4096:
            path = Path(value).expanduser()
            path = path if path.is_absolute() else PROJECT_ROOT / path
            try:
                if path.is_file():
                    files[name] = sha256_file(path)
            except OSError:
                continue
    return files


def cache_key(notebook: Path, values: Mapping[str, Any], *, code: str, inputs: Mapping[str, str],
              versions: Mapping[str, Any], kernel: str, html: bool) -> str:
    """The notebook's cache key: what its outputs depend on, hashed."""
    material = {"version": CACHE_KEY_VERSION, "notebook": sha256_file(notebook), "code": code, "data": dict(inputs),
                "files": _parameter_files(values), "parameters": values, "package_versions": dict(versions),
                "kernel": kernel, "html": html}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=repr).encode()).hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def complete_runs(*roots: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Complete runs directly in each root or one level down (the runs of a batch), newest first."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for child in root.iterdir():
            if child.name.startswith(".") or not child.is_dir():
                continue
            candidates = [child] if (child / "summary.json").is_file() else [
                g for g in child.iterdir() if g.is_dir() and (g / "summary.json").is_file()]
            for run in candidates:
                summary = _read_json(run / "summary.json")
                if summary.get("status") == "complete":
                    found.append((run, summary))
    found.sort(key=lambda item: (str(item[1].get("finished", "")), item[0].name), reverse=True)
    return found


def files_intact(run: Path, summary: Mapping[str, Any], notebook: str) -> bool:
    """Every file the summary records for ``notebook`` exists with its recorded size and sha256."""
    records = [f for f in summary.get("files") or () if isinstance(f, dict)
               and str(f.get("path", "")).startswith(f"{notebook}/")]
    if not records:
        return False
    for record in records:
        path = run / str(record["path"])
        try:
            if path.stat().st_size != record.get("bytes") or sha256_file(path) != record.get("sha256"):
                return False
        except OSError:
            return False
    return True


def find_cached(keys: Mapping[str, str], runs: Iterable[tuple[Path, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """For each notebook whose key an earlier run has (complete, intact, not itself a failure): where."""
    hits: dict[str, dict[str, Any]] = {}
    for run, summary in runs:
        for entry in summary.get("notebooks") or ():
            name = entry.get("name") if isinstance(entry, dict) else None
            if name not in keys or name in hits or entry.get("cache_key") != keys[name]:
                continue
            if entry.get("status") not in ("complete", "cached") or not files_intact(run, summary, name):
                continue
            hits[name] = {"dir": run / name, "run_id": summary.get("run_id"), "run_name": summary.get("run_name"),
                          "run_dir": run, "entry": entry}
    return hits


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def reuse(hit: Mapping[str, Any], run_dir: Path, name: str) -> None:
    """Link (or copy) an earlier run's folder of a notebook into the run."""
    shutil.copytree(hit["dir"], run_dir / name, copy_function=_link_or_copy)
