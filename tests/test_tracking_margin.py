"""Tests of gross-profit tracking (planlib.tracking.margin): gross profit to date against its plan."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import tracking as TR


def margin_targets() -> pd.DataFrame:
    return pd.DataFrame({"dimension": ["total", "product_line", "product_line"], "segment": ["Total", "A", "B"],
                         "gp_target": [300.0, 240.0, 60.0], "margin_rate": [0.3, 0.4, 0.15]})


def tracking() -> pd.DataFrame:
    """Half of A's year and a quarter of B's planned to date."""
    return pd.DataFrame({"dimension": ["total", "product_line", "product_line"], "segment": ["Total", "A", "B"],
                         "annual_target": [1000, 600, 400], "plan_to_date": [400, 300, 100]})


def orders(cost: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame({"order_date": pd.to_datetime(["2025-02-01", "2025-03-01", "2025-12-01"]),
                          "product_line": ["A", "B", "A"], "revenue": [300.0, 100.0, 999.0],
                          "cost": [210.0, 85.0, 0.0]})
    return frame if cost else frame.drop(columns="cost")


def test_gross_profit_to_date_follows_the_revenue_plans_seasonal_weights():
    out = TR.compare_margin(margin_targets(), tracking(), orders(), as_of="2025-06-30").set_index("segment")
    assert out.loc["A", "gp_plan_to_date"] == pytest.approx(120.0)  # 240 x 300/600
    assert out.loc["A", "gp_actual"] == 90.0 and out.loc["A", "gp_attainment"] == pytest.approx(0.75)
    assert out.loc["B", "gp_plan_to_date"] == pytest.approx(15.0) and out.loc["B", "gp_attainment"] == 1.0
    assert out.loc["Total", "gp_actual"] == 105.0  # the December line is after the as-of date
    assert out.loc["Total", "margin_rate_actual"] == pytest.approx(105 / 400)
    text = TR.summarize_margin(out.reset_index())
    assert text.startswith("Gross profit to date 105 against 120 planned (87.5%); margin 26.2% against a target of 30.0%")
    assert "lowest: A at 75.0%" in text


def test_no_cost_no_gross_profit_tracking():
    assert TR.compare_margin(margin_targets(), tracking(), orders(cost=False), as_of="2025-06-30") is None
    assert TR.summarize_margin(None).startswith("No gross-profit tracking")
