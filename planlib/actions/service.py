"""Service levels per ABC class: owner, visit frequency, repurchase and cross-sell targets."""

from __future__ import annotations


import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import ParamsError
from planlib.plan import ActionsSpec
from planlib.actions._common import _ceil, _spec, _labels, _text, _window
from planlib.ids import id_codes


def _service_table(spec: ActionsSpec) -> pd.DataFrame:
    rows = [{"abc_class": k, "owner": v.owner, "visits_per_month": float(v.visits_per_month)}
            for k, v in sorted(spec.service_levels.items())]
    return pd.DataFrame(rows).set_index("abc_class")


def assign_service_levels(
    abc_classes: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Each customer's service level: account owner and visits per month from its ABC class.

    Parameters
    ----------
    abc_classes : DataFrame
        ``customer_id, revenue, abc_class`` (from ``planlib.abc_analysis.classify_abc``).
    orders : DataFrame, optional
        Order lines with ``rep``: adds the customer's main rep (most revenue in ``year``).
    year : int, optional
        The review year (needed with ``orders``).
    spec : ActionsSpec, optional
        ``plan.actions`` (its ``service_levels``).

    Returns
    -------
    DataFrame
        ``customer_id, abc_class, revenue, owner, visits_per_month`` (and ``rep``),
        in the order of ``abc_classes``.
    """
    where = "assign_service_levels"
    spec = _spec(spec)
    require_frame(abc_classes, "abc_classes", where, [schema.CUSTOMER_ID, "revenue", "abc_class"])
    levels = _service_table(spec)
    out = pd.DataFrame({schema.CUSTOMER_ID: _text(abc_classes[schema.CUSTOMER_ID]).to_numpy(),
                        "abc_class": _text(abc_classes["abc_class"]).to_numpy(),
                        "revenue": pd.to_numeric(abc_classes["revenue"], errors="coerce").to_numpy()})
    unknown = sorted(set(out["abc_class"]) - set(levels.index))
    if unknown:
        raise ParamsError(f"{where}: no service level for class(es) {unknown}; add them to actions.service_levels",
                          key="actions.service_levels")
    out["owner"] = out["abc_class"].map(levels["owner"])
    out["visits_per_month"] = out["abc_class"].map(levels["visits_per_month"]).astype(float)
    if orders is not None and schema.REP in orders.columns:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        lines = _window(orders, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
        frame = pd.DataFrame({"c": _labels(lines[schema.CUSTOMER_ID]),
                              "r": _labels(lines[schema.REP]),
                              "v": pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
        by = (frame.groupby(["c", "r"])["v"].sum().reset_index()
              .sort_values(["c", "v", "r"], ascending=[True, False, True], kind="mergesort"))
        main = by.drop_duplicates("c").set_index("c")["r"]
        out["rep"] = out[schema.CUSTOMER_ID].map(main)
    return out


def plan_service_levels(
    abc_classes: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    year: int,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Service plan per ABC class: owner, visits, repurchase and cross-sell targets.

    Repurchase rate = share of the class's customers with two or more orders (with a
    positive net value) in ``year``; cross-sell rate = share buying two or more product
    lines (positive net revenue in each) in ``year``. Targets add ``spec.repurchase_uplift``
    and ``spec.cross_sell_uplift`` (capped at 1); customer counts are rounded up.

    Parameters
    ----------
    abc_classes : DataFrame
        ``customer_id, revenue, abc_class``.
    orders : DataFrame
        Canonical order lines.
    year : int
        The review year the classes were made from.
    spec : ActionsSpec, optional
        ``plan.actions`` (``service_levels, repurchase_uplift, cross_sell_uplift``).

    Returns
    -------
    DataFrame
        One row per class (A, B, C): ``abc_class, customers, revenue, revenue_share,
        owner, visits_per_month, visits_per_year, repurchase_rate, repurchase_target,
        repeat_customers_target, cross_sell_rate, cross_sell_target,
        cross_sell_customers_target``.
    """
    where = "plan_service_levels"
    spec = _spec(spec)
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID, schema.REVENUE])
    customers = assign_service_levels(abc_classes, spec=spec)
    lines = _window(orders, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
    frame = pd.DataFrame({"c": _labels(lines[schema.CUSTOMER_ID]),
                          "o": id_codes(lines[schema.ORDER_ID]),
                          "v": pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
    per_order = frame.groupby(["c", "o"])["v"].sum()
    n_orders = (per_order > 0).groupby(level="c").sum()
    if schema.PRODUCT_LINE in lines.columns:
        frame["l"] = _labels(lines[schema.PRODUCT_LINE])
        per_line = frame.groupby(["c", "l"])["v"].sum()
        n_lines = (per_line > 0).groupby(level="c").sum()
    else:
        n_lines = pd.Series(dtype=float)
    customers["_orders"] = customers[schema.CUSTOMER_ID].map(n_orders).fillna(0)
    customers["_lines"] = customers[schema.CUSTOMER_ID].map(n_lines).fillna(0)
    levels = _service_table(spec)
    total_revenue = customers["revenue"].sum()
    rows = []
    for klass in sorted(set(levels.index) | set(customers["abc_class"])):
        members = customers[customers["abc_class"] == klass]
        n = len(members)
        rep_rate = float((members["_orders"] >= 2).mean()) if n else np.nan
        cross_rate = float((members["_lines"] >= 2).mean()) if n else np.nan
        rep_target = min(1.0, rep_rate + spec.repurchase_uplift) if n else np.nan
        cross_target = min(1.0, cross_rate + spec.cross_sell_uplift) if n else np.nan
        visits = float(levels.loc[klass, "visits_per_month"])
        rows.append({
            "abc_class": klass, "customers": n, "revenue": float(members["revenue"].sum()),
            "revenue_share": float(members["revenue"].sum() / total_revenue) if total_revenue else np.nan,
            "owner": levels.loc[klass, "owner"], "visits_per_month": visits,
            "visits_per_year": int(_ceil(n * visits * 12)),
            "repurchase_rate": rep_rate, "repurchase_target": rep_target,
            "repeat_customers_target": int(_ceil(n * rep_target)) if n else 0,
            "cross_sell_rate": cross_rate, "cross_sell_target": cross_target,
            "cross_sell_customers_target": int(_ceil(n * cross_target)) if n else 0,
        })
    return pd.DataFrame(rows)
