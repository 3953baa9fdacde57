"""Quotas after capacity: hire seats carry part of their region's quota in the months they are in seat.

03 fixes the rep quotas; 04 finds where visits do not fit and proposes hires. A hire seat
then does part of the region's visits, so it carries the same part of the region's quota
that month, taken from the reps whose visits it takes. 04 writes the result
(``targets_rep_after_capacity``) and builds the checkpoints from it; 03's tables stay as
they are, so nothing runs in a circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame
from planlib.actions._common import HOUSE_REP, MONTH, TARGET, _month_start, _text

__all__ = ["assign_hire_quotas", "apply_rep_quotas"]


def _take(amount: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """``amount`` whole units taken in proportion to ``weights``, never more than ``caps``."""
    taken = np.zeros(len(caps), dtype=np.int64)
    left = int(amount)
    weights = np.where(caps > 0, weights, 0.0)
    while left > 0:
        room = caps - taken
        w = np.where(room > 0, weights, 0.0)
        if w.sum() <= 0:
            w = room.astype(float).clip(min=0)
        if w.sum() <= 0:
            break
        part = np.minimum(split_total(left, w).to_numpy(dtype=np.int64), room)
        if part.sum() == 0:
            break
        taken += part
        left -= int(part.sum())
    return taken


def assign_hire_quotas(rep_targets: pd.DataFrame, visit_plan: pd.DataFrame) -> pd.DataFrame:
    """Rep quotas after the hiring plan: each hire seat carries its share of the region's quota.

    In each region and month a hire seat carries ``region quota x seat's planned visits /
    all planned visits of the region`` (rounded to the unit; several seats split it by
    their visits). Existing reps' quotas drop by that amount, in proportion to the visits
    each handed on (needed - planned), else to their quotas, never below zero. House
    sales keep their own line. Every region-month's quotas still add up exactly to the
    region's rep quota of 03.

    Parameters
    ----------
    rep_targets : DataFrame
        ``rep, region, month, target`` (integer quotas of 03).
    visit_plan : DataFrame
        :func:`planlib.actions.plan_capacity`'s visit plan (``rep, region, month, seat,
        needed, planned``).

    Returns
    -------
    DataFrame
        ``rep, region, month, seat`` (rep / hire / house) ``, target_before, target,
        change``, sorted by region, seat, rep, month.
    """
    where = "assign_hire_quotas"
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, MONTH, TARGET])
    require_frame(visit_plan, "visit_plan", where, [schema.REP, schema.REGION, MONTH, "seat", "needed", "planned"],
                  allow_empty=True)
    reps = pd.DataFrame({schema.REP: _text(rep_targets[schema.REP]).to_numpy(),
                         schema.REGION: _text(rep_targets[schema.REGION]).to_numpy(),
                         MONTH: _month_start(rep_targets[MONTH]).to_numpy(),
                         "target_before": pd.to_numeric(rep_targets[TARGET], errors="coerce").fillna(0)
                         .round().astype(np.int64).to_numpy()})
    reps["seat"] = np.where(reps[schema.REP].eq(HOUSE_REP), "house", "rep")
    visits = visit_plan.assign(**{MONTH: _month_start(visit_plan[MONTH])}) if len(visit_plan) else visit_plan
    hires = visits.loc[visits["seat"].eq("hire")] if len(visits) else visits
    seats = pd.DataFrame({schema.REP: hires[schema.REP].astype(str).to_numpy() if len(hires) else [],
                          schema.REGION: hires[schema.REGION].astype(str).to_numpy() if len(hires) else [],
                          MONTH: hires[MONTH].to_numpy() if len(hires) else pd.Series(dtype="datetime64[ns]"),
                          "target_before": 0, "seat": "hire"})
    out = pd.concat([reps, seats], ignore_index=True)
    out["target"] = out["target_before"].astype(np.int64)
    if len(hires):
        key = visits.assign(**{schema.REP: visits[schema.REP].astype(str)})[[schema.REP, MONTH, "needed", "planned"]]
        joined = out[[schema.REP, MONTH]].merge(key, on=[schema.REP, MONTH], how="left")
        out["_planned"] = pd.to_numeric(joined["planned"], errors="coerce").fillna(0).to_numpy(dtype=float)
        needed = pd.to_numeric(joined["needed"], errors="coerce").fillna(0).to_numpy(dtype=float)
        out["_handed"] = np.maximum(needed - out["_planned"].to_numpy(), 0.0)
        for (region, month), rows in out.groupby([schema.REGION, MONTH]).groups.items():
            part = out.loc[rows]
            hire_rows = part.index[part["seat"].eq("hire")]
            rep_rows = part.index[part["seat"].eq("rep")]
            visits_all = float(part.loc[part["seat"].ne("house"), "_planned"].sum())
            hire_visits = part.loc[hire_rows, "_planned"].to_numpy(dtype=float)
            if not len(hire_rows) or hire_visits.sum() <= 0 or visits_all <= 0 or not len(rep_rows):
                continue
            quota = int(part.loc[rep_rows, "target_before"].sum())
            carry = int(np.floor(max(quota, 0) * hire_visits.sum() / visits_all + 0.5))
            caps = part.loc[rep_rows, "target_before"].clip(lower=0).to_numpy(dtype=np.int64)
            handed = part.loc[rep_rows, "_handed"].to_numpy(dtype=float)
            taken = _take(carry, handed if handed.sum() > 0 else caps.astype(float), caps)
            carried = int(taken.sum())
            out.loc[rep_rows, "target"] = part.loc[rep_rows, "target_before"].to_numpy() - taken
            out.loc[hire_rows, "target"] = split_total(carried, hire_visits).to_numpy(dtype=np.int64)
        out = out.drop(columns=["_planned", "_handed"])
    out["change"] = out["target"] - out["target_before"]
    order = {"rep": 0, "hire": 1, "house": 2}
    out = out.assign(_s=out["seat"].map(order)).sort_values([schema.REGION, "_s", schema.REP, MONTH], kind="mergesort")
    columns = [schema.REP, schema.REGION, MONTH, "seat", "target_before", TARGET, "change"]
    return out.drop(columns="_s")[columns].reset_index(drop=True)


def apply_rep_quotas(targets_long: pd.DataFrame, quotas: pd.DataFrame) -> pd.DataFrame:
    """``targets_long`` with its rep rows replaced by the quotas after capacity (hire seats included).

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target``.
    quotas : DataFrame
        :func:`assign_hire_quotas` output.
    """
    require_frame(targets_long, "targets_long", "apply_rep_quotas", ["dimension", "segment", MONTH, TARGET])
    keep = targets_long.loc[targets_long["dimension"].astype(str) != schema.REP]
    reps = pd.DataFrame({"dimension": schema.REP, "segment": quotas[schema.REP].to_numpy(),
                         MONTH: quotas[MONTH].to_numpy(), TARGET: quotas[TARGET].to_numpy()})
    reps = reps.astype({TARGET: keep[TARGET].dtype}) if len(keep) else reps
    return pd.concat([keep, reps], ignore_index=True)
