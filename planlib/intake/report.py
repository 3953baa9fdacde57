"""How the intake names offending rows in its one-line errors (spreadsheet row numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5
_PROBLEMS = {
    "is not a date": ("is not a date", "are not dates"),
    "is not a number": ("is not a number", "are not numbers"),
    "is empty": ("is empty", "are empty"),
    "is out of range": ("is out of range", "are out of range"),
    "holds control characters": ("holds control characters", "hold control characters"),
}


def rows_of(mask: pd.Series) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the first offending rows."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    return [int(p) + 2 for p in positions[:MAX_EXAMPLES]]


def rows_text(mask: pd.Series) -> str:
    """``rows 3, 5 and 2 more`` for a data-quality note."""
    count = int(np.asarray(mask, dtype=bool).sum())
    shown = rows_of(mask)
    more = f" and {count - len(shown):,} more" if count > len(shown) else ""
    return ("row " if count == 1 else "rows ") + ", ".join(map(str, shown)) + more


def bad_rows_message(column: str, mask: pd.Series, values: pd.Series, problem: str) -> str:
    """``column 'x': 2 values are not dates (row 3: 'a', row 5: empty)``."""
    count = int(np.asarray(mask, dtype=bool).sum())
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))[:MAX_EXAMPLES]
    examples = ", ".join(f"row {int(p) + 2}: {show(values.iloc[p])}" for p in positions)
    singular, plural = _PROBLEMS[problem]
    phrase = f"1 value {singular}" if count == 1 else f"{count} values {plural}"
    return f"column '{column}': {phrase} ({examples})"


def show(value) -> str:
    """A raw value as the user would recognise it in a message."""
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return "empty"
    if isinstance(value, float) and np.isnan(value):
        return "empty"
    return repr(str(value))
