"""Argument checks shared by the stage modules: one clear line naming the parameter or column.

Every public function of targets, actions and tracking checks its frames and numbers the
same way, so a user sees the same kind of message whichever stage they called.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from planlib.errors import DataError, ParamsError


def require_frame(frame: object, name: str, where: str, columns: Sequence[str], *, allow_empty: bool = False) -> pd.DataFrame:
    """``frame`` as a DataFrame holding ``columns`` (and rows unless ``allow_empty``), else DataError."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"the '{name}' parameter of {where} must be a DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"the '{name}' frame given to {where} lacks column(s) {missing}; got columns {list(frame.columns)}",
            column=missing[0],
        )
    if frame.empty and not allow_empty:
        raise DataError(f"the '{name}' frame given to {where} is empty")
    return frame


def require_unique(frame: pd.DataFrame, column: str, name: str, where: str) -> None:
    """DataError naming up to 5 repeated values of ``column``."""
    dup = frame[column].duplicated()
    if dup.any():
        raise DataError(
            f"the '{name}' frame given to {where} repeats {column} value(s) "
            f"{frame.loc[dup, column].astype(str).unique()[:5].tolist()}",
            column=column,
        )


def require_number(value: object, name: str, where: str, *, low: float | None = None,
                   high: float | None = None, low_open: bool = False) -> float:
    """``value`` as a finite float inside the bounds, else ParamsError stating the range."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParamsError(f"the '{name}' parameter of {where} must be a number; got {value!r} instead", key=name) from None
    bad = not math.isfinite(x)
    if low is not None:
        bad = bad or (x <= low if low_open else x < low)
    if high is not None:
        bad = bad or x > high
    if bad:
        lo = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        hi = "" if high is None else f"<= {high}"
        rng = " and ".join(p for p in (lo, hi) if p) or "finite"
        raise ParamsError(f"the '{name}' parameter of {where} must be {rng}; got {value!r} instead", key=name)
    return x
