"""Rep quotas by capacity and time in seat (month by month, with ramp-up), and the vacant seat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError
from planlib.targets._common import MONTH, TARGET, VACANT_REP, _numeric


def _monthly_presence(hire: pd.Timestamp | None, leave: pd.Timestamp | None, plan_year: int,
                      ramp_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Per month of the plan year: (share of the month in seat, that share times the ramp).

    Presence counts days (hire and leave dates inclusive); productivity ramps linearly
    over ``ramp_months``: the k-th month since the hire month (hire month = 1st) works at
    ``min(1, k / ramp_months)``.
    """
    present, effective = np.zeros(12), np.zeros(12)
    for m in range(1, 13):
        start = pd.Timestamp(plan_year, m, 1)
        end = start + pd.offsets.MonthEnd(0)
        first = start if hire is None or hire <= start else hire
        last = end if leave is None or leave >= end else leave
        if last < first:
            continue
        frac = ((last - first).days + 1) / end.day
        ramp = 1.0
        if hire is not None and ramp_months > 0:
            k = (start.year - hire.year) * 12 + (start.month - hire.month) + 1
            ramp = min(1.0, max(k, 1) / ramp_months)
        present[m - 1], effective[m - 1] = frac, frac * ramp
    return present, effective


def rep_presence_by_month(reps: pd.DataFrame, *, plan_year: int, ramp_months: int = 6) -> pd.DataFrame:
    """``rep, month, presence``: each rep's productive share of each plan-year month.

    The same day count and ramp as :func:`allocate_to_reps`, month by month, so a rep
    hired in July gets no January target and a leaver none after leaving.
    """
    hires = reps[schema.REP_HIRE_DATE] if schema.REP_HIRE_DATE in reps.columns else pd.Series(pd.NaT, index=reps.index)
    leaves = reps[schema.REP_LEAVE_DATE] if schema.REP_LEAVE_DATE in reps.columns else pd.Series(pd.NaT, index=reps.index)
    months = pd.date_range(f"{plan_year}-01-01", periods=12, freq="MS")
    parts = []
    for rep, hire, leave in zip(reps[schema.REP].astype(str), pd.to_datetime(hires), pd.to_datetime(leaves)):
        _, effective = _monthly_presence(None if pd.isna(hire) else hire.normalize(),
                                         None if pd.isna(leave) else leave.normalize(), plan_year, ramp_months)
        parts.append(pd.DataFrame({schema.REP: rep, MONTH: months, "presence": effective}))
    if not parts:
        return pd.DataFrame(columns=[schema.REP, MONTH, "presence"])
    return pd.concat(parts, ignore_index=True)


def allocate_to_reps(
    region_targets: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    plan_year: int,
    ramp_months: int = 6,
    month_targets: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split each region's target over its reps by capacity and time in seat.

    With ``month_targets`` (``region, month, target``, e.g. the region x month sums of
    the target cube) each month's region target is shared by the reps in seat that
    month (by capacity x ramped presence) and a rep's weight is the sum of those shares:
    a rep who leaves after a slow quarter carries a slow quarter's target, never more
    than the months they are there can hold. Months with no one in seat go to the
    ``"(vacant)"`` row.

    A rep's weight is ``capacity x effective months``: months present in the plan year
    (none if they left before it or join after it, pro rata by day when joining or
    leaving during it), each weighted by a linear ramp-up for recent hires (month k after
    hiring counts ``k / ramp_months``, full from month ``ramp_months``). A region's target
    is split by these weights (largest remainder); a region with a target but no one to
    carry it gets a ``"(vacant)"`` row.

    Parameters
    ----------
    region_targets : DataFrame
        ``region, target`` (e.g. from :func:`allocate_by_stage`).
    reps : DataFrame
        ``rep, region`` and optionally ``hire_date, leave_date, capacity`` (default 1).
    plan_year : int
        The calendar year planned.
    ramp_months : int, default 6
        Months to full productivity (0 = none).
    month_targets : DataFrame, optional
        ``region, month, target``: the seasonal weights of each region's months.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``rep, region, status, capacity, months_present, effective_months, weight,
        share, target`` sorted by region then rep; ``status`` is one of ``active,
        ramping, joining, leaving, left, not_started, vacant``; each region's targets add up to its
        target exactly.
    """
    where = "allocate_to_reps"
    require_frame(region_targets, "region_targets", where, [schema.REGION, TARGET])
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    require_unique(region_targets, schema.REGION, "region_targets", where)
    require_unique(reps, schema.REP, "reps", where)
    if isinstance(ramp_months, bool) or not isinstance(ramp_months, (int, np.integer)) or ramp_months < 0:
        raise ParamsError(f"the 'ramp_months' parameter of {where} must be a non-negative integer; "
                          f"got {ramp_months!r} instead", key="ramp_months")
    targets = pd.Series(_numeric(region_targets, TARGET, "region_targets", where),
                        index=region_targets[schema.REGION].astype(str).to_numpy())
    table = pd.DataFrame({schema.REP: reps[schema.REP].astype(str).to_numpy(),
                          schema.REGION: reps[schema.REGION].astype(str).to_numpy()})
    unknown = sorted(set(table[schema.REGION]) - set(targets.index))
    if unknown:
        raise DataError(f"the reps given to {where} sit in region(s) {unknown[:5]} that have no "
                        f"target", column=schema.REGION)
    capacity = (_numeric(reps, schema.REP_CAPACITY, "reps", where)
                if schema.REP_CAPACITY in reps.columns else np.ones(len(reps)))
    hires = (pd.to_datetime(reps[schema.REP_HIRE_DATE]) if schema.REP_HIRE_DATE in reps.columns
             else pd.Series(pd.NaT, index=reps.index))
    leaves = (pd.to_datetime(reps[schema.REP_LEAVE_DATE]) if schema.REP_LEAVE_DATE in reps.columns
              else pd.Series(pd.NaT, index=reps.index))
    year_start, year_end = pd.Timestamp(plan_year, 1, 1), pd.Timestamp(plan_year, 12, 31)
    present, effective, status, monthly = [], [], [], []
    for hire, leave in zip(hires, leaves):
        h = None if pd.isna(hire) else pd.Timestamp(hire).normalize()
        lv = None if pd.isna(leave) else pd.Timestamp(leave).normalize()
        if h is not None and lv is not None and lv < h:
            raise DataError(f"the reps given to {where} have a leave date before the hire date "
                            f"({lv.date()} < {h.date()})", column=schema.REP_LEAVE_DATE)
        p_m, e_m = _monthly_presence(h, lv, plan_year, ramp_months)
        p, e = float(p_m.sum()), float(e_m.sum())
        monthly.append(e_m)
        present.append(p)
        effective.append(e)
        if lv is not None and lv < year_start:
            status.append("left")
        elif h is not None and h > year_end:
            status.append("not_started")
        elif lv is not None and lv < year_end:
            status.append("leaving")
        elif h is not None and h > year_start and e >= p - 1e-12:
            status.append("joining")
        elif e < p - 1e-12:
            status.append("ramping")
        else:
            status.append("active")
    table["status"] = status
    table["capacity"] = capacity
    table["months_present"] = present
    table["effective_months"] = effective
    table["weight"] = table["capacity"] * table["effective_months"]
    seats = np.asarray(capacity, dtype=float)[:, None] * (np.vstack(monthly) if monthly else np.zeros((0, 12)))
    seasonal = None
    if month_targets is not None:
        require_frame(month_targets, "month_targets", where, [schema.REGION, MONTH, TARGET])
        seasonal = (month_targets.assign(**{schema.REGION: month_targets[schema.REGION].astype(str),
                                            MONTH: pd.to_datetime(month_targets[MONTH]).dt.month})
                    .pivot_table(index=schema.REGION, columns=MONTH, values=TARGET, aggfunc="sum")
                    .reindex(columns=range(1, 13)).fillna(0.0))
    parts = []
    for region in sorted(targets.index):
        rows = table[table[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        target = targets[region]
        uncovered = 0.0
        if seasonal is not None and region in seasonal.index:
            month_t = seasonal.loc[region].to_numpy(dtype=float)
            s_m = seats[rows.index.to_numpy()]
            in_seat = s_m.sum(axis=0)
            share = np.divide(s_m, in_seat, out=np.zeros_like(s_m), where=in_seat > 0)
            rows = rows.assign(weight=share @ month_t)
            uncovered = float(month_t[in_seat <= 0].sum())
        if target != 0 and (rows["weight"].sum() <= 0 or uncovered > 0):
            rows = pd.concat([rows, pd.DataFrame([{
                schema.REP: VACANT_REP, schema.REGION: region, "status": "vacant",
                "capacity": 0.0, "months_present": 0.0, "effective_months": 0.0,
                "weight": uncovered if uncovered > 0 else 1.0}])],
                ignore_index=True)
        if rows.empty:
            continue
        w = rows["weight"]
        rows = rows.assign(share=w / w.sum() if w.sum() > 0 else 0.0)
        rows[TARGET] = split_total(target, w.reset_index(drop=True), unit=unit).to_numpy()
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out.loc[out["status"] == "vacant", "weight"] = 0.0
    out[TARGET] = out[TARGET].astype("int64")
    return out[[schema.REP, schema.REGION, "status", "capacity", "months_present",
                "effective_months", "weight", "share", TARGET]]
