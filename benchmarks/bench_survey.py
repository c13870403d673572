"""Benchmark: respondent-level counting through a codebook vs a plain pandas groupby.

Usage::

    python benchmarks/bench_survey.py [--respondents N] [--items M] [--repeat R] [--weighted] [--seed S]

Generates a SYNTHETIC response file in a temporary directory (default
1,000,000 respondents x 20 items, Parquet): a dictionary-encoded
``department`` (Marketing / IT / Sales, Sales mapped to null = left out),
M items coded 1-5 (int8) with about 4% ``-9`` (missing), a ``weight``, and
four columns the codebook does not name. Then, in one run:

* the floor: ``pd.read_parquet`` of exactly the columns the codebook needs,
  then a plain ``groupby`` counting answered (``!= -9``) and "yes" answers
  (``>= 4`` for half the items, ``== 5`` for the other half) per group
  (weighted: groupby sums of ``w``, ``w**2`` and ``w * yes``);
* ours: :func:`alignment_stats.counts.load_responses` with a YAML codebook
  (reads the same columns, validates every answer against the codebook and
  builds the counts table).

Both must give the same counts (exit status 1 if not). Time: best of R runs
each, interleaved; the target is ours <= 2x the floor. Memory: each side runs
once more in a fresh Python process and reports its peak resident set size
above the process's size just before the step (``resource.getrusage``
``ru_maxrss``, so Arrow's buffers count as well as NumPy's), divided by the
in-memory size of the columns read (``DataFrame.memory_usage(deep=True)`` of
the floor's frame); the target is <= 3x. tracemalloc's peak (NumPy and Python
allocations only; Arrow's allocator is not traced) is printed beside it.
No assertion on time is made in the test suite; this script reports.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

try:
    from alignment_stats.counts import load_responses
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from alignment_stats.counts import load_responses

TIME_TARGET = 2.0
MEMORY_TARGET = 3.0


def item_names(items: int) -> list[str]:
    return [f"q{i + 1:02d}" for i in range(items)]


def make_file(folder: Path, respondents: int, items: int, seed: int) -> tuple[Path, Path]:
    """A synthetic Parquet response file and its codebook."""
    rng = np.random.default_rng(seed)
    department = pd.Categorical.from_codes(rng.choice(3, size=respondents, p=[0.7, 0.25, 0.05]),
                                           categories=["Marketing", "IT", "Sales"])
    data = {"respondent_id": np.arange(1, respondents + 1, dtype=np.int64), "department": department}
    for name in item_names(items):
        codes = rng.integers(1, 6, size=respondents, dtype=np.int8)
        codes[rng.random(respondents) < 0.04] = -9
        data[name] = codes
    data["weight"] = rng.lognormal(0.0, 0.3, size=respondents)
    for i in range(4):  # columns the codebook does not need
        data[f"unused_{i}"] = rng.random(respondents)
    path = folder / "responses.parquet"
    pd.DataFrame(data).to_parquet(path, index=False)
    book = {
        "study": "bench_synthetic",
        "source": "SYNTHETIC benchmark data",
        "synthetic": True,
        "group": {"column": "department", "labels": {"Marketing": "marketing", "IT": "it", "Sales": None}},
        "weight": "weight",
        "missing": [-9],
        "scales": {"agree5": {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}},
        "items": {
            f"item_{name}": {"column": name, "wording": f"synthetic question {name}", "scale": "agree5",
                             "yes_if": ">= 4" if i % 2 == 0 else "Strongly agree"}
            for i, name in enumerate(item_names(items))
        },
    }
    codebook = folder / "codebook.yaml"
    codebook.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return path, codebook


def floor(path: Path, items: int, weighted: bool) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Read the same columns with pandas and count with a plain groupby."""
    names = item_names(items)
    columns = ["department", *names] + (["weight"] if weighted else [])
    frame = pd.read_parquet(path, columns=columns)
    values = frame[names]
    answered = values.ne(-9)
    yes = pd.concat([values[names[0::2]].ge(4), values[names[1::2]].eq(5)], axis=1)[names]
    by = frame["department"]
    if weighted:
        w = frame["weight"]
        n = (answered.mul(w, axis=0)).groupby(by, observed=True).sum()
        k = (yes.mul(w, axis=0)).groupby(by, observed=True).sum()
    else:
        n = answered.groupby(by, observed=True).sum()
        k = yes.groupby(by, observed=True).sum()
    return n, k, int(frame.memory_usage(deep=True).sum())


def ours(path: Path, codebook: Path, weighted: bool) -> pd.DataFrame:
    return load_responses(path, codebook, design="weighted" if weighted else "unweighted").counts


def same_counts(floor_n: pd.DataFrame, floor_k: pd.DataFrame, counts: pd.DataFrame, weighted: bool) -> bool:
    """Ours equals the floor (weighted: the share sum(w yes) / sum(w))."""
    for group_label, group in (("Marketing", "marketing"), ("IT", "it")):
        mine = counts[counts["group"] == group].set_index("item")
        for name in floor_n.columns:
            row = mine.loc[f"item_{name}"]
            if weighted:
                share = floor_k.loc[group_label, name] / floor_n.loc[group_label, name]
                if not np.isclose(row["p_hat"], share, rtol=0, atol=1e-12):
                    return False
            elif (int(row["n"]), int(row["k"])) != (int(floor_n.loc[group_label, name]),
                                                    int(floor_k.loc[group_label, name])):
                return False
    return True


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_memory(which: str, path: Path, codebook: Path, items: int, weighted: bool,
                   warm_up: Path) -> dict[str, int]:
    """Run one side once in this fresh worker: peak RSS above its start, and tracemalloc's peak.

    The side first runs on a 1,000-respondent file, so one-time costs (lazy
    imports, Arrow's thread pools and allocator) are in the baseline, not
    charged to the data.
    """
    step = (lambda p: floor(p, items, weighted)) if which == "floor" else (lambda p: ours(p, codebook, weighted))
    step(warm_up)
    before = _rss_bytes()
    tracemalloc.start()
    step(path)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"rss_peak_above_start": max(peak - before, 0), "tracemalloc_peak": traced}


def start_workers() -> multiprocessing.context.BaseContext:
    """A fork server started while this process is still small.

    ``ru_maxrss`` is a high-water mark that a child inherits from the process
    it was forked from (and, on Linux, across exec too); workers forked from
    a small server that has already imported the libraries start with a
    high-water mark equal to their size, so the peak above their start is
    the step's own.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["numpy", "pandas", "pyarrow", "pyarrow.parquet", "yaml",
                                    "alignment_stats.counts"])
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return context


def in_fresh_process(context: multiprocessing.context.BaseContext, which: str, path: Path, codebook: Path,
                     items: int, weighted: bool, warm_up: Path) -> dict[str, int]:
    with context.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(measure_memory, (which, path, codebook, items, weighted, warm_up))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--weighted", action="store_true", help="weighted counts (Kish) on both sides")
    args = parser.parse_args(argv)
    context = start_workers()
    with tempfile.TemporaryDirectory(prefix="bench_survey_") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        path, codebook = make_file(folder, args.respondents, args.items, args.seed)
        (folder / "small").mkdir()
        warm_up, _ = make_file(folder / "small", 1000, args.items, args.seed + 1)
        print(f"synthetic file: {args.respondents:,} respondents x {args.items} items "
              f"({path.stat().st_size / 1e6:.1f} MB Parquet, made in {time.perf_counter() - start:.1f} s)"
              f"{', weighted' if args.weighted else ''}")
        floor_times, our_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            n, k, size = floor(path, args.items, args.weighted)
            floor_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            counts = ours(path, codebook, args.weighted)
            our_times.append(time.perf_counter() - start)
        ok = same_counts(n, k, counts, args.weighted)
        mem_floor = in_fresh_process(context, "floor", path, codebook, args.items, args.weighted, warm_up)
        mem_ours = in_fresh_process(context, "ours", path, codebook, args.items, args.weighted, warm_up)

    t_floor, t_ours = min(floor_times), min(our_times)
    time_ratio = t_ours / t_floor
    mem_ratio = mem_ours["rss_peak_above_start"] / size
    print(f"columns read: {args.items + 1 + int(args.weighted)}, in memory {size / 1e6:.1f} MB")
    print(f"time (best of {args.repeat}): floor read+groupby {t_floor:.3f} s, load_responses {t_ours:.3f} s; "
          f"ratio {time_ratio:.2f} (target <= {TIME_TARGET:g}) {'ok' if time_ratio <= TIME_TARGET else 'TOO SLOW'}")
    print(f"peak memory (resource.getrusage ru_maxrss above the start, fresh worker process): floor "
          f"{mem_floor['rss_peak_above_start'] / 1e6:.1f} MB ({mem_floor['rss_peak_above_start'] / size:.2f}x), "
          f"load_responses {mem_ours['rss_peak_above_start'] / 1e6:.1f} MB; ratio to the columns' size "
          f"{mem_ratio:.2f} (target <= {MEMORY_TARGET:g}) {'ok' if mem_ratio <= MEMORY_TARGET else 'TOO MUCH'}")
    print(f"tracemalloc peak (NumPy/Python only): floor {mem_floor['tracemalloc_peak'] / 1e6:.1f} MB, "
          f"load_responses {mem_ours['tracemalloc_peak'] / 1e6:.1f} MB")
    print(f"same counts as the floor: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
