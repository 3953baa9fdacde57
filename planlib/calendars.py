"""Market calendars: Spring Festival (Chinese New Year) dates from the ``holidays`` library.

The lunar new year moves between 21 January and 20 February; the review's seasonality,
the forecast's January/February split and the promotion windows anchored on it all read
its dates here, so they agree. ``holidays`` computes them for 1950-2100 from its own
lunisolar calendar (no hand-kept date table).
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import pandas as pd

from planlib.errors import ParamsError

FIRST_YEAR, LAST_YEAR = int(holidays.China.start_year), int(holidays.China.end_year)
_NEW_YEAR = "Chinese New Year (Spring Festival)"  # the holiday's name in holidays' en_US locale


def has_spring_festival(year: int) -> bool:
    """True when the library covers ``year`` (1950-2100)."""
    return FIRST_YEAR <= int(year) <= LAST_YEAR


@lru_cache(maxsize=None)
def spring_festival(year: int) -> pd.Timestamp:
    """The first day of the lunar year (春节, Chinese New Year's day) in ``year``.

    Raises
    ------
    ParamsError
        For a year outside what the library covers (1950-2100).
    """
    key = int(year)
    if not has_spring_festival(key):
        raise ParamsError(
            f"no Spring Festival date for {key}: the holidays library covers {FIRST_YEAR}-{LAST_YEAR}; "
            f"anchor the promotion on a fixed MM-DD",
            key="actions.promotions.anchor",
        )
    days = holidays.China(years=key, language="en_US", observed=False)
    return pd.Timestamp(min(day for day, name in days.items() if name == _NEW_YEAR))


def festival_day(year: int) -> int:
    """Days from 1 January to the Spring Festival of ``year`` (20 to 50)."""
    return int((spring_festival(year) - pd.Timestamp(year, 1, 1)).days)


def spring_festival_dates(first_year: int, last_year: int) -> pd.Series:
    """Spring Festival dates of ``first_year``..``last_year``, indexed by year."""
    years = range(int(first_year), int(last_year) + 1)
    return pd.Series([spring_festival(y) for y in years], index=pd.Index(years, name="year"), name="spring_festival")
