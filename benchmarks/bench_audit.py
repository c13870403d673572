"""The data audit on many figures: time and peak memory must grow linearly with the number of figures.

Writes synthetic figures files (studies of 10 figures each: 5 items x 2
groups, half with published group sizes, half with a total and shares) of
1k, 10k and 100k figures and runs, each in a fresh process, what notebook 00
does: read and validate the file, build the counts (every scenario), run the
audit's checks and the rounding-rule sensitivity
(:func:`alignment_stats.analyses.run_audit` without the heatmap, which is
drawn for a handful of studies only). It prints seconds and peak memory
(ru_maxrss above the process's start), and per 1,000 figures, with the ratio
to the smallest size as the baseline of the same run: a linear audit keeps
the per-figure ratios near 1 (a quadratic one multiplies them by 10 per
step). Usage::

    .venv/bin/python benchmarks/bench_audit.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from alignment_stats.analyses import run_audit
imported_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
result = run_audit(input=sys.argv[1], output_dir=sys.argv[2], grid_reach=0)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": (peak - imported_rss) / 1024, "figures": len(result.table),
                  "checks": len(result.checks)}))
"""
HEADER = ["study", "year", "item", "wording", "group", "group_label", "value", "low", "high", "unit", "rounding", "n",
          "pair", "measure", "source", "source_kind", "quote", "note"]


def write_input(folder: Path, figures: int) -> Path:
    """A figures CSV and its studies.yaml with ``figures`` figures (10 per study)."""
    folder.mkdir(parents=True, exist_ok=True)
    studies = figures // 10
    path = folder / "figures.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for s in range(studies):
            for i in range(5):
                for g, share in (("marketing", 30 + (s + 7 * i) % 40), ("it", 20 + (3 * s + i) % 50)):
                    out.writerow([f"s{s:06d}", 2024, f"item_{i}", "an item", g, g, share, "", "", "percent",
                                  "unknown", "", "", "", "https://example.org", "external", f"{share}% of {g}", ""])
    lines = []
    for s in range(studies):
        sizes = ("  group_n: {marketing: %d, it: %d}" % (100 + s % 50, 80 + s % 30) if s % 2 else
                 "  total_n: 240\n  group_shares: {marketing: 60, it: 40}")
        lines.append(f"s{s:06d}:\n  title: t\n  publisher: p\n  survey: s{s:06d}\n  population: p\n"
                     f"  groups: {{marketing: m, it: i}}\n{sizes}\n  sources:\n    - kind: external\n"
                     f"      url: https://example.org\n      quote: \"a made-up study\"\n")
    (folder / "studies.yaml").write_text("".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = write_input(Path(tmp) / str(size), size)
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / f"out{size}")],
                                  capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"audit of {size} figures failed:\n{done.stderr[-3000:]}")
            rows.append({"size": size, **json.loads(done.stdout.strip().splitlines()[-1])})
    base = rows[0]
    print(f"{'figures':>8} {'seconds':>8} {'peak MB':>8} {'s/1k':>7} {'MB/1k':>7} {'time ratio':>11} {'mem ratio':>10}")
    for r in rows:
        per_s, per_mb = 1000 * r["seconds"] / r["size"], 1000 * r["peak_mb"] / r["size"]
        ratio_s = per_s / (1000 * base["seconds"] / base["size"])
        ratio_mb = per_mb / max(1000 * base["peak_mb"] / base["size"], 1e-9)
        print(f"{r['size']:>8} {r['seconds']:>8.2f} {r['peak_mb']:>8.1f} {per_s:>7.3f} {per_mb:>7.2f} "
              f"{ratio_s:>11.2f} {ratio_mb:>10.2f}")
    print("ratios are per figure, against the smallest size: near 1 (or falling) is linear growth")


if __name__ == "__main__":
    main()
