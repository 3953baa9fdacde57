"""Checkpoints due by the as-of date: met, missed or open."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import _, value_label
from planlib.tracking._common import (
    DIMENSIONS,
    DateLike,
    SEGMENT,
    TOTAL,
    TOTAL_SEGMENT,
    VACANT_REP,
    _DAY,
    _Lines,
    _TOL,
    _as_text,
    _month_end,
    _ratio,
    _to_timestamp,
)


_OWNER_TOTAL = {"total", "company", "team"}


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


def _period_end(period: str, where: str) -> pd.Timestamp:
    match = _PERIOD.match(str(period).strip())
    if not match:
        raise DataError(f"the checkpoints given to {where} have period {period!r}; expected "
                        f"'2025-03', '2025-Q1', '2025-H1' or '2025'", column="period")
    year = int(match.group(1))
    month = 12
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise DataError(f"the checkpoints given to {where} have period {period!r}; the month "
                            f"must be 01-12", column="period")
    elif match.group(3):
        month = 3 * int(match.group(3))
    elif match.group(4):
        month = 6 * int(match.group(4))
    return _month_end(pd.Timestamp(year, month, 1))


def check_checkpoints(
    checkpoints: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: DateLike,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Checkpoints met or missed at ``as_of``, per owner.

    A checkpoint is *due* when its period has ended on or before ``as_of``; it is
    ``"met"`` when the owner's actual from Jan 1 to the period end reaches its
    cumulative target, else ``"missed"``. A checkpoint not yet due is ``"open"`` and
    shows the actual to ``as_of``.

    Parameters
    ----------
    checkpoints : DataFrame
        ``owner_type, owner, period, cumulative_target`` and optionally
        ``share_of_annual``. ``owner_type`` is ``total`` (or ``company``, ``team``) or a
        dimension (``product_line, region, channel, customer_type, rep``); ``period`` is
        ``"2025-03"``, ``"2025-Q1"``, ``"2025-H1"`` or ``"2025"``.
    orders : DataFrame
        Canonical order lines of the plan year up to ``as_of``.
    as_of : date-like
        Last day of actuals.
    history : DataFrame, optional
        Earlier order lines; needed for ``customer_type`` owners.

    Returns
    -------
    DataFrame
        The checkpoint columns plus ``period_end, actual, gap, attainment, status``,
        sorted by period end, owner type and owner.
    """
    where = "check_checkpoints"
    require_frame(checkpoints, "checkpoints", where,
                   ["owner_type", "owner", "period", "cumulative_target"], allow_empty=True)
    asof = _to_timestamp(as_of, "as_of", where)
    table = checkpoints.copy()
    table["owner_type"] = table["owner_type"].astype(str)
    table["owner"] = table["owner"].astype(str)
    table["period"] = table["period"].astype(str)
    if "share_of_annual" not in table.columns:
        table["share_of_annual"] = np.nan
    unknown = sorted(set(table["owner_type"]) - _OWNER_TOTAL - set(DIMENSIONS[2:]))
    if unknown:
        raise DataError(f"the checkpoints given to {where} have owner_type {unknown[:5]}; expected "
                        f"'total' or one of {list(DIMENSIONS[2:])}", column="owner_type")
    table["period_end"] = pd.to_datetime([_period_end(p, where) for p in table["period"]]).to_numpy()
    target = pd.to_numeric(table["cumulative_target"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(target).all():
        rows = np.flatnonzero(~np.isfinite(target))[:5].tolist()
        raise DataError(f"the checkpoints given to {where} have non-numeric cumulative targets; "
                        f"rows {rows}", column="cumulative_target", rows=rows)
    if not pd.api.types.is_numeric_dtype(table["cumulative_target"]):
        table["cumulative_target"] = target
    actual = np.zeros(len(table))
    for year in sorted(set(table["period_end"].dt.year)):
        year_start = pd.Timestamp(year, 1, 1)
        lines = _Lines(orders, year_start, min(asof, pd.Timestamp(year, 12, 31)) + _DAY,
                       history=history, year_start=year_start, where=where)
        for owner_type in sorted(set(table["owner_type"])):
            dim = TOTAL if owner_type in _OWNER_TOTAL else owner_type
            rows = np.flatnonzero(((table["owner_type"] == owner_type)
                                   & (table["period_end"].dt.year == year)).to_numpy())
            if not len(rows):
                continue
            by_month = lines.actual_by_month(dim)
            for i in rows:
                seg = TOTAL_SEGMENT if dim == TOTAL else table["owner"].iloc[i]
                last = table["period_end"].iloc[i].month - 1
                hit = (by_month[SEGMENT] == seg) & (by_month["month_index"] <= last)
                actual[i] = math.fsum(by_month.loc[hit, "actual"])
    table["actual"] = actual
    table["gap"] = table["actual"].to_numpy() - target
    table["attainment"] = _ratio(table["actual"], target)
    due = (table["period_end"] <= asof).to_numpy()
    met = table["actual"].to_numpy() >= target - _TOL
    table["status"] = np.where(due, np.where(met, "met", "missed"), "open").astype(object)
    # a planned hire's seat (04's hiring plan) sells under the hire's own name once filled
    seat = ((table["owner_type"] == "rep") & table["owner"].astype(str).str.startswith(schema.HIRE_SEAT_PREFIX)).to_numpy()
    table.loc[seat & due & ~met, "status"] = "seat to fill"
    table = table.sort_values(["period_end", "owner_type", "owner"], kind="mergesort").reset_index(drop=True)
    front = ["owner_type", "owner", "period", "period_end", "cumulative_target", "share_of_annual",
             "actual", "gap", "attainment", "status"]
    table = _as_text(table[front + [c for c in table.columns if c not in front]],
                     ["owner_type", "owner", "period", "status"])
    table.attrs["as_of"] = asof
    return table


def summarize_checkpoints(checks: pd.DataFrame) -> str:
    """One-line takeaway of :func:`check_checkpoints`.

    Returns
    -------
    str
        e.g. ``"3 of 4 checkpoints due are met; missed: rep Li 2025-Q1 (91.0% of 300K)."``
    """
    due = checks[checks["status"] != "open"]
    if due.empty:
        return _("No checkpoint due yet ({count} open).").format(count=len(checks))
    met = int((due["status"] == "met").sum())
    if len(due) > 1:
        text = _("{met} of {due} checkpoints due is met") if met == 1 else _("{met} of {due} checkpoints due are met")
    else:
        text = _("{met} of {due} checkpoint due is met") if met == 1 else _("{met} of {due} checkpoint due are met")
    text = text.format(met=met, due=len(due))
    missed = due[due["status"] == "missed"].sort_values("attainment", kind="mergesort")
    vacant = missed[missed["owner"].astype(str) == VACANT_REP]
    missed = missed[missed["owner"].astype(str) != VACANT_REP]
    if not missed.empty:
        shown = [_("{owner_type} {owner} {period} ({attainment} of {target})").format(
                     owner_type=str(value_label("owner_type", r.owner_type)).replace("_", " "), owner=r.owner, period=r.period,
                     attainment=fmt_pct(r.attainment), target=fmt_money(r.cumulative_target))
                 for r in missed.head(3).itertuples()]
        more = _(" and {count} more").format(count=len(missed) - 3) if len(missed) > 3 else ""
        text += _("; missed: {shown}{more}").format(shown=_(", ").join(shown), more=more)
    if not vacant.empty:
        text += _("; {count} more belong to a vacant seat (no rep to hold them)").format(count=len(vacant))
    seats = due[due["status"] == "seat to fill"]
    if not seats.empty:
        text += _("; {count} belong to planned hire seats not yet selling ({quota} of quota due; see the hiring plan)").format(
            count=len(seats), quota=fmt_money(seats.groupby("owner")["cumulative_target"].max().sum()))
    return text + _(".")
