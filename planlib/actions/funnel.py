"""The sales funnel worked back from each rep's monthly target, and the check against visit capacity."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.i18n import _, fmt_amount
from planlib.actions._common import (
    MONTH,
    TARGET,
    HOUSE_REP,
    VACANT_REP,
    _DEFAULTS,
    _TOL,
    _as_of,
    _ceil,
    _company_deal_size,
    _floor,
    _last_year,
    _month_start,
    _order_values,
    _require_rate,
    _labels,
    _text,
    _window,
)


_FUNNEL_COLUMNS = [
    schema.REP, schema.REGION, MONTH, TARGET, "deal_size", "deal_size_source", "win_rate",
    "proposal_per_visit", "visits_per_lead", "rate_source", "deals", "proposals", "visits",
    "leads", "funnel_revenue",
]


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
    # the house line (sales no rep sells) is its own segment: nobody visits for it
    house = _text(rep_targets[schema.REP]).eq(HOUSE_REP).to_numpy()
    house_target = float(pd.to_numeric(rep_targets.loc[house, TARGET], errors="coerce").sum())
    rep_targets = rep_targets.loc[~house]
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
                sold = lines[_labels(lines[schema.REP]) != "(none)"]
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
    out = out[_FUNNEL_COLUMNS]
    out.attrs["house_target"] = house_target  # left out of the funnel, stated by the summaries
    return out


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
        parts = [_("{reps} more rep(s) at {visits} visits").format(reps=int(out["extra_reps"].iat[i]), visits=f"{hire_capacity[i]:,.0f}")]
        if math.isfinite(req_win[i]) and req_win[i] <= 1:
            parts.append(_("win rate {required} (now {now})").format(required=f"{req_win[i]:.1%}", now=f"{win[i]:.1%}"))
        if math.isfinite(req_ppv[i]) and req_ppv[i] <= 1:
            parts.append(_("proposals per visit {required} (now {now})").format(required=f"{req_ppv[i]:.1%}", now=f"{ppv[i]:.1%}"))
        if math.isfinite(req_size[i]):
            parts.append(_("deal size {required} (now {now})").format(required=fmt_amount(req_size[i]), now=fmt_amount(funnel["deal_size"].iat[i])))
        notes.append(_("{over} visits over capacity {capacity}: needs {options}").format(
            over=int(over[i]), capacity=int(capacity[i]), options=_(", or ").join(parts)))
    out["note"] = notes
    return out


def summarize_capacity(capacity: pd.DataFrame) -> str:
    """One paragraph on the rep-months over capacity (``check_capacity`` output)."""
    total = len(capacity)
    bad = capacity[~capacity["feasible"].astype(bool)]
    if bad.empty:
        peak = capacity["utilisation"].replace(np.inf, np.nan).max()
        return (_("All {count} rep-months fit within visit capacity (peak utilisation {peak}).") if pd.notna(peak)
                else _("All {count} rep-months fit within visit capacity.")).format(count=f"{total:,}", peak=f"{peak:.0%}" if pd.notna(peak) else "")
    reps = bad[schema.REP].nunique()
    worst = bad.groupby(schema.REGION)["visits_over"].sum().sort_values(ascending=False, kind="stable")
    months = bad.groupby(MONTH)["extra_reps"].sum()
    return _("{bad} of {total} rep-months ({reps} rep(s)) need more visits than capacity; {short} visits short in all, "
             "most in {region} ({region_short}); the busiest month needs {extra} extra rep(s).").format(
        bad=f"{len(bad):,}", total=f"{total:,}", reps=reps, short=f"{int(bad['visits_over'].sum()):,}", region=worst.index[0],
        region_short=f"{int(worst.iloc[0]):,}", extra=int(months.max()))

