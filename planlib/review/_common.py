"""Ground of the review stage: shared names and the helpers that mask, count and label order lines.

Also imported by ``planlib.customers`` and ``planlib.abc_analysis``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.schema import COST, CUSTOMER_ID, ORDER_DATE, ORDER_ID, REVENUE

# Label of a missing optional text value (the loader fills empty rep/channel with it;
# same text as planlib.data.MISSING_LABEL).
NONE_LABEL = "(none)"

_DAY = pd.Timedelta(days=1)

Freq = Literal["month", "quarter"]
DateLike = str | dt.date | np.datetime64  # pd.Timestamp is a dt.date


def _require(lines: pd.DataFrame, columns, where: str) -> None:
    """Stop with one line naming the first missing column or a wrong date type."""
    for column in columns:
        if column not in lines.columns:
            have = ", ".join(map(str, lines.columns))
            raise DataError(f"{where}: the order lines need column '{column}'; they have {have}", column=column)
    if ORDER_DATE in columns and not pd.api.types.is_datetime64_any_dtype(lines[ORDER_DATE]):
        raise DataError(
            f"{where}: column '{ORDER_DATE}' must be datetime64; got {lines[ORDER_DATE].dtype} instead", column=ORDER_DATE
        )


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a text column (category codes when categorical); -1 for missing."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64)


def _mask(dates: pd.Series, start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
    """Boolean array: ``start <= date < stop``."""
    return ((dates >= start) & (dates < stop)).to_numpy()


def _order_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per order over the whole history: customer code, first date, net revenue, is_order."""
    frame = pd.DataFrame(
        {
            "order": _codes(lines[ORDER_ID]),
            "customer": _codes(lines[CUSTOMER_ID]),
            "date": lines[ORDER_DATE].to_numpy(),
            "revenue": lines[REVENUE].to_numpy(dtype=float),
        }
    )
    frame = frame[frame["order"].to_numpy() >= 0]
    table = frame.groupby("order", sort=False).agg(
        customer=("customer", "first"), date=("date", "min"), revenue=("revenue", "sum")
    )
    table["is_order"] = table["revenue"].to_numpy() > 0
    return table


def _window_orders(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.DataFrame:
    """The real orders (net positive) whose first line falls in ``[start, stop)``."""
    keep = orders["is_order"].to_numpy() & _mask(orders["date"], start, stop)
    return orders[keep]


def _growth(current, previous):
    """``current / previous - 1``; NaN where previous is not positive or missing."""
    current = np.asarray(current, dtype=float)
    previous = np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(previous > 0, current / np.where(previous > 0, previous, 1.0) - 1.0, np.nan)
    return out if out.ndim else float(out)


def _ratio(numerator, denominator):
    """``numerator / denominator``; NaN where the denominator is zero or missing."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1.0), np.nan)
    return out if out.ndim else float(out)


def _labels(index) -> pd.Index:
    """Group labels as plain text (object dtype), missing shown as ``(none)``."""
    values = pd.Index(index)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(values.dtype.categories.dtype)
    text = values.astype(str).astype(object)
    missing = values.isna()
    return pd.Index(np.where(missing, NONE_LABEL, text.to_numpy()), dtype=object) if missing.any() else pd.Index(text, dtype=object)


def _known(values: pd.Series) -> np.ndarray:
    """True where a text value is present and not the loader's ``(none)`` label (fast on categoricals)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories
        none = categories.get_loc(NONE_LABEL) if NONE_LABEL in categories else -2
        return (codes >= 0) & (codes != none)
    return (values.notna() & (values.astype(str) != NONE_LABEL)).to_numpy()



def _sum_by(lines: pd.DataFrame, key: str, start, stop) -> pd.DataFrame:
    """Revenue (and costed revenue, gross profit) of ``[start, stop)`` by ``key``, missing keys kept."""
    in_window = _mask(lines[ORDER_DATE], start, stop)
    columns = [key, REVENUE] + ([COST] if COST in lines.columns else [])
    frame = lines.loc[in_window, columns]
    if COST in lines.columns:
        costed = frame[COST].notna()
        frame = frame.assign(
            costed=frame[REVENUE].where(costed, 0.0),
            gross_profit=(frame[REVENUE] - frame[COST]).where(costed, 0.0),
        ).drop(columns=COST)
    return frame.groupby(key, observed=True, dropna=False).sum()
