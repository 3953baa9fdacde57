"""Ground of the actions stage: names, argument checks and the order-history helpers its files share."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.ids import id_codes
from planlib.errors import ParamsError
from planlib.plan import ActionsSpec


TARGET = "target"


MONTH = "month"


DIMENSION = "dimension"


SEGMENT = "segment"


VACANT_REP = "(vacant)"
HOUSE_REP = "(house)"  # sales no rep sells (web shop, house accounts): no visits, no funnel


COMPANY = "company"


_DEFAULTS = ActionsSpec()


_TOL = 1e-9


def _require_rate(value: object, name: str, where: str, *, high: float | None = 1.0) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParamsError(f"the '{name}' parameter of {where} must be a number; got {value!r} instead",
                          key=name) from None
    if not math.isfinite(x) or x <= 0 or (high is not None and x > high):
        rng = f"> 0 and <= {high:g}" if high is not None else "> 0"
        raise ParamsError(f"the '{name}' parameter of {where} must be {rng}; got {value!r} instead", key=name)
    return x


def _text(values: pd.Series) -> pd.Series:
    """Labels as plain str (categories and missing values included)."""
    return values.astype(object).where(values.notna(), "(none)").astype(str)


def _labels(values: pd.Series) -> np.ndarray:
    """``_text(values).to_numpy()`` without a string per line: a categorical's labels are made once, then indexed.

    At 10M order lines this is a fraction of a second against several for ``_text``.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return _text(values).to_numpy()
    labels = np.append(_text(pd.Series(values.cat.categories)).to_numpy(dtype=object), "(none)")
    codes = values.cat.codes.to_numpy()
    return labels[np.where(codes < 0, len(labels) - 1, codes)]


def _month_start(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _ceil(x: np.ndarray | float) -> np.ndarray:
    """Ceiling that ignores float noise (10.000000000001 -> 10)."""
    arr = np.asarray(x, dtype=float)
    nearest = np.round(arr)
    tol = np.maximum(_TOL, 1e-12 * np.abs(arr))
    return np.where(np.abs(arr - nearest) <= tol, nearest, np.ceil(arr))


def _floor(x: np.ndarray | float) -> np.ndarray:
    """Floor that ignores float noise (9.999999999999 -> 10)."""
    arr = np.asarray(x, dtype=float)
    nearest = np.round(arr)
    tol = np.maximum(_TOL, 1e-12 * np.abs(arr))
    return np.where(np.abs(arr - nearest) <= tol, nearest, np.floor(arr))


def _as_of(as_of: object, default: pd.Timestamp) -> pd.Timestamp:
    return default.normalize() if as_of is None else pd.Timestamp(as_of).normalize()


def _window(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Order lines with ``start <= order_date <= end`` (days)."""
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    # the day of a line is in [start, end] when the line is on or after start's day and before the day after end's
    # (no normalised copy of 10M dates)
    low, high = pd.Timestamp(start).ceil("D"), pd.Timestamp(end).floor("D") + pd.Timedelta(days=1)
    return orders.loc[((dates >= low) & (dates < high)).to_numpy()]


def _last_year(as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 12 months up to and including ``as_of``."""
    return as_of - pd.DateOffset(years=1) + pd.Timedelta(days=1), as_of


def _order_values(lines: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per group (or overall): net revenue, orders with a positive net value, average order value."""
    keys = list(by)
    frame = pd.DataFrame({k: _labels(lines[k]) for k in keys})
    frame["_order"] = id_codes(lines[schema.ORDER_ID])
    frame["_revenue"] = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()
    if not keys:
        revenue = math.fsum(frame["_revenue"])
        n = int((frame.groupby("_order")["_revenue"].sum() > 0).sum())
        return pd.DataFrame({"revenue": [revenue], "orders": [n], "order_value": [revenue / n if n else np.nan]})
    per_order = frame.groupby([*keys, "_order"])["_revenue"].sum()
    positive = (per_order > 0).groupby(level=keys).sum()
    revenue = frame.groupby(keys)["_revenue"].sum()
    orders = positive.reindex(revenue.index).fillna(0).astype(int)
    return pd.DataFrame({"revenue": revenue, "orders": orders,
                         "order_value": revenue / orders.where(orders > 0)})


def _company_deal_size(orders: pd.DataFrame | None, as_of: pd.Timestamp) -> float:
    """Average order value of the 12 months to ``as_of`` (NaN without positive orders)."""
    if orders is None:
        return np.nan
    lines = _window(orders, *_last_year(as_of))
    if lines.empty:
        return np.nan
    value = float(_order_values(lines, [])["order_value"].iloc[0])
    return value if value > 0 else np.nan


def _spec(spec: ActionsSpec | None) -> ActionsSpec:
    if spec is None:
        return _DEFAULTS
    if not isinstance(spec, ActionsSpec):
        raise ParamsError(f"the 'spec' parameter must be an ActionsSpec (plan.actions); got {type(spec).__name__}",
                          key="spec")
    return spec
