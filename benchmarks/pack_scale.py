"""Wall time and peak memory of `planlib pack` on demo companies of growing size.

Usage: python benchmarks/pack_scale.py [--sizes 10000 100000 1000000 10000000]

Each size runs in a throwaway copy of the project (notebooks + params with
data.demo.n_lines set) in its own process, so peak RSS (the largest process of
the run: the CLI or a notebook kernel) is measured per size.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GOALS = {1_000_000: (45, 1024), 10_000_000: (180, 6 * 1024)}  # issue 17: wall seconds, peak MB


def _one(n_lines: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="planlib-bench-") as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        shutil.copytree(ROOT / "params", project / "params")  # with the files the params name (commitments)
        params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text())
        params["data"]["demo"]["n_lines"] = n_lines
        (project / "params" / "demo.yaml").write_text(yaml.safe_dump(params))
        planlib = Path(sys.executable).with_name("planlib")
        begin = time.perf_counter()
        result = subprocess.run([str(planlib), "pack", "params/demo.yaml"], cwd=project, capture_output=True, text=True)
        seconds = time.perf_counter() - begin
        if result.returncode != 0:
            raise SystemExit(f"pack failed for {n_lines} lines: {result.stderr.strip()}")
        manifest = json.loads((project / "reports" / "demo" / "2025" / "manifest.json").read_text())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"n_lines": n_lines, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb), "notebooks": manifest["timings_seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return
    print(f"{'lines':>10} {'wall s':>8} {'peak MB':>8}  per notebook (s)")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        row = json.loads(out.stdout)
        per = ", ".join(f"{k}: {v}" for k, v in row["notebooks"].items())
        goal = GOALS.get(n)
        verdict = "" if goal is None else "  goal {} s / {} MB: {}".format(
            *goal, "met" if row["seconds"] <= goal[0] and row["peak_rss_mb"] <= goal[1] else "NOT met")
        print(f"{row['n_lines']:>10,} {row['seconds']:>8} {row['peak_rss_mb']:>8}  {per}{verdict}", flush=True)


if __name__ == "__main__":
    main()
