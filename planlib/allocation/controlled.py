"""Controlled rounding of a multi-dimensional table keeping every 1-D marginal exact
(:func:`round_table_preserving_margins`), and the HiGHS integer programs behind it.

The rounding rules are set out in :mod:`planlib.allocation`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planlib.allocation._checks import (
    _as_float_array,
    _check_table,
    _check_unit,
    _encode,
    _margin_vector,
    _round_half_up,
    _snap,
)
from planlib.allocation.errors import AllocationError
from planlib.allocation.totals import _largest_remainder


def _marginal_rows(codes: np.ndarray, n_levels: int, n_cells: int) -> sparse.csr_matrix:
    """Incidence matrix: row l sums the cells whose code is l."""
    return sparse.csr_matrix(
        (np.ones(n_cells), (codes, np.arange(n_cells))), shape=(n_levels, n_cells)
    )


def _solve(
    cost: np.ndarray,
    integrality: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    blocks: list[tuple[sparse.spmatrix, np.ndarray, np.ndarray]],
) -> np.ndarray | None:
    """One HiGHS run (deterministic); None when the program is infeasible."""
    matrix = sparse.vstack([b[0] for b in blocks], format="csr")
    lo = np.concatenate([b[1] for b in blocks])
    hi = np.concatenate([b[2] for b in blocks])
    res = milp(
        cost,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=[LinearConstraint(matrix, lo, hi)],
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if res.status == 0 and res.x is not None:
        return res.x
    if res.status == 2:  # infeasible
        return None
    raise AllocationError(f"the rounding solver stopped without a solution: {res.message}")


# A partition constraint: (codes per cell, lower, upper) on the sums per level.
_Partition = tuple[np.ndarray, np.ndarray, np.ndarray]


def _partition_blocks(
    partitions: list[_Partition], n: int, offset: np.ndarray, total: int | None, width: int
) -> list[tuple[sparse.spmatrix, np.ndarray, np.ndarray]]:
    """Constraint rows for level sums (shifted by ``offset``) and the grand total."""
    blocks = []
    for codes, lo, hi in partitions:
        base = np.bincount(codes, weights=offset, minlength=len(lo))
        rows = _marginal_rows(codes, len(lo), n)
        if width > n:
            rows = sparse.hstack([rows, sparse.csr_matrix((len(lo), width - n))])
        blocks.append((rows, lo - base, hi - base))
    if total is not None:
        row = sparse.csr_matrix(np.concatenate([np.ones(n), np.zeros(width - n)]))
        rest = total - offset.sum()
        blocks.append((row, np.array([rest]), np.array([rest])))
    return blocks


def _controlled(
    v: np.ndarray, partitions: list[_Partition], total: int | None = None
) -> np.ndarray | None:
    """Floor-or-ceiling integers for ``v`` whose level sums stay within the bounds.

    Cells already whole stay put; the total absolute change is minimal (ties: whatever
    HiGHS settles on, deterministically). None when no such rounding exists.
    """
    n = len(v)
    floors = np.floor(v)
    remainders = np.round(v - floors, 9)
    blocks = _partition_blocks(partitions, n, floors, total, n)
    if all(np.all((b[1] <= 0) & (b[2] >= 0)) for b in blocks):
        if np.all(remainders < 0.5):
            return floors.astype(np.int64)
    free = remainders > 0
    solution = _solve(
        1.0 - 2.0 * remainders, np.ones(n), np.zeros(n), free.astype(float), blocks
    )
    if solution is None:
        return None
    return (floors + np.round(solution)).astype(np.int64)


def _controlled_nested(
    v: np.ndarray, codes: list[np.ndarray], bounds: list[tuple[np.ndarray, np.ndarray]], total: int
) -> np.ndarray | None:
    """Controlled rounding dimension by dimension (each step a 2-D transport problem).

    Step k rounds the marginal over dims 0..k, its rows (dims 0..k-1) held at step k-1's
    result and its columns within dim k's bounds; so every leading marginal stays within
    one unit and every 1-D marginal within its bounds.
    """
    prefix = codes[0]
    prefix_lo, prefix_hi = bounds[0]
    for k in range(1, len(codes)):
        n_k = len(bounds[k][0])
        combo, inv = np.unique(prefix * n_k + codes[k], return_inverse=True)
        stage = _snap(np.bincount(inv, weights=v, minlength=len(combo)))
        rounded = _controlled(
            stage,
            [(combo // n_k, prefix_lo, prefix_hi), (combo % n_k, *bounds[k])],
            total,
        )
        if rounded is None:
            return None
        prefix, prefix_lo, prefix_hi = inv, rounded, rounded
    return prefix_lo[prefix]


def _relaxed(
    v: np.ndarray, partitions: list[_Partition], total: int, keep_zeros: bool
) -> np.ndarray | None:
    """Whole numbers within the bounds with the least total absolute change."""
    n = len(v)
    x_lb = np.where(v >= 0, 0.0, -np.inf)
    x_ub = np.where((v == 0) & keep_zeros, 0.0, np.inf)
    eye = sparse.identity(n, format="csr")
    blocks = _partition_blocks(partitions, n, np.zeros(n), total, 2 * n)
    blocks.append((sparse.hstack([-eye, eye]), -v, np.full(n, np.inf)))  # d >= x - v
    blocks.append((sparse.hstack([eye, eye]), v, np.full(n, np.inf)))  # d >= v - x
    solution = _solve(
        np.concatenate([np.zeros(n), np.ones(n)]),
        np.concatenate([np.ones(n), np.zeros(n)]),
        np.concatenate([x_lb, np.zeros(n)]),
        np.concatenate([x_ub, np.full(n, np.inf)]),
        blocks,
    )
    return None if solution is None else np.round(solution[:n]).astype(np.int64)


def round_table_preserving_margins(
    table: pd.DataFrame,
    *,
    dims: Sequence[str],
    value: str = "value",
    margins: Mapping[str, pd.Series] | None = None,
    unit: int = 1,
    keep_zeros: bool = True,
) -> pd.DataFrame:
    """Round a multi-dimensional table to whole units keeping every 1-D marginal exact.

    Controlled rounding: each cell goes to its floor or ceiling (whole cells, zeros in
    particular, stay put), every 1-D marginal equals its integer target (given, or an
    adjacent whole number) and the grand total is exact. It is solved
    dimension by dimension, each step a small transport problem for
    :func:`scipy.optimize.milp` minimising the total absolute change, so the leading
    marginals (``dims[0] x dims[1]``, then ``dims[0] x dims[1] x dims[2]``, ...) also stay
    within one unit of their unrounded sums: order ``dims`` with the 2-D table you publish
    first. If that fails, all 1-D constraints are solved at once; if even that fails, cells
    may move further than one unit (least total change). ``attrs["rounding"]`` records
    ``"controlled"``, ``"controlled_1d"`` or ``"relaxed"``.

    Parameters
    ----------
    table : DataFrame
        Long table: one row per cell, the ``dims`` columns and ``value``.
    dims : sequence of str
        The dimension columns (one for a plain list, two for a matrix, ...).
    value : str, default "value"
        The column to round.
    margins : mapping of str to Series, optional
        Integer targets per level for some or all dimensions (multiples of ``unit``,
        one grand total; pass them to match targets already published). A dimension
        without one has its marginal rounded to adjacent whole units chosen together
        with the cells, at that grand total (default: the table's sum rounded half up).
        A 1-D table without margins is rounded by largest remainder.
    unit : int, default 1
        The rounding unit.
    keep_zeros : bool, default True
        Zero cells stay zero even when cells must move further than one unit.

    Returns
    -------
    DataFrame
        A copy of ``table`` (same rows and order) with ``value`` as int64.
    """
    where = "round_table_preserving_margins"
    dims = list(dims)
    _check_table(table, dims, value, where)
    unit = _check_unit(unit, where)
    margins = dict(margins or {})
    extra = [d for d in margins if d not in dims]
    if extra:
        raise AllocationError(
            f"the 'margins' parameter of {where} names unknown dimension(s) {extra}; dims are {dims}",
            parameter="margins",
        )
    # Canonical order (sorted by dims) so the result does not depend on row order.
    order = np.lexsort([pd.Index(table[d]).factorize(sort=True)[0] for d in reversed(dims)])
    work = table.iloc[order]
    v = _snap(_as_float_array(work[value], name=value, where=where) / unit)
    codes, levels = _encode(work, dims, margins, where)

    given = {}
    for d, lv in zip(dims, levels):
        if d in margins:
            t = _margin_vector(margins[d], lv)
            t = _as_float_array(t, name=f"margins[{d!r}]", where=where) / unit
            whole = np.round(t)
            if np.any(np.abs(t - whole) > 1e-6):
                raise AllocationError(
                    f"the margin for '{d}' given to {where} must hold whole multiples of "
                    f"the unit {unit}",
                    parameter="margins",
                )
            given[d] = whole.astype(np.int64)
    if given:
        sums = {d: int(t.sum()) for d, t in given.items()}
        grand = next(iter(sums.values()))
        if any(s != grand for s in sums.values()):
            raise AllocationError(
                f"the margins given to {where} must share one grand total; got {sums}",
                parameter="margins",
            )
    else:
        grand = _round_half_up(math.fsum(v))
    bounds: list[tuple[np.ndarray, np.ndarray]] = []
    for axis, (d, lv) in enumerate(zip(dims, levels)):
        if d in given:
            bounds.append((given[d], given[d]))
            continue
        fractional = _snap(np.bincount(codes[axis], weights=v, minlength=len(lv)))
        bounds.append((np.floor(fractional), np.ceil(fractional)))
    if not given and len(dims) == 1:
        rounded = _largest_remainder(v, grand)
        method = "controlled"
    else:
        partitions = [(c, lo, hi) for c, (lo, hi) in zip(codes, bounds)]
        if len(dims) == 1:  # one cell per level: the cells are the margin
            target = given[dims[0]]
            covered = np.zeros(len(target), dtype=bool)
            covered[codes[0]] = True
            rounded = None if np.any(~covered & (target != 0)) else target[codes[0]]
            method = "controlled"
        else:
            method = "controlled"
            rounded = _controlled_nested(v, codes, bounds, grand)
            if rounded is None and len(dims) > 2:
                method = "controlled_1d"
                rounded = _controlled(v, partitions, grand)
        if rounded is None:
            method = "relaxed"
            rounded = _relaxed(v, partitions, grand, keep_zeros)
    if rounded is None:
        raise AllocationError(
            f"no whole-unit table meets the margins given to {where}: a level with a "
            f"positive target has only zero cells (keep_zeros=True) or signs conflict",
            parameter="margins",
        )
    values = np.empty(len(v), dtype=np.int64)
    values[order] = rounded * unit
    out = table.copy()
    out[value] = values
    out.attrs["rounding"] = method
    return out
