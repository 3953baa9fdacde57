"""Capacity fed back: visits rebalanced where reps have slack, service visits in the same budget, hires last.

A rep-month over capacity first hands its extra visits to colleagues of the same region
with slack that month, then to the region's months with slack (nearest first, earlier
before later: pipeline is built ahead); the ABC service visits fill what slack is left
(A before B before C). Only visits that still find no capacity ask for hires.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame
from planlib.errors import ParamsError
from planlib.formatting import fmt_money
from planlib.i18n import N_, _

__all__ = ["plan_hires", "rebalance_visits", "summarize_rebalance"]

MONTH = "month"
_CLASSES = ("A", "B", "C")


def _spill(need: np.ndarray, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Within one month: each rep keeps up to capacity, the overflow goes to reps with slack.

    Returns the planned visits per rep and the visits no rep could take.
    """
    kept = np.minimum(need, cap)
    overflow = int(need.sum() - kept.sum())
    slack = cap - kept
    take = min(overflow, int(slack.sum()))
    if take > 0:
        kept = kept + _share(take, slack)
    return kept, overflow - take


def _share(amount: int, room: np.ndarray) -> np.ndarray:
    """``amount`` whole visits split in proportion to ``room``, never above it."""
    parts = split_total(amount, room.astype(float)).to_numpy(dtype=np.int64)
    return np.minimum(parts, room)  # floor/ceil of a share <= room never exceeds a whole room


def _shift_months(load: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Region-month loads after moving each month's excess to months with slack (nearest, earlier first)."""
    load = load.copy()
    k = len(load)
    for m in range(k):
        excess = int(load[m] - cap[m])
        if excess <= 0:
            continue
        order = sorted((j for j in range(k) if j != m), key=lambda j: (abs(j - m), j > m))
        for j in order:
            room = int(cap[j] - load[j])
            if room <= 0:
                continue
            moved = min(room, excess)
            load[j] += moved
            load[m] -= moved
            excess -= moved
            if excess == 0:
                break
    return load


def rebalance_visits(capacity: pd.DataFrame, service_levels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Plan every rep-month's visits inside capacity where the region's capacity allows.

    Parameters
    ----------
    capacity : DataFrame
        ``check_capacity`` output (``rep, region, month, visits, capacity``): the funnel
        visits each rep's quota needs and the rep's visit capacity.
    service_levels : DataFrame, optional
        ``plan_service_levels`` output (``abc_class, visits_per_year``): service visits
        spread evenly over the months, then over the reps' slack that month (A first).

    Returns
    -------
    DataFrame
        Per rep-month ``rep, region, month, capacity, funnel_needed, funnel_planned``
        (after rebalancing), ``moved`` (planned - needed), ``funnel_short`` (visits no
        capacity could take), ``service_A/B/C`` (service visits that fit), ``load``
        (funnel + service, never above capacity), ``slack``. ``attrs``: ``service_needed``
        and ``service_planned`` per class (visits a year).
    """
    where = "rebalance_visits"
    require_frame(capacity, "capacity", where, [schema.REP, schema.REGION, MONTH, "visits", "capacity"])
    frame = capacity[[schema.REP, schema.REGION, MONTH, "visits", "capacity"]].copy()
    frame[MONTH] = pd.to_datetime(frame[MONTH])
    frame = frame.sort_values([schema.REGION, schema.REP, MONTH], kind="mergesort").reset_index(drop=True)
    frame["visits"] = pd.to_numeric(frame["visits"], errors="coerce").fillna(0).astype(np.int64)
    frame["capacity"] = pd.to_numeric(frame["capacity"], errors="coerce").fillna(0).clip(lower=0).astype(np.int64)
    months = pd.DatetimeIndex(sorted(frame[MONTH].unique()))
    planned = np.zeros(len(frame), dtype=np.int64)
    short = np.zeros(len(frame), dtype=np.int64)
    for _region, rows in frame.groupby(schema.REGION, sort=True).groups.items():
        part = frame.loc[rows].drop_duplicates([schema.REP, MONTH], keep="last")  # a repeated rep-month: its last row
        reps = sorted(part[schema.REP].unique())
        r_at = pd.Index(reps).get_indexer(part[schema.REP])
        m_at = months.get_indexer(part[MONTH])
        need = np.zeros((len(reps), len(months)), dtype=np.int64)
        cap = np.zeros((len(reps), len(months)), dtype=np.int64)
        need[r_at, m_at] = part["visits"].to_numpy()
        cap[r_at, m_at] = part["capacity"].to_numpy()
        kept_all = np.zeros_like(need)
        short_all = np.zeros_like(need)
        load = _shift_months(need.sum(axis=0), cap.sum(axis=0))
        for j in range(len(months)):
            # scale the month's own needs to the load it keeps after shifting, then spill over reps
            total = int(need[:, j].sum())
            col = need[:, j] if total == load[j] else (
                split_total(int(load[j]), need[:, j].astype(float) if total > 0 else cap[:, j].astype(float))
                .to_numpy(dtype=np.int64))
            kept_all[:, j], left = _spill(col, cap[:, j])
            if left:  # visits nobody in the region can take this month: stay with their reps, marked short
                over = np.maximum(col - cap[:, j], 0)
                short_all[:, j] = split_total(left, over.astype(float)).to_numpy(dtype=np.int64)
        planned[part.index.to_numpy()] = kept_all[r_at, m_at]
        short[part.index.to_numpy()] = short_all[r_at, m_at]
    out = frame.rename(columns={"visits": "funnel_needed"})
    out["funnel_planned"] = planned
    out["moved"] = out["funnel_planned"] - out["funnel_needed"]
    out["funnel_short"] = short
    slack = (out["capacity"] - out["funnel_planned"]).to_numpy(dtype=np.int64)
    needed, fitted = {}, {}
    service_short = np.zeros(len(months), dtype=np.int64)
    for cls in _CLASSES:
        per_year = 0.0
        if service_levels is not None and len(service_levels):
            require_frame(service_levels, "service_levels", where, ["abc_class", "visits_per_year"])
            per_year = float(pd.to_numeric(service_levels.loc[service_levels["abc_class"] == cls, "visits_per_year"],
                                           errors="coerce").fillna(0).sum())
        got = np.zeros(len(out), dtype=np.int64)
        if per_year > 0:
            per_month = split_total(int(round(per_year)), np.ones(len(months))).to_numpy(dtype=np.int64)
            month_of = out[MONTH].to_numpy()
            for j, m in enumerate(months):
                at = np.flatnonzero(month_of == m.to_datetime64())
                room = slack[at]
                take = min(int(per_month[j]), int(room.sum()))
                if take > 0:
                    got[at] = _share(take, room)
                service_short[j] += int(per_month[j]) - take
        slack = slack - got
        out[f"service_{cls}"] = got
        needed[cls], fitted[cls] = per_year, float(got.sum())
    out["load"] = out["funnel_planned"] + out[[f"service_{c}" for c in _CLASSES]].sum(axis=1)
    out["slack"] = out["capacity"] - out["load"]
    out.attrs.update({"service_needed": needed, "service_planned": fitted,
                      "service_short": {m.strftime("%Y-%m"): int(v) for m, v in zip(months, service_short)}})
    return out


def plan_hires(
    rebalanced: pd.DataFrame,
    *,
    visits_per_rep_month: int,
    ramp_months: int = 0,
    cost_per_rep_year: float = 0.0,
) -> pd.DataFrame:
    """Hires per region only where visits still find no capacity after rebalancing.

    Funnel visits short after rebalancing are hired for in their region (``need``
    ``"funnel"``); service visits no rep had slack for in one row ``"(all regions)"``
    (``need`` ``"service"``): the alternative is the lower service level the visit plan
    states.

    A hire reaches full capacity after ``ramp_months`` (linear ramp: month ``t`` of the
    rep's tenure at ``t / ramp_months``) and must start ``ramp_months`` before the first
    short month (no earlier than the plan year's first month). The count is the smallest
    whose ramped capacity from that start to the year end covers the visits short (visits
    move across months, as in :func:`rebalance_visits`).

    Returns
    -------
    DataFrame
        ``region, need, hires, start_by, first_short_month, visits_short, capacity_added,
        cost`` (NaN when ``cost_per_rep_year`` is 0: not given), one row per region short.
    """
    where = "plan_hires"
    require_frame(rebalanced, "rebalanced", where, [schema.REGION, MONTH, "funnel_short", "capacity"], allow_empty=True)
    if isinstance(visits_per_rep_month, bool) or not isinstance(visits_per_rep_month, (int, np.integer)) \
            or visits_per_rep_month < 1:
        raise ParamsError(f"the 'visits_per_rep_month' parameter of {where} must be a positive integer; "
                          f"got {visits_per_rep_month!r} instead", key="actions.max_visits_per_rep_month")
    months = pd.DatetimeIndex(sorted(pd.to_datetime(rebalanced[MONTH]).unique())) if len(rebalanced) else \
        pd.DatetimeIndex([])
    needs = [(str(region), "funnel", part.groupby(pd.to_datetime(part[MONTH]))["funnel_short"].sum()
              .reindex(months, fill_value=0)) for region, part in rebalanced.groupby(schema.REGION, sort=True)]
    service = rebalanced.attrs.get("service_short", {})
    if sum(service.values()) > 0:  # service visits no rep had slack for, any region
        needs.append(("(all regions)", "service", pd.Series([service.get(m.strftime("%Y-%m"), 0) for m in months],
                                                            index=months, dtype=float)))
    rows = []
    for region, need_kind, by_month in needs:
        if by_month.sum() <= 0:
            continue
        first = int(np.flatnonzero(by_month.to_numpy() > 0)[0])
        start = max(first - ramp_months, 0)
        tenure = np.arange(len(months)) - start + 1
        ramp = np.where(tenure <= 0, 0.0, np.minimum(tenure / ramp_months, 1.0) if ramp_months else 1.0)
        per_hire = visits_per_rep_month * ramp
        hires = int(math.ceil(float(by_month.sum()) / float(per_hire.sum()) - 1e-9))
        employed = len(months) - start
        rows.append({schema.REGION: region, "need": need_kind, "hires": hires, "start_by": months[start],
                     "first_short_month": months[first], "visits_short": int(by_month.sum()),
                     "capacity_added": int(math.floor(hires * per_hire.sum())),
                     "cost": hires * cost_per_rep_year * employed / 12 if cost_per_rep_year > 0 else np.nan})
    columns = [schema.REGION, "need", "hires", "start_by", "first_short_month", "visits_short", "capacity_added", "cost"]
    return pd.DataFrame(rows, columns=columns)


def summarize_rebalance(rebalanced: pd.DataFrame, hires: pd.DataFrame | None = None) -> str:
    """One paragraph: visits moved, rep-months still over, service visits that fit, hires."""
    require_frame(rebalanced, "rebalanced", "summarize_rebalance",
                  ["funnel_needed", "funnel_planned", "funnel_short", "capacity", "moved"])
    over_before = int((rebalanced["funnel_needed"] > rebalanced["capacity"]).sum())
    over_after = int((rebalanced["funnel_short"] > 0).sum())
    moved = int(rebalanced["moved"].clip(lower=0).sum())
    text = _("{before} of {total} rep-months needed more funnel visits than the rep has; "
             "{moved} visits moved to colleagues or months with slack leave {after} over capacity").format(
        before=f"{over_before:,}", total=f"{len(rebalanced):,}", moved=f"{moved:,}", after=f"{over_after:,}")
    needed, fitted = rebalanced.attrs.get("service_needed", {}), rebalanced.attrs.get("service_planned", {})
    if sum(needed.values()) > 0:
        parts = [f"{c} {fitted[c] / needed[c]:.0%}" for c in _CLASSES if needed.get(c, 0) > 0]
        text += _("; service visits fit in the slack for {fitted} of {needed} a year ({parts} of each class's level)").format(
            fitted=f"{sum(fitted.values()):,.0f}", needed=f"{sum(needed.values()):,.0f}", parts=_(", ").join(parts))
    if hires is not None and len(hires):
        for kind, what in (("funnel", N_("the funnel visits left over")), ("service", N_("the service visits left over"))):
            part = hires[hires["need"] == kind]
            if part.empty:
                continue
            cost = part["cost"].sum(min_count=1)
            where = _(", ").join(_("{region} {hires} starting by {start}").format(region=r.region, hires=r.hires, start=f"{r.start_by:%Y-%m}")
                                 for r in part.itertuples())
            text += (_("; {hires} hire(s) would cover {what} ({where}) at {cost}") if pd.notna(cost)
                     else _("; {hires} hire(s) would cover {what} ({where}), cost not given (actions.rep_cost_per_year)")).format(
                hires=int(part["hires"].sum()), what=_(what), where=where, cost=fmt_money(cost))
    if over_after == 0:
        text += _("; no hire is needed for the funnel")
    return text + _(".")
