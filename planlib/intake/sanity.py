"""Whether the loaded history can carry a plan at all, said at intake in the user's words.

A history of one month, of zero revenue or of returns only would load and then fail
several notebooks later with an internal message; here it stops with one line.
"""

from __future__ import annotations

import pandas as pd

from planlib import schema
from planlib.errors import DataError


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
    upto = f" up to {as_of}" if as_of is not None else ""
    revenue = orders[schema.REVENUE]
    if (revenue == 0).all():
        raise DataError(f"every one of the {len(orders):,} order lines{upto} has zero revenue; check data.columns.revenue", path=label, column=schema.REVENUE)
    if (revenue <= 0).all():
        raise DataError(f"the {len(orders):,} order lines{upto} hold only returns (negative revenue); a plan needs sales", path=label, column=schema.REVENUE)
    if revenue.sum() <= 0:
        raise DataError(f"net revenue{upto} is {revenue.sum():,.2f}: returns exceed sales; a plan needs positive net sales", path=label, column=schema.REVENUE)
    months = orders[schema.ORDER_DATE].dt.to_period("M")
    if months.nunique() < 2:
        raise DataError(f"the data{upto} cover a single month ({months.iloc[0]}); a plan needs at least 12 months of history", path=label, column=schema.ORDER_DATE)
    last = orders[schema.ORDER_DATE].max()
    if review_year is not None and last.year < review_year:
        raise DataError(
            f"the data end on {last.date()}, before the review year {review_year} (the year before plan_year); "
            f"set plan_year to {last.year + 1} or less",
            path=label, column=schema.ORDER_DATE,
        )
