"""New-customer targets bounded by the last years' acquisition."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import targets as T

BASE = pd.DataFrame([{"active_customers": 100, "repurchase_rate": 0.5, "orders_per_customer": 2.0, "order_value": 50.0,
                      "new_customers": 10, "first_year_value": 100.0}])  # existing: 50 x 2 x 50 = 5,000


def test_within_the_multiple_nothing_moves():
    out = T.plan_customer_targets(7_000, BASE, acquisition=pd.DataFrame({"year": [2023, 2024], "new_customers": [12, 10]}),
                                  max_new_multiple=2.0).set_index("customer_type")
    assert out.loc["new", "customers"] == 20 and out.loc["new", "best_recent_new"] == 12
    assert out.loc["existing", "target"] == 5_000 and out.loc["existing", "note"] == ""


def test_beyond_the_multiple_new_customers_are_capped_and_existing_carry_the_rest():
    out = T.plan_customer_targets(10_000, BASE, acquisition=pd.DataFrame({"year": [2023, 2024], "new_customers": [12, 10]}),
                                  max_new_multiple=1.5).set_index("customer_type")
    assert out.loc["new", "customers"] == 18  # 50 needed, capped at 1.5 x 12
    assert out.loc["new", "target"] == 1_800 and out.loc["existing", "target"] == 8_200
    assert out.loc["total", "target"] == 10_000
    assert "50 new customers would be 4.2x the best recent year (12)" in out.loc["new", "note"]
    assert "+64%" in out.loc["existing", "note"] and "needs actions" in out.loc["existing", "note"]


def test_new_customers_are_counted_by_first_order_leaving_out_the_first_data_year():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2022-03-01", "2023-02-01", "2023-05-01", "2024-01-01", "2024-06-01"]),
                           "customer_id": ["a", "a", "b", "c", "b"]})
    got = T.count_new_customers(orders, years=[2022, 2023, 2024])
    assert got.to_dict("list") == {"year": [2023, 2024], "new_customers": [1, 1]}


def test_no_history_means_no_cap():
    out = T.plan_customer_targets(10_000, BASE).set_index("customer_type")
    assert out.loc["new", "customers"] == 50 and pd.isna(out.loc["new", "best_recent_new"])
    with pytest.raises(Exception, match="max_new_multiple"):
        T.plan_customer_targets(10_000, BASE, acquisition=pd.DataFrame({"year": [2024], "new_customers": [3]}), max_new_multiple=0)
