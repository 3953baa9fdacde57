"""How the intake names offending rows in its one-line errors (spreadsheet row numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planlib.i18n import N_, _

MAX_EXAMPLES = 5
_PROBLEMS = {  # one value ..., {count} values ...: whole phrases, so a translation can word each its own way
    "is not a date": (N_("1 value is not a date"), N_("{count} values are not dates")),
    "is not a number": (N_("1 value is not a number"), N_("{count} values are not numbers")),
    "is empty": (N_("1 value is empty"), N_("{count} values are empty")),
    "is out of range": (N_("1 value is out of range"), N_("{count} values are out of range")),
    "holds control characters": (N_("1 value holds control characters"), N_("{count} values hold control characters")),
}


def rows_of(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the first offending rows."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    return [int(p) + 2 for p in positions[:MAX_EXAMPLES]]


def rows_text(mask: pd.Series) -> str:
    """``rows 3, 5 and 2 more`` for a data-quality note."""
    count = int(np.asarray(mask, dtype=bool).sum())
    shown = rows_of(mask)
    rows = _(", ").join(map(str, shown))
    if count > len(shown):
        return _("rows {rows} and {more} more").format(rows=rows, more=f"{count - len(shown):,}")
    return (_("row {rows}") if count == 1 else _("rows {rows}")).format(rows=rows)


def bad_rows_message(column: str, mask: pd.Series, values: pd.Series, problem: str) -> str:
    """``column 'x': 2 values are not dates (row 3: 'a', row 5: empty)``."""
    count = int(np.asarray(mask, dtype=bool).sum())
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))[:MAX_EXAMPLES]
    examples = _(", ").join(_("row {row}: {value}").format(row=int(p) + 2, value=show(values.iloc[p])) for p in positions)
    singular, plural = _PROBLEMS[problem]
    phrase = _(singular) if count == 1 else _(plural).format(count=count)
    return _("column '{column}': {problem} ({examples})").format(column=column, problem=phrase, examples=examples)


def show(value) -> str:
    """A raw value as the user would recognise it in a message."""
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return _("empty")
    if isinstance(value, float) and np.isnan(value):
        return _("empty")
    return repr(str(value))
