"""Words and numbers of the report in its language: gettext catalogs (Babel .po) and Chinese number conventions.

``report.language`` (``en`` or ``zh-CN``) picks the catalog; English messages are the
catalog keys, so ``en`` needs no catalog. Call :func:`activate` once (``configure_notebook``
and the pack runner do), then write every reader-facing string as ``_("...")`` (or
``_p("column", name)`` for a table header, ``N_("...")`` in a table built at import time
and translated with ``_()`` where it is shown) and every number through ``fmt_*``.
"""

from __future__ import annotations

from planlib.i18n.catalog import (
    LANGUAGES,
    N_,
    _,
    _p,
    activate,
    get_language,
    get_unit,
    header,
    headers,
    VALUE_COLUMNS,
    language,
    own_label,
    value_label,
)
from planlib.i18n.numbers import UNITS, fmt_amount, fmt_count, fmt_money, fmt_month, fmt_pct, fmt_period, fmt_quarter, money_unit

__all__ = [
    "LANGUAGES", "N_", "UNITS", "_", "_p", "activate", "fmt_amount", "fmt_count", "fmt_money", "fmt_month", "fmt_pct", "fmt_period", "fmt_quarter",
    "VALUE_COLUMNS", "get_language", "get_unit", "header", "headers", "language", "money_unit", "own_label", "value_label",
]
