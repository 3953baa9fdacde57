"""Forecasting stage: what next year looks like if nothing changes.

Monthly series per segment level (``build_monthly_series``), one statsmodels model per
kind of series guarded by its rolling-origin backtest, simulated quantiles and coherent,
reconciled forecasts (``forecast_series``); mid-year, the year outlook (``year_outlook``).
"""

from planlib.forecast.engine import MODEL_CHOICES, forecast_series
from planlib.forecast.metrics import bias, coverage, mase, mase_scale, owa, smape
from planlib.forecast.models import (
    DEFAULT_MODEL,
    MODEL_NAMES,
    ETS,
    SARIMA,
    STL,
    BorrowedSeasonality,
    Combination,
    Croston,
    ForecastModel,
    Naive,
    Naive2,
    SeasonalNaive,
    Theta,
    WithFallback,
    check_forecast,
    make_model,
    seasonal_factors,
    seasonality_test,
)
from planlib.forecast.outlook import year_outlook, year_outlook_paths
from planlib.forecast.result import (
    DEFAULT_QUANTILES,
    ForecastResult,
    probability_of_reaching,
    quantile_column,
    total_quantiles,
)
from planlib.forecast.reconcile import (
    Hierarchy,
    build_hierarchy,
    coherence_gap,
    reconcile,
    reconciliation_matrix,
)
from planlib.forecast.series import ancestors_of, build_monthly_series, level_name, series_id, series_keys

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_QUANTILES",
    "MODEL_CHOICES",
    "MODEL_NAMES",
    "ETS",
    "SARIMA",
    "STL",
    "BorrowedSeasonality",
    "Combination",
    "Croston",
    "ForecastModel",
    "ForecastResult",
    "Hierarchy",
    "Naive",
    "Naive2",
    "SeasonalNaive",
    "Theta",
    "WithFallback",
    "ancestors_of",
    "bias",
    "build_hierarchy",
    "build_monthly_series",
    "check_forecast",
    "coherence_gap",
    "coverage",
    "forecast_series",
    "level_name",
    "make_model",
    "mase",
    "mase_scale",
    "owa",
    "probability_of_reaching",
    "quantile_column",
    "reconcile",
    "reconciliation_matrix",
    "seasonal_factors",
    "seasonality_test",
    "series_id",
    "series_keys",
    "smape",
    "total_quantiles",
    "year_outlook",
    "year_outlook_paths",
]
