"""Ground of the tracking stage: names, argument checks, the plan's context and the order lines of the plan year."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError


# The dimensions of ``targets_long``, in display order.
TOTAL = "total"


MONTH = "month"


CUSTOMER_TYPE = "customer_type"


DIMENSIONS: tuple[str, ...] = (
    TOTAL,
    MONTH,
    schema.PRODUCT_LINE,
    schema.REGION,
    schema.CHANNEL,
    CUSTOMER_TYPE,
    schema.REP,
)


TOTAL_SEGMENT = schema.TOTAL_ID


NEW, EXISTING = "new", "existing"


NONE_LABEL = "(none)"  # the loader's label of a missing text value


VACANT_REP = "(vacant)"  # a region's target no rep in seat can carry


DIMENSION = "dimension"


SEGMENT = "segment"


TARGET = "target"


MEAN = "mean"


CarryForward = Literal["carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"]


# The re-plan policies (``plan.tracking.respread``): what the open months' targets become.
#   carry_shortfall  : each segment's shortfall of the closed months is carried into its open
#                      months; a lead is kept (no open target falls below its plan); default
#   keep_annual      : the year adds up to the annual target exactly (a lead lowers the rest)
#   raise_to_forecast: carry_shortfall, raised further to the re-forecast where that is higher
#   hold_annual      : the original monthly targets stay (only leavers' targets move)
POLICIES: tuple[str, ...] = ("carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual")


DateLike = str | dt.date | np.datetime64  # a pd.Timestamp is a dt.date


_TOL = 1e-12


_DAY = pd.Timedelta(days=1)


_LATE_START_DAYS = 7  # comparison data starting after its 7th day is not compared


_RESPREAD_COLUMNS = [DIMENSION, SEGMENT, MONTH, "original", "required", TARGET, "change"]


def _check_thresholds(green: float, amber: float, where: str) -> None:
    for name, value in (("green", green), ("amber", amber)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not math.isfinite(value) or not 0 < value <= 2:
            raise ParamsError(
                f"the '{name}' parameter of {where} must be a number in (0, 2]; got {value!r} instead",
                key=name,
            )
    if amber >= green:
        raise ParamsError(
            f"the 'amber' parameter of {where} must be below 'green'; got {amber} and {green}",
            key="amber",
        )


def _check_choice(value: object, name: str, choices: Sequence[str], where: str) -> None:
    if value not in choices:
        raise ParamsError(
            f"the '{name}' parameter of {where} must be one of {list(choices)}; got {value!r} instead",
            key=name,
        )


def _check_unit(unit: object, where: str) -> int:
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or unit < 1:
        raise ParamsError(
            f"the 'unit' parameter of {where} must be a positive integer; got {unit!r} instead",
            key="unit",
        )
    return int(unit)


def _to_timestamp(value: object, name: str, where: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParamsError(
            f"the '{name}' parameter of {where} must be a date; got {value!r} instead", key=name
        )
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


def _month_end(month: pd.Timestamp) -> pd.Timestamp:
    return month + pd.offsets.MonthEnd(0)


def _validate_targets(targets_long: object, where: str, name: str = "targets_long") -> pd.DataFrame:
    """A clean copy of a targets frame: text dims, month starts, int64 targets; checked."""
    frame = require_frame(targets_long, name, where, [DIMENSION, SEGMENT, MONTH, TARGET])
    out = pd.DataFrame({
        DIMENSION: frame[DIMENSION].astype(str).to_numpy(dtype=object),
        SEGMENT: frame[SEGMENT].astype(str).to_numpy(dtype=object),
        MONTH: pd.to_datetime(frame[MONTH], errors="coerce").to_numpy(),
    })
    if out[MONTH].isna().any():
        rows = np.flatnonzero(out[MONTH].isna().to_numpy())[:5].tolist()
        raise DataError(f"the '{name}' frame given to {where} has months that are not dates; "
                        f"rows {rows}", column=MONTH, rows=rows)
    out[MONTH] = out[MONTH].dt.to_period("M").dt.to_timestamp()
    unknown = sorted(set(out[DIMENSION]) - set(DIMENSIONS))
    if unknown:
        raise DataError(f"the '{name}' frame given to {where} has unknown dimension(s) {unknown[:5]}; "
                        f"expected {list(DIMENSIONS)}", column=DIMENSION)
    values = pd.to_numeric(frame[TARGET], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (np.abs(values - np.round(values)) > 1e-6)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise DataError(f"the '{name}' frame given to {where} must hold whole numbers in "
                        f"'{TARGET}'; bad rows {rows}", column=TARGET, rows=rows)
    out[TARGET] = np.round(values).astype(np.int64)
    dup = out.duplicated([DIMENSION, SEGMENT, MONTH])
    if dup.any():
        example = out.loc[dup, [DIMENSION, SEGMENT, MONTH]].iloc[0].tolist()
        raise DataError(f"the '{name}' frame given to {where} repeats {int(dup.sum())} "
                        f"dimension/segment/month row(s), e.g. {example}", column=SEGMENT)
    years = sorted(set(out[MONTH].dt.year))
    if len(years) != 1:
        raise DataError(f"the '{name}' frame given to {where} must cover one plan year; "
                        f"got months in {years}", column=MONTH)
    return out


def _total_by_month(plan: pd.DataFrame, where: str) -> pd.Series:
    """The plan's total per month (from ``total`` rows, else ``month`` rows)."""
    for dim in (TOTAL, MONTH):
        rows = plan[plan[DIMENSION] == dim]
        if not rows.empty:
            return rows.groupby(MONTH)[TARGET].sum().sort_index()
    raise DataError(f"the 'targets_long' frame given to {where} has no '{TOTAL}' (or "
                    f"'{MONTH}') rows to take the monthly total from", column=DIMENSION)


def _check_consistent(plan: pd.DataFrame, total: pd.Series, where: str) -> None:
    """Every dimension's segments add up to the total of each month."""
    missing = sorted(set(plan[MONTH]) - set(total.index))
    if missing:
        raise DataError(f"the targets given to {where} have months {[f'{m:%Y-%m}' for m in missing[:3]]} "
                        f"without a total", column=MONTH)
    for dim, rows in plan.groupby(DIMENSION, sort=True):
        sums = rows.groupby(MONTH)[TARGET].sum().reindex(total.index, fill_value=0)
        off = np.flatnonzero(sums.to_numpy() != total.to_numpy())
        if len(off):
            month = total.index[off[0]]
            raise DataError(
                f"the '{dim}' targets given to {where} add up to {int(sums.iloc[off[0]])} in "
                f"{month:%Y-%m} but the total of that month is {int(total.iloc[off[0]])}",
                column=TARGET,
            )


def _dims_of(plan: pd.DataFrame) -> list[str]:
    present = set(plan[DIMENSION])
    return [d for d in DIMENSIONS if d in present]


class _Lines:
    """The order lines of one window, with the per-dimension segment codes they need."""

    def __init__(self, orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp,
                 *, history: pd.DataFrame | None, year_start: pd.Timestamp, where: str):
        require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE], allow_empty=True)
        dates = pd.to_datetime(orders[schema.ORDER_DATE], errors="coerce")
        if dates.isna().any():
            rows = np.flatnonzero(dates.isna().to_numpy())[:5].tolist()
            raise DataError(f"the 'orders' given to {where} have order dates that are not dates; "
                            f"rows {rows}", column=schema.ORDER_DATE, rows=rows)
        dates = dates.dt.normalize()
        keep = ((dates >= start) & (dates < stop)).to_numpy()
        self.outside = int((~keep).sum())
        self.frame = orders.loc[keep]
        self.dates = dates[keep]
        self.revenue = pd.to_numeric(self.frame[schema.REVENUE], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(self.revenue).all():
            rows = np.flatnonzero(~np.isfinite(self.revenue))[:5].tolist()
            raise DataError(f"the 'orders' given to {where} have missing or non-numeric revenue; "
                            f"rows {rows}", column=schema.REVENUE, rows=rows)
        self.month_index = self.dates.dt.month.to_numpy() - 1
        self.full_orders = orders
        self.history = history
        self.year_start = year_start
        self.where = where

    def __len__(self) -> int:
        return len(self.revenue)

    def segments(self, dim: str) -> tuple[np.ndarray, list[str]]:
        """(code per line, label per code) for one dimension; every line gets a label."""
        n = len(self.revenue)
        if dim in (TOTAL, MONTH):
            return np.zeros(n, dtype=np.int64), [TOTAL_SEGMENT]
        if dim == CUSTOMER_TYPE:
            return self._customer_types()
        if dim not in self.frame.columns:
            raise DataError(f"the 'orders' given to {self.where} lack column '{dim}', which the "
                            f"plan has targets for", column=dim)
        codes, labels = _codes(self.frame[dim])
        return codes, labels

    def _customer_types(self) -> tuple[np.ndarray, list[str]]:
        if schema.CUSTOMER_ID not in self.frame.columns:
            raise DataError(f"the 'orders' given to {self.where} lack column "
                            f"'{schema.CUSTOMER_ID}', needed for customer_type", column=schema.CUSTOMER_ID)
        if self.history is None:
            raise DataError(f"{self.where} needs the order 'history' to tell new from existing "
                            f"customers (the plan has customer_type targets)", column=schema.CUSTOMER_ID)
        codes, labels = _codes(self.frame[schema.CUSTOMER_ID])
        first = _first_dates(self.full_orders, self.history, self.where)
        label_first = first.reindex(pd.Index(labels, dtype=object))
        is_new = (label_first >= self.year_start).to_numpy(dtype=bool)  # NaT: not new
        kind = np.where(is_new, 1, 0)
        kind[[i for i, label in enumerate(labels) if label == NONE_LABEL]] = 2
        return kind[codes].astype(np.int64), [EXISTING, NEW, NONE_LABEL]

    def actual_by_month(self, dim: str) -> pd.DataFrame:
        """``segment, month_index, actual`` of every (segment, month) with lines."""
        codes, labels = self.segments(dim)
        n_labels = max(len(labels), 1)
        flat = codes * 12 + self.month_index
        sums = np.bincount(flat, weights=self.revenue, minlength=n_labels * 12)
        counts = np.bincount(flat, minlength=n_labels * 12)
        hit = np.flatnonzero(counts)
        table = pd.DataFrame({
            SEGMENT: np.asarray(labels, dtype=object)[hit // 12] if len(hit) else np.array([], dtype=object),
            "month_index": (hit % 12).astype(np.int64),
            "actual": sums[hit],
        })
        return table.groupby([SEGMENT, "month_index"], as_index=False, sort=True)["actual"].sum()


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and text labels of a text column; missing values get ``"(none)"``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        labels = [str(c) for c in values.cat.categories]
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        codes = codes.astype(np.int64)
        labels = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels = labels + [NONE_LABEL]
    return codes, labels


def _first_dates(orders: pd.DataFrame, history: pd.DataFrame, where: str) -> pd.Series:
    """First line date ever per customer (text id) over ``history`` and ``orders``."""
    parts = []
    for name, frame in (("history", history), ("orders", orders)):
        require_frame(frame, name, where, [schema.CUSTOMER_ID, schema.ORDER_DATE], allow_empty=True)
        if frame.empty:
            continue
        dates = pd.to_datetime(frame[schema.ORDER_DATE], errors="coerce")
        first = dates.groupby(frame[schema.CUSTOMER_ID], observed=True).min()
        first.index = first.index.astype(str)
        parts.append(first)
    if not parts:
        return pd.Series([], dtype="datetime64[ns]")
    both = pd.concat(parts)
    return both.groupby(level=0).min()


def _plan_context(targets_long: object, as_of: DateLike, where: str):
    plan = _validate_targets(targets_long, where)
    total = _total_by_month(plan, where)
    _check_consistent(plan, total, where)
    year = int(total.index[0].year)
    year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    asof = _to_timestamp(as_of, "as_of", where)
    if asof < year_start:
        raise ParamsError(f"the 'as_of' parameter of {where} must fall in the plan year {year}; "
                          f"got {asof.date()} instead", key="as_of")
    asof = min(asof, year_end)
    return plan, total, year, year_start, asof


def _elapsed_share(month: pd.Timestamp, asof: pd.Timestamp) -> float:
    """Share of the month's calendar days on or before ``as_of``."""
    end = _month_end(month)
    if end <= asof:
        return 1.0
    if asof < month:
        return 0.0
    return asof.day / end.day


def _light(attainment: np.ndarray, green: float, amber: float) -> np.ndarray:
    att = np.asarray(attainment, dtype=float)
    status = np.where(att >= green - _TOL, "green", np.where(att >= amber - _TOL, "amber", "red"))
    return np.where(np.isfinite(att), status, "n/a").astype(object)


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _weights(values: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one; equal when all are zero."""
    w = np.clip(np.asarray(values, dtype=float), 0.0, None)
    s = math.fsum(w)
    return w / s if s > 0 else np.full(len(w), 1.0 / max(len(w), 1))


def _grid(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(sorted segments, segment x 12 months int64 targets) of one dimension's plan rows."""
    segments, codes = np.unique(rows[SEGMENT].to_numpy(dtype=object).astype(str), return_inverse=True)
    grid = np.zeros((len(segments), 12), dtype=np.int64)
    np.add.at(grid, (codes, rows[MONTH].dt.month.to_numpy() - 1), rows[TARGET].to_numpy(dtype=np.int64))
    return segments.astype(object), grid


def _respread_rows(dim: str, segments: np.ndarray, months: pd.DatetimeIndex, original: np.ndarray,
                   required: np.ndarray, target: np.ndarray) -> pd.DataFrame:
    """Long rows of one dimension's open months: original, required (keep_annual) and target."""
    n, k = original.shape
    return pd.DataFrame({
        DIMENSION: dim,
        SEGMENT: np.repeat(segments, k),
        MONTH: np.tile(months.to_numpy(), n),
        "original": original.ravel().astype(np.int64),
        "required": required.ravel().astype(np.int64),
        TARGET: target.ravel().astype(np.int64),
        "change": (target - original).ravel().astype(np.int64),
    })


def _sort_long(frame: pd.DataFrame) -> pd.DataFrame:
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    key = frame[DIMENSION].map(order)
    out = (frame.assign(_d=key).sort_values(["_d", SEGMENT, MONTH], kind="mergesort")
           .drop(columns="_d").reset_index(drop=True))
    return _as_text(out, [DIMENSION, SEGMENT, "status"])


def _as_text(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The given text columns as pandas' default string dtype (stable dtypes across calls)."""
    present = {c: "str" for c in columns if c in frame.columns}
    return frame.astype(present) if present else frame
