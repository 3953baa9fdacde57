"""The one place forecasting work is spread over processes.

Results come back in task order and workers draw no random numbers, so the output
never depends on scheduling.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


_SET = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_", "openblas_set_num_threads")
_GET = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_", "openblas_get_num_threads")


_HANDLES: dict[int, list] = {}


def _openblas_handles() -> list[tuple[Callable, Callable | None]]:
    """(set, get) thread functions of every OpenBLAS loaded in this process (Linux only).

    Looked up once per process (after scipy is loaded, since statsmodels imports it).
    """
    pid = os.getpid()
    if pid not in _HANDLES:
        _HANDLES[pid] = _find_openblas()
    return _HANDLES[pid]


def _find_openblas() -> list[tuple[Callable, Callable | None]]:
    paths = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "openblas" in path.lower() and ".so" in path:
                    paths.add(path)
    except OSError:
        return []
    handles = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, n) for n in _SET if hasattr(lib, n)), None)
        getter = next((getattr(lib, n) for n in _GET if hasattr(lib, n)), None)
        if setter is not None:
            handles.append((setter, getter))
    return handles


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with OpenBLAS on one thread, then restore it.

    Model fits are many tiny optimisations: a multi-threaded BLAS spends more time
    spinning its threads than computing (statsmodels ETS and SARIMAX fits run 3-10x
    faster single-threaded, and parallelism across series uses the cores instead).
    """
    handles = _openblas_handles()
    before = []
    for setter, getter in handles:
        before.append(getter() if getter is not None else None)
        if before[-1] != 1:
            setter(1)
    try:
        yield
    finally:
        for (setter, _), n in zip(handles, before):
            if n is not None and n > 1:
                setter(int(n))


def _init_worker() -> None:
    for setter, _ in _openblas_handles():
        setter(1)


def resolve_jobs(n_jobs: int) -> int:
    """``n_jobs`` as a worker count: -1 means all cores; at least 1."""
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
        return list(pool.map(func, tasks, chunksize=chunksize))
