"""Warm kernels: the next notebook's kernel starts and imports while the current one runs."""

from __future__ import annotations

import os

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_notebook

from planlib.kernels import QuietShutdownKernelManager, WarmKernel


def test_a_warm_kernel_runs_a_notebook_with_the_imports_loaded_and_stops(tmp_path):
    kernel = WarmKernel(cwd=str(tmp_path), extra_arguments=["--IPKernelApp.log_level=ERROR"]).start()
    km = kernel.manager()
    assert km is not None and km.has_kernel
    pid = km.provisioner.process.pid
    source = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import sys, os\nprint('planlib.workflow' in sys.modules, os.getcwd())")]), source)
    papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                               kernel_manager_class=QuietShutdownKernelManager, km=km)
    cell = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0]
    assert cell.outputs[0]["text"].strip() == f"True {tmp_path}"  # imported before the notebook, in the pack's folder
    assert cell.execution_count == 1  # the warm-up left no trace in the notebook
    assert km.has_kernel  # papermill does not own it...
    kernel.shutdown()  # ...so the pack stops it
    assert not km.has_kernel
    try:
        os.kill(pid, 0)
        alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
    except (ProcessLookupError, ChildProcessError):
        alive = False
    assert not alive


def test_a_kernel_that_cannot_start_leaves_the_notebook_to_start_its_own(tmp_path):
    kernel = WarmKernel(cwd=str(tmp_path), extra_arguments=[], kernel_name="no-such-kernel").start()
    assert kernel.manager() is None
    kernel.shutdown()  # nothing to stop, no error
