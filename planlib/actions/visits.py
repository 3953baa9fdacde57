"""One visit budget per rep: funnel and ABC service visits counted once, levers before hires.

A service visit to an A/B customer is also a funnel visit to an existing customer, so a
rep-month needs ``new-business visits + max(visits to existing customers, service visits
of the rep's book)``. Where capacity is short after rebalancing, C customers go to inside
sales, then the B frequency drops to what capacity allows (never below ``B_FLOOR``);
only what is still short asks for hires, whose seats then join the rebalancing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.formatting import fmt_money
from planlib.i18n import _
from planlib.actions._common import HOUSE_REP, VACANT_REP, _ceil, _labels, _text, _window
from planlib.actions.capacity import plan_hires, rebalance_visits

__all__ = ["B_FLOOR", "HIRE_SEAT", "plan_service_book", "plan_visit_need", "plan_capacity", "summarize_capacity_plan"]

MONTH = "month"
CLASSES = ("A", "B", "C")
B_FLOOR = 1 / 3  # B customers keep at least one visit a quarter; below that the plan hires
HIRE_SEAT = schema.HIRE_SEAT
_NO_REP = {"(none)", "", HOUSE_REP, VACANT_REP}


def plan_service_book(
    abc_classes: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    year: int,
    reps: pd.DataFrame,
) -> pd.DataFrame:
    """How many A, B and C customers each rep serves.

    A customer belongs to the rep who sold it most in ``year``. Customers of a rep who is
    not in the plan (left) go to the rep of the customer's region with the smallest book
    (fewest A, then B, then C customers; ties by name). Customers nobody sold (house
    accounts, web shop) are served by inside sales: no rep visits them (``attrs["house"]``).

    Parameters
    ----------
    abc_classes : DataFrame
        ``customer_id, abc_class``.
    orders : DataFrame
        Order lines with ``rep`` and ``region``.
    year : int
        The review year the classes come from.
    reps : DataFrame
        ``rep, region``: the reps of the plan.

    Returns
    -------
    DataFrame
        ``rep, region, customers_A, customers_B, customers_C`` (one row per rep of ``reps``);
        ``attrs``: ``house`` (customers per class nobody sells) and ``reassigned`` (customers of reps
        no longer in the plan, handed to a colleague of their region).
    """
    where = "plan_service_book"
    require_frame(abc_classes, "abc_classes", where, [schema.CUSTOMER_ID, "abc_class"])
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.CUSTOMER_ID, schema.REP, schema.REGION,
                                            schema.REVENUE])
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    lines = _window(orders, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))
    frame = pd.DataFrame({"c": _labels(lines[schema.CUSTOMER_ID]), "r": _labels(lines[schema.REP]),
                          "g": _text(lines[schema.REGION]).to_numpy(),
                          "v": pd.to_numeric(lines[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})

    def main(key: str) -> pd.Series:
        by = frame.groupby(["c", key])["v"].sum().reset_index()
        by = by.sort_values(["c", "v", key], ascending=[True, False, True], kind="mergesort")
        return by.drop_duplicates("c").set_index("c")[key]

    customers = pd.DataFrame({"c": _text(abc_classes[schema.CUSTOMER_ID]).to_numpy(),
                              "k": _text(abc_classes["abc_class"]).to_numpy()})
    customers["r"] = customers["c"].map(main("r")).fillna("(none)")
    customers["g"] = customers["c"].map(main("g")).fillna("(none)")
    plan = pd.DataFrame({schema.REP: _text(reps[schema.REP]).to_numpy(), schema.REGION: _text(reps[schema.REGION]).to_numpy()})
    plan = plan.loc[~plan[schema.REP].isin(_NO_REP)].drop_duplicates(schema.REP).reset_index(drop=True)
    book = {(r, k): 0 for r in plan[schema.REP] for k in CLASSES}
    house = customers["r"].isin(_NO_REP)
    known = customers["r"].isin(set(plan[schema.REP]))
    for r, k in zip(customers.loc[known, "r"], customers.loc[known, "k"]):
        if k in CLASSES:
            book[(r, k)] += 1
    reassigned = 0
    orphans = customers.loc[~house & ~known].sort_values(["k", "c"], kind="mergesort")
    for _index, row in orphans.iterrows():
        region_reps = plan.loc[plan[schema.REGION] == row["g"], schema.REP].tolist() or plan[schema.REP].tolist()
        if not region_reps or row["k"] not in CLASSES:
            continue
        target = min(region_reps, key=lambda r: (tuple(book[(r, k)] for k in CLASSES), r))
        book[(target, row["k"])] += 1
        reassigned += 1
    out = plan.copy()
    for k in CLASSES:
        out[f"customers_{k}"] = [book[(r, k)] for r in out[schema.REP]]
    out.attrs["house"] = {k: int(((customers["k"] == k) & house).sum()) for k in CLASSES}
    out.attrs["reassigned"] = reassigned
    return out


def plan_visit_need(
    capacity: pd.DataFrame,
    book: pd.DataFrame,
    *,
    levels: dict[str, float],
    new_share: float,
) -> pd.DataFrame:
    """Each rep-month's visits, funnel and service counted once.

    ``funnel_new = ceil(funnel visits x new_share)`` are visits to win new customers;
    the rest of the funnel visits go to existing customers, where a service visit does
    the funnel's work too: ``service = sum over classes of ceil(customers x visits per
    month)``, ``service_extra = max(service - funnel_existing, 0)``,
    ``needed = funnel visits + service_extra``.

    Parameters
    ----------
    capacity : DataFrame
        ``rep, region, month, visits, capacity`` (``check_capacity`` output).
    book : DataFrame
        ``rep, customers_A, customers_B, customers_C`` (:func:`plan_service_book`).
    levels : dict
        Visits per month per class, e.g. ``{"A": 4, "B": 2, "C": 0}``.
    new_share : float
        Share of the target that comes from new customers (03's customer-type split).

    Returns
    -------
    DataFrame
        ``rep, region, month, capacity, funnel_visits, funnel_new, funnel_existing,
        service_A, service_B, service_C, service_extra, needed``.
    """
    where = "plan_visit_need"
    require_frame(capacity, "capacity", where, [schema.REP, schema.REGION, MONTH, "visits", "capacity"])
    share = min(max(float(new_share), 0.0), 1.0) if math.isfinite(float(new_share)) else 0.0
    out = capacity[[schema.REP, schema.REGION, MONTH, "capacity"]].copy()
    out[MONTH] = pd.to_datetime(out[MONTH])
    out["capacity"] = pd.to_numeric(out["capacity"], errors="coerce").fillna(0).clip(lower=0).astype(np.int64)
    funnel = pd.to_numeric(capacity["visits"], errors="coerce").fillna(0).astype(np.int64).to_numpy()
    out["funnel_visits"] = funnel
    out["funnel_new"] = np.minimum(_ceil(funnel * share).astype(np.int64), funnel)
    out["funnel_existing"] = out["funnel_visits"] - out["funnel_new"]
    table = book.set_index(_text(book[schema.REP])) if len(book) else pd.DataFrame()
    service = np.zeros(len(out), dtype=np.int64)
    for k in CLASSES:
        n = out[schema.REP].map(table[f"customers_{k}"]).fillna(0).to_numpy(dtype=float) if len(table) else 0.0
        visits = _ceil(n * float(levels.get(k, 0.0))).astype(np.int64) if np.ndim(n) else np.zeros(len(out), np.int64)
        out[f"service_{k}"] = visits
        service = service + visits
    out["service_extra"] = np.maximum(service - out["funnel_existing"].to_numpy(), 0)
    out["needed"] = out["funnel_visits"] + out["service_extra"]
    return out.reset_index(drop=True)


def _fits(need: pd.DataFrame) -> bool:
    """Whether rebalancing leaves no visit short: exactly when the region's visits fit its capacity.

    :func:`rebalance_visits` moves a month's excess to any month with room and then to any
    colleague with slack, so nothing is short if and only if the year's needed visits do
    not exceed the year's capacity. Searching levels with this test, and rebalancing only
    the level chosen, gives the same plan as rebalancing every level tried.
    """
    return int(need["needed"].sum()) <= int(need["capacity"].sum())


def _rebalance(need: pd.DataFrame) -> pd.DataFrame:
    """``needed`` rebalanced within region and across months: ``planned, moved, short`` added."""
    if need.empty:
        return need.assign(planned=pd.Series(dtype=np.int64), moved=pd.Series(dtype=np.int64),
                           short=pd.Series(dtype=np.int64))
    frame = need.rename(columns={"needed": "visits"})
    done = rebalance_visits(frame[[schema.REP, schema.REGION, MONTH, "visits", "capacity"]])
    keyed = done.set_index([schema.REP, MONTH])
    index = pd.MultiIndex.from_arrays([need[schema.REP], pd.to_datetime(need[MONTH])])
    out = need.copy()
    out["planned"] = keyed["funnel_planned"].reindex(index).to_numpy()
    out["moved"] = out["planned"] - out["needed"]
    out["short"] = keyed["funnel_short"].reindex(index).to_numpy()
    return out


def _hire_seats(region: str, count: int, start: pd.Timestamp, months: pd.DatetimeIndex, *,
                visits_per_rep_month: int, ramp_months: int, first: int = 1) -> pd.DataFrame:
    """Rows of ``count`` hire seats from ``start``: capacity ramps linearly over ``ramp_months``."""
    tenure = np.array([(m.year - start.year) * 12 + m.month - start.month + 1 for m in months])
    ramp = np.where(tenure <= 0, 0.0, np.minimum(tenure / ramp_months, 1.0) if ramp_months else 1.0)
    cap = np.floor(visits_per_rep_month * ramp + 1e-9).astype(np.int64)
    rows = [{schema.REP: HIRE_SEAT.format(region=region, k=k), schema.REGION: region, MONTH: m, "capacity": c}
            for k in range(first, first + count) for m, c in zip(months, cap)]
    return pd.DataFrame(rows)


def plan_capacity(
    capacity: pd.DataFrame,
    book: pd.DataFrame,
    *,
    levels: dict[str, float],
    new_share: float,
    visits_per_rep_month: int,
    ramp_months: int = 0,
    cost_per_rep_year: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fit every rep-month's visits into capacity: rebalance, then levers, then hires.

    Per region, in this order, each step only while visits are still short:

    1. rebalance (:func:`planlib.actions.rebalance_visits`): colleagues of the region with
       slack that month, then the region's months with slack;
    2. C customers served by inside sales (their field visits dropped);
    3. the B frequency lowered to the highest level (in whole visits a year) at which
       the region's visits fit, never below ``B_FLOOR`` visits a month (A is never lowered);
    4. hires (:func:`planlib.actions.plan_hires`, ramp-up and cost), whose seats join the
       rebalancing; a seat is added until no visit is short.

    Returns
    -------
    tuple of DataFrame
        ``visit_plan`` (per rep-month and hire seat: ``seat`` rep / hire, the need of
        :func:`plan_visit_need` at the levels planned, ``planned`` (<= capacity),
        ``moved``, ``short`` (0 once hires are in), ``slack``); ``levers`` (per region:
        capacity, visits needed, short before and after rebalancing, C visits to inside
        sales, B level asked and planned, visits freed, hires, and the A level, in visits a
        month, at which the region would need no hire: stated, never applied); ``hiring_plan``
        (``plan_hires`` rows).
    """
    where = "plan_capacity"
    require_frame(capacity, "capacity", where, [schema.REP, schema.REGION, MONTH, "visits", "capacity"])
    frame = capacity.copy()
    frame[MONTH] = pd.to_datetime(frame[MONTH])
    months = pd.DatetimeIndex(sorted(frame[MONTH].unique()))
    plans, levers, hires = [], [], []
    asked_b, floor_b = float(levels.get("B", 0.0)), min(float(levels.get("B", 0.0)), B_FLOOR)
    for region, part in frame.groupby(schema.REGION, sort=True):
        region = str(region)
        level = {k: float(levels.get(k, 0.0)) for k in CLASSES}
        need = plan_visit_need(part, book, levels=level, new_share=new_share)
        first = _rebalance(need)
        row = {schema.REGION: region, "capacity": int(need["capacity"].sum()), "funnel_visits": int(need["funnel_visits"].sum()),
               "service_visits": int(need[[f"service_{k}" for k in CLASSES]].sum().sum()),
               "needed": int(need["needed"].sum()), "over_before": int((need["needed"] - need["capacity"]).clip(lower=0).sum()),
               "short_after_rebalance": int(first["short"].sum())}
        plan = first
        c_freed = 0
        if plan["short"].sum() > 0 and level["C"] > 0:
            before = int(plan["needed"].sum())
            level["C"] = 0.0
            plan = _rebalance(plan_visit_need(part, book, levels=level, new_share=new_share))
            c_freed = before - int(plan["needed"].sum())
        b_freed = 0
        if plan["short"].sum() > 0 and level["B"] > floor_b:
            before = int(plan["needed"].sum())
            per_year = int(round(level["B"] * 12))
            lowest = int(math.ceil(floor_b * 12 - 1e-9))
            tried = None
            for visits in range(per_year - 1, lowest - 1, -1):
                level["B"] = visits / 12
                tried = plan_visit_need(part, book, levels=level, new_share=new_share)
                if _fits(tried):
                    break
            if tried is not None:
                plan = _rebalance(tried)
            b_freed = before - int(plan["needed"].sum())
        row.update({"c_to_inside_sales": c_freed, "a_level_asked": float(levels.get("A", 0.0)), "b_level_asked": asked_b, "b_level_planned": level["B"],
                    "b_visits_freed": b_freed, "short_after_levers": int(plan["short"].sum())})
        hired = 0
        row["a_level_without_hires"] = np.nan
        if plan["short"].sum() > 0 and level["A"] > 0:  # not applied: the A level the reps could serve alone
            trial = dict(level)
            for visits in range(int(round(level["A"] * 12)) - 1, -1, -1):
                trial["A"] = visits / 12
                if _fits(plan_visit_need(part, book, levels=trial, new_share=new_share)):
                    row["a_level_without_hires"] = trial["A"]
                    break
        if plan["short"].sum() > 0:
            short = plan.rename(columns={"short": "funnel_short"})
            hire = plan_hires(short, visits_per_rep_month=visits_per_rep_month, ramp_months=ramp_months,
                              cost_per_rep_year=cost_per_rep_year)
            count, start = int(hire["hires"].sum()), pd.Timestamp(hire["start_by"].iloc[0])
            for _attempt in range(50):  # a seat more until nothing is short (ramped capacity is whole visits)
                seats = _hire_seats(region, count, start, months, visits_per_rep_month=visits_per_rep_month,
                                    ramp_months=ramp_months)
                seats = seats.assign(visits=0)
                need = plan_visit_need(pd.concat([part, seats], ignore_index=True), book, levels=level,
                                       new_share=new_share)
                if _fits(need):
                    break
                count += 1
            plan = _rebalance(need)
            employed = len(months) - months.get_loc(start)
            hire["hires"] = count
            hire["capacity_added"] = int(seats.groupby(schema.REP)["capacity"].sum().sum())
            hire["cost"] = count * cost_per_rep_year * employed / 12 if cost_per_rep_year > 0 else np.nan
            hire["need"] = "visits"
            hires.append(hire)
            hired = count
        row["hires"] = hired
        plan["seat"] = np.where(plan[schema.REP].astype(str).str.startswith(schema.HIRE_SEAT_PREFIX), "hire", "rep")
        plan["b_level"] = level["B"]
        plans.append(plan)
        levers.append(row)
    visit_plan = pd.concat(plans, ignore_index=True) if plans else pd.DataFrame()
    if len(visit_plan):
        visit_plan["slack"] = visit_plan["capacity"] - visit_plan["planned"]
        order = [schema.REP, schema.REGION, MONTH, "seat", "capacity", "funnel_visits", "funnel_new", "funnel_existing",
                 *[f"service_{k}" for k in CLASSES], "service_extra", "b_level", "needed", "planned", "moved", "short",
                 "slack"]
        visit_plan = visit_plan[order].sort_values([schema.REGION, "seat", schema.REP, MONTH], kind="mergesort")
        visit_plan = visit_plan.reset_index(drop=True)
    hiring = pd.concat(hires, ignore_index=True) if hires else pd.DataFrame(
        columns=[schema.REGION, "need", "hires", "start_by", "first_short_month", "visits_short", "capacity_added", "cost"])
    visit_plan.attrs["house"] = dict(book.attrs.get("house", {}))
    return visit_plan, pd.DataFrame(levers), hiring.reset_index(drop=True)


def summarize_capacity_plan(visit_plan: pd.DataFrame, levers: pd.DataFrame, hires: pd.DataFrame | None = None) -> str:
    """One paragraph: visits counted once, what rebalancing and the levers freed, hires left."""
    require_frame(levers, "levers", "summarize_capacity_plan",
                  [schema.REGION, "capacity", "funnel_visits", "service_visits", "needed", "over_before",
                   "short_after_rebalance", "c_to_inside_sales", "b_level_asked", "b_level_planned", "b_visits_freed",
                   "hires"])
    text = _("Funnel {funnel} and ABC service {service} visits a year, a service visit to an existing customer counted "
             "once with the funnel: {needed} visits against {capacity} of rep capacity; {over} over capacity rep by rep, "
             "{short} still short after moving visits to colleagues and months with slack").format(
        funnel=f"{int(levers['funnel_visits'].sum()):,}", service=f"{int(levers['service_visits'].sum()):,}",
        needed=f"{int(levers['needed'].sum()):,}", capacity=f"{int(levers['capacity'].sum()):,}",
        over=f"{int(levers['over_before'].sum()):,}", short=f"{int(levers['short_after_rebalance'].sum()):,}")
    c = int(levers["c_to_inside_sales"].sum())
    if c:
        text += _("; C customers to inside sales frees {visits} visits").format(visits=f"{c:,}")
    lowered = levers.loc[levers["b_level_planned"] < levers["b_level_asked"] - 1e-9]
    if len(lowered):
        regions = _(", ").join(_("{region} {planned} a year instead of {asked}").format(
            region=r.region, planned=f"{r.b_level_planned * 12:.0f}", asked=f"{r.b_level_asked * 12:.0f}") for r in lowered.itertuples())
        text += _("; B visits lowered to what capacity allows ({regions}, {visits} visits)").format(
            regions=regions, visits=f"{int(lowered['b_visits_freed'].sum()):,}")
    n = int(levers["hires"].sum())
    if n and hires is not None and len(hires):
        cost = pd.to_numeric(hires["cost"], errors="coerce").sum(min_count=1)
        starts = _(", ").join(_("{region} {hires} starting by {start}").format(
            region=r.region, hires=r.hires, start=f"{pd.Timestamp(r.start_by):%Y-%m}") for r in hires.itertuples())
        text += (_("; {count} hire(s) cover the rest ({starts}) at {cost} and carry part of their region's quota").format(
                     count=n, starts=starts, cost=fmt_money(cost)) if pd.notna(cost) else
                 _("; {count} hire(s) cover the rest ({starts}), cost not given (actions.rep_cost_per_year), and carry part of "
                   "their region's quota").format(count=n, starts=starts))
        alone = levers.loc[levers["a_level_without_hires"].notna()] if "a_level_without_hires" in levers.columns else levers.iloc[:0]
        if len(alone):
            levels = _(", ").join(_("{visits} visits a year in {region}").format(
                visits=f"{r.a_level_without_hires * 12:.0f}", region=r.region) for r in alone.itertuples())
            text += _("; without hires A customers could get {levels} instead of {asked}").format(
                levels=levels, asked=f"{float(levers['a_level_asked'].iloc[0]) * 12:.0f}")
    else:
        text += _("; no hire is needed")
    over = int((visit_plan["planned"] > visit_plan["capacity"]).sum()) if len(visit_plan) else 0
    short = int(visit_plan["short"].sum()) if len(visit_plan) else 0
    text += _(". After rebalancing and hires {over} rep-months are over capacity and {short} visits short.").format(
        over=over, short=f"{short:,}")
    return text
