"""Combining models (mean of forecasts) and falling back to a benchmark when a fit fails or is absurd."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from planlib.errors import ForecastError
from planlib.forecast.base import SEASON_LENGTH, ForecastModel, _as_array, _check_fitted, _check_h, check_forecast
from planlib.forecast.ets import ETS
from planlib.forecast.naive import SeasonalNaive
from planlib.forecast.paths import RecenteredPaths
from planlib.forecast.sarima import SARIMA
from planlib.forecast.theta import Theta


class Combination(ForecastModel):
    """The mean (or median) of several models' forecasts.

    Members that fail are dropped (``dropped_`` says which); the paths come from the
    first surviving member, re-centred on the combined forecast.

    Parameters
    ----------
    members : sequence of ForecastModel, default (ETS(), Theta(), SARIMA())
    method : {"mean", "median"}, default "mean"
    """

    alias = "combination"

    def __init__(self, *, members: Sequence[ForecastModel] | None = None, method: str = "mean"):
        if method not in ("mean", "median"):
            raise ForecastError(f"the 'method' parameter of Combination must be 'mean' or 'median'; got {method!r} instead")
        self.members = list(members) if members is not None else [ETS(), Theta(), SARIMA()]
        self.method = method

    @property
    def name(self) -> str:
        return "+".join(m.alias for m in self.members)

    def fit(self, y):
        y = _as_array(y)
        self.fitted_ = []
        self.dropped_ = []
        for member in self.members:
            try:
                member.fit(y)
                probe = member.predict(2 * SEASON_LENGTH)
                problem = check_forecast(probe, y)
                if problem:
                    raise ForecastError(problem)
                self.fitted_.append(member)
            except Exception as err:  # noqa: BLE001 - a failing member is dropped, not fatal
                self.dropped_.append(f"{member.alias}: {err}")
        if not self.fitted_:
            raise ForecastError("every member of the combination failed: " + "; ".join(self.dropped_))
        lead = self.fitted_[0]
        self.residuals_ = lead.residuals_
        self.sigma_ = lead.sigma_
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        h = _check_h(h)
        preds = np.vstack([m.predict(h) for m in self.fitted_])
        return preds.mean(axis=0) if self.method == "mean" else np.median(preds, axis=0)

    def sampler(self, h):
        h = _check_h(h)
        return RecenteredPaths(self.fitted_[0].sampler(h), self.predict(h))


class WithFallback(ForecastModel):
    """A model that falls back to a benchmark when its fit fails or its forecast is absurd.

    Parameters
    ----------
    model : ForecastModel
    fallback : ForecastModel, default SeasonalNaive()
    check_h : int, default 24
        Horizon probed by ``check_forecast`` right after fitting.

    Attributes
    ----------
    fell_back_ : bool
    note_ : str
        Why the fallback was used ("" when it was not).
    """

    def __init__(self, model: ForecastModel, *, fallback: ForecastModel | None = None, check_h: int = 24):
        self.model = model
        self.fallback = fallback if fallback is not None else SeasonalNaive()
        self.check_h = check_h

    @property
    def alias(self) -> str:  # type: ignore[override]
        return self.model.alias

    @property
    def name(self) -> str:
        active = getattr(self, "active_", None)
        return active.name if active is not None else self.model.name

    def fit(self, y):
        y = _as_array(y)
        self.fell_back_ = False
        self.note_ = ""
        try:
            self.model.fit(y)
            problem = check_forecast(self.model.predict(self.check_h), y)
            if problem:
                raise ForecastError(problem)
            self.active_ = self.model
        except Exception as err:  # noqa: BLE001 - any failure means the benchmark takes over
            self.fallback.fit(y)
            self.active_ = self.fallback
            self.fell_back_ = True
            self.note_ = f"{self.model.alias} failed ({_short(err)}); fell back to {self.fallback.alias}"
        self.residuals_ = self.active_.residuals_
        self.sigma_ = self.active_.sigma_
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        return self.active_.predict(h)

    def sampler(self, h):
        _check_fitted(self)
        return self.active_.sampler(h)


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."
