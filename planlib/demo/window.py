"""The demo company's window: its days (index 0 = start), the plan year and their attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib.demo.company import _DAYS_PER_YEAR, CNY_DATES
from planlib.errors import ParamsError


def _parse_day(value: object, name: str) -> np.datetime64:
    """A date-like ``value`` as a day; a ParamsError naming ``name`` otherwise."""
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError) as err:
        raise ParamsError(
            f"the '{name}' parameter of the demo company must be a date; got {value!r} instead", key=name
        ) from err


@dataclass(frozen=True)
class _Calendar:
    """The window's days (index 0 = ``start``) and their calendar attributes."""

    start: np.datetime64
    dates: pd.DatetimeIndex
    plan_year_start: int  # day index of 1 January of the plan year

    @classmethod
    def from_window(cls, start: object, end: object) -> _Calendar:
        first, last = _parse_day(start, "start"), _parse_day(end, "end")
        cny_years = [int(d[:4]) for d in CNY_DATES]
        if not (cny_years[0] <= first.astype(object).year and last.astype(object).year < cny_years[-1]):
            raise ParamsError(
                f"the demo company's window must lie within {cny_years[0]}-{cny_years[-1] - 1}; "
                f"got {start} to {end}",
                key="start",
            )
        plan_year_start = np.datetime64(f"{last.astype(object).year}-01-01", "D")
        if (plan_year_start - first).astype(int) < 365:
            raise ParamsError(
                "the demo company needs at least one year of history before the plan year "
                f"(the year of 'end'); got {start} to {end}",
                key="start",
            )
        dates = pd.DatetimeIndex(np.arange(first, last + 1).astype("datetime64[ns]"))
        return cls(first, dates, int((plan_year_start - first).astype(int)))

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def day(self, date: str) -> int:
        """Day index of ``date`` (may lie outside the window)."""
        return int((np.datetime64(pd.Timestamp(date).date(), "D") - self.start).astype(int))

    def years(self) -> np.ndarray:
        """Years since the start, per day."""
        return np.arange(self.n_days) / _DAYS_PER_YEAR

    def plan_year_q2_q3(self) -> np.ndarray:
        """True on the days of April to September of the plan year."""
        in_plan_year = np.arange(self.n_days) >= self.plan_year_start
        return in_plan_year & np.isin(self.dates.month, [4, 5, 6, 7, 8, 9])
