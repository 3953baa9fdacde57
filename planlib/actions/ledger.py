"""The gap ledger: target, baseline, each action's incremental effect and the gap that remains.

One frame every view reads (the gap chart, the sentence, the tables and the Excel sheet),
so they cannot disagree; an effect already inside the baseline is listed but never counted.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planlib.checks import require_frame
from planlib.errors import DataError, ParamsError
from planlib.formatting import fmt_money
from planlib.i18n import _

__all__ = ["build_gap_ledger", "propose_gap_closing", "summarize_gap_ledger"]

LEDGER_COLUMNS = ["kind", "item", "action_type", "budget", "expected_revenue", "in_baseline", "incremental",
                  "running"]
# kind: target | baseline | action | remaining_gap (one row each, actions in calendar order)


def _number(value: object, name: str, where: str) -> float:
    """A finite number, else a ParamsError naming the parameter."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = float("nan")
    if not math.isfinite(x):
        raise ParamsError(f"the '{name}' parameter of {where} must be a finite number; got {value!r} instead", key=name)
    return x


def build_gap_ledger(calendar: pd.DataFrame, *, target: float, baseline: float) -> pd.DataFrame:
    """The gap ledger of the action plan, one row per line.

    Parameters
    ----------
    calendar : DataFrame
        ``build_action_calendar`` output (``action_type, action, budget,
        expected_revenue, in_baseline``).
    target : float
        The annual target.
    baseline : float
        The baseline forecast total of the plan year.

    Returns
    -------
    DataFrame
        ``kind, item, action_type, budget, expected_revenue, in_baseline, incremental,
        running``: a ``target`` row, a ``baseline`` row, one ``action`` row per action
        (``incremental`` is its expected revenue, or 0 when ``in_baseline``: the
        baseline forecast already holds it), and a ``remaining_gap`` row whose
        ``incremental`` is ``target - baseline - sum(incremental)`` (negative = the plan
        has that much to spare). ``running`` is the plan level after each line.
    """
    where = "build_gap_ledger"
    require_frame(calendar, "calendar", where, ["action_type", "action", "budget", "expected_revenue", "in_baseline"],
                  allow_empty=True)
    tgt, base = _number(target, "target", where), _number(baseline, "baseline", where)
    effects = pd.to_numeric(calendar["expected_revenue"], errors="coerce")
    if effects.isna().any():
        rows = np.flatnonzero(effects.isna().to_numpy())[:5].tolist()
        raise DataError(f"the 'calendar' given to {where} has missing expected_revenue in rows {rows}",
                        column="expected_revenue", rows=rows)
    inside = calendar["in_baseline"].astype(bool).to_numpy()
    incremental = np.where(inside, 0.0, effects.to_numpy(dtype=float))
    running = base + np.cumsum(incremental)
    remaining = tgt - base - math.fsum(incremental)
    actions = pd.DataFrame({
        "kind": "action", "item": calendar["action"].astype(str).to_numpy(dtype=object),
        "action_type": calendar["action_type"].astype(str).to_numpy(dtype=object),
        "budget": pd.to_numeric(calendar["budget"], errors="coerce").to_numpy(dtype=float),
        "expected_revenue": effects.to_numpy(dtype=float), "in_baseline": inside,
        "incremental": incremental, "running": running,
    })
    head = pd.DataFrame({"kind": ["target", "baseline"], "item": ["annual target", "baseline forecast"],
                         "action_type": "", "budget": np.nan, "expected_revenue": np.nan, "in_baseline": False,
                         "incremental": [tgt, base], "running": [tgt, base]})
    tail = pd.DataFrame({"kind": ["remaining_gap"], "item": ["remaining gap" if remaining > 0 else "to spare"],
                         "action_type": "", "budget": np.nan, "expected_revenue": np.nan, "in_baseline": False,
                         "incremental": [remaining], "running": [base + math.fsum(incremental)]})
    parts = [head, actions, tail] if len(actions) else [head, tail]
    out = pd.concat(parts, ignore_index=True)[LEDGER_COLUMNS]
    out["in_baseline"] = out["in_baseline"].astype(bool)
    return out


def _line(ledger: pd.DataFrame, kind: str) -> float:
    """The ``incremental`` of the one ``kind`` row of a ledger."""
    row = ledger.loc[ledger["kind"] == kind, "incremental"]
    if len(row) != 1:
        raise DataError(f"the gap ledger must hold exactly one '{kind}' row; found {len(row)}", column="kind")
    return float(row.iloc[0])


def summarize_gap_ledger(ledger: pd.DataFrame) -> str:
    """One sentence from the ledger: gap, what the actions add on top of the baseline, what remains."""
    require_frame(ledger, "ledger", "summarize_gap_ledger", LEDGER_COLUMNS)
    target, base, remaining = _line(ledger, "target"), _line(ledger, "baseline"), _line(ledger, "remaining_gap")
    acts = ledger[ledger["kind"] == "action"]
    added = math.fsum(acts["incremental"])
    inside = math.fsum(acts.loc[acts["in_baseline"], "expected_revenue"])
    gap = target - base
    text = (_("Target {target} against a baseline of {baseline}: a gap of {gap}. ") if gap > 0
            else _("The baseline {baseline} already reaches the target {target}. ")).format(
        target=fmt_money(target), baseline=fmt_money(base), gap=fmt_money(gap))
    text += _("The actions add {added} on top of the baseline").format(added=fmt_money(added))
    if inside > 0:
        text += _(" ({inside} of recurring effects are already inside the baseline and not counted again)").format(inside=fmt_money(inside))
    if remaining > 0:
        return text + _("; {remaining} of the gap remains open.").format(remaining=fmt_money(remaining))
    return text + _("; the plan has {spare} to spare.").format(spare=fmt_money(-remaining))


def propose_gap_closing(
    ledger: pd.DataFrame,
    *,
    revenue_per_visit: float | None = None,
    visits_per_rep_year: float | None = None,
) -> pd.DataFrame:
    """What would close the remaining gap, each lever alone, with amounts.

    Levers: more budget on the action with the best incremental revenue per unit of
    budget (assuming its return holds at the margin), more selling capacity (visits at
    ``revenue_per_visit``, in reps of ``visits_per_rep_year``), or a lower target.

    Returns
    -------
    DataFrame
        ``lever, amount, unit, detail``; empty when no gap remains.
    """
    require_frame(ledger, "ledger", "propose_gap_closing", LEDGER_COLUMNS)
    remaining = _line(ledger, "remaining_gap")
    rows: list[dict[str, object]] = []
    if remaining <= 0:
        return pd.DataFrame({"lever": pd.Series(dtype=object), "amount": pd.Series(dtype=float),
                             "unit": pd.Series(dtype=object), "detail": pd.Series(dtype=object)})
    acts = ledger[(ledger["kind"] == "action") & (ledger["budget"] > 0) & (ledger["incremental"] > 0)]
    if len(acts):
        ret = acts["incremental"] / acts["budget"]
        best = acts.loc[ret.idxmax()]
        r = float(ret.max())
        rows.append({"lever": "budget", "amount": remaining / r, "unit": "currency",
                     "detail": _("{amount} more on '{item}', which returns {ratio} revenue per unit of budget").format(
                         amount=fmt_money(remaining / r), item=best["item"], ratio=f"{r:,.1f}")})
    if revenue_per_visit and revenue_per_visit > 0:
        visits = math.ceil(remaining / revenue_per_visit)
        detail = _("{visits} more visits at {revenue} of revenue per visit").format(visits=f"{visits:,}", revenue=fmt_money(revenue_per_visit))
        rows.append({"lever": "capacity", "amount": float(visits), "unit": "visits", "detail": detail})
        if visits_per_rep_year and visits_per_rep_year > 0:
            reps = math.ceil(visits / visits_per_rep_year)
            rows.append({"lever": "hires", "amount": float(reps), "unit": "reps",
                         "detail": _("{reps} more full-year rep(s) at {visits} visits a year").format(reps=reps, visits=f"{visits_per_rep_year:,.0f}")})
    target = _line(ledger, "target")
    rows.append({"lever": "lower target", "amount": target - remaining, "unit": "currency",
                 "detail": _("a target of {target} ({lower} lower)").format(target=fmt_money(target - remaining), lower=f"{remaining / target:.1%}")})
    return pd.DataFrame(rows)
