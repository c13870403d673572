"""What can stop a report, and the exit status each gives.

A :class:`ReportError` is found before anything runs (bad usage, a bad
parameter, a bad input file, an unknown notebook or kernel, an existing run
folder): one line, exit 2, nothing created. An :class:`OutputError` is the
operating system refusing to write the report (disk full, no permission, a
read-only file system): one line naming the path, exit 1. A
:class:`Stopped` is a signal (SIGINT, SIGTERM, SIGHUP): exit 128 + its number.
"""

from __future__ import annotations

import signal

from ..schema import EXIT_COMPLETE, EXIT_DIFFERENCES, EXIT_FAILED, EXIT_SIGNAL_BASE, EXIT_USAGE

__all__ = ["EXIT_COMPLETE", "EXIT_DIFFERENCES", "EXIT_FAILED", "EXIT_SIGNAL_BASE", "EXIT_USAGE", "ReportError", "KernelNotFoundError", "RunExistsError", "OutputError", "Stopped"]


class ReportError(Exception):
    """A report cannot start; nothing was run or written (exit status 2)."""

    exit_status = EXIT_USAGE


class KernelNotFoundError(ReportError, LookupError):
    """The requested Jupyter kernel is not installed."""


class RunExistsError(ReportError, FileExistsError):
    """``<out>/<run_id>`` (or ``<run_id>.failed``) already exists; a report is never overwritten."""


class OutputError(Exception):
    """The operating system refused to write the report (exit status 1)."""

    exit_status = EXIT_FAILED


class Stopped(BaseException):
    """A signal stopped the run (like KeyboardInterrupt, it is not an ``Exception``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return EXIT_SIGNAL_BASE + self.signum
