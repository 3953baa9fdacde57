"""The group plan's numbers: unit targets summed exactly, and the group's chance of reaching them.

Frames in, frames out; no I/O. Each unit's simulated plan-year totals (``year_paths``,
column ``Total``) were drawn on their own, so how they move together is an assumption:
the group's probability is given under independence, under comonotonicity (all units
good or bad together, the widest spread) and under the correlation the units' backtest
errors show. For a dependence between none and complete (a Gaussian copula with a
correlation from 0 to 1) the group's probability lies between the independent and the
comonotonic figure: for a target above the group's median the comonotonic one is the
higher, below it the lower.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import norm

from planlib import schema
from planlib.checks import require_frame
from planlib.errors import DataError
from planlib.i18n import _

UNIT = "unit"
N_DRAWS = 20_000          # group paths drawn for the independent and estimated couplings
SEED = 20_250_101         # fixed: the same unit packs give the same group probabilities
COUPLINGS = ("independent", "estimated", "comonotonic")


def summarize_unit(annual_target: pd.DataFrame, year_paths: pd.DataFrame, *, unit: str) -> dict:
    """One unit's line of the group plan from its ``annual_target`` and ``year_paths`` artifacts.

    Returns ``unit, baseline, target, growth, probability, probability_stated, paths``:
    ``probability`` is recomputed from the unit's simulated totals (unrounded),
    ``probability_stated`` is what the unit's own pack states (two decimals).
    """
    where = f"the group plan (unit '{unit}')"
    require_frame(annual_target, "annual_target", where, ["step", "amount", "baseline", "growth", "probability"])
    final = annual_target.loc[annual_target["step"] == "final"]
    if len(final) != 1:
        raise DataError(f"the annual_target of unit '{unit}' has {len(final)} rows with step 'final'; expected 1", column="step")
    row = final.iloc[0]
    if schema.TOTAL_ID not in year_paths.columns:
        raise DataError(f"the year_paths of unit '{unit}' have no '{schema.TOTAL_ID}' column", column=schema.TOTAL_ID)
    paths = year_paths[schema.TOTAL_ID].to_numpy(dtype=float)
    target = int(row["amount"])
    return {
        UNIT: unit,
        "baseline": float(row["baseline"]),
        "target": target,
        "growth": float(row["growth"]),
        "probability": reach(paths, target),
        "probability_stated": float(row["probability"]),
        "paths": paths,
    }


def reach(paths: np.ndarray, amount: float) -> float:
    """Share of simulated totals at or above ``amount`` (the units' own rule, planlib.targets)."""
    return float(np.mean(np.asarray(paths, dtype=float) >= amount - 1e-9 * max(1.0, abs(amount))))


def error_correlation(backtests: Mapping[str, pd.DataFrame], *, min_months: int = 12) -> tuple[float, int]:
    """The units' average pairwise correlation of backtest errors of their company total.

    Each unit's ``backtest_forecasts`` (``unique_id, cutoff, ds, y, mean``) gives a log
    error ``log(y / mean)`` of its Total per origin and month; two units are compared on
    the (origin, month) pairs both have. Pairs with fewer than ``min_months`` in common are
    skipped. Returns ``(rho, months)``: the mean correlation clipped to [0, 1] (a negative
    average is not a basis for promising diversification) and the fewest months any
    counted pair shared; ``(nan, 0)`` when no pair qualifies.
    """
    errors = {}
    for unit, frame in backtests.items():
        require_frame(frame, "backtest_forecasts", f"error_correlation (unit '{unit}')", ["unique_id", "cutoff", "ds", "y", "mean"])
        total = frame.loc[frame["unique_id"] == schema.TOTAL_ID]
        ok = (total["y"] > 0) & (total["mean"] > 0)
        total = total.loc[ok]
        errors[unit] = pd.Series(np.log(total["y"].to_numpy(float) / total["mean"].to_numpy(float)),
                                 index=pd.MultiIndex.from_arrays([total["cutoff"], total["ds"]]))
    names = sorted(errors)
    rhos, shared = [], []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = pd.concat([errors[a], errors[b]], axis=1, join="inner").dropna()
            if len(both) < min_months or both.std().min() == 0:
                continue
            rhos.append(float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]))
            shared.append(len(both))
    if not rhos:
        return math.nan, 0
    return float(min(1.0, max(0.0, np.mean(rhos)))), int(min(shared))


def couple_paths(paths: Mapping[str, np.ndarray], *, coupling: str, rho: float = 0.0,
                 n_draws: int = N_DRAWS, seed: int = SEED) -> np.ndarray:
    """Simulated group totals: one draw from each unit's totals per group path, summed.

    Parameters
    ----------
    paths : mapping of str to array
        Unit -> its simulated plan-year totals (any number each).
    coupling : {"independent", "estimated", "comonotonic"}
        ``independent``: each unit drawn on its own (``n_draws`` draws).
        ``estimated``: a Gaussian copula with one correlation ``rho`` between any two units.
        ``comonotonic``: the units' totals sorted and summed rank by rank (all good or bad
        together), on a common grid of as many ranks as the longest unit has paths.
    rho : float, default 0.0
        Correlation for ``estimated`` (0 is independence, 1 comonotonicity).
    n_draws : int, default 20000
    seed : int, default 20250101

    Returns
    -------
    ndarray
        The group totals (unsorted for the random couplings).
    """
    if coupling not in COUPLINGS:
        raise ValueError(f"the 'coupling' parameter of couple_paths must be one of {list(COUPLINGS)}; got {coupling!r} instead")
    units = sorted(paths)
    sorted_paths = [np.sort(np.asarray(paths[u], dtype=float)) for u in units]
    if not units or any(len(p) == 0 for p in sorted_paths):
        raise DataError("couple_paths needs at least one unit with simulated totals")
    if coupling == "comonotonic":
        n = max(len(p) for p in sorted_paths)
        if all(len(p) == n for p in sorted_paths):
            return np.sum(sorted_paths, axis=0)
        grid = (np.arange(n) + 0.5) / n
        return np.sum([np.quantile(p, grid, method="inverted_cdf") for p in sorted_paths], axis=0)
    rng = np.random.default_rng(seed)
    if coupling == "independent":
        rho = 0.0
    rho = float(min(1.0, max(0.0, rho)))
    common = rng.standard_normal(n_draws)
    total = np.zeros(n_draws)
    for p in sorted_paths:
        z = math.sqrt(rho) * common + math.sqrt(1.0 - rho) * rng.standard_normal(n_draws)
        ranks = np.minimum((norm.cdf(z) * len(p)).astype(int), len(p) - 1)
        total += p[ranks]
    return total


def consolidate(units: list[dict], *, rho: float = math.nan, rho_months: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The group plan from its units' lines (:func:`summarize_unit`).

    Returns
    -------
    group_units : DataFrame
        Per unit ``unit, baseline, target, growth, probability, probability_stated, share``.
    group_target : DataFrame
        One row per coupling: ``coupling, assumption, baseline, target, growth, probability``;
        the target (the exact integer sum of the unit targets) is the same on every row.
    group_year_paths : DataFrame
        The group's simulated totals under each coupling (columns ``independent``,
        ``estimated``, ``comonotonic``) as quantiles on a common grid of as many ranks as
        the longest unit has paths, ascending.
    """
    if not units:
        raise DataError("a group plan needs at least one unit")
    table = pd.DataFrame([{k: v for k, v in u.items() if k != "paths"} for u in units])
    target = int(sum(int(u["target"]) for u in units))  # Python ints: exact at any size
    baseline = math.fsum(u["baseline"] for u in units)
    table["share"] = table["target"] / target if target else np.nan
    table["target"] = table["target"].astype("int64")
    paths = {u[UNIT]: u["paths"] for u in units}
    estimated_rho = 0.0 if math.isnan(rho) else rho
    group_paths = {
        "independent": couple_paths(paths, coupling="independent"),
        "estimated": couple_paths(paths, coupling="estimated", rho=estimated_rho),
        "comonotonic": couple_paths(paths, coupling="comonotonic"),
    }
    estimated_note = (
        _("units correlated as their backtest errors show: rho = {rho} (fewest shared months {months})").format(
            rho=f"{rho:.2f}", months=rho_months)
        if not math.isnan(rho)
        else _("no two units share enough backtest months to estimate a correlation: taken as independent"))
    assumptions = {
        "independent": _("units move independently of each other (diversification helps most)"),
        "estimated": estimated_note,
        "comonotonic": _("units are all good or all bad together (the widest spread of the group total)"),
    }
    rows = [{
        "coupling": name,
        "assumption": assumptions[name],
        "rho": {"independent": 0.0, "estimated": rho, "comonotonic": 1.0}[name],
        "baseline": baseline,
        "target": target,
        "growth": target / baseline - 1 if baseline else np.nan,
        "probability": reach(group_paths[name], target),
        "median": float(np.median(group_paths[name])),
    } for name in COUPLINGS]
    group = pd.DataFrame(rows)
    group["target"] = group["target"].astype("int64")
    n = len(group_paths["comonotonic"])  # as many ranks as the longest unit has paths
    grid = (np.arange(n) + 0.5) / n
    frame = pd.DataFrame({name: np.quantile(np.sort(v), grid, method="inverted_cdf") for name, v in group_paths.items()})
    return table, group, frame
