"""Tracking stage: where are we against the plan, and how do we re-plan the rest of the year?

Compares actuals to date with the annual plan (attainment, run-rate projection, traffic
light), checks the checkpoints that are due, and re-spreads the remaining target exactly.

Inputs
------
* ``targets_long``: the annual plan, one row per ``dimension, segment, month, target``
  (``dimension`` one of :data:`DIMENSIONS`; ``segment`` ``"Total"`` for ``total`` and
  ``month``; ``month`` a month start of the plan year; ``target`` whole currency units).
  Every dimension's segments add up to the total of each month (checked).
* ``orders``: canonical order lines of the plan year up to ``as_of``; lines outside
  ``[Jan 1, as_of]`` are left out of every figure (:func:`compare_to_plan` counts them in
  ``attrs["lines_outside"]``).
* ``history``: order lines of earlier years (it may also hold the plan year: only its
  lines before Jan 1 of the plan year are used, the plan year comes from ``orders``).

Rules
-----
* **Segments of a line.** ``product_line, region, channel, rep`` from the line (missing
  = ``"(none)"``); ``customer_type`` is ``"new"`` when the customer's first line ever
  (over ``history`` and ``orders``) falls in the plan year, else ``"existing"``. Actuals
  of segments without a target are kept in their own rows (annual target 0), so every
  dimension's actuals add up to the total actual.
* **Partial month.** With ``as_of`` inside a month, that month's plan to date is its
  target times the share of its calendar days elapsed (``as_of`` inclusive). This is the
  same thing as the plan's monthly weight times the elapsed share of days.
* **Run-rate projection.** ``projection = actual / plan_share_elapsed`` where
  ``plan_share_elapsed = plan_to_date / annual_target``: the actual to date scaled by the
  plan's own seasonal weight of the elapsed days (a segment by its own weights, so
  segment projections need not add up to the total's).
* **Traffic light.** ``attainment = actual / plan_to_date``; ``"green"`` when
  ``attainment >= green``, ``"amber"`` when ``>= amber``, else ``"red"`` (boundaries
  included, to 1e-12); ``"n/a"`` when nothing is planned to date.
* **Re-spread.** Re-planning works on *closed* months: the months ending on or before
  ``as_of`` are history (their actuals are final), the others are *open*. With ``as_of``
  inside a month that month is open: its new target is for the whole month and its
  sales so far count towards it. See :func:`respread_remaining`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from planlib import schema
from planlib.allocation import (
    AllocationError,
    fit_to_margins,
    round_preserving_total,
    round_table_preserving_margins,
    split_total,
)
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.formatting import MONTH_NAMES, fmt_money, fmt_pct

__all__ = [
    "DIMENSIONS",
    "POLICIES",
    "apply_respread",
    "replan_outlook",
    "summarize_replan_outlook",
    "summarize_respread_by_segment",
    "check_checkpoints",
    "compare_to_plan",
    "compute_behaviour",
    "diff_targets",
    "respread_remaining",
    "respread_to_reps",
    "summarize_behaviour",
    "summarize_changes",
    "summarize_checkpoints",
    "summarize_plan_diff",
    "summarize_respread",
    "summarize_tracking",
]

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


# =========================================================================== checks


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


# =========================================================================== lines


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


# =========================================================================== 1. actual vs plan


def _light(attainment: np.ndarray, green: float, amber: float) -> np.ndarray:
    att = np.asarray(attainment, dtype=float)
    status = np.where(att >= green - _TOL, "green", np.where(att >= amber - _TOL, "amber", "red"))
    return np.where(np.isfinite(att), status, "n/a").astype(object)


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def compare_to_plan(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    history: pd.DataFrame | None = None,
    green: float = 0.98,
    amber: float = 0.90,
    by_month: bool = False,
) -> pd.DataFrame:
    """Actual against plan to date in every dimension of the plan.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target`` (see the module docstring).
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals (inclusive); a day inside a month compares that month pro rata
        by calendar days.
    history : DataFrame, optional
        Earlier order lines; required when the plan has ``customer_type`` targets.
    green, amber : float, default 0.98 and 0.90
        Traffic-light thresholds on attainment (``plan.tracking.green/amber``).
    by_month : bool, default False
        One row per elapsed month instead of one row to date.

    Returns
    -------
    DataFrame
        To date: ``dimension, segment, annual_target, plan_to_date, actual, gap,
        attainment, status, plan_share_elapsed, projection, projected_attainment,
        projected_gap, projected_status``. By month: ``dimension, segment, month, target,
        elapsed_share, plan_to_date, actual, gap, attainment, status``. ``gap = actual -
        plan_to_date`` (negative = behind); ``projection = actual / plan_share_elapsed``.
        Segments with actuals but no target have target 0 and status ``"n/a"``; each
        dimension's actuals add up to the total actual.
    """
    where = "compare_to_plan"
    _check_thresholds(green, amber, where)
    plan, _, year, year_start, asof = _plan_context(targets_long, as_of, where)
    lines = _Lines(orders, year_start, asof + _DAY, history=history, year_start=year_start, where=where)
    months = pd.date_range(year_start, periods=12, freq="MS")
    elapsed = np.array([_elapsed_share(m, asof) for m in months])
    parts = []
    for dim in _dims_of(plan):
        rows = plan[plan[DIMENSION] == dim]
        grid = rows.assign(month_index=rows[MONTH].dt.month - 1)[[SEGMENT, "month_index", TARGET]]
        actual = lines.actual_by_month(dim)
        table = grid.merge(actual, on=[SEGMENT, "month_index"], how="outer")
        table[TARGET] = table[TARGET].fillna(0).astype(np.int64)
        table["actual"] = table["actual"].fillna(0.0)
        table["elapsed_share"] = elapsed[table["month_index"].to_numpy()]
        table["plan_to_date"] = table[TARGET] * table["elapsed_share"]
        table.insert(0, DIMENSION, dim)
        parts.append(table)
    long = pd.concat(parts, ignore_index=True)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    if by_month:
        long = long[long["elapsed_share"] > 0].copy()
        long[MONTH] = months[long["month_index"].to_numpy()]
        long["gap"] = long["actual"] - long["plan_to_date"]
        long["attainment"] = _ratio(long["actual"], long["plan_to_date"])
        long["status"] = _light(long["attainment"].to_numpy(), green, amber)
        long["_d"] = long[DIMENSION].map(order)
        long = long.sort_values(["_d", SEGMENT, MONTH], kind="mergesort")
        out = long[[DIMENSION, SEGMENT, MONTH, TARGET, "elapsed_share", "plan_to_date", "actual",
                    "gap", "attainment", "status"]].reset_index(drop=True)
    else:
        out = long.groupby([DIMENSION, SEGMENT], as_index=False, sort=False).agg(
            annual_target=(TARGET, "sum"), plan_to_date=("plan_to_date", "sum"), actual=("actual", "sum"))
        out["annual_target"] = out["annual_target"].astype(np.int64)
        out["gap"] = out["actual"] - out["plan_to_date"]
        out["attainment"] = _ratio(out["actual"], out["plan_to_date"])
        out["status"] = _light(out["attainment"].to_numpy(), green, amber)
        out["plan_share_elapsed"] = _ratio(out["plan_to_date"], out["annual_target"])
        out["projection"] = _ratio(out["actual"], out["plan_share_elapsed"])
        out["projected_attainment"] = _ratio(out["projection"], out["annual_target"])
        out["projected_gap"] = out["projection"] - out["annual_target"]
        out["projected_status"] = _light(out["projected_attainment"].to_numpy(), green, amber)
        out["_d"] = out[DIMENSION].map(order)
        out = out.sort_values(["_d", SEGMENT], kind="mergesort").drop(columns="_d").reset_index(drop=True)
    out = _as_text(out, [DIMENSION, SEGMENT, "status", "projected_status"])
    out.attrs.update({"as_of": asof, "plan_year": year, "lines_outside": lines.outside})
    return out


def summarize_tracking(comparison: pd.DataFrame) -> str:
    """One-line takeaway of :func:`compare_to_plan` (to-date form).

    Returns
    -------
    str
        e.g. ``"To 15 May: actual 4.1M against 4.3M planned (95.3%, amber); run-rate
        projection 11.5M for the year (95.8% of 12.0M); weakest region: East (82.0%, red)."``
    """
    total = comparison[comparison[DIMENSION] == TOTAL]
    if total.empty:
        total = comparison[comparison[DIMENSION] == MONTH]
    if total.empty or "annual_target" not in comparison.columns:
        return "No total to summarize."
    row = total.iloc[0]
    asof = comparison.attrs.get("as_of")
    head = f"To {asof.day} {MONTH_NAMES[asof.month - 1]}: " if isinstance(asof, pd.Timestamp) else ""
    text = (f"{head}actual {fmt_money(row['actual'])} against {fmt_money(row['plan_to_date'])} planned "
            f"({fmt_pct(row['attainment'])}, {row['status']})")
    if np.isfinite(row["projection"]):
        text += (f"; run-rate projection {fmt_money(row['projection'])} for the year "
                 f"({fmt_pct(row['projected_attainment'])} of {fmt_money(row['annual_target'])})")
    segments = comparison[~comparison[DIMENSION].isin([TOTAL, MONTH])
                          & np.isfinite(comparison["attainment"].to_numpy(dtype=float))]
    vacant = segments[segments[SEGMENT].astype(str) == VACANT_REP]
    segments = segments[segments[SEGMENT].astype(str) != VACANT_REP]  # a seat, not a person to chase
    if not segments.empty:
        worst = segments.loc[segments["attainment"].idxmin()]
        text += (f"; weakest {worst[DIMENSION].replace('_', ' ')}: {worst[SEGMENT]} "
                 f"({fmt_pct(worst['attainment'])}, {worst['status']})")
    if not vacant.empty:
        text += (f"; {fmt_money(vacant['plan_to_date'].sum())} of the plan to date sits with no rep "
                 f"(a vacant seat: give it an owner)")
    return text + "."


# =========================================================================== 2. checkpoints

_OWNER_TOTAL = {"total", "company", "team"}
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


def _period_end(period: str, where: str) -> pd.Timestamp:
    match = _PERIOD.match(str(period).strip())
    if not match:
        raise DataError(f"the checkpoints given to {where} have period {period!r}; expected "
                        f"'2025-03', '2025-Q1', '2025-H1' or '2025'", column="period")
    year = int(match.group(1))
    month = 12
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise DataError(f"the checkpoints given to {where} have period {period!r}; the month "
                            f"must be 01-12", column="period")
    elif match.group(3):
        month = 3 * int(match.group(3))
    elif match.group(4):
        month = 6 * int(match.group(4))
    return _month_end(pd.Timestamp(year, month, 1))


def check_checkpoints(
    checkpoints: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Checkpoints met or missed at ``as_of``, per owner.

    A checkpoint is *due* when its period has ended on or before ``as_of``; it is
    ``"met"`` when the owner's actual from Jan 1 to the period end reaches its
    cumulative target, else ``"missed"``. A checkpoint not yet due is ``"open"`` and
    shows the actual to ``as_of``.

    Parameters
    ----------
    checkpoints : DataFrame
        ``owner_type, owner, period, cumulative_target`` and optionally
        ``share_of_annual``. ``owner_type`` is ``total`` (or ``company``, ``team``) or a
        dimension (``product_line, region, channel, customer_type, rep``); ``period`` is
        ``"2025-03"``, ``"2025-Q1"``, ``"2025-H1"`` or ``"2025"``.
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals.
    history : DataFrame, optional
        Earlier order lines; needed for ``customer_type`` owners.

    Returns
    -------
    DataFrame
        The checkpoint columns plus ``period_end, actual, gap, attainment, status``,
        sorted by period end, owner type and owner.
    """
    where = "check_checkpoints"
    require_frame(checkpoints, "checkpoints", where,
                   ["owner_type", "owner", "period", "cumulative_target"], allow_empty=True)
    asof = _to_timestamp(as_of, "as_of", where)
    table = checkpoints.copy()
    table["owner_type"] = table["owner_type"].astype(str)
    table["owner"] = table["owner"].astype(str)
    table["period"] = table["period"].astype(str)
    if "share_of_annual" not in table.columns:
        table["share_of_annual"] = np.nan
    unknown = sorted(set(table["owner_type"]) - _OWNER_TOTAL - set(DIMENSIONS[2:]))
    if unknown:
        raise DataError(f"the checkpoints given to {where} have owner_type {unknown[:5]}; expected "
                        f"'total' or one of {list(DIMENSIONS[2:])}", column="owner_type")
    table["period_end"] = pd.to_datetime([_period_end(p, where) for p in table["period"]]).to_numpy()
    target = pd.to_numeric(table["cumulative_target"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(target).all():
        rows = np.flatnonzero(~np.isfinite(target))[:5].tolist()
        raise DataError(f"the checkpoints given to {where} have non-numeric cumulative targets; "
                        f"rows {rows}", column="cumulative_target", rows=rows)
    if not pd.api.types.is_numeric_dtype(table["cumulative_target"]):
        table["cumulative_target"] = target
    actual = np.zeros(len(table))
    for year in sorted(set(table["period_end"].dt.year)):
        year_start = pd.Timestamp(year, 1, 1)
        lines = _Lines(orders, year_start, min(asof, pd.Timestamp(year, 12, 31)) + _DAY,
                       history=history, year_start=year_start, where=where)
        for owner_type in sorted(set(table["owner_type"])):
            dim = TOTAL if owner_type in _OWNER_TOTAL else owner_type
            rows = np.flatnonzero(((table["owner_type"] == owner_type)
                                   & (table["period_end"].dt.year == year)).to_numpy())
            if not len(rows):
                continue
            by_month = lines.actual_by_month(dim)
            for i in rows:
                seg = TOTAL_SEGMENT if dim == TOTAL else table["owner"].iloc[i]
                last = table["period_end"].iloc[i].month - 1
                hit = (by_month[SEGMENT] == seg) & (by_month["month_index"] <= last)
                actual[i] = math.fsum(by_month.loc[hit, "actual"])
    table["actual"] = actual
    table["gap"] = table["actual"].to_numpy() - target
    table["attainment"] = _ratio(table["actual"], target)
    due = (table["period_end"] <= asof).to_numpy()
    met = table["actual"].to_numpy() >= target - _TOL
    table["status"] = np.where(due, np.where(met, "met", "missed"), "open").astype(object)
    table = table.sort_values(["period_end", "owner_type", "owner"], kind="mergesort").reset_index(drop=True)
    front = ["owner_type", "owner", "period", "period_end", "cumulative_target", "share_of_annual",
             "actual", "gap", "attainment", "status"]
    table = _as_text(table[front + [c for c in table.columns if c not in front]],
                     ["owner_type", "owner", "period", "status"])
    table.attrs["as_of"] = asof
    return table


def summarize_checkpoints(checks: pd.DataFrame) -> str:
    """One-line takeaway of :func:`check_checkpoints`.

    Returns
    -------
    str
        e.g. ``"3 of 4 checkpoints due are met; missed: rep Li 2025-Q1 (91.0% of 300K)."``
    """
    due = checks[checks["status"] != "open"]
    if due.empty:
        return f"No checkpoint due yet ({len(checks)} open)."
    met = int((due["status"] == "met").sum())
    text = f"{met} of {len(due)} checkpoint{'s' if len(due) > 1 else ''} due {'is' if met == 1 else 'are'} met"
    missed = due[due["status"] == "missed"].sort_values("attainment", kind="mergesort")
    vacant = missed[missed["owner"].astype(str) == VACANT_REP]
    missed = missed[missed["owner"].astype(str) != VACANT_REP]
    if not missed.empty:
        shown = [f"{r.owner_type.replace('_', ' ')} {r.owner} {r.period} "
                 f"({fmt_pct(r.attainment)} of {fmt_money(r.cumulative_target)})"
                 for r in missed.head(3).itertuples()]
        more = f" and {len(missed) - 3} more" if len(missed) > 3 else ""
        text += "; missed: " + ", ".join(shown) + more
    if not vacant.empty:
        text += f"; {len(vacant)} more belong to a vacant seat (no rep to hold them)"
    return text + "."


# =========================================================================== 3. behaviour

_BEHAVIOUR = ("revenue", "orders", "active_customers", "new_customers", "avg_order_value",
              "revenue_per_customer")


def _joint_codes(parts: Sequence[pd.Series]) -> tuple[np.ndarray, list[str]]:
    """Codes of one text column over several frames (one code per distinct text; -1 = missing)."""
    if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
        try:
            joint = union_categoricals([p.cat.rename_categories(p.cat.categories.astype(str))
                                        for p in parts], ignore_order=True)
            return joint.codes.astype(np.int64), joint.categories.astype(str).tolist()
        except TypeError:
            pass
    values = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    codes, uniques = pd.factorize(values.where(values.isna(), values.astype(str)), use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _behaviour_windows(seg: np.ndarray, order: np.ndarray, customer: np.ndarray, dates: np.ndarray,
                       revenue: np.ndarray, n_seg: int, first: np.ndarray | None,
                       windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> list[dict[str, np.ndarray]]:
    """Metrics per segment for each ``[start, stop)`` window.

    An order is an ``order_id`` whose net revenue (within the segment, over all lines
    given) is positive, dated at its first line; active customers have an order in the
    window; new customers are active and bought for the first time ever in the window.
    """
    known = order >= 0
    n_orders = int(order.max()) + 1 if known.any() else 1
    key = seg[known] * n_orders + order[known]
    table = (pd.DataFrame({"customer": customer[known], "date": dates[known], "revenue": revenue[known]})
             .groupby(key, sort=False).agg(customer=("customer", "min"), date=("date", "min"),
                                           revenue=("revenue", "sum")))
    table = table[table["revenue"].to_numpy() > 0]
    real = pd.DataFrame({"seg": table.index.to_numpy() // n_orders, "customer": table["customer"].to_numpy(),
                         "date": table["date"].to_numpy()})
    results = []
    for start, stop in windows:
        in_window = (dates >= start) & (dates < stop)
        total = np.bincount(seg[in_window], weights=revenue[in_window], minlength=n_seg)
        hit = real[((real["date"] >= start) & (real["date"] < stop)).to_numpy()]
        n_orders = np.bincount(hit["seg"].to_numpy(), minlength=n_seg).astype(float)
        pairs = hit.loc[hit["customer"].to_numpy() >= 0, ["seg", "customer"]].drop_duplicates()
        active = np.bincount(pairs["seg"].to_numpy(), minlength=n_seg).astype(float)
        if first is None:
            new = np.full(n_seg, np.nan)
        else:
            when = first[pairs["customer"].to_numpy()]
            fresh = (when >= start.to_datetime64()) & (when < stop.to_datetime64())
            new = np.bincount(pairs["seg"].to_numpy()[fresh], minlength=n_seg).astype(float)
        results.append({
            "revenue": total, "orders": n_orders, "active_customers": active, "new_customers": new,
            "avg_order_value": _ratio(total, n_orders), "revenue_per_customer": _ratio(total, active),
        })
    return results


def compute_behaviour(
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    history: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Sales behaviour to date against the same dates of last year.

    An order is an ``order_id`` whose net revenue is positive (a fully returned order is
    not one), dated at its first line; active customers have an order in the period; new
    customers are active and bought for the first time ever in it (first line over the
    whole history); average order value is revenue / orders. The period is Jan 1 to
    ``as_of`` of ``as_of``'s year; last year's is the same dates a year earlier, from
    ``history`` (all NaN when ``history`` is missing or starts after its first week).

    Parameters
    ----------
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals.
    history : DataFrame, optional
        Order lines of earlier years (only lines before the plan year are used). Without
        it ``new_customers`` is NaN.
    by : str, optional
        A segment column (``product_line, region, channel, rep``): one block of metrics
        per segment, computed on that segment's lines.

    Returns
    -------
    DataFrame
        ``dimension, segment, metric, current, previous, change, growth, period,
        previous_period``; metrics ``revenue, orders, active_customers, new_customers,
        avg_order_value, revenue_per_customer``; ``growth = current / previous - 1``
        (NaN when previous is not positive).
    """
    where = "compute_behaviour"
    needed = [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID, schema.REVENUE]
    if by is not None:
        _check_choice(by, "by", schema.SEGMENT_DIMENSIONS, where)
    columns = needed + ([by] if by else [])
    require_frame(orders, "orders", where, columns, allow_empty=True)
    if history is not None:
        require_frame(history, "history", where, columns, allow_empty=True)
    asof = _to_timestamp(as_of, "as_of", where)
    start, stop = pd.Timestamp(asof.year, 1, 1), asof + _DAY
    prev_start = pd.Timestamp(asof.year - 1, 1, 1)
    prev_stop = (asof - pd.DateOffset(years=1)).normalize() + _DAY
    parts = []
    for frame, lo, hi in ((history, None, start), (orders, start, stop)):
        if frame is None:
            continue
        dates = pd.to_datetime(frame[schema.ORDER_DATE], errors="coerce").dt.normalize()
        keep = ((dates < hi) if lo is None else (dates >= lo) & (dates < hi)).to_numpy(dtype=bool)
        parts.append((frame.loc[keep, columns], dates[keep]))
    covered = False
    if history is not None and not history.empty:
        data_start = pd.to_datetime(history[schema.ORDER_DATE], errors="coerce").min().normalize()
        covered = bool(data_start <= prev_start + pd.Timedelta(days=_LATE_START_DAYS - 1))
    dates = np.concatenate([d.to_numpy(dtype="datetime64[ns]") for _, d in parts])
    revenue = np.concatenate([pd.to_numeric(p[schema.REVENUE], errors="coerce").to_numpy(dtype=float)
                              for p, _ in parts])
    revenue = np.nan_to_num(revenue, nan=0.0)
    order, _ = _joint_codes([p[schema.ORDER_ID] for p, _ in parts])
    customer, _ = _joint_codes([p[schema.CUSTOMER_ID] for p, _ in parts])
    if by is None:
        seg, labels = np.zeros(len(dates), dtype=np.int64), [TOTAL_SEGMENT]
    else:
        seg, labels = _joint_codes([p[by] for p, _ in parts])
        if (seg < 0).any():
            seg, labels = np.where(seg < 0, len(labels), seg), labels + [NONE_LABEL]
    first = None
    if history is not None:
        known = customer >= 0
        first = np.full(int(customer.max()) + 1 if known.any() else 0, np.datetime64("NaT"),
                        dtype="datetime64[ns]")
        earliest = pd.Series(dates[known]).groupby(customer[known]).min()
        first[earliest.index.to_numpy()] = earliest.to_numpy(dtype="datetime64[ns]")
    now, before = _behaviour_windows(seg, order, customer, dates, revenue, len(labels), first,
                                     [(start, stop), (prev_start, prev_stop)])
    if not covered:
        before = {k: np.full(len(labels), np.nan) for k in before}
    present = (np.bincount(seg, minlength=len(labels)) > 0) | (by is None)  # the total always
    rows = []
    for i, label in enumerate(labels):
        if not present[i]:
            continue
        for metric in _BEHAVIOUR:
            rows.append((by or TOTAL, label, metric, now[metric][i], before[metric][i]))
    table = pd.DataFrame(rows, columns=[DIMENSION, SEGMENT, "metric", "current", "previous"])
    if by is not None:
        table = table.sort_values([SEGMENT], kind="mergesort").reset_index(drop=True)
    table[["current", "previous"]] = table[["current", "previous"]].astype(float)
    table["change"] = table["current"] - table["previous"]
    table["growth"] = _ratio(table["current"], table["previous"]) - 1.0
    last_year = prev_stop - _DAY
    table["period"] = f"{asof.year} to {asof.day} {MONTH_NAMES[asof.month - 1]}"
    table["previous_period"] = f"{asof.year - 1} to {last_year.day} {MONTH_NAMES[last_year.month - 1]}"
    return _as_text(table, [DIMENSION, SEGMENT, "metric", "period", "previous_period"])


def summarize_behaviour(behaviour: pd.DataFrame) -> str:
    """One-line takeaway of :func:`compute_behaviour` (its total rows).

    Returns
    -------
    str
        e.g. ``"Orders +5.0%, active customers -2.1%, new customers 120 (+10.0%),
        average order value +3.2% on 2024 to 15 May."``
    """
    rows = behaviour[behaviour[SEGMENT] == TOTAL_SEGMENT].set_index("metric")
    if rows.empty:
        rows = behaviour.groupby("metric")[["current", "previous"]].sum(min_count=1)
        rows["growth"] = _ratio(rows["current"], rows["previous"]) - 1.0
    parts = []
    for metric, name in (("orders", "orders"), ("active_customers", "active customers"),
                         ("new_customers", "new customers"), ("avg_order_value", "average order value")):
        if metric not in rows.index:
            continue
        r = rows.loc[metric]
        if metric == "new_customers":
            if not np.isfinite(r["current"]):
                continue
            growth = f" ({fmt_pct(r['growth'], signed=True)})" if np.isfinite(r["growth"]) else ""
            parts.append(f"{name} {r['current']:,.0f}{growth}")
        elif np.isfinite(r["growth"]):
            parts.append(f"{name} {fmt_pct(r['growth'], signed=True)}")
    if not parts:
        return "No comparison with last year (no history for the same dates)."
    text = ", ".join(parts)
    period = behaviour["previous_period"].iloc[0] if "previous_period" in behaviour.columns else "last year"
    return f"{text[0].upper()}{text[1:]} on {period}."


# =========================================================================== 4. re-spread


def _weights(values: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one; equal when all are zero."""
    w = np.clip(np.asarray(values, dtype=float), 0.0, None)
    s = math.fsum(w)
    return w / s if s > 0 else np.full(len(w), 1.0 / max(len(w), 1))


def _reforecast_series(reforecast: pd.DataFrame | None, open_months: pd.DatetimeIndex,
                       where: str) -> dict[tuple[str, str], np.ndarray]:
    """Reforecast means over the open months per (dimension, segment)."""
    if reforecast is None:
        return {}
    frame = require_frame(reforecast, "reforecast", where, [DIMENSION, SEGMENT, MONTH, MEAN])
    months = pd.to_datetime(frame[MONTH], errors="coerce").dt.to_period("M").dt.to_timestamp()
    means = pd.to_numeric(frame[MEAN], errors="coerce")
    if months.isna().any() or means.isna().any():
        raise DataError(f"the 'reforecast' frame given to {where} has missing months or means",
                        column=MEAN)
    table = pd.DataFrame({DIMENSION: frame[DIMENSION].astype(str).to_numpy(),
                          SEGMENT: frame[SEGMENT].astype(str).to_numpy(),
                          MONTH: months.to_numpy(), MEAN: means.to_numpy(dtype=float)})
    series = {}
    for key, part in table.groupby([DIMENSION, SEGMENT], sort=True):
        values = part.groupby(MONTH)[MEAN].sum().reindex(open_months)
        if values.isna().any():
            missing = [f"{m:%Y-%m}" for m in values.index[values.isna()][:3]]
            raise DataError(f"the 'reforecast' given to {where} lacks open month(s) {missing} "
                            f"for {key[0]}={key[1]}", column=MONTH)
        series[(str(key[0]), str(key[1]))] = np.clip(values.to_numpy(dtype=float), 0.0, None)
    return series


def _spread_table(original: np.ndarray, seed: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  col_weights: np.ndarray, unit: int) -> np.ndarray:
    """Whole-unit table with row sums ``rows`` and column sums ``cols`` (both exact).

    Proportional (IPF) fit of ``seed`` when the margins and seed allow it, else an
    additive correction of ``original``; then controlled rounding to both margins.
    """
    n, k = original.shape
    seed = np.clip(seed.astype(float), 0.0, None)
    empty = (seed.sum(axis=1) <= 0) & (rows != 0)
    seed[empty] = col_weights  # a row with nothing planned takes the total's shape
    fitted = None
    if (rows >= 0).all() and (cols >= 0).all():
        cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n),
                              "value": seed.ravel()})
        try:
            fitted = fit_to_margins(cells, dims=["r", "c"],
                                    margins={"r": pd.Series(rows.astype(float)),
                                             "c": pd.Series(cols.astype(float))})["value"].to_numpy()
            fitted = fitted.reshape(n, k)
        except AllocationError:
            fitted = None
    if fitted is None:
        base = original.astype(float)
        total = float(rows.sum())
        p = _weights(base.sum(axis=1))
        q = col_weights
        fitted = (base + np.outer(p, cols - base.sum(axis=0)) + np.outer(rows - base.sum(axis=1), q)
                  - np.outer(p, q) * (total - base.sum()))
    cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n),
                          "value": fitted.ravel()})
    rounded = round_table_preserving_margins(
        cells, dims=["r", "c"], unit=unit,
        margins={"r": pd.Series(rows, index=np.arange(n)), "c": pd.Series(cols, index=np.arange(k))})
    return rounded["value"].to_numpy(dtype=np.int64).reshape(n, k)


def _forecast_sum(series: np.ndarray | None, unit: int) -> int | None:
    """A re-forecast's total over the open months, rounded to ``unit`` (``None`` without one)."""
    if series is None:
        return None
    return int(math.floor(math.fsum(series) / unit + 0.5)) * unit


def _policy_increment(policy: str, remaining: int, original_open: int, forecast_open: int | None) -> int:
    """What the policy adds to the open months' original total (never negative)."""
    if policy in ("keep_annual", "hold_annual"):
        return 0
    new = max(remaining, original_open)
    if policy == "raise_to_forecast" and forecast_open is not None:
        new = max(new, forecast_open)
    return new - original_open


def _segment_claims(policy: str, seg_remaining: np.ndarray, seg_original: np.ndarray,
                    seg_forecast: np.ndarray) -> np.ndarray:
    """Each segment's claim on the increment: its closed-month shortfall (or forecast above plan)."""
    claim = np.clip(seg_remaining - seg_original, 0, None).astype(float)
    if policy == "raise_to_forecast":
        claim = np.maximum(claim, np.clip(seg_forecast - seg_original, 0, None))
    return claim


def _spread_increment(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, col_weights: np.ndarray,
                      unit: int) -> np.ndarray:
    """Whole-unit, non-negative segment x month table with row sums ``rows`` and column sums ``cols``.

    Fitted proportionally to the segments' shape (IPF), else the independence table
    ``rows x cols / total``; rounded so both margins hold exactly. Added on top of the
    original targets, it raises cells and never lowers one.
    """
    n, k = seed.shape
    total = float(rows.sum())
    seed = np.clip(seed.astype(float), 0.0, None)
    seed[(seed.sum(axis=1) <= 0) & (rows > 0)] = col_weights
    seed[:, (seed.sum(axis=0) <= 0) & (cols > 0)] = 1.0
    cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n), "value": seed.ravel()})
    margins = {"r": pd.Series(rows.astype(float)), "c": pd.Series(cols.astype(float))}
    try:
        fitted = fit_to_margins(cells, dims=["r", "c"], margins=margins)["value"].to_numpy()
    except AllocationError:
        fitted = (np.outer(rows, cols) / total).ravel() if total > 0 else np.zeros(n * k)
    rounded = round_table_preserving_margins(
        cells.assign(value=fitted), dims=["r", "c"], unit=unit,
        margins={"r": pd.Series(rows, index=np.arange(n)), "c": pd.Series(cols, index=np.arange(k))})
    return rounded["value"].to_numpy(dtype=np.int64).reshape(n, k)


def respread_remaining(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    carry_forward: CarryForward = "carry_shortfall",
    reforecast: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Re-spread the remaining annual target over the open months, exactly.

    Open months are those ending after ``as_of`` (a month ``as_of`` falls inside is open;
    its sales so far count towards its new whole-month target). Actuals of the closed
    months are rounded to ``unit`` (largest remainder, so every dimension's rounded
    actuals add up to the rounded total ``A``). Then:

    * the total's remaining target ``R = annual - A`` is split over the open months by
      their weights: the re-forecast total's means if ``reforecast`` is given, else the
      plan's own targets of those months (equal weights if all are zero);
    * each segment's remaining target is ``annual_s - A_s``; actuals of segments without
      a target are taken off the planned segments in proportion to their annual targets;
      a segment past its annual target gets a negative remaining target (its surplus);
    * each dimension's segment x month table is fitted to both margins (segment
      remaining, month total) proportionally to each segment's shape (its re-forecast if
      given, else its plan; IPF), or, when a margin is negative, by an additive
      correction of the plan; then rounded so both margins hold exactly;
    * with ``reps``, the rep rows come from :func:`respread_to_reps` (by capacity).

    ``required`` is that table: the monthly run-rate needed to reach the annual target.
    ``carry_forward`` (the re-plan policy, :data:`POLICIES`) makes ``target``:

    * ``"carry_shortfall"`` (default): the open months' original targets plus the
      company's shortfall of the closed months, ``max(annual - A - original_open, 0)``;
      it goes to the segments behind in proportion to their own closed shortfall, and to
      the months by the shape. No open target falls below its plan, so a lead is kept
      (a company ahead keeps its year's remaining target, and its year total rises).
    * ``"keep_annual"``: ``required``; the year adds up to the annual target exactly, so a
      lead lowers the rest of the year.
    * ``"raise_to_forecast"``: as ``carry_shortfall``, raised further to the re-forecast of
      the open months where that is higher (segments by their forecast above plan).
    * ``"hold_annual"``: the original targets (reps who leave still hand theirs on).

    Parameters
    ----------
    targets_long : DataFrame
        The annual plan, ``dimension, segment, month, target``.
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals.
    carry_forward : {"carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"}
        The re-plan policy, ``plan.tracking.respread``; default "carry_shortfall".
    reforecast : DataFrame, optional
        ``dimension, segment, month, mean`` of the open months; its shape replaces the
        plan's where given (a series must cover every open month).
    history : DataFrame, optional
        Earlier order lines; required for ``customer_type`` targets.
    reps : DataFrame, optional
        Reps side table (``rep, region`` and optionally ``hire_date, leave_date,
        capacity``); needs region targets.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, original, required, target, change`` (int64; one row
        per planned segment and open month; ``change = target - original``). Per dimension
        and month the segments add up to the total; the total's ``required`` adds up to
        ``annual - A``. ``attrs`` hold ``as_of, carry_forward, policy, annual_target,
        actual_closed, remaining, open_months, shape, forecast_open, year_total``
        (``year_total = A + the total's new targets``).
    """
    where = "respread_remaining"
    _check_choice(carry_forward, "carry_forward", POLICIES, where)
    unit = _check_unit(unit, where)
    plan, total, year, year_start, asof = _plan_context(targets_long, as_of, where)
    months = total.index
    open_months = pd.DatetimeIndex([m for m in months if _month_end(m) > asof])
    annual = int(total.sum())
    empty = pd.DataFrame({c: pd.Series(dtype="str" if c in (DIMENSION, SEGMENT) else
                                       ("datetime64[ns]" if c == MONTH else "int64"))
                          for c in _RESPREAD_COLUMNS})
    if len(open_months) == 0:
        empty.attrs.update({"as_of": asof, "carry_forward": carry_forward, "annual_target": annual,
                            "open_months": 0})
        return empty
    if annual % unit:
        raise ParamsError(f"the 'unit' parameter of {where} must divide the targets; got {unit} "
                          f"for an annual target of {annual}", key="unit")
    first_open = open_months[0]
    lines = _Lines(orders, year_start, first_open, history=history, year_start=year_start, where=where)
    shape_series = _reforecast_series(reforecast, open_months, where)
    closed_actual = math.fsum(lines.revenue)
    actual_total = int(math.floor(closed_actual / unit + 0.5)) * unit
    remaining = annual - actual_total
    original_total = total.reindex(open_months).to_numpy(dtype=np.int64)
    shape_total = shape_series.get((TOTAL, TOTAL_SEGMENT), shape_series.get((MONTH, TOTAL_SEGMENT)))
    col_weights = _weights(shape_total if shape_total is not None else original_total)
    month_required = split_total(remaining, col_weights, unit=unit).to_numpy(dtype=np.int64)

    forecast_total = _forecast_sum(shape_total, unit)
    increment = _policy_increment(carry_forward, remaining, int(original_total.sum()), forecast_total)
    month_increment = (split_total(increment, col_weights, unit=unit).to_numpy(dtype=np.int64)
                       if increment else np.zeros(len(open_months), dtype=np.int64))

    parts = []
    for dim in _dims_of(plan):
        segments, grid = _grid(plan[plan[DIMENSION] == dim])
        original = grid[:, open_months.month - 1]
        if dim in (TOTAL, MONTH):
            required = month_required[None, :].repeat(len(segments), axis=0)
            raised = (original + month_increment[None, :]).astype(np.int64)
        elif dim == schema.REP and reps is not None:
            continue  # done below, from the region rows
        else:
            annual_s = grid.sum(axis=1)
            actual = lines.actual_by_month(dim).groupby(SEGMENT)["actual"].sum() if len(lines) else \
                pd.Series(dtype=float)
            actual_int = (round_preserving_total(actual, total=actual_total, unit=unit)
                          if len(actual) else pd.Series(dtype="int64"))
            planned = actual_int.reindex(segments).fillna(0).to_numpy(dtype=np.int64)
            unplanned = int(actual_int.sum()) - int(planned.sum())
            seg_remaining = annual_s - planned
            if unplanned:
                seg_remaining = seg_remaining - split_total(
                    unplanned, _weights(annual_s), unit=unit).to_numpy(dtype=np.int64)
            seed = np.vstack([shape_series.get((dim, str(s)), original[i].astype(float))
                              for i, s in enumerate(segments)])
            required = _spread_table(original, seed, seg_remaining, month_required, col_weights, unit)
            raised = original
            if increment:
                forecasts = np.array([_forecast_sum(shape_series.get((dim, str(s))), unit) or 0
                                      for s in segments], dtype=float)
                claim = _segment_claims(carry_forward, seg_remaining, original.sum(axis=1), forecasts)
                rows = split_total(increment, _weights(claim if claim.sum() > 0 else annual_s),
                                   unit=unit).to_numpy(dtype=np.int64)
                raised = original + _spread_increment(seed, rows, month_increment, col_weights, unit)
        target = {"keep_annual": required, "hold_annual": original}.get(carry_forward, raised)
        parts.append(_respread_rows(dim, segments, open_months, original, required, target))
    out = pd.concat(parts, ignore_index=True)
    if reps is not None:
        out = pd.concat([out, _respread_to_reps(out, reps, plan, carry_forward, unit, where)],
                        ignore_index=True)
    out = _sort_long(out)[_RESPREAD_COLUMNS]
    out.attrs.update({
        "as_of": asof, "carry_forward": carry_forward, "annual_target": annual,
        "actual_closed": actual_total, "remaining": remaining, "open_months": len(open_months),
        "shape": "reforecast" if shape_total is not None else "plan", "plan_year": year,
        "policy": carry_forward, "forecast_open": forecast_total,
        "year_total": actual_total + int(out.loc[out[DIMENSION] == (TOTAL if (out[DIMENSION] == TOTAL).any()
                                                                     else MONTH), TARGET].sum()),
    })
    return out


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


def _in_seat(hire: pd.Timestamp | None, leave: pd.Timestamp | None, month: pd.Timestamp) -> float:
    """Share of the month's days between hire and leave dates (both inclusive)."""
    end = _month_end(month)
    first = month if hire is None or hire <= month else hire
    last = end if leave is None or leave >= end else leave
    if last < first:
        return 0.0
    return ((last - first).days + 1) / end.day


def respread_to_reps(
    respread: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    targets_long: pd.DataFrame,
    carry_forward: CarryForward = "carry_shortfall",
    unit: int = 1,
) -> pd.DataFrame:
    """Split each region's re-spread month targets over the reps in seat, by capacity.

    In each open month a rep keeps their original target times their share of the
    month's days in seat (a rep who left keeps nothing after leaving); what the region
    needs beyond what its reps keep -- the region's shortfall or surplus, and the share of
    reps who left -- goes to the region's reps in seat that month in proportion to
    ``capacity x share of days in seat`` (largest remainder). A region with nobody in seat
    gives its month to a ``"(vacant)"`` row. So each region's reps add up to the region's
    month target exactly. ``required`` uses the region's required amounts; ``target`` the
    same rule applied to the region's ``target`` column (its re-plan policy; without that
    column ``required``, or the originals for ``hold_annual``: only leavers' targets move).

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (its ``region`` rows are used).
    reps : DataFrame
        ``rep, region`` and optionally ``hire_date, leave_date`` (NaT = none) and
        ``capacity`` (default 1).
    targets_long : DataFrame
        The annual plan (its ``rep`` rows give the originals; absent reps have 0).
    carry_forward : {"carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"}
        The re-plan policy (used only when ``respread`` lacks a ``target`` column).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``dimension`` (``"rep"``), ``segment, month, original, required, target, change``
        for every rep of the side table in a region with targets and every rep of the
        plan, over the open months.
    """
    where = "respread_to_reps"
    _check_choice(carry_forward, "carry_forward", POLICIES, where)
    unit = _check_unit(unit, where)
    require_frame(respread, "respread", where, [DIMENSION, SEGMENT, MONTH, "original", "required"])
    return _respread_to_reps(respread, reps, _validate_targets(targets_long, where), carry_forward,
                             unit, where)


def _respread_to_reps(respread: pd.DataFrame, reps: pd.DataFrame, plan: pd.DataFrame,
                      carry_forward: str, unit: int, where: str) -> pd.DataFrame:
    """:func:`respread_to_reps` on a validated plan."""
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    regions = respread[respread[DIMENSION] == schema.REGION]
    if regions.empty:
        raise DataError(f"{where} needs region rows in the re-spread (the plan has no region "
                        f"targets to share among reps)", column=schema.REGION)
    reps_table = pd.DataFrame({schema.REP: reps[schema.REP].astype(str).to_numpy(dtype=object),
                               schema.REGION: reps[schema.REGION].astype(str).to_numpy(dtype=object)})
    dup = reps_table[schema.REP].duplicated()
    if dup.any():
        raise DataError(f"the 'reps' frame given to {where} repeats rep(s) "
                        f"{reps_table.loc[dup, schema.REP].unique()[:5].tolist()}", column=schema.REP)
    if schema.REP_CAPACITY in reps.columns:
        capacity = pd.to_numeric(reps[schema.REP_CAPACITY], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(capacity) | (capacity < 0)
        if bad.any():
            rows = np.flatnonzero(bad)[:5].tolist()
            raise DataError(f"the 'reps' frame given to {where} must hold non-negative numbers in "
                            f"'{schema.REP_CAPACITY}'; bad rows {rows}", column=schema.REP_CAPACITY, rows=rows)
    else:
        capacity = np.ones(len(reps_table))
    reps_table["capacity"] = capacity
    for col in (schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE):
        reps_table[col] = (pd.to_datetime(reps[col], errors="coerce").dt.normalize().to_numpy()
                           if col in reps.columns else pd.NaT)
    months = pd.DatetimeIndex(sorted(pd.to_datetime(regions[MONTH]).unique()))
    rep_names, rep_grid = _grid(plan[plan[DIMENSION] == schema.REP])
    rep_original = dict(zip(rep_names, rep_grid[:, months.month - 1]))
    k = len(months)
    zeros = np.zeros(k, dtype=np.int64)
    region_names, region_required = _grid(regions.assign(**{TARGET: regions["required"],
                                                            MONTH: pd.to_datetime(regions[MONTH])}))
    _, region_original = _grid(regions.assign(**{TARGET: regions["original"],
                                                 MONTH: pd.to_datetime(regions[MONTH])}))
    if TARGET in regions.columns:
        _, region_target = _grid(regions.assign(**{MONTH: pd.to_datetime(regions[MONTH])}))
    else:
        region_target = region_original if carry_forward == "hold_annual" else region_required
    region_required = region_required[:, months.month - 1]
    region_original = region_original[:, months.month - 1]
    region_target = region_target[:, months.month - 1]
    required: dict[str, np.ndarray] = {}
    target: dict[str, np.ndarray] = {}
    for g, region in enumerate(region_names):
        members = reps_table[reps_table[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        names = list(members[schema.REP])
        seat = np.array([[_in_seat(None if pd.isna(h) else pd.Timestamp(h),
                                   None if pd.isna(lv) else pd.Timestamp(lv), month) for month in months]
                         for h, lv in zip(members[schema.REP_HIRE_DATE], members[schema.REP_LEAVE_DATE])],
                        dtype=float).reshape(len(names), k)
        original = np.array([rep_original.get(name, zeros) for name in names], dtype=float).reshape(len(names), k)
        kept = (np.floor(original * seat / unit + 0.5) * unit).astype(np.int64)
        weight = members["capacity"].to_numpy(dtype=float)[:, None] * seat
        for out, need in ((required, region_required[g]), (target, region_target[g])):
            values, vacant = _share_pool(need, kept, weight, unit)
            for name, row in zip(names, values):
                out[name] = out.get(name, zeros) + row
            if vacant.any():
                out[VACANT_REP] = out.get(VACANT_REP, zeros) + vacant
    names = sorted(set(required) | set(rep_original))
    n = len(names)
    original = np.vstack([rep_original.get(name, zeros) for name in names]) if n else np.zeros((0, k), np.int64)
    req = np.vstack([required.get(name, zeros) for name in names]) if n else original
    tgt = np.vstack([target.get(name, zeros) for name in names]) if n else original
    out = _respread_rows(schema.REP, np.asarray(names, dtype=object), months, original, req, tgt)
    out[TARGET] = tgt.ravel().astype(np.int64)
    out["change"] = (out[TARGET] - out["original"]).astype(np.int64)
    return _sort_long(out)


def _share_pool(need: np.ndarray, kept: np.ndarray, weight: np.ndarray, unit: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Kept amounts plus each month's pool (need - kept) split by weight; pool of an empty month to vacant."""
    values = kept.copy()
    vacant = np.zeros(len(need), dtype=np.int64)
    for j in range(len(need)):
        pool = int(need[j]) - int(kept[:, j].sum())
        if pool == 0:
            continue
        if weight[:, j].sum() > 0:
            values[:, j] += split_total(pool, weight[:, j], unit=unit).to_numpy(dtype=np.int64)
        else:
            vacant[j] = pool
    return values, vacant


def summarize_respread(respread: pd.DataFrame) -> str:
    """One-line takeaway of :func:`respread_remaining`.

    Returns
    -------
    str
        e.g. ``"To reach the annual 12.0M, the 8 open months need 1.1M a month on average
        (+6.5% on the original plan); carry_shortfall re-spreads the gap into the targets."``
    """
    total = respread[respread[DIMENSION] == TOTAL]
    if total.empty:
        total = respread[respread[DIMENSION] == MONTH]
    if total.empty:
        return "No open month left to re-spread."
    n = len(total)
    required, original = float(total["required"].sum()), float(total["original"].sum())
    annual = respread.attrs.get("annual_target")
    head = f"To reach the annual {fmt_money(annual)}, the" if annual is not None else "The"
    text = (f"{head} {n} open month{'s' if n > 1 else ''} need {fmt_money(required / n)} a month on "
            f"average")
    if original > 0:
        text += f" ({fmt_pct(required / original - 1, signed=True)} on the original plan)"
    rule = respread.attrs.get("carry_forward")
    target = float(total[TARGET].sum())
    if rule == "keep_annual":
        text += "; keep_annual puts that into the targets"
    elif rule == "hold_annual":
        text += "; hold_annual keeps the original monthly targets"
    elif rule in ("carry_shortfall", "raise_to_forecast"):
        what = "carries the shortfall and keeps any lead" if rule == "carry_shortfall" else \
            "keeps any lead and raises the targets to the re-forecast where it is higher"
        text += f"; {rule} {what}: {fmt_money(target / n)} a month"
        if original > 0:
            text += f" ({fmt_pct(target / original - 1, signed=True)})"
    year_total = respread.attrs.get("year_total")
    if rule != "hold_annual" and year_total is not None and annual:
        text += (f", the re-planned year {fmt_money(year_total)} "
                 f"({fmt_pct(year_total / annual - 1, signed=True)} on the annual target)")
    return text + "."


def summarize_respread_by_segment(respread: pd.DataFrame) -> pd.DataFrame:
    """Before/after of the open months' targets per dimension and segment (what the re-plan moved).

    Returns
    -------
    DataFrame
        ``dimension, segment, before, after, change, change_pct`` (``before``/``after``
        the sums of ``original``/``target`` over the open months; ``change_pct`` NaN
        when ``before`` is 0), in the re-spread's dimension order.
    """
    require_frame(respread, "respread", "summarize_respread_by_segment",
                  [DIMENSION, SEGMENT, "original", TARGET], allow_empty=True)
    sums = (respread.groupby([DIMENSION, SEGMENT], sort=False, observed=True)[["original", TARGET]].sum()
            .reset_index().rename(columns={"original": "before", TARGET: "after"}))
    sums["before"] = sums["before"].astype(np.int64)
    sums["after"] = sums["after"].astype(np.int64)
    sums["change"] = (sums["after"] - sums["before"]).astype(np.int64)
    before = sums["before"].to_numpy(dtype=float)
    sums["change_pct"] = np.where(before != 0, sums["change"] / np.where(before != 0, before, 1), np.nan)
    return _as_text(sums, [DIMENSION, SEGMENT])


def replan_outlook(respread: pd.DataFrame, year_paths: pd.DataFrame | None = None) -> pd.DataFrame:
    """The re-planned year beside the re-forecast, and the chance of the annual target.

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (its ``attrs`` give the annual target and
        the closed months' actual).
    year_paths : DataFrame, optional
        Simulated totals of the open months, one column per series (``"Total"`` used),
        one row per path: the re-forecast's ``year_paths`` artifact, whose horizon starts
        at the first open month. Without it the probabilities are NaN.

    Returns
    -------
    DataFrame
        ``metric, value``: ``annual_target, actual_closed, original_open, replanned_open,
        replanned_year, forecast_open, forecast_year, forecast_year_p10,
        forecast_year_p90, p_annual_target, p_replanned_year`` (probabilities as shares
        of the paths reaching the year's figure).
    """
    where = "replan_outlook"
    attrs = respread.attrs
    for key in ("annual_target", "actual_closed"):
        if key not in attrs:
            raise DataError(f"the 'respread' given to {where} lacks attrs['{key}'] (pass the "
                            f"output of respread_remaining)", column=key)
    total = respread[respread[DIMENSION] == TOTAL] if (respread[DIMENSION] == TOTAL).any() else \
        respread[respread[DIMENSION] == MONTH]
    annual, actual = float(attrs["annual_target"]), float(attrs["actual_closed"])
    replanned_open = float(total[TARGET].sum())
    paths = None
    if year_paths is not None:
        if TOTAL_SEGMENT not in year_paths.columns:
            raise DataError(f"the 'year_paths' given to {where} lack a '{TOTAL_SEGMENT}' column",
                            column=TOTAL_SEGMENT)
        paths = actual + pd.to_numeric(year_paths[TOTAL_SEGMENT], errors="coerce").dropna().to_numpy(dtype=float)
    forecast_open = attrs.get("forecast_open")
    if forecast_open is None and paths is not None and len(paths):
        forecast_open = float(paths.mean() - actual)
    nan = float("nan")
    has = paths is not None and len(paths) > 0
    rows = {
        "annual_target": annual,
        "actual_closed": actual,
        "original_open": float(total["original"].sum()),
        "replanned_open": replanned_open,
        "replanned_year": actual + replanned_open,
        "forecast_open": nan if forecast_open is None else float(forecast_open),
        "forecast_year": nan if forecast_open is None else actual + float(forecast_open),
        "forecast_year_p10": float(np.quantile(paths, 0.1)) if has else nan,
        "forecast_year_p90": float(np.quantile(paths, 0.9)) if has else nan,
        "p_annual_target": float(np.mean(paths >= annual - 0.5)) if has else nan,
        "p_replanned_year": float(np.mean(paths >= actual + replanned_open - 0.5)) if has else nan,
    }
    return pd.DataFrame({"metric": list(rows), "value": list(rows.values())})


def summarize_replan_outlook(outlook: pd.DataFrame) -> str:
    """One line: the re-planned year against the annual target and the re-forecast, with chances."""
    v = outlook.set_index("metric")["value"]
    text = (f"Re-planned year {fmt_money(v['replanned_year'])} against the annual {fmt_money(v['annual_target'])} "
            f"({fmt_pct(v['replanned_year'] / v['annual_target'] - 1, signed=True)})")
    if np.isfinite(v["forecast_year"]):
        text += f"; the re-forecast year is {fmt_money(v['forecast_year'])}"
    if np.isfinite(v["p_annual_target"]):
        text += (f", {fmt_pct(v['p_annual_target'])} likely to reach the annual target and "
                 f"{fmt_pct(v['p_replanned_year'])} the re-planned year")
    return text + "."


# =========================================================================== 5-6. changes and diffs


def summarize_changes(respread: pd.DataFrame) -> pd.DataFrame:
    """Before/after table of every target the re-spread changes.

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (or :func:`respread_to_reps`).

    Returns
    -------
    DataFrame
        ``dimension, segment, month, before, after, change`` (int64) for the rows whose
        target changed, in the re-spread's order.
    """
    require_frame(respread, "respread", "summarize_changes",
                   [DIMENSION, SEGMENT, MONTH, "original", TARGET], allow_empty=True)
    changed = respread[respread[TARGET].to_numpy() != respread["original"].to_numpy()]
    out = pd.DataFrame({
        DIMENSION: changed[DIMENSION].to_numpy(dtype=object),
        SEGMENT: changed[SEGMENT].to_numpy(dtype=object),
        MONTH: changed[MONTH].to_numpy(),
        "before": changed["original"].to_numpy(dtype=np.int64),
        "after": changed[TARGET].to_numpy(dtype=np.int64),
    })
    out["change"] = (out["after"] - out["before"]).astype(np.int64)
    return _as_text(out, [DIMENSION, SEGMENT])


def apply_respread(targets_long: pd.DataFrame, respread: pd.DataFrame) -> pd.DataFrame:
    """The re-planned annual targets: the plan with the open months' re-spread targets.

    Parameters
    ----------
    targets_long : DataFrame
        The annual plan.
    respread : DataFrame
        Output of :func:`respread_remaining`.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, target`` in the plan's long form (closed months as
        planned, open months re-spread, rows for segments new to the plan added), sorted.
    """
    where = "apply_respread"
    plan = _validate_targets(targets_long, where)
    require_frame(respread, "respread", where, [DIMENSION, SEGMENT, MONTH, TARGET], allow_empty=True)
    new = pd.DataFrame({DIMENSION: respread[DIMENSION].astype(str).to_numpy(dtype=object),
                        SEGMENT: respread[SEGMENT].astype(str).to_numpy(dtype=object),
                        MONTH: pd.to_datetime(respread[MONTH]).to_numpy(),
                        TARGET: respread[TARGET].to_numpy(dtype=np.int64)})
    keys = [DIMENSION, SEGMENT, MONTH]
    kept = plan.merge(new[keys], on=keys, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    return _sort_long(pd.concat([kept, new], ignore_index=True))[[*keys, TARGET]]


def diff_targets(old_long: pd.DataFrame, new_long: pd.DataFrame) -> pd.DataFrame:
    """Rows where two plans' targets differ.

    Parameters
    ----------
    old_long, new_long : DataFrame
        Two plans in long form (``dimension, segment, month, target``), e.g. the targets
        of two plan packs.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, old, new, change, status`` for every row that
        differs: ``old``/``new`` nullable Int64 (missing on the side that lacks the row),
        ``change = new - old`` (int64, a missing side counted as 0), ``status`` one of
        ``changed, added, removed``; sorted by dimension, segment, month. Empty when the
        plans are identical.
    """
    where = "diff_targets"
    old = _validate_targets_lenient(old_long, where, "old_long")
    new = _validate_targets_lenient(new_long, where, "new_long")
    keys = [DIMENSION, SEGMENT, MONTH]
    both = old.rename(columns={TARGET: "old"}).merge(new.rename(columns={TARGET: "new"}),
                                                     on=keys, how="outer")
    both["old"] = both["old"].astype("Int64")
    both["new"] = both["new"].astype("Int64")
    differs = (both["old"].isna() | both["new"].isna()
               | (both["old"].fillna(0) != both["new"].fillna(0))).to_numpy(dtype=bool)
    out = both[differs].copy()
    out["change"] = (out["new"].fillna(0) - out["old"].fillna(0)).astype(np.int64)
    out["status"] = np.where(out["old"].isna(), "added",
                             np.where(out["new"].isna(), "removed", "changed")).astype(object)
    return _sort_long(out)[[*keys, "old", "new", "change", "status"]]


def _validate_targets_lenient(frame: object, where: str, name: str) -> pd.DataFrame:
    """Like ``_validate_targets`` but an empty plan is allowed (one side of a diff)."""
    require_frame(frame, name, where, [DIMENSION, SEGMENT, MONTH, TARGET], allow_empty=True)
    if frame.empty:  # type: ignore[union-attr]
        return pd.DataFrame({DIMENSION: pd.Series(dtype=object), SEGMENT: pd.Series(dtype=object),
                             MONTH: pd.Series(dtype="datetime64[ns]"), TARGET: pd.Series(dtype="int64")})
    return _validate_targets(frame, where, name)


def summarize_plan_diff(diff: pd.DataFrame) -> str:
    """One-line takeaway of :func:`diff_targets`.

    Returns
    -------
    str
        e.g. ``"12 targets differ in 2 dimensions (region, rep), net +0; largest: region
        East 2025-06 +50K."`` or ``"The two plans are identical."``
    """
    if diff.empty:
        return "The two plans are identical."
    dims = [d for d in DIMENSIONS if d in set(diff[DIMENSION])]
    biggest = diff.loc[diff["change"].abs().idxmax()]
    net = int(diff.loc[diff[DIMENSION] == TOTAL, "change"].sum())
    text = (f"{len(diff)} target{'s' if len(diff) > 1 else ''} differ in {len(dims)} "
            f"dimension{'s' if len(dims) > 1 else ''} ({', '.join(dims)})")
    if TOTAL in dims:
        text += f", total {'+' if net >= 0 else '-'}{fmt_money(abs(net))}"
    sign = "+" if biggest["change"] >= 0 else "-"
    text += (f"; largest: {biggest[DIMENSION].replace('_', ' ')} {biggest[SEGMENT]} "
             f"{pd.Timestamp(biggest[MONTH]):%Y-%m} {sign}{fmt_money(abs(biggest['change']))}")
    return text + "."


def summarize_target_changes(changes: pd.DataFrame) -> str:
    """How many targets the re-spread changed and the three largest rises (one line)."""
    if changes.empty:
        return "No target changed: no open month left to re-spread."
    top = changes.sort_values("change", ascending=False, kind="mergesort").head(3)
    rises = "; ".join(f"{r.dimension} {r.segment} {r.month:%b} {r.change:+,.0f}" for r in top.itertuples())
    return f"{len(changes)} targets changed; largest rises: {rises}."


def respread_by_month(respread: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The re-spread as month x dimension totals, and a line saying whether every dimension adds up."""
    if respread.empty:
        return "The plan year is closed: nothing left to re-spread.", pd.DataFrame()
    table = respread.pivot_table(index=MONTH, columns=DIMENSION, values="target", aggfunc="sum")
    exact = bool(table.eq(table[TOTAL], axis=0).all().all())
    text = (f"Re-spread remaining target {table[TOTAL].sum():,.0f} over {len(table)} open months; "
            f"every dimension adds up to the month totals exactly: {exact}.")
    return text, table
