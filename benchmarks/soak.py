"""Soak test of the report runner (``make soak``): many reports in a row, then many interrupted ones.

1. ``--runs`` consecutive reports in this process (``run_report``), every
   other one with ``force=True`` (executed) and the rest cached (reused from
   the previous run, after the cache verified every file): each must be
   complete; afterwards this process holds no more open files than after
   the first run, and no kernel process is left.
2. ``--interrupted`` reports run by the command line in a subprocess, each
   stopped after a random delay with SIGINT, SIGTERM or SIGHUP: each must
   end within 5 s with 130, 143 or 129 (or 0 when it finished first), print
   no traceback, and leave no ``.tmp-*`` run folder, no
   ``alignment-stats-kernels-*`` folder and no kernel process.

It prints a table of the outcomes and exits 1 on any failure. Usage::

    .venv/bin/python benchmarks/soak.py [--runs 50] [--interrupted 20] [--notebooks 00 01 03] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from alignment_stats.report import run_report
from alignment_stats.report.engine import KERNEL_DIR_PREFIX

STOP = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def kernels() -> int:
    """Kernel processes (ipykernel) alive now."""
    found = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found += b"ipykernel_launcher" in (entry / "cmdline").read_bytes()
            except OSError:
                continue
    return found


def open_files() -> int:
    """File descriptors this process holds that garbage collection cannot give back."""
    gc.collect()  # sockets and pipes of finished kernel clients sit in reference cycles until collected
    return len(os.listdir("/proc/self/fd"))


def litter(out: Path) -> list[str]:
    """Temporary run folders in ``out`` and kernel folders in the temp folder."""
    left = [p.name for p in out.glob(".tmp-*")]
    left += [p.name for p in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*")]
    return left


def consecutive(out: Path, runs: int, notebooks: list[str]) -> list[str]:
    problems, files = [], None
    for i in range(runs):
        force = i % 2 == 0
        result = run_report(notebooks, out=out, force=force, progress=False, compare_to=None, html=False)
        statuses = Counter(nb.status for nb in result.notebooks)
        wanted = "complete" if force else "cached"
        if not result.ok or statuses.get(wanted, 0) != len(notebooks):
            problems.append(f"run {i + 1}: status {result.status}, notebooks {dict(statuses)} (wanted all {wanted})")
        files = open_files() if files is None else files
        if open_files() > files:
            problems.append(f"run {i + 1}: {open_files()} open files, {files} after the first run")
        if litter(out):
            problems.append(f"run {i + 1}: left {litter(out)}")
        print(f"  run {i + 1:2d}/{runs}: {'executed' if force else 'cached  '} {result.status}", flush=True)
    time.sleep(1)
    if kernels():
        problems.append(f"{kernels()} kernel processes alive after the runs")
    return problems


def interrupted(out: Path, count: int, notebooks: list[str], rng: random.Random) -> tuple[list[str], Counter]:
    problems, outcomes = [], Counter()
    command = [sys.executable, "-m", "alignment_stats", "report", "--notebooks", *notebooks, "--out", str(out),
               "--force", "--no-compare"]
    for i in range(count):
        sig = rng.choice(list(STOP))
        delay = rng.uniform(0.5, 8.0)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(sig)
        sent = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            outcomes["hang"] += 1
            problems.append(f"interrupt {i + 1}: no exit 30 s after {sig.name}")
            continue
        seconds = time.monotonic() - sent
        code = process.returncode
        if code == 0:
            outcomes["finished first"] += 1
        elif code == STOP[sig]:
            outcomes[f"exit {code}"] += 1
        else:
            outcomes[f"exit {code}"] += 1
            problems.append(f"interrupt {i + 1}: {sig.name} gave exit {code}")
        if "Traceback" in stderr:
            outcomes["traceback"] += 1
            problems.append(f"interrupt {i + 1}: traceback on stderr: {stderr[-300:]}")
        if code != 0 and seconds > 5:
            problems.append(f"interrupt {i + 1}: exit {seconds:.1f} s after {sig.name}")
        time.sleep(0.5)
        if litter(out):
            problems.append(f"interrupt {i + 1}: left {litter(out)}")
        if kernels():
            problems.append(f"interrupt {i + 1}: {kernels()} kernel processes alive")
        print(f"  interrupt {i + 1:2d}/{count}: {sig.name} after {delay:.1f} s -> exit {code} in {seconds:.2f} s",
              flush=True)
    return problems, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--interrupted", type=int, default=20)
    parser.add_argument("--notebooks", nargs="+", default=["00", "01", "03"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"{args.runs} consecutive reports of {' '.join(args.notebooks)} (executed and cached in turn)")
        problems = consecutive(out / "consecutive", args.runs, args.notebooks)
        print(f"{args.interrupted} interrupted reports")
        more, outcomes = interrupted(out / "interrupted", args.interrupted, args.notebooks, random.Random(args.seed))
        problems += more
    print(f"\nsoak: {args.runs} reports, {args.interrupted} interrupted ({dict(outcomes)}), "
          f"{time.monotonic() - started:.0f} s; {len(problems)} problem(s)")
    for line in problems:
        print(f"  PROBLEM {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
