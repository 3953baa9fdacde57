"""Split of the annual target over months and quarters, by the forecast's seasonal shape or manual weights."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_number
from planlib.errors import DataError, ParamsError
from planlib.targets._common import MONTH, QUARTER, TARGET, _MEAN, _check_forecast, _series


def _quarter_labels(months: pd.Series) -> pd.Series:
    """Q1..Q4 counted from the first month (the plan year's start)."""
    first = months.iloc[0]
    offset = (months.dt.year - first.year) * 12 + (months.dt.month - first.month)
    return "Q" + (offset // 3 + 1).astype(str)


def _seasonal_shape(forecast: pd.DataFrame, unique_id: str, where: str) -> pd.DataFrame:
    series = _series(forecast, unique_id, where)
    mean = series[_MEAN].astype(float).to_numpy()
    if not np.isfinite(mean).all():
        raise DataError(f"the forecast mean of '{unique_id}' given to {where} has missing values",
                        column=_MEAN)
    w = np.clip(mean, 0.0, None)  # a negative monthly mean is a model artifact: weight 0
    if w.sum() <= 0:
        raise DataError(f"the forecast of '{unique_id}' given to {where} has no positive month",
                        column=_MEAN)
    months = series[schema.DS]
    return pd.DataFrame({MONTH: months, QUARTER: _quarter_labels(months),
                         "statistical_weight": w / w.sum()})


def _quarter_weight_map(quarter_weights: Mapping[str, float] | Sequence[float],
                        quarters: Sequence[str], where: str) -> dict[str, float]:
    if isinstance(quarter_weights, Mapping):
        weights = {str(k): v for k, v in quarter_weights.items()}
    else:
        weights = {f"Q{i + 1}": v for i, v in enumerate(quarter_weights)}
    if sorted(weights) != sorted(quarters):
        raise ParamsError(
            f"the 'quarter_weights' parameter of {where} must give one weight per quarter "
            f"{list(quarters)}; got {list(weights)}",
            key="quarter_weights",
        )
    out = {q: require_number(weights[q], f"quarter_weights[{q!r}]", where, low=0.0)
           for q in quarters}
    total = math.fsum(out.values())
    if abs(total - 1.0) > 1e-6:
        raise ParamsError(
            f"the 'quarter_weights' parameter of {where} must sum to 1; got {total:g} instead",
            key="quarter_weights",
        )
    return out


def split_by_time(
    total: float,
    forecast: pd.DataFrame,
    *,
    unique_id: str = schema.TOTAL_ID,
    quarter_weights: Mapping[str, float] | Sequence[float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target into quarters and months.

    Quarters get the forecast's seasonal shape (share of the annual forecast mean) or,
    when given, the manual ``quarter_weights``; months within a quarter always follow
    the forecast's shape. Quarters are rounded first, then months within each quarter
    (largest remainder both times), so both levels are exact.

    Parameters
    ----------
    total : float
        The annual target, a multiple of ``unit``.
    forecast : DataFrame
        Long forecast ``unique_id, ds, mean, ...`` covering the plan year's months.
    unique_id : str, default "Total"
        The series whose seasonal shape is used.
    quarter_weights : mapping or sequence of 4 floats, optional
        Manual quarter shares (``{"Q1": .2, ...}`` or ``[.2, .25, .25, .3]``), summing
        to 1. Quarters count from the forecast's first month.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        One row per month: ``month, quarter, statistical_weight, weight, target``
        (``weight`` = the month's share of the target).
    """
    where = "split_by_time"
    if require_number(total, "total", where) < 0:
        raise ParamsError(f"the 'total' parameter of {where} must be non-negative; got {total}",
                          key="total")
    shape = _seasonal_shape(_check_forecast(forecast, where), unique_id, where)
    quarters = list(dict.fromkeys(shape[QUARTER]))
    stat_q = shape.groupby(QUARTER, sort=False)["statistical_weight"].sum()
    if quarter_weights is None:
        q_weights = stat_q
    else:
        q_weights = pd.Series(_quarter_weight_map(quarter_weights, quarters, where))
    q_targets = split_total(total, q_weights.reindex(quarters), unit=unit)
    month_targets = []
    for q in quarters:
        in_q = shape[QUARTER] == q
        w = shape.loc[in_q, "statistical_weight"]
        if w.sum() <= 0:
            w = pd.Series(1.0, index=w.index)  # no forecast in the quarter: spread evenly
        month_targets.append(split_total(int(q_targets[q]), w, unit=unit))
    out = shape.copy()
    out[TARGET] = pd.concat(month_targets).reindex(out.index).astype("int64")
    out["weight"] = out[TARGET] / total if total else out["statistical_weight"]
    return out[[MONTH, QUARTER, "statistical_weight", "weight", TARGET]]


def compare_quarter_weights(
    forecast: pd.DataFrame,
    *,
    quarter_weights: Mapping[str, float] | Sequence[float],
    unique_id: str = schema.TOTAL_ID,
) -> pd.DataFrame:
    """Statistical (forecast) quarter shares next to manual ones.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast covering the plan year.
    quarter_weights : mapping or sequence of 4 floats
        The manual (classic plan) quarter shares, summing to 1.
    unique_id : str, default "Total"
        The series whose seasonal shape is used.

    Returns
    -------
    DataFrame
        ``quarter, statistical_weight, manual_weight, difference`` (manual minus
        statistical).
    """
    where = "compare_quarter_weights"
    shape = _seasonal_shape(_check_forecast(forecast, where), unique_id, where)
    stat_q = shape.groupby(QUARTER, sort=False)["statistical_weight"].sum()
    manual = _quarter_weight_map(quarter_weights, list(stat_q.index), where)
    out = pd.DataFrame({QUARTER: stat_q.index, "statistical_weight": stat_q.to_numpy()})
    out["manual_weight"] = out[QUARTER].map(manual).astype(float)
    out["difference"] = out["manual_weight"] - out["statistical_weight"]
    return out
