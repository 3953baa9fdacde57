"""Side tables of the segments: product lines (role), regions and channels (stage), reps.

Roles and stages come from params first, then from the demo company's own tables,
else are inferred from the history (``planlib.intake.roles``); the ``source`` column
says which and why. Reps without a table are
derived from the order lines, each placed in the main region of its last 12 months
of sales (a rep who moved is placed where they sell now, and the move is shown).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema
from planlib.intake.canonical import MISSING_LABEL
from planlib.intake.roles import infer_roles
from planlib.i18n import _

HOME_REGION_MONTHS = 12


def build_segment_tables(
    orders: pd.DataFrame,
    *,
    plan,
    demo_tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Side tables of product lines (role), regions and channels (stage) and reps.

    Roles and stages come from params first, then from the demo company's own
    tables, else are inferred from the history (share and growth against the
    company's); the ``source`` column says which and why, so nothing is silent. Reps without a table are derived from
    the order lines (first and last sale, main region of the last 12 months).
    """
    demo_tables = demo_tables or {}
    tables = {
        "product_lines": _segment_table(orders, schema.PRODUCT_LINE, schema.ROLE, plan.data.product_lines, demo_tables.get("product_lines")),
        "regions": _segment_table(orders, schema.REGION, schema.STAGE, plan.data.regions, demo_tables.get("regions")),
    }
    if schema.CHANNEL in orders.columns:
        tables["channels"] = _segment_table(orders, schema.CHANNEL, schema.STAGE, plan.data.channels, demo_tables.get("channels"))
    if schema.REP in orders.columns:
        tables["reps"] = _rep_table(orders, demo_tables.get("reps"), capacity=plan.actions.max_visits_per_rep_month)
    return tables


def _segment_table(orders, dimension: str, attribute: str, from_params: dict, from_demo: pd.DataFrame | None) -> pd.DataFrame:
    spans = (
        orders.groupby(dimension, observed=True)
        .agg(first_sale=(schema.ORDER_DATE, "min"), last_sale=(schema.ORDER_DATE, "max"), revenue=(schema.REVENUE, "sum"))
        .reset_index()
    )
    spans[dimension] = spans[dimension].astype(str)
    demo = from_demo.set_index(dimension)[attribute].to_dict() if from_demo is not None else {}
    inferred = infer_roles(orders, dimension).set_index(dimension)
    spans[attribute] = [from_params.get(v) or demo.get(v) or inferred.at[v, "value"] for v in spans[dimension]]
    spans["source"] = ["params" if v in from_params else "demo" if v in demo else inferred.at[v, "source"] for v in spans[dimension]]
    if dimension == schema.PRODUCT_LINE:
        launch = from_demo.set_index(dimension)[schema.LAUNCH_DATE].to_dict() if from_demo is not None and schema.LAUNCH_DATE in from_demo else {}
        spans[schema.LAUNCH_DATE] = pd.to_datetime([launch.get(v, first) for v, first in zip(spans[dimension], spans["first_sale"])])
    return spans.sort_values(dimension).reset_index(drop=True)


def main_regions(lines: pd.DataFrame) -> pd.Series:
    """Each rep's region with the most revenue (ties: the first region by name)."""
    return (
        lines.groupby([schema.REP, schema.REGION], observed=True)[schema.REVENUE].sum().reset_index()
        .sort_values([schema.REP, schema.REVENUE, schema.REGION], ascending=[True, False, True], kind="stable")
        .drop_duplicates(schema.REP)
        .set_index(schema.REP)[schema.REGION]
        .astype(str)
    )


def _has_rep(orders: pd.DataFrame) -> pd.Series:
    """Lines that carry a rep (not the intake's missing label); a categorical compares by code, no string per line."""
    reps = orders[schema.REP]
    if not isinstance(reps.dtype, pd.CategoricalDtype):
        return reps.astype(str) != MISSING_LABEL
    missing = reps.cat.categories.get_indexer([MISSING_LABEL])[0]  # -1 when no line lacks a rep
    return pd.Series(reps.cat.codes.to_numpy() != missing if missing >= 0 else np.ones(len(reps), dtype=bool), index=orders.index)


def home_regions(orders: pd.DataFrame, *, months: int = HOME_REGION_MONTHS) -> pd.DataFrame:
    """Each rep's home region (main region of their own last ``months`` of sales) and all-history region."""
    sold = orders.loc[_has_rep(orders)]
    last_sale = sold.groupby(schema.REP, observed=True)[schema.ORDER_DATE].transform("max")
    recent = sold.loc[sold[schema.ORDER_DATE] > last_sale - pd.DateOffset(months=months)]
    out = pd.DataFrame({schema.REGION: main_regions(recent), "region_all_history": main_regions(sold)})
    out.index = out.index.astype(str)
    return out


def _rep_table(orders: pd.DataFrame, from_demo: pd.DataFrame | None, *, capacity: int) -> pd.DataFrame:
    sold = orders.loc[_has_rep(orders)]
    regions = home_regions(orders)
    spans = sold.groupby(schema.REP, observed=True).agg(first_sale=(schema.ORDER_DATE, "min"), last_sale=(schema.ORDER_DATE, "max"), revenue=(schema.REVENUE, "sum"))
    spans.index = spans.index.astype(str)
    table = spans.join(regions).reset_index()
    table[schema.REP] = table[schema.REP].astype(str)
    table["moved"] = table[schema.REGION].notna() & (table[schema.REGION] != table["region_all_history"])
    if from_demo is not None:
        demo = from_demo.assign(**{schema.REP: from_demo[schema.REP].astype(str)}).set_index(schema.REP)
        table = table.merge(
            demo[[schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY]], left_on=schema.REP, right_index=True, how="outer"
        )
        table[schema.REGION] = table[schema.REGION].fillna(table[schema.REP].map(demo[schema.REGION]))
        table["moved"] = table["moved"].fillna(False).astype(bool)
        table["source"] = "demo"
    else:
        data_end = orders[schema.ORDER_DATE].max()
        table[schema.REP_HIRE_DATE] = table["first_sale"]
        table[schema.REP_LEAVE_DATE] = table["last_sale"].where(table["last_sale"] < data_end - pd.Timedelta(days=90))
        table[schema.REP_CAPACITY] = capacity
        table["source"] = "derived from orders (hire = first sale; left = no sale in the last 90 days; region = main region of the last 12 months)"
    table["revenue"] = table["revenue"].fillna(0.0)
    table[schema.REGION] = table[schema.REGION].astype(str)
    cols = [schema.REP, schema.REGION, schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY, "first_sale", "last_sale", "revenue", "moved", "region_all_history", "source"]
    return table[cols].sort_values(schema.REP).reset_index(drop=True)


def summarize_reps(reps: pd.DataFrame, *, as_of) -> str:
    """One line on the rep table: how many, how many still active, who moved region (and where)."""
    active = reps[reps[schema.REP_LEAVE_DATE].isna() | (reps[schema.REP_LEAVE_DATE] > pd.Timestamp(as_of))]
    moved = reps.loc[reps["moved"]] if "moved" in reps else reps.iloc[:0]
    line = _("{count} reps in the data, {active} still active at {as_of}").format(count=len(reps), active=len(active), as_of=as_of)
    if len(moved):
        moves = _(", ").join(f"{r.rep}: {r.region_all_history} -> {r.region}" for r in moved.itertuples())
        line += _("; {count} placed in the main region of their last 12 months of sales, where they sell now ({moves})").format(
            count=len(moved), moves=moves)
    return line + _(".")
