"""The data-quality ledger: every line of the source read, dropped, set aside, fixed or used.

One row per check (``check, rows, amount, note, kind``). ``kind`` says how the row
counts: ``read`` (the whole file), ``dropped`` and ``set aside`` (lines that leave the
plan), ``used`` (lines the plan lives on); ``fixed`` and ``note`` lines stay in the
plan. The loaded revenue is the file's revenue minus exactly what leaves, and
``reconcile_ledger`` checks it.
"""

from __future__ import annotations

import math

import pandas as pd

from planlib.errors import DataError
from planlib.i18n import N_, _

COLUMNS = ["check", "rows", "amount", "note", "kind"]
READ, DROPPED, SET_ASIDE, FIXED, NOTE, USED = "read", "dropped", "set aside", "fixed", "note", "used"
LEAVING = (DROPPED, SET_ASIDE)


def entry(check: str, rows: int, amount: float, note: str, kind: str) -> dict:
    """One ledger row."""
    return {"check": check, "rows": int(rows), "amount": float(amount), "note": note, "kind": kind}


def ledger(entries: list[dict]) -> pd.DataFrame:
    """The ledger frame of a list of ``entry`` rows (fixed column order and types)."""
    frame = pd.DataFrame(entries, columns=COLUMNS)
    return frame.astype({"rows": "int64", "amount": "float64"})


def reconcile_ledger(quality: pd.DataFrame, *, rel_tol: float = 1e-9) -> dict[str, float]:
    """Check that the lines and revenue read equal those used plus those that left.

    Returns the figures (``read_rows``, ``read_revenue``, ``left_rows``,
    ``left_revenue``, ``used_rows``, ``used_revenue``); raises ``DataError`` when they
    do not add up, which would mean a line was lost without a ledger row.
    """
    kind = quality["kind"]
    figures = {
        "read_rows": int(quality.loc[kind == READ, "rows"].sum()),
        "read_revenue": float(quality.loc[kind == READ, "amount"].sum()),
        "left_rows": int(quality.loc[kind.isin(LEAVING), "rows"].sum()),
        "left_revenue": float(quality.loc[kind.isin(LEAVING), "amount"].sum()),
        "used_rows": int(quality.loc[kind == USED, "rows"].sum()),
        "used_revenue": float(quality.loc[kind == USED, "amount"].sum()),
    }
    rows_ok = figures["read_rows"] == figures["left_rows"] + figures["used_rows"]
    expected = figures["read_revenue"] - figures["left_revenue"]
    scale = max(1.0, abs(figures["read_revenue"]))
    revenue_ok = math.isclose(figures["used_revenue"], expected, rel_tol=0, abs_tol=rel_tol * scale + 1e-6)
    if not (rows_ok and revenue_ok):
        raise DataError(
            _("the data-quality ledger does not add up: read {read_rows} lines / {read_revenue}, left {left_rows} / {left_revenue}, "
              "used {used_rows} / {used_revenue}").format(**{k: f"{v:,.2f}" if "revenue" in k else f"{v:,}" for k, v in figures.items()})
        )
    return figures


def summarize_intake(quality: pd.DataFrame, months: pd.DataFrame) -> str:
    """One line on what the loader did: rows read and used, what left, incomplete months."""
    kind = quality["kind"] if "kind" in quality else pd.Series("", index=quality.index)

    def rows_where(mask) -> int:
        return int(quality.loc[mask, "rows"].sum())

    read = rows_where(kind == READ) or rows_where(quality["check"].str.startswith("rows read"))
    used = rows_where(kind == USED) or rows_where(quality["check"].str.startswith("rows used"))
    parts = [_("{read} rows read, {used} used").format(read=f"{read:,}", used=f"{used:,}")]
    for prefix, words in (
        ("exact duplicate", N_("{count} exact duplicates removed")),
        ("return lines", N_("{count} return lines netted")),
        ("rows after the as-of", N_("{count} rows after the as-of date kept for tracking")),
        ("rows before data.start", N_("{count} rows before data.start left out")),
        ("control characters", N_("{count} lines with control characters cleaned")),
        ("order ids shared", N_("{count} lines of order ids shared by customers split into one order per customer")),
        ("dates read as", None),
    ):
        # the date-reading row is written in the report language (planlib.intake.dates), the others in English
        hit = quality.loc[quality["check"].str.startswith(prefix) | (quality["check"].str.startswith(_("dates read as"))
                                                                      if prefix == "dates read as" else False)]
        if hit.empty:
            continue
        parts.append(str(hit["check"].iloc[0]) if words is None else _(words).format(count=f"{int(hit['rows'].sum()):,}"))
    complete = months.loc[months["complete"], "month"]
    incomplete = months.loc[~months["complete"], "month"]
    tail = _("; last complete month {month}").format(month=f"{pd.Timestamp(complete.max()):%Y-%m}") if len(complete) else ""
    if len(incomplete):
        tail += _(" ({months} incomplete, left out of the forecast fit)").format(months=_(", ").join(f"{m:%Y-%m}" for m in incomplete))
    return _("; ").join(parts) + tail + _(".")
