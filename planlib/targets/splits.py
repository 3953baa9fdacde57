"""Splits by product-line role and by region or channel stage (baseline x group growth, scaled).

The difficulty-balanced split lives in :mod:`planlib.targets.balance`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import AllocationError, round_preserving_total
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError
from planlib.targets._common import BASELINE, TARGET, _check_growth, _numeric


def _allocate_by_group(
    total: float,
    baseline: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    key: str,
    group: str,
    allowed: Sequence[str],
    growth: Mapping[str, float],
    growth_name: str,
    min_share: Mapping[str, float] | None,
    unit: int,
    where: str,
) -> pd.DataFrame:
    tot = require_number(total, "total", where)
    if tot < 0:
        raise ParamsError(f"the 'total' parameter of {where} must be non-negative; got {total}",
                          key="total")
    require_frame(baseline, "baseline", where, [key, BASELINE])
    require_frame(groups, "groups", where, [key, group])
    require_unique(baseline, key, "baseline", where)
    require_unique(groups, key, "groups", where)
    base_values = _numeric(baseline, BASELINE, "baseline", where)
    table = pd.DataFrame({key: groups[key].astype(str).to_numpy(),
                          group: groups[group].astype(str).to_numpy()})
    unknown = sorted(set(table[group]) - set(allowed))
    if unknown:
        raise DataError(f"the {group} column given to {where} must hold {list(allowed)}; "
                        f"got {unknown}", column=group)
    base = pd.Series(base_values, index=baseline[key].astype(str).to_numpy())
    orphans = sorted(set(base.index) - set(table[key]))
    if orphans:
        raise DataError(f"the baseline given to {where} has {key} value(s) {orphans[:5]} with "
                        f"no {group}; add them to the side table", column=key)
    present = list(dict.fromkeys(table[group]))
    rates = _check_growth(growth, present, growth_name, where)
    table[BASELINE] = table[key].map(base).fillna(0.0).astype(float)
    table[f"{group}_growth"] = table[group].map(rates).astype(float)
    table["planned"] = table[BASELINE] * (1 + table[f"{group}_growth"])
    rank = {g: i for i, g in enumerate(allowed)}
    table = table.sort_values([group, key], key=lambda s: s.map(rank) if s.name == group else s,
                              kind="mergesort").reset_index(drop=True)

    planned = table["planned"].to_numpy()
    group_of = table[group].to_numpy()
    mins = {}
    for g, s in (min_share or {}).items():
        mins[str(g)] = require_number(s, f"min_share[{g!r}]", where, low=0.0, high=1.0)
        if str(g) not in present and mins[str(g)] > 0:
            raise ParamsError(f"the 'min_share' parameter of {where} names {group} {g!r}, which "
                              f"has no {key}", key="min_share")
    if math.fsum(mins.values()) > 1 + 1e-12:
        raise ParamsError(f"the 'min_share' parameter of {where} must sum to at most 1; got "
                          f"{math.fsum(mins.values()):g}", key="min_share")
    shares = _shares_with_minimums(planned, group_of, mins, where)
    table["scale"] = np.divide(tot * shares, planned, out=np.full(len(planned), np.nan),
                               where=planned > 0)
    table[TARGET] = round_preserving_total(tot * shares, total=tot, unit=unit).to_numpy()
    table["share"] = table[TARGET] / tot if tot else 0.0
    table["implied_growth"] = np.divide(table[TARGET].to_numpy(dtype=float),
                                        table[BASELINE].to_numpy(),
                                        out=np.full(len(table), np.nan),
                                        where=table[BASELINE].to_numpy() > 0) - 1
    return table[[key, group, BASELINE, f"{group}_growth", "planned", "scale", TARGET, "share",
                  "implied_growth"]]


def _shares_with_minimums(planned: np.ndarray, group_of: np.ndarray,
                          mins: Mapping[str, float], where: str) -> np.ndarray:
    """Shares proportional to ``planned``, lifting groups below their minimum share.

    A lifted group gets exactly its minimum, spread over its members by ``planned``
    (evenly if it plans nothing); the others share the rest in proportion (water-filling).
    """
    groups = list(dict.fromkeys(group_of))
    lifted: set[str] = set()
    while True:
        free = [g for g in groups if g not in lifted]
        rest = 1.0 - math.fsum(mins[g] for g in lifted)
        free_mask = np.isin(group_of, free)
        free_total = math.fsum(planned[free_mask])
        shares = np.zeros(len(planned))
        if free_mask.any():
            if free_total > 0:
                shares[free_mask] = rest * planned[free_mask] / free_total
            elif rest > 1e-12:
                raise AllocationError(
                    f"{where}: the groups {free} plan nothing (zero baseline) yet must carry "
                    f"{rest:.1%} of the total; give them a baseline", parameter="baseline")
        for g in lifted:
            m = group_of == g
            p = planned[m]
            shares[m] = mins[g] * (p / p.sum() if p.sum() > 0 else np.full(m.sum(), 1 / m.sum()))
        newly = {g for g in free if g in mins and shares[group_of == g].sum() < mins[g] - 1e-12}
        if not newly:
            break
        lifted |= newly
    if not free_mask.any() and abs(shares.sum() - 1) > 1e-9:
        raise AllocationError(f"{where}: the minimum shares add up to {shares.sum():.1%}, not "
                              f"100 %, and no other group takes the rest", parameter="min_share")
    if shares.sum() <= 0:
        raise AllocationError(f"{where}: the baseline is zero everywhere; nothing to scale",
                              parameter="baseline")
    return shares / shares.sum()


def allocate_by_role(
    total: float,
    baseline: pd.DataFrame,
    product_lines: pd.DataFrame,
    *,
    role_growth: Mapping[str, float],
    min_share: Mapping[str, float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target over product lines by their role.

    Each line's baseline (last year's actual or its forecast) is grown by its role's
    growth (mature: steady; strategic: high; potential: exploratory), then every line is
    scaled by the same factor so the lines add up to ``total``; ``min_share`` lifts a role
    to a minimum share of the total (e.g. ``{"strategic": 0.10}``), the other roles then
    sharing the rest in proportion. Rounded by largest remainder.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    baseline : DataFrame
        ``product_line, baseline`` (see :func:`summarize_actuals`, :func:`summarize_forecast`).
        Lines of the side table missing here have baseline 0.
    product_lines : DataFrame
        The side table ``product_line, role``.
    role_growth : mapping of str to float
        Growth per role, e.g. ``{"mature": .05, "strategic": .45, "potential": .2}``.
    min_share : mapping of str to float, optional
        Minimum share of the total per role.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``product_line, role, baseline, role_growth, planned, scale, target, share,
        implied_growth``, sorted by role (mature, strategic, potential) then line.
    """
    return _allocate_by_group(
        total, baseline, product_lines, key=schema.PRODUCT_LINE, group=schema.ROLE,
        allowed=schema.PRODUCT_ROLES, growth=role_growth, growth_name="role_growth",
        min_share=min_share, unit=unit, where="allocate_by_role",
    )


def allocate_by_stage(
    total: float,
    baseline: pd.DataFrame,
    stages: pd.DataFrame,
    *,
    dimension: str = schema.REGION,
    stage_growth: Mapping[str, float],
    min_share: Mapping[str, float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split the annual target over regions (or channels) by their market stage.

    Same method as :func:`allocate_by_role`: baseline times (1 + stage growth), then one
    common scale so the parts add up to ``total``, largest-remainder rounded.

    Parameters
    ----------
    total : float
        The annual target (multiple of ``unit``).
    baseline : DataFrame
        ``<dimension>, baseline``.
    stages : DataFrame
        The side table ``<dimension>, stage`` (mature / growth / emerging).
    dimension : str, default "region"
        ``"region"`` or ``"channel"``.
    stage_growth : mapping of str to float
        Growth per stage, e.g. ``{"mature": .04, "growth": .15, "emerging": .3}``.
    min_share : mapping of str to float, optional
        Minimum share of the total per stage.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``<dimension>, stage, baseline, stage_growth, planned, scale, target, share,
        implied_growth``, sorted by stage then level.
    """
    return _allocate_by_group(
        total, baseline, stages, key=dimension, group=schema.STAGE,
        allowed=schema.MARKET_STAGES, growth=stage_growth, growth_name="stage_growth",
        min_share=min_share, unit=unit, where="allocate_by_stage",
    )
