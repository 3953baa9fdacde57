"""The intake's tables from raw lines: canonical orders, the ledger, months, coverage, side tables.

Frames in, frames out (the workflow reads the source and writes the artifacts). Every
line of the source ends in exactly one place, used or listed in the ledger, and
``reconcile_ledger`` checks it before the tables leave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from planlib import schema
from planlib.errors import ParamsError
from planlib.i18n import _
from planlib.intake import ledger as lg
from planlib.intake.canonical import canonicalize_orders
from planlib.intake.months import describe_coverage, split_at_as_of, summarize_months
from planlib.intake.sanity import check_plannable
from planlib.intake.segments import build_segment_tables


def assemble_intake(
    raw: pd.DataFrame,
    *,
    plan,
    as_of: dt.date,
    label: str,
    columns: Mapping[str, str] | None = None,
    side_tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of the intake (notebook 00) from the raw lines of one source.

    Parameters
    ----------
    raw : DataFrame
        The source's rows as read.
    plan : Plan
        The validated params (``data.date_format``, ``data.complete_through``,
        ``data.start``, roles and stages, the review year).
    as_of : date
        Last day of data this run uses; later lines are set aside for tracking.
    label : str
        The source's name for messages.
    columns : mapping, optional
        ``data.columns`` (empty for the demo company, already canonical).
    side_tables : dict, optional
        The demo company's own side tables.

    Returns
    -------
    dict
        ``orders``, ``data_quality`` (the ledger), ``months``, ``coverage`` and the side
        tables (``product_lines``, ``regions``, ``channels``, ``reps``).
    """
    spec = plan.data
    orders, quality = canonicalize_orders(raw, columns=columns, label=label, date_format=spec.date_format)
    entries = quality.to_dict("records")
    file_months = summarize_months(orders, complete_through=spec.complete_through)
    for row in file_months.loc[~file_months["complete"]].itertuples():
        entries.append(lg.entry(_("incomplete month in the source: {month}").format(month=f"{row.month:%Y-%m}"), row.lines, row.revenue, row.reason, lg.NOTE))
    if spec.start is not None:
        early = orders[schema.ORDER_DATE] < pd.Timestamp(spec.start)
        if early.any():
            entries.append(lg.entry("rows before data.start, left out of this plan", early.sum(), orders.loc[early, schema.REVENUE].sum(), _("data.start = {start}").format(start=spec.start), lg.SET_ASIDE))
            orders = orders.loc[~early].reset_index(drop=True)
    orders, later = split_at_as_of(orders, as_of)
    if len(later):
        entries.append(lg.entry("rows after the as-of date, kept for in-year tracking", len(later), later[schema.REVENUE].sum(), _("as-of {as_of}").format(as_of=as_of), lg.SET_ASIDE))
    if orders.empty:
        raise ParamsError(_("no order lines up to the as-of date {as_of} in {label}").format(as_of=as_of, label=label), key="as_of")
    check_plannable(orders, label=label, as_of=as_of, review_year=plan.review_year)
    months = summarize_months(orders, as_of=as_of, complete_through=spec.complete_through)
    for row in months.itertuples():
        if not row.complete:
            entries.append(lg.entry(_("incomplete month up to the as-of date: {month}").format(month=f"{row.month:%Y-%m}"), row.lines, row.revenue,
                                    _("{reason}; left out of the forecast fit").format(reason=row.reason), lg.NOTE))
        elif row.reason:
            entries.append(lg.entry(_("last month judged complete: {month}").format(month=f"{row.month:%Y-%m}"), row.lines, row.revenue, row.reason, lg.NOTE))
    entries.append(lg.entry("rows used", len(orders), orders[schema.REVENUE].sum(), _("up to {as_of}").format(as_of=as_of), lg.USED))
    quality = lg.ledger(entries)
    lg.reconcile_ledger(quality)
    return {
        "orders": orders,
        "data_quality": quality,
        "months": months,
        "coverage": describe_coverage(orders),
        **build_segment_tables(orders, plan=plan, demo_tables=side_tables),
    }
