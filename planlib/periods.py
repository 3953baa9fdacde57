"""A run's period (``2025`` or ``2025-Q2``) and its as-of date, checked against the plan year."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from planlib import i18n
from planlib.errors import ParamsError
from planlib.plan import Plan

_PERIOD = re.compile(r"^(?P<year>\d{4})(-Q(?P<quarter>[1-4]))?$")


def resolve_period(plan: Plan, *, period: str | int = "", as_of: str | int | dt.date = "") -> tuple[str, dt.date]:
    """The pack period and data cut-off date of a run, checked against the plan year.

    Accepts what a papermill user types: ``-p period 2025`` arrives as an int and
    ``-p as_of 20250630`` too; a date from ``-y`` arrives as a ``date``.
    """
    period = str(period).strip() if period not in (None, "") else str(plan.plan_year)
    if isinstance(as_of, int) and not isinstance(as_of, bool):
        as_of = str(as_of)
    match = _PERIOD.match(period)
    if not match:
        raise ParamsError(i18n._("period must look like 2025 or 2025-Q2; got {period}").format(period=repr(period)), key="period")
    year = int(match["year"])
    if year != plan.plan_year:
        raise ParamsError(i18n._("period {period} is not in the plan year {year}").format(period=period, year=plan.plan_year), key="period")
    if match["quarter"]:
        quarter_end = pd.Period(f"{year}Q{match['quarter']}", freq="Q").end_time.date()
        default = quarter_end
    else:
        default = plan.history_end
    if as_of:
        try:
            cutoff = pd.Timestamp(as_of).date()
        except (ValueError, TypeError) as err:
            raise ParamsError(i18n._("as_of must be a date such as {year}-06-30; got {as_of}").format(year=plan.plan_year, as_of=repr(as_of)),
                              key="as_of") from err
        if match["quarter"] is None and cutoff > plan.history_end:
            raise ParamsError(
                i18n._("as-of {as_of} is inside the plan year; an annual plan uses history to {end} (use --period {year}-Qn for tracking)").format(
                    as_of=cutoff, end=plan.history_end, year=year),
                key="as_of",
            )
        if match["quarter"] is None and cutoff < dt.date(year - 1, 1, 1):
            raise ParamsError(
                i18n._("as-of {as_of} is before {review_year}, the year an annual plan for {year} reviews; "
                       "give a date in {review_year} or leave it empty ({end})").format(as_of=cutoff, review_year=year - 1, year=year, end=plan.history_end),
                key="as_of",
            )
        if match["quarter"] and not (dt.date(year, 1, 1) <= cutoff <= default):
            raise ParamsError(i18n._("as-of {as_of} is outside {year} up to the end of {period}").format(as_of=cutoff, year=year, period=period), key="as_of")
    else:
        cutoff = default
    return period, cutoff
