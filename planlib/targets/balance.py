"""Difficulty-balanced splits: each unit's target is as likely to be reached as the company's.

A unit's target is the amount its own simulated year reaches with a chosen probability:
the company's probability, tilted by role or stage (strategic lines stretch more, mature
ones less), kept inside a band (10-75% unless params override a unit), and moved by one
common shift so the units add up exactly to the company target.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from planlib.allocation import round_preserving_total
from planlib.checks import require_frame, require_number
from planlib.errors import DataError, ParamsError
from planlib.targets._common import BASELINE, PROBABILITY, TARGET
from planlib.i18n import _, fmt_amount, header, value_label

BAND = (0.10, 0.75)
BALANCED_COLUMNS = ["last_year", BASELINE, TARGET, "growth", PROBABILITY, "tilt", "share", "implied_growth", "note"]


def _targets(paths: np.ndarray, probs: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Per unit (column of ``paths``) the amount reached with probability ``probs``, at least ``floors``."""
    amounts = np.array([np.quantile(paths[:, i], 1 - p) for i, p in enumerate(probs)])
    return np.maximum(amounts, floors)


def _solve(paths: np.ndarray, base: np.ndarray, lo: np.ndarray, hi: np.ndarray, floors: np.ndarray, tot: float,
           among: np.ndarray, notes: list[list[str]]) -> np.ndarray:
    """Targets of the units ``among`` at probabilities ``base + lam`` (in their bands) adding up to ``tot``."""
    cols = np.flatnonzero(among)

    def amounts(lam: float) -> np.ndarray:
        return _targets(paths[:, cols], np.clip(base[cols] + lam, lo[cols], hi[cols]), floors[cols])

    out = np.zeros(len(among))
    a, b = -1.0, 1.0  # a: hardest targets (largest sum), b: easiest
    if amounts(a).sum() < tot:
        hardest = amounts(a)
        out[cols] = hardest * tot / hardest.sum() if hardest.sum() > 0 else tot / len(cols)
        for k in cols:
            notes[k].append(_("the company target needs more than every unit at its lowest allowed probability: all scaled up"))
    elif amounts(b).sum() > tot:
        easiest = amounts(b)
        above = easiest - floors[cols]
        if floors[cols].sum() <= tot and above.sum() > 0:  # floors (last year of mature units) hold, the rest shrinks
            out[cols] = floors[cols] + above * (tot - floors[cols].sum()) / above.sum()
        else:
            out[cols] = easiest * tot / easiest.sum() if easiest.sum() > 0 else tot / len(cols)
        for k in cols:
            notes[k].append(_("the company target is below every unit at its highest allowed probability: all scaled down"))
    else:
        for _step in range(60):  # the sum falls as lam rises: bisect for the common shift
            mid = (a + b) / 2
            a, b = (mid, b) if amounts(mid).sum() > tot else (a, mid)
        out[cols] = amounts((a + b) / 2)
    return out


def _reach(paths: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    return (paths >= amounts[None, :] - 1e-9 * np.maximum(1.0, np.abs(amounts))[None, :]).mean(axis=0)


def balance_split(
    total: float,
    year_paths: pd.DataFrame,
    units: pd.DataFrame,
    *,
    key: str,
    group: str,
    company_probability: float,
    tilt: Mapping[str, float],
    band: tuple[float, float] = BAND,
    overrides: Mapping[str, tuple[float, float]] | None = None,
    hold_last_year: tuple[str, ...] = ("mature",),
    min_share: Mapping[str, float] | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Split ``total`` so every unit's target has a stated probability under its own forecast.

    Parameters
    ----------
    total : float
        The company target (multiple of ``unit``).
    year_paths : DataFrame
        Simulated plan-year totals, one column per unit (named by the unit), one row per path.
    units : DataFrame
        ``<key>, <group>, last_year``: the units, their role or stage, last year's actual.
    key, group : str
        Column names of the unit and of its role or stage.
    company_probability : float
        The company target's probability of being reached (the level every unit starts at).
    tilt : mapping of str to float
        Probability shift per group: positive = easier (mature), negative = stretch (strategic).
    band : (float, float), default (0.10, 0.75)
        Lowest and highest probability a unit's target may have.
    overrides : mapping of str to (float, float), optional
        A unit's own band (from params); the table's ``note`` says so.
    hold_last_year : tuple of str, default ("mature",)
        Groups whose target is not set below last year unless their own forecast median is.
    min_share : mapping of str to float, optional
        Lowest share of ``total`` a group must carry (e.g. ``{"strategic": 0.10}`` from
        ``targets.strategic_share_min``): a group below it is lifted, the others re-balanced.
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``<key>, <group>, last_year, baseline, target, growth, probability, tilt, share,
        implied_growth, note``: baseline = the unit's forecast median, growth = on last
        year, implied_growth = on the baseline, probability = share of the unit's paths
        reaching its target; targets add up to ``total`` exactly (largest remainder).
    """
    where = "balance_split"
    tot = require_number(total, "total", where, low=0.0)
    p0 = require_number(company_probability, "company_probability", where, low=0.0, high=1.0)
    low, high = (require_number(b, "band", where, low=0.0, high=1.0) for b in band)
    if low >= high:
        raise ParamsError(f"the 'band' parameter of {where} must be (low, high) with low < high; got {band}", key="band")
    require_frame(units, "units", where, [key, group, "last_year"])
    table = units[[key, group, "last_year"]].copy().reset_index(drop=True)
    table[key], table[group] = table[key].astype(str), table[group].astype(str)
    missing = sorted(set(table[group]) - set(tilt))
    if missing:
        raise ParamsError(f"the 'tilt' parameter of {where} lacks a value for {group} {missing}; got {dict(tilt)}", key="tilt")
    overrides = dict(overrides or {})
    stray = sorted(set(overrides) - set(table[key]))
    if stray:
        raise ParamsError(f"the 'overrides' parameter of {where} names {key} {stray} that the split does not have", key="overrides")
    paths = np.column_stack([year_paths[u].to_numpy(dtype=float) if u in year_paths.columns else np.zeros(len(year_paths))
                             for u in table[key]])
    if not np.isfinite(paths).all() or len(paths) == 0:
        raise DataError(f"the year paths given to {where} must be finite simulated totals, one row per path", column=key)
    last = pd.to_numeric(table["last_year"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    median = np.median(paths, axis=0)
    lo = np.array([overrides.get(u, (low, high))[0] for u in table[key]], dtype=float)
    hi = np.array([overrides.get(u, (low, high))[1] for u in table[key]], dtype=float)
    shift = table[group].map(tilt).to_numpy(dtype=float)
    holds = table[group].isin(hold_last_year).to_numpy() & (median >= last)
    floors = np.where(holds, last, 0.0)

    notes: list[list[str]] = [[] for _unit in range(len(table))]
    everyone = np.ones(len(table), dtype=bool)
    fitted = _solve(paths, p0 + shift, lo, hi, floors, tot, everyone, notes)
    groups = table[group].to_numpy()
    lifted = np.zeros(len(table), dtype=bool)
    for g, share in (min_share or {}).items():
        inside = groups == str(g)
        need = require_number(share, f"min_share[{g!r}]", where, low=0.0, high=1.0) * tot
        have = fitted[inside].sum()
        if not inside.any() or have >= need - 1e-9 or have <= 0:
            continue
        edge = np.maximum(_targets(paths[:, inside], lo[inside], floors[inside]), fitted[inside])  # hardest the band allows
        reach = min(need, edge.sum())
        fitted[inside] = fitted[inside] + (edge - fitted[inside]) * (reach - have) / max(edge.sum() - have, 1e-12)
        lifted |= inside
        label = _("{group} {value}").format(group=header(group), value=value_label(group, g))
        for k in np.flatnonzero(inside):
            notes[k].append((_("lifted so {label} carries the params minimum share of {share}") if reach >= need - 1e-9 else
                             _("the params minimum share of {share} for {label} would put it below its band: lifted to the "
                               "band's edge ({edge} of the total); to enforce the share, lower its band in "
                               "targets.probability_overrides")).format(label=label, share=f"{share:.0%}", edge=f"{reach / tot:.1%}"))
    if lifted.any() and (~lifted).any():
        for k in np.flatnonzero(~lifted):
            notes[k] = []  # solved again below
        fitted[~lifted] = _solve(paths, p0 + shift, lo, hi, floors, tot - fitted[lifted].sum(), ~lifted, notes)[~lifted]
    table[BASELINE] = median
    table[TARGET] = round_preserving_total(fitted, total=tot, unit=unit).to_numpy().astype("int64")
    table[PROBABILITY] = _reach(paths, table[TARGET].to_numpy(dtype=float))
    table["tilt"] = shift
    with np.errstate(divide="ignore", invalid="ignore"):
        table["growth"] = np.where(last > 0, table[TARGET] / last - 1, np.nan)
        table["implied_growth"] = np.where(median > 0, table[TARGET] / median - 1, np.nan)
    table["share"] = table[TARGET] / tot if tot else 0.0
    for i, u in enumerate(table[key]):
        if u in overrides:
            notes[i].append(_("band {low}-{high} set in params for this {unit}").format(low=f"{lo[i]:.0%}", high=f"{hi[i]:.0%}", unit=header(key)))
        if table[group].iloc[i] in hold_last_year:
            if holds[i] and np.isclose(fitted[i], last[i]):
                notes[i].append(_("held at last year (mature)"))
            elif not holds[i] and table[TARGET].iloc[i] < last[i]:
                notes[i].append(_("below last year: its own forecast median ({median}) is below last year ({last})").format(
                    median=fmt_amount(median[i]), last=fmt_amount(last[i])))
        p = table[PROBABILITY].iloc[i]
        if not lo[i] - 0.005 <= p <= hi[i] + 0.005:
            notes[i].append(_("{probability} likely is outside the {low}-{high} band: discuss before signing").format(
                probability=f"{p:.0%}", low=f"{lo[i]:.0%}", high=f"{hi[i]:.0%}"))
    table["note"] = [_("; ").join(n) for n in notes]
    return table[[key, group, *BALANCED_COLUMNS]]
