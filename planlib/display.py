"""Tables as a reader sees them: rounded, with thousands separators, in stable text.

Notebooks show frames through ``format_table`` so that the stored outputs (which
nbval compares) change only when a figure changes, never with float noise.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd


def format_table(
    frame: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    pct: Iterable[str] = (),
    ratio: Iterable[str] = (),
    decimals: int = 0,
) -> pd.DataFrame:
    """Return a copy with ``money`` columns as ``12,345``, ``pct`` as ``12.3%`` and ``ratio`` as ``1.23``.

    Other float columns are rounded to two decimals; missing values show as ``-``.
    """
    out = frame.copy()
    money, pct, ratio = set(money), set(pct), set(ratio)
    for column in out.columns:
        values = out[column]
        if column in money:
            out[column] = values.map(lambda v: _blank(v) or f"{v:,.{decimals}f}")
        elif column in pct:
            signed = str(column).endswith(("growth", "change", "yoy", "gap"))
            pattern = "{:+.1%}" if signed else "{:.1%}"
            out[column] = values.map(lambda v: _blank(v) or pattern.format(v))
        elif column in ratio:
            out[column] = values.map(lambda v: _blank(v) or f"{v:,.2f}")
        elif pd.api.types.is_float_dtype(values):
            finite = values[np.isfinite(values)]
            whole = bool(len(finite)) and bool((finite == finite.round()).all())
            out[column] = values.map(lambda v: _blank(v) or (f"{v:,.0f}" if whole else f"{v:,.2f}"))
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.strftime("%Y-%m-%d").fillna("-")
    return out


def _blank(value) -> str:
    """'-' for a missing or infinite value, '' otherwise (so ``or`` falls through)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "-"
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return "-"
    return ""


def configure_notebook() -> None:
    """Pandas display options every notebook shares: wide tables, no truncated notes."""
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
