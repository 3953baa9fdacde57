"""One budget: the actions and the channel/region support all draw from ``actions.budget``.

The actions' budgets come first (the action calendar); what is left is the support pool,
split by channel and by region. Every table adds up to the one total, and shows the
revenue each unit of budget is expected to bring.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.actions.channels import ACTIONS_ROW, split_budget
from planlib.checks import require_frame
from planlib.errors import ParamsError
from planlib.formatting import fmt_money
from planlib.i18n import _

__all__ = ["ACTIONS_ROW", "allocate_budget", "build_budget_ledger", "summarize_budget"]

_NO_BUDGET = "no budget given (actions.budget is 0): nothing is allocated"


def _whole_budget(budget: object, where: str) -> int:
    """The budget in whole currency units, else a ParamsError."""
    try:
        total = float(budget)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        total = float("nan")
    if not math.isfinite(total) or total < 0:
        raise ParamsError(f"the 'budget' parameter of {where} must be a non-negative number; got {budget!r}",
                          key="actions.budget")
    return int(math.floor(total + 0.5))


def _actions_cost(calendar: pd.DataFrame, whole: int, where: str) -> int:
    """What the actions cost; refused with one line when more than the budget."""
    require_frame(calendar, "calendar", where, ["budget"], allow_empty=True)
    spent = int(pd.to_numeric(calendar["budget"], errors="coerce").fillna(0).sum())
    if spent > whole:
        raise ParamsError(f"the plan spends {spent:,} but actions.budget is {whole:,}: lower the actions' budgets "
                          "or raise actions.budget", key="actions.budget")
    return spent


def allocate_budget(
    calendar: pd.DataFrame,
    targets_long: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    budget: float,
    dimensions: Sequence[str] = (schema.CHANNEL, schema.REGION),
    as_of: dt.date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The one budget by channel and by region: the actions' row plus the support pool's split.

    The pool is ``budget - the actions' budgets``, split per dimension by
    :func:`planlib.actions.split_budget` (target share x growth index); each dimension also
    holds the row :data:`ACTIONS_ROW` with the actions' budgets, so every dimension adds up
    to ``budget`` exactly.

    Returns
    -------
    DataFrame
        ``split_budget`` columns plus ``revenue_increase`` (target - last 12 months' revenue)
        and ``increase_per_budget``; with ``budget`` 0 the budget columns are NaN and
        ``note`` says no budget was given. ``attrs``: ``budget, actions, pool``.

    Raises
    ------
    ParamsError
        When the actions cost more than ``budget``.
    """
    where = "allocate_budget"
    whole = _whole_budget(budget, where)
    spent = _actions_cost(calendar, whole, where)
    dims = [d for d in dimensions if (targets_long["dimension"].astype(str) == d).any()]
    if not dims:  # no channel or region targets: the actions and one unsplit pool
        out = pd.DataFrame({"dimension": ["total", "total"], "segment": ["(support pool)", ACTIONS_ROW],
                            "budget": [whole - spent, spent]})
        out["budget_share"] = out["budget"] / whole if whole else np.nan
        if whole == 0:
            out[["budget", "budget_share"]] = np.nan
        out["note"] = _NO_BUDGET if whole == 0 else ""
        out.attrs.update({"budget": whole, "actions": spent, "pool": whole - spent})
        return out
    pool = split_budget(targets_long, orders, budget=whole - spent, dimensions=dims, as_of=as_of)
    parts = []
    for dim, part in pool.groupby("dimension", sort=False):
        actions_row = pd.DataFrame({"dimension": [dim], "segment": [ACTIONS_ROW], "budget": [spent]})
        parts.append(pd.concat([part, actions_row], ignore_index=True))
    out = pd.concat(parts, ignore_index=True) if parts else pool
    out["budget"] = out["budget"].astype("int64")
    out["budget_share"] = out["budget"] / whole if whole else np.nan
    out["revenue_increase"] = out["target"] - out["revenue_last"]
    out["increase_per_budget"] = np.where(out["budget"] > 0, out["revenue_increase"] / out["budget"].where(out["budget"] > 0, 1),
                                        np.nan)
    out["note"] = ""
    if whole == 0:
        out[["budget", "budget_share", "increase_per_budget"]] = np.nan
        out["note"] = _NO_BUDGET
    out.attrs.update({"budget": whole, "actions": spent, "pool": whole - spent})
    return out


def build_budget_ledger(gap_ledger: pd.DataFrame, budget_split: pd.DataFrame, *, budget: float) -> pd.DataFrame:
    """Every draw on the budget once: each action, then the support pool by channel (or region).

    Returns
    -------
    DataFrame
        ``use, item, budget, budget_share, incremental_revenue, revenue_per_budget``
        (actions: the gap ledger's incremental revenue, 0 for an effect already in the
        baseline; support: NaN, its return is not measured), then a ``total`` row equal to
        ``budget``. With ``budget`` 0 one row says no budget was given.
    """
    where = "build_budget_ledger"
    whole = _whole_budget(budget, where)
    require_frame(gap_ledger, "gap_ledger", where, ["kind", "item", "budget", "incremental"])
    require_frame(budget_split, "budget_split", where, ["dimension", "segment", "budget"], allow_empty=True)
    if whole == 0:
        return pd.DataFrame({"use": ["none"], "item": [_NO_BUDGET], "budget": [np.nan], "budget_share": [np.nan],
                             "incremental_revenue": [np.nan], "revenue_per_budget": [np.nan]})
    acts = gap_ledger[gap_ledger["kind"] == "action"]
    rows = pd.DataFrame({"use": "action", "item": acts["item"].to_numpy(dtype=object),
                         "budget": acts["budget"].fillna(0).to_numpy(dtype=float),
                         "incremental_revenue": acts["incremental"].to_numpy(dtype=float)})
    dims = list(dict.fromkeys(budget_split["dimension"].astype(str)))
    dim = schema.CHANNEL if schema.CHANNEL in dims else (dims[0] if dims else None)
    support = budget_split[(budget_split["dimension"] == dim) & (budget_split["segment"] != ACTIONS_ROW)] \
        if dim else budget_split.iloc[:0]
    pool = pd.DataFrame({"use": f"{dim} support" if dim else "support", "item": support["segment"].to_numpy(dtype=object),
                         "budget": support["budget"].to_numpy(dtype=float), "incremental_revenue": np.nan})
    out = pd.concat([rows, pool], ignore_index=True)
    spent = math.fsum(out["budget"])
    if spent > whole + 0.5:
        raise ParamsError(f"the plan spends {spent:,.0f} but actions.budget is {whole:,}", key="actions.budget")
    unspent = whole - spent
    if unspent > 0.5:
        out = pd.concat([out, pd.DataFrame({"use": ["unallocated"], "item": ["not yet allocated"],
                                            "budget": [unspent], "incremental_revenue": [np.nan]})], ignore_index=True)
    out["budget_share"] = out["budget"] / whole
    out["revenue_per_budget"] = np.where(out["budget"] > 0, out["incremental_revenue"] / out["budget"].where(out["budget"] > 0, 1),
                                         np.nan)
    total = pd.DataFrame({"use": ["total"], "item": ["actions.budget"], "budget": [float(whole)], "budget_share": [1.0],
                          "incremental_revenue": [math.fsum(rows["incremental_revenue"])],
                          "revenue_per_budget": [math.fsum(rows["incremental_revenue"]) / whole]})
    out = pd.concat([out, total], ignore_index=True)
    return out[["use", "item", "budget", "budget_share", "incremental_revenue", "revenue_per_budget"]]


def summarize_budget(ledger: pd.DataFrame) -> str:
    """One line: the budget, what the actions and the support take, and the actions' return."""
    require_frame(ledger, "ledger", "summarize_budget", ["use", "budget", "incremental_revenue"])
    if (ledger["use"] == "none").any():
        return _("No budget given (actions.budget is 0): the plan allocates nothing and shows no return.")
    total = float(ledger.loc[ledger["use"] == "total", "budget"].iloc[0])
    acts = ledger[ledger["use"] == "action"]
    support = ledger[ledger["use"].str.endswith("support")]
    spent_actions = math.fsum(acts["budget"])
    text = _("Budget {total}: actions {actions}, support {support}").format(
        total=fmt_money(total), actions=fmt_money(spent_actions), support=fmt_money(math.fsum(support["budget"])))
    free = ledger.loc[ledger["use"] == "unallocated", "budget"]
    if len(free):
        text += _(", {free} not yet allocated").format(free=fmt_money(float(free.iloc[0])))
    added = math.fsum(acts["incremental_revenue"])
    text += _("; the actions add {added} beyond the baseline").format(added=fmt_money(added))
    if spent_actions > 0:
        text += _(" ({ratio} per unit of their budget)").format(ratio=f"{added / spent_actions:,.1f}")
        best = acts.loc[acts["revenue_per_budget"].idxmax()] if acts["revenue_per_budget"].notna().any() else None
        if best is not None:
            text += _(", best '{item}' at {ratio}").format(item=best["item"], ratio=f"{best['revenue_per_budget']:,.1f}")
    return text + _(".")
