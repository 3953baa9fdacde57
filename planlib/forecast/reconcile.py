"""Coherent forecasts: segment forecasts adjusted so every level adds up to its parents.

The aggregation structure is read from the series keys as linear constraints
``C y = 0`` (each parent minus the sum of its children at the next finer level), so
crossed levels (product line, region, product line x region) need no single tree.
Reconciliation is a linear map ``P``: bottom-up where a bottom level exists, else the
generalized least-squares projection onto ``C y = 0`` (OLS, WLS or MinT with a shrunk
covariance, Wickramasuriya, Athanasopoulos and Hyndman 2019).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planlib.errors import ForecastError
from planlib.i18n import _
from planlib.forecast.series import SeriesKey

RECONCILE_METHODS = ("bottom_up", "ols", "wls", "mint_shrink")


@dataclass
class Hierarchy:
    """The aggregation structure of a set of series.

    Attributes
    ----------
    ids : list of str
        Series in matrix order.
    pairs : list of (parent, children)
        One entry per aggregation constraint.
    bottom : list of int or None
        Indices of the bottom level (the one whose dimensions include every other
        level's), or None when the levels have no common bottom.
    notes : list of str
        Constraints dropped because the history does not add up.
    """

    ids: list[str]
    pairs: list[tuple[str, list[str]]]
    bottom: list[int] | None
    notes: list[str] = field(default_factory=list)

    @property
    def constraints(self) -> np.ndarray:
        """``C`` (one row per constraint): parent +1, children -1."""
        pos = {u: i for i, u in enumerate(self.ids)}
        c = np.zeros((len(self.pairs), len(self.ids)))
        for r, (parent, children) in enumerate(self.pairs):
            c[r, pos[parent]] = 1.0
            for ch in children:
                c[r, pos[ch]] -= 1.0
        return c

    @property
    def summing(self) -> np.ndarray | None:
        """``S`` (series x bottom series) when there is a bottom level."""
        if self.bottom is None:
            return None
        n = len(self.ids)
        s = np.zeros((n, len(self.bottom)))
        contains = self._contains
        for j, b in enumerate(self.bottom):
            s[b, j] = 1.0
            for i in range(n):
                if b in contains.get(i, set()):
                    s[i, j] = 1.0
        return s

    _contains: dict[int, set[int]] = field(default_factory=dict, repr=False)

    @property
    def is_trivial(self) -> bool:
        """True when there is nothing to reconcile."""
        return not self.pairs


def build_hierarchy(keys: list[SeriesKey]) -> Hierarchy:
    """The aggregation constraints between the series' levels.

    A parent level ``P`` constrains a finer level ``L`` when ``P``'s dimensions are a
    strict subset of ``L``'s and no other level sits in between.
    """
    ids = [k.unique_id for k in keys]
    levels = sorted({k.dims for k in keys}, key=lambda d: (len(d), d))
    by_level: dict[tuple[str, ...], list[int]] = {}
    for i, k in enumerate(keys):
        by_level.setdefault(k.dims, []).append(i)
    pairs: list[tuple[str, list[str]]] = []
    for p in levels:
        for lv in levels:
            if not set(p) < set(lv):
                continue
            if any(set(p) < set(mid) < set(lv) for mid in levels):
                continue
            for pi in by_level[p]:
                children = [ci for ci in by_level[lv] if keys[pi].contains(keys[ci])]
                if children:
                    pairs.append((ids[pi], [ids[ci] for ci in children]))
    contains: dict[int, set[int]] = {}
    for i, ki in enumerate(keys):
        contains[i] = {j for j, kj in enumerate(keys) if ki.contains(kj)}
    all_dims = set().union(*[set(d) for d in levels]) if levels else set()
    bottom_levels = [d for d in levels if set(d) == all_dims]
    bottom = by_level[bottom_levels[0]] if bottom_levels and len(levels) > 1 else None
    return Hierarchy(ids=ids, pairs=pairs, bottom=bottom, _contains=contains)


def check_history(hier: Hierarchy, history: np.ndarray, *, rel_tol: float = 1e-6) -> Hierarchy:
    """Drop the constraints the history breaks (series x months, 0 before a series starts).

    A constraint holds when ``|parent - sum(children)|`` stays within ``rel_tol`` of the
    parent's largest month (plus a cent). Dropped ones are listed in ``notes``; the
    bottom level is kept only while every constraint holds.
    """
    pos = {u: i for i, u in enumerate(hier.ids)}
    kept, notes = [], list(hier.notes)
    for parent, children in hier.pairs:
        gap = history[pos[parent]] - history[[pos[c] for c in children]].sum(axis=0)
        tol = rel_tol * float(np.max(np.abs(history[pos[parent]])) or 1.0) + 0.01
        if np.max(np.abs(gap)) <= tol:
            kept.append((parent, children))
        else:
            notes.append(
                _("{parent} is not the sum of its {count} sub-segments in the history (off by up to {gap}); not reconciled with them").format(
                    parent=repr(parent), count=len(children), gap=f"{np.max(np.abs(gap)):.2f}")
            )
    bottom = hier.bottom if len(kept) == len(hier.pairs) else None
    return Hierarchy(ids=hier.ids, pairs=kept, bottom=bottom, notes=notes, _contains=hier._contains)


def shrunk_covariance(residuals: np.ndarray) -> tuple[np.ndarray, float]:
    """Covariance of residuals (months x series, NaN = none) shrunk toward its diagonal.

    The Schaefer-Strimmer intensity used by MinT(shrink). Missing residuals count as
    0 (a segment that did not exist yet had no error). Returns ``(W, lambda)``.
    """
    e = np.nan_to_num(np.asarray(residuals, float))
    t, n = e.shape
    if t < 3:
        var = np.maximum(np.mean(e**2, axis=0), 1e-12) if t else np.ones(n)
        return np.diag(var), 1.0
    cov = e.T @ e / t
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    std = e / sd
    corr = std.T @ std / t
    # variance of the correlation estimates: sum_t (s_ti s_tj - r_ij)^2 = (s^2)'(s^2) - t r^2
    sq = std**2
    var_r = t / (t - 1) ** 3 * np.maximum(sq.T @ sq - t * corr**2, 0.0)
    off = ~np.eye(n, dtype=bool)
    denom = np.sum(corr[off] ** 2)
    lam = float(np.clip(np.sum(var_r[off]) / denom, 0.0, 1.0)) if denom > 0 else 1.0
    shrunk = lam * np.diag(np.diag(corr)) + (1 - lam) * corr
    cov_s = shrunk * np.outer(sd, sd)
    var = np.diag(cov_s).copy()
    floor = 1e-9 * (np.max(var) if np.max(var) > 0 else 1.0)
    cov_s[np.diag_indices(n)] = np.maximum(var, floor)
    return cov_s, lam


def reconciliation_matrix(hier: Hierarchy, *, method: str, covariance: np.ndarray | None = None) -> np.ndarray:
    """The linear map ``P`` (series x series) taking base forecasts to coherent ones.

    Parameters
    ----------
    hier : Hierarchy
    method : {"bottom_up", "ols", "wls", "mint_shrink"}
        ``wls`` uses the diagonal of ``covariance``; ``mint_shrink`` all of it.
    covariance : array, optional
        Base forecast error covariance (needed by ``wls`` and ``mint_shrink``).
    """
    n = len(hier.ids)
    if method not in RECONCILE_METHODS:
        raise ForecastError(f"the 'method' parameter of reconcile must be one of {', '.join(RECONCILE_METHODS)}; got {method!r} instead")
    if hier.is_trivial:
        return np.eye(n)
    if method == "bottom_up":
        if hier.bottom is None:
            raise ForecastError("bottom-up needs a bottom level holding every dimension of the other levels")
        p = np.zeros((n, n))
        p[:, hier.bottom] = hier.summing
        return p
    if method == "ols":
        w = np.eye(n)
    else:
        if covariance is None:
            raise ForecastError(f"reconcile method {method!r} needs the base forecast error covariance")
        w = np.diag(np.diag(covariance)) if method == "wls" else np.asarray(covariance, float)
    c = hier.constraints
    cw = c @ w
    middle = np.linalg.pinv(cw @ c.T, rcond=1e-10, hermitian=True)
    return np.eye(n) - cw.T @ middle @ c


def reconcile(base: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply ``P`` to base forecasts of shape ``(series, ...)`` (months, paths...)."""
    base = np.asarray(base, float)
    flat = base.reshape(base.shape[0], -1)
    return (matrix @ flat).reshape(base.shape)


def coherence_gap(values: np.ndarray, hier: Hierarchy) -> float:
    """Largest ``|parent - sum(children)|`` over all constraints and columns."""
    if hier.is_trivial:
        return 0.0
    flat = np.asarray(values, float).reshape(len(hier.ids), -1)
    return float(np.max(np.abs(hier.constraints @ flat)))
