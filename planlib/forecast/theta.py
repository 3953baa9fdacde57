"""The Theta method (statsmodels ``ThetaModel``)."""

from __future__ import annotations

import warnings

import numpy as np

from planlib.errors import ForecastError
from planlib.forecast.base import SEASON_LENGTH, ForecastModel, _as_array, _check_fitted, _check_h, _nan_std
from planlib.forecast.parallel import single_threaded_blas
from planlib.forecast.paths import LinearPaths, ScaledPaths


class Theta(ForecastModel):
    """The Theta method (statsmodels ``ThetaModel``): SES with half the linear trend.

    Deseasonalised by classical multiplicative decomposition where the seasonality
    test finds seasonality (three seasons at least), additive for non-positive series.

    Parameters
    ----------
    season_length : int, default 12
    theta : float, default 2.0
        Weight of the trend line (2 is the classic method).
    """

    alias = "theta"

    def __init__(self, *, season_length: int = SEASON_LENGTH, theta: float = 2.0):
        self.season_length = season_length
        self.theta = theta

    def fit(self, y):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        y = _as_array(y)
        if len(y) < 4:
            raise ForecastError(f"Theta needs at least 4 points; got {len(y)}")
        m = self.season_length
        self.n_ = len(y)
        if np.allclose(y, y[0]):
            # statsmodels' trend regression drops its constant on a constant series
            self.result_ = None
            self.const_ = float(y[0])
            self.alpha_, self.sigma_ = 0.0, 0.0
            self.residuals_ = np.r_[np.nan, np.zeros(len(y) - 1)]
            return self
        self.const_ = None
        deseason = len(y) >= 2 * m
        method = "multiplicative" if np.min(y) > 0 else "additive"
        with warnings.catch_warnings(), single_threaded_blas():
            warnings.simplefilter("ignore")
            res = ThetaModel(y, period=m, deseasonalize=deseason, use_test=True, method=method).fit()
        self.result_ = res
        alpha = float(res.params.iloc[1])
        self.alpha_ = min(max(alpha, 0.0), 1.0)
        # in-sample one-step errors of the SES on the (deseasonalised) series
        comp_factors = self._factors(res, len(y))
        adj = y / comp_factors if res.model.method.startswith("mul") else y - comp_factors
        level = adj[0]
        fitted = np.empty(len(y))
        for i, v in enumerate(adj):
            fitted[i] = level
            level = self.alpha_ * v + (1 - self.alpha_) * level
        err = adj - fitted
        self.sigma_ = _nan_std(err[1:])
        self.residuals_ = np.r_[np.nan, err[1:]]
        self.n_ = len(y)
        return self

    def _factors(self, res, n: int) -> np.ndarray:
        model = res.model
        seasonal = np.asarray(res._seasonal if hasattr(res, "_seasonal") else [], float)
        mul = model.method.startswith("mul")
        if not model.deseasonalize or seasonal.size == 0:
            return np.ones(n) if mul else np.zeros(n)
        return seasonal[np.arange(n) % self.season_length]

    def predict(self, h):
        _check_fitted(self)
        if self.const_ is not None:
            return np.full(_check_h(h), self.const_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self.result_.forecast(_check_h(h), theta=self.theta), float)

    def sampler(self, h):
        h = _check_h(h)
        mean = self.predict(h)
        if self.const_ is not None:
            return LinearPaths(mean, 0.0, np.array([1.0]))
        res = self.result_
        mul = res.model.method.startswith("mul")
        n = self.n_
        factors = self._factors(res, n + h)[n:]
        psi = np.r_[1.0, np.full(h - 1, self.alpha_)]
        if mul:
            inner = LinearPaths(mean / factors, self.sigma_, psi)
            return ScaledPaths(inner, factors, multiplicative=True)
        inner = LinearPaths(mean - factors, self.sigma_, psi)
        return ScaledPaths(inner, factors, multiplicative=False)
