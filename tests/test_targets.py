"""Tests of the targets stage (planlib.targets) on tiny frames with hand-checkable answers.

A small world: plan year 2025, two product lines (A mature, S strategic), two regions
(N mature, W growth), a normal monthly forecast; plus properties (every split adds up
exactly, for random inputs) and a byte-identical re-run of the whole chain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from planlib import targets as T
from planlib.errors import DataError, ParamsError, PlanlibError

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONTHS = pd.date_range("2025-01-01", periods=12, freq="MS")
LEVELS = [10, 20, 30, 40, 50, 60, 70, 80, 90]
Z = {level: float(norm.ppf(level / 100)) for level in LEVELS}


def forecast_rows(uid: str, means, sd_share: float = 0.1) -> list[dict]:
    """Monthly rows of a normal forecast: mean, sd = sd_share * mean, quantiles p10..p90."""
    rows = []
    for ds, mean in zip(MONTHS, means):
        row = {"unique_id": uid, "ds": ds, "mean": float(mean)}
        for level in LEVELS:
            row[f"p{level}"] = float(mean + sd_share * mean * Z[level])
        rows.append(row)
    return rows


def make_forecast(cells: dict[tuple[str, str], float] | None = None, shape=None) -> pd.DataFrame:
    """Forecast whose monthly means follow ``shape`` (default 1..12) for every series."""
    cells = cells or {("A", "N"): 60.0, ("A", "W"): 20.0, ("S", "N"): 10.0, ("S", "W"): 10.0}
    shape = np.arange(1, 13, dtype=float) if shape is None else np.asarray(shape, dtype=float)
    shape = shape / shape.sum()
    rows = forecast_rows("Total", sum(cells.values()) * shape)
    for dim, pos in (("product_line", 0), ("region", 1)):
        for level in sorted({k[pos] for k in cells}):
            annual = sum(v for k, v in cells.items() if k[pos] == level)
            rows += forecast_rows(f"{dim}={level}", annual * shape)
    for (line, region), annual in cells.items():
        rows += forecast_rows(f"product_line={line}|region={region}", annual * shape)
    return pd.DataFrame(rows)


def make_orders() -> pd.DataFrame:
    """Order lines 2023-2024: c1 buys both years, c2 only 2023, c3 is new in 2024."""
    rows = [
        ("2023-03-01", "o1", "c1", 100.0, "A", "N", "direct", "r1"),
        ("2023-05-01", "o2", "c2", 50.0, "A", "W", "direct", "r2"),
        ("2024-02-01", "o3", "c1", 120.0, "A", "N", "direct", "r1"),
        ("2024-06-01", "o4", "c1", 80.0, "S", "N", "direct", "r1"),
        ("2024-07-01", "o5", "c3", 40.0, "A", "W", "partner", "r2"),
        ("2024-09-01", "o5", "c3", 20.0, "S", "W", "partner", "r2"),
    ]
    frame = pd.DataFrame(rows, columns=["order_date", "order_id", "customer_id", "revenue",
                                        "product_line", "region", "channel", "rep"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    for c in ("order_id", "customer_id", "product_line", "region", "channel", "rep"):
        frame[c] = frame[c].astype("category")
    return frame


PRODUCT_LINES = pd.DataFrame({"product_line": ["A", "S"], "role": ["mature", "strategic"]})
REGIONS = pd.DataFrame({"region": ["N", "W"], "stage": ["mature", "growth"]})


# ============================================================================ 1. annual


def test_probability_from_paths_and_p70_is_reached_with_about_0_3():
    paths = np.arange(1, 1001, dtype=float)
    table = T.compare_target_options(paths, last_year=500, growth=0.1, quantile=0.7, amount=800)
    assert list(table.columns) == ["method", "setting", "amount", "growth", "probability"]
    growth, p70, fixed = table.to_dict("records")
    assert growth["amount"] == 550 and growth["probability"] == pytest.approx(0.451)
    assert p70["amount"] == 700 and p70["probability"] == pytest.approx(0.30, abs=0.01)
    assert fixed["amount"] == 800 and fixed["growth"] == pytest.approx(0.6)
    assert fixed["probability"] == pytest.approx(0.201)


def test_simple_probability_from_paths():
    out = T.set_annual_target([90, 100, 110, 120], last_year=100, method="amount", value=105)
    final = out.set_index("step").loc["final"]
    assert final["probability"] == 0.5 and final["growth"] == pytest.approx(0.05)


def test_minimum_growth_raises_the_target_and_says_so():
    paths = np.linspace(90, 130, 401)
    out = T.set_annual_target(paths, last_year=100, method="amount", value=103, min_growth=0.08)
    steps = out.set_index("step")
    assert list(out["step"]) == ["proposed", "min_growth", "final"]
    assert not steps.loc["min_growth", "holds"]
    assert steps.loc["final", "amount"] == 108 and steps.loc["final", "growth"] == pytest.approx(0.08)
    assert "raised" in steps.loc["final", "note"] and "min_growth" in steps.loc["final", "note"]
    assert steps.loc["final", "probability"] < steps.loc["proposed", "probability"]
    met = T.set_annual_target(paths, last_year=100, method="growth", value=0.1, min_growth=0.08)
    assert met.set_index("step").loc["min_growth", "holds"]
    assert met.set_index("step").loc["final", "amount"] == 110


def test_market_share_and_strategic_share_constraints():
    paths = np.linspace(90, 130, 401)
    out = T.set_annual_target(paths, last_year=100, method="amount", value=105, min_growth=0.08,
                              market_size=1000, min_market_share=0.12,
                              min_strategic_share=0.10, strategic_amount=5)
    steps = out.set_index("step")
    assert steps.loc["market_share", "amount"] == 120 and not steps.loc["market_share", "holds"]
    assert steps.loc["final", "amount"] == 120  # the binding constraint wins
    assert "market_share" in steps.loc["final", "note"]
    # strategic lines must carry 10 % of the final 120 = 12; planned 5 falls short
    assert steps.loc["strategic_share", "amount"] == 12
    assert not steps.loc["strategic_share", "holds"]
    assert "must carry" in steps.loc["strategic_share", "note"]
    assert out["holds"].dtype == "boolean"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "median", "value": 1}, "must be 'growth', 'quantile' or 'amount'"),
        ({"method": "quantile", "value": 1.5}, "'quantile' parameter"),
        ({"method": "amount", "value": -5}, "'amount' parameter"),
        ({"method": "amount", "value": 5, "min_market_share": 0.1}, "needs 'market_size'"),
    ],
)
def test_annual_target_errors(kwargs, message):
    with pytest.raises(ParamsError, match=message):
        T.set_annual_target([1.0, 2.0], last_year=1.0, **kwargs)


def test_annual_target_needs_paths_and_positive_last_year_for_growth():
    with pytest.raises(ParamsError, match="year_total_paths"):
        T.set_annual_target([], last_year=1.0, method="amount", value=1)
    with pytest.raises(ParamsError, match="last_year"):
        T.set_annual_target([1.0], last_year=0.0, method="growth", value=0.1)


# ============================================================================ 2. time


def test_split_by_time_follows_the_seasonal_shape():
    forecast = make_forecast()  # monthly means proportional to 1..12
    out = T.split_by_time(78_000, forecast)
    assert out["target"].tolist() == [1000 * m for m in range(1, 13)]
    assert out["target"].dtype == "int64"
    assert out["quarter"].tolist() == [f"Q{q}" for q in range(1, 5) for _ in range(3)]
    assert out.groupby("quarter")["target"].sum().tolist() == [6000, 15000, 24000, 33000]


def test_split_by_time_with_manual_quarter_weights():
    out = T.split_by_time(78_000, make_forecast(), quarter_weights=[0.25, 0.25, 0.25, 0.25])
    assert out.groupby("quarter")["target"].sum().tolist() == [19500] * 4
    assert out["target"].iloc[:3].tolist() == [3250, 6500, 9750]  # 1:2:3 inside Q1
    same = T.split_by_time(78_000, make_forecast(), quarter_weights={"Q1": .25, "Q2": .25, "Q3": .25, "Q4": .25})
    assert same.equals(out)


def test_quarter_weight_comparison_and_errors():
    table = T.compare_quarter_weights(make_forecast(), quarter_weights=[0.2, 0.25, 0.25, 0.3])
    assert table["statistical_weight"].tolist() == pytest.approx([6 / 78, 15 / 78, 24 / 78, 33 / 78])
    assert table["difference"].iloc[0] == pytest.approx(0.2 - 6 / 78)
    with pytest.raises(ParamsError, match="must sum to 1; got 0.8"):
        T.split_by_time(100, make_forecast(), quarter_weights=[0.2, 0.2, 0.2, 0.2])
    with pytest.raises(ParamsError, match="one weight per quarter"):
        T.split_by_time(100, make_forecast(), quarter_weights=[0.5, 0.5])
    with pytest.raises(DataError, match="no series 'Nope'"):
        T.split_by_time(100, make_forecast(), unique_id="Nope")


@PROPERTY
@given(
    total=st.integers(min_value=0, max_value=10**9),
    shape=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=12, max_size=12),
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4),
)
def test_property_time_split_adds_up(total, shape, weights):
    shape = [s + 1.0 for s in shape]
    manual = None if sum(weights) == 0 else [w / sum(weights) for w in weights]
    out = T.split_by_time(total, make_forecast(shape=shape), quarter_weights=manual)
    assert out["target"].sum() == total
    if manual is not None:
        quarters = out.groupby("quarter")["target"].sum().to_numpy()
        assert np.all(np.abs(quarters - total * np.array(manual)) < 1 + 1e-6)


# ============================================================================ 3-4. groups


def test_role_allocation_hand_example_and_growth_ordering():
    baseline = pd.DataFrame({"product_line": ["Pumps", "Sensors", "Water"], "baseline": [100.0] * 3})
    lines = pd.DataFrame({"product_line": ["Water", "Sensors", "Pumps"],
                          "role": ["potential", "strategic", "mature"]})
    growth = {"mature": 0.05, "strategic": 0.45, "potential": 0.20}
    out = T.allocate_by_role(300, baseline, lines, role_growth=growth)
    # planned 105 / 145 / 120 scaled by 300/370: 85.14, 117.57, 97.30 -> LR 85, 118, 97
    assert out["product_line"].tolist() == ["Pumps", "Sensors", "Water"]  # role order
    assert out["target"].tolist() == [85, 118, 97]
    implied = out.set_index("role")["implied_growth"]
    assert implied["strategic"] > implied["potential"] > implied["mature"]
    assert out["scale"].iloc[0] == pytest.approx(300 / 370)


def test_role_allocation_minimum_share_lifts_strategic():
    baseline = pd.DataFrame({"product_line": ["Pumps", "Sensors", "Water"], "baseline": [100.0] * 3})
    lines = pd.DataFrame({"product_line": ["Pumps", "Sensors", "Water"],
                          "role": ["mature", "strategic", "potential"]})
    out = T.allocate_by_role(300, baseline, lines, min_share={"strategic": 0.5},
                             role_growth={"mature": 0.05, "strategic": 0.45, "potential": 0.20})
    # strategic gets exactly 150; the other 150 split 105 : 120 -> 70, 80
    assert out.set_index("product_line")["target"].to_dict() == {"Pumps": 70, "Sensors": 150, "Water": 80}


def test_role_allocation_line_without_history_and_errors():
    baseline = pd.DataFrame({"product_line": ["A"], "baseline": [100.0]})
    out = T.allocate_by_role(200, baseline, PRODUCT_LINES, role_growth={"mature": 0.0, "strategic": 1.0},
                             min_share={"strategic": 0.25})
    assert out.set_index("product_line")["target"].to_dict() == {"A": 150, "S": 50}
    with pytest.raises(ParamsError, match=r"lacks a growth for \['strategic'\]"):
        T.allocate_by_role(200, baseline, PRODUCT_LINES, role_growth={"mature": 0.0})
    with pytest.raises(DataError, match="no role"):
        T.allocate_by_role(200, pd.DataFrame({"product_line": ["Z"], "baseline": [1.0]}), PRODUCT_LINES,
                           role_growth={"mature": 0.0, "strategic": 1.0})
    with pytest.raises(DataError, match="must hold"):
        T.allocate_by_role(200, baseline, PRODUCT_LINES.assign(role=["mature", "hot"]),
                           role_growth={"mature": 0.0, "hot": 1.0})
    with pytest.raises(ParamsError, match="non-negative"):
        T.allocate_by_role(-1, baseline, PRODUCT_LINES, role_growth={"mature": 0.0, "strategic": 1.0})
    with pytest.raises(DataError, match="is empty"):
        T.allocate_by_role(1, baseline.iloc[:0], PRODUCT_LINES, role_growth={"mature": 0.0, "strategic": 1.0})


def test_stage_allocation_for_channels():
    baseline = pd.DataFrame({"channel": ["direct", "partner"], "baseline": [100.0, 100.0]})
    stages = pd.DataFrame({"channel": ["direct", "partner"], "stage": ["mature", "emerging"]})
    out = T.allocate_by_stage(230, baseline, stages, dimension="channel",
                              stage_growth={"mature": 0.0, "emerging": 0.3})
    assert list(out.columns[:2]) == ["channel", "stage"]
    assert out.set_index("channel")["target"].to_dict() == {"direct": 100, "partner": 130}


@PROPERTY
@given(
    total=st.integers(min_value=0, max_value=10**9),
    base=st.lists(st.floats(min_value=0.0, max_value=1e7), min_size=3, max_size=12),
    growth=st.tuples(*[st.floats(min_value=-0.5, max_value=2.0)] * 3),
)
def test_property_stage_split_adds_up_and_keeps_growth_order(total, base, growth):
    n = len(base)
    base = [b + 1.0 for b in base]
    stages = pd.DataFrame({"region": [f"R{i:02d}" for i in range(n)],
                           "stage": [("mature", "growth", "emerging")[i % 3] for i in range(n)]})
    baseline = pd.DataFrame({"region": stages["region"], "baseline": base})
    rates = dict(zip(("mature", "growth", "emerging"), growth))
    out = T.allocate_by_stage(total, baseline, stages, stage_growth=rates)
    assert out["target"].sum() == total
    # before rounding, implied growth = (1 + stage growth) * one scale - 1
    unrounded = out["scale"] * out["planned"] / out["baseline"] - 1
    expected = (1 + out["stage_growth"]) * out["scale"].iloc[0] - 1
    assert np.allclose(unrounded, expected)


# ============================================================================ 5. customers


def test_customer_base_and_targets():
    base = T.summarize_customer_base(make_orders(), year=2024)
    row = base.iloc[0]
    assert row["active_customers"] == 2 and row["prior_customers"] == 2
    assert row["retained_customers"] == 1 and row["repurchase_rate"] == 0.5
    assert row["orders_per_customer"] == 2 and row["order_value"] == 100  # c1: o3, o4 = 200
    assert row["new_customers"] == 1 and row["first_year_value"] == 60

    base = pd.DataFrame([{"active_customers": 100, "repurchase_rate": 0.8, "orders_per_customer": 2.0,
                          "order_value": 50.0, "new_customers": 40, "first_year_value": 40.0}])
    out = T.plan_customer_targets(10_000, base).set_index("customer_type")
    assert out.loc["existing", "planned_revenue"] == pytest.approx(8000)  # 100 x .8 x 2 x 50
    assert out.loc["new", "customers"] == 50  # 2000 / 40
    assert out["target"].to_dict() == {"existing": 8000, "new": 2000, "total": 10_000}
    uplift = T.plan_customer_targets(10_000, base, order_value_uplift=0.1, repurchase_uplift=0.05)
    uplift = uplift.set_index("customer_type")
    assert uplift.loc["existing", "planned_revenue"] == pytest.approx(100 * 0.85 * 2 * 55)
    assert uplift.loc["new", "customers"] == np.ceil((10_000 - 9350) / 40)
    easy = T.plan_customer_targets(5_000, base).set_index("customer_type")
    assert easy.loc["new", "customers"] == 0 and easy.loc["existing", "target"] == 5_000
    assert "exceed" in easy.loc["total", "note"]
    with pytest.raises(ParamsError, match="repurchase_rate"):
        T.plan_customer_targets(1, base.assign(repurchase_rate=np.nan))


def test_one_year_of_history_plans_customers_on_a_stated_repurchase_assumption():
    """With no previous year the year's repeat buyers stand in for the repurchase rate, and the note says so."""
    orders = make_orders()
    one_year = orders[pd.to_datetime(orders["order_date"]).dt.year == 2024]
    base = T.summarize_customer_base(one_year, year=2024)
    assert pd.isna(base.iloc[0]["repurchase_rate"]) and base.iloc[0]["repeat_share"] == 0.5  # c1 twice, c2 once
    out = T.plan_customer_targets(1_000, base).set_index("customer_type")
    assert out.loc["existing", "repurchase_rate"] == 0.5
    assert out.loc["existing", "note"].startswith("repurchase rate assumed 50%")
    assert out["target"].to_dict()["total"] == 1_000
    given = T.plan_customer_targets(1_000, base, repurchase_rate=0.7).set_index("customer_type")
    assert given.loc["existing", "repurchase_rate"] == 0.7 and "assumed" not in given.loc["existing", "note"]


# ============================================================================ 6. reps


REPS = pd.DataFrame({
    "rep": ["anchor", "new", "gone", "leaver", "later"],
    "region": ["N"] * 5,
    "hire_date": pd.to_datetime(["2019-01-01", "2025-07-01", "2018-01-01", "2020-01-01", "2026-02-01"]),
    "leave_date": pd.to_datetime([None, None, "2024-06-30", "2025-06-30", None]),
    "capacity": [1.0, 1.0, 1.0, 1.0, 1.0],
})


def test_reps_ramp_leave_and_pro_rata():
    targets = pd.DataFrame({"region": ["N"], "target": [215]})
    out = T.allocate_to_reps(targets, REPS, plan_year=2025, ramp_months=6).set_index("rep")
    # anchor 12 months; new hire Jul-Dec ramping 1/6..6/6 = 3.5; leaver Jan-Jun = 6
    assert out["effective_months"].to_dict() == pytest.approx(
        {"anchor": 12, "gone": 0, "leaver": 6, "new": 3.5, "later": 0})
    assert out["target"].to_dict() == {"anchor": 120, "gone": 0, "leaver": 60, "new": 35, "later": 0}
    assert out["status"].to_dict() == {"anchor": "active", "gone": "left", "leaver": "leaving",
                                       "new": "ramping", "later": "not_started"}
    no_ramp = T.allocate_to_reps(targets, REPS, plan_year=2025, ramp_months=0).set_index("rep")
    assert no_ramp.loc["new", "effective_months"] == 6 and no_ramp.loc["new", "status"] == "joining"


def test_reps_hired_mid_month_and_recently_and_capacity():
    reps = pd.DataFrame({"rep": ["a", "b", "c"], "region": ["N"] * 3,
                         "hire_date": pd.to_datetime(["2025-12-16", "2024-11-01", "2010-01-01"]),
                         "capacity": [1.0, 1.0, 0.5]})
    out = T.allocate_to_reps(pd.DataFrame({"region": ["N"], "target": [1000]}), reps,
                             plan_year=2025, ramp_months=6).set_index("rep")
    assert out.loc["a", "months_present"] == pytest.approx(16 / 31)
    assert out.loc["a", "effective_months"] == pytest.approx(16 / 31 / 6)
    # hired Nov 2024: Jan is tenure month 3 (3/6), Feb 4/6, Mar 5/6, then full
    assert out.loc["b", "effective_months"] == pytest.approx(3 / 6 + 4 / 6 + 5 / 6 + 9)
    assert out.loc["c", "weight"] == 6
    assert out["target"].sum() == 1000


def test_region_without_reps_is_vacant_and_unknown_region_refused():
    targets = pd.DataFrame({"region": ["N", "W"], "target": [100, 50]})
    reps = REPS.iloc[:1]
    out = T.allocate_to_reps(targets, reps, plan_year=2025)
    vacant = out[out["region"] == "W"].iloc[0]
    assert vacant["rep"] == "(vacant)" and vacant["status"] == "vacant" and vacant["target"] == 50
    with pytest.raises(DataError, match="no target"):
        T.allocate_to_reps(targets.iloc[:1], REPS.assign(region=["N", "N", "N", "N", "Z"]), plan_year=2025)


# ============================================================================ 7. cube


def chain(forecast: pd.DataFrame, total: int = 100_000):
    months = T.split_by_time(total, forecast, quarter_weights=[0.2, 0.25, 0.25, 0.3])
    lines = T.allocate_by_role(total, T.summarize_forecast(forecast, dimension="product_line"),
                               PRODUCT_LINES, role_growth={"mature": 0.05, "strategic": 0.5})
    regions = T.allocate_by_stage(total, T.summarize_forecast(forecast, dimension="region"), REGIONS,
                                  stage_growth={"mature": 0.03, "growth": 0.2})
    cube = T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines,
                             month_targets=months)
    return months, lines, regions, cube


def test_cube_meets_every_marginal_exactly():
    months, lines, regions, cube = chain(make_forecast())
    assert list(cube.columns) == ["region", "product_line", "month", "fitted", "target"]
    assert cube["target"].dtype == "int64" and cube.attrs["rounding"] == "controlled"
    assert cube.groupby("region")["target"].sum().to_dict() == regions.set_index("region")["target"].to_dict()
    assert cube.groupby("product_line")["target"].sum().to_dict() == lines.set_index("product_line")["target"].to_dict()
    assert cube.groupby("month")["target"].sum().tolist() == months["target"].tolist()
    assert (cube["target"] - cube["fitted"]).abs().max() < 1
    pair = cube.groupby(["region", "product_line"])[["fitted", "target"]].sum()
    assert (pair["target"] - pair["fitted"]).abs().max() < 1  # the published 2-D table too


def test_cube_seeds_an_unforecast_line_by_independence():
    forecast = make_forecast({("A", "N"): 60.0, ("A", "W"): 40.0})  # no S cells at all
    lines = pd.DataFrame({"product_line": ["A", "S"], "target": [800, 200]})
    regions = pd.DataFrame({"region": ["N", "W"], "target": [500, 500]})
    months = T.split_by_time(1000, forecast)
    cube = T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines,
                             month_targets=months)
    s = cube[cube["product_line"] == "S"].groupby("region")["target"].sum()
    assert s.sum() == 200 and (s > 0).all()
    bad = regions.assign(target=[500, 400])
    with pytest.raises(PlanlibError, match="same total"):
        T.fit_target_cube(forecast, region_targets=bad, product_line_targets=lines, month_targets=months)


@PROPERTY
@given(
    cells=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=4, max_size=4),
    total=st.integers(min_value=1, max_value=10**8),
    line_share=st.floats(min_value=0.05, max_value=0.95),
    region_share=st.floats(min_value=0.05, max_value=0.95),
)
def test_property_cube_is_exact_for_random_targets(cells, total, line_share, region_share):
    keys = [("A", "N"), ("A", "W"), ("S", "N"), ("S", "W")]
    forecast = make_forecast({k: v + 1.0 for k, v in zip(keys, cells)})
    a = round(total * line_share)
    n = round(total * region_share)
    lines = pd.DataFrame({"product_line": ["A", "S"], "target": [a, total - a]})
    regions = pd.DataFrame({"region": ["N", "W"], "target": [n, total - n]})
    months = T.split_by_time(total, forecast)
    # seed_floor as the plan uses it (decompose_targets): a forecast that is almost all on the
    # diagonal otherwise leaves IPF crawling for tens of thousands of sweeps
    cube = T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines,
                             month_targets=months, seed_floor=0.01)
    assert cube.groupby("product_line")["target"].sum().tolist() == [a, total - a]
    assert cube.groupby("region")["target"].sum().tolist() == [n, total - n]
    assert cube.groupby("month")["target"].sum().tolist() == months["target"].tolist()


def test_cube_is_exact_when_ipf_crawls_towards_a_boundary_fit():
    # found by the property above: strong diagonal seed, total 3 -> IPF needs > 5000 sweeps for 1e-10
    keys = [("A", "N"), ("A", "W"), ("S", "N"), ("S", "W")]
    forecast = make_forecast({k: v for k, v in zip(keys, [1544.0, 1.0, 1.0, 1326.0])})
    lines = pd.DataFrame({"product_line": ["A", "S"], "target": [1, 2]})
    regions = pd.DataFrame({"region": ["N", "W"], "target": [1, 2]})
    months = T.split_by_time(3, forecast)
    cube = T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines, month_targets=months)
    assert cube.groupby("product_line")["target"].sum().tolist() == [1, 2]
    assert cube.groupby("region")["target"].sum().tolist() == [1, 2]
    assert cube.groupby("month")["target"].sum().tolist() == months["target"].tolist()


def test_rep_cube_is_exact_per_rep_and_cell():
    _, _, regions, cube = chain(make_forecast())
    reps = pd.DataFrame({"rep": ["r1", "r2", "r3", "r4"], "region": ["N", "N", "W", "W"],
                         "hire_date": pd.to_datetime(["2020-01-01", "2025-04-01", "2020-01-01", "2021-01-01"])})
    rep_targets = T.allocate_to_reps(regions, reps, plan_year=2025)
    rep_cube = T.fit_rep_cube(cube, rep_targets, orders=make_orders(), year=2024)
    assert rep_cube.groupby("rep")["target"].sum().to_dict() == rep_targets.set_index("rep")["target"].to_dict()
    cells = rep_cube.groupby(["region", "product_line", "month"])["target"].sum()
    expected = cube.set_index(["region", "product_line", "month"])["target"]
    assert cells.reindex(expected.index).fillna(0).astype(int).equals(expected)
    with pytest.raises(PlanlibError, match="carry"):
        T.fit_rep_cube(cube, rep_targets.assign(target=rep_targets["target"] + 1))


def test_rep_cube_gives_no_month_before_hire_or_after_leaving():
    _, _, regions, cube = chain(make_forecast())
    reps = pd.DataFrame({"rep": ["r1", "r2", "r3", "r4"], "region": ["N", "N", "W", "W"],
                         "hire_date": pd.to_datetime(["2020-01-01", "2025-07-01", "2020-01-01", "2021-01-01"]),
                         "leave_date": pd.to_datetime([None, None, "2025-03-31", None])})
    region_months = cube.groupby(["region", "month"], as_index=False)["target"].sum()
    rep_targets = T.allocate_to_reps(regions, reps, plan_year=2025, ramp_months=3, month_targets=region_months)
    # r3 leaves after a slow first quarter: its weight is that quarter's target, not 3/15 of the year
    assert rep_targets.set_index("rep").loc["r3", "target"] < region_months.query("region == 'W'")["target"].head(3).sum()
    presence = T.rep_presence_by_month(reps, plan_year=2025, ramp_months=3)
    assert presence.loc[presence["rep"] == "r2", "presence"].tolist() == pytest.approx([0] * 6 + [1 / 3, 2 / 3, 1, 1, 1, 1])
    rep_cube = T.fit_rep_cube(cube, rep_targets, presence=presence)
    by_month = rep_cube.groupby(["rep", rep_cube["month"].dt.month])["target"].sum().unstack(fill_value=0)
    assert (by_month.loc["r2", 1:6] == 0).all() and (by_month.loc["r2", 7:] > 0).all()
    assert (by_month.loc["r3", 4:] == 0).all() and (by_month.loc["r3", 1:3] > 0).all()
    # still exact: rep totals and every cell of the cube
    assert rep_cube.groupby("rep")["target"].sum().to_dict() == rep_targets.set_index("rep")["target"].to_dict()
    cells = rep_cube.groupby(["region", "product_line", "month"])["target"].sum()
    expected = cube.set_index(["region", "product_line", "month"])["target"]
    assert cells.reindex(expected.index).fillna(0).astype(int).equals(expected)
    assert (rep_cube["note"] == "").all()


def test_months_without_anyone_in_seat_go_to_the_vacant_seat():
    region_targets = pd.DataFrame({"region": ["N"], "target": [300]})
    months = pd.DataFrame({"region": "N", "month": pd.date_range("2025-01-01", periods=3, freq="MS"), "target": [100, 100, 100]})
    reps = pd.DataFrame({"rep": ["late"], "region": ["N"], "hire_date": pd.to_datetime(["2025-02-01"])})
    out = T.allocate_to_reps(region_targets, reps, plan_year=2025, ramp_months=0, month_targets=months)
    assert out.set_index("rep")["target"].to_dict() == {"late": 200, T.VACANT_REP: 100}
    cube = months.assign(product_line="A")
    presence = T.rep_presence_by_month(reps, plan_year=2025, ramp_months=0)
    rep_cube = T.fit_rep_cube(cube, out, presence=presence)
    got = rep_cube.groupby(["rep", rep_cube["month"].dt.month])["target"].sum().to_dict()
    assert got == {(T.VACANT_REP, 1): 100, (T.VACANT_REP, 2): 0, (T.VACANT_REP, 3): 0, ("late", 1): 0, ("late", 2): 100, ("late", 3): 100}


def test_rep_cube_month_without_anyone_in_seat_is_carried_and_noted():
    cube = pd.DataFrame({"region": ["N"] * 2, "product_line": ["A"] * 2,
                         "month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "target": [100, 100]})
    reps = pd.DataFrame({"rep": ["late"], "region": ["N"], "target": [200]})
    presence = pd.DataFrame({"rep": "late", "month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "presence": [0.0, 1.0]})
    out = T.fit_rep_cube(cube, reps, presence=presence)
    assert out["target"].tolist() == [100, 100]
    assert out["note"].tolist() == ["no rep in seat this month: spread over the region's reps", ""]


def test_rep_cube_tilts_towards_each_reps_history():
    cube = pd.DataFrame({"region": ["N"] * 2, "product_line": ["A", "S"],
                         "month": pd.to_datetime(["2025-01-01"] * 2), "target": [100, 100]})
    reps = pd.DataFrame({"rep": ["r1", "r2"], "region": ["N", "N"], "target": [100, 100]})
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-03-01", "2024-04-01"]),
                           "revenue": [100.0, 100.0], "rep": ["r1", "r2"], "product_line": ["A", "S"]})
    plain = T.fit_rep_cube(cube, reps).set_index(["rep", "product_line"])["target"]
    assert plain.to_dict() == {("r1", "A"): 50, ("r1", "S"): 50, ("r2", "A"): 50, ("r2", "S"): 50}
    # seed tilt 1.5 / 0.5 (mix_weight 0.5): r1 sold only A, r2 only S -> fitted 75 / 25
    tilted = T.fit_rep_cube(cube, reps, orders=orders, year=2024).set_index(["rep", "product_line"])
    assert tilted["target"].to_dict() == {("r1", "A"): 75, ("r1", "S"): 25, ("r2", "A"): 25, ("r2", "S"): 75}


def test_cube_with_unreachable_zero_pattern_suggests_seed_floor():
    forecast = make_forecast({("A", "N"): 50.0, ("S", "W"): 50.0})  # A only in N, S only in W
    lines = pd.DataFrame({"product_line": ["A", "S"], "target": [80, 20]})
    regions = pd.DataFrame({"region": ["N", "W"], "target": [50, 50]})
    months = T.split_by_time(100, forecast)
    with pytest.raises(PlanlibError, match="seed_floor"):
        T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines, month_targets=months)
    cube = T.fit_target_cube(forecast, region_targets=regions, product_line_targets=lines,
                             month_targets=months, seed_floor=0.01)
    assert cube.groupby("product_line")["target"].sum().tolist() == [80, 20]
    assert cube.groupby("region")["target"].sum().tolist() == [50, 50]


# ============================================================================ 8. bottom-up


def test_reconcile_commitments_gaps_add_up():
    reps = pd.DataFrame({"rep": ["A", "B", "C"], "region": ["N", "N", "S"], "target": [100, 50, 70]})
    commitments = pd.DataFrame({"rep": ["A", "C"], "amount": [80.0, 90.0]})
    out = T.reconcile_commitments(reps, commitments)
    rep = out[out["level"] == "rep"].set_index("rep")
    assert rep["gap"].to_dict() == {"A": 20, "B": 50, "C": -20}
    assert rep["committed"].tolist() == [True, False, True]
    region = out[out["level"] == "region"].set_index("region")
    assert region["gap"].to_dict() == {"N": 70, "S": -20} and region["missing"].to_dict() == {"N": 1, "S": 0}
    total = out[out["level"] == "total"].iloc[0]
    assert total["target"] == 220 and total["commitment"] == 170 and total["gap"] == 50
    assert rep.loc["A", "coverage"] == pytest.approx(0.8)
    with pytest.raises(DataError, match="without a target"):
        T.reconcile_commitments(reps, pd.DataFrame({"rep": ["Z"], "amount": [1.0]}))
    assert T.reconcile_commitments(reps)["gap"].iloc[-1] == 220


# ============================================================================ 9. SMART


def test_reach_probability_from_quantiles():
    forecast = pd.DataFrame(forecast_rows("Total", [100.0] * 12))  # each month N(100, 10)
    jan = [MONTHS[0]]
    assert T.estimate_reach_probability(forecast, unique_id="Total", amount=100, months=jan) == pytest.approx(0.5)
    p70 = 100 + 10 * norm.ppf(0.7)
    assert T.estimate_reach_probability(forecast, unique_id="Total", amount=p70, months=jan) == pytest.approx(0.3)
    # beyond P90 the probit line extends: a normal tail
    assert T.estimate_reach_probability(forecast, unique_id="Total", amount=120, months=jan) == pytest.approx(
        norm.sf(2.0))
    q1 = list(MONTHS[:4])
    # four months moving together: sd 40; independent: sd 20
    assert T.estimate_reach_probability(forecast, unique_id="Total", amount=420, months=q1) == pytest.approx(
        norm.sf(0.5))
    assert T.estimate_reach_probability(forecast, unique_id="Total", amount=420, months=q1,
                                        correlation=0.0) == pytest.approx(norm.sf(1.0))


def test_smart_table_flags_and_probabilities():
    cells = {("A", "N"): 60_000.0, ("A", "W"): 20_000.0, ("S", "N"): 10_000.0, ("S", "W"): 10_000.0}
    forecast = make_forecast(cells)
    # paths of independent months: the annual Total is N(100k, sd) with sd from the monthly sds
    monthly_sd = 0.1 * 100_000 * np.arange(1, 13) / 78
    sd = np.sqrt((monthly_sd**2).sum())
    paths = 100_000 + sd * norm.ppf((np.arange(4000) + 0.5) / 4000)
    annual = T.set_annual_target(paths, last_year=90_000, method="quantile", value=0.5)
    months = T.split_by_time(100_000, forecast)
    regions = pd.DataFrame({"region": ["N", "W"], "target": [90_000, 10_000], "baseline": [60.0, 30.0]})
    reps = pd.DataFrame({"rep": ["r1", "r2"], "region": ["N", "W"], "target": [90_000, 10_000]})
    smart = T.build_smart_table(forecast, annual=annual, months=months, regions=regions, reps=reps,
                                year_total_paths=paths, owners={"region=W": "Ms. West"})
    assert list(smart.columns) == ["group", "metric", "owner", "segment", "period", "baseline", "value", "growth",
                                   "probability", "probability_source", "flag", "action"]
    assert list(dict.fromkeys(smart["group"])) == ["company", "quarter", "month", "region", "rep"]
    total = smart[(smart["segment"] == "Total") & (smart["period"] == "2025")].iloc[0]
    assert total["probability_source"] == "paths" and total["probability"] == pytest.approx(0.5, abs=0.01)
    q1 = smart[smart["period"] == "2025-Q1"].iloc[0]
    assert q1["probability"] == pytest.approx(0.5, abs=0.01)  # split along the mean: ~ even odds
    region = smart[smart["segment"].str.startswith("region=")].set_index("segment")
    assert region.loc["region=N", "flag"] == "out of reach"  # 90 against a forecast of 70
    assert region.loc["region=W", "flag"] == "too easy"  # 10 against a forecast of 30
    assert region.loc["region=W", "owner"] == "Ms. West"
    assert region.loc["region=N", "owner"] == "regional manager N"
    rep = smart[smart["segment"] == "rep=r1"].iloc[0]
    assert rep["owner"] == "r1" and rep["flag"] == "no probability"
    assert "lower it to at least its forecast's 10% point" in region.loc["region=N", "action"]
    assert "raise it towards the level reached with 10%-90% probability" in region.loc["region=W", "action"]
    assert "check the quota against the rep's book" in rep["action"]
    assert (smart.loc[smart["flag"] == "", "action"] == "").all() and (smart.loc[smart["flag"] != "", "action"] != "").all()


def test_smart_table_calibrates_month_correlation_on_paths():
    forecast = pd.DataFrame(forecast_rows("Total", [100.0] * 12))
    independent = 1200 + 10 * np.sqrt(12) * norm.ppf((np.arange(4000) + 0.5) / 4000)
    months = pd.DataFrame({"month": MONTHS, "quarter": [f"Q{i // 3 + 1}" for i in range(12)],
                           "target": [100 + 10 / np.sqrt(3)] * 12})
    smart = T.build_smart_table(forecast, months=months, year_total_paths=independent)
    q1 = smart[smart["period"] == "2025-Q1"].iloc[0]
    assert q1["probability"] == pytest.approx(norm.sf(1.0), abs=0.01)  # sd of Q1 = 10 sqrt(3)
    together = T.build_smart_table(forecast, months=months)  # no paths: months move together
    assert together[together["period"] == "2025-Q1"]["probability"].iloc[0] == pytest.approx(
        norm.sf(10 * np.sqrt(3) / 30), abs=0.01)


# ============================================================================ whole chain


def run_chain() -> dict[str, pd.DataFrame]:
    forecast = make_forecast()
    orders = make_orders()
    paths = np.random.default_rng(3).normal(100_000, 5_000, 1000)
    annual = T.set_annual_target(paths, last_year=90_000, method="quantile", value=0.7, min_growth=0.08)
    total = int(annual.loc[annual["step"] == "final", "amount"].iloc[0])
    months, lines, regions, cube = chain(forecast, total)
    reps = T.allocate_to_reps(regions, REPS.assign(region=["N", "W", "N", "N", "W"]), plan_year=2025)
    rep_cube = T.fit_rep_cube(cube, reps, orders=orders, year=2024)
    smart = T.build_smart_table(forecast, annual=annual, months=months, product_lines=lines,
                                regions=regions, reps=reps, year_total_paths=paths, orders=orders)
    return {"annual": annual, "months": months, "lines": lines, "regions": regions, "cube": cube,
            "reps": reps, "rep_cube": rep_cube, "smart": smart}


def test_same_inputs_give_byte_identical_tables():
    first, second = run_chain(), run_chain()
    for name in first:
        assert first[name].to_csv(index=False) == second[name].to_csv(index=False), name
    assert first["cube"]["target"].sum() == first["annual"]["amount"].iloc[-1]


def test_inputs_are_not_mutated():
    forecast, orders, reps = make_forecast(), make_orders(), REPS.copy()
    before = (forecast.copy(), orders.copy(), reps.copy(), PRODUCT_LINES.copy(), REGIONS.copy())
    months, lines, regions, cube = chain(forecast)
    rep_targets = T.allocate_to_reps(regions, reps.assign(region=["N", "W", "N", "N", "W"]), plan_year=2025)
    T.fit_rep_cube(cube, rep_targets, orders=orders, year=2024)
    T.summarize_customer_base(orders, year=2024)
    for old, new in zip(before, (forecast, orders, reps, PRODUCT_LINES, REGIONS)):
        pd.testing.assert_frame_equal(old, new)


def test_smart_table_takes_a_segments_full_year_probability_from_its_own_paths():
    forecast = make_forecast({("A", "N"): 60_000.0, ("A", "W"): 20_000.0, ("S", "N"): 10_000.0, ("S", "W"): 10_000.0})
    regions = pd.DataFrame({"region": ["N", "W"], "target": [70_000, 30_000]})
    own = pd.DataFrame({"region=N": np.linspace(60_000, 80_000, 101)})  # 70k is the median of N's own paths
    smart = T.build_smart_table(forecast, regions=regions, segment_paths=own).set_index("segment")
    assert smart.loc["region=N", "probability_source"] == "paths"
    assert smart.loc["region=N", "probability"] == pytest.approx(51 / 101)
    assert smart.loc["region=W", "probability_source"] == "quantiles"  # no paths of its own
