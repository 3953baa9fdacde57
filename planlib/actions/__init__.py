"""Actions stage: what we must do to reach the target.

Works the targets back into activity (a sales funnel per rep and month, checked against
visit capacity; without reps, per region or channel and month, capacity unknown), an action calendar whose effects are measured from history and checked
against the gap, service levels per ABC class, the budget split and the checkpoints that
in-year tracking compares with actuals.

Modules, one job each: ``funnel`` (funnel and capacity check), ``owners`` (the funnel without reps), ``capacity`` (rebalanced
visits, hires), ``visits`` (one visit budget: funnel and service counted once, levers
before hires), ``seats`` (hire seats carry quota; the quotas after capacity), ``promotions`` (key dates and measured
uplift), ``calendar`` (the action calendar), ``ledger`` (the one gap ledger), ``margin`` (gross-profit targets), ``incentives`` (payout curve over the
forecast paths), ``budget``
(the one budget), ``service`` (ABC service levels), ``channels`` (support split, channel
support), ``checkpoints`` (checkpoints and review cadence); ``_common`` holds shared helpers.

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

One visit budget (:func:`plan_capacity`): a service visit to an A/B customer is also a
funnel visit to an existing customer, so a rep-month needs ``new-business visits +
max(visits to existing customers, service visits of the rep's book)`` (new-business share
from 03's customer-type split; a customer's book is its main rep's). Where that exceeds
capacity: rebalance within region and across months, then C to inside sales, then the B
frequency lowered to what capacity allows (never below one a quarter; A is never lowered,
the A level that would need no hire is stated), then hires whose seats join the
rebalancing. A hire seat carries ``region quota x seat visits / region visits`` each month
(:func:`assign_hire_quotas`), taken from the reps it relieves; 04 writes
``targets_rep_after_capacity`` and builds the checkpoints from it.

Without reps (:func:`plan_owner_funnel`): regions own the funnel (channels when a single
region does not split the company); capacity is unknown and no head count is invented.

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

Budget (:func:`allocate_budget`, :func:`build_budget_ledger`): one total, ``actions.budget``;
the actions' budgets come first and the support pool is what is left. The pool is split
(:func:`split_budget`) per dimension by ``weight = target share x growth index``
where the growth index is the segment's revenue growth ratio over the last 12 months
divided by the company's (the order lines hold no spend, so growth stands in for the
return on budget; 1 without a previous year), split by largest remainder so the parts
add up exactly to the budget.
"""

from __future__ import annotations

from planlib.actions._common import (
    COMPANY,
    DIMENSION,
    MONTH,
    SEGMENT,
    TARGET,
    VACANT_REP,
)
from planlib.actions.calendar import (
    build_action_calendar,
)
from planlib.actions.channels import (
    plan_channel_support,
    split_budget,
)
from planlib.actions.checkpoints import (
    build_checkpoints,
    build_review_cadence,
)
from planlib.actions.funnel import (
    check_capacity,
    check_funnel,
    plan_funnel,
    summarize_capacity,
)
from planlib.actions.owners import choose_funnel_owner, plan_owner_funnel, summarize_owner_funnel
from planlib.actions.promotions import (
    lookup_cny_date,
    measure_promotion_uplift,
)
from planlib.actions.service import (
    assign_service_levels,
    plan_service_levels,
)
from planlib.actions.budget import ACTIONS_ROW, allocate_budget, build_budget_ledger, summarize_budget
from planlib.actions.capacity import plan_hires, rebalance_visits, summarize_rebalance
from planlib.actions.visits import B_FLOOR, HIRE_SEAT, plan_capacity, plan_service_book, plan_visit_need, summarize_capacity_plan
from planlib.actions.seats import apply_rep_quotas, assign_hire_quotas
from planlib.actions.ledger import build_gap_ledger, propose_gap_closing, summarize_gap_ledger
from planlib.actions.margin import plan_margin_targets, summarize_margin_targets
from planlib.actions.incentives import payout_share, plan_incentives, summarize_incentives

__all__ = [
    "ACTIONS_ROW",
    "B_FLOOR",
    "HIRE_SEAT",
    "COMPANY",
    "DIMENSION",
    "MONTH",
    "SEGMENT",
    "TARGET",
    "VACANT_REP",
    "allocate_budget",
    "apply_rep_quotas",
    "assign_hire_quotas",
    "assign_service_levels",
    "build_action_calendar",
    "build_budget_ledger",
    "build_checkpoints",
    "build_gap_ledger",
    "build_review_cadence",
    "check_capacity",
    "check_funnel",
    "choose_funnel_owner",
    "lookup_cny_date",
    "measure_promotion_uplift",
    "plan_channel_support",
    "plan_funnel",
    "plan_owner_funnel",
    "payout_share",
    "plan_capacity",
    "plan_hires",
    "plan_incentives",
    "plan_margin_targets",
    "plan_service_book",
    "plan_service_levels",
    "plan_visit_need",
    "propose_gap_closing",
    "rebalance_visits",
    "split_budget",
    "summarize_budget",
    "summarize_capacity_plan",
    "summarize_capacity",
    "summarize_gap_ledger",
    "summarize_incentives",
    "summarize_margin_targets",
    "summarize_owner_funnel",
    "summarize_rebalance",
]
