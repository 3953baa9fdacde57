"""How close the demo annual pack runs to the floor of running notebooks with papermill at all.

Usage: python benchmarks/pack_floor.py [--pairs 3]

The floor is papermill executing, one after another, as many notebooks as the pack runs,
each of which only imports pandas, statsmodels.api, matplotlib and ipywidgets (kernel
start, the heavy imports, papermill's own overhead). The pack is `planlib pack
params/demo.yaml` in a throwaway copy of the project. Both run alternately (pack, floor,
pack, floor, ...) so a busy machine slows both alike; the script prints every pair, the
medians and the ratio pack / floor (goal <= 1.3).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
FLOOR_CELLS = [
    'params_path = ""\npack_dir = ""\nperiod = ""\nas_of = ""',
    "import pandas\nimport statsmodels.api\nimport matplotlib.pyplot\nimport ipywidgets",
]


def _annual_notebooks() -> int:
    """How many notebooks an annual pack runs (all but the quarterly tracking one)."""
    return len([p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("05_")])


def _time_pack() -> float:
    with tempfile.TemporaryDirectory(prefix="planlib-floor-") as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        shutil.copytree(ROOT / "params", project / "params")
        planlib = Path(sys.executable).with_name("planlib")
        begin = time.perf_counter()
        result = subprocess.run([str(planlib), "pack", "params/demo.yaml"], cwd=project, capture_output=True, text=True)
        seconds = time.perf_counter() - begin
        if result.returncode != 0:
            raise SystemExit(f"the demo pack failed: {result.stderr.strip() or result.stdout.strip()}")
    return seconds


def _time_floor(n_notebooks: int) -> float:
    with tempfile.TemporaryDirectory(prefix="planlib-floor-") as tmp:
        folder = Path(tmp)
        nb = new_notebook(cells=[new_code_cell(c) for c in FLOOR_CELLS])
        nb.cells[0].metadata["tags"] = ["parameters"]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        for i in range(n_notebooks):
            nbformat.write(nb, folder / f"{i:02d}_floor.ipynb")
        # one process running them in turn, as `planlib pack` does (its start-up counted too)
        script = (
            "import sys, papermill\n"
            "for i in range(int(sys.argv[2])):\n"
            "    papermill.execute_notebook(f'{sys.argv[1]}/{i:02d}_floor.ipynb', f'{sys.argv[1]}/out_{i}.ipynb',\n"
            "                               kernel_name='python3', progress_bar=False)\n"
        )
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", script, str(folder), str(n_notebooks)], check=True, capture_output=True)
        return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="pack/floor pairs to alternate (at least 3)")
    args = parser.parse_args()
    n = _annual_notebooks()
    packs, floors = [], []
    print(f"demo annual pack ({n} notebooks) vs papermill running {n} import-only notebooks")
    for i in range(max(3, args.pairs)):
        packs.append(_time_pack())
        floors.append(_time_floor(n))
        print(f"pair {i + 1}: pack {packs[-1]:.1f} s, floor {floors[-1]:.1f} s, ratio {packs[-1] / floors[-1]:.2f}")
    pack, floor = statistics.median(packs), statistics.median(floors)
    print(f"median: pack {pack:.1f} s, floor {floor:.1f} s, pack / floor = {pack / floor:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
