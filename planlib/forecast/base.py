"""The model interface and what every model shares: input checks, seasonality, sanity of a forecast.

Models are small classes sharing ``fit(y) -> self`` and ``predict(h)``; settings go in the
constructor (keyword-only), learned state ends in ``_``; ``sampler(h)`` describes their noise.
"""

from __future__ import annotations

from typing import ClassVar, Self, Sequence

import numpy as np

from planlib.errors import ForecastError
from planlib.forecast.paths import LinearPaths, PathSampler

SEASON_LENGTH = 12


def _as_array(y: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(y, dtype=float).ravel()
    if arr.size == 0:
        raise ForecastError("cannot fit a model to an empty series")
    if not np.all(np.isfinite(arr)):
        raise ForecastError("the series holds missing or non-finite values")
    return arr


def _check_h(h: int) -> int:
    if int(h) != h or h < 1:
        raise ForecastError(f"the forecast horizon must be a positive integer; got {h!r}")
    return int(h)


def _check_fitted(model: ForecastModel) -> None:
    if not hasattr(model, "n_"):
        raise ForecastError(f"{type(model).__name__} must be fitted before predicting")


def _nan_std(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return 0.0
    return float(np.sqrt(np.mean(x**2)))


def seasonality_test(y: np.ndarray, *, season_length: int = SEASON_LENGTH) -> bool:
    """The M4 test for seasonality: lag-m autocorrelation beyond its 90% limit.

    Needs at least three seasons of data; shorter series count as not seasonal.
    """
    y = np.asarray(y, float)
    m = season_length
    n = len(y)
    if m < 2 or n < 3 * m or np.allclose(y, y[0]):
        return False
    x = y - y.mean()
    denom = np.dot(x, x)
    acf = np.array([np.dot(x[: n - k], x[k:]) / denom for k in range(m + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[1:m] ** 2)) / n)
    return bool(abs(acf[m]) > limit)


def seasonal_factors(y: np.ndarray, *, season_length: int = SEASON_LENGTH, test: bool = True) -> np.ndarray:
    """Multiplicative seasonal factors by position (classical decomposition, M4 style).

    Returns an array of length ``season_length``: entry ``k`` is the factor of every
    position ``i`` with ``i % season_length == k`` (positions counted from the start
    of ``y``). All ones when the series is not seasonal (``test``), not positive or
    shorter than two seasons.
    """
    y = np.asarray(y, float)
    m = season_length
    n = len(y)
    ones = np.ones(m)
    if n < 2 * m or np.any(y <= 0) or (test and not seasonality_test(y, season_length=m)):
        return ones
    # centred moving average (2 x m for even m), then mean ratio per position
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    trend = np.convolve(y, w, mode="valid")
    off = (len(w) - 1) // 2
    ratio = y[off : off + len(trend)] / trend
    pos = (np.arange(len(trend)) + off) % m
    factors = np.array([ratio[pos == k].mean() if np.any(pos == k) else 1.0 for k in range(m)])
    if not np.all(np.isfinite(factors)) or np.any(factors <= 0):
        return ones
    return factors / factors.mean()


def check_forecast(f: np.ndarray, y: np.ndarray) -> str | None:
    """Why a forecast is unusable, or None: non-finite, or far outside the history.

    Absurd means beyond four times the largest absolute month of the history, or, for
    a series that never went negative, below minus the largest month.
    """
    f = np.asarray(f, float)
    if not np.all(np.isfinite(f)):
        return "non-finite forecast"
    top = float(np.max(np.abs(y))) if len(y) else 0.0
    if top == 0.0:
        return None if np.allclose(f, 0.0) else "non-zero forecast of an all-zero series"
    if np.max(np.abs(f)) > 4.0 * top:
        return f"forecast up to {np.max(np.abs(f)):.4g}, over 4x the largest month ({top:.4g})"
    if np.min(y) >= 0 and np.min(f) < -top:
        return f"forecast down to {np.min(f):.4g} for a series that never went negative"
    return None


class ForecastModel:
    """Base class: ``fit(y) -> self``, ``predict(h) -> ndarray``, ``sampler(h) -> PathSampler``.

    Learned attributes common to all models: ``n_`` (length fitted on),
    ``residuals_`` (in-sample one-step errors in the units of ``y``, NaN where the
    model has none) and ``sigma_`` (their root mean square).
    """

    alias: ClassVar[str] = "model"

    @property
    def name(self) -> str:
        """The label of this model in forecast and backtest tables."""
        return self.alias

    def fit(self, y: Sequence[float] | np.ndarray) -> Self:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, h: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def sampler(self, h: int) -> PathSampler:
        """Simulated futures around ``predict(h)``; by default independent errors of size ``sigma_``."""
        _check_fitted(self)
        return LinearPaths(self.predict(h), getattr(self, "sigma_", 0.0), np.array([1.0]))

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({opts})"
