"""One-line takeaways and small tables of a forecast, for notebook 02 and the pack.

Everything here reads the artifacts of ``forecast_series`` (backtest, coverage, paths).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def summarize_backtest(backtest: pd.DataFrame) -> str:
    """How the chosen models did out of sample against seasonal naive."""
    scored = backtest.dropna(subset=["mase", "mase_snaive"])
    better = int((scored["mase"] < scored["mase_snaive"]).sum())
    fallbacks = int(backtest["fallback"].fillna("").astype(str).str.len().gt(0).sum())
    short = int((backtest["kind"] != "regular").sum())
    total = backtest.loc[backtest["unique_id"] == "Total"]
    text = (
        f"Rolling-origin backtests (horizon 12): the forecast beats seasonal naive on {better} of {len(scored)} series "
        f"(median MASE {scored['mase'].median():.2f} vs {scored['mase_snaive'].median():.2f})"
    )
    if len(total) and pd.notna(total["mase"].iloc[0]):
        row = total.iloc[0]
        text += f"; Total: {row['model']} with MASE {row['mase']:.2f} vs {row['mase_snaive']:.2f}, bias {row['bias']:+.1%}"
    text += f"; {short} short or intermittent series handled specially, {fallbacks} fallbacks."
    return text


def summarize_coverage(coverage: pd.DataFrame) -> str:
    """Does the P10-P90 interval hold about 80% of the backtest actuals?"""
    everything = coverage.loc[coverage["level"] == "all"].iloc[0]
    return (
        f"The P10-P90 interval (nominal {everything['nominal']:.0%}) held {everything['monthly']:.0%} of monthly actuals "
        f"and {everything['total']:.0%} of 12-month totals in the backtests"
        + (" - intervals are too narrow; read probabilities with care." if everything["monthly"] < everything["nominal"] - 0.1 else ".")
    )


def year_total_quantiles(year_paths: pd.DataFrame, *, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9), single_level: bool = True) -> pd.DataFrame:
    """Quantiles of each series' plan-year total from the simulated paths (``unique_id, mean, p10, ...``)."""
    columns = [c for c in year_paths.columns if not single_level or "|" not in c]
    values = year_paths[columns].to_numpy()
    table = pd.DataFrame({"unique_id": columns, "mean": values.mean(axis=0)})
    for q, row in zip(quantiles, np.quantile(values, quantiles, axis=0)):
        table[f"p{round(q * 100):d}"] = row
    return table
