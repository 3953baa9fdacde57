"""Data intake: map raw order lines onto the canonical frame, fix what has a rule, stop on the rest.

Documented fixes (each counted in the quality summary): exact duplicate lines removed;
amounts written with thousands separators or currency signs parsed; missing channel or
rep filled as ``(none)``; returns (negative revenue) kept and netted against sales;
rows after the as-of date set aside for tracking. Anything else stops with one line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planlib import schema
from planlib.errors import DataError

MISSING_LABEL = "(none)"
_MAX_EXAMPLES = 5
_PROBLEMS = {
    "is not a date": ("is not a date", "are not dates"),
    "is not a number": ("is not a number", "are not numbers"),
    "is empty": ("is empty", "are empty"),
}
_LATE_START_DAY = 7  # a first month whose data starts after this day is partial
_CURRENCY_CHARS = r"[,\s¥￥$€£]|RMB|CNY|USD"


@dataclass(frozen=True)
class Intake:
    """The canonical order lines of one plan and what happened to the raw rows on the way."""

    orders: pd.DataFrame
    quality: pd.DataFrame
    months: pd.DataFrame
    last_complete_month: pd.Timestamp | None
    later: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)


def canonicalize_orders(
    raw: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    label: str = "orders",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map ``raw`` onto the canonical order-line frame and count every fix.

    Parameters
    ----------
    raw : DataFrame
        Rows as read from the source; row ``i`` is spreadsheet row ``i + 2``.
    columns : dict, optional
        Canonical name -> source column name; unmapped canonical names are looked up
        under their own name.
    label : str
        The source's name for error messages (the file path).

    Returns
    -------
    orders, quality
        The canonical frame (text as ``category``, amounts as float64) and a quality
        table with columns ``check, rows, amount, note``.
    """
    columns = dict(columns or {})
    if raw.empty:
        raise DataError("no order lines in the source (0 rows)", path=label)
    source = {name: columns.get(name, name) for name in schema.ALL_COLUMNS}
    missing = [n for n in schema.REQUIRED_COLUMNS if source[n] not in raw.columns]
    if missing:
        wanted = ", ".join(
            f"'{source[n]}'" + (f" (for {n})" if source[n] != n else "") for n in missing
        )
        raise DataError(
            f"missing required column {wanted}; the file has {', '.join(map(repr, map(str, raw.columns)))}",
            path=label,
            column=missing[0],
        )
    for name, col in source.items():
        if name in columns and col not in raw.columns:
            raise DataError(f"data.columns maps {name} to '{col}', which the file does not have", path=label, column=name)

    quality: list[dict] = [{"check": "rows read", "rows": len(raw), "amount": np.nan, "note": label}]
    out = pd.DataFrame(index=raw.index)
    out[schema.ORDER_DATE] = _parse_dates(raw[source[schema.ORDER_DATE]], label=label, column=source[schema.ORDER_DATE])
    for name in schema.FLOAT_COLUMNS:
        if source[name] in raw.columns:
            values, n_fixed = _parse_amounts(raw[source[name]], label=label, column=source[name], required=name == schema.REVENUE)
            out[name] = values
            if n_fixed:
                quality.append({"check": f"{name}: amounts written as text with separators or currency signs, parsed", "rows": n_fixed, "amount": np.nan, "note": "rule: strip ',', spaces, currency signs"})
    for name in (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL, schema.REP, schema.PRODUCT):
        col = source[name]
        if col not in raw.columns:
            continue
        text = raw[col].astype("string").str.strip()
        text = text.str.replace(r"\.0$", "", regex=True) if pd.api.types.is_float_dtype(raw[col]) else text
        blank = text.isna() | (text == "")
        if blank.any():
            if name in schema.REQUIRED_COLUMNS:
                raise DataError(_bad_rows_message(col, blank, raw[col], "is empty"), path=label, column=col, rows=_rows(blank))
            text = text.mask(blank, MISSING_LABEL)
            quality.append({"check": f"{name}: empty values filled as '{MISSING_LABEL}'", "rows": int(blank.sum()), "amount": float(out.loc[blank, schema.REVENUE].sum()), "note": "rule: optional column"})
        out[name] = text
    out = out[[c for c in schema.ALL_COLUMNS if c in out.columns]]

    duplicated = out.duplicated(keep="first")
    if duplicated.any():
        quality.append({"check": "exact duplicate lines removed", "rows": int(duplicated.sum()), "amount": float(out.loc[duplicated, schema.REVENUE].sum()), "note": "rule: identical in every column"})
        out = out.loc[~duplicated]
    returns = out[schema.REVENUE] < 0
    if returns.any():
        quality.append({"check": "return lines (negative revenue) netted against sales", "rows": int(returns.sum()), "amount": float(out.loc[returns, schema.REVENUE].sum()), "note": "rule: kept as negative revenue"})
    out = _to_categories(out).sort_values([schema.ORDER_DATE, schema.ORDER_ID], kind="stable").reset_index(drop=True)
    return out, pd.DataFrame(quality, columns=["check", "rows", "amount", "note"])


def _parse_dates(values: pd.Series, *, label: str, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    else:
        text = values.astype("string").str.strip()
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        retry = parsed.isna() & text.notna()
        if retry.any():
            parsed = parsed.mask(retry, pd.to_datetime(text[retry], errors="coerce", format="mixed"))
    bad = parsed.isna()
    if bad.any():
        raise DataError(_bad_rows_message(column, bad, values, "is not a date"), path=label, column=column, rows=_rows(bad))
    return parsed.astype("datetime64[ns]").dt.normalize()


def _parse_amounts(values: pd.Series, *, label: str, column: str, required: bool) -> tuple[pd.Series, int]:
    if pd.api.types.is_numeric_dtype(values):
        parsed, n_fixed = values.astype("float64"), 0
    else:
        text = values.astype("string").str.strip()
        parsed = pd.to_numeric(text, errors="coerce").astype("float64")
        retry = parsed.isna() & text.notna()
        n_fixed = 0
        if retry.any():
            cleaned = text[retry].str.replace(_CURRENCY_CHARS, "", regex=True)
            cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # (12.50) = -12.50
            fixed = pd.to_numeric(cleaned, errors="coerce")
            parsed = parsed.mask(retry, fixed)
            n_fixed = int(fixed.notna().sum())
    bad = parsed.isna() & (values.notna() if not required else True)
    bad = bad | ~np.isfinite(parsed.fillna(0))
    if bad.any():
        raise DataError(_bad_rows_message(column, bad, values, "is not a number"), path=label, column=column, rows=_rows(bad))
    return parsed.fillna(0.0) if not required else parsed, n_fixed


def _to_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``category`` with sorted categories (stable across runs)."""
    out = frame.copy()
    for name in schema.CATEGORY_COLUMNS:
        if name in out.columns:
            out[name] = pd.Categorical(out[name].astype(str), categories=sorted(out[name].astype(str).unique()))
    return out


def _rows(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the first offending rows."""
    positions = np.flatnonzero(mask.to_numpy())
    return [int(p) + 2 for p in positions[:_MAX_EXAMPLES]]


def _bad_rows_message(column: str, mask: pd.Series, values: pd.Series, problem: str) -> str:
    count = int(mask.sum())
    positions = np.flatnonzero(mask.to_numpy())[:_MAX_EXAMPLES]
    examples = ", ".join(f"row {int(p) + 2}: {_show(values.iloc[p])}" for p in positions)
    singular, plural = _PROBLEMS[problem]
    phrase = f"1 value {singular}" if count == 1 else f"{count} values {plural}"
    return f"column '{column}': {phrase} ({examples})"


def _show(value) -> str:
    return "empty" if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value == "" else repr(str(value))


def split_at_as_of(orders: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the order lines into those up to ``as_of`` (inclusive) and those after."""
    later = orders[schema.ORDER_DATE] > pd.Timestamp(as_of)
    return orders.loc[~later].reset_index(drop=True), orders.loc[later].reset_index(drop=True)


def summarize_months(orders: pd.DataFrame, *, as_of: dt.date | None = None, drop_ratio: float = 0.5) -> pd.DataFrame:
    """Monthly revenue, lines and days with sales, with incomplete trailing months flagged.

    A trailing month is incomplete when the data stops before its last day (or the
    as-of date falls inside it), or when its revenue is below ``drop_ratio`` times the
    median of the six months before it: a partial month must not be read as a collapse.
    The check walks back from the last month and stops at the first complete one; a
    first month whose data starts after its 7th day is flagged too.
    """
    month = orders[schema.ORDER_DATE].dt.to_period("M")
    table = (
        orders.assign(month=month)
        .groupby("month", observed=True)
        .agg(revenue=(schema.REVENUE, "sum"), lines=(schema.REVENUE, "size"), last_day=(schema.ORDER_DATE, "max"))
        .reindex(pd.period_range(month.min(), month.max(), freq="M"))
        .rename_axis("month")
        .reset_index()
    )
    table["revenue"] = table["revenue"].fillna(0.0)
    table["lines"] = table["lines"].fillna(0).astype("int64")
    table["complete"] = True
    table["reason"] = ""
    data_end = orders[schema.ORDER_DATE].max()
    cutoff = pd.Timestamp(as_of) if as_of is not None else data_end
    for i in range(len(table) - 1, -1, -1):
        period = table.at[i, "month"]
        reason = ""
        month_end = period.to_timestamp(how="end").normalize()
        if cutoff < month_end and i == len(table) - 1:
            reason = f"data ends {min(cutoff, data_end).date()}, before the month ends"
        else:
            before = table["revenue"].iloc[max(0, i - 6):i]
            if len(before) >= 3 and table.at[i, "revenue"] < drop_ratio * before.median():
                share = table.at[i, "revenue"] / before.median()
                reason = f"revenue {share:.0%} of the median of the 6 months before"
        if not reason:
            break
        table.at[i, "complete"] = False
        table.at[i, "reason"] = reason
    data_start = orders[schema.ORDER_DATE].min()
    if data_start.day > _LATE_START_DAY and (len(table) > 1 and table.at[0, "complete"]):
        table.at[0, "complete"] = False
        table.at[0, "reason"] = f"data starts {data_start.date()}, after the month began"
    table["month"] = table["month"].dt.to_timestamp()
    return table


def last_complete_month(months: pd.DataFrame) -> pd.Timestamp | None:
    """The start of the last month ``summarize_months`` found complete."""
    complete = months.loc[months["complete"], "month"]
    return None if complete.empty else pd.Timestamp(complete.max())


def describe_coverage(orders: pd.DataFrame) -> pd.DataFrame:
    """How much the data covers: date span, months and distinct values of each dimension."""
    rows = [
        ("first order date", str(orders[schema.ORDER_DATE].min().date())),
        ("last order date", str(orders[schema.ORDER_DATE].max().date())),
        ("months", orders[schema.ORDER_DATE].dt.to_period("M").nunique()),
        ("order lines", len(orders)),
        ("orders", orders[schema.ORDER_ID].nunique()),
        ("customers", orders[schema.CUSTOMER_ID].nunique()),
    ]
    for name in (schema.PRODUCT_LINE, schema.REGION, schema.CHANNEL, schema.REP, schema.PRODUCT):
        if name in orders.columns:
            rows.append((f"{name.replace('_', ' ')}s", orders[name].nunique()))
    return pd.DataFrame(rows, columns=["measure", "value"]).astype({"value": str})


def build_segment_tables(
    orders: pd.DataFrame,
    *,
    plan,
    demo_tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Side tables of product lines (role), regions and channels (stage) and reps.

    Roles and stages come from params first, then from the demo company's own
    tables, else default to ``mature``; the ``source`` column says which, so a
    default is visible rather than silent. Reps without a table are derived from
    the order lines (first and last sale, main region).
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
    spans[attribute] = [from_params.get(v) or demo.get(v) or "mature" for v in spans[dimension]]
    spans["source"] = ["params" if v in from_params else "demo" if v in demo else "default" for v in spans[dimension]]
    if dimension == schema.PRODUCT_LINE:
        launch = from_demo.set_index(dimension)[schema.LAUNCH_DATE].to_dict() if from_demo is not None and schema.LAUNCH_DATE in from_demo else {}
        spans[schema.LAUNCH_DATE] = pd.to_datetime([launch.get(v, first) for v, first in zip(spans[dimension], spans["first_sale"])])
    return spans.sort_values(dimension).reset_index(drop=True)


def _rep_table(orders: pd.DataFrame, from_demo: pd.DataFrame | None, *, capacity: int) -> pd.DataFrame:
    sold = orders.loc[orders[schema.REP].astype(str) != MISSING_LABEL]
    by_region = (
        sold.groupby([schema.REP, schema.REGION], observed=True)[schema.REVENUE].sum().reset_index()
        .sort_values([schema.REP, schema.REVENUE, schema.REGION], ascending=[True, False, True], kind="stable")
        .drop_duplicates(schema.REP)
        .set_index(schema.REP)[schema.REGION]
    )
    spans = sold.groupby(schema.REP, observed=True).agg(first_sale=(schema.ORDER_DATE, "min"), last_sale=(schema.ORDER_DATE, "max"), revenue=(schema.REVENUE, "sum"))
    table = spans.join(by_region).reset_index()
    table[schema.REP] = table[schema.REP].astype(str)
    table[schema.REGION] = table[schema.REGION].astype(str)
    if from_demo is not None:
        demo = from_demo.assign(**{schema.REP: from_demo[schema.REP].astype(str)}).set_index(schema.REP)
        table = table.merge(
            demo[[schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY]], left_on=schema.REP, right_index=True, how="outer"
        )
        table[schema.REGION] = table[schema.REGION].fillna(table[schema.REP].map(demo[schema.REGION]))
        table["source"] = "demo"
    else:
        data_end = orders[schema.ORDER_DATE].max()
        table[schema.REP_HIRE_DATE] = table["first_sale"]
        table[schema.REP_LEAVE_DATE] = table["last_sale"].where(table["last_sale"] < data_end - pd.Timedelta(days=90))
        table[schema.REP_CAPACITY] = capacity
        table["source"] = "derived from orders (hire = first sale; left = no sale in the last 90 days)"
    table["revenue"] = table["revenue"].fillna(0.0)
    cols = [schema.REP, schema.REGION, schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY, "first_sale", "last_sale", "revenue", "source"]
    return table[cols].sort_values(schema.REP).reset_index(drop=True)


def canonicalize_quotas(raw: pd.DataFrame, *, columns: dict[str, str], label: str) -> pd.DataFrame:
    """A quota table as ``rep, date, quota`` (one row per rep and quota period start)."""
    source = {name: columns.get(name, name) for name in ("rep", "date", "quota")}
    missing = [f"'{col}' (for {name})" for name, col in source.items() if col not in raw.columns]
    if missing:
        raise DataError(f"missing required column {', '.join(missing)}", path=label, column=missing[0])
    out = pd.DataFrame({
        "rep": raw[source["rep"]].astype("string").str.strip().astype(str),
        "date": _parse_dates(raw[source["date"]], label=label, column=source["date"]),
        "quota": _parse_amounts(raw[source["quota"]], label=label, column=source["quota"], required=True)[0],
    })
    return out.sort_values(["rep", "date"]).reset_index(drop=True)


def summarize_intake(quality: pd.DataFrame, months: pd.DataFrame) -> str:
    """One line on what the loader did: rows read and used, fixes, incomplete months."""
    def rows_of(prefix: str) -> int:
        hit = quality.loc[quality["check"].str.startswith(prefix), "rows"]
        return int(hit.sum()) if len(hit) else 0

    read, used = rows_of("rows read"), rows_of("rows used")
    parts = [f"{read:,} rows read, {used:,} used"]
    for prefix, words in (
        ("exact duplicate", "exact duplicates removed"),
        ("return lines", "return lines netted"),
        ("rows after the as-of", "rows after the as-of date kept for tracking"),
    ):
        n = rows_of(prefix)
        if n:
            parts.append(f"{n:,} {words}")
    incomplete = months.loc[~months["complete"], "month"]
    last = last_complete_month(months)
    tail = f"; last complete month {last:%Y-%m}" if last is not None else ""
    if len(incomplete):
        tail += f" ({', '.join(f'{m:%Y-%m}' for m in incomplete)} incomplete, left out of the forecast fit)"
    return "; ".join(parts) + tail + "."


def canonicalize_commitments(raw: pd.DataFrame, *, columns: dict[str, str], label: str) -> pd.DataFrame:
    """Reps' own commitments as ``rep, amount`` (the bottom-up side of the plan)."""
    source = {name: columns.get(name, name) for name in ("rep", "amount")}
    missing = [f"'{col}' (for {name})" for name, col in source.items() if col not in raw.columns]
    if missing:
        raise DataError(f"missing required column {', '.join(missing)}", path=label, column=missing[0])
    return pd.DataFrame({
        "rep": raw[source["rep"]].astype("string").str.strip().astype(str),
        "amount": _parse_amounts(raw[source["amount"]], label=label, column=source["amount"], required=True)[0],
    })
