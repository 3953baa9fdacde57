"""The Excel workbook of a plan pack: one sheet per table, ready for a sales manager.

Every sheet has a bold, frozen header row with a filter, number formats (money with
thousands separators, shares, rates and weights as %, dates as yyyy-mm-dd), booleans as
words, column widths fitted to the content and a print setup (A4 landscape, one page
wide, the header row repeated on every page); a first "Contents" sheet links to each
sheet with a line on it. Words (Contents, yes / no, headers) follow the report language.

Formats are inferred from dtypes and column names (see :func:`infer_formats`) unless
given. Sheet names follow Excel's rules (see :func:`make_sheet_names`). The file is
written with xlsxwriter, each sheet streamed to disk, to a temporary file beside the
target and renamed into place, so a reader never sees half a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from planlib.errors import DataError, PackError
from planlib.i18n import _, get_language, header, value_label

__all__ = ["FORMATS", "infer_formats", "make_sheet_names", "write_workbook"]

CONTENTS = "Contents"
MAX_SHEET_NAME = 31

# Named formats -> Excel number format codes.
FORMATS: dict[str, str] = {
    "money": "#,##0",
    "int": "#,##0",
    "pct": "0.0%",
    "ratio": "#,##0.00",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",  # zh-CN: 2025年3月
    "datetime": "yyyy-mm-dd hh:mm",
    "text": "@",
    "general": "General",
}

_PCT_TOKENS = {"share", "rate", "rates", "probability", "coverage", "growth", "uplift", "utilisation",
               "utilization", "pct", "percent", "presence", "attainment", "margin", "yoy", "weight", "weights"}
_MONEY_TOKENS = {"target", "revenue", "budget", "baseline", "cost", "amount", "value", "effect", "gap",
                 "shortfall", "excess", "balance", "price", "profit", "sales", "spend", "quota", "size",
                 "forecast", "fitted", "incremental", "running"}
_RATIO_SUFFIXES = ("index", "ratio")
_PLAIN_NAMES = {"year", "years", "n_years", "quarter", "month", "week", "day", "rank", "period"}  # no separators
_INVALID_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")
_RESERVED_SHEET_NAMES = {"history"}  # Excel refuses a sheet called History
_MAX_SHARE = 100.0  # a rate, share or growth beyond 10,000% is an amount named like a share
_WIDTH_SAMPLE = 5_000
_MIN_WIDTH = 6

_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # control characters XML cannot hold


def make_sheet_names(names: Sequence[str], *, reserved: Sequence[str] = ()) -> list[str]:
    """Excel-safe, unique sheet names, in the order given (deterministic).

    Characters Excel forbids (``\\ / ? * [ ] :``) become ``_``, leading and trailing
    apostrophes and blanks go, an empty name becomes ``Sheet``, ``History`` becomes
    ``History_``; names are cut to 31 characters. A name equal (ignoring case) to an
    earlier one or to a ``reserved`` one gets ``~2``, ``~3``... with its stem cut so the
    whole stays within 31 characters.
    """
    taken = {r.lower() for r in reserved}
    out = []
    for raw in names:
        name = _INVALID_SHEET_CHARS.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        if name.lower() in _RESERVED_SHEET_NAMES:
            name += "_"
        name = name[:MAX_SHEET_NAME]
        candidate, k = name, 1
        while candidate.lower() in taken:
            k += 1
            suffix = f"~{k}"
            candidate = name[: MAX_SHEET_NAME - len(suffix)].rstrip(" '") + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _tokens(column: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", str(column).lower()) if t]


def infer_formats(frame: pd.DataFrame) -> dict[str, str]:
    """Named format per column of ``frame`` (``money, int, pct, ratio, date, datetime``).

    Rules, first match wins: datetime dtype -> ``date`` (``datetime`` when a time of day
    is present); booleans and text -> none; year, quarter, month, rank and ``*_id``
    numbers -> ``general`` (no thousands separator); a name ending in index / ratio ->
    ``ratio``; a name with a share / rate / weight / growth / probability... token -> ``pct``
    (unless a value is beyond 100, i.e. 10,000%: then it is an amount and the rules go on);
    ``X_per_Y`` with money in Y (budget per target) -> ``ratio``; a money token (target,
    revenue, budget, baseline, cost, value, gap, size...) -> ``money``; other integers ->
    ``int``; other floats -> ``ratio``.
    """
    formats: dict[str, str] = {}
    for column in frame.columns:
        values = frame[column]
        name = str(column).lower()
        tokens = _tokens(name)
        if pd.api.types.is_datetime64_any_dtype(values):
            times = values.dropna()
            has_time = bool(len(times)) and bool((times != times.dt.normalize()).any())
            months = bool(len(times)) and name == "month" and bool((times == times.dt.to_period("M").dt.start_time).all())
            formats[column] = "datetime" if has_time else "month" if months else "date"
            continue
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        if name in _PLAIN_NAMES or name.endswith("_id"):
            formats[column] = "general"
            continue
        if tokens and tokens[-1] in _RATIO_SUFFIXES:
            formats[column] = "ratio"
        elif (name in _PCT_TOKENS or any(t in _PCT_TOKENS for t in tokens) or name.endswith("proposal_per_visit")) \
                and not _beyond_shares(values):
            formats[column] = "pct"
        elif "per" in tokens and any(t in _MONEY_TOKENS for t in tokens[tokens.index("per") + 1:]):
            formats[column] = "ratio"
        elif any(t in _MONEY_TOKENS for t in tokens):
            formats[column] = "money"
        elif pd.api.types.is_integer_dtype(values):
            formats[column] = "int"
        else:
            formats[column] = "ratio"
    return formats


def _beyond_shares(values: pd.Series) -> bool:
    """True when a column named like a share holds amounts (a quota weight of 135,581,082 is no 13,558,108,220%)."""
    numbers = pd.to_numeric(values, errors="coerce").abs()
    return bool(numbers.max() > _MAX_SHARE) if numbers.notna().any() else False


def _format_code(kind: str) -> str:
    if kind == "month" and get_language() == "zh-CN":
        return 'yyyy"年"m"月"'
    return FORMATS.get(kind, kind)


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with flat string column names and its meaningful index as columns."""
    out = frame
    default_index = isinstance(out.index, pd.RangeIndex) and out.index.start == 0 and out.index.step == 1 \
        and out.index.name is None
    if not default_index:
        out = out.reset_index()
    if isinstance(out.columns, pd.MultiIndex):
        out = out.set_axis([" / ".join(str(p) for p in col if str(p) != "") for col in out.columns], axis=1)
    else:
        out = out.set_axis([str(c) for c in out.columns], axis=1)
    return out


def _cell_value(value: object) -> object:
    """A value a cell can store: blanks for missing, Python scalars, naive datetimes."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return _("yes") if value else _("no")  # words a reader (and a filter) understands, not 1 / 0
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_localize(None) if value.tzinfo is not None else value  # local wall time
        return stamp.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value)
    return _ILLEGAL_CHARACTERS.sub("", text)


def _column_values(column: pd.Series) -> list[object]:
    """The cells of one column, converted as :func:`_cell_value` would, a whole column at a time.

    Numbers, booleans and dates convert in bulk (a 10M-line pack writes millions of cells);
    anything else goes value by value.
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype) and not column.hasnans:
        words = {True: _("yes"), False: _("no")}
        return [words[bool(v)] for v in column.to_numpy()]
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return column.to_numpy().tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        numbers = column.to_numpy(dtype=float)
        values: list[object] = numbers.tolist()
        for i in np.flatnonzero(~np.isfinite(numbers)):
            x = numbers[i]
            values[i] = None if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return values
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = column.dt.tz_localize(None) if getattr(dtype, "tz", None) is not None else column  # local wall time
        return stamps.to_numpy(dtype="datetime64[us]").tolist()  # datetimes, NaT as None
    return [_cell_value(v) for v in column.to_numpy(dtype=object)]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _column_width(header: str, values: pd.Series, kind: str | None, max_width: int) -> float:
    sample = values.iloc[:_WIDTH_SAMPLE]
    width = _display_width(header) + 2  # room for the filter button
    if kind in ("date", "month"):
        width = max(width, 10)
    elif kind == "datetime":
        width = max(width, 16)
    elif kind in ("money", "int", "pct", "ratio") and len(sample):
        numbers = pd.to_numeric(sample, errors="coerce").astype(float)
        finite = numbers[np.isfinite(numbers)]
        if len(finite):
            big = float(finite.abs().max())
            lengths = {"money": len(f"{big:,.0f}"), "int": len(f"{big:,.0f}"), "pct": len(f"{big:.1%}"),
                       "ratio": len(f"{big:,.2f}")}
            width = max(width, lengths[kind] + (1 if (finite < 0).any() else 0))
    elif len(sample):
        widths = [_display_width(str(v)) for v in sample.to_numpy(dtype=object) if _cell_value(v) is not None]
        if widths:
            width = max(width, max(widths))
    return float(min(max(width + 2, _MIN_WIDTH), max_width))


class _Styles:
    """The cell formats of one workbook, made once per number format code (xlsxwriter shares them)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "bottom_color": "#7F7F7F"})
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1})
        self._numbers: dict[str, object] = {}

    def number(self, code: str | None):
        """The format of a number or date cell with Excel format ``code`` (None: General)."""
        if code is None:
            return None
        if code not in self._numbers:
            self._numbers[code] = self.book.add_format({"num_format": code})
        return self._numbers[code]


def _write_sheet(ws, styles: _Styles, frame: pd.DataFrame, formats: Mapping[str, str], max_width: int,
                 titles: Sequence[str] | None = None, row_codes: list[str] | None = None,
                 links: Sequence[str] | None = None) -> None:
    """One table on one sheet, row by row (the sheet streams to disk): header, cells, widths, print setup.

    ``links``: sheet names the first column's cells link to (the Contents sheet).
    """
    columns = list(frame.columns)
    titles = list(titles) if titles is not None else columns
    for j, title in enumerate(titles):
        ws.write_string(0, j, str(_cell_value(title) or ""), styles.header)
    codes = [_format_code(formats[c]) if c in formats else None for c in columns]
    row_codes = row_codes if row_codes is not None else _metric_row_codes(frame)
    by_row = {j for j, (c, code) in enumerate(zip(columns, codes))
              if row_codes is not None and pd.api.types.is_numeric_dtype(frame[c]) and "%" not in (code or "")}
    values = [_column_values(frame[c]) for c in columns]
    cell_formats = [styles.number(code) for code in codes]
    date_format = styles.number(FORMATS["datetime"])  # a date cell needs a format to read as a date
    for i in range(len(frame)):
        row = i + 1
        for j, column_values in enumerate(values):
            value = column_values[i]
            if value is None or value == "":  # a blank cell, not an empty text (filters and COUNTA see it as empty)
                continue
            if isinstance(value, str):
                if links is not None and j == 0:
                    ws.write_url(row, 0, f"internal:'{links[i].replace(chr(39), chr(39) * 2)}'!A1", styles.link,
                                 string=value)
                else:
                    ws.write_string(row, j, value)  # text stays text, even when it starts with "="
            elif isinstance(value, dt.datetime):
                ws.write_datetime(row, j, value, cell_formats[j] or date_format)
            else:
                style = styles.number(row_codes[i]) if j in by_row else cell_formats[j]
                ws.write_number(row, j, value, style)
    for j, (column, title) in enumerate(zip(columns, titles)):
        ws.set_column(j, j, _column_width(str(title), frame[column], formats.get(column), max_width))
    ws.freeze_panes(1, 0)
    if columns:
        ws.autofilter(0, 0, len(frame), len(columns) - 1)  # the header and every row
    _set_print(ws)


def _metric_row_codes(frame: pd.DataFrame) -> list[str] | None:
    """Number format of each row of a metric table (``metric``/``kpi`` column): 0.0% for rates, #,##0 otherwise."""
    from planlib.display import _row_kinds

    kinds = _row_kinds(frame)
    if kinds is None:
        return None
    return [FORMATS["pct"] if kind == "rate" else FORMATS["money"] for kind in kinds]


def _set_print(ws) -> None:
    """Print setup: A4 landscape, fit to one page wide (as many pages long as needed), header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4)
    ws.set_footer("&C&A  &P / &N")  # sheet name, page of pages


def _describe(frame: pd.DataFrame) -> str:
    names = [str(c) for c in frame.columns]
    shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    return _("{rows} rows: {columns}").format(rows=f"{len(frame):,}", columns=shown)


def write_workbook(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    formats: Mapping[str, str | Mapping[str, str]] | None = None,
    descriptions: Mapping[str, str] | None = None,
    overwrite: bool = False,
    max_width: int = 60,
    readable_headers: bool = False,
) -> Path:
    """Write one Excel workbook: a Contents sheet, then a sheet per table.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet title -> table, in the order wanted. A meaningful index (not a default
        RangeIndex) is written as leading columns. Titles are made Excel-safe and
        unique by :func:`make_sheet_names` ("Contents" is taken).
    path : str or Path
        The ``.xlsx`` file; its folder is created if missing.
    formats : mapping, optional
        Column name -> named format (``money, int, pct, ratio, date, datetime, text,
        general``) or an Excel format code, for every sheet; a value that is itself a
        mapping applies to the sheet of that title only (``{"Budget": {"weight":
        "pct"}}``). Overrides :func:`infer_formats`.
    descriptions : mapping of str to str, optional
        Sheet title -> one line for the Contents sheet (default: rows and columns).
    overwrite : bool, default False
        Replace an existing file (else a ``PackError``).
    max_width : int, default 60
        Widest column, in characters.
    readable_headers : bool, default False
        Write headers as people read them in the report language (``planlib.i18n.header``:
        ``product_line`` -> "product line" / "产品线") instead of the column names.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    PackError
        When the file exists and ``overwrite`` is False, or the path is not ``.xlsx``.
    DataError
        When a sheet is not a DataFrame.
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise PackError(f"{target}: a workbook must be written to an .xlsx file")
    if target.exists() and not overwrite:
        raise PackError(f"{target}: the workbook exists already; pass overwrite=True to replace it")
    titles = list(sheets)
    for title in titles:
        if not isinstance(sheets[title], pd.DataFrame):
            raise DataError(f"write_workbook: sheet {title!r} must be a DataFrame; got {type(sheets[title]).__name__}")
    contents_name = _(CONTENTS)
    names = make_sheet_names(titles, reserved=[contents_name])
    global_formats = {k: v for k, v in (formats or {}).items() if not isinstance(v, Mapping)}
    descriptions = dict(descriptions or {})

    tables = [_flatten(sheets[t]) for t in titles]
    index = pd.DataFrame({
        "sheet": names,
        "description": [descriptions.get(t) or _describe(f) for t, f in zip(titles, tables)],
        "rows": [len(f) for f in tables],
        "columns": [f.shape[1] for f in tables],
    })

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.tmp", dir=target.parent)
    os.close(handle)
    try:
        # constant_memory: each sheet streams to disk row by row, so a 10M-line pack's
        # large tables do not sit in memory as millions of cell objects
        book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        styles = _Styles(book)
        _write_sheet(book.add_worksheet(contents_name), styles, index, {"rows": "int", "columns": "int"},
                     max_width=90, titles=[header(c) for c in index.columns], links=names)
        for title, name, frame in zip(titles, names, tables):
            sheet_formats = infer_formats(frame)
            sheet_formats.update({k: v for k, v in global_formats.items() if k in frame.columns})
            specific = (formats or {}).get(title)
            if isinstance(specific, Mapping):
                sheet_formats.update({k: v for k, v in specific.items() if k in frame.columns})
            row_codes = _metric_row_codes(frame)  # read from planlib's metric names, before they are translated
            if readable_headers:  # planlib's own words in the cells too (roles, stages...); data values unchanged
                frame = _readable_cells(frame)
            _write_sheet(book.add_worksheet(name), styles, frame, sheet_formats, max_width,
                         titles=[header(c) for c in frame.columns] if readable_headers else None, row_codes=row_codes)
        book.close()
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; a workbook reads like every other pack file
        if target.exists() and not overwrite:  # appeared while we wrote
            raise PackError(f"{target}: the workbook exists already; pass overwrite=True to replace it")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _readable_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """planlib's own words in a table's text cells (roles, stages, metric names) as people read them."""
    if frame.empty:
        return frame
    original = frame
    frame = frame.assign(**{c: frame[c].map(lambda v, c=c: value_label(c, v))  # elsewhere only planlib's own rows
                            for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})
    metric = next((c for c in ("metric", "kpi") if c in frame.columns), None)
    if metric is not None:  # metric names are planlib's words: readable, translated
        frame = frame.assign(**{metric: [v if v != raw else header(str(v))  # a sentence the catalog translated stays whole
                                         for v, raw in zip(frame[metric], original[metric])]})
    return frame


def _file_mode() -> int:
    """The mode a newly created file gets under this process's umask (0644 under umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
