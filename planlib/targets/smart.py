"""SMART table: every target with owner, period, baseline and its probability of being reached."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from planlib import schema
from planlib.checks import require_frame, require_number
from planlib.errors import DataError, ParamsError
from planlib.targets._common import AMOUNT, BASELINE, GROWTH, MONTH, PROBABILITY, QUARTER, TARGET, VACANT_REP, _MEAN, _check_forecast, _month_start, _parse_uid, _paths, _quantile_levels, _reach, _series, _uid
from planlib.i18n import N_, _


def estimate_reach_probability(
    forecast: pd.DataFrame,
    *,
    unique_id: str,
    amount: float,
    months: Sequence[pd.Timestamp] | None = None,
    correlation: float = 1.0,
) -> float:
    """Probability that a segment's actual over some months reaches ``amount``.

    Without simulated paths the distribution is rebuilt from the forecast quantiles.
    One month: its own quantiles. Several months: the summed quantiles (exact if the
    months move together, ``correlation=1``), shrunk towards the summed mean by
    ``sd(sum) / sum(sd)`` where the monthly ``sd`` comes from the outermost quantile pair
    and ``sd(sum)`` assumes one ``correlation`` between any two months (see
    :func:`build_smart_table`, which calibrates it on the Total's simulated paths). The
    CDF is interpolated linearly between quantiles on the probit scale and extended
    beyond the outermost ones along the end segments (Gaussian tails).

    Parameters
    ----------
    forecast : DataFrame
        Long forecast with quantile columns ``p10..p90`` (any ``pNN``, at least two).
    unique_id : str
        The series, e.g. ``"region=North"``.
    amount : float
        The target.
    months : sequence of Timestamp, optional
        Month starts of the period; default all months of the series.
    correlation : float, default 1.0
        Correlation (0-1) between the forecast errors of two months.

    Returns
    -------
    float
        ``P(actual >= amount)`` in [0, 1].
    """
    where = "estimate_reach_probability"
    series = _series(_check_forecast(forecast, where), unique_id, where)
    if months is not None:
        wanted = pd.DatetimeIndex(months).to_period("M").to_timestamp()
        series = series[series[schema.DS].isin(wanted)]
        if len(series) != len(set(wanted)):
            raise DataError(f"the forecast of '{unique_id}' given to {where} lacks some of the "
                            f"months asked for", column=schema.DS)
    rho = require_number(correlation, "correlation", where, low=0.0, high=1.0)
    probs, qs = _summed_quantiles(series, unique_id, where)
    center = math.fsum(series[_MEAN].astype(float))
    sd = _monthly_sd(series)
    summed_sd = math.fsum(sd)
    if summed_sd > 0 and len(sd) > 1:
        var = math.fsum(sd**2) + rho * (summed_sd**2 - math.fsum(sd**2))
        qs = center + (math.sqrt(var) / summed_sd) * (qs - center)
    return _reach_from_quantiles(np.maximum.accumulate(qs), probs, float(amount))


def _summed_quantiles(series: pd.DataFrame, unique_id: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    levels = _quantile_levels(series)
    if len(levels) < 2:
        raise DataError(f"the forecast of '{unique_id}' given to {where} needs at least two quantile "
                        f"columns (p10..p90); got {list(series.columns)}")
    probs = np.array([p for p, _column in levels])
    qs = np.array([math.fsum(series[c].astype(float)) for _level, c in levels])
    return probs, qs


def _monthly_sd(series: pd.DataFrame) -> np.ndarray:
    """Per-month standard deviation implied by the outermost quantile pair."""
    levels = _quantile_levels(series)
    (lo, clo), (hi, chi) = levels[0], levels[-1]
    width = series[chi].astype(float).to_numpy() - series[clo].astype(float).to_numpy()
    return np.clip(width, 0.0, None) / (norm.ppf(hi) - norm.ppf(lo))


def _reach_from_quantiles(qs: np.ndarray, probs: np.ndarray, amount: float) -> float:
    z = norm.ppf(probs)
    xs, inverse = np.unique(qs, return_inverse=True)
    if len(xs) == 1:
        return 1.0 if amount <= xs[0] else 0.0
    zs = np.array([z[inverse == i].mean() for i in range(len(xs))])
    if amount < xs[0]:
        za = zs[0] + (amount - xs[0]) * (zs[1] - zs[0]) / (xs[1] - xs[0])
    elif amount > xs[-1]:
        za = zs[-1] + (amount - xs[-1]) * (zs[-1] - zs[-2]) / (xs[-1] - xs[-2])
    else:
        za = float(np.interp(amount, xs, zs))
    return float(norm.sf(za))


def _calibrate_correlation(forecast: pd.DataFrame, paths: np.ndarray, months: list[pd.Timestamp]) -> float:
    """Month-to-month correlation that makes the Total's summed spread match the paths'."""
    series = _series(forecast, schema.TOTAL_ID, "build_smart_table")
    series = series[series[schema.DS].isin(months)]
    levels = _quantile_levels(series)
    if len(levels) < 2 or len(series) < 2:
        return 1.0
    lo, hi = levels[0][0], levels[-1][0]
    sd = _monthly_sd(series)
    target_sd = float(np.quantile(paths, hi) - np.quantile(paths, lo)) / (norm.ppf(hi) - norm.ppf(lo))
    s1, s2 = math.fsum(sd), math.fsum(sd**2)
    if s1**2 - s2 <= 0:
        return 1.0
    return float(np.clip((target_sd**2 - s2) / (s1**2 - s2), 0.0, 1.0))


_DEFAULT_OWNER = {
    "": N_("sales director"),
    schema.PRODUCT_LINE: N_("product manager {name}"),
    schema.REGION: N_("regional manager {name}"),
    schema.CHANNEL: N_("channel manager {name}"),
}


def build_smart_table(
    forecast: pd.DataFrame,
    *,
    annual: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    product_lines: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
    channels: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    year_total_paths: np.ndarray | Sequence[float] | None = None,
    segment_paths: pd.DataFrame | None = None,
    orders: pd.DataFrame | None = None,
    owners: Mapping[str, str] | None = None,
    correlation: float | None = None,
    easy: float = 0.9,
    hard: float = 0.1,
) -> pd.DataFrame:
    """Every target as a SMART row, with its probability of being reached.

    Probabilities: the annual total from ``year_total_paths`` when given; everything
    else from the forecast quantiles of the matching series over the row's months (see
    :func:`estimate_reach_probability`). The month-to-month ``correlation`` that
    combines monthly quantiles into a quarter or a year is, by default, the one that
    makes the Total's combined spread match the paths' P10-P90 spread (the same for
    every segment), or 1 (months move together: the widest, most cautious spread)
    without paths. Rows without a matching series (reps, customer counts) get no
    probability.

    Parameters
    ----------
    forecast : DataFrame
        Long forecast of the plan year (``unique_id, ds, mean, p10..p90``).
    annual : DataFrame, optional
        From :func:`set_annual_target` (its ``final`` row is used).
    months : DataFrame, optional
        From :func:`split_by_time` (month and quarter rows).
    product_lines, regions, channels : DataFrame, optional
        From :func:`allocate_by_role` / :func:`allocate_by_stage`.
    reps : DataFrame, optional
        From :func:`allocate_to_reps`.
    customers : DataFrame, optional
        From :func:`plan_customer_targets`.
    year_total_paths : array of float, optional
        Simulated annual totals of the Total series.
    segment_paths : DataFrame, optional
        Simulated annual totals of every series (columns by ``unique_id``): a segment's
        full-year row then takes its probability from its own paths, the same measure the
        balanced splits use.
    orders : DataFrame, optional
        Order lines, for each row's baseline (same segment and period a year earlier);
        otherwise the input frames' own baselines are used where they have one.
    owners : mapping of str to str, optional
        Owner per segment id (``"Total"``, ``"region=North"``, ``"rep=Li"``) overriding
        the defaults (sales director, product / regional / channel manager, the rep).
    correlation : float, optional
        See above.
    easy, hard : float, default 0.9 and 0.1
        Above ``easy`` a target is flagged "too easy", below ``hard`` "out of reach".

    Returns
    -------
    DataFrame
        ``group, metric, owner, segment, period, baseline, value, growth, probability,
        probability_source, flag, action``: ``group`` (company, quarter, month, product
        line, region, channel, rep, customers) orders the rows; ``action`` says what to
        do about a flag.
    """
    where = "build_smart_table"
    _check_forecast(forecast, where)
    easy_ = require_number(easy, "easy", where, low=0.0, high=1.0)
    hard_ = require_number(hard, "hard", where, low=0.0, high=1.0)
    if hard_ >= easy_:
        raise ParamsError(f"the 'hard' parameter of {where} must be below 'easy'; got {hard} >= {easy}",
                          key="hard")
    total_series = _series(forecast, schema.TOTAL_ID, where)
    plan_months = list(total_series[schema.DS])
    plan_year = plan_months[0].year
    year_label = str(plan_year) if plan_months[-1].year == plan_year else (
        f"{plan_year}/{plan_months[-1].year}")
    paths = None if year_total_paths is None else _paths(year_total_paths, where)
    if correlation is None:
        rho = _calibrate_correlation(forecast, paths, plan_months) if paths is not None else 1.0
    else:
        rho = require_number(correlation, "correlation", where, low=0.0, high=1.0)
    known = set(forecast[schema.UNIQUE_ID].astype(str))
    owners = dict(owners or {})
    orders_ok = orders is not None
    if orders_ok:
        require_frame(orders, "orders", where, [schema.ORDER_DATE, schema.REVENUE])
        o_month = _month_start(orders[schema.ORDER_DATE])
        o_rev = pd.to_numeric(orders[schema.REVENUE], errors="coerce").astype(float)
    o_sums: dict[tuple[str, ...], pd.DataFrame] = {}  # revenue by month and segment columns

    def owner_of(segment: str) -> str:
        if segment in owners:
            return owners[segment]
        parts = _parse_uid(segment)
        if not parts:
            return _(_DEFAULT_OWNER[""])
        if parts.get(schema.REP, VACANT_REP) != VACANT_REP:
            return parts[schema.REP]
        key = schema.REGION if schema.REGION in parts else next(iter(parts))
        return _(_DEFAULT_OWNER.get(key, "{name}")).format(name=parts[key])

    def baseline_of(segment: str, period_months: list[pd.Timestamp], fallback: float) -> float:
        if not orders_ok:
            return fallback
        parts = _parse_uid(segment)
        if any(k not in orders.columns for k in parts):
            return fallback
        keys = tuple(sorted(parts))
        if keys not in o_sums:  # once per set of columns: 60 targets would each scan 10M lines
            by = [o_month.rename("month"), *(orders[k] for k in keys)]  # categoricals group on codes
            sums = o_rev.rename("revenue").groupby(by, observed=True).sum().reset_index()
            o_sums[keys] = sums.assign(**{k: sums[k].astype(str) for k in keys})
        sums = o_sums[keys]
        mask = sums["month"].isin([m - pd.DateOffset(years=1) for m in period_months])
        for k, v in parts.items():
            mask &= sums[k] == v
        return math.fsum(sums.loc[mask, "revenue"])

    rows: list[dict] = []

    def add(metric: str, segment: str, period: str, period_months: list[pd.Timestamp], value: float,
            fallback: float = np.nan, *, use_paths: bool = False, probability: bool = True, group: str = "company") -> None:
        base = baseline_of(segment, period_months, fallback) if metric == "revenue" else fallback
        prob, source = np.nan, "none"
        if probability and use_paths and paths is not None:
            prob, source = _reach(paths, value), "paths"
        elif probability and segment_paths is not None and segment in segment_paths.columns and period_months == plan_months:
            prob, source = _reach(segment_paths[segment].to_numpy(dtype=float), value), "paths"
        elif probability and segment in known:
            prob = estimate_reach_probability(forecast, unique_id=segment, amount=value,
                                              months=period_months, correlation=rho)
            source = "quantiles"
        rows.append({"group": group, "metric": metric, "owner": owner_of(segment), "segment": segment,
                     "period": period, BASELINE: base, "value": float(value),
                     GROWTH: value / base - 1 if base and base > 0 else np.nan,
                     PROBABILITY: prob, "probability_source": source})

    if annual is not None:
        require_frame(annual, "annual", where, ["step", AMOUNT, BASELINE])
        final = annual[annual["step"] == "final"]
        if final.empty:
            raise DataError(f"the 'annual' frame given to {where} has no 'final' row", column="step")
        add("revenue", schema.TOTAL_ID, year_label, plan_months, float(final[AMOUNT].iloc[0]),
            float(final[BASELINE].iloc[0]), use_paths=True)
    if months is not None:
        require_frame(months, "months", where, [MONTH, QUARTER, TARGET])
        m = months.assign(**{MONTH: _month_start(months[MONTH])})
        for q, grp in m.groupby(QUARTER, sort=False):
            add("revenue", schema.TOTAL_ID, f"{plan_year}-{q}", list(grp[MONTH]), float(grp[TARGET].sum()), group="quarter")
        for mo, value in zip(m[MONTH], m[TARGET]):
            add("revenue", schema.TOTAL_ID, mo.strftime("%Y-%m"), [mo], float(value), group="month")
    for frame, key in ((product_lines, schema.PRODUCT_LINE), (regions, schema.REGION),
                       (channels, schema.CHANNEL), (reps, schema.REP)):
        if frame is None:
            continue
        require_frame(frame, key, where, [key, TARGET])
        has_base = BASELINE in frame.columns
        for i, (level, value) in enumerate(zip(frame[key].astype(str), frame[TARGET])):
            if key == schema.REP and value == 0:
                continue  # reps who left or have not started carry nothing
            if key == schema.REP and level == VACANT_REP:
                segment = f"{schema.REP}={VACANT_REP}|{schema.REGION}={frame[schema.REGION].iloc[i]}"
            else:
                segment = _uid(**{key: level})
            add("revenue", segment, year_label, plan_months, float(value),
                float(frame[BASELINE].iloc[i]) if has_base else np.nan, group=key.replace("_", " "))
    if customers is not None:
        require_frame(customers, "customers", where, ["customer_type", "customers", TARGET])
        c = customers.set_index("customer_type")
        for ctype in ("existing", "new"):
            if ctype in c.index:
                add(f"revenue from {ctype} customers", schema.TOTAL_ID, year_label, plan_months,
                    float(c.loc[ctype, TARGET]), probability=False, group="customers")
        if "new" in c.index:
            base = float(c.loc["new", "baseline_customers"]) if "baseline_customers" in c.columns else np.nan
            add("new customers", schema.TOTAL_ID, year_label, plan_months, float(c.loc["new", "customers"]),
                base, probability=False, group="customers")
    if not rows:
        raise ParamsError(f"{where} needs at least one target frame (annual, months, ...)", key="annual")
    out = pd.DataFrame(rows)
    p = out[PROBABILITY]
    out["flag"] = np.select([p.isna(), p > easy_, p < hard_], ["no probability", "too easy", "out of reach"],
                            default="")
    out["action"] = [_action(f, prob, metric, segment, easy_, hard_)
                     for f, prob, metric, segment in zip(out["flag"], p, out["metric"], out["segment"])]
    return out


def _action(flag: str, probability: float, metric: str, segment: str, easy: float, hard: float) -> str:
    """What the owner of a flagged SMART row should do, in words."""
    if flag == "too easy":
        return _("{probability} likely is a forecast, not a goal: raise it towards the level reached with "
                 "{low}-{high} probability, or move the slack to a unit with room to stretch").format(
            probability=f"{probability:.0%}", low=f"{1 - easy:.0%}", high=f"{easy:.0%}")
    if flag == "out of reach":
        return _("only {probability} likely: lower it to at least its forecast's {hard} point and move the "
                 "rest to units with room, or name the actions that close the gap in the action plan before signing").format(
            probability=f"{probability:.0%}", hard=f"{hard:.0%}")
    if flag == "no probability":
        if metric == "new customers":
            return _("no forecast of customer counts: compare with the last years' acquisition (customer table)")
        if segment.startswith(f"{schema.REP}="):
            return _("no forecast of the rep's own: check the quota against the rep's book and commitment (rep tables)")
        return _("no forecast for this segment: check the growth against its history and the owner's view")
    return ""
