"""Fairness of rep quotas: quota per unit of capacity and per unit of potential, real outliers only.

Scores are robust z-scores of the logarithm of each ratio across reps in seat (house
sales and vacant seats are not people and are left out); a rep is flagged only when the
score is extreme *and* the ratio is far from the typical one, and the reason says what
to check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame, require_number
from planlib.errors import ParamsError
from planlib.targets._common import BASELINE, TARGET, VACANT_REP, _numeric, _robust_z, summarize_actuals

NOT_PEOPLE = ("house", "vacant")
FAIRNESS_COLUMNS = [schema.REP, schema.REGION, "status", TARGET, "effective_capacity", "target_per_capacity", "history",
                    "growth_vs_history", "potential", "target_to_potential", "z_target_per_capacity", "z_target_to_potential",
                    "z_growth", "outlier", "reason"]


def _log_z(values: np.ndarray) -> np.ndarray:
    """Robust z-score of log(values); NaN where a value is missing or not positive."""
    logs = np.full(len(values), np.nan)
    ok = np.isfinite(values) & (values > 0)
    logs[ok] = np.log(values[ok])
    return _robust_z(logs)


def _why(name: str, shown: tuple[str, str], ratio: float, z: float, advice: tuple[str, str]) -> str:
    """The reason in words: which measure, how far from the typical rep, and what to check."""
    side = 0 if ratio > 1 else 1
    return (f"{name} {shown[0]} is {abs(ratio - 1):.0%} {'above' if side == 0 else 'below'} the typical "
            f"{shown[1]} (z={z:+.1f}): {advice[side]}")


def assess_rep_fairness(
    rep_targets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    year: int | None = None,
    region_potential: pd.DataFrame | None = None,
    threshold: float = 3.5,
    min_gap: float = 0.25,
) -> pd.DataFrame:
    """How fair is each quota: per unit of capacity, per unit of potential, against history.

    Parameters
    ----------
    rep_targets : DataFrame
        From :func:`planlib.targets.summarize_rep_quotas` (or :func:`allocate_to_reps`):
        ``rep, region, status, capacity, effective_months, target`` and optionally
        ``book`` (the rep's own book forecast, their potential).
    orders : DataFrame, optional
        Order lines with ``rep``, for each rep's revenue in ``year``.
    year : int, optional
        The history year (usually the plan year minus one); needed with ``orders``.
    region_potential : DataFrame, optional
        ``region, potential``; used as potential (times the rep's share) when there is no ``book``.
    threshold : float, default 3.5
        A robust z-score (of the log ratio) beyond +-threshold may flag an outlier.
    min_gap : float, default 0.25
        ... and only when the ratio is also at least this far (relative) from the median.

    Returns
    -------
    DataFrame
        Per rep in seat with a target: ``rep, region, status, target, effective_capacity,
        target_per_capacity, history, growth_vs_history, potential, target_to_potential,
        z_target_per_capacity, z_target_to_potential, z_growth, outlier, reason``.
        ``effective_capacity`` = capacity x effective months / 12; growth against history
        is scored for reps in seat all of last year and this year only (a new hire's
        growth says nothing).
    """
    where = "assess_rep_fairness"
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, "status", "capacity", "effective_months", TARGET])
    z_max = require_number(threshold, "threshold", where, low=0.0, low_open=True)
    gap = require_number(min_gap, "min_gap", where, low=0.0)
    out = rep_targets[[schema.REP, schema.REGION, "status", TARGET]].copy().reset_index(drop=True)
    capacity = _numeric(rep_targets, "capacity", "rep_targets", where) * _numeric(rep_targets, "effective_months", "rep_targets", where)
    out["effective_capacity"] = capacity / 12.0
    amount = out[TARGET].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["target_per_capacity"] = np.where(capacity > 0, amount / (capacity / 12.0), np.nan)
    if orders is not None:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        hist = summarize_actuals(orders, year=year, by=schema.REP).set_index(schema.REP)[BASELINE]
        out["history"] = out[schema.REP].map(hist).fillna(0.0).astype(float)
    else:
        out["history"] = np.nan
    if "book" in rep_targets.columns:
        out["potential"] = rep_targets["book"].to_numpy(dtype=float)
    elif region_potential is not None:
        require_frame(region_potential, "region_potential", where, [schema.REGION, "potential"])
        pot = pd.Series(_numeric(region_potential, "potential", "region_potential", where),
                        index=region_potential[schema.REGION].astype(str).to_numpy())
        share = rep_targets["share"].to_numpy(dtype=float) if "share" in rep_targets else np.nan
        out["potential"] = out[schema.REGION].map(pot).astype(float).to_numpy() * share
    else:
        out["potential"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth_vs_history"] = np.where(out["history"] > 0, amount / out["history"] - 1, np.nan)
        out["target_to_potential"] = np.where(out["potential"] > 0, amount / out["potential"], np.nan)
    people = (out[TARGET] > 0) & ~out["status"].isin(NOT_PEOPLE) & (out[schema.REP] != VACANT_REP)
    out = out.loc[people].reset_index(drop=True)
    out["z_target_per_capacity"] = _log_z(out["target_per_capacity"].to_numpy(dtype=float))
    out["z_target_to_potential"] = _log_z(out["target_to_potential"].to_numpy(dtype=float))
    settled = (out["status"] == "active").to_numpy()
    growth = np.where(settled, 1 + out["growth_vs_history"].to_numpy(dtype=float), np.nan)
    out["z_growth"] = _log_z(growth)
    checks = [
        ("target_per_capacity", "z_target_per_capacity", "quota per unit of capacity",
         ("check the seat can carry it (more selling time, support or a smaller territory)",
          "check the seat is used (more accounts or a larger territory)")),
        ("target_to_potential", "z_target_to_potential", "quota per unit of potential (own book forecast)",
         ("check the book: the quota asks more of it than of others'; lower it or add accounts",
          "check the book: the quota asks less of it than of others'; raise it or move accounts")),
        ("growth_vs_history", "z_growth", "growth on last year",
         ("talk it through with the rep: the jump on last year is far above the team's",
          "talk it through with the rep: the quota is far below last year's sales")),
    ]
    reasons = [[] for _ in range(len(out))]
    for column, zcol, label, advice in checks:
        values = out[column].to_numpy(dtype=float) + (1.0 if column == "growth_vs_history" else 0.0)
        z = out[zcol].to_numpy(dtype=float)
        usable = np.isfinite(values) & (values > 0) & np.isfinite(z)
        if column == "growth_vs_history":
            usable &= settled
        if not usable.any():
            continue
        typical = float(np.median(values[usable]))
        for i in np.flatnonzero(usable & (np.abs(z) > z_max) & (np.abs(values / typical - 1) >= gap)):
            shown = ((f"{values[i] - 1:+.0%}", f"{typical - 1:+.0%}") if column == "growth_vs_history"
                     else (f"{values[i]:,.2f}", f"{typical:,.2f}"))
            reasons[i].append(_why(label, shown, values[i] / typical, z[i], advice))
    out["reason"] = ["; ".join(r) for r in reasons]
    out["outlier"] = out["reason"] != ""
    return out[FAIRNESS_COLUMNS]


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
        label = {"target_per_capacity": "quota per unit of capacity", "growth_vs_history": "growth on last year",
                 "target_to_potential": "quota per unit of potential"}[m]
        row["outliers"] = int(fairness["reason"].astype(str).str.contains(label, regex=False).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def measure_quota_spread(actuals: pd.DataFrame, quotas: pd.DataFrame, *, by: tuple[str, ...] = ("rep", "quarter")) -> dict[str, float]:
    """How uneven quotas were in hindsight: the IQR of log(actual / quota) over rep-periods.

    Parameters
    ----------
    actuals : DataFrame
        ``rep, quarter, actual``: what each rep sold in each period.
    quotas : DataFrame
        ``rep, quarter, quota``: the quotas to judge (planlib's or the company's own).
    by : tuple of str, default ("rep", "quarter")
        The columns naming a rep-period.

    Returns
    -------
    dict
        ``iqr`` (p75 - p25 of the log ratios), ``median`` and ``n``, over the rep-periods
        with a positive actual and a positive quota; a perfectly fair set has every rep
        equally far from their quota (iqr 0).
    """
    where = "measure_quota_spread"
    keys = list(by)
    require_frame(actuals, "actuals", where, [*keys, "actual"])
    require_frame(quotas, "quotas", where, [*keys, "quota"])
    both = actuals.merge(quotas, on=keys, how="inner")
    both = both.loc[(both["actual"] > 0) & (both["quota"] > 0)]
    if both.empty:
        return {"iqr": float("nan"), "median": float("nan"), "n": 0}
    logs = np.log(both["actual"].to_numpy(dtype=float) / both["quota"].to_numpy(dtype=float))
    p25, p50, p75 = np.quantile(logs, [0.25, 0.5, 0.75])
    return {"iqr": float(p75 - p25), "median": float(p50), "n": int(len(both))}
