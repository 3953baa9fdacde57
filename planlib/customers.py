"""Review of the past year: customer structure (new vs returning, repurchase, retention, cohorts).

Counts are of distinct customers; *new* means the first order ever (from the full
history) falls in the period. Definitions of orders and windows: ``planlib.review``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from planlib.errors import ParamsError
from planlib.formatting import fmt_count, fmt_money, fmt_pct
from planlib.review import (
    DateLike,
    ReviewWindow,
    _codes,
    _covers,
    _growth,
    _mask,
    _order_table,
    _ratio,
    _require,
    _window_orders,
    resolve_window,
)
from planlib.schema import CUSTOMER_ID, ORDER_DATE, ORDER_ID, REVENUE
from planlib.i18n import N_, _

_NEEDED = (ORDER_DATE, ORDER_ID, CUSTOMER_ID, REVENUE)


class _History:
    """Per-customer arrays over the whole history, indexed by customer code."""

    def __init__(self, lines: pd.DataFrame):
        self.lines = lines
        self.customer = _codes(lines[CUSTOMER_ID])
        self.size = int(self.customer.max()) + 1 if len(self.customer) else 0
        self.orders = _order_table(lines)
        real = self.orders[self.orders["is_order"] & (self.orders["customer"] >= 0)]
        first = real.groupby("customer")["date"].min()
        self.first_purchase = np.full(self.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.first_purchase[first.index.to_numpy()] = first.to_numpy().astype("datetime64[ns]")

    def active(self, start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
        """Order counts per customer code in ``[start, stop)`` (0 = not active)."""
        orders = _window_orders(self.orders, start, stop)
        codes = orders["customer"].to_numpy()
        return np.bincount(codes[codes >= 0], minlength=self.size)

    def revenue(self, start: pd.Timestamp, stop: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """Net revenue per customer code in ``[start, stop)`` and whether the customer had any line."""
        pick = _mask(self.lines[ORDER_DATE], start, stop) & (self.customer >= 0)
        codes = self.customer[pick]
        values = self.lines[REVENUE].to_numpy(dtype=float)[pick]
        return (
            np.bincount(codes, weights=values, minlength=self.size),
            np.bincount(codes, minlength=self.size) > 0,
        )

    def is_new(self, start: pd.Timestamp, stop: pd.Timestamp) -> np.ndarray:
        """True where the customer's first order ever falls in ``[start, stop)``."""
        first = self.first_purchase
        return (first >= start.to_datetime64()) & (first < stop.to_datetime64())


def _structure(history: _History, window: ReviewWindow) -> dict[str, float]:
    """Customer metrics of one window (retention measured against the full year before)."""
    orders = history.active(window.start, window.stop)
    active = orders > 0
    revenue, has_lines = history.revenue(window.start, window.stop)
    new = history.is_new(window.start, window.stop)
    base_year = window.year - 1
    base = history.active(pd.Timestamp(base_year, 1, 1), pd.Timestamp(base_year + 1, 1, 1)) > 0
    base_known = _covers(window.data_start, pd.Timestamp(base_year, 1, 1))
    retained = active & base
    n_active = int(active.sum())
    n_new = int((active & new).sum())
    in_period = has_lines | active
    metrics = {
        "active_customers": n_active,
        "new_customers": n_new,
        "returning_customers": n_active - n_new,
        "retained_customers": int(retained.sum()) if base_known else np.nan,
        "reactivated_customers": int((active & ~new & ~base).sum()) if base_known else np.nan,
        "lost_customers": int((base & ~active).sum()) if base_known else np.nan,
        "new_customer_share": _ratio(n_new, n_active),
        "new_customer_revenue": float(revenue[in_period & new].sum()),
        "returning_customer_revenue": float(revenue[in_period & ~new].sum()),
        "new_revenue_share": _ratio(revenue[in_period & new].sum(), revenue.sum()),
        "repurchase_rate": _ratio((orders >= 2).sum(), n_active),
        "retention_rate": _ratio(retained.sum(), base.sum()) if base_known else np.nan,
        "orders_per_customer": _ratio(orders.sum(), n_active),
        "revenue_per_customer": _ratio(revenue.sum(), n_active),
    }
    return metrics


_RATES = ("new_customer_share", "new_revenue_share", "repurchase_rate", "retention_rate")


def compute_customer_kpis(lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None) -> pd.DataFrame:
    """Customer structure of the review period against the same dates a year earlier.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    year, as_of
        Review period (see ``planlib.review.resolve_window``).

    Returns
    -------
    DataFrame
        One row per metric, columns ``metric, current, previous, change, growth,
        period, previous_period``. Metrics: ``active_customers``; ``new_customers``
        (first order ever in the period) and ``returning_customers`` (the rest), the
        latter split into ``retained_customers`` (also active in the full calendar year
        before) and ``reactivated_customers``; ``lost_customers`` (active last year, not
        (yet) this period); ``new_customer_share``; ``new_customer_revenue`` and
        ``returning_customer_revenue`` (all net revenue of those customers, returns
        included, so they add up to total revenue); ``new_revenue_share``;
        ``repurchase_rate`` (share of active customers with 2+ orders);
        ``retention_rate`` (share of last calendar year's customers who bought again);
        ``orders_per_customer``; ``revenue_per_customer``. Rates are compared by
        difference (``growth`` NaN). The previous column is NaN when the data does not
        cover the comparison period, retention when it does not cover the year before
        (both from their first week).
    """
    _require(lines, _NEEDED, "compute_customer_kpis")
    window = resolve_window(lines, year=year, as_of=as_of)
    history = _History(lines)
    current = _structure(history, window)
    previous = _structure(history, window.previous)
    if not window.previous.covered:
        previous = {k: np.nan for k in previous}
    table = pd.DataFrame({"metric": list(current), "current": list(current.values()), "previous": list(previous.values())})
    table[["current", "previous"]] = table[["current", "previous"]].astype(float)
    table["change"] = table["current"] - table["previous"]
    table["growth"] = _growth(table["current"], table["previous"])
    table.loc[table["metric"].isin(_RATES), "growth"] = np.nan
    table["period"] = window.label
    table["previous_period"] = window.previous.label
    return table


def compute_customer_groups(lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None) -> pd.DataFrame:
    """Order frequency and order value of new vs returning customers in the review period.

    Returns
    -------
    DataFrame
        Rows ``group`` = ``new``, ``returning``, ``all`` with ``customers`` (active),
        ``revenue`` (net, returns included), ``revenue_share, orders,
        orders_per_customer, avg_order_value, revenue_per_customer, repeat_customers``
        (2+ orders) and ``repurchase_rate``. A customer with only returns in the period
        adds revenue to its group but is not counted as a customer.
    """
    _require(lines, _NEEDED, "compute_customer_groups")
    window = resolve_window(lines, year=year, as_of=as_of)
    history = _History(lines)
    orders = history.active(window.start, window.stop)
    revenue, has_lines = history.revenue(window.start, window.stop)
    new = history.is_new(window.start, window.stop)
    rows = []
    for group, member in (("new", new), ("returning", ~new), ("all", np.ones_like(new))):
        active = member & (orders > 0)
        n = int(active.sum())
        group_revenue = float(revenue[member & (has_lines | active)].sum())
        n_orders = int(orders[active].sum())
        repeat = int((orders[active] >= 2).sum())
        rows.append((group, n, group_revenue, n_orders, repeat))
    table = pd.DataFrame(rows, columns=["group", "customers", "revenue", "orders", "repeat_customers"])
    total = table.loc[table["group"] == "all", "revenue"].iloc[0]
    table.insert(3, "revenue_share", _ratio(table["revenue"], total))
    table["orders_per_customer"] = _ratio(table["orders"], table["customers"])
    table["avg_order_value"] = _ratio(table["revenue"], table["orders"])
    table["revenue_per_customer"] = _ratio(table["revenue"], table["customers"])
    table["repurchase_rate"] = _ratio(table["repeat_customers"], table["customers"])
    table["period"] = window.label
    return table


def summarize_customers(customer_kpis: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_customer_kpis``.

    e.g. ``"4,120 active customers in 2024 (+5.0%): 1,030 new bringing 12% of revenue;
    61% of 2023's customers bought again; 34% ordered twice or more."``
    """
    v = customer_kpis.set_index("metric")
    cur = v["current"]
    period = customer_kpis["period"].iloc[0]
    growth = v.loc["active_customers", "growth"]
    text = (_("{count} active customers in {period} ({growth}): {new} new bringing {share} of revenue") if np.isfinite(growth)
            else _("{count} active customers in {period}: {new} new bringing {share} of revenue")).format(
        count=fmt_count(cur["active_customers"]), period=period, growth=fmt_pct(growth, signed=True),
        new=fmt_count(cur["new_customers"]), share=fmt_pct(cur["new_revenue_share"], digits=0))
    if np.isfinite(cur["retention_rate"]):
        text += _("; {share} of last year's customers bought again").format(share=fmt_pct(cur["retention_rate"], digits=0))
        change = v.loc["retention_rate", "change"]
        if np.isfinite(change):
            text += _(" ({points} pts)").format(points=f"{change * 100:+.1f}")
    text += _("; {share} ordered twice or more").format(share=fmt_pct(cur["repurchase_rate"], digits=0))
    return text + _(".")


def summarize_customer_groups(groups: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_customer_groups``: how returning customers differ from new ones."""
    g = groups.set_index("group")
    new, back = g.loc["new"], g.loc["returning"]
    if not back["customers"] or not new["customers"]:
        text = _("All {count} active customers are new.") if new["customers"] else _("All {count} active customers are returning.")
        return text.format(count=fmt_count(g.loc["all", "customers"]))
    return _("Returning customers ordered {back_orders} times at {back_value} per order, new ones {new_orders} times at {new_value}; "
             "returning customers brought {share} of revenue.").format(
        back_orders=f"{back['orders_per_customer']:.1f}", back_value=fmt_money(back["avg_order_value"]),
        new_orders=f"{new['orders_per_customer']:.1f}", new_value=fmt_money(new["avg_order_value"]), share=fmt_pct(back["revenue_share"], digits=0))


def compute_cohorts(
    lines: pd.DataFrame,
    *,
    value: Literal["customers", "revenue", "retention"] = "customers",
    freq: Literal["quarter", "month", "year"] = "quarter",
    as_of: DateLike | None = None,
    since: DateLike | None = None,
) -> pd.DataFrame:
    """Cohort table: customers grouped by the period of their first order, followed over time.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    value : {"customers", "revenue", "retention"}, default "customers"
        Active customers of the cohort in each period, their net revenue, or active
        customers over the cohort's size.
    freq : {"quarter", "month", "year"}, default "quarter"
    as_of : date-like, optional
        Ignore lines after it (default: all lines; the last column may be partial).
    since : date-like, optional
        First cohort shown (default: the first period of the data, whose customers
        include everybody who bought before the data starts).

    Returns
    -------
    DataFrame
        Index ``cohort`` (period labels such as ``2024Q1``), one column per period
        (same labels, as text); NaN before a cohort starts, 0 when nobody bought.
        Customers who never had a net-positive order belong to no cohort.
    """
    _require(lines, _NEEDED, "compute_cohorts")
    if freq not in ("quarter", "month", "year"):
        raise ParamsError(f"the 'freq' parameter of compute_cohorts must be one of quarter, month, year; got {freq!r} instead", key="freq")
    if value not in ("customers", "revenue", "retention"):
        raise ParamsError(f"the 'value' parameter of compute_cohorts must be customers, revenue or retention; got {value!r} instead", key="value")
    data = lines if as_of is None else lines[(lines[ORDER_DATE] < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)).to_numpy()]
    history = _History(data)
    first = _ordinal(history.first_purchase, freq)  # per customer code; -1 = never ordered
    if value == "revenue":
        pick = history.customer >= 0
        cohort = first[history.customer[pick]]
        frame = pd.DataFrame({
            "cohort": cohort,
            "period": _ordinal(data[ORDER_DATE].to_numpy()[pick], freq),
            "v": data[REVENUE].to_numpy(dtype=float)[pick],
        })
        table = frame[cohort >= 0].groupby(["cohort", "period"])["v"].sum().unstack()
    else:
        orders = history.orders[history.orders["is_order"] & (history.orders["customer"] >= 0)]
        customer = orders["customer"].to_numpy()
        frame = pd.DataFrame({"cohort": first[customer], "period": _ordinal(orders["date"].to_numpy(), freq), "customer": customer})
        table = frame.groupby(["cohort", "period"])["customer"].nunique().unstack()
    dates = data[ORDER_DATE].to_numpy()
    span = np.arange(_ordinal(dates.min(keepdims=True), freq)[0], _ordinal(dates.max(keepdims=True), freq)[0] + 1)
    table = table.reindex(index=span, columns=span).fillna(0.0)
    later = np.arange(len(span))[:, None] <= np.arange(len(span))[None, :]
    table = table.where(later)
    if value == "retention":
        size = pd.Series(np.diag(table.to_numpy()), index=table.index)
        table = table.div(size.where(size > 0), axis=0)
    labels = [_period_label(o, freq) for o in span]
    table.index = pd.Index(labels, name="cohort")
    table.columns = labels
    if since is not None:
        first_kept = _ordinal(np.array([pd.Timestamp(since).to_datetime64()]), freq)[0]
        keep = span >= first_kept
        table = table.loc[keep, keep]
    return table


def _ordinal(dates: np.ndarray, freq: str) -> np.ndarray:
    """Integer period numbers (year*12+month-1, year*4+quarter-1 or year) of datetime64 values; -1 for NaT."""
    months = np.asarray(dates).astype("datetime64[M]")
    valid = ~np.isnat(months)
    number = months.astype(np.int64) + 1970 * 12  # months since year 0
    if freq == "quarter":
        number = number // 3
    elif freq == "year":
        number = number // 12
    return np.where(valid, number, -1)


def _period_label(ordinal: int, freq: str) -> str:
    """``2024Q1``, ``2024-03`` or ``2024``."""
    if freq == "quarter":
        return f"{ordinal // 4}Q{ordinal % 4 + 1}"
    if freq == "month":
        return f"{ordinal // 12}-{ordinal % 12 + 1:02d}"
    return str(ordinal)


def summarize_cohorts(cohorts: pd.DataFrame, *, lag: int = 4) -> str:
    """One-line takeaway of a ``compute_cohorts`` table of customers or retention.

    Reads the share of each cohort still buying one and ``lag`` periods after its
    first period (averaged over the cohorts old enough).
    """
    values = cohorts.to_numpy(dtype=float)
    n = min(values.shape)
    if n < 2:
        return _("Too few periods for a cohort reading.")
    size = np.diag(values)
    if np.nanmax(size) <= 1.0 + 1e-9 and np.all(np.isclose(size[np.isfinite(size) & (size > 0)], 1.0)):
        shares = values  # already retention
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = values / np.where(size > 0, size, np.nan)[:, None]
    first = str(cohorts.columns[0])
    unit = "quarter" if "Q" in first else "month" if "-" in first else "year"
    parts = []
    for k in sorted({1, lag}):
        later = [shares[i, i + k] for i in range(n - k) if i + k < shares.shape[1] and np.isfinite(shares[i, i + k])]
        if later:
            later_text = {("month", False): N_("{share} {count} month later"), ("month", True): N_("{share} {count} months later"),
                          ("quarter", False): N_("{share} {count} quarter later"), ("quarter", True): N_("{share} {count} quarters later"),
                          ("year", False): N_("{share} {count} year later"), ("year", True): N_("{share} {count} years later")}[(unit, k > 1)]
            parts.append(_(later_text).format(share=fmt_pct(float(np.mean(later)), digits=0), count=k))
    if not parts:
        return _("Too few periods for a cohort reading.")
    won = {"month": N_("Of the customers won in a month, on average {parts} were still buying ({count} cohorts)."),
           "quarter": N_("Of the customers won in a quarter, on average {parts} were still buying ({count} cohorts)."),
           "year": N_("Of the customers won in a year, on average {parts} were still buying ({count} cohorts).")}[unit]
    return _(won).format(parts=_(" and ").join(parts), count=n)
