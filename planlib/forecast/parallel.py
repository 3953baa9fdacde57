"""The one place forecasting work is spread over processes.

Results come back in task order and workers draw no random numbers, so the output
never depends on scheduling. BLAS threads are limited with threadpoolctl (portable,
the library scikit-learn uses), never by hand.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

from threadpoolctl import ThreadpoolController

from planlib.i18n import activate, get_language, get_unit
from planlib.lifeline import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

_CONTROLLERS: dict[int, ThreadpoolController] = {}


def _controller() -> ThreadpoolController:
    """This process's view of its loaded BLAS libraries (looked up once per process)."""
    pid = os.getpid()
    if pid not in _CONTROLLERS:
        _CONTROLLERS[pid] = ThreadpoolController()
    return _CONTROLLERS[pid]


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with BLAS on one thread, then restore it.

    Model fits are many tiny optimisations: a multi-threaded BLAS spends more time
    spinning its threads than computing (statsmodels ETS and SARIMAX fits run 3-10x
    faster single-threaded, and parallelism across series uses the cores instead).
    """
    with _controller().limit(limits=1, user_api="blas"):
        yield


def _init_worker(language: str = "en", unit: str | None = None) -> None:
    """A worker ignores Ctrl-C and kernel interrupts, dies with its parent and uses one BLAS thread.

    Workers are forked from the Jupyter kernel: a SIGINT sent to the kernel's process
    group must not raise inside a copy of the kernel (it printed "KeyboardInterrupt
    caught in kernel" and could leave that copy running); the parent handles it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGTERM)
    _controller().limit(limits=1, user_api="blas")
    activate(language, unit)  # a spawned worker (no fork) writes its notes in the report language too


def resolve_jobs(n_jobs: int) -> int:
    """``n_jobs`` as a worker count: -1 means all cores; at least 1."""
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Hold back SIGINT while workers are forked, so no child starts with it pending.

    A SIGINT that arrives meanwhile is delivered to this process when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_parallel(func: Callable[[T], R], tasks: Iterable[T], *, n_jobs: int = 2, chunksize: int | None = None) -> list[R]:
    """``[func(t) for t in tasks]``, over ``n_jobs`` processes when that pays.

    ``func`` must be a module-level function (it is pickled). Small batches and
    ``n_jobs=1`` run in this process.
    """
    tasks = list(tasks)
    jobs = min(resolve_jobs(n_jobs), len(tasks))
    if jobs <= 1 or len(tasks) < 4:
        with single_threaded_blas():
            return [func(t) for t in tasks]
    if chunksize is None:
        chunksize = max(1, len(tasks) // (jobs * 8))
    method = "fork" if "fork" in mp.get_all_start_methods() else None
    ctx = mp.get_context(method)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(get_language(), get_unit())) as pool:
        with _sigint_blocked():
            futures = [pool.submit(_run_chunk, func, tasks[i:i + chunksize]) for i in range(0, len(tasks), chunksize)]
        return [result for future in futures for result in future.result()]


def _run_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    """Run one chunk of tasks in a worker."""
    return [func(t) for t in chunk]
