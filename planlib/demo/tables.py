"""The demo company's side tables: reps (hire, leave, successors), products, lines, regions, channels.

Drawn from the seed alone (the tables stream), independent of the number of lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planlib import schema
from planlib.demo.company import (
    _DAYS_PER_YEAR,
    _TABLES_STREAM,
    CHANNELS,
    PRODUCT_LINES,
    REGIONS,
    REP_NAMES,
    REP_ROLES,
)
from planlib.demo.window import _Calendar


@dataclass(frozen=True)
class _Company:
    """Side tables plus the integer arrays the generator works with."""

    tables: dict[str, pd.DataFrame]
    rep_region: np.ndarray
    rep_hire: np.ndarray  # day index (negative = before the window)
    rep_leave: np.ndarray  # day index of the last working day (huge = stays)
    rep_successors: np.ndarray  # (reps, k): reps of the region employed after one leaves
    rep_successor_count: np.ndarray
    product_line: np.ndarray  # line index per product
    list_price: np.ndarray
    unit_cost: np.ndarray
    typical_quantity: np.ndarray
    popularity_cdf: tuple[np.ndarray, ...]  # per line: cumulative popularity of its products
    line_first_product: np.ndarray  # index of each line's first product


_STAYS = 10**6


def _build_company(seed: int, calendar: _Calendar) -> _Company:
    """The fixed tables for ``seed`` (independent of the number of lines)."""
    rng = np.random.default_rng([seed, _TABLES_STREAM])
    reps = _build_reps(rng, calendar)
    products = _build_products(rng)
    rep_hire = np.array([calendar.day(d) for d in reps[schema.REP_HIRE_DATE]])
    rep_leave = np.array([_STAYS if pd.isna(d) else calendar.day(d) for d in reps[schema.REP_LEAVE_DATE]])
    region_index = {spec.name: i for i, spec in enumerate(REGIONS)}
    rep_region = reps[schema.REGION].map(region_index).to_numpy()
    successors, counts = _rep_successors(rep_region, rep_hire, rep_leave)
    line_index = {spec.name: i for i, spec in enumerate(PRODUCT_LINES)}
    product_line = products[schema.PRODUCT_LINE].map(line_index).to_numpy()
    list_price = products["list_price"].to_numpy()
    typical_quantity = np.empty(len(products))
    cdfs, firsts = [], []
    for i, spec in enumerate(PRODUCT_LINES):
        members = np.flatnonzero(product_line == i)
        median_price = np.median(list_price[members])
        typical_quantity[members] = spec.typical_quantity * np.sqrt(median_price / list_price[members])
        popularity = 1.0 / rng.permutation(np.arange(1, len(members) + 1)) ** 0.9
        cdfs.append(np.cumsum(popularity) / popularity.sum())
        firsts.append(members[0])
    tables = {
        "reps": reps,
        "product_lines": pd.DataFrame(
            {
                schema.PRODUCT_LINE: [s.name for s in PRODUCT_LINES],
                schema.ROLE: [s.role for s in PRODUCT_LINES],
                schema.LAUNCH_DATE: pd.to_datetime([s.launch_date for s in PRODUCT_LINES]).astype("datetime64[ns]"),
            }
        ),
        "regions": pd.DataFrame({schema.REGION: [s.name for s in REGIONS], schema.STAGE: [s.stage for s in REGIONS]}),
        "channels": pd.DataFrame({schema.CHANNEL: [s.name for s in CHANNELS], schema.STAGE: [s.stage for s in CHANNELS]}),
        "products": products,
    }
    return _Company(
        tables, rep_region, rep_hire, rep_leave, successors, counts, product_line, list_price,
        products["unit_cost"].to_numpy(), typical_quantity, tuple(cdfs), np.array(firsts),
    )


def _build_reps(rng: np.random.Generator, calendar: _Calendar) -> pd.DataFrame:
    """One row per rep: region, hire and leave dates drawn from the rep's role."""
    rows = []
    for region in REGIONS:
        for role in region.rep_roles:
            hire, leave = _rep_dates(rng, role, calendar.plan_year_start, calendar.n_days)
            capacity = int(rng.integers(85, 101) if role == "anchor" else rng.integers(60, 91))
            rows.append((region.name, hire, leave, capacity))
    frame = pd.DataFrame(rows, columns=[schema.REGION, "hire_day", "leave_day", schema.REP_CAPACITY])
    frame.insert(0, schema.REP, list(REP_NAMES[: len(frame)]))
    start = calendar.start.astype("datetime64[ns]")
    frame[schema.REP_HIRE_DATE] = start + frame["hire_day"].to_numpy().astype("timedelta64[D]")
    leave = frame["leave_day"].to_numpy()
    leave_dates = start + np.where(leave < 0, 0, leave).astype("timedelta64[D]")
    frame[schema.REP_LEAVE_DATE] = pd.Series(leave_dates).where(leave >= 0).astype("datetime64[ns]")
    columns = [schema.REP, schema.REGION, schema.REP_HIRE_DATE, schema.REP_LEAVE_DATE, schema.REP_CAPACITY]
    return frame[columns]


def _rep_dates(rng: np.random.Generator, role: str, plan: int, n_days: int) -> tuple[int, int]:
    """Hire and leave day (leave -1 = still employed) for a rep of ``role``.

    ``plan`` is the day index of the plan year's first day (= days of history).
    """
    before = -int(rng.uniform(0.5, 10.0) * _DAYS_PER_YEAR)
    in_history = int(rng.uniform(0.1, 0.9) * plan)
    in_plan_year = n_days - plan
    if role == "anchor":
        return before, -1
    if role == "leaver":
        return before, in_history
    if role == "joiner":
        return in_history, -1
    if role == "short_stay":
        hire = int(rng.uniform(0.05, 0.4) * plan)
        return hire, hire + int(rng.uniform(0.3, 0.5) * plan)
    if role == "plan_joiner":
        return plan + int(rng.uniform(0.05, 0.55) * in_plan_year), -1
    if role == "plan_leaver":
        return before, plan + int(rng.uniform(0.15, 0.75) * in_plan_year)
    raise ValueError(f"unknown rep role {role!r}; expected one of {REP_ROLES}")


def _rep_successors(region: np.ndarray, hire: np.ndarray, leave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each rep, the reps of the same region employed on the day after they leave."""
    n = len(region)
    day_after = leave + 1
    eligible = (
        (region[:, None] == region[None, :])
        & (hire[None, :] <= day_after[:, None])
        & (leave[None, :] >= day_after[:, None])
        & ~np.eye(n, dtype=bool)
    )
    counts = eligible.sum(axis=1)
    successors = np.zeros((n, max(1, counts.max())), dtype=np.int64)
    for rep in np.flatnonzero(counts):  # a loop over reps (tens), not over rows
        successors[rep, : counts[rep]] = np.flatnonzero(eligible[rep])
    return successors, counts


def _build_products(rng: np.random.Generator) -> pd.DataFrame:
    """The catalogue: list prices log-uniform in each line's range, cost 55-75 % of price."""
    frames = []
    for spec in PRODUCT_LINES:
        n = len(spec.products)
        low, high = np.log(spec.price_range)
        price = np.round(np.exp(rng.uniform(low, high, n)), -1)
        cost_ratio = np.clip(spec.cost_ratio * rng.uniform(0.94, 1.06, n), 0.55, 0.75)
        frames.append(
            pd.DataFrame(
                {
                    schema.PRODUCT: list(spec.products),
                    schema.PRODUCT_LINE: spec.name,
                    "list_price": price,
                    "unit_cost": np.round(price * cost_ratio, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
