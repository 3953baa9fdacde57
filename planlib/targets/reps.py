"""Rep quotas by capacity and time in seat (month by month, with ramp-up), and the vacant seat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError
from planlib.targets._common import BASELINE, MONTH, TARGET, VACANT_REP, _numeric, _robust_z, summarize_actuals


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


def assess_rep_fairness(
    rep_targets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    year: int | None = None,
    region_potential: pd.DataFrame | None = None,
    threshold: float = 3.5,
) -> pd.DataFrame:
    """How fair is each quota: against the rep's own history and the region's potential.

    Parameters
    ----------
    rep_targets : DataFrame
        From :func:`allocate_to_reps`.
    orders : DataFrame, optional
        Order lines with ``rep``, for each rep's revenue in ``year``.
    year : int, optional
        The history year (usually the plan year minus one); needed with ``orders``.
    region_potential : DataFrame, optional
        ``region, potential`` (market size or forecast per region).
    threshold : float, default 3.5
        A robust z-score beyond +-threshold flags an outlier.

    Returns
    -------
    DataFrame
        Per rep with a target: ``rep, region, status, target, effective_capacity,
        target_per_capacity, history, growth_vs_history, potential,
        target_to_potential, z_target_per_capacity, z_growth, outlier, reason``.
        ``effective_capacity`` = capacity x effective months / 12; ``potential`` is the
        region's potential times the rep's share of it; z-scores are modified z-scores
        (median / MAD) across reps; ``reason`` says why a rep is flagged.
    """
    where = "assess_rep_fairness"
    require_frame(rep_targets, "rep_targets", where,
                   [schema.REP, schema.REGION, "status", "weight", "share", TARGET])
    require_number(threshold, "threshold", where, low=0.0, low_open=True)
    out = rep_targets[[schema.REP, schema.REGION, "status", TARGET]].copy()
    out["effective_capacity"] = rep_targets["weight"].to_numpy(dtype=float) / 12.0
    cap = out["effective_capacity"].to_numpy()
    out["target_per_capacity"] = np.divide(out[TARGET].to_numpy(dtype=float), cap,
                                           out=np.full(len(out), np.nan), where=cap > 0)
    if orders is not None:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        hist = summarize_actuals(orders, year=year, by=schema.REP).set_index(schema.REP)[BASELINE]
        out["history"] = out[schema.REP].map(hist).fillna(0.0).astype(float)
    else:
        out["history"] = np.nan
    out["growth_vs_history"] = np.divide(out[TARGET].to_numpy(dtype=float), out["history"].to_numpy(),
                                         out=np.full(len(out), np.nan),
                                         where=out["history"].to_numpy() > 0) - 1
    if region_potential is not None:
        require_frame(region_potential, "region_potential", where, [schema.REGION, "potential"])
        pot = pd.Series(_numeric(region_potential, "potential", "region_potential", where),
                        index=region_potential[schema.REGION].astype(str).to_numpy())
        out["potential"] = out[schema.REGION].map(pot).astype(float) * rep_targets["share"].to_numpy(dtype=float)
    else:
        out["potential"] = np.nan
    out["target_to_potential"] = np.divide(out[TARGET].to_numpy(dtype=float), out["potential"].to_numpy(),
                                           out=np.full(len(out), np.nan),
                                           where=out["potential"].to_numpy() > 0)
    out = out[(out[TARGET] > 0) & (out["status"] != "vacant")].reset_index(drop=True)
    out["z_target_per_capacity"] = _robust_z(out["target_per_capacity"].to_numpy(dtype=float))
    out["z_growth"] = _robust_z(out["growth_vs_history"].to_numpy(dtype=float))
    reasons = []
    for zt, zg in zip(out["z_target_per_capacity"], out["z_growth"]):
        r = []
        if np.isfinite(zt) and abs(zt) > threshold:
            r.append(f"quota per capacity {'high' if zt > 0 else 'low'} (z={zt:.1f})")
        if np.isfinite(zg) and abs(zg) > threshold:
            r.append(f"growth vs history {'high' if zg > 0 else 'low'} (z={zg:.1f})")
        reasons.append("; ".join(r))
    out["reason"] = reasons
    out["outlier"] = out["reason"] != ""
    return out[[schema.REP, schema.REGION, "status", TARGET, "effective_capacity",
                "target_per_capacity", "history", "growth_vs_history", "potential",
                "target_to_potential", "z_target_per_capacity",
                "z_growth", "outlier", "reason"]]


def summarize_quota_spread(fairness: pd.DataFrame) -> pd.DataFrame:
    """Spread of the fairness measures across reps.

    Parameters
    ----------
    fairness : DataFrame
        From :func:`assess_rep_fairness`.

    Returns
    -------
    DataFrame
        One row per measure (``target_per_capacity, growth_vs_history,
        target_to_potential``): ``measure, n, min, p25, median, p75, max, iqr, cv,
        outliers`` (cv = standard deviation / mean).
    """
    where = "summarize_quota_spread"
    measures = ["target_per_capacity", "growth_vs_history", "target_to_potential"]
    require_frame(fairness, "fairness", where, [*measures, "reason"])
    rows = []
    for m in measures:
        x = fairness[m].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        row = {"measure": m, "n": len(x)}
        if len(x):
            q = np.quantile(x, [0, 0.25, 0.5, 0.75, 1])
            mean = x.mean()
            row.update(min=q[0], p25=q[1], median=q[2], p75=q[3], max=q[4], iqr=q[3] - q[1],
                       cv=x.std(ddof=0) / abs(mean) if mean else np.nan)
        else:
            row.update(min=np.nan, p25=np.nan, median=np.nan, p75=np.nan, max=np.nan, iqr=np.nan,
                       cv=np.nan)
        label = {"target_per_capacity": "quota per capacity",
                 "growth_vs_history": "growth vs history"}.get(m)
        row["outliers"] = (int(fairness["reason"].astype(str).str.contains(label, regex=False).sum())
                           if label else 0)
        rows.append(row)
    return pd.DataFrame(rows)
