"""The review window: which period is reviewed (``year`` up to ``as_of``) and whether the data covers it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib.errors import DataError, ParamsError
from planlib.i18n import _, fmt_month
from planlib.review._common import _DAY, DateLike, _require
from planlib.schema import ORDER_DATE


@dataclass(frozen=True)
class ReviewWindow:
    """The review period (``year`` up to ``as_of``) and its same-dates comparison a year earlier."""

    year: int
    as_of: pd.Timestamp
    data_start: pd.Timestamp

    @property
    def start(self) -> pd.Timestamp:
        """First day of the review period (Jan 1)."""
        return pd.Timestamp(self.year, 1, 1)

    @property
    def stop(self) -> pd.Timestamp:
        """Day after the last day of the review period (exclusive bound)."""
        return self.as_of + _DAY

    @property
    def partial(self) -> bool:
        """True when the review period ends before Dec 31 (year-to-date comparison)."""
        return self.as_of < pd.Timestamp(self.year, 12, 31)

    @property
    def previous(self) -> "ReviewWindow":
        """The same dates one year earlier."""
        return ReviewWindow(self.year - 1, self.as_of - pd.DateOffset(years=1), self.data_start)

    @property
    def label(self) -> str:
        """``"2024"`` or ``"2024 to 30 Jun"``."""
        if not self.partial:
            return str(self.year)
        return _("{year} to {day} {month}").format(year=self.year, day=self.as_of.day, month=fmt_month(self.as_of, with_year=False))

    @property
    def covered(self) -> bool:
        """True when the data covers the period from its start (see ``_covers``)."""
        return _covers(self.data_start, self.start)


# A first period whose data starts after its 7th day is partial (the data stage's rule).
_LATE_START_DAYS = 7


def _covers(data_start: pd.Timestamp, period_start: pd.Timestamp) -> bool:
    """True when data starting on ``data_start`` covers a period starting on ``period_start``."""
    return data_start < period_start + pd.Timedelta(days=_LATE_START_DAYS)


def infer_as_of(lines: pd.DataFrame) -> pd.Timestamp:
    """The last day of the last complete month in the order lines.

    A month is complete when the data reaches its last calendar day; otherwise the
    month before is the last complete one. (The data stage's months table applies a
    stricter volume check; pass its date as ``as_of`` to use it.)
    """
    _require(lines, (ORDER_DATE,), "infer_as_of")
    if lines.empty:
        raise DataError("infer_as_of: the order lines are empty", column=ORDER_DATE)
    last = pd.Timestamp(lines[ORDER_DATE].max()).normalize()
    month_end = last + pd.offsets.MonthEnd(0)
    return last if last == month_end else last.to_period("M").start_time - _DAY


def resolve_window(lines: pd.DataFrame, *, year: int | None = None, as_of: DateLike | None = None) -> ReviewWindow:
    """Decide the review period and its comparison period.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    year : int, optional
        The review year; default the year of ``as_of``.
    as_of : date-like, optional
        Last day reviewed (inclusive); default the last day of the last complete
        month (``infer_as_of``), capped at Dec 31 of ``year``.

    Returns
    -------
    ReviewWindow
    """
    if year is not None and (not isinstance(year, (int, np.integer)) or isinstance(year, bool)):
        raise ParamsError(f"the 'year' parameter must be an int; got {year!r} instead", key="year")
    _require(lines, (ORDER_DATE,), "resolve_window")
    if lines.empty:
        raise DataError("resolve_window: the order lines are empty", column=ORDER_DATE)
    dates = lines[ORDER_DATE]
    first, last = pd.Timestamp(dates.min()).normalize(), pd.Timestamp(dates.max()).normalize()
    if as_of is None:
        inferred = infer_as_of(lines)
        if year is None:
            year = inferred.year
        cutoff = min(inferred, pd.Timestamp(year, 12, 31))
        if cutoff < pd.Timestamp(year, 1, 1):
            raise DataError(
                f"no complete month of {year} in the order lines (last order {last.date()}); "
                "pass as_of to review a partial month",
                column=ORDER_DATE,
            )
    else:
        cutoff = pd.Timestamp(as_of).normalize()
        if year is None:
            year = cutoff.year
        if cutoff.year < year:
            raise ParamsError(f"the 'as_of' parameter must fall in the review year {year}; got {cutoff.date()} instead", key="as_of")
        cutoff = min(cutoff, pd.Timestamp(year, 12, 31))
    window = ReviewWindow(int(year), cutoff, first)
    if first >= window.stop or last < window.start:
        raise DataError(
            f"no order lines in the review period {window.label} (the data covers {first.date()} to {last.date()})",
            column=ORDER_DATE,
        )
    return window
