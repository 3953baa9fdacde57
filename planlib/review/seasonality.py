"""Seasonality: monthly indices of each complete year, their year-to-year profile and its takeaway."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.errors import DataError, ParamsError
from planlib.i18n import N_, _, fmt_month
from planlib.review._common import DateLike, _mask, _ratio, _require
from planlib.review.window import _covers, infer_as_of
from planlib.schema import ORDER_DATE, REVENUE

def compute_monthly_indices(lines: pd.DataFrame, *, as_of: DateLike | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """Monthly seasonal indices (month revenue / the year's average month) of each complete year.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    as_of : date-like, optional
        Last day of usable data; default ``infer_as_of``.
    years : list of int, optional
        Years to index; default every calendar year the data covers completely (the
        first year counts when the data starts in its first week).

    Returns
    -------
    DataFrame
        ``year, month, revenue, index`` (12 rows per year; index NaN when the year's
        revenue is not positive).
    """
    _require(lines, (ORDER_DATE, REVENUE), "compute_monthly_indices")
    cutoff = pd.Timestamp(as_of).normalize() if as_of is not None else infer_as_of(lines)
    first = pd.Timestamp(lines[ORDER_DATE].min()).normalize()
    first_year = first.year if _covers(first, pd.Timestamp(first.year, 1, 1)) else first.year + 1
    last_year = cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
    complete = list(range(first_year, last_year + 1))
    if years is None:
        years = complete
        if not years:
            raise DataError(
                f"seasonality needs at least one complete calendar year; the data covers {first.date()} to {cutoff.date()}",
                column=ORDER_DATE,
            )
    else:
        bad = [y for y in years if y not in complete]
        if bad:
            raise ParamsError(
                f"the 'years' parameter must list complete years ({first_year}-{last_year}); got {bad} instead", key="years"
            )
    dates = lines[ORDER_DATE]
    keep = _mask(dates, pd.Timestamp(min(years), 1, 1), pd.Timestamp(max(years) + 1, 1, 1))
    frame = lines.loc[keep, [ORDER_DATE, REVENUE]]
    monthly = frame.groupby([frame[ORDER_DATE].dt.year.rename("year"), frame[ORDER_DATE].dt.month.rename("month")])[REVENUE].sum()
    grid = pd.MultiIndex.from_product([sorted(years), range(1, 13)], names=["year", "month"])
    out = monthly.reindex(grid, fill_value=0.0).rename("revenue").reset_index()
    mean = out.groupby("year")["revenue"].transform("mean")
    out["index"] = np.where(mean > 0, _ratio(out["revenue"], mean), np.nan)
    out[["year", "month"]] = out[["year", "month"]].astype("int64")
    return out


def profile_seasonality(indices: pd.DataFrame) -> pd.DataFrame:
    """Year-to-year statistics of the monthly indices of ``compute_monthly_indices``.

    Returns
    -------
    DataFrame
        One row per month: ``month, label, mean, min, max, std`` (sample std, NaN with
        one year), ``spread`` (max - min) and ``n_years``.
    """
    stats = indices.groupby("month")["index"].agg(["mean", "min", "max", "std", "count"]).reindex(range(1, 13))
    out = stats.rename(columns={"count": "n_years"}).reset_index()
    out.insert(1, "label", [fmt_month(f"2000-{int(m):02d}-01", with_year=False) for m in out["month"]])
    out["spread"] = out["max"] - out["min"]
    out["n_years"] = out["n_years"].fillna(0).astype("int64")
    return out[["month", "label", "mean", "min", "max", "std", "spread", "n_years"]]


def summarize_seasonality(profile: pd.DataFrame) -> str:
    """One-line takeaway of ``profile_seasonality``: peak and low months and how stable the pattern is."""
    valid = profile.dropna(subset=["mean"])
    if valid.empty:
        return _("No complete year to read seasonality from.")
    peak = valid.loc[valid["mean"].idxmax()]
    low = valid.loc[valid["mean"].idxmin()]
    n = int(valid["n_years"].max())
    text = (_("Peak month {peak} (index {index}, {low_index}-{high_index} over {years} years), low month {low} ({low_mean})") if n > 1
            else _("Peak month {peak} (index {index}), low month {low} ({low_mean})")).format(
        peak=peak["label"], index=f"{peak['mean']:.2f}", low_index=f"{peak['min']:.2f}", high_index=f"{peak['max']:.2f}", years=n,
        low=low["label"], low_mean=f"{low['mean']:.2f}")
    if n > 1:
        typical = float(valid["std"].mean())
        verdict = N_("stable") if typical < 0.10 else N_("fairly stable") if typical < 0.20 else N_("unstable")
        text += _("; the pattern is {verdict} (average year-to-year std {std})").format(verdict=_(verdict), std=f"{typical:.2f}")
    else:
        text += _("; one year only, so stability is unknown")
    return text + _(".")
