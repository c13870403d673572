"""Full report vs the floor: how much does running notebooks cost over plain Python?

One run measures, on the project's real notebooks (whatever exist):

- floor: the notebooks' code cells concatenated into one script (each
  notebook's parameters cell first, then its output_dir), run by one fresh
  ``python`` process (``MPLBACKEND=Agg``);
- naive: ``papermill`` CLI per notebook, then ``jupyter nbconvert --to html``
  per notebook, one after the other;
- ours: ``alignment-stats report`` (every notebook, HTML, index; ``--force``
  so nothing is reused, ``--no-compare``), in a fresh process.

and prints seconds and ratios to the floor. Usage::

    .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = sorted(PROJECT.glob("notebooks/[0-9][0-9]_*.ipynb"))


def floor_script(out: Path) -> str:
    parts = []
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            parts.append("\n".join(x for x in source.splitlines() if not x.lstrip().startswith(("%", "!"))))
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                parts.append(f"output_dir = {str(out / nb.stem)!r}")
    return "\n\n".join(parts) + "\n"


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if done.returncode not in (0,):
        sys.exit(f"{' '.join(cmd[:3])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        script = tmp / "floor.py"
        script.write_text(floor_script(tmp / "floor"), encoding="utf-8")
        floor = timed([sys.executable, str(script)], env={**os.environ, "MPLBACKEND": "Agg"})

        start = time.perf_counter()
        for nb in NOTEBOOKS:
            executed = tmp / "naive" / nb.name
            executed.parent.mkdir(exist_ok=True)
            timed([str(BIN / "papermill"), str(nb), str(executed), "-p", "output_dir",
                   str(tmp / "naive" / nb.stem), "--cwd", str(PROJECT), "-k", "alignment-stats"])
            timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        naive = time.perf_counter() - start

        ours = timed([str(BIN / "alignment-stats"), "report", "--out", str(tmp / "reports"), "--force",
                      "--no-compare"])
    names = ", ".join(nb.stem for nb in NOTEBOOKS)
    print(f"notebooks: {names} ({os.cpu_count()} CPUs)")
    print(f"floor  {floor:6.1f} s   (code cells as one script, one python process)")
    print(f"naive  {naive:6.1f} s   {naive / floor:4.1f}x floor  (papermill CLI + nbconvert per notebook)")
    print(f"ours   {ours:6.1f} s   {ours / floor:4.1f}x floor  (alignment-stats report, HTML and index)")


if __name__ == "__main__":
    main()
