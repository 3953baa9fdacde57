"""Tests of the actions stage (planlib.actions) on tiny frames with hand-checkable answers.

Plan year 2025 (history 2023-2024) unless a test says otherwise; plus properties: the
funnel always covers its target and is minimal, the capacity levers always close an
infeasible month, the budget split always adds up exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from planlib import actions as A
from planlib import charts
from planlib.errors import DataError, ParamsError
from planlib.plan import ActionsSpec, load_plan, validate_plan

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONTHS = pd.date_range("2025-01-01", periods=12, freq="MS")


def line(date, order, customer, revenue, *, product_line="X", region="N", channel="direct", rep="r1"):
    return {"order_date": pd.Timestamp(date), "order_id": order, "customer_id": customer, "revenue": float(revenue),
            "product_line": product_line, "region": region, "channel": channel, "rep": rep}


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for column in ("order_id", "customer_id", "product_line", "region", "channel", "rep"):
        out[column] = out[column].astype("category")
    return out


def rep_targets(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rep", "region", "month", "target"])


def funnel_for(target, *, deal_size=1.0, win=1.0, ppv=1.0, vpl=1.0, rep="r1", region="N") -> pd.DataFrame:
    return A.plan_funnel(rep_targets([(rep, region, MONTHS[0], target)]), deal_size=deal_size, win_rate=win,
                         proposal_per_visit=ppv, visits_per_lead=vpl)


# =========================================================================== funnel


def test_funnel_chain_by_hand():
    funnel = funnel_for(10_000, deal_size=1_000, win=0.25, ppv=0.30, vpl=1.5)
    row = funnel.iloc[0]
    assert (row["deals"], row["proposals"], row["visits"], row["leads"]) == (10, 40, 134, 90)
    assert row["funnel_revenue"] == 10_000
    assert row["deal_size_source"] == "params" and row["rate_source"] == "params"


def test_the_house_line_gets_no_funnel_and_its_target_is_stated():
    """Sales no rep sells (web shop) are their own line: nobody visits for them."""
    targets = rep_targets([("r1", "N", MONTHS[0], 10_000), ("(house)", "(several)", MONTHS[0], 50_000)])
    funnel = A.plan_funnel(targets, deal_size=1_000, win_rate=0.5, proposal_per_visit=0.5, visits_per_lead=1.0)
    assert funnel["rep"].tolist() == ["r1"]
    assert funnel.attrs["house_target"] == 50_000


def test_funnel_rounds_every_step_up():
    row = funnel_for(10_001, deal_size=1_000, win=0.25, ppv=0.30, vpl=1.5).iloc[0]
    assert row["deals"] == 11 and row["proposals"] == 44 and row["visits"] == 147 and row["leads"] == 98
    assert row["funnel_revenue"] >= 10_001


def test_funnel_ignores_float_noise_in_ceilings():
    # 0.7 / 0.1 is 6.999999999999999 in floats: must give 7, not 8 (or 6)
    row = funnel_for(0.7, deal_size=0.1).iloc[0]
    assert row["deals"] == 7


def test_zero_and_negative_targets_need_no_activity():
    funnel = A.plan_funnel(rep_targets([("r1", "N", MONTHS[0], 0), ("r1", "N", MONTHS[1], -50)]), deal_size=10)
    assert funnel[["deals", "proposals", "visits", "leads"]].to_numpy().sum() == 0
    assert A.check_funnel(funnel)["ok"].all()


def deal_size_orders() -> pd.DataFrame:
    rows = [line("2023-06-01", "old", "c9", 10_000, rep="r1")]  # outside the last 12 months
    rows += [line(f"2024-{m:02d}-05", f"a{m}", "c1", 100, rep="r1") for m in range(1, 11)]
    rows += [line("2024-11-20", "ret", "c1", -50, rep="r1")]  # a return: less revenue, not an order
    rows += [line("2024-03-01", "b1", "c2", 300, rep="r2"), line("2024-04-01", "b2", "c2", 300, rep="r2")]
    rows += [line("2024-05-01", "w1", "c3", 500, rep="r3", region="W")]
    return frame(rows)


def test_deal_size_falls_back_from_rep_to_region_to_company():
    targets = rep_targets([("r1", "N", MONTHS[0], 1_000), ("r2", "N", MONTHS[0], 1_000),
                           ("r3", "W", MONTHS[0], 1_000), ("r4", "E", MONTHS[0], 1_000)])
    funnel = A.plan_funnel(targets, deal_size_orders(), min_orders=10).set_index("rep")
    assert funnel.loc["r1", "deal_size"] == pytest.approx(950 / 10)
    assert funnel.loc["r2", "deal_size"] == pytest.approx(1_550 / 12)
    assert funnel.loc["r3", "deal_size"] == pytest.approx(2_050 / 13)
    assert funnel.loc["r4", "deal_size"] == pytest.approx(2_050 / 13)
    assert funnel.loc[["r1", "r2", "r3", "r4"], "deal_size_source"].tolist() == ["rep", "region", "company", "company"]


def test_rep_fallback_deal_size_ignores_orders_nobody_sold():
    # AdventureWorks: web-shop orders carry no sales person and are far smaller than reseller orders
    orders = deal_size_orders()
    web = frame([line(f"2024-{m:02d}-09", f"web{m}", "c7", 5, rep=None) for m in range(1, 13)])
    funnel = A.plan_funnel(rep_targets([("r2", "N", MONTHS[0], 1_000)]), pd.concat([orders, web], ignore_index=True),
                           min_orders=10).set_index("rep")
    assert funnel.loc["r2", "deal_size"] == pytest.approx(1_550 / 12)  # not dragged down to (1_550 + 60) / 24


def test_deal_size_from_params_without_history_and_error_without_params():
    targets = rep_targets([("r1", "N", MONTHS[0], 1_000)])
    assert A.plan_funnel(targets, deal_size=250)["deals"].iat[0] == 4
    with pytest.raises(ParamsError, match="actions.deal_size"):
        A.plan_funnel(targets)


def test_rates_table_overrides_params_per_rep():
    targets = rep_targets([("r1", "N", MONTHS[0], 100), ("r2", "N", MONTHS[0], 100)])
    rates = pd.DataFrame({"rep": ["r2"], "win_rate": [0.5]})
    funnel = A.plan_funnel(targets, deal_size=10, win_rate=0.25, rates=rates).set_index("rep")
    assert funnel.loc["r1", "proposals"] == 40 and funnel.loc["r2", "proposals"] == 20
    assert funnel.loc["r2", "rate_source"] == "rates table" and funnel.loc["r1", "rate_source"] == "params"


def test_funnel_errors_name_the_column_and_the_parameter():
    with pytest.raises(DataError, match=r"lacks column\(s\) \['target'\]"):
        A.plan_funnel(pd.DataFrame({"rep": ["r1"], "region": ["N"], "month": [MONTHS[0]]}), deal_size=1)
    with pytest.raises(ParamsError, match="'win_rate' parameter of plan_funnel must be > 0 and <= 1; got 1.5"):
        funnel_for(100, win=1.5)


def test_funnel_does_not_mutate_inputs():
    targets = rep_targets([("r1", "N", "2025-01-15", 1_000)])
    orders = deal_size_orders()
    before_t, before_o = targets.copy(), orders.copy()
    A.plan_funnel(targets, orders)
    pd.testing.assert_frame_equal(targets, before_t)
    pd.testing.assert_frame_equal(orders, before_o)


@PROPERTY
@given(
    target=st.floats(0, 5e7, allow_nan=False),
    size=st.floats(1, 1e5, allow_nan=False),
    win=st.floats(0.01, 1),
    ppv=st.floats(0.01, 1),
    vpl=st.floats(0.1, 20),
)
def test_funnel_covers_its_target_and_is_minimal(target, size, win, ppv, vpl):
    funnel = funnel_for(target, deal_size=size, win=win, ppv=ppv, vpl=vpl)
    assert A.check_funnel(funnel)["ok"].all()
    r = funnel.iloc[0]
    # one fewer at any step would no longer be enough
    assert r["deals"] == 0 or (r["deals"] - 1) * size < target * (1 + 1e-9)
    assert r["proposals"] == 0 or (r["proposals"] - 1) * win < r["deals"] * (1 + 1e-9)
    assert r["visits"] == 0 or (r["visits"] - 1) * ppv < r["proposals"] * (1 + 1e-9)
    assert r["leads"] == 0 or (r["leads"] - 1) * vpl < r["visits"] * (1 + 1e-9)


def test_check_funnel_catches_a_short_funnel():
    funnel = funnel_for(1_000, deal_size=100)
    funnel.loc[0, "deals"] = 9
    check = A.check_funnel(funnel)
    assert not check["revenue_ok"].iat[0] and not check["ok"].iat[0]


# =========================================================================== capacity


def test_month_exactly_at_capacity_is_feasible_one_visit_over_is_not():
    funnel = pd.concat([funnel_for(60), funnel_for(61)], ignore_index=True)
    funnel["month"] = MONTHS[:2]
    check = A.check_capacity(funnel, max_visits_per_rep_month=60)
    assert list(check["visits"]) == [60, 61]
    assert list(check["feasible"]) == [True, False]
    assert list(check["visits_over"]) == [0, 1]
    assert list(check["extra_reps"]) == [0, 1]
    assert check["note"].iat[0] == "" and "1 visits over capacity 60" in check["note"].iat[1]
    assert math.isnan(check["required_win_rate"].iat[0])


def test_capacity_levers_by_hand():
    # target 1000, deal size 10 -> 100 deals -> 400 proposals (25%) -> 1334 visits (30%); capacity 100
    funnel = funnel_for(1_000, deal_size=10, win=0.25, ppv=0.30)
    check = A.check_capacity(funnel, max_visits_per_rep_month=100).iloc[0]
    assert check["visits"] == 1334 and not check["feasible"]
    assert check["extra_reps"] == 13  # ceil(1234 / 100)
    assert check["required_proposal_per_visit"] == pytest.approx(400 / 100)  # > 1: impossible alone
    assert check["required_win_rate"] == pytest.approx(100 / 30)  # P_max = floor(100 * 0.3) = 30
    assert check["required_deal_size"] == pytest.approx(1_000 / 7)  # D_max = floor(30 * 0.25) = 7
    assert "win rate" not in check["note"] and "deal size 143" in check["note"]


def test_capacity_from_reps_table_with_default_vacancy_and_part_month():
    funnel = pd.concat([funnel_for(10, rep=r) for r in ("r1", "r2", "r3", "(vacant)")], ignore_index=True)
    reps = pd.DataFrame({"rep": ["r1", "r2", "r3"], "capacity": [80, np.nan, 62],
                         "hire_date": pd.to_datetime([None, None, "2025-01-17"]),
                         "leave_date": pd.to_datetime([None, None, None])})
    check = A.check_capacity(funnel, reps, max_visits_per_rep_month=50).set_index("rep")
    assert check.loc["r1", "capacity"] == 80 and check.loc["r1", "capacity_source"] == "reps table"
    assert check.loc["r2", "capacity"] == 50 and check.loc["r2", "capacity_source"] == "params"
    assert check.loc["r3", "presence"] == pytest.approx(15 / 31) and check.loc["r3", "capacity"] == 30
    assert check.loc["(vacant)", "capacity"] == 0 and not check.loc["(vacant)", "feasible"]
    assert check.loc["(vacant)", "extra_reps"] == 1  # one hire at the params capacity
    assert math.isinf(check.loc["(vacant)", "required_win_rate"])


@PROPERTY
@given(
    target=st.integers(1, 2_000_000),
    size=st.floats(50, 20_000),
    win=st.floats(0.05, 0.9),
    ppv=st.floats(0.05, 0.9),
    cap=st.integers(1, 200),
)
def test_each_capacity_lever_alone_closes_the_month(target, size, win, ppv, cap):
    funnel = funnel_for(target, deal_size=size, win=win, ppv=ppv)
    check = A.check_capacity(funnel, max_visits_per_rep_month=cap).iloc[0]
    visits = int(check["visits"])
    assert check["feasible"] == (visits <= cap)
    if check["feasible"]:
        return
    extra = int(check["extra_reps"])
    assert visits <= cap * (1 + extra) and visits > cap * extra
    for lever, kwargs in (("required_win_rate", {"win": check["required_win_rate"], "ppv": ppv}),
                          ("required_proposal_per_visit", {"win": win, "ppv": check["required_proposal_per_visit"]})):
        if check[lever] <= 1:
            assert funnel_for(target, deal_size=size, **kwargs)["visits"].iat[0] <= cap, lever
    if math.isfinite(check["required_deal_size"]):
        again = funnel_for(target, deal_size=check["required_deal_size"], win=win, ppv=ppv)
        assert again["visits"].iat[0] <= cap


def test_summarize_capacity():
    funnel = pd.concat([funnel_for(60), funnel_for(70)], ignore_index=True)
    funnel["month"] = MONTHS[:2]
    text = A.summarize_capacity(A.check_capacity(funnel, max_visits_per_rep_month=60))
    assert text.startswith("1 of 2 rep-months (1 rep(s)) need more visits than capacity; 10 visits short")
    assert A.summarize_capacity(A.check_capacity(funnel_for(30), max_visits_per_rep_month=60)).startswith(
        "All 1 rep-months fit")


# =========================================================================== calendar


@pytest.mark.parametrize("year, day", [(2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06")])
def test_cny_date_per_year(year, day):
    assert A.lookup_cny_date(year) == pd.Timestamp(day)
    spec = ActionsSpec(promotions=[{"name": "CNY", "anchor": "cny", "start_offset": -3, "end_offset": 2,
                                    "awareness": True}])
    orders = frame([line(f"{year - 1}-03-01", "o1", "c1", 100)])
    calendar = A.build_action_calendar(orders, plan_year=year, baseline=1_000, spec=spec)
    row = calendar.iloc[0]
    assert row["purpose"] == "awareness"
    assert row["start"] == pd.Timestamp(day) - pd.Timedelta(days=3)
    assert row["end"] == pd.Timestamp(day) + pd.Timedelta(days=2)
    assert row["expected_revenue"] == 0 and "no history year" in row["effect_rule"]


def test_cny_outside_the_holidays_library_is_a_params_error():
    assert A.lookup_cny_date(2040) == pd.Timestamp("2040-02-12")  # beyond the old hand-kept table (2010-2035)
    with pytest.raises(ParamsError, match="no Spring Festival date for 2101: the holidays library covers 1950-2100"):
        A.lookup_cny_date(2101)


def daily_orders(spikes: dict[str, float], start="2023-01-01", end="2024-12-31") -> pd.DataFrame:
    """One line of 100 a day; on the MM-DD days of ``spikes`` the revenue given instead."""
    days = pd.date_range(start, end, freq="D")
    revenue = [spikes.get(d.strftime("%m-%d"), 100.0) for d in days]
    return frame([line(d, f"o{i}", f"c{i % 7}", r) for i, (d, r) in enumerate(zip(days, revenue))])


def test_promotion_uplift_against_neighbouring_weeks():
    spikes = {"06-16": 200.0, "06-17": 200.0, "06-18": 200.0, "06-08": 500.0, "06-09": 500.0, "06-10": 500.0}
    promos = [ActionsSpec.Promotion(name="618", anchor="06-18", start_offset=-2, end_offset=0),
              ActionsSpec.Promotion(name="early", anchor="06-10", start_offset=-2, end_offset=0)]
    m = A.measure_promotion_uplift(daily_orders(spikes), promos, plan_year=2025, neighbour_days=14)
    m618 = m[m["promotion"] == "618"].set_index("year")
    assert list(m618.index) == [2023, 2024]
    # the other promotion's window (Jun 8-10) is left out of the neighbours: 28 - 3 days
    assert list(m618["neighbour_days"]) == [25, 25]
    assert m618["uplift"].tolist() == pytest.approx([1.0, 1.0])
    assert m618["excess"].tolist() == pytest.approx([300.0, 300.0])
    year_2023 = 365 * 100 + 3 * 100 + 3 * 400
    assert m618.loc[2023, "excess_share"] == pytest.approx(300 / year_2023)

    spec = ActionsSpec(promotions=promos, budget=1_000)
    calendar = A.build_action_calendar(daily_orders(spikes), plan_year=2025, baseline=1e6, spec=spec)
    row = calendar.set_index("action").loc["618"]
    share = np.mean(m618["excess_share"])
    assert row["expected_revenue"] == pytest.approx(round(share * 1e6))
    assert row["start"] == pd.Timestamp("2025-06-16") and row["end"] == pd.Timestamp("2025-06-18")
    assert bool(row["in_baseline"]) and "2023, 2024" in row["effect_rule"]


def test_promotion_without_uplift_counts_nothing():
    spikes = {"06-18": 10.0}
    promos = [ActionsSpec.Promotion(name="flop", anchor="06-18")]
    calendar = A.build_action_calendar(daily_orders(spikes), plan_year=2025, baseline=1e6,
                                       spec=ActionsSpec(promotions=promos))
    # a promotion expected to bring nothing is left out of the calendar, and the reason is kept
    assert calendar.empty and "no uplift measured" in calendar.attrs["dropped"][0]
    kept = A.build_action_calendar(daily_orders(spikes), plan_year=2025, baseline=1e6,
                                   spec=ActionsSpec(promotions=[promos[0].model_copy(update={"awareness": True})]))
    assert kept["expected_revenue"].iat[0] == 0 and "no uplift measured" in kept["effect_rule"].iat[0]


def test_promotion_on_a_channel_measures_that_channel():
    orders = daily_orders({})
    extra = frame([line(f"{y}-11-11", f"e{y}", "c1", 1_000, channel="e-commerce") for y in (2023, 2024)]
                  + [line(f"{y}-11-{d:02d}", f"n{y}{d}", "c1", 10, channel="e-commerce")
                     for y in (2023, 2024) for d in range(1, 31) if d != 11])
    both = pd.concat([orders.astype({c: str for c in ("order_id", "customer_id", "channel")}),
                      extra.astype({c: str for c in ("order_id", "customer_id", "channel")})], ignore_index=True)
    promos = [ActionsSpec.Promotion(name="D11", anchor="11-11", channel="e-commerce")]
    m = A.measure_promotion_uplift(both, promos, plan_year=2025, neighbour_days=5)
    assert (m["scope"] == "channel e-commerce").all()
    assert m["uplift"].tolist() == pytest.approx([99.0, 99.0])  # 1000 a day vs 10 a day
    assert m["excess"].tolist() == pytest.approx([990.0, 990.0])


def customer_orders() -> pd.DataFrame:
    rows = [line("2023-02-01", "o1", "a", 100), line("2023-03-01", "o2", "b", 100),
            line("2024-02-01", "o3", "a", 100),
            line("2024-03-01", "o4", "c", 60), line("2024-09-01", "o5", "c", 40),
            line("2024-05-01", "o6", "d", 300)]
    return frame(rows)


def test_new_customer_drives_sized_from_customers_needed():
    spec = ActionsSpec(promotions=[], new_customer_budget_share=0.2, launch_budget_share=0, budget=1_001)
    calendar = A.build_action_calendar(customer_orders(), plan_year=2025, baseline=1e6, new_customers_needed=10,
                                       spec=spec)
    drives = calendar[calendar["action_type"] == "new_customers"]
    assert list(drives["action"]) == [f"New-customer drive Q{q}" for q in range(1, 5)]
    assert list(drives["kpi"].str.split().str[0]) == ["3", "3", "2", "2"]
    # (10 needed - 2 won in 2024) x first-year value (60 + 40 + 300) / 2 = 1600, by customers
    assert drives["expected_revenue"].tolist() == [480.0, 480.0, 320.0, 320.0]
    assert drives["budget"].sum() == round(0.2 * 1_001) and not drives["in_baseline"].any()
    assert list(drives["start"].dt.month) == [1, 4, 7, 10] and list(drives["end"].dt.day) == [31, 30, 30, 31]


def test_launches_of_strategic_lines():
    rows = [line("2023-01-05", "first", "z", 1, product_line="Z")]  # the data start before Old's launch
    rows += [line(f"2023-{m:02d}-10", f"x{m}", "a", 100, product_line="Old") for m in range(3, 13)]
    rows += [line(f"2024-{m:02d}-10", f"y{m}", "a", 100, product_line="Old") for m in range(1, 3)]
    rows += [line("2024-03-10", "late", "a", 999, product_line="Old")]  # after Old's first 12 months
    rows += [line("2023-06-01", "s1", "b", 100, product_line="Sens"), line("2024-06-01", "s2", "b", 250,
                                                                          product_line="Sens")]
    lines = pd.DataFrame({"product_line": ["Old", "Sens", "NewS", "Later"],
                          "role": ["mature", "strategic", "strategic", "strategic"],
                          "launch_date": pd.to_datetime(["2023-03-01", "2022-05-01", "2025-07-01", "2026-03-01"])})
    spec = ActionsSpec(promotions=[], budget=1_000, launch_budget_share=0.3)
    calendar = A.build_action_calendar(frame(rows), plan_year=2025, baseline=1e6, product_lines=lines, spec=spec)
    launches = calendar[calendar["action_type"] == "launch"].set_index("action")
    assert list(launches.index) == ["Strategic push Sens (launch anniversary)", "Launch NewS"]
    push, launch = launches.iloc[0], launches.iloc[1]
    assert push["start"] == pd.Timestamp("2025-05-01") and push["expected_revenue"] == 150
    assert bool(push["in_baseline"]) and push["owner"] == "product manager Sens"
    assert launch["start"] == pd.Timestamp("2025-07-01") and not launch["in_baseline"]
    assert launch["expected_revenue"] == round(1_200 * 184 / 365)
    assert launch["end"] == pd.Timestamp("2025-09-28")
    assert launches["budget"].tolist() == [150, 150]


def test_events_valued_through_the_funnel():
    spec = ActionsSpec(promotions=[], budget=500, win_rate=0.25, proposal_per_visit=0.3, visits_per_lead=1.5,
                       events=[{"name": "Expo", "start": "2025-04-10", "end": "2025-04-12", "owner": "East",
                                "budget": 200, "leads": 100}])
    calendar = A.build_action_calendar(customer_orders(), plan_year=2025, baseline=1e6, spec=spec)
    row = calendar.iloc[0]
    aov = 500 / 4  # last 12 months: orders o3..o6
    assert row["expected_revenue"] == round(100 * 1.5 * 0.3 * 0.25 * aov)
    assert row["budget"] == 200 and row["owner"] == "East" and row["kpi"] == "100 qualified leads"
    assert row["milestones"].startswith("2025-02-27: booth / content booked")


def test_calendar_budget_cannot_exceed_the_budget():
    spec = ActionsSpec(promotions=[{"name": "p", "anchor": "06-18", "budget_share": 0.5, "awareness": True}],
                       budget=1_000, events=[{"name": "Expo", "start": "2025-04-10", "end": "2025-04-12", "budget": 600,
                                              "leads": 5}])
    with pytest.raises(ParamsError, match="the actions cost 1,100 but actions.budget is 1,000"):
        A.build_action_calendar(customer_orders(), plan_year=2025, baseline=1e6, spec=spec)


def test_calendar_has_every_field_and_does_not_mutate_orders():
    orders = daily_orders({"06-18": 300.0})
    before = orders.copy()
    promotions = [p.model_copy(update={"awareness": True}) for p in ActionsSpec(calendar="cn_retail").promotions]
    calendar = A.build_action_calendar(orders, plan_year=2025, baseline=1e6, new_customers_needed=4,
                                       spec=ActionsSpec(budget=100_000, promotions=promotions))
    pd.testing.assert_frame_equal(orders, before)
    # every customer bought before: no first-year value to measure, so the four drives are left out
    assert [d.split(":")[0] for d in calendar.attrs["dropped"]] == [f"New-customer drive Q{q}" for q in (1, 2, 3, 4)]
    assert list(calendar.columns) == ["action_type", "action", "owner", "start", "end", "milestones", "budget",
                                      "expected_revenue", "kpi", "effect_rule", "in_baseline", "purpose"]
    assert calendar["start"].is_monotonic_increasing
    assert (calendar["start"] <= calendar["end"]).all()
    assert calendar[["action", "owner", "milestones", "kpi", "effect_rule"]].ne("").all().all()
    assert calendar["budget"].sum() == round(100_000 * 0.45)  # the promotions (the drives' share stays in the pool)


# =========================================================================== customers and channels


def abc_classes() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"], "revenue": [500.0, 300.0, 150.0, -20.0],
                         "rank": [1, 2, 3, 4], "share": [0.54, 0.32, 0.16, -0.02],
                         "cumulative_share": [0.52, 0.84, 1.0, 1.0], "abc_class": ["A", "A", "B", "C"]})


def service_orders() -> pd.DataFrame:
    rows = [line("2024-01-05", "o1", "c1", 300, product_line="X", rep="r1"),
            line("2024-02-05", "o2", "c1", 200, product_line="Y", rep="r2"),
            line("2024-02-05", "o2b", "c1", 100, product_line="Y", rep="r2"),
            line("2024-03-05", "o3", "c2", 300, product_line="X", rep="r2"),
            line("2024-04-05", "o4", "c3", 100, product_line="X", rep="r1"),
            line("2024-05-05", "o5", "c3", 50, product_line="X", rep="r1"),
            line("2024-06-05", "o6", "c4", -20, product_line="X", rep="r1"),
            line("2023-06-05", "o7", "c2", 999, product_line="Y", rep="r1")]  # not in the year
    return frame(rows)


def test_service_levels_default_per_class():
    plan = A.plan_service_levels(abc_classes(), service_orders(), year=2024).set_index("abc_class")
    assert list(plan.index) == ["A", "B", "C"]
    assert plan["owner"].tolist() == ["key account manager", "rep", "inside sales / e-commerce"]
    assert plan["visits_per_month"].tolist() == [4.0, 2.0, 0.0]
    assert plan["customers"].tolist() == [2, 1, 1]
    assert plan.loc["A", "visits_per_year"] == 2 * 4 * 12
    # repurchase: c1 3 orders, c2 1 -> 50%; c3 2 orders -> 100%; c4 only a return -> 0%
    assert plan["repurchase_rate"].tolist() == [0.5, 1.0, 0.0]
    assert plan["repurchase_target"].tolist() == pytest.approx([0.55, 1.0, 0.05])
    assert plan["repeat_customers_target"].tolist() == [2, 1, 1]
    # cross-sell: c1 buys X and Y -> A 50%; c3 only X -> B 0%
    assert plan["cross_sell_rate"].tolist() == [0.5, 0.0, 0.0]
    assert plan["cross_sell_customers_target"].tolist() == [2, 1, 1]


def test_service_levels_from_params_and_unknown_class():
    spec = ActionsSpec(service_levels={"A": {"visits_per_month": 8, "owner": "KAM"},
                                       "B": {"visits_per_month": 1, "owner": "rep"},
                                       "C": {"visits_per_month": 0.25, "owner": "e-shop"}},
                       repurchase_uplift=0.1)
    plan = A.plan_service_levels(abc_classes(), service_orders(), year=2024, spec=spec).set_index("abc_class")
    assert plan["visits_per_month"].tolist() == [8.0, 1.0, 0.25] and plan.loc["C", "visits_per_year"] == 3
    assert plan.loc["A", "repurchase_target"] == pytest.approx(0.6)
    bad = abc_classes().assign(abc_class=["A", "A", "B", "D"])
    with pytest.raises(ParamsError, match=r"no service level for class\(es\) \['D'\]"):
        A.plan_service_levels(bad, service_orders(), year=2024)


def test_assign_service_levels_with_main_rep():
    table = A.assign_service_levels(abc_classes(), service_orders(), year=2024).set_index("customer_id")
    assert table.loc["c1", "owner"] == "key account manager" and table.loc["c1", "rep"] == "r1"  # 300 vs 300: r1
    assert table.loc["c2", "rep"] == "r2" and table.loc["c4", "visits_per_month"] == 0


def long_targets(months=MONTHS) -> pd.DataFrame:
    rows = []
    for m in months:
        rows += [("total", "Total", m, 100), ("month", "Total", m, 100),
                 ("region", "N", m, 60), ("region", "W", m, 40),
                 ("channel", "direct", m, 70), ("channel", "partner", m, 30),
                 ("rep", "r1", m, 60), ("rep", "r2", m, 40)]
    return pd.DataFrame(rows, columns=["dimension", "segment", "month", "target"])


def growth_orders() -> pd.DataFrame:
    rows = [line("2023-05-01", "a", "c1", 100, region="N", channel="direct"),
            line("2023-06-01", "b", "c2", 100, region="W", channel="partner"),
            line("2024-05-01", "c", "c1", 100, region="N", channel="direct"),
            line("2024-06-01", "d", "c2", 150, region="W", channel="partner")]
    return frame(rows)


def test_budget_split_by_target_share_and_growth_index():
    split = A.split_budget(long_targets(), growth_orders(), budget=1_001, dimensions=["region"])
    s = split.set_index("segment")
    # shares 0.6 / 0.4; growth N 1.0, W 1.5, company 1.25 -> index 0.8 / 1.2 -> equal weights
    assert s["growth_index"].tolist() == pytest.approx([0.8, 1.2])
    assert s["weight"].tolist() == pytest.approx([0.5, 0.5])
    assert s["budget"].tolist() == [501, 500]  # largest remainder, tie to the first
    plain = A.split_budget(long_targets(), budget=1_000, dimensions=["region", "channel"])
    assert plain.set_index("segment")["budget"].to_dict() == {"N": 600, "W": 400, "direct": 700, "partner": 300}
    assert (plain["growth_index"] == 1).all()


@PROPERTY
@given(targets=st.lists(st.integers(0, 10_000_000), min_size=1, max_size=8),
       budget=st.floats(0, 1e8, allow_nan=False), tilt=st.floats(0, 3))
def test_budget_split_adds_up_exactly(targets, budget, tilt):
    if sum(targets) == 0:
        targets = [*targets[:-1], 1]
    rows = [("region", f"S{i}", MONTHS[0], t) for i, t in enumerate(targets)]
    long = pd.DataFrame(rows, columns=["dimension", "segment", "month", "target"])
    orders = frame([line("2023-06-01", f"o{i}", "c", 10 * (i + 1), region=f"S{i}") for i in range(len(targets))]
                   + [line("2024-06-01", f"p{i}", "c", 7 * (i + 2), region=f"S{i}") for i in range(len(targets))])
    split = A.split_budget(long, orders, budget=budget, dimensions=["region"], index_weight=tilt)
    assert split["budget"].sum() == math.floor(budget + 0.5)
    assert (split["budget"] >= 0).all()


def test_channel_support_from_budget_split():
    split = A.split_budget(long_targets(), growth_orders(), budget=1_000)
    support = A.plan_channel_support(long_targets(), split).set_index("channel")
    assert support["target"].tolist() == [840, 360] and support["target_share"].sum() == pytest.approx(1)
    assert support["support_budget"].sum() == 1_000
    assert support.loc["partner", "support"] == "partner enablement and joint visits"
    assert support.loc["direct", "budget_per_target"] == pytest.approx(support.loc["direct", "support_budget"] / 840)
    with pytest.raises(DataError, match="no 'channel' rows"):
        A.plan_channel_support(long_targets().query("dimension != 'channel'"))


# =========================================================================== checkpoints


def test_checkpoints_reach_the_annual_target_in_december():
    targets = long_targets()
    targets.loc[(targets["segment"] == "N") & (targets["month"] == MONTHS[11]), "target"] = 90  # N: 750 a year
    cp = A.build_checkpoints(targets)
    assert list(cp.columns) == ["owner_type", "owner", "period_type", "period", "period_end", "target",
                                "cumulative_target", "share_of_annual"]
    assert list(cp["owner_type"].unique()) == ["company", "region", "channel", "rep"]
    n = cp[(cp["owner_type"] == "region") & (cp["owner"] == "N")].set_index("period")
    assert n.loc["2025-03", "cumulative_target"] == 180 and n.loc["2025-03", "share_of_annual"] == pytest.approx(0.24)
    assert n.loc["2025-Q1", "cumulative_target"] == 180 and n.loc["2025-Q4", "target"] == 210
    for _, group in cp.groupby(["owner_type", "owner", "period_type"]):
        last = group.sort_values("period_end").iloc[-1]
        assert last["cumulative_target"] == group["target"].sum()
        assert last["share_of_annual"] == pytest.approx(1.0)
        assert last["period"] in ("2025-12", "2025-Q4")
    company = cp[cp["owner_type"] == "company"]
    assert company["owner"].unique().tolist() == ["Total"]
    assert company.loc[company["period"] == "2025-12", "cumulative_target"].iat[0] == 1_200
    assert n.loc["2025-06", "period_end"] == pd.Timestamp("2025-06-30")


def test_checkpoints_skip_absent_owner_types_and_fail_with_none():
    targets = long_targets().query("dimension in ['month', 'region']")
    cp = A.build_checkpoints(targets)
    assert set(cp["owner_type"]) == {"company", "region"}
    with pytest.raises(DataError, match="none of the owner types"):
        A.build_checkpoints(targets, owner_types=["channel"])


def test_review_cadence_from_params():
    cadence = A.build_review_cadence()
    assert cadence["cadence"].tolist() == ["weekly", "monthly", "quarterly"]
    assert cadence[["who", "what", "metric", "when"]].ne("").all().all()
    spec = ActionsSpec(review_cadence=[{"cadence": "quarterly", "who": "board", "what": "q", "metric": "m"},
                                       {"cadence": "weekly", "who": "reps", "what": "w", "metric": "m"}])
    assert A.build_review_cadence(spec=spec)["who"].tolist() == ["reps", "board"]


# =========================================================================== params and charts


def test_actions_params_defaults_and_validation(project_root):
    assert ActionsSpec().promotions == ()  # no calendar named, no promotions
    spec = ActionsSpec(calendar="cn_retail")
    assert [p.name for p in spec.promotions] == ["Spring Festival stocking push", "618 mid-year festival",
                                                 "Double 11 festival", "Year-end push"]
    assert spec.service_levels["A"].owner == "key account manager"
    plan = load_plan(project_root / "params" / "demo.yaml")
    assert plan.actions.events[0].leads == 120 and plan.actions.budget == 3_000_000
    for bad, message in (
        ({"launch_budget_share": 0.9}, "must not sum to more than 1"),
        ({"promotions": [{"name": "x", "anchor": "13-45"}]}, "must be 'cny' or a day as MM-DD"),
        ({"promotions": [{"name": "x", "anchor": "cny", "start_offset": 3, "end_offset": 1}]}, "start_offset"),
        ({"events": [{"name": "x", "start": "2025-05-02", "end": "2025-05-01"}]}, "start must not be after end"),
    ):
        with pytest.raises(ParamsError, match=message):
            validate_plan({"plan": "t", "plan_year": 2025, "actions": bad})


def test_action_charts_are_figures():
    calendar = pd.DataFrame({"action_type": ["promotion", "new_customers"], "action": ["p", "n"], "budget": [10, 20],
                             "expected_revenue": [40.0, 60.0], "in_baseline": [True, False]})
    fig = charts.plot_gap_closure(A.build_gap_ledger(calendar, target=1_120, baseline=1_000))
    assert isinstance(fig, Figure) and "60 of the gap remains open" in fig.axes[0].get_title()
    funnel = pd.concat([funnel_for(60), funnel_for(70)], ignore_index=True)
    fig = charts.plot_capacity(A.check_capacity(funnel, max_visits_per_rep_month=60))
    assert isinstance(fig, Figure) and "1 of 2 rep-months" in fig.axes[0].get_title()
