"""Numbers as the one-line takeaways print them: ``12.3M``, ``+8.1%``, ``n/a`` for NaN."""

from __future__ import annotations

import numpy as np

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_money(value: float | None) -> str:
    """12.3M, 850K, 1.2B, 999; ``n/a`` for NaN."""
    if value is None or not np.isfinite(value):
        return "n/a"
    size = abs(value)
    for bound, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if size >= bound:
            scaled = value / bound
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:,.0f}{suffix}"
    return f"{value:,.0f}"


def fmt_pct(value: float, *, signed: bool = False, digits: int = 1) -> str:
    """``+8.1%`` / ``41.0%``; ``n/a`` for NaN."""
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def fmt_count(value: float) -> str:
    """``1,234``; ``n/a`` for NaN."""
    return "n/a" if value is None or not np.isfinite(value) else f"{value:,.0f}"
