"""One-line takeaways and small tables of a forecast, for notebook 02 and the pack.

Everything here reads the artifacts of ``forecast_series`` (backtest, coverage, paths).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.i18n import _


def summarize_backtest(backtest: pd.DataFrame) -> str:
    """How the chosen models did out of sample against seasonal naive."""
    scored = backtest.dropna(subset=["mase", "mase_snaive"])
    better = int((scored["mase"] < scored["mase_snaive"]).sum())
    fallbacks = int(backtest["fallback"].fillna("").astype(str).str.len().gt(0).sum())
    short = int((backtest["kind"] != "regular").sum())
    total = backtest.loc[backtest["unique_id"] == "Total"]
    if scored.empty:
        return _("No series has enough history for an out-of-sample backtest ({months} months at most): "
                 "every series uses the default model, and its accuracy is untested - read the forecast as a rough baseline.").format(
            months=int(backtest["n_months"].max()))
    windows = backtest_windows(backtest)
    text = _("Rolling-origin backtests ({windows}): the forecast beats seasonal naive on {better} of {count} series "
             "(median MASE {mase} vs {snaive})").format(
        windows=windows, better=better, count=len(scored), mase=f"{scored['mase'].median():.2f}", snaive=f"{scored['mase_snaive'].median():.2f}")
    if len(total) and pd.notna(total["mase"].iloc[0]):
        row = total.iloc[0]
        text += _("; Total: {model} with MASE {mase} vs {snaive}, bias {bias}").format(
            model=row["model"], mase=f"{row['mase']:.2f}", snaive=f"{row['mase_snaive']:.2f}", bias=f"{row['bias']:+.1%}")
    text += _("; {short} short or intermittent series handled specially, {fallbacks} fallbacks.").format(short=short, fallbacks=fallbacks)
    return text


def summarize_coverage(coverage: pd.DataFrame) -> str:
    """Does the P10-P90 interval hold about 80% of the backtest actuals?"""
    everything = coverage.loc[coverage["level"] == "all"]
    if everything.empty:
        return _("The P10-P90 intervals could not be backtested (no series has enough history): they are the models' own and untested.")
    row = everything.iloc[0]
    totals = (
        _("and {share} of 12-month totals").format(share=f"{row['total']:.0%}")
        if pd.notna(row["total"])
        else _("(12-month totals could not be backtested on this history; their spread is widened "
               "x{factor}, from shortened windows and a prior measured on public monthly series)").format(factor=f"{row['total_factor']:.2f}")
    )
    text = (_("The P10-P90 interval (nominal {nominal}) held {monthly} of monthly actuals {totals} in the backtests - intervals are too narrow; read probabilities with care.")
            if row["monthly"] < row["nominal"] - 0.1 else
            _("The P10-P90 interval (nominal {nominal}) held {monthly} of monthly actuals {totals} in the backtests."))
    return text.format(nominal=f"{row['nominal']:.0%}", monthly=f"{row['monthly']:.0%}", totals=totals)


def backtest_windows(backtest: pd.DataFrame) -> str:
    """'horizon 12' or, on a short history, the scored window lengths."""
    if "window_months" not in backtest.columns:
        return _("horizon 12")
    lengths = sorted({int(n) for text in backtest["window_months"].dropna() for n in str(text).split(",") if n}, reverse=True)
    return _("horizon 12") if lengths == [12] else _("windows of {lengths} months").format(lengths=", ".join(map(str, lengths)))


def year_total_quantiles(year_paths: pd.DataFrame, *, quantiles: tuple[float, ...] = (0.1, 0.5, 0.9), single_level: bool = True) -> pd.DataFrame:
    """Quantiles of each series' plan-year total from the simulated paths (``unique_id, mean, p10, ...``)."""
    columns = [c for c in year_paths.columns if not single_level or "|" not in c]
    values = year_paths[columns].to_numpy()
    table = pd.DataFrame({"unique_id": columns, "mean": values.mean(axis=0)})
    for q, row in zip(quantiles, np.quantile(values, quantiles, axis=0)):
        table[f"p{round(q * 100):d}"] = row
    return table
