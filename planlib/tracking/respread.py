"""Re-spread of the remaining annual target over the open months, exactly, under a re-plan policy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import (
    AllocationError,
    fit_to_margins,
    round_preserving_total,
    round_table_preserving_margins,
    split_total,
)
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.formatting import fmt_money, fmt_pct
from planlib.tracking._common import (
    CarryForward,
    DIMENSION,
    DateLike,
    MEAN,
    MONTH,
    POLICIES,
    SEGMENT,
    TARGET,
    TOTAL,
    TOTAL_SEGMENT,
    _Lines,
    _RESPREAD_COLUMNS,
    _check_choice,
    _check_unit,
    _dims_of,
    _grid,
    _month_end,
    _plan_context,
    _respread_rows,
    _sort_long,
    _weights,
)
from planlib.tracking.reps import _respread_to_reps
from planlib.i18n import _


def _reforecast_series(reforecast: pd.DataFrame | None, open_months: pd.DatetimeIndex,
                       where: str) -> dict[tuple[str, str], np.ndarray]:
    """Reforecast means over the open months per (dimension, segment)."""
    if reforecast is None:
        return {}
    frame = require_frame(reforecast, "reforecast", where, [DIMENSION, SEGMENT, MONTH, MEAN])
    months = pd.to_datetime(frame[MONTH], errors="coerce").dt.to_period("M").dt.to_timestamp()
    means = pd.to_numeric(frame[MEAN], errors="coerce")
    if months.isna().any() or means.isna().any():
        raise DataError(f"the 'reforecast' frame given to {where} has missing months or means",
                        column=MEAN)
    table = pd.DataFrame({DIMENSION: frame[DIMENSION].astype(str).to_numpy(),
                          SEGMENT: frame[SEGMENT].astype(str).to_numpy(),
                          MONTH: months.to_numpy(), MEAN: means.to_numpy(dtype=float)})
    series = {}
    for key, part in table.groupby([DIMENSION, SEGMENT], sort=True):
        values = part.groupby(MONTH)[MEAN].sum().reindex(open_months)
        if values.isna().any():
            missing = [f"{m:%Y-%m}" for m in values.index[values.isna()][:3]]
            raise DataError(f"the 'reforecast' given to {where} lacks open month(s) {missing} "
                            f"for {key[0]}={key[1]}", column=MONTH)
        series[(str(key[0]), str(key[1]))] = np.clip(values.to_numpy(dtype=float), 0.0, None)
    return series


def _spread_table(original: np.ndarray, seed: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  col_weights: np.ndarray, unit: int) -> np.ndarray:
    """Whole-unit table with row sums ``rows`` and column sums ``cols`` (both exact).

    Proportional (IPF) fit of ``seed`` when the margins and seed allow it, else an
    additive correction of ``original``; then controlled rounding to both margins.
    """
    n, k = original.shape
    seed = np.clip(seed.astype(float), 0.0, None)
    empty = (seed.sum(axis=1) <= 0) & (rows != 0)
    seed[empty] = col_weights  # a row with nothing planned takes the total's shape
    fitted = None
    if (rows >= 0).all() and (cols >= 0).all():
        cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n),
                              "value": seed.ravel()})
        try:
            fitted = fit_to_margins(cells, dims=["r", "c"],
                                    margins={"r": pd.Series(rows.astype(float)),
                                             "c": pd.Series(cols.astype(float))})["value"].to_numpy()
            fitted = fitted.reshape(n, k)
        except AllocationError:
            fitted = None
    if fitted is None:
        base = original.astype(float)
        total = float(rows.sum())
        p = _weights(base.sum(axis=1))
        q = col_weights
        fitted = (base + np.outer(p, cols - base.sum(axis=0)) + np.outer(rows - base.sum(axis=1), q)
                  - np.outer(p, q) * (total - base.sum()))
    cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n),
                          "value": fitted.ravel()})
    rounded = round_table_preserving_margins(
        cells, dims=["r", "c"], unit=unit,
        margins={"r": pd.Series(rows, index=np.arange(n)), "c": pd.Series(cols, index=np.arange(k))})
    return rounded["value"].to_numpy(dtype=np.int64).reshape(n, k)


def _forecast_sum(series: np.ndarray | None, unit: int) -> int | None:
    """A re-forecast's total over the open months, rounded to ``unit`` (``None`` without one)."""
    if series is None:
        return None
    return int(math.floor(math.fsum(series) / unit + 0.5)) * unit


def _policy_increment(policy: str, remaining: int, original_open: int, forecast_open: int | None) -> int:
    """What the policy adds to the open months' original total (never negative)."""
    if policy in ("keep_annual", "hold_annual"):
        return 0
    new = max(remaining, original_open)
    if policy == "raise_to_forecast" and forecast_open is not None:
        new = max(new, forecast_open)
    return new - original_open


def _segment_claims(policy: str, seg_remaining: np.ndarray, seg_original: np.ndarray,
                    seg_forecast: np.ndarray) -> np.ndarray:
    """Each segment's claim on the increment: its closed-month shortfall (or forecast above plan)."""
    claim = np.clip(seg_remaining - seg_original, 0, None).astype(float)
    if policy == "raise_to_forecast":
        claim = np.maximum(claim, np.clip(seg_forecast - seg_original, 0, None))
    return claim


def _spread_increment(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, col_weights: np.ndarray,
                      unit: int) -> np.ndarray:
    """Whole-unit, non-negative segment x month table with row sums ``rows`` and column sums ``cols``.

    Fitted proportionally to the segments' shape (IPF), else the independence table
    ``rows x cols / total``; rounded so both margins hold exactly. Added on top of the
    original targets, it raises cells and never lowers one.
    """
    n, k = seed.shape
    total = float(rows.sum())
    seed = np.clip(seed.astype(float), 0.0, None)
    seed[(seed.sum(axis=1) <= 0) & (rows > 0)] = col_weights
    seed[:, (seed.sum(axis=0) <= 0) & (cols > 0)] = 1.0
    cells = pd.DataFrame({"r": np.repeat(np.arange(n), k), "c": np.tile(np.arange(k), n), "value": seed.ravel()})
    margins = {"r": pd.Series(rows.astype(float)), "c": pd.Series(cols.astype(float))}
    try:
        fitted = fit_to_margins(cells, dims=["r", "c"], margins=margins)["value"].to_numpy()
    except AllocationError:
        fitted = (np.outer(rows, cols) / total).ravel() if total > 0 else np.zeros(n * k)
    rounded = round_table_preserving_margins(
        cells.assign(value=fitted), dims=["r", "c"], unit=unit,
        margins={"r": pd.Series(rows, index=np.arange(n)), "c": pd.Series(cols, index=np.arange(k))})
    return rounded["value"].to_numpy(dtype=np.int64).reshape(n, k)


def respread_remaining(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    carry_forward: CarryForward = "carry_shortfall",
    reforecast: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Re-spread the remaining annual target over the open months, exactly.

    Open months are those ending after ``as_of`` (a month ``as_of`` falls inside is open;
    its sales so far count towards its new whole-month target). Actuals of the closed
    months are rounded to ``unit`` (largest remainder, so every dimension's rounded
    actuals add up to the rounded total ``A``). Then:

    * the total's remaining target ``R = annual - A`` is split over the open months by
      their weights: the re-forecast total's means if ``reforecast`` is given, else the
      plan's own targets of those months (equal weights if all are zero);
    * each segment's remaining target is ``annual_s - A_s``; actuals of segments without
      a target are taken off the planned segments in proportion to their annual targets;
      a segment past its annual target gets a negative remaining target (its surplus);
    * each dimension's segment x month table is fitted to both margins (segment
      remaining, month total) proportionally to each segment's shape (its re-forecast if
      given, else its plan; IPF), or, when a margin is negative, by an additive
      correction of the plan; then rounded so both margins hold exactly;
    * with ``reps``, the rep rows come from :func:`respread_to_reps` (by capacity).

    ``required`` is that table: the monthly run-rate needed to reach the annual target.
    ``carry_forward`` (the re-plan policy, :data:`POLICIES`) makes ``target``:

    * ``"carry_shortfall"`` (default): the open months' original targets plus the
      company's shortfall of the closed months, ``max(annual - A - original_open, 0)``;
      it goes to the segments behind in proportion to their own closed shortfall, and to
      the months by the shape. No open target falls below its plan, so a lead is kept
      (a company ahead keeps its year's remaining target, and its year total rises).
    * ``"keep_annual"``: ``required``; the year adds up to the annual target exactly, so a
      lead lowers the rest of the year.
    * ``"raise_to_forecast"``: as ``carry_shortfall``, raised further to the re-forecast of
      the open months where that is higher (segments by their forecast above plan).
    * ``"hold_annual"``: the original targets (reps who leave still hand theirs on).

    Parameters
    ----------
    targets_long : DataFrame
        The annual plan, ``dimension, segment, month, target``.
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals.
    carry_forward : {"carry_shortfall", "keep_annual", "raise_to_forecast", "hold_annual"}
        The re-plan policy, ``plan.tracking.respread``; default "carry_shortfall".
    reforecast : DataFrame, optional
        ``dimension, segment, month, mean`` of the open months; its shape replaces the
        plan's where given (a series must cover every open month).
    history : DataFrame, optional
        Earlier order lines; required for ``customer_type`` targets.
    reps : DataFrame, optional
        Reps side table (``rep, region`` and optionally ``hire_date, leave_date,
        capacity``); needs region targets.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``dimension, segment, month, original, required, target, change`` (int64; one row
        per planned segment and open month; ``change = target - original``). Per dimension
        and month the segments add up to the total; the total's ``required`` adds up to
        ``annual - A``. ``attrs`` hold ``as_of, carry_forward, policy, annual_target,
        actual_closed, remaining, open_months, shape, forecast_open, year_total``
        (``year_total = A + the total's new targets``).
    """
    where = "respread_remaining"
    _check_choice(carry_forward, "carry_forward", POLICIES, where)
    unit = _check_unit(unit, where)
    plan, total, year, year_start, asof = _plan_context(targets_long, as_of, where)
    months = total.index
    open_months = pd.DatetimeIndex([m for m in months if _month_end(m) > asof])
    annual = int(total.sum())
    empty = pd.DataFrame({c: pd.Series(dtype="str" if c in (DIMENSION, SEGMENT) else
                                       ("datetime64[ns]" if c == MONTH else "int64"))
                          for c in _RESPREAD_COLUMNS})
    if len(open_months) == 0:
        empty.attrs.update({"as_of": asof, "carry_forward": carry_forward, "annual_target": annual,
                            "open_months": 0})
        return empty
    if annual % unit:
        raise ParamsError(f"the 'unit' parameter of {where} must divide the targets; got {unit} "
                          f"for an annual target of {annual}", key="unit")
    first_open = open_months[0]
    lines = _Lines(orders, year_start, first_open, history=history, year_start=year_start, where=where)
    shape_series = _reforecast_series(reforecast, open_months, where)
    closed_actual = math.fsum(lines.revenue)
    actual_total = int(math.floor(closed_actual / unit + 0.5)) * unit
    remaining = annual - actual_total
    original_total = total.reindex(open_months).to_numpy(dtype=np.int64)
    shape_total = shape_series.get((TOTAL, TOTAL_SEGMENT), shape_series.get((MONTH, TOTAL_SEGMENT)))
    col_weights = _weights(shape_total if shape_total is not None else original_total)
    month_required = split_total(remaining, col_weights, unit=unit).to_numpy(dtype=np.int64)

    forecast_total = _forecast_sum(shape_total, unit)
    increment = _policy_increment(carry_forward, remaining, int(original_total.sum()), forecast_total)
    month_increment = (split_total(increment, col_weights, unit=unit).to_numpy(dtype=np.int64)
                       if increment else np.zeros(len(open_months), dtype=np.int64))

    parts = []
    for dim in _dims_of(plan):
        segments, grid = _grid(plan[plan[DIMENSION] == dim])
        original = grid[:, open_months.month - 1]
        if dim in (TOTAL, MONTH):
            required = month_required[None, :].repeat(len(segments), axis=0)
            raised = (original + month_increment[None, :]).astype(np.int64)
        elif dim == schema.REP and reps is not None:
            continue  # done below, from the region rows
        else:
            annual_s = grid.sum(axis=1)
            actual = lines.actual_by_month(dim).groupby(SEGMENT)["actual"].sum() if len(lines) else \
                pd.Series(dtype=float)
            actual_int = (round_preserving_total(actual, total=actual_total, unit=unit)
                          if len(actual) else pd.Series(dtype="int64"))
            planned = actual_int.reindex(segments).fillna(0).to_numpy(dtype=np.int64)
            unplanned = int(actual_int.sum()) - int(planned.sum())
            seg_remaining = annual_s - planned
            if unplanned:
                seg_remaining = seg_remaining - split_total(
                    unplanned, _weights(annual_s), unit=unit).to_numpy(dtype=np.int64)
            seed = np.vstack([shape_series.get((dim, str(s)), original[i].astype(float))
                              for i, s in enumerate(segments)])
            required = _spread_table(original, seed, seg_remaining, month_required, col_weights, unit)
            raised = original
            if increment:
                forecasts = np.array([_forecast_sum(shape_series.get((dim, str(s))), unit) or 0
                                      for s in segments], dtype=float)
                claim = _segment_claims(carry_forward, seg_remaining, original.sum(axis=1), forecasts)
                rows = split_total(increment, _weights(claim if claim.sum() > 0 else annual_s),
                                   unit=unit).to_numpy(dtype=np.int64)
                raised = original + _spread_increment(seed, rows, month_increment, col_weights, unit)
        target = {"keep_annual": required, "hold_annual": original}.get(carry_forward, raised)
        parts.append(_respread_rows(dim, segments, open_months, original, required, target))
    out = pd.concat(parts, ignore_index=True)
    if reps is not None:
        out = pd.concat([out, _respread_to_reps(out, reps, plan, carry_forward, unit, where)],
                        ignore_index=True)
    out = _sort_long(out)[_RESPREAD_COLUMNS]
    out.attrs.update({
        "as_of": asof, "carry_forward": carry_forward, "annual_target": annual,
        "actual_closed": actual_total, "remaining": remaining, "open_months": len(open_months),
        "shape": "reforecast" if shape_total is not None else "plan", "plan_year": year,
        "policy": carry_forward, "forecast_open": forecast_total,
        "year_total": actual_total + int(out.loc[out[DIMENSION] == (TOTAL if (out[DIMENSION] == TOTAL).any()
                                                                     else MONTH), TARGET].sum()),
    })
    return out


def summarize_respread(respread: pd.DataFrame) -> str:
    """One-line takeaway of :func:`respread_remaining`.

    Returns
    -------
    str
        e.g. ``"To reach the annual 12.0M, the 8 open months need 1.1M a month on average
        (+6.5% on the original plan); carry_shortfall re-spreads the gap into the targets."``
    """
    total = respread[respread[DIMENSION] == TOTAL]
    if total.empty:
        total = respread[respread[DIMENSION] == MONTH]
    if total.empty:
        return _("No open month left to re-spread.")
    n = len(total)
    required, original = float(total["required"].sum()), float(total["original"].sum())
    annual = respread.attrs.get("annual_target")
    if annual is not None:
        text = (_("To reach the annual {annual}, the {count} open months need {amount} a month on average") if n > 1
                else _("To reach the annual {annual}, the {count} open month need {amount} a month on average"))
    else:
        text = (_("The {count} open months need {amount} a month on average") if n > 1
                else _("The {count} open month need {amount} a month on average"))
    text = text.format(annual=fmt_money(annual), count=n, amount=fmt_money(required / n))
    if original > 0:
        text += _(" ({change} on the original plan)").format(change=fmt_pct(required / original - 1, signed=True))
    rule = respread.attrs.get("carry_forward")
    target = float(total[TARGET].sum())
    if rule == "keep_annual":
        text += _("; keep_annual puts that into the targets")
    elif rule == "hold_annual":
        text += _("; hold_annual keeps the original monthly targets")
    elif rule in ("carry_shortfall", "raise_to_forecast"):
        text += (_("; carry_shortfall carries the shortfall and keeps any lead: {amount} a month") if rule == "carry_shortfall" else
                 _("; raise_to_forecast keeps any lead and raises the targets to the re-forecast where it is higher: {amount} a month")
                 ).format(amount=fmt_money(target / n))
        if original > 0:
            text += _(" ({growth})").format(growth=fmt_pct(target / original - 1, signed=True))
    year_total = respread.attrs.get("year_total")
    if rule != "hold_annual" and year_total is not None and annual:
        text += _(", the re-planned year {total} ({change} on the annual target)").format(
            total=fmt_money(year_total), change=fmt_pct(year_total / annual - 1, signed=True))
    return text + _(".")
