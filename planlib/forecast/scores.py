"""Backtest tables: accuracy, model choice and interval coverage per series and per level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.forecast.backtest import MIN_BACKTEST_TRAIN, origin_mase, scaled_errors
from planlib.forecast.calibrate import OriginIntervals
from planlib.forecast.metrics import bias as _bias
from planlib.forecast.metrics import within
from planlib.forecast.series import LEVEL
from planlib.schema import DS, UNIQUE_ID, Y


def backtest_table(results, ids, ys, offsets, h, m, iv: OriginIntervals, raw: OriginIntervals, month_factor, total_factor, *, months):
    """One row per series (accuracy, choice, coverage) and the long frame of every origin's forecast."""
    err = scaled_errors(ys, ids, offsets, h, m, iv.means)
    rows, frames = [], []
    end = months[-1]
    for i, (uid, r) in enumerate(zip(ids, results)):
        y = ys[uid]
        act, fc, sn, inside, inside_raw, inside_tot, inside_tot_raw = [], [], [], [], [], [], []
        n_scored = 0
        for k, off in enumerate(offsets):
            train = len(y) - off
            if train < MIN_BACKTEST_TRAIN or r.snaive[k] is None:
                continue
            n_scored += 1
            a = y[train : train + h]
            f = iv.means[k, i][: len(a)]
            act.append(a)
            fc.append(f)
            sn.append(origin_mase(y, train, r.snaive[k], h, m))
            inside.append(within(a, iv.lo[k, i][: len(a)], iv.hi[k, i][: len(a)]))
            inside_raw.append(within(a, raw.lo[k, i][: len(a)], raw.hi[k, i][: len(a)]))
            if len(a) == h:
                inside_tot.append(bool(within(a.sum(), iv.tot_lo[k, i], iv.tot_hi[k, i])))
                inside_tot_raw.append(bool(within(a.sum(), raw.tot_lo[k, i], raw.tot_hi[k, i])))
            cutoff = end - pd.DateOffset(months=off)
            ds = pd.date_range(cutoff + pd.offsets.MonthBegin(1), periods=len(a), freq="MS")
            frames.append(
                pd.DataFrame(
                    {
                        UNIQUE_ID: uid,
                        "cutoff": cutoff,
                        DS: ds,
                        Y: a,
                        "mean": f,
                        "p10": iv.lo[k, i][: len(a)],
                        "p90": iv.hi[k, i][: len(a)],
                        "snaive": r.snaive[k][: len(a)],
                    }
                )
            )
        rows.append(
            {
                UNIQUE_ID: uid,
                "kind": r.kind,
                "model": r.choice,
                "model_detail": r.final.label,
                "reason": r.reason,
                "n_months": len(y),
                "n_origins": n_scored,
                "window_months": ",".join(str(len(a)) for a in act),
                "mase": float(np.nanmean(err[:, i])) if n_scored else np.nan,
                "bias": _bias(np.concatenate(act), np.concatenate(fc)) if act else np.nan,
                "mase_snaive": float(np.mean(sn)) if sn else np.nan,
                "mase_base": r.base_mase,
                "coverage_p10_p90": float(np.mean(np.concatenate(inside))) if inside else np.nan,
                "coverage_p10_p90_model": float(np.mean(np.concatenate(inside_raw))) if inside_raw else np.nan,
                "coverage_total_p10_p90": float(np.mean(inside_tot)) if inside_tot else np.nan,
                "coverage_total_p10_p90_model": float(np.mean(inside_tot_raw)) if inside_tot_raw else np.nan,
                "month_factor": float(month_factor[i]),
                "total_factor": float(total_factor[i]),
                "fallback": "; ".join(r.final.notes),
                "warnings": "; ".join(r.warnings),
            }
        )
    cols = [UNIQUE_ID, "cutoff", DS, Y, "mean", "p10", "p90", "snaive"]
    bt = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return rows, bt


def coverage_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """P10-P90 backtest coverage by level (nominal 80%), series weighted by their scored origins.

    ``monthly`` is the coverage of the intervals reported (after widening),
    ``monthly_model`` that of the models' own intervals, ``total`` the coverage of the
    horizon total (``total_model`` before widening), ``*_factor`` the level's widening.
    """
    cols = [LEVEL, "series", "nominal", "monthly", "monthly_model", "total", "total_model", "month_factor", "total_factor"]
    b = backtest[backtest["n_origins"] > 0]
    if b.empty:
        return pd.DataFrame(columns=cols)

    def row(level: str, g: pd.DataFrame) -> dict:
        w = g["n_origins"].to_numpy(float)
        tot = g["coverage_total_p10_p90"]
        return {
            LEVEL: level,
            "series": len(g),
            "nominal": 0.8,
            "monthly": float(np.average(g["coverage_p10_p90"], weights=w)),
            "monthly_model": float(np.average(g["coverage_p10_p90_model"], weights=w)),
            "total": float(tot.mean()) if tot.notna().any() else np.nan,
            "total_model": float(g["coverage_total_p10_p90_model"].mean()) if tot.notna().any() else np.nan,
            "month_factor": float(g["month_factor"].median()),
            "total_factor": float(g["total_factor"].median()),
        }

    rows = [row(level, g) for level, g in b.groupby(LEVEL, sort=False)]
    rows.append(row("all", b))
    return pd.DataFrame(rows, columns=cols)
