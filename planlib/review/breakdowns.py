"""Breakdowns of revenue by product line, region, channel, rep (or a side-table attribute), with their takeaway."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.formatting import fmt_money, fmt_pct
from planlib.i18n import _, header
from planlib.review._common import NONE_LABEL, DateLike, _growth, _labels, _ratio, _require, _sum_by
from planlib.review.window import resolve_window
from planlib.schema import (
    LAUNCH_DATE,
    ORDER_DATE,
    REGION,
    REP_CAPACITY,
    REP_HIRE_DATE,
    REP_LEAVE_DATE,
    REVENUE,
    ROLE,
    SEGMENT_DIMENSIONS,
    STAGE,
)

def break_down(
    lines: pd.DataFrame,
    *,
    by: str,
    year: int | None = None,
    as_of: DateLike | None = None,
    side_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Revenue, share, growth, margin and contribution to growth of each value of a dimension.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    by : str
        A dimension column of ``lines`` (``product_line``, ``region``, ``channel``,
        ``rep``, ``product``...) or a column of ``side_table`` (``role``, ``stage``),
        in which case the lines are grouped by that attribute.
    year, as_of
        Review period (see ``resolve_window``).
    side_table : DataFrame, optional
        A side table keyed by one dimension column (product_lines, regions, channels,
        reps); its descriptive columns (``role, stage, launch_date, region, hire_date,
        leave_date, capacity``, whichever it has) are joined in, e.g. ``role`` next to
        each product line. Dimension values missing from it show ``(none)``.

    Returns
    -------
    DataFrame
        One row per value seen in either period, largest revenue first: ``<by>``, the
        side-table columns, ``revenue, revenue_previous, change, growth, share,
        share_previous, share_change, contribution, growth_share`` and, with cost,
        ``gross_profit, gross_margin, gross_margin_previous``. ``contribution`` is the
        change over last year's total revenue, so it sums to the total growth;
        ``growth_share`` is the change over the total change ("carried 41% of the
        growth"); ``growth`` is NaN for a value with no sales last year. All previous-year
        columns are NaN when the data does not cover the comparison year from its first week.
    """
    _require(lines, (ORDER_DATE, REVENUE), "break_down")
    key, attribute = _breakdown_key(lines, by, side_table)
    window = resolve_window(lines, year=year, as_of=as_of)
    prev = window.previous
    current = _sum_by(lines, key, window.start, window.stop)
    previous = _sum_by(lines, key, prev.start, prev.stop)
    table = current.join(previous.add_suffix("_previous"), how="outer").fillna(0.0)
    table.index = _labels(table.index)
    table = table.groupby(level=0).sum()  # "(none)" from NaN and from the loader's label
    side = None
    if side_table is not None:
        side = side_table.copy()
        side[key] = _labels(pd.Index(side[key])).to_numpy()
        side = side.set_index(key)
    if attribute is not None:
        groups = _labels(pd.Index(table.index.map(side[attribute]))) if side is not None else table.index
        table = table.groupby(groups).sum()
    table.index.name = by

    if not prev.covered:  # a comparison year the data only partly covers is not compared
        table[[c for c in table.columns if c.endswith("_previous")]] = np.nan
    total, total_prev = table["revenue"].sum(), table["revenue_previous"].sum(min_count=1)
    out = pd.DataFrame(index=table.index)
    out["revenue"] = table["revenue"]
    out["revenue_previous"] = table["revenue_previous"]
    out["change"] = out["revenue"] - out["revenue_previous"]
    out["growth"] = _growth(out["revenue"], out["revenue_previous"])
    out["share"] = _ratio(out["revenue"], total)
    out["share_previous"] = _ratio(out["revenue_previous"], total_prev) if total_prev != 0 else np.nan
    out["share_change"] = out["share"] - out["share_previous"]
    out["contribution"] = out["change"] / total_prev if total_prev > 0 else np.nan
    total_change = out["change"].sum(min_count=1)
    out["growth_share"] = out["change"] / total_change if total_change != 0 else np.nan
    if "gross_profit" in table.columns:
        out["gross_profit"] = table["gross_profit"]
        out["gross_margin"] = np.where(table["costed"] > 0, _ratio(table["gross_profit"], table["costed"]), np.nan)
        out["gross_margin_previous"] = np.where(
            table["costed_previous"] > 0, _ratio(table["gross_profit_previous"], table["costed_previous"]), np.nan
        )
    out = out.reset_index()
    if side is not None and attribute is None:
        extra = side[[c for c in _SIDE_ATTRIBUTES if c in side.columns and c not in out.columns]]
        out = out.merge(extra, left_on=by, right_index=True, how="left")
        out = out[[by, *extra.columns, *[c for c in out.columns if c != by and c not in extra.columns]]]
        for column in extra.columns:
            if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
                out[column] = out[column].fillna(NONE_LABEL)
    out = out.sort_values(["revenue", by], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out


_SIDE_ATTRIBUTES = (ROLE, STAGE, LAUNCH_DATE, REGION, REP_HIRE_DATE, REP_LEAVE_DATE, REP_CAPACITY)


def _breakdown_key(lines: pd.DataFrame, by: str, side_table: pd.DataFrame | None) -> tuple[str, str | None]:
    """The line column to group on and, when ``by`` is a side-table attribute, that attribute."""
    if side_table is not None:
        keys = [c for c in side_table.columns if c in lines.columns and c in (*SEGMENT_DIMENSIONS, "product")]
        if not keys:
            raise DataError(
                f"break_down: the side table needs one of the columns {', '.join(SEGMENT_DIMENSIONS)}; "
                f"it has {', '.join(map(str, side_table.columns))}",
                column=by,
            )
        key = by if by in keys else keys[0]
        if side_table[key].duplicated().any():
            dupes = side_table.loc[side_table[key].duplicated(), key].astype(str).unique()[:5]
            raise DataError(f"break_down: the side table lists {key} more than once: {', '.join(dupes)}", column=key)
        if by in lines.columns:
            return by, None
        if by in side_table.columns:
            return key, by
    if by not in lines.columns:
        raise DataError(
            f"break_down: 'by' must be a column of the order lines or of the side table; got '{by}'", column=by
        )
    return by, None


def summarize_breakdown(table: pd.DataFrame) -> str:
    """One-line takeaway of ``break_down``: the largest value, the fastest grower and the growth carrier."""
    if table.empty:
        return _("No sales in either period.")
    by = table.columns[0]
    name = header(by)
    top = table.iloc[0]
    text = _("{top} is the largest {name} with {share} of revenue").format(top=top[by], name=name, share=fmt_pct(top["share"], digits=0))
    if np.isfinite(top["share_change"]):
        text += _(" ({points} pts)").format(points=f"{top['share_change'] * 100:+.1f}")
    growing = table[np.isfinite(table["growth"]) & (table["revenue_previous"] > 0.01 * table["revenue_previous"].sum())]
    if len(growing) > 1:
        fastest = growing.loc[growing["growth"].idxmax()]
        text += _("; fastest growth {name} {growth}").format(name=fastest[by], growth=fmt_pct(fastest["growth"], signed=True, digits=0))
    fresh = table[(table["revenue_previous"] == 0) & (table["revenue"] > 0)]
    if len(fresh):
        text += (_("; {count} {name}s without sales last year ({revenue})") if len(fresh) > 1 else
                 _("; {count} {name} without sales last year ({revenue})")).format(count=len(fresh), name=name, revenue=fmt_money(fresh["revenue"].sum()))
    carrier = _top_carrier(table)
    if carrier is not None:
        text += _("; {clause}").format(clause=carrier)
    return text + _(".")


def _top_carrier(breakdown: pd.DataFrame) -> str | None:
    """``"East China carried 41% of the growth"`` (or of the decline)."""
    total_change = breakdown["change"].sum()
    if not np.isfinite(total_change) or total_change == 0:
        return None
    by = breakdown.columns[0]
    row = breakdown.loc[(breakdown["change"] * np.sign(total_change)).idxmax()]
    text = _("{name} carried {share} of the growth") if total_change > 0 else _("{name} carried {share} of the decline")
    return text.format(name=row[by], share=fmt_pct(row["growth_share"], digits=0))
