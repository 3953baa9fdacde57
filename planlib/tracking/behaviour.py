"""Customer behaviour against last year: orders, customers, order value, new customers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from planlib import schema
from planlib.checks import require_frame
from planlib.formatting import fmt_pct
from planlib.i18n import N_, _, fmt_month
from planlib.tracking._common import (
    DIMENSION,
    DateLike,
    NONE_LABEL,
    SEGMENT,
    TOTAL,
    TOTAL_SEGMENT,
    _DAY,
    _LATE_START_DAYS,
    _as_text,
    _check_choice,
    _ratio,
    _to_timestamp,
)


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
    dates = np.concatenate([d.to_numpy(dtype="datetime64[ns]") for _key, d in parts])
    revenue = np.concatenate([pd.to_numeric(p[schema.REVENUE], errors="coerce").to_numpy(dtype=float)
                              for p, _dates in parts])
    revenue = np.nan_to_num(revenue, nan=0.0)
    order, _codes = _joint_codes([p[schema.ORDER_ID] for p, _dates in parts])
    customer, _codes = _joint_codes([p[schema.CUSTOMER_ID] for p, _dates in parts])
    if by is None:
        seg, labels = np.zeros(len(dates), dtype=np.int64), [TOTAL_SEGMENT]
    else:
        seg, labels = _joint_codes([p[by] for p, _dates in parts])
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
    table["period"] = _("{year} to {day} {month}").format(year=asof.year, day=asof.day, month=fmt_month(asof, with_year=False))
    table["previous_period"] = _("{year} to {day} {month}").format(year=asof.year - 1, day=last_year.day,
                                                                  month=fmt_month(last_year, with_year=False))
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
    for metric, name in (("orders", N_("orders")), ("active_customers", N_("active customers")),
                         ("new_customers", N_("new customers")), ("avg_order_value", N_("average order value"))):
        if metric not in rows.index:
            continue
        r = rows.loc[metric]
        if metric == "new_customers":
            if not np.isfinite(r["current"]):
                continue
            growth = _(" ({growth})").format(growth=fmt_pct(r["growth"], signed=True)) if np.isfinite(r["growth"]) else ""
            parts.append(_("{name} {count}{growth}").format(name=_(name), count=f"{r['current']:,.0f}", growth=growth))
        elif np.isfinite(r["growth"]):
            parts.append(_("{name} {growth}").format(name=_(name), growth=fmt_pct(r["growth"], signed=True)))
    if not parts:
        return _("No comparison with last year (no history for the same dates).")
    text = _(", ").join(parts)
    period = behaviour["previous_period"].iloc[0] if "previous_period" in behaviour.columns else _("last year")
    return _("{changes} on {period}.").format(changes=f"{text[0].upper()}{text[1:]}", period=period)
