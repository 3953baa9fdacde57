"""Raw order lines onto the canonical frame, every change counted in the data-quality ledger.

Documented fixes: lines repeating the whole source row (every column of the file)
removed; amounts written with separators or currency signs parsed; control characters
removed from text; empty channel or rep filled as ``(none)``; cost derived from a
profit or margin column; returns (negative revenue) kept and netted against sales.
Anything else stops with one line naming the file, the column and a few rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planlib import schema
from planlib.errors import DataError
from planlib.i18n import _
from planlib.intake import ledger as lg
from planlib.intake.amounts import check_magnitudes, derive_cost, parse_amounts, parse_margins
from planlib.intake.columns import MARGIN, PROFIT, check_header
from planlib.intake.dates import parse_dates
from planlib.intake.report import bad_rows_message, rows_of, rows_text
from planlib.intake.text import clean_text

MISSING_LABEL = "(none)"
ORDER_CUSTOMER_SEP = " / "
TEXT_COLUMNS = (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL, schema.REP, schema.PRODUCT)


def canonicalize_orders(
    raw: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    label: str = "orders",
    date_format: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map ``raw`` onto the canonical order-line frame and count every fix.

    Parameters
    ----------
    raw : DataFrame
        Rows as read from the source; row ``i`` is spreadsheet row ``i + 2``.
    columns : mapping, optional
        ``data.columns``: canonical name (or ``profit`` / ``margin``) -> source column;
        unmapped canonical names are looked up under their own name.
    label : str
        The source's name for error messages (the file path).
    date_format : str, optional
        ``data.date_format``: ``dayfirst``, ``monthfirst`` or a strftime pattern; None
        infers the day/month order from the whole column (see ``planlib.intake.dates``).

    Returns
    -------
    orders, quality
        The canonical frame (text as ``category``, amounts as float64) and the
        data-quality ledger (``check, rows, amount, note, kind``).
    """
    if raw.empty:
        raise DataError(_("no order lines in the source (0 rows)"), path=label)
    raw = raw.reset_index(drop=True)
    found = check_header(raw.columns, columns, label=label)
    revenue_col = found[schema.REVENUE]
    revenue, revenue_fixed = parse_amounts(raw[revenue_col], label=label, column=revenue_col, required=True)
    check_magnitudes(revenue, raw[revenue_col], label=label, column=revenue_col)
    entries = [lg.entry("rows read", len(raw), revenue.sum(), label, lg.READ)]

    out = pd.DataFrame(index=raw.index)
    date_col = found[schema.ORDER_DATE]
    out[schema.ORDER_DATE], reading = parse_dates(raw[date_col], date_format=date_format, label=label, column=date_col)
    if reading.note:
        entries.append(lg.entry(reading.note, reading.deciding_lines or len(raw), np.nan, _("column '{column}'").format(column=date_col), lg.NOTE))
    out[schema.REVENUE] = revenue
    fixed_amounts = revenue_fixed.copy()
    for name in (schema.QUANTITY, schema.COST):
        if name in found:
            values, fixed = parse_amounts(raw[found[name]], label=label, column=found[name], required=False)
            check_magnitudes(values, raw[found[name]], label=label, column=found[name])
            out[name] = values
            fixed_amounts |= fixed
    if PROFIT in found or MARGIN in found:
        out[schema.COST], entry = _derived_cost(raw, found, revenue, label=label)
        entries.append(entry)
    if fixed_amounts.any():
        entries.append(lg.entry("amounts written as text with separators or currency signs, parsed", fixed_amounts.sum(),
                                revenue[fixed_amounts].sum(), _("rule: strip ',', spaces, currency signs; (x) = -x"), lg.FIXED))

    controlled = pd.Series(False, index=raw.index)
    control_cols: list[str] = []
    for name in TEXT_COLUMNS:
        if name not in found:
            continue
        col = found[name]
        text, had_control = clean_text(raw[col], from_float=pd.api.types.is_float_dtype(raw[col]), as_category=True)
        if had_control.any():
            controlled |= had_control
            control_cols.append(col)
        blank = text.isna() | (text == "")
        if blank.any():
            if name in schema.REQUIRED_COLUMNS:
                raise DataError(bad_rows_message(col, blank, raw[col], "is empty"), path=label, column=col, rows=rows_of(blank))
            if blank.all():  # an exported but unused column: the plan has no such dimension
                entries.append(lg.entry(_("{name}: column '{column}' is empty on every line, left out as if not mapped").format(name=name, column=col),
                                        len(raw), revenue.sum(), "rule: optional column", lg.NOTE))
                continue
            if MISSING_LABEL not in text.cat.categories:
                text = text.cat.add_categories([MISSING_LABEL])
            text = text.fillna(MISSING_LABEL)  # blank text is missing in the categorical
            entries.append(lg.entry(_("{name}: empty values filled as '{label}'").format(name=name, label=MISSING_LABEL), blank.sum(),
                                    revenue[blank].sum(), "rule: optional column", lg.FIXED))
        out[name] = text
    if controlled.any():
        entries.append(lg.entry("control characters (NUL, tab, line break...) removed from text", controlled.sum(), revenue[controlled].sum(),
                                _("columns {columns}; {rows}").format(columns=", ".join(map(repr, control_cols)), rows=rows_text(controlled)), lg.FIXED))
    out = out[[c for c in schema.ALL_COLUMNS if c in out.columns]]
    out, shared = _one_customer_per_order(out)
    if shared.any():
        ids = out.loc[shared, schema.ORDER_ID].drop_duplicates()
        entries.append(lg.entry("order ids shared by several customers: one order per customer", shared.sum(), revenue[shared].sum(),
                                _("rule: order = order id + customer ('{pattern}'), e.g. {examples}").format(
                                    pattern=ORDER_CUSTOMER_SEP.join(["id", "customer"]), examples=", ".join(map(repr, ids.head(3)))), lg.FIXED))

    duplicated = exact_duplicates(raw)
    if duplicated.any():
        entries.append(lg.entry("exact duplicate lines removed", duplicated.sum(), revenue[duplicated].sum(),
                                _("rule: the whole source row repeats (all {count} columns); {rows}").format(count=raw.shape[1], rows=rows_text(duplicated)),
                                lg.DROPPED))
        out = out.loc[~duplicated]
    returns = out[schema.REVENUE] < 0
    if returns.any():
        entries.append(lg.entry("return lines (negative revenue) netted against sales", returns.sum(), out.loc[returns, schema.REVENUE].sum(), "rule: kept as negative revenue", lg.NOTE))
    out = to_categories(out).sort_values([schema.ORDER_DATE, schema.ORDER_ID], kind="stable").reset_index(drop=True)
    return out, lg.ledger(entries)


def exact_duplicates(raw: pd.DataFrame) -> pd.Series:
    """Rows that repeat an earlier row in every column (``DataFrame.duplicated``, keep the first).

    Rows are hashed first and only rows whose hash repeats are compared in full: at 10M
    lines that is 2-3 s less than comparing every row, with the same answer.
    """
    hashes = pd.util.hash_pandas_object(raw, index=False)
    candidates = hashes.duplicated(keep=False).to_numpy()
    out = np.zeros(len(raw), dtype=bool)
    if candidates.any():
        out[candidates] = raw.loc[candidates].duplicated(keep="first").to_numpy()
    return pd.Series(out, index=raw.index)


def _one_customer_per_order(out: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The identity rule of every stage: an order belongs to one customer.

    An order id carried by lines of several customers (some exports number orders per
    store or per day) becomes one order per customer, ``<order id> / <customer>``, so
    every stage counts the same orders and customers.
    """
    shared = pd.Series(_customers_per_order(out) > 1, index=out.index)
    if shared.any():
        out = out.copy()
        order = out[schema.ORDER_ID].astype(str)
        order.loc[shared] = order.loc[shared] + ORDER_CUSTOMER_SEP + out.loc[shared, schema.CUSTOMER_ID].astype(str)
        out[schema.ORDER_ID] = order
    return out, shared


def _customers_per_order(out: pd.DataFrame) -> np.ndarray:
    """Per line: how many distinct customers carry its order id (a missing id or customer counts as none).

    On categorical columns (the intake's) the distinct (order, customer) pairs are counted
    on their codes: at 4M orders that is a fraction of a grouped ``nunique``.
    """
    orders, customers = out[schema.ORDER_ID], out[schema.CUSTOMER_ID]
    if not (isinstance(orders.dtype, pd.CategoricalDtype) and isinstance(customers.dtype, pd.CategoricalDtype)):
        return out.groupby(schema.ORDER_ID, sort=False)[schema.CUSTOMER_ID].transform("nunique").fillna(0).to_numpy()
    order, customer = orders.cat.codes.to_numpy().astype(np.int64), customers.cat.codes.to_numpy().astype(np.int64)
    known = (order >= 0) & (customer >= 0)
    base = len(customers.cat.categories) + 1
    pairs = pd.unique(order[known] * base + customer[known])  # each distinct (order, customer) once
    per_order = np.bincount(pairs // base, minlength=len(orders.cat.categories) + 1)
    return np.where(order >= 0, per_order[np.maximum(order, 0)], 0)


def _derived_cost(raw: pd.DataFrame, found: dict[str, str], revenue: pd.Series, *, label: str) -> tuple[pd.Series, dict]:
    """Cost from the mapped profit or margin column, and its ledger note."""
    if PROFIT in found:
        col = found[PROFIT]
        profit = parse_amounts(raw[col], label=label, column=col, required=False)[0]
        check_magnitudes(profit, raw[col], label=label, column=col)
        cost, rule = derive_cost(revenue, profit=profit), _("cost = revenue - profit")
    else:
        col = found[MARGIN]
        cost, rule = derive_cost(revenue, margin=parse_margins(raw[col], label=label, column=col)), _("cost = revenue x (1 - margin)")
    return cost, lg.entry(_("cost derived from column '{column}'").format(column=col), len(raw), np.nan, _("rule: {rule}").format(rule=rule), lg.NOTE)


def to_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``category`` with sorted categories (stable across runs)."""
    out = frame.copy()
    for name in schema.CATEGORY_COLUMNS:
        if name in out.columns and isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = _sorted_categories(out[name])
        elif name in out.columns:
            codes, uniques = pd.factorize(out[name].astype(str), sort=True)  # hash, not search: fast at 10M lines
            out[name] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=str))
    return out


def _sorted_categories(values: pd.Series) -> pd.Categorical:
    """A categorical re-coded onto its used categories as text, sorted (as ``to_categories`` sorts text)."""
    codes = values.cat.codes.to_numpy()
    categories = pd.Index(values.cat.categories.astype(str), dtype=str)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)) > 0)
    present = categories[used]
    if present.is_monotonic_increasing and len(used) == len(categories):  # already sorted and all used (the demo's ids)
        return pd.Categorical.from_codes(codes, categories=present, validate=False)
    order = np.argsort(present.to_numpy(dtype=object), kind="stable")
    recode = np.full(len(categories), -1, dtype=np.int64)
    recode[used[order]] = np.arange(len(used))
    line_codes = np.where(codes >= 0, recode[np.where(codes >= 0, codes, 0)], -1)
    return pd.Categorical.from_codes(line_codes, categories=pd.Index(present[order], dtype=str))


def canonicalize_quotas(raw: pd.DataFrame, *, columns: dict[str, str], label: str, date_format: str | None = None) -> pd.DataFrame:
    """A quota table as ``rep, date, quota`` (one row per rep and quota period start).

    Its dates follow ``data.date_format`` like the order lines: period starts such as
    ``01/04/2024`` never decide day/month order by themselves.
    """
    source = {name: columns.get(name, name) for name in ("rep", "date", "quota")}
    missing = [f"'{col}' (for {name})" for name, col in source.items() if col not in raw.columns]
    if missing:
        raise DataError(_("missing required column {columns}").format(columns=", ".join(missing)), path=label, column=missing[0])
    raw = raw.reset_index(drop=True)
    out = pd.DataFrame({
        "rep": clean_text(raw[source["rep"]])[0].astype(str),
        "date": parse_dates(raw[source["date"]], date_format=date_format, label=label, column=source["date"])[0],
        "quota": parse_amounts(raw[source["quota"]], label=label, column=source["quota"], required=True)[0],
    })
    return out.sort_values(["rep", "date"]).reset_index(drop=True)


def canonicalize_commitments(raw: pd.DataFrame, *, columns: dict[str, str], label: str) -> pd.DataFrame:
    """Reps' own commitments as ``rep, amount`` (the bottom-up side of the plan)."""
    source = {name: columns.get(name, name) for name in ("rep", "amount")}
    missing = [f"'{col}' (for {name})" for name, col in source.items() if col not in raw.columns]
    if missing:
        raise DataError(_("missing required column {columns}").format(columns=", ".join(missing)), path=label, column=missing[0])
    raw = raw.reset_index(drop=True)
    return pd.DataFrame({
        "rep": clean_text(raw[source["rep"]])[0].astype(str),
        "amount": parse_amounts(raw[source["amount"]], label=label, column=source["amount"], required=True)[0],
    })
