"""Amounts read as numbers: separators and currency signs stripped, absurd values refused, cost derived.

A sane bound keeps one typo (``1e300``) from reaching the forecast: an amount beyond
a million times the column's typical (median non-zero) size, or beyond 1e15 where a sum
no longer keeps the currency unit, stops the load with the rows named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.i18n import _
from planlib.intake.report import bad_rows_message, rows_of

CURRENCY_CHARS = r"[,\s¥￥$€£]|RMB|CNY|USD"
MAX_RATIO_TO_TYPICAL = 1e6
MAX_ABSOLUTE = 1e15


def parse_amounts(values: pd.Series, *, label: str, column: str, required: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers from a raw column; returns the values and a mask of those written as text with signs.

    Empty values are an error when ``required``, else read as 0. Non-finite values
    (``inf``, ``nan`` written out) are refused with the rows named.
    """
    if pd.api.types.is_bool_dtype(values):
        raise DataError(_("column '{column}': holds true/false values, not amounts").format(column=column), path=label, column=column)
    if pd.api.types.is_numeric_dtype(values):
        parsed = values.astype("float64")
        fixed = pd.Series(False, index=values.index)
        empty = parsed.isna()
    else:
        text = values.astype("string").str.strip()
        empty = text.isna() | (text == "")
        parsed = pd.to_numeric(text.mask(empty), errors="coerce").astype("float64")
        retry = parsed.isna() & ~empty
        fixed = pd.Series(False, index=values.index)
        if retry.any():
            cleaned = text[retry].str.replace(CURRENCY_CHARS, "", regex=True)
            cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # (12.50) = -12.50
            again = pd.to_numeric(cleaned, errors="coerce").astype("float64")
            parsed = parsed.mask(retry, again)
            fixed = retry & parsed.notna()
    bad = (parsed.isna() & ~empty) | (parsed.isna() & empty & required) | ~np.isfinite(parsed.fillna(0.0))
    if bad.any():
        problem = "is empty" if empty[bad].all() else "is not a number"
        raise DataError(bad_rows_message(column, bad, values, problem), path=label, column=column, rows=rows_of(bad))
    return parsed.fillna(0.0), fixed


def check_magnitudes(values: pd.Series, raw: pd.Series, *, label: str, column: str) -> None:
    """Refuse amounts far beyond the column's typical size (rows named)."""
    size = values.abs()
    typical = float(size[size > 0].median()) if (size > 0).any() else 0.0
    limit = min(MAX_ABSOLUTE, MAX_RATIO_TO_TYPICAL * typical) if typical > 0 else MAX_ABSOLUTE
    absurd = size > limit
    if absurd.any():
        raise DataError(
            bad_rows_message(column, absurd, raw, "is out of range")
            + _("; expected at most {limit} (a million times the typical amount {typical}, at most 1e15)").format(
                limit=f"{limit:,.0f}", typical=f"{typical:,.2f}"),
            path=label, column=column, rows=rows_of(absurd),
        )


def parse_margins(values: pd.Series, *, label: str, column: str) -> pd.Series:
    """Margins as fractions of revenue: ``0.25`` or ``25%``; a bare number above 1 is refused."""
    if pd.api.types.is_numeric_dtype(values):
        text = None
        margin = values.astype("float64")
        percent = pd.Series(False, index=values.index)
    else:
        text = values.astype("string").str.strip()
        percent = text.str.endswith("%").fillna(False)
        margin = pd.to_numeric(text.str.rstrip("%").str.strip(), errors="coerce").astype("float64")
        margin = margin.where(~percent, margin / 100)
    bad = margin.isna() | ~np.isfinite(margin.fillna(0.0))
    if bad.any():
        raise DataError(bad_rows_message(column, bad, values, "is not a number"), path=label, column=column, rows=rows_of(bad))
    too_big = margin.abs() > 1
    if too_big.any():
        raise DataError(
            bad_rows_message(column, too_big, values, "is out of range")
            + _("; margins are fractions of revenue (0.25) or percentages written with % (25%)"),
            path=label, column=column, rows=rows_of(too_big),
        )
    return margin


def derive_cost(revenue: pd.Series, *, profit: pd.Series | None = None, margin: pd.Series | None = None) -> pd.Series:
    """Cost from profit (cost = revenue - profit) or margin (cost = revenue x (1 - margin))."""
    if profit is not None:
        return revenue - profit
    if margin is not None:
        return revenue * (1.0 - margin)
    raise ValueError("derive_cost needs profit or margin")
