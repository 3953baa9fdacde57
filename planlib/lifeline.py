"""Processes that die with their pack: no kernel or worker outlives a killed ``planlib pack``.

A pack's kernels start in their own session (jupyter_client), and their forked forecast
workers wait forever once the kernel is gone. Here a kernel watches its pack process and,
when it disappears, kills its own process group: itself and every worker it forked.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.2


def kernel_arguments() -> list[str]:
    """Extra kernel arguments for papermill: start the guard, and turn ipykernel's own parent poller off.

    ipykernel's poller ``os._exit``s the kernel alone when its parent goes, which strands the
    kernel's forked workers; ``guard_kernel`` takes the whole process group down instead.
    ``parent_handle=1`` is ipykernel's "parent is init" value: no poller, and (unlike 0) no
    connection banner printed on the pack's terminal.
    """
    return [
        "--IPKernelApp.parent_handle=1",
        "--IPKernelApp.exec_lines=__import__('planlib.lifeline').lifeline.guard_kernel()",
    ]


def guard_kernel(parent_pid: int | None = None) -> bool:
    """In a pack's kernel: when the pack process dies, kill this kernel's process group.

    Returns False (and does nothing) outside POSIX or when the kernel is not the leader of
    its own process group, where killing the group would hit processes it did not start.
    """
    if os.name != "posix" or os.getpgrp() != os.getpid():
        return False
    parent = parent_pid or int(os.environ.get("JPY_PARENT_PID") or os.getppid())
    if os.getppid() != parent:  # the pack died before the kernel got here
        _kill_own_group()
    watcher = threading.Thread(target=_watch, args=(parent,), name="planlib-lifeline", daemon=True)
    watcher.start()
    return True


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies (a worker's initializer).

    Returns False where the parent-death signal does not exist (not Linux).
    """
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)
    return True


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    _kill_own_group()


def _kill_own_group() -> None:
    """SIGKILL this process group (this kernel and its workers); nothing to clean up."""
    os.killpg(os.getpgrp(), signal.SIGKILL)
