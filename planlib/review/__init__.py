"""Review of the past year (复盘): headline KPIs, breakdowns, reps and seasonality.

Pure functions of the canonical order-line frame; customer structure lives in
``planlib.customers`` and ABC classes in ``planlib.abc_analysis``. Each table has a
``summarize_*`` function turning its numbers into a one-line takeaway.

Modules: ``window`` (the review period), ``kpis``, ``breakdowns``, ``reps`` (productivity
and ramp), ``attainment`` (against quota) and ``seasonality``; ``_common`` holds the
names and helpers they share with ``planlib.customers`` and ``planlib.abc_analysis``.

Conventions shared by the whole review stage:

- The review window is the calendar year ``year`` up to ``as_of`` (inclusive); when
  the year is partial it is compared with the same dates of the year before
  (year-to-date). ``resolve_window`` is the one place that decides this.
- An *order* is an ``order_id`` whose net revenue over the whole history is positive
  (a credit note or a fully returned order is not an order); it falls in the period
  of its first line. *Active customers* are the distinct customers with an order in
  the period. Revenue is always the net sum of the lines dated in the period.
- Growth is ``current / previous - 1`` and is NaN (never inf) when the previous value
  is zero, negative or missing.
"""

from planlib.review._common import (
    NONE_LABEL,
    DateLike,
    Freq,
    _codes,
    _growth,
    _labels,
    _mask,
    _order_table,
    _ratio,
    _require,
    _window_orders,
)
from planlib.review.attainment import (
    QUOTA,
    QUOTA_DATE,
    QUOTA_QUARTER,
    QUOTA_YEAR,
    compute_attainment,
    summarize_attainment,
)
from planlib.review.breakdowns import break_down, summarize_breakdown
from planlib.review.kpis import compute_kpis, compute_kpis_by_period, summarize_kpis, summarize_kpis_by_period
from planlib.review.reps import compute_rep_productivity, compute_rep_ramp, summarize_ramp, summarize_reps
from planlib.review.seasonality import compute_monthly_indices, profile_seasonality, summarize_seasonality
from planlib.review.window import ReviewWindow, _covers, infer_as_of, resolve_window

__all__ = [
    "NONE_LABEL",
    "QUOTA",
    "QUOTA_DATE",
    "QUOTA_QUARTER",
    "QUOTA_YEAR",
    "DateLike",
    "Freq",
    "ReviewWindow",
    "break_down",
    "compute_attainment",
    "compute_kpis",
    "compute_kpis_by_period",
    "compute_monthly_indices",
    "compute_rep_productivity",
    "compute_rep_ramp",
    "infer_as_of",
    "profile_seasonality",
    "resolve_window",
    "summarize_attainment",
    "summarize_breakdown",
    "summarize_kpis",
    "summarize_kpis_by_period",
    "summarize_ramp",
    "summarize_reps",
    "summarize_seasonality",
    # the shared helpers planlib.customers and planlib.abc_analysis import from here
    "_codes",
    "_covers",
    "_growth",
    "_labels",
    "_mask",
    "_order_table",
    "_ratio",
    "_require",
    "_window_orders",
]
