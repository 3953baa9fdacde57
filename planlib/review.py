"""Review of the past year (复盘): headline KPIs, breakdowns, reps and seasonality.

Pure functions of the canonical order-line frame; customer structure lives in
``planlib.customers`` and ABC classes in ``planlib.abc_analysis``. Each table has a
``summarize_*`` function turning its numbers into a one-line takeaway.

Conventions shared by the whole review stage:

- The review window is the calendar year ``year`` up to ``as_of`` (inclusive); when
  the year is partial it is compared with the same dates of the year before
  (year-to-date). ``resolve_window`` is the one place that decides this.
- An *order* is an ``order_id`` whose net revenue over the whole history is positive
  (a credit note or a fully returned order is not an order); it falls in the period
  of its first line. *Active customers* are the distinct customers with an order in
  the period. Revenue is always the net sum of the lines dated in the period.
- Growth is ``current / previous - 1`` and is NaN (never inf) when the previous value
  is zero, negative or missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
import pandas as pd

from planlib.errors import DataError, ParamsError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import N_, _, fmt_month, fmt_quarter, header
from planlib.schema import (
    COST,
    CUSTOMER_ID,
    ORDER_DATE,
    LAUNCH_DATE,
    ORDER_ID,
    REGION,
    REP,
    REP_CAPACITY,
    REP_HIRE_DATE,
    REP_LEAVE_DATE,
    REVENUE,
    ROLE,
    SEGMENT_DIMENSIONS,
    STAGE,
)

# Label of a missing optional text value (the loader fills empty rep/channel with it;
# same text as planlib.data.MISSING_LABEL).
NONE_LABEL = "(none)"

# Quota table columns (as planlib.data.canonicalize_quotas writes them), or
# ``year`` + ``quarter`` instead of ``date`` for calendar-quarter quotas.
QUOTA = "quota"
QUOTA_DATE = "date"
QUOTA_YEAR = "year"
QUOTA_QUARTER = "quarter"

_DAY = pd.Timedelta(days=1)

Freq = Literal["month", "quarter"]
DateLike = str | dt.date | np.datetime64  # pd.Timestamp is a dt.date


# ---------------------------------------------------------------------------
# The review window
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewWindow:
    """The review period (``year`` up to ``as_of``) and its same-dates comparison a year earlier."""

    year: int
    as_of: pd.Timestamp
    data_start: pd.Timestamp

    @property
    def start(self) -> pd.Timestamp:
        """First day of the review period (Jan 1)."""
        return pd.Timestamp(self.year, 1, 1)

    @property
    def stop(self) -> pd.Timestamp:
        """Day after the last day of the review period (exclusive bound)."""
        return self.as_of + _DAY

    @property
    def partial(self) -> bool:
        """True when the review period ends before Dec 31 (year-to-date comparison)."""
        return self.as_of < pd.Timestamp(self.year, 12, 31)

    @property
    def previous(self) -> "ReviewWindow":
        """The same dates one year earlier."""
        return ReviewWindow(self.year - 1, self.as_of - pd.DateOffset(years=1), self.data_start)

    @property
    def label(self) -> str:
        """``"2024"`` or ``"2024 to 30 Jun"``."""
        if not self.partial:
            return str(self.year)
        return _("{year} to {day} {month}").format(year=self.year, day=self.as_of.day, month=fmt_month(self.as_of, with_year=False))

    @property
    def covered(self) -> bool:
        """True when the data covers the period from its start (see ``_covers``)."""
        return _covers(self.data_start, self.start)


# A first period whose data starts after its 7th day is partial (the data stage's rule).
_LATE_START_DAYS = 7


def _covers(data_start: pd.Timestamp, period_start: pd.Timestamp) -> bool:
    """True when data starting on ``data_start`` covers a period starting on ``period_start``."""
    return data_start < period_start + pd.Timedelta(days=_LATE_START_DAYS)


def infer_as_of(lines: pd.DataFrame) -> pd.Timestamp:
    """The last day of the last complete month in the order lines.

    A month is complete when the data reaches its last calendar day; otherwise the
    month before is the last complete one. (The data stage's months table applies a
    stricter volume check; pass its date as ``as_of`` to use it.)
    """
    _require(lines, (ORDER_DATE,), "infer_as_of")
    if lines.empty:
        raise DataError("infer_as_of: the order lines are empty", column=ORDER_DATE)
    last = pd.Timestamp(lines[ORDER_DATE].max()).normalize()
    month_end = last + pd.offsets.MonthEnd(0)
    return last if last == month_end else last.to_period("M").start_time - _DAY


def resolve_window(lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None) -> ReviewWindow:
    """Decide the review period and its comparison period.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    year : int, optional
        The review year; default the year of ``as_of``.
    as_of : date-like, optional
        Last day reviewed (inclusive); default the last day of the last complete
        month (``infer_as_of``), capped at Dec 31 of ``year``.

    Returns
    -------
    ReviewWindow
    """
    if year is not None and (not isinstance(year, (int, np.integer)) or isinstance(year, bool)):
        raise ParamsError(f"the 'year' parameter must be an int; got {year!r} instead", key="year")
    _require(lines, (ORDER_DATE,), "resolve_window")
    if lines.empty:
        raise DataError("resolve_window: the order lines are empty", column=ORDER_DATE)
    dates = lines[ORDER_DATE]
    first, last = pd.Timestamp(dates.min()).normalize(), pd.Timestamp(dates.max()).normalize()
    if as_of is None:
        inferred = infer_as_of(lines)
        if year is None:
            year = inferred.year
        cutoff = min(inferred, pd.Timestamp(year, 12, 31))
        if cutoff < pd.Timestamp(year, 1, 1):
            raise DataError(
                f"no complete month of {year} in the order lines (last order {last.date()}); "
                "pass as_of to review a partial month",
                column=ORDER_DATE,
            )
    else:
        cutoff = pd.Timestamp(as_of).normalize()
        if year is None:
            year = cutoff.year
        if cutoff.year < year:
            raise ParamsError(f"the 'as_of' parameter must fall in the review year {year}; got {cutoff.date()} instead", key="as_of")
        cutoff = min(cutoff, pd.Timestamp(year, 12, 31))
    window = ReviewWindow(int(year), cutoff, first)
    if first >= window.stop or last < window.start:
        raise DataError(
            f"no order lines in the review period {window.label} (the data covers {first.date()} to {last.date()})",
            column=ORDER_DATE,
        )
    return window


# ---------------------------------------------------------------------------
# Shared helpers of the review stage (used by planlib.customers and planlib.abc_analysis)
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# 1. Headline KPIs
# ---------------------------------------------------------------------------

_KPI_ORDER = ("revenue", "orders", "active_customers", "avg_order_value", "revenue_per_customer", "gross_profit", "gross_margin")
_COUNT_KPIS = ("revenue", "orders", "active_customers", "gross_profit")  # zero when nothing sold
_RATIO_KPIS = ("gross_margin",)  # compared by difference (points), not by growth


def _period_key(freq: Freq | None) -> Callable[[pd.Series], np.ndarray]:
    if freq is None:
        return lambda dates: np.zeros(len(dates), dtype=np.int64)
    if freq == "month":
        return lambda dates: dates.dt.month.to_numpy().astype(np.int64)
    if freq == "quarter":
        return lambda dates: dates.dt.quarter.to_numpy().astype(np.int64)
    raise ParamsError(f"the 'freq' parameter must be 'month' or 'quarter'; got {freq!r} instead", key="freq")


def _kpi_values(lines: pd.DataFrame, orders: pd.DataFrame, start, stop, key: Callable) -> pd.DataFrame:
    """KPIs of ``[start, stop)`` grouped by ``key(dates)`` (one row per key value)."""
    in_window = _mask(lines[ORDER_DATE], start, stop)
    dates = lines[ORDER_DATE][in_window]
    revenue = lines[REVENUE].to_numpy(dtype=float)[in_window]
    line_key = key(dates)
    columns = {"revenue": pd.Series(revenue).groupby(line_key).sum()}
    if COST in lines.columns:
        cost = lines[COST].to_numpy(dtype=float)[in_window]
        costed = ~np.isnan(cost)
        columns["_costed_revenue"] = pd.Series(np.where(costed, revenue, 0.0)).groupby(line_key).sum()
        columns["gross_profit"] = pd.Series(np.where(costed, revenue - np.where(costed, cost, 0.0), 0.0)).groupby(line_key).sum()
    window_orders = _window_orders(orders, start, stop)
    order_key = key(window_orders["date"])
    columns["orders"] = pd.Series(order_key).value_counts()
    known = window_orders["customer"].to_numpy() >= 0
    columns["active_customers"] = (
        pd.DataFrame({"k": order_key[known], "c": window_orders["customer"].to_numpy()[known]})
        .groupby("k")["c"].nunique()
    )
    table = pd.DataFrame(columns).fillna(0.0)
    table["avg_order_value"] = _ratio(table["revenue"], table["orders"])
    table["revenue_per_customer"] = _ratio(table["revenue"], table["active_customers"])
    if COST in lines.columns:
        table["gross_margin"] = np.where(table["_costed_revenue"] > 0, _ratio(table["gross_profit"], table["_costed_revenue"]), np.nan)
    return table[[c for c in _KPI_ORDER if c in table.columns]]


def compute_kpis(lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None) -> pd.DataFrame:
    """Headline KPIs of the review period against the same dates of the year before.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines (``cost`` optional).
    year : int, optional
        Review year (see ``resolve_window``).
    as_of : date-like, optional
        Last day reviewed; a partial year is compared year-to-date.

    Returns
    -------
    DataFrame
        One row per metric (``revenue, orders, active_customers, avg_order_value,
        revenue_per_customer`` and, with cost, ``gross_profit, gross_margin``) with
        columns ``metric, current, previous, change, growth, period, previous_period``.
        ``change`` is the difference (points for ``gross_margin``, whose ``growth`` is
        NaN); ``previous`` is NaN when the data starts after the first week of the
        comparison period (a partly covered year would fake the growth).
    """
    _require(lines, (ORDER_DATE, ORDER_ID, CUSTOMER_ID, REVENUE), "compute_kpis")
    window = resolve_window(lines, year=year, as_of=as_of)
    orders = _order_table(lines)
    key = _period_key(None)
    counts = {c: 0.0 for c in _COUNT_KPIS}
    current = _kpi_values(lines, orders, window.start, window.stop, key).reindex([0]).fillna(counts).iloc[0]
    prev_window = window.previous
    previous = _kpi_values(lines, orders, prev_window.start, prev_window.stop, key).reindex([0]).fillna(counts).iloc[0]
    if not prev_window.covered:  # a comparison year the data only partly covers is not compared
        previous[:] = np.nan
    table = pd.DataFrame({"metric": current.index, "current": current.to_numpy(), "previous": previous.to_numpy()})
    table["change"] = table["current"] - table["previous"]
    table["growth"] = _growth(table["current"], table["previous"])
    table.loc[table["metric"].isin(_RATIO_KPIS), "growth"] = np.nan
    table["period"] = window.label
    table["previous_period"] = prev_window.label
    return table.reset_index(drop=True)


def compute_kpis_by_period(
    lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None, freq: Freq = "month"
) -> pd.DataFrame:
    """KPIs of each month (or quarter) of the review year next to the same period a year earlier.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    year : int, optional
        Review year.
    as_of : date-like, optional
        Last day reviewed; periods after it have NaN current values.
    freq : {"month", "quarter"}, default "month"

    Returns
    -------
    DataFrame
        One row per period (12 or 4) with ``year, month|quarter, label`` and, for each
        KPI of ``compute_kpis``, ``<kpi>, <kpi>_previous, <kpi>_growth`` (margin:
        ``gross_margin_change``), plus ``revenue_cumulative`` and
        ``revenue_previous_cumulative``. The period holding ``as_of`` is compared with
        the same days a year earlier; later previous-year periods are shown in full
        (for the overlay chart). Periods the data does not cover from their first week
        are NaN.
    """
    _require(lines, (ORDER_DATE, ORDER_ID, CUSTOMER_ID, REVENUE), "compute_kpis_by_period")
    window = resolve_window(lines, year=year, as_of=as_of)
    key = _period_key(freq)
    periods = np.arange(1, 13 if freq == "month" else 5)
    orders = _order_table(lines)

    current = _kpi_values(lines, orders, window.start, window.stop, key).reindex(periods)
    prev = window.previous
    prev_year_end = pd.Timestamp(prev.year + 1, 1, 1)
    as_of_period = _period_of(window.as_of, freq)
    next_start = _period_start(prev.year, as_of_period + 1, freq) if as_of_period < periods[-1] else prev_year_end
    previous = pd.concat(
        [
            _kpi_values(lines, orders, prev.start, prev.stop, key),
            _kpi_values(lines, orders, next_start, prev_year_end, key),
        ]
    )
    previous = previous[~previous.index.duplicated(keep="first")].reindex(periods)

    def _fill(table: pd.DataFrame, year_: int, last_period: int) -> pd.DataFrame:
        starts = [_period_start(year_, p, freq) for p in periods]
        observed = np.array([_covers(window.data_start, s) and p <= last_period for p, s in zip(periods, starts)])
        counts = [c for c in _COUNT_KPIS if c in table.columns]
        table = table.copy()
        table.loc[observed, counts] = table.loc[observed, counts].fillna(0.0)
        table.loc[~observed, :] = np.nan
        return table

    current = _fill(current, window.year, as_of_period)
    previous = _fill(previous, prev.year, periods[-1])
    out = pd.DataFrame({"year": window.year, freq: periods})
    out["label"] = [fmt_month(f"2000-{p:02d}-01", with_year=False) for p in periods] if freq == "month" else [fmt_quarter(p) for p in periods]
    for kpi in current.columns:
        out[kpi] = current[kpi].to_numpy()
        out[f"{kpi}_previous"] = previous[kpi].to_numpy()
        if kpi in _RATIO_KPIS:
            out[f"{kpi}_change"] = out[kpi] - out[f"{kpi}_previous"]
        else:
            out[f"{kpi}_growth"] = _growth(out[kpi], out[f"{kpi}_previous"])
    out["revenue_cumulative"] = out["revenue"].cumsum()
    out["revenue_previous_cumulative"] = out["revenue_previous"].cumsum()
    return out


def _period_of(date: pd.Timestamp, freq: Freq) -> int:
    return date.month if freq == "month" else date.quarter


def _period_start(year: int, period: int, freq: Freq) -> pd.Timestamp:
    return pd.Timestamp(year, period, 1) if freq == "month" else pd.Timestamp(year, 3 * period - 2, 1)


def summarize_kpis(kpis: pd.DataFrame, breakdown: pd.DataFrame | None = None) -> str:
    """One-line takeaway of ``compute_kpis`` (optionally naming the top growth carrier of a ``break_down`` table).

    Returns
    -------
    str
        e.g. ``"Revenue 12.3M, +8.1% on 2023 (orders +3.0%, active customers -2.1%,
        average order value +11.2%); gross margin 32.1% (+1.2 pts); East China carried
        41% of the growth."``
    """
    values = kpis.set_index("metric")
    revenue = values.loc["revenue"]
    period, previous_period = kpis["period"].iloc[0], kpis["previous_period"].iloc[0]
    if np.isfinite(revenue["growth"]):
        text = _("Revenue {revenue} in {period}, {growth} on {previous}").format(
            revenue=fmt_money(revenue["current"]), period=period, growth=fmt_pct(revenue["growth"], signed=True), previous=previous_period)
    else:
        text = _("Revenue {revenue} in {period}").format(revenue=fmt_money(revenue["current"]), period=period)
    parts = []
    for metric, name in (("orders", N_("orders")), ("active_customers", N_("active customers")), ("avg_order_value", N_("average order value"))):
        if metric in values.index and np.isfinite(values.loc[metric, "growth"]):
            parts.append(_("{name} {growth}").format(name=_(name), growth=fmt_pct(values.loc[metric, "growth"], signed=True)))
    if parts:
        text += _(" ({growth})").format(growth=_(", ").join(parts))
    if "gross_margin" in values.index and np.isfinite(values.loc["gross_margin", "current"]):
        text += _("; gross margin {margin}").format(margin=fmt_pct(values.loc["gross_margin", "current"]))
        if np.isfinite(values.loc["gross_margin", "change"]):
            text += _(" ({points} pts)").format(points=f"{values.loc['gross_margin', 'change'] * 100:+.1f}")
    if breakdown is not None and not breakdown.empty and "growth_share" in breakdown.columns:
        carrier = _top_carrier(breakdown)
        if carrier is not None:
            text += _("; {clause}").format(clause=carrier)
    return text + _(".")


def summarize_kpis_by_period(periods: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_kpis_by_period``: best and weakest period, how many grew."""
    done = periods[periods["revenue"].notna()]
    if done.empty:
        return _("No period of the review year in the data yet.")
    unit = "month" if "month" in periods.columns else "quarter"
    best = done.loc[done["revenue"].idxmax()]
    worst = done.loc[done["revenue"].idxmin()]
    year = int(periods["year"].iloc[0])
    if np.isfinite(best["revenue_growth"]):
        text = (_("Best month {best} ({revenue}, {growth} on {previous}), weakest {worst} ({worst_revenue})") if unit == "month" else
                _("Best quarter {best} ({revenue}, {growth} on {previous}), weakest {worst} ({worst_revenue})"))
    else:
        text = (_("Best month {best} ({revenue}), weakest {worst} ({worst_revenue})") if unit == "month" else
                _("Best quarter {best} ({revenue}), weakest {worst} ({worst_revenue})"))
    text = text.format(best=best["label"], revenue=fmt_money(best["revenue"]), growth=fmt_pct(best["revenue_growth"], signed=True, digits=0),
                       previous=year - 1, worst=worst["label"], worst_revenue=fmt_money(worst["revenue"]))
    compared = done[np.isfinite(done["revenue_growth"])]
    if len(compared):
        many = len(compared) > 1
        text += (_("; {grew} of {count} months grew on {previous}") if unit == "month" and many else
                 _("; {grew} of {count} month grew on {previous}") if unit == "month" else
                 _("; {grew} of {count} quarters grew on {previous}") if many else
                 _("; {grew} of {count} quarter grew on {previous}")).format(
            grew=int((compared["revenue_growth"] > 0).sum()), count=len(compared), previous=year - 1)
    return text + _(".")


def _top_carrier(breakdown: pd.DataFrame) -> str | None:
    """``"East China carried 41% of the growth"`` (or of the decline)."""
    total_change = breakdown["change"].sum()
    if not np.isfinite(total_change) or total_change == 0:
        return None
    by = breakdown.columns[0]
    row = breakdown.loc[(breakdown["change"] * np.sign(total_change)).idxmax()]
    text = _("{name} carried {share} of the growth") if total_change > 0 else _("{name} carried {share} of the decline")
    return text.format(name=row[by], share=fmt_pct(row["growth_share"], digits=0))


# ---------------------------------------------------------------------------
# 2. Breakdowns by product line, region, channel, rep (or a side-table attribute)
# ---------------------------------------------------------------------------


def break_down(
    lines: pd.DataFrame,
    *,
    by: str,
    year: int | None = None,
    as_of: DateLike | None = None,
    side_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Revenue, share, growth, margin and contribution to growth of each value of a dimension.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    by : str
        A dimension column of ``lines`` (``product_line``, ``region``, ``channel``,
        ``rep``, ``product``...) or a column of ``side_table`` (``role``, ``stage``),
        in which case the lines are grouped by that attribute.
    year, as_of
        Review period (see ``resolve_window``).
    side_table : DataFrame, optional
        A side table keyed by one dimension column (product_lines, regions, channels,
        reps); its descriptive columns (``role, stage, launch_date, region, hire_date,
        leave_date, capacity``, whichever it has) are joined in, e.g. ``role`` next to
        each product line. Dimension values missing from it show ``(none)``.

    Returns
    -------
    DataFrame
        One row per value seen in either period, largest revenue first: ``<by>``, the
        side-table columns, ``revenue, revenue_previous, change, growth, share,
        share_previous, share_change, contribution, growth_share`` and, with cost,
        ``gross_profit, gross_margin, gross_margin_previous``. ``contribution`` is the
        change over last year's total revenue, so it sums to the total growth;
        ``growth_share`` is the change over the total change ("carried 41% of the
        growth"); ``growth`` is NaN for a value with no sales last year. All previous-year
        columns are NaN when the data does not cover the comparison year from its first week.
    """
    _require(lines, (ORDER_DATE, REVENUE), "break_down")
    key, attribute = _breakdown_key(lines, by, side_table)
    window = resolve_window(lines, year=year, as_of=as_of)
    prev = window.previous
    current = _sum_by(lines, key, window.start, window.stop)
    previous = _sum_by(lines, key, prev.start, prev.stop)
    table = current.join(previous.add_suffix("_previous"), how="outer").fillna(0.0)
    table.index = _labels(table.index)
    table = table.groupby(level=0).sum()  # "(none)" from NaN and from the loader's label
    side = None
    if side_table is not None:
        side = side_table.copy()
        side[key] = _labels(pd.Index(side[key])).to_numpy()
        side = side.set_index(key)
    if attribute is not None:
        groups = _labels(pd.Index(table.index.map(side[attribute]))) if side is not None else table.index
        table = table.groupby(groups).sum()
    table.index.name = by

    if not prev.covered:  # a comparison year the data only partly covers is not compared
        table[[c for c in table.columns if c.endswith("_previous")]] = np.nan
    total, total_prev = table["revenue"].sum(), table["revenue_previous"].sum(min_count=1)
    out = pd.DataFrame(index=table.index)
    out["revenue"] = table["revenue"]
    out["revenue_previous"] = table["revenue_previous"]
    out["change"] = out["revenue"] - out["revenue_previous"]
    out["growth"] = _growth(out["revenue"], out["revenue_previous"])
    out["share"] = _ratio(out["revenue"], total)
    out["share_previous"] = _ratio(out["revenue_previous"], total_prev) if total_prev != 0 else np.nan
    out["share_change"] = out["share"] - out["share_previous"]
    out["contribution"] = out["change"] / total_prev if total_prev > 0 else np.nan
    total_change = out["change"].sum(min_count=1)
    out["growth_share"] = out["change"] / total_change if total_change != 0 else np.nan
    if "gross_profit" in table.columns:
        out["gross_profit"] = table["gross_profit"]
        out["gross_margin"] = np.where(table["costed"] > 0, _ratio(table["gross_profit"], table["costed"]), np.nan)
        out["gross_margin_previous"] = np.where(
            table["costed_previous"] > 0, _ratio(table["gross_profit_previous"], table["costed_previous"]), np.nan
        )
    out = out.reset_index()
    if side is not None and attribute is None:
        extra = side[[c for c in _SIDE_ATTRIBUTES if c in side.columns and c not in out.columns]]
        out = out.merge(extra, left_on=by, right_index=True, how="left")
        out = out[[by, *extra.columns, *[c for c in out.columns if c != by and c not in extra.columns]]]
        for column in extra.columns:
            if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
                out[column] = out[column].fillna(NONE_LABEL)
    out = out.sort_values(["revenue", by], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out


_SIDE_ATTRIBUTES = (ROLE, STAGE, LAUNCH_DATE, REGION, REP_HIRE_DATE, REP_LEAVE_DATE, REP_CAPACITY)


def _breakdown_key(lines: pd.DataFrame, by: str, side_table: pd.DataFrame | None) -> tuple[str, str | None]:
    """The line column to group on and, when ``by`` is a side-table attribute, that attribute."""
    if side_table is not None:
        keys = [c for c in side_table.columns if c in lines.columns and c in (*SEGMENT_DIMENSIONS, "product")]
        if not keys:
            raise DataError(
                f"break_down: the side table needs one of the columns {', '.join(SEGMENT_DIMENSIONS)}; "
                f"it has {', '.join(map(str, side_table.columns))}",
                column=by,
            )
        key = by if by in keys else keys[0]
        if side_table[key].duplicated().any():
            dupes = side_table.loc[side_table[key].duplicated(), key].astype(str).unique()[:5]
            raise DataError(f"break_down: the side table lists {key} more than once: {', '.join(dupes)}", column=key)
        if by in lines.columns:
            return by, None
        if by in side_table.columns:
            return key, by
    if by not in lines.columns:
        raise DataError(
            f"break_down: 'by' must be a column of the order lines or of the side table; got '{by}'", column=by
        )
    return by, None


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


def summarize_breakdown(table: pd.DataFrame) -> str:
    """One-line takeaway of ``break_down``: the largest value, the fastest grower and the growth carrier."""
    if table.empty:
        return _("No sales in either period.")
    by = table.columns[0]
    name = header(by)
    top = table.iloc[0]
    text = _("{top} is the largest {name} with {share} of revenue").format(top=top[by], name=name, share=fmt_pct(top["share"], digits=0))
    if np.isfinite(top["share_change"]):
        text += _(" ({points} pts)").format(points=f"{top['share_change'] * 100:+.1f}")
    growing = table[np.isfinite(table["growth"]) & (table["revenue_previous"] > 0.01 * table["revenue_previous"].sum())]
    if len(growing) > 1:
        fastest = growing.loc[growing["growth"].idxmax()]
        text += _("; fastest growth {name} {growth}").format(name=fastest[by], growth=fmt_pct(fastest["growth"], signed=True, digits=0))
    fresh = table[(table["revenue_previous"] == 0) & (table["revenue"] > 0)]
    if len(fresh):
        text += (_("; {count} {name}s without sales last year ({revenue})") if len(fresh) > 1 else
                 _("; {count} {name} without sales last year ({revenue})")).format(count=len(fresh), name=name, revenue=fmt_money(fresh["revenue"].sum()))
    carrier = _top_carrier(table)
    if carrier is not None:
        text += _("; {clause}").format(clause=carrier)
    return text + _(".")


# ---------------------------------------------------------------------------
# 5. Rep productivity, ramp and quota attainment
# ---------------------------------------------------------------------------


def _month_number(dates) -> np.ndarray:
    """Months since year 0 (``year * 12 + month - 1``) of a datetime Series/Index/array."""
    dates = pd.DatetimeIndex(dates)
    return (dates.year * 12 + dates.month - 1).to_numpy().astype(float)


_LEFT_AFTER_DAYS = 90


def _month_start(numbers: pd.Series) -> pd.Series:
    """First day of each month number of ``_month_number``."""
    numbers = numbers.astype("int64")
    parts = pd.DataFrame({"year": numbers // 12, "month": numbers % 12 + 1, "day": 1})
    return pd.to_datetime(parts) if len(parts) else pd.Series(dtype="datetime64[ns]")


def _rep_spans(lines: pd.DataFrame, reps: pd.DataFrame | None) -> pd.DataFrame:
    """Per rep: hire and leave dates (side table first, else first/last sale), region, capacity."""
    frame = lines.loc[_known(lines[REP]), [REP, ORDER_DATE]]
    spans = frame.groupby(REP, observed=True)[ORDER_DATE].agg(first_sale="min", last_sale="max")
    spans.index = _labels(spans.index)
    # without a reps table: hired at the first sale, left at the last sale if that is
    # more than 90 days before the data ends (the data stage's rule for its reps table)
    data_end = pd.Timestamp(lines[ORDER_DATE].max())
    spans[REP_HIRE_DATE] = spans["first_sale"]
    spans[REP_LEAVE_DATE] = spans["last_sale"].where(spans["last_sale"] < data_end - pd.Timedelta(days=_LEFT_AFTER_DAYS))
    if reps is not None:
        if REP not in reps.columns:
            raise DataError(f"the reps table needs column '{REP}'; it has {', '.join(map(str, reps.columns))}", column=REP)
        table = reps.set_index(_labels(pd.Index(reps[REP])))
        table = table[~table.index.duplicated(keep="first")]
        spans = spans.join(table[[c for c in (REGION, REP_CAPACITY) if c in table.columns]], how="outer")
        listed = spans.index.isin(table.index)
        if REP_HIRE_DATE in table.columns:
            hire = pd.to_datetime(table[REP_HIRE_DATE]).reindex(spans.index)
            spans[REP_HIRE_DATE] = hire.fillna(spans[REP_HIRE_DATE])
        if REP_LEAVE_DATE in table.columns:
            leave = pd.to_datetime(table[REP_LEAVE_DATE]).reindex(spans.index)
            spans[REP_LEAVE_DATE] = leave.where(listed, spans[REP_LEAVE_DATE])
    spans.index.name = REP
    return spans


def _active_months(spans: pd.DataFrame, window: ReviewWindow) -> np.ndarray:
    """Calendar months of the window in which each rep was employed (hire..leave, open-ended if no leave)."""
    first = np.maximum(_month_number(spans[REP_HIRE_DATE]), _month_number([window.start])[0])
    leave = _month_number(spans[REP_LEAVE_DATE])
    last = np.fmin(np.where(np.isnan(leave), np.inf, leave), _month_number([window.as_of])[0])
    return np.clip(last - first + 1, 0, None)


def compute_rep_productivity(
    lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None, reps: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Revenue per rep and per active month, against the year before.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines with ``rep``; lines without a rep (``(none)``) are left out.
    year, as_of
        Review period.
    reps : DataFrame, optional
        Reps side table (``rep, region, hire_date, leave_date, capacity``); without it
        (or for a rep it does not list) a rep is hired at the first sale and left at the
        last one when that is more than 90 days before the data ends.

    Returns
    -------
    DataFrame
        One row per rep with sales or employment in the period, largest revenue first:
        ``rep``, side-table columns, ``hire_date, leave_date, new_hire, revenue,
        revenue_previous, growth, share, orders, customers, avg_order_value,
        active_months, revenue_per_month, vs_median`` (revenue per month over the median
        rep's).
    """
    _require(lines, (ORDER_DATE, ORDER_ID, CUSTOMER_ID, REVENUE, REP), "compute_rep_productivity")
    window = resolve_window(lines, year=year, as_of=as_of)
    spans = _rep_spans(lines, reps)
    prev = window.previous
    current = _sum_by(lines, REP, window.start, window.stop)["revenue"].rename("revenue")
    previous = _sum_by(lines, REP, prev.start, prev.stop)["revenue"].rename("revenue_previous")
    current.index, previous.index = _labels(current.index), _labels(previous.index)

    orders = _order_table(lines)
    real = _window_orders(orders, window.start, window.stop).index.to_numpy()
    order_codes = _codes(lines[ORDER_ID])
    is_real = np.zeros(max(int(order_codes.max()), 0) + 1, dtype=bool)
    is_real[real] = True
    pick = (order_codes >= 0) & is_real[np.maximum(order_codes, 0)] & _mask(lines[ORDER_DATE], window.start, window.stop)
    counted = pd.DataFrame(
        {"rep": lines[REP].array[pick], "order": order_codes[pick], "customer": _codes(lines[CUSTOMER_ID])[pick]}
    ).groupby("rep", observed=True).agg(orders=("order", "nunique"), customers=("customer", "nunique"))
    counted.index = _labels(counted.index)

    table = spans.join(current, how="left").join(previous, how="left").join(counted, how="left")
    table = table.drop(index=NONE_LABEL, errors="ignore")
    counts = ["revenue", "revenue_previous", "orders", "customers"]
    table[counts] = table[counts].fillna(0.0)
    if not prev.covered:
        table["revenue_previous"] = np.nan
    table["active_months"] = _active_months(table, window)
    hire = table[REP_HIRE_DATE]
    table["new_hire"] = ((hire >= window.start) & (hire < window.stop)).to_numpy()
    table = table[(table["revenue"] != 0) | (table["active_months"] > 0)]
    table["growth"] = _growth(table["revenue"], table["revenue_previous"])
    table["share"] = _ratio(table["revenue"], table["revenue"].sum())
    table["avg_order_value"] = _ratio(table["revenue"], table["orders"])
    table["revenue_per_month"] = _ratio(table["revenue"], table["active_months"])
    table["vs_median"] = _ratio(table["revenue_per_month"], np.nanmedian(table["revenue_per_month"]) if len(table) else np.nan)
    side = [c for c in table.columns if c not in _REP_COLUMNS and c not in ("first_sale", "last_sale")]
    out = table.reset_index()[[REP, *side, *_REP_COLUMNS]]
    return out.sort_values(["revenue", REP], ascending=[False, True], kind="stable").reset_index(drop=True)


_REP_COLUMNS = (
    REP_HIRE_DATE, REP_LEAVE_DATE, "new_hire", "revenue", "revenue_previous", "growth", "share", "orders",
    "customers", "avg_order_value", "active_months", "revenue_per_month", "vs_median",
)


def summarize_reps(productivity: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_rep_productivity``."""
    if productivity.empty:
        return _("No rep sales in the period.")
    per_month = productivity["revenue_per_month"]
    median = float(np.nanmedian(per_month))
    top = productivity.loc[per_month.idxmax()]
    low = int(((productivity["vs_median"] < 0.5) & (productivity["active_months"] > 0)).sum())
    text = _("{count} reps, median {median} per active month; top {top} {top_revenue} ({ratio}x the median)").format(
        count=len(productivity), median=fmt_money(median), top=top[REP], top_revenue=fmt_money(top["revenue_per_month"]),
        ratio=f"{top['vs_median']:.1f}")
    if low:
        text += _("; {count} below half the median").format(count=low)
    hires = int(productivity["new_hire"].sum())
    if hires:
        text += _("; {count} hired this year").format(count=hires)
    return text + _(".")


def compute_rep_ramp(
    lines: pd.DataFrame,
    *,
    year: int | None = None,
    as_of: DateLike | None = None,
    reps: pd.DataFrame | None = None,
    months: int = 12,
    tenure_months: int = 12,
) -> pd.DataFrame:
    """Monthly revenue of the reps hired in the review year by months since hire, against tenured reps.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines with ``rep``.
    year, as_of
        Review period; a rep is a new hire when hired in it.
    reps : DataFrame, optional
        Reps side table with ``hire_date`` (and ``leave_date``); without it the hire
        date is the rep's first sale.
    months : int, default 12
        Months since hire shown.
    tenure_months : int, default 12
        A rep hired at least this many months before the period start is *tenured*.

    Returns
    -------
    DataFrame
        ``rep, hire_date, months_since_hire`` (1 = the hire month), ``month`` (its
        first day), ``revenue`` (0 for a month without sales), ``tenured_average``
        (revenue per tenured rep per active month in the period) and ``ramp_ratio``
        (revenue / tenured_average). Empty when nobody was hired.
    """
    _require(lines, (ORDER_DATE, REVENUE, REP), "compute_rep_ramp")
    window = resolve_window(lines, year=year, as_of=as_of)
    spans = _rep_spans(lines, reps)
    hire = spans[REP_HIRE_DATE]
    hire_month = _month_number(hire)
    start_month = _month_number([window.start])[0]
    last_month = _month_number([window.as_of])[0]
    new = ((hire >= window.start) & (hire < window.stop)).to_numpy()
    tenured = hire_month <= start_month - tenure_months

    in_window = _mask(lines[ORDER_DATE], window.start, window.stop) & _known(lines[REP])
    frame = lines.loc[in_window, [REP, ORDER_DATE, REVENUE]]
    rep_month = frame.groupby([frame[REP], _month_number(frame[ORDER_DATE])], observed=True)[REVENUE].sum()
    rep_month.index = rep_month.index.set_levels(_labels(rep_month.index.levels[0]), level=0)
    active = _active_months(spans, window)
    tenured_revenue = rep_month[rep_month.index.get_level_values(0).isin(spans.index[tenured])].sum()
    tenured_average = float(_ratio(tenured_revenue, np.nansum(active[tenured])))

    rows = []
    leave_month = _month_number(spans[REP_LEAVE_DATE])
    for i in np.flatnonzero(new):  # one iteration per new hire, not per line
        rep = spans.index[i]
        end = min(last_month, leave_month[i]) if np.isfinite(leave_month[i]) else last_month
        count = int(min(months, end - hire_month[i] + 1))
        for k in range(1, count + 1):
            month = hire_month[i] + k - 1
            rows.append((rep, hire.iloc[i], k, month, float(rep_month.get((rep, month), 0.0))))
    out = pd.DataFrame(rows, columns=[REP, REP_HIRE_DATE, "months_since_hire", "month", "revenue"])
    out["month"] = _month_start(out["month"])
    out["months_since_hire"] = out["months_since_hire"].astype("int64")
    out["tenured_average"] = tenured_average
    out["ramp_ratio"] = _ratio(out["revenue"], out["tenured_average"])
    return out


def summarize_ramp(ramp: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_rep_ramp``: how far new hires got towards tenured productivity."""
    if ramp.empty:
        return _("No rep was hired in the period.")
    n = ramp[REP].nunique()
    text = (_("{count} reps hired in the period") if n > 1 else _("{count} rep hired in the period")).format(count=n)
    average = ramp["tenured_average"].iloc[0]
    if not np.isfinite(average) or average <= 0:
        return text + _(" sold {revenue} per month on average (no tenured reps to compare with).").format(revenue=fmt_money(ramp["revenue"].mean()))
    text += _(" sold {share} of the tenured monthly average ({average}) over their {months} months since hire").format(
        share=fmt_pct(ramp["revenue"].mean() / average, digits=0), average=fmt_money(average), months=len(ramp))
    reached = ramp.groupby(REP)["months_since_hire"].max()
    common = int(reached.min())
    if n > 1 and common >= 2:
        curve = ramp[ramp["months_since_hire"] <= common].groupby("months_since_hire")["ramp_ratio"].mean()
        text += _("; in month {month}, the last all of them reached, {share}").format(month=common, share=fmt_pct(curve.loc[common], digits=0))
    return text + _(".")


def compute_attainment(
    lines: pd.DataFrame, quotas: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None
) -> pd.DataFrame:
    """Revenue of each rep against quota, per quota period.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines with ``rep``.
    quotas : DataFrame
        ``rep, quota`` and either ``date`` (a period start, as the data stage writes
        it: a period runs to the next distinct start in the table, the last one for the
        median period length) or ``year, quarter`` (calendar quarters). Several rows
        for one rep and period are added up.
    year : int, optional
        Keep the periods whose middle falls in this year; default all periods.
    as_of : date-like, optional
        Ignore lines after it and periods starting after it; default the last order date.

    Returns
    -------
    DataFrame
        ``rep, period_start, period_end`` (inclusive), ``quota, revenue, attainment``
        (revenue / quota, NaN for a zero quota), ``gap`` (revenue - quota) and
        ``complete`` (the period ends on or before ``as_of``).
    """
    _require(lines, (ORDER_DATE, REVENUE, REP), "compute_attainment")
    for column in (REP, QUOTA):
        if column not in quotas.columns:
            raise DataError(f"the quota table needs column '{column}'; it has {', '.join(map(str, quotas.columns))}", column=column)
    if QUOTA_DATE in quotas.columns:
        starts_all = pd.to_datetime(quotas[QUOTA_DATE]).dt.normalize()
        starts = pd.DatetimeIndex(starts_all.unique()).sort_values()
        gap = pd.Series(starts).diff().median() if len(starts) > 1 else None
        ends = starts[1:].append(pd.DatetimeIndex([starts[-1] + gap if gap is not None else starts[-1] + pd.DateOffset(months=3)]))
    elif QUOTA_YEAR in quotas.columns and QUOTA_QUARTER in quotas.columns:
        starts_all = pd.to_datetime(
            {"year": quotas[QUOTA_YEAR].astype(int), "month": quotas[QUOTA_QUARTER].astype(int) * 3 - 2, "day": 1}
        )
        starts = pd.DatetimeIndex(starts_all.unique()).sort_values()
        ends = pd.DatetimeIndex([s + pd.DateOffset(months=3) for s in starts])
    else:
        raise DataError(
            f"the quota table needs a period: column '{QUOTA_DATE}' or columns '{QUOTA_YEAR}' and '{QUOTA_QUARTER}'; "
            f"it has {', '.join(map(str, quotas.columns))}",
            column=QUOTA_DATE,
        )
    cutoff = pd.Timestamp(as_of).normalize() if as_of is not None else pd.Timestamp(lines[ORDER_DATE].max()).normalize()
    period_of_quota = starts.get_indexer(starts_all)
    quota = (
        pd.DataFrame({REP: _labels(pd.Index(quotas[REP])), "period": period_of_quota, QUOTA: quotas[QUOTA].to_numpy(dtype=float)})
        .groupby([REP, "period"])[QUOTA].sum()
    )

    keep = _mask(lines[ORDER_DATE], starts[0], min(ends[-1], cutoff + _DAY))
    frame = lines.loc[keep, [REP, ORDER_DATE, REVENUE]]
    # half-open periods [start_i, end_i); a line in a gap between periods counts nowhere
    line_dates = frame[ORDER_DATE].to_numpy()
    position = np.searchsorted(starts.to_numpy(), line_dates, side="right") - 1
    inside = line_dates < ends.to_numpy()[position]
    revenue = (
        pd.DataFrame({REP: frame[REP].array[inside], "period": position[inside], REVENUE: frame[REVENUE].to_numpy()[inside]})
        .groupby([REP, "period"], observed=True)[REVENUE].sum()
    )
    revenue.index = revenue.index.set_levels(_labels(revenue.index.levels[0]), level=0)

    table = quota.to_frame().join(revenue.rename("revenue"), how="left").reset_index()
    table["revenue"] = table["revenue"].fillna(0.0)
    table["period_start"] = starts[table["period"].to_numpy()]
    table["period_end"] = ends[table["period"].to_numpy()] - _DAY
    table = table[table["period_start"] <= cutoff]
    if year is not None:
        middle = table["period_start"] + (table["period_end"] - table["period_start"]) / 2
        table = table[middle.dt.year == year]
    table["attainment"] = _ratio(table["revenue"], table[QUOTA])
    table["gap"] = table["revenue"] - table[QUOTA]
    table["complete"] = table["period_end"] <= cutoff
    out = table[[REP, "period_start", "period_end", QUOTA, "revenue", "attainment", "gap", "complete"]]
    return out.sort_values([REP, "period_start"], kind="stable").reset_index(drop=True)


def summarize_attainment(attainment: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_attainment`` (complete periods only)."""
    done = attainment[attainment["complete"] & np.isfinite(attainment["attainment"])]
    if done.empty:
        return _("No complete quota period to compare with.")
    q1, median, q3 = done["attainment"].quantile([0.25, 0.5, 0.75])
    met = (done["attainment"] >= 1.0).mean()
    total = _ratio(done["revenue"].sum(), done[QUOTA].sum())
    return _("Median attainment {median} per rep-period (IQR {q1}-{q3}, {count} rep-periods); {met} met quota; "
             "revenue was {total} of total quota.").format(
        median=fmt_pct(median, digits=0), q1=fmt_pct(q1, digits=0), q3=fmt_pct(q3, digits=0), count=len(done),
        met=fmt_pct(met, digits=0), total=fmt_pct(total, digits=0))


# ---------------------------------------------------------------------------
# 6. Seasonality
# ---------------------------------------------------------------------------


def compute_monthly_indices(lines: pd.DataFrame, *, as_of: DateLike | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """Monthly seasonal indices (month revenue / the year's average month) of each complete year.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    as_of : date-like, optional
        Last day of usable data; default ``infer_as_of``.
    years : list of int, optional
        Years to index; default every calendar year the data covers completely (the
        first year counts when the data starts in its first week).

    Returns
    -------
    DataFrame
        ``year, month, revenue, index`` (12 rows per year; index NaN when the year's
        revenue is not positive).
    """
    _require(lines, (ORDER_DATE, REVENUE), "compute_monthly_indices")
    cutoff = pd.Timestamp(as_of).normalize() if as_of is not None else infer_as_of(lines)
    first = pd.Timestamp(lines[ORDER_DATE].min()).normalize()
    first_year = first.year if _covers(first, pd.Timestamp(first.year, 1, 1)) else first.year + 1
    last_year = cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
    complete = list(range(first_year, last_year + 1))
    if years is None:
        years = complete
        if not years:
            raise DataError(
                f"seasonality needs at least one complete calendar year; the data covers {first.date()} to {cutoff.date()}",
                column=ORDER_DATE,
            )
    else:
        bad = [y for y in years if y not in complete]
        if bad:
            raise ParamsError(
                f"the 'years' parameter must list complete years ({first_year}-{last_year}); got {bad} instead", key="years"
            )
    dates = lines[ORDER_DATE]
    keep = _mask(dates, pd.Timestamp(min(years), 1, 1), pd.Timestamp(max(years) + 1, 1, 1))
    frame = lines.loc[keep, [ORDER_DATE, REVENUE]]
    monthly = frame.groupby([frame[ORDER_DATE].dt.year.rename("year"), frame[ORDER_DATE].dt.month.rename("month")])[REVENUE].sum()
    grid = pd.MultiIndex.from_product([sorted(years), range(1, 13)], names=["year", "month"])
    out = monthly.reindex(grid, fill_value=0.0).rename("revenue").reset_index()
    mean = out.groupby("year")["revenue"].transform("mean")
    out["index"] = np.where(mean > 0, _ratio(out["revenue"], mean), np.nan)
    out[["year", "month"]] = out[["year", "month"]].astype("int64")
    return out


def profile_seasonality(indices: pd.DataFrame) -> pd.DataFrame:
    """Year-to-year statistics of the monthly indices of ``compute_monthly_indices``.

    Returns
    -------
    DataFrame
        One row per month: ``month, label, mean, min, max, std`` (sample std, NaN with
        one year), ``spread`` (max - min) and ``n_years``.
    """
    stats = indices.groupby("month")["index"].agg(["mean", "min", "max", "std", "count"]).reindex(range(1, 13))
    out = stats.rename(columns={"count": "n_years"}).reset_index()
    out.insert(1, "label", [fmt_month(f"2000-{int(m):02d}-01", with_year=False) for m in out["month"]])
    out["spread"] = out["max"] - out["min"]
    out["n_years"] = out["n_years"].fillna(0).astype("int64")
    return out[["month", "label", "mean", "min", "max", "std", "spread", "n_years"]]


def summarize_seasonality(profile: pd.DataFrame) -> str:
    """One-line takeaway of ``profile_seasonality``: peak and low months and how stable the pattern is."""
    valid = profile.dropna(subset=["mean"])
    if valid.empty:
        return _("No complete year to read seasonality from.")
    peak = valid.loc[valid["mean"].idxmax()]
    low = valid.loc[valid["mean"].idxmin()]
    n = int(valid["n_years"].max())
    text = (_("Peak month {peak} (index {index}, {low_index}-{high_index} over {years} years), low month {low} ({low_mean})") if n > 1
            else _("Peak month {peak} (index {index}), low month {low} ({low_mean})")).format(
        peak=peak["label"], index=f"{peak['mean']:.2f}", low_index=f"{peak['min']:.2f}", high_index=f"{peak['max']:.2f}", years=n,
        low=low["label"], low_mean=f"{low['mean']:.2f}")
    if n > 1:
        typical = float(valid["std"].mean())
        verdict = N_("stable") if typical < 0.10 else N_("fairly stable") if typical < 0.20 else N_("unstable")
        text += _("; the pattern is {verdict} (average year-to-year std {std})").format(verdict=_(verdict), std=f"{typical:.2f}")
    else:
        text += _("; one year only, so stability is unknown")
    return text + _(".")
