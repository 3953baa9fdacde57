"""Every export shape of the data zoo (tests/test_intake_zoo.py) packed end to end: annual and 2025-Q2.

Usage: python benchmarks/zoo_packs.py [case ...]   (default: every case)

The suite checks the intake of every case and packs one (GBK, Chinese plan name) in full;
this script packs them all, each in a throwaway project, and prints per case whether both
packs were written, the time, and the ledger check (file revenue = loaded + what left).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_intake_zoo as zoo  # noqa: E402  (the zoo's cases live with its tests)

from planlib import demo, io  # noqa: E402
from planlib.intake.ledger import reconcile_ledger  # noqa: E402
from planlib.pack import run_pack  # noqa: E402


def main() -> None:
    company = demo.generate_demo_orders(3000, seed=11, start="2022-01-01", end="2025-12-31")
    cases = zoo._cases(company)
    names = sys.argv[1:] or list(zoo.ZOO)
    print(f"{'case':<14} {'result':<34} {'seconds':>7}  ledger")
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"planlib-zoo-{name}-") as tmp:
            project = Path(tmp)
            shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            case = cases[name]
            zoo._build(project, case)
            begin = time.perf_counter()
            try:
                annual = run_pack("params/zoo.yaml", root=project, echo=lambda line: None)
                quarter = run_pack("params/zoo.yaml", root=project, period="2025-Q2", echo=lambda line: None)
            except Exception as error:  # a benchmark reports, it does not stop at the first failure
                print(f"{name:<14} {'FAILED: ' + type(error).__name__:<34} {time.perf_counter() - begin:>7.0f}  {str(error)[:120]}")
                continue
            seconds = time.perf_counter() - begin
            ok = all(abs(reconcile_ledger(io.read_artifact(p, "data_quality"))["read_revenue"] - case["revenue"])
                     <= 1e-9 * abs(case["revenue"]) for p in (annual, quarter))
            print(f"{name:<14} {'packed (annual + 2025-Q2)':<34} {seconds:>7.0f}  "
                  f"{'file revenue = loaded + left' if ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
