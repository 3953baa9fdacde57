"""The year outlook of a quarterly pack: actual to date + remaining forecast = the year.

Mid-year the forecast only covers the months left; the plan year's total is the actual
of the months already closed plus the simulated rest. These functions state the three
figures apart and give the distribution of the year, so a pack never reports the
remaining months as if they were the year.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from planlib.errors import ForecastError
from planlib.schema import DS, UNIQUE_ID, Y

OUTLOOK_QUANTILES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def _plan_year_months(forecast: pd.DataFrame, plan_year: int) -> np.ndarray:
    """Positions of the plan year's months in the forecast horizon (same for every series)."""
    first = forecast[UNIQUE_ID].iloc[0]
    ds = pd.to_datetime(forecast.loc[forecast[UNIQUE_ID] == first, DS]).to_numpy()
    return np.flatnonzero(pd.DatetimeIndex(ds).year == plan_year)


def _actual_to_date(series: pd.DataFrame, ids: Sequence[str], plan_year: int) -> tuple[pd.Series, pd.Series]:
    """Actual revenue of the plan year's closed months per series, and how many months that is."""
    for col in (UNIQUE_ID, DS, Y):
        if col not in series.columns:
            raise ForecastError(f"the series frame needs a {col!r} column; found {list(map(str, series.columns))}")
    s = series.assign(**{UNIQUE_ID: series[UNIQUE_ID].astype(str), DS: pd.to_datetime(series[DS])})
    s = s[s[DS].dt.year == plan_year]
    actual = s.groupby(UNIQUE_ID)[Y].sum().reindex(list(ids), fill_value=0.0)
    months = s.groupby(UNIQUE_ID)[DS].nunique().reindex(list(ids), fill_value=0)
    return actual.astype(float), months.astype(int)


def year_outlook_paths(
    series: pd.DataFrame, forecast: pd.DataFrame, paths: np.ndarray, ids: Sequence[str], *, plan_year: int
) -> pd.DataFrame:
    """Simulated plan-year totals: actual to date plus each path's sum over the plan year's remaining months.

    Parameters
    ----------
    series : DataFrame
        ``unique_id, ds, y``: the history, including the plan year's closed months.
    forecast : DataFrame
        ``unique_id, ds, ...``: the forecast table (its months locate the plan year).
    paths : ndarray
        ``(series, horizon, n_paths)`` in the order of ``ids`` (``ForecastResult.paths``).
    ids : sequence of str
        Series order of ``paths`` (``ForecastResult.year_paths.columns``).
    plan_year : int

    Returns
    -------
    DataFrame
        Rows = paths, columns = ``ids``.
    """
    if paths.ndim != 3 or paths.shape[0] != len(ids):
        raise ForecastError(f"paths must be (series, horizon, n_paths) with {len(ids)} series; got shape {paths.shape}")
    pos = _plan_year_months(forecast, plan_year)
    actual, _ = _actual_to_date(series, ids, plan_year)
    rest = paths[:, pos, :].sum(axis=1) if len(pos) else np.zeros((len(ids), paths.shape[2]))
    return pd.DataFrame((rest + actual.to_numpy()[:, None]).T, columns=list(ids))


def year_outlook(
    series: pd.DataFrame,
    forecast: pd.DataFrame,
    paths: np.ndarray,
    ids: Sequence[str],
    *,
    plan_year: int,
    targets: Mapping[str, float] | None = None,
    quantiles: Sequence[float] = OUTLOOK_QUANTILES,
) -> pd.DataFrame:
    """Actual to date + remaining forecast = year outlook, per series, each figure labelled.

    Returns ``unique_id, months_actual, actual_to_date, months_remaining,
    remaining_forecast, outlook, outlook_p5 .. outlook_p95`` and, for series with a
    target in ``targets``, ``target`` and ``probability`` (share of simulated years at
    or above it). ``outlook`` is exactly ``actual_to_date + remaining_forecast``.
    """
    pos = _plan_year_months(forecast, plan_year)
    actual, months = _actual_to_date(series, ids, plan_year)
    f = forecast.assign(**{UNIQUE_ID: forecast[UNIQUE_ID].astype(str)})
    in_year = pd.to_datetime(f[DS]).dt.year == plan_year
    remaining = f.loc[in_year].groupby(UNIQUE_ID, sort=False)["mean"].sum().reindex(list(ids), fill_value=0.0)
    totals = year_outlook_paths(series, forecast, paths, ids, plan_year=plan_year)
    out = pd.DataFrame(
        {
            UNIQUE_ID: list(ids),
            "months_actual": months.to_numpy(),
            "actual_to_date": actual.to_numpy(),
            "months_remaining": len(pos),
            "remaining_forecast": remaining.to_numpy(float),
        }
    )
    out["outlook"] = out["actual_to_date"] + out["remaining_forecast"]
    qv = np.quantile(totals.to_numpy(), list(quantiles), axis=0)
    for q, row in zip(quantiles, qv):
        out["outlook_p" + format(round(q * 100, 6), "g")] = row
    if targets:
        out["target"] = out[UNIQUE_ID].map(lambda u: targets.get(u, np.nan)).astype(float)
        out["probability"] = [
            float(np.mean(totals[u].to_numpy() >= t)) if np.isfinite(t) else np.nan for u, t in zip(out[UNIQUE_ID], out["target"])
        ]
    return out
