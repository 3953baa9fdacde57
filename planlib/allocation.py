"""Exact splitting machinery: proportional splits, iterative proportional fitting and
rounding to the currency unit such that every part adds up exactly to its parent.

The planning rules live in :mod:`planlib.targets`; this module only knows numbers.

Rounding rules
--------------
* 1-D (:func:`round_preserving_total`, :func:`split_total`): largest-remainder
  (Hamilton) rounding. Every value goes to its floor or its ceiling; the units still
  missing go to the largest remainders; equal remainders (to 1e-9 of a unit) go to the
  earlier position. Deterministic and order-stable.
* N-D (:func:`round_table_preserving_margins`): controlled rounding. Every cell goes
  to its floor or its ceiling (whole cells, zeros in particular, stay put) such that
  every 1-D marginal equals its integer target exactly (targets given by the caller, or
  else adjacent whole numbers chosen with the cells; the grand total is fixed). It is
  solved one dimension at a time: step k rounds the marginal over ``dims[:k+1]`` with its
  rows held at step k-1's result and its columns at dimension k's targets, a transport problem that
  :func:`scipy.optimize.milp` (HiGHS, deterministic) solves at the root because its
  matrix is totally unimodular. So the leading marginals (``dims[0] x dims[1]``, ...)
  also stay within one unit, and each step minimises the total absolute change, which
  in one dimension is exactly largest-remainder rounding. Should a step be infeasible
  (zero cells can block it) all 1-D constraints are solved at once, and failing that,
  cells may move further than one unit (least total absolute change);
  ``result.attrs["rounding"]`` says which was needed. Bounding *every* 2-D marginal of
  a 3-D table at once is not always possible and was too slow to try by default
  (a minute for 50 x 10 x 12 cells), hence the ordering.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planlib.errors import PlanlibError

__all__ = [
    "AllocationError",
    "fit_to_margins",
    "round_preserving_total",
    "round_table_preserving_margins",
    "split_total",
]

# Values within this distance of a whole unit are treated as whole (float noise).
_SNAP = 1e-9
_IPF_ACCEPT = 1e-6  # margin error (share of the grand total) still kept after max_iter sweeps ...
_IPF_ACCEPT_FLOOR = 0.01  # ... or a hundredth of a unit: a strong diagonal seed crawls there (0.00101)


class AllocationError(PlanlibError):
    """No split satisfies the inputs (inconsistent margins, negative totals, ...).

    ``parameter`` names the offending argument when there is one.
    """

    def __init__(self, message: str, *, parameter: str | None = None):
        self.parameter = parameter
        super().__init__(message)


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- 1-D


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


# --------------------------------------------------------------------------- tables


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
