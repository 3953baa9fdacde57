"""Headline KPIs of the review period and of each month or quarter, against the year before."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from planlib.errors import ParamsError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import N_, _, fmt_month, fmt_quarter
from planlib.review._common import DateLike, Freq, _growth, _mask, _order_table, _ratio, _require, _window_orders
from planlib.review.breakdowns import _top_carrier
from planlib.review.window import _covers, resolve_window
from planlib.schema import COST, CUSTOMER_ID, ORDER_DATE, ORDER_ID, REVENUE

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
