"""Numbers as a reader of the report language expects them.

English: ``12.3M``, ``Q1``, ``Mar 2025``. Chinese: amounts in 万元 or 亿元 (``report.unit``,
else chosen by the amount's size), quarters 一季度…四季度, months ``2025年3月``. Both: percentages
with one decimal, ``n/a`` (``—`` in Chinese) for a missing number.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from planlib.errors import ParamsError

# unit -> scale; English labels of the same scales
UNITS: dict[str, float] = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_QUARTERS_ZH = ("一季度", "二季度", "三季度", "四季度")


def check_unit(unit: str | None) -> str | None:
    """``unit`` when it is a known money unit (or None), else a ParamsError."""
    if unit is not None and unit not in UNITS:
        raise ParamsError(f"report.unit must be one of {', '.join(UNITS)}; got {unit!r}", key="report.unit")
    return unit


def _lang() -> str:
    from planlib.i18n.catalog import get_language

    return get_language()


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating, int, np.integer)) and not np.isfinite(float(value))


def money_unit(value: float | None = None) -> str:
    """The Chinese unit an amount is shown in: ``report.unit``, else 亿元 from 1亿, 万元 from 1万, else 元."""
    from planlib.i18n.catalog import get_unit

    unit = get_unit()
    if unit is not None:
        return unit
    size = abs(float(value)) if value is not None and not _missing(value) else 0.0
    return "亿元" if size >= 1e8 else "万元" if size >= 1e4 else "元"


def fmt_money(value: float | None, *, unit: str | None = None) -> str:
    """An amount with its unit: ``12.3M`` (en) or ``1,234.5万元`` / ``3.21亿元`` (zh-CN); n/a or — when missing."""
    lang = _lang()
    if _missing(value):
        return "—" if lang == "zh-CN" else "n/a"
    value = float(value)
    if lang != "zh-CN" and unit is None:
        size = abs(value)
        for bound, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if size >= bound:
                scaled = value / bound
                return f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:,.0f}{suffix}"
        return f"{value:,.0f}"
    unit = check_unit(unit) or money_unit(value)
    scaled = value / UNITS[unit]
    digits = 0 if unit == "元" else 2 if unit == "亿元" else 1
    return f"{scaled:,.{digits}f}{unit}"


def fmt_amount(value: float | None, currency: str = "", *, signed: bool = False) -> str:
    """An amount written out as the stage sentences print it: ``144,931,624`` or ``144,931,624 CNY`` (en), ``1.45亿元`` (zh-CN).

    English keeps every digit (and the currency code when given); Chinese reads the
    amount in 万元 / 亿元 like :func:`fmt_money`, whose unit already names the currency.
    """
    if _missing(value):
        return fmt_money(value)
    if _lang() == "zh-CN":
        return ("+" if signed and value >= 0 else "-" if value < 0 else "") + fmt_money(abs(float(value)))
    return (f"{float(value):+,.0f}" if signed else f"{float(value):,.0f}") + (f" {currency}" if currency else "")


def fmt_pct(value: float | None, *, signed: bool = False, digits: int = 1) -> str:
    """``+8.1%`` / ``41.0%`` (one decimal by default, both languages)."""
    if _missing(value):
        return "—" if _lang() == "zh-CN" else "n/a"
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def fmt_count(value: float | None) -> str:
    """``1,234``."""
    if _missing(value):
        return "—" if _lang() == "zh-CN" else "n/a"
    return f"{value:,.0f}"


def fmt_quarter(quarter: int | str) -> str:
    """Quarter 1-4 (or ``Q2``) as ``Q2`` (en) or ``二季度`` (zh-CN)."""
    number = int(str(quarter).upper().lstrip("Q"))
    if not 1 <= number <= 4:
        raise ValueError(f"a quarter must be 1 to 4; got {quarter!r}")
    return _QUARTERS_ZH[number - 1] if _lang() == "zh-CN" else f"Q{number}"


def fmt_period(period: str) -> str:
    """A pack period, ``2025`` or ``2025-Q2``, as written (en) or ``2025年`` / ``2025年二季度`` (zh-CN)."""
    text = str(period)
    if _lang() != "zh-CN":
        return text
    year, _sep, quarter = text.partition("-")
    return f"{year}年" + (fmt_quarter(quarter) if quarter else "")


def fmt_month(month: dt.date | pd.Timestamp | str, *, with_year: bool = True) -> str:
    """A month as ``Mar 2025`` / ``Mar`` (en) or ``2025年3月`` / ``3月`` (zh-CN)."""
    stamp = pd.Timestamp(month)
    if _lang() == "zh-CN":
        return f"{stamp.year}年{stamp.month}月" if with_year else f"{stamp.month}月"
    name = _MONTHS_EN[stamp.month - 1]
    return f"{name} {stamp.year}" if with_year else name
