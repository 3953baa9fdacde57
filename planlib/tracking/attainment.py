"""Actual against plan to date: attainment, run-rate projection and traffic light per target."""

from __future__ import annotations


import numpy as np
import pandas as pd

from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import _, fmt_month, header, value_label
from planlib.tracking._common import (
    DIMENSION,
    DIMENSIONS,
    DateLike,
    MONTH,
    SEGMENT,
    TARGET,
    TOTAL,
    VACANT_REP,
    _DAY,
    _Lines,
    _as_text,
    _check_thresholds,
    _dims_of,
    _elapsed_share,
    _light,
    _plan_context,
    _ratio,
)


def compare_to_plan(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    history: pd.DataFrame | None = None,
    green: float = 0.98,
    amber: float = 0.90,
    by_month: bool = False,
) -> pd.DataFrame:
    """Actual against plan to date in every dimension of the plan.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target`` (see the module docstring).
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals (inclusive); a day inside a month compares that month pro rata
        by calendar days.
    history : DataFrame, optional
        Earlier order lines; required when the plan has ``customer_type`` targets.
    green, amber : float, default 0.98 and 0.90
        Traffic-light thresholds on attainment (``plan.tracking.green/amber``).
    by_month : bool, default False
        One row per elapsed month instead of one row to date.

    Returns
    -------
    DataFrame
        To date: ``dimension, segment, annual_target, plan_to_date, actual, gap,
        attainment, status, plan_share_elapsed, projection, projected_attainment,
        projected_gap, projected_status``. By month: ``dimension, segment, month, target,
        elapsed_share, plan_to_date, actual, gap, attainment, status``. ``gap = actual -
        plan_to_date`` (negative = behind); ``projection = actual / plan_share_elapsed``.
        Segments with actuals but no target have target 0 and status ``"n/a"``; each
        dimension's actuals add up to the total actual.
    """
    where = "compare_to_plan"
    _check_thresholds(green, amber, where)
    plan, _unused, year, year_start, asof = _plan_context(targets_long, as_of, where)
    lines = _Lines(orders, year_start, asof + _DAY, history=history, year_start=year_start, where=where)
    months = pd.date_range(year_start, periods=12, freq="MS")
    elapsed = np.array([_elapsed_share(m, asof) for m in months])
    parts = []
    for dim in _dims_of(plan):
        rows = plan[plan[DIMENSION] == dim]
        grid = rows.assign(month_index=rows[MONTH].dt.month - 1)[[SEGMENT, "month_index", TARGET]]
        actual = lines.actual_by_month(dim)
        table = grid.merge(actual, on=[SEGMENT, "month_index"], how="outer")
        table[TARGET] = table[TARGET].fillna(0).astype(np.int64)
        table["actual"] = table["actual"].fillna(0.0)
        table["elapsed_share"] = elapsed[table["month_index"].to_numpy()]
        table["plan_to_date"] = table[TARGET] * table["elapsed_share"]
        table.insert(0, DIMENSION, dim)
        parts.append(table)
    long = pd.concat(parts, ignore_index=True)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    if by_month:
        long = long[long["elapsed_share"] > 0].copy()
        long[MONTH] = months[long["month_index"].to_numpy()]
        long["gap"] = long["actual"] - long["plan_to_date"]
        long["attainment"] = _ratio(long["actual"], long["plan_to_date"])
        long["status"] = _light(long["attainment"].to_numpy(), green, amber)
        long["_d"] = long[DIMENSION].map(order)
        long = long.sort_values(["_d", SEGMENT, MONTH], kind="mergesort")
        out = long[[DIMENSION, SEGMENT, MONTH, TARGET, "elapsed_share", "plan_to_date", "actual",
                    "gap", "attainment", "status"]].reset_index(drop=True)
    else:
        out = long.groupby([DIMENSION, SEGMENT], as_index=False, sort=False).agg(
            annual_target=(TARGET, "sum"), plan_to_date=("plan_to_date", "sum"), actual=("actual", "sum"))
        out["annual_target"] = out["annual_target"].astype(np.int64)
        out["gap"] = out["actual"] - out["plan_to_date"]
        out["attainment"] = _ratio(out["actual"], out["plan_to_date"])
        out["status"] = _light(out["attainment"].to_numpy(), green, amber)
        out["plan_share_elapsed"] = _ratio(out["plan_to_date"], out["annual_target"])
        out["projection"] = _ratio(out["actual"], out["plan_share_elapsed"])
        out["projected_attainment"] = _ratio(out["projection"], out["annual_target"])
        out["projected_gap"] = out["projection"] - out["annual_target"]
        out["projected_status"] = _light(out["projected_attainment"].to_numpy(), green, amber)
        out["_d"] = out[DIMENSION].map(order)
        out = out.sort_values(["_d", SEGMENT], kind="mergesort").drop(columns="_d").reset_index(drop=True)
    out = _as_text(out, [DIMENSION, SEGMENT, "status", "projected_status"])
    out.attrs.update({"as_of": asof, "plan_year": year, "lines_outside": lines.outside})
    return out


def summarize_tracking(comparison: pd.DataFrame) -> str:
    """One-line takeaway of :func:`compare_to_plan` (to-date form).

    Returns
    -------
    str
        e.g. ``"To 15 May: actual 4.1M against 4.3M planned (95.3%, amber); run-rate
        projection 11.5M for the year (95.8% of 12.0M); weakest region: East (82.0%, red)."``
    """
    total = comparison[comparison[DIMENSION] == TOTAL]
    if total.empty:
        total = comparison[comparison[DIMENSION] == MONTH]
    if total.empty or "annual_target" not in comparison.columns:
        return _("No total to summarize.")
    row = total.iloc[0]
    asof = comparison.attrs.get("as_of")
    head = _("To {day} {month}: ").format(day=asof.day, month=fmt_month(asof, with_year=False)) if isinstance(asof, pd.Timestamp) else ""
    text = head + _("actual {actual} against {plan} planned ({attainment}, {status})").format(
        actual=fmt_money(row["actual"]), plan=fmt_money(row["plan_to_date"]), attainment=fmt_pct(row["attainment"]),
        status=value_label("status", row["status"]))
    if np.isfinite(row["projection"]):
        text += _("; run-rate projection {projection} for the year ({share} of {target})").format(
            projection=fmt_money(row["projection"]), share=fmt_pct(row["projected_attainment"]), target=fmt_money(row["annual_target"]))
    segments = comparison[~comparison[DIMENSION].isin([TOTAL, MONTH])
                          & np.isfinite(comparison["attainment"].to_numpy(dtype=float))]
    vacant = segments[segments[SEGMENT].astype(str) == VACANT_REP]
    segments = segments[segments[SEGMENT].astype(str) != VACANT_REP]  # a seat, not a person to chase
    if not segments.empty:
        worst = segments.loc[segments["attainment"].idxmin()]
        text += _("; weakest {dimension}: {segment} ({attainment}, {status})").format(
            dimension=header(worst[DIMENSION]), segment=worst[SEGMENT], attainment=fmt_pct(worst["attainment"]),
            status=value_label("status", worst["status"]))
    if not vacant.empty:
        text += _("; {amount} of the plan to date sits with no rep (a vacant seat: give it an owner)").format(
            amount=fmt_money(vacant["plan_to_date"].sum()))
    return text + _(".")
