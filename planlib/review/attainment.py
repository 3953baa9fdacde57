"""Quota attainment: each rep's revenue against quota, per quota period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.formatting import fmt_pct
from planlib.i18n import _
from planlib.review._common import _DAY, DateLike, _labels, _mask, _ratio, _require
from planlib.schema import ORDER_DATE, REP, REVENUE

# Quota table columns (as planlib.data.canonicalize_quotas writes them), or
# ``year`` + ``quarter`` instead of ``date`` for calendar-quarter quotas.
QUOTA = "quota"
QUOTA_DATE = "date"
QUOTA_YEAR = "year"
QUOTA_QUARTER = "quarter"


def compute_attainment(
    lines: pd.DataFrame, quotas: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None
) -> pd.DataFrame:
    """Revenue of each rep against quota, per quota period.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines with ``rep``.
    quotas : DataFrame
        ``rep, quota`` and either ``date`` (a period start, as the data stage writes
        it: a period runs to the next distinct start in the table, the last one for the
        median period length) or ``year, quarter`` (calendar quarters). Several rows
        for one rep and period are added up.
    year : int, optional
        Keep the periods whose middle falls in this year; default all periods.
    as_of : date-like, optional
        Ignore lines after it and periods starting after it; default the last order date.

    Returns
    -------
    DataFrame
        ``rep, period_start, period_end`` (inclusive), ``quota, revenue, attainment``
        (revenue / quota, NaN for a zero quota), ``gap`` (revenue - quota) and
        ``complete`` (the period ends on or before ``as_of``).
    """
    _require(lines, (ORDER_DATE, REVENUE, REP), "compute_attainment")
    for column in (REP, QUOTA):
        if column not in quotas.columns:
            raise DataError(f"the quota table needs column '{column}'; it has {', '.join(map(str, quotas.columns))}", column=column)
    if QUOTA_DATE in quotas.columns:
        starts_all = pd.to_datetime(quotas[QUOTA_DATE]).dt.normalize()
        starts = pd.DatetimeIndex(starts_all.unique()).sort_values()
        gap = pd.Series(starts).diff().median() if len(starts) > 1 else None
        ends = starts[1:].append(pd.DatetimeIndex([starts[-1] + gap if gap is not None else starts[-1] + pd.DateOffset(months=3)]))
    elif QUOTA_YEAR in quotas.columns and QUOTA_QUARTER in quotas.columns:
        starts_all = pd.to_datetime(
            {"year": quotas[QUOTA_YEAR].astype(int), "month": quotas[QUOTA_QUARTER].astype(int) * 3 - 2, "day": 1}
        )
        starts = pd.DatetimeIndex(starts_all.unique()).sort_values()
        ends = pd.DatetimeIndex([s + pd.DateOffset(months=3) for s in starts])
    else:
        raise DataError(
            f"the quota table needs a period: column '{QUOTA_DATE}' or columns '{QUOTA_YEAR}' and '{QUOTA_QUARTER}'; "
            f"it has {', '.join(map(str, quotas.columns))}",
            column=QUOTA_DATE,
        )
    cutoff = pd.Timestamp(as_of).normalize() if as_of is not None else pd.Timestamp(lines[ORDER_DATE].max()).normalize()
    period_of_quota = starts.get_indexer(starts_all)
    quota = (
        pd.DataFrame({REP: _labels(pd.Index(quotas[REP])), "period": period_of_quota, QUOTA: quotas[QUOTA].to_numpy(dtype=float)})
        .groupby([REP, "period"])[QUOTA].sum()
    )

    keep = _mask(lines[ORDER_DATE], starts[0], min(ends[-1], cutoff + _DAY))
    frame = lines.loc[keep, [REP, ORDER_DATE, REVENUE]]
    # half-open periods [start_i, end_i); a line in a gap between periods counts nowhere
    line_dates = frame[ORDER_DATE].to_numpy()
    position = np.searchsorted(starts.to_numpy(), line_dates, side="right") - 1
    inside = line_dates < ends.to_numpy()[position]
    revenue = (
        pd.DataFrame({REP: frame[REP].array[inside], "period": position[inside], REVENUE: frame[REVENUE].to_numpy()[inside]})
        .groupby([REP, "period"], observed=True)[REVENUE].sum()
    )
    revenue.index = revenue.index.set_levels(_labels(revenue.index.levels[0]), level=0)

    table = quota.to_frame().join(revenue.rename("revenue"), how="left").reset_index()
    table["revenue"] = table["revenue"].fillna(0.0)
    table["period_start"] = starts[table["period"].to_numpy()]
    table["period_end"] = ends[table["period"].to_numpy()] - _DAY
    table = table[table["period_start"] <= cutoff]
    if year is not None:
        middle = table["period_start"] + (table["period_end"] - table["period_start"]) / 2
        table = table[middle.dt.year == year]
    table["attainment"] = _ratio(table["revenue"], table[QUOTA])
    table["gap"] = table["revenue"] - table[QUOTA]
    table["complete"] = table["period_end"] <= cutoff
    out = table[[REP, "period_start", "period_end", QUOTA, "revenue", "attainment", "gap", "complete"]]
    return out.sort_values([REP, "period_start"], kind="stable").reset_index(drop=True)


def summarize_attainment(attainment: pd.DataFrame) -> str:
    """One-line takeaway of ``compute_attainment`` (complete periods only)."""
    done = attainment[attainment["complete"] & np.isfinite(attainment["attainment"])]
    if done.empty:
        return _("No complete quota period to compare with.")
    q1, median, q3 = done["attainment"].quantile([0.25, 0.5, 0.75])
    met = (done["attainment"] >= 1.0).mean()
    total = _ratio(done["revenue"].sum(), done[QUOTA].sum())
    return _("Median attainment {median} per rep-period (IQR {q1}-{q3}, {count} rep-periods); {met} met quota; "
             "revenue was {total} of total quota.").format(
        median=fmt_pct(median, digits=0), q1=fmt_pct(q1, digits=0), q3=fmt_pct(q3, digits=0), count=len(done),
        met=fmt_pct(met, digits=0), total=fmt_pct(total, digits=0))
