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


def _perturb_figures(text: str, factor: float, *, min_value: float = 0.0, count: int | None = None) -> tuple[str, int]:
    """``text`` with its printed figures (>= min_value) scaled by ``factor``, keeping each one's print format."""
    changed = 0

    def scale(match: re.Match) -> str:
        nonlocal changed
        raw = match[0]
        if count is not None and changed >= count:
            return raw
        digits = raw.replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        value = float(digits)
        if abs(value) < min_value:
            return raw
        new = f"{value * factor:{',' if ',' in raw else ''}.{decimals}f}"
        if new != raw:
            changed += 1
        return new

    return re.sub(r"(?<![\w.\-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w.])|(?<![\w.\-])\d+\.\d+(?![\w.])", scale, text), changed


def _map_outputs(nb, edit, *, limit: int | None = None) -> int:
    """Apply ``edit(text) -> (text, n)`` to the text outputs of ``nb`` (until ``limit`` figures changed)."""
    total = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"], n = edit(out["text"])
                total += n
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    out["data"][mime], n = edit(value)
                    total += n
            if limit is not None and total >= limit:
                return total
    return total


def test_figures_drifting_by_a_millionth_pass_and_a_figure_off_by_a_thousandth_fails(tmp_path):
    """The two sides of the CPU-independent regression, on a real stored notebook.

    A copy whose printed figures all drift by 1e-6 relative (what another BLAS kernel does)
    passes; a copy with one figure changed by 0.1% fails, naming that notebook's cell.
    """
    source = ROOT / "notebooks" / "00_data.ipynb"
    drifted = nbformat.read(source, as_version=4)
    n_drifted = _map_outputs(drifted, lambda text: _perturb_figures(text, 1 + 1e-6))
    assert n_drifted >= 20, "the stored outputs must hold figures large enough to show a 1e-6 drift"
    nbformat.write(drifted, tmp_path / "drifted.ipynb")

    changed = nbformat.read(source, as_version=4)
    one_figure = _map_outputs(changed, lambda text: _perturb_figures(text, 1.001, min_value=10_000, count=1), limit=1)
    assert one_figure == 1
    nbformat.write(changed, tmp_path / "changed.ipynb")

    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "sanitize.cfg")
    env = {**os.environ, "PLANLIB_ROOT": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(tmp_path / "sanitize.cfg"), "drifted.ipynb", "changed.ipynb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    failed = re.findall(r"^FAILED (\S+::Cell \d+)", result.stdout, flags=re.M)
    assert len(failed) == 1 and failed[0].startswith("changed.ipynb::Cell "), result.stdout[-3000:]
    assert "1 failed" in result.stdout and " passed" in result.stdout


def test_figures_agree_within_tolerance_and_words_must_match():
    from planlib.testing.nbval_figures import figures_agree

    stored = "Plan-year total if nothing changes: 139,847,673 CNY (P10 127,363,983, P90 152,086,943)."
    other_cpu = "Plan-year total if nothing changes: 139,847,895 CNY (P10 127,363,494, P90 152,087,844)."
    assert figures_agree(stored, other_cpu)
    assert not figures_agree(stored, stored.replace("139,847,673", "139,987,520"))  # +0.1%
    assert not figures_agree(stored, stored.replace("CNY", "USD"))  # a word changed
    assert figures_agree("gross margin 28.3%", "gross margin 28.4%")  # a rounding boundary crossed
    assert not figures_agree("gross margin 28.3%", "gross margin 28.5%")
    assert figures_agree("<td>0.98151</td>", "<td>0.981502</td>")  # pandas drops trailing zeros
    assert not figures_agree("<td>0.98151</td>", "<td>0.98251</td>")
    assert figures_agree("  score\n0.98151", "   score\n0.981502")  # column padding follows the widest figure
    assert not figures_agree("score 0.98151", "scores 0.98151")
    assert not figures_agree("rep R07 in Q2", "rep R08 in Q2")  # digits inside names are words
    assert figures_agree("<td>68,364,012</td>", "<td>68,364,090</td>")
    assert not figures_agree("31 of 32 series", "31 of 32 series beat")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_lists_every_parameter_with_its_type_and_help(path):
    """`papermill --help-notebook` shows what a batch user may pass (types from the annotations)."""
    import papermill

    params = papermill.inspect_notebook(str(path))
    assert set(params) == {"params_path", "pack_dir", "period", "as_of"}
    assert all(p["inferred_type_name"] == "str" and p["help"] for p in params.values())
