"""Checkpoints (cumulative targets per owner and period) and the review cadence tracking compares with."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.plan import ActionsSpec
from planlib.actions._common import COMPANY, DIMENSION, MONTH, SEGMENT, TARGET, _month_start, _spec, _text


_OWNER_DIMENSIONS = {COMPANY: ("total", "month"), schema.REGION: (schema.REGION,),
                     schema.CHANNEL: (schema.CHANNEL,), schema.REP: (schema.REP,),
                     schema.PRODUCT_LINE: (schema.PRODUCT_LINE,)}


def build_checkpoints(
    targets_long: pd.DataFrame,
    *,
    owner_types: Sequence[str] = (COMPANY, schema.REGION, schema.CHANNEL, schema.REP),
) -> pd.DataFrame:
    """Monthly and quarterly cumulative milestones per owner, for in-year tracking.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target``.
    owner_types : sequence of str, default ("company", "region", "channel", "rep")
        ``company`` (the ``total`` rows, else ``month``) and any dimension of
        ``targets_long``; types without rows are left out.

    Returns
    -------
    DataFrame
        ``owner_type, owner, period_type`` (month / quarter) ``, period`` ("2025-03",
        "2025-Q1") ``, period_end, target`` (of the period) ``, cumulative_target,
        share_of_annual``; the last month and quarter of each owner reach its annual
        target (share 1).
    """
    where = "build_checkpoints"
    require_frame(targets_long, "targets_long", where, [DIMENSION, SEGMENT, MONTH, TARGET])
    dims = targets_long[DIMENSION].astype(str)
    parts = []
    for owner_type in owner_types:
        candidates = _OWNER_DIMENSIONS.get(owner_type, (owner_type,))
        dim = next((d for d in candidates if (dims == d).any()), None)
        if dim is None:
            continue
        rows = targets_long[dims == dim]
        frame = pd.DataFrame({
            "owner": (schema.TOTAL_ID if owner_type == COMPANY else _text(rows[SEGMENT])),
            MONTH: _month_start(rows[MONTH]).to_numpy(),
            TARGET: pd.to_numeric(rows[TARGET], errors="coerce").to_numpy(),
        }, index=rows.index)
        monthly = frame.groupby(["owner", MONTH])[TARGET].sum().reset_index()
        monthly["period_type"] = "month"
        monthly["period"] = monthly[MONTH].dt.strftime("%Y-%m")
        monthly["period_end"] = monthly[MONTH] + pd.offsets.MonthEnd(0)
        quarter = monthly[MONTH].dt.to_period("Q")
        quarterly = (monthly.assign(_q=quarter).groupby(["owner", "_q"])[TARGET].sum().reset_index())
        quarterly["period_type"] = "quarter"
        quarterly["period"] = quarterly["_q"].astype(str).str.replace("Q", "-Q", regex=False)
        quarterly["period_end"] = quarterly["_q"].dt.end_time.dt.normalize()
        for table in (monthly, quarterly):
            table.sort_values(["owner", "period_end"], kind="mergesort", inplace=True)
            table["cumulative_target"] = table.groupby("owner")[TARGET].cumsum()
            annual = table.groupby("owner")[TARGET].transform("sum")
            table["share_of_annual"] = np.where(annual != 0, table["cumulative_target"] / annual.where(annual != 0, 1),
                                                np.nan)
            table["owner_type"] = owner_type
            parts.append(table[["owner_type", "owner", "period_type", "period", "period_end", TARGET,
                                "cumulative_target", "share_of_annual"]])
    if not parts:
        raise DataError(f"the 'targets_long' frame given to {where} has none of the owner types {list(owner_types)}",
                        column=DIMENSION)
    out = pd.concat(parts, ignore_index=True)
    order = {t: i for i, t in enumerate(owner_types)}
    out = out.assign(_t=out["owner_type"].map(order), _p=(out["period_type"] == "quarter").astype(int))
    out = out.sort_values(["_t", "owner", "_p", "period_end"], kind="mergesort").drop(columns=["_t", "_p"])
    out[TARGET] = out[TARGET].astype("int64") if (out[TARGET] == out[TARGET].round()).all() else out[TARGET]
    out["cumulative_target"] = out["cumulative_target"].astype(out[TARGET].dtype)
    return out.reset_index(drop=True)


def build_review_cadence(*, spec: ActionsSpec | None = None) -> pd.DataFrame:
    """The review cadence: weekly, monthly and quarterly meetings, who, what, which metric.

    Parameters
    ----------
    spec : ActionsSpec, optional
        ``plan.actions`` (its ``review_cadence``).

    Returns
    -------
    DataFrame
        ``cadence, when, who, what, metric`` ordered weekly, monthly, quarterly.
    """
    spec = _spec(spec)
    when = {"weekly": "every Monday", "monthly": "first week of the next month",
            "quarterly": "within three weeks of the quarter end"}
    order = {"weekly": 0, "monthly": 1, "quarterly": 2}
    rows = [{"cadence": r.cadence, "when": when[r.cadence], "who": r.who, "what": r.what, "metric": r.metric}
            for r in spec.review_cadence]
    out = pd.DataFrame(rows, columns=["cadence", "when", "who", "what", "metric"])
    return out.sort_values("cadence", key=lambda s: s.map(order), kind="mergesort").reset_index(drop=True)
