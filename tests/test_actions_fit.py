"""Tests that the action calendar holds only actions that fit: an effect to expect, a window that matters."""

from __future__ import annotations

import pandas as pd

from planlib import actions as A
from planlib.plan import ActionsSpec

NO_PROMOTIONS = ActionsSpec(promotions=[], budget=10_000)


def orders(lines=("X", "Y")) -> pd.DataFrame:
    """Two years of one line a week per product line, rising in the second year."""
    days = pd.date_range("2023-01-02", "2024-12-30", freq="7D")
    rows = [{"order_date": d, "order_id": f"{p}{i}", "customer_id": f"c{i % 5}", "revenue": 100.0 + 50 * (d.year - 2023),
             "product_line": p, "region": "N", "channel": "direct", "rep": "r1"} for p in lines for i, d in enumerate(days)]
    out = pd.DataFrame(rows)
    for column in ("order_id", "customer_id", "product_line", "region", "channel", "rep"):
        out[column] = out[column].astype("category")
    return out


def lines(launches: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"product_line": list(launches), "role": "strategic",
                         "launch_date": pd.to_datetime(list(launches.values()))})


def test_a_launch_too_late_in_the_year_waits_for_next_years_calendar():
    calendar = A.build_action_calendar(orders(), plan_year=2025, baseline=1e6, spec=NO_PROMOTIONS,
                                       product_lines=lines({"Z": "2025-12-29"}))
    assert calendar.empty
    assert calendar.attrs["dropped"] == ["Launch Z: launch on 2025-12-29 leaves 3 day(s) in 2025; its push belongs "
                                         "in next year's calendar"]


def test_a_late_anniversary_push_still_runs_its_90_days_inside_the_year():
    calendar = A.build_action_calendar(orders(), plan_year=2025, baseline=1e6, spec=NO_PROMOTIONS,
                                       product_lines=lines({"X": "2023-12-29", "Y": "2023-03-01"}))
    push = calendar.set_index("action")
    late = push.loc["Strategic push X (launch anniversary)"]
    assert late["start"] == pd.Timestamp("2025-10-03") and late["end"] == pd.Timestamp("2025-12-31")
    early = push.loc["Strategic push Y (launch anniversary)"]
    assert early["start"] == pd.Timestamp("2025-03-01") and (early["end"] - early["start"]).days == 89
    assert (calendar["expected_revenue"] > 0).all() and (calendar["purpose"] == "revenue").all()


def test_a_zero_effect_action_is_dropped_unless_marked_awareness():
    events = [{"name": "Brand day", "start": "2025-05-01", "end": "2025-05-01", "budget": 500},
              {"name": "Logo fair", "start": "2025-06-01", "end": "2025-06-01", "budget": 700, "awareness": True}]
    calendar = A.build_action_calendar(orders(), plan_year=2025, baseline=1e6,
                                       spec=ActionsSpec(promotions=[], budget=10_000, events=events))
    assert list(calendar["action"]) == ["Logo fair"] and calendar["purpose"].iat[0] == "awareness"
    assert calendar["budget"].sum() == 700  # the dropped event's 500 is not spent
    assert calendar.attrs["dropped"][0].startswith("Brand day: no expected revenue")
    assert calendar.attrs["dropped"][0].endswith("mark it awareness in params to keep it")
