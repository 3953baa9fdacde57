"""Roles of product lines and stages of regions and channels the params leave out, read from the history.

A unit's last 12 months of data against the 12 before, beside the company's growth:
- new (first sale within the last 24 months), or small (under ``SMALL_SHARE`` of revenue) and
  growing ``FAST`` faster than the company: ``potential`` line / ``emerging`` market;
- growing ``FASTER`` faster than the company: ``growth`` market (a line stays ``mature``:
  a line's role beyond that is a product decision);
- otherwise ``mature``.
``strategic`` is never inferred: which lines the company bets on is a decision the params
state (``data.product_lines``). Each inferred value carries its evidence in ``source``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib import schema

SMALL_SHARE = 0.10  # a unit under this share of the last 12 months' revenue is small
FAST = 0.10  # growth this many points above the company's marks a small unit as potential / emerging
FASTER = 0.05  # growth this many points above the company's marks a market as growth
NEW_MONTHS = 24  # a unit first sold within these months is new


def infer_roles(orders: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Inferred role (product lines) or stage (regions, channels) of every unit, with the evidence.

    Returns
    -------
    DataFrame
        ``<dimension>, share, growth, company_growth, value, source`` (``value`` is the
        role or stage; ``source`` says why, or that the history is too short to tell).
    """
    dates = pd.to_datetime(orders[schema.ORDER_DATE])
    end = dates.max()
    last = (dates > end - pd.DateOffset(months=12)).to_numpy()
    previous = ((dates > end - pd.DateOffset(months=24)) & ~last).to_numpy()
    units = orders[dimension]  # a categorical is grouped by its codes: no string per line
    units = units.array if isinstance(units.dtype, pd.CategoricalDtype) else units.astype(str).to_numpy()
    revenue = pd.to_numeric(orders[schema.REVENUE], errors="coerce").fillna(0.0).to_numpy()
    frame = pd.DataFrame({dimension: units, "last": np.where(last, revenue, 0.0), "previous": np.where(previous, revenue, 0.0),
                          "first": dates.to_numpy()})
    table = frame.groupby(dimension, observed=True).agg(last=("last", "sum"), previous=("previous", "sum"), first=("first", "min")).reset_index()
    table[dimension] = table[dimension].astype(str)
    table = table.sort_values(dimension, kind="stable").reset_index(drop=True)  # by name, whatever the category order
    covers_two_years = dates.min() <= end - pd.DateOffset(months=24)
    company = table["previous"].sum()
    company_growth = table["last"].sum() / company - 1 if company > 0 else np.nan
    table["share"] = table["last"] / table["last"].sum() if table["last"].sum() > 0 else np.nan
    table["growth"] = np.where(table["previous"] > 0, table["last"] / table["previous"].where(table["previous"] > 0, 1) - 1, np.nan)
    table["company_growth"] = company_growth
    new = (table["first"] > end - pd.DateOffset(months=NEW_MONTHS)) & covers_two_years
    ahead = table["growth"] - company_growth
    small_fast = (table["share"] < SMALL_SHARE) & (ahead >= FAST)
    is_line = dimension == schema.PRODUCT_LINE
    rising, fast = ("potential", "mature") if is_line else ("emerging", "growth")
    table["value"] = np.where(new | small_fast, rising, np.where(~np.asarray(is_line) & (ahead >= FASTER), fast, "mature"))
    table["source"] = [_evidence(r, covers_two_years, is_line) for r in table.itertuples()]
    return table[[dimension, "share", "growth", "company_growth", "value", "source"]]


def _evidence(row, covers_two_years: bool, is_line: bool) -> str:
    if not covers_two_years:
        return "default mature (under 24 months of data: growth cannot be measured; set it in params)"
    growth = "new" if np.isnan(row.growth) else f"growth {row.growth:+.0%}"
    note = f"inferred: share {row.share:.1%}, {growth} vs company {row.company_growth:+.0%}"
    return note + ("; strategic lines are declared in data.product_lines" if is_line else "")
