"""Series a regular model cannot fit: intermittent demand (Croston) and short histories (borrowed seasonal profile)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from planlib.errors import ForecastError
from planlib.forecast.base import ForecastModel, _as_array, _check_fitted, _check_h, _nan_std
from planlib.forecast.ets import ETS, NONSEASONAL_ETS_SPECS
from planlib.forecast.paths import EmpiricalPaths, ScaledPaths


class Croston(ForecastModel):
    """Croston's method with the Syntetos-Boylan correction, for intermittent series.

    Not a statsmodels model (statsmodels has none for intermittent demand); a dozen
    lines of the textbook recursions.

    Parameters
    ----------
    alpha : float, default 0.1
        Smoothing of both the non-zero sizes and the intervals between them.
    variant : {"sba", "classic"}, default "sba"
    """

    alias = "croston"

    def __init__(self, *, alpha: float = 0.1, variant: str = "sba"):
        self.alpha = alpha
        self.variant = variant

    def fit(self, y):
        y = _as_array(y)
        nz = np.flatnonzero(y != 0)
        self.n_ = len(y)
        recent = y[-24:]
        self.recent_ = recent.copy()
        if len(nz) == 0:
            self.level_ = 0.0
        else:
            sizes = y[nz]
            intervals = np.diff(np.r_[-1, nz]).astype(float)
            z, p = sizes[0], intervals[0]
            for s, q in zip(sizes[1:], intervals[1:]):
                z = self.alpha * s + (1 - self.alpha) * z
                p = self.alpha * q + (1 - self.alpha) * p
            # the SBA debiasing is for demand with gaps; without any gap Croston is plain SES
            factor = 1 - self.alpha / 2 if self.variant == "sba" and np.any(intervals > 1) else 1.0
            self.level_ = float(factor * z / p)
        self.residuals_ = np.r_[np.nan, y[1:] - self.level_]
        self.sigma_ = _nan_std(self.residuals_)
        return self

    def predict(self, h):
        _check_fitted(self)
        return np.full(_check_h(h), self.level_)

    def sampler(self, h):
        return EmpiricalPaths(self.predict(h), self.recent_)


class BorrowedSeasonality(ForecastModel):
    """A non-seasonal model on a series adjusted by a seasonal profile taken from elsewhere.

    For series too short to estimate their own seasonality: the profile (normally the
    parent segment's multiplicative factors) is divided out, ``inner`` forecasts the
    adjusted series and the profile is multiplied back in.

    Parameters
    ----------
    profile : array of length season_length
        Factor of every position ``i`` with ``i % season_length == k`` (positions
        counted from the start of the ``y`` passed to ``fit``).
    inner : ForecastModel, default non-seasonal ETS
    """

    alias = "profile"

    def __init__(self, *, profile: Sequence[float], inner: ForecastModel | None = None):
        self.profile = np.asarray(profile, float)
        self.inner = inner if inner is not None else ETS(specs=NONSEASONAL_ETS_SPECS)

    @property
    def name(self) -> str:
        return f"profile+{self.inner.name}"

    def _f(self, start: int, k: int) -> np.ndarray:
        return self.profile[(start + np.arange(k)) % len(self.profile)]

    def fit(self, y):
        y = _as_array(y)
        if not np.all(np.isfinite(self.profile)) or np.any(self.profile <= 0):
            raise ForecastError("a borrowed seasonal profile must be positive and finite")
        self.inner.fit(y / self._f(0, len(y)))
        self.residuals_ = self.inner.residuals_ * self._f(0, len(y))
        self.sigma_ = _nan_std(self.residuals_)
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        h = _check_h(h)
        return self.inner.predict(h) * self._f(self.n_, h)

    def sampler(self, h):
        h = _check_h(h)
        return ScaledPaths(self.inner.sampler(h), self._f(self.n_, h))
