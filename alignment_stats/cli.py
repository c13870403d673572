"""The command line: ``alignment-stats report | params | check | diff`` (also ``python -m alignment_stats``).

Exit status of every command: 0 complete (notebooks that do not apply
included) or no differences; 1 a notebook failed, an OS error, or (``diff``)
differences; 2 bad input or usage (one line on stderr, nothing run); 129,
130, 143 after SIGHUP, SIGINT, SIGTERM (the kernels are stopped and no
temporary folder is left).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["main", "run", "build_parser"]

PROG = "alignment-stats"
#: Signals that stop a command cleanly (exit 128 + the signal's number).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
#: Flags that name an input file, and the parameter each sets.
INPUT_FLAGS = ("input", "codebook", "studies", "claims")


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected name=value (e.g. alpha=0.01), got {text[:200]!r}")
    return name, value


def _positive_int(text: str) -> int:
    value = int(text) if text.strip().isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text[:200]!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 3600, got {text[:200]!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message[:300]} (see {self.prog} --help)\n")


def _input_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input (paths are taken from the current folder)")
    group.add_argument("--input", metavar="FILE", help="figures CSV, counts table or response file "
                       "(default: the bundled benchmark figures)")
    group.add_argument("--codebook", metavar="FILE", help="YAML codebook of a response file (one row per respondent)")
    group.add_argument("--studies", metavar="FILE", help="studies.yaml of a figures CSV (default: the one beside it)")
    group.add_argument("--claims", metavar="FILE", help="claims CSV to judge; replaces the bundled claims")


def build_parser() -> argparse.ArgumentParser:
    """The ``alignment-stats`` argument parser."""
    from .report import DEFAULT_ATOL, DEFAULT_KERNEL, DEFAULT_RTOL, EXECUTORS, NOTEBOOK_DIR, REPORTS_DIR

    parser = _Parser(prog=PROG, description="Reproduce and stress-test published marketing-IT alignment figures.",
                     epilog="Exit status: 0 complete, 1 a notebook failed or an OS error, 2 bad input or usage, "
                            "128+N after signal N.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = commands.add_parser(
        "report", help="run the analysis notebooks and write a report",
        description=f"Run the analysis notebooks ({NOTEBOOK_DIR}) with papermill and write <out>/<run-id>/ "
                    "(executed notebooks, HTML, results/*.csv, figures, summary.json, index.html); a run with a "
                    "failing notebook goes to <out>/<run-id>.failed/. Every parameter and input is checked "
                    "before any kernel starts.",
        epilog="Exit status: 0 complete (notebooks that do not apply included), 1 a notebook failed or the "
               "report could not be written, 2 bad input, parameters or usage, 129/130/143 after "
               "SIGHUP/SIGINT/SIGTERM. `alignment-stats params` lists the parameters.")
    report.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="notebooks to run: stem (01_perception_gap), number (01), name (perception_gap) or "
                             "path to an .ipynb (default: all)")
    report.add_argument("-p", "--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
                        help="notebook parameter (repeatable), e.g. -p alpha=0.01")
    _input_flags(report)
    report.add_argument("--out", metavar="DIR", type=Path, default=REPORTS_DIR,
                        help=f"parent folder of run folders (default: {REPORTS_DIR})")
    report.add_argument("--run-id", metavar="ID", help="run folder name (default: UTC time + random)")
    report.add_argument("--no-html", action="store_true", help="skip the per-notebook HTML export")
    report.add_argument("--jobs", type=_positive_int, metavar="N",
                        help="notebooks run at once (default: number of CPUs; 1 = one after another)")
    report.add_argument("--kernel", default=DEFAULT_KERNEL, metavar="NAME",
                        help=f"Jupyter kernel (default: {DEFAULT_KERNEL}, registered by `make install`)")
    report.add_argument("--config", metavar="RUNS.YAML", type=Path,
                        help="run the scheduled runs of a config file into <out>/<batch-id>/<run-name>/")
    report.add_argument("--only", nargs="+", metavar="RUN", help="with --config: only these named runs")
    report.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="local: warm kernels in this process (default); dask: one task per notebook on a "
                             "Dask cluster")
    report.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    report.add_argument("--dask-timeout", type=_seconds, default=30.0, metavar="SECONDS",
                        help="how long to wait for the Dask scheduler and for its first worker (default: 30)")
    report.add_argument("--force", action="store_true",
                        help="execute every notebook, even those unchanged since an earlier run (default: reuse "
                             "them once their files are verified)")
    compare = report.add_mutually_exclusive_group()
    compare.add_argument("--compare-to", metavar="RUN", help="run (folder or run id in --out) to compare with "
                         "(default: the most recent earlier complete run in --out)")
    compare.add_argument("--no-compare", action="store_true", help="do not compare with an earlier run")
    report.add_argument("--fresh-kernels", action="store_true",
                        help="a new kernel for every notebook instead of resetting and reusing warm kernels")
    report.set_defaults(handler=_report)

    params = commands.add_parser(
        "params", help="list the parameters of the notebooks",
        description="Every parameter of each notebook (or of the one named): type, default, allowed values, help.")
    params.add_argument("notebook", nargs="?", metavar="NOTEBOOK", help="stem, number or name (default: all)")
    params.set_defaults(handler=_params)

    check = commands.add_parser(
        "check", help="validate an input without running anything",
        description="Read and validate an input as `report` would (figures and studies, a counts table, or a "
                    "response file and its codebook, and the claims), build its counts in memory and say what "
                    "was found. Nothing is written.",
        epilog="Exit status: 0 the input is valid, 2 it is not (one line naming file, row and field).")
    _input_flags(check)
    check.add_argument("-p", "--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
                       help="counts option: rounding, max_missing, max_unclassified or design")
    check.set_defaults(handler=_check)

    diff = commands.add_parser(
        "diff", help="what changed between two report runs",
        description="Compare two report runs: results/*.csv cells (numbers within a tolerance), claim verdicts, "
                    "and the parameters, package versions and input files behind them.",
        epilog="Exit status: 0 no differences, 1 differences (or a run's files cannot be read), 2 bad usage.")
    diff.add_argument("run_a", metavar="RUN_A", help="older run: a run folder, or a run id in --out")
    diff.add_argument("run_b", metavar="RUN_B", help="newer run: a run folder, or a run id in --out")
    diff.add_argument("--out", metavar="DIR", type=Path, default=REPORTS_DIR,
                      help=f"where run ids are looked up (default: {REPORTS_DIR})")
    diff.add_argument("--rtol", type=float, default=DEFAULT_RTOL, help=f"relative tolerance (default {DEFAULT_RTOL:g})")
    diff.add_argument("--atol", type=float, default=DEFAULT_ATOL, help=f"absolute tolerance (default {DEFAULT_ATOL:g})")
    diff.set_defaults(handler=_diff)
    return parser


class _UsageError(Exception):
    """A combination of flags that makes no sense (exit 2)."""


def _params_of(args: argparse.Namespace) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in args.param:
        if name in params:
            raise _UsageError(f"parameter {name} given twice")
        params[name] = value
    for name in INPUT_FLAGS:
        value = getattr(args, name)
        if value is None:
            continue
        if name in params:
            raise _UsageError(f"give {name} either with --{name} or with -p {name}=..., not both")
        # A path typed on the command line is relative to the user's shell; kernels run in the project root.
        params[name] = str(Path(value).expanduser().absolute())
    return params


def _report(args: argparse.Namespace) -> int:
    from . import report as rep

    params = _params_of(args)
    if args.scheduler is not None and args.executor != "dask":
        raise _UsageError("--scheduler is only used with --executor dask")
    if args.executor == "dask" and not args.scheduler:
        raise _UsageError("--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT")
    if args.config is not None:
        if params or args.notebooks is not None:
            raise _UsageError("with --config, notebooks and parameters come from the config file (not from "
                              "--notebooks, -p or the input flags)")
        if args.compare_to is not None:
            raise _UsageError("with --config, each run is compared with the same run of the previous batch; "
                              "--compare-to is for single runs (use --no-compare to turn it off)")
    elif args.only is not None:
        raise _UsageError("--only selects runs of a --config file")
    options: dict[str, Any] = dict(html=not args.no_html, jobs=args.jobs, kernel_name=args.kernel,
                                   executor=args.executor, scheduler=args.scheduler, dask_timeout=args.dask_timeout,
                                   force=args.force, fresh_kernels=args.fresh_kernels)
    out = args.out.expanduser().absolute()
    if args.config is not None:
        batch = rep.run_batch(args.config.expanduser().absolute(), out, args.run_id, only=args.only,
                              compare=not args.no_compare, **options)
        return rep.EXIT_COMPLETE if batch.ok else rep.EXIT_FAILED
    compare_to = None if args.no_compare else (args.compare_to or rep.AUTO)
    result = rep.run_report(args.notebooks, params, out, args.run_id, compare_to=compare_to, **options)
    return rep.EXIT_COMPLETE if result.ok else rep.EXIT_FAILED


def _params(args: argparse.Namespace) -> int:
    from . import report as rep

    notebooks = rep.select_notebooks(None if args.notebook is None else [args.notebook])
    sys.stdout.write(rep.parameter_help([rep.declared_parameters(path) for path in notebooks]))
    return rep.EXIT_COMPLETE


def _check(args: argparse.Namespace) -> int:
    from . import report as rep

    params = _params_of(args)
    options = {name: params.pop(name) for name in ("rounding", "max_missing", "max_unclassified", "design")
               if name in params}
    inputs = {name: params.pop(name, None) for name in INPUT_FLAGS}
    if params:
        raise _UsageError(f"check takes the input flags and rounding, max_missing, max_unclassified, design; "
                          f"not {', '.join(params)}")
    for name in ("max_missing", "max_unclassified"):
        if name in options:
            if not options[name].strip().isdigit():
                raise _UsageError(f"parameter {name}: {options[name][:200]!r} is not a whole number >= 0")
            options[name] = int(options[name])
    sys.stdout.write(rep.check_text(rep.check_input(**inputs, **options)))
    return rep.EXIT_COMPLETE


def _diff(args: argparse.Namespace) -> int:
    from . import report as rep

    if not (args.rtol >= 0 and args.atol >= 0):
        raise _UsageError("--rtol and --atol must be >= 0")
    try:
        a = rep.resolve_run(args.run_a, args.out)
        b = rep.resolve_run(args.run_b, args.out)
    except rep.RunNotFoundError as exc:
        raise _UsageError(str(exc)) from None
    try:
        result = rep.diff_runs(a, b, rtol=args.rtol, atol=args.atol)
    except rep.DiffError as exc:  # a run whose files cannot be read: never "no differences"
        print(f"{PROG} diff: error: {exc}", file=sys.stderr)
        return rep.EXIT_DIFFERENCES
    sys.stdout.write(result.to_text())
    return rep.EXIT_DIFFERENCES if result.changed else rep.EXIT_COMPLETE


def _quit_on_signals() -> None:
    """Until a command has started anything to clean up, a stop signal ends the process at once, quietly."""

    def quit_now(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        os.write(2, f"\n{PROG}: stopped by {name} while starting; nothing was run.\n".encode())
        os._exit(128 + signum)  # schema.EXIT_SIGNAL_BASE: the runner's vocabulary is not imported yet

    for sig in STOP_SIGNALS:
        signal.signal(sig, quit_now)


def _stop_on_signals() -> None:
    """The first stop signal raises ``Stopped`` (cleanup runs); a second one ends the process at once."""
    from .report import EXIT_SIGNAL_BASE, Stopped

    def first(signum: int, frame: Any) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, second)
        raise Stopped(signum)

    def second(signum: int, frame: Any) -> None:
        os._exit(EXIT_SIGNAL_BASE + signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, first)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting.

    Stop signals are handled while it runs (the previous handlers are put
    back when it returns): quietly at once until a report starts, then by
    stopping the kernels and removing temporary folders first.
    """
    if threading.current_thread() is not threading.main_thread():  # signals reach only the main thread
        return _main(argv)
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    _quit_on_signals()  # Ctrl-C while the libraries import: no KeyboardInterrupt traceback
    try:
        return _main(argv)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    # jsonschema (imported by nbformat) spends ~1.6 s importing rfc3987_syntax for IRI format checks
    # nbformat never uses; the command line does not need them.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from . import report as rep

    if args.command == "report" and threading.current_thread() is threading.main_thread():
        _stop_on_signals()  # now there may be kernels and temporary folders to clean up
    try:
        return handler(args)
    except (rep.ReportError, _UsageError) as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return rep.EXIT_USAGE
    except rep.OutputError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return rep.EXIT_FAILED
    except rep.Stopped as exc:
        print(f"\n{PROG}: stopped by {exc}; kernels stopped, no report written.", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; kernels stopped, no report written.", file=sys.stderr)
        return rep.EXIT_SIGNAL_BASE + signal.SIGINT


def run() -> None:
    """The ``alignment-stats`` program: :func:`main`, then exit at once.

    ``os._exit`` after flushing skips the interpreter's finalization: threads
    that still wait on a killed kernel's ZeroMQ sockets (abandoned after a
    signal) would otherwise see those sockets closed under them, which
    libzmq answers with an assertion abort or a traceback at exit. The
    kernels are already stopped and the temporary folders removed by then.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
