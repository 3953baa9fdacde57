"""Spring Festival: January/February re-split by the festival date, year totals untouched, out of sample better."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib import demo
from planlib import forecast as fc
from planlib.forecast.festival import MIN_YEARS, festival_day, fit_festival_shift, resplit


def _series_with_slope(slope: float, years=range(2015, 2025), level: float = 100.0) -> np.ndarray:
    """Monthly values whose January share of Jan+Feb is 0.5 + slope x (festival day - 35)."""
    out = []
    for year in years:
        share = 0.5 + slope * (festival_day(year) - 35)
        out += [2 * level * share, 2 * level * (1 - share)] + [level] * 10
    return np.array(out)


def test_the_pooled_slope_is_recovered_and_the_pairs_keep_their_sum():
    ys = {"A": _series_with_slope(0.012), "B": 3 * _series_with_slope(0.012)}
    shift = fit_festival_shift(ys, pd.Timestamp("2024-12-01"))
    assert shift.active and shift.slope == pytest.approx(0.012, rel=1e-9)
    values = np.array([[100.0, 100.0] + [50.0] * 10, [30.0, 90.0] + [0.0] * 10])
    paths = np.repeat(values[:, :, None], 4, axis=2) * np.array([1.0, 0.5, 2.0, 0.0])
    out = resplit(paths, ["A", "B"], pd.Timestamp("2025-01-01"), shift)
    np.testing.assert_allclose(out[:, 0] + out[:, 1], paths[:, 0] + paths[:, 1])  # every path's pair sum kept
    np.testing.assert_array_equal(out[:, 2:], paths[:, 2:])  # other months untouched
    expected = 0.5 + 0.012 * (festival_day(2025) - 35)  # festival on 29 Jan 2025: day 28
    assert out[0, 0, 0] / (out[0, 0, 0] + out[0, 1, 0]) == pytest.approx(expected)
    assert out[0, 0, 3] == 0 and out[0, 1, 3] == 0  # a path with nothing keeps nothing


def test_too_few_years_leave_the_models_split():
    ys = {"A": _series_with_slope(0.012, years=range(2023, 2025))}
    shift = fit_festival_shift(ys, pd.Timestamp("2024-12-01"))
    assert shift.n_years < MIN_YEARS and not shift.active
    values = np.arange(24, dtype=float).reshape(2, 12)
    np.testing.assert_array_equal(resplit(values, ["A", "A"], pd.Timestamp("2025-01-01"), shift), values)


@pytest.fixture(scope="module")
def demo_series() -> pd.DataFrame:
    orders = demo.generate_demo_orders(20_000, seed=7, start="2018-01-01", end="2024-12-31")
    return fc.build_monthly_series(orders, [["region"]], last_complete_month=pd.Timestamp("2024-12-01"))


def test_the_re_split_beats_the_models_split_out_of_sample_and_keeps_the_year(demo_series):
    """Plan 2024 from 2018-2023 (festival on 10 Feb 2024, late; 22 Jan in 2023): January/February errors fall."""
    history = demo_series[demo_series["ds"] < "2024-01-01"]
    actual = demo_series[demo_series["ds"].dt.year == 2024]
    runs = {flag: fc.forecast_series(history, horizon=12, n_jobs=1, n_paths=200, spring_festival=flag) for flag in (False, True)}
    errors = {}
    for flag, result in runs.items():
        both = result.forecast.merge(actual, on=["unique_id", "ds"])
        pair = both[both["ds"].dt.month <= 2]
        errors[flag] = float((pair["mean"] - pair["y"]).abs().sum() / pair["y"].sum())
    assert errors[True] < 0.7 * errors[False], errors
    year = {flag: r.forecast.groupby("unique_id")["mean"].sum() for flag, r in runs.items()}
    pd.testing.assert_series_equal(year[True], year[False], rtol=1e-9)
    assert any(w.startswith("Spring Festival: January/February re-split by the festival date (10 Feb 2024)") for w in runs[True].warnings)
    assert not any(w.startswith("Spring Festival") for w in runs[False].warnings)


def test_plans_with_a_chinese_calendar_use_it_and_01_says_which_months_move(project_root):
    from planlib import review, spring_festival
    from planlib.plan import load_plan
    from planlib.workflow import uses_spring_festival

    assert uses_spring_festival(load_plan(project_root / "params" / "demo.yaml"))  # actions.calendar: cn_retail
    assert not uses_spring_festival(load_plan(project_root / "params" / "adventureworks.yaml"))
    orders = demo.generate_demo_orders(20_000, seed=7, start="2021-01-01", end="2024-12-31")
    table = spring_festival.split_by_year(review.compute_monthly_indices(orders))
    assert table["year"].tolist() == [2021, 2022, 2023, 2024]
    line = spring_festival.summarize(table, 2025)
    assert line.startswith("January and February move with the Spring Festival: January's share of the two ran ")
    assert "with the festival on 22 Jan 2023" in line and line.endswith("in 2025 it falls on 29 Jan 2025, and the forecast splits the two months by that date.")
