"""Forecast accuracy measures, as the M4 competition defines them, and interval coverage.

Every function takes plain arrays; the backtest and the M4 benchmark share them.
"""

from __future__ import annotations

import numpy as np

from planlib.forecast.models import SEASON_LENGTH


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent: mean of ``200 |y - f| / (|y| + |f|)`` (0 where both are 0)."""
    y = np.asarray(actual, float)
    f = np.asarray(forecast, float)
    denom = np.abs(y) + np.abs(f)
    terms = np.divide(200.0 * np.abs(y - f), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(np.mean(terms))


def mase_scale(history: np.ndarray, *, season_length: int = SEASON_LENGTH) -> float:
    """Mean absolute seasonal difference of the history (lag-1 under two seasons); NaN if 0."""
    y = np.asarray(history, float)
    lag = season_length if len(y) > season_length else 1
    if len(y) <= lag:
        return float("nan")
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    return scale if scale > 0 else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, *, season_length: int = SEASON_LENGTH) -> float:
    """Mean absolute error over the seasonal-naive in-sample error of ``history``."""
    err = np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float)))
    return float(err / mase_scale(history, season_length=season_length))


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Forecast minus actual, summed, as a share of the actual total (+ = over-forecast).

    NaN when the actual total is 0.
    """
    y = np.asarray(actual, float)
    f = np.asarray(forecast, float)
    total = np.sum(np.abs(y))
    return float(np.sum(f - y) / total) if total > 0 else float("nan")


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside ``[lower, upper]``."""
    y = np.asarray(actual, float)
    inside = (y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))
    return float(np.mean(inside)) if inside.size else float("nan")


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average relative to Naive2, as in M4 (each input already averaged)."""
    return 0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2)


def within(actual, lo, hi, *, rel: float = 1e-9):
    """``lo <= actual <= hi``, a point on a bound counted inside to ``rel`` of its size.

    The calibration widens an interval until it reaches a backtest total (the 80th
    percentile of what the totals need), so that total sits on the bound; whether the last
    bit of floating point puts it in or out differs between BLAS kernels and CPUs.
    """
    actual, lo, hi = np.asarray(actual, float), np.asarray(lo, float), np.asarray(hi, float)
    tol = rel * np.maximum.reduce([np.abs(actual), np.abs(lo), np.abs(hi), np.ones_like(actual)])
    return (actual >= lo - tol) & (actual <= hi + tol)
