"""Rep quotas from each rep's own book: what their accounts and territory are expected to bring.

A rep's book is forecast from their own recent sales (level, damped trend, seasonal
shape), with ramp-up for new hires and time in seat for movers and leavers; house sales
(orders no rep sold) form their own line. Each region's month targets are then shared by
the books in it, exactly, so quotas follow the book and the region still adds up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import round_preserving_total, round_table_preserving_margins
from planlib.checks import require_frame, require_number
from planlib.errors import DataError, ParamsError
from planlib.targets._common import MONTH, TARGET, VACANT_REP, _numeric
from planlib.targets.reps import _monthly_presence

HOUSE = "(house)"  # sales no rep sold (web shop, house accounts): its own line, never a rep's quota
NO_REP = "(none)"  # how the intake labels an order line without a rep (planlib.data.MISSING_LABEL)
BOOK = "book"
MIN_MONTHS = 3  # months in seat in the last year before a rep's own run rate is trusted
BOOK_COLUMNS = [schema.REP, schema.REGION, MONTH, BOOK, "presence"]


def _monthly(orders: pd.DataFrame, keys: list[str], start: pd.Timestamp, months: int) -> pd.DataFrame:
    """Revenue per key and month over ``months`` months from ``start`` (0 where nothing sold)."""
    index = pd.date_range(start, periods=months, freq="MS")
    when = orders[schema.ORDER_DATE].dt.to_period("M").dt.to_timestamp()
    inside = (when >= index[0]) & (when <= index[-1])
    sold = orders.loc[inside].assign(_m=when[inside])
    table = sold.groupby([*keys, "_m"], observed=True)[schema.REVENUE].sum().unstack("_m")
    return table.reindex(columns=index).fillna(0.0)


def _book_year(history: np.ndarray, in_seat: np.ndarray, *, trend_cap: float, recent_weight: float = 2.0) -> float:
    """Expected annual revenue of one book: a run rate over two years times a damped trend.

    ``history`` and ``in_seat`` are the 24 months before the plan year; ``in_seat`` is
    the productive share of each month (0 before hire, the ramp after it), so the run
    rate is revenue per productive month: a rep hired in the autumn is annualised from
    what they sold while ramping, as if at full speed. The last 12 months weigh
    ``recent_weight`` times the 12 before. The trend is the square root of the last
    year's rate over the year before's (both with at least 6 productive months), capped
    to ``1/trend_cap..trend_cap``.
    """
    last, prev = history[12:], history[:12]
    seat_last, seat_prev = in_seat[12:].sum(), in_seat[:12].sum()
    if seat_last <= 0:
        return float("nan")
    rate_last = last.sum() / seat_last
    rate_prev = prev.sum() / seat_prev if seat_prev > 0 else rate_last
    weight_prev = seat_prev / 12
    rate = 12 * (recent_weight * rate_last + weight_prev * rate_prev) / (recent_weight + weight_prev)
    if seat_last >= 6 and seat_prev >= 6 and prev.sum() > 0 and last.sum() > 0:
        rate *= float(np.clip(np.sqrt(rate_last / rate_prev), 1 / trend_cap, trend_cap))
    return float(rate)


def _seat_history(hire: pd.Timestamp | None, leave: pd.Timestamp | None, months: pd.DatetimeIndex, ramp_months: int) -> np.ndarray:
    """Productive share of each history month: 0 outside the seat, the linear ramp after hire."""
    out = np.zeros(len(months))
    for i, m in enumerate(months):
        if (hire is not None and hire > m + pd.offsets.MonthEnd(0)) or (leave is not None and leave < m):
            continue
        k = (m.year - hire.year) * 12 + (m.month - hire.month) + 1 if hire is not None else ramp_months
        out[i] = min(1.0, max(k, 1) / ramp_months) if ramp_months > 0 else 1.0
    return out


def _shape(history: np.ndarray, fallback: np.ndarray, own_weight: float) -> np.ndarray:
    """Month-of-year shares: the book's own (two years folded) blended with ``fallback``."""
    folded = history.reshape(2, 12).sum(axis=0)
    own = folded / folded.sum() if folded.sum() > 0 else fallback
    blend = own_weight * own + (1 - own_weight) * fallback
    return blend / blend.sum()


def forecast_rep_books(
    orders: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    plan_year: int,
    ramp_months: int = 6,
    own_shape_weight: float = 0.5,
    trend_cap: float = 1.5,
    recent_weight: float = 2.0,
) -> pd.DataFrame:
    """Expected revenue of each rep's book (and each region's house sales) per plan-year month.

    Parameters
    ----------
    orders : DataFrame
        Order lines with ``order_date, revenue, region, rep``; lines without a rep carry
        ``"(none)"`` (the intake's label) and form the ``"(house)"`` book of their region.
    reps : DataFrame
        ``rep, region`` and optionally ``hire_date, leave_date``.
    plan_year : int
        The calendar year planned; the two years before it are the history.
    ramp_months : int, default 6
        Months to full productivity after hire.
    own_shape_weight : float, default 0.5
        Weight (0-1) of a book's own seasonal shape against its region's.
    trend_cap : float, default 1.5
        Largest yearly trend factor (and its inverse the smallest) a book may carry.
    recent_weight : float, default 2.0
        Weight of the last 12 months' run rate against the 12 before (weight 1).

    Returns
    -------
    DataFrame
        ``rep, region, month, book, presence``: one row per book and month; a rep with no
        history yet (hired late or in the plan year) is given the median full-year book
        of the region's reps (of all reps if the region has none) times the ramp.
    """
    where = "forecast_rep_books"
    require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE, schema.REGION, schema.REP])
    require_frame(reps, "reps", where, [schema.REP, schema.REGION])
    w = require_number(own_shape_weight, "own_shape_weight", where, low=0.0, high=1.0)
    cap = require_number(trend_cap, "trend_cap", where, low=1.0)
    recent = require_number(recent_weight, "recent_weight", where, low=0.0, low_open=True)
    if isinstance(ramp_months, bool) or not isinstance(ramp_months, (int, np.integer)) or ramp_months < 0:
        raise ParamsError(f"the 'ramp_months' parameter of {where} must be a non-negative integer; got {ramp_months!r}",
                          key="ramp_months")
    lines = orders.assign(**{schema.REP: orders[schema.REP].astype(str), schema.REGION: orders[schema.REGION].astype(str),
                             schema.ORDER_DATE: pd.to_datetime(orders[schema.ORDER_DATE])})
    start = pd.Timestamp(plan_year - 2, 1, 1)
    sold = lines.loc[lines[schema.REP] != NO_REP]
    by_pair = _monthly(sold, [schema.REP, schema.REGION], start, 24)
    house = _monthly(lines.loc[lines[schema.REP] == NO_REP], [schema.REGION], start, 24)
    region_hist = _monthly(sold, [schema.REGION], start, 24)
    flat = np.full(12, 1 / 12)
    total_hist = region_hist.sum(axis=0).to_numpy()
    company_shape = _shape(total_hist, flat, 1.0) if total_hist.sum() > 0 else flat
    months = pd.date_range(f"{plan_year}-01-01", periods=12, freq="MS")
    hist_months = pd.date_range(start, periods=24, freq="MS")
    hires = pd.to_datetime(reps[schema.REP_HIRE_DATE]) if schema.REP_HIRE_DATE in reps else pd.Series(pd.NaT, index=reps.index)
    leaves = pd.to_datetime(reps[schema.REP_LEAVE_DATE]) if schema.REP_LEAVE_DATE in reps else pd.Series(pd.NaT, index=reps.index)
    rows: list[dict] = []
    for rep, home, hire, leave in zip(reps[schema.REP].astype(str), reps[schema.REGION].astype(str), hires, leaves):
        h = None if pd.isna(hire) else pd.Timestamp(hire).normalize()
        lv = None if pd.isna(leave) else pd.Timestamp(leave).normalize()
        seat = _seat_history(h, lv, hist_months, ramp_months)
        _, presence = _monthly_presence(h, lv, plan_year, ramp_months)
        pairs = by_pair.loc[rep] if rep in by_pair.index.get_level_values(0) else pd.DataFrame(columns=hist_months)
        pairs = pairs.loc[pairs.iloc[:, 12:].sum(axis=1) > 0]  # territories worked in the last year
        for region in (list(pairs.index) or [home]):
            history = pairs.loc[region].to_numpy(dtype=float) if region in pairs.index else np.zeros(24)
            region_shape = company_shape
            if region in region_hist.index:  # a region's own shape counts as far as it has months of sales
                sales = region_hist.loc[region].to_numpy()
                region_shape = _shape(sales, company_shape, (sales > 0).sum() / 24)
            year = _book_year(history, seat, trend_cap=cap, recent_weight=recent) if history.sum() > 0 and seat[12:].sum() >= MIN_MONTHS else float("nan")
            shape = _shape(history, region_shape, w * min(1.0, seat.sum() / 24)) if history.sum() > 0 else region_shape
            rows.append({schema.REP: rep, "home": home, schema.REGION: region, "year": year, "shape": shape,
                         "presence": presence})
    books = pd.DataFrame([{schema.REP: r[schema.REP], "home": r["home"], "year": r["year"]} for r in rows])
    known = books.loc[books["year"] > 0].groupby([schema.REP, "home"])["year"].sum().reset_index()
    everyone = float(known["year"].median()) if len(known) else 0.0
    out = []
    for r in rows:
        year = r["year"]
        if not np.isfinite(year) or year <= 0:  # no history of their own yet: a typical full book of the region
            peers = known.loc[known["home"] == r["home"], "year"]
            year = float(peers.median()) if len(peers) else everyone
        out.append(pd.DataFrame({schema.REP: r[schema.REP], schema.REGION: r[schema.REGION], MONTH: months,
                                 BOOK: year * r["shape"] * r["presence"], "presence": r["presence"]}))
    for region in house.index:
        history = house.loc[region].to_numpy()
        year = _book_year(history, np.ones(24), trend_cap=cap)
        out.append(pd.DataFrame({schema.REP: HOUSE, schema.REGION: region, MONTH: months,
                                 BOOK: year * _shape(history, company_shape, 1.0), "presence": 0.0}))
    if not out:
        return pd.DataFrame(columns=BOOK_COLUMNS)
    books = pd.concat(out, ignore_index=True)
    return books.sort_values([schema.REGION, schema.REP, MONTH], kind="mergesort").reset_index(drop=True)[BOOK_COLUMNS]


def allocate_quotas_from_books(region_months: pd.DataFrame, books: pd.DataFrame, *, unit: int = 1) -> pd.DataFrame:
    """Share each region's month targets over the books in it, exactly.

    Parameters
    ----------
    region_months : DataFrame
        ``region, month, target`` (e.g. the region x month sums of the target cube).
    books : DataFrame
        From :func:`forecast_rep_books` (``rep, region, month, book``).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``rep, region, month, book, target``: each region-month's units add up to its
        target and each unit's year to its largest-remainder share of the region's year;
        a region-month no book covers goes to ``"(vacant)"``.
    """
    where = "allocate_quotas_from_books"
    require_frame(region_months, "region_months", where, [schema.REGION, MONTH, TARGET])
    require_frame(books, "books", where, [schema.REP, schema.REGION, MONTH, BOOK])
    targets = region_months.assign(**{schema.REGION: region_months[schema.REGION].astype(str),
                                      MONTH: pd.to_datetime(region_months[MONTH])})
    targets[TARGET] = _numeric(targets, TARGET, "region_months", where)
    book = books.assign(**{schema.REGION: books[schema.REGION].astype(str), schema.REP: books[schema.REP].astype(str),
                           MONTH: pd.to_datetime(books[MONTH])})
    book[BOOK] = _numeric(book, BOOK, "books", where)
    stray = sorted(set(book[schema.REGION]) - set(targets[schema.REGION]))
    if stray:
        raise DataError(f"the books given to {where} sit in region(s) {stray[:5]} that have no target",
                        column=schema.REGION)
    parts = []
    for region, months in targets.groupby(schema.REGION, sort=True):
        months = months.groupby(MONTH)[TARGET].sum()
        grid = (book.loc[book[schema.REGION] == region].pivot_table(index=schema.REP, columns=MONTH, values=BOOK, aggfunc="sum")
                .reindex(columns=months.index).fillna(0.0))
        covered = grid.sum(axis=0)
        if (covered <= 0).any() and (months[covered.index[covered <= 0]] != 0).any():
            grid.loc[VACANT_REP] = (covered <= 0).astype(float)
        grid = grid.sort_index()
        share = grid / grid.sum(axis=0).replace(0.0, np.nan)
        fitted = share.fillna(0.0) * months.to_numpy()[None, :]
        totals = round_preserving_total(fitted.sum(axis=1).to_numpy(), total=float(months.sum()), unit=unit)
        long = fitted.stack().rename("value").reset_index()
        long.columns = [schema.REP, MONTH, "value"]
        rounded = round_table_preserving_margins(
            long, dims=[schema.REP, MONTH],
            margins={schema.REP: pd.Series(totals.to_numpy(), index=fitted.index), MONTH: months}, unit=unit)
        rounded = rounded.merge(grid.stack().rename(BOOK).reset_index().set_axis([schema.REP, MONTH, BOOK], axis=1),
                                on=[schema.REP, MONTH], how="left")
        parts.append(rounded.rename(columns={"value": TARGET}).assign(**{schema.REGION: region}))
    out = pd.concat(parts, ignore_index=True)
    out.loc[out[schema.REP] == VACANT_REP, BOOK] = 0.0
    out[TARGET] = out[TARGET].round().astype("int64")
    return out[[schema.REP, schema.REGION, MONTH, BOOK, TARGET]].sort_values(
        [schema.REGION, schema.REP, MONTH], kind="mergesort").reset_index(drop=True)


def summarize_rep_quotas(rep_months: pd.DataFrame, seats: pd.DataFrame, *, last_year: pd.Series | None = None) -> pd.DataFrame:
    """One row per rep (and the house and vacant lines): the year's quota beside its book.

    Parameters
    ----------
    rep_months : DataFrame
        From :func:`allocate_quotas_from_books`.
    seats : DataFrame
        From :func:`planlib.targets.allocate_to_reps` (``rep, region, status, capacity,
        months_present, effective_months``): time in seat and capacity, kept as a check.
    last_year : Series, optional
        Revenue per rep in the year before the plan year.

    Returns
    -------
    DataFrame
        ``rep, region, status, capacity, months_present, effective_months, weight, share,
        target, book, last_year, growth_vs_last_year, quota_to_book``; ``weight`` is the
        book, ``share`` the rep's share of the company target; ``region`` is the rep's
        home region (``"(several)"`` for the house or vacant lines spanning regions).
    """
    where = "summarize_rep_quotas"
    require_frame(rep_months, "rep_months", where, [schema.REP, schema.REGION, BOOK, TARGET])
    require_frame(seats, "seats", where, [schema.REP, schema.REGION, "status", "capacity", "months_present", "effective_months"])
    year = rep_months.groupby(schema.REP, sort=True).agg(book=(BOOK, "sum"), target=(TARGET, "sum"),
                                                         regions=(schema.REGION, lambda s: sorted(set(s))))
    seat = seats.loc[seats[schema.REP] != VACANT_REP].set_index(schema.REP)
    out = year.reset_index()
    home = out[schema.REP].map(seat[schema.REGION])
    out[schema.REGION] = home.fillna(out["regions"].map(lambda r: r[0] if len(r) == 1 else "(several)"))
    special = {HOUSE: "house", VACANT_REP: "vacant"}
    out["status"] = out[schema.REP].map(seat["status"]).fillna(out[schema.REP].map(special)).fillna("active")
    for column in ("capacity", "months_present", "effective_months"):
        out[column] = out[schema.REP].map(seat[column]).fillna(0.0).astype(float)
    out["weight"] = out[BOOK]
    total = float(out[TARGET].sum())
    out["share"] = out[TARGET] / total if total else 0.0
    out["last_year"] = out[schema.REP].map(last_year).astype(float) if last_year is not None else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth_vs_last_year"] = np.where(out["last_year"] > 0, out[TARGET] / out["last_year"] - 1, np.nan)
        out["quota_to_book"] = np.where(out[BOOK] > 0, out[TARGET] / out[BOOK], np.nan)
    out[TARGET] = out[TARGET].astype("int64")
    rank = out["status"].map({"house": 1, "vacant": 2}).fillna(0)
    out = out.assign(_rank=rank).sort_values(["_rank", schema.REGION, schema.REP], kind="mergesort").drop(columns=["_rank", "regions"])
    return out[[schema.REP, schema.REGION, "status", "capacity", "months_present", "effective_months", "weight", "share",
                TARGET, BOOK, "last_year", "growth_vs_last_year", "quota_to_book"]].reset_index(drop=True)
