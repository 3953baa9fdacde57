"""The kernel manager the pack runner starts notebooks with.

jupyter_client interrupts every kernel (SIGINT to its whole process group) before it
asks it to shut down. After a notebook's last cell the kernel is idle and has nothing to
interrupt; the signal only races with the kernel's own message handling and then prints
``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` on a good run.
"""

from __future__ import annotations

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
