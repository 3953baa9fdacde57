"""Whole-unit rounding that keeps a total: largest-remainder (Hamilton) rounding of a
list of values (:func:`round_preserving_total`) and proportional splits of a whole amount
(:func:`split_total`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planlib.allocation._checks import _as_float_array, _check_unit, _round_half_up, _snap, _to_units
from planlib.allocation.errors import AllocationError


def _largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Integers adjacent to ``x`` (floor or ceiling) summing to ``total``."""
    x = _snap(x)
    floors = np.floor(x)
    remainders = np.round(x - floors, 9)
    missing = total - int(floors.sum())
    fractional = int((remainders > 0).sum())
    if missing < 0 or missing > fractional:
        raise AllocationError(
            f"cannot round values summing to {math.fsum(x):.6g} to the total {total} by "
            f"moving each to an adjacent whole unit; use split_total to rescale first",
            parameter="total",
        )
    order = np.lexsort((np.arange(len(x)), -remainders))
    result = floors.astype(np.int64)
    result[order[:missing]] += 1
    return result


def round_preserving_total(
    values: pd.Series | Sequence[float] | np.ndarray,
    *,
    total: float | None = None,
    unit: int = 1,
) -> pd.Series:
    """Round values to whole units keeping their sum exact (largest remainder).

    Parameters
    ----------
    values : Series or array-like of float
        The unrounded parts (may be negative).
    total : float, optional
        The whole the rounded parts must add up to, a multiple of ``unit``; default
        the sum of ``values`` rounded half up. It must be reachable by moving every
        value to its floor or ceiling (else use :func:`split_total`).
    unit : int, default 1
        The rounding unit (1 = the currency unit, 1000 = thousands).

    Returns
    -------
    Series of int64
        Same index as ``values`` (a RangeIndex for arrays); multiples of ``unit``.
    """
    where = "round_preserving_total"
    unit = _check_unit(unit, where)
    index = values.index if isinstance(values, pd.Series) else None
    x = _as_float_array(values, name="values", where=where) / unit
    if total is None:
        whole = _round_half_up(math.fsum(x))
    else:
        whole = _to_units(total, unit, name="total", where=where)
    if len(x) == 0:
        if whole != 0:
            raise AllocationError(
                f"the 'values' parameter of {where} is empty but the total is {total}",
                parameter="values",
            )
        return pd.Series([], index=index, dtype="int64")
    rounded = _largest_remainder(x, whole) * unit
    name = values.name if isinstance(values, pd.Series) else None
    return pd.Series(rounded, index=index, dtype="int64", name=name)


def split_total(
    total: float,
    weights: pd.Series | Sequence[float] | np.ndarray,
    *,
    unit: int = 1,
) -> pd.Series:
    """Split a whole amount proportionally to weights, in whole units, summing exactly.

    Parameters
    ----------
    total : float
        The amount to split; a multiple of ``unit`` (may be negative or zero).
    weights : Series or array-like of float
        Non-negative weights, not all zero (unless ``total`` is zero); they need not
        sum to one.
    unit : int, default 1
        The rounding unit.

    Returns
    -------
    Series of int64
        ``total * weight / sum(weights)`` rounded by largest remainder; same index as
        ``weights``.
    """
    where = "split_total"
    unit = _check_unit(unit, where)
    whole = _to_units(total, unit, name="total", where=where)
    index = weights.index if isinstance(weights, pd.Series) else None
    w = _as_float_array(weights, name="weights", where=where)
    if (w < 0).any():
        raise AllocationError(
            f"the 'weights' parameter of {where} must be non-negative; "
            f"got {w[w < 0][:3].tolist()}",
            parameter="weights",
        )
    weight_sum = math.fsum(w)
    if len(w) == 0 or weight_sum == 0:
        if whole == 0:
            return pd.Series(np.zeros(len(w), dtype=np.int64), index=index, dtype="int64")
        raise AllocationError(
            f"the 'weights' parameter of {where} must have a positive sum to split "
            f"{total}; got {'no weights' if len(w) == 0 else 'all zeros'}",
            parameter="weights",
        )
    # A negative total is split like its absolute value (so larger weights never get
    # smaller magnitudes), then negated.
    sign = -1 if whole < 0 else 1
    rounded = sign * _largest_remainder(abs(whole) * (w / weight_sum), abs(whole)) * unit
    name = weights.name if isinstance(weights, pd.Series) else None
    return pd.Series(rounded, index=index, dtype="int64", name=name)
