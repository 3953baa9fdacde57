"""What a forecast returns and how it is read: the result, its quantile columns, year totals and probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from planlib.errors import ForecastError
from planlib.schema import UNIQUE_ID

DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class ForecastResult:
    """What ``forecast_series`` returns.

    Attributes
    ----------
    forecast : DataFrame
        ``unique_id, ds, level, mean, p10 .. p90, model``: one row per series and
        future month, reconciled (children add up to parents month by month).
    year_paths : DataFrame
        Simulated totals over the horizon (rows = paths, columns = unique_id), the
        sums of ``paths``; ``probability_of_reaching`` and ``total_quantiles`` read them.
    paths : ndarray
        The reconciled, calibrated monthly paths, shape ``(series, horizon, n_paths)``,
        series in the order of ``year_paths.columns`` (see ``forecast_series`` on
        when they add up path by path).
    backtest : DataFrame
        One row per series: ``kind`` (regular, intermittent, short, zero), the chosen
        ``model`` and ``reason``, ``mase`` and ``bias`` of the final (reconciled)
        forecast, ``mase_snaive`` of seasonal naive and ``mase_base`` of the model
        before reconciliation, P10-P90 coverage by month and of the horizon total
        (reported and the models' own, ``*_model``), the widening factors, the
        ``fallback`` notes and ``warnings``.
    backtest_forecasts : DataFrame
        ``unique_id, cutoff, ds, y, mean, p10, p90, snaive``: every origin's forecast.
    coverage : DataFrame
        P10-P90 backtest coverage by level (and "all"), monthly and for the horizon
        total, before and after widening, with the widening factors.
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
