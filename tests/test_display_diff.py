"""``planlib diff`` (planlib.pack.diff_packs) lists each change once: a month's total is not repeated as its month row."""

from __future__ import annotations

import pandas as pd

from planlib import io
from planlib.pack import diff_packs


def _long(march: int, east_march: int) -> pd.DataFrame:
    months = pd.to_datetime(["2025-03-01", "2025-04-01"])
    rows = []
    for month, total, east in zip(months, (march, 200), (east_march, 120)):
        rows += [("total", "Total", month, total), ("month", f"{month:%Y-%m}", month, total),
                 ("region", "East", month, east), ("region", "West", month, total - east)]
    return pd.DataFrame(rows, columns=["dimension", "segment", "month", "target"])


def test_each_change_is_printed_once(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    io.write_artifact(_long(100, 60), old, "targets_long")
    io.write_artifact(_long(110, 70), new, "targets_long")
    summary, table = diff_packs(old, new)
    assert table[["dimension", "segment", "change"]].values.tolist() == [
        ["total", "Total", 10], ["region", "East", 10]]  # the March total once, no "month 2025-03" twin
    assert summary.startswith("2 targets differ")
    assert not table.duplicated(["month", "old", "new"]).any()


def test_a_month_row_that_differs_from_its_total_stays(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    odd = _long(110, 60)
    odd.loc[(odd["dimension"] == "month") & (odd["month"] == "2025-03-01"), "target"] = 105
    io.write_artifact(_long(100, 60), old, "targets_long")
    io.write_artifact(odd, new, "targets_long")
    _summary, table = diff_packs(old, new)
    assert sorted(table["dimension"].tolist()) == ["month", "region", "total"]
    assert table.loc[table["dimension"] == "month", "new"].tolist() == [105]
