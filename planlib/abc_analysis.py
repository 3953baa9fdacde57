"""Review of the past year: ABC (Pareto) classes of customers or products and how customers moved.

A is the group of largest entities carrying the first ``thresholds[0]`` of revenue,
B the next ``thresholds[1]``, C the rest (see ``classify_abc`` for the exact rule).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from planlib.errors import ParamsError
from planlib.formatting import fmt_count, fmt_pct
from planlib.review import (
    DateLike,
    _labels,
    _mask,
    _ratio,
    _require,
    resolve_window,
)
from planlib.schema import CUSTOMER_ID, ORDER_DATE, REVENUE
from planlib.i18n import _, header

CLASSES: tuple[str, ...] = ("A", "B", "C")
DEFAULT_THRESHOLDS: tuple[float, float, float] = (0.80, 0.15, 0.05)


def _check_thresholds(thresholds, where: str) -> tuple[float, float, float]:
    values = tuple(float(t) for t in thresholds)
    if len(values) != 3 or any(not np.isfinite(t) or t <= 0 for t in values) or not np.isclose(sum(values), 1.0):
        raise ParamsError(
            f"the 'thresholds' parameter of {where} must be three positive revenue shares (A, B, C) summing to 1; "
            f"got {tuple(thresholds)} instead",
            key="thresholds",
        )
    return values


def _rank_classes(revenue: pd.Series, thresholds: tuple[float, float, float]) -> pd.DataFrame:
    """Pareto table of one period's revenue by entity (index = entity label)."""
    name = revenue.index.name
    frame = pd.DataFrame({name: revenue.index.to_numpy(), "revenue": revenue.to_numpy(dtype=float)})
    frame = frame.sort_values(["revenue", name], ascending=[False, True], kind="stable").reset_index(drop=True)
    positive = frame["revenue"].clip(lower=0.0)
    positive_total = positive.sum()
    total = frame["revenue"].sum()
    running = positive.cumsum()
    if positive_total > 0:
        cumulative = running / positive_total
        before = (running - positive) / positive_total  # share of the entities ranked above
    else:
        cumulative = before = pd.Series(np.nan, index=frame.index)
    a_cut, b_cut = thresholds[0], thresholds[0] + thresholds[1]
    tol = 1e-12
    klass = np.where(before < a_cut - tol, "A", np.where(before < b_cut - tol, "B", "C"))
    klass = np.where(frame["revenue"].to_numpy() > 0, klass, "C")
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame["share"] = _ratio(frame["revenue"], total) if total != 0 else np.nan
    frame["cumulative_share"] = cumulative.to_numpy()
    frame["abc_class"] = klass
    frame["net_negative"] = frame["revenue"].to_numpy() < 0
    return frame


def classify_abc(
    lines: pd.DataFrame,
    *,
    by: str = CUSTOMER_ID,
    year: int | None = None,
    as_of: DateLike | None = None,
    thresholds: tuple[float, float, float] = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """ABC classes of customers (or products, product lines...) by net revenue in the review period.

    Entities are ranked by net revenue (ties by name). An entity is **A** while the
    cumulative share of the entities ranked *above* it is below ``thresholds[0]`` (so
    the entity crossing 80% is still A and a single dominant customer is A), **B**
    while it is below ``thresholds[0] + thresholds[1]``, else **C**.

    Returns exceeding sales: cumulative shares are taken over the positive revenues
    only, so a customer whose returns outweigh its purchases (net revenue <= 0) does
    not move the A/B cut points; it is ranked last, classed **C** (it keeps a service
    level in the action plan) and flagged ``net_negative``. Its ``share`` is negative.

    Parameters
    ----------
    lines : DataFrame
        Canonical order lines.
    by : str, default "customer_id"
        The entity column (``customer_id``, ``product``, ``product_line``...).
    year, as_of
        Review period (see ``planlib.review.resolve_window``).
    thresholds : tuple of 3 floats, default (0.80, 0.15, 0.05)
        Revenue shares of A, B and C; they must sum to 1.

    Returns
    -------
    DataFrame
        One row per entity with lines in the period, largest first: ``<by>, revenue,
        rank, share`` (of net total revenue), ``cumulative_share`` (of positive revenue,
        the Pareto curve), ``abc_class, net_negative``.
    """
    thresholds = _check_thresholds(thresholds, "classify_abc")
    _require(lines, (ORDER_DATE, REVENUE, by), "classify_abc")
    window = resolve_window(lines, year=year, as_of=as_of)
    return _rank_classes(_revenue_by(lines, by, window.start, window.stop), thresholds)


def _revenue_by(lines: pd.DataFrame, by: str, start, stop) -> pd.Series:
    pick = _mask(lines[ORDER_DATE], start, stop)
    revenue = lines.loc[pick, [by, REVENUE]].groupby(by, observed=True)[REVENUE].sum()
    revenue.index = _labels(revenue.index)
    if not revenue.index.is_unique:  # NaN and the loader's "(none)" label are one group
        revenue = revenue.groupby(level=0).sum()
    revenue.index.name = by
    return revenue


def tabulate_abc(classes: pd.DataFrame) -> pd.DataFrame:
    """Counts and revenue of each class of a ``classify_abc`` table.

    Returns
    -------
    DataFrame
        Rows A, B, C: ``abc_class, entities, entity_share, revenue, revenue_share``
        (of net total), ``revenue_per_entity, net_negative`` (entities with returns
        above sales).
    """
    grouped = classes.groupby("abc_class").agg(
        entities=("revenue", "size"), revenue=("revenue", "sum"), net_negative=("net_negative", "sum")
    )
    table = grouped.reindex(list(CLASSES)).fillna(0.0)
    table["entities"] = table["entities"].astype("int64")
    table["net_negative"] = table["net_negative"].astype("int64")
    table["entity_share"] = _ratio(table["entities"], table["entities"].sum())
    table["revenue_share"] = _ratio(table["revenue"], table["revenue"].sum())
    table["revenue_per_entity"] = _ratio(table["revenue"], table["entities"])
    table.index.name = "abc_class"
    return table.reset_index()[["abc_class", "entities", "entity_share", "revenue", "revenue_share", "revenue_per_entity", "net_negative"]]


def summarize_abc(classes: pd.DataFrame) -> str:
    """One-line takeaway of ``classify_abc``: how concentrated revenue is."""
    if classes.empty:
        return _("No sales to classify.")
    by = classes.columns[0]
    noun = _("customers") if by == CUSTOMER_ID else _("{name}s").format(name=header(by))
    table = tabulate_abc(classes).set_index("abc_class")
    a, c = table.loc["A"], table.loc["C"]
    text = _("{a_count} A {noun} ({a_share} of {noun}) bring {a_revenue} of revenue; {c_count} C {noun} ({c_share}) bring {c_revenue}").format(
        a_count=fmt_count(a["entities"]), noun=noun, a_share=fmt_pct(a["entity_share"], digits=0), a_revenue=fmt_pct(a["revenue_share"], digits=0),
        c_count=fmt_count(c["entities"]), c_share=fmt_pct(c["entity_share"], digits=0), c_revenue=fmt_pct(c["revenue_share"], digits=0))
    negative = int(table["net_negative"].sum())
    if negative:
        text += _("; {count} with returns above sales, classed C").format(count=negative)
    return text + _(".")


def track_abc_transitions(
    lines: pd.DataFrame,
    *,
    by: str = CUSTOMER_ID,
    year: int | None = None,
    as_of: DateLike | None = None,
    thresholds: tuple[float, float, float] = DEFAULT_THRESHOLDS,
    value: Literal["entities", "revenue", "revenue_previous"] = "entities",
) -> pd.DataFrame:
    """How entities moved between ABC classes since the same period a year earlier.

    Each period is classified on its own (``classify_abc``). ``new`` = no lines in the
    earlier period (first-time and returning-after-a-gap customers alike); ``lost`` =
    no lines in the review period.

    Parameters
    ----------
    value : {"entities", "revenue", "revenue_previous"}, default "entities"
        Count of entities, or their revenue in the review / earlier period.

    Returns
    -------
    DataFrame
        Index ``previous_class`` (A, B, C, new), columns ``A, B, C, lost`` (the class
        in the review period); cell new->lost is always 0.
    """
    thresholds = _check_thresholds(thresholds, "track_abc_transitions")
    if value not in ("entities", "revenue", "revenue_previous"):
        raise ParamsError(
            f"the 'value' parameter of track_abc_transitions must be entities, revenue or revenue_previous; got {value!r} instead",
            key="value",
        )
    _require(lines, (ORDER_DATE, REVENUE, by), "track_abc_transitions")
    window = resolve_window(lines, year=year, as_of=as_of)
    prev = window.previous
    current = _rank_classes(_revenue_by(lines, by, window.start, window.stop), thresholds).set_index(by)
    previous = _rank_classes(_revenue_by(lines, by, prev.start, prev.stop), thresholds).set_index(by)
    both = (
        current[["abc_class", "revenue"]].add_suffix("_now")
        .join(previous[["abc_class", "revenue"]].add_suffix("_before"), how="outer")
    )
    both["current_class"] = both["abc_class_now"].fillna("lost")
    both["previous_class"] = both["abc_class_before"].fillna("new")
    both["entities"] = 1
    both["revenue_previous"] = both["revenue_before"].fillna(0.0)
    both["revenue"] = both["revenue_now"].fillna(0.0)
    table = both.pivot_table(index="previous_class", columns="current_class", values=value, aggfunc="sum", fill_value=0)
    table = table.reindex(index=[*CLASSES, "new"], columns=[*CLASSES, "lost"], fill_value=0)
    table.index.name, table.columns.name = "previous_class", "current_class"
    return table


def summarize_transitions(transitions: pd.DataFrame) -> str:
    """One-line takeaway of ``track_abc_transitions`` (entity counts)."""
    t = transitions
    a_before = t.loc["A"].sum()
    if a_before == 0:
        return _("No A entities last year; {count} new ones entered A.").format(count=fmt_count(t.loc["new", "A"]))
    text = _("Of last year's {before} A, {stayed} stayed A, {slipped} slipped to B/C and {lost} were lost; "
             "{up} moved up into A and {new} entered A new").format(
        before=fmt_count(a_before), stayed=fmt_count(t.loc["A", "A"]), slipped=fmt_count(t.loc["A", "B"] + t.loc["A", "C"]),
        lost=fmt_count(t.loc["A", "lost"]), up=fmt_count(t.loc["B", "A"] + t.loc["C", "A"]), new=fmt_count(t.loc["new", "A"]))
    return text + _(".")
