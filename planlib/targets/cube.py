"""Exact region x product line x month cube, and its rep x product line x month refinement."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from planlib import schema
from planlib.allocation import AllocationError, fit_to_margins, round_table_preserving_margins
from planlib.checks import require_frame, require_number, require_unique
from planlib.errors import DataError, ParamsError
from planlib.targets._common import BASELINE, FITTED, MONTH, TARGET, VACANT_REP, _MEAN, _check_forecast, _month_start, _numeric, _parse_uid, summarize_actuals


def _targets_series(frame: pd.DataFrame, key: str, name: str, where: str) -> pd.Series:
    require_frame(frame, name, where, [key, TARGET])
    require_unique(frame, key, name, where)
    values = _numeric(frame, TARGET, name, where)
    return pd.Series(values, index=frame[key].to_numpy())


def fit_target_cube(
    forecast: pd.DataFrame,
    *,
    region_targets: pd.DataFrame,
    product_line_targets: pd.DataFrame,
    month_targets: pd.DataFrame,
    seasonality: Literal["total", "cell"] = "total",
    seed_floor: float = 0.0,
    unit: int = 1,
) -> pd.DataFrame:
    """Region x product line x month targets consistent with every 1-D target.

    Seed: the forecast's annual ``product_line=X|region=Y`` cells (sum of monthly means,
    negatives as 0), spread over months by the month targets' shares (``"total"``) or
    taken month by month from the cell forecasts (``"cell"``). A region or product line
    whose seed is all zero but whose target is not is seeded by independence (its
    target times the other dimension's shares). Iterative proportional fitting then
    matches the region, product-line and month targets, and controlled rounding makes
    every one of them exact in whole units (region x product line within one unit of
    the fit).

    Parameters
    ----------
    forecast : DataFrame
        Long forecast with ``product_line=X|region=Y`` series.
    region_targets, product_line_targets : DataFrame
        ``region, target`` and ``product_line, target`` (whole units, same total).
    month_targets : DataFrame
        ``month, target`` (from :func:`split_by_time`).
    seasonality : {"total", "cell"}, default "total"
        Where the seed's monthly shape comes from.
    seed_floor : float, default 0.0
        Share (0 to 1) of the independence table mixed into the seed so that no cell is
        a structural zero; raise it (e.g. 0.01) when the forecast's empty cells make the
        targets unreachable (IPF then fails to converge).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``region, product_line, month, fitted, target`` sorted by region, product line,
        month; ``attrs["rounding"]`` as in
        :func:`~planlib.allocation.round_table_preserving_margins`.
    """
    where = "fit_target_cube"
    _check_forecast(forecast, where)
    if seasonality not in ("total", "cell"):
        raise ParamsError(f"the 'seasonality' parameter of {where} must be 'total' or 'cell'; "
                          f"got {seasonality!r} instead", key="seasonality")
    floor = require_number(seed_floor, "seed_floor", where, low=0.0, high=1.0)
    reg = _targets_series(region_targets, schema.REGION, "region_targets", where)
    reg.index = reg.index.astype(str)
    pl = _targets_series(product_line_targets, schema.PRODUCT_LINE, "product_line_targets", where)
    pl.index = pl.index.astype(str)
    require_frame(month_targets, "month_targets", where, [MONTH, TARGET])
    mon = pd.Series(_numeric(month_targets, TARGET, "month_targets", where),
                    index=_month_start(month_targets[MONTH]).to_numpy())
    if mon.index.has_duplicates:
        raise DataError(f"the 'month_targets' frame given to {where} repeats months", column=MONTH)
    totals = {"region": math.fsum(reg), "product_line": math.fsum(pl), "month": math.fsum(mon)}
    if max(totals.values()) - min(totals.values()) > 1e-6 * max(1.0, max(totals.values())):
        raise AllocationError(f"{where}: the region, product-line and month targets must add up to "
                              f"the same total; got {totals}", parameter="region_targets")
    regions, lines, months = sorted(reg.index), sorted(pl.index), sorted(mon.index)

    uid = forecast[schema.UNIQUE_ID].astype(str)
    cells = forecast[uid.str.contains("|", regex=False)].copy()
    parsed = [_parse_uid(u) for u in cells[schema.UNIQUE_ID].astype(str)]
    cells["_region"] = [p.get(schema.REGION) for p in parsed]
    cells["_line"] = [p.get(schema.PRODUCT_LINE) for p in parsed]
    keep = np.array([len(p) == 2 and schema.REGION in p and schema.PRODUCT_LINE in p for p in parsed],
                    dtype=bool)
    cells = cells[keep]
    cells = cells.assign(_month=_month_start(cells[schema.DS]),
                         _mean=cells[_MEAN].astype(float).clip(lower=0.0))
    cells = cells[cells["_month"].isin(months)]
    grid = pd.MultiIndex.from_product([regions, lines, months],
                                      names=[schema.REGION, schema.PRODUCT_LINE, MONTH])
    monthly = cells.groupby(["_region", "_line", "_month"])["_mean"].sum()
    monthly.index.names = grid.names
    cube = monthly.reindex(grid).fillna(0.0).to_numpy().reshape(len(regions), len(lines), len(months))
    annual = cube.sum(axis=2)
    # Independence seed for regions / lines that the forecast leaves empty.
    r_share = reg.reindex(regions).to_numpy() / max(totals["region"], 1e-300)
    p_share = pl.reindex(lines).to_numpy() / max(totals["product_line"], 1e-300)
    empty_r = (annual.sum(axis=1) <= 0) & (r_share > 0)
    empty_p = (annual.sum(axis=0) <= 0) & (p_share > 0)
    if empty_r.any() or empty_p.any():
        independent = np.outer(r_share, p_share) * max(annual.sum(), 1.0)
        annual[empty_r, :] = independent[empty_r, :]
        annual[:, empty_p] = independent[:, empty_p]
        if seasonality == "cell":
            m_share = mon.reindex(months).to_numpy() / max(totals["month"], 1e-300)
            filled = np.zeros_like(cube, dtype=bool)
            filled[empty_r, :, :] = True
            filled[:, empty_p, :] = True
            cube = np.where(filled, annual[:, :, None] * m_share[None, None, :], cube)
    m_share = mon.reindex(months).to_numpy() / max(totals["month"], 1e-300)
    if seasonality == "total":
        cube = annual[:, :, None] * m_share[None, None, :]
    if floor > 0:
        independent = (np.outer(r_share, p_share)[:, :, None] * m_share[None, None, :]
                       * max(cube.sum(), 1.0))
        cube = (1 - floor) * cube + floor * independent
    seed = grid.to_frame(index=False)
    seed["value"] = cube.reshape(-1)
    try:
        fitted = fit_to_margins(seed, dims=[schema.REGION, schema.PRODUCT_LINE, MONTH],
                                margins={schema.REGION: reg, schema.PRODUCT_LINE: pl, MONTH: mon})
    except AllocationError as err:
        raise AllocationError(f"{where}: {err}; pass seed_floor=0.01 to open the forecast's empty "
                              f"region x product line cells", parameter="seed_floor") from err
    rounded = round_table_preserving_margins(
        fitted, dims=[schema.REGION, schema.PRODUCT_LINE, MONTH], value="value",
        margins={schema.REGION: reg, schema.PRODUCT_LINE: pl, MONTH: mon}, unit=unit)
    out = seed[[schema.REGION, schema.PRODUCT_LINE, MONTH]].copy()
    out[FITTED] = fitted["value"].to_numpy()
    out[TARGET] = rounded["value"].to_numpy()
    out.attrs["rounding"] = rounded.attrs.get("rounding")
    return out


def fit_rep_cube(
    cube: pd.DataFrame,
    rep_targets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    year: int | None = None,
    mix_weight: float = 0.5,
    presence: pd.DataFrame | None = None,
    rep_months: pd.DataFrame | None = None,
    unit: int = 1,
) -> pd.DataFrame:
    """Rep x product line x month targets inside each region's cube slice.

    Per region, a rep's seed for a (product line, month) cell is its target times the
    cell's share of the region, tilted towards the product lines the rep sold last year:
    ``(1 - mix_weight) + mix_weight * rep mix / region mix`` (1 without history), times
    the rep's presence in that month when ``presence`` is given (0 before hire and after
    leaving, so those months carry nothing). IPF fits rep totals and cell totals,
    controlled rounding makes both exact.

    Parameters
    ----------
    cube : DataFrame
        From :func:`fit_target_cube` (``region, product_line, month, target``).
    rep_targets : DataFrame
        From :func:`allocate_to_reps` (``rep, region, target``); each region's reps must
        add up to the region's total in ``cube``.
    orders : DataFrame, optional
        Order lines with ``rep`` and ``product_line`` for the product mix.
    year : int, optional
        The history year (needed with ``orders``).
    mix_weight : float, default 0.5
        How far (0 to below 1) a rep's historical mix tilts the seed.
    presence : DataFrame, optional
        ``rep, month, presence`` (from :func:`rep_presence_by_month`). Reps without rows
        count as present all year; the vacant seat holds the months no rep is in seat. A month in which no rep of a region
        is present keeps the plain seed (someone must carry it) and is reported in
        the ``note`` column.
    rep_months : DataFrame, optional
        ``rep, region, month, target`` (from :func:`planlib.targets.allocate_quotas_from_books`):
        each rep's month targets in the region; they replace ``presence`` as the month
        shape of the seed. A rep may then hold targets in several regions (one
        ``rep_targets`` row per rep and region).
    unit : int, default 1
        Rounding unit.

    Returns
    -------
    DataFrame
        ``region, rep, product_line, month, fitted, target, note`` sorted in that order;
        reps with a zero target are left out.
    """
    where = "fit_rep_cube"
    dims = [schema.REGION, schema.PRODUCT_LINE, MONTH]
    require_frame(cube, "cube", where, [*dims, TARGET])
    require_frame(rep_targets, "rep_targets", where, [schema.REP, schema.REGION, TARGET])
    if rep_targets.duplicated([schema.REP, schema.REGION]).any():
        raise DataError(f"the 'rep_targets' frame given to {where} repeats a rep in one region", column=schema.REP)
    if rep_months is None:
        require_unique(rep_targets, schema.REP, "rep_targets", where)
    mw = require_number(mix_weight, "mix_weight", where, low=0.0)
    if mw >= 1:
        raise ParamsError(f"the 'mix_weight' parameter of {where} must be below 1; got {mix_weight}",
                          key="mix_weight")
    mix = None
    if orders is not None:
        if year is None:
            raise ParamsError(f"{where} needs 'year' together with 'orders'", key="year")
        hist = summarize_actuals(orders, year=year, by=[schema.REP, schema.PRODUCT_LINE])
        mix = hist.pivot_table(index=schema.REP, columns=schema.PRODUCT_LINE, values=BASELINE,
                               aggfunc="sum", fill_value=0.0).clip(lower=0.0)
    cube = cube.assign(**{schema.REGION: cube[schema.REGION].astype(str),
                          schema.PRODUCT_LINE: cube[schema.PRODUCT_LINE].astype(str)})
    reps = rep_targets.assign(**{schema.REP: rep_targets[schema.REP].astype(str),
                                 schema.REGION: rep_targets[schema.REGION].astype(str)})
    reps = reps[reps[TARGET] != 0]
    stray = sorted(set(reps[schema.REGION]) - set(cube[schema.REGION]))
    if stray:
        raise AllocationError(f"{where}: reps carry targets in region(s) {stray[:5]} that the cube "
                              f"does not have", parameter="rep_targets")
    in_seat = None  # rep x month presence, pivoted once for every region
    if presence is not None:
        in_seat = presence.assign(**{schema.REP: presence[schema.REP].astype(str)}).pivot_table(
            index=schema.REP, columns=MONTH, values="presence", aggfunc="sum")
    parts = []
    for region in sorted(set(cube[schema.REGION])):
        cells = cube[(cube[schema.REGION] == region) & (cube[TARGET] != 0)]
        cells = cells.sort_values([schema.PRODUCT_LINE, MONTH], kind="mergesort").reset_index(drop=True)
        team = reps[reps[schema.REGION] == region].sort_values(schema.REP, kind="mergesort")
        region_total = int(cells[TARGET].sum())
        team_total = int(team[TARGET].sum())
        if region_total != team_total:
            raise AllocationError(f"{where}: the reps of region {region!r} carry {team_total} but the "
                                  f"cube gives the region {region_total}", parameter="rep_targets")
        if cells.empty:
            continue
        cell_share = cells[TARGET].to_numpy(dtype=float) / region_total
        tilt = np.ones((len(team), len(cells)))
        if mix is not None:
            lines = cells[schema.PRODUCT_LINE].to_numpy()
            known = [r for r in team[schema.REP] if r in mix.index]
            region_mix = mix.loc[known].sum() if known else None
            if region_mix is not None and region_mix.sum() > 0:
                region_mix = region_mix / region_mix.sum()
                for i, rep in enumerate(team[schema.REP]):
                    if rep in mix.index and mix.loc[rep].sum() > 0:
                        rep_mix = mix.loc[rep] / mix.loc[rep].sum()
                        rm = region_mix.reindex(lines).fillna(0.0).to_numpy()
                        ratio = np.divide(rep_mix.reindex(lines).fillna(0.0).to_numpy(), rm,
                                          out=np.ones(len(lines)), where=rm > 0)
                        tilt[i] = (1 - mw) + mw * ratio
        rep_total = team[TARGET].to_numpy(dtype=float)
        seed_values = rep_total[:, None] * cell_share[None, :] * tilt
        note = np.full(len(cells), "", dtype=object)
        if rep_months is not None:
            mine = rep_months.loc[rep_months[schema.REGION].astype(str) == region]
            grid = mine.assign(**{schema.REP: mine[schema.REP].astype(str), MONTH: pd.to_datetime(mine[MONTH])}).pivot_table(
                index=schema.REP, columns=MONTH, values=TARGET, aggfunc="sum")
            cell_months = pd.DatetimeIndex(cells[MONTH])
            month_total = cells.groupby(MONTH)[TARGET].sum()
            in_month = cells[TARGET].to_numpy(dtype=float) / cells[MONTH].map(month_total).to_numpy(dtype=float)
            held = grid.reindex(index=team[schema.REP], columns=cell_months).fillna(0.0).to_numpy()
            seed_values = held * in_month[None, :] * tilt
        elif in_seat is not None:
            at = np.ones((len(team), len(cells)))
            cell_months = pd.DatetimeIndex(cells[MONTH])
            for i, rep in enumerate(team[schema.REP]):
                if rep in in_seat.index:
                    at[i] = in_seat.loc[rep].reindex(cell_months).fillna(0.0).to_numpy()
            vacant = (team[schema.REP] == VACANT_REP).to_numpy()
            if vacant.any():  # the vacant seat holds the months no one is in seat
                nobody = at[~vacant].sum(axis=0) <= 0
                at[vacant] = nobody.astype(float)
            uncovered = at.sum(axis=0) <= 0
            at[:, uncovered] = 1.0
            note[uncovered] = "no rep in seat this month: spread over the region's reps"
            seed_values = seed_values * at
        seed = pd.DataFrame({"rep_i": np.repeat(np.arange(len(team)), len(cells)),
                             "cell_i": np.tile(np.arange(len(cells)), len(team)),
                             "value": seed_values.reshape(-1)})
        margins = {"rep_i": pd.Series(rep_total), "cell_i": pd.Series(cells[TARGET].to_numpy(dtype=float))}
        fitted = fit_to_margins(seed, dims=["rep_i", "cell_i"], margins=margins)
        rounded = round_table_preserving_margins(fitted, dims=["rep_i", "cell_i"], margins=margins,
                                                 unit=unit)
        ri, ci = seed["rep_i"].to_numpy(), seed["cell_i"].to_numpy()
        parts.append(pd.DataFrame({
            schema.REGION: region,
            schema.REP: team[schema.REP].to_numpy()[ri],
            schema.PRODUCT_LINE: cells[schema.PRODUCT_LINE].to_numpy()[ci],
            MONTH: cells[MONTH].to_numpy()[ci],
            FITTED: fitted["value"].to_numpy(),
            TARGET: rounded["value"].to_numpy(),
            "note": note[ci],
        }))
    if not parts:
        raise DataError(f"the cube given to {where} has no positive target")
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values([schema.REGION, schema.REP, schema.PRODUCT_LINE, MONTH],
                          kind="mergesort").reset_index(drop=True)
    out[TARGET] = out[TARGET].astype("int64")
    return out
