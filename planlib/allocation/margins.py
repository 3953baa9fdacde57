"""Iterative proportional fitting: a seed table scaled to given 1-D margins
(:func:`fit_to_margins`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planlib.allocation._checks import _as_float_array, _check_table, _encode, _margin_vector
from planlib.allocation.errors import AllocationError

_IPF_ACCEPT = 1e-6  # margin error (share of the grand total) still kept after max_iter sweeps ...
_IPF_ACCEPT_FLOOR = 0.01  # ... or a hundredth of a unit: a strong diagonal seed crawls there (0.00101)


def fit_to_margins(
    seed: pd.DataFrame,
    *,
    dims: Sequence[str],
    margins: Mapping[str, pd.Series],
    value: str = "value",
    tol: float = 1e-10,
    max_iter: int = 5000,
) -> pd.DataFrame:
    """Scale a seed table to given 1-D margins by iterative proportional fitting (IPF).

    Parameters
    ----------
    seed : DataFrame
        Long table: one row per cell, the ``dims`` columns and a non-negative ``value``.
        Cells absent from the frame, and zero cells, are structural zeros and stay zero.
    dims : sequence of str
        The dimension columns.
    margins : mapping of str to Series
        For every dimension, the target total per level (index = level). All margins
        must have the same grand total.
    value : str, default "value"
        The column holding the seed values; it holds the fitted values on return.
    tol : float, default 1e-10
        Stop when no margin is off by more than ``tol`` times the grand total.
    max_iter : int, default 5000
        Sweeps before giving up: a fit then within ``1e-6`` of the grand total (or
        ``1e-3`` in value units) on every margin is kept (IPF converges slowly when cells
        tend to zero, e.g. small integer targets), a worse one raises.

    Returns
    -------
    DataFrame
        A copy of ``seed`` (same rows, same order) with ``value`` replaced by the fitted
        values: the table closest to the seed, in the Kullback-Leibler sense, whose
        margins are the targets.
    """
    where = "fit_to_margins"
    _check_table(seed, dims, value, where)
    missing = [d for d in dims if d not in margins]
    extra = [d for d in margins if d not in dims]
    if missing or extra:
        raise AllocationError(
            f"the 'margins' parameter of {where} must give one margin per dimension {list(dims)}; "
            f"missing {missing}, unknown {extra}",
            parameter="margins",
        )
    x0 = _as_float_array(seed[value], name=value, where=where)
    if (x0 < 0).any():
        raise AllocationError(
            f"the seed given to {where} must be non-negative; got {int((x0 < 0).sum())} negative cell(s)",
            parameter="seed",
        )
    codes, levels = _encode(seed, dims, margins, where)
    targets = []
    for d, lv in zip(dims, levels):
        t = _as_float_array(_margin_vector(margins[d], lv), name=f"margins[{d!r}]", where=where)
        if (t < 0).any():
            raise AllocationError(
                f"the margin for '{d}' given to {where} must be non-negative; "
                f"got {list(lv[t < 0][:3])} negative",
                parameter="margins",
            )
        targets.append(t)
    totals = [math.fsum(t) for t in targets]
    grand = totals[0]
    scale = max(1.0, abs(grand))
    if any(abs(t - grand) > 1e-9 * scale for t in totals):
        raise AllocationError(
            f"the margins given to {where} must share one grand total; got "
            + ", ".join(f"{d}={t:.10g}" for d, t in zip(dims, totals)),
            parameter="margins",
        )
    shape = tuple(len(lv) for lv in levels)
    cube = np.zeros(shape)
    cube[tuple(codes)] = x0
    for axis, (d, lv, t) in enumerate(zip(dims, levels, targets)):
        have = cube.sum(axis=tuple(a for a in range(len(dims)) if a != axis))
        empty = (have <= 0) & (t > 0)
        if empty.any():
            raise AllocationError(
                f"the seed given to {where} has no positive cell for {d} = "
                f"{list(lv[empty][:5])}, which must receive a positive total",
                parameter="seed",
            )
    if grand == 0:
        cube[:] = 0.0
    else:
        axes_all = range(len(dims))
        for _ in range(max_iter):
            worst = 0.0
            for axis, t in enumerate(targets):
                other = tuple(a for a in axes_all if a != axis)
                have = cube.sum(axis=other)
                factor = np.divide(t, have, out=np.zeros_like(t), where=have > 0)
                shape_b = [1] * len(dims)
                shape_b[axis] = -1
                cube *= factor.reshape(shape_b)
            for axis, t in enumerate(targets):
                other = tuple(a for a in axes_all if a != axis)
                worst = max(worst, float(np.max(np.abs(cube.sum(axis=other) - t))))
            if worst <= tol * scale:
                break
        else:
            # IPF crawls when the fit has cells near zero: a fit this close is reachable
            # and only short of sweeps; unreachable margins stall far above it.
            if worst > max(_IPF_ACCEPT * scale, _IPF_ACCEPT_FLOOR):
                raise AllocationError(
                    f"{where} did not converge in {max_iter} sweeps (largest margin error "
                    f"{worst:.3g}); the seed's zero cells make the margins unreachable",
                    parameter="seed",
                )
    out = seed.copy()
    out[value] = cube[tuple(codes)]
    return out
