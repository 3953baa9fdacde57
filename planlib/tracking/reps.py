"""Re-spread region targets to the reps in seat, by capacity (leavers hand theirs on)."""

from __future__ import annotations


import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import split_total
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.tracking._common import (
    CarryForward,
    DIMENSION,
    MONTH,
    POLICIES,
    SEGMENT,
    TARGET,
    VACANT_REP,
    _check_choice,
    _check_unit,
    _grid,
    _month_end,
    _respread_rows,
    _sort_long,
    _validate_targets,
)


def _in_seat(hire: pd.Timestamp | None, leave: pd.Timestamp | None, month: pd.Timestamp) -> float:
    """Share of the month's days between hire and leave dates (both inclusive)."""
    end = _month_end(month)
    first = month if hire is None or hire <= month else hire
    last = end if leave is None or leave >= end else leave
    if last < first:
        return 0.0
    return ((last - first).days + 1) / end.day


def respread_to_reps(
    respread: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    targets_long: pd.DataFrame,
    carry_forward: CarryForward = "carry_shortfall",
    unit: int = 1,
) -> pd.DataFrame:
    """Split each region's re-spread month targets over the reps in seat, by capacity.

    In each open month a rep keeps their original target times their share of the
    month's days in seat (a rep who left keeps nothing after leaving); what the region
    needs beyond what its reps keep -- the region's shortfall or surplus, and the share of
    reps who left -- goes to the region's reps in seat that month in proportion to
    ``capacity x share of days in seat`` (largest remainder). A region with nobody in seat
    gives its month to a ``"(vacant)"`` row. So each region's reps add up to the region's
    month target exactly. ``required`` uses the region's required amounts; ``target`` the
    same rule applied to the region's ``target`` column (its re-plan policy; without that
    column ``required``, or the originals for ``hold_annual``: only leavers' targets move).

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (its ``region`` rows are used).
    reps : DataFrame
        ``rep, region`` and optionally ``hire_date, leave_date`` (NaT = none) and
        ``capacity`` (default 1).
    targets_long : DataFrame
        The annual plan (its ``rep`` rows give the originals; absent reps have 0).
    carry_forward : {"carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"}
        The re-plan policy (used only when ``respread`` lacks a ``target`` column).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``dimension`` (``"rep"``), ``segment, month, original, required, target, change``
        for every rep of the side table in a region with targets and every rep of the
        plan, over the open months.
    """
    where = "respread_to_reps"
    _check_choice(carry_forward, "carry_forward", POLICIES, where)
    unit = _check_unit(unit, where)
    require_frame(respread, "respread", where, [DIMENSION, SEGMENT, MONTH, "original", "required"])
    return _respread_to_reps(respread, reps, _validate_targets(targets_long, where), carry_forward,
                             unit, where)


def _respread_to_reps(respread: pd.DataFrame, reps: pd.DataFrame, plan: pd.DataFrame,
                      carry_forward: str, unit: int, where: str) -> pd.DataFrame:
    """:func:`respread_to_reps` on a validated plan."""
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    regions = respread[respread[DIMENSION] == schema.REGION]
    if regions.empty:
        raise DataError(f"{where} needs region rows in the re-spread (the plan has no region "
                        f"targets to share among reps)", column=schema.REGION)
    reps_table = pd.DataFrame({schema.REP: reps[schema.REP].astype(str).to_numpy(dtype=object),
                               schema.REGION: reps[schema.REGION].astype(str).to_numpy(dtype=object)})
    dup = reps_table[schema.REP].duplicated()
    if dup.any():
        raise DataError(f"the 'reps' frame given to {where} repeats rep(s) "
                        f"{reps_table.loc[dup, schema.REP].unique()[:5].tolist()}", column=schema.REP)
    if schema.REP_CAPACITY in reps.columns:
        capacity = pd.to_numeric(reps[schema.REP_CAPACITY], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(capacity) | (capacity < 0)
        if bad.any():
            rows = np.flatnonzero(bad)[:5].tolist()
            raise DataError(f"the 'reps' frame given to {where} must hold non-negative numbers in "
                            f"'{schema.REP_CAPACITY}'; bad rows {rows}", column=schema.REP_CAPACITY, rows=rows)
    else:
        capacity = np.ones(len(reps_table))
    reps_table["capacity"] = capacity
    for col in (schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE):
        reps_table[col] = (pd.to_datetime(reps[col], errors="coerce").dt.normalize().to_numpy()
                           if col in reps.columns else pd.NaT)
    months = pd.DatetimeIndex(sorted(pd.to_datetime(regions[MONTH]).unique()))
    rep_names, rep_grid = _grid(plan[plan[DIMENSION] == schema.REP])
    rep_original = dict(zip(rep_names, rep_grid[:, months.month - 1]))
    k = len(months)
    zeros = np.zeros(k, dtype=np.int64)
    region_names, region_required = _grid(regions.assign(**{TARGET: regions["required"],
                                                            MONTH: pd.to_datetime(regions[MONTH])}))
    _, region_original = _grid(regions.assign(**{TARGET: regions["original"],
                                                 MONTH: pd.to_datetime(regions[MONTH])}))
    if TARGET in regions.columns:
        _, region_target = _grid(regions.assign(**{MONTH: pd.to_datetime(regions[MONTH])}))
    else:
        region_target = region_original if carry_forward == "hold_annual" else region_required
    region_required = region_required[:, months.month - 1]
    region_original = region_original[:, months.month - 1]
    region_target = region_target[:, months.month - 1]
    required: dict[str, np.ndarray] = {}
    target: dict[str, np.ndarray] = {}
    for g, region in enumerate(region_names):
        members = reps_table[reps_table[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        names = list(members[schema.REP])
        seat = np.array([[_in_seat(None if pd.isna(h) else pd.Timestamp(h),
                                   None if pd.isna(lv) else pd.Timestamp(lv), month) for month in months]
                         for h, lv in zip(members[schema.REP_HIRE_DATE], members[schema.REP_LEAVE_DATE])],
                        dtype=float).reshape(len(names), k)
        original = np.array([rep_original.get(name, zeros) for name in names], dtype=float).reshape(len(names), k)
        kept = (np.floor(original * seat / unit + 0.5) * unit).astype(np.int64)
        weight = members["capacity"].to_numpy(dtype=float)[:, None] * seat
        for out, need in ((required, region_required[g]), (target, region_target[g])):
            values, vacant = _share_pool(need, kept, weight, unit)
            for name, row in zip(names, values):
                out[name] = out.get(name, zeros) + row
            if vacant.any():
                out[VACANT_REP] = out.get(VACANT_REP, zeros) + vacant
    names = sorted(set(required) | set(target) | set(rep_original))  # a vacant seat may hold only target
    n = len(names)
    original = np.vstack([rep_original.get(name, zeros) for name in names]) if n else np.zeros((0, k), np.int64)
    req = np.vstack([required.get(name, zeros) for name in names]) if n else original
    tgt = np.vstack([target.get(name, zeros) for name in names]) if n else original
    out = _respread_rows(schema.REP, np.asarray(names, dtype=object), months, original, req, tgt)
    out[TARGET] = tgt.ravel().astype(np.int64)
    out["change"] = (out[TARGET] - out["original"]).astype(np.int64)
    return _sort_long(out)


def _share_pool(need: np.ndarray, kept: np.ndarray, weight: np.ndarray, unit: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Kept amounts plus each month's pool (need - kept) split by weight; pool of an empty month to vacant."""
    values = kept.copy()
    vacant = np.zeros(len(need), dtype=np.int64)
    for j in range(len(need)):
        pool = int(need[j]) - int(kept[:, j].sum())
        if pool == 0:
            continue
        if weight[:, j].sum() > 0:
            values[:, j] += split_total(pool, weight[:, j], unit=unit).to_numpy(dtype=np.int64)
        else:
            vacant[j] = pool
    return values, vacant
