"""Forecast models: small classes sharing ``fit(y) -> self`` and ``predict(h)``.

Settings go in the constructor (keyword-only), data in ``fit``; learned state ends in
``_``. Every model also returns a path sampler (``sampler(h)``) describing its noise,
so quantiles and annual totals can be simulated. ``WithFallback`` swaps in a
benchmark when a fit fails or its forecast is non-finite or absurd.
"""

from __future__ import annotations

import warnings
from typing import ClassVar, Self, Sequence

import numpy as np

from planlib.errors import ForecastError
from planlib.forecast.parallel import single_threaded_blas
from planlib.forecast.paths import (
    EmpiricalPaths,
    EtsPaths,
    LinearPaths,
    PathSampler,
    RecenteredPaths,
    ScaledPaths,
)

SEASON_LENGTH = 12

# ETS candidates (error, trend, damped, seasonal), chosen among by AIC: the short list
# that scores best on the M4 monthly sample (adding MNN/MAdN or choosing by AICc or BIC
# scored worse there). Multiplicative forms are tried only on positive series, seasonal
# forms only with two seasons of history.
ETS_SPECS: tuple[tuple[str, str | None, bool, str | None], ...] = (
    ("add", None, False, None),
    ("add", "add", True, None),
    ("add", None, False, "add"),
    ("add", "add", True, "add"),
    ("mul", None, False, "mul"),
    ("mul", "add", True, "mul"),
)
NONSEASONAL_ETS_SPECS = tuple(s for s in ETS_SPECS if s[3] is None)


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# The model interface
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Exponential smoothing (statsmodels ETSModel), chosen by AICc
# ---------------------------------------------------------------------------


def _ets_param_count(spec: tuple, m: int) -> int:
    _, trend, damped, seasonal = spec
    k = 2  # alpha, initial level
    if trend:
        k += 2 + int(damped)
    if seasonal:
        k += m  # gamma + m - 1 free initial states
    return k


class ETS(ForecastModel):
    """Exponential smoothing state-space models (statsmodels ``ETSModel``), best by AIC.

    Parameters
    ----------
    season_length : int, default 12
    specs : sequence of (error, trend, damped, seasonal), default ``ETS_SPECS``
        The candidate forms. Multiplicative ones are skipped unless the series is
        positive; a form is skipped when the series has no more than four points
        beyond its parameter count (as R's ``forecast::ets``), and seasonal forms need
        two full seasons.
    criterion : {"aic", "aicc", "bic"}, default "aic"
    initialization : {"hybrid", "estimated", "heuristic"}, default "hybrid"
        How the initial states are found: ``estimated`` with the smoothing parameters
        (as R's ``ets``; slow for seasonal forms), ``heuristic`` from the first seasons
        (Hyndman et al. 2008, 2.6.1; about ten times faster), or ``hybrid``: forms
        compared with heuristic states, the chosen form refitted with estimated ones.
        On the M4 sample (ETS alone, OWA): estimated 0.879, hybrid 0.885, heuristic
        0.909, at 0.56, 0.14 and 0.06 s per series.
    """

    alias = "ets"

    def __init__(
        self,
        *,
        season_length: int = SEASON_LENGTH,
        specs: Sequence[tuple[str, str | None, bool, str | None]] = ETS_SPECS,
        criterion: str = "aic",
        initialization: str = "hybrid",
    ):
        if criterion not in ("aicc", "aic", "bic"):
            raise ForecastError(f"the 'criterion' parameter of ETS must be one of aicc, aic, bic; got {criterion!r} instead")
        if initialization not in ("hybrid", "estimated", "heuristic"):
            raise ForecastError(
                f"the 'initialization' parameter of ETS must be 'hybrid', 'estimated' or 'heuristic'; got {initialization!r} instead"
            )
        self.season_length = season_length
        self.specs = tuple(specs)
        self.criterion = criterion
        self.initialization = initialization

    def _allowed(self, spec: tuple, y: np.ndarray) -> bool:
        error, _, _, seasonal = spec
        m = self.season_length
        if (error == "mul" or seasonal == "mul") and np.min(y) <= 0:
            return False
        if seasonal and len(y) < 2 * m:
            return False
        return len(y) > _ets_param_count(spec, m if seasonal else 0) + 4

    def _fit_one(self, ys: np.ndarray, spec: tuple, init: str):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        error, trend, damped, seasonal = spec
        with warnings.catch_warnings(), single_threaded_blas():
            warnings.simplefilter("ignore")
            return ETSModel(
                ys,
                error=error,
                trend=trend,
                damped_trend=bool(trend) and damped,
                seasonal=seasonal,
                seasonal_periods=self.season_length if seasonal else None,
                initialization_method=init,
            ).fit(disp=False)

    def _sane(self, res, scale: float, y: np.ndarray) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe = np.asarray(res.forecast(2 * self.season_length)) * scale
        return check_forecast(probe, y) is None

    def fit(self, y):
        y = _as_array(y)
        scale = float(np.mean(np.abs(y))) or 1.0
        ys = y / scale
        quick = self.initialization != "estimated" and len(y) >= 2 * self.season_length + 2
        init = "heuristic" if quick else "estimated"
        fits = []
        for spec in self.specs:
            if not self._allowed(spec, y):
                continue
            try:
                res = self._fit_one(ys, spec, init)
                score = float(getattr(res, self.criterion))
            except Exception:  # noqa: BLE001 - a failing candidate is skipped
                continue
            if np.isfinite(score):
                fits.append((score, spec, res))
        if not fits:
            raise ForecastError(f"no ETS form could be fitted to {len(y)} points")
        fits.sort(key=lambda t: t[0])
        score, spec, res = next(((sc, sp, r) for sc, sp, r in fits if self._sane(r, scale, y)), fits[0])
        if quick and self.initialization == "hybrid":
            try:
                refit = self._fit_one(ys, spec, "estimated")
                if np.isfinite(float(getattr(refit, self.criterion))) and self._sane(refit, scale, y):
                    res = refit
                    score = float(getattr(refit, self.criterion))
            except Exception:  # noqa: BLE001 - keep the heuristic fit
                pass
        self.spec_ = spec
        self.score_ = score
        self.result_ = res
        self.scale_ = scale
        fitted = np.asarray(res.fittedvalues) * scale
        self.residuals_ = y - fitted
        self.sigma_ = float(np.sqrt(res.scale)) * (1.0 if spec[0] == "mul" else scale)
        self.n_ = len(y)
        return self

    @property
    def name(self) -> str:
        if not hasattr(self, "spec_"):
            return self.alias
        e, t, d, s = self.spec_
        code = e[0].upper() + ("N" if not t else "Ad" if d else "A") + ("N" if not s else s[0].upper())
        return f"ets({code})"

    def predict(self, h):
        _check_fitted(self)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self.result_.forecast(_check_h(h)), float) * self.scale_

    def sampler(self, h):
        h = _check_h(h)
        res = self.result_
        error, trend, damped, seasonal = self.spec_
        states = np.asarray(res.states, float)
        m = self.season_length
        params = dict(zip(res.param_names, np.asarray(res.params, float)))
        return EtsPaths(
            mean=self.predict(h),
            error=error,
            trend=trend,
            seasonal=seasonal,
            alpha=params.get("smoothing_level", 0.0),
            beta=params.get("smoothing_trend", 0.0),
            gamma=params.get("smoothing_seasonal", 0.0),
            phi=params.get("damping_trend", 1.0) if trend else 1.0,
            level=states[-1, 0],
            slope=states[-1, 1] if trend else 0.0,
            season=states[-m:, -1] if seasonal else np.zeros(0),
            sigma=float(np.sqrt(res.scale)),
            scale=self.scale_,
        )


# ---------------------------------------------------------------------------
# Theta (statsmodels ThetaModel)
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# STL decomposition + ETS on the adjusted series; SARIMA
# ---------------------------------------------------------------------------


class STL(ForecastModel):
    """Robust STL decomposition, non-seasonal ETS (by AICc) on the adjusted series.

    The seasonal component is carried forward from its last season. Needs two
    seasons; shorter series raise (the fallback takes over).

    Parameters
    ----------
    season_length : int, default 12
    specs : sequence, default the non-seasonal ``ETS_SPECS``
    """

    alias = "stl"

    def __init__(self, *, season_length: int = SEASON_LENGTH, specs=NONSEASONAL_ETS_SPECS):
        self.season_length = season_length
        self.specs = tuple(specs)

    def fit(self, y):
        from statsmodels.tsa.seasonal import STL as _STL

        y = _as_array(y)
        m = self.season_length
        if len(y) < 2 * m:
            raise ForecastError(f"STL needs two seasons ({2 * m} points); got {len(y)}")
        with warnings.catch_warnings(), single_threaded_blas():
            warnings.simplefilter("ignore")
            dec = _STL(y, period=m, robust=True).fit()
        seasonal = np.asarray(dec.seasonal, float)
        self.last_season_ = seasonal[-m:]
        self.inner_ = ETS(season_length=m, specs=self.specs).fit(y - seasonal)
        self.residuals_ = self.inner_.residuals_
        self.sigma_ = self.inner_.sigma_
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        h = _check_h(h)
        return self.inner_.predict(h) + np.resize(self.last_season_, h)

    def sampler(self, h):
        h = _check_h(h)
        return ScaledPaths(self.inner_.sampler(h), np.resize(self.last_season_, h), multiplicative=False)


class SARIMA(ForecastModel):
    """Seasonal ARIMA (statsmodels ``SARIMAX``), the airline model by default.

    Fitted on the levels (on the M4 sample the airline model on levels scores OWA 0.877,
    on logs 0.914); ``log=True`` fits positive series on logs. Non-seasonal
    ``(1,1,1)`` below two seasons and two months of data.

    Parameters
    ----------
    season_length : int, default 12
    order : tuple, default (0, 1, 1)
    seasonal_order : tuple, default (0, 1, 1)
    log : bool, default False
    """

    alias = "sarima"

    def __init__(
        self,
        *,
        season_length: int = SEASON_LENGTH,
        order: tuple[int, int, int] = (0, 1, 1),
        seasonal_order: tuple[int, int, int] = (0, 1, 1),
        log: bool = False,
    ):
        self.season_length = season_length
        self.order = tuple(order)
        self.seasonal_order = tuple(seasonal_order)
        self.log = log

    def fit(self, y):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        y = _as_array(y)
        m = self.season_length
        if len(y) < 8:
            raise ForecastError(f"SARIMA needs at least 8 points; got {len(y)}")
        self.logged_ = bool(self.log and np.min(y) > 0)
        x = np.log(y) if self.logged_ else y
        seasonal = (*self.seasonal_order, m) if len(y) >= 2 * m + 2 else (0, 0, 0, 0)
        order = self.order if seasonal[3] else (1, 1, 1)
        with warnings.catch_warnings(), single_threaded_blas():
            warnings.simplefilter("ignore")
            res = SARIMAX(x, order=order, seasonal_order=seasonal, concentrate_scale=True).fit(disp=False)
        self.result_ = res
        self.sigma_x_ = float(np.sqrt(max(float(res.scale), 0.0)))
        fitted = np.asarray(res.fittedvalues, float)
        fitted = np.exp(fitted) if self.logged_ else fitted
        burn = order[1] + seasonal[1] * m
        resid = y - fitted
        resid[:burn] = np.nan
        self.residuals_ = resid
        self.sigma_ = _nan_std(resid)
        self.n_ = len(y)
        return self

    def predict(self, h):
        _check_fitted(self)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = np.asarray(self.result_.forecast(_check_h(h)), float)
        return np.exp(f) if self.logged_ else f

    def sampler(self, h):
        h = _check_h(h)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            psi = np.asarray(self.result_.impulse_responses(steps=h - 1), float).ravel()
            mean_x = np.asarray(self.result_.forecast(h), float)
        inner = LinearPaths(mean_x, self.sigma_x_, psi)
        if not self.logged_:
            return inner
        return _ExpPaths(inner, self.predict(h))


class _ExpPaths(PathSampler):
    """``exp`` of log-scale paths (median-unbiased: the point forecast is their median)."""

    def __init__(self, inner: PathSampler, mean: np.ndarray):
        self.inner = inner
        self.mean = mean

    def __call__(self, z):
        return np.exp(self.inner(z))


# ---------------------------------------------------------------------------
# Intermittent series; short series with a borrowed seasonal profile
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Combination and fallback
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Models by name
# ---------------------------------------------------------------------------

# Single models by name; combinations are the mean of their members' forecasts (on
# the M4 sample the mean of ETS, Theta and SARIMA scores OWA 0.845, each alone 0.88).
SINGLE_MODELS = ("snaive", "naive2", "naive", "ets", "theta", "stl", "sarima", "croston")
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "ets+theta+sarima": ("ets", "theta", "sarima"),
    "ets+theta": ("ets", "theta"),
}
DEFAULT_MODEL = "ets+theta+sarima"
MODEL_NAMES = (*COMBINATIONS, *SINGLE_MODELS)


def make_model(name: str, *, season_length: int = SEASON_LENGTH) -> ForecastModel:
    """A fresh, unfitted model by its name in ``MODEL_NAMES``.

    Combinations come back as ``Combination``; every model is wrapped in
    ``WithFallback`` with seasonal naive as the benchmark.
    """
    m = season_length
    singles = {
        "snaive": lambda: SeasonalNaive(season_length=m),
        "naive2": lambda: Naive2(season_length=m),
        "naive": Naive,
        "ets": lambda: ETS(season_length=m),
        "theta": lambda: Theta(season_length=m),
        "stl": lambda: STL(season_length=m),
        "sarima": lambda: SARIMA(season_length=m),
        "croston": Croston,
    }
    if name in COMBINATIONS:
        members = [singles[k]() for k in COMBINATIONS[name]]
        return WithFallback(Combination(members=members), fallback=SeasonalNaive(season_length=m))
    if name not in singles:
        raise ForecastError(f"the 'model' parameter must be one of {', '.join(MODEL_NAMES)}; got {name!r} instead")
    model = singles[name]()
    if name in ("snaive", "naive"):
        return model
    return WithFallback(model, fallback=SeasonalNaive(season_length=m))
