"""Rolling-origin backtests per series: which model, and whether the guard must replace it.

``run_series`` does one series' work (it runs in a worker process): fit the
model its features call for at every origin, keep it unless its own backtest is
strong evidence that it loses to seasonal naive (the guard), fit the choice on the
whole history. Calibration lives in ``calibrate``, the backtest tables in ``scores``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planlib.forecast.metrics import mase_scale
from planlib.forecast.models import (
    COMBINATIONS,
    DEFAULT_MODEL,
    ETS,
    NONSEASONAL_ETS_SPECS,
    BorrowedSeasonality,
    ForecastModel,
    Naive,
    SeasonalNaive,
    WithFallback,
    check_forecast,
    make_model,
)
from planlib.forecast.paths import LinearPaths, PathSampler, RecenteredPaths
from planlib.i18n import _, _p, own_label

# The benchmark a model must not lose to in its own backtest (the guard of ``run_series``).
GUARD_MODEL = "snaive"
GUARD_EXEMPT = ("snaive", "naive", "naive2", "zero")
MIN_GUARD_ORIGINS = 2  # scored origins the guard needs before it may replace a model
MIN_SEASONAL_MONTHS = 24  # below this a series borrows its parent's seasonal profile
INTERMITTENT_ZERO_SHARE = 0.3  # share of months without sales (last 24) that makes a series intermittent
MIN_BACKTEST_TRAIN = 13  # months of history an origin needs to be scored
MIN_BACKTEST_WINDOW = 3  # shortest out-of-sample window a short history is scored on


def backtest_offsets(n_months: int, horizon: int, n_origins: int, step: int) -> tuple[list[int], str | None]:
    """Months before the end of the data at which each backtest origin stops training.

    Normally the last origin ends ``horizon`` months before the data, each earlier one
    ``step`` months before it, and every window is a full horizon. When the history is
    too short for two such origins (AdventureWorks has 24 months before its 2013 plan),
    origins start at the first scorable training length and their windows are shortened
    to the months left, so accuracy is still measured out of sample; the note says so.
    """
    full = [horizon + k * step for k in range(n_origins)]
    if n_origins < 2 or sum(n_months - off >= MIN_BACKTEST_TRAIN for off in full) >= 2:
        return full, None
    longest = n_months - MIN_BACKTEST_TRAIN
    short = sorted(range(longest, MIN_BACKTEST_WINDOW - 1, -step)[:n_origins])
    if not short:
        return full, f"history of {n_months} months: too short for any out-of-sample backtest (needs {MIN_BACKTEST_TRAIN + MIN_BACKTEST_WINDOW})"
    return short, (
        f"history of {n_months} months: backtest windows shortened to {', '.join(map(str, reversed(short)))} months "
        f"(full {horizon}-month windows from two origins need {MIN_BACKTEST_TRAIN + horizon + step} months); "
        f"12-month totals are not backtested"
    )


@dataclass
class SeriesTask:
    """One series' job: its history, the backtest origins and any borrowed seasonal profile."""

    uid: str
    y: np.ndarray
    horizon: int
    model: str
    season_length: int
    cutoffs: list[int]  # training lengths of the backtest origins (may be < 1)
    profiles: dict[int, np.ndarray]  # training length -> borrowed seasonal profile
    profile_source: str | None
    margin: float


@dataclass
class FittedCandidate:
    """One model fitted at one origin (or on the full history)."""

    name: str
    label: str
    mean: np.ndarray
    sampler: PathSampler
    residuals: np.ndarray
    notes: list[str]


@dataclass
class SeriesBacktest:
    """What ``run_series`` returns: the choice and why, the final fit, every origin's fit."""

    uid: str
    kind: str
    choice: str
    reason: str
    final: FittedCandidate
    origins: list[FittedCandidate | None]  # chosen model at each origin
    snaive: list[np.ndarray | None]
    base_mase: float
    warnings: list[str]


def classify_series(y: np.ndarray, m: int) -> tuple[str, list[str]]:
    """``zero``, ``short``, ``intermittent`` or ``regular``, with the warnings that go with it."""
    n = len(y)
    notes: list[str] = []
    recent = y[-24:]
    if np.all(y[-12:] == 0):
        return "zero", [_("no sales in the last {months} months: forecast 0").format(months=min(12, n))]
    if np.any(y < 0):
        notes.append(_("{months} months with negative revenue (returns): multiplicative models skipped").format(months=int(np.sum(y < 0))))
    if n < MIN_SEASONAL_MONTHS:
        return "short", notes
    zero_share = float(np.mean(recent == 0))
    if zero_share >= INTERMITTENT_ZERO_SHARE:
        nz = recent[recent != 0]
        cv2 = float(np.var(nz) / np.mean(nz) ** 2) if len(nz) > 1 and np.mean(nz) != 0 else 0.0
        notes.append((_("lumpy: {share} of the last 24 months without sales") if cv2 > 0.49 else
                      _("intermittent: {share} of the last 24 months without sales")).format(share=f"{zero_share:.0%}"))
        return "intermittent", notes
    level = np.mean(np.abs(recent))
    if level > 0 and np.mean(np.abs(np.diff(recent))) > 0.6 * level:
        notes.append(_("erratic month to month (batching or timing of large orders?): the forecast smooths it"))
    return "regular", notes


def _candidates(kind: str, model: str) -> tuple[str, list[str]]:
    """The model a series of this kind runs, and the guard benchmark it is backtested against.

    One model per kind, chosen by the series' features (length, share of empty months),
    never by a many-way backtest race: ``auto`` runs ``DEFAULT_MODEL`` on regular
    series and Croston-SBA on intermittent ones.
    """
    if kind == "zero":
        return "zero", []
    if kind == "short":
        return "profile", [GUARD_MODEL]
    if model == "auto":
        model = "croston" if kind == "intermittent" else DEFAULT_MODEL
    return model, ([] if model in GUARD_EXEMPT else [GUARD_MODEL])


def guard_decision(model_mase: list[float], bench_mase: list[float], margin: float) -> bool:
    """Whether the backtest is strong evidence that a model is worse than the benchmark.

    Strong evidence: at least ``MIN_GUARD_ORIGINS`` scored origins, the model behind the
    benchmark at every one of them, and behind by over ``margin`` on average (relative
    MASE). Short, noisy backtests favour seasonal naive by chance, so anything less
    keeps the model.
    """
    a = np.asarray(model_mase, float)
    b = np.asarray(bench_mase, float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if len(a) < MIN_GUARD_ORIGINS:
        return False
    return bool(np.all(a > b) and a.mean() > (1 + margin) * b.mean())


def fit_candidates(
    y: np.ndarray, names: list[str], h: int, m: int, profile: np.ndarray | None, *, fast: bool = False
) -> dict[str, FittedCandidate]:
    """Fit every named candidate once; combinations reuse their members' fits (``fast``: see ``make_model``)."""
    cache: dict[str, ForecastModel] = {}

    def single(name: str) -> ForecastModel:
        if name not in cache:
            cache[name] = make_model(name, season_length=m, fast=fast).fit(y)
        return cache[name]

    out: dict[str, FittedCandidate] = {}
    for name in names:
        if name == "zero":
            zeros = np.zeros(h)
            out[name] = FittedCandidate(name, "zero", zeros, LinearPaths(zeros, 0.0, np.array([1.0])), np.zeros(len(y)), [])
            continue
        if name == "profile":
            prof = profile if profile is not None else np.ones(m)
            model = WithFallback(
                BorrowedSeasonality(profile=prof, inner=ETS(season_length=m, specs=NONSEASONAL_ETS_SPECS)),
                fallback=BorrowedSeasonality(profile=prof, inner=Naive()),
            ).fit(y)
            mean = model.predict(h)
            out[name] = FittedCandidate(name, model.name, mean, model.sampler(h), model.residuals_, [model.note_] if model.note_ else [])
            continue
        if name in COMBINATIONS:
            members = [single(k) for k in COMBINATIONS[name]]
            mean = np.mean([mm.predict(h) for mm in members], axis=0)
            notes = [mm.note_ for mm in members if getattr(mm, "note_", "")]
            label = "+".join(mm.name for mm in members)
            lead = members[0]
            out[name] = FittedCandidate(name, label, mean, RecenteredPaths(lead.sampler(h), mean), lead.residuals_, notes)
            continue
        model = single(name)
        note = getattr(model, "note_", "")
        out[name] = FittedCandidate(name, model.name, model.predict(h), model.sampler(h), model.residuals_, [note] if note else [])
    for fit in out.values():
        problem = check_forecast(fit.mean, y)
        if problem and fit.name != "snaive":
            bench = SeasonalNaive(season_length=m).fit(y)
            fit.notes.append(_("{model}: {problem}; fell back to snaive").format(model=fit.label, problem=problem))
            fit.mean, fit.sampler, fit.label = bench.predict(h), bench.sampler(h), "snaive"
            fit.residuals = bench.residuals_
        if np.min(y) >= 0 and np.any(fit.mean < 0):
            fit.mean = np.maximum(fit.mean, 0.0)
    return out


def origin_mase(y: np.ndarray, train: int, forecast: np.ndarray, h: int, m: int) -> float:
    """MASE of a forecast made after ``train`` months, scaled by that training window."""
    actual = y[train : train + h]
    scale = mase_scale(y[:train], season_length=m)
    if not np.isfinite(scale):
        scale = float(np.mean(np.abs(y[:train]))) or float("nan")
    return float(np.mean(np.abs(actual - forecast[: len(actual)])) / scale)


def run_series(task: SeriesTask) -> SeriesBacktest:
    """Backtest the candidates, choose, and fit the chosen model on the whole history."""
    y, h, m = task.y, task.horizon, task.season_length
    kind, warns = classify_series(y, m)
    default, alternatives = _candidates(kind, task.model)
    names = [default, *alternatives]
    per_origin: list[dict[str, FittedCandidate] | None] = []
    snaive: list[np.ndarray | None] = []
    for train in task.cutoffs:
        if train < 1:
            per_origin.append(None)
            snaive.append(None)
            continue
        yt = y[:train]
        o_kind, _notes = classify_series(yt, m)
        o_default, o_alts = _candidates(o_kind, task.model)
        o_names = [o_default, *o_alts] if o_kind == kind else [o_default]
        wanted = list(dict.fromkeys([*o_names, *(names if o_kind == kind else [])]))
        fits = fit_candidates(yt, wanted, h, m, task.profiles.get(train), fast=True)
        fits["__default__"] = fits[o_default]
        per_origin.append(fits)
        snaive.append(SeasonalNaive(season_length=m).fit(yt).predict(h))

    # the guard: scored origins where the model and the benchmark both ran
    scored = [
        (train, fits)
        for train, fits in zip(task.cutoffs, per_origin)
        if fits is not None and train >= MIN_BACKTEST_TRAIN and all(nm in fits for nm in names)
    ]
    per = {nm: [origin_mase(y, t, f[nm].mean, h, m) for t, f in scored] for nm in names}
    choice = default
    if kind == "zero":
        reason = _("no sales in the last 12 months")
    elif kind == "short":
        reason = (_("{months} months of history: non-seasonal model on the series adjusted by the seasonal profile of {source}")
                  if task.profile_source else
                  _("{months} months of history: non-seasonal model on the series adjusted by no seasonal profile (no parent with 3 years)")
                  ).format(months=len(y), source=repr(own_label(task.profile_source)))
    elif task.model != "auto":
        reason = _("model set by the caller")
    else:
        reason = _("default for {kind} series").format(kind=_p("value", kind))
    if alternatives and len(scored) >= MIN_GUARD_ORIGINS:
        mine, bench = per[default], per[GUARD_MODEL]
        if guard_decision(mine, bench, task.margin):
            choice = GUARD_MODEL
            warns.append(_("{model} backtested worse than seasonal naive at all {origins} origins (MASE {mase} vs {snaive}): "
                           "seasonal naive used instead").format(model=default, origins=len(mine), mase=f"{np.mean(mine):.2f}",
                                                                 snaive=f"{np.mean(bench):.2f}"))
            reason = _("guard: {model} worse than seasonal naive in its own backtest (MASE {mase} vs {snaive})").format(
                model=default, mase=f"{np.mean(mine):.2f}", snaive=f"{np.mean(bench):.2f}")
        else:
            reason += _("; backtest MASE {mase} (seasonal naive {snaive})").format(mase=f"{np.mean(mine):.2f}", snaive=f"{np.mean(bench):.2f}")
    elif alternatives:
        reason += _("; guard not applied (fewer than {origins} scored backtest origins)").format(origins=MIN_GUARD_ORIGINS)

    final = fit_candidates(y, [choice], h, m, task.profiles.get(len(y)))[choice]
    origins = []
    for fits in per_origin:
        if fits is None:
            origins.append(None)
        else:
            origins.append(fits.get(choice, fits["__default__"]))
    base_mase = float(np.mean(per[choice])) if scored and choice in per else np.nan
    return SeriesBacktest(task.uid, kind, choice, reason, final, origins, snaive, base_mase, warns)


def scaled_errors(ys, ids, offsets, h, m, forecasts: np.ndarray) -> np.ndarray:
    """MASE of every (origin, series); NaN where an origin is not scored."""
    out = np.full((len(offsets), len(ids)), np.nan)
    for k, off in enumerate(offsets):
        for i, uid in enumerate(ids):
            y = ys[uid]
            train = len(y) - off
            if train >= MIN_BACKTEST_TRAIN:
                out[k, i] = origin_mase(y, train, forecasts[k, i], h, m)
    return out
