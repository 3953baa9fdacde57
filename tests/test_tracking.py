"""Tests of the tracking stage (planlib.tracking) on tiny frames with hand-checkable answers.

A small world: plan year 2025, a flat plan of 100 a month (East 60, West 40; product
lines A 70, B 30; reps a, b in East and c in West), a few order lines; plus a property
test that every re-spread keeps the annual total and every split exact.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planlib import tracking as TR
from planlib.allocation import split_total
from planlib.errors import DataError, ParamsError

PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONTHS = pd.date_range("2025-01-01", periods=12, freq="MS")
TEXT = ["order_id", "customer_id", "product_line", "region", "channel", "rep"]


def make_targets(total=None, regions=None, lines=None, reps=None, customer_types=None) -> pd.DataFrame:
    """A plan in long form; every dimension given as {segment: [12 monthly targets]}."""
    total = [100] * 12 if total is None else list(total)
    regions = regions or {"East": [60] * 12, "West": [40] * 12}
    lines = lines or {"A": [70] * 12, "B": [30] * 12}
    reps = reps or {"a": [30] * 12, "b": [30] * 12, "c": [40] * 12}
    rows = []
    for i, month in enumerate(MONTHS):
        rows.append(("total", "Total", month, total[i]))
        rows.append(("month", "Total", month, total[i]))
        for dim, parts in (("region", regions), ("product_line", lines), ("rep", reps),
                           ("customer_type", customer_types or {})):
            for segment, values in parts.items():
                rows.append((dim, segment, month, values[i]))
    return pd.DataFrame(rows, columns=["dimension", "segment", "month", "target"])


def make_orders(rows, prefix: str = "o") -> pd.DataFrame:
    """Canonical order lines (text columns as category) from (date, revenue, line, region, rep[, customer])."""
    records = []
    for i, row in enumerate(rows):
        date, revenue, line, region, rep = row[:5]
        customer = row[5] if len(row) > 5 else f"c{i}"
        records.append({"order_date": pd.Timestamp(date), "order_id": f"{prefix}{i}", "customer_id": customer,
                        "revenue": float(revenue), "product_line": line, "region": region,
                        "channel": "direct", "rep": rep})
    frame = pd.DataFrame(records)
    for column in TEXT:
        frame[column] = frame[column].astype("category")
    return frame


REPS = pd.DataFrame({
    "rep": ["a", "b", "c"],
    "region": ["East", "East", "West"],
    "hire_date": pd.to_datetime(["2020-01-01", "2021-05-01", "2019-03-01"]),
    "leave_date": pd.to_datetime([pd.NaT, pd.NaT, pd.NaT]),
    "capacity": [1.0, 1.0, 1.0],
})


def on_plan_orders(through_month: int) -> pd.DataFrame:
    """Exactly the plan's region/line/rep split for months 1..through_month."""
    rows = []
    for m in range(1, through_month + 1):
        day = f"2025-{m:02d}-10"
        rows += [(day, 30, "A", "East", "a"), (day, 30, "A", "East", "b"),
                 (day, 10, "A", "West", "c"), (day, 30, "B", "West", "c")]
    return make_orders(rows)


# =========================================================================== compare_to_plan


def test_a_month_exactly_on_plan_has_attainment_one_and_is_green():
    orders = on_plan_orders(1)
    by_month = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31", by_month=True)
    jan = by_month[(by_month["dimension"] == "total")].iloc[0]
    assert jan["month"] == pd.Timestamp("2025-01-01")
    assert jan["plan_to_date"] == 100 and jan["actual"] == 100
    assert jan["attainment"] == 1.0 and jan["status"] == "green" and jan["gap"] == 0
    to_date = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31")
    assert (to_date["attainment"] == 1.0).all()
    assert (to_date["status"] == "green").all()
    # On plan for 1 of 12 equal months: the run-rate projection is the annual target.
    assert np.allclose(to_date["projection"], to_date["annual_target"])


@pytest.mark.parametrize(
    ("actual", "status"),
    [(98.0, "green"), (97.99, "amber"), (90.0, "amber"), (89.99, "red"), (150.0, "green"), (0.0, "red")],
)
def test_traffic_light_boundaries_are_inclusive(actual, status):
    orders = make_orders([("2025-01-05", actual, "A", "East", "a")])
    out = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31", green=0.98, amber=0.90)
    assert out.loc[out["dimension"] == "total", "status"].item() == status


def test_custom_thresholds_and_bad_thresholds():
    orders = make_orders([("2025-01-05", 95.0, "A", "East", "a")])
    out = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31", green=0.95, amber=0.8)
    assert out.loc[out["dimension"] == "total", "status"].item() == "green"
    with pytest.raises(ParamsError, match="'amber' parameter of compare_to_plan must be below 'green'"):
        TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31", green=0.9, amber=0.95)


def test_partial_month_is_compared_pro_rata_by_days():
    orders = make_orders([("2025-03-02", 50.0, "A", "East", "a")])
    out = TR.compare_to_plan(make_targets(), orders, as_of="2025-03-15", by_month=True)
    march = out[(out["dimension"] == "total") & (out["month"] == "2025-03-01")].iloc[0]
    assert march["elapsed_share"] == pytest.approx(15 / 31)
    assert march["plan_to_date"] == pytest.approx(100 * 15 / 31)
    to_date = TR.compare_to_plan(make_targets(), orders, as_of="2025-03-15")
    total = to_date[to_date["dimension"] == "total"].iloc[0]
    assert total["plan_to_date"] == pytest.approx(200 + 100 * 15 / 31)
    assert set(out["month"]) == set(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]))


def test_run_rate_projection_uses_the_plans_seasonal_weights():
    total = [50, 150] + [100] * 10  # Jan+Feb = 200 of 1200: 1/6 of the year elapsed
    targets = make_targets(total=total, regions={"East": total}, lines={"A": total}, reps={"a": total})
    orders = make_orders([("2025-01-05", 100.0, "A", "East", "a"), ("2025-02-05", 80.0, "A", "East", "a")])
    out = TR.compare_to_plan(targets, orders, as_of="2025-02-28")
    row = out[out["dimension"] == "total"].iloc[0]
    assert row["plan_share_elapsed"] == pytest.approx(200 / 1200)
    assert row["projection"] == pytest.approx(180 * 6)
    assert row["projected_attainment"] == pytest.approx(0.9)
    assert row["status"] == "amber" and row["projected_status"] == "amber"


def test_segment_actuals_add_up_to_the_total_including_unplanned_segments():
    orders = make_orders([
        ("2025-01-05", 40.0, "A", "East", "a"), ("2025-01-06", 25.5, "C", "North", None),
        ("2025-02-07", -5.0, "B", "West", "c"), ("2025-02-08", 12.0, "B", "West", "zz"),
    ])
    out = TR.compare_to_plan(make_targets(), orders, as_of="2025-02-28")
    total = out.loc[out["dimension"] == "total", "actual"].item()
    assert total == pytest.approx(72.5)
    for dim, part in out.groupby("dimension"):
        assert part["actual"].sum() == pytest.approx(total), dim
    unplanned = out[(out["dimension"] == "rep") & out["segment"].isin(["(none)", "zz"])]
    assert (unplanned["annual_target"] == 0).all() and (unplanned["status"] == "n/a").all()
    assert set(out[out["dimension"] == "region"]["segment"]) == {"East", "North", "West"}


def test_lines_outside_the_window_are_left_out_and_counted():
    orders = make_orders([("2024-12-31", 999.0, "A", "East", "a"), ("2025-01-10", 100.0, "A", "East", "a"),
                          ("2025-02-01", 999.0, "A", "East", "a")])
    out = TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31")
    assert out.loc[out["dimension"] == "total", "actual"].item() == 100.0
    assert out.attrs["lines_outside"] == 2


def test_customer_type_needs_history_and_uses_first_order_ever():
    targets = make_targets(customer_types={"existing": [80] * 12, "new": [20] * 12})
    orders = make_orders([("2025-01-05", 80.0, "A", "East", "a", "old"),
                          ("2025-01-06", 20.0, "A", "East", "a", "fresh")])
    with pytest.raises(DataError, match="needs the order 'history'"):
        TR.compare_to_plan(targets, orders, as_of="2025-01-31")
    history = make_orders([("2023-06-01", 10.0, "A", "East", "a", "old")], prefix="h")
    out = TR.compare_to_plan(targets, orders, as_of="2025-01-31", history=history)
    types = out[out["dimension"] == "customer_type"].set_index("segment")
    assert types.loc["existing", "actual"] == 80.0 and types.loc["new", "actual"] == 20.0
    assert (types["status"] == "green").all()


def test_bad_inputs_name_the_problem():
    orders = on_plan_orders(1)
    with pytest.raises(DataError, match="lack column 'channel'"):
        TR.compare_to_plan(pd.concat([make_targets(), pd.DataFrame(
            {"dimension": ["channel"] * 12, "segment": "direct", "month": MONTHS, "target": 100})]),
            orders.drop(columns="channel"), as_of="2025-01-31")
    bad = make_targets()
    bad.loc[(bad["dimension"] == "region") & (bad["segment"] == "East") & (bad["month"] == MONTHS[2]), "target"] = 61
    with pytest.raises(DataError, match="'region' targets given to compare_to_plan add up to 101 in 2025-03"):
        TR.compare_to_plan(bad, orders, as_of="2025-01-31")
    with pytest.raises(ParamsError, match="must fall in the plan year 2025"):
        TR.compare_to_plan(make_targets(), orders, as_of="2024-12-31")
    with pytest.raises(DataError, match="lacks column"):
        TR.compare_to_plan(make_targets().drop(columns="target"), orders, as_of="2025-01-31")


def test_inputs_are_not_mutated():
    targets, orders = make_targets(), on_plan_orders(3)
    before_t, before_o = targets.copy(), orders.copy()
    TR.compare_to_plan(targets, orders, as_of="2025-03-10")
    TR.respread_remaining(targets, orders, as_of="2025-03-10", reps=REPS)
    pd.testing.assert_frame_equal(targets, before_t)
    pd.testing.assert_frame_equal(orders, before_o)


def test_summarize_tracking_names_the_weakest_segment():
    orders = make_orders([("2025-01-05", 60.0, "A", "East", "a"), ("2025-01-06", 20.0, "B", "West", "c")])
    text = TR.summarize_tracking(TR.compare_to_plan(make_targets(), orders, as_of="2025-01-31"))
    assert text.startswith("To 31 Jan: actual 80 against 100 planned (80.0%, red)")
    assert "weakest" in text and text.endswith(".")


# =========================================================================== checkpoints


def test_checkpoints_met_missed_and_open_per_owner():
    orders = make_orders([
        ("2025-01-05", 100.0, "A", "East", "a"), ("2025-02-05", 100.0, "A", "East", "a"),
        ("2025-03-05", 50.0, "A", "West", "c"), ("2025-04-05", 500.0, "A", "West", "c"),
    ])
    checkpoints = pd.DataFrame({
        "owner_type": ["total", "rep", "rep", "region"],
        "owner": ["Total", "a", "c", "West"],
        "period": ["2025-Q1", "2025-02", "2025-Q1", "2025-Q2"],
        "cumulative_target": [280.0, 200.0, 60.0, 400.0],
        "share_of_annual": [0.25, 0.2, 0.25, 0.5],
    })
    out = TR.check_checkpoints(checkpoints, orders, as_of="2025-04-10")
    status = out.set_index(["owner_type", "owner"])["status"]
    assert status[("rep", "a")] == "met"          # 200 by end of Feb
    assert status[("rep", "c")] == "missed"       # 50 of 60 by end of Q1
    assert status[("total", "Total")] == "missed"  # 250 of 280 by end of Q1
    assert status[("region", "West")] == "open"    # Q2 not ended; actual to date shown
    west = out[out["owner"] == "West"].iloc[0]
    assert west["actual"] == 550.0 and west["period_end"] == pd.Timestamp("2025-06-30")
    assert list(out["period_end"]) == sorted(out["period_end"])
    text = TR.summarize_checkpoints(out)
    assert text.startswith("1 of 3 checkpoints due is met; missed: rep c 2025-Q1 (83.3% of 60)")


def test_checkpoint_errors():
    orders = on_plan_orders(1)
    bad_period = pd.DataFrame({"owner_type": ["total"], "owner": ["Total"], "period": ["March"],
                               "cumulative_target": [1.0]})
    with pytest.raises(DataError, match="expected '2025-03', '2025-Q1'"):
        TR.check_checkpoints(bad_period, orders, as_of="2025-04-01")
    bad_owner = bad_period.assign(owner_type="planet", period="2025-01")
    with pytest.raises(DataError, match="owner_type \\['planet'\\]"):
        TR.check_checkpoints(bad_owner, orders, as_of="2025-04-01")
    assert TR.summarize_checkpoints(TR.check_checkpoints(
        bad_period.assign(period="2025-12"), orders, as_of="2025-04-01")) == "No checkpoint due yet (1 open)."


# =========================================================================== behaviour


def test_behaviour_against_the_same_dates_last_year():
    history = make_orders([
        ("2024-01-02", 100.0, "A", "East", "a", "c1"), ("2024-02-10", 50.0, "A", "East", "a", "c2"),
        ("2024-03-20", 70.0, "A", "East", "a", "c2"),  # after 15 Mar: not in last year's period
    ], prefix="h")
    orders = make_orders([
        ("2025-01-05", 90.0, "A", "East", "a", "c1"), ("2025-02-05", 60.0, "B", "West", "c", "c3"),
        ("2025-03-01", 30.0, "B", "West", "c", "c4"), ("2025-03-02", -30.0, "B", "West", "c", "c4"),
    ])
    orders["order_id"] = orders["order_id"].astype(str).replace({"o3": "o2"}).astype("category")  # a return
    out = TR.compute_behaviour(orders, as_of="2025-03-15", history=history).set_index("metric")
    assert out.loc["revenue", "current"] == 150.0 and out.loc["revenue", "previous"] == 150.0
    assert out.loc["orders", "current"] == 2  # o0, o1; o2 nets to 0 (return)
    assert out.loc["active_customers", "current"] == 2
    assert out.loc["new_customers", "current"] == 1  # c3; c4's only order was returned: not active
    assert out.loc["new_customers", "previous"] == 2
    assert out.loc["avg_order_value", "current"] == 75.0
    assert out.loc["orders", "growth"] == pytest.approx(0.0)
    assert out["period"].iloc[0] == "2025 to 15 Mar" and out["previous_period"].iloc[0] == "2024 to 15 Mar"
    text = TR.summarize_behaviour(out.reset_index())
    assert text.startswith("Orders +0.0%, active customers +0.0%, new customers 1 (-50.0%)")
    by_region = TR.compute_behaviour(orders, as_of="2025-03-15", history=history, by="region")
    assert set(by_region["segment"]) == {"East", "West"}
    no_history = TR.compute_behaviour(orders, as_of="2025-03-15").set_index("metric")
    assert np.isnan(no_history.loc["orders", "previous"]) and np.isnan(no_history.loc["new_customers", "current"])


# =========================================================================== re-spread


def test_keep_annual_spreads_the_remaining_annual_target_over_the_open_months():
    orders = make_orders([(f"2025-{m:02d}-10", 80.0, "A", "East", "a") for m in (1, 2, 3)])
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31", carry_forward="keep_annual")
    total = out[out["dimension"] == "total"]
    assert list(total["month"]) == list(MONTHS[3:])
    assert total["target"].sum() == 1200 - 240
    # 960 over 9 flat months = 106.67: largest remainder gives the first six 107.
    assert list(total["target"]) == [107] * 6 + [106] * 3
    assert (total["required"] == total["target"]).all()
    assert out.attrs["actual_closed"] == 240 and out.attrs["remaining"] == 960
    # East sold 240 of its 180, West 0 of its 120: East's remaining 540, West's 480.
    region = out[out["dimension"] == "region"].groupby("segment")["target"].sum()
    assert region.to_dict() == {"East": 720 - 240, "West": 480}
    for (dim, month), part in out.groupby(["dimension", "month"]):
        assert part["target"].sum() == total.set_index("month").loc[month, "target"], (dim, month)
    assert all(out[c].dtype == np.int64 for c in ("original", "required", "target", "change"))
    assert "+6.7% on the original plan" in TR.summarize_respread(out)
    assert out.attrs["year_total"] == 1200


def test_carry_shortfall_carries_the_segments_behind_and_keeps_a_lead():
    # East sold 240 of its 180 (ahead), West 0 of its 120 (60 short net of East's lead).
    orders = make_orders([(f"2025-{m:02d}-10", 80.0, "A", "East", "a") for m in (1, 2, 3)])
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31")
    assert out.attrs["policy"] == "carry_shortfall"
    total = out[out["dimension"] == "total"]
    assert total["target"].sum() == 900 + 60 and list(total["target"]) == [107] * 6 + [106] * 3
    region = out[out["dimension"] == "region"].groupby("segment")["target"].sum()
    assert region.to_dict() == {"East": 540, "West": 360 + 60}  # East keeps its plan, West carries it all
    assert (out["target"] >= out["original"]).all()
    assert "carries the shortfall and keeps any lead" in TR.summarize_respread(out)


def test_a_company_ahead_keeps_its_remaining_target_unless_keep_annual_is_asked():
    # 130 a month against 100 planned: 390 of 300 by March, 90 ahead.
    orders = make_orders([(f"2025-{m:02d}-10", 130.0, "A", "East", "a") for m in (1, 2, 3)])
    kept = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31")
    assert (kept["target"] == kept["original"]).all()  # nobody is lowered, nothing given back
    assert kept.attrs["year_total"] == 390 + 900 and TR.summarize_changes(kept).empty
    given_back = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31", carry_forward="keep_annual")
    assert given_back.attrs["year_total"] == 1200
    assert given_back.loc[given_back["dimension"] == "total", "target"].sum() == 810


def test_raise_to_forecast_lifts_the_rest_of_the_year_to_a_higher_reforecast():
    orders = on_plan_orders(6)
    months = MONTHS[6:]
    forecast = pd.concat([
        pd.DataFrame({"dimension": "total", "segment": "Total", "month": months, "mean": 110.0}),
        pd.DataFrame({"dimension": "region", "segment": "East", "month": months, "mean": 70.0}),
        pd.DataFrame({"dimension": "region", "segment": "West", "month": months, "mean": 40.0}),
    ], ignore_index=True)
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-06-30", reforecast=forecast,
                                carry_forward="raise_to_forecast")
    total = out[out["dimension"] == "total"]
    assert total["target"].sum() == 660 and out.attrs["forecast_open"] == 660
    region = out[out["dimension"] == "region"].groupby("segment")["target"].sum()
    assert region.to_dict() == {"East": 420, "West": 240}  # only East is forecast above its plan
    same = TR.respread_remaining(make_targets(), orders, as_of="2025-06-30", reforecast=forecast)
    assert (same["target"] == same["original"]).all()  # carry_shortfall: on plan, nothing moves


def test_hold_annual_keeps_targets_and_shows_the_run_rate_needed():
    orders = make_orders([(f"2025-{m:02d}-10", 80.0, "A", "East", "a") for m in (1, 2, 3)])
    carry = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31", carry_forward="keep_annual")
    hold = TR.respread_remaining(make_targets(), orders, as_of="2025-03-31", carry_forward="hold_annual")
    assert (hold["target"] == hold["original"]).all() and (hold["change"] == 0).all()
    pd.testing.assert_series_equal(hold["required"], carry["required"])
    assert TR.summarize_changes(hold).empty
    assert "hold_annual keeps the original monthly targets" in TR.summarize_respread(hold)


def test_as_of_inside_a_month_keeps_that_month_open():
    orders = make_orders([("2025-01-10", 100.0, "A", "East", "a"), ("2025-02-10", 999.0, "A", "East", "a")])
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-02-14")
    total = out[out["dimension"] == "total"]
    assert total["month"].iloc[0] == pd.Timestamp("2025-02-01")
    assert total["target"].sum() == 1100  # only January is closed (actual 100)


def test_a_rep_who_left_gets_nothing_after_leaving_and_colleagues_take_it_by_capacity():
    # East: a (capacity 1), b (3) and d (2), who leaves on 30 June; West: c.
    leaver = pd.DataFrame({"rep": ["d"], "region": ["East"], "hire_date": [pd.Timestamp("2018-01-01")],
                           "leave_date": [pd.Timestamp("2025-06-30")], "capacity": [2.0]})
    reps = pd.concat([REPS.assign(capacity=[1.0, 3.0, 1.0]), leaver], ignore_index=True)
    targets = make_targets(reps={"a": [20] * 12, "b": [20] * 12, "c": [40] * 12, "d": [20] * 12})
    orders = on_plan_orders(6)  # exactly on plan to the end of June
    out = TR.respread_remaining(targets, orders, as_of="2025-06-30", reps=reps)
    rep = out[out["dimension"] == "rep"].pivot(index="month", columns="segment", values="target")
    assert (rep["d"] == 0).all()  # left on 30 Jun: nothing in Jul..Dec
    # East needs its 60 a month; a and b keep their 20 each, d's 20 goes 1:3 to a and b.
    assert (rep["a"] == 25).all() and (rep["b"] == 35).all() and (rep["c"] == 40).all()
    assert (rep.sum(axis=1) == 100).all()
    changes = TR.summarize_changes(out)
    assert set(changes["segment"]) == {"a", "b", "d"} and (changes["dimension"] == "rep").all()
    # Under hold_annual only the leaver's targets move.
    hold = TR.respread_remaining(targets, orders, as_of="2025-06-30", reps=reps, carry_forward="hold_annual")
    held = hold[hold["dimension"] == "rep"].pivot(index="month", columns="segment", values="target")
    pd.testing.assert_frame_equal(held, rep)


def test_a_rep_leaving_mid_month_keeps_the_days_in_seat():
    reps = REPS.assign(leave_date=pd.to_datetime([pd.NaT, "2025-07-15", pd.NaT]), capacity=[2.0, 1.0, 1.0])
    out = TR.respread_remaining(make_targets(), on_plan_orders(6), as_of="2025-06-30", reps=reps)
    rep = out[out["dimension"] == "rep"].pivot(index="month", columns="segment", values="target")
    july = rep.loc[pd.Timestamp("2025-07-01")]
    kept_b = math.floor(30 * 15 / 31 + 0.5)  # 15 of 31 days in seat
    # The pool (60 - 30 - kept_b) goes 2 : 1 x 15/31 to a and b.
    pool = 60 - 30 - kept_b
    share = split_total(pool, [2.0, 15 / 31])
    assert july["b"] == kept_b + share[1] and july["a"] == 30 + share[0]
    assert (rep.loc[pd.Timestamp("2025-08-01"):, "b"] == 0).all()


def test_a_region_with_nobody_in_seat_gets_a_vacant_row():
    reps = REPS.assign(leave_date=pd.to_datetime([pd.NaT, pd.NaT, "2025-03-31"]))
    out = TR.respread_remaining(make_targets(), on_plan_orders(3), as_of="2025-03-31", reps=reps)
    rep = out[out["dimension"] == "rep"].pivot(index="month", columns="segment", values="target")
    assert (rep["(vacant)"] == 40).all() and (rep["c"] == 0).all()


def test_reforecast_shape_replaces_the_plans():
    orders = on_plan_orders(6)
    months = MONTHS[6:]
    shape = [1, 1, 1, 1, 1, 5]  # December heavy
    reforecast = pd.DataFrame({"dimension": "total", "segment": "Total", "month": months,
                               "mean": [float(s) for s in shape]})
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-06-30", reforecast=reforecast,
                                carry_forward="keep_annual")
    total = out[out["dimension"] == "total"]
    assert list(total["target"]) == [60, 60, 60, 60, 60, 300]
    assert out.attrs["shape"] == "reforecast"
    region = out[out["dimension"] == "region"].pivot(index="month", columns="segment", values="target")
    assert (region.sum(axis=1).to_numpy() == total["target"].to_numpy()).all()
    assert (region.sum().to_dict() == {"East": 360, "West": 240})
    with pytest.raises(DataError, match="lacks open month"):
        TR.respread_remaining(make_targets(), orders, as_of="2025-06-30", reforecast=reforecast.iloc[1:])


def test_a_segment_past_its_annual_target_gets_a_negative_remainder_and_totals_stay_exact():
    orders = make_orders([("2025-01-10", 800.0, "B", "West", "c")])  # B's annual is 360
    out = TR.respread_remaining(make_targets(), orders, as_of="2025-01-31", carry_forward="keep_annual")
    lines = out[out["dimension"] == "product_line"].groupby("segment")["target"].sum()
    assert lines.to_dict() == {"A": 840, "B": 360 - 800}  # A carries its January shortfall
    total = out[out["dimension"] == "total"].set_index("month")["target"]
    for _, part in out.groupby("dimension"):
        assert (part.groupby("month")["target"].sum() == total).all()


def test_the_year_over_leaves_nothing_to_respread():
    out = TR.respread_remaining(make_targets(), on_plan_orders(12), as_of="2025-12-31")
    assert out.empty and list(out.columns) == ["dimension", "segment", "month", "original", "required",
                                               "target", "change"]
    assert TR.summarize_respread(out) == "No open month left to re-spread."


def test_respread_parameter_errors():
    with pytest.raises(ParamsError, match="'carry_forward' parameter of respread_remaining must be one of"):
        TR.respread_remaining(make_targets(), on_plan_orders(1), as_of="2025-01-31", carry_forward="keep")
    with pytest.raises(DataError, match="repeats rep"):
        TR.respread_remaining(make_targets(), on_plan_orders(1), as_of="2025-01-31",
                              reps=pd.concat([REPS, REPS.iloc[:1]]))


@st.composite
def worlds(draw):
    """A random consistent plan (regions, product lines, reps nested in regions) and orders."""
    n_regions = draw(st.integers(1, 3))
    totals = draw(st.lists(st.integers(0, 2000), min_size=12, max_size=12))
    if sum(totals) == 0:
        totals[0] = 1
    regions = [f"R{i}" for i in range(n_regions)]
    region_w = draw(st.lists(st.floats(0.1, 1.0), min_size=n_regions, max_size=n_regions))
    line_w = draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2).filter(lambda w: sum(w) > 0))
    rep_rows, rep_plan = [], {}
    region_plan = {r: [] for r in regions}
    line_plan = {"A": [], "B": []}
    for t in totals:
        for r, v in zip(regions, split_total(t, region_w)):
            region_plan[r].append(int(v))
        for line, v in zip(("A", "B"), split_total(t, line_w)):
            line_plan[line].append(int(v))
    for i, r in enumerate(regions):
        n = draw(st.integers(1, 2))
        names = [f"{r}-p{j}" for j in range(n)]
        for name in names:
            leave = draw(st.one_of(st.none(), st.dates(pd.Timestamp("2025-01-01").date(),
                                                       pd.Timestamp("2025-12-31").date())))
            rep_rows.append({"rep": name, "region": r, "hire_date": pd.Timestamp("2020-01-01"),
                             "leave_date": pd.Timestamp(leave) if leave else pd.NaT,
                             "capacity": draw(st.floats(0.5, 3.0))})
            rep_plan[name] = []
        for v_month in region_plan[r]:
            for name, v in zip(names, split_total(v_month, [1.0] * n)):
                rep_plan[name].append(int(v))
    targets = make_targets(total=totals, regions=region_plan, lines=line_plan, reps=rep_plan)
    n_lines = draw(st.integers(0, 25))
    rows = []
    for _ in range(n_lines):
        day = draw(st.dates(pd.Timestamp("2025-01-01").date(), pd.Timestamp("2025-12-31").date()))
        region = draw(st.sampled_from(regions + ["Other"]))
        rep = draw(st.sampled_from([r["rep"] for r in rep_rows] + [None]))
        revenue = draw(st.floats(-300, 3000, allow_nan=False).map(lambda x: round(x, 2)))
        rows.append((str(day), revenue, draw(st.sampled_from(["A", "B", "C"])), region, rep))
    orders = make_orders(rows) if rows else make_orders([("2025-01-01", 0.0, "A", regions[0], None)])
    as_of = draw(st.dates(pd.Timestamp("2025-01-01").date(), pd.Timestamp("2025-11-30").date()))
    return targets, orders, pd.DataFrame(rep_rows), pd.Timestamp(as_of)


@PROPERTY
@given(world=worlds())
def test_respread_adds_up_exactly_under_every_policy(world):
    targets, orders, reps, as_of = world
    annual = int(targets.loc[targets["dimension"] == "total", "target"].sum())
    first_open = as_of.to_period("M").to_timestamp() if as_of != as_of + pd.offsets.MonthEnd(0) \
        else as_of + pd.Timedelta(days=1)
    closed = math.fsum(orders.loc[orders["order_date"] < first_open, "revenue"])
    actual = math.floor(closed + 0.5)
    for rule in TR.POLICIES:
        out = TR.respread_remaining(targets, orders, as_of=as_of, carry_forward=rule, reps=reps)
        assert all(out[c].dtype == np.int64 for c in ("original", "required", "target", "change"))
        total = out[out["dimension"] == "total"].set_index("month")
        assert total.index[0] == first_open
        assert int(total["required"].sum()) == annual - actual
        for dim, part in out.groupby("dimension"):
            sums = part.groupby("month")[["required", "target"]].sum()
            assert (sums["required"] == total["required"]).all(), dim
            assert (sums["target"] == total["target"]).all(), dim
        if rule == "keep_annual":
            assert (out["target"] == out["required"]).all()
            assert int(total["target"].sum()) + actual == annual
        elif rule in ("carry_shortfall", "raise_to_forecast"):  # no forecast: the two agree
            not_rep = out[out["dimension"] != "rep"]
            assert (not_rep["target"] >= not_rep["original"]).all()  # a lead is never given back
            assert int(total["target"].sum()) == max(annual - actual, int(total["original"].sum()))
            assert out.attrs["year_total"] == actual + int(total["target"].sum())
        else:
            not_rep = out[out["dimension"] != "rep"]
            assert (not_rep["target"] == not_rep["original"]).all()
        rep = out[out["dimension"] == "rep"]
        for row in reps.itertuples():
            if pd.notna(row.leave_date):
                after = rep[(rep["segment"] == row.rep) & (rep["month"] > row.leave_date)]
                assert (after["target"] == 0).all() and (after["required"] == 0).all()
        changes = TR.summarize_changes(out)
        assert (changes["after"] - changes["before"] == changes["change"]).all()
        assert (changes["change"] != 0).all()


@PROPERTY
@given(world=worlds(), level=st.floats(0.2, 3.0), tilt=st.lists(st.floats(0.0, 5.0), min_size=12, max_size=12))
def test_raise_to_forecast_reaches_the_reforecast_and_stays_exact(world, level, tilt):
    targets, orders, reps, as_of = world
    out0 = TR.respread_remaining(targets, orders, as_of=as_of)
    months = pd.DatetimeIndex(sorted(out0["month"].unique()))
    regions = sorted(targets.loc[targets["dimension"] == "region", "segment"].unique())
    frames = [pd.DataFrame({"dimension": "total", "segment": "Total", "month": months,
                            "mean": [level * 100 * tilt[m.month - 1] for m in months]})]
    frames += [pd.DataFrame({"dimension": "region", "segment": r, "month": months,
                             "mean": [level * 50 * tilt[m.month - 1] for m in months]}) for r in regions]
    forecast = pd.concat(frames, ignore_index=True)
    out = TR.respread_remaining(targets, orders, as_of=as_of, reforecast=forecast, reps=reps,
                                carry_forward="raise_to_forecast")
    total = out[out["dimension"] == "total"].set_index("month")
    assert int(total["target"].sum()) >= out.attrs["forecast_open"]
    assert int(total["target"].sum()) >= int(total["original"].sum())
    not_rep = out[out["dimension"] != "rep"]
    assert (not_rep["target"] >= not_rep["original"]).all()
    for dim, part in out.groupby("dimension"):
        assert (part.groupby("month")["target"].sum() == total["target"]).all(), dim


# =========================================================================== diff and apply


def test_diff_of_identical_plans_is_empty():
    diff = TR.diff_targets(make_targets(), make_targets().sample(frac=1, random_state=0))
    assert diff.empty and list(diff.columns) == ["dimension", "segment", "month", "old", "new", "change", "status"]
    assert TR.summarize_plan_diff(diff) == "The two plans are identical."


def test_diff_lists_changed_added_and_removed_rows():
    old = make_targets()
    new = old.copy()
    new.loc[(new["dimension"] == "region") & (new["segment"] == "East") & (new["month"] == MONTHS[5]), "target"] = 65
    new = new[~((new["dimension"] == "rep") & (new["segment"] == "c") & (new["month"] == MONTHS[0]))]
    new = pd.concat([new, pd.DataFrame({"dimension": ["rep"], "segment": ["z"], "month": [MONTHS[0]],
                                        "target": [40]})])
    diff = TR.diff_targets(old, new)
    assert list(diff["status"]) == ["changed", "removed", "added"]
    assert diff.iloc[0][["old", "new", "change"]].tolist() == [60, 65, 5]
    assert pd.isna(diff.iloc[1]["new"]) and diff.iloc[1]["change"] == -40
    assert pd.isna(diff.iloc[2]["old"]) and diff.iloc[2]["change"] == 40
    assert TR.summarize_plan_diff(diff).startswith("3 targets differ in 2 dimensions (region, rep)")


def test_apply_respread_gives_the_replanned_year_and_its_diff_is_the_change_table():
    targets = make_targets()
    orders = make_orders([(f"2025-{m:02d}-10", 80.0, "A", "East", "a") for m in (1, 2, 3)])
    out = TR.respread_remaining(targets, orders, as_of="2025-03-31", reps=REPS)
    replanned = TR.apply_respread(targets, out)
    unchanged = TR.apply_respread(targets, out.iloc[0:0])  # the plan itself, sorted
    pd.testing.assert_frame_equal(replanned[replanned["month"] < MONTHS[3]].reset_index(drop=True),
                                  unchanged[unchanged["month"] < MONTHS[3]].reset_index(drop=True))
    assert replanned.loc[replanned["dimension"] == "total", "target"].sum() == 300 + 960
    diff = TR.diff_targets(targets, replanned)
    changes = TR.summarize_changes(out)
    assert len(diff) == len(changes)
    assert diff["change"].tolist() == changes["change"].tolist()


def test_summaries_treat_a_vacant_seat_as_a_seat_not_the_weakest_rep():
    comparison = pd.DataFrame({
        "dimension": ["total", "rep", "rep"],
        "segment": ["Total", "a", TR.VACANT_REP],
        "annual_target": [1200.0, 600.0, 600.0],
        "plan_to_date": [200.0, 100.0, 100.0],
        "actual": [90.0, 90.0, 0.0],
        "attainment": [0.45, 0.9, 0.0],
        "status": ["red", "amber", "red"],
        "projection": [540.0, 540.0, 0.0],
        "projected_attainment": [0.45, 0.9, 0.0],
    })
    text = TR.summarize_tracking(comparison)
    assert "weakest rep: a (90.0%, amber)" in text
    assert "100 of the plan to date sits with no rep (a vacant seat" in text
    checks = pd.DataFrame({
        "owner_type": ["rep", "rep"], "owner": ["a", TR.VACANT_REP], "period": ["2025-01", "2025-01"],
        "cumulative_target": [100.0, 100.0], "attainment": [0.9, 0.0], "status": ["missed", "missed"],
    })
    text = TR.summarize_checkpoints(checks)
    assert "missed: rep a 2025-01 (90.0% of 100)" in text and "1 more belong to a vacant seat" in text


def test_year_end_summaries_of_an_empty_respread():
    empty = pd.DataFrame(columns=["dimension", "segment", "month", "before", "after", "change"])
    assert TR.summarize_target_changes(empty) == "No target changed: no open month left to re-spread."
    text, table = TR.respread_by_month(pd.DataFrame(columns=["dimension", "segment", "month", "target"]))
    assert text.startswith("The plan year is closed") and table.empty


def test_respread_by_month_checks_every_dimension():
    months = pd.to_datetime(["2025-11-01", "2025-12-01"])
    respread = pd.DataFrame({"dimension": ["total", "total", "region", "region", "region", "region"],
                             "segment": ["Total", "Total", "E", "E", "W", "W"],
                             "month": [months[0], months[1]] * 3, "target": [10, 20, 4, 8, 6, 12]})
    text, table = TR.respread_by_month(respread)
    assert text == "Re-spread remaining target 30 over 2 open months; every dimension adds up to the month totals exactly: True."
    off = respread.assign(target=respread["target"].where(respread.index != 5, 13))
    assert TR.respread_by_month(off)[0].endswith("exactly: False.")


def test_a_planned_hire_seat_is_a_seat_to_fill_not_a_rep_who_missed():
    """04's hiring plan adds seats that carry quota; until the hire sells (under their own name) they are seats to fill."""
    from planlib.tracking.checkpoints import check_checkpoints, summarize_checkpoints

    checkpoints = pd.DataFrame({"owner_type": ["rep", "rep"], "owner": ["R1", "(hire) East 1"], "period": ["2025-01", "2025-01"],
                                "cumulative_target": [100.0, 50.0], "share_of_annual": [0.1, 0.1]})
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-10"]), "order_id": ["o1"], "customer_id": ["c1"],
                           "revenue": [40.0], "rep": ["R1"], "region": ["East"]})
    checks = check_checkpoints(checkpoints, orders, as_of="2025-02-28").set_index("owner")
    assert checks.loc["R1", "status"] == "missed" and checks.loc["(hire) East 1", "status"] == "seat to fill"
    line = summarize_checkpoints(checks.reset_index())
    assert line.startswith("0 of 2 checkpoints due are met; missed: rep R1 2025-01 (40.0% of 100)")
    assert line.endswith("; 1 belong to planned hire seats not yet selling (50 of quota due; see the hiring plan).")
