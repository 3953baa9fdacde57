"""Forecast every segment series: model choice by backtest, simulated paths, reconciliation.

``forecast_series`` is the stage function: long frame in, ``ForecastResult`` out,
no I/O and no printing (what went wrong on a series comes back as warnings).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from planlib.errors import ForecastError
from planlib.forecast.backtest import (
    MIN_SEASONAL_MONTHS,
    SeriesBacktest,
    SeriesTask,
    backtest_offsets,
    run_series,
    scaled_errors,
)
from planlib.forecast.calibrate import calibrate_intervals, origin_intervals, widen_paths
from planlib.forecast.festival import describe as describe_festival
from planlib.forecast.festival import fit_festival_shift, resplit
from planlib.forecast.growth import grown_mean, growth_rule, widen_for_growth
from planlib.forecast.models import MODEL_NAMES, SEASON_LENGTH, seasonal_factors
from planlib.forecast.parallel import run_parallel
from planlib.forecast.paths import (
    PathSampler,
    correlation_cholesky,
    correlation_from_covariance,
    simulate_paths,
)
from planlib.forecast.reconcile import (
    Hierarchy,
    build_hierarchy,
    check_history,
    reconcile,
    reconciliation_matrix,
    shrunk_covariance,
)
from planlib.forecast.result import DEFAULT_QUANTILES, ForecastResult, quantile_column
from planlib.forecast.scores import backtest_table, coverage_table
from planlib.forecast.series import LEVEL, ancestors_of, series_keys
from planlib.schema import DS, UNIQUE_ID, Y
from planlib.i18n import _, own_label


MODEL_CHOICES = ("auto", *MODEL_NAMES)
RECONCILE_CHOICES = ("auto", "bottom_up", "ols", "wls", "mint_shrink", "none")
MIN_PROFILE_MONTHS = 36  # a parent lends its profile from three seasons on


# ---------------------------------------------------------------------------
# The stage function
# ---------------------------------------------------------------------------


def forecast_series(
    series: pd.DataFrame,
    *,
    horizon: int = 12,
    model: str = "auto",
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    n_jobs: int = 2,
    n_paths: int = 1000,
    seed: int = 0,
    n_origins: int = 2,
    origin_step: int = 3,
    reconcile_method: str = "auto",
    season_length: int = SEASON_LENGTH,
    margin: float = 1.0,
    calibrate: bool = True,
    spring_festival: bool = False,
) -> ForecastResult:
    """Forecast every series of a long frame, with quantiles, backtests and reconciliation.

    Parameters
    ----------
    series : DataFrame
        ``unique_id, ds, y`` (monthly, month-start ``ds``), normally from
        ``build_monthly_series``; its ``level`` and dimension columns define the
        hierarchy (without a ``level`` column the series are independent).
    horizon : int, default 12
    model : str, default "auto"
        ``"auto"`` forecasts with the mean of ETS, Theta and SARIMA (``DEFAULT_MODEL``);
        intermittent series (30% or more of the last 24 months without sales) with
        Croston-SBA. Any name of ``MODEL_NAMES`` forces that model. Whatever the model,
        series under 24 months borrow their parent's seasonal profile and series without
        sales in the last 12 months are forecast 0. The guard: a model that loses to
        seasonal naive at every scored backtest origin, by over ``margin`` on average,
        is replaced by seasonal naive, and the warnings say so.
    quantiles : sequence of float, default 0.1 .. 0.9
    n_jobs : int, default 2
        Worker processes for the model fits (-1: all cores).
    n_paths : int, default 1000
        Simulated futures per series (the backtest uses at most 500).
    seed : int, default 0
        Seed of the simulation; same inputs and seed give identical outputs.
    n_origins : int, default 2
        (two keep the default forecaster under 0.3 s of CPU per series; the calibration
        pools the origins of all series of a level)
        Backtest origins; the last one ends ``horizon`` months before the data ends,
        each earlier one ``origin_step`` months before it (shorter windows when the
        history is too short, see ``backtest_offsets``).
    origin_step : int, default 3
    reconcile_method : {"auto", "bottom_up", "ols", "wls", "mint_shrink", "none"}, default "auto"
        ``"auto"`` uses bottom-up (or WLS when the levels have no common bottom level)
        unless WLS or MinT(shrink) scores a backtest MASE over 1% lower (mean over
        levels). WLS and MinT weigh series by the covariance of their in-sample
        one-step errors (of the ETS member for combinations), shrunk toward its diagonal.
    season_length : int, default 12
    margin : float, default 1.0
        How much worse than seasonal naive (relative MASE, mean over the origins) a
        model must backtest, besides losing at every origin, before the guard drops it.
        1.0 (twice seasonal naive's error) is the strongest evidence that never cost
        accuracy on the three benchmark sets; 0.2 switched 9-10% of the M4-Other and
        us_employment series and cost 0.036 OWA on us_employment (0.600 -> 0.636).
    calibrate : bool, default True
        Widen each level's intervals (monthly and horizon total) by the factors its
        backtest needs to hold 80% in P10-P90; monthly never narrower than the models'
        own, the total narrowed by half what a well-measured backtest asks at most
        (see ``calibrate_intervals``).
    spring_festival : bool, default False
        Re-split every forecast January/February pair by the Spring Festival's date
        (``festival``: a slope pooled across the series, fitted on each backtest origin's
        training months too); the pair's sum is the models'. For plans with a Chinese calendar.

    Returns
    -------
    ForecastResult
        Means are reconciled (children add up to parents month by month). Quantiles
        come from reconciled simulated paths: each series' paths are simulated from
        its model's own noise model (the ETS state-space simulation for combinations),
        with innovations correlated across series as their in-sample residuals are
        (shrunk correlation), shifted so their average is the point forecast, mapped
        through the same reconciliation as the means, and finally widened around the
        mean by the level's backtest calibration factors (``widen_paths``). Before
        widening the paths add up path by path; after it, only where the factors of
        parent and children agree (a parent's quantiles always come from its own paths).
        Series of 24 to 35 months follow ``growth.growth_rule``: centred between the model
        and last year grown by their level's pooled growth, and their year total at least
        as uncertain as growth is across the level's segments (the warnings say so).
    """
    h = _check_options(horizon, model, quantiles, n_paths, n_origins, origin_step, reconcile_method)
    frame, warnings_ = _prepare(series)
    keys = series_keys(frame)
    ids = [k.unique_id for k in keys]
    months = pd.date_range(frame[DS].min(), frame[DS].max(), freq="MS")
    end = months[-1]
    ys: dict[str, np.ndarray] = {}
    for uid, g in frame.groupby(UNIQUE_ID, sort=False):
        g = g.sort_values(DS)
        idx = pd.date_range(g[DS].iloc[0], end, freq="MS")
        vals = g.set_index(DS)[Y].reindex(idx)
        if g[DS].iloc[-1] < end or len(g) < len(idx):
            warnings_.append(f"series {uid!r}: months missing up to {end:%Y-%m} counted as 0")
        ys[str(uid)] = vals.fillna(0.0).to_numpy(float)
    offsets, note = backtest_offsets(len(months), h, n_origins, origin_step)
    if note:
        warnings_.append(note)
    ancestors = ancestors_of(keys)

    tasks = []
    for uid in ids:
        y = ys[uid]
        cutoffs = [len(y) - off for off in offsets]
        profiles: dict[int, np.ndarray] = {}
        source = None
        for train in [*cutoffs, len(y)]:
            if 1 <= train < MIN_SEASONAL_MONTHS:
                prof, src = _borrowed_profile(uid, train, ys, ancestors, season_length)
                profiles[train] = prof
                if train == len(y):
                    source = src
        tasks.append(SeriesTask(uid, y, h, model, season_length, cutoffs, profiles, source, margin))
    results: list[SeriesBacktest] = run_parallel(run_series, tasks, n_jobs=n_jobs)

    # hierarchy, residual covariance, reconciliation map
    history = np.zeros((len(ids), len(months)))
    resid = np.full((len(months), len(ids)), np.nan)
    for i, (uid, r) in enumerate(zip(ids, results)):
        y = ys[uid]
        history[i, len(months) - len(y) :] = y
        res = np.asarray(r.final.residuals, float)[-len(y) :]
        resid[len(months) - len(res) :, i] = res
    hier = build_hierarchy(keys)
    hier = check_history(hier, history)
    warnings_.extend(hier.notes)
    cov, _shrinkage = shrunk_covariance(resid)
    corr = correlation_from_covariance(cov)
    chol = correlation_cholesky(corr)

    origin_means, origin_samplers = _origin_arrays(results, h)
    if spring_festival:  # each origin re-split from its own training months: the backtest stays out of sample
        for k, off in enumerate(offsets):
            last_k = end - pd.DateOffset(months=int(off))
            shift_k = fit_festival_shift({u: ys[u][: max(len(ys[u]) - int(off), 0)] for u in ids}, last_k)
            origin_means[k] = resplit(origin_means[k], ids, last_k + pd.offsets.MonthBegin(1), shift_k)
    levels = [_level_label(k) for k in keys]
    method, scores = _choose_reconciliation(reconcile_method, hier, cov, origin_means, ys, offsets, h, season_length, ids, levels)
    pmat = _matrix(hier, method, cov)

    # backtest: reconciled forecasts and P10-P90 at every origin; widening factors
    raw = origin_intervals(origin_means, origin_samplers, pmat, chol, h, n_paths=min(n_paths, 500), seed=seed)
    if calibrate:
        month_factor, total_factor, calibrated = calibrate_intervals(raw, ys, ids, offsets, levels)
    else:
        month_factor, total_factor, calibrated = np.ones(len(ids)), np.ones(len(ids)), raw
    bt_rows, bt_frames = backtest_table(
        results, ids, ys, offsets, h, season_length, calibrated, raw, month_factor, total_factor, months=months
    )

    # final forecast: simulate, centre, reconcile, widen
    rng = np.random.default_rng(seed)
    base_mean = np.vstack([r.final.mean for r in results])
    rule = growth_rule(ys, ids, levels)
    base_mean = grown_mean(base_mean, ys, ids, rule)
    warnings_.extend(rule.notes)
    if spring_festival:
        shift = fit_festival_shift(ys, end)
        base_mean = resplit(base_mean, ids, end + pd.offsets.MonthBegin(1), shift)
        warnings_.append(describe_festival(shift, end.year + 1))
    base_paths = simulate_paths([r.final.sampler for r in results], base_mean, chol, h, n_paths, rng)
    mean = reconcile(base_mean, pmat)
    paths = reconcile(base_paths, pmat)
    paths = widen_paths(paths, mean, month_factor, total_factor)
    paths = widen_for_growth(paths, rule)
    qs = tuple(float(q) for q in quantiles)
    nonneg = np.array([np.min(ys[u]) >= 0 for u in ids])
    fut = pd.date_range(end + pd.offsets.MonthBegin(1), periods=h, freq="MS")
    forecast = _forecast_frame(ids, keys, fut, mean, paths, qs, nonneg, [r.choice for r in results])
    year_paths = pd.DataFrame(paths.sum(axis=1).T, columns=ids)
    for i, uid in enumerate(ids):
        if nonneg[i] and np.any(mean[i] < -0.005):
            warnings_.append(_("series {series}: {warning}").format(series=repr(own_label(uid)), warning=_("reconciled forecast below 0 in {months} months").format(
                months=int(np.sum(mean[i] < -0.005)))))

    level_of = {k.unique_id: _level_label(k) for k in keys}
    backtest = pd.DataFrame(bt_rows)
    backtest.insert(1, LEVEL, backtest[UNIQUE_ID].map(level_of))
    coverage = coverage_table(backtest)
    for r in results:
        for w in r.warnings:
            warnings_.append(_("series {series}: {warning}").format(series=repr(own_label(r.uid)), warning=w))
        for note in r.final.notes:
            warnings_.append(_("series {series}: {warning}").format(series=repr(own_label(r.uid)), warning=note))
        if r.kind == "short":
            warnings_.append(_("series {series}: {warning}").format(series=repr(own_label(r.uid)), warning=r.reason))
    return ForecastResult(
        forecast=forecast,
        year_paths=year_paths,
        paths=paths,
        backtest=backtest,
        backtest_forecasts=bt_frames,
        coverage=coverage,
        reconciliation=method,
        reconciliation_scores=scores,
        warnings=warnings_,
        quantiles=qs,
    )


def _check_options(horizon, model, quantiles, n_paths, n_origins, origin_step, reconcile_method) -> int:
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ForecastError(f"the 'horizon' parameter of forecast_series must be a positive integer; got {horizon!r} instead")
    if model not in MODEL_CHOICES:
        raise ForecastError(f"the 'model' parameter of forecast_series must be one of {', '.join(MODEL_CHOICES)}; got {model!r} instead")
    qs = list(quantiles)
    if not qs or any(not (0 < q < 1) for q in qs):
        raise ForecastError(f"the 'quantiles' parameter of forecast_series must hold numbers strictly between 0 and 1; got {qs!r} instead")
    if n_paths < 10:
        raise ForecastError(f"the 'n_paths' parameter of forecast_series must be at least 10; got {n_paths!r} instead")
    if n_origins < 0 or origin_step < 1:
        raise ForecastError(f"the backtest needs n_origins >= 0 and origin_step >= 1; got {n_origins!r} and {origin_step!r} instead")
    if reconcile_method not in RECONCILE_CHOICES:
        raise ForecastError(
            f"the 'reconcile_method' parameter of forecast_series must be one of {', '.join(RECONCILE_CHOICES)}; got {reconcile_method!r} instead"
        )
    return int(horizon)


def _prepare(series: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    for col in (UNIQUE_ID, DS, Y):
        if col not in series.columns:
            raise ForecastError(f"the series frame needs a {col!r} column; found {list(map(str, series.columns))}")
    if series.empty:
        raise ForecastError("the series frame is empty")
    frame = series.copy()
    frame[UNIQUE_ID] = frame[UNIQUE_ID].astype(str)
    frame[DS] = pd.to_datetime(frame[DS]).dt.to_period("M").dt.to_timestamp()
    frame[Y] = pd.to_numeric(frame[Y], errors="coerce")
    bad = frame[~np.isfinite(frame[Y].to_numpy(float))]
    if len(bad):
        raise ForecastError(_("{count} months without a finite y (first {month})").format(count=len(bad), month=f"{bad[DS].iloc[0]:%Y-%m}"),
                            series=str(bad[UNIQUE_ID].iloc[0]))
    dup = frame.duplicated([UNIQUE_ID, DS])
    if dup.any():
        row = frame[dup].iloc[0]
        raise ForecastError(_("month {month} appears more than once").format(month=f"{row[DS]:%Y-%m}"), series=str(row[UNIQUE_ID]))
    warnings_ = list(series.attrs.get("warnings", []))
    return frame, warnings_


def _borrowed_profile(uid, train, ys, ancestors, m) -> tuple[np.ndarray, str | None]:
    """Seasonal factors of the closest ancestor with three seasons, aligned to ``uid``'s positions."""
    offset = len(ys[uid]) - train
    for cur in ancestors.get(uid, []):
        ya = ys[cur]
        train_a = len(ya) - offset
        if train_a >= MIN_PROFILE_MONTHS:
            factors = seasonal_factors(ya[:train_a], season_length=m)
            shift = len(ya) - len(ys[uid])  # months the ancestor starts earlier
            return factors[(np.arange(m) + shift) % m], cur
    return np.ones(m), None


def _origin_arrays(results: list[SeriesBacktest], h: int) -> tuple[np.ndarray, list[list[PathSampler | None]]]:
    """Base forecasts ``(origin, series, month)`` and samplers of the chosen models; 0 where a series did not exist."""
    n_o = len(results[0].origins) if results else 0
    means = np.zeros((n_o, len(results), h))
    samplers: list[list[PathSampler | None]] = [[None] * len(results) for _origin in range(n_o)]
    for i, r in enumerate(results):
        for k, fit in enumerate(r.origins):
            if fit is not None:
                means[k, i] = fit.mean
                samplers[k][i] = fit.sampler
    return means, samplers


def _level_score(err: np.ndarray, levels: list[str]) -> float:
    """Mean over levels of the mean MASE of the level's scored (origin, series) pairs."""
    per_level = []
    for lv in dict.fromkeys(levels):
        cols = [i for i, x in enumerate(levels) if x == lv]
        vals = err[:, cols]
        vals = vals[np.isfinite(vals)]
        if vals.size:
            per_level.append(float(vals.mean()))
    return float(np.mean(per_level)) if per_level else float("nan")


def _matrix(hier: Hierarchy, method: str, cov: np.ndarray) -> np.ndarray:
    if method == "none":
        return np.eye(len(hier.ids))
    return reconciliation_matrix(hier, method=method, covariance=cov)


def _choose_reconciliation(requested, hier: Hierarchy, cov, origin_means, ys, offsets, h, m, ids, levels):
    if hier.is_trivial:
        return "none", pd.DataFrame({"method": ["none"], "score": [np.nan], "chosen": [True]})
    floor = "bottom_up" if hier.bottom is not None else "wls"
    if requested != "auto":
        if requested == "bottom_up" and hier.bottom is None:
            raise ForecastError("reconcile_method='bottom_up' needs a level holding every dimension of the other levels")
        methods = [requested]
    else:
        methods = list(dict.fromkeys([floor, "wls", "mint_shrink"]))
    scores = {}
    for meth in methods:
        p = _matrix(hier, meth, cov)
        rec = np.stack([reconcile(origin_means[k], p) for k in range(len(offsets))]) if len(offsets) else np.zeros((0, len(ids), h))
        err = scaled_errors(ys, ids, offsets, h, m, rec)
        scores[meth] = _level_score(err, levels)
    chosen = requested if requested != "auto" else floor
    if requested == "auto":
        finite = {k: v for k, v in scores.items() if np.isfinite(v)}
        best = min(finite, key=finite.get) if finite else floor
        if best != floor and (not np.isfinite(scores[floor]) or scores[best] < 0.99 * scores[floor]):
            chosen = best
    table = pd.DataFrame({"method": list(scores), "score": list(scores.values())})
    table["chosen"] = table["method"] == chosen
    return chosen, table


def _forecast_frame(ids, keys, fut, mean, paths, qs, nonneg, choices) -> pd.DataFrame:
    """The long forecast table: mean and quantiles per series and month (quantiles >= 0 for non-negative series)."""
    n, h = mean.shape
    qv = np.quantile(paths, qs, axis=2)  # (q, n, h)
    out = pd.DataFrame({UNIQUE_ID: np.repeat(ids, h), DS: np.tile(fut, n)})
    out[LEVEL] = np.repeat([_level_label(k) for k in keys], h)
    out["mean"] = mean.ravel()
    for j, q in enumerate(qs):
        vals = qv[j]
        vals = np.where(nonneg[:, None], np.maximum(vals, 0.0), vals)
        out[quantile_column(q)] = vals.ravel()
    out["model"] = np.repeat(choices, h)
    return out


def _level_label(key) -> str:
    if key.dims == ("__series__",):
        return ""
    return "/".join(key.dims) if key.dims else "Total"

