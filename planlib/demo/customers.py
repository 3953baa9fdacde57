"""Customers: segments, acquisition, churn, value, and the rep who owns each account on a day."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.demo.company import (
    _DAYS_PER_YEAR,
    CHANNELS,
    CUSTOMER_VALUE_SIGMA,
    RAMP_UP,
    REGIONS,
    VALUE_TO_ORDER_RATE,
)
from planlib.demo.curves import _Curves, _sample_days
from planlib.demo.tables import _Company
from planlib.demo.window import _Calendar


@dataclass(frozen=True)
class _Customers:
    """One entry per customer, numbered by acquisition (existing customers first)."""

    region: np.ndarray
    channel: np.ndarray
    is_new: np.ndarray  # acquired inside the window (first order on first_day)
    first_day: np.ndarray  # acquisition day (0 for existing customers)
    end_day: np.ndarray  # first day after churn (n_days if still a customer)
    order_rate: np.ndarray  # orders per year of normal activity, before scaling
    order_size: np.ndarray  # quantity multiplier
    discount: np.ndarray
    first_rep: np.ndarray  # rep owning the account on first_day
    handover_draw: np.ndarray  # uniform draw picking the successor rep when one leaves

    @property
    def segment(self) -> np.ndarray:
        return self.region.astype(np.int64) * len(CHANNELS) + self.channel


def _segment_counts(n_customers: int, calendar: _Calendar, growth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Existing and newly acquired customers per segment, a growing steady state.

    A segment whose customer base grows at log rate g with churn hazard h holds
    N0 customers at the start and acquires N0 (g + h) e^(g t) a year thereafter.
    """
    stock = np.outer([r.share for r in REGIONS], [c.customer_share for c in CHANNELS]).ravel()
    churn = np.tile([c.churn for c in CHANNELS], len(REGIONS))
    span = calendar.n_days / _DAYS_PER_YEAR
    safe_growth = np.where(np.abs(growth) < 1e-9, 1e-9, growth)
    acquired = stock * (growth + churn) * np.expm1(safe_growth * span) / safe_growth
    scale = n_customers / (stock + acquired).sum()
    return np.round(stock * scale).astype(np.int64), np.round(acquired * scale).astype(np.int64)


def _draw_customers(rng: np.random.Generator, n_customers: int, calendar: _Calendar,
                    company: _Company, curves: _Curves) -> _Customers:
    """Existing and new customers: segment, acquisition, churn, value, first rep."""
    n_stock, n_new = _segment_counts(n_customers, calendar, curves.growth)
    segment = np.concatenate([np.repeat(np.arange(len(n_stock)), n_stock), np.repeat(np.arange(len(n_new)), n_new)])
    is_new = np.repeat([False, True], [n_stock.sum(), n_new.sum()])
    zeros = np.zeros(len(segment), dtype=np.int32)
    first_day = np.where(is_new, _sample_days(curves.arrival, segment, zeros, zeros + calendar.n_days, rng), 0)
    order = np.lexsort((rng.random(len(segment)), first_day, is_new))  # ids by acquisition
    segment, is_new, first_day = segment[order], is_new[order], first_day[order]
    region, channel = np.divmod(segment, len(CHANNELS))
    value = np.exp(CUSTOMER_VALUE_SIGMA * rng.standard_normal(len(segment)))
    hazard = _channel_array("churn")[channel]
    lifetime = np.ceil(rng.exponential(1.0 / hazard) * _DAYS_PER_YEAR).astype(np.int64)
    end_day = np.minimum(first_day + np.maximum(lifetime, 1), calendar.n_days)
    discount = _channel_array("discount")[channel] + 0.02 * np.clip(np.log(value), -2.0, 3.0)
    return _Customers(
        region=region.astype(np.int8),
        channel=channel.astype(np.int8),
        is_new=is_new,
        first_day=first_day.astype(np.int32),
        end_day=end_day.astype(np.int32),
        order_rate=_channel_array("order_rate")[channel] * value**VALUE_TO_ORDER_RATE,
        order_size=_channel_array("order_size")[channel] * value ** (1.0 - VALUE_TO_ORDER_RATE),
        discount=np.clip(discount, 0.0, 0.35),
        first_rep=_assign_first_reps(rng, region, first_day, company),
        handover_draw=rng.random(len(segment)),
    )


def _channel_array(field: str) -> np.ndarray:
    """One ``ChannelSpec`` field for every channel, as a float array."""
    return np.array([getattr(c, field) for c in CHANNELS], dtype=float)


def _assign_first_reps(rng: np.random.Generator, region: np.ndarray, day: np.ndarray,
                       company: _Company) -> np.ndarray:
    """A rep of the customer's region employed on ``day``, uniformly at random."""
    rep = np.zeros(len(region), dtype=np.int8)
    draw = rng.random(len(region))
    for r in range(len(REGIONS)):  # a loop over regions, not rows
        rows = np.flatnonzero(region == r)
        members = np.flatnonzero(company.rep_region == r)
        employed = (company.rep_hire[members] <= day[rows, None]) & (company.rep_leave[members] >= day[rows, None])
        rank = (draw[rows] * employed.sum(axis=1)).astype(np.int64)
        position = np.argmax(np.cumsum(employed, axis=1) > rank[:, None], axis=1)
        rep[rows] = members[position]
    return rep


def _rep_on(customers: _Customers, customer: np.ndarray, day: np.ndarray, company: _Company) -> np.ndarray:
    """The rep owning ``customer``'s account on ``day``: hand-overs follow leave dates."""
    rep = customers.first_rep[customer].astype(np.int64)
    draw = customers.handover_draw[customer]
    moved = np.flatnonzero(day > company.rep_leave[rep])
    while moved.size:  # one pass per hand-over generation (a few), not per row
        previous = rep[moved]
        pick = (draw[moved] * company.rep_successor_count[previous]).astype(np.int64)
        rep[moved] = company.rep_successors[previous, pick]
        moved = moved[day[moved] > company.rep_leave[rep[moved]]]
    return rep.astype(np.int8)


def _ramp_factor(rep: np.ndarray, day: np.ndarray, company: _Company) -> np.ndarray:
    """Share of a tenured rep's sales that a rep closes on ``day`` (RAMP_UP)."""
    month = (day - company.rep_hire[rep]) // 30
    return np.asarray(RAMP_UP)[np.clip(month, 0, len(RAMP_UP) - 1)]


def _expected_return_rate(customers: _Customers) -> float:
    """Expected returns per sale line, given the customers' channels and order rates."""
    channel_lines = np.bincount(customers.channel, weights=customers.order_rate, minlength=len(CHANNELS))
    channel_lines *= 1.0 + _channel_array("extra_lines")
    return float((channel_lines * _channel_array("return_rate")).sum() / channel_lines.sum())
