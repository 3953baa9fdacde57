"""Growth a short history shows: year-over-year growth pooled across segments, and its spread.

With two or three years of data the models cannot tell a trend from the seasonal shape
and no full year can be backtested. Each series' forecast is then centred on the mean
of its model and of last year's months grown by its level's pooled growth, and its
year total is given at least the spread that growth shows across the segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.i18n import _, own_label

SHORT_HISTORY_MONTHS = 36  # below this (and from 24 months on) the growth rule applies
MIN_GROWTH_MONTHS = 24
MIN_SEGMENTS = 3  # series a level needs for its own growth spread


@dataclass
class GrowthRule:
    """Per series: pooled growth of its level, target log-sd of its year total, and why."""

    applies: np.ndarray  # bool (series,)
    growth: np.ndarray  # pooled year-over-year growth factor of the series' level
    log_sd: np.ndarray  # spread (sd of log) the year total must at least have
    notes: list[str]


def _year_sums(y: np.ndarray) -> tuple[float, float]:
    return float(np.sum(y[-12:])), float(np.sum(y[-24:-12]))


def growth_rule(ys: dict[str, np.ndarray], ids: list[str], levels: list[str]) -> GrowthRule:
    """Pooled growth and growth spread per level, for series of 24 to 35 months.

    The level's growth is the growth of its summed last two years (the growth of the
    level's total). Its spread is the robust standard deviation (1.4826 x MAD) of the
    log growth of its segments around it: with one year-over-year figure per series,
    how far siblings' growth strays is the pooled estimate of how far a segment's own
    next year may stray. A level of one series (the Total) takes the spread of the
    level with most segments, diversified by their revenue shares
    (``sd * sqrt(sum(share^2))``, as for independent deviations).
    """
    n = len(ids)
    applies = np.array([MIN_GROWTH_MONTHS <= len(ys[u]) < SHORT_HISTORY_MONTHS for u in ids])
    growth = np.ones(n)
    log_sd = np.zeros(n)
    notes: list[str] = []
    if not applies.any():
        return GrowthRule(applies, growth, log_sd, notes)
    lv = np.asarray(levels)
    spread: dict[str, tuple[float, float, int]] = {}
    for level in dict.fromkeys(levels):
        cols = [i for i in np.flatnonzero(lv == level) if len(ys[ids[i]]) >= MIN_GROWTH_MONTHS]
        sums = np.array([_year_sums(ys[ids[i]]) for i in cols]) if cols else np.zeros((0, 2))
        if not len(sums) or sums[:, 1].sum() <= 0 or sums[:, 0].sum() <= 0:
            continue
        g = sums[:, 0].sum() / sums[:, 1].sum()
        ok = (sums[:, 0] > 0) & (sums[:, 1] > 0)
        logs = np.log(sums[ok, 0] / sums[ok, 1]) - np.log(g)
        sd = float(1.4826 * np.median(np.abs(logs - np.median(logs)))) if ok.sum() >= MIN_SEGMENTS else np.nan
        shares = sums[ok, 0] / sums[ok, 0].sum() if ok.any() else np.ones(1)
        for i in cols:
            growth[i] = g
        spread[level] = (g, sd, int(ok.sum()))
        if ok.sum() >= MIN_SEGMENTS:
            spread[level + "/shares"] = (float(np.sqrt(np.sum(shares**2))), sd, int(ok.sum()))
    widest = max((v for k, v in spread.items() if k.endswith("/shares")), key=lambda v: v[2], default=None)
    for i, u in enumerate(ids):
        if not applies[i] or levels[i] not in spread:
            applies[i] = False
            continue
        g, sd, count = spread[levels[i]]
        if np.isfinite(sd):
            log_sd[i] = sd
            how = _("spread of growth across its {count} segments").format(count=count)
        elif widest is not None:
            log_sd[i] = widest[1] * widest[0]
            how = _("spread of growth across {count} segments, diversified by their revenue shares").format(count=widest[2])
        else:
            how = _("no segments to measure the spread of growth on")
        notes.append(_(
            "series {series}: {months} months of history: forecast centred between the model and last year grown "
            "{growth} (its level's pooled growth); year total at least as uncertain as the {how} (sd {sd} in logs)"
        ).format(series=repr(own_label(u)), months=len(ys[u]), growth=f"{g - 1:+.1%}", how=how, sd=f"{log_sd[i]:.2f}"))
    return GrowthRule(applies, growth, log_sd, notes)


def grown_mean(mean: np.ndarray, ys: dict[str, np.ndarray], ids: list[str], rule: GrowthRule) -> np.ndarray:
    """Base means ``(series, h)`` re-centred where the rule applies (before reconciliation).

    The new mean is the average of the model's mean and last year's same months grown by
    the level's pooled growth (compounded for a second year).
    """
    out = mean.copy()
    h = mean.shape[1]
    for i, u in enumerate(ids):
        if rule.applies[i]:
            grown = np.resize(ys[u][-12:], h) * rule.growth[i] ** (1 + np.arange(h) // 12)
            out[i] = 0.5 * (mean[i] + grown)
    return out


def widen_for_growth(paths: np.ndarray, rule: GrowthRule, months: int = 12) -> np.ndarray:
    """Paths ``(series, h, n)`` given the year-total spread the rule asks for (after reconciliation).

    Growth uncertainty is added on top of the model's own: each path is multiplied by
    ``exp(s * z)``, ``z`` its standardised first-``months`` total and ``s`` what the
    relative spread of the total lacks to reach the rule's log-sd (positive paths stay
    positive and keep their rank).
    """
    out = paths.copy()
    k = min(months, paths.shape[1])
    for i in np.flatnonzero(rule.applies):
        totals = paths[i, :k].sum(axis=0)
        centre, sd = float(np.mean(totals)), float(np.std(totals))
        if centre <= 0 or sd <= 0:
            continue
        extra = float(np.sqrt(max(rule.log_sd[i] ** 2 - (sd / centre) ** 2, 0.0)))
        out[i] = paths[i] * np.exp(extra * (totals - centre) / sd)[None, :]
    return out
