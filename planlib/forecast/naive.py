"""Benchmarks every model must beat: naive, seasonal naive and the M4 Naive2."""

from __future__ import annotations

import numpy as np

from planlib.forecast.base import SEASON_LENGTH, ForecastModel, _as_array, _check_fitted, _check_h, _nan_std, seasonal_factors
from planlib.forecast.paths import LinearPaths, ScaledPaths


class Naive(ForecastModel):
    """The last value, carried forward (a random walk)."""

    alias = "naive"

    def fit(self, y):
        y = _as_array(y)
        self.last_ = float(y[-1])
        self.residuals_ = np.r_[np.nan, np.diff(y)]
        self.sigma_ = _nan_std(self.residuals_)
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        return np.full(_check_h(h), self.last_)

    def sampler(self, h):
        return LinearPaths(self.predict(h), self.sigma_, np.ones(_check_h(h)))


class SeasonalNaive(ForecastModel):
    """The same month a season earlier; the plain last value on histories under a season.

    Parameters
    ----------
    season_length : int, default 12
    """

    alias = "snaive"

    def __init__(self, *, season_length: int = SEASON_LENGTH):
        self.season_length = season_length

    def fit(self, y):
        y = _as_array(y)
        m = self.season_length
        self.n_ = len(y)
        if len(y) >= m:
            self.last_season_ = y[-m:].copy()
            self.residuals_ = np.r_[np.full(m, np.nan), y[m:] - y[:-m]]
        else:
            self.last_season_ = None
            self.residuals_ = np.r_[np.nan, np.diff(y)]
        self.last_ = float(y[-1])
        self.sigma_ = _nan_std(self.residuals_)
        return self

    def predict(self, h):
        _check_fitted(self)
        h = _check_h(h)
        if self.last_season_ is None:
            return np.full(h, self.last_)
        return np.resize(self.last_season_, h)

    def sampler(self, h):
        h = _check_h(h)
        m = self.season_length
        psi = (np.arange(h) % m == 0).astype(float) if self.last_season_ is not None else np.ones(h)
        return LinearPaths(self.predict(h), self.sigma_, psi)


class Naive2(ForecastModel):
    """The M4 benchmark: naive forecast of the seasonally adjusted series, re-seasonalised.

    Seasonal factors come from a classical multiplicative decomposition, used only
    where the M4 seasonality test (90%, lag 12, at least three seasons) finds them.
    """

    alias = "naive2"

    def __init__(self, *, season_length: int = SEASON_LENGTH):
        self.season_length = season_length

    def fit(self, y):
        y = _as_array(y)
        m = self.season_length
        self.n_ = len(y)
        self.factors_ = seasonal_factors(y, season_length=m)
        adj = y / self.factors_[np.arange(len(y)) % m]
        self.last_ = float(adj[-1])
        self.residuals_ = np.r_[np.nan, np.diff(adj)] * self.factors_[np.arange(len(y)) % m]
        self.sigma_ = _nan_std(np.r_[np.nan, np.diff(adj)])
        return self

    def _future_factors(self, h: int) -> np.ndarray:
        return self.factors_[(self.n_ + np.arange(h)) % self.season_length]

    def predict(self, h):
        _check_fitted(self)
        h = _check_h(h)
        return self.last_ * self._future_factors(h)

    def sampler(self, h):
        h = _check_h(h)
        inner = LinearPaths(np.full(h, self.last_), self.sigma_, np.ones(h))
        return ScaledPaths(inner, self._future_factors(h))
