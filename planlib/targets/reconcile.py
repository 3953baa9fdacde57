"""Bottom-up commitments against top-down rep targets: the gap per rep, region and in total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame, require_unique
from planlib.errors import DataError
from planlib.targets._common import TARGET, _numeric


def reconcile_commitments(
    rep_targets: pd.DataFrame,
    commitments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Top-down targets against reps' own commitments: gap per rep, region and in total.

    Parameters
    ----------
    rep_targets : DataFrame
        ``rep, region, target`` (from :func:`allocate_to_reps`).
    commitments : DataFrame, optional
        ``rep, amount``: what each rep commits to. Reps without a row have committed
        nothing yet (``committed`` False, their whole target is gap).

    Returns
    -------
    DataFrame
        ``level`` (rep / region / total), ``region, rep, target, commitment, gap,
        coverage, committed, missing``: ``gap = target - commitment`` (positive = the
        commitments fall short), ``coverage = commitment / target``, ``missing`` = reps
        without a commitment. Rep gaps add up exactly to region and total gaps.
    """
    where = "reconcile_commitments"
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, TARGET])
    require_unique(rep_targets, schema.REP, "rep_targets", where)
    reps = pd.DataFrame({schema.REP: rep_targets[schema.REP].astype(str).to_numpy(),
                         schema.REGION: rep_targets[schema.REGION].astype(str).to_numpy(),
                         TARGET: _numeric(rep_targets, TARGET, "rep_targets", where)})
    if np.all(reps[TARGET] == np.round(reps[TARGET])):
        reps[TARGET] = reps[TARGET].astype("int64")
    committed = pd.Series(dtype=float)
    if commitments is not None:
        require_frame(commitments, "commitments", where, [schema.REP, "amount"])
        require_unique(commitments, schema.REP, "commitments", where)
        committed = pd.Series(_numeric(commitments, "amount", "commitments", where),
                              index=commitments[schema.REP].astype(str).to_numpy())
        unknown = sorted(set(committed.index) - set(reps[schema.REP]))
        if unknown:
            raise DataError(f"the commitments given to {where} name rep(s) {unknown[:5]} without a "
                            f"target", column=schema.REP)
    reps["commitment"] = reps[schema.REP].map(committed).astype(float)
    reps["committed"] = reps["commitment"].notna()
    reps["gap"] = reps[TARGET] - reps["commitment"].fillna(0.0)
    reps["missing"] = (~reps["committed"]).astype("int64")
    reps = reps.sort_values([schema.REGION, schema.REP], kind="mergesort")
    region = reps.groupby(schema.REGION, sort=True).agg(
        target=(TARGET, "sum"), commitment=("commitment", lambda s: s.fillna(0.0).sum()),
        gap=("gap", "sum"), missing=("missing", "sum")).reset_index()
    total = pd.DataFrame([{TARGET: reps[TARGET].sum().item(), "commitment": reps["commitment"].fillna(0.0).sum(),
                           "gap": reps["gap"].sum(), "missing": int(reps["missing"].sum())}])
    out = pd.concat([reps.assign(level="rep"), region.assign(level="region", rep=""),
                     total.assign(level="total", region="", rep="")], ignore_index=True)
    out["coverage"] = np.divide(out["commitment"].to_numpy(dtype=float), out[TARGET].to_numpy(dtype=float),
                                out=np.full(len(out), np.nan), where=out[TARGET].to_numpy(dtype=float) > 0)
    out["committed"] = out["committed"].where(out["level"] == "rep", pd.NA).astype("boolean")
    out["missing"] = out["missing"].astype("int64")
    return out[["level", schema.REGION, schema.REP, TARGET, "commitment", "gap", "coverage",
                "committed", "missing"]]
