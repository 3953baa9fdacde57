"""Actions stage: what we must do to reach the target.

Works the targets back into activity (a sales funnel per rep and month, checked against
visit capacity), an action calendar whose effects are measured from history and checked
against the gap, service levels per ABC class, the budget split and the checkpoints that
in-year tracking compares with actuals.

Rules
-----
Funnel (:func:`plan_funnel`), worked back from revenue, every count rounded *up* so the
funnel is sufficient::

    deals     = ceil(target / deal size)
    proposals = ceil(deals / win rate)
    visits    = ceil(proposals / proposals per visit)
    leads     = ceil(visits / visits per lead)

The deal size is the average order value (net revenue / orders with a positive net
value) of the 12 months up to the as-of date: the rep's own when the rep has at least
``min_orders`` orders, else the region's, else the company's, else ``deal_size`` from
params; ``deal_size_source`` says which. The order lines hold no leads, visits or
proposals, so the rates come from params unless a ``rates`` table (e.g. from a CRM)
gives them per rep.

Capacity (:func:`check_capacity`): a rep-month is feasible when its visits do not exceed
the rep's monthly visit capacity (reps table; missing -> params), pro rata to the days
the rep is employed in the month (rounded down to whole visits). An infeasible month gets
what would close it, each lever alone: more reps at that capacity, the win rate or
proposals per visit that make the visits fit, or the deal size that does.

Calendar effects (:func:`build_action_calendar`), each from a stated rule:

* promotions at key dates (Chinese New Year from a date table, 618, Double 11, year end):
  per history year, the window's revenue above the pace of its neighbouring weeks
  (``neighbour_days`` either side, leaving out other key windows and the Spring Festival
  holiday weeks), as a share of that year's revenue; the mean share over the history
  years times the plan-year baseline (see :func:`measure_promotion_uplift`). Negative
  means count as no effect.
* strategic product lines: launched in the plan year -> the mean first-12-month revenue
  of earlier launches seen in the history, pro rata to the months left in the year;
  launched before -> last year's revenue gain of the line (the push repeats it).
* new-customer drives: ``(new customers needed - new customers won last year) x
  first-year value`` of last year's new customers (the baseline already assumes last
  year's acquisition pace).
* trade shows / campaigns from params: ``leads x visits per lead x proposals per visit x
  win rate x company deal size``.

Effects that repeat something the history already holds (recurring promotions, the push
of a line already selling) are flagged ``in_baseline``: the baseline forecast partly
contains them, so the gap ledger (:func:`build_gap_ledger`) lists them and never counts
them.

Budget (:func:`split_budget`): per dimension, ``weight = target share x growth index``
where the growth index is the segment's revenue growth ratio over the last 12 months
divided by the company's (the order lines hold no spend, so growth stands in for the
return on budget; 1 without a previous year), split by largest remainder so the parts
add up exactly to the budget.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import round_preserving_total, split_total
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.plan import ActionsSpec
from planlib.actions.ledger import build_gap_ledger, propose_gap_closing, summarize_gap_ledger
from planlib.actions.capacity import plan_hires, rebalance_visits, summarize_rebalance
from planlib.actions.budget import ACTIONS_ROW, allocate_budget, build_budget_ledger, summarize_budget

__all__ = [
    "ACTIONS_ROW",
    "allocate_budget",
    "assign_service_levels",
    "build_budget_ledger",
    "build_action_calendar",
    "build_checkpoints",
    "build_review_cadence",
    "check_capacity",
    "check_funnel",
    "build_gap_ledger",
    "lookup_cny_date",
    "measure_promotion_uplift",
    "plan_channel_support",
    "plan_funnel",
    "plan_hires",
    "plan_service_levels",
    "rebalance_visits",
    "split_budget",
    "summarize_budget",
    "summarize_capacity",
    "summarize_gap_ledger",
    "summarize_rebalance",
    "propose_gap_closing",
]

TARGET = "target"
MONTH = "month"
DIMENSION = "dimension"
SEGMENT = "segment"
VACANT_REP = "(vacant)"
COMPANY = "company"

_DEFAULTS = ActionsSpec()
_TOL = 1e-9

# Chinese New Year (first day of the first lunar month), 2010-2035.
_CNY_DATES: dict[int, str] = {
    2010: "2010-02-14", 2011: "2011-02-03", 2012: "2012-01-23", 2013: "2013-02-10",
    2014: "2014-01-31", 2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28",
    2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12",
    2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
    2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
    2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31",
    2034: "2034-02-19", 2035: "2035-02-08",
}
# Days around Chinese New Year that are holiday, not normal selling weeks.
_CNY_HOLIDAY = (-7, 7)

_OWNER_DIMENSIONS = {COMPANY: ("total", "month"), schema.REGION: (schema.REGION,),
                     schema.CHANNEL: (schema.CHANNEL,), schema.REP: (schema.REP,),
                     schema.PRODUCT_LINE: (schema.PRODUCT_LINE,)}

_FUNNEL_COLUMNS = [
    schema.REP, schema.REGION, MONTH, TARGET, "deal_size", "deal_size_source", "win_rate",
    "proposal_per_visit", "visits_per_lead", "rate_source", "deals", "proposals", "visits",
    "leads", "funnel_revenue",
]
_CALENDAR_COLUMNS = [
    "action_type", "action", "owner", "start", "end", "milestones", "budget",
    "expected_revenue", "kpi", "effect_rule", "in_baseline", "purpose",
]
_PUSH_DAYS = 90  # a launch or strategic push runs 90 days
_MIN_WINDOW_DAYS = 30  # a launch with fewer days left in the plan year waits for next year's calendar


# =========================================================================== helpers


def _require_rate(value: object, name: str, where: str, *, high: float | None = 1.0) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParamsError(f"the '{name}' parameter of {where} must be a number; got {value!r} instead",
                          key=name) from None
    if not math.isfinite(x) or x <= 0 or (high is not None and x > high):
        rng = f"> 0 and <= {high:g}" if high is not None else "> 0"
        raise ParamsError(f"the '{name}' parameter of {where} must be {rng}; got {value!r} instead", key=name)
    return x


def _text(values: pd.Series) -> pd.Series:
    """Labels as plain str (categories and missing values included)."""
    return values.astype(object).where(values.notna(), "(none)").astype(str)


def _month_start(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _ceil(x: np.ndarray | float) -> np.ndarray:
    """Ceiling that ignores float noise (10.000000000001 -> 10)."""
    arr = np.asarray(x, dtype=float)
    nearest = np.round(arr)
    tol = np.maximum(_TOL, 1e-12 * np.abs(arr))
    return np.where(np.abs(arr - nearest) <= tol, nearest, np.ceil(arr))


def _floor(x: np.ndarray | float) -> np.ndarray:
    """Floor that ignores float noise (9.999999999999 -> 10)."""
    arr = np.asarray(x, dtype=float)
    nearest = np.round(arr)
    tol = np.maximum(_TOL, 1e-12 * np.abs(arr))
    return np.where(np.abs(arr - nearest) <= tol, nearest, np.floor(arr))


def _as_of(as_of: object, default: pd.Timestamp) -> pd.Timestamp:
    return default.normalize() if as_of is None else pd.Timestamp(as_of).normalize()


def _window(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Order lines with ``start <= order_date <= end`` (days)."""
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    return orders.loc[(dates >= start) & (dates <= end).to_numpy()]


def _last_year(as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 12 months up to and including ``as_of``."""
    return as_of - pd.DateOffset(years=1) + pd.Timedelta(days=1), as_of


def _order_values(lines: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per group (or overall): net revenue, orders with a positive net value, average order value."""
    keys = list(by)
    frame = pd.DataFrame({k: _text(lines[k]).to_numpy() for k in keys})
    frame["_order"] = _text(lines[schema.ORDER_ID]).to_numpy()
    frame["_revenue"] = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()
    if not keys:
        revenue = math.fsum(frame["_revenue"])
        n = int((frame.groupby("_order")["_revenue"].sum() > 0).sum())
        return pd.DataFrame({"revenue": [revenue], "orders": [n], "order_value": [revenue / n if n else np.nan]})
    per_order = frame.groupby([*keys, "_order"])["_revenue"].sum()
    positive = (per_order > 0).groupby(level=keys).sum()
    revenue = frame.groupby(keys)["_revenue"].sum()
    orders = positive.reindex(revenue.index).fillna(0).astype(int)
    return pd.DataFrame({"revenue": revenue, "orders": orders,
                         "order_value": revenue / orders.where(orders > 0)})


def _company_deal_size(orders: pd.DataFrame | None, as_of: pd.Timestamp) -> float:
    """Average order value of the 12 months to ``as_of`` (NaN without positive orders)."""
    if orders is None:
        return np.nan
    lines = _window(orders, *_last_year(as_of))
    if lines.empty:
        return np.nan
    value = float(_order_values(lines, [])["order_value"].iloc[0])
    return value if value > 0 else np.nan


def _spec(spec: ActionsSpec | None) -> ActionsSpec:
    if spec is None:
        return _DEFAULTS
    if not isinstance(spec, ActionsSpec):
        raise ParamsError(f"the 'spec' parameter must be an ActionsSpec (plan.actions); got {type(spec).__name__}",
                          key="spec")
    return spec


# =========================================================================== 1. funnel


def plan_funnel(
    rep_targets: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    win_rate: float = _DEFAULTS.win_rate,
    proposal_per_visit: float = _DEFAULTS.proposal_per_visit,
    visits_per_lead: float = _DEFAULTS.visits_per_lead,
    deal_size: float | None = _DEFAULTS.deal_size,
    min_orders: int = _DEFAULTS.min_orders_for_deal_size,
    as_of: dt.date | str | pd.Timestamp | None = None,
    rates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Leads, visits, proposals and deals each rep needs each month to make its target.

    Parameters
    ----------
    rep_targets : DataFrame
        ``rep, region, month, target`` (month starts of the plan year).
    orders : DataFrame, optional
        Canonical order lines, for the deal sizes (``rep`` is optional).
    win_rate, proposal_per_visit, visits_per_lead : float, default from ``ActionsSpec``
        Deals per proposal, proposals per effective visit, visits per lead.
    deal_size : float, optional
        Deal size when the history has none.
    min_orders : int, default 10
        Orders a rep (then a region) needs in the last 12 months for its own deal size.
    as_of : date, optional
        End of history; default the day before the first target month.
    rates : DataFrame, optional
        ``rep`` and any of ``win_rate, proposal_per_visit, visits_per_lead`` overriding
        the params per rep (missing values fall back to the params).

    Returns
    -------
    DataFrame
        ``rep, region, month, target, deal_size, deal_size_source (rep / region / company
        / params), win_rate, proposal_per_visit, visits_per_lead, rate_source, deals,
        proposals, visits, leads, funnel_revenue`` (= deals x deal size >= target),
        sorted by region, rep, month.
    """
    where = "plan_funnel"
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, MONTH, TARGET])
    win = _require_rate(win_rate, "win_rate", where)
    ppv = _require_rate(proposal_per_visit, "proposal_per_visit", where)
    vpl = _require_rate(visits_per_lead, "visits_per_lead", where, high=None)
    if isinstance(min_orders, bool) or not isinstance(min_orders, (int, np.integer)) or min_orders < 1:
        raise ParamsError(f"the 'min_orders' parameter of {where} must be a positive integer; got {min_orders!r}",
                          key="min_orders")
    out = pd.DataFrame({
        schema.REP: _text(rep_targets[schema.REP]).to_numpy(),
        schema.REGION: _text(rep_targets[schema.REGION]).to_numpy(),
        MONTH: _month_start(rep_targets[MONTH]).to_numpy(),
        TARGET: pd.to_numeric(rep_targets[TARGET], errors="coerce").to_numpy(dtype=float),
    })
    if out[TARGET].isna().any():
        raise DataError(f"the 'rep_targets' frame given to {where} has missing or non-numeric targets",
                        column=TARGET)
    cutoff = _as_of(as_of, out[MONTH].min() - pd.Timedelta(days=1))

    size = pd.Series(np.nan, index=out.index)
    source = pd.Series("params", index=out.index, dtype=object)
    if orders is not None:
        require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.ORDER_ID, schema.REVENUE, schema.REGION])
        lines = _window(orders, *_last_year(cutoff))
        if not lines.empty:
            levels: list[tuple[str, list[str]]] = []
            if schema.REP in lines.columns:
                levels.append(("rep", [schema.REP]))
                # a rep's fallback is what reps sell in the region: orders nobody sold
                # (web shop, no sales person) are a different business
                sold = lines[_text(lines[schema.REP]).ne("(none)").to_numpy()]
                if not sold.empty:
                    lines = sold
            levels.append(("region", [schema.REGION]))
            for label, keys in levels:
                table = _order_values(lines, keys)
                ok = table[(table["orders"] >= min_orders) & (table["order_value"] > 0)]["order_value"]
                values = out[keys[0]].map(ok)
                fill = size.isna() & values.notna()
                size[fill], source[fill] = values[fill], label
            company = _company_deal_size(lines, cutoff)
            if math.isfinite(company):
                fill = size.isna()
                size[fill], source[fill] = company, "company"
    if size.isna().any():
        if deal_size is None:
            raise ParamsError(f"{where} has no order history to measure a deal size for "
                              f"{int(size.isna().sum())} row(s); set actions.deal_size", key="deal_size")
        fallback = _require_rate(deal_size, "deal_size", where, high=None)
        fill = size.isna()
        size[fill], source[fill] = fallback, "params"
    out["deal_size"] = size.to_numpy(dtype=float)
    out["deal_size_source"] = source.to_numpy()

    out["win_rate"], out["proposal_per_visit"], out["visits_per_lead"] = win, ppv, vpl
    out["rate_source"] = "params"
    if rates is not None:
        require_frame(rates, "rates", where, [schema.REP])
        table = rates.assign(**{schema.REP: _text(rates[schema.REP])}).drop_duplicates(schema.REP, keep="last")
        table = table.set_index(schema.REP)
        for column, high in (("win_rate", 1.0), ("proposal_per_visit", 1.0), ("visits_per_lead", None)):
            if column not in table.columns:
                continue
            given = pd.to_numeric(out[schema.REP].map(table[column]), errors="coerce")
            for value in given.dropna().unique():
                _require_rate(value, column, f"{where} (rates table)", high=high)
            use = given.notna()
            out.loc[use, column] = given[use].astype(float)
            out.loc[use, "rate_source"] = "rates table"

    need = out[TARGET].clip(lower=0.0).to_numpy()
    deals = _ceil(need / out["deal_size"].to_numpy())
    proposals = _ceil(deals / out["win_rate"].to_numpy())
    visits = _ceil(proposals / out["proposal_per_visit"].to_numpy())
    leads = _ceil(visits / out["visits_per_lead"].to_numpy())
    out["deals"], out["proposals"] = deals.astype("int64"), proposals.astype("int64")
    out["visits"], out["leads"] = visits.astype("int64"), leads.astype("int64")
    out["funnel_revenue"] = out["deals"] * out["deal_size"]
    out = out.sort_values([schema.REGION, schema.REP, MONTH], kind="mergesort").reset_index(drop=True)
    return out[_FUNNEL_COLUMNS]


def check_funnel(funnel: pd.DataFrame) -> pd.DataFrame:
    """Round-trip check of a funnel: every step covers the one after it.

    Parameters
    ----------
    funnel : DataFrame
        :func:`plan_funnel` output.

    Returns
    -------
    DataFrame
        ``rep, region, month, target, funnel_revenue, revenue_ok`` (deals x deal size >=
        target), ``chain_ok`` (proposals x win rate >= deals, visits x proposals per visit
        >= proposals, leads x visits per lead >= visits) and ``ok``, one row per funnel row.
        Comparisons allow float noise of 1e-9 of a deal (proposal, visit, lead).
    """
    where = "check_funnel"
    require_frame(funnel, "funnel", where, _FUNNEL_COLUMNS)

    def covers(count: pd.Series, need: pd.Series, per_unit: pd.Series) -> np.ndarray:
        # count x per_unit >= need, compared in units of the count, to float precision
        units = need.astype(float).to_numpy() / per_unit.astype(float).to_numpy()
        return count.to_numpy(dtype=float) >= units - np.maximum(_TOL, 1e-12 * np.abs(units))

    out = funnel[[schema.REP, schema.REGION, MONTH, TARGET, "funnel_revenue"]].copy()
    out["revenue_ok"] = covers(funnel["deals"], funnel[TARGET].clip(lower=0), funnel["deal_size"])
    out["chain_ok"] = (covers(funnel["proposals"], funnel["deals"], funnel["win_rate"])
                       & covers(funnel["visits"], funnel["proposals"], funnel["proposal_per_visit"])
                       & covers(funnel["leads"], funnel["visits"], funnel["visits_per_lead"]))
    out["ok"] = out["revenue_ok"] & out["chain_ok"]
    return out


def _presence(hire: object, leave: object, month: pd.Timestamp) -> float:
    """Share of the month's days the rep is employed (hire and leave dates inclusive)."""
    start, end = month, month + pd.offsets.MonthEnd(0)
    first = start if pd.isna(hire) or pd.Timestamp(hire) <= start else pd.Timestamp(hire).normalize()
    last = end if pd.isna(leave) or pd.Timestamp(leave) >= end else pd.Timestamp(leave).normalize()
    if last < first:
        return 0.0
    return ((last - first).days + 1) / end.day


def check_capacity(
    funnel: pd.DataFrame,
    reps: pd.DataFrame | None = None,
    *,
    max_visits_per_rep_month: int = _DEFAULTS.max_visits_per_rep_month,
) -> pd.DataFrame:
    """Flag rep-months whose visits exceed the rep's capacity, with what would close them.

    Parameters
    ----------
    funnel : DataFrame
        :func:`plan_funnel` output.
    reps : DataFrame, optional
        ``rep`` and optionally ``capacity`` (visits per month; NaN -> params),
        ``hire_date``, ``leave_date`` (capacity pro rata to the days employed).
    max_visits_per_rep_month : int, default 60
        Capacity of reps the table does not give one for.

    Returns
    -------
    DataFrame
        ``rep, region, month, target, visits, capacity, capacity_source, presence,
        utilisation, feasible`` (visits <= capacity), and for infeasible rows:
        ``visits_over, extra_reps`` (reps at the rep's full capacity needed on top),
        ``required_win_rate`` (with proposals per visit held), ``required_proposal_per_visit``
        (with the win rate held), ``required_deal_size`` (with both rates held) - each
        lever alone makes the month fit; ``inf`` when no value can (no capacity) - and
        ``note``. Feasible rows have 0 and NaN there.
    """
    where = "check_capacity"
    require_frame(funnel, "funnel", where, _FUNNEL_COLUMNS)
    default = int(_require_rate(max_visits_per_rep_month, "max_visits_per_rep_month", where, high=None))
    out = funnel[[schema.REP, schema.REGION, MONTH, TARGET, "visits"]].copy()
    full = pd.Series(float(default), index=out.index)
    source = pd.Series("params", index=out.index, dtype=object)
    presence = pd.Series(1.0, index=out.index)
    if reps is not None:
        require_frame(reps, "reps", where, [schema.REP])
        table = reps.assign(**{schema.REP: _text(reps[schema.REP])}).drop_duplicates(schema.REP, keep="last")
        table = table.set_index(schema.REP)
        known = out[schema.REP].isin(table.index)
        if schema.REP_CAPACITY in table.columns:
            cap = pd.to_numeric(out[schema.REP].map(table[schema.REP_CAPACITY]), errors="coerce")
            if (cap < 0).any():
                raise DataError(f"the 'reps' frame given to {where} has negative capacities",
                                column=schema.REP_CAPACITY)
            use = cap.notna()
            full[use], source[use] = cap[use].astype(float), "reps table"
        has_dates = [c for c in (schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE) if c in table.columns]
        if has_dates:
            hire = (pd.to_datetime(out[schema.REP].map(table[schema.REP_HIRE_DATE]))
                    if schema.REP_HIRE_DATE in table.columns else pd.Series(pd.NaT, index=out.index))
            leave = (pd.to_datetime(out[schema.REP].map(table[schema.REP_LEAVE_DATE]))
                     if schema.REP_LEAVE_DATE in table.columns else pd.Series(pd.NaT, index=out.index))
            values = [_presence(h, lv, m) if k else 1.0
                      for h, lv, m, k in zip(hire, leave, out[MONTH], known)]
            presence = pd.Series(values, index=out.index, dtype=float)
    vacant = out[schema.REP] == VACANT_REP
    presence[vacant], source[vacant] = 0.0, "vacant"
    capacity = _floor(full.to_numpy() * presence.to_numpy())
    visits = out["visits"].to_numpy(dtype=float)
    out["capacity"] = capacity.astype("int64")
    out["capacity_source"] = source.to_numpy()
    out["presence"] = presence.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilisation"] = np.where(capacity > 0, visits / np.where(capacity > 0, capacity, 1),
                                      np.where(visits > 0, np.inf, np.nan))
    feasible = visits <= capacity
    out["feasible"] = feasible
    over = np.where(feasible, 0.0, visits - capacity)
    hire_capacity = np.where(full.to_numpy() > 0, full.to_numpy(), float(default))
    out["visits_over"] = over.astype("int64")
    out["extra_reps"] = _ceil(over / hire_capacity).astype("int64")

    deals = funnel["deals"].to_numpy(dtype=float)
    proposals = funnel["proposals"].to_numpy(dtype=float)
    win = funnel["win_rate"].to_numpy(dtype=float)
    ppv = funnel["proposal_per_visit"].to_numpy(dtype=float)
    target = funnel[TARGET].clip(lower=0).to_numpy(dtype=float)
    # visits = ceil(p / ppv) <= C  <=>  p <= C * ppv  <=>  p <= P_max = floor(C * ppv)
    p_max = _floor(capacity * ppv)
    # proposals = ceil(d / w) <= P_max  <=>  d <= P_max * w  <=>  d <= D_max = floor(P_max * w)
    d_max = _floor(p_max * win)
    with np.errstate(divide="ignore", invalid="ignore"):
        req_win = np.where(p_max > 0, deals / np.where(p_max > 0, p_max, 1), np.inf)
        req_ppv = np.where(capacity > 0, proposals / np.where(capacity > 0, capacity, 1), np.inf)
        req_size = np.where(d_max > 0, target / np.where(d_max > 0, d_max, 1), np.inf)
    out["required_win_rate"] = np.where(feasible, np.nan, req_win)
    out["required_proposal_per_visit"] = np.where(feasible, np.nan, req_ppv)
    out["required_deal_size"] = np.where(feasible, np.nan, req_size)
    notes = []
    for i in range(len(out)):
        if feasible[i]:
            notes.append("")
            continue
        parts = [f"{int(out['extra_reps'].iat[i])} more rep(s) at {hire_capacity[i]:,.0f} visits"]
        if math.isfinite(req_win[i]) and req_win[i] <= 1:
            parts.append(f"win rate {req_win[i]:.1%} (now {win[i]:.1%})")
        if math.isfinite(req_ppv[i]) and req_ppv[i] <= 1:
            parts.append(f"proposals per visit {req_ppv[i]:.1%} (now {ppv[i]:.1%})")
        if math.isfinite(req_size[i]):
            parts.append(f"deal size {req_size[i]:,.0f} (now {funnel['deal_size'].iat[i]:,.0f})")
        notes.append(f"{int(over[i])} visits over capacity {int(capacity[i])}: needs " + ", or ".join(parts))
    out["note"] = notes
    return out


def summarize_capacity(capacity: pd.DataFrame) -> str:
    """One paragraph on the rep-months over capacity (``check_capacity`` output)."""
    total = len(capacity)
    bad = capacity[~capacity["feasible"].astype(bool)]
    if bad.empty:
        peak = capacity["utilisation"].replace(np.inf, np.nan).max()
        return (f"All {total:,} rep-months fit within visit capacity"
                + (f" (peak utilisation {peak:.0%})." if pd.notna(peak) else "."))
    reps = bad[schema.REP].nunique()
    worst = bad.groupby(schema.REGION)["visits_over"].sum().sort_values(ascending=False, kind="stable")
    months = bad.groupby(MONTH)["extra_reps"].sum()
    return (f"{len(bad):,} of {total:,} rep-months ({reps} rep(s)) need more visits than capacity; "
            f"{int(bad['visits_over'].sum()):,} visits short in all, most in {worst.index[0]} "
            f"({int(worst.iloc[0]):,}); the busiest month needs {int(months.max())} extra rep(s).")


# =========================================================================== 2. calendar


def lookup_cny_date(year: int) -> pd.Timestamp:
    """Chinese New Year's day (first day of the lunar year) of ``year``, from a date table.

    Raises
    ------
    ParamsError
        For a year outside the table (2010-2035).
    """
    key = int(year)
    if key not in _CNY_DATES:
        raise ParamsError(f"no Chinese New Year date for {key} in planlib.actions (table covers "
                          f"{min(_CNY_DATES)}-{max(_CNY_DATES)}); anchor the promotion on a fixed MM-DD",
                          key="actions.promotions.anchor")
    return pd.Timestamp(_CNY_DATES[key])


def _as_promotions(promotions: Iterable[Any]) -> list[ActionsSpec.Promotion]:
    out = []
    for p in promotions:
        out.append(p if isinstance(p, ActionsSpec.Promotion) else ActionsSpec.Promotion.model_validate(p))
    return out


def _anchor(promotion: ActionsSpec.Promotion, year: int) -> pd.Timestamp | None:
    anchor = promotion.anchor.strip().lower()
    if anchor == "cny":
        return lookup_cny_date(year) if year in _CNY_DATES else None
    month, day = (int(part) for part in anchor.split("-"))
    if month == 2 and day == 29 and not pd.Timestamp(year, 1, 1).is_leap_year:
        day = 28
    return pd.Timestamp(year, month, day)


def _promotion_window(promotion: ActionsSpec.Promotion, year: int) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    anchor = _anchor(promotion, year)
    if anchor is None:
        return None
    return (anchor + pd.Timedelta(days=promotion.start_offset),
            anchor + pd.Timedelta(days=promotion.end_offset))


def _daily(lines: pd.DataFrame, index: pd.DatetimeIndex) -> pd.Series:
    days = pd.to_datetime(lines[schema.ORDER_DATE]).dt.normalize()
    revenue = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0)
    return revenue.groupby(days.to_numpy()).sum().reindex(index, fill_value=0.0)


def measure_promotion_uplift(
    orders: pd.DataFrame,
    promotions: Sequence[ActionsSpec.Promotion | Mapping[str, Any]] = _DEFAULTS.promotions,
    *,
    plan_year: int,
    neighbour_days: int = _DEFAULTS.neighbour_days,
    as_of: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Revenue of each promotion window above the pace of its neighbouring weeks, per history year.

    For every history year whose window (and calendar year) the orders cover: the
    neighbours are the ``neighbour_days`` days either side of the window, leaving out
    days inside the other promotions' windows and the Spring Festival holiday
    (Chinese New Year -7 to +7 days); ``excess = window revenue - window days x mean
    daily neighbour revenue`` and ``excess_share = excess / revenue of the calendar
    year``. A promotion with a ``channel`` is measured on that channel's lines (all
    lines when the orders have no channel column).

    Parameters
    ----------
    orders : DataFrame
        Canonical order lines (history).
    promotions : sequence of ActionsSpec.Promotion or mappings, default the params defaults
    plan_year : int
        Years before it are history.
    neighbour_days : int, default 14
    as_of : date, optional
        End of history; default Dec 31 before the plan year.

    Returns
    -------
    DataFrame
        ``promotion, scope, year, window_start, window_end, window_days, window_revenue,
        neighbour_days, neighbour_daily, uplift`` (window daily / neighbour daily - 1),
        ``excess, year_revenue, excess_share``; one row per promotion and measurable year.
    """
    where = "measure_promotion_uplift"
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE])
    promos = _as_promotions(promotions)
    n_days = int(_require_rate(neighbour_days, "neighbour_days", where, high=None))
    cutoff = _as_of(as_of, pd.Timestamp(plan_year - 1, 12, 31))
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    history = orders.loc[(dates <= cutoff).to_numpy()]
    columns = ["promotion", "scope", "year", "window_start", "window_end", "window_days", "window_revenue",
               "neighbour_days", "neighbour_daily", "uplift", "excess", "year_revenue", "excess_share"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    first = pd.to_datetime(history[schema.ORDER_DATE]).min().normalize()
    index = pd.date_range(first, cutoff, freq="D")
    company = _daily(history, index)
    has_channel = schema.CHANNEL in history.columns
    channel_text = _text(history[schema.CHANNEL]) if has_channel else None
    years = range(first.year, cutoff.year + 1)

    def holiday(year: int) -> pd.DatetimeIndex:
        days = []
        for y in (year - 1, year, year + 1):
            if y in _CNY_DATES:
                cny = pd.Timestamp(_CNY_DATES[y])
                days.append(pd.date_range(cny + pd.Timedelta(days=_CNY_HOLIDAY[0]),
                                          cny + pd.Timedelta(days=_CNY_HOLIDAY[1])))
        return days[0].append(days[1:]) if days else pd.DatetimeIndex([])

    rows = []
    for promo in promos:
        if promo.channel and has_channel:
            scope = f"channel {promo.channel}"
            in_scope = (channel_text == promo.channel).to_numpy()
            if not in_scope.any():
                continue
            series = _daily(history.loc[in_scope], index)
        else:
            scope = "all lines" if not promo.channel else "all lines (no channel column)"
            series = company
        for year in years:
            window = _promotion_window(promo, year)
            if window is None:
                continue
            start, end = window
            year_start, year_end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
            if start < first or end > cutoff or first > year_start + pd.Timedelta(days=6) or cutoff < year_end:
                continue
            excluded = holiday(year)
            for other in promos:
                if other is promo:
                    continue
                for y in (year - 1, year, year + 1):
                    w = _promotion_window(other, y)
                    if w is not None:
                        excluded = excluded.append(pd.date_range(*w))
            near = pd.date_range(start - pd.Timedelta(days=n_days), start - pd.Timedelta(days=1)).append(
                pd.date_range(end + pd.Timedelta(days=1), end + pd.Timedelta(days=n_days)))
            near = near[(near >= first) & (near <= cutoff) & ~near.isin(excluded)]
            if len(near) == 0:
                continue
            window_days = (end - start).days + 1
            window_revenue = float(series.loc[start:end].sum())
            neighbour_daily = float(series.loc[near].mean())
            year_revenue = float(company.loc[year_start:year_end].sum())
            excess = window_revenue - window_days * neighbour_daily
            rows.append({
                "promotion": promo.name, "scope": scope, "year": year, "window_start": start,
                "window_end": end, "window_days": window_days, "window_revenue": window_revenue,
                "neighbour_days": len(near), "neighbour_daily": neighbour_daily,
                "uplift": (window_revenue / window_days) / neighbour_daily - 1 if neighbour_daily > 0 else np.nan,
                "excess": excess, "year_revenue": year_revenue,
                "excess_share": excess / year_revenue if year_revenue > 0 else np.nan,
            })
    return pd.DataFrame(rows, columns=columns)


def _fmt_day(day: pd.Timestamp) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


def _milestones(kind: str, start: pd.Timestamp, end: pd.Timestamp, detail: str = "") -> str:
    d = pd.Timedelta
    if kind == "promotion":
        steps = [(start - d(days=28), "offer, price and stock plan approved"),
                 (start - d(days=14), "reps and partners briefed"), (start, "live"),
                 (end + d(days=7), "uplift review vs neighbouring weeks")]
    elif kind == "launch":
        steps = [(start - d(days=42), "launch kit and rep training"),
                 (start - d(days=14), "pilot customers lined up"), (start, "launch"),
                 (start + d(days=30), "first-month pipeline review"), (end, "90-day review")]
    elif kind == "new_customers":
        steps = [(start, f"target list per rep ({detail})"),
                 (start + d(days=45), "mid-quarter pipeline check"), (end, "new customers counted")]
    else:
        steps = [(start - d(days=42), "booth / content booked"),
                 (start - d(days=7), "invitations and meeting slots"), (start, f"event ({detail})"),
                 (end + d(days=14), "every lead followed up")]
    return "; ".join(f"{_fmt_day(day)}: {text}" for day, text in steps)


def _new_customer_economics(orders: pd.DataFrame | None, as_of: pd.Timestamp) -> tuple[int, float]:
    """(new customers won, their revenue per customer) in the 12 months to ``as_of``."""
    if orders is None or schema.CUSTOMER_ID not in orders.columns:
        return 0, np.nan
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    frame = pd.DataFrame({"customer": _text(orders[schema.CUSTOMER_ID]).to_numpy(), "date": dates.to_numpy(),
                          "revenue": pd.to_numeric(orders[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
    frame = frame[frame["date"] <= as_of]
    start, _ = _last_year(as_of)
    first = frame.groupby("customer")["date"].min()
    new = first.index[first >= start]
    if len(new) == 0:
        return 0, np.nan
    revenue = math.fsum(frame.loc[(frame["date"] >= start) & frame["customer"].isin(new), "revenue"])
    return len(new), revenue / len(new)


def _line_revenue(orders: pd.DataFrame, line: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
    lines = _window(orders, start, end)
    mask = (_text(lines[schema.PRODUCT_LINE]) == line).to_numpy()
    return math.fsum(pd.to_numeric(lines.loc[mask, schema.REVENUE], errors="coerce").fillna(0.0))


def build_action_calendar(
    orders: pd.DataFrame,
    *,
    plan_year: int,
    baseline: float,
    new_customers_needed: int = 0,
    product_lines: pd.DataFrame | None = None,
    spec: ActionsSpec | None = None,
    as_of: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The plan year's actions with owner, dates, milestones, budget, expected effect and KPI.

    Promotions at the key dates, a launch or push per strategic product line, quarterly
    new-customer drives and the trade shows / campaigns of the params; the expected
    effects follow the rules of the module docstring (``effect_rule`` states each one's
    numbers). Budgets: ``budget_share`` x ``spec.budget`` for promotions, launches
    (``launch_budget_share``, equal per line) and drives (``new_customer_budget_share``,
    equal per quarter), rounded to the unit by largest remainder; events carry their own.

    Parameters
    ----------
    orders : DataFrame
        Canonical order lines (history; lines after ``as_of`` are ignored).
    plan_year : int
    baseline : float
        The baseline forecast total of the plan year.
    new_customers_needed : int, default 0
        From the targets stage (``plan_customer_targets``).
    product_lines : DataFrame, optional
        Side table ``product_line, role, launch_date``.
    spec : ActionsSpec, optional
        ``plan.actions`` (default: the params defaults).
    as_of : date, optional
        End of history; default Dec 31 before the plan year.

    Returns
    -------
    DataFrame
        ``action_type`` (promotion / launch / new_customers / event), ``action, owner,
        start, end, milestones, budget`` (int), ``expected_revenue, kpi, effect_rule,
        in_baseline``, sorted by start.

    Raises
    ------
    ParamsError
        When the actions cost more than ``spec.budget``.
    """
    where = "build_action_calendar"
    spec = _spec(spec)
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.ORDER_ID, schema.REVENUE])
    base = float(baseline)
    if not math.isfinite(base) or base < 0:
        raise ParamsError(f"the 'baseline' parameter of {where} must be a non-negative number; got {baseline!r}",
                          key="baseline")
    needed = int(new_customers_needed)
    if needed < 0:
        raise ParamsError(f"the 'new_customers_needed' parameter of {where} must not be negative; got {needed}",
                          key="new_customers_needed")
    year_start, year_end = pd.Timestamp(plan_year, 1, 1), pd.Timestamp(plan_year, 12, 31)
    cutoff = _as_of(as_of, year_start - pd.Timedelta(days=1))
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    history = orders.loc[(dates <= cutoff).to_numpy()]
    data_start = pd.to_datetime(history[schema.ORDER_DATE]).min().normalize() if len(history) else cutoff
    budget_total = float(spec.budget)
    rows: list[dict[str, Any]] = []
    shares: list[float] = []  # budget shares of the share-funded rows, in row order (NaN for events)
    dropped: list[str] = []  # actions left out of the calendar, with the reason

    # Promotions.
    measured = measure_promotion_uplift(history, spec.promotions, plan_year=plan_year,
                                        neighbour_days=spec.neighbour_days, as_of=cutoff) if len(history) else None
    for promo in spec.promotions:
        window = _promotion_window(promo, plan_year)
        if window is None:
            lookup_cny_date(plan_year)  # raises with the message naming the year
        start, end = max(window[0], year_start), min(window[1], year_end)
        if start > end:
            continue
        inside = ((end - start).days + 1) / ((window[1] - window[0]).days + 1)
        m = measured[measured["promotion"] == promo.name] if measured is not None else pd.DataFrame()
        if m.empty:
            share, effect, years_text = np.nan, 0.0, "none"
            rule = "no history year covers the window and its neighbouring weeks: no effect counted"
        else:
            share = float(m["excess_share"].mean())
            effect = max(share, 0.0) * base * inside
            years_text = ", ".join(str(y) for y in m["year"])
            rule = (f"window revenue above its neighbouring weeks' pace ({m['scope'].iloc[0]}), "
                    f"{share:+.2%} of annual revenue on average over {years_text} x baseline {base:,.0f}")
            if inside < 1:
                rule += f" x {inside:.0%} of the window inside {plan_year}"
            if share <= 0:
                rule += ": no uplift measured, no effect counted"
        owner = promo.owner or (f"channel {promo.channel}" if promo.channel else "all regions")
        rows.append({"action_type": "promotion", "action": promo.name, "owner": owner, "start": start, "end": end,
                     "milestones": _milestones("promotion", start, end),
                     "expected_revenue": effect,
                     "kpi": promo.kpi or "revenue in the window vs its neighbouring weeks",
                     "effect_rule": rule, "in_baseline": not m.empty,
                     "purpose": "awareness" if promo.awareness else "revenue"})
        shares.append(promo.budget_share)

    # Strategic product lines.
    if product_lines is not None:
        require_frame(product_lines, "product_lines", where, [schema.PRODUCT_LINE, schema.ROLE, schema.LAUNCH_DATE])
        side = pd.DataFrame({"line": _text(product_lines[schema.PRODUCT_LINE]).to_numpy(),
                             "role": _text(product_lines[schema.ROLE]).to_numpy(),
                             "launch": pd.to_datetime(product_lines[schema.LAUNCH_DATE]).to_numpy()})
        strategic = side[side["role"] == "strategic"].sort_values("line", kind="mergesort")
        has_lines = schema.PRODUCT_LINE in history.columns
        analogues = side[(side["launch"] >= data_start)
                         & (side["launch"] + pd.DateOffset(years=1) - pd.Timedelta(days=1) <= cutoff)]
        def first_12_months(start: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
            return start, start + pd.DateOffset(years=1) - pd.Timedelta(days=1)

        first_year = ([_line_revenue(history, r.line, *first_12_months(r.launch)) for r in analogues.itertuples()]
                      if has_lines else [])
        launch_rows = []
        for r in strategic.itertuples():
            launch = pd.Timestamp(r.launch)
            if pd.isna(launch) or launch > year_end:
                continue
            purpose = "revenue"
            if launch >= year_start:
                start = launch
                if (year_end - launch).days + 1 < _MIN_WINDOW_DAYS:
                    dropped.append(f"Launch {r.line}: launch on {launch:%Y-%m-%d} leaves {(year_end - launch).days + 1} "
                                   f"day(s) in {plan_year}; its push belongs in next year's calendar")
                    continue
                left = ((year_end - launch).days + 1) / ((year_end - year_start).days + 1)
                if first_year:
                    effect = float(np.mean(first_year)) * left
                    rule = (f"mean first-12-month revenue of earlier launches ({', '.join(analogues['line'])}): "
                            f"{np.mean(first_year):,.0f} x {left:.0%} of the year left after launch")
                else:
                    effect, purpose = 0.0, "awareness"
                    rule = "no earlier launch in the history to learn from: an awareness action, no revenue counted"
                in_base, name = False, f"Launch {r.line}"
            else:
                day = min(launch.day, 28) if launch.month == 2 else launch.day
                # the push runs its full 90 days inside the year: a late anniversary starts it earlier
                start = min(pd.Timestamp(plan_year, launch.month, day), year_end - pd.Timedelta(days=_PUSH_DAYS - 1))
                if has_lines:
                    last = _line_revenue(history, r.line, *_last_year(cutoff))
                    prev = _line_revenue(history, r.line, *_last_year(cutoff - pd.DateOffset(years=1)))
                    effect = max(last - prev, 0.0)
                    rule = (f"last year's revenue gain of {r.line} ({last:,.0f} vs {prev:,.0f}), "
                            f"repeated by the push" + ("" if last > prev else ": no gain, no effect counted"))
                else:
                    effect, rule = 0.0, "orders have no product_line column: no effect counted"
                in_base, name = True, f"Strategic push {r.line} (launch anniversary)"
            end = min(start + pd.Timedelta(days=_PUSH_DAYS - 1), year_end)
            launch_rows.append({"action_type": "launch", "action": name, "owner": f"product manager {r.line}",
                                "start": start, "end": end, "milestones": _milestones("launch", start, end),
                                "expected_revenue": effect, "kpi": f"{r.line} revenue and active customers",
                                "effect_rule": rule, "in_baseline": in_base, "purpose": purpose})
        if launch_rows:
            each = spec.launch_budget_share / len(launch_rows)
            rows.extend(launch_rows)
            shares.extend([each] * len(launch_rows))

    # New-customer drives.
    if needed > 0:
        won, value = _new_customer_economics(history, cutoff)
        extra = max(needed - won, 0)
        total_effect = extra * value if math.isfinite(value) else 0.0
        per_quarter = split_total(needed, [1.0, 1.0, 1.0, 1.0])
        for q in range(4):
            start = pd.Timestamp(plan_year, 3 * q + 1, 1)
            end = start + pd.offsets.QuarterEnd(0)
            n = int(per_quarter.iat[q])
            effect = total_effect * n / needed
            if math.isfinite(value):
                rule = (f"({needed:,} needed - {won:,} won last year) x first-year value {value:,.0f}, "
                        f"{n}/{needed} in this quarter")
            else:
                rule = "no new customer in the last 12 months to measure a first-year value: no effect counted"
            rows.append({"action_type": "new_customers", "action": f"New-customer drive Q{q + 1}",
                         "owner": "regional managers (all reps) with inside sales", "start": start, "end": end,
                         "milestones": _milestones("new_customers", start, end, f"{n} customers"),
                         "expected_revenue": effect, "kpi": f"{n} new customers (first order in Q{q + 1})",
                         "effect_rule": rule, "in_baseline": False, "purpose": "revenue"})
            shares.append(spec.new_customer_budget_share / 4)

    # Trade shows and content campaigns.
    events = list(spec.events)
    if events:
        size = _company_deal_size(history, cutoff)
        size_text = "company deal size"
        if not math.isfinite(size):
            if spec.deal_size is None:
                raise ParamsError(f"{where} has no order history to value the events' leads; set actions.deal_size",
                                  key="actions.deal_size")
            size, size_text = float(spec.deal_size), "deal size (params)"
        conversion = spec.visits_per_lead * spec.proposal_per_visit * spec.win_rate
        for event in events:
            start, end = pd.Timestamp(event.start), pd.Timestamp(event.end)
            effect = event.leads * conversion * size
            rows.append({"action_type": "event", "action": event.name, "owner": event.owner, "start": start,
                         "end": end, "milestones": _milestones("event", start, end, f"{event.leads} leads"),
                         "expected_revenue": effect, "kpi": event.kpi or f"{event.leads} qualified leads",
                         "effect_rule": (f"{event.leads} leads x {spec.visits_per_lead:g} visits per lead x "
                                         f"{spec.proposal_per_visit:.0%} proposals per visit x {spec.win_rate:.0%} "
                                         f"win rate x {size_text} {size:,.0f}"),
                         "in_baseline": False, "purpose": "awareness" if event.awareness else "revenue"})
            shares.append(np.nan)

    # An action expected to bring nothing is left out (its budget stays in the pool), unless it is for awareness.
    fits = [not (row["purpose"] == "revenue" and not float(row["expected_revenue"]) > 0) for row in rows]
    dropped += [f"{row['action']}: no expected revenue ({row['effect_rule']})"
                + ("; mark it awareness in params to keep it" if row["action_type"] in ("promotion", "event") else "")
                for row, ok in zip(rows, fits) if not ok]
    kept_events = [e for e, ok in zip(events, [ok for row, ok in zip(rows, fits) if row["action_type"] == "event"]) if ok]
    rows = [row for row, ok in zip(rows, fits) if ok]
    shares = [sh for sh, ok in zip(shares, fits) if ok]
    events = kept_events
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _CALENDAR_COLUMNS})
        empty.attrs["dropped"] = dropped
        return empty
    share_arr = np.asarray(shares, dtype=float)
    funded = ~np.isnan(share_arr)
    budgets = np.zeros(len(rows), dtype=np.int64)
    if funded.any():
        budgets[funded] = round_preserving_total(share_arr[funded] * budget_total).to_numpy()
    event_budgets = [round(float(e.budget)) for e in events]
    budgets[~funded] = np.asarray(event_budgets, dtype=np.int64)
    spent = int(budgets.sum())
    if spent > round(budget_total):
        raise ParamsError(f"the actions cost {spent:,} but actions.budget is {budget_total:,.0f}; "
                          "lower the events' budgets or the budget shares", key="actions.budget")
    out = pd.DataFrame(rows)
    out["budget"] = budgets
    out["expected_revenue"] = np.round(out["expected_revenue"].astype(float), 0)
    out["start"], out["end"] = pd.to_datetime(out["start"]), pd.to_datetime(out["end"])
    out["in_baseline"] = out["in_baseline"].astype(bool)
    out = out.sort_values(["start", "action"], kind="mergesort").reset_index(drop=True)[_CALENDAR_COLUMNS]
    out.attrs["dropped"] = dropped
    return out


# =========================================================================== 3. customers and channels


def _service_table(spec: ActionsSpec) -> pd.DataFrame:
    rows = [{"abc_class": k, "owner": v.owner, "visits_per_month": float(v.visits_per_month)}
            for k, v in sorted(spec.service_levels.items())]
    return pd.DataFrame(rows).set_index("abc_class")


def assign_service_levels(
    abc_classes: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Each customer's service level: account owner and visits per month from its ABC class.

    Parameters
    ----------
    abc_classes : DataFrame
        ``customer_id, revenue, abc_class`` (from ``planlib.abc_analysis.classify_abc``).
    orders : DataFrame, optional
        Order lines with ``rep``: adds the customer's main rep (most revenue in ``year``).
    year : int, optional
        The review year (needed with ``orders``).
    spec : ActionsSpec, optional
        ``plan.actions`` (its ``service_levels``).

    Returns
    -------
    DataFrame
        ``customer_id, abc_class, revenue, owner, visits_per_month`` (and ``rep``),
        in the order of ``abc_classes``.
    """
    where = "assign_service_levels"
    spec = _spec(spec)
    require_frame(abc_classes, "abc_classes", where, [schema.CUSTOMER_ID, "revenue", "abc_class"])
    levels = _service_table(spec)
    out = pd.DataFrame({schema.CUSTOMER_ID: _text(abc_classes[schema.CUSTOMER_ID]).to_numpy(),
                        "abc_class": _text(abc_classes["abc_class"]).to_numpy(),
                        "revenue": pd.to_numeric(abc_classes["revenue"], errors="coerce").to_numpy()})
    unknown = sorted(set(out["abc_class"]) - set(levels.index))
    if unknown:
        raise ParamsError(f"{where}: no service level for class(es) {unknown}; add them to actions.service_levels",
                          key="actions.service_levels")
    out["owner"] = out["abc_class"].map(levels["owner"])
    out["visits_per_month"] = out["abc_class"].map(levels["visits_per_month"]).astype(float)
    if orders is not None and schema.REP in orders.columns:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        lines = _window(orders, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
        frame = pd.DataFrame({"c": _text(lines[schema.CUSTOMER_ID]).to_numpy(),
                              "r": _text(lines[schema.REP]).to_numpy(),
                              "v": pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
        by = (frame.groupby(["c", "r"])["v"].sum().reset_index()
              .sort_values(["c", "v", "r"], ascending=[True, False, True], kind="mergesort"))
        main = by.drop_duplicates("c").set_index("c")["r"]
        out["rep"] = out[schema.CUSTOMER_ID].map(main)
    return out


def plan_service_levels(
    abc_classes: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    year: int,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Service plan per ABC class: owner, visits, repurchase and cross-sell targets.

    Repurchase rate = share of the class's customers with two or more orders (with a
    positive net value) in ``year``; cross-sell rate = share buying two or more product
    lines (positive net revenue in each) in ``year``. Targets add ``spec.repurchase_uplift``
    and ``spec.cross_sell_uplift`` (capped at 1); customer counts are rounded up.

    Parameters
    ----------
    abc_classes : DataFrame
        ``customer_id, revenue, abc_class``.
    orders : DataFrame
        Canonical order lines.
    year : int
        The review year the classes were made from.
    spec : ActionsSpec, optional
        ``plan.actions`` (``service_levels, repurchase_uplift, cross_sell_uplift``).

    Returns
    -------
    DataFrame
        One row per class (A, B, C): ``abc_class, customers, revenue, revenue_share,
        owner, visits_per_month, visits_per_year, repurchase_rate, repurchase_target,
        repeat_customers_target, cross_sell_rate, cross_sell_target,
        cross_sell_customers_target``.
    """
    where = "plan_service_levels"
    spec = _spec(spec)
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.ORDER_ID, schema.CUSTOMER_ID, schema.REVENUE])
    customers = assign_service_levels(abc_classes, spec=spec)
    lines = _window(orders, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
    frame = pd.DataFrame({"c": _text(lines[schema.CUSTOMER_ID]).to_numpy(),
                          "o": _text(lines[schema.ORDER_ID]).to_numpy(),
                          "v": pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
    per_order = frame.groupby(["c", "o"])["v"].sum()
    n_orders = (per_order > 0).groupby(level="c").sum()
    if schema.PRODUCT_LINE in lines.columns:
        frame["l"] = _text(lines[schema.PRODUCT_LINE]).to_numpy()
        per_line = frame.groupby(["c", "l"])["v"].sum()
        n_lines = (per_line > 0).groupby(level="c").sum()
    else:
        n_lines = pd.Series(dtype=float)
    customers["_orders"] = customers[schema.CUSTOMER_ID].map(n_orders).fillna(0)
    customers["_lines"] = customers[schema.CUSTOMER_ID].map(n_lines).fillna(0)
    levels = _service_table(spec)
    total_revenue = customers["revenue"].sum()
    rows = []
    for klass in sorted(set(levels.index) | set(customers["abc_class"])):
        members = customers[customers["abc_class"] == klass]
        n = len(members)
        rep_rate = float((members["_orders"] >= 2).mean()) if n else np.nan
        cross_rate = float((members["_lines"] >= 2).mean()) if n else np.nan
        rep_target = min(1.0, rep_rate + spec.repurchase_uplift) if n else np.nan
        cross_target = min(1.0, cross_rate + spec.cross_sell_uplift) if n else np.nan
        visits = float(levels.loc[klass, "visits_per_month"])
        rows.append({
            "abc_class": klass, "customers": n, "revenue": float(members["revenue"].sum()),
            "revenue_share": float(members["revenue"].sum() / total_revenue) if total_revenue else np.nan,
            "owner": levels.loc[klass, "owner"], "visits_per_month": visits,
            "visits_per_year": int(_ceil(n * visits * 12)),
            "repurchase_rate": rep_rate, "repurchase_target": rep_target,
            "repeat_customers_target": int(_ceil(n * rep_target)) if n else 0,
            "cross_sell_rate": cross_rate, "cross_sell_target": cross_target,
            "cross_sell_customers_target": int(_ceil(n * cross_target)) if n else 0,
        })
    return pd.DataFrame(rows)


def _annual_by_segment(targets_long: pd.DataFrame, dimension: str, where: str) -> pd.Series:
    require_frame(targets_long, "targets_long", where, [DIMENSION, SEGMENT, TARGET])
    rows = targets_long[targets_long[DIMENSION].astype(str) == dimension]
    if rows.empty:
        dims = sorted(set(targets_long[DIMENSION].astype(str)))
        raise DataError(f"the 'targets_long' frame given to {where} has no '{dimension}' rows; it has {dims}",
                        column=DIMENSION)
    values = pd.to_numeric(rows[TARGET], errors="coerce")
    return values.groupby(_text(rows[SEGMENT]).to_numpy()).sum().sort_index()


def split_budget(
    targets_long: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    budget: float,
    dimensions: Sequence[str] = (schema.CHANNEL, schema.REGION),
    as_of: dt.date | str | pd.Timestamp | None = None,
    index_weight: float = 1.0,
) -> pd.DataFrame:
    """Split the budget over each dimension by target share weighted by a growth index.

    ``weight = target share x growth index ** index_weight``; the growth index is the
    segment's revenue ratio (last 12 months / the 12 before) over the company's, 1 for a
    segment without revenue in the earlier 12 months or without ``orders``. The budget,
    rounded to the currency unit, is split by largest remainder
    (``planlib.allocation.split_total``): each dimension's parts add up to it exactly.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target``.
    orders : DataFrame, optional
        Canonical order lines for the growth index.
    budget : float
        The total budget (``plan.actions.budget``).
    dimensions : sequence of str, default ("channel", "region")
        Dimensions of ``targets_long`` to split over (one split each).
    as_of : date, optional
        End of history; default the day before the first target month.
    index_weight : float, default 1.0
        How strongly growth tilts the split (0 = target shares only).

    Returns
    -------
    DataFrame
        ``dimension, segment, target, target_share, revenue_last, revenue_previous,
        growth, growth_index, weight, budget`` (int) ``, budget_share``.
    """
    where = "split_budget"
    require_frame(targets_long, "targets_long", where, [DIMENSION, SEGMENT, MONTH, TARGET])
    total = float(budget)
    if not math.isfinite(total) or total < 0:
        raise ParamsError(f"the 'budget' parameter of {where} must be a non-negative number; got {budget!r}",
                          key="budget")
    whole = int(math.floor(total + 0.5))
    tilt = float(index_weight)
    if not math.isfinite(tilt) or tilt < 0:
        raise ParamsError(f"the 'index_weight' parameter of {where} must be >= 0; got {index_weight!r}",
                          key="index_weight")
    cutoff = _as_of(as_of, _month_start(targets_long[MONTH]).min() - pd.Timedelta(days=1))
    last_start, last_end = _last_year(cutoff)
    prev_start, prev_end = _last_year(cutoff - pd.DateOffset(years=1))
    parts = []
    for dim in dimensions:
        annual = _annual_by_segment(targets_long, dim, where)
        share = annual / annual.sum() if annual.sum() > 0 else annual * 0.0
        last = prev = pd.Series(np.nan, index=annual.index)
        index = pd.Series(1.0, index=annual.index)
        if orders is not None and dim in orders.columns:
            def by_segment(start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
                lines = _window(orders, start, end)
                values = pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0)
                return values.groupby(_text(lines[dim]).to_numpy()).sum()

            last_all, prev_all = by_segment(last_start, last_end), by_segment(prev_start, prev_end)
            last, prev = last_all.reindex(annual.index).fillna(0.0), prev_all.reindex(annual.index).fillna(0.0)
            company = last_all.sum() / prev_all.sum() if prev_all.sum() > 0 else np.nan
            if math.isfinite(company) and company > 0:
                ratio = last.clip(lower=0.0) / prev.where(prev > 0)
                index = (ratio / company).fillna(1.0)
        weight = share * index**tilt
        if weight.sum() <= 0:
            weight = share if share.sum() > 0 else pd.Series(1.0, index=annual.index)
        amounts = split_total(whole, weight.reset_index(drop=True))
        parts.append(pd.DataFrame({
            DIMENSION: dim, SEGMENT: annual.index, TARGET: annual.to_numpy().astype("int64"),
            "target_share": share.to_numpy(), "revenue_last": last.to_numpy(), "revenue_previous": prev.to_numpy(),
            "growth": (last / prev.where(prev > 0) - 1).to_numpy(), "growth_index": index.to_numpy(),
            "weight": (weight / weight.sum()).to_numpy(), "budget": amounts.to_numpy().astype("int64"),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["budget_share"] = out["budget"] / whole if whole else 0.0
    return out


def plan_channel_support(
    targets_long: pd.DataFrame,
    budget_split: pd.DataFrame | None = None,
    *,
    spec: ActionsSpec | None = None,
) -> pd.DataFrame:
    """Per channel: target, share, last year's revenue, support budget and support type.

    Parameters
    ----------
    targets_long : DataFrame
        ``dimension, segment, month, target`` with ``channel`` rows.
    budget_split : DataFrame, optional
        :func:`split_budget` output with ``channel`` rows (support budget and growth).
    spec : ActionsSpec, optional
        ``plan.actions`` (``channel_support``: what support each channel gets).

    Returns
    -------
    DataFrame
        ``channel, target, target_share, revenue_last, growth, support_budget,
        budget_share, budget_per_target`` (budget per unit of target) ``, support``.
    """
    where = "plan_channel_support"
    spec = _spec(spec)
    annual = _annual_by_segment(targets_long, schema.CHANNEL, where)
    out = pd.DataFrame({schema.CHANNEL: annual.index, TARGET: annual.to_numpy().astype("int64")})
    out["target_share"] = out[TARGET] / out[TARGET].sum() if out[TARGET].sum() else np.nan
    out["revenue_last"], out["growth"] = np.nan, np.nan
    out["support_budget"], out["budget_share"] = 0, np.nan
    if budget_split is not None:
        require_frame(budget_split, "budget_split", where, [DIMENSION, SEGMENT, "budget"])
        rows = budget_split[budget_split[DIMENSION] == schema.CHANNEL].set_index(SEGMENT)
        for column, target_col in (("revenue_last", "revenue_last"), ("growth", "growth"),
                                   ("budget", "support_budget"), ("budget_share", "budget_share")):
            if column in rows.columns:
                out[target_col] = out[schema.CHANNEL].map(rows[column]).to_numpy()
        out["support_budget"] = out["support_budget"].fillna(0).astype("int64")
    out["budget_per_target"] = np.where(out[TARGET] > 0, out["support_budget"] / out[TARGET].where(out[TARGET] > 0, 1),
                                        np.nan)
    out["support"] = out[schema.CHANNEL].map(spec.channel_support).fillna("channel manager's plan")
    return out


# =========================================================================== 5. checkpoints


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
