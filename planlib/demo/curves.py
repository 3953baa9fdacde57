"""Daily curves: seasonality, trends, the plan-year surprises, product-line shares.

Cumulative intensities per segment (region x channel) and inverse-CDF day sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.demo.company import (
    _DAYS_PER_YEAR,
    CHANNEL_LINE_AFFINITY,
    CHANNELS,
    CNY_DATES,
    CNY_FULL_DIP_DAYS,
    CNY_TAPER_DAYS,
    ECOMMERCE_FESTIVALS,
    PLAN_YEAR_SHORTFALL,
    PLAN_YEAR_UPLIFT,
    PRODUCT_LINES,
    REGIONS,
    STOCKING_RUSH_DAYS,
)
from planlib.demo.window import _Calendar


def _channel_seasonality(calendar: _Calendar) -> np.ndarray:
    """Relative daily activity per channel, shape (channels, days), mean 1."""
    dates = calendar.dates
    weekday, month, dom = dates.weekday.to_numpy(), dates.month.to_numpy(), dates.day.to_numpy()
    to_cny = _days_to_nearest_cny(calendar)
    cny_dip = _cny_kernel(to_cny)
    rush = (to_cny >= STOCKING_RUSH_DAYS[0]) & (to_cny <= STOCKING_RUSH_DAYS[1])
    quarter_end = np.isin(month, (3, 6, 9)) & (dom >= 21)
    curves = np.ones((len(CHANNELS), calendar.n_days))
    for i, spec in enumerate(CHANNELS):
        curve = curves[i]
        curve[weekday == 5] *= spec.weekend[0]
        curve[weekday == 6] *= spec.weekend[1]
        curve *= 1.0 - spec.cny_depth * cny_dip
        curve[rush] *= spec.stocking_rush
        curve[quarter_end] *= spec.quarter_end_push
        curve[month == 12] *= spec.year_end_push
        if spec.shopping_festivals:
            for fest_month, first, last, factor in ECOMMERCE_FESTIVALS:
                curve[(month == fest_month) & (dom >= first) & (dom <= last)] *= factor
        curve /= curve.mean()
    return curves


def _days_to_nearest_cny(calendar: _Calendar) -> np.ndarray:
    """Signed days from each day to the nearest Chinese New Year."""
    cny = np.array([calendar.day(d) for d in CNY_DATES])
    days = np.arange(calendar.n_days)
    after = np.clip(np.searchsorted(cny, days), 1, len(cny) - 1)
    to_next, to_previous = days - cny[after], days - cny[after - 1]
    return np.where(np.abs(to_next) < np.abs(to_previous), to_next, to_previous)


def _cny_kernel(to_cny: np.ndarray) -> np.ndarray:
    """1 in the full-dip days around CNY, fading linearly to 0 over the taper days."""
    first, last = CNY_FULL_DIP_DAYS
    before, after = CNY_TAPER_DAYS
    rise = np.clip((to_cny - (first - before)) / before, 0.0, 1.0)
    fall = np.clip(((last + after) - to_cny) / after, 0.0, 1.0)
    return np.minimum(rise, fall)


def _region_surprise(calendar: _Calendar) -> np.ndarray:
    """Activity vs trend per region and day, shape (regions, days): the plan-year shortfall."""
    factor = np.ones((len(REGIONS), calendar.n_days))
    name, level = PLAN_YEAR_SHORTFALL
    factor[[r.name for r in REGIONS].index(name), calendar.plan_year_q2_q3()] = level
    return factor


def _line_surprise(calendar: _Calendar) -> np.ndarray:
    """Quantity vs trend per product line and day, shape (lines, days): the plan-year uplift."""
    factor = np.ones((len(PRODUCT_LINES), calendar.n_days))
    name, level = PLAN_YEAR_UPLIFT
    factor[[p.name for p in PRODUCT_LINES].index(name), calendar.plan_year_q2_q3()] = level
    return factor


def _line_weights(calendar: _Calendar) -> np.ndarray:
    """Weight of each product line per channel and day, shape (channels, lines, days).

    Zero before launch; then ``weight * exp(drift * years)``, ramped up after launch.
    """
    years = calendar.years()
    weights = np.zeros((len(PRODUCT_LINES), calendar.n_days))
    for i, spec in enumerate(PRODUCT_LINES):
        since_launch = years - calendar.day(spec.launch_date) / _DAYS_PER_YEAR
        weight = spec.weight * np.exp(spec.drift * years)
        if spec.ramp_years > 0:
            weight = weight * (1.0 - np.exp(-np.clip(since_launch, 0.0, None) / spec.ramp_years))
        weights[i] = np.where(since_launch >= 0, weight, 0.0)
    return CHANNEL_LINE_AFFINITY[:, :, None] * weights[None, :, :]


def _line_share_cdf(weights: np.ndarray) -> np.ndarray:
    """Cumulative share of an order's lines among the lines that are not cross-sold."""
    shares = weights * ~np.array([p.cross_sell for p in PRODUCT_LINES])[None, :, None]
    cdf = np.cumsum(shares, axis=1) / shares.sum(axis=1, keepdims=True)
    cdf[:, -1, :] = 1.0
    return cdf


@dataclass(frozen=True)
class _Curves:
    """Cumulative daily intensities per segment (region x channel), for inverse-CDF sampling.

    ``repeat`` (no trend) places a customer's repeat orders, in years of normal
    activity; ``arrival`` (trend included) places new customers' first orders. Both
    are flattened with an offset per segment so one ``searchsorted`` serves all.
    """

    repeat: np.ndarray  # (segments, days + 1)
    arrival: np.ndarray
    growth: np.ndarray  # log growth per segment and year
    line_cdf: np.ndarray  # (channels, lines, days): share of an order's regular lines
    cross_sell: np.ndarray  # (channels, lines, days): extra lines per order (0 if not cross-sold)
    line_surprise: np.ndarray  # (lines, days)

    @classmethod
    def from_calendar(cls, calendar: _Calendar) -> _Curves:
        """All curves of ``calendar``'s window."""
        season = _channel_seasonality(calendar)
        surprise = _region_surprise(calendar)
        activity = (surprise[:, None, :] * season[None, :, :]).reshape(-1, calendar.n_days)
        growth = (
            np.log1p([r.growth for r in REGIONS])[:, None] + np.log1p([c.drift for c in CHANNELS])[None, :]
        ).ravel()
        trend = np.exp(growth[:, None] * calendar.years()[None, :])
        weights = _line_weights(calendar)
        cross_sold = np.array([p.cross_sell for p in PRODUCT_LINES])[None, :, None]
        return cls(
            _cumulate(activity / _DAYS_PER_YEAR),
            _cumulate(activity * trend),
            growth,
            _line_share_cdf(weights),
            weights * cross_sold,
            _line_surprise(calendar),
        )


def _cumulate(intensity: np.ndarray) -> np.ndarray:
    """Cumulative sums along days with a leading 0: entry d is the mass before day d."""
    out = np.zeros((intensity.shape[0], intensity.shape[1] + 1))
    np.cumsum(intensity, axis=1, out=out[:, 1:])
    return out


def _sample_days(cumulative: np.ndarray, segment: np.ndarray, low: np.ndarray, high: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """Draw a day in ``[low, high)`` per row, with probability proportional to intensity."""
    n_segments, width = cumulative.shape
    offset = cumulative[:, -1].max() + 1.0
    flat = (cumulative + offset * np.arange(n_segments)[:, None]).ravel()
    lo = cumulative[segment, low]
    target = lo + rng.random(len(segment)) * (cumulative[segment, high] - lo) + offset * segment
    day = np.searchsorted(flat, target, side="right") - 1 - width * segment
    return np.clip(day, low, high - 1).astype(np.int32)
