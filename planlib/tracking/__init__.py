"""Tracking stage: where are we against the plan, and how do we re-plan the rest of the year?

Compares actuals to date with the annual plan (attainment, run-rate projection, traffic
light), checks the checkpoints that are due, and re-spreads the remaining target exactly.

Modules, one job each: ``attainment`` (actual vs plan), ``checkpoints``, ``behaviour``,
``respread`` (the re-plan policy and the exact re-spread), ``reps`` (region targets to the
reps in seat), ``outlook`` (before/after, the re-planned year and its chance), ``margin`` (gross
profit to date), ``diff``
(re-planned targets, plan differences); ``_common`` holds the names and checks they share.

Inputs
------
* ``targets_long``: the annual plan, one row per ``dimension, segment, month, target``
  (``dimension`` one of :data:`DIMENSIONS`; ``segment`` ``"Total"`` for ``total`` and
  ``month``; ``month`` a month start of the plan year; ``target`` whole currency units).
  Every dimension's segments add up to the total of each month (checked).
* ``orders``: canonical order lines of the plan year up to ``as_of``; lines outside
  ``[Jan 1, as_of]`` are left out of every figure (:func:`compare_to_plan` counts them in
  ``attrs["lines_outside"]``).
* ``history``: order lines of earlier years (it may also hold the plan year: only its
  lines before Jan 1 of the plan year are used, the plan year comes from ``orders``).

Rules
-----
* **Segments of a line.** ``product_line, region, channel, rep`` from the line (missing
  = ``"(none)"``); ``customer_type`` is ``"new"`` when the customer's first line ever
  (over ``history`` and ``orders``) falls in the plan year, else ``"existing"``. Actuals
  of segments without a target are kept in their own rows (annual target 0), so every
  dimension's actuals add up to the total actual.
* **Partial month.** With ``as_of`` inside a month, that month's plan to date is its
  target times the share of its calendar days elapsed (``as_of`` inclusive). This is the
  same thing as the plan's monthly weight times the elapsed share of days.
* **Run-rate projection.** ``projection = actual / plan_share_elapsed`` where
  ``plan_share_elapsed = plan_to_date / annual_target``: the actual to date scaled by the
  plan's own seasonal weight of the elapsed days (a segment by its own weights, so
  segment projections need not add up to the total's).
* **Traffic light.** ``attainment = actual / plan_to_date``; ``"green"`` when
  ``attainment >= green``, ``"amber"`` when ``>= amber``, else ``"red"`` (boundaries
  included, to 1e-12); ``"n/a"`` when nothing is planned to date.
* **Re-spread.** Re-planning works on *closed* months: the months ending on or before
  ``as_of`` are history (their actuals are final), the others are *open*. With ``as_of``
  inside a month that month is open: its new target is for the whole month and its
  sales so far count towards it. See :func:`respread_remaining`.
"""

from __future__ import annotations

from planlib.tracking._common import (
    CUSTOMER_TYPE,
    CarryForward,
    DIMENSION,
    DIMENSIONS,
    DateLike,
    EXISTING,
    MEAN,
    MONTH,
    NEW,
    NONE_LABEL,
    POLICIES,
    SEGMENT,
    TARGET,
    TOTAL,
    TOTAL_SEGMENT,
    VACANT_REP,
)
from planlib.tracking.attainment import (
    compare_to_plan,
    summarize_tracking,
)
from planlib.tracking.behaviour import (
    compute_behaviour,
    summarize_behaviour,
)
from planlib.tracking.checkpoints import (
    check_checkpoints,
    summarize_checkpoints,
)
from planlib.tracking.diff import (
    apply_respread,
    diff_targets,
    summarize_plan_diff,
)
from planlib.tracking.margin import compare_margin, summarize_margin
from planlib.tracking.outlook import (
    replan_outlook,
    respread_by_month,
    summarize_changes,
    summarize_replan_outlook,
    summarize_respread_by_segment,
    summarize_target_changes,
)
from planlib.tracking.reps import (
    respread_to_reps,
)
from planlib.tracking.respread import (
    respread_remaining,
    summarize_respread,
)

__all__ = [
    "CUSTOMER_TYPE",
    "CarryForward",
    "DIMENSION",
    "DIMENSIONS",
    "DateLike",
    "EXISTING",
    "MEAN",
    "MONTH",
    "NEW",
    "NONE_LABEL",
    "POLICIES",
    "SEGMENT",
    "TARGET",
    "TOTAL",
    "TOTAL_SEGMENT",
    "VACANT_REP",
    "apply_respread",
    "check_checkpoints",
    "compare_margin",
    "compare_to_plan",
    "compute_behaviour",
    "diff_targets",
    "replan_outlook",
    "respread_by_month",
    "respread_remaining",
    "respread_to_reps",
    "summarize_behaviour",
    "summarize_changes",
    "summarize_margin",
    "summarize_checkpoints",
    "summarize_plan_diff",
    "summarize_replan_outlook",
    "summarize_respread",
    "summarize_respread_by_segment",
    "summarize_target_changes",
    "summarize_tracking",
]
