"""Tables as a reader sees them: no index, headers in the report language, rates as %, money with units.

Notebooks show frames through ``format_table``. It returns a :class:`Table`, which Jupyter
shows as a plain HTML table (wide ones split into blocks that repeat the label columns)
and whose text form (what nbval compares) is stable: it changes only when a figure does.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from planlib import i18n
from planlib.i18n import _, header

__all__ = ["Table", "configure_notebook", "format_table", "localize"]

TRUE, FALSE = "✓", "—"
MAX_COLUMNS = 9  # value columns per block of a wide table (plus the repeated label columns)
_SIGNED = ("growth", "change", "yoy", "gap", "difference")
_MONEY_TOKENS = {"revenue", "value", "profit", "amount", "target", "budget", "cost", "sales", "price", "quota",
                 "baseline", "gap"}
_RATE_TOKENS = {"margin", "rate", "share", "retention", "repurchase", "probability", "attainment", "coverage",
                "utilisation", "utilization", "pct", "presence"}
_PLAIN_TOKENS = {"year", "years", "period", "cohort", "rank", "id", "month", "week", "day"}  # no separators
_STYLE = (
    "<style>table.planlib-table{border-collapse:collapse;margin:0.3em 0 0.8em 0;font-size:0.92em}"
    "table.planlib-table th{white-space:normal;max-width:9em;text-align:right;vertical-align:bottom;"
    "border-bottom:1px solid #888;padding:2px 8px}"
    "table.planlib-table td{padding:2px 8px;text-align:right;white-space:nowrap}"
    "table.planlib-table td.text,table.planlib-table th.text{text-align:left;white-space:normal;max-width:24em}"
    "</style>"
)


class Table:
    """A formatted table for people: ``frame`` holds the text of every cell under readable headers."""

    def __init__(self, frame: pd.DataFrame, *, text_columns: Iterable[str] = (), n_labels: int = 0,
                 max_columns: int = MAX_COLUMNS) -> None:
        self.frame = frame
        self.text_columns = set(text_columns)
        self.n_labels = n_labels
        self.max_columns = max_columns

    def __len__(self) -> int:
        return len(self.frame)

    def blocks(self) -> list[pd.DataFrame]:
        """The table cut into blocks of at most ``max_columns`` value columns, each with the label columns."""
        labels = list(self.frame.columns[: self.n_labels])
        values = list(self.frame.columns[self.n_labels:])
        if len(values) <= self.max_columns:
            return [self.frame]
        return [self.frame[labels + values[i: i + self.max_columns]] for i in range(0, len(values), self.max_columns)]

    def __repr__(self) -> str:
        if self.frame.empty and not len(self.frame.columns):
            return ""
        return "\n\n".join(block.to_string(index=False) for block in self.blocks())

    def _repr_html_(self) -> str:
        parts = [_STYLE]
        for block in self.blocks():
            head = "".join(f'<th class="{self._kind(c)}">{html.escape(str(c))}</th>' for c in block.columns)
            rows = "".join(
                "<tr>" + "".join(f'<td class="{self._kind(c)}">{html.escape(str(v))}</td>'
                                 for c, v in zip(block.columns, row)) + "</tr>"
                for row in block.itertuples(index=False, name=None)
            )
            parts.append(f'<table class="planlib-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
        return "".join(parts)

    def _kind(self, column: str) -> str:
        return "text" if column in self.text_columns else "number"


def format_table(
    frame: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    pct: Iterable[str] = (),
    ratio: Iterable[str] = (),
    counts: Iterable[str] = (),
    decimals: int = 0,
    max_columns: int = MAX_COLUMNS,
) -> Table:
    """A :class:`Table` of ``frame`` for a report page.

    ``money`` columns get thousands separators (in zh-CN, scaled to 万元 / 亿元 with the
    unit in the header), ``pct`` columns one-decimal percentages (signed for growth and
    change), ``ratio`` columns two decimals, ``counts`` (customers, visits: planned as
    fractions, read as people and calls) whole numbers with thousands separators. Booleans show as ✓ / —, missing values as
    blanks, a meaningful index as leading columns (a default one is dropped), headers
    in the report language. Rows of a ``metric`` / ``kpi`` table that name a rate
    (gross margin, repurchase rate...) show their money columns as percentages.
    """
    out = _with_index_as_columns(frame)
    money, pct, ratio = set(money) & set(out.columns), set(pct) & set(out.columns), set(ratio) & set(out.columns)
    counts = set(counts) & set(out.columns)
    kinds = _row_kinds(out)
    unit = _money_unit(out[sorted(money)]) if money and kinds is None else ""
    columns: dict[str, pd.Series] = {}
    titles: list[str] = []
    text_columns: list[str] = []
    bases: set[str] = set()
    for column in out.columns:
        values = out[column]
        title = _distinct(header(column), column, bases)
        bases.add(title)
        if column in money and kinds is not None:  # a metric table: each row in its own kind of number
            signed = str(column).endswith(_SIGNED)
            text = pd.Series([_metric_cell(v, k, signed, decimals) for v, k in zip(values, kinds)], dtype=object)
        elif column in money:
            text = values.map(lambda v: _money(v, unit, decimals))
            title = _("{column} ({unit})").format(column=title, unit=unit) if unit else title
        elif column in pct:
            text = values.map(lambda v: _pct(v, str(column).endswith(_SIGNED)))
        elif column in ratio:
            text = values.map(lambda v: "" if _missing(v) else f"{v:,.2f}")
        elif column in counts:
            text = values.map(lambda v: "" if _missing(v) else f"{v:,.0f}")
        elif kinds is not None and column in ("metric", "kpi", "measure"):
            text = values.map(lambda v: "" if _missing(v) else _metric_label(column, v))
            text_columns.append(title)
        else:
            text = _plain(column, values)
            if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
                text_columns.append(title)
        columns[title] = text.astype(object).reset_index(drop=True)
        titles.append(title)
    table = pd.DataFrame(columns, columns=titles) if columns else pd.DataFrame(index=range(len(out)))
    n_labels = 0
    for title in titles:
        if title not in text_columns or n_labels == 2:
            break
        n_labels += 1
    return Table(table, text_columns=text_columns, n_labels=n_labels, max_columns=max_columns)


def _distinct(title: str, column: str, taken: set[str]) -> str:
    """A header no other column of the table has already.

    Two columns can share one word in the report language (``revenue_last`` and
    ``revenue_previous`` are both 上年收入 where only one of them is shown); side by side,
    the second takes its ``column-alt`` word (前年收入), else a number, never
    overwriting the first column's values.
    """
    if title not in taken:
        return title
    alternative = i18n._p("column-alt", column)
    if alternative != column and alternative not in taken:
        return alternative
    n = 2
    while _("{column} ({n})").format(column=title, n=n) in taken:
        n += 1
    return _("{column} ({n})").format(column=title, n=n)


def localize(frame: pd.DataFrame) -> pd.DataFrame:
    """A raw frame (a pivot, a check table) with planlib's words in the report language, figures untouched.

    Column and index names and the labels of its axes go through the catalog's
    ``column`` words, the values of ``VALUE_COLUMNS`` and planlib's own row labels
    (``total``, ``new``...) through its ``value`` words; data values pass through. In
    English nothing changes, so a frame shown this way reads as before.
    """
    def label(value):
        if not isinstance(value, str):
            return value
        word = i18n._p("column", value)
        return word if word != value else i18n.own_label(value)

    out = frame.rename(columns=label, index=label)
    out = out.rename_axis(index=[label(n) for n in out.index.names], columns=[label(n) for n in out.columns.names])
    for column in frame.columns:
        if str(column) in i18n.VALUE_COLUMNS and not pd.api.types.is_numeric_dtype(frame[column]):
            out[label(column)] = frame[column].map(lambda v: i18n.value_label(column, v)).to_numpy()
        elif pd.api.types.is_bool_dtype(frame[column]) and i18n.get_language() != "en":  # True / False are English words
            out[label(column)] = frame[column].map({True: _("yes"), False: _("no")}).to_numpy()
    return out


def _with_index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a meaningful index as leading columns and flat string column names."""
    index = frame.index
    unnamed = all(n is None for n in index.names) and not isinstance(index, pd.MultiIndex)
    positional = unnamed and (isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index))
    out = frame if positional else frame.reset_index()  # row numbers go, a named index stays as columns
    if isinstance(out.columns, pd.MultiIndex):
        return out.set_axis([" / ".join(str(p) for p in c if str(p) != "") for c in out.columns], axis=1)
    return out.set_axis([str(c) for c in out.columns], axis=1)


def _row_kinds(frame: pd.DataFrame) -> list[str] | None:
    """Kind of each row of a metric table (a ``metric`` / ``kpi`` column): rate, money or count; None otherwise."""
    name = next((c for c in ("metric", "kpi", "measure") if c in frame.columns), None)
    if name is None:
        return None
    kinds = []
    for metric in frame[name].astype(str).str.lower():
        tokens = set(re.split(r"[^a-z]+", metric))
        kinds.append("rate" if tokens & _RATE_TOKENS else "money" if tokens & _MONEY_TOKENS else "count")
    return kinds


def _metric_cell(value, kind: str, signed: bool, decimals: int) -> str:
    if _missing(value):
        return ""
    if kind == "rate":
        return _points(value) if signed else _pct(value, False)
    if kind == "money" and i18n.get_language() == "zh-CN":
        return i18n.fmt_money(value)
    return f"{value:,.{decimals}f}" if kind == "money" else f"{value:,.0f}"


def _metric_label(column: str, value) -> str:
    """A metric's name: the catalog's column word (``revenue``), else its value word (a sentence such as a
    review cadence's metric), else the name with spaces."""
    word = i18n._p("column", str(value))
    if word == str(value):
        word = str(i18n.value_label(column, value))
    return header(value) if word == str(value) else word


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and not np.isfinite(value)


def _money_unit(values: pd.DataFrame) -> str:
    """One unit for the money columns of a table: "" in English (currency units), 万元 / 亿元 in Chinese."""
    if i18n.get_language() != "zh-CN":
        return ""
    numbers = values.apply(pd.to_numeric, errors="coerce").abs().stack()
    typical = float(numbers.median()) if numbers.notna().any() else 0.0
    return i18n.money_unit(typical)


def _money(value, unit: str, decimals: int) -> str:
    if _missing(value):
        return ""
    if not unit:
        return f"{value:,.{decimals}f}"
    scaled = float(value) / i18n.UNITS[unit]
    digits = decimals if unit == "元" else max(decimals, 2 if unit == "亿元" else 1)
    return f"{scaled:,.{digits}f}"


def _pct(value, signed: bool) -> str:
    return "" if _missing(value) else i18n.fmt_pct(value, signed=signed)


def _points(value) -> str:
    return "" if _missing(value) else _("{points} pts").format(points=f"{float(value) * 100:+.1f}")


def _plain(column: str, values: pd.Series) -> pd.Series:
    """Text of a column with no declared format: booleans ✓ / —, dates, quarters, rounded floats."""
    if pd.api.types.is_bool_dtype(values) or (values.dtype == object and values.map(
            lambda v: isinstance(v, (bool, np.bool_)) or _missing(v)).all() and values.notna().any()):
        return values.map(lambda v: "" if _missing(v) else TRUE if bool(v) else FALSE)
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dropna()
        if column == "month" and len(stamps) and bool((stamps.dt.day == 1).all()):
            return values.map(lambda v: "" if _missing(v) else i18n.fmt_month(v))
        return values.dt.strftime("%Y-%m-%d").fillna("")
    if column == "quarter" and values.notna().all() and values.astype(str).str.fullmatch(r"[Qq]?[1-4]").all():
        return values.map(i18n.fmt_quarter)  # 1 or "Q1" -> Q1 / 一季度
    if pd.api.types.is_float_dtype(values):
        finite = values[np.isfinite(values)]
        whole = bool(len(finite)) and bool((finite == finite.round()).all())
        return values.map(lambda v: "" if _missing(v) else (f"{v:,.0f}" if whole else f"{v:,.2f}"))
    if pd.api.types.is_integer_dtype(values) and not set(column.split("_")) & _PLAIN_TOKENS:
        return values.map(lambda v: "" if _missing(v) else f"{v:,}")
    return values.astype(object).map(lambda v: "" if _missing(v) else str(i18n.value_label(column, v)))


def configure_notebook(plan=None) -> None:
    """Pandas display options every notebook shares, and the plan's report language (``plan.report``)."""
    if plan is not None:
        i18n.activate(plan.report.language, plan.report.unit)
    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    pd.set_option("display.max_rows", 80)
    # numpy's "mean of empty slice" inside backtests of short series: reported as data in
    # the forecast's warnings table, not as noise in a manager's report
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"planlib\.forecast")
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # pragma: no cover - IPython comes with the notebook extras
        return
    shell = get_ipython()
    if shell is not None:  # show returned matplotlib Figures as PNG (charts are built without pyplot)
        select_figure_formats(shell, {"png"}, dpi=90, bbox_inches="tight")
