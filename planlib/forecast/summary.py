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
    if scored.empty:
        return (
            f"No series has enough history for an out-of-sample backtest ({int(backtest['n_months'].max())} months at most): "
            f"every series uses the default model, and its accuracy is untested - read the forecast as a rough baseline."
        )
    windows = backtest_windows(backtest)
    text = (
        f"Rolling-origin backtests ({windows}): the forecast beats seasonal naive on {better} of {len(scored)} series "
        f"(median MASE {scored['mase'].median():.2f} vs {scored['mase_snaive'].median():.2f})"
    )
    if len(total) and pd.notna(total["mase"].iloc[0]):
        row = total.iloc[0]
        text += f"; Total: {row['model']} with MASE {row['mase']:.2f} vs {row['mase_snaive']:.2f}, bias {row['bias']:+.1%}"
    text += f"; {short} short or intermittent series handled specially, {fallbacks} fallbacks."
    return text


def summarize_coverage(coverage: pd.DataFrame) -> str:
    """Does the P10-P90 interval hold about 80% of the backtest actuals?"""
    everything = coverage.loc[coverage["level"] == "all"]
    if everything.empty:
        return "The P10-P90 intervals could not be backtested (no series has enough history): they are the models' own and untested."
    row = everything.iloc[0]
    totals = (
        f"and {row['total']:.0%} of 12-month totals"
        if pd.notna(row["total"])
        else (
            "(12-month totals could not be backtested on this history; their spread is widened "
            f"x{row['total_factor']:.2f}, from shortened windows and a prior measured on public monthly series)"
        )
    )
    return (
        f"The P10-P90 interval (nominal {row['nominal']:.0%}) held {row['monthly']:.0%} of monthly actuals {totals} in the backtests"
        + (" - intervals are too narrow; read probabilities with care." if row["monthly"] < row["nominal"] - 0.1 else ".")
    )


def backtest_windows(backtest: pd.DataFrame) -> str:
    """'horizon 12' or, on a short history, the scored window lengths."""
    if "window_months" not in backtest.columns:
        return "horizon 12"
    lengths = sorted({int(n) for text in backtest["window_months"].dropna() for n in str(text).split(",") if n}, reverse=True)
    return "horizon 12" if lengths == [12] else f"windows of {', '.join(map(str, lengths))} months"


def year_total_quantiles(year_paths: pd.DataFrame, *, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9), single_level: bool = True) -> pd.DataFrame:
    """Quantiles of each series' plan-year total from the simulated paths (``unique_id, mean, p10, ...``)."""
    columns = [c for c in year_paths.columns if not single_level or "|" not in c]
    values = year_paths[columns].to_numpy()
    table = pd.DataFrame({"unique_id": columns, "mean": values.mean(axis=0)})
    for q, row in zip(quantiles, np.quantile(values, quantiles, axis=0)):
        table[f"p{round(q * 100):d}"] = row
    return table
