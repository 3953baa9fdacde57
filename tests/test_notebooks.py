"""House rules of the committed notebooks, and proof that their nbval regression test can fail."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_parameterized_and_stored_with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell must be tagged 'parameters'"
    assert all(c.outputs for c in code[1:]), "every code cell after the parameters has stored outputs"
    for cell in code:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):  # only a live widget may skip the comparison
            assert all("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
        assert not re.search(r"^\s*(def|class) ", cell.source, flags=re.M), "logic belongs in planlib, not in notebooks"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def _first_number_output(nb) -> tuple[int, int]:
    """(cell, output) index of the first stored stream output holding a number."""
    for i, cell in enumerate(nb.cells):
        for j, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") == "stream" and re.search(r"\d", out.get("text", "")):
                return i, j
    raise AssertionError("no stream output with a number to change")


def test_nbval_reports_a_changed_figure(tmp_path):
    source = ROOT / "notebooks" / "00_data.ipynb"
    nb = nbformat.read(source, as_version=4)
    i, j = _first_number_output(nb)
    stored = nb.cells[i].outputs[j]["text"]
    changed = re.sub(r"\d", lambda m: str((int(m[0]) + 1) % 10), stored, count=1)
    nb.cells[i].outputs[j]["text"] = changed
    target = tmp_path / "00_data.ipynb"
    nbformat.write(nb, target)
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "sanitize.cfg")
    env = {**os.environ, "PLANLIB_ROOT": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(tmp_path / "sanitize.cfg"), str(target)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
    assert "Notebook cell execution failed" in result.stdout or "mismatch" in result.stdout.lower()
