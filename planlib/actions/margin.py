"""Gross-profit targets beside revenue, where the order lines carry cost.

Each region x product line x month cell of the target cube earns the margin rate that
cell earned over the last 12 months (the line's rate where the cell sold too little),
so the gross-profit targets by product line, by region and by month add up to one total;
the change in the company's margin rate is then pure mix, and it is stated.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import round_preserving_total
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import _

__all__ = ["plan_margin_targets", "summarize_margin_targets"]

_DIMENSIONS = ("total", schema.PRODUCT_LINE, schema.REGION, "month")
_MIN_CELL_SHARE = 0.001  # a region x line with under 0.1% of last year's revenue takes its line's rate


def _rates(lines: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Revenue, gross profit and margin rate of the lines per ``by``."""
    grouped = lines.groupby(by, observed=True)[[schema.REVENUE, "gp"]].sum()
    grouped["rate"] = grouped["gp"] / grouped[schema.REVENUE].where(grouped[schema.REVENUE] > 0)
    return grouped


def plan_margin_targets(
    targets_cube: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    unit: int = 1,
) -> pd.DataFrame | None:
    """Gross-profit targets per product line, region and month from the revenue cube.

    Parameters
    ----------
    targets_cube : DataFrame
        ``region, product_line, month, target`` (whole currency units).
    orders : DataFrame
        Canonical order lines with ``cost``; the 12 months up to ``as_of`` give the rates.
    as_of : date
        End of history.
    unit : int, default 1
        Rounding unit of the gross-profit targets.

    Returns
    -------
    DataFrame or None
        ``dimension, segment, revenue_target, gp_target, margin_rate, revenue_last,
        gp_last, margin_rate_last`` (months as ``YYYY-MM``; no last-year figures there); ``attrs``: ``mix_effect`` (the plan's margin rate
        minus last year's, all of it from the mix since each cell keeps its rate).
        ``None`` when the orders carry no cost.
    """
    where = "plan_margin_targets"
    require_frame(targets_cube, "targets_cube", where, [schema.REGION, schema.PRODUCT_LINE, "month", "target"])
    if schema.COST not in orders.columns or pd.to_numeric(orders[schema.COST], errors="coerce").notna().sum() == 0:
        return None
    end = pd.Timestamp(as_of)
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    window = orders.loc[((dates > end - pd.DateOffset(years=1)) & (dates <= end)).to_numpy()]
    lines = pd.DataFrame({
        schema.REGION: window[schema.REGION].astype(str).to_numpy(),
        schema.PRODUCT_LINE: window[schema.PRODUCT_LINE].astype(str).to_numpy(),
        schema.REVENUE: pd.to_numeric(window[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy(),
    })
    lines["gp"] = lines[schema.REVENUE] - pd.to_numeric(window[schema.COST], errors="coerce").fillna(0.0).to_numpy()
    if lines[schema.REVENUE].sum() <= 0:
        raise DataError(f"the orders given to {where} hold no revenue in the 12 months up to {end:%Y-%m-%d}",
                        column=schema.REVENUE)
    company = float(lines["gp"].sum() / lines[schema.REVENUE].sum())
    cell = _rates(lines, [schema.REGION, schema.PRODUCT_LINE])
    line = _rates(lines, [schema.PRODUCT_LINE])["rate"]
    cube = targets_cube[[schema.REGION, schema.PRODUCT_LINE, "month", "target"]].copy()
    cube[schema.REGION] = cube[schema.REGION].astype(str)
    cube[schema.PRODUCT_LINE] = cube[schema.PRODUCT_LINE].astype(str)
    key = pd.MultiIndex.from_frame(cube[[schema.REGION, schema.PRODUCT_LINE]])
    small = cell[schema.REVENUE] < _MIN_CELL_SHARE * lines[schema.REVENUE].sum()
    cell_rate = cell["rate"].where(~small).reindex(key).to_numpy()
    rate = np.where(np.isfinite(cell_rate), cell_rate, cube[schema.PRODUCT_LINE].map(line).to_numpy(dtype=float))
    rate = np.where(np.isfinite(rate), rate, company)
    revenue = cube["target"].to_numpy(dtype=float)
    exact = revenue * rate
    total = int(math.floor(math.fsum(exact) / unit + 0.5)) * unit
    cube["gp"] = round_preserving_total(pd.Series(exact), total=total, unit=unit).to_numpy(dtype=np.int64)
    parts = []
    for dim in _DIMENSIONS:
        if dim == "total":
            plan = pd.DataFrame({"segment": [schema.TOTAL_ID], "revenue_target": [revenue.sum()],
                                 "gp_target": [cube["gp"].sum()]})
            last = pd.DataFrame({"segment": [schema.TOTAL_ID], "revenue_last": [lines[schema.REVENUE].sum()],
                                 "gp_last": [lines["gp"].sum()]})
        else:
            plan = (cube.groupby(dim, sort=True)[["target", "gp"]].sum().reset_index()
                    .rename(columns={dim: "segment", "target": "revenue_target", "gp": "gp_target"}))
            if dim == "month":
                plan["segment"] = pd.to_datetime(plan["segment"]).dt.strftime("%Y-%m")
                last = pd.DataFrame({"segment": plan["segment"], "revenue_last": np.nan, "gp_last": np.nan})
            else:
                last = (lines.groupby(dim)[[schema.REVENUE, "gp"]].sum().reset_index()
                        .rename(columns={dim: "segment", schema.REVENUE: "revenue_last", "gp": "gp_last"}))
        part = plan.merge(last, on="segment", how="left")
        part.insert(0, "dimension", dim)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["revenue_target"] = out["revenue_target"].astype(np.int64)
    out["gp_target"] = out["gp_target"].astype(np.int64)
    out["margin_rate"] = out["gp_target"] / out["revenue_target"].where(out["revenue_target"] > 0)
    out["margin_rate_last"] = out["gp_last"] / out["revenue_last"].where(out["revenue_last"] > 0)
    out = out[["dimension", "segment", "revenue_target", "gp_target", "margin_rate", "revenue_last", "gp_last",
               "margin_rate_last"]]
    out.attrs["mix_effect"] = float(out["margin_rate"].iloc[0] - company)
    return out


def summarize_margin_targets(margins: pd.DataFrame | None) -> str:
    """One line: the gross-profit target, its margin rate against last year's, and the mix effect."""
    if margins is None:
        return _("The order lines carry no cost: no gross-profit targets.")
    total = margins[margins["dimension"] == "total"].iloc[0]
    lines = margins[margins["dimension"] == schema.PRODUCT_LINE].sort_values("gp_target", ascending=False)
    mix = float(total["margin_rate"] - total["margin_rate_last"])
    text = _("Gross-profit target {gp} on revenue {revenue}: a margin of {margin} against {margin_last} last year; "
             "the product and region mix moves it by {points} points (each line keeps its own rate)").format(
        gp=fmt_money(total["gp_target"]), revenue=fmt_money(total["revenue_target"]), margin=fmt_pct(total["margin_rate"]),
        margin_last=fmt_pct(total["margin_rate_last"]), points=f"{mix * 100:+.1f}")
    if len(lines):
        top = lines.iloc[0]
        text += _("; {segment} carries the most ({gp} at {margin})").format(
            segment=top["segment"], gp=fmt_money(top["gp_target"]), margin=fmt_pct(top["margin_rate"]))
    return text + _(".")
