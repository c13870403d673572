"""Executing notebooks: on warm kernels in threads of this process, or as tasks of a Dask cluster.

Each notebook becomes a :class:`Task`; :func:`execute` returns one
:class:`Outcome` per task, a failure included (the failing executed notebook
is written for debugging). Local notebooks run in daemon threads that only
wait for their kernel: on a signal the kernels are killed and the threads
are abandoned, so the command ends at once. Dask: connecting and waiting for
a worker are bounded by ``dask_timeout`` seconds.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import KernelPool, register_engine
from .errors import ReportError
from .html import export_notebook_html

__all__ = ["Task", "Outcome", "Progress", "code_cells", "execute_notebook", "run_local", "dask_client", "run_dask"]

ProgressCallback = Callable[[int, int, Any], None]


@dataclass(frozen=True)
class Task:
    """One notebook to run (picklable for Dask workers)."""

    name: str
    source: str
    parameters: dict[str, Any]
    run_dir: str
    kernel_name: str
    html: bool
    cwd: str


@dataclass(frozen=True)
class Outcome:
    """How a notebook ended: ``ename``/``evalue`` of its failure (None when it completed)."""

    name: str
    seconds: float
    ename: str | None = None
    evalue: str | None = None
    kernel_stderr: str | None = None

    @property
    def error(self) -> str | None:
        if self.ename is None:
            return None
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename


class _QuietPapermill(logging.Filter):
    """Drop papermill's introspection warnings about parameters the runner already checked."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Unable to parse line", "Passed unknown parameter"))


_QUIET = _QuietPapermill()
#: A Dask scheduler address: optional scheme of a Dask transport, host, optional port.
_DASK_ADDRESS = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?[A-Za-z0-9._\-\[\]:]+|inproc://[A-Za-z0-9._\-/]+")


def execute_notebook(task: Task, pool: KernelPool | None = None, on_cell: Callable[[], None] | None = None) -> Outcome:
    """Run one notebook (and export it to HTML); a failure becomes the outcome, not an exception.

    With ``pool`` the notebook runs on one of its warm kernels; without (a
    Dask worker) papermill starts a kernel for it in ``task.cwd``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    for name in ("papermill", "papermill.translators"):
        logging.getLogger(name).addFilter(_QUIET)
    start = time.perf_counter()
    folder = Path(task.run_dir) / task.name
    folder.mkdir(exist_ok=True)
    executed = folder / f"{task.name}.ipynb"
    ename = evalue = kernel_stderr = None
    options: dict[str, Any] = {"parameters": {**task.parameters, "output_dir": str(folder)},
                               "kernel_name": task.kernel_name, "progress_bar": False}
    kernel = result = None
    try:
        if pool is not None:
            kernel = pool.acquire()
            # the kernel already runs in task.cwd; papermill's cwd= would chdir this whole process
            options.update(engine_name=register_engine(), km=kernel.km, partial_path=str(executed),
                           request_save_on_cell_execute=False, on_cell=on_cell)
        else:
            options["cwd"] = task.cwd
        result = papermill.execute_notebook(task.source, str(executed), **options)
    except PapermillExecutionError as exc:
        ename, evalue = exc.ename, exc.evalue
    except Exception as exc:  # the kernel died or would not start, an unreadable notebook, ...
        ename, evalue = type(exc).__name__, str(exc)
    finally:
        if kernel is not None:
            if ename is not None:
                kernel_stderr = kernel.stderr_since().strip() or None
            pool.release(kernel, reusable=ename is None)
    if task.html and executed.is_file():
        try:
            export_notebook_html(result if ename is None and isinstance(result, dict) else executed,
                                 folder / f"{task.name}.html")
        except Exception as exc:
            if ename is None:
                ename, evalue = "HTMLExportError", f"{type(exc).__name__}: {exc}"
    return Outcome(task.name, time.perf_counter() - start, ename, evalue, kernel_stderr)


def code_cells(path: Path) -> int:
    """Code cells of a notebook, plus the one papermill injects with the parameters."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return 0
    return sum(cell.get("cell_type") == "code" for cell in cells) + 1


class Progress:
    """A tqdm bar on a terminal, plain log lines otherwise, a callback, or silence."""

    def __init__(self, total: int, progress: bool | ProgressCallback | None, intro: str, cells: int = 0):
        self.total, self.done = total, 0
        self.callback = progress if callable(progress) else None
        self.quiet = progress is False or self.callback is not None
        self.bar = self.cell_bar = None
        self._lock = threading.Lock()
        if self.quiet:
            return
        print(intro, file=sys.stderr, flush=True)
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="notebook", file=sys.stderr, desc="report")
            if cells:
                self.cell_bar = tqdm(total=cells, unit="cell", file=sys.stderr, desc="cells", position=1, leave=False)

    def cell_done(self) -> None:
        """One more cell executed (called from the notebooks' threads)."""
        if self.cell_bar is not None:
            with self._lock:
                self.cell_bar.update(1)

    def update(self, name: str, word: str, seconds: float, error: str | None = None, stderr: str | None = None,
               entry: Any = None) -> None:
        """One notebook finished (or was reused, or skipped)."""
        self.done += 1
        if self.callback is not None:
            self.callback(self.done, self.total, entry)
            return
        if self.quiet:
            return
        line = f"[{self.done}/{self.total}] {name} ... {word} ({seconds:.1f} s)" + (f": {error}" if error else "")
        if stderr:
            line += "\n    kernel stderr:\n" + "\n".join(f"    | {x}" for x in stderr.splitlines())
        if self.bar is not None:
            self.bar.set_postfix_str(f"{name} {word}", refresh=False)
            self.bar.update(1)
            if error:
                self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        for bar in (self.cell_bar, self.bar):
            if bar is not None:
                bar.close()


def run_local(tasks: list[Task], workers: int, pool: KernelPool, on_done: Callable[[Outcome], None],
              on_cell: Callable[[], None] | None = None) -> dict[str, Outcome]:
    """Run ``tasks`` on warm kernels, ``workers`` at a time, in daemon threads.

    On any exception here (a signal included) the pool's kernels are killed
    and the exception re-raised at once: the threads, which only wait for
    their kernels, are abandoned.
    """
    todo: queue.Queue[Task] = queue.Queue()
    for task in tasks:
        todo.put(task)
    done: queue.Queue[Outcome] = queue.Queue()
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put(execute_notebook(task, pool, on_cell))
            except BaseException as exc:  # never lose a notebook: a worker's crash is that notebook's failure
                done.put(Outcome(task.name, 0.0, type(exc).__name__, str(exc) or repr(exc)))

    for number in range(max(1, min(workers, len(tasks)))):
        threading.Thread(target=worker, daemon=True, name=f"alignment-stats-notebook-{number}").start()
    outcomes: dict[str, Outcome] = {}
    try:
        while len(outcomes) < len(tasks):
            try:
                outcome = done.get(timeout=0.2)  # short waits: a signal handler runs between them
            except queue.Empty:
                continue
            outcomes[outcome.name] = outcome
            on_done(outcome)
    except BaseException:
        stop.set()  # no worker starts another notebook
        pool.shutdown()
        raise
    return outcomes


def dask_client(scheduler: Any, timeout: float = 30.0) -> tuple[Any, bool]:
    """``(client, owned)`` for a scheduler address or a ``distributed.Client``, with at least one worker.

    Raises
    ------
    ReportError
        Dask is not installed, the address is not a scheduler (a wrong
        address, another kind of server), or no worker joins within ``timeout`` seconds.
    """
    try:
        import distributed
    except ImportError:
        raise ReportError("--executor dask needs Dask, which is not installed: pip install alignment_stats[dask]") \
            from None
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    if scheduler is None or not str(scheduler).strip():
        raise ReportError("--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT")
    address = str(scheduler)
    if not _DASK_ADDRESS.fullmatch(address.strip()):
        raise ReportError(f"--scheduler {address[:200]!r} is not a Dask scheduler address; write it as "
                          "tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)")
    connected: dict[str, Any] = {}

    def connect() -> None:  # a server that is not a Dask scheduler can keep the handshake waiting for ever
        try:
            connected["client"] = distributed.Client(address, timeout=f"{timeout}s", set_as_default=False)
        except Exception as exc:
            connected["error"] = exc

    thread = threading.Thread(target=connect, daemon=True, name="alignment-stats-dask-connect")
    thread.start()
    thread.join(timeout + 1)
    if "client" not in connected:
        exc = connected.get("error")
        text = " ".join(str(exc).split())[:200] or type(exc).__name__ if exc is not None else "no answer"
        raise ReportError(f"cannot reach a Dask scheduler at {address[:200]} within {timeout:g} s ({text}); is it "
                          "a Dask scheduler's address?")
    client = connected["client"]
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        try:
            client.close(timeout=2)
        except Exception:
            pass
        raise ReportError(f"the Dask scheduler at {address[:200]} has no worker after {timeout:g} s (start one: "
                          "dask worker ADDRESS)") from None
    return client, True


def run_dask(tasks: list[Task], client: Any, on_done: Callable[[Outcome], None]) -> dict[str, Outcome]:
    """Submit each notebook as a task to a Dask cluster and gather the outcomes as they finish."""
    from distributed import as_completed

    futures = {client.submit(execute_notebook, task, None, key=f"alignment-stats-{Path(task.run_dir).name}-{task.name}",
                             pure=False): task for task in tasks}
    outcomes: dict[str, Outcome] = {}
    try:
        with client.as_current():
            for future in as_completed(list(futures)):
                task = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died or the task was lost
                    outcome = Outcome(task.name, 0.0, type(exc).__name__, str(exc) or repr(exc))
                outcomes[task.name] = outcome
                on_done(outcome)
    except BaseException:
        client.cancel(list(futures))
        raise
    return outcomes
