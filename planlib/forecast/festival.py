"""Spring Festival: a forecast's January/February split follows the festival's date.

The lunar new year falls between 21 January and 20 February. The weeks around it are
quiet (and the weeks before busy with stocking), so how a year's January + February
revenue splits between the two months moves with the festival, while seasonal models
average the split of past years whatever the dates. The method (stated in the forecast
warnings and in 01): for each series, its January share of January + February in each
history year is regressed on the festival's day of the year,

    share(series, year) = mean share(series) + slope x (day(year) - mean day(series)),

with one slope pooled across the series (within-series least squares weighted by their
January + February revenue, so small noisy segments do not steer it), and each forecast
year's January + February is re-split by the share its festival date gives. The two
months' sum is kept, so year totals and the annual target do not move. The backtest fits
the slope on each origin's training months only, so its accuracy is out of sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib.calendars import festival_day, has_spring_festival, spring_festival
from planlib.i18n import _, get_language

MIN_YEARS = 3  # history years (with both months) the pooled slope needs
SHARE_BOUNDS = (0.05, 0.95)  # a re-split never gives either month less than 5% of the two


@dataclass(frozen=True)
class FestivalShift:
    """The fitted re-split: pooled slope per festival day and each series' mean share and day."""

    slope: float  # change of January's share per day the festival falls later
    mean_share: dict[str, float]
    mean_day: dict[str, float]
    n_years: int  # distinct history years behind the slope

    @property
    def active(self) -> bool:
        return self.n_years >= MIN_YEARS and np.isfinite(self.slope)

    def share(self, uid: str, year: int) -> float | None:
        """January's share of January + February for ``uid`` in ``year`` (None: leave the model's split)."""
        if not self.active or uid not in self.mean_share or not has_spring_festival(year):
            return None
        value = self.mean_share[uid] + self.slope * (festival_day(year) - self.mean_day[uid])
        return float(np.clip(value, *SHARE_BOUNDS))


def january_shares(y: np.ndarray, first_month: pd.Timestamp) -> pd.DataFrame:
    """``year, share, weight, day`` of every year in ``y`` (monthly, from ``first_month``) with January + February > 0."""
    months = pd.date_range(first_month, periods=len(y), freq="MS")
    rows = []
    for year in sorted(set(months.year)):
        jan = np.flatnonzero((months.year == year) & (months.month == 1))
        feb = np.flatnonzero((months.year == year) & (months.month == 2))
        if len(jan) and len(feb) and has_spring_festival(year):
            a, b = float(y[jan[0]]), float(y[feb[0]])
            if a >= 0 and b >= 0 and a + b > 0:
                rows.append({"year": year, "share": a / (a + b), "weight": a + b, "day": festival_day(year)})
    return pd.DataFrame(rows, columns=["year", "share", "weight", "day"])


def fit_festival_shift(ys: dict[str, np.ndarray], last_month: pd.Timestamp) -> FestivalShift:
    """Pooled slope and per-series means from series that all end at ``last_month``."""
    num = den = 0.0
    mean_share: dict[str, float] = {}
    mean_day: dict[str, float] = {}
    years: set[int] = set()
    for uid, y in ys.items():
        if len(y) == 0:
            continue
        table = january_shares(np.asarray(y, float), last_month - pd.DateOffset(months=len(y) - 1))
        if len(table) < 2:
            continue
        w = table["weight"].to_numpy()
        x = table["day"].to_numpy(float)
        s = table["share"].to_numpy()
        mx, ms = float(np.average(x, weights=w)), float(np.average(s, weights=w))
        mean_share[uid], mean_day[uid] = ms, mx
        num += float(np.sum(w * (x - mx) * (s - ms)))
        den += float(np.sum(w * (x - mx) ** 2))
        years.update(table["year"].tolist())
    slope = num / den if den > 0 else float("nan")
    return FestivalShift(slope=slope, mean_share=mean_share, mean_day=mean_day, n_years=len(years) if den > 0 else 0)


def resplit(values: np.ndarray, ids: list[str], first_month: pd.Timestamp, shift: FestivalShift) -> np.ndarray:
    """``values`` (series, month[, path]) from ``first_month`` with every January/February pair re-split.

    Each pair's sum is kept (per path where there are paths); a pair whose sum is not
    positive, or a series without a fitted share, keeps the model's split.
    """
    out = np.array(values, dtype=float, copy=True)
    if not shift.active:
        return out
    months = pd.date_range(first_month, periods=out.shape[1], freq="MS")
    for year in sorted(set(months.year)):
        jan = np.flatnonzero((months.year == year) & (months.month == 1))
        feb = np.flatnonzero((months.year == year) & (months.month == 2))
        if not (len(jan) and len(feb)):
            continue
        for i, uid in enumerate(ids):
            share = shift.share(uid, year)
            if share is None:
                continue
            pair = out[i, jan[0]] + out[i, feb[0]]
            positive = pair > 0
            out[i, jan[0]] = np.where(positive, share * pair, out[i, jan[0]])
            out[i, feb[0]] = np.where(positive, pair - share * pair, out[i, feb[0]])
    return out


def describe(shift: FestivalShift, plan_year: int) -> str:
    """One line for the forecast warnings: what the re-split did for the plan year."""
    if not shift.active:
        return _("Spring Festival: January/February left to the models ({years} history years with both months; "
                 "the re-split needs {needed})").format(years=shift.n_years, needed=MIN_YEARS)
    day = spring_festival(plan_year)
    date = f"{day:%d %b %Y}" if get_language() == "en" else f"{day.year}年{day.month}月{day.day}日"
    return _("Spring Festival: January/February re-split by the festival date ({date}); January's share moves "
             "{slope} points per day the festival falls later (pooled over {series} series, {years} years); "
             "the two months' sum is the models'").format(date=date, slope=f"{shift.slope * 100:+.2f}", series=len(shift.mean_share),
                                                          years=shift.n_years)
