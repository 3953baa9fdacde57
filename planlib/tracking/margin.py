"""Gross profit against its target to date, beside revenue (where the order lines carry cost)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.formatting import fmt_money, fmt_pct
from planlib.tracking._common import DIMENSION, SEGMENT, TOTAL, DateLike, _to_timestamp
from planlib.i18n import _

__all__ = ["compare_margin", "summarize_margin"]

_DIMENSIONS = (TOTAL, schema.PRODUCT_LINE, schema.REGION)


def compare_margin(margin_targets: pd.DataFrame, tracking: pd.DataFrame, orders: pd.DataFrame, *,
                   as_of: DateLike) -> pd.DataFrame | None:
    """Gross profit to date against the gross-profit plan to date, per product line and region.

    The gross-profit plan to date is the segment's annual gross-profit target times the
    share of its revenue target planned to date (``tracking``'s ``plan_to_date /
    annual_target``), so it follows the same seasonal weights as revenue.

    Parameters
    ----------
    margin_targets : DataFrame
        ``planlib.actions.plan_margin_targets`` output of the annual plan.
    tracking : DataFrame
        :func:`compare_to_plan` output (``dimension, segment, annual_target, plan_to_date``).
    orders : DataFrame
        Order lines of the plan year with ``cost``; lines after ``as_of`` are left out.
    as_of : date-like

    Returns
    -------
    DataFrame or None
        ``dimension, segment, gp_target, gp_plan_to_date, gp_actual, gp_attainment,
        margin_rate_target, margin_rate_actual``; ``None`` without cost in the orders.
    """
    where = "compare_margin"
    require_frame(margin_targets, "margin_targets", where, [DIMENSION, SEGMENT, "gp_target", "margin_rate"])
    require_frame(tracking, "tracking", where, [DIMENSION, SEGMENT, "annual_target", "plan_to_date"])
    if schema.COST not in orders.columns:
        return None
    asof = _to_timestamp(as_of, "as_of", where)
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    lines = orders.loc[(dates <= asof).to_numpy()]
    revenue = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0)
    gp = revenue - pd.to_numeric(lines[schema.COST], errors="coerce").fillna(0.0)
    parts = []
    for dim in _DIMENSIONS:
        targets = margin_targets[margin_targets[DIMENSION] == dim].set_index(SEGMENT)
        plan = tracking[tracking[DIMENSION] == dim].set_index(SEGMENT)
        if targets.empty or plan.empty:
            continue
        if dim == TOTAL:
            actual_gp = pd.Series({schema.TOTAL_ID: gp.sum()})
            actual_rev = pd.Series({schema.TOTAL_ID: revenue.sum()})
        else:
            keys = lines[dim].astype(str).to_numpy()
            actual_gp, actual_rev = gp.groupby(keys).sum(), revenue.groupby(keys).sum()
        segments = targets.index
        share = (plan["plan_to_date"] / plan["annual_target"].where(plan["annual_target"] > 0)).reindex(segments)
        part = pd.DataFrame({
            DIMENSION: dim, SEGMENT: segments.to_numpy(dtype=object),
            "gp_target": targets["gp_target"].to_numpy(dtype=float),
            "gp_plan_to_date": (targets["gp_target"] * share).to_numpy(dtype=float),
            "gp_actual": actual_gp.reindex(segments).fillna(0.0).to_numpy(dtype=float),
            "margin_rate_target": targets["margin_rate"].to_numpy(dtype=float),
            "margin_rate_actual": (actual_gp / actual_rev.where(actual_rev > 0)).reindex(segments).to_numpy(dtype=float),
        })
        parts.append(part)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    plan_to_date = out["gp_plan_to_date"].to_numpy()
    out.insert(5, "gp_attainment", np.where(plan_to_date > 0, out["gp_actual"] / np.where(plan_to_date > 0, plan_to_date, 1),
                                            np.nan))
    return out


def summarize_margin(margin: pd.DataFrame | None) -> str:
    """One line: gross profit to date against plan, and the margin rate against its target."""
    if margin is None or margin.empty:
        return _("No gross-profit tracking: the plan or the orders carry no cost.")
    total = margin[margin[DIMENSION] == TOTAL].iloc[0]
    text = _("Gross profit to date {actual} against {plan} planned ({attainment}); margin {margin} against a target of {target}").format(
        actual=fmt_money(total["gp_actual"]), plan=fmt_money(total["gp_plan_to_date"]), attainment=fmt_pct(total["gp_attainment"]),
        margin=fmt_pct(total["margin_rate_actual"]), target=fmt_pct(total["margin_rate_target"]))
    lines = margin[margin[DIMENSION] == schema.PRODUCT_LINE].dropna(subset=["gp_attainment"])
    if len(lines):
        worst = lines.sort_values("gp_attainment", kind="mergesort").iloc[0]
        text += _("; lowest: {segment} at {attainment} of its gross-profit plan").format(
            segment=worst[SEGMENT], attainment=fmt_pct(worst["gp_attainment"]))
    return text + _(".")
