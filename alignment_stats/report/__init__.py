"""Report: the runner and every command.

``plan`` checks a report and builds its counts before any kernel starts;
``run`` executes a plan into a run folder atomically; ``execute`` runs
notebooks (warm kernels of ``engine``, or Dask); ``parameters`` converts and
checks parameters; ``cache`` reuses unchanged notebooks; ``summary`` writes
summary.json (schema v3); ``html`` the index pages; ``diff`` compares two
runs (with ``numeric``); ``schedule`` runs a ``runs.yaml``; ``check``
validates an input; ``errors`` holds what can stop a report and its exit
status.
"""

from ..config import NOTEBOOK_DIR, REPORTS_DIR
from .check import check_input, check_text
from .diff import DEFAULT_ATOL, DEFAULT_RTOL, DiffError, RunNotFoundError, diff_runs, resolve_run
from .errors import EXIT_COMPLETE, EXIT_DIFFERENCES, EXIT_FAILED, EXIT_SIGNAL_BASE, EXIT_USAGE
from .errors import KernelNotFoundError, OutputError, ReportError, RunExistsError, Stopped
from .notebooks import declared_parameters, discover_notebooks, select_notebooks
from .parameters import parameter_help
from .plan import AUTO, DEFAULT_KERNEL, EXECUTORS, Options, Plan, make_plan
from .run import ReportResult, execute_plan, run_report
from .schedule import BatchResult, load_runs, run_batch

__all__ = [
    "AUTO",
    "DEFAULT_ATOL",
    "DEFAULT_KERNEL",
    "DEFAULT_RTOL",
    "EXECUTORS",
    "EXIT_COMPLETE",
    "EXIT_DIFFERENCES",
    "EXIT_FAILED",
    "EXIT_SIGNAL_BASE",
    "EXIT_USAGE",
    "BatchResult",
    "DiffError",
    "KernelNotFoundError",
    "NOTEBOOK_DIR",
    "REPORTS_DIR",
    "Options",
    "OutputError",
    "Plan",
    "ReportError",
    "ReportResult",
    "RunExistsError",
    "RunNotFoundError",
    "Stopped",
    "check_input",
    "check_text",
    "declared_parameters",
    "diff_runs",
    "discover_notebooks",
    "execute_plan",
    "load_runs",
    "make_plan",
    "parameter_help",
    "resolve_run",
    "run_batch",
    "run_report",
    "select_notebooks",
]
