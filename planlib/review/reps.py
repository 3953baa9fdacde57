"""Rep productivity (revenue per active month) and the ramp of the reps hired in the review year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import _
from planlib.review._common import (
    NONE_LABEL,
    DateLike,
    _codes,
    _growth,
    _known,
    _labels,
    _mask,
    _order_table,
    _ratio,
    _require,
    _sum_by,
    _window_orders,
)
from planlib.review.window import ReviewWindow, resolve_window
from planlib.schema import (
    CUSTOMER_ID,
    ORDER_DATE,
    ORDER_ID,
    REGION,
    REP,
    REP_CAPACITY,
    REP_HIRE_DATE,
    REP_LEAVE_DATE,
    REVENUE,
)

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
