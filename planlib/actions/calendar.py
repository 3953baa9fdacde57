"""The action calendar: promotions, launches, new-customer drives and events, each with a measured effect."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import round_preserving_total, split_total
from planlib.checks import require_frame
from planlib.errors import ParamsError
from planlib.plan import ActionsSpec
from planlib.actions._common import _as_of, _company_deal_size, _last_year, _spec, _labels, _text, _window
from planlib.actions.promotions import _promotion_window, lookup_cny_date, measure_promotion_uplift
from planlib.i18n import _, fmt_amount, fmt_quarter


_CALENDAR_COLUMNS = [
    "action_type", "action", "owner", "start", "end", "milestones", "budget",
    "expected_revenue", "kpi", "effect_rule", "in_baseline", "purpose",
]


_PUSH_DAYS = 90  # a launch or strategic push runs 90 days


_MIN_WINDOW_DAYS = 30  # a launch with fewer days left in the plan year waits for next year's calendar


def _scope_text(scope: str) -> str:
    """What a promotion's uplift was measured on, in the report language (the artifact keeps planlib's words)."""
    if scope.startswith("channel "):
        return _("channel {channel}").format(channel=scope[len("channel "):])
    return _(scope)  # "all lines", "all lines (no channel column)": marked in planlib.actions.promotions


def _fmt_day(day: pd.Timestamp) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


def _milestones(kind: str, start: pd.Timestamp, end: pd.Timestamp, detail: str = "") -> str:
    d = pd.Timedelta
    if kind == "promotion":
        steps = [(start - d(days=28), _("offer, price and stock plan approved")),
                 (start - d(days=14), _("reps and partners briefed")), (start, _("live")),
                 (end + d(days=7), _("uplift review vs neighbouring weeks"))]
    elif kind == "launch":
        steps = [(start - d(days=42), _("launch kit and rep training")),
                 (start - d(days=14), _("pilot customers lined up")), (start, _("launch")),
                 (start + d(days=30), _("first-month pipeline review")), (end, _("90-day review"))]
    elif kind == "new_customers":
        steps = [(start, _("target list per rep ({detail})").format(detail=detail)),
                 (start + d(days=45), _("mid-quarter pipeline check")), (end, _("new customers counted"))]
    else:
        steps = [(start - d(days=42), _("booth / content booked")),
                 (start - d(days=7), _("invitations and meeting slots")), (start, _("event ({detail})").format(detail=detail)),
                 (end + d(days=14), _("every lead followed up"))]
    return _("; ").join(_("{day}: {step}").format(day=_fmt_day(day), step=text) for day, text in steps)


def _new_customer_economics(orders: pd.DataFrame | None, as_of: pd.Timestamp) -> tuple[int, float]:
    """(new customers won, their revenue per customer) in the 12 months to ``as_of``."""
    if orders is None or schema.CUSTOMER_ID not in orders.columns:
        return 0, np.nan
    dates = pd.to_datetime(orders[schema.ORDER_DATE]).dt.normalize()
    ids = orders[schema.CUSTOMER_ID]  # a categorical's codes stand for its customers: no label per line
    frame = pd.DataFrame({"customer": ids.cat.codes.to_numpy() if isinstance(ids.dtype, pd.CategoricalDtype) else _labels(ids),
                          "date": dates.to_numpy(),
                          "revenue": pd.to_numeric(orders[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()})
    frame = frame[frame["date"] <= as_of]
    start, _end = _last_year(as_of)
    first = frame.groupby("customer")["date"].min()
    new = first.index[first >= start]
    if len(new) == 0:
        return 0, np.nan
    revenue = math.fsum(frame.loc[(frame["date"] >= start) & frame["customer"].isin(new), "revenue"])
    return len(new), revenue / len(new)


def _line_revenue(orders: pd.DataFrame, line: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
    lines = _window(orders, start, end)
    mask = _labels(lines[schema.PRODUCT_LINE]) == line
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
            rule = _("no history year covers the window and its neighbouring weeks: no effect counted")
        else:
            share = float(m["excess_share"].mean())
            effect = max(share, 0.0) * base * inside
            years_text = _(", ").join(str(y) for y in m["year"])
            rule = _("window revenue above its neighbouring weeks' pace ({scope}), {share} of annual revenue on average over "
                     "{years} x baseline {baseline}").format(scope=_scope_text(str(m["scope"].iloc[0])), share=f"{share:+.2%}", years=years_text,
                                                            baseline=fmt_amount(base))
            if inside < 1:
                rule += _(" x {inside} of the window inside {year}").format(inside=f"{inside:.0%}", year=plan_year)
            if share <= 0:
                rule += _(": no uplift measured, no effect counted")
        owner = promo.owner or (_("channel {channel}").format(channel=promo.channel) if promo.channel else _("all regions"))
        rows.append({"action_type": "promotion", "action": promo.name, "owner": owner, "start": start, "end": end,
                     "milestones": _milestones("promotion", start, end),
                     "expected_revenue": effect,
                     "kpi": promo.kpi or _("revenue in the window vs its neighbouring weeks"),
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
                    rule = _("mean first-12-month revenue of earlier launches ({lines}): {revenue} x {left} of the year left after launch").format(
                        lines=", ".join(analogues["line"]), revenue=fmt_amount(np.mean(first_year)), left=f"{left:.0%}")
                else:
                    effect, purpose = 0.0, "awareness"
                    rule = _("no earlier launch in the history to learn from: an awareness action, no revenue counted")
                in_base, name = False, _("Launch {line}").format(line=r.line)
            else:
                day = min(launch.day, 28) if launch.month == 2 else launch.day
                # the push runs its full 90 days inside the year: a late anniversary starts it earlier
                start = min(pd.Timestamp(plan_year, launch.month, day), year_end - pd.Timedelta(days=_PUSH_DAYS - 1))
                if has_lines:
                    last = _line_revenue(history, r.line, *_last_year(cutoff))
                    prev = _line_revenue(history, r.line, *_last_year(cutoff - pd.DateOffset(years=1)))
                    effect = max(last - prev, 0.0)
                    rule = (_("last year's revenue gain of {line} ({last} vs {previous}), repeated by the push") if last > prev else
                            _("last year's revenue gain of {line} ({last} vs {previous}), repeated by the push: no gain, no effect counted")
                            ).format(line=r.line, last=fmt_amount(last), previous=fmt_amount(prev))
                else:
                    effect, rule = 0.0, _("orders have no product_line column: no effect counted")
                in_base, name = True, _("Strategic push {line} (launch anniversary)").format(line=r.line)
            end = min(start + pd.Timedelta(days=_PUSH_DAYS - 1), year_end)
            launch_rows.append({"action_type": "launch", "action": name, "owner": _("product manager {name}").format(name=r.line),
                                "start": start, "end": end, "milestones": _milestones("launch", start, end),
                                "expected_revenue": effect, "kpi": _("{line} revenue and active customers").format(line=r.line),
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
                rule = _("({needed} needed - {won} won last year) x first-year value {value}, {n}/{total} in this quarter").format(
                    needed=f"{needed:,}", won=f"{won:,}", value=fmt_amount(value), n=n, total=needed)
            else:
                rule = _("no new customer in the last 12 months to measure a first-year value: no effect counted")
            rows.append({"action_type": "new_customers", "action": _("New-customer drive {quarter}").format(quarter=fmt_quarter(q + 1)),
                         "owner": _("regional managers (all reps) with inside sales"), "start": start, "end": end,
                         "milestones": _milestones("new_customers", start, end, _("{count} customers").format(count=n)),
                         "expected_revenue": effect,
                         "kpi": _("{count} new customers (first order in {quarter})").format(count=n, quarter=fmt_quarter(q + 1)),
                         "effect_rule": rule, "in_baseline": False, "purpose": "revenue"})
            shares.append(spec.new_customer_budget_share / 4)

    # Trade shows and content campaigns.
    events = list(spec.events)
    if events:
        size = _company_deal_size(history, cutoff)
        size_text = _("company deal size")
        if not math.isfinite(size):
            if spec.deal_size is None:
                raise ParamsError(f"{where} has no order history to value the events' leads; set actions.deal_size",
                                  key="actions.deal_size")
            size, size_text = float(spec.deal_size), _("deal size (params)")
        conversion = spec.visits_per_lead * spec.proposal_per_visit * spec.win_rate
        for event in events:
            start, end = pd.Timestamp(event.start), pd.Timestamp(event.end)
            effect = event.leads * conversion * size
            rows.append({"action_type": "event", "action": event.name, "owner": event.owner, "start": start,
                         "end": end, "milestones": _milestones("event", start, end, _("{count} leads").format(count=event.leads)),
                         "expected_revenue": effect, "kpi": event.kpi or _("{count} qualified leads").format(count=event.leads),
                         "effect_rule": _("{leads} leads x {visits} visits per lead x {proposals} proposals per visit x {win} "
                                          "win rate x {size_text} {size}").format(
                             leads=event.leads, visits=f"{spec.visits_per_lead:g}", proposals=f"{spec.proposal_per_visit:.0%}",
                             win=f"{spec.win_rate:.0%}", size_text=size_text, size=fmt_amount(size)),
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
