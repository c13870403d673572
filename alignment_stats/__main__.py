"""Command line: ``alignment-stats report`` (also ``python -m alignment_stats report``).

Exit codes: 0 report complete (or nothing to run yet), 1 some notebook
failed (the run is in ``<out>/<run_id>.failed/``), 2 bad usage or bad
parameters (one line on stderr, nothing run), 130 interrupted.
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
    from .report import DEFAULT_KERNEL, NOTEBOOK_DIR, REPORTS_DIR

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
    report.set_defaults(handler=_report)
    return parser


def _error(message: str) -> int:
    print(f"{PROG} report: error: {message}", file=sys.stderr)
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

    if args.notebooks is None and not rep.discover_notebooks(rep.NOTEBOOK_DIR):
        print(f"No analysis notebooks in {rep.NOTEBOOK_DIR} yet; nothing to run.")
        return 0

    try:
        result = rep.run_report(
            notebooks=args.notebooks,
            params=params,
            out=args.out.expanduser().resolve(),
            run_id=args.run_id,
            html=not args.no_html,
            jobs=args.jobs,
            kernel_name=args.kernel,
        )
    except rep.ReportError as exc:
        return _error(str(exc))
    return 0 if result.ok else 1


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
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no report written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
