"""The kernel manager the pack runner starts notebooks with.

jupyter_client interrupts every kernel (SIGINT to its whole process group) before it
asks it to shut down. After a notebook's last cell the kernel is idle and has nothing to
interrupt; the signal only races with the kernel's own message handling and then prints
``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` on a good run.
"""

from __future__ import annotations

import asyncio
import threading

from jupyter_client.manager import AsyncKernelManager


class QuietShutdownKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that shuts a kernel down without interrupting it first.

    Interrupts asked for while the kernel runs (a user's Ctrl-C) still go through; a
    kernel that ignores the shutdown request is still killed by jupyter_client.
    """

    async def _async_interrupt_kernel(self) -> None:
        if getattr(self, "shutting_down", False):
            return
        await super()._async_interrupt_kernel()


# What every pack notebook imports first; loading it while the previous notebook runs takes
# the kernel's start-up and these imports (a few seconds per notebook) off the pack's clock.
WARM_UP = (
    "import numpy, pandas, matplotlib, matplotlib.pyplot, statsmodels.api, ipywidgets\n"
    "import planlib.workflow, planlib.display, planlib.charts"
)


class WarmKernel:
    """A kernel started, with the pack's heavy imports loaded, in a background thread.

    ``start()`` returns at once; ``manager()`` waits for the thread and hands the kernel
    manager to papermill (``km=``), which runs the notebook in it without owning it, so
    ``shutdown()`` is this object's job. A kernel that failed to start gives ``None`` and
    the notebook starts its own kernel as before.
    """

    def __init__(self, *, cwd: str, extra_arguments: list[str], kernel_name: str = "python3", timeout: float = 120.0):
        self._km = QuietShutdownKernelManager(kernel_name=kernel_name)
        self._cwd, self._args, self._timeout = cwd, list(extra_arguments), timeout
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._stopper: threading.Thread | None = None

    def start(self) -> "WarmKernel":
        self._thread = threading.Thread(target=self._run, name="planlib-warm-kernel", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._warm())
        except BaseException as err:  # the notebook then starts its own kernel; the error is kept for tests
            self._error = err

    async def _warm(self) -> None:
        await self._km.start_kernel(cwd=self._cwd, extra_arguments=self._args)
        client = self._km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=self._timeout)
            msg_id = client.execute(WARM_UP, silent=True, store_history=False)
            while True:  # the imports are done when their reply comes
                reply = await client.get_shell_msg(timeout=self._timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            client.stop_channels()

    def manager(self) -> QuietShutdownKernelManager | None:
        """The started kernel's manager, or None when it could not be started."""
        if self._thread is not None:
            self._thread.join(self._timeout)
        if self._error is not None or not self._km.has_kernel:
            self.shutdown()
            return None
        return self._km

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the kernel (quietly, see ``QuietShutdownKernelManager``); safe to call twice.

        With ``wait=False`` the kernel stops on a background thread (``join()`` waits for it),
        so the next notebook need not wait the half second a kernel takes to exit.
        """
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(self._timeout)
        if self._km.has_kernel and self._stopper is None:  # on a thread of its own: the caller's loop is papermill's
            self._stopper = threading.Thread(target=lambda: asyncio.run(self._km.shutdown_kernel(now=False)),
                                             name="planlib-kernel-stop", daemon=True)
            self._stopper.start()
        if wait:
            self.join()

    def join(self) -> None:
        """Wait until a stop started by ``shutdown(wait=False)`` is done."""
        if self._stopper is not None:
            self._stopper.join(self._timeout)
