"""Whether the loaded history can carry a plan at all, said at intake in the user's words.

A history of one month, of zero revenue or of returns only would load and then fail
several notebooks later with an internal message; here it stops with one line.
"""

from __future__ import annotations

import pandas as pd

from planlib import schema
from planlib.errors import DataError
from planlib.i18n import _


def check_plannable(orders: pd.DataFrame, *, label: str, as_of=None, review_year: int | None = None) -> None:
    """Stop with one line when the history up to the as-of date cannot carry a plan.

    Parameters
    ----------
    orders : DataFrame
        Canonical order lines up to the as-of date.
    label : str
        The source's name for messages.
    as_of : date, optional
        The run's as-of date (named in the messages).
    review_year : int, optional
        The year under review; the history must reach into it.
    """
    upto = _(" up to {as_of}").format(as_of=as_of) if as_of is not None else ""
    revenue = orders[schema.REVENUE]
    if (revenue == 0).all():
        raise DataError(_("every one of the {count} order lines{upto} has zero revenue; check data.columns.revenue").format(
            count=f"{len(orders):,}", upto=upto), path=label, column=schema.REVENUE)
    if (revenue <= 0).all():
        raise DataError(_("the {count} order lines{upto} hold only returns (negative revenue); a plan needs sales").format(
            count=f"{len(orders):,}", upto=upto), path=label, column=schema.REVENUE)
    if revenue.sum() <= 0:
        raise DataError(_("net revenue{upto} is {revenue}: returns exceed sales; a plan needs positive net sales").format(
            upto=upto, revenue=f"{revenue.sum():,.2f}"), path=label, column=schema.REVENUE)
    months = orders[schema.ORDER_DATE].dt.to_period("M")
    if months.nunique() < 2:
        raise DataError(_("the data{upto} cover a single month ({month}); a plan needs at least 12 months of history").format(
            upto=upto, month=months.iloc[0]), path=label, column=schema.ORDER_DATE)
    last = orders[schema.ORDER_DATE].max()
    if review_year is not None and last.year < review_year:
        raise DataError(
            _("the data end on {end}, before the review year {year} (the year before plan_year); set plan_year to {latest} or less").format(
                end=last.date(), year=review_year, latest=last.year + 1),
            path=label, column=schema.ORDER_DATE,
        )
