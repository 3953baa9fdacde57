"""Tests of gross-profit targets (planlib.actions.margin): one total by line, region and month; mix stated."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import actions as A


def cube() -> pd.DataFrame:
    """2025 targets: East sells A 600 and B 200, West A 200 and B 0, in January and February alike."""
    rows = [(r, p, m, t) for m in ("2025-01-01", "2025-02-01")
            for r, p, t in (("East", "A", 300), ("East", "B", 100), ("West", "A", 100), ("West", "B", 0))]
    return pd.DataFrame(rows, columns=["region", "product_line", "month", "target"]).assign(
        month=lambda f: pd.to_datetime(f["month"]))


def orders(cost=True) -> pd.DataFrame:
    """2024: A earns 50% margin everywhere, B 10%; revenue East A 100, East B 300, West A 100."""
    rows = [("2024-05-01", "East", "A", 100.0, 50.0), ("2024-06-01", "East", "B", 300.0, 270.0),
            ("2024-07-01", "West", "A", 100.0, 50.0), ("2023-06-01", "West", "B", 999.0, 0.0)]
    frame = pd.DataFrame(rows, columns=["order_date", "region", "product_line", "revenue", "cost"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame if cost else frame.drop(columns="cost")


def test_gross_profit_targets_add_up_in_every_dimension_and_state_the_mix():
    m = A.plan_margin_targets(cube(), orders(), as_of="2024-12-31")
    sums = m.groupby("dimension")["gp_target"].sum()
    assert sums.nunique() == 1 and sums["total"] == 2 * (150 + 10 + 50)  # A at 50%, B at 10%
    lines = m[m["dimension"] == "product_line"].set_index("segment")
    assert lines.loc["A", "gp_target"] == 400 and lines.loc["B", "gp_target"] == 20
    total = m[m["dimension"] == "total"].iloc[0]
    assert total["margin_rate_last"] == pytest.approx(130 / 500)  # last year: 26%, mostly low-margin B
    assert total["margin_rate"] == pytest.approx(420 / 1000)  # the plan sells more A: 42%
    assert m.attrs["mix_effect"] == pytest.approx(0.16)
    assert "moves it by +16.0 points" in A.summarize_margin_targets(m)
    assert list(m.loc[m["dimension"] == "month", "segment"]) == ["2025-01", "2025-02"]


def test_no_cost_means_no_margin_targets():
    assert A.plan_margin_targets(cube(), orders(cost=False), as_of="2024-12-31") is None
    assert A.summarize_margin_targets(None).startswith("The order lines carry no cost")
