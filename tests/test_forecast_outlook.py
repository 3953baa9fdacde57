"""Quarterly packs state the year: actual to date + remaining forecast = year outlook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planlib.errors import ForecastError
from planlib.forecast import forecast_series
from planlib.forecast.outlook import year_outlook, year_outlook_paths


def _history(months: int = 42) -> pd.DataFrame:
    # 2022-01 .. 2025-06: 100 a month, so the plan year 2025 has 600 of actuals by June
    ds = pd.date_range("2022-01-01", periods=months, freq="MS")
    return pd.DataFrame({"unique_id": "Total", "ds": ds, "y": 100.0})


def test_outlook_is_actual_to_date_plus_the_remaining_forecast_by_hand():
    series = _history()
    fut = pd.date_range("2025-07-01", periods=12, freq="MS")  # runs into 2026
    forecast = pd.DataFrame({"unique_id": "Total", "ds": fut, "mean": 110.0})
    # three paths: remaining months of 2025 at 100, 110 and 120 each
    paths = np.stack([np.full(12, v) for v in (100.0, 110.0, 120.0)], axis=1)[None, :, :]
    out = year_outlook(series, forecast, paths, ["Total"], plan_year=2025, targets={"Total": 1250.0})
    row = out.iloc[0]
    assert row["months_actual"] == 6 and row["actual_to_date"] == 600.0
    assert row["months_remaining"] == 6 and row["remaining_forecast"] == 660.0
    assert row["outlook"] == 1260.0
    assert row["outlook_p50"] == 1260.0  # 600 + 6 x 110
    assert row["probability"] == pytest.approx(2 / 3)  # 1260 and 1320 reach 1250, 1200 does not
    totals = year_outlook_paths(series, forecast, paths, ["Total"], plan_year=2025)
    assert sorted(totals["Total"]) == [1200.0, 1260.0, 1320.0]


def test_outlook_from_a_real_forecast_holds_the_year_not_the_rest_of_it():
    rng = np.random.default_rng(0)
    series = _history().assign(y=lambda f: 100 + rng.normal(0, 5, len(f)))
    res = forecast_series(series, horizon=6, n_jobs=1, n_paths=300)
    out = year_outlook(series, res.forecast, res.paths, list(res.year_paths.columns), plan_year=2025)
    row = out.iloc[0]
    ytd = series.loc[series["ds"].dt.year == 2025, "y"].sum()
    assert row["actual_to_date"] == pytest.approx(ytd)
    assert row["outlook"] == pytest.approx(ytd + res.forecast["mean"].sum())
    assert row["outlook_p5"] < row["outlook_p50"] < row["outlook_p95"]
    assert row["outlook_p5"] > ytd  # the year is never reported as only its remaining months


def test_paths_of_the_wrong_shape_are_refused():
    series = _history()
    forecast = pd.DataFrame({"unique_id": "Total", "ds": pd.date_range("2025-07-01", periods=6, freq="MS"), "mean": 1.0})
    with pytest.raises(ForecastError, match="paths must be"):
        year_outlook_paths(series, forecast, np.zeros((2, 6, 10)), ["Total"], plan_year=2025)
