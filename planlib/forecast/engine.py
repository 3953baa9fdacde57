"""Forecast every segment series: model choice by backtest, simulated paths, reconciliation.

``forecast_series`` is the stage function: long frame in, ``ForecastResult`` out,
no I/O and no printing (what went wrong on a series comes back as warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from planlib.errors import ForecastError
from planlib.forecast.metrics import bias as _bias
from planlib.forecast.metrics import mase_scale
from planlib.forecast.models import (
    ETS,
    NONSEASONAL_ETS_SPECS,
    SARIMA,
    SEASON_LENGTH,
    STL,
    BorrowedSeasonality,
    Croston,
    ForecastModel,
    Combination,
    Naive,
    Naive2,
    SeasonalNaive,
    Theta,
    WithFallback,
    check_forecast,
    seasonal_factors,
)
from planlib.forecast.parallel import run_parallel
from planlib.forecast.paths import LinearPaths, PathSampler, RecenteredPaths
from planlib.forecast.reconcile import (
    Hierarchy,
    build_hierarchy,
    check_history,
    reconcile,
    reconciliation_matrix,
    shrunk_covariance,
)
from planlib.forecast.series import LEVEL, parent_of, series_keys
from planlib.schema import DS, UNIQUE_ID, Y

DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

# Single models by name; combinations are the mean of their members' forecasts.
SINGLE_MODELS = ("snaive", "naive2", "naive", "ets", "theta", "stl", "sarima", "croston")
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "ets+theta+sarima": ("ets", "theta", "sarima"),
    "ets+theta": ("ets", "theta"),
}
DEFAULT_MODEL = "ets+theta+sarima"
# What ``model="auto"`` may switch to when the backtest shows it clearly better.
AUTO_ALTERNATIVES = ("ets+theta", "ets", "theta", "sarima", "snaive")
INTERMITTENT_ALTERNATIVES = ("snaive", DEFAULT_MODEL)
MODEL_CHOICES = ("auto", *COMBINATIONS, *SINGLE_MODELS)
RECONCILE_CHOICES = ("auto", "bottom_up", "ols", "wls", "mint_shrink", "none")

MIN_SEASONAL_MONTHS = 24  # below this a series borrows its parent's seasonal profile
MIN_PROFILE_MONTHS = 36  # a parent lends its profile from three seasons on
INTERMITTENT_ZERO_SHARE = 0.3  # share of months without sales (last 24) that makes a series intermittent
MIN_BACKTEST_TRAIN = 13  # months of history an origin needs to be scored


def make_model(name: str, *, season_length: int = SEASON_LENGTH) -> ForecastModel:
    """A fresh, unfitted model by its name in ``MODEL_CHOICES`` (not "auto").

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
        raise ForecastError(f"the 'model' parameter must be one of {', '.join(MODEL_CHOICES[1:])}; got {name!r} instead")
    model = singles[name]()
    if name in ("snaive", "naive"):
        return model
    return WithFallback(model, fallback=SeasonalNaive(season_length=m))


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass
class ForecastResult:
    """What ``forecast_series`` returns.

    Attributes
    ----------
    forecast : DataFrame
        ``unique_id, ds, level, mean, p10 .. p90, model``: one row per series and
        future month, reconciled (children add up to parents month by month).
    year_paths : DataFrame
        Simulated totals over the horizon (rows = paths, columns = unique_id),
        taken from the reconciled paths, so they are coherent path by path.
    paths : ndarray
        The reconciled monthly paths, shape ``(series, horizon, n_paths)``, series in
        the order of ``year_paths.columns``.
    backtest : DataFrame
        One row per series: chosen model and why, MASE and bias of the final
        (reconciled) forecast, MASE of seasonal naive and of the model before
        reconciliation, P10-P90 coverage by month and of the horizon total, fallback
        notes and warnings.
    backtest_forecasts : DataFrame
        ``unique_id, cutoff, ds, y, mean, p10, p90, snaive``: every origin's forecast.
    coverage : DataFrame
        P10-P90 coverage by level, monthly and for the horizon total.
    reconciliation : str
        The reconciliation method used.
    reconciliation_scores : DataFrame
        Backtest score of each reconciliation method tried (mean over levels of the
        mean MASE), and which was chosen.
    warnings : list of str
    """

    forecast: pd.DataFrame
    year_paths: pd.DataFrame
    paths: np.ndarray
    backtest: pd.DataFrame
    backtest_forecasts: pd.DataFrame
    coverage: pd.DataFrame
    reconciliation: str
    reconciliation_scores: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES


def quantile_column(q: float) -> str:
    """Column name of a quantile: 0.1 -> ``"p10"``, 0.025 -> ``"p2.5"``."""
    return "p" + format(round(q * 100, 6), "g")


def probability_of_reaching(result: ForecastResult, unique_id: str, amount: float) -> float:
    """Share of simulated horizon totals of ``unique_id`` at or above ``amount``."""
    if unique_id not in result.year_paths.columns:
        raise ForecastError("no such series in the forecast", series=unique_id)
    return float(np.mean(result.year_paths[unique_id].to_numpy() >= amount))


def total_quantiles(
    result: ForecastResult,
    unique_id: str | Sequence[str] | None = None,
    *,
    quantiles: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Quantiles of the horizon total (the year, for a 12-month horizon) per series.

    Returns ``unique_id, mean, p10 .. p90`` (the mean is the sum of the monthly means).
    """
    qs = tuple(quantiles) if quantiles is not None else result.quantiles
    ids = list(result.year_paths.columns) if unique_id is None else ([unique_id] if isinstance(unique_id, str) else list(unique_id))
    missing = [u for u in ids if u not in result.year_paths.columns]
    if missing:
        raise ForecastError("no such series in the forecast", series=missing[0])
    means = result.forecast.groupby(UNIQUE_ID, sort=False)["mean"].sum()
    rows = []
    for u in ids:
        totals = result.year_paths[u].to_numpy()
        row = {UNIQUE_ID: u, "mean": float(means[u])}
        row.update({quantile_column(q): float(v) for q, v in zip(qs, np.quantile(totals, qs))})
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Per-series work (runs in worker processes)
# ---------------------------------------------------------------------------


@dataclass
class _Task:
    uid: str
    y: np.ndarray
    horizon: int
    model: str
    season_length: int
    cutoffs: list[int]  # training lengths of the backtest origins (may be < 1)
    profiles: dict[int, np.ndarray]  # training length -> borrowed seasonal profile
    profile_source: str | None
    margin: float


@dataclass
class _Fit:
    """One model fitted at one origin (or on the full history)."""

    name: str
    label: str
    mean: np.ndarray
    sampler: PathSampler
    residuals: np.ndarray
    notes: list[str]


@dataclass
class _SeriesResult:
    uid: str
    kind: str
    choice: str
    reason: str
    final: _Fit
    origins: list[_Fit | None]  # chosen model at each origin
    snaive: list[np.ndarray | None]
    base_mase: float
    warnings: list[str]


def _classify(y: np.ndarray, m: int) -> tuple[str, list[str]]:
    """``zero``, ``short``, ``intermittent`` or ``regular``, with the warnings that go with it."""
    n = len(y)
    notes: list[str] = []
    recent = y[-24:]
    if np.all(y[-12:] == 0):
        return "zero", [f"no sales in the last {min(12, n)} months: forecast 0"]
    if np.any(y < 0):
        notes.append(f"{int(np.sum(y < 0))} months with negative revenue (returns): multiplicative models skipped")
    if n < MIN_SEASONAL_MONTHS:
        return "short", notes
    zero_share = float(np.mean(recent == 0))
    if zero_share >= INTERMITTENT_ZERO_SHARE:
        nz = recent[recent != 0]
        cv2 = float(np.var(nz) / np.mean(nz) ** 2) if len(nz) > 1 and np.mean(nz) != 0 else 0.0
        kind_text = "lumpy" if cv2 > 0.49 else "intermittent"
        notes.append(f"{kind_text}: {zero_share:.0%} of the last 24 months without sales")
        return "intermittent", notes
    level = np.mean(np.abs(recent))
    if level > 0 and np.mean(np.abs(np.diff(recent))) > 0.6 * level:
        notes.append("erratic month to month (batching or timing of large orders?): the forecast smooths it")
    return "regular", notes


def _candidates(kind: str, model: str) -> tuple[str, list[str]]:
    """Default candidate and the alternatives ``auto`` may switch to."""
    if kind == "zero":
        return "zero", []
    if kind == "short":
        return "profile", []
    if model != "auto":
        return model, []
    if kind == "intermittent":
        return "croston", list(INTERMITTENT_ALTERNATIVES)
    return DEFAULT_MODEL, [a for a in AUTO_ALTERNATIVES if a != DEFAULT_MODEL]


def _fit_candidates(y: np.ndarray, names: list[str], h: int, m: int, profile: np.ndarray | None) -> dict[str, _Fit]:
    """Fit every named candidate once; combinations reuse their members' fits."""
    cache: dict[str, ForecastModel] = {}

    def single(name: str) -> ForecastModel:
        if name not in cache:
            cache[name] = make_model(name, season_length=m).fit(y)
        return cache[name]

    out: dict[str, _Fit] = {}
    for name in names:
        if name == "zero":
            zeros = np.zeros(h)
            out[name] = _Fit(name, "zero", zeros, LinearPaths(zeros, 0.0, np.array([1.0])), np.zeros(len(y)), [])
            continue
        if name == "profile":
            prof = profile if profile is not None else np.ones(m)
            model = WithFallback(
                BorrowedSeasonality(profile=prof, inner=ETS(season_length=m, specs=NONSEASONAL_ETS_SPECS)),
                fallback=BorrowedSeasonality(profile=prof, inner=Naive()),
            ).fit(y)
            mean = model.predict(h)
            out[name] = _Fit(name, model.name, mean, model.sampler(h), model.residuals_, [model.note_] if model.note_ else [])
            continue
        if name in COMBINATIONS:
            members = [single(k) for k in COMBINATIONS[name]]
            mean = np.mean([mm.predict(h) for mm in members], axis=0)
            notes = [mm.note_ for mm in members if getattr(mm, "note_", "")]
            label = "+".join(mm.name for mm in members)
            lead = members[0]
            out[name] = _Fit(name, label, mean, RecenteredPaths(lead.sampler(h), mean), lead.residuals_, notes)
            continue
        model = single(name)
        note = getattr(model, "note_", "")
        out[name] = _Fit(name, model.name, model.predict(h), model.sampler(h), model.residuals_, [note] if note else [])
    for fit in out.values():
        problem = check_forecast(fit.mean, y)
        if problem and fit.name != "snaive":
            bench = SeasonalNaive(season_length=m).fit(y)
            fit.notes.append(f"{fit.label}: {problem}; fell back to snaive")
            fit.mean, fit.sampler, fit.label = bench.predict(h), bench.sampler(h), "snaive"
            fit.residuals = bench.residuals_
        if np.min(y) >= 0 and np.any(fit.mean < 0):
            fit.mean = np.maximum(fit.mean, 0.0)
    return out


def _origin_mase(y: np.ndarray, train: int, forecast: np.ndarray, h: int, m: int) -> float:
    actual = y[train : train + h]
    scale = mase_scale(y[:train], season_length=m)
    if not np.isfinite(scale):
        scale = float(np.mean(np.abs(y[:train]))) or float("nan")
    return float(np.mean(np.abs(actual - forecast[: len(actual)])) / scale)


def _run_series(task: _Task) -> _SeriesResult:
    """Backtest the candidates, choose, and fit the chosen model on the whole history."""
    y, h, m = task.y, task.horizon, task.season_length
    kind, warns = _classify(y, m)
    default, alternatives = _candidates(kind, task.model)
    names = [default, *alternatives]
    per_origin: list[dict[str, _Fit] | None] = []
    snaive: list[np.ndarray | None] = []
    for train in task.cutoffs:
        if train < 1:
            per_origin.append(None)
            snaive.append(None)
            continue
        yt = y[:train]
        o_kind, _ = _classify(yt, m)
        o_default, o_alts = _candidates(o_kind, task.model)
        o_names = [o_default, *o_alts] if o_kind == kind else [o_default]
        wanted = list(dict.fromkeys([*o_names, *(names if o_kind == kind else [])]))
        fits = _fit_candidates(yt, wanted, h, m, task.profiles.get(train))
        fits["__default__"] = fits[o_default]
        per_origin.append(fits)
        snaive.append(SeasonalNaive(season_length=m).fit(yt).predict(h))

    # model choice on the origins where every candidate ran and the actuals are scored
    scored = [
        (train, fits)
        for train, fits in zip(task.cutoffs, per_origin)
        if fits is not None and train >= MIN_BACKTEST_TRAIN and all(nm in fits for nm in names)
    ]
    scores = {nm: float(np.mean([_origin_mase(y, t, f[nm].mean, h, m) for t, f in scored])) if scored else np.nan for nm in names}
    choice = default
    if kind == "zero":
        reason = "no sales in the last 12 months"
    elif kind == "short":
        reason = f"{len(y)} months of history: non-seasonal model on the series adjusted by " + (
            f"the seasonal profile of {task.profile_source!r}" if task.profile_source else "no seasonal profile (no parent with 3 years)"
        )
    elif not alternatives:
        reason = "model set by the caller"
    elif len(scored) < 2:
        reason = f"default {default} (fewer than 2 backtest origins to choose on)"
    else:
        best = min(alternatives, key=lambda a: (scores[a], a))
        if np.isfinite(scores[best]) and scores[best] < (1 - task.margin) * scores[default]:
            choice = best
            reason = f"backtest MASE {scores[best]:.2f} beat the default {default} ({scores[default]:.2f}) by over {task.margin:.0%}"
        else:
            reason = f"default {default} (backtest MASE {scores[default]:.2f}; best alternative {best} {scores[best]:.2f})"
    if kind == "intermittent" and choice == "croston":
        reason = "intermittent: " + reason

    final = _fit_candidates(y, [choice], h, m, task.profiles.get(len(y)))[choice]
    origins = []
    for fits in per_origin:
        if fits is None:
            origins.append(None)
        else:
            origins.append(fits.get(choice, fits["__default__"]))
    base_mase = float(np.mean([_origin_mase(y, t, f[choice].mean, h, m) for t, f in scored])) if scored else np.nan
    return _SeriesResult(task.uid, kind, choice, reason, final, origins, snaive, base_mase, warns)


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
    n_origins: int = 4,
    origin_step: int = 3,
    reconcile_method: str = "auto",
    season_length: int = SEASON_LENGTH,
    margin: float = 0.1,
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
        ``"auto"`` forecasts with the mean of ETS and Theta unless the rolling-origin
        backtest shows ETS, Theta or seasonal naive better by over ``margin``
        (intermittent series: Croston-SBA, seasonal naive or the combination). Any
        name of ``MODEL_CHOICES`` forces that model. Series under 24 months always
        borrow their parent's seasonal profile; series without sales in the last 12
        months are forecast 0.
    quantiles : sequence of float, default 0.1 .. 0.9
    n_jobs : int, default 2
        Worker processes for the model fits (-1: all cores).
    n_paths : int, default 1000
        Simulated futures per series (the backtest uses at most 500).
    seed : int, default 0
        Seed of the simulation; same inputs and seed give identical outputs.
    n_origins : int, default 4
        Backtest origins; the last one ends ``horizon`` months before the data ends,
        each earlier one ``origin_step`` months before it.
    origin_step : int, default 3
    reconcile_method : {"auto", "bottom_up", "ols", "wls", "mint_shrink", "none"}, default "auto"
        ``"auto"`` uses bottom-up (or WLS when the levels have no common bottom level)
        unless WLS or MinT(shrink) scores a lower backtest MASE.
    season_length : int, default 12
    margin : float, default 0.1
        How much better (relative MASE) an alternative must backtest to replace the default.

    Returns
    -------
    ForecastResult
        Means and quantiles are reconciled. Quantiles come from reconciled simulated
        paths: each series' paths are simulated from its model's own noise model
        (ETS state-space simulation for the combination), with innovations correlated
        across series as their in-sample residuals are, shifted so their average is
        the point forecast, then mapped through the same reconciliation as the means.
    """
    h = _check_options(horizon, model, quantiles, n_paths, n_origins, origin_step, reconcile_method)
    frame, warnings_ = _prepare(series)
    keys = series_keys(frame)
    ids = [k.unique_id for k in keys]
    months = pd.date_range(frame[DS].min(), frame[DS].max(), freq="MS")
    end = months[-1]
    ys: dict[str, np.ndarray] = {}
    starts: dict[str, int] = {}
    for uid, g in frame.groupby(UNIQUE_ID, sort=False):
        g = g.sort_values(DS)
        first = months.get_loc(g[DS].iloc[0])
        idx = pd.date_range(g[DS].iloc[0], end, freq="MS")
        vals = g.set_index(DS)[Y].reindex(idx)
        if g[DS].iloc[-1] < end or len(g) < len(idx):
            warnings_.append(f"series {uid!r}: months missing up to {end:%Y-%m} counted as 0")
        ys[str(uid)] = vals.fillna(0.0).to_numpy(float)
        starts[str(uid)] = first
    offsets = [h + k * origin_step for k in range(n_origins)]
    parents = parent_of(keys)

    tasks = []
    for uid in ids:
        y = ys[uid]
        cutoffs = [len(y) - off for off in offsets]
        profiles: dict[int, np.ndarray] = {}
        source = None
        for train in [*cutoffs, len(y)]:
            if 1 <= train < MIN_SEASONAL_MONTHS:
                prof, src = _borrowed_profile(uid, train, ys, parents, season_length)
                profiles[train] = prof
                if train == len(y):
                    source = src
        tasks.append(_Task(uid, y, h, model, season_length, cutoffs, profiles, source, margin))
    results: list[_SeriesResult] = run_parallel(_run_series, tasks, n_jobs=n_jobs)

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
    cov, _ = shrunk_covariance(resid)
    corr = _correlation(cov)
    chol = _cholesky(corr)

    origin_means, origin_samplers, origin_mask = _origin_arrays(results, h)
    levels = [_level_label(k) for k in keys]
    method, scores = _choose_reconciliation(reconcile_method, hier, cov, origin_means, ys, offsets, h, season_length, ids, levels)
    pmat = np.eye(len(ids)) if method == "none" else reconciliation_matrix(hier, method=method, covariance=cov)

    # final forecast: simulate, centre, reconcile
    rng = np.random.default_rng(seed)
    base_mean = np.vstack([r.final.mean for r in results])
    base_paths = _simulate([r.final.sampler for r in results], base_mean, chol, h, n_paths, rng)
    mean = reconcile(base_mean, pmat)
    paths = reconcile(base_paths, pmat)
    qs = tuple(float(q) for q in quantiles)
    nonneg = np.array([np.min(ys[u]) >= 0 for u in ids])
    fut = pd.date_range(end + pd.offsets.MonthBegin(1), periods=h, freq="MS")
    forecast = _forecast_frame(ids, keys, fut, mean, paths, qs, nonneg, [r.choice for r in results], frame)
    year_paths = pd.DataFrame(paths.sum(axis=1).T, columns=ids)
    for i, uid in enumerate(ids):
        if nonneg[i] and np.any(mean[i] < -0.005):
            warnings_.append(f"series {uid!r}: reconciled forecast below 0 in {int(np.sum(mean[i] < -0.005))} months")

    # backtest: reconciled forecasts and interval coverage at every origin
    bt_rows, bt_frames = _backtest_tables(
        results, ids, ys, offsets, h, season_length, pmat, chol, origin_means, origin_samplers, origin_mask,
        n_paths=min(n_paths, 500), seed=seed, months=months,
    )
    level_of = {k.unique_id: _level_label(k) for k in keys}
    backtest = pd.DataFrame(bt_rows)
    backtest.insert(1, LEVEL, backtest[UNIQUE_ID].map(level_of))
    coverage = _coverage_table(backtest)
    for r in results:
        for w in r.warnings:
            warnings_.append(f"series {r.uid!r}: {w}")
        for note in r.final.notes:
            warnings_.append(f"series {r.uid!r}: {note}")
        if r.kind == "short":
            warnings_.append(f"series {r.uid!r}: {r.reason}")
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
        raise ForecastError(f"{len(bad)} months without a finite y (first {bad[DS].iloc[0]:%Y-%m})", series=str(bad[UNIQUE_ID].iloc[0]))
    dup = frame.duplicated([UNIQUE_ID, DS])
    if dup.any():
        row = frame[dup].iloc[0]
        raise ForecastError(f"month {row[DS]:%Y-%m} appears more than once", series=str(row[UNIQUE_ID]))
    warnings_ = list(series.attrs.get("warnings", []))
    return frame, warnings_


def _borrowed_profile(uid, train, ys, parents, m) -> tuple[np.ndarray, str | None]:
    """Seasonal factors of the closest ancestor with three seasons, aligned to ``uid``'s positions."""
    offset = len(ys[uid]) - train
    cur = parents.get(uid)
    while cur is not None:
        ya = ys[cur]
        train_a = len(ya) - offset
        if train_a >= MIN_PROFILE_MONTHS:
            factors = seasonal_factors(ya[:train_a], season_length=m)
            shift = len(ya) - len(ys[uid])  # months the ancestor starts earlier
            aligned = factors[(np.arange(m) + shift) % m]
            return aligned, cur
        cur = parents.get(cur)
    return np.ones(m), None


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    corr = cov / np.outer(sd, sd)
    corr[np.diag_indices_from(corr)] = 1.0
    return corr


def _cholesky(corr: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((corr + corr.T) / 2)
    vals = np.maximum(vals, 1e-8)
    fixed = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    fixed = fixed / np.outer(d, d)
    return np.linalg.cholesky(fixed + 1e-12 * np.eye(len(fixed)))


def _simulate(samplers: list[PathSampler], means: np.ndarray, chol: np.ndarray, h: int, n_paths: int, rng) -> np.ndarray:
    """Correlated innovations -> each series' paths, shifted so their average is its mean."""
    n = len(samplers)
    e = rng.standard_normal((n, h * n_paths))
    z = (chol @ e).reshape(n, h, n_paths)
    paths = np.empty((n, h, n_paths))
    for i, s in enumerate(samplers):
        p = np.asarray(s(z[i]), float)
        if not np.all(np.isfinite(p)):
            p = np.where(np.isfinite(p), p, means[i][:, None])
        paths[i] = p + (means[i] - p.mean(axis=1))[:, None]
    return paths


def _origin_arrays(results: list[_SeriesResult], h: int):
    n_o = len(results[0].origins) if results else 0
    means = np.zeros((n_o, len(results), h))
    mask = np.zeros((n_o, len(results)), dtype=bool)
    samplers: list[list[PathSampler | None]] = [[None] * len(results) for _ in range(n_o)]
    for i, r in enumerate(results):
        for k, fit in enumerate(r.origins):
            if fit is not None:
                means[k, i] = fit.mean
                mask[k, i] = True
                samplers[k][i] = fit.sampler
    return means, samplers, mask


def _scaled_errors(ys, ids, offsets, h, m, forecasts: np.ndarray) -> np.ndarray:
    """MASE of every (origin, series); NaN where an origin is not scored."""
    out = np.full((len(offsets), len(ids)), np.nan)
    for k, off in enumerate(offsets):
        for i, uid in enumerate(ids):
            y = ys[uid]
            train = len(y) - off
            if train >= MIN_BACKTEST_TRAIN:
                out[k, i] = _origin_mase(y, train, forecasts[k, i], h, m)
    return out


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
        p = reconciliation_matrix(hier, method=meth, covariance=cov)
        rec = np.stack([reconcile(origin_means[k], p) for k in range(len(offsets))]) if len(offsets) else np.zeros((0, len(ids), h))
        err = _scaled_errors(ys, ids, offsets, h, m, rec)
        scores[meth] = _level_score(err, levels)
    if requested != "auto":
        chosen = requested
    else:
        chosen = floor
        for meth in methods:
            if np.isfinite(scores[meth]) and (not np.isfinite(scores[chosen]) or scores[meth] < scores[chosen] * 0.99):
                chosen = meth
    table = pd.DataFrame({"method": list(scores), "score": list(scores.values())})
    table["chosen"] = table["method"] == chosen
    return chosen, table


def _forecast_frame(ids, keys, fut, mean, paths, qs, nonneg, choices, frame) -> pd.DataFrame:
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


def _backtest_tables(results, ids, ys, offsets, h, m, pmat, chol, origin_means, origin_samplers, origin_mask, *, n_paths, seed, months):
    n = len(ids)
    rec_means = np.stack([reconcile(origin_means[k], pmat) for k in range(len(offsets))]) if offsets else np.zeros((0, n, h))
    err = _scaled_errors(ys, ids, offsets, h, m, rec_means)
    lo = np.full((len(offsets), n, h), np.nan)
    hi = np.full((len(offsets), n, h), np.nan)
    tot_lo = np.full((len(offsets), n), np.nan)
    tot_hi = np.full((len(offsets), n), np.nan)
    for k in range(len(offsets)):
        rng = np.random.default_rng([seed, k + 1])
        samplers = [s if s is not None else LinearPaths(np.zeros(h), 0.0, np.array([1.0])) for s in origin_samplers[k]]
        paths = _simulate(samplers, origin_means[k], chol, h, n_paths, rng)
        paths = reconcile(paths, pmat)
        lo[k], hi[k] = np.quantile(paths, 0.1, axis=2), np.quantile(paths, 0.9, axis=2)
        totals = paths.sum(axis=1)
        tot_lo[k], tot_hi[k] = np.quantile(totals, 0.1, axis=1), np.quantile(totals, 0.9, axis=1)
    rows, frames = [], []
    end = months[-1]
    for i, (uid, r) in enumerate(zip(ids, results)):
        y = ys[uid]
        act, fc, sn, inside, inside_tot = [], [], [], [], []
        n_scored = 0
        for k, off in enumerate(offsets):
            train = len(y) - off
            if train < MIN_BACKTEST_TRAIN or r.snaive[k] is None:
                continue
            n_scored += 1
            a = y[train : train + h]
            f = rec_means[k, i][: len(a)]
            act.append(a)
            fc.append(f)
            sn.append(_origin_mase(y, train, r.snaive[k], h, m))
            inside.append((a >= lo[k, i][: len(a)]) & (a <= hi[k, i][: len(a)]))
            if len(a) == h:
                inside_tot.append(tot_lo[k, i] <= a.sum() <= tot_hi[k, i])
            cutoff = end - pd.DateOffset(months=off)
            ds = pd.date_range(cutoff + pd.offsets.MonthBegin(1), periods=len(a), freq="MS")
            frames.append(
                pd.DataFrame(
                    {
                        UNIQUE_ID: uid,
                        "cutoff": cutoff,
                        DS: ds,
                        Y: a,
                        "mean": f,
                        "p10": lo[k, i][: len(a)],
                        "p90": hi[k, i][: len(a)],
                        "snaive": r.snaive[k][: len(a)],
                    }
                )
            )
        notes = "; ".join(r.final.notes)
        rows.append(
            {
                UNIQUE_ID: uid,
                "kind": r.kind,
                "model": r.choice,
                "model_detail": r.final.label,
                "reason": r.reason,
                "n_months": len(y),
                "n_origins": n_scored,
                "mase": float(np.nanmean(err[:, i])) if n_scored else np.nan,
                "bias": _bias(np.concatenate(act), np.concatenate(fc)) if act else np.nan,
                "mase_snaive": float(np.mean(sn)) if sn else np.nan,
                "mase_base": r.base_mase,
                "coverage_p10_p90": float(np.mean(np.concatenate(inside))) if inside else np.nan,
                "coverage_total_p10_p90": float(np.mean(inside_tot)) if inside_tot else np.nan,
                "fallback": notes,
                "warnings": "; ".join(r.warnings),
            }
        )
    cols = [UNIQUE_ID, "cutoff", DS, Y, "mean", "p10", "p90", "snaive"]
    bt = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return rows, bt


def _coverage_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """P10-P90 coverage by level (nominal 80%), weighting series by their scored origins."""
    b = backtest[backtest["n_origins"] > 0]
    if b.empty:
        return pd.DataFrame(columns=[LEVEL, "series", "nominal", "monthly", "total"])
    rows = []
    for level, g in b.groupby(LEVEL, sort=False):
        w = g["n_origins"].to_numpy(float)
        rows.append(
            {
                LEVEL: level,
                "series": len(g),
                "nominal": 0.8,
                "monthly": float(np.average(g["coverage_p10_p90"], weights=w)),
                "total": float(np.nanmean(g["coverage_total_p10_p90"])) if g["coverage_total_p10_p90"].notna().any() else np.nan,
            }
        )
    w = b["n_origins"].to_numpy(float)
    rows.append(
        {
            LEVEL: "all",
            "series": len(b),
            "nominal": 0.8,
            "monthly": float(np.average(b["coverage_p10_p90"], weights=w)),
            "total": float(np.nanmean(b["coverage_total_p10_p90"])) if b["coverage_total_p10_p90"].notna().any() else np.nan,
        }
    )
    return pd.DataFrame(rows)
