"""Monthly revenue series for the total and every segment level a plan forecasts.

One long frame (``unique_id, ds, y`` plus the level and its dimension values) is the
input of every forecasting call; this module builds it and reads its hierarchy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib.errors import DataError, ForecastError
from planlib.i18n import _
from planlib.schema import DS, ORDER_DATE, REVENUE, TOTAL_ID, UNIQUE_ID, Y

LEVEL = "level"
TOTAL_LEVEL = "Total"
NONE_LABEL = "(none)"  # an empty dimension value (the loader's label for it too)
_FIRST_MONTH_LATE_DAY = 7  # a first month whose data starts after this day is partial


def level_name(dims: list[str] | tuple[str, ...]) -> str:
    """The ``level`` label of a list of dimensions: ``"Total"`` or ``"product_line/region"``."""
    return "/".join(dims) if dims else TOTAL_LEVEL


def series_id(dims: list[str] | tuple[str, ...], values: tuple | list) -> str:
    """The ``unique_id`` of one segment, e.g. ``"product_line=Bikes|region=East"``."""
    if not dims:
        return TOTAL_ID
    return "|".join(f"{d}={v}" for d, v in zip(dims, values))


def build_monthly_series(
    orders: pd.DataFrame,
    levels: list[list[str]],
    *,
    last_complete_month: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Monthly revenue of the total and of every segment of the given levels, long format.

    Parameters
    ----------
    orders : DataFrame
        The canonical order-line frame (``order_date``, ``revenue`` and the dimension
        columns the levels name).
    levels : list of list of str
        Each inner list is one level, e.g. ``[["product_line"], ["product_line", "region"]]``.
        The total is always included; an empty inner list means the total.
    last_complete_month : Timestamp or None, default None
        The last month to keep (any day inside it). ``None`` infers it: the last month
        in the data counts only when the data reaches its last day, so a partial month
        is left out instead of being read as a drop.

    Returns
    -------
    DataFrame
        ``unique_id, ds, y, level`` and one column per dimension (NaN where the
        dimension is not part of the row's level). ``ds`` is the month start. A series
        spans from its first month with order lines to the last complete month; months
        without sales inside that span are 0. The frame's ``attrs["warnings"]`` lists
        what was left out (a partial month, empty dimension values).
    """
    missing = [c for c in (ORDER_DATE, REVENUE) if c not in orders.columns]
    if missing:
        raise DataError(f"orders: column {missing[0]!r} is required to build monthly series", column=missing[0])
    norm_levels: list[tuple[str, ...]] = []
    for level in levels:
        if isinstance(level, str):
            raise ForecastError(f"levels must be a list of lists of column names; got {level!r} (write [{level!r}])")
        dims = tuple(dict.fromkeys(level))
        for d in dims:
            if d not in orders.columns:
                raise DataError(
                    f"orders: column {d!r} named in the forecast levels is missing; found {sorted(map(str, orders.columns))}",
                    column=d,
                )
        if dims and dims not in norm_levels:
            norm_levels.append(dims)
    all_dims = list(dict.fromkeys(d for dims in norm_levels for d in dims))

    warnings: list[str] = []
    dates = pd.to_datetime(orders[ORDER_DATE])
    if dates.isna().any():
        raise DataError(_("orders: {count} order lines have no order_date").format(count=int(dates.isna().sum())), column=ORDER_DATE)
    if dates.empty:
        raise ForecastError(_("orders: no order lines to build monthly series from"))
    months = dates.dt.to_period("M").dt.to_timestamp()
    last = _resolve_last_month(dates, last_complete_month, warnings)
    first = months.min()
    if dates.min().day > _FIRST_MONTH_LATE_DAY and last > first:
        warnings.append(
            _("first month {month} is partial (data starts {start}); left out of the series").format(month=f"{first:%Y-%m}", start=dates.min().date())
        )
        first = first + pd.offsets.MonthBegin(1)
    keep = (months >= first) & (months <= last)
    frame = pd.DataFrame({DS: months[keep].to_numpy(), Y: pd.to_numeric(orders.loc[keep, REVENUE]).to_numpy(float)})
    for d in all_dims:
        values = orders.loc[keep, d]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        values = values.cat.rename_categories([str(c) for c in values.cat.categories])
        blank_cats = [c for c in values.cat.categories if c.strip() == ""]
        blank = values.isna() | values.isin(blank_cats)
        if blank.any():
            warnings.append(_("{dimension}: {count} order lines without a value, forecast as {label}").format(
                dimension=d, count=int(blank.sum()), label=repr(NONE_LABEL)))
            if NONE_LABEL not in values.cat.categories:
                values = values.cat.add_categories([NONE_LABEL])
            values = values.mask(blank, NONE_LABEL)
        frame[d] = values.reset_index(drop=True)
    if frame.empty:
        raise ForecastError(_("orders: no order lines between {first} and {last}").format(first=f"{first:%Y-%m}", last=f"{last:%Y-%m}"))

    parts = [_level_frame(frame, (), all_dims, last)]
    parts += [_level_frame(frame, dims, all_dims, last) for dims in norm_levels]
    out = pd.concat(parts, ignore_index=True)
    out = out[[UNIQUE_ID, DS, Y, LEVEL, *all_dims]]
    out.attrs["warnings"] = warnings
    return out


def _resolve_last_month(dates: pd.Series, given: pd.Timestamp | None, warnings: list[str]) -> pd.Timestamp:
    """The month start of the last month to keep."""
    data_end = dates.max()
    if given is not None:
        last = pd.Timestamp(given).to_period("M").to_timestamp()
        if last > data_end.to_period("M").to_timestamp():
            warnings.append(_("last_complete_month {month} is after the data ends ({end})").format(month=f"{last:%Y-%m}", end=data_end.date()))
        return last
    month_end = (data_end.to_period("M").to_timestamp(how="end")).normalize()
    last = data_end.to_period("M").to_timestamp()
    if data_end.normalize() < month_end:
        warnings.append(
            _("last month {month} is partial (data ends {end}); left out of the series").format(month=f"{last:%Y-%m}", end=data_end.date())
        )
        last = last - pd.offsets.MonthBegin(1)
    return last


def _level_frame(frame: pd.DataFrame, dims: tuple[str, ...], all_dims: list[str], last: pd.Timestamp) -> pd.DataFrame:
    """The monthly series of one level, each from its first month to ``last`` with 0 gaps."""
    keys = [*dims, DS]
    sums = frame.groupby(keys, sort=True, observed=True)[Y].sum()
    pieces = []
    if dims:
        groups = sums.groupby(level=list(range(len(dims))), sort=True)
    else:
        groups = [((), sums)]
    for values, s in groups:
        values = values if isinstance(values, tuple) else (values,)
        s = s.droplevel(list(range(len(dims)))) if dims else s
        idx = pd.date_range(s.index.min(), last, freq="MS")
        y = s.reindex(idx, fill_value=0.0).to_numpy(float)
        piece = pd.DataFrame({UNIQUE_ID: series_id(dims, values), DS: idx, Y: y, LEVEL: level_name(dims)})
        for d in all_dims:
            piece[d] = values[dims.index(d)] if d in dims else np.nan
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)


# ---------------------------------------------------------------------------
# Reading the hierarchy back from a series frame
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesKey:
    """Where one series sits: its level's dimensions and its values on them."""

    unique_id: str
    dims: tuple[str, ...]
    values: tuple[str, ...]

    def contains(self, other: SeriesKey) -> bool:
        """True when ``other`` is a sub-segment of this series (finer, same values)."""
        if not set(self.dims) < set(other.dims):
            return False
        mine = dict(zip(self.dims, self.values))
        theirs = dict(zip(other.dims, other.values))
        return all(theirs[d] == v for d, v in mine.items())


def series_keys(series: pd.DataFrame) -> list[SeriesKey]:
    """The key of every series in a long frame, in order of first appearance.

    Reads the ``level`` column (``"Total"`` or ``"dim1/dim2"``) and the dimension
    columns; without a ``level`` column every series is its own flat level.
    """
    firsts = series.drop_duplicates(UNIQUE_ID)
    keys = []
    for row in firsts.itertuples(index=False):
        rec = row._asdict()
        uid = str(rec[UNIQUE_ID])
        level = rec.get(LEVEL)
        if level is None or (isinstance(level, float) and np.isnan(level)):
            keys.append(SeriesKey(uid, ("__series__",), (uid,)))
            continue
        dims = () if level == TOTAL_LEVEL else tuple(str(level).split("/"))
        if dims and not all(d in series.columns for d in dims):
            values = _values_from_id(uid, dims)
        else:
            values = tuple(str(rec[d]) for d in dims)
        keys.append(SeriesKey(uid, dims, values))
    return keys


def _values_from_id(uid: str, dims: tuple[str, ...]) -> tuple[str, ...]:
    parts = dict(p.split("=", 1) for p in uid.split("|") if "=" in p)
    if set(parts) != set(dims):
        raise ForecastError(f"cannot read the dimensions {list(dims)} from the unique_id", series=uid)
    return tuple(parts[d] for d in dims)


def parent_of(keys: list[SeriesKey]) -> dict[str, str | None]:
    """For each series its closest parent: the coarser series containing it with the most dimensions.

    Ties (e.g. ``product_line=A|region=E`` sits in both ``product_line=A`` and
    ``region=E``) go to the level listed first. The total has no parent.
    """
    out: dict[str, str | None] = {}
    for k in keys:
        best = None
        for p in keys:
            if p.contains(k) and (best is None or len(p.dims) > len(best.dims)):
                best = p
        out[k.unique_id] = best.unique_id if best is not None else None
    return out


def ancestors_of(keys: list[SeriesKey]) -> dict[str, list[str]]:
    """For each series every coarser series containing it, closest first.

    Closest means most dimensions; ties keep the order of the levels (so
    ``product_line=A|region=E`` lists ``product_line=A``, ``region=E``, then the total).
    """
    out: dict[str, list[str]] = {}
    for k in keys:
        found = [(i, p) for i, p in enumerate(keys) if p.contains(k)]
        found.sort(key=lambda t: (-len(t[1].dims), t[0]))
        out[k.unique_id] = [p.unique_id for _key, p in found]
    return out
