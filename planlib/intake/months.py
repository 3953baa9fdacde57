"""Monthly view of the loaded lines: which months are complete, and what the data cover.

A trailing month is complete when the as-of date does not cut it and either
``data.complete_through`` reaches its end or the days missing after the data's last
date carried little revenue in the months before (judged by weekday from the data's
own daily pattern): data ending on 30 December of a company that sells a little every
day is a whole year, data ending on the 20th is not.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from planlib import schema
from planlib.i18n import _

LATE_START_DAY = 7  # a first month whose data starts after this day is partial
MISSING_SHARE_MAX = 0.05  # missing days expected to carry more than this share of a month: incomplete
PATTERN_MONTHS = 6  # months before the last one whose days teach the daily pattern


def split_at_as_of(orders: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the order lines into those up to ``as_of`` (inclusive) and those after."""
    later = orders[schema.ORDER_DATE] > pd.Timestamp(as_of)
    return orders.loc[~later].reset_index(drop=True), orders.loc[later].reset_index(drop=True)


def summarize_months(
    orders: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    complete_through: dt.date | None = None,
    drop_ratio: float = 0.5,
) -> pd.DataFrame:
    """Monthly revenue and lines, with incomplete trailing months flagged and the reason given.

    Walking back from the last month: a month cut by the as-of date, or (for the last
    month) ended early by the data as judged by ``complete_through`` or the daily
    pattern (see the module docstring), or whose revenue is below ``drop_ratio`` times
    the median of the six months before it, is incomplete; the walk stops at the first
    complete month. A first month whose data start after its 7th day is flagged too.
    The ``reason`` of a last month judged complete says why when the data end early.
    """
    dates = orders[schema.ORDER_DATE]
    month = dates.dt.to_period("M")
    table = (
        orders.assign(month=month)
        .groupby("month", observed=True)
        .agg(revenue=(schema.REVENUE, "sum"), lines=(schema.REVENUE, "size"), last_day=(schema.ORDER_DATE, "max"))
        .reindex(pd.period_range(month.min(), month.max(), freq="M"))
        .rename_axis("month")
        .reset_index()
    )
    table["revenue"] = table["revenue"].fillna(0.0)
    table["lines"] = table["lines"].fillna(0).astype("int64")
    table["complete"] = True
    table["reason"] = ""
    data_end = dates.max()
    last = len(table) - 1
    for i in range(last, -1, -1):
        period = table.at[i, "month"]
        month_end = period.to_timestamp(how="end").normalize()
        complete, reason = True, ""
        if as_of is not None and pd.Timestamp(as_of) < month_end:
            complete, reason = False, _("the as-of date {as_of} falls before the month ends").format(as_of=as_of)
        elif i == last and data_end < month_end:
            complete, reason = _judge_early_end(orders, table, data_end, month_end, complete_through)
        if complete:
            before = table["revenue"].iloc[max(0, i - 6):i]
            if len(before) >= 3 and table.at[i, "revenue"] < drop_ratio * before.median():
                share = table.at[i, "revenue"] / before.median()
                complete, reason = False, _("revenue {share} of the median of the 6 months before").format(share=f"{share:.0%}")
        table.at[i, "reason"] = reason
        if complete:
            break
        table.at[i, "complete"] = False
    data_start = dates.min()
    if data_start.day > LATE_START_DAY and (len(table) > 1 and table.at[0, "complete"]):
        table.at[0, "complete"] = False
        table.at[0, "reason"] = _("data starts {start}, after the month began").format(start=data_start.date())
    table["month"] = table["month"].dt.to_timestamp()
    return table


def _judge_early_end(orders, table, data_end, month_end, complete_through) -> tuple[bool, str]:
    """Whether a last month whose data stop before its last day is complete, and why."""
    if complete_through is not None:
        through = pd.Timestamp(complete_through)
        if through >= month_end:
            return True, _("data end {end}; complete by data.complete_through {through}").format(end=data_end.date(), through=complete_through)
        return False, _("data.complete_through is {through}, before the month ends").format(through=complete_through)
    start = (month_end - pd.offsets.MonthBegin(1)).normalize() - pd.DateOffset(months=PATTERN_MONTHS)
    window = orders.loc[(orders[schema.ORDER_DATE] >= start) & (orders[schema.ORDER_DATE] < month_end.replace(day=1)), [schema.ORDER_DATE, schema.REVENUE]]
    if window.empty:
        return False, _("data end {end}, before the month ends (no month before it shows the daily pattern)").format(end=data_end.date())
    days = pd.date_range(window[schema.ORDER_DATE].min(), month_end.replace(day=1) - pd.Timedelta(days=1))
    daily = window.groupby(schema.ORDER_DATE)[schema.REVENUE].sum().reindex(days, fill_value=0.0)
    by_weekday = daily.groupby(daily.index.weekday).mean()
    missing = pd.date_range(data_end + pd.Timedelta(days=1), month_end)
    expected = float(sum(by_weekday.get(d.weekday(), 0.0) for d in missing))
    observed = float(table["revenue"].iloc[-1])
    share = expected / (observed + expected) if observed + expected > 0 else 1.0
    n = len(missing)
    said = (_("data end {end}; the 1 missing day would carry {share} of the month, judged from the same weekdays of the months before") if n == 1 else
            _("data end {end}; the {days} missing days would carry {share} of the month, judged from the same weekdays of the months before")
            ).format(end=data_end.date(), days=n, share=f"{share:.1%}")
    return share <= MISSING_SHARE_MAX, said + ("" if share <= MISSING_SHARE_MAX else _(" (set data.complete_through if the month is whole)"))


def last_complete_month(months: pd.DataFrame) -> pd.Timestamp | None:
    """The start of the last month ``summarize_months`` found complete."""
    complete = months.loc[months["complete"], "month"]
    return None if complete.empty else pd.Timestamp(complete.max())


def describe_coverage(orders: pd.DataFrame) -> pd.DataFrame:
    """How much the data covers: date span, months and distinct values of each dimension."""
    rows = [
        ("first order date", str(orders[schema.ORDER_DATE].min().date())),  # shown through format_table: the catalog's column words
        ("last order date", str(orders[schema.ORDER_DATE].max().date())),
        ("months", orders[schema.ORDER_DATE].dt.to_period("M").nunique()),
        ("order lines", len(orders)),
        ("orders", orders[schema.ORDER_ID].nunique()),
        ("customers", orders[schema.CUSTOMER_ID].nunique()),
    ]
    for name in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL, schema.REP, schema.PRODUCT):
        if name in orders.columns:
            rows.append((f"{name.replace('_', ' ')}s", orders[name].nunique()))
    return pd.DataFrame(rows, columns=["measure", "value"]).astype({"value": str})
