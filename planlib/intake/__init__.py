"""Intake (notebook 00): sources onto the canonical order-line frame, and the data-quality ledger.

One job per module: ``columns`` (header against ``data.columns``), ``dates``,
``amounts``, ``text``, ``canonical`` (the mapping and its fixes), ``ledger``
(every line accounted for), ``months`` (completeness), ``sanity`` (can the history
carry a plan), ``segments`` (side tables).
"""

from planlib.intake.assemble import assemble_intake
from planlib.intake.canonical import (
    MISSING_LABEL,
    canonicalize_commitments,
    canonicalize_orders,
    canonicalize_quotas,
    to_categories,
)
from planlib.intake.columns import COST_SOURCES, check_header, source_columns
from planlib.intake.dates import DAYFIRST, MONTHFIRST, DateReading, parse_dates
from planlib.intake.ledger import reconcile_ledger, summarize_intake
from planlib.intake.months import describe_coverage, last_complete_month, split_at_as_of, summarize_months
from planlib.intake.sanity import check_plannable
from planlib.intake.segments import build_segment_tables, home_regions, summarize_reps

__all__ = [
    "COST_SOURCES", "DAYFIRST", "MISSING_LABEL", "MONTHFIRST", "DateReading", "assemble_intake",
    "build_segment_tables", "canonicalize_commitments", "canonicalize_orders", "canonicalize_quotas",
    "check_header", "check_plannable", "describe_coverage", "home_regions", "last_complete_month",
    "parse_dates", "reconcile_ledger", "source_columns", "split_at_as_of", "summarize_intake",
    "summarize_months", "summarize_reps", "to_categories",
]
