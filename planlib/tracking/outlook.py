"""What the re-plan changed and what it means: before/after by segment, the re-planned year and its chance."""

from __future__ import annotations


import numpy as np
import pandas as pd

from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.tracking._common import DIMENSION, MONTH, SEGMENT, TARGET, TOTAL, TOTAL_SEGMENT, _as_text
from planlib.i18n import N_, _, fmt_amount, fmt_month, value_label


def summarize_respread_by_segment(respread: pd.DataFrame) -> pd.DataFrame:
    """Before/after of the open months' targets per dimension and segment (what the re-plan moved).

    Returns
    -------
    DataFrame
        ``dimension, segment, before, after, change, change_pct`` (``before``/``after``
        the sums of ``original``/``target`` over the open months; ``change_pct`` NaN
        when ``before`` is 0), in the re-spread's dimension order.
    """
    require_frame(respread, "respread", "summarize_respread_by_segment",
                  [DIMENSION, SEGMENT, "original", TARGET], allow_empty=True)
    sums = (respread.groupby([DIMENSION, SEGMENT], sort=False, observed=True)[["original", TARGET]].sum()
            .reset_index().rename(columns={"original": "before", TARGET: "after"}))
    sums["before"] = sums["before"].astype(np.int64)
    sums["after"] = sums["after"].astype(np.int64)
    sums["change"] = (sums["after"] - sums["before"]).astype(np.int64)
    before = sums["before"].to_numpy(dtype=float)
    sums["change_pct"] = np.where(before != 0, sums["change"] / np.where(before != 0, before, 1), np.nan)
    return _as_text(sums, [DIMENSION, SEGMENT])


def replan_outlook(respread: pd.DataFrame, year_paths: pd.DataFrame | None = None) -> pd.DataFrame:
    """The re-planned year beside the re-forecast, and the chance of the annual target.

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (its ``attrs`` give the annual target and
        the closed months' actual).
    year_paths : DataFrame, optional
        Simulated totals of the open months, one column per series (``"Total"`` used),
        one row per path: the re-forecast's ``year_paths`` artifact, whose horizon starts
        at the first open month. Without it the probabilities are NaN.

    Returns
    -------
    DataFrame
        ``metric, value``: ``annual_target, actual_closed, original_open, replanned_open,
        replanned_year, forecast_open, forecast_year, forecast_year_p10,
        forecast_year_p90, p_annual_target, p_replanned_year`` (probabilities as shares
        of the paths reaching the year's figure).
    """
    where = "replan_outlook"
    attrs = respread.attrs
    for key in ("annual_target", "actual_closed"):
        if key not in attrs:
            raise DataError(f"the 'respread' given to {where} lacks attrs['{key}'] (pass the "
                            f"output of respread_remaining)", column=key)
    total = respread[respread[DIMENSION] == TOTAL] if (respread[DIMENSION] == TOTAL).any() else \
        respread[respread[DIMENSION] == MONTH]
    annual, actual = float(attrs["annual_target"]), float(attrs["actual_closed"])
    replanned_open = float(total[TARGET].sum())
    paths = None
    if year_paths is not None:
        if TOTAL_SEGMENT not in year_paths.columns:
            raise DataError(f"the 'year_paths' given to {where} lack a '{TOTAL_SEGMENT}' column",
                            column=TOTAL_SEGMENT)
        paths = actual + pd.to_numeric(year_paths[TOTAL_SEGMENT], errors="coerce").dropna().to_numpy(dtype=float)
    forecast_open = attrs.get("forecast_open")
    if forecast_open is None and paths is not None and len(paths):
        forecast_open = float(paths.mean() - actual)
    nan = float("nan")
    has = paths is not None and len(paths) > 0
    rows = {
        "annual_target": annual,
        "actual_closed": actual,
        "original_open": float(total["original"].sum()),
        "replanned_open": replanned_open,
        "replanned_year": actual + replanned_open,
        "forecast_open": nan if forecast_open is None else float(forecast_open),
        "forecast_year": nan if forecast_open is None else actual + float(forecast_open),
        "forecast_year_p10": float(np.quantile(paths, 0.1)) if has else nan,
        "forecast_year_p90": float(np.quantile(paths, 0.9)) if has else nan,
        "p_annual_target": float(np.mean(paths >= annual - 0.5)) if has else nan,
        "p_replanned_year": float(np.mean(paths >= actual + replanned_open - 0.5)) if has else nan,
    }
    return pd.DataFrame({"metric": list(rows), "value": list(rows.values())})


def summarize_replan_outlook(outlook: pd.DataFrame) -> str:
    """One line: the re-planned year against the annual target and the re-forecast, with chances."""
    v = outlook.set_index("metric")["value"]
    text = _("Re-planned year {replanned} against the annual {annual} ({change})").format(
        replanned=fmt_money(v["replanned_year"]), annual=fmt_money(v["annual_target"]),
        change=fmt_pct(v["replanned_year"] / v["annual_target"] - 1, signed=True))
    if np.isfinite(v["forecast_year"]):
        text += _("; the re-forecast year is {forecast}").format(forecast=fmt_money(v["forecast_year"]))
    if np.isfinite(v["p_annual_target"]):
        text += _(", {p_annual} likely to reach the annual target and {p_replanned} the re-planned year").format(
            p_annual=fmt_pct(v["p_annual_target"]), p_replanned=fmt_pct(v["p_replanned_year"]))
    return text + _(".")


def summarize_changes(respread: pd.DataFrame) -> pd.DataFrame:
    """Before/after table of every target the re-spread changes.

    Parameters
    ----------
    respread : DataFrame
        Output of :func:`respread_remaining` (or :func:`respread_to_reps`).

    Returns
    -------
    DataFrame
        ``dimension, segment, month, before, after, change`` (int64) for the rows whose
        target changed, in the re-spread's order.
    """
    require_frame(respread, "respread", "summarize_changes",
                   [DIMENSION, SEGMENT, MONTH, "original", TARGET], allow_empty=True)
    changed = respread[respread[TARGET].to_numpy() != respread["original"].to_numpy()]
    out = pd.DataFrame({
        DIMENSION: changed[DIMENSION].to_numpy(dtype=object),
        SEGMENT: changed[SEGMENT].to_numpy(dtype=object),
        MONTH: changed[MONTH].to_numpy(),
        "before": changed["original"].to_numpy(dtype=np.int64),
        "after": changed[TARGET].to_numpy(dtype=np.int64),
    })
    out["change"] = (out["after"] - out["before"]).astype(np.int64)
    return _as_text(out, [DIMENSION, SEGMENT])


def summarize_target_changes(changes: pd.DataFrame) -> str:
    """How many targets the re-spread changed and the three largest rises (one line)."""
    if changes.empty:
        return _("No target changed: no open month left to re-spread.")
    top = changes.sort_values("change", ascending=False, kind="mergesort").head(3)
    rises = _("; ").join(_("{dimension} {segment} {month} {change}").format(
        dimension=value_label("dimension", r.dimension), segment=r.segment, month=fmt_month(r.month, with_year=False),
        change=fmt_amount(r.change, signed=True))
        for r in top.itertuples())
    return _("{count} targets changed; largest rises: {rises}.").format(count=len(changes), rises=rises)


def respread_by_month(respread: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The re-spread as month x dimension totals, and a line saying whether every dimension adds up."""
    if respread.empty:
        return _("The plan year is closed: nothing left to re-spread."), pd.DataFrame()
    table = respread.pivot_table(index=MONTH, columns=DIMENSION, values="target", aggfunc="sum")
    exact = bool(table.eq(table[TOTAL], axis=0).all().all())
    text = _("Re-spread remaining target {total} over {count} open months; every dimension adds up to the month totals exactly: {exact}.").format(
        total=fmt_amount(table[TOTAL].sum()), count=len(table), exact=_(N_("True") if exact else N_("False")))
    return text, table
