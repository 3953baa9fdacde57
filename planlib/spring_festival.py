"""The review's view of the Spring Festival: how January and February trade places as the festival moves.

Read from 01's monthly indices (``review.compute_monthly_indices``): each complete year's
January share of January + February beside that year's festival date. The sentence says
which months move and by how much, and what the forecast does about it (``forecast.festival``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.calendars import festival_day, spring_festival
from planlib.i18n import _, fmt_pct, get_language


def _day(date: pd.Timestamp) -> str:
    """A festival day as its reader writes it: ``22 Jan 2023`` / ``2023年1月22日``."""
    return f"{date.year}年{date.month}月{date.day}日" if get_language() == "zh-CN" else f"{date.day} {date:%b %Y}"


def split_by_year(indices: pd.DataFrame) -> pd.DataFrame:
    """``year, spring_festival, festival_day, january, february, january_share`` per complete year."""
    months = indices.pivot_table(index="year", columns="month", values="revenue", aggfunc="sum")
    rows = []
    for year, row in months.iterrows():
        jan, feb = float(row.get(1, np.nan)), float(row.get(2, np.nan))
        if np.isfinite(jan) and np.isfinite(feb) and jan + feb > 0:
            rows.append({"year": int(year), "spring_festival": spring_festival(int(year)), "festival_day": festival_day(int(year)),
                         "january": jan, "february": feb, "january_share": jan / (jan + feb)})
    return pd.DataFrame(rows, columns=["year", "spring_festival", "festival_day", "january", "february", "january_share"])


def summarize(table: pd.DataFrame, plan_year: int) -> str:
    """One line: which months move with the festival, how far, and the plan year's date."""
    day = spring_festival(plan_year)
    if len(table) < 2:
        return _("Spring Festival on {date}: one complete year of history cannot show how "
                 "January and February move with it.").format(date=_day(day))
    low, high = table["january_share"].min(), table["january_share"].max()
    early, late = table.loc[table["festival_day"].idxmin()], table.loc[table["festival_day"].idxmax()]
    return _("January and February move with the Spring Festival: January's share of the two ran {low} to {high} over "
             "{first}-{last} ({early_share} with the festival on {early}, {late_share} with it on {late}); in {year} it "
             "falls on {date}, and the forecast splits the two months by that date.").format(
        low=fmt_pct(low), high=fmt_pct(high), first=int(table["year"].min()), last=int(table["year"].max()),
        early_share=fmt_pct(early["january_share"]), early=_day(early["spring_festival"]),
        late_share=fmt_pct(late["january_share"]), late=_day(late["spring_festival"]), year=plan_year, date=_day(day),
    )
