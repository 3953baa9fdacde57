"""Numbers as the one-line takeaways print them: ``12.3M``, ``+8.1%``, ``n/a`` for NaN.

The formatting itself lives in :mod:`planlib.i18n.numbers`, so a stage's sentence shows
amounts in the report language (``12.3M`` in English, ``1,234.5万元`` in Chinese).
"""

from __future__ import annotations

from planlib.i18n.numbers import fmt_count, fmt_money, fmt_pct

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

__all__ = ["MONTH_NAMES", "fmt_count", "fmt_money", "fmt_pct"]
