"""Customer-type targets: existing customers (repurchase and order value) and the new customers needed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import round_preserving_total
from planlib.ids import id_codes
from planlib.checks import require_frame, require_number
from planlib.errors import DataError, ParamsError
from planlib.targets._common import TARGET
from planlib.i18n import _, fmt_amount


def summarize_customer_base(orders: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Customer counts, repurchase rate and order economics of one calendar year.

    Parameters
    ----------
    orders : DataFrame
        The canonical order-line frame (``order_date, order_id, customer_id, revenue``).
    year : int
        The base year (usually the plan year minus one).

    Returns
    -------
    DataFrame
        One row: ``year, active_customers, revenue, prior_customers,
        retained_customers, repurchase_rate, retained_revenue, orders_per_customer,
        order_value, new_customers, new_revenue, first_year_value``.
        ``repurchase_rate`` = share of the previous year's customers who bought again
        (NaN without a previous year); orders per customer and order value are those of
        the retained customers (of all active customers without a previous year); new
        customers are those whose first order ever falls in ``year`` and their
        first-year value is their revenue in that calendar year.
    """
    where = "summarize_customer_base"
    require_frame(orders, "orders", where,
                   [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID, schema.REVENUE])
    frame = pd.DataFrame({
        "y": pd.to_datetime(orders[schema.ORDER_DATE]).dt.year.to_numpy(),
        "order": id_codes(orders[schema.ORDER_ID]),  # one integer per id: the same counts as the text, at 10M lines
        "customer": id_codes(orders[schema.CUSTOMER_ID]),
        "revenue": pd.to_numeric(orders[schema.REVENUE], errors="coerce").to_numpy(dtype=float),
    })
    now = frame[frame["y"] == year]
    if now.empty:
        raise DataError(f"the orders given to {where} have no line in {year}",
                        column=schema.ORDER_DATE)
    active = set(now["customer"])
    prior = set(frame.loc[frame["y"] == year - 1, "customer"])
    retained = active & prior
    cohort = retained if retained else active
    in_cohort = now[now["customer"].isin(cohort)]
    n_orders = in_cohort["order"].nunique()
    orders_each = now.groupby("customer")["order"].nunique()
    first_year = frame.groupby("customer")["y"].min()
    new = set(first_year.index[first_year == year])
    new_revenue = math.fsum(now.loc[now["customer"].isin(new), "revenue"])
    return pd.DataFrame([{
        "year": int(year),
        "active_customers": len(active),
        "revenue": math.fsum(now["revenue"]),
        "prior_customers": len(prior),
        "retained_customers": len(retained),
        "repurchase_rate": len(retained) / len(prior) if prior else np.nan,
        "retained_revenue": math.fsum(in_cohort["revenue"]) if retained else np.nan,
        "orders_per_customer": n_orders / len(cohort),
        "order_value": math.fsum(in_cohort["revenue"]) / n_orders if n_orders else np.nan,
        "new_customers": len(new),
        "new_revenue": new_revenue,
        "first_year_value": new_revenue / len(new) if new else np.nan,
        # share of the year's customers who ordered at least twice in it: the stand-in for the
        # repurchase rate when the history holds no previous year
        "repeat_share": float((orders_each >= 2).mean()) if len(orders_each) else np.nan,
    }])


def plan_customer_targets(
    total: float,
    base: pd.DataFrame,
    *,
    repurchase_rate: float | None = None,
    repurchase_uplift: float = 0.0,
    frequency_uplift: float = 0.0,
    order_value_uplift: float = 0.0,
    first_year_value: float | None = None,
    acquisition: pd.DataFrame | None = None,
    max_new_multiple: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the target into existing and new customers; count the new customers needed.

    Existing revenue = last year's customers x repurchase rate x orders per customer x
    order value (each with its uplift); new customers close the rest of the target, at
    last year's first-year value per new customer, rounded up to whole customers.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    base : DataFrame
        One row from :func:`summarize_customer_base`.
    repurchase_rate : float, optional
        Target repurchase rate (0-1); default the base rate plus ``repurchase_uplift``.
    repurchase_uplift : float, default 0.0
        Added to the base repurchase rate (percentage points as a fraction).
    frequency_uplift, order_value_uplift : float, default 0.0
        Relative uplifts of orders per customer and order value (0.05 = +5 %).
    first_year_value : float, optional
        Revenue per new customer in its first year; default the base year's.
    acquisition : DataFrame, optional
        ``year, new_customers`` of the last years (see :func:`count_new_customers`).
    max_new_multiple : float, optional
        With ``acquisition``: the most new customers the plan may need, as a multiple of
        the best recent year. Beyond it the new customers are capped there and the rest
        of the target moves to existing customers; the notes state the uplift that asks
        of them and the actions it needs.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        Rows ``existing, new, total``; columns ``customer_type, baseline_customers,
        customers, repurchase_rate, orders_per_customer, order_value,
        revenue_per_customer, planned_revenue, target, note``. ``customers`` of the new
        row is the number of new customers the plan needs; ``target`` adds up exactly.
    """
    where = "plan_customer_targets"
    tot = require_number(total, "total", where, low=0.0)
    cols = ["active_customers", "repurchase_rate", "orders_per_customer", "order_value",
            "new_customers", "first_year_value"]
    require_frame(base, "base", where, cols)
    if len(base) != 1:
        raise DataError(f"the 'base' frame given to {where} must have one row; got {len(base)}")
    b = base.iloc[0]
    assumed = ""
    if repurchase_rate is None:
        measured = b["repurchase_rate"]
        if pd.isna(measured) and not pd.isna(b.get("repeat_share", np.nan)):
            # one year of history: no previous year's customers to follow, so the year's own
            # repeat buyers stand in for the share of customers who buy again (stated)
            measured = float(b["repeat_share"])
            assumed = _("repurchase rate assumed {rate} (customers who ordered twice or more in the base year): the history "
                        "has no previous year to measure it; set targets.repurchase_rate to override").format(rate=f"{measured:.0%}")
        if pd.isna(measured):
            raise ParamsError(f"{where} needs 'repurchase_rate': the base year has no previous "
                              f"year to measure it from; set targets.repurchase_rate", key="repurchase_rate")
        rate = float(measured) + require_number(repurchase_uplift, "repurchase_uplift", where)
    else:
        rate = require_number(repurchase_rate, "repurchase_rate", where, low=0.0, high=1.0)
    if not 0 <= rate <= 1:
        raise ParamsError(f"the repurchase rate of {where} must be between 0 and 1; got {rate:g}",
                          key="repurchase_uplift")
    opc = float(b["orders_per_customer"]) * (1 + require_number(frequency_uplift, "frequency_uplift", where, low=-1.0))
    aov = float(b["order_value"]) * (1 + require_number(order_value_uplift, "order_value_uplift", where, low=-1.0))
    pool = float(b["active_customers"])
    existing_customers = pool * rate
    existing_revenue = existing_customers * opc * aov
    fyv = (float(b["first_year_value"]) if first_year_value is None
           else require_number(first_year_value, "first_year_value", where, low=0.0, low_open=True))
    rest = tot - existing_revenue
    note_total = ""
    if rest > 0:
        if not (fyv > 0):
            raise ParamsError(f"{where} needs a positive 'first_year_value' to plan new customers; "
                              f"got {fyv}", key="first_year_value")
        new_customers = int(math.ceil(rest / fyv - 1e-9))
        new_planned = rest
    else:
        new_customers, new_planned = 0, 0.0
        note_total = _("existing customers alone exceed the target by {amount}").format(amount=fmt_amount(-rest))
    note_new = _("{count} new customers at {value} each").format(count=new_customers, value=fmt_amount(fyv)) if new_customers else ""
    note_existing = ""
    best = np.nan
    if acquisition is not None and max_new_multiple is not None and len(acquisition):
        require_frame(acquisition, "acquisition", where, ["year", "new_customers"])
        multiple = require_number(max_new_multiple, "max_new_multiple", where, low=0.0, low_open=True)
        best = float(pd.to_numeric(acquisition["new_customers"]).max())
        cap = int(math.floor(multiple * best + 1e-9))
        if new_customers > cap:
            needed = new_customers
            new_customers, new_planned = cap, min(rest, cap * fyv)
            moved = rest - new_planned
            existing_revenue += moved
            rest = new_planned
            uplift = moved / (existing_revenue - moved) if existing_revenue > moved else np.inf
            note_new = _("{needed} new customers would be {ratio}x the best recent year ({best}); "
                         "capped at {cap} ({multiple}x): {moved} moves to existing customers").format(
                needed=needed, ratio=f"{needed / best:.1f}", best=f"{best:,.0f}", cap=cap, multiple=f"{multiple:g}", moved=fmt_amount(moved))
            note_existing = _("carries {moved} more than their planned run rate (+{uplift}): needs actions "
                              "(repurchase campaigns, cross-selling, price) in the action plan, or a lower target").format(
                moved=fmt_amount(moved), uplift=f"{uplift:.0%}")
    split = round_preserving_total(
        pd.Series([min(existing_revenue, tot), max(rest, 0.0)], index=["existing", "new"]),
        total=tot, unit=unit)
    rows = [
        {"customer_type": "existing", "baseline_customers": pool, "customers": existing_customers,
         "repurchase_rate": rate, "orders_per_customer": opc, "order_value": aov,
         "revenue_per_customer": opc * aov, "planned_revenue": existing_revenue,
         TARGET: int(split["existing"]), "note": _("; ").join(n for n in (assumed, note_existing) if n)},
        {"customer_type": "new", "baseline_customers": float(b["new_customers"]),
         "customers": float(new_customers), "repurchase_rate": np.nan,
         "orders_per_customer": np.nan, "order_value": np.nan, "revenue_per_customer": fyv,
         "planned_revenue": new_planned, TARGET: int(split["new"]), "note": note_new},
        {"customer_type": "total", "baseline_customers": pool + float(b["new_customers"]),
         "customers": existing_customers + new_customers, "repurchase_rate": np.nan,
         "orders_per_customer": np.nan, "order_value": np.nan, "revenue_per_customer": np.nan,
         "planned_revenue": existing_revenue + new_planned, TARGET: int(split.sum()),
         "note": note_total},
    ]
    out = pd.DataFrame(rows)
    out[TARGET] = out[TARGET].astype("int64")
    out["best_recent_new"] = [np.nan, best, np.nan]
    return out


def count_new_customers(orders: pd.DataFrame, *, years: list[int]) -> pd.DataFrame:
    """``year, new_customers``: customers whose first order ever falls in each year.

    The first year of the data is left out (everyone looks new there).
    """
    where = "count_new_customers"
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.CUSTOMER_ID])
    first = pd.to_datetime(orders[schema.ORDER_DATE]).groupby(id_codes(orders[schema.CUSTOMER_ID])).min().dt.year
    start = int(pd.to_datetime(orders[schema.ORDER_DATE]).dt.year.min())
    counts = first.value_counts()
    kept = [y for y in years if y > start]
    return pd.DataFrame({"year": kept, "new_customers": [int(counts.get(y, 0)) for y in kept]})
