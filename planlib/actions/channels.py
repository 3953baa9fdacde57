"""The support split by channel and region (target share x growth index) and the channel support plan."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.plan import ActionsSpec
from planlib.actions._common import (
    DIMENSION,
    MONTH,
    SEGMENT,
    TARGET,
    _as_of,
    _last_year,
    _month_start,
    _spec,
    _labels,
    _text,
    _window,
)

ACTIONS_ROW = "(actions, company-wide)"  # the actions' row in every budget table (see planlib.actions.budget)


def _annual_by_segment(targets_long: pd.DataFrame, dimension: str, where: str) -> pd.Series:
    require_frame(targets_long, "targets_long", where, [DIMENSION, SEGMENT, TARGET])
    rows = targets_long[targets_long[DIMENSION].astype(str) == dimension]
    if rows.empty:
        dims = sorted(set(targets_long[DIMENSION].astype(str)))
        raise DataError(f"the 'targets_long' frame given to {where} has no '{dimension}' rows; it has {dims}",
                        column=DIMENSION)
    values = pd.to_numeric(rows[TARGET], errors="coerce")
    return values.groupby(_text(rows[SEGMENT]).to_numpy()).sum().sort_index()


def split_budget(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    budget: float,
    dimensions: Sequence[str] = (schema.CHANNEL, schema.REGION),
    as_of: dt.date | str | pd.Timestamp | None = None,
    index_weight: float = 1.0,
) -> pd.DataFrame:
    """Split the budget over each dimension by target share weighted by a growth index.

    ``weight = target share x growth index ** index_weight``; the growth index is the
    segment's revenue ratio (last 12 months / the 12 before) over the company's, 1 for a
    segment without revenue in the earlier 12 months or without ``orders``. The budget,
    rounded to the currency unit, is split by largest remainder
    (``planlib.allocation.split_total``): each dimension's parts add up to it exactly.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target``.
    orders : DataFrame, optional
        Canonical order lines for the growth index.
    budget : float
        The total budget (``plan.actions.budget``).
    dimensions : sequence of str, default ("channel", "region")
        Dimensions of ``targets_long`` to split over (one split each).
    as_of : date, optional
        End of history; default the day before the first target month.
    index_weight : float, default 1.0
        How strongly growth tilts the split (0 = target shares only).

    Returns
    -------
    DataFrame
        ``dimension, segment, target, target_share, revenue_last, revenue_previous,
        growth, growth_index, weight, budget`` (int) ``, budget_share``.
    """
    where = "split_budget"
    require_frame(targets_long, "targets_long", where, [DIMENSION, SEGMENT, MONTH, TARGET])
    total = float(budget)
    if not math.isfinite(total) or total < 0:
        raise ParamsError(f"the 'budget' parameter of {where} must be a non-negative number; got {budget!r}",
                          key="budget")
    whole = int(math.floor(total + 0.5))
    tilt = float(index_weight)
    if not math.isfinite(tilt) or tilt < 0:
        raise ParamsError(f"the 'index_weight' parameter of {where} must be >= 0; got {index_weight!r}",
                          key="index_weight")
    cutoff = _as_of(as_of, _month_start(targets_long[MONTH]).min() - pd.Timedelta(days=1))
    last_start, last_end = _last_year(cutoff)
    prev_start, prev_end = _last_year(cutoff - pd.DateOffset(years=1))
    parts = []
    for dim in dimensions:
        annual = _annual_by_segment(targets_long, dim, where)
        share = annual / annual.sum() if annual.sum() > 0 else annual * 0.0
        last = prev = pd.Series(np.nan, index=annual.index)
        index = pd.Series(1.0, index=annual.index)
        if orders is not None and dim in orders.columns:
            def by_segment(start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
                lines = _window(orders, start, end)
                values = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0)
                return values.groupby(_labels(lines[dim])).sum()

            last_all, prev_all = by_segment(last_start, last_end), by_segment(prev_start, prev_end)
            last, prev = last_all.reindex(annual.index).fillna(0.0), prev_all.reindex(annual.index).fillna(0.0)
            company = last_all.sum() / prev_all.sum() if prev_all.sum() > 0 else np.nan
            if math.isfinite(company) and company > 0:
                ratio = last.clip(lower=0.0) / prev.where(prev > 0)
                index = (ratio / company).fillna(1.0)
        weight = share * index**tilt
        if weight.sum() <= 0:
            weight = share if share.sum() > 0 else pd.Series(1.0, index=annual.index)
        amounts = split_total(whole, weight.reset_index(drop=True))
        parts.append(pd.DataFrame({
            DIMENSION: dim, SEGMENT: annual.index, TARGET: annual.to_numpy().astype("int64"),
            "target_share": share.to_numpy(), "revenue_last": last.to_numpy(), "revenue_previous": prev.to_numpy(),
            "growth": (last / prev.where(prev > 0) - 1).to_numpy(), "growth_index": index.to_numpy(),
            "weight": (weight / weight.sum()).to_numpy(), "budget": amounts.to_numpy().astype("int64"),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["budget_share"] = out["budget"] / whole if whole else 0.0
    return out


def plan_channel_support(
    targets_long: pd.DataFrame,
    budget_split: pd.DataFrame | None = None,
    *,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Per channel: target, share, last year's revenue, support budget and support type.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target`` with ``channel`` rows.
    budget_split : DataFrame, optional
        :func:`split_budget` output with ``channel`` rows (support budget and growth).
    spec : ActionsSpec, optional
        ``plan.actions`` (``channel_support``: what support each channel gets).

    Returns
    -------
    DataFrame
        ``channel, target, target_share, revenue_last, growth, support_budget,
        budget_share, budget_per_target`` (budget per unit of target) ``, support``.
    """
    where = "plan_channel_support"
    spec = _spec(spec)
    annual = _annual_by_segment(targets_long, schema.CHANNEL, where)
    out = pd.DataFrame({schema.CHANNEL: annual.index, TARGET: annual.to_numpy().astype("int64")})
    out["target_share"] = out[TARGET] / out[TARGET].sum() if out[TARGET].sum() else np.nan
    out["revenue_last"], out["growth"] = np.nan, np.nan
    out["support_budget"], out["budget_share"] = 0, np.nan
    if budget_split is not None:
        require_frame(budget_split, "budget_split", where, [DIMENSION, SEGMENT, "budget"])
        rows = budget_split[budget_split[DIMENSION] == schema.CHANNEL].set_index(SEGMENT)
        for column, target_col in (("revenue_last", "revenue_last"), ("growth", "growth"),
                                   ("budget", "support_budget"), ("budget_share", "budget_share")):
            if column in rows.columns:
                out[target_col] = out[schema.CHANNEL].map(rows[column]).to_numpy()
        # no budget given: the budget cells stay empty (NaN), never zeros that read as a decision
        out["support_budget"] = pd.array([None if pd.isna(v) else int(v) for v in out["support_budget"]], dtype="Int64")
    support = pd.to_numeric(out["support_budget"]).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    out["budget_per_target"] = np.where(out[TARGET] > 0, support / out[TARGET].where(out[TARGET] > 0, 1), np.nan)
    out["support"] = out[schema.CHANNEL].map(spec.channel_support).fillna("channel manager's plan")
    if budget_split is not None:
        # the actions' share of the one budget (see planlib.actions.budget), so the table adds up to it
        actions_rows = budget_split[(budget_split[DIMENSION] == schema.CHANNEL) & (budget_split[SEGMENT] == ACTIONS_ROW)]
        if len(actions_rows):
            spent = actions_rows["budget"].iloc[0]
            row = pd.DataFrame({schema.CHANNEL: [ACTIONS_ROW],
                                "support_budget": pd.array([None if pd.isna(spent) else int(spent)], dtype="Int64"),
                                "budget_share": [actions_rows["budget_share"].iloc[0] if "budget_share" in actions_rows else np.nan],
                                "support": ["the action calendar"]})
            out = pd.concat([out, row], ignore_index=True)
    return out
