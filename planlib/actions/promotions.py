"""Key dates (Spring Festival from planlib.calendars, MM-DD anchors) and the uplift promotions brought in past years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.calendars import has_spring_festival, spring_festival
from planlib.i18n import N_
from planlib.plan import CN_RETAIL_PROMOTIONS, ActionsSpec
from planlib.actions._common import _DEFAULTS, _as_of, _require_rate, _text


# Days around Chinese New Year that are holiday, not normal selling weeks.
_CNY_HOLIDAY = (-7, 7)


def lookup_cny_date(year: int) -> pd.Timestamp:
    """Chinese New Year's day (first day of the lunar year) of ``year`` (``planlib.calendars``).

    Raises
    ------
    ParamsError
        For a year outside what the holidays library covers (1950-2100).
    """
    return spring_festival(year)


def _as_promotions(promotions: Iterable[Any]) -> list[ActionsSpec.Promotion]:
    out = []
    for p in promotions:
        out.append(p if isinstance(p, ActionsSpec.Promotion) else ActionsSpec.Promotion.model_validate(p))
    return out


def _anchor(promotion: ActionsSpec.Promotion, year: int) -> pd.Timestamp | None:
    anchor = promotion.anchor.strip().lower()
    if anchor == "cny":
        return lookup_cny_date(year) if has_spring_festival(year) else None
    month, day = (int(part) for part in anchor.split("-"))
    if month == 2 and day == 29 and not pd.Timestamp(year, 1, 1).is_leap_year:
        day = 28
    return pd.Timestamp(year, month, day)


def _promotion_window(promotion: ActionsSpec.Promotion, year: int) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    anchor = _anchor(promotion, year)
    if anchor is None:
        return None
    return (anchor + pd.Timedelta(days=promotion.start_offset),
            anchor + pd.Timedelta(days=promotion.end_offset))


def _daily(lines: pd.DataFrame, index: pd.DatetimeIndex) -> pd.Series:
    days = pd.to_datetime(lines[schema.ORDER_DATE]).dt.normalize()
    revenue = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0)
    return revenue.groupby(days.to_numpy()).sum().reindex(index, fill_value=0.0)


def measure_promotion_uplift(
    orders: pd.DataFrame,
    promotions: Sequence[ActionsSpec.Promotion | Mapping[str, Any]] = CN_RETAIL_PROMOTIONS,
    *,
    plan_year: int,
    neighbour_days: int = _DEFAULTS.neighbour_days,
    as_of: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Revenue of each promotion window above the pace of its neighbouring weeks, per history year.

    For every history year whose window (and calendar year) the orders cover: the
    neighbours are the ``neighbour_days`` days either side of the window, leaving out
    days inside the other promotions' windows and the Spring Festival holiday
    (Chinese New Year -7 to +7 days); ``excess = window revenue - window days x mean
    daily neighbour revenue`` and ``excess_share = excess / revenue of the calendar
    year``. A promotion with a ``channel`` is measured on that channel's lines (all
    lines when the orders have no channel column).

    Parameters
    ----------
    orders : DataFrame
        Canonical order lines (history).
    promotions : sequence of ActionsSpec.Promotion or mappings, default the params defaults
    plan_year : int
        Years before it are history.
    neighbour_days : int, default 14
    as_of : date, optional
        End of history; default Dec 31 before the plan year.

    Returns
    -------
    DataFrame
        ``promotion, scope, year, window_start, window_end, window_days, window_revenue,
        neighbour_days, neighbour_daily, uplift`` (window daily / neighbour daily - 1),
        ``excess, year_revenue, excess_share``; one row per promotion and measurable year.
    """
    where = "measure_promotion_uplift"
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE])
    promos = _as_promotions(promotions)
    n_days = int(_require_rate(neighbour_days, "neighbour_days", where, high=None))
    cutoff = _as_of(as_of, pd.Timestamp(plan_year - 1, 12, 31))
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    history = orders.loc[(dates <= cutoff).to_numpy()]
    columns = ["promotion", "scope", "year", "window_start", "window_end", "window_days", "window_revenue",
               "neighbour_days", "neighbour_daily", "uplift", "excess", "year_revenue", "excess_share"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    first = pd.to_datetime(history[schema.ORDER_DATE]).min().normalize()
    index = pd.date_range(first, cutoff, freq="D")
    company = _daily(history, index)
    has_channel = schema.CHANNEL in history.columns
    channel_text = _text(history[schema.CHANNEL]) if has_channel else None
    years = range(first.year, cutoff.year + 1)

    def holiday(year: int) -> pd.DatetimeIndex:
        days = []
        for y in (year - 1, year, year + 1):
            if has_spring_festival(y):
                cny = spring_festival(y)
                days.append(pd.date_range(cny + pd.Timedelta(days=_CNY_HOLIDAY[0]),
                                          cny + pd.Timedelta(days=_CNY_HOLIDAY[1])))
        return days[0].append(days[1:]) if days else pd.DatetimeIndex([])

    rows = []
    for promo in promos:
        if promo.channel and has_channel:
            scope = f"channel {promo.channel}"
            in_scope = (channel_text == promo.channel).to_numpy()
            if not in_scope.any():
                continue
            series = _daily(history.loc[in_scope], index)
        else:
            scope = N_("all lines") if not promo.channel else N_("all lines (no channel column)")  # shown through _() in the calendar
            series = company
        for year in years:
            window = _promotion_window(promo, year)
            if window is None:
                continue
            start, end = window
            year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
            if start < first or end > cutoff or first > year_start + pd.Timedelta(days=6) or cutoff < year_end:
                continue
            excluded = holiday(year)
            for other in promos:
                if other is promo:
                    continue
                for y in (year - 1, year, year + 1):
                    w = _promotion_window(other, y)
                    if w is not None:
                        excluded = excluded.append(pd.date_range(*w))
            near = pd.date_range(start - pd.Timedelta(days=n_days), start - pd.Timedelta(days=1)).append(
                pd.date_range(end + pd.Timedelta(days=1), end + pd.Timedelta(days=n_days)))
            near = near[(near >= first) & (near <= cutoff) & ~near.isin(excluded)]
            if len(near) == 0:
                continue
            window_days = (end - start).days + 1
            window_revenue = float(series.loc[start:end].sum())
            neighbour_daily = float(series.loc[near].mean())
            year_revenue = float(company.loc[year_start:year_end].sum())
            excess = window_revenue - window_days * neighbour_daily
            rows.append({
                "promotion": promo.name, "scope": scope, "year": year, "window_start": start,
                "window_end": end, "window_days": window_days, "window_revenue": window_revenue,
                "neighbour_days": len(near), "neighbour_daily": neighbour_daily,
                "uplift": (window_revenue / window_days) / neighbour_daily - 1 if neighbour_daily > 0 else np.nan,
                "excess": excess, "year_revenue": year_revenue,
                "excess_share": excess / year_revenue if year_revenue > 0 else np.nan,
            })
    return pd.DataFrame(rows, columns=columns)
