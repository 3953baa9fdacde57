"""The guard against a model worse than seasonal naive, and the model names params accept."""

from __future__ import annotations

import typing

import numpy as np
import pandas as pd

from planlib.forecast import MODEL_CHOICES, forecast_series
from planlib.forecast.backtest import guard_decision
from planlib.plan import ForecastSpec


def test_params_accept_exactly_the_models_the_engine_runs():
    accepted = typing.get_args(ForecastSpec.model_fields["model"].annotation)
    assert set(accepted) == set(MODEL_CHOICES)


def test_guard_needs_strong_evidence():
    # behind at every origin and by over the margin: replaced
    assert guard_decision([1.5, 1.6, 1.4], [1.0, 1.1, 1.0], 0.2)
    # behind on average but ahead at one origin: kept
    assert not guard_decision([2.5, 0.9, 1.4], [1.0, 1.1, 1.0], 0.2)
    # behind everywhere but only slightly: kept
    assert not guard_decision([1.05, 1.1, 1.1], [1.0, 1.0, 1.0], 0.2)
    # a single origin is never enough
    assert not guard_decision([3.0], [1.0], 0.2)


def _frame(y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": "s", "ds": pd.date_range("2015-01-01", periods=len(y), freq="MS"), "y": y})


def test_a_model_losing_to_seasonal_naive_is_replaced_and_the_warning_says_so():
    # a pure, strong seasonal pattern with a level shift every year: seasonal naive is
    # near exact, a non-seasonal model (forced naive-like ETS without season) is not
    pattern = np.array([1, 9, 2, 8, 3, 7, 4, 6, 5, 10, 1, 9], float) * 100
    y = np.tile(pattern, 6) + np.repeat(np.arange(6), 12) * 5
    res = forecast_series(_frame(y), horizon=12, model="croston", n_jobs=1, n_paths=200)
    row = res.backtest.iloc[0]
    assert row["model"] == "snaive", row["reason"]
    assert any("worse than seasonal naive" in w and "croston" in w for w in res.warnings)


def test_the_default_is_kept_when_it_holds_its_own():
    rng = np.random.default_rng(3)
    t = np.arange(72)
    y = 1000 + 5 * t + 100 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 20, 72)
    res = forecast_series(_frame(y), horizon=12, n_jobs=1, n_paths=200)
    row = res.backtest.iloc[0]
    assert row["model"] == "ets+theta+sarima"
    assert "seasonal naive" in row["reason"]
    assert not any("worse than seasonal naive" in w for w in res.warnings)
