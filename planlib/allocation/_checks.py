"""Argument checks and unit conversion shared by the allocation routines: units, amounts,
numeric arrays, long tables and their dimension codes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from planlib.allocation.errors import AllocationError

# Values within this distance of a whole unit are treated as whole (float noise).
_SNAP = 1e-9


def _check_unit(unit: Any, where: str) -> int:
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or unit < 1:
        raise AllocationError(
            f"the 'unit' parameter of {where} must be a positive integer; got {unit!r} instead",
            parameter="unit",
        )
    return int(unit)


def _to_units(amount: Any, unit: int, *, name: str, where: str) -> int:
    """A whole amount expressed in units; raises if it is not a multiple of ``unit``."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise AllocationError(
            f"the '{name}' parameter of {where} must be a number; got {amount!r} instead",
            parameter=name,
        ) from None
    if not math.isfinite(value):
        raise AllocationError(
            f"the '{name}' parameter of {where} must be finite; got {amount!r} instead",
            parameter=name,
        )
    units = value / unit
    whole = round(units)
    if abs(units - whole) > 1e-6:
        raise AllocationError(
            f"the '{name}' parameter of {where} must be a whole multiple of the unit {unit}; "
            f"got {amount!r} instead",
            parameter=name,
        )
    return int(whole)


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _snap(x: np.ndarray) -> np.ndarray:
    nearest = np.round(x)
    return np.where(np.abs(x - nearest) < _SNAP, nearest, x)


def _as_float_array(values: Any, *, name: str, where: str) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise AllocationError(
            f"the '{name}' parameter of {where} must hold numbers", parameter=name
        ) from None
    if x.ndim != 1:
        raise AllocationError(
            f"the '{name}' parameter of {where} must be one-dimensional; got shape {x.shape}",
            parameter=name,
        )
    bad = ~np.isfinite(x)
    if bad.any():
        raise AllocationError(
            f"the '{name}' parameter of {where} must hold finite numbers; "
            f"got {int(bad.sum())} missing or infinite value(s)",
            parameter=name,
        )
    return x


def _check_table(table: pd.DataFrame, dims: Sequence[str], value: str, where: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise AllocationError(
            f"the 'table' parameter of {where} must be a DataFrame; got {type(table).__name__}",
            parameter="table",
        )
    if len(dims) == 0 or len(set(dims)) != len(dims):
        raise AllocationError(
            f"the 'dims' parameter of {where} must name distinct columns; got {list(dims)!r}",
            parameter="dims",
        )
    missing = [c for c in [*dims, value] if c not in table.columns]
    if missing:
        raise AllocationError(
            f"the 'table' parameter of {where} lacks column(s) {missing}; "
            f"got columns {list(table.columns)}",
            parameter="table",
        )
    if table.empty:
        raise AllocationError(f"the 'table' parameter of {where} is empty", parameter="table")
    if table[list(dims)].isna().any().any():
        raise AllocationError(
            f"the dimension columns {list(dims)} of the table given to {where} hold missing values",
            parameter="table",
        )
    dup = table.duplicated(subset=list(dims))
    if dup.any():
        example = table.loc[dup, list(dims)].iloc[0].tolist()
        raise AllocationError(
            f"the table given to {where} has {int(dup.sum())} duplicate cell(s), e.g. {example}; "
            f"aggregate it first",
            parameter="table",
        )


def _encode(
    table: pd.DataFrame, dims: Sequence[str], margins: Mapping[str, pd.Series], where: str
) -> tuple[list[np.ndarray], list[pd.Index]]:
    """Integer codes per dimension over sorted levels (union of table and margin levels)."""
    codes, levels = [], []
    for d in dims:
        observed = pd.Index(pd.unique(table[d]))
        if d in margins:
            margin_index = pd.Index(margins[d].index)
            if margin_index.has_duplicates:
                raise AllocationError(
                    f"the margin for '{d}' given to {where} has duplicate levels",
                    parameter="margins",
                )
            unknown = observed.difference(margin_index)
            if len(unknown):
                raise AllocationError(
                    f"the margin for '{d}' given to {where} lacks level(s) "
                    f"{list(unknown[:5])} found in the table",
                    parameter="margins",
                )
            lv = margin_index.union(observed, sort=False)
        else:
            lv = observed
        try:
            lv = lv.sort_values()
        except TypeError:
            lv = pd.Index(sorted(lv, key=str))
        codes.append(lv.get_indexer(table[d]))
        levels.append(lv)
    return codes, levels


def _margin_vector(margin: pd.Series, level_index: pd.Index) -> np.ndarray:
    return margin.reindex(level_index).fillna(0.0).to_numpy(dtype=float)
