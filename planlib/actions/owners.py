"""The activity plan of a company without reps: regions (or channels) own the funnel, capacity unknown."""

from __future__ import annotations

import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.actions._common import MONTH, TARGET, _text
from planlib.actions.funnel import plan_funnel

__all__ = ["choose_funnel_owner", "plan_owner_funnel", "summarize_owner_funnel"]


def choose_funnel_owner(targets_long: pd.DataFrame) -> str | None:
    """Who owns the activity plan of a company without reps: ``region`` or ``channel``.

    The rule: regions own it (a regional manager runs the visits of a region); only when
    the plan has a single region (regions do not split the work) and more than one
    channel do channels own it. ``None`` when neither splits the company.
    """
    dims = _text(targets_long["dimension"])
    count = {d: targets_long.loc[dims == d, "segment"].nunique() for d in (schema.REGION, schema.CHANNEL)}
    if count[schema.REGION] > 1 or (count[schema.REGION] == 1 and count[schema.CHANNEL] <= 1):
        return schema.REGION
    if count[schema.CHANNEL] > 1:
        return schema.CHANNEL
    return None


def plan_owner_funnel(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    owner: str = schema.REGION,
    **options: object,
) -> pd.DataFrame:
    """The funnel of a company without reps: owned by regions (or channels), never by invented reps.

    Each owner's monthly targets (the ``region`` or ``channel`` rows of ``targets_long``)
    are worked back exactly as :func:`plan_funnel` works back a rep's; the deal size is the
    owner's own average order value of the last 12 months (at least ``min_orders``
    orders), else the company's, else ``deal_size``. Visits are not checked against
    capacity: without a reps table nobody knows the head count, and none is invented.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target`` (03's ``targets_long``).
    orders : DataFrame, optional
        Canonical order lines (with the ``owner`` column for the owner's deal size).
    owner : {"region", "channel"}, default "region"
        The dimension that owns the activity plan (see :func:`choose_funnel_owner`).
    **options
        ``win_rate, proposal_per_visit, visits_per_lead, deal_size, min_orders, as_of``
        as in :func:`plan_funnel`.

    Returns
    -------
    DataFrame
        ``owner_type, owner, month, target, deal_size, deal_size_source (owner / company /
        params), win_rate, proposal_per_visit, visits_per_lead, rate_source, deals,
        proposals, visits, leads, funnel_revenue``; ``attrs["capacity"]`` says capacity is
        unknown.
    """
    where = "plan_owner_funnel"
    if owner not in (schema.REGION, schema.CHANNEL):
        raise ParamsError(f"the 'owner' parameter of {where} must be 'region' or 'channel'; got {owner!r} instead",
                          key="owner")
    require_frame(targets_long, "targets_long", where, ["dimension", "segment", MONTH, TARGET])
    rows = targets_long.loc[_text(targets_long["dimension"]).eq(owner).to_numpy()]
    if rows.empty:
        raise DataError(f"the 'targets_long' frame given to {where} has no {owner} rows", column="dimension")
    owners = _text(rows["segment"]).to_numpy()
    frame = pd.DataFrame({schema.REP: owners, schema.REGION: owners, MONTH: rows[MONTH].to_numpy(),
                          TARGET: rows[TARGET].to_numpy()})
    lines = None
    if orders is not None:
        if owner not in orders.columns:
            raise DataError(f"the 'orders' frame given to {where} has no column '{owner}'", column=owner)
        # the owner's deal size is measured at plan_funnel's region level: the owner's labels stand there
        lines = orders.drop(columns=[c for c in (schema.REP, schema.REGION) if c in orders.columns])
        lines = lines.assign(**{schema.REGION: orders[owner].to_numpy()})
    out = plan_funnel(frame, lines, **options)  # type: ignore[arg-type]
    out = out.drop(columns=[schema.REP]).rename(columns={schema.REGION: "owner"})
    out["deal_size_source"] = out["deal_size_source"].replace({"region": "owner"})
    out.insert(0, "owner_type", owner)
    out = out.sort_values(["owner", MONTH], kind="mergesort").reset_index(drop=True)
    out.attrs["capacity"] = ("unknown: the plan has no reps table and no rep column, so no head count; "
                             "visits are not checked against capacity and no rep is invented")
    return out


def summarize_owner_funnel(funnel: pd.DataFrame) -> str:
    """One paragraph on a region- or channel-owned funnel (:func:`plan_owner_funnel`)."""
    require_frame(funnel, "funnel", "summarize_owner_funnel", ["owner_type", "owner", "deals", "visits", "leads", "proposals"])
    kind = str(funnel["owner_type"].iloc[0]) if len(funnel) else schema.REGION
    year = funnel.groupby("owner")[["visits"]].sum().sort_values("visits", ascending=False, kind="stable")
    busiest = f"; most visits in {year.index[0]} ({int(year['visits'].iloc[0]):,})" if len(year) else ""
    return (f"No rep column: the activity plan is owned by {len(year)} {kind}(s), not by reps, and needs "
            f"{int(funnel['deals'].sum()):,} deals, {int(funnel['proposals'].sum()):,} proposals, "
            f"{int(funnel['visits'].sum()):,} visits and {int(funnel['leads'].sum()):,} leads{busiest}. "
            f"Capacity is not checked: without a reps table the head count is unknown and none is invented.")
