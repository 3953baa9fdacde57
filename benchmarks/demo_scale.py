"""Speed and memory of the demo company generator at growing sizes.

Each size runs in a fresh subprocess, so the peak resident memory reported is that
run's own (``resource.getrusage``: the process's maximum RSS, interpreter and imports
included). Usage::

    python benchmarks/demo_scale.py              # 10k, 100k, 1M lines
    python benchmarks/demo_scale.py --max 10M    # ... and 10M
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)

_CHILD = """
import json, resource, sys, time
import planlib.demo
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
frame = planlib.demo.generate_demo_orders({n_lines}, seed={seed})
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({{
    "lines": len(frame),
    "seconds": seconds,
    "peak_mb": peak * scale / 2**20,
    "imports_mb": before * scale / 2**20,
    "frame_mb": frame.memory_usage(deep=True).sum() / 2**20,
}}))
"""


def _parse_size(text: str) -> int:
    """'10M', '100k' or '250000' as a number of lines."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def measure(n_lines: int, *, seed: int = 7) -> dict[str, float]:
    """Generate ``n_lines`` in a fresh interpreter; return lines, seconds and memory."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(n_lines=n_lines, seed=seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> None:
    """Print one row per size: requested and generated lines, wall time, peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", default="1M", help="largest size to run (default 1M; 10M for all)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    largest = _parse_size(args.max)
    print(f"{'requested':>11} {'generated':>11} {'seconds':>8} {'peak RSS MB':>12} {'imports MB':>11} {'frame MB':>9}")
    for n_lines in (n for n in SIZES if n <= largest):
        row = measure(n_lines, seed=args.seed)
        print(
            f"{n_lines:>11,} {row['lines']:>11,} {row['seconds']:>8.1f} {row['peak_mb']:>12.0f} "
            f"{row['imports_mb']:>11.0f} {row['frame_mb']:>9.0f}"
        )


if __name__ == "__main__":
    main()
