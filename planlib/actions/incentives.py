"""Incentives tied to attainment: the payout curve applied to the quota plan, over the forecast paths.

Each rep's year is simulated from the forecast paths of the rep's region, shared by the
rep's book (the rep keeps their share of the region's business), so the expected payout,
its spread and the cost of sales follow from the same uncertainty the targets were set on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.plan import ActionsSpec
from planlib.i18n import _

__all__ = ["payout_share", "plan_incentives", "summarize_incentives"]


def payout_share(attainment: np.ndarray | float, curve: ActionsSpec.Incentives) -> np.ndarray:
    """Share of the on-target bonus paid at each attainment.

    0 below ``threshold``; ``threshold_payout`` at the threshold rising linearly to 1 at
    100%; above 100%, ``1 + accelerator x (attainment - 1)``, capped at ``cap``.
    """
    a = np.asarray(attainment, dtype=float)
    span = max(1.0 - curve.threshold, 1e-12)
    below = curve.threshold_payout + (1.0 - curve.threshold_payout) * (a - curve.threshold) / span
    share = np.where(a < curve.threshold, 0.0, np.where(a <= 1.0, below, 1.0 + curve.accelerator * (a - 1.0)))
    return np.minimum(share, curve.cap)


def _rep_paths(targets_rep: pd.DataFrame, year_paths: pd.DataFrame, where: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Reps with a quota, and their simulated years (paths x reps) from their region's paths by book share."""
    reps = targets_rep.loc[pd.to_numeric(targets_rep["target"], errors="coerce").fillna(0) > 0].reset_index(drop=True)
    if reps.empty:
        raise DataError(f"the 'targets_rep' given to {where} hold no rep with a quota", column="target")
    if schema.TOTAL_ID not in year_paths.columns:
        raise DataError(f"the 'year_paths' given to {where} lack a '{schema.TOTAL_ID}' column", column=schema.TOTAL_ID)
    book = pd.to_numeric(reps["book"], errors="coerce").fillna(0.0).clip(lower=0.0)
    book = book.where(book > 0, pd.to_numeric(reps["target"], errors="coerce"))  # a rep with no book yet: their quota
    region_book = book.groupby(reps[schema.REGION].astype(str)).transform("sum")
    total_book = float(book.sum())
    sims = np.empty((len(year_paths), len(reps)))
    for i, (region, b) in enumerate(zip(reps[schema.REGION].astype(str), book)):
        column = f"{schema.REGION}={region}"
        if column in year_paths.columns:
            sims[:, i] = year_paths[column].to_numpy(dtype=float) * b / region_book.iat[i]
        else:  # no forecast of the region: the company's paths by the rep's share of all books
            sims[:, i] = year_paths[schema.TOTAL_ID].to_numpy(dtype=float) * b / total_book
    return reps, sims


def plan_incentives(
    targets_rep: pd.DataFrame,
    year_paths: pd.DataFrame,
    *,
    curve: ActionsSpec.Incentives,
    quota_scales: Sequence[float] = (0.95, 1.0, 1.05, 1.10),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Expected payout per rep and in total, and how it moves with the target.

    Parameters
    ----------
    targets_rep : DataFrame
        ``rep, region, target, book`` (the quota plan).
    year_paths : DataFrame
        Simulated plan-year totals, one column per series (``Total``, ``region=...``).
    curve : ActionsSpec.Incentives
        The payout curve (``plan.actions.incentives``).
    quota_scales : sequence of float
        Every quota scaled by these factors for the sensitivity table.

    Returns
    -------
    (DataFrame, DataFrame)
        Per rep: ``rep, region, quota, expected_revenue, expected_attainment,
        p_threshold, p_target, expected_payout_share, expected_payout`` (NaN without an
        on-target bonus), then a ``Total`` row (payout share per rep on average, payout
        summed). Sensitivity: ``quota_scale, target,
        expected_payout_share, expected_payout, cost_of_sales`` (payout / expected revenue).
    """
    where = "plan_incentives"
    require_frame(targets_rep, "targets_rep", where, [schema.REP, schema.REGION, "target", "book"])
    require_frame(year_paths, "year_paths", where, [schema.TOTAL_ID])
    reps, sims = _rep_paths(targets_rep, year_paths, where)
    quota = pd.to_numeric(reps["target"], errors="coerce").to_numpy(dtype=float)
    bonus = float(curve.on_target_bonus) if curve.on_target_bonus > 0 else np.nan
    attainment = sims / quota[None, :]
    share = payout_share(attainment, curve)
    per_rep = pd.DataFrame({
        schema.REP: reps[schema.REP].astype(str).to_numpy(dtype=object),
        schema.REGION: reps[schema.REGION].astype(str).to_numpy(dtype=object),
        "quota": quota, "expected_revenue": sims.mean(axis=0), "expected_attainment": attainment.mean(axis=0),
        "p_threshold": (attainment >= curve.threshold).mean(axis=0), "p_target": (attainment >= 1.0).mean(axis=0),
        "expected_payout_share": share.mean(axis=0), "expected_payout": share.mean(axis=0) * bonus,
    })
    total = pd.DataFrame({
        schema.REP: ["Total"], schema.REGION: [""], "quota": [quota.sum()], "expected_revenue": [sims.sum(axis=1).mean()],
        "expected_attainment": [sims.sum(axis=1).mean() / quota.sum()],
        "p_threshold": [np.nan], "p_target": [float((sims.sum(axis=1) >= quota.sum()).mean())],
        "expected_payout_share": [share.sum(axis=1).mean() / len(quota)],  # per rep, on average
        "expected_payout": [share.sum(axis=1).mean() * bonus],
    })
    rows = []
    for scale in quota_scales:
        s = payout_share(sims / (quota[None, :] * float(scale)), curve).sum(axis=1)
        payout = s.mean() * bonus
        rows.append({"quota_scale": float(scale), "target": quota.sum() * float(scale),
                     "expected_payout_share": s.mean() / len(quota), "expected_payout": payout,
                     "cost_of_sales": payout / sims.sum(axis=1).mean()})
    return pd.concat([per_rep, total], ignore_index=True), pd.DataFrame(rows)


def summarize_incentives(per_rep: pd.DataFrame, sensitivity: pd.DataFrame) -> str:
    """One line: the expected payout (or its share), how many reps are likely to earn, and the target's effect."""
    require_frame(per_rep, "per_rep", "summarize_incentives", [schema.REP, "expected_payout_share", "p_threshold"])
    reps = per_rep[per_rep[schema.REP] != "Total"]
    total = per_rep[per_rep[schema.REP] == "Total"].iloc[0]
    text = _("{count} reps earn on average {share} of their on-target bonus; {below} of them more likely than not to stay below the threshold").format(
        count=len(reps), share=fmt_pct(reps["expected_payout_share"].mean()), below=int((reps["p_threshold"] < 0.5).sum()))
    if np.isfinite(total["expected_payout"]):
        cost = sensitivity.loc[np.isclose(sensitivity["quota_scale"], 1.0), "cost_of_sales"]
        text += _("; expected payout {payout}").format(payout=fmt_money(total["expected_payout"]))
        if len(cost):
            text += _(" ({share} of revenue)").format(share=fmt_pct(float(cost.iloc[0]), digits=2))
    lo, hi = sensitivity.iloc[0], sensitivity.iloc[-1]
    text += _("; quotas at {low_scale} pay {low_share} of bonus, at {high_scale} {high_share}").format(
        low_scale=f"{lo['quota_scale']:.0%}", low_share=fmt_pct(lo["expected_payout_share"]),
        high_scale=f"{hi['quota_scale']:.0%}", high_share=fmt_pct(hi["expected_payout_share"]))
    return text + _(".")
