"""Command line: ``alignment-stats report`` and ``alignment-stats diff``
(also ``python -m alignment_stats ...``).

``report`` exit codes: 0 report complete (or nothing to run yet), 1 some
notebook failed (the run is in ``<out>/<run_id>.failed/``), 2 bad usage or
bad parameters (one line on stderr, nothing run), 130 interrupted.
``diff`` exit codes: 0 no differences, 1 differences, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

__all__ = ["main"]

PROG = "alignment-stats"


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected name=value (e.g. alpha=0.01), got {text!r}")
    return name, value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``alignment-stats`` argument parser."""
    from .diff import DEFAULT_ATOL, DEFAULT_RTOL
    from .report import DEFAULT_KERNEL, EXECUTORS, NOTEBOOK_DIR, REPORTS_DIR

    parser = _Parser(
        prog=PROG,
        description="Reproduce and stress-test published marketing-IT alignment figures.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    report = commands.add_parser(
        "report",
        help="run the analysis notebooks and write a report",
        description=(
            f"Run the analysis notebooks ({NOTEBOOK_DIR}) with papermill and write "
            "<out>/<run-id>/ with executed notebooks, HTML, results/*.csv, figures, "
            "summary.json and index.html. A run with a failing notebook goes to "
            "<out>/<run-id>.failed/ instead."
        ),
        epilog=(
            "Exit status: 0 complete, 1 some notebook failed, 2 bad usage or parameters. "
            "Parameters from -p are converted to the type of the notebook's default."
        ),
    )
    report.add_argument(
        "--notebooks", nargs="+", metavar="NAME",
        help="notebooks to run: stem (01_perception_gap), number (01), name (perception_gap) "
        "or path to an .ipynb (default: all)",
    )
    report.add_argument(
        "-p", "--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
        help="notebook parameter (repeatable), e.g. -p alpha=0.01",
    )
    report.add_argument(
        "--input", metavar="PATH", help="input file; shorthand for -p input=PATH (made absolute)"
    )
    report.add_argument(
        "--out", metavar="DIR", type=Path, default=REPORTS_DIR,
        help=f"parent folder of run folders (default: {REPORTS_DIR})",
    )
    report.add_argument("--run-id", metavar="ID", help="run folder name (default: UTC time + random)")
    report.add_argument("--no-html", action="store_true", help="skip the per-notebook HTML export")
    report.add_argument(
        "--jobs", type=_positive_int, metavar="N",
        help="notebooks run at once (default: number of CPUs; 1 = one after another)",
    )
    report.add_argument(
        "--kernel", default=DEFAULT_KERNEL, metavar="NAME",
        help=f"Jupyter kernel (default: {DEFAULT_KERNEL}, registered by `make install`)",
    )
    report.add_argument(
        "--config", metavar="RUNS.YAML", type=Path,
        help="run the scheduled runs of a config file (e.g. runs.yaml) into <out>/<run-id>/<run-name>/",
    )
    report.add_argument("--only", nargs="+", metavar="RUN", help="with --config: only these named runs")
    report.add_argument(
        "--executor", choices=EXECUTORS, default="local",
        help="local: warm kernels in this process (default); dask: one task per notebook on a Dask cluster",
    )
    report.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    report.add_argument(
        "--force", action="store_true",
        help="execute every notebook, even those unchanged since an earlier run (default: reuse them)",
    )
    compare = report.add_mutually_exclusive_group()
    compare.add_argument(
        "--compare-to", metavar="RUN",
        help="run (folder or run id in --out) to compare with in the index "
        "(default: the most recent earlier complete run in --out)",
    )
    compare.add_argument("--no-compare", action="store_true", help="do not compare with an earlier run")
    report.add_argument(
        "--fresh-kernels", action="store_true",
        help="a new kernel for every notebook instead of resetting and reusing warm kernels",
    )
    report.set_defaults(handler=_report)

    diff = commands.add_parser(
        "diff",
        help="what changed between two report runs",
        description=(
            "Compare two report runs: results/*.csv cells (numbers within a tolerance), claim "
            "verdicts, and the parameters, package versions and input files behind them."
        ),
        epilog="Exit status: 0 no differences, 1 differences, 2 bad usage.",
    )
    diff.add_argument("run_a", metavar="RUN_A", help="older run: a run folder, or a run id in --out")
    diff.add_argument("run_b", metavar="RUN_B", help="newer run: a run folder, or a run id in --out")
    diff.add_argument("--out", metavar="DIR", type=Path, default=REPORTS_DIR,
                      help=f"where run ids are looked up (default: {REPORTS_DIR})")
    diff.add_argument("--rtol", type=float, default=DEFAULT_RTOL, help=f"relative tolerance (default {DEFAULT_RTOL:g})")
    diff.add_argument("--atol", type=float, default=DEFAULT_ATOL, help=f"absolute tolerance (default {DEFAULT_ATOL:g})")
    diff.set_defaults(handler=_diff)
    return parser


def _error(message: str, command: str = "report") -> int:
    print(f"{PROG} {command}: error: {message}", file=sys.stderr)
    return 2


def _report(args: argparse.Namespace) -> int:
    from . import report as rep

    params: dict[str, str] = {}
    for name, value in args.param:
        if name in params:
            return _error(f"parameter {name} given twice")
        params[name] = value
    if args.input is not None:
        if "input" in params:
            return _error("give the input either with --input or with -p input=..., not both")
        # A path typed on the command line is relative to the user's shell,
        # but notebooks run in the project root: make it absolute here.
        params["input"] = str(Path(args.input).expanduser().resolve())
    if args.scheduler is not None and args.executor != "dask":
        return _error("--scheduler is only used with --executor dask")
    if args.executor == "dask" and not args.scheduler:
        return _error("--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT")
    if args.config is not None:
        if params or args.notebooks is not None:
            return _error("with --config, notebooks and parameters come from the config file "
                          "(not from --notebooks, -p or --input)")
        if args.compare_to is not None:
            return _error("with --config, each run is compared with the same run of the previous batch; "
                          "--compare-to is for single runs (use --no-compare to turn it off)")
    elif args.only is not None:
        return _error("--only selects runs of a --config file")

    common = dict(
        out=args.out.expanduser().resolve(), run_id=args.run_id, html=not args.no_html, jobs=args.jobs,
        kernel_name=args.kernel, executor=args.executor, scheduler=args.scheduler, force=args.force,
        fresh_kernels=args.fresh_kernels,
    )
    try:
        if args.config is not None:
            from .runs import run_config

            batch = run_config(args.config, only=args.only, compare=not args.no_compare, **common)
            return 0 if batch.ok else 1
        if args.notebooks is None and not rep.discover_notebooks(rep.NOTEBOOK_DIR):
            print(f"No analysis notebooks in {rep.NOTEBOOK_DIR} yet; nothing to run.")
            return 0
        compare_to = None if args.no_compare else (args.compare_to or rep.AUTO)
        result = rep.run_report(notebooks=args.notebooks, params=params, compare_to=compare_to, **common)
    except rep.ReportError as exc:
        return _error(str(exc))
    return 0 if result.ok else 1


def _diff(args: argparse.Namespace) -> int:
    from .diff import RunNotFoundError, diff_runs, resolve_run

    if not (args.rtol >= 0 and args.atol >= 0):
        return _error("--rtol and --atol must be >= 0", "diff")
    try:
        a = resolve_run(args.run_a, args.out)
        b = resolve_run(args.run_b, args.out)
    except RunNotFoundError as exc:
        return _error(str(exc), "diff")
    result = diff_runs(a, b, rtol=args.rtol, atol=args.atol)
    sys.stdout.write(result.to_text())
    return 1 if result.changed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "report":
        # jsonschema (imported by nbformat) spends ~1.6 s importing rfc3987_syntax for
        # IRI format checks nbformat never uses; the command line does not need them.
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no report written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
