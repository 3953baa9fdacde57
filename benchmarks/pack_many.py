"""Wall time of `planlib pack` on several business units with 1 and with 2 dask workers, and the speed-up.

Usage: python benchmarks/pack_many.py [--units 4] [--n-lines 10000] [--workers 1 2]

Each worker count runs in its own throwaway copy of the project with the same small demo
units (different seeds), through the command line as a user would run it; the group
plan is written at the end of each run and is part of the time. Each unit's forecast
runs with n_jobs 1 so the parallelism measured is dask's alone. The load average is
printed beside: on a shared machine other work takes cores away.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _write_units(project: Path, units: int, n_lines: int) -> None:
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    folder = project / "params" / "units"
    folder.mkdir(parents=True)
    base = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    base["targets"].pop("commitments", None)
    base["forecast"] = {"levels": [["product_line"], ["region"], ["channel"]], "n_jobs": 1}
    for i in range(units):
        params = {**base, "plan": f"unit{i + 1}", "title": f"Unit {i + 1}"}
        params["data"] = {**base["data"], "demo": {"n_lines": n_lines, "seed": 100 + i}}
        (folder / f"unit{i + 1}.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")


def _run(workers: int, units: int, n_lines: int) -> tuple[float, float]:
    """Wall seconds of the whole command, and the sum of the units' own pack seconds."""
    with tempfile.TemporaryDirectory(prefix="planlib-many-") as tmp:
        project = Path(tmp)
        _write_units(project, units, n_lines)
        planlib = Path(sys.executable).with_name("planlib")
        begin = time.perf_counter()
        result = subprocess.run([str(planlib), "pack", "params/units", "--workers", str(workers), "--group", "bench"],
                                cwd=project, capture_output=True, text=True)
        seconds = time.perf_counter() - begin
        if result.returncode != 0:
            raise SystemExit(f"pack failed with {workers} worker(s):\n{result.stdout}\n{result.stderr}")
        if not (project / "reports" / "bench" / str(_plan_year()) / "manifest.json").is_file():
            raise SystemExit(f"no group pack with {workers} worker(s):\n{result.stdout}")
    unit_seconds = sum(float(s) for s in re.findall(r"pack written to \S+ in (\d+) s", result.stdout))
    return seconds, unit_seconds


def _plan_year() -> int:
    return int(yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))["plan_year"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=4)
    parser.add_argument("--n-lines", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"{args.units} demo units of {args.n_lines:,} order lines; {os.cpu_count()} cores; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    times = {}
    for n in args.workers:
        times[n], busy = _run(n, args.units, args.n_lines)
        # units' pack seconds over wall time: how many packs ran at once, on average
        print(f"{n} worker(s): {times[n]:7.1f} s wall, units' own pack time {busy:5.0f} s "
              f"(concurrency {busy / times[n]:.2f}; load average {os.getloadavg()[0]:.1f})", flush=True)
    first = args.workers[0]
    for n in args.workers[1:]:
        print(f"speed-up {first} -> {n} workers: {times[first] / times[n]:.2f}x")


if __name__ == "__main__":
    main()
