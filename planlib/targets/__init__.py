"""Targets stage: what we commit to and who carries it.

Sets the annual target (growth, forecast quantile or amount, checked against company
constraints and the forecast distribution) and splits it exactly, to the currency unit,
by month and quarter, product line, region, channel, customer type and rep. One job per
module: ``annual``, ``months``, ``splits`` / ``balance`` (units), ``customers``,
``reps`` / ``quotas`` / ``fairness``, ``cube``, ``reconcile``, ``smart``.

Conventions
-----------
* Every split starts from a *baseline* (last year's actuals or the forecast) and adds up
  exactly to the parent; rounding is largest remainder (1-D) or controlled rounding
  (tables), see :mod:`planlib.allocation`.
* Amounts are whole multiples of ``unit`` (default 1, the currency unit) in column
  ``target`` (int64); rows are sorted deterministically, so the same inputs give
  byte-identical tables.
* Probabilities are probabilities of *reaching* an amount (``P(actual >= amount)``):
  from simulated annual totals when given, else from the forecast quantiles (see
  :func:`estimate_reach_probability`).
"""

from planlib.targets._common import (
    AMOUNT, BASELINE, FITTED, GROWTH, MONTH, PROBABILITY, QUARTER, TARGET, VACANT_REP,
    summarize_actuals, summarize_forecast,
)
from planlib.targets.annual import compare_target_options, set_annual_target
from planlib.targets.balance import balance_split
from planlib.targets.cube import fit_rep_cube, fit_target_cube
from planlib.targets.customers import count_new_customers, plan_customer_targets, summarize_customer_base
from planlib.targets.months import compare_quarter_weights, split_by_time
from planlib.targets.quotas import HOUSE, allocate_quotas_from_books, forecast_rep_books, summarize_rep_quotas
from planlib.targets.reconcile import apply_reconciled_quotas, reconcile_commitments, reconcile_quotas
from planlib.targets.fairness import assess_rep_fairness, measure_quota_spread, summarize_quota_spread
from planlib.targets.reps import allocate_to_reps, rep_presence_by_month
from planlib.targets.smart import build_smart_table, estimate_reach_probability
from planlib.targets.splits import allocate_by_role, allocate_by_stage

__all__ = [
    "AMOUNT", "BASELINE", "FITTED", "GROWTH", "MONTH", "PROBABILITY", "QUARTER", "TARGET", "VACANT_REP", "HOUSE",
    "allocate_quotas_from_books", "forecast_rep_books", "summarize_rep_quotas",
    "allocate_by_role", "balance_split", "allocate_by_stage", "allocate_to_reps", "assess_rep_fairness", "build_smart_table",
    "compare_quarter_weights", "compare_target_options", "estimate_reach_probability", "fit_rep_cube",
    "fit_target_cube", "plan_customer_targets", "count_new_customers", "reconcile_commitments", "reconcile_quotas", "apply_reconciled_quotas", "rep_presence_by_month",
    "set_annual_target", "split_by_time", "summarize_actuals", "summarize_customer_base", "summarize_forecast",
    "summarize_quota_spread", "measure_quota_spread",
]
