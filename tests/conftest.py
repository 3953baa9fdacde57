"""Shared fixtures: the project root, the public data beside it, tiny order-line frames."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip with one line where it is absent."""
    if not (SHARED_DATA / "adventureworks" / "order_lines.csv.gz").is_file():
        pytest.skip(f"public data not found at {SHARED_DATA} (CI has it; clone ../shared beside the repo)")
    return SHARED_DATA


def make_raw_orders(n: int = 6) -> pd.DataFrame:
    """A raw order-line table as it might come from a CSV export (all text)."""
    return pd.DataFrame(
        {
            "date": [f"2024-01-{d:02d}" for d in range(1, n + 1)],
            "order": [f"SO{i}" for i in range(n)],
            "cust": [f"C{i % 3}" for i in range(n)],
            "amount": [f"{100 * (i + 1)}.50" for i in range(n)],
            "line": ["Bikes", "Parts"] * (n // 2),
            "area": ["East"] * n,
        }
    )


RAW_COLUMNS = {
    "order_date": "date",
    "order_id": "order",
    "customer_id": "cust",
    "revenue": "amount",
    "product_line": "line",
    "region": "area",
}
