"""Warm kernels for the report runner: a papermill engine and a pool of pre-started kernels.

Most of the time of a report on small data goes into starting a Jupyter
kernel and importing pandas, scipy, statsmodels, matplotlib and seaborn in
it, once per notebook. This module removes that cost:

- :class:`KernelPool` starts kernels in the background as soon as a run is
  planned and, in each, imports the heavy modules before any notebook
  arrives (:func:`warm_imports` lists them: the analysis modules of
  ``alignment_stats``, matplotlib, seaborn, and every module the notebooks
  import). A worker takes a ready kernel, runs one notebook on it and gives
  it back; the pool then *resets* it (below) for the next notebook, or, when
  the notebook failed or the reset did not succeed, shuts it down and starts
  a fresh one.
- :class:`WarmEngine` (papermill engine ``"alignment_stats_warm"``) executes a
  notebook on a kernel it is given (``km=``) without shutting it down. Without
  ``km`` it behaves like papermill's default engine.

The reset between two notebooks on one kernel clears what a notebook can
change: IPython's namespaces, history and execution counter
(``InteractiveShell.reset(new_session=True)``), open matplotlib figures and
``rcParams`` (so ``seaborn.set_theme`` does not leak), pandas options, the
``numpy.random`` and ``random`` global states, ``warnings`` filters and
every module's "already warned" registry, ``os.environ``, ``sys.path`` and
the working directory: each notebook starts from the state the warm-up left.
Imported modules stay imported (that is the point); a notebook that
monkeypatches a library module would leak that change, which the project's
notebooks never do (they only call the library). ``fresh=True`` gives every
notebook its own warm kernel instead (still started in the background).

Kernel stderr (the ``Kernel is running over TCP without encryption``
warning, ``KeyboardInterrupt caught in kernel`` when a kernel is shut down)
goes to a file per kernel; :meth:`WarmKernel.stderr_since` returns what a
kernel wrote while running a notebook so the runner can show it for failed
notebooks only.
"""

from __future__ import annotations

import ast
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "WARM_ENGINE",
    "BASE_WARM_IMPORTS",
    "KERNEL_DIR_PREFIX",
    "KernelPool",
    "KernelStartError",
    "WarmKernel",
    "notebook_imports",
    "register_engine",
    "warm_imports",
]

#: Name under which :class:`WarmEngine` is registered with papermill.
WARM_ENGINE = "alignment_stats_warm"

#: Imported in every warm kernel (besides the notebooks' own imports).
BASE_WARM_IMPORTS = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "IPython.display",
    "alignment_stats",
    "alignment_stats.analyses",
    "alignment_stats.present",
)
#: Prefix of the folder of the kernels' stderr files (followed by the runner's pid).
KERNEL_DIR_PREFIX = "alignment-stats-kernels-"

_CLOSED = object()  # put in the ready queue when the pool closes
_STDERR_TAIL = 4000  # characters of kernel stderr kept for a failed notebook
_KERNEL_NOISE = "Kernel is running over TCP without encryption"

# --------------------------------------------------------------------------- kernel side
# Runs inside the kernel, in a private module (``_alignment_stats_warm``), so
# the notebook's namespace never sees it. Kept self-contained: the kernel may
# be any Python kernel, with or without alignment_stats installed.
KERNEL_SOURCE = r'''
import gc, importlib, os, random, sys, warnings

_state = {}
failed = []


def warm(modules, cwd):
    """Import ``modules`` (failures go to ``failed``) and remember the clean state."""
    failed.clear()
    for name in modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except BaseException as exc:  # the notebook itself will show a real import error
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    _state.clear()
    _state.update(cwd=cwd, path=list(sys.path), environ=dict(os.environ),
                  filters=list(warnings.filters), random=random.getstate())
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        _state["rc"] = dict(mpl.rcParams)
    np = sys.modules.get("numpy")
    if np is not None:
        _state["np_random"] = np.random.get_state()


def reset():
    """Bring the kernel back to the state ``warm`` recorded."""
    from IPython import get_ipython

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    get_ipython().reset(new_session=True)  # namespaces, In/Out, history; execution_count = 1
    os.chdir(_state["cwd"])
    sys.path[:] = _state["path"]
    os.environ.clear()
    os.environ.update(_state["environ"])
    warnings.filters[:] = _state["filters"]
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:
        mutated()
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    random.setstate(_state["random"])
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "rc" in _state:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dict.update(mpl.rcParams, _state["rc"])
    np = sys.modules.get("numpy")
    if np is not None and "np_random" in _state:
        np.random.set_state(_state["np_random"])
    pd = sys.modules.get("pandas")
    if pd is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pd.reset_option("all")
        except Exception:
            pass
    gc.collect()
'''

_INSTALL = (
    "exec(compile({source!r}, '<alignment_stats warm kernel>', 'exec'), "
    "__import__('sys').modules.setdefault('_alignment_stats_warm', "
    "__import__('types').ModuleType('_alignment_stats_warm')).__dict__)"
)
_WARM_CALL = "__import__('sys').modules['_alignment_stats_warm'].warm({modules!r}, {cwd!r})"
_FAILED_EXPR = "__import__('_alignment_stats_warm').failed"
_RESET_CALL = "__import__('sys').modules['_alignment_stats_warm'].reset()"


# --------------------------------------------------------------------------- what to import


def notebook_imports(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Modules the code cells of these notebooks import, in first-seen order.

    ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a submodule);
    relative imports and cells that do not parse are skipped.

    >>> import json, tempfile
    >>> nb = {"nbformat": 4, "cells": [{"cell_type": "code", "metadata": {},
    ...       "source": "import pandas as pd\\nfrom alignment_stats import plots"}]}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as f:
    ...     json.dump(nb, f)
    >>> notebook_imports([f.name])
    ['pandas', 'alignment_stats', 'alignment_stats.plots']
    """
    found: dict[str, None] = {}
    for path in paths:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            source = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
            )
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.setdefault(node.module)
                    for alias in node.names:
                        if alias.name != "*":
                            found.setdefault(f"{node.module}.{alias.name}")
    return list(found)


def warm_imports(notebooks: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """What a warm kernel imports: :data:`BASE_WARM_IMPORTS` and the
    notebooks' own imports (names that are not modules fail quietly during
    the warm-up)."""
    names = list(BASE_WARM_IMPORTS) + notebook_imports(notebooks)
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- kernels


class KernelStartError(RuntimeError):
    """A kernel of the pool did not start (or died during its warm-up)."""


class WarmKernel:
    """One kernel: started, warmed, reset between notebooks, stderr to a file.

    Use :meth:`start` (blocking; the pool calls it from a thread), then give
    :attr:`km` to papermill's ``alignment_stats_warm`` engine.
    """

    def __init__(self, kernel_name: str, cwd: str | os.PathLike[str], modules: Sequence[str],
                 stderr_path: str | os.PathLike[str], startup_timeout: float = 60.0):
        from jupyter_client.manager import KernelManager

        self.kernel_name = kernel_name
        self.cwd = str(cwd)
        self.modules = list(modules)
        self.stderr_path = Path(stderr_path)
        self.startup_timeout = startup_timeout
        self.km = KernelManager(kernel_name=kernel_name)
        # nbclient drives the kernel with asyncio; our own calls use a blocking client.
        self.km.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
        self.warm_failures: list[str] = []
        self.notebooks_run = 0
        self._kc: Any = None  # our own blocking client (warm-up and resets)
        self._stderr: Any = None
        self._offset = 0
        self._launch = threading.Lock()  # kill() and the launch never interleave: no kernel outlives its pool
        self._killed = False

    # -- lifecycle
    def start(self) -> WarmKernel:
        self._stderr = open(self.stderr_path, "ab")  # noqa: SIM115 - closed in shutdown()
        with self._launch:
            if self._killed:
                raise KernelStartError("the kernel pool closed before this kernel started")
            self.km.start_kernel(
                cwd=self.cwd,
                stderr=self._stderr,
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
            )
        try:
            self._client().wait_for_ready(timeout=self.startup_timeout)
        except RuntimeError as exc:
            raise KernelStartError(f"kernel {self.kernel_name} did not start: {exc}{self._stderr_hint()}") from None
        self._run(_INSTALL.format(source=KERNEL_SOURCE))
        self._run(_WARM_CALL.format(modules=self.modules, cwd=self.cwd))
        self.warm_failures = list(self._run("", expression=_FAILED_EXPR) or [])
        self._kc.stop_channels()
        self._kc = None
        return self

    def _client(self) -> Any:
        """A fresh blocking client (a client that outlived a notebook run may miss replies)."""
        from jupyter_client.blocking import BlockingKernelClient

        if self._kc is not None:
            self._kc.stop_channels()
        info = self.km.get_connection_info(session=True)
        self._kc = BlockingKernelClient(**info, parent=self.km)
        self._kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        return self._kc

    def reset(self) -> None:
        """Clear the notebook's state (see the module docstring); raises on failure."""
        self._client()
        self._run(_RESET_CALL)
        self._kc.stop_channels()
        self._kc = None

    def kill(self) -> None:
        """Kill the kernel process at once, or keep it from starting (never raises).

        Safe while another thread uses the kernel: it touches only the
        process, never the ZeroMQ sockets of that thread's client.
        """
        with self._launch:
            self._killed = True
            try:
                provisioner = getattr(self.km, "provisioner", None)
                process = getattr(provisioner, "process", None)
                if process is not None and process.poll() is None:
                    process.kill()
            except Exception:
                pass

    def alive(self) -> bool:
        try:
            return bool(self.km.has_kernel and self.km.is_alive())
        except Exception:
            return False

    def shutdown(self, now: bool = True) -> None:
        """Stop the kernel (killed when ``now``) and close its files; never raises."""
        try:
            if self._kc is not None:
                self._kc.stop_channels()
        except Exception:
            pass
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=now)
        except Exception:
            try:
                self.km.kill_kernel()
            except Exception:
                pass
        try:
            self.km.cleanup_resources()
        except Exception:
            pass
        if self._stderr is not None:
            try:
                self._stderr.close()
            except Exception:
                pass

    # -- stderr
    def mark(self) -> None:
        """Remember where the kernel's stderr stands (before a notebook)."""
        try:
            self._offset = self.stderr_path.stat().st_size if self.notebooks_run else 0
        except OSError:
            self._offset = 0

    def stderr_since(self) -> str:
        """What the kernel wrote to stderr since :meth:`mark` (the last 4000 characters)."""
        try:
            with open(self.stderr_path, "rb") as handle:
                handle.seek(self._offset)
                text = handle.read().decode("utf-8", "replace")
        except OSError:
            return ""
        # the same start-up warning of every local kernel says nothing about a failure
        lines = [line for line in text.splitlines(keepends=True) if _KERNEL_NOISE not in line]
        return "".join(lines)[-_STDERR_TAIL:]

    def _stderr_hint(self) -> str:
        self._offset = 0
        text = self.stderr_since().strip()
        return f"\nkernel stderr:\n{text}" if text else ""

    # -- execution of our own (silent) code
    def _run(self, code: str, expression: str | None = None, timeout: float | None = None) -> Any:
        """Execute ``code`` silently; return the value of ``expression`` (a Python literal) if given."""
        try:
            reply = self._kc.execute_interactive(
                code,
                silent=True,
                store_history=False,
                user_expressions={"result": expression} if expression else None,
                timeout=timeout if timeout is not None else self.startup_timeout,
                output_hook=lambda msg: None,
                allow_stdin=False,
            )
        except (TimeoutError, RuntimeError) as exc:
            raise KernelStartError(f"kernel {self.kernel_name} did not answer: {exc}{self._stderr_hint()}") from None
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelStartError(f"kernel {self.kernel_name}: {content.get('ename')}: {content.get('evalue')}")
        if not expression:
            return None
        value = content.get("user_expressions", {}).get("result", {})
        text = value.get("data", {}).get("text/plain") if value.get("status") == "ok" else None
        try:
            return ast.literal_eval(text) if text else None
        except (ValueError, SyntaxError):
            return None


class KernelPool:
    """Warm kernels for one or more runs, started in the background.

    Parameters
    ----------
    kernel_name : str
        Jupyter kernel to start.
    size : int
        Kernels alive (or starting) at once: the number of notebooks that
        run at the same time, or (``fresh``) the kernels prepared ahead.
    cwd : str or Path
        Working directory of the kernels (the project root).
    modules : sequence of str
        Imported in every kernel before its first notebook (:func:`warm_imports`).
    fresh : bool, default False
        Never reuse a kernel: every notebook gets its own (started ahead).
    expected : int, optional
        Notebooks the pool will serve (default ``size``); no more kernels
        than that are started. :meth:`expect` announces more.

    A kernel is reset when it is taken for its next notebook; the kernel of
    a failed notebook is never reused. Close the pool with :meth:`shutdown`
    (or use it as a context manager).
    """

    def __init__(self, kernel_name: str, size: int, cwd: str | os.PathLike[str],
                 modules: Sequence[str] = (), fresh: bool = False, expected: int | None = None,
                 startup_timeout: float = 60.0):
        self.kernel_name = kernel_name
        self.size = max(1, int(size))
        self.cwd = str(cwd)
        self.modules = list(modules)
        self.fresh = fresh
        self.startup_timeout = startup_timeout
        self._ready: queue.Queue[WarmKernel | Exception] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[WarmKernel] = []
        self._starting = self._idle = self._busy = self._waiting = 0
        self._expected = self.size if expected is None else max(0, int(expected))
        self._closed = False
        self._counter = 0
        self._stderr_dir = Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-"))
        self._top_up()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- demand
    def expect(self, n: int) -> None:
        """``n`` more notebooks will come: start kernels for them now."""
        with self._lock:
            self._expected += max(0, int(n))
        self._top_up()

    def _top_up(self) -> None:
        with self._lock:
            if self._closed:
                return
            have = self._starting + self._idle
            demand = self._expected + self._waiting
            if self.fresh:  # busy kernels die after their notebook
                want = min(self.size, demand) - have
            else:  # busy kernels come back
                want = min(self.size, demand + self._busy) - have - self._busy
            for _ in range(max(0, want)):
                self._starting += 1
                self._counter += 1
                threading.Thread(target=self._start_one, args=(self._counter,), daemon=True,
                                 name=f"kernel-start-{self._counter}").start()

    def _start_one(self, number: int) -> None:
        kernel = None
        try:
            kernel = WarmKernel(self.kernel_name, self.cwd, self.modules,
                                self._stderr_dir / f"kernel-{number}.stderr", self.startup_timeout)
            with self._lock:
                if self._closed:
                    raise KernelStartError("the kernel pool is closed")
                self._all.append(kernel)
            kernel.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the notebook that waits for it
            with self._lock:
                self._starting -= 1
                closed = self._closed
            if kernel is not None:
                kernel.shutdown()
            if not closed:
                self._ready.put(exc if isinstance(exc, Exception) else KernelStartError(repr(exc)))
            return
        with self._lock:
            self._starting -= 1
            closed = self._closed
            if not closed:
                self._idle += 1
        if closed:
            kernel.shutdown()
        else:
            self._ready.put(kernel)

    # -- use
    def acquire(self, timeout: float | None = None) -> WarmKernel:
        """A ready kernel, reset if it ran a notebook before (waits for one).

        Raises
        ------
        KernelStartError
            The kernel this notebook would have got failed to start.
        """
        with self._lock:
            if self._closed:
                raise KernelStartError("the kernel pool is closed")
            self._expected = max(0, self._expected - 1)
            self._waiting += 1
        try:
            return self._take(timeout)
        finally:
            with self._lock:
                self._waiting -= 1

    def _take(self, timeout: float | None) -> WarmKernel:
        while True:
            item = self._ready.get(timeout=timeout)
            if item is _CLOSED:
                self._ready.put(_CLOSED)  # wake the next waiter too
                raise KernelStartError("the kernel pool is closed")
            if isinstance(item, Exception):
                self._top_up()
                raise KernelStartError(str(item)) from item
            with self._lock:
                self._idle -= 1
                self._busy += 1
            if item.notebooks_run and not self._reset(item):
                continue
            item.mark()
            return item

    def _reset(self, kernel: WarmKernel) -> bool:
        try:
            if not kernel.alive():
                raise KernelStartError("kernel died")
            kernel.reset()
            return True
        except Exception:
            self._discard(kernel)
            return False

    def release(self, kernel: WarmKernel, reusable: bool) -> None:
        """Give a kernel back after a notebook; ``reusable=False`` (the notebook failed) replaces it."""
        kernel.notebooks_run += 1
        if reusable and not self.fresh:
            with self._lock:
                if not self._closed:
                    self._busy -= 1
                    self._idle += 1
                    self._ready.put(kernel)  # reset when taken next
                    return
        self._discard(kernel)

    def _discard(self, kernel: WarmKernel) -> None:
        with self._lock:
            self._busy -= 1
        threading.Thread(target=kernel.shutdown, daemon=True).start()
        self._top_up()

    def shutdown(self, grace: float = 2.0) -> None:
        """Kill every kernel of the pool and remove their stderr files; idempotent.

        Every kernel process is killed at once. Idle kernels (no thread uses
        them) are then closed here, waiting at most ``grace`` seconds; a
        kernel that a thread is starting or running a notebook on is left to
        that thread, which finds it dead: ZeroMQ sockets are never closed
        under a thread that polls them. Threads waiting for a kernel are
        woken and get :class:`KernelStartError`.
        """
        with self._lock:
            first = not self._closed
            self._closed = True
            kernels = list(self._all)
        if not first:
            return
        self._ready.put(_CLOSED)
        idle = []
        while True:
            try:
                item = self._ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, WarmKernel):
                idle.append(item)
        self._ready.put(_CLOSED)
        for kernel in kernels:
            kernel.kill()
        threads = [threading.Thread(target=k.shutdown, daemon=True) for k in idle]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + grace
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for kernel in kernels:  # connection files only: destroying a ZeroMQ context blocks while a thread uses it
            try:
                kernel.km.cleanup_connection_file()
            except Exception:
                pass
        shutil.rmtree(self._stderr_dir, ignore_errors=True)


# --------------------------------------------------------------------------- papermill engine


def _make_engine() -> type:
    from papermill.engines import NBClientEngine

    class WarmEngine(NBClientEngine):
        """papermill engine: execute on a kernel given as ``km=`` and leave it running.

        ``partial_path=``: where to write the notebook as far as it got when
        execution stops with an exception (e.g. the kernel died), so a
        failure always leaves an executed notebook to look at. ``on_cell=``:
        called after each executed cell (the runner's progress bar).
        """

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     km=None, partial_path=None, on_cell=None, **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.iorw import write_ipynb
            from papermill.log import logger
            from papermill.utils import remove_args

            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            if on_cell is not None:  # progress feedback: called after every executed cell
                cell_complete = nb_man.cell_complete

                def complete_and_report(cell, cell_index=None, **more):
                    cell_complete(cell, cell_index=cell_index, **more)
                    on_cell()

                nb_man.cell_complete = complete_and_report
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                timeout=execution_timeout if execution_timeout else None,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            try:
                return client.execute()
            except Exception:
                if partial_path:
                    try:
                        write_ipynb(nb_man.nb, partial_path)
                    except Exception:
                        pass
                raise
            finally:
                if km is not None and getattr(client, "kc", None) is not None:
                    try:
                        client.kc.stop_channels()
                    except Exception:
                        pass

    WarmEngine.__module__ = __name__
    return WarmEngine


_engine_lock = threading.Lock()


def register_engine() -> str:
    """Register :class:`WarmEngine` with papermill (idempotent); returns its name."""
    from papermill.engines import papermill_engines

    with _engine_lock:
        if papermill_engines._engines.get(WARM_ENGINE) is not __getattr__("WarmEngine"):
            papermill_engines.register(WARM_ENGINE, __getattr__("WarmEngine"))
    return WARM_ENGINE


def __getattr__(name: str) -> Any:
    # WarmEngine is built on first use so that importing this module (the
    # report runner does so early) does not import papermill.
    if name == "WarmEngine":
        engine = globals().get("_WarmEngine")
        if engine is None:
            engine = _make_engine()
            globals()["_WarmEngine"] = engine
        return engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

