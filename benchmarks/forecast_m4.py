"""Forecast accuracy and speed: the M4 monthly "Other" sample and 500 generated segments.

Prints sMAPE, MASE, OWA (against Naive2) and seconds per series for every model and
for the default forecaster (``forecast_series(model="auto")``: backtests, model
choice, simulation and reconciliation included), plus the holdout coverage of the
default's P10-P90 interval.

    .venv/bin/python benchmarks/forecast_m4.py                # everything (several minutes)
    .venv/bin/python benchmarks/forecast_m4.py --limit 40     # a quick look
    .venv/bin/python benchmarks/forecast_m4.py --skip-generated --models ets theta

The M4 data is read from ``../shared/data/m4_monthly_other`` beside the repository
(``--data`` to point elsewhere); it is never copied into the repository. History is
cut to the last 120 points, as in the data's README; MASE is scaled by the whole
training series, as in the competition.
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

from planlib.forecast import (  # noqa: E402
    DEFAULT_MODEL,
    forecast_series,
    make_model,
    mase,
    owa,
    smape,
)
from planlib.forecast.parallel import run_parallel  # noqa: E402

M4_DIR = ROOT.parent / "shared" / "data" / "m4_monthly_other"
MODELS = ("naive2", "snaive", "ets", "theta", "stl", "sarima", DEFAULT_MODEL)
M4_HORIZON = 18
M4_CAP = 120


def load_m4(directory: Path, *, cap: int = M4_CAP, limit: int | None = None) -> tuple[list[str], list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Series ids, capped histories, full histories (for the MASE scale) and the test block."""
    train = pd.read_csv(directory / "Monthly-Other-train.csv")
    test = pd.read_csv(directory / "Monthly-Other-test.csv")
    if limit:
        train, test = train.iloc[:limit], test.iloc[:limit]
    full = [row.dropna().to_numpy(float) for _, row in train.iloc[:, 1:].iterrows()]
    return train["V1"].astype(str).tolist(), [y[-cap:] for y in full], full, test.iloc[:, 1:].to_numpy(float)


def generate_segments(n_lines: int = 20, n_regions: int = 25, *, months: int = 60, horizon: int = 12, seed: int = 0):
    """``n_lines x n_regions`` seasonal + trend + noise segments and their sums.

    Returns ``(frame, tests)``: the long frame (Total, product_line, region and
    product_line/region levels, history only) and the next ``horizon`` months of every
    series as a dict of arrays.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(months + horizon)
    month = (t % 12)
    line_amp = rng.uniform(0.05, 0.4, n_lines)
    line_phase = rng.integers(0, 12, n_lines)
    line_level = rng.lognormal(3, 0.8, n_lines)
    region_level = rng.lognormal(0, 0.5, n_regions)
    bottom = {}
    for i in range(n_lines):
        season = 1 + line_amp[i] * np.sin(2 * np.pi * (month - line_phase[i]) / 12)
        for j in range(n_regions):
            growth = rng.normal(0.05, 0.1) / 12
            noise = rng.lognormal(0, rng.uniform(0.05, 0.35), len(t))
            level = line_level[i] * region_level[j] * np.exp(growth * t) * season * noise * 1000
            bottom[(f"L{i:02d}", f"R{j:02d}")] = np.round(level, 2)
    ds = pd.date_range("2020-01-01", periods=months + horizon, freq="MS")
    rows, tests = [], {}

    def add(uid: str, level: str, values: np.ndarray, line: str | float, region: str | float) -> None:
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds[:months], "y": values[:months], "level": level, "product_line": line, "region": region}))
        tests[uid] = values[months:]

    total = np.sum(list(bottom.values()), axis=0)
    add("Total", "Total", total, np.nan, np.nan)
    for i in range(n_lines):
        line = f"L{i:02d}"
        add(f"product_line={line}", "product_line", np.sum([v for k, v in bottom.items() if k[0] == line], axis=0), line, np.nan)
    for j in range(n_regions):
        region = f"R{j:02d}"
        add(f"region={region}", "region", np.sum([v for k, v in bottom.items() if k[1] == region], axis=0), np.nan, region)
    for (line, region), v in bottom.items():
        add(f"product_line={line}|region={region}", "product_line/region", v, line, region)
    return pd.concat(rows, ignore_index=True), tests


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
        start = time.perf_counter()
        res = run_parallel(_fit_predict, [(name, y, h) for y in histories], n_jobs=n_jobs)
        wall = time.perf_counter() - start
        s, m = score([r[0] for r in res], tests, scales)
        out[name] = {"sMAPE": s, "MASE": m, "cpu_s": float(np.mean([r[1] for r in res])), "wall_s": wall / len(histories)}
    return out


def run_default(frame: pd.DataFrame, h: int, n_jobs: int, ids: list[str]):
    start = time.perf_counter()
    cpu0 = time.process_time()
    result = forecast_series(frame, horizon=h, n_jobs=n_jobs)
    wall = time.perf_counter() - start
    fc = {u: g["mean"].to_numpy() for u, g in result.forecast.groupby("unique_id", sort=False)}
    return result, [fc[u] for u in ids], wall, time.process_time() - cpu0


def _coverage(result, ids, tests, h) -> tuple[float, float]:
    f = result.forecast.set_index("unique_id")
    inside, inside_total = [], []
    for u, t in zip(ids, tests):
        g = f.loc[u]
        inside.append((t >= g["p10"].to_numpy()) & (t <= g["p90"].to_numpy()))
        totals = result.year_paths[u].to_numpy()
        lo, hi = np.quantile(totals, [0.1, 0.9])
        inside_total.append(lo <= t.sum() <= hi)
    return float(np.mean(np.concatenate(inside))), float(np.mean(inside_total))


def print_table(title: str, rows: dict[str, dict], naive2: dict) -> None:
    print(f"\n{title}")
    print(f"{'model':<22}{'sMAPE':>8}{'MASE':>8}{'OWA':>8}{'cpu s/series':>14}{'wall s/series':>15}")
    for name, r in rows.items():
        o = owa(r["sMAPE"], r["MASE"], naive2["sMAPE"], naive2["MASE"])
        print(f"{name:<22}{r['sMAPE']:>8.3f}{r['MASE']:>8.3f}{o:>8.3f}{r['cpu_s']:>14.3f}{r['wall_s']:>15.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=M4_DIR, help="folder with Monthly-Other-train/test.csv")
    parser.add_argument("--limit", type=int, default=None, help="only the first N M4 series")
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--models", nargs="*", default=list(MODELS), help="single models to score")
    parser.add_argument("--skip-m4", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-default", action="store_true", help="score single models only")
    args = parser.parse_args(argv)
    models = list(dict.fromkeys(["naive2", *args.models]))

    if not args.skip_m4:
        if not (args.data / "Monthly-Other-train.csv").is_file():
            print(f"M4 sample not found in {args.data}; skipping it (use --data)")
        else:
            ids, hist, full, test = load_m4(args.data, limit=args.limit)
            tests = [t[:M4_HORIZON] for t in test]
            rows = run_models(models, hist, tests, full, M4_HORIZON, args.n_jobs)
            if not args.skip_default:
                end = pd.Timestamp("2020-12-01")
                frame = pd.concat(
                    [
                        pd.DataFrame({"unique_id": u, "ds": pd.date_range(end=end, periods=len(y), freq="MS"), "y": y})
                        for u, y in zip(ids, hist)
                    ],
                    ignore_index=True,
                )
                result, fc, wall, cpu_main = run_default(frame, M4_HORIZON, args.n_jobs, ids)
                s, m = score(fc, tests, full)
                rows[f"default (auto)"] = {"sMAPE": s, "MASE": m, "cpu_s": float("nan"), "wall_s": wall / len(ids)}
                cov, cov_total = _coverage(result, ids, tests, M4_HORIZON)
                chosen = result.backtest["model"].value_counts().to_dict()
            print_table(f"M4 monthly 'Other': {len(ids)} series, horizon {M4_HORIZON}, history capped at {M4_CAP}, n_jobs={args.n_jobs}", rows, rows["naive2"])
            if not args.skip_default:
                print(f"default: P10-P90 holdout coverage {cov:.1%} by month, {cov_total:.1%} for the 18-month total (nominal 80%)")
                print(f"default: models chosen {chosen}")
                bt_cov = result.coverage.iloc[-1]
                print(f"default: backtest P10-P90 coverage {bt_cov['monthly']:.1%} by month, {bt_cov['total']:.1%} for the total")

    if not args.skip_generated:
        frame, tests_by_id = generate_segments()
        bottom = [u for u in frame["unique_id"].unique() if "|" in u]
        hist_by_id = {u: g["y"].to_numpy() for u, g in frame.groupby("unique_id", sort=False)}
        hist = [hist_by_id[u] for u in bottom]
        tests = [tests_by_id[u] for u in bottom]
        rows = run_models(models, hist, tests, hist, 12, args.n_jobs)
        if not args.skip_default:
            result, fc, wall, _ = run_default(frame, 12, args.n_jobs, bottom)
            s, m = score(fc, tests, hist)
            rows["default (auto)"] = {"sMAPE": s, "MASE": m, "cpu_s": float("nan"), "wall_s": wall / frame["unique_id"].nunique()}
        print_table(
            f"Generated: {len(bottom)} segments (20 lines x 25 regions, 60 months, seeded), horizon 12, scored on the segments, n_jobs={args.n_jobs}",
            rows,
            rows["naive2"],
        )
        if not args.skip_default:
            all_ids = list(hist_by_id)
            cov, cov_total = _coverage(result, all_ids, [tests_by_id[u] for u in all_ids], 12)
            print(
                f"default: {frame['unique_id'].nunique()} series reconciled ({result.reconciliation}); "
                f"wall {wall:.1f} s; P10-P90 holdout coverage {cov:.1%} by month, {cov_total:.1%} for the year total"
            )
            print(f"default: models chosen {result.backtest['model'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
