"""Order dates read right: one day/month order for the whole column, never a guess per line.

Each text value is matched against a few shapes (ISO, year-first with ``/`` or ``.``,
``2019年1月3日``, eight digits, and the ambiguous ``03/01/19``) and parsed by pandas with
the exact ``format`` of its shape. For ``a/b/y`` the order comes from ``data.date_format``
or from the whole column: a value above 12 in one position and none in the other decides
it; otherwise the loader stops and asks for ``data.date_format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.i18n import N_, _
from planlib.intake.report import bad_rows_message, rows_of

DAYFIRST = "dayfirst"
MONTHFIRST = "monthfirst"
ORDERS = (DAYFIRST, MONTHFIRST)
_WORDS = {DAYFIRST: N_("day/month/year"), MONTHFIRST: N_("month/day/year")}

# (name, pattern of the date part, pandas format built from the groups)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?$")
_YEAR_FIRST = re.compile(r"^(?P<date>\d{4}(?P<sep>[/.])\d{1,2}(?P=sep)\d{1,2})(?:[T ].*)?$")
_CHINESE = re.compile(r"^(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?:.*)?$")
_COMPACT = re.compile(r"^(?P<date>(?:19|20)\d{6})$")
_TWO_FIRST = re.compile(
    r"^(?P<date>(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2}))(?:[T ].*)?$"
)
_HAS_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class DateReading:
    """How a date column was read: the order used and how many lines decided it."""

    order: str | None  # dayfirst / monthfirst, None when no value needed one
    source: str  # "params" (data.date_format), "inferred", "format" or "none"
    deciding_lines: int = 0

    @property
    def note(self) -> str | None:
        """The data-quality line that says how dates were read, when it matters."""
        if self.order is None:
            return None
        if self.source == "inferred":
            lines = _("1 line decides it") if self.deciding_lines == 1 else _("{count} lines decide it").format(count=f"{self.deciding_lines:,}")
            return _("dates read as {order}: {lines}").format(order=_(_WORDS[self.order]), lines=lines)
        return _("dates read as {order}: set by data.date_format").format(order=_(_WORDS[self.order]))


def parse_dates(
    values: pd.Series,
    *,
    date_format: str | None = None,
    label: str,
    column: str,
) -> tuple[pd.Series, DateReading]:
    """Parse a column of order dates to midnight timestamps, saying how.

    Parameters
    ----------
    values : Series
        Raw values: datetimes (Excel date cells, Parquet), text, or a mix of both.
    date_format : str, optional
        ``dayfirst``, ``monthfirst`` or a strftime pattern (``%d.%m.%Y``) applied to
        every text value; None infers the order from the whole column.
    label, column : str
        The source and its column, for error messages.

    Raises
    ------
    DataError
        Values that are not dates (rows named), day/month order that the column does
        not decide (naming ``data.date_format``), or a column that contradicts itself.
    """
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    reading = DateReading(order=None, source="none")
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = _naive(values)
    else:
        is_stamp = pd.Series(False, index=values.index)
        if values.dtype == object:  # Excel: date cells mixed with text cells
            is_stamp = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year")).astype(bool)
        if is_stamp.any():
            parsed.loc[is_stamp] = _naive(pd.to_datetime(values[is_stamp].astype(object), errors="coerce"))
        text = values[~is_stamp].astype("string").str.strip()
        text = text[text.notna() & (text != "")]
        codes, uniques = pd.factorize(text)  # each distinct date text parsed once
        distinct = pd.Series(uniques, dtype="string")
        if date_format is not None and date_format not in ORDERS:
            read = pd.to_datetime(distinct, format=date_format, errors="coerce")
            reading = DateReading(order=None, source="format")
        else:
            lines = np.bincount(codes, minlength=len(distinct))
            first_row = text.index.to_numpy()[np.unique(codes, return_index=True)[1]] + 2
            read, reading = _parse_text(distinct, lines=lines, first_row=first_row, date_format=date_format, label=label, column=column)
        if len(text):
            parsed.loc[text.index] = read.to_numpy(dtype="datetime64[ns]")[codes]
    bad = parsed.isna()
    if bad.any():
        hint = _(" (data.date_format is {format})").format(format=repr(date_format)) if date_format else ""
        raise DataError(bad_rows_message(column, bad, values, "is not a date") + hint, path=label, column=column, rows=rows_of(bad))
    return parsed.astype("datetime64[ns]").dt.normalize(), reading


def _naive(values: pd.Series) -> pd.Series:
    values = pd.to_datetime(values, errors="coerce")
    return values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values


def _parse_text(
    text: pd.Series, *, lines: np.ndarray, first_row: np.ndarray, date_format: str | None, label: str, column: str
) -> tuple[pd.Series, DateReading]:
    """Parse distinct text dates shape by shape, each shape with its exact pandas format.

    ``lines`` counts the lines holding each value and ``first_row`` is the spreadsheet
    row of its first line (for the messages).
    """
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    iso = text.str.match(_ISO)
    if iso.any():
        out.loc[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
    rest = text[~iso]
    for pattern, make_format in (
        (_YEAR_FIRST, lambda m: f"%Y{m['sep']}%m{m['sep']}%d"),
        (_COMPACT, lambda m: "%Y%m%d"),
    ):
        found = rest.str.extract(pattern)
        hit = found["date"].notna()
        for fmt, group in found[hit].groupby(found[hit].apply(make_format, axis=1)):
            out.loc[group.index] = pd.to_datetime(group["date"], format=fmt, errors="coerce")
        rest = rest[~hit]
    found = rest.str.extract(_CHINESE)
    hit = found["date"].notna()
    if hit.any():
        squeezed = found.loc[hit, "date"].str.replace(r"\s+", "", regex=True)
        out.loc[squeezed.index] = pd.to_datetime(squeezed, format="%Y年%m月%d日", errors="coerce")
    rest = rest[~hit]
    reading = DateReading(order=None, source="none")
    found = rest.str.extract(_TWO_FIRST)
    hit = found["date"].notna()
    if hit.any():
        order, reading = _decide_order(found[hit], lines=lines, first_row=first_row, date_format=date_format, label=label, column=column)
        parts = found[hit]
        keys = parts["sep"] + "|" + parts["year"].str.len().astype(str)
        for key, group in parts.groupby(keys):
            sep, width = key.split("|")
            year = "%Y" if width == "4" else "%y"
            fmt = f"%d{sep}%m{sep}{year}" if order == DAYFIRST else f"%m{sep}%d{sep}{year}"
            out.loc[group.index] = pd.to_datetime(group["date"], format=fmt, errors="coerce")
    rest = rest[~hit]
    worded = rest[rest.str.contains(_HAS_LETTER)]  # month names (03-Jan-2019, Jan 3, 2019) are not ambiguous
    if len(worded):
        out.loc[worded.index] = pd.to_datetime(worded, format="mixed", errors="coerce")
    return out, reading


def _decide_order(
    parts: pd.DataFrame, *, lines: np.ndarray, first_row: np.ndarray, date_format: str | None, label: str, column: str
) -> tuple[str, DateReading]:
    """The day/month order of ``a/b/year`` values: from params, or decided by the column."""
    first = parts["a"].astype(int)
    second = parts["b"].astype(int)
    weight = lines[parts.index.to_numpy()]
    day_first = (first > 12).to_numpy()  # only a day can exceed 12
    month_first = (second > 12).to_numpy()
    if date_format in ORDERS:
        return date_format, DateReading(order=date_format, source="params")
    if day_first.any() and month_first.any():
        a = parts.index[day_first][0]
        b = parts.index[month_first][0]
        ra, rb = int(first_row[a]), int(first_row[b])
        (ra, da), (rb, db) = (ra, parts.at[a, "date"]), (rb, parts.at[b, "date"])
        raise DataError(
            _("column '{column}': the dates mix day/month/year (row {row_a}: {date_a}) and month/day/year (row {row_b}: {date_b}); "
              "fix the file or set data.date_format").format(column=column, row_a=ra, date_a=repr(da), row_b=rb, date_b=repr(db)),
            path=label, column=column, rows=sorted([ra, rb]),
        )
    if day_first.any():
        return DAYFIRST, DateReading(order=DAYFIRST, source="inferred", deciding_lines=int(weight[day_first].sum()))
    if month_first.any():
        return MONTHFIRST, DateReading(order=MONTHFIRST, source="inferred", deciding_lines=int(weight[month_first].sum()))
    example = parts["date"].iloc[0]
    raise DataError(
        _("column '{column}': {count} dates such as {example} read either as day/month or month/day and no value above 12 decides it; "
          "set data.date_format to dayfirst or monthfirst").format(column=column, count=f"{int(weight.sum()):,}", example=repr(example)),
        path=label, column=column,
    )
