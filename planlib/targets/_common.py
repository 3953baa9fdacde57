"""Shared ground of the targets stage: column names, argument checks, forecast series access and baselines.

Private helpers used by every targets module; :func:`summarize_actuals` and
:func:`summarize_forecast` give the baselines every split starts from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame, require_number
from planlib.errors import DataError, ParamsError

TARGET = "target"
BASELINE = "baseline"
MONTH = "month"
QUARTER = "quarter"
AMOUNT = "amount"
GROWTH = "growth"
PROBABILITY = "probability"
FITTED = "fitted"
VACANT_REP = "(vacant)"
_MEAN = "mean"
_QUANTILE_COLUMN = re.compile(r"^p(\d{1,2})$")


def _numeric(frame: pd.DataFrame, column: str, name: str, where: str, *,
             nonnegative: bool = True) -> np.ndarray:
    x = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(x) | ((x < 0) if nonnegative else False)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise DataError(
            f"the '{name}' frame given to {where} must hold "
            f"{'non-negative ' if nonnegative else ''}numbers in '{column}'; "
            f"bad rows {rows}",
            column=column,
            rows=rows,
        )
    return x


def _paths(year_total_paths: object, where: str) -> np.ndarray:
    x = np.asarray(year_total_paths, dtype=float)
    if x.ndim != 1 or len(x) == 0 or not np.isfinite(x).all():
        raise ParamsError(
            f"the 'year_total_paths' parameter of {where} must be a non-empty 1-D array of "
            f"finite annual totals; got shape {x.shape}",
            key="year_total_paths",
        )
    return x


def _reach(paths: np.ndarray, amount: float) -> float:
    """Share of simulated annual totals at or above ``amount``."""
    return float(np.mean(paths >= amount - 1e-9 * max(1.0, abs(amount))))


def _parse_uid(uid: str) -> dict[str, str]:
    if uid == schema.TOTAL_ID:
        return {}
    parts = {}
    for part in str(uid).split("|"):
        key, sep, val = part.partition("=")
        if not sep:
            return {"?": uid}
        parts[key] = val
    return parts


def _uid(**parts: str) -> str:
    if not parts:
        return schema.TOTAL_ID
    return "|".join(f"{k}={v}" for k, v in parts.items())


def _month_start(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _check_forecast(forecast: object, where: str) -> pd.DataFrame:
    frame = require_frame(forecast, "forecast", where, [schema.UNIQUE_ID, schema.DS, _MEAN])
    return frame


def _series(forecast: pd.DataFrame, unique_id: str, where: str) -> pd.DataFrame:
    rows = forecast[forecast[schema.UNIQUE_ID].astype(str) == unique_id]
    if rows.empty:
        raise DataError(
            f"the forecast given to {where} has no series '{unique_id}'",
            column=schema.UNIQUE_ID,
        )
    rows = rows.assign(**{schema.DS: _month_start(rows[schema.DS])})
    if rows[schema.DS].duplicated().any():
        raise DataError(
            f"the forecast given to {where} repeats months of series '{unique_id}'",
            column=schema.DS,
        )
    return rows.sort_values(schema.DS, kind="mergesort").reset_index(drop=True)


def _quantile_levels(frame: pd.DataFrame) -> list[tuple[float, str]]:
    found = []
    for col in frame.columns:
        m = _QUANTILE_COLUMN.match(str(col))
        if m and 0 < int(m.group(1)) < 100:
            found.append((int(m.group(1)) / 100.0, str(col)))
    return sorted(found)


def _check_growth(growth: Mapping[str, float], needed: Sequence[str], name: str,
                  where: str) -> dict[str, float]:
    if not isinstance(growth, Mapping):
        raise ParamsError(
            f"the '{name}' parameter of {where} must be a mapping of group to growth; "
            f"got {type(growth).__name__}",
            key=name,
        )
    missing = sorted(set(needed) - set(growth))
    if missing:
        raise ParamsError(
            f"the '{name}' parameter of {where} lacks a growth for {missing}; got {dict(growth)}",
            key=name,
        )
    return {
        str(k): require_number(v, f"{name}[{k!r}]", where, low=-1.0, low_open=True)
        for k, v in growth.items()
    }


def _robust_z(x: np.ndarray) -> np.ndarray:
    """Modified z-score 0.6745 (x - median) / MAD (Iglewicz & Hoaglin); NaN stays NaN.

    When the MAD is zero the mean absolute deviation (times 1.2533) stands in; when
    that is zero too, every score is zero.
    """
    out = np.full(len(x), np.nan)
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return out
    vals = x[ok]
    med = np.median(vals)
    mad = np.median(np.abs(vals - med))
    if mad > 0:
        out[ok] = 0.6745 * (vals - med) / mad
    else:
        meanad = np.mean(np.abs(vals - med))
        out[ok] = 0.0 if meanad == 0 else (vals - med) / (1.2533 * meanad)
    return out


def summarize_actuals(
    orders: pd.DataFrame,
    *,
    year: int,
    by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Net revenue of one calendar year, in total or per segment.

    Parameters
    ----------
    orders : DataFrame
        The canonical order-line frame.
    year : int
        The calendar year (usually the plan year minus one).
    by : str or sequence of str, default ()
        Segment columns, e.g. ``"product_line"`` or ``["product_line", "region"]``.

    Returns
    -------
    DataFrame
        Columns ``*by, baseline``, sorted by ``by``; one row when ``by`` is empty.
    """
    where = "summarize_actuals"
    by = [by] if isinstance(by, str) else list(by)
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE, *by])
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    sub = orders.loc[dates.dt.year == year]
    revenue = pd.to_numeric(sub[schema.REVENUE], errors="coerce").astype(float)
    if not by:
        return pd.DataFrame({BASELINE: [math.fsum(revenue)]})
    keys = {c: sub[c].astype(str) for c in by}
    frame = pd.DataFrame({**keys, BASELINE: revenue})
    out = frame.groupby(by, sort=True, observed=True)[BASELINE].sum().reset_index()
    return out


def summarize_forecast(forecast: pd.DataFrame, *, dimension: str) -> pd.DataFrame:
    """Annual forecast (sum of monthly means) per level of one dimension.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast: ``unique_id, ds, mean, p10..p90``.
    dimension : str
        ``"product_line"``, ``"region"``, ``"channel"``...; the series used are
        ``"<dimension>=<level>"``.

    Returns
    -------
    DataFrame
        Columns ``<dimension>, baseline`` sorted by level; negative sums are kept.
    """
    where = "summarize_forecast"
    _check_forecast(forecast, where)
    uid = forecast[schema.UNIQUE_ID].astype(str)
    prefix = f"{dimension}="
    mask = uid.str.startswith(prefix) & ~uid.str.contains("|", regex=False)
    if not mask.any():
        raise DataError(
            f"the forecast given to {where} has no '{prefix}...' series", column=schema.UNIQUE_ID
        )
    frame = pd.DataFrame(
        {dimension: uid[mask].str.slice(len(prefix)), BASELINE: forecast.loc[mask, _MEAN].astype(float)}
    )
    return frame.groupby(dimension, sort=True)[BASELINE].sum().reset_index()
