"""Targets stage: what we commit to and who carries it.

Sets the annual target (growth, forecast quantile or amount, checked against company
constraints and the forecast distribution) and splits it exactly, to the currency unit,
by month and quarter, product line, region, channel, customer type and rep.

Conventions
-----------
* Every split starts from a *baseline* (last year's actuals or the forecast), applies a
  growth expectation per group (role or stage), then scales all parts by one factor so
  they add up to the parent; rounding is largest remainder (1-D) or controlled rounding
  (tables), see :mod:`planlib.allocation`. So a part's implied growth is
  ``(1 + group growth) * scale - 1``: the ordering of group growths survives scaling.
* Amounts are whole multiples of ``unit`` (default 1, the currency unit) in column
  ``target`` (int64); rows are sorted deterministically, so the same inputs give
  byte-identical tables.
* Probabilities are probabilities of *reaching* an amount (``P(actual >= amount)``):
  from simulated annual totals when given, else from the forecast quantiles (see
  :func:`estimate_reach_probability`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from planlib import schema
from planlib.allocation import (
    AllocationError,
    fit_to_margins,
    round_preserving_total,
    round_table_preserving_margins,
    split_total,
)
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError

__all__ = [
    "allocate_by_role",
    "allocate_by_stage",
    "allocate_to_reps",
    "assess_rep_fairness",
    "build_smart_table",
    "compare_quarter_weights",
    "compare_target_options",
    "estimate_reach_probability",
    "fit_rep_cube",
    "rep_presence_by_month",
    "fit_target_cube",
    "plan_customer_targets",
    "reconcile_commitments",
    "set_annual_target",
    "split_by_time",
    "summarize_actuals",
    "summarize_customer_base",
    "summarize_forecast",
    "summarize_quota_spread",
]

# Output column names of this stage (candidates for planlib.schema).
TARGET = "target"
BASELINE = "baseline"
MONTH = "month"
QUARTER = "quarter"
AMOUNT = "amount"
GROWTH = "growth"
PROBABILITY = "probability"
FITTED = "fitted"
VACANT_REP = "(vacant)"

_MEAN = "mean"
_QUANTILE_COLUMN = re.compile(r"^p(\d{1,2})$")


# =========================================================================== helpers


def _numeric(frame: pd.DataFrame, column: str, name: str, where: str, *,
             nonnegative: bool = True) -> np.ndarray:
    x = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(x) | ((x < 0) if nonnegative else False)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise DataError(
            f"the '{name}' frame given to {where} must hold "
            f"{'non-negative ' if nonnegative else ''}numbers in '{column}'; "
            f"bad rows {rows}",
            column=column,
            rows=rows,
        )
    return x


def _paths(year_total_paths: object, where: str) -> np.ndarray:
    x = np.asarray(year_total_paths, dtype=float)
    if x.ndim != 1 or len(x) == 0 or not np.isfinite(x).all():
        raise ParamsError(
            f"the 'year_total_paths' parameter of {where} must be a non-empty 1-D array of "
            f"finite annual totals; got shape {x.shape}",
            key="year_total_paths",
        )
    return x


def _reach(paths: np.ndarray, amount: float) -> float:
    """Share of simulated annual totals at or above ``amount``."""
    return float(np.mean(paths >= amount - 1e-9 * max(1.0, abs(amount))))


def _parse_uid(uid: str) -> dict[str, str]:
    if uid == schema.TOTAL_ID:
        return {}
    parts = {}
    for part in str(uid).split("|"):
        key, sep, val = part.partition("=")
        if not sep:
            return {"?": uid}
        parts[key] = val
    return parts


def _uid(**parts: str) -> str:
    if not parts:
        return schema.TOTAL_ID
    return "|".join(f"{k}={v}" for k, v in parts.items())


def _month_start(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _check_forecast(forecast: object, where: str) -> pd.DataFrame:
    frame = require_frame(forecast, "forecast", where, [schema.UNIQUE_ID, schema.DS, _MEAN])
    return frame


def _series(forecast: pd.DataFrame, unique_id: str, where: str) -> pd.DataFrame:
    rows = forecast[forecast[schema.UNIQUE_ID].astype(str) == unique_id]
    if rows.empty:
        raise DataError(
            f"the forecast given to {where} has no series '{unique_id}'",
            column=schema.UNIQUE_ID,
        )
    rows = rows.assign(**{schema.DS: _month_start(rows[schema.DS])})
    if rows[schema.DS].duplicated().any():
        raise DataError(
            f"the forecast given to {where} repeats months of series '{unique_id}'",
            column=schema.DS,
        )
    return rows.sort_values(schema.DS, kind="mergesort").reset_index(drop=True)


def _quantile_levels(frame: pd.DataFrame) -> list[tuple[float, str]]:
    found = []
    for col in frame.columns:
        m = _QUANTILE_COLUMN.match(str(col))
        if m and 0 < int(m.group(1)) < 100:
            found.append((int(m.group(1)) / 100.0, str(col)))
    return sorted(found)


def _check_growth(growth: Mapping[str, float], needed: Sequence[str], name: str,
                  where: str) -> dict[str, float]:
    if not isinstance(growth, Mapping):
        raise ParamsError(
            f"the '{name}' parameter of {where} must be a mapping of group to growth; "
            f"got {type(growth).__name__}",
            key=name,
        )
    missing = sorted(set(needed) - set(growth))
    if missing:
        raise ParamsError(
            f"the '{name}' parameter of {where} lacks a growth for {missing}; got {dict(growth)}",
            key=name,
        )
    return {
        str(k): require_number(v, f"{name}[{k!r}]", where, low=-1.0, low_open=True)
        for k, v in growth.items()
    }


def _robust_z(x: np.ndarray) -> np.ndarray:
    """Modified z-score 0.6745 (x - median) / MAD (Iglewicz & Hoaglin); NaN stays NaN.

    When the MAD is zero the mean absolute deviation (times 1.2533) stands in; when
    that is zero too, every score is zero.
    """
    out = np.full(len(x), np.nan)
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return out
    vals = x[ok]
    med = np.median(vals)
    mad = np.median(np.abs(vals - med))
    if mad > 0:
        out[ok] = 0.6745 * (vals - med) / mad
    else:
        meanad = np.mean(np.abs(vals - med))
        out[ok] = 0.0 if meanad == 0 else (vals - med) / (1.2533 * meanad)
    return out


# =========================================================================== baselines


def summarize_actuals(
    orders: pd.DataFrame,
    *,
    year: int,
    by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Net revenue of one calendar year, in total or per segment.

    Parameters
    ----------
    orders : DataFrame
        The canonical order-line frame.
    year : int
        The calendar year (usually the plan year minus one).
    by : str or sequence of str, default ()
        Segment columns, e.g. ``"product_line"`` or ``["product_line", "region"]``.

    Returns
    -------
    DataFrame
        Columns ``*by, baseline``, sorted by ``by``; one row when ``by`` is empty.
    """
    where = "summarize_actuals"
    by = [by] if isinstance(by, str) else list(by)
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE, *by])
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    sub = orders.loc[dates.dt.year == year]
    revenue = pd.to_numeric(sub[schema.REVENUE], errors="coerce").astype(float)
    if not by:
        return pd.DataFrame({BASELINE: [math.fsum(revenue)]})
    keys = {c: sub[c].astype(str) for c in by}
    frame = pd.DataFrame({**keys, BASELINE: revenue})
    out = frame.groupby(by, sort=True, observed=True)[BASELINE].sum().reset_index()
    return out


def summarize_forecast(forecast: pd.DataFrame, *, dimension: str) -> pd.DataFrame:
    """Annual forecast (sum of monthly means) per level of one dimension.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast: ``unique_id, ds, mean, p10..p90``.
    dimension : str
        ``"product_line"``, ``"region"``, ``"channel"``...; the series used are
        ``"<dimension>=<level>"``.

    Returns
    -------
    DataFrame
        Columns ``<dimension>, baseline`` sorted by level; negative sums are kept.
    """
    where = "summarize_forecast"
    _check_forecast(forecast, where)
    uid = forecast[schema.UNIQUE_ID].astype(str)
    prefix = f"{dimension}="
    mask = uid.str.startswith(prefix) & ~uid.str.contains("|", regex=False)
    if not mask.any():
        raise DataError(
            f"the forecast given to {where} has no '{prefix}...' series", column=schema.UNIQUE_ID
        )
    frame = pd.DataFrame(
        {dimension: uid[mask].str.slice(len(prefix)), BASELINE: forecast.loc[mask, _MEAN].astype(float)}
    )
    return frame.groupby(dimension, sort=True)[BASELINE].sum().reset_index()


# =========================================================================== 1. annual


def compare_target_options(
    year_total_paths: np.ndarray | Sequence[float],
    *,
    last_year: float,
    growth: float | None = None,
    quantile: float | None = None,
    amount: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """The three ways to set the annual target, side by side.

    Parameters
    ----------
    year_total_paths : array of float
        Simulated annual totals of the Total series (e.g. 1000 draws).
    last_year : float
        Last year's actual total (> 0 to express growth).
    growth, quantile, amount : float, optional
        A growth over last year (0.08 = +8 %), a quantile of the simulated annual total
        (0.7 = P70, reached with probability about 0.3) and a fixed amount; give any.
    unit : int, default 1
        Amounts are rounded half up to this unit.

    Returns
    -------
    DataFrame
        One row per option given: ``method, setting, amount, growth, probability``
        (``probability`` = share of paths reaching the amount).
    """
    where = "compare_target_options"
    paths = _paths(year_total_paths, where)
    last = require_number(last_year, "last_year", where, low=0.0)
    rows = []
    for method, setting in (("growth", growth), ("quantile", quantile), ("amount", amount)):
        if setting is None:
            continue
        value = _proposed_amount(method, setting, paths, last, unit, where)
        rows.append(
            {
                "method": method,
                "setting": float(setting),
                AMOUNT: value,
                GROWTH: value / last - 1 if last > 0 else np.nan,
                PROBABILITY: _reach(paths, value),
            }
        )
    if not rows:
        raise ParamsError(
            f"{where} needs at least one of 'growth', 'quantile' or 'amount'", key="growth"
        )
    return pd.DataFrame(rows)


def _proposed_amount(method: str, value: float, paths: np.ndarray, last: float, unit: int,
                     where: str) -> int:
    if method == "growth":
        g = require_number(value, "growth", where, low=-1.0)
        if last <= 0:
            raise ParamsError(
                f"the 'last_year' parameter of {where} must be positive to set a target by "
                f"growth; got {last}",
                key="last_year",
            )
        raw = last * (1 + g)
    elif method == "quantile":
        q = require_number(value, "quantile", where, low=0.0, high=1.0)
        raw = float(np.quantile(paths, q))
    elif method == "amount":
        raw = require_number(value, "amount", where, low=0.0)
    else:
        raise ParamsError(
            f"the 'method' parameter of {where} must be 'growth', 'quantile' or 'amount'; "
            f"got {method!r} instead",
            key="method",
        )
    return int(math.floor(raw / unit + 0.5)) * unit


def set_annual_target(
    year_total_paths: np.ndarray | Sequence[float],
    *,
    last_year: float,
    method: Literal["growth", "quantile", "amount"],
    value: float,
    min_growth: float | None = None,
    min_strategic_share: float | None = None,
    strategic_amount: float | None = None,
    market_size: float | None = None,
    min_market_share: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Set the annual target and check it against the company constraints.

    The target proposed by ``method`` is raised, if needed, to the largest amount a
    constraint forces (minimum growth; minimum market share of ``market_size``). The
    strategic-share constraint does not move the total: it says how much of it the
    strategic product lines must carry (pass ``min_share={"strategic": ...}`` to
    :func:`allocate_by_role` to enforce it).

    Parameters
    ----------
    year_total_paths : array of float
        Simulated annual totals of the Total series.
    last_year : float
        Last year's actual total.
    method : {"growth", "quantile", "amount"}
        How ``value`` is read: growth over last year, quantile of the annual total
        (0.7 = P70), or the amount itself.
    value : float
        The setting for ``method``.
    min_growth : float, optional
        Minimum growth over last year the company requires.
    min_strategic_share : float, optional
        Minimum share (0-1) of the target carried by strategic (new) product lines.
    strategic_amount : float, optional
        What the strategic lines are planned to sell (e.g. their forecast times the
        strategic role growth), to check the share against.
    market_size : float, optional
        Next year's market size in the plan currency.
    min_market_share : float, optional
        Market share (0-1) the target must reach; needs ``market_size``.
    unit : int, default 1
        Amounts are whole multiples of this unit (raises round up).

    Returns
    -------
    DataFrame
        Rows ``step`` = ``"proposed"``, one per constraint given (``"min_growth"``,
        ``"market_share"``, ``"strategic_share"``) and ``"final"``; columns
        ``step, amount, baseline, growth, probability, requirement, holds, note``.
        A constraint row's ``amount`` is the amount it requires, ``holds`` whether the
        proposal met it; the final row's ``amount`` is the target (a whole number).
    """
    where = "set_annual_target"
    paths = _paths(year_total_paths, where)
    last = require_number(last_year, "last_year", where, low=0.0)
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or unit < 1:
        raise ParamsError(f"the 'unit' parameter of {where} must be a positive integer; got {unit!r}",
                          key="unit")
    proposed = _proposed_amount(method, value, paths, last, unit, where)

    def view(amount: float) -> dict[str, float]:
        return {
            AMOUNT: amount,
            BASELINE: last,
            GROWTH: amount / last - 1 if last > 0 else np.nan,
            PROBABILITY: _reach(paths, amount),
        }

    def money(x: float) -> str:
        return f"{x:,.0f}"

    label = {"growth": f"growth {value:+.1%}", "quantile": f"P{round(float(value) * 100):d} of the forecast",
             "amount": "fixed amount"}[method]
    rows = [{"step": "proposed", **view(proposed), "requirement": np.nan, "holds": pd.NA,
             "note": f"{label}: {money(proposed)}"}]
    floor_amount, raised_by = proposed, []
    if min_growth is not None:
        g = require_number(min_growth, "min_growth", where, low=-1.0)
        if last <= 0:
            raise ParamsError(f"the 'last_year' parameter of {where} must be positive to apply "
                              f"'min_growth'; got {last}", key="last_year")
        need = int(math.ceil(last * (1 + g) / unit - 1e-9)) * unit
        holds = proposed >= need
        note = (f"proposal meets the minimum growth {g:.1%} ({money(need)})" if holds else
                f"proposal {money(proposed)} is below the minimum growth {g:.1%}: "
                f"target raised to {money(need)}")
        rows.append({"step": "min_growth", **view(need), "requirement": g, "holds": holds,
                     "note": note})
        if need > floor_amount:
            floor_amount, raised_by = need, [*raised_by, "min_growth"]
    if min_market_share is not None or market_size is not None:
        if market_size is None:
            raise ParamsError(f"the 'min_market_share' parameter of {where} needs 'market_size'",
                              key="market_size")
        size = require_number(market_size, "market_size", where, low=0.0, low_open=True)
        if min_market_share is None:
            rows.append({"step": "market_share", **view(proposed), "requirement": np.nan,
                         "holds": pd.NA,
                         "note": f"proposal is {proposed / size:.1%} of a {money(size)} market"})
        else:
            s = require_number(min_market_share, "min_market_share", where, low=0.0, high=1.0)
            need = int(math.ceil(size * s / unit - 1e-9)) * unit
            holds = proposed >= need
            note = (f"proposal is {proposed / size:.1%} of the market, meeting {s:.1%}" if holds
                    else f"proposal is {proposed / size:.1%} of the market, below {s:.1%}: "
                    f"target raised to {money(need)}")
            rows.append({"step": "market_share", **view(need), "requirement": s, "holds": holds,
                         "note": note})
            if need > floor_amount:
                floor_amount, raised_by = need, [*raised_by, "market_share"]
    final = floor_amount
    if min_strategic_share is not None:
        z = require_number(min_strategic_share, "min_strategic_share", where, low=0.0, high=1.0)
        need = int(math.ceil(final * z / unit - 1e-9)) * unit
        if strategic_amount is None:
            holds, note = pd.NA, (f"strategic lines must carry at least {money(need)} "
                                  f"({z:.0%} of the target); enforce with allocate_by_role(min_share=...)")
        else:
            planned = require_number(strategic_amount, "strategic_amount", where, low=0.0)
            holds = planned >= need
            note = (f"strategic lines planned at {money(planned)} = {planned / final:.1%} of the "
                    f"target, " + ("meeting" if holds else "below") + f" the minimum {z:.0%}"
                    + ("" if holds else f": they must carry {money(need)}, "
                       f"{money(need - planned)} more (allocate_by_role(min_share=...))"))
        rows.append({"step": "strategic_share", AMOUNT: need, BASELINE: last,
                     GROWTH: np.nan, PROBABILITY: np.nan, "requirement": z, "holds": holds,
                     "note": note})
    note = ("target = proposal" if not raised_by else
            f"target raised from {money(proposed)} to {money(final)} by "
            + " and ".join(raised_by[-1:]))
    rows.append({"step": "final", **view(final), "requirement": np.nan, "holds": pd.NA,
                 "note": note})
    out = pd.DataFrame(rows)
    out["holds"] = out["holds"].astype("boolean")
    return out


# =========================================================================== 2. time


def _quarter_labels(months: pd.Series) -> pd.Series:
    """Q1..Q4 counted from the first month (the plan year's start)."""
    first = months.iloc[0]
    offset = (months.dt.year - first.year) * 12 + (months.dt.month - first.month)
    return "Q" + (offset // 3 + 1).astype(str)


def _seasonal_shape(forecast: pd.DataFrame, unique_id: str, where: str) -> pd.DataFrame:
    series = _series(forecast, unique_id, where)
    mean = series[_MEAN].astype(float).to_numpy()
    if not np.isfinite(mean).all():
        raise DataError(f"the forecast mean of '{unique_id}' given to {where} has missing values",
                        column=_MEAN)
    w = np.clip(mean, 0.0, None)  # a negative monthly mean is a model artifact: weight 0
    if w.sum() <= 0:
        raise DataError(f"the forecast of '{unique_id}' given to {where} has no positive month",
                        column=_MEAN)
    months = series[schema.DS]
    return pd.DataFrame({MONTH: months, QUARTER: _quarter_labels(months),
                         "statistical_weight": w / w.sum()})


def _quarter_weight_map(quarter_weights: Mapping[str, float] | Sequence[float],
                        quarters: Sequence[str], where: str) -> dict[str, float]:
    if isinstance(quarter_weights, Mapping):
        weights = {str(k): v for k, v in quarter_weights.items()}
    else:
        weights = {f"Q{i + 1}": v for i, v in enumerate(quarter_weights)}
    if sorted(weights) != sorted(quarters):
        raise ParamsError(
            f"the 'quarter_weights' parameter of {where} must give one weight per quarter "
            f"{list(quarters)}; got {list(weights)}",
            key="quarter_weights",
        )
    out = {q: require_number(weights[q], f"quarter_weights[{q!r}]", where, low=0.0)
           for q in quarters}
    total = math.fsum(out.values())
    if abs(total - 1.0) > 1e-6:
        raise ParamsError(
            f"the 'quarter_weights' parameter of {where} must sum to 1; got {total:g} instead",
            key="quarter_weights",
        )
    return out


def split_by_time(
    total: float,
    forecast: pd.DataFrame,
    *,
    unique_id: str = schema.TOTAL_ID,
    quarter_weights: Mapping[str, float] | Sequence[float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target into quarters and months.

    Quarters get the forecast's seasonal shape (share of the annual forecast mean) or,
    when given, the manual ``quarter_weights``; months within a quarter always follow
    the forecast's shape. Quarters are rounded first, then months within each quarter
    (largest remainder both times), so both levels are exact.

    Parameters
    ----------
    total : float
        The annual target, a multiple of ``unit``.
    forecast : DataFrame
        Long forecast ``unique_id, ds, mean, ...`` covering the plan year's months.
    unique_id : str, default "Total"
        The series whose seasonal shape is used.
    quarter_weights : mapping or sequence of 4 floats, optional
        Manual quarter shares (``{"Q1": .2, ...}`` or ``[.2, .25, .25, .3]``), summing
        to 1. Quarters count from the forecast's first month.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        One row per month: ``month, quarter, statistical_weight, weight, target``
        (``weight`` = the month's share of the target).
    """
    where = "split_by_time"
    if require_number(total, "total", where) < 0:
        raise ParamsError(f"the 'total' parameter of {where} must be non-negative; got {total}",
                          key="total")
    shape = _seasonal_shape(_check_forecast(forecast, where), unique_id, where)
    quarters = list(dict.fromkeys(shape[QUARTER]))
    stat_q = shape.groupby(QUARTER, sort=False)["statistical_weight"].sum()
    if quarter_weights is None:
        q_weights = stat_q
    else:
        q_weights = pd.Series(_quarter_weight_map(quarter_weights, quarters, where))
    q_targets = split_total(total, q_weights.reindex(quarters), unit=unit)
    month_targets = []
    for q in quarters:
        in_q = shape[QUARTER] == q
        w = shape.loc[in_q, "statistical_weight"]
        if w.sum() <= 0:
            w = pd.Series(1.0, index=w.index)  # no forecast in the quarter: spread evenly
        month_targets.append(split_total(int(q_targets[q]), w, unit=unit))
    out = shape.copy()
    out[TARGET] = pd.concat(month_targets).reindex(out.index).astype("int64")
    out["weight"] = out[TARGET] / total if total else out["statistical_weight"]
    return out[[MONTH, QUARTER, "statistical_weight", "weight", TARGET]]


def compare_quarter_weights(
    forecast: pd.DataFrame,
    *,
    quarter_weights: Mapping[str, float] | Sequence[float],
    unique_id: str = schema.TOTAL_ID,
) -> pd.DataFrame:
    """Statistical (forecast) quarter shares next to manual ones.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast covering the plan year.
    quarter_weights : mapping or sequence of 4 floats
        The manual (classic plan) quarter shares, summing to 1.
    unique_id : str, default "Total"
        The series whose seasonal shape is used.

    Returns
    -------
    DataFrame
        ``quarter, statistical_weight, manual_weight, difference`` (manual minus
        statistical).
    """
    where = "compare_quarter_weights"
    shape = _seasonal_shape(_check_forecast(forecast, where), unique_id, where)
    stat_q = shape.groupby(QUARTER, sort=False)["statistical_weight"].sum()
    manual = _quarter_weight_map(quarter_weights, list(stat_q.index), where)
    out = pd.DataFrame({QUARTER: stat_q.index, "statistical_weight": stat_q.to_numpy()})
    out["manual_weight"] = out[QUARTER].map(manual).astype(float)
    out["difference"] = out["manual_weight"] - out["statistical_weight"]
    return out


# =========================================================================== 3-4. groups


def _allocate_by_group(
    total: float,
    baseline: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    key: str,
    group: str,
    allowed: Sequence[str],
    growth: Mapping[str, float],
    growth_name: str,
    min_share: Mapping[str, float] | None,
    unit: int,
    where: str,
) -> pd.DataFrame:
    tot = require_number(total, "total", where)
    if tot < 0:
        raise ParamsError(f"the 'total' parameter of {where} must be non-negative; got {total}",
                          key="total")
    require_frame(baseline, "baseline", where, [key, BASELINE])
    require_frame(groups, "groups", where, [key, group])
    require_unique(baseline, key, "baseline", where)
    require_unique(groups, key, "groups", where)
    base_values = _numeric(baseline, BASELINE, "baseline", where)
    table = pd.DataFrame({key: groups[key].astype(str).to_numpy(),
                          group: groups[group].astype(str).to_numpy()})
    unknown = sorted(set(table[group]) - set(allowed))
    if unknown:
        raise DataError(f"the {group} column given to {where} must hold {list(allowed)}; "
                        f"got {unknown}", column=group)
    base = pd.Series(base_values, index=baseline[key].astype(str).to_numpy())
    orphans = sorted(set(base.index) - set(table[key]))
    if orphans:
        raise DataError(f"the baseline given to {where} has {key} value(s) {orphans[:5]} with "
                        f"no {group}; add them to the side table", column=key)
    present = list(dict.fromkeys(table[group]))
    rates = _check_growth(growth, present, growth_name, where)
    table[BASELINE] = table[key].map(base).fillna(0.0).astype(float)
    table[f"{group}_growth"] = table[group].map(rates).astype(float)
    table["planned"] = table[BASELINE] * (1 + table[f"{group}_growth"])
    rank = {g: i for i, g in enumerate(allowed)}
    table = table.sort_values([group, key], key=lambda s: s.map(rank) if s.name == group else s,
                              kind="mergesort").reset_index(drop=True)

    planned = table["planned"].to_numpy()
    group_of = table[group].to_numpy()
    mins = {}
    for g, s in (min_share or {}).items():
        mins[str(g)] = require_number(s, f"min_share[{g!r}]", where, low=0.0, high=1.0)
        if str(g) not in present and mins[str(g)] > 0:
            raise ParamsError(f"the 'min_share' parameter of {where} names {group} {g!r}, which "
                              f"has no {key}", key="min_share")
    if math.fsum(mins.values()) > 1 + 1e-12:
        raise ParamsError(f"the 'min_share' parameter of {where} must sum to at most 1; got "
                          f"{math.fsum(mins.values()):g}", key="min_share")
    shares = _shares_with_minimums(planned, group_of, mins, where)
    table["scale"] = np.divide(tot * shares, planned, out=np.full(len(planned), np.nan),
                               where=planned > 0)
    table[TARGET] = round_preserving_total(tot * shares, total=tot, unit=unit).to_numpy()
    table["share"] = table[TARGET] / tot if tot else 0.0
    table["implied_growth"] = np.divide(table[TARGET].to_numpy(dtype=float),
                                        table[BASELINE].to_numpy(),
                                        out=np.full(len(table), np.nan),
                                        where=table[BASELINE].to_numpy() > 0) - 1
    return table[[key, group, BASELINE, f"{group}_growth", "planned", "scale", TARGET, "share",
                  "implied_growth"]]


def _shares_with_minimums(planned: np.ndarray, group_of: np.ndarray,
                          mins: Mapping[str, float], where: str) -> np.ndarray:
    """Shares proportional to ``planned``, lifting groups below their minimum share.

    A lifted group gets exactly its minimum, spread over its members by ``planned``
    (evenly if it plans nothing); the others share the rest in proportion (water-filling).
    """
    groups = list(dict.fromkeys(group_of))
    lifted: set[str] = set()
    while True:
        free = [g for g in groups if g not in lifted]
        rest = 1.0 - math.fsum(mins[g] for g in lifted)
        free_mask = np.isin(group_of, free)
        free_total = math.fsum(planned[free_mask])
        shares = np.zeros(len(planned))
        if free_mask.any():
            if free_total > 0:
                shares[free_mask] = rest * planned[free_mask] / free_total
            elif rest > 1e-12:
                raise AllocationError(
                    f"{where}: the groups {free} plan nothing (zero baseline) yet must carry "
                    f"{rest:.1%} of the total; give them a baseline", parameter="baseline")
        for g in lifted:
            m = group_of == g
            p = planned[m]
            shares[m] = mins[g] * (p / p.sum() if p.sum() > 0 else np.full(m.sum(), 1 / m.sum()))
        newly = {g for g in free if g in mins and shares[group_of == g].sum() < mins[g] - 1e-12}
        if not newly:
            break
        lifted |= newly
    if not free_mask.any() and abs(shares.sum() - 1) > 1e-9:
        raise AllocationError(f"{where}: the minimum shares add up to {shares.sum():.1%}, not "
                              f"100 %, and no other group takes the rest", parameter="min_share")
    if shares.sum() <= 0:
        raise AllocationError(f"{where}: the baseline is zero everywhere; nothing to scale",
                              parameter="baseline")
    return shares / shares.sum()


def allocate_by_role(
    total: float,
    baseline: pd.DataFrame,
    product_lines: pd.DataFrame,
    *,
    role_growth: Mapping[str, float],
    min_share: Mapping[str, float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target over product lines by their role.

    Each line's baseline (last year's actual or its forecast) is grown by its role's
    growth (mature: steady; strategic: high; potential: exploratory), then every line is
    scaled by the same factor so the lines add up to ``total``; ``min_share`` lifts a role
    to a minimum share of the total (e.g. ``{"strategic": 0.10}``), the other roles then
    sharing the rest in proportion. Rounded by largest remainder.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    baseline : DataFrame
        ``product_line, baseline`` (see :func:`summarize_actuals`, :func:`summarize_forecast`).
        Lines of the side table missing here have baseline 0.
    product_lines : DataFrame
        The side table ``product_line, role``.
    role_growth : mapping of str to float
        Growth per role, e.g. ``{"mature": .05, "strategic": .45, "potential": .2}``.
    min_share : mapping of str to float, optional
        Minimum share of the total per role.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``product_line, role, baseline, role_growth, planned, scale, target, share,
        implied_growth``, sorted by role (mature, strategic, potential) then line.
    """
    return _allocate_by_group(
        total, baseline, product_lines, key=schema.PRODUCT_LINE, group=schema.ROLE,
        allowed=schema.PRODUCT_ROLES, growth=role_growth, growth_name="role_growth",
        min_share=min_share, unit=unit, where="allocate_by_role",
    )


def allocate_by_stage(
    total: float,
    baseline: pd.DataFrame,
    stages: pd.DataFrame,
    *,
    dimension: str = schema.REGION,
    stage_growth: Mapping[str, float],
    min_share: Mapping[str, float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target over regions (or channels) by their market stage.

    Same method as :func:`allocate_by_role`: baseline times (1 + stage growth), then one
    common scale so the parts add up to ``total``, largest-remainder rounded.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    baseline : DataFrame
        ``<dimension>, baseline``.
    stages : DataFrame
        The side table ``<dimension>, stage`` (mature / growth / emerging).
    dimension : str, default "region"
        ``"region"`` or ``"channel"``.
    stage_growth : mapping of str to float
        Growth per stage, e.g. ``{"mature": .04, "growth": .15, "emerging": .3}``.
    min_share : mapping of str to float, optional
        Minimum share of the total per stage.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``<dimension>, stage, baseline, stage_growth, planned, scale, target, share,
        implied_growth``, sorted by stage then level.
    """
    return _allocate_by_group(
        total, baseline, stages, key=dimension, group=schema.STAGE,
        allowed=schema.MARKET_STAGES, growth=stage_growth, growth_name="stage_growth",
        min_share=min_share, unit=unit, where="allocate_by_stage",
    )


# =========================================================================== 5. customers


def summarize_customer_base(orders: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Customer counts, repurchase rate and order economics of one calendar year.

    Parameters
    ----------
    orders : DataFrame
        The canonical order-line frame (``order_date, order_id, customer_id, revenue``).
    year : int
        The base year (usually the plan year minus one).

    Returns
    -------
    DataFrame
        One row: ``year, active_customers, revenue, prior_customers,
        retained_customers, repurchase_rate, retained_revenue, orders_per_customer,
        order_value, new_customers, new_revenue, first_year_value``.
        ``repurchase_rate`` = share of the previous year's customers who bought again
        (NaN without a previous year); orders per customer and order value are those of
        the retained customers (of all active customers without a previous year); new
        customers are those whose first order ever falls in ``year`` and their
        first-year value is their revenue in that calendar year.
    """
    where = "summarize_customer_base"
    require_frame(orders, "orders", where,
                   [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID, schema.REVENUE])
    frame = pd.DataFrame({
        "y": pd.to_datetime(orders[schema.ORDER_DATE]).dt.year.to_numpy(),
        "order": orders[schema.ORDER_ID].astype(str).to_numpy(),
        "customer": orders[schema.CUSTOMER_ID].astype(str).to_numpy(),
        "revenue": pd.to_numeric(orders[schema.REVENUE], errors="coerce").to_numpy(dtype=float),
    })
    now = frame[frame["y"] == year]
    if now.empty:
        raise DataError(f"the orders given to {where} have no line in {year}",
                        column=schema.ORDER_DATE)
    active = set(now["customer"])
    prior = set(frame.loc[frame["y"] == year - 1, "customer"])
    retained = active & prior
    cohort = retained if retained else active
    in_cohort = now[now["customer"].isin(cohort)]
    n_orders = in_cohort["order"].nunique()
    first_year = frame.groupby("customer")["y"].min()
    new = set(first_year.index[first_year == year])
    new_revenue = math.fsum(now.loc[now["customer"].isin(new), "revenue"])
    return pd.DataFrame([{
        "year": int(year),
        "active_customers": len(active),
        "revenue": math.fsum(now["revenue"]),
        "prior_customers": len(prior),
        "retained_customers": len(retained),
        "repurchase_rate": len(retained) / len(prior) if prior else np.nan,
        "retained_revenue": math.fsum(in_cohort["revenue"]) if retained else np.nan,
        "orders_per_customer": n_orders / len(cohort),
        "order_value": math.fsum(in_cohort["revenue"]) / n_orders if n_orders else np.nan,
        "new_customers": len(new),
        "new_revenue": new_revenue,
        "first_year_value": new_revenue / len(new) if new else np.nan,
    }])


def plan_customer_targets(
    total: float,
    base: pd.DataFrame,
    *,
    repurchase_rate: float | None = None,
    repurchase_uplift: float = 0.0,
    frequency_uplift: float = 0.0,
    order_value_uplift: float = 0.0,
    first_year_value: float | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the target into existing and new customers; count the new customers needed.

    Existing revenue = last year's customers x repurchase rate x orders per customer x
    order value (each with its uplift); new customers close the rest of the target, at
    last year's first-year value per new customer, rounded up to whole customers.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    base : DataFrame
        One row from :func:`summarize_customer_base`.
    repurchase_rate : float, optional
        Target repurchase rate (0-1); default the base rate plus ``repurchase_uplift``.
    repurchase_uplift : float, default 0.0
        Added to the base repurchase rate (percentage points as a fraction).
    frequency_uplift, order_value_uplift : float, default 0.0
        Relative uplifts of orders per customer and order value (0.05 = +5 %).
    first_year_value : float, optional
        Revenue per new customer in its first year; default the base year's.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        Rows ``existing, new, total``; columns ``customer_type, baseline_customers,
        customers, repurchase_rate, orders_per_customer, order_value,
        revenue_per_customer, planned_revenue, target, note``. ``customers`` of the new
        row is the number of new customers the plan needs; ``target`` adds up exactly.
    """
    where = "plan_customer_targets"
    tot = require_number(total, "total", where, low=0.0)
    cols = ["active_customers", "repurchase_rate", "orders_per_customer", "order_value",
            "new_customers", "first_year_value"]
    require_frame(base, "base", where, cols)
    if len(base) != 1:
        raise DataError(f"the 'base' frame given to {where} must have one row; got {len(base)}")
    b = base.iloc[0]
    if repurchase_rate is None:
        if pd.isna(b["repurchase_rate"]):
            raise ParamsError(f"{where} needs 'repurchase_rate': the base year has no previous "
                              f"year to measure it from", key="repurchase_rate")
        rate = float(b["repurchase_rate"]) + require_number(repurchase_uplift, "repurchase_uplift", where)
    else:
        rate = require_number(repurchase_rate, "repurchase_rate", where, low=0.0, high=1.0)
    if not 0 <= rate <= 1:
        raise ParamsError(f"the repurchase rate of {where} must be between 0 and 1; got {rate:g}",
                          key="repurchase_uplift")
    opc = float(b["orders_per_customer"]) * (1 + require_number(frequency_uplift, "frequency_uplift", where, low=-1.0))
    aov = float(b["order_value"]) * (1 + require_number(order_value_uplift, "order_value_uplift", where, low=-1.0))
    pool = float(b["active_customers"])
    existing_customers = pool * rate
    existing_revenue = existing_customers * opc * aov
    fyv = (float(b["first_year_value"]) if first_year_value is None
           else require_number(first_year_value, "first_year_value", where, low=0.0, low_open=True))
    rest = tot - existing_revenue
    note_total = ""
    if rest > 0:
        if not (fyv > 0):
            raise ParamsError(f"{where} needs a positive 'first_year_value' to plan new customers; "
                              f"got {fyv}", key="first_year_value")
        new_customers = int(math.ceil(rest / fyv - 1e-9))
        new_planned = rest
    else:
        new_customers, new_planned = 0, 0.0
        note_total = f"existing customers alone exceed the target by {-rest:,.0f}"
    split = round_preserving_total(
        pd.Series([min(existing_revenue, tot), max(rest, 0.0)], index=["existing", "new"]),
        total=tot, unit=unit)
    rows = [
        {"customer_type": "existing", "baseline_customers": pool, "customers": existing_customers,
         "repurchase_rate": rate, "orders_per_customer": opc, "order_value": aov,
         "revenue_per_customer": opc * aov, "planned_revenue": existing_revenue,
         TARGET: int(split["existing"]), "note": ""},
        {"customer_type": "new", "baseline_customers": float(b["new_customers"]),
         "customers": float(new_customers), "repurchase_rate": np.nan,
         "orders_per_customer": np.nan, "order_value": np.nan, "revenue_per_customer": fyv,
         "planned_revenue": new_planned, TARGET: int(split["new"]),
         "note": f"{new_customers} new customers at {fyv:,.0f} each" if new_customers else ""},
        {"customer_type": "total", "baseline_customers": pool + float(b["new_customers"]),
         "customers": existing_customers + new_customers, "repurchase_rate": np.nan,
         "orders_per_customer": np.nan, "order_value": np.nan, "revenue_per_customer": np.nan,
         "planned_revenue": existing_revenue + new_planned, TARGET: int(split.sum()),
         "note": note_total},
    ]
    out = pd.DataFrame(rows)
    out[TARGET] = out[TARGET].astype("int64")
    return out


# =========================================================================== 6. reps


def _monthly_presence(hire: pd.Timestamp | None, leave: pd.Timestamp | None, plan_year: int,
                      ramp_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Per month of the plan year: (share of the month in seat, that share times the ramp).

    Presence counts days (hire and leave dates inclusive); productivity ramps linearly
    over ``ramp_months``: the k-th month since the hire month (hire month = 1st) works at
    ``min(1, k / ramp_months)``.
    """
    present, effective = np.zeros(12), np.zeros(12)
    for m in range(1, 13):
        start = pd.Timestamp(plan_year, m, 1)
        end = start + pd.offsets.MonthEnd(0)
        first = start if hire is None or hire <= start else hire
        last = end if leave is None or leave >= end else leave
        if last < first:
            continue
        frac = ((last - first).days + 1) / end.day
        ramp = 1.0
        if hire is not None and ramp_months > 0:
            k = (start.year - hire.year) * 12 + (start.month - hire.month) + 1
            ramp = min(1.0, max(k, 1) / ramp_months)
        present[m - 1], effective[m - 1] = frac, frac * ramp
    return present, effective


def rep_presence_by_month(reps: pd.DataFrame, *, plan_year: int, ramp_months: int = 6) -> pd.DataFrame:
    """``rep, month, presence``: each rep's productive share of each plan-year month.

    The same day count and ramp as :func:`allocate_to_reps`, month by month, so a rep
    hired in July gets no January target and a leaver none after leaving.
    """
    hires = reps[schema.REP_HIRE_DATE] if schema.REP_HIRE_DATE in reps.columns else pd.Series(pd.NaT, index=reps.index)
    leaves = reps[schema.REP_LEAVE_DATE] if schema.REP_LEAVE_DATE in reps.columns else pd.Series(pd.NaT, index=reps.index)
    months = pd.date_range(f"{plan_year}-01-01", periods=12, freq="MS")
    parts = []
    for rep, hire, leave in zip(reps[schema.REP].astype(str), pd.to_datetime(hires), pd.to_datetime(leaves)):
        _, effective = _monthly_presence(None if pd.isna(hire) else hire.normalize(),
                                         None if pd.isna(leave) else leave.normalize(), plan_year, ramp_months)
        parts.append(pd.DataFrame({schema.REP: rep, MONTH: months, "presence": effective}))
    if not parts:
        return pd.DataFrame(columns=[schema.REP, MONTH, "presence"])
    return pd.concat(parts, ignore_index=True)


def allocate_to_reps(
    region_targets: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    plan_year: int,
    ramp_months: int = 6,
    month_targets: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split each region's target over its reps by capacity and time in seat.

    With ``month_targets`` (``region, month, target``, e.g. the region x month sums of
    the target cube) each month's region target is shared by the reps in seat that
    month (by capacity x ramped presence) and a rep's weight is the sum of those shares:
    a rep who leaves after a slow quarter carries a slow quarter's target, never more
    than the months they are there can hold. Months with no one in seat go to the
    ``"(vacant)"`` row.

    A rep's weight is ``capacity x effective months``: months present in the plan year
    (none if they left before it or join after it, pro rata by day when joining or
    leaving during it), each weighted by a linear ramp-up for recent hires (month k after
    hiring counts ``k / ramp_months``, full from month ``ramp_months``). A region's target
    is split by these weights (largest remainder); a region with a target but no one to
    carry it gets a ``"(vacant)"`` row.

    Parameters
    ----------
    region_targets : DataFrame
        ``region, target`` (e.g. from :func:`allocate_by_stage`).
    reps : DataFrame
        ``rep, region`` and optionally ``hire_date, leave_date, capacity`` (default 1).
    plan_year : int
        The calendar year planned.
    ramp_months : int, default 6
        Months to full productivity (0 = none).
    month_targets : DataFrame, optional
        ``region, month, target``: the seasonal weights of each region's months.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``rep, region, status, capacity, months_present, effective_months, weight,
        share, target`` sorted by region then rep; ``status`` is one of ``active,
        ramping, joining, leaving, left, not_started, vacant``; each region's targets add up to its
        target exactly.
    """
    where = "allocate_to_reps"
    require_frame(region_targets, "region_targets", where, [schema.REGION, TARGET])
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    require_unique(region_targets, schema.REGION, "region_targets", where)
    require_unique(reps, schema.REP, "reps", where)
    if isinstance(ramp_months, bool) or not isinstance(ramp_months, (int, np.integer)) or ramp_months < 0:
        raise ParamsError(f"the 'ramp_months' parameter of {where} must be a non-negative integer; "
                          f"got {ramp_months!r} instead", key="ramp_months")
    targets = pd.Series(_numeric(region_targets, TARGET, "region_targets", where),
                        index=region_targets[schema.REGION].astype(str).to_numpy())
    table = pd.DataFrame({schema.REP: reps[schema.REP].astype(str).to_numpy(),
                          schema.REGION: reps[schema.REGION].astype(str).to_numpy()})
    unknown = sorted(set(table[schema.REGION]) - set(targets.index))
    if unknown:
        raise DataError(f"the reps given to {where} sit in region(s) {unknown[:5]} that have no "
                        f"target", column=schema.REGION)
    capacity = (_numeric(reps, schema.REP_CAPACITY, "reps", where)
                if schema.REP_CAPACITY in reps.columns else np.ones(len(reps)))
    hires = (pd.to_datetime(reps[schema.REP_HIRE_DATE]) if schema.REP_HIRE_DATE in reps.columns
             else pd.Series(pd.NaT, index=reps.index))
    leaves = (pd.to_datetime(reps[schema.REP_LEAVE_DATE]) if schema.REP_LEAVE_DATE in reps.columns
              else pd.Series(pd.NaT, index=reps.index))
    year_start, year_end = pd.Timestamp(plan_year, 1, 1), pd.Timestamp(plan_year, 12, 31)
    present, effective, status, monthly = [], [], [], []
    for hire, leave in zip(hires, leaves):
        h = None if pd.isna(hire) else pd.Timestamp(hire).normalize()
        lv = None if pd.isna(leave) else pd.Timestamp(leave).normalize()
        if h is not None and lv is not None and lv < h:
            raise DataError(f"the reps given to {where} have a leave date before the hire date "
                            f"({lv.date()} < {h.date()})", column=schema.REP_LEAVE_DATE)
        p_m, e_m = _monthly_presence(h, lv, plan_year, ramp_months)
        p, e = float(p_m.sum()), float(e_m.sum())
        monthly.append(e_m)
        present.append(p)
        effective.append(e)
        if lv is not None and lv < year_start:
            status.append("left")
        elif h is not None and h > year_end:
            status.append("not_started")
        elif lv is not None and lv < year_end:
            status.append("leaving")
        elif h is not None and h > year_start and e >= p - 1e-12:
            status.append("joining")
        elif e < p - 1e-12:
            status.append("ramping")
        else:
            status.append("active")
    table["status"] = status
    table["capacity"] = capacity
    table["months_present"] = present
    table["effective_months"] = effective
    table["weight"] = table["capacity"] * table["effective_months"]
    seats = np.asarray(capacity, dtype=float)[:, None] * (np.vstack(monthly) if monthly else np.zeros((0, 12)))
    seasonal = None
    if month_targets is not None:
        require_frame(month_targets, "month_targets", where, [schema.REGION, MONTH, TARGET])
        seasonal = (month_targets.assign(**{schema.REGION: month_targets[schema.REGION].astype(str),
                                            MONTH: pd.to_datetime(month_targets[MONTH]).dt.month})
                    .pivot_table(index=schema.REGION, columns=MONTH, values=TARGET, aggfunc="sum")
                    .reindex(columns=range(1, 13)).fillna(0.0))
    parts = []
    for region in sorted(targets.index):
        rows = table[table[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        target = targets[region]
        uncovered = 0.0
        if seasonal is not None and region in seasonal.index:
            month_t = seasonal.loc[region].to_numpy(dtype=float)
            s_m = seats[rows.index.to_numpy()]
            in_seat = s_m.sum(axis=0)
            share = np.divide(s_m, in_seat, out=np.zeros_like(s_m), where=in_seat > 0)
            rows = rows.assign(weight=share @ month_t)
            uncovered = float(month_t[in_seat <= 0].sum())
        if target != 0 and (rows["weight"].sum() <= 0 or uncovered > 0):
            rows = pd.concat([rows, pd.DataFrame([{
                schema.REP: VACANT_REP, schema.REGION: region, "status": "vacant",
                "capacity": 0.0, "months_present": 0.0, "effective_months": 0.0,
                "weight": uncovered if uncovered > 0 else 1.0}])],
                ignore_index=True)
        if rows.empty:
            continue
        w = rows["weight"]
        rows = rows.assign(share=w / w.sum() if w.sum() > 0 else 0.0)
        rows[TARGET] = split_total(target, w.reset_index(drop=True), unit=unit).to_numpy()
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out.loc[out["status"] == "vacant", "weight"] = 0.0
    out[TARGET] = out[TARGET].astype("int64")
    return out[[schema.REP, schema.REGION, "status", "capacity", "months_present",
                "effective_months", "weight", "share", TARGET]]


def assess_rep_fairness(
    rep_targets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    year: int | None = None,
    region_potential: pd.DataFrame | None = None,
    threshold: float = 3.5,
) -> pd.DataFrame:
    """How fair is each quota: against the rep's own history and the region's potential.

    Parameters
    ----------
    rep_targets : DataFrame
        From :func:`allocate_to_reps`.
    orders : DataFrame, optional
        Order lines with ``rep``, for each rep's revenue in ``year``.
    year : int, optional
        The history year (usually the plan year minus one); needed with ``orders``.
    region_potential : DataFrame, optional
        ``region, potential`` (market size or forecast per region).
    threshold : float, default 3.5
        A robust z-score beyond +-threshold flags an outlier.

    Returns
    -------
    DataFrame
        Per rep with a target: ``rep, region, status, target, effective_capacity,
        target_per_capacity, history, growth_vs_history, potential,
        target_to_potential, z_target_per_capacity, z_growth, outlier, reason``.
        ``effective_capacity`` = capacity x effective months / 12; ``potential`` is the
        region's potential times the rep's share of it; z-scores are modified z-scores
        (median / MAD) across reps; ``reason`` says why a rep is flagged.
    """
    where = "assess_rep_fairness"
    require_frame(rep_targets, "rep_targets", where,
                   [schema.REP, schema.REGION, "status", "weight", "share", TARGET])
    require_number(threshold, "threshold", where, low=0.0, low_open=True)
    out = rep_targets[[schema.REP, schema.REGION, "status", TARGET]].copy()
    out["effective_capacity"] = rep_targets["weight"].to_numpy(dtype=float) / 12.0
    cap = out["effective_capacity"].to_numpy()
    out["target_per_capacity"] = np.divide(out[TARGET].to_numpy(dtype=float), cap,
                                           out=np.full(len(out), np.nan), where=cap > 0)
    if orders is not None:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        hist = summarize_actuals(orders, year=year, by=schema.REP).set_index(schema.REP)[BASELINE]
        out["history"] = out[schema.REP].map(hist).fillna(0.0).astype(float)
    else:
        out["history"] = np.nan
    out["growth_vs_history"] = np.divide(out[TARGET].to_numpy(dtype=float), out["history"].to_numpy(),
                                         out=np.full(len(out), np.nan),
                                         where=out["history"].to_numpy() > 0) - 1
    if region_potential is not None:
        require_frame(region_potential, "region_potential", where, [schema.REGION, "potential"])
        pot = pd.Series(_numeric(region_potential, "potential", "region_potential", where),
                        index=region_potential[schema.REGION].astype(str).to_numpy())
        out["potential"] = out[schema.REGION].map(pot).astype(float) * rep_targets["share"].to_numpy(dtype=float)
    else:
        out["potential"] = np.nan
    out["target_to_potential"] = np.divide(out[TARGET].to_numpy(dtype=float), out["potential"].to_numpy(),
                                           out=np.full(len(out), np.nan),
                                           where=out["potential"].to_numpy() > 0)
    out = out[(out[TARGET] > 0) & (out["status"] != "vacant")].reset_index(drop=True)
    out["z_target_per_capacity"] = _robust_z(out["target_per_capacity"].to_numpy(dtype=float))
    out["z_growth"] = _robust_z(out["growth_vs_history"].to_numpy(dtype=float))
    reasons = []
    for zt, zg in zip(out["z_target_per_capacity"], out["z_growth"]):
        r = []
        if np.isfinite(zt) and abs(zt) > threshold:
            r.append(f"quota per capacity {'high' if zt > 0 else 'low'} (z={zt:.1f})")
        if np.isfinite(zg) and abs(zg) > threshold:
            r.append(f"growth vs history {'high' if zg > 0 else 'low'} (z={zg:.1f})")
        reasons.append("; ".join(r))
    out["reason"] = reasons
    out["outlier"] = out["reason"] != ""
    return out[[schema.REP, schema.REGION, "status", TARGET, "effective_capacity",
                "target_per_capacity", "history", "growth_vs_history", "potential",
                "target_to_potential", "z_target_per_capacity",
                "z_growth", "outlier", "reason"]]


def summarize_quota_spread(fairness: pd.DataFrame) -> pd.DataFrame:
    """Spread of the fairness measures across reps.

    Parameters
    ----------
    fairness : DataFrame
        From :func:`assess_rep_fairness`.

    Returns
    -------
    DataFrame
        One row per measure (``target_per_capacity, growth_vs_history,
        target_to_potential``): ``measure, n, min, p25, median, p75, max, iqr, cv,
        outliers`` (cv = standard deviation / mean).
    """
    where = "summarize_quota_spread"
    measures = ["target_per_capacity", "growth_vs_history", "target_to_potential"]
    require_frame(fairness, "fairness", where, [*measures, "reason"])
    rows = []
    for m in measures:
        x = fairness[m].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        row = {"measure": m, "n": len(x)}
        if len(x):
            q = np.quantile(x, [0, 0.25, 0.5, 0.75, 1])
            mean = x.mean()
            row.update(min=q[0], p25=q[1], median=q[2], p75=q[3], max=q[4], iqr=q[3] - q[1],
                       cv=x.std(ddof=0) / abs(mean) if mean else np.nan)
        else:
            row.update(min=np.nan, p25=np.nan, median=np.nan, p75=np.nan, max=np.nan, iqr=np.nan,
                       cv=np.nan)
        label = {"target_per_capacity": "quota per capacity",
                 "growth_vs_history": "growth vs history"}.get(m)
        row["outliers"] = (int(fairness["reason"].astype(str).str.contains(label, regex=False).sum())
                           if label else 0)
        rows.append(row)
    return pd.DataFrame(rows)


# =========================================================================== 7. cube


def _targets_series(frame: pd.DataFrame, key: str, name: str, where: str) -> pd.Series:
    require_frame(frame, name, where, [key, TARGET])
    require_unique(frame, key, name, where)
    values = _numeric(frame, TARGET, name, where)
    return pd.Series(values, index=frame[key].to_numpy())


def fit_target_cube(
    forecast: pd.DataFrame,
    *,
    region_targets: pd.DataFrame,
    product_line_targets: pd.DataFrame,
    month_targets: pd.DataFrame,
    seasonality: Literal["total", "cell"] = "total",
    seed_floor: float = 0.0,
    unit: int = 1,
) -> pd.DataFrame:
    """Region x product line x month targets consistent with every 1-D target.

    Seed: the forecast's annual ``product_line=X|region=Y`` cells (sum of monthly means,
    negatives as 0), spread over months by the month targets' shares (``"total"``) or
    taken month by month from the cell forecasts (``"cell"``). A region or product line
    whose seed is all zero but whose target is not is seeded by independence (its
    target times the other dimension's shares). Iterative proportional fitting then
    matches the region, product-line and month targets, and controlled rounding makes
    every one of them exact in whole units (region x product line within one unit of
    the fit).

    Parameters
    ----------
    forecast : DataFrame
        Long forecast with ``product_line=X|region=Y`` series.
    region_targets, product_line_targets : DataFrame
        ``region, target`` and ``product_line, target`` (whole units, same total).
    month_targets : DataFrame
        ``month, target`` (from :func:`split_by_time`).
    seasonality : {"total", "cell"}, default "total"
        Where the seed's monthly shape comes from.
    seed_floor : float, default 0.0
        Share (0 to 1) of the independence table mixed into the seed so that no cell is
        a structural zero; raise it (e.g. 0.01) when the forecast's empty cells make the
        targets unreachable (IPF then fails to converge).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``region, product_line, month, fitted, target`` sorted by region, product line,
        month; ``attrs["rounding"]`` as in
        :func:`~planlib.allocation.round_table_preserving_margins`.
    """
    where = "fit_target_cube"
    _check_forecast(forecast, where)
    if seasonality not in ("total", "cell"):
        raise ParamsError(f"the 'seasonality' parameter of {where} must be 'total' or 'cell'; "
                          f"got {seasonality!r} instead", key="seasonality")
    floor = require_number(seed_floor, "seed_floor", where, low=0.0, high=1.0)
    reg = _targets_series(region_targets, schema.REGION, "region_targets", where)
    reg.index = reg.index.astype(str)
    pl = _targets_series(product_line_targets, schema.PRODUCT_LINE, "product_line_targets", where)
    pl.index = pl.index.astype(str)
    require_frame(month_targets, "month_targets", where, [MONTH, TARGET])
    mon = pd.Series(_numeric(month_targets, TARGET, "month_targets", where),
                    index=_month_start(month_targets[MONTH]).to_numpy())
    if mon.index.has_duplicates:
        raise DataError(f"the 'month_targets' frame given to {where} repeats months", column=MONTH)
    totals = {"region": math.fsum(reg), "product_line": math.fsum(pl), "month": math.fsum(mon)}
    if max(totals.values()) - min(totals.values()) > 1e-6 * max(1.0, max(totals.values())):
        raise AllocationError(f"{where}: the region, product-line and month targets must add up to "
                              f"the same total; got {totals}", parameter="region_targets")
    regions, lines, months = sorted(reg.index), sorted(pl.index), sorted(mon.index)

    uid = forecast[schema.UNIQUE_ID].astype(str)
    cells = forecast[uid.str.contains("|", regex=False)].copy()
    parsed = [_parse_uid(u) for u in cells[schema.UNIQUE_ID].astype(str)]
    cells["_region"] = [p.get(schema.REGION) for p in parsed]
    cells["_line"] = [p.get(schema.PRODUCT_LINE) for p in parsed]
    keep = np.array([len(p) == 2 and schema.REGION in p and schema.PRODUCT_LINE in p for p in parsed],
                    dtype=bool)
    cells = cells[keep]
    cells = cells.assign(_month=_month_start(cells[schema.DS]),
                         _mean=cells[_MEAN].astype(float).clip(lower=0.0))
    cells = cells[cells["_month"].isin(months)]
    grid = pd.MultiIndex.from_product([regions, lines, months],
                                      names=[schema.REGION, schema.PRODUCT_LINE, MONTH])
    monthly = cells.groupby(["_region", "_line", "_month"])["_mean"].sum()
    monthly.index.names = grid.names
    cube = monthly.reindex(grid).fillna(0.0).to_numpy().reshape(len(regions), len(lines), len(months))
    annual = cube.sum(axis=2)
    # Independence seed for regions / lines that the forecast leaves empty.
    r_share = reg.reindex(regions).to_numpy() / max(totals["region"], 1e-300)
    p_share = pl.reindex(lines).to_numpy() / max(totals["product_line"], 1e-300)
    empty_r = (annual.sum(axis=1) <= 0) & (r_share > 0)
    empty_p = (annual.sum(axis=0) <= 0) & (p_share > 0)
    if empty_r.any() or empty_p.any():
        independent = np.outer(r_share, p_share) * max(annual.sum(), 1.0)
        annual[empty_r, :] = independent[empty_r, :]
        annual[:, empty_p] = independent[:, empty_p]
        if seasonality == "cell":
            m_share = mon.reindex(months).to_numpy() / max(totals["month"], 1e-300)
            filled = np.zeros_like(cube, dtype=bool)
            filled[empty_r, :, :] = True
            filled[:, empty_p, :] = True
            cube = np.where(filled, annual[:, :, None] * m_share[None, None, :], cube)
    m_share = mon.reindex(months).to_numpy() / max(totals["month"], 1e-300)
    if seasonality == "total":
        cube = annual[:, :, None] * m_share[None, None, :]
    if floor > 0:
        independent = (np.outer(r_share, p_share)[:, :, None] * m_share[None, None, :]
                       * max(cube.sum(), 1.0))
        cube = (1 - floor) * cube + floor * independent
    seed = grid.to_frame(index=False)
    seed["value"] = cube.reshape(-1)
    try:
        fitted = fit_to_margins(seed, dims=[schema.REGION, schema.PRODUCT_LINE, MONTH],
                                margins={schema.REGION: reg, schema.PRODUCT_LINE: pl, MONTH: mon})
    except AllocationError as err:
        raise AllocationError(f"{where}: {err}; pass seed_floor=0.01 to open the forecast's empty "
                              f"region x product line cells", parameter="seed_floor") from err
    rounded = round_table_preserving_margins(
        fitted, dims=[schema.REGION, schema.PRODUCT_LINE, MONTH], value="value",
        margins={schema.REGION: reg, schema.PRODUCT_LINE: pl, MONTH: mon}, unit=unit)
    out = seed[[schema.REGION, schema.PRODUCT_LINE, MONTH]].copy()
    out[FITTED] = fitted["value"].to_numpy()
    out[TARGET] = rounded["value"].to_numpy()
    out.attrs["rounding"] = rounded.attrs.get("rounding")
    return out


def fit_rep_cube(
    cube: pd.DataFrame,
    rep_targets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    year: int | None = None,
    mix_weight: float = 0.5,
    presence: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Rep x product line x month targets inside each region's cube slice.

    Per region, a rep's seed for a (product line, month) cell is its target times the
    cell's share of the region, tilted towards the product lines the rep sold last year:
    ``(1 - mix_weight) + mix_weight * rep mix / region mix`` (1 without history), times
    the rep's presence in that month when ``presence`` is given (0 before hire and after
    leaving, so those months carry nothing). IPF fits rep totals and cell totals,
    controlled rounding makes both exact.

    Parameters
    ----------
    cube : DataFrame
        From :func:`fit_target_cube` (``region, product_line, month, target``).
    rep_targets : DataFrame
        From :func:`allocate_to_reps` (``rep, region, target``); each region's reps must
        add up to the region's total in ``cube``.
    orders : DataFrame, optional
        Order lines with ``rep`` and ``product_line`` for the product mix.
    year : int, optional
        The history year (needed with ``orders``).
    mix_weight : float, default 0.5
        How far (0 to below 1) a rep's historical mix tilts the seed.
    presence : DataFrame, optional
        ``rep, month, presence`` (from :func:`rep_presence_by_month`). Reps without rows
        count as present all year; the vacant seat holds the months no rep is in seat. A month in which no rep of a region
        is present keeps the plain seed (someone must carry it) and is reported in
        the ``note`` column.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``region, rep, product_line, month, fitted, target, note`` sorted in that order;
        reps with a zero target are left out.
    """
    where = "fit_rep_cube"
    dims = [schema.REGION, schema.PRODUCT_LINE, MONTH]
    require_frame(cube, "cube", where, [*dims, TARGET])
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, TARGET])
    require_unique(rep_targets, schema.REP, "rep_targets", where)
    mw = require_number(mix_weight, "mix_weight", where, low=0.0)
    if mw >= 1:
        raise ParamsError(f"the 'mix_weight' parameter of {where} must be below 1; got {mix_weight}",
                          key="mix_weight")
    mix = None
    if orders is not None:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        hist = summarize_actuals(orders, year=year, by=[schema.REP, schema.PRODUCT_LINE])
        mix = hist.pivot_table(index=schema.REP, columns=schema.PRODUCT_LINE, values=BASELINE,
                               aggfunc="sum", fill_value=0.0).clip(lower=0.0)
    cube = cube.assign(**{schema.REGION: cube[schema.REGION].astype(str),
                          schema.PRODUCT_LINE: cube[schema.PRODUCT_LINE].astype(str)})
    reps = rep_targets.assign(**{schema.REP: rep_targets[schema.REP].astype(str),
                                 schema.REGION: rep_targets[schema.REGION].astype(str)})
    reps = reps[reps[TARGET] != 0]
    stray = sorted(set(reps[schema.REGION]) - set(cube[schema.REGION]))
    if stray:
        raise AllocationError(f"{where}: reps carry targets in region(s) {stray[:5]} that the cube "
                              f"does not have", parameter="rep_targets")
    in_seat = None  # rep x month presence, pivoted once for every region
    if presence is not None:
        in_seat = presence.assign(**{schema.REP: presence[schema.REP].astype(str)}).pivot_table(
            index=schema.REP, columns=MONTH, values="presence", aggfunc="sum")
    parts = []
    for region in sorted(set(cube[schema.REGION])):
        cells = cube[(cube[schema.REGION] == region) & (cube[TARGET] != 0)]
        cells = cells.sort_values([schema.PRODUCT_LINE, MONTH], kind="mergesort").reset_index(drop=True)
        team = reps[reps[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        region_total = int(cells[TARGET].sum())
        team_total = int(team[TARGET].sum())
        if region_total != team_total:
            raise AllocationError(f"{where}: the reps of region {region!r} carry {team_total} but the "
                                  f"cube gives the region {region_total}", parameter="rep_targets")
        if cells.empty:
            continue
        cell_share = cells[TARGET].to_numpy(dtype=float) / region_total
        tilt = np.ones((len(team), len(cells)))
        if mix is not None:
            lines = cells[schema.PRODUCT_LINE].to_numpy()
            known = [r for r in team[schema.REP] if r in mix.index]
            region_mix = mix.loc[known].sum() if known else None
            if region_mix is not None and region_mix.sum() > 0:
                region_mix = region_mix / region_mix.sum()
                for i, rep in enumerate(team[schema.REP]):
                    if rep in mix.index and mix.loc[rep].sum() > 0:
                        rep_mix = mix.loc[rep] / mix.loc[rep].sum()
                        rm = region_mix.reindex(lines).fillna(0.0).to_numpy()
                        ratio = np.divide(rep_mix.reindex(lines).fillna(0.0).to_numpy(), rm,
                                          out=np.ones(len(lines)), where=rm > 0)
                        tilt[i] = (1 - mw) + mw * ratio
        rep_total = team[TARGET].to_numpy(dtype=float)
        seed_values = rep_total[:, None] * cell_share[None, :] * tilt
        note = np.full(len(cells), "", dtype=object)
        if in_seat is not None:
            at = np.ones((len(team), len(cells)))
            cell_months = pd.DatetimeIndex(cells[MONTH])
            for i, rep in enumerate(team[schema.REP]):
                if rep in in_seat.index:
                    at[i] = in_seat.loc[rep].reindex(cell_months).fillna(0.0).to_numpy()
            vacant = (team[schema.REP] == VACANT_REP).to_numpy()
            if vacant.any():  # the vacant seat holds the months no one is in seat
                nobody = at[~vacant].sum(axis=0) <= 0
                at[vacant] = nobody.astype(float)
            uncovered = at.sum(axis=0) <= 0
            at[:, uncovered] = 1.0
            note[uncovered] = "no rep in seat this month: spread over the region's reps"
            seed_values = seed_values * at
        seed = pd.DataFrame({"rep_i": np.repeat(np.arange(len(team)), len(cells)),
                             "cell_i": np.tile(np.arange(len(cells)), len(team)),
                             "value": seed_values.reshape(-1)})
        margins = {"rep_i": pd.Series(rep_total), "cell_i": pd.Series(cells[TARGET].to_numpy(dtype=float))}
        fitted = fit_to_margins(seed, dims=["rep_i", "cell_i"], margins=margins)
        rounded = round_table_preserving_margins(fitted, dims=["rep_i", "cell_i"], margins=margins,
                                                 unit=unit)
        ri, ci = seed["rep_i"].to_numpy(), seed["cell_i"].to_numpy()
        parts.append(pd.DataFrame({
            schema.REGION: region,
            schema.REP: team[schema.REP].to_numpy()[ri],
            schema.PRODUCT_LINE: cells[schema.PRODUCT_LINE].to_numpy()[ci],
            MONTH: cells[MONTH].to_numpy()[ci],
            FITTED: fitted["value"].to_numpy(),
            TARGET: rounded["value"].to_numpy(),
            "note": note[ci],
        }))
    if not parts:
        raise DataError(f"the cube given to {where} has no positive target")
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values([schema.REGION, schema.REP, schema.PRODUCT_LINE, MONTH],
                          kind="mergesort").reset_index(drop=True)
    out[TARGET] = out[TARGET].astype("int64")
    return out


# =========================================================================== 8. bottom-up


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


# =========================================================================== 9. SMART


def estimate_reach_probability(
    forecast: pd.DataFrame,
    *,
    unique_id: str,
    amount: float,
    months: Sequence[pd.Timestamp] | None = None,
    correlation: float = 1.0,
) -> float:
    """Probability that a segment's actual over some months reaches ``amount``.

    Without simulated paths the distribution is rebuilt from the forecast quantiles.
    One month: its own quantiles. Several months: the summed quantiles (exact if the
    months move together, ``correlation=1``), shrunk towards the summed mean by
    ``sd(sum) / sum(sd)`` where the monthly ``sd`` comes from the outermost quantile pair
    and ``sd(sum)`` assumes one ``correlation`` between any two months (see
    :func:`build_smart_table`, which calibrates it on the Total's simulated paths). The
    CDF is interpolated linearly between quantiles on the probit scale and extended
    beyond the outermost ones along the end segments (Gaussian tails).

    Parameters
    ----------
    forecast : DataFrame
        Long forecast with quantile columns ``p10..p90`` (any ``pNN``, at least two).
    unique_id : str
        The series, e.g. ``"region=North"``.
    amount : float
        The target.
    months : sequence of Timestamp, optional
        Month starts of the period; default all months of the series.
    correlation : float, default 1.0
        Correlation (0-1) between the forecast errors of two months.

    Returns
    -------
    float
        ``P(actual >= amount)`` in [0, 1].
    """
    where = "estimate_reach_probability"
    series = _series(_check_forecast(forecast, where), unique_id, where)
    if months is not None:
        wanted = pd.DatetimeIndex(months).to_period("M").to_timestamp()
        series = series[series[schema.DS].isin(wanted)]
        if len(series) != len(set(wanted)):
            raise DataError(f"the forecast of '{unique_id}' given to {where} lacks some of the "
                            f"months asked for", column=schema.DS)
    rho = require_number(correlation, "correlation", where, low=0.0, high=1.0)
    probs, qs = _summed_quantiles(series, unique_id, where)
    center = math.fsum(series[_MEAN].astype(float))
    sd = _monthly_sd(series)
    summed_sd = math.fsum(sd)
    if summed_sd > 0 and len(sd) > 1:
        var = math.fsum(sd**2) + rho * (summed_sd**2 - math.fsum(sd**2))
        qs = center + (math.sqrt(var) / summed_sd) * (qs - center)
    return _reach_from_quantiles(np.maximum.accumulate(qs), probs, float(amount))


def _summed_quantiles(series: pd.DataFrame, unique_id: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    levels = _quantile_levels(series)
    if len(levels) < 2:
        raise DataError(f"the forecast of '{unique_id}' given to {where} needs at least two quantile "
                        f"columns (p10..p90); got {list(series.columns)}")
    probs = np.array([p for p, _ in levels])
    qs = np.array([math.fsum(series[c].astype(float)) for _, c in levels])
    return probs, qs


def _monthly_sd(series: pd.DataFrame) -> np.ndarray:
    """Per-month standard deviation implied by the outermost quantile pair."""
    levels = _quantile_levels(series)
    (lo, clo), (hi, chi) = levels[0], levels[-1]
    width = series[chi].astype(float).to_numpy() - series[clo].astype(float).to_numpy()
    return np.clip(width, 0.0, None) / (norm.ppf(hi) - norm.ppf(lo))


def _reach_from_quantiles(qs: np.ndarray, probs: np.ndarray, amount: float) -> float:
    z = norm.ppf(probs)
    xs, inverse = np.unique(qs, return_inverse=True)
    if len(xs) == 1:
        return 1.0 if amount <= xs[0] else 0.0
    zs = np.array([z[inverse == i].mean() for i in range(len(xs))])
    if amount < xs[0]:
        za = zs[0] + (amount - xs[0]) * (zs[1] - zs[0]) / (xs[1] - xs[0])
    elif amount > xs[-1]:
        za = zs[-1] + (amount - xs[-1]) * (zs[-1] - zs[-2]) / (xs[-1] - xs[-2])
    else:
        za = float(np.interp(amount, xs, zs))
    return float(norm.sf(za))


def _calibrate_correlation(forecast: pd.DataFrame, paths: np.ndarray, months: list[pd.Timestamp]) -> float:
    """Month-to-month correlation that makes the Total's summed spread match the paths'."""
    series = _series(forecast, schema.TOTAL_ID, "build_smart_table")
    series = series[series[schema.DS].isin(months)]
    levels = _quantile_levels(series)
    if len(levels) < 2 or len(series) < 2:
        return 1.0
    lo, hi = levels[0][0], levels[-1][0]
    sd = _monthly_sd(series)
    target_sd = float(np.quantile(paths, hi) - np.quantile(paths, lo)) / (norm.ppf(hi) - norm.ppf(lo))
    s1, s2 = math.fsum(sd), math.fsum(sd**2)
    if s1**2 - s2 <= 0:
        return 1.0
    return float(np.clip((target_sd**2 - s2) / (s1**2 - s2), 0.0, 1.0))


_DEFAULT_OWNER = {
    "": "sales director",
    schema.PRODUCT_LINE: "product manager {}",
    schema.REGION: "regional manager {}",
    schema.CHANNEL: "channel manager {}",
}


def build_smart_table(
    forecast: pd.DataFrame,
    *,
    annual: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    product_lines: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
    channels: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    year_total_paths: np.ndarray | Sequence[float] | None = None,
    orders: pd.DataFrame | None = None,
    owners: Mapping[str, str] | None = None,
    correlation: float | None = None,
    easy: float = 0.9,
    hard: float = 0.1,
) -> pd.DataFrame:
    """Every target as a SMART row, with its probability of being reached.

    Probabilities: the annual total from ``year_total_paths`` when given; everything
    else from the forecast quantiles of the matching series over the row's months (see
    :func:`estimate_reach_probability`). The month-to-month ``correlation`` that
    combines monthly quantiles into a quarter or a year is, by default, the one that
    makes the Total's combined spread match the paths' P10-P90 spread (the same for
    every segment), or 1 (months move together: the widest, most cautious spread)
    without paths. Rows without a matching series (reps, customer counts) get no
    probability.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast of the plan year (``unique_id, ds, mean, p10..p90``).
    annual : DataFrame, optional
        From :func:`set_annual_target` (its ``final`` row is used).
    months : DataFrame, optional
        From :func:`split_by_time` (month and quarter rows).
    product_lines, regions, channels : DataFrame, optional
        From :func:`allocate_by_role` / :func:`allocate_by_stage`.
    reps : DataFrame, optional
        From :func:`allocate_to_reps`.
    customers : DataFrame, optional
        From :func:`plan_customer_targets`.
    year_total_paths : array of float, optional
        Simulated annual totals of the Total series.
    orders : DataFrame, optional
        Order lines, for each row's baseline (same segment and period a year earlier);
        otherwise the input frames' own baselines are used where they have one.
    owners : mapping of str to str, optional
        Owner per segment id (``"Total"``, ``"region=North"``, ``"rep=Li"``) overriding
        the defaults (sales director, product / regional / channel manager, the rep).
    correlation : float, optional
        See above.
    easy, hard : float, default 0.9 and 0.1
        Above ``easy`` a target is flagged "too easy", below ``hard`` "out of reach".

    Returns
    -------
    DataFrame
        ``metric, owner, segment, period, baseline, value, growth, probability,
        probability_source, flag``.
    """
    where = "build_smart_table"
    _check_forecast(forecast, where)
    easy_ = require_number(easy, "easy", where, low=0.0, high=1.0)
    hard_ = require_number(hard, "hard", where, low=0.0, high=1.0)
    if hard_ >= easy_:
        raise ParamsError(f"the 'hard' parameter of {where} must be below 'easy'; got {hard} >= {easy}",
                          key="hard")
    total_series = _series(forecast, schema.TOTAL_ID, where)
    plan_months = list(total_series[schema.DS])
    plan_year = plan_months[0].year
    year_label = str(plan_year) if plan_months[-1].year == plan_year else (
        f"{plan_year}/{plan_months[-1].year}")
    paths = None if year_total_paths is None else _paths(year_total_paths, where)
    if correlation is None:
        rho = _calibrate_correlation(forecast, paths, plan_months) if paths is not None else 1.0
    else:
        rho = require_number(correlation, "correlation", where, low=0.0, high=1.0)
    known = set(forecast[schema.UNIQUE_ID].astype(str))
    owners = dict(owners or {})
    orders_ok = orders is not None
    if orders_ok:
        require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE])
        o_month = _month_start(orders[schema.ORDER_DATE])
        o_rev = pd.to_numeric(orders[schema.REVENUE], errors="coerce").astype(float)
    o_text: dict[str, pd.Series] = {}

    def owner_of(segment: str) -> str:
        if segment in owners:
            return owners[segment]
        parts = _parse_uid(segment)
        if not parts:
            return _DEFAULT_OWNER[""]
        if parts.get(schema.REP, VACANT_REP) != VACANT_REP:
            return parts[schema.REP]
        key = schema.REGION if schema.REGION in parts else next(iter(parts))
        return _DEFAULT_OWNER.get(key, "{}").format(parts[key])

    def baseline_of(segment: str, period_months: list[pd.Timestamp], fallback: float) -> float:
        if not orders_ok:
            return fallback
        mask = o_month.isin([m - pd.DateOffset(years=1) for m in period_months])
        for k, v in _parse_uid(segment).items():
            if k not in orders.columns:
                return fallback
            if k not in o_text:  # once per column: 60 targets over 10M lines
                o_text[k] = orders[k].astype(str)
            mask &= o_text[k] == v
        return math.fsum(o_rev[mask])

    rows: list[dict] = []

    def add(metric: str, segment: str, period: str, period_months: list[pd.Timestamp], value: float,
            fallback: float = np.nan, *, use_paths: bool = False, probability: bool = True) -> None:
        base = baseline_of(segment, period_months, fallback) if metric == "revenue" else fallback
        prob, source = np.nan, "none"
        if probability and use_paths and paths is not None:
            prob, source = _reach(paths, value), "paths"
        elif probability and segment in known:
            prob = estimate_reach_probability(forecast, unique_id=segment, amount=value,
                                              months=period_months, correlation=rho)
            source = "quantiles"
        rows.append({"metric": metric, "owner": owner_of(segment), "segment": segment,
                     "period": period, BASELINE: base, "value": float(value),
                     GROWTH: value / base - 1 if base and base > 0 else np.nan,
                     PROBABILITY: prob, "probability_source": source})

    if annual is not None:
        require_frame(annual, "annual", where, ["step", AMOUNT, BASELINE])
        final = annual[annual["step"] == "final"]
        if final.empty:
            raise DataError(f"the 'annual' frame given to {where} has no 'final' row", column="step")
        add("revenue", schema.TOTAL_ID, year_label, plan_months, float(final[AMOUNT].iloc[0]),
            float(final[BASELINE].iloc[0]), use_paths=True)
    if months is not None:
        require_frame(months, "months", where, [MONTH, QUARTER, TARGET])
        m = months.assign(**{MONTH: _month_start(months[MONTH])})
        for q, grp in m.groupby(QUARTER, sort=False):
            add("revenue", schema.TOTAL_ID, f"{plan_year}-{q}", list(grp[MONTH]), float(grp[TARGET].sum()))
        for mo, value in zip(m[MONTH], m[TARGET]):
            add("revenue", schema.TOTAL_ID, mo.strftime("%Y-%m"), [mo], float(value))
    for frame, key in ((product_lines, schema.PRODUCT_LINE), (regions, schema.REGION),
                       (channels, schema.CHANNEL), (reps, schema.REP)):
        if frame is None:
            continue
        require_frame(frame, key, where, [key, TARGET])
        has_base = BASELINE in frame.columns
        for i, (level, value) in enumerate(zip(frame[key].astype(str), frame[TARGET])):
            if key == schema.REP and value == 0:
                continue  # reps who left or have not started carry nothing
            if key == schema.REP and level == VACANT_REP:
                segment = f"{schema.REP}={VACANT_REP}|{schema.REGION}={frame[schema.REGION].iloc[i]}"
            else:
                segment = _uid(**{key: level})
            add("revenue", segment, year_label, plan_months, float(value),
                float(frame[BASELINE].iloc[i]) if has_base else np.nan)
    if customers is not None:
        require_frame(customers, "customers", where, ["customer_type", "customers", TARGET])
        c = customers.set_index("customer_type")
        for ctype in ("existing", "new"):
            if ctype in c.index:
                add(f"revenue from {ctype} customers", schema.TOTAL_ID, year_label, plan_months,
                    float(c.loc[ctype, TARGET]), probability=False)
        if "new" in c.index:
            base = float(c.loc["new", "baseline_customers"]) if "baseline_customers" in c.columns else np.nan
            add("new customers", schema.TOTAL_ID, year_label, plan_months, float(c.loc["new", "customers"]),
                base, probability=False)
    if not rows:
        raise ParamsError(f"{where} needs at least one target frame (annual, months, ...)", key="annual")
    out = pd.DataFrame(rows)
    p = out[PROBABILITY]
    out["flag"] = np.select([p.isna(), p > easy_, p < hard_], ["no probability", "too easy", "out of reach"],
                            default="")
    return out
